//! `conformance`: the main job, and the validating mock on its own.
//!
//! ```text
//! cargo run -p conformance                              # embedded mock, every check, text report
//! cargo run -p conformance -- --format junit -o report.xml
//! cargo run -p conformance -- --spec /tmp/mutated.yaml  # judge against another spec (exit 1 on drift)
//! cargo run -p conformance -- --filter windowsAutopilotDeploymentProfiles_assign/flat --exchanges run.jsonl
//! cargo run -p conformance -- --min-coverage 90   # fail operations whose coverage is below 90%
//! cargo run -p conformance -- --jobs 1   # one operation at a time (default 16 at once)
//! GRAPH_TOKEN=... cargo run -p conformance -- --base-url https://graph.microsoft.com/beta \
//!     --id windowsAutopilotDeploymentProfileId=<id> --allow-writes --record cassettes/
//! cargo run -p conformance -- --replay cassettes/   # judge a recorded session offline
//! cargo run -p conformance -- --base-url http://127.0.0.1:8080/beta   # positive checks against another server
//! cargo run -p conformance -- serve --addr 127.0.0.1:8080             # the mock alone
//! GRAPH_TOKEN=t cargo run -p conformance -- serve --accept-token-env GRAPH_TOKEN   # only token `t` passes
//! cargo run -p conformance -- proxy --upstream https://graph.microsoft.com --addr 127.0.0.1:8081
//! ```
//!
//! Exit codes: 0 every check passed (for `proxy`: no exchange broke the
//! spec); 1 a check failed; 2 usage error.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use conformance::exchange::Sensitive;
use conformance::job::{self, Filter, Format, Options, Report};
use conformance::mock::{MockConfig, MockServer};
use conformance::oracle::Oracle;
use conformance::proxy::{ProxyConfig, ValidatingProxy};

#[derive(Parser, Debug)]
#[command(
    name = "conformance",
    about = "Drives the generated Graph client through every operation and fault scenario \
             against a validating mock, judges every exchange against spec/ and reports \
             one row per check."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The spec the oracle judges against.
    #[arg(long, value_name = "PATH", global = true)]
    spec: Option<PathBuf>,
    /// Run the positive checks against this service root (e.g.
    /// `http://127.0.0.1:8080/beta`) instead of the embedded mock.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Bearer token for --base-url, read from this environment variable.
    #[arg(long, value_name = "VAR", default_value = "GRAPH_TOKEN")]
    token_env: String,
    /// Report format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Write the report here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Report only the rows of OPERATION (an operationId, or `spec`,
    /// `mock`, `scenario`), and of those only checks whose name contains
    /// CHECK; the exit code follows those rows. Every check still runs.
    #[arg(long, value_name = "OPERATION[/CHECK]")]
    filter: Option<Filter>,
    /// Save every exchange of the run here, one JSON object a line
    /// (credentials redacted), each with a curl command that resends it.
    #[arg(long, value_name = "FILE.jsonl")]
    exchanges: Option<PathBuf>,
    /// Fail any operation whose coverage (documented response statuses,
    /// response headers and parameters that the run's exchanges
    /// exercised) is below PERCENT. Without it the coverage rows and table
    /// only report.
    #[arg(long, value_name = "PERCENT", value_parser = percent)]
    min_coverage: Option<f64>,
    /// Send this value for a path parameter instead of a made-up id, in
    /// every operation that has it or (with OPERATION:) in one. Repeatable.
    /// Against a real service the ids must name things that exist.
    #[arg(long = "id", value_name = "[OPERATION:]PARAM=VALUE")]
    ids: Vec<job::GivenId>,
    /// With --base-url, also send the operations that may change state
    /// (every method but GET, HEAD, OPTIONS); without it they are listed as
    /// skipped and nothing is written to the service.
    #[arg(long)]
    allow_writes: bool,
    /// Write every exchange of the run into DIR as cassettes (one JSON
    /// file each, credentials replaced) with the oracle's verdicts, for
    /// --replay.
    #[arg(long, value_name = "DIR", conflicts_with = "replay")]
    record: Option<PathBuf>,
    /// Judge the cassettes in DIR against the spec(s) offline, without a
    /// client, a mock or a network: each verdict must be the one recorded.
    #[arg(long, value_name = "DIR", conflicts_with = "base_url")]
    replay: Option<PathBuf>,
    /// How many operations to drive at once; each operation's calls stay
    /// in order, and the report is the same whatever N (rows in the spec's
    /// order). 1 drives them one after the other.
    #[arg(long, value_name = "N", default_value_t = job::DEFAULT_JOBS, value_parser = jobs)]
    jobs: usize,
}

