//! `conformance`: the main job, and the validating mock on its own.
//!
//! ```text
//! cargo run -p conformance                              # embedded mock, every check, text report
//! cargo run -p conformance -- --format junit -o report.xml
//! cargo run -p conformance -- --spec /tmp/mutated.yaml  # judge against another spec (exit 1 on drift)
//! cargo run -p conformance -- --base-url http://127.0.0.1:8080/beta   # positive checks against another server
//! cargo run -p conformance -- serve --addr 127.0.0.1:8080             # the mock alone
//! GRAPH_TOKEN=t cargo run -p conformance -- serve --accept-token-env GRAPH_TOKEN   # only token `t` passes
//! ```
//!
//! Exit codes: 0 every check passed; 1 a check failed; 2 usage error.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use conformance::exchange::Sensitive;
use conformance::job::{self, Format, Options};
use conformance::mock::{MockConfig, MockServer};

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
    #[arg(long, value_name = "PATH")]
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

async fn run_job(cli: Cli) -> ExitCode {
    let options = Options {
        spec: cli.spec.unwrap_or_else(job::default_spec),
        token: cli
            .base_url
            .as_ref()
            .and_then(|_| std::env::var(&cli.token_env).ok()),
        base_url: cli.base_url,
    };
    let report = job::run(&options).await;
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
