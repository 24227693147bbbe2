//! The main job (`cargo run -p conformance`): the generated client driven
//! through every operation and scenario, every exchange judged by the
//! oracle, one report row per check.

pub mod coverage;
pub mod curl;
pub mod drive;
pub mod negative;
pub mod proxy;
pub mod replay;
pub mod report;
pub mod scenarios;

pub mod args;
pub mod pool;
pub mod positive;
pub mod tap;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use openapi_runtime::dispatch::Api;
use serde_json::Value;

use crate::exchange::Exchange;
use crate::mock::{MockConfig, MockServer, Recorder};
use crate::oracle::{Oracle, Outcome};
pub use args::{GivenId, Ids, arguments};
pub use drive::{CallOutcome, DRIVERS, Driver};
pub use report::{Filter, Format, Report, Row};
use scenarios::ScenarioClients;
use tap::Tap;

/// The token the job's client sends to the embedded mock. Opaque on
/// purpose: it is never printed (the oracle only sees its shape). The
/// mock accepts this one only, so a client that sends another is caught.
pub const MOCK_TOKEN: &str = "conformance-mock-token.not-a-real-secret";

/// An id that must stay one path segment however it is written.
pub const AWKWARD_ID: &str = "../a b/c?d#e%2Fé";

/// How many operations the job drives at once unless told (`--jobs`): its
/// calls mostly wait on loopback, and the `slow` scenario on a timer.
pub const DEFAULT_JOBS: usize = 16;

/// One spec file and the client generated from it.
#[derive(Debug, Clone)]
pub struct SpecTarget {
    /// The spec the oracle judges against.
    pub path: PathBuf,
    /// The generated client's surface (`None`: no client was generated
    /// from this file, which the job reports).
    pub api: Option<&'static Api>,
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The specs and their clients (default: every file in `spec/`, see
    /// [`default_targets`]).
    pub specs: Vec<SpecTarget>,
    /// Run the positive checks against this service root instead of the
    /// embedded mock.
    pub base_url: Option<String>,
    /// The bearer token for `base_url` (the embedded mock takes only
    /// [`MOCK_TOKEN`]).
    pub token: Option<String>,
    /// `--min-coverage`: each operation's `coverage` row fails below this
    /// percentage of its documented statuses, response headers and
    /// parameters exercised (`None`: the rows only report).
    pub min_coverage: Option<f64>,
    /// `--id`: path parameter values to send instead of made-up ids.
    pub given_ids: Vec<GivenId>,
    /// `--allow-writes`: with `base_url`, also send the operations that
    /// change state (any method but GET, HEAD and OPTIONS). The embedded
    /// mock keeps no state, so against it every operation is sent.
    pub allow_writes: bool,
    /// `--jobs`: how many operations are driven at once (at least 1; 1
    /// drives them one after the other, in the spec's order). Each
    /// operation's own calls stay in order, and the report is the same
    /// whatever the number: rows in the spec's order.
    pub jobs: usize,
}

/// Whether a method only reads (RFC 9110's safe methods).
pub fn is_safe(method: &str) -> bool {
    ["GET", "HEAD", "OPTIONS", "TRACE"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
}

/// The spec the crate root's client was generated from.
pub fn default_spec() -> PathBuf {
    spec_dir().join("assign.yaml")
}

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

/// The spec files in `spec/` (YAML or JSON), `assign.yaml` first, then by
/// name: the files `generated/build.rs` makes clients from.
pub fn default_spec_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(spec_dir())
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("yaml" | "yml" | "json")
                )
        })
        .collect();
    files.sort_by_key(|p| (p.file_name() != Some("assign.yaml".as_ref()), p.clone()));
    files
}

/// Every spec file in `spec/` with the client generated from it.
pub fn default_targets() -> Vec<SpecTarget> {
    default_spec_files()
        .into_iter()
        .map(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let api = autopilot_client::specs::ALL
                .iter()
                .copied()
                .find(|api| api.spec == name);
            SpecTarget { path, api }
        })
        .collect()
}