/// A percentage from 0 to 100.
fn percent(text: &str) -> Result<f64, String> {
    match text.trim_end_matches('%').parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("{text:?} is not a percentage from 0 to 100")),
    }
}

/// A number of jobs, from 1.
fn jobs(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("{text:?} is not a number of jobs (1 or more)")),
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the validating mock Graph server until interrupted.
    Serve {
        /// Address to listen on (port 0 picks one; the chosen address is
        /// printed).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Answer 204 to everything without validating (benchmark baseline).
        #[arg(long)]
        no_validation: bool,
        /// How many exchanges to keep for GET /_mock/exchanges.
        #[arg(long, default_value_t = conformance::mock::DEFAULT_CAPACITY)]
        record: usize,
        /// Accept only the bearer token in this environment variable;
        /// others, well-formed or not, get 401 (by default any well-formed
        /// token passes).
        #[arg(long, value_name = "VAR")]
        accept_token_env: Option<String>,
    },
    /// Forward any client's traffic to an upstream, judging every request
    /// and response against the spec; log each exchange on standard error
    /// and print a summary on exit (Ctrl-C, SIGTERM or --max-requests).
    /// Exit 1 when any exchange broke the spec.
    Proxy {
        /// Where to forward: `http(s)://host[:port][/path]`; the request's
        /// path is appended to this URL's path.
        #[arg(long, value_name = "URL")]
        upstream: String,
        /// Address to listen on (port 0 picks one; the chosen address is
        /// printed).
        #[arg(long, default_value = "127.0.0.1:8081")]
        addr: SocketAddr,
        /// How many bytes of each body are kept and judged; longer bodies
        /// stream through whole and are reported as too large to judge.
        #[arg(long, value_name = "BYTES", default_value_t = conformance::proxy::DEFAULT_JUDGE_LIMIT)]
        judge_limit: usize,
        /// Stop after this many exchanges have been judged.
        #[arg(long, value_name = "N")]
        max_requests: Option<u64>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("conformance: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match cli.command {
        Some(Command::Serve {
            addr,
            no_validation,
            record,
            accept_token_env,
        }) => {
            if cli.spec.is_some() {
                eprintln!(
                    "conformance serve: --spec does not apply: the mock validates with the \
                     validator generated from spec/ (use it with the job or `proxy`)"
                );
                return ExitCode::from(2);
            }
            let mut config = MockConfig::serve(addr, no_validation, record);
            if let Some(var) = accept_token_env {
                match std::env::var(&var) {
                    Ok(token) if !token.is_empty() => {
                        config.accepted_tokens = vec![Sensitive::new(token)];
                    }
                    _ => {
                        eprintln!(
                            "conformance serve: environment variable {var} is unset or empty"
                        );
                        return ExitCode::from(2);
                    }
                }
            }
            runtime.block_on(serve(config))
        }
        Some(Command::Proxy {
            upstream,
            addr,
            judge_limit,
            max_requests,
        }) => {
            let config = ProxyConfig {
                judge_limit,
                ..ProxyConfig::new(addr, upstream)
            };
            let spec = cli.spec.unwrap_or_else(job::default_spec);
            runtime.block_on(proxy(spec, config, max_requests))
        }
        None => runtime.block_on(run_job(cli)),
    }
}

async fn serve(config: MockConfig) -> ExitCode {
    let addr = config.addr;
    let mock = match MockServer::start(config).await {
        Ok(mock) => mock,
        Err(e) => {
            eprintln!("conformance serve: cannot listen on {addr}: {e}");
            return ExitCode::from(1);
        }
    };
    println!(
        "mock Graph server listening; service root {}",
        mock.base_url()
    );
    println!(
        "fault scenarios: header `x-mock-scenario: NAME[:ARG]` or PUT {}/_mock/faults; \
         recording: GET {}/_mock/exchanges",
        format_args!("http://{}", mock.addr()),
        format_args!("http://{}", mock.addr())
    );
    match mock.wait().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("conformance serve: {e}");
            ExitCode::from(1)
        }
    }
}

