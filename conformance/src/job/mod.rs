//! The main job (`cargo run -p conformance`): the generated client driven
//! through every operation and scenario, every exchange judged by the
//! oracle, one report row per check.

pub mod curl;
pub mod drive;
pub mod negative;
pub mod proxy;
pub mod report;
pub mod scenarios;

use std::path::{Path, PathBuf};

use autopilot_client::Client;
use autopilot_client::types::AssignRequest;
use serde_json::Value;

use crate::exchange::Exchange;
use crate::mock::{MockConfig, MockServer, Recorder};
use crate::oracle::{Oracle, Outcome, SpecOperation, matching};
pub use drive::{CallOutcome, DRIVERS, Driver};
pub use report::{Filter, Format, Report, Row};

/// The token the job's client sends to the embedded mock. Opaque on
/// purpose: it is never printed (the oracle only sees its shape).
pub const MOCK_TOKEN: &str = "conformance-mock-token.not-a-real-secret";

/// An id that must stay one path segment however it is written.
pub const AWKWARD_ID: &str = "../a b/c?d#e%2Fé";

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The spec the oracle judges against (default `spec/assign.yaml`).
    pub spec: PathBuf,
    /// Run the positive checks against this service root instead of the
    /// embedded mock.
    pub base_url: Option<String>,
    /// The bearer token for `base_url` (the embedded mock takes any).
    pub token: Option<String>,
}

/// The spec the client was generated from.
pub fn default_spec() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/assign.yaml")
}

impl Default for Options {
    fn default() -> Self {
        Options {
            spec: default_spec(),
            base_url: None,
            token: None,
        }
    }
}

/// Where the client's requests go, and where they are recorded.
enum Target {
    Mock(MockServer),
    Proxy(proxy::Proxy),
}

impl Target {
    fn base_url(&self) -> String {
        match self {
            Target::Mock(m) => m.base_url(),
            Target::Proxy(p) => p.base_url(),
        }
    }

    fn recorder(&self) -> &Recorder {
        match self {
            Target::Mock(m) => m.recorder(),
            Target::Proxy(p) => p.recorder(),
        }
    }
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
    let oracle = match Oracle::load(&options.spec) {
        Ok(oracle) => oracle,
        Err(e) => {
            report.push("spec", "load", Outcome::Fail, e);
            return report;
        }
    };
    report.push(
        "spec",
        "load",
        Outcome::Pass,
        format!(
            "{}: {} operation(s)",
            display_path(&options.spec),
            oracle.operations().len()
        ),
    );
    check_route_table(&oracle, &mut report);