/// [`default_targets`], with `spec` judging the crate root's client
/// instead of `spec/assign.yaml` (`--spec`).
pub fn targets_with_main(spec: PathBuf) -> Vec<SpecTarget> {
    let mut targets = default_targets();
    match targets.iter_mut().find(|t| {
        t.api
            .is_some_and(|api| std::ptr::eq(api, &autopilot_client::API))
    }) {
        Some(main) => main.path = spec,
        None => targets.insert(
            0,
            SpecTarget {
                path: spec,
                api: Some(&autopilot_client::API),
            },
        ),
    }
    targets
}

impl Default for Options {
    fn default() -> Self {
        Options {
            specs: default_targets(),
            base_url: None,
            token: None,
            min_coverage: None,
            given_ids: Vec::new(),
            allow_writes: false,
            jobs: DEFAULT_JOBS,
        }
    }
}

/// Where the client's requests go, and where they are recorded.
enum Target {
    Mock(MockServer),
    Proxy(proxy::Proxy),
}

impl Target {
    fn base_url(&self, api: &Api) -> String {
        match self {
            Target::Mock(m) => m.base_url_of(api),
            Target::Proxy(p) => p.base_url(),
        }
    }

    fn recorder(&self) -> &Recorder {
        match self {
            Target::Mock(m) => m.recorder(),
            Target::Proxy(p) => p.recorder(),
        }
    }

    fn mock(&self) -> Option<&MockServer> {
        match self {
            Target::Mock(m) => Some(m),
            Target::Proxy(_) => None,
        }
    }
}

/// What every operation's task shares.
struct Shared {
    target: Target,
    token: String,
    given_ids: Vec<GivenId>,
    allow_writes: bool,
    /// Under every runtime client and probe of the job: one connection
    /// pool, and the system's TLS roots read once.
    http: reqwest::Client,
    scenarios: ScenarioClients,
    /// Where failed rows' curl commands send their requests.
    origin: Option<String>,
}

/// What one operation's task gives back.
struct OperationRun {
    /// Its rows, in the order its checks ran.
    report: Report,
    /// The flat call's exchange, when it went through.
    base: Option<Exchange>,
    /// `OPERATION (METHOD PATH)` when it was not sent because it changes
    /// state.
    unsent_write: Option<String>,
}

/// Every check of one operation: positive, then (against the mock)
/// negative and fault scenarios; its calls one after the other.
async fn run_operation(
    shared: &Shared,
    oracle: &Oracle,
    api: &'static Api,
    index: usize,
) -> OperationRun {
    let op = &oracle.operations()[index];
    let mut report = Report::default();
    report.origin = shared.origin.clone();
    report.start_clock();
    let run = |report| OperationRun {
        report,
        base: None,
        unsent_write: None,
    };
    let Some(operation) = api.operation(&op.operation_id) else {
        return run(report);
    };
    let target = &shared.target;
    if target.mock().is_none() && !shared.allow_writes && !is_safe(&op.method) {
        report.push(
            op.operation_id.as_str(),
            "not sent: it changes state",
            Outcome::Skip,
            format!(
                "{} may change state on the service; --allow-writes sends it",
                op.method
            ),
        );
        let mut done = run(report);
        done.unsent_write = Some(format!("{} ({} {})", op.operation_id, op.method, op.path));
        return done;
    }
    // A client per operation: its tap must see this task's calls only.
    let tap = Arc::new(Tap::default());
    let client = match client(
        &target.base_url(api),
        &shared.token,
        shared.http.clone(),
        tap.clone(),
    ) {
        Ok(client) => client,
        Err(e) => {
            report.push("client", "connect", Outcome::Fail, e.to_string());
            return run(report);
        }
    };
    let job = positive::Job {
        oracle,
        client: &client,
        tap: &tap,
        recorder: target.recorder(),
        given_ids: &shared.given_ids,
    };
    let base = job.positive(op, operation, &mut report).await;
    let Some(mock) = target.mock() else {
        let mut done = run(report);
        done.base = base.map(|(exchange, _)| exchange);
        return done;
    };
    match &base {
        Some((exchange, _)) => {
            negative::run_for(&shared.http, oracle, mock, op, exchange, &mut report).await;
        }
        None => report.push(
            op.operation_id.as_str(),
            "negative checks",
            Outcome::Fail,
            "not run: they start from the flat call's request, which failed",
        ),
    }
    let args = base.as_ref().map(|(_, args)| args);
    scenarios::run_for(
        &shared.scenarios,
        oracle,
        mock,
        api,
        op,
        operation,
        args,
        &mut report,
    )
    .await;
    let mut done = run(report);
    done.base = base.map(|(exchange, _)| exchange);
    done
}

