//! Fault scenarios: the mock answers badly on purpose; the client must
//! turn each answer into the right typed error, and the oracle must flag
//! the answers that break the spec.

use std::time::Duration;

use graph_runtime::dispatch::{Api, DispatchArgs, Operation};

use super::drive::CallOutcome;
use super::report::Report;
use crate::exchange::Exchange;
use crate::mock::{Fault, MockServer, Target, Times};
use crate::oracle::{Check, Oracle, Outcome, SpecOperation};

/// How long the client waits in the `slow` scenario; the mock waits longer.
pub const SLOW_CLIENT_TIMEOUT: Duration = Duration::from_millis(100);

/// The longest a scenario waits for the mock to record its exchange (it
/// takes milliseconds; the `slow` scenario's delay, 300 ms by default).
const SETTLE_LIMIT: Duration = Duration::from_secs(30);

/// What one scenario produced.
#[derive(Debug, Clone)]
pub struct ScenarioRun {
    /// The client's result.
    pub outcome: CallOutcome,
    /// Every exchange the call caused (more than one if the client
    /// retried).
    pub exchanges: Vec<Exchange>,
}

/// The client a scenario uses: `timeout` bounds each request, and retries
/// are off so that each scenario is one exchange and the typed result is
/// the fault's own.
pub fn scenario_client(base_url: &str, timeout: Duration) -> graph_runtime::Client {
    graph_runtime::Client::builder()
        .base_url(base_url)
        .token(graph_runtime::SecretToken::from(super::MOCK_TOKEN))
        .user_agent(autopilot_client::user_agent())
        .timeout(timeout)
        .retry(graph_runtime::RetryPolicy::none())
        .build()
        .expect("the mock's loopback URL is a valid service root")
}

/// Switches `fault` on for `operation` of `api`, calls it once through the
/// flat method with `args`, switches the fault off.
pub async fn run_scenario(
    mock: &MockServer,
    api: &Api,
    operation: &Operation,
    args: &DispatchArgs,
    fault: Fault,
) -> ScenarioRun {
    let timeout = match fault {
        Fault::Slow(_) => SLOW_CLIENT_TIMEOUT,
        _ => Duration::from_secs(10),
    };
    let client = scenario_client(&mock.base_url_of(api), timeout);
    let operation_id = operation.route.operation_id;
    mock.faults()
        .set(Target::Route(operation_id.into()), fault, Times::Always);
    let before = mock.recorder().total();
    let result = (operation.flat)(&client, args).await;
    mock.faults().clear();
    // The client can have its result before the mock records the exchange:
    // `slow` leaves the mock still waiting on the abandoned request, `drop`
    // and `204-with-body` write to the socket before recording. Wait for the
    // record itself. Bounded, in case the mock lost the request: the
    // scenario's oracle row then fails with "the mock recorded no exchange".
    let _ = tokio::time::timeout(SETTLE_LIMIT, mock.recorder().settled()).await;
    ScenarioRun {
        outcome: CallOutcome::of_json(&result),
        exchanges: mock.recorder().since(before),
    }
}

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
pub async fn run_for(
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
        let run = run_scenario(mock, api, operation, args, fault).await;
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