async fn proxy(spec: PathBuf, config: ProxyConfig, max_requests: Option<u64>) -> ExitCode {
    if let Err(e) = conformance::proxy::parse_upstream(&config.upstream) {
        eprintln!("conformance proxy: {e}");
        return ExitCode::from(2);
    }
    let oracle = match Oracle::load(&spec) {
        Ok(oracle) => oracle,
        Err(e) => {
            eprintln!("conformance proxy: cannot load the spec: {e}");
            return ExitCode::from(2);
        }
    };
    if max_requests == Some(0) {
        eprintln!("conformance proxy: --max-requests must be at least 1");
        return ExitCode::from(2);
    }
    let upstream = config.upstream.clone();
    let signalled = shutdown_signal();
    let proxy = match ValidatingProxy::start(config, oracle, Box::new(std::io::stderr())).await {
        Ok(proxy) => proxy,
        Err(e) => {
            eprintln!("conformance proxy: {e}");
            return ExitCode::from(1);
        }
    };
    // Written, not printed: a closed standard output must not panic.
    let mut stdout = std::io::stdout();
    let _ = writeln!(
        stdout,
        "validating proxy listening on http://{}; forwarding to {upstream}; judging against {}",
        proxy.addr(),
        spec.display()
    );
    let _ = stdout.flush();
    let progress = proxy.progress().clone();
    let enough = async {
        match max_requests {
            Some(n) => progress.reached(n).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = enough => {}
        _ = signalled => {}
    }
    let summary = proxy.finish(std::time::Duration::from_secs(5)).await;
    let _ = write!(stdout, "{}", summary.render());
    let _ = stdout.flush();
    if summary.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Ctrl-C, or SIGTERM on Unix. The handlers are installed when this is
/// called, so a signal that comes before the future is first polled still
/// counts.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            match (interrupt, terminate) {
                (Ok(mut interrupt), Ok(mut terminate)) => {
                    tokio::select! {
                        _ = interrupt.recv() => {}
                        _ = terminate.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn run_job(cli: Cli) -> ExitCode {
    if let Some(dir) = &cli.replay {
        let specs = match &cli.spec {
            Some(spec) => vec![spec.clone()],
            None => job::default_spec_files(),
        };
        let report = job::replay::replay(&specs, dir, cli.min_coverage);
        return finish(&cli, report);
    }
    // A real service gets the caller's token or nothing: sending the
    // mock's made-up token there would only fail every check with 401 and
    // hide why.
    let token = match &cli.base_url {
        None => None,
        Some(url) => match std::env::var(&cli.token_env) {
            Ok(token) if !token.trim().is_empty() => Some(token),
            _ => {
                eprintln!(
                    "conformance: --base-url {url} needs a bearer token in ${}, which is unset or empty; \
                     export it (or name another variable with --token-env)",
                    cli.token_env
                );
                return ExitCode::from(2);
            }
        },
    };
    let options = Options {
        specs: match cli.spec.clone() {
            Some(spec) => job::targets_with_main(spec),
            None => job::default_targets(),
        },
        token,
        base_url: cli.base_url.clone(),
        min_coverage: cli.min_coverage,
        given_ids: cli.ids.clone(),
        allow_writes: cli.allow_writes,
        jobs: cli.jobs,
    };
    let report = job::run(&options).await;
    if let Some(dir) = &cli.record {
        let mut problems = Report::default();
        let paths: Vec<PathBuf> = options.specs.iter().map(|t| t.path.clone()).collect();
        let loaded = job::replay::oracles(&paths, &mut problems);
        let oracles: Vec<&Oracle> = loaded.iter().map(|(o, _)| o).collect();
        let tapes = job::replay::cassettes(&oracles, &report.exchanges);
        match conformance::cassette::record(dir, &tapes) {
            Ok(n) => eprintln!("conformance: recorded {n} exchange(s) in {}", dir.display()),
            Err(e) => {
                eprintln!("conformance: --record: {e}");
                return ExitCode::from(1);
            }
        }
    }
    finish(&cli, report)
}

/// Writes the exchanges, narrows, renders and exits as the report says.
fn finish(cli: &Cli, mut report: Report) -> ExitCode {
    if let Some(path) = &cli.exchanges
        && let Err(e) = std::fs::write(path, report.exchanges_jsonl())
    {
        eprintln!("conformance: cannot write {}: {e}", path.display());
        return ExitCode::from(1);
    }
    if let Some(filter) = &cli.filter {
        report.retain(filter);
        if report.checks.is_empty() {
            eprintln!(
                "conformance: --filter {}{} matched no check",
                filter.operation,
                filter
                    .check
                    .as_deref()
                    .map(|c| format!("/{c}"))
                    .unwrap_or_default()
            );
            return ExitCode::from(2);
        }
    }
    let text = report.render(cli.format);
    match &cli.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &text) {
                eprintln!("conformance: cannot write {}: {e}", path.display());
                return ExitCode::from(1);
            }
            // The summary still goes to the terminal.
            println!("{}", report.summary_line());
        }
        None => print!("{text}"),
    }
    if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
