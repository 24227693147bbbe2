//! Fault scenarios: the mock answers badly on purpose; the client must
//! turn each answer into the right typed error, and the oracle must flag
//! the answers that break the spec.
//!
//! The fault travels with the request, in the mock's `x-mock-scenario`
//! header, which the scenario's HTTP client adds below the generated
//! client (so the client's own headers are what they always are): a fault
//! switched on for a route would also hit any other call of that route in
//! flight, and the job runs several operations at once.

use std::sync::Arc;
use std::time::Duration;

use openapi_runtime::dispatch::{Api, DispatchArgs, Operation};

use super::drive::CallOutcome;
use super::report::Report;
use super::tap::{self, Tap};
use crate::exchange::Exchange;
use crate::mock::{Fault, MockServer, SCENARIO_HEADER};
use crate::oracle::{Check, Oracle, Outcome, SpecOperation};

/// How long the client waits in the `slow` scenario; the mock waits longer.
pub const SLOW_CLIENT_TIMEOUT: Duration = Duration::from_millis(100);

/// What one scenario produced.
#[derive(Debug, Clone)]
pub struct ScenarioRun {
    /// The client's result.
    pub outcome: CallOutcome,
    /// Every exchange the call caused (more than one if the client
    /// retried).
    pub exchanges: Vec<Exchange>,
}

/// The HTTP clients of the scenarios, one per fault of [`Fault::ALL`]
/// (each sends its fault's `x-mock-scenario` header), made once per run
/// and shared by every scenario call: building a TLS-capable client reads
/// the system's roots, which is most of a loopback call's cost.
#[derive(Debug, Clone)]
pub struct ScenarioClients {
    http: Vec<(Fault, reqwest::Client)>,
}

impl ScenarioClients {
    /// One client per fault of [`Fault::ALL`].
    pub fn new() -> ScenarioClients {
        ScenarioClients::for_faults(&Fault::ALL)
    }

    /// One client per fault given.
    pub fn for_faults(faults: &[Fault]) -> ScenarioClients {
        ScenarioClients {
            http: faults.iter().map(|&f| (f, http_client(Some(f)))).collect(),
        }
    }

    /// The runtime client a scenario of `fault` uses, observed by `tap`:
    /// `timeout` bounds each request, and retries are off so that each
    /// scenario is one exchange and the typed result is the fault's own.
    pub fn client(&self, base_url: &str, fault: Fault, tap: Arc<Tap>) -> openapi_runtime::Client {
        let http = self
            .http
            .iter()
            .find(|(f, _)| *f == fault)
            .map(|(_, http)| http.clone())
            .unwrap_or_else(|| http_client(Some(fault)));
        let timeout = match fault {
            Fault::Slow(_) => SLOW_CLIENT_TIMEOUT,
            _ => Duration::from_secs(10),
        };
        openapi_runtime::Client::builder()
            .base_url(base_url)
            .token(openapi_runtime::SecretToken::from(super::MOCK_TOKEN))
            .user_agent(autopilot_client::user_agent())
            .timeout(timeout)
            .retry(openapi_runtime::RetryPolicy::none())
            .http_client(http)
            .observer(tap)
            .build()
            .expect("the mock's loopback URL is a valid service root")
    }
}

impl Default for ScenarioClients {
    fn default() -> Self {
        ScenarioClients::new()
    }
}

/// The HTTP client under the job's runtime clients: no redirects (as the
/// runtime's own), and with `fault`, its `x-mock-scenario` header on every
/// request and a new connection each time, since `drop` and
/// `204-with-body` leave theirs unusable.
pub fn http_client(fault: Option<Fault>) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10));
    if let Some(fault) = fault {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            SCENARIO_HEADER,
            reqwest::header::HeaderValue::from_str(&fault.to_string())
                .expect("a scenario's text form is a valid header value"),
        );
        builder = builder.default_headers(headers).pool_max_idle_per_host(0);
    }
    builder
        .build()
        .expect("a client without custom TLS settings builds")
}

/// Calls `operation` of `api` once through the flat method with `args`,
/// with `fault` asked of the mock for that request.
pub async fn run_scenario(
    mock: &MockServer,
    api: &Api,
    operation: &Operation,
    args: &DispatchArgs,
    fault: Fault,
) -> ScenarioRun {
    let clients = ScenarioClients::for_faults(&[fault]);
    run_scenario_with(&clients, mock, api, operation, args, fault).await
}