/// Runs every check and returns the report.
pub async fn run(options: &Options) -> Report {
    let mut report = Report::default();
    report.start_clock();
    // Failed rows' curl commands go where the job's requests went: the
    // service given, or `conformance serve`'s default address.
    report.origin = options
        .base_url
        .as_deref()
        .and_then(|url| reqwest::Url::parse(url).ok())
        .map(|url| url.origin().ascii_serialization());

    // Each spec with its oracle and client; the problems are rows.
    let mut loaded: Vec<(Arc<Oracle>, &'static Api)> = Vec::new();
    for target in &options.specs {
        let oracle = match Oracle::load(&target.path) {
            Ok(oracle) => oracle,
            Err(e) => {
                report.push("spec", "load", Outcome::Fail, e);
                continue;
            }
        };
        report.push(
            "spec",
            "load",
            Outcome::Pass,
            format!(
                "{}: {} operation(s)",
                display_path(&target.path),
                oracle.operations().len()
            ),
        );
        let Some(api) = target.api else {
            report.push(
                "spec",
                "client generated",
                Outcome::Fail,
                format!(
                    "no client was generated from {} (generated/build.rs makes one per \
                     YAML or JSON file in spec/; rebuild)",
                    display_path(&target.path)
                ),
            );
            continue;
        };
        check_servers(&oracle, api, &mut report);
        check_route_table(&oracle, api, &mut report);
        loaded.push((Arc::new(oracle), api));
    }
    let every_operation: Vec<&crate::oracle::SpecOperation> =
        loaded.iter().flat_map(|(o, _)| o.operations()).collect();
    for problem in args::unused_ids(&options.given_ids, &every_operation) {
        report.push(
            "spec",
            "--id names a path parameter",
            Outcome::Fail,
            problem,
        );
    }
    for api in autopilot_client::specs::ALL {
        if !options
            .specs
            .iter()
            .any(|t| t.api.is_some_and(|a| a.spec == api.spec))
        {
            report.push(
                "spec",
                "spec file of every client",
                Outcome::Fail,
                format!(
                    "a client was generated from `{}`, which the job was not given",
                    api.spec
                ),
            );
        }
    }

    let target = match &options.base_url {
        None => match MockServer::start(MockConfig {
            accepted_tokens: vec![crate::exchange::Sensitive::new(MOCK_TOKEN)],
            // Every exchange: the coverage and `--exchanges` need them all,
            // and a call's own are looked up after other calls stored theirs.
            record_capacity: usize::MAX,
            ..MockConfig::default()
        })
        .await
        {
            Ok(mock) => Target::Mock(mock),
            Err(e) => {
                report.push(
                    "mock",
                    "start",
                    Outcome::Fail,
                    format!("cannot listen: {e}"),
                );
                return report;
            }
        },
        Some(url) => match proxy::Proxy::start(url).await {
            Ok(p) => Target::Proxy(p),
            Err(e) => {
                report.push("target", "start", Outcome::Fail, e);
                return report;
            }
        },
    };
    let token = options
        .token
        .clone()
        .unwrap_or_else(|| MOCK_TOKEN.to_string());
    let shared = Arc::new(Shared {
        target,
        token,
        given_ids: options.given_ids.clone(),
        allow_writes: options.allow_writes,
        http: scenarios::http_client(None),
        scenarios: ScenarioClients::new(),
        origin: report.origin.clone(),
    });

    let mut unsent_writes = Vec::new();
    for (oracle, api) in &loaded {
        // The client's configuration is checked once per spec, as a row.
        if let Err(e) = client(
            &shared.target.base_url(api),
            &shared.token,
            shared.http.clone(),
            Arc::new(Tap::default()),
        ) {
            report.push("client", "connect", Outcome::Fail, e.to_string());
            continue;
        }
        let api: &'static Api = api;
        let indexes: Vec<usize> = (0..oracle.operations().len())
            .filter(|&i| {
                api.operation(&oracle.operations()[i].operation_id)
                    .is_some()
            })
            .collect();
        let runs = {
            let shared = shared.clone();
            let oracle = oracle.clone();
            pool::run_in_order(options.jobs, indexes, move |index| {
                let shared = shared.clone();
                let oracle = oracle.clone();
                async move { run_operation(&shared, &oracle, api, index).await }
            })
            .await
        };
        let mut first_base: Option<Exchange> = None;
        for run in runs {
            match run {
                Ok(run) => {
                    report.append(run.report);
                    if first_base.is_none() {
                        first_base = run.base;
                    }
                    unsent_writes.extend(run.unsent_write);
                }
                Err(e) => report.push("job", "operation task", Outcome::Fail, e),
            }
        }
        if let (Some(mock), Some(base)) = (shared.target.mock(), &first_base) {
            negative::run_unknown_path(&shared.http, oracle, mock, base, &mut report).await;
        }
    }

    if !unsent_writes.is_empty() {
        report.push(
            "target",
            "operations that change state",
            Outcome::Skip,
            format!(
                "not sent without --allow-writes: {}",
                unsent_writes.join(", ")
            ),
        );
    }
    if shared.target.mock().is_none() {
        report.push(
            "target",
            "negative checks and fault scenarios",
            Outcome::Skip,
            "they need the embedded mock; --base-url runs the positive checks only",
        );
    }
    report.exchanges = shared.target.recorder().exchanges();
    let specs: Vec<(&Oracle, &str)> = loaded
        .iter()
        .map(|(o, api)| (o.as_ref(), api.spec))
        .collect();
    report.coverage = coverage::measure(&specs, &report.exchanges);
    let measured = std::mem::take(&mut report.coverage);
    coverage::push_rows(&mut report, &measured, options.min_coverage);
    report.coverage = measured;
    // Every task is done, so this is the last reference; if not, dropping
    // the mock stops it without the graceful wait.
    if let Ok(Shared {
        target: Target::Mock(mock),
        ..
    }) = Arc::try_unwrap(shared)
    {
        mock.shutdown().await;
    }
    report
}

/// The runtime client the job calls through: the token given, the
/// `User-Agent` of `autopilot_client::Client::connect`, over the job's
/// shared HTTP client, observed by `tap`.
fn client(
    base_url: &str,
    token: &str,
    http: reqwest::Client,
    tap: Arc<Tap>,
) -> Result<openapi_runtime::Client, openapi_runtime::Error> {
    openapi_runtime::Client::builder()
        .base_url(base_url)
        .token(openapi_runtime::SecretToken::from(token.to_string()))
        .user_agent(autopilot_client::user_agent())
        .http_client(http)
        .observer(tap)
        .build()
}

fn display_path(path: &Path) -> String {
    // `spec/x.yaml` rather than an absolute path, when it is ours.
    let ours = spec_dir().canonicalize().ok();
    match (path.canonicalize().ok(), ours) {
        (Some(path), Some(dir)) if path.starts_with(&dir) => format!(
            "spec/{}",
            path.strip_prefix(&dir).unwrap_or(&path).display()
        ),
        _ => path.display().to_string(),
    }
}

/// The generated `SERVERS` against the spec's `servers`: same URLs,
/// descriptions and `x-cloud` names, in the same order.
fn check_servers(oracle: &Oracle, api: &Api, report: &mut Report) {
    let spec: Vec<(String, String, Option<String>)> = oracle
        .doc()
        .root
        .get("servers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|s| {
            let text = |k: &str| s.get(k).and_then(Value::as_str).map(str::to_string);
            (
                // A trailing `/` changes nothing (paths start with one);
                // the generator drops it, Microsoft's modules write it.
                text("url")
                    .unwrap_or_default()
                    .trim_end_matches('/')
                    .to_string(),
                text("description").unwrap_or_default(),
                text("x-cloud"),
            )
        })
        .collect();
    let client: Vec<(String, String, Option<String>)> = api
        .servers
        .iter()
        .map(|s| {
            (
                s.url.trim_end_matches('/').to_string(),
                s.description.to_string(),
                s.cloud.map(str::to_string),
            )
        })
        .collect();
    let show = |list: &[(String, String, Option<String>)]| {
        list.iter()
            .map(|(url, _, cloud)| match cloud {
                Some(cloud) => format!("{url} ({cloud})"),
                None => url.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    report.check(
        "spec",
        format!("client servers = spec servers ({})", api.spec),
        if client == spec {
            Ok(show(&spec))
        } else {
            Err(format!(
                "client [{}], spec [{}] (URLs, descriptions and x-cloud compared in order)",
                show(&client),
                show(&spec)
            ))
        },
    );
}

/// The client's route table (generated) against the spec's operations (read
/// by the oracle): same operations, methods, templates, documented
/// statuses; and a driver for each.
fn check_route_table(oracle: &Oracle, api: &Api, report: &mut Report) {
    let client = api.routes;
    for op in oracle.operations() {
        let id = op.operation_id.clone();
        let Some(route) = client.iter().find(|r| r.operation_id == id) else {
            report.push(
                id,
                "client has the route",
                Outcome::Fail,
                format!(
                    "the spec has {} {} but the generated client has no route for it \
                     (regenerate the client)",
                    op.method, op.path
                ),
            );
            continue;
        };
        let mut problems = Vec::new();
        if !route.method.as_str().eq_ignore_ascii_case(&op.method) {
            problems.push(format!(
                "method: client {}, spec {}",
                route.method, op.method
            ));
        }
        if route.template != op.path {
            problems.push(format!(
                "path: client `{}`, spec `{}`",
                route.template, op.path
            ));
        }
        let client_statuses: Vec<String> = route
            .responses
            .iter()
            .map(|r| r.status.to_string())
            .collect();
        let spec_statuses: Vec<String> = op
            .responses
            .iter()
            .map(|r| {
                // `2xx` and `2XX` are the same range; `default` stays as is.
                if r.status == "default" {
                    r.status.clone()
                } else {
                    r.status.to_uppercase()
                }
            })
            .collect();
        let (mut a, mut b) = (client_statuses.clone(), spec_statuses.clone());
        a.sort();
        b.sort();
        if a != b {
            problems.push(format!(
                "documented statuses: client [{}], spec [{}]",
                client_statuses.join(", "),
                spec_statuses.join(", ")
            ));
        }
        report.check(
            id.clone(),
            "client route = spec",
            if problems.is_empty() {
                Ok(format!(
                    "{} {} [{}]",
                    op.method,
                    op.path,
                    spec_statuses.join(", ")
                ))
            } else {
                Err(problems.join("; "))
            },
        );
        report.check(
            id.clone(),
            "dispatcher",
            match api.operation(&id) {
                Some(_) => Ok("raw, flat method and fluent path".into()),
                None => Err(format!(
                    "the generated dispatcher has no entry for `{id}` (regenerate the client)"
                )),
            },
        );
    }
    for route in client {
        if oracle.operation(route.operation_id).is_none() {
            report.push(
                route.operation_id,
                "spec has the route",
                Outcome::Fail,
                format!(
                    "the generated client has {} {} but the spec has no such operation",
                    route.method, route.template
                ),
            );
        }
    }
}