    let target = match &options.base_url {
        None => match MockServer::start(MockConfig::default()).await {
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
    let client = match Client::connect(&target.base_url(), token) {
        Ok(c) => c,
        Err(e) => {
            report.push("client", "connect", Outcome::Fail, e.to_string());
            return report;
        }
    };

    for op in oracle.operations() {
        positive_checks(&oracle, op, &client, target.recorder(), &mut report).await;
    }

    match &target {
        Target::Mock(mock) => {
            negative::run(&oracle, mock, &mut report).await;
            scenarios::run(&oracle, mock, &mut report).await;
        }
        Target::Proxy(_) => report.push(
            "target",
            "negative checks and fault scenarios",
            Outcome::Skip,
            "they need the embedded mock; --base-url runs the positive checks only",
        ),
    }
    report.exchanges = target.recorder().exchanges();
    if let Target::Mock(mock) = target {
        mock.shutdown().await;
    }
    report
}

fn display_path(path: &Path) -> String {
    // `spec/assign.yaml` rather than an absolute path, when it is ours.
    let ours = default_spec();
    if path.canonicalize().ok() == ours.canonicalize().ok() {
        "spec/assign.yaml".into()
    } else {
        path.display().to_string()
    }
}

/// The client's route table (generated) against the spec's operations (read
/// by the oracle): same operations, methods, templates, documented
/// statuses; and a driver for each.
fn check_route_table(oracle: &Oracle, report: &mut Report) {
    let client = autopilot_client::routes::ALL;
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
            "driver",
            match drive::driver(&id) {
                Some(_) => Ok("flat method and fluent path".into()),
                None => Err(format!(
                    "conformance has no driver for `{id}`; add one to conformance/src/job/drive.rs"
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

/// The body every positive call sends: the spec's example when it has
/// one (the seed page's), else a small valid one.
fn example_body(op: &SpecOperation) -> Option<Value> {
    op.request_body
        .as_ref()?
        .content
        .iter()
        .find_map(|m| m.example.clone())
}

/// Calls an operation, and gives the result and the exchanges recorded
/// meanwhile.
async fn call(
    recorder: &Recorder,
    call: drive::Call<'_>,
) -> (Result<(), graph_runtime::Error>, Vec<Exchange>) {
    let before = recorder.total();
    let result = call.await;
    (result, recorder.since(before))
}

async fn positive_checks(
    oracle: &Oracle,
    op: &SpecOperation,
    client: &Client,
    recorder: &Recorder,
    report: &mut Report,
) {
    let id = op.operation_id.as_str();
    let Some(driver) = drive::driver(id) else {
        return;
    };
    // The spec's example, checked by the oracle and then sent.
    let example = example_body(op);
    let body: AssignRequest = match &example {
        Some(example) => {
            let schema = op
                .request_body
                .as_ref()
                .and_then(|b| b.content.iter().find_map(|m| m.schema.clone()));
            let problems = schema
                .map(|s| oracle.validate(&s, example))
                .unwrap_or_default();
            report.check(
                id,
                "spec example validates",
                if problems.is_empty() {
                    Ok(example.to_string())
                } else {
                    Err(problems.join("; "))
                },
            );
            match serde_json::from_value(example.clone()) {
                Ok(body) => body,
                Err(e) => {
                    report.push(
                        id,
                        "spec example fits the client's type",
                        Outcome::Fail,
                        format!("types::AssignRequest cannot hold {example}: {e}"),
                    );
                    return;
                }
            }
        }
        None => AssignRequest {
            device_ids: vec!["device-1".into()],
        },
    };

    // Flat method, plain id.
    let plain_id = "conformance-1";
    let (result, flat) = call(recorder, (driver.flat)(client, plain_id, &body)).await;
    let Some(flat) = call_rows(id, "flat call", &result, flat, report) else {
        return;
    };
    judge_rows(oracle, id, "flat", &flat, report);
    if let Some(example) = &example {
        let sent = flat.request.body.json();
        report.check_about(
            id,
            "client sends the spec example",
            if sent.as_ref() == Some(example) {
                Ok("body is JSON-equal to the example".into())
            } else {
                Err(format!(
                    "sent {}, the example is {example}",
                    sent.map(|v| v.to_string())
                        .unwrap_or_else(|| "no JSON body".into())
                ))
            },
            &flat,
        );
    }

    // Fluent path, awkward id.
    let (result, fluent) = call(recorder, (driver.fluent)(client, AWKWARD_ID, &body)).await;
    let Some(fluent) = call_rows(id, "fluent call", &result, fluent, report) else {
        return;
    };
    judge_rows(oracle, id, "fluent", &fluent, report);
    report.check_about(
        id,
        "awkward id stays one segment",
        id_round_trip(oracle, &fluent),
        &fluent,
    );
    report.check_about(id, "fluent = flat", same_request(&flat, &fluent), &fluent);
}

/// The row for a call's result (about its exchange, when there was one)
/// and the one exchange it caused.
fn call_rows(
    id: &str,
    what: &str,
    result: &Result<(), graph_runtime::Error>,
    exchanges: Vec<Exchange>,
    report: &mut Report,
) -> Option<Exchange> {
    let outcome = CallOutcome::of(result);
    let row = if outcome.is_ok() {
        Ok("Ok(())".into())
    } else {
        Err(outcome.summary())
    };
    let check = format!("{what} returns Ok(())");
    match exchanges.last() {
        Some(last) => report.check_about(id, check, row, last),
        None => report.check(id, check, row),
    }
    single(id, what, exchanges, report)
}

/// Exactly one exchange per call (no retries, nothing else on the wire).
fn single(id: &str, what: &str, exchanges: Vec<Exchange>, report: &mut Report) -> Option<Exchange> {
    match <[Exchange; 1]>::try_from(exchanges) {
        Ok([one]) => Some(one),
        Err(all) => {
            report.push(
                id,
                format!("{what}: one exchange"),
                Outcome::Fail,
                format!("expected one request on the wire, saw {}", all.len()),
            );
            None
        }
    }
}

/// One report row per oracle finding.
fn judge_rows(oracle: &Oracle, id: &str, label: &str, exchange: &Exchange, report: &mut Report) {
    let verdict = oracle.judge(exchange);
    for finding in verdict.findings {
        report.push_about(
            id,
            format!("{label}: oracle {}", finding.check),
            finding.outcome,
            finding.detail,
            exchange,
        );
    }
}

fn id_round_trip(oracle: &Oracle, exchange: &Exchange) -> Result<String, String> {
    match matching::resolve(
        oracle.operations(),
        oracle.roots(),
        &exchange.request.method,
        &exchange.request.path,
    ) {
        matching::Resolution::Operation { matched, .. } => {
            let decoded: Vec<Option<String>> = matched
                .raw_params
                .iter()
                .map(|(_, raw)| matching::decode(raw))
                .collect();
            if decoded == [Some(AWKWARD_ID.to_string())] {
                Ok(format!(
                    "{AWKWARD_ID:?} sent as `{}`",
                    matched.raw_params[0].1
                ))
            } else {
                Err(format!(
                    "sent {:?}, which decodes to {decoded:?}, not {AWKWARD_ID:?}",
                    matched.raw_params
                ))
            }
        }
        _ => Err(format!(
            "`{}` does not resolve to an operation",
            exchange.request.path
        )),
    }
}

/// The fluent and flat calls differ only in the id (and per-request ids).
fn same_request(flat: &Exchange, fluent: &Exchange) -> Result<String, String> {
    let names = |e: &Exchange| {
        let mut n: Vec<String> = e.request.headers.0.iter().map(|(k, _)| k.clone()).collect();
        n.sort();
        n
    };
    let mut problems = Vec::new();
    if flat.request.method != fluent.request.method {
        problems.push("methods differ".to_string());
    }
    if flat.request.body != fluent.request.body {
        problems.push("bodies differ".to_string());
    }
    if names(flat) != names(fluent) {
        problems.push(format!(
            "header names differ: {:?} vs {:?}",
            names(flat),
            names(fluent)
        ));
    }
    for header in ["authorization", "accept", "content-type", "user-agent"] {
        if flat.request.headers.get(header) != fluent.request.headers.get(header) {
            problems.push(format!("`{header}` differs"));
        }
    }
    if problems.is_empty() {
        Ok("same method, headers and body".into())
    } else {
        Err(problems.join("; "))
    }
}