/// [`run_scenario`] with the run's shared clients. The exchange is the one
/// that carries the call's `client-request-id`, so other calls in flight
/// do not disturb it; the call can return before the mock records it
/// (`slow` leaves the mock still waiting on the abandoned request, `drop`
/// and `204-with-body` write to the socket before recording), which
/// [`tap::trace`] waits for, bounded: if the mock lost the request, the
/// scenario's oracle row fails with "the mock recorded no exchange".
///
/// `slow` alone is sent again, up to [`SLOW_ATTEMPTS`] times in all, when
/// the mock has no record of it: its client gives up after
/// [`SLOW_CLIENT_TIMEOUT`], and on a loaded machine that can come before
/// the mock has even read the request, so the scenario never happened.
/// A mock that loses every attempt still fails the row.
pub async fn run_scenario_with(
    clients: &ScenarioClients,
    mock: &MockServer,
    api: &Api,
    operation: &Operation,
    args: &DispatchArgs,
    fault: Fault,
) -> ScenarioRun {
    let attempts = match fault {
        Fault::Slow(_) => SLOW_ATTEMPTS,
        _ => 1,
    };
    let mut attempt = 0;
    loop {
        attempt += 1;
        let tap = Arc::new(Tap::default());
        let client = clients.client(&mock.base_url_of(api), fault, tap.clone());
        let (result, traced) =
            tap::trace(mock.recorder(), &tap, (operation.flat)(&client, args)).await;
        if traced.exchanges.is_empty() && attempt < attempts {
            continue;
        }
        return ScenarioRun {
            outcome: CallOutcome::of_json(&result),
            exchanges: traced.exchanges,
        };
    }
}

/// How many times the `slow` scenario is sent when the mock never saw it.
pub const SLOW_ATTEMPTS: usize = 3;

/// What each scenario must give.
struct Expect {
    variants: &'static [&'static str],
    status: Option<u16>,
    code: Option<&'static str>,
    /// The oracle check that must fail on the answer, or `None` when the
    /// answer is documented.
    oracle_fails: Option<Check>,
}

/// What `fault` must give for `op`, or why it does not apply: an answer
/// the operation documents is no fault (a `200` for an operation that
/// answers `200`).
fn expect_for(op: &SpecOperation, fault: Fault) -> Result<Expect, String> {
    let mut want = expect(fault);
    let documented = |status: u16| {
        op.response_for(status)
            .is_some_and(|r| r.status != "default" || status >= 400)
    };
    match fault {
        Fault::UndocumentedOk if documented(200) => {
            return Err("the operation documents 200".into());
        }
        Fault::NoContentWithBody if !documented(204) => {
            // Undocumented whatever its body: the status is what is wrong.
            want.oracle_fails = Some(Check::ResponseStatus);
        }
        _ => {}
    }
    if let Some(status) = want.status
        && want.oracle_fails.is_none()
        && !documented(status)
    {
        want.oracle_fails = Some(Check::ResponseStatus);
    }
    Ok(want)
}

fn expect(fault: Fault) -> Expect {
    let graph = |status, code, variants| Expect {
        variants,
        status: Some(status),
        code: Some(code),
        oracle_fails: None,
    };
    match fault {
        Fault::Throttled(_) => graph(429, "TooManyRequests", &["Graph", "Throttled"]),
        Fault::Unavailable(_) => graph(503, "ServiceUnavailable", &["Graph", "Throttled"]),
        Fault::ServerError => graph(500, "InternalServerError", &["Graph"]),
        Fault::Forbidden => graph(403, "Authorization_RequestDenied", &["Graph", "Forbidden"]),
        Fault::NotFound => graph(404, "ResourceNotFound", &["Graph", "NotFound"]),
        Fault::UndocumentedOk => Expect {
            variants: &["UndocumentedResponse"],
            status: Some(200),
            code: None,
            oracle_fails: Some(Check::ResponseStatus),
        },
        Fault::NoContentWithBody => Expect {
            variants: &["UndocumentedResponse"],
            status: Some(204),
            code: None,
            oracle_fails: Some(Check::ResponseBody),
        },
        Fault::Slow(_) => Expect {
            variants: &["Transport"],
            status: None,
            code: None,
            oracle_fails: None,
        },
        Fault::Drop => Expect {
            variants: &["Transport"],
            status: None,
            code: None,
            oracle_fails: Some(Check::ResponseStatus),
        },
    }
}

/// Runs every scenario of [`Fault::ALL`] against `op`, through its flat
/// method with `args` (the positive call's; `None` when it had none, and
/// the rows say so).
#[allow(clippy::too_many_arguments)]
pub async fn run_for(
    clients: &ScenarioClients,
    oracle: &Oracle,
    mock: &MockServer,
    api: &Api,
    op: &SpecOperation,
    operation: &Operation,
    args: Option<&DispatchArgs>,
    report: &mut Report,
) {
    let id = op.operation_id.as_str();
    let Some(args) = args else {
        report.push(
            id,
            "scenarios",
            Outcome::Fail,
            "not run: they use the arguments of the flat call, which failed",
        );
        return;
    };
    for fault in Fault::ALL {
        let name = format!("scenario {fault}");
        let want = match expect_for(op, fault) {
            Ok(want) => want,
            Err(why) => {
                report.push(id, name, Outcome::Skip, why);
                continue;
            }
        };
        let run = run_scenario_with(clients, mock, api, operation, args, fault).await;
        let rows = [
            (format!("{name}: client result"), client_result(&run, &want)),
            (
                format!("{name}: oracle"),
                oracle_result(oracle, &run, &want),
            ),
        ];
        for (check, result) in rows {
            match run.exchanges.last() {
                Some(exchange) => report.check_about(id, check, result, exchange),
                None => report.check(id, check, result),
            }
        }
    }
}

fn client_result(run: &ScenarioRun, want: &Expect) -> Result<String, String> {
    let got = &run.outcome;
    let mut problems = Vec::new();
    if !want.variants.contains(&got.variant()) {
        problems.push(format!("expected Err({})", want.variants.join(" or ")));
    }
    if got.status != want.status {
        problems.push(format!("expected status {:?}", want.status));
    }
    if got.graph_code.as_deref() != want.code {
        problems.push(format!("expected Graph code {:?}", want.code));
    }
    // The request id the client reports is the one the mock sent.
    let sent_id = run
        .exchanges
        .last()
        .and_then(|e| e.response.as_ref())
        .and_then(|r| r.headers.get("request-id"));
    if want.status.is_some() && got.request_id.as_deref() != sent_id {
        problems.push(format!(
            "request id {:?} is not the mock's {sent_id:?}",
            got.request_id
        ));
    }
    if problems.is_empty() {
        Ok(got.summary())
    } else {
        Err(format!("{}: got {}", problems.join("; "), got.summary()))
    }
}

fn oracle_result(oracle: &Oracle, run: &ScenarioRun, want: &Expect) -> Result<String, String> {
    let Some(exchange) = run.exchanges.last() else {
        return Err("the mock recorded no exchange".into());
    };
    let verdict = oracle.judge(exchange);
    let request_ok = verdict.failures().all(|f| {
        matches!(
            f.check,
            Check::ResponseStatus | Check::ResponseHeaders | Check::ResponseBody
        )
    });
    if !request_ok {
        let failed: Vec<String> = verdict.failures().map(|f| f.detail.clone()).collect();
        return Err(format!(
            "the client's request broke the spec: {}",
            failed.join("; ")
        ));
    }
    match want.oracle_fails {
        None => match verdict.failures().next() {
            None => Ok(verdict
                .finding(Check::ResponseStatus)
                .map(|f| f.detail.clone())
                .unwrap_or_default()),
            Some(f) => Err(format!(
                "the oracle rejects a documented answer: {}: {}",
                f.check, f.detail
            )),
        },
        Some(check) => match verdict.finding(check) {
            Some(f) if f.outcome == Outcome::Fail => {
                Ok(format!("flagged as expected: {}", f.detail))
            }
            other => Err(format!(
                "the oracle should flag {check}, but says {:?}",
                other.map(|f| (&f.outcome, &f.detail))
            )),
        },
    }
}
