//! Fault scenarios: the mock answers badly on purpose; the client must
//! turn each answer into the right typed error, and the oracle must flag
//! the answers that break the spec.

use std::time::Duration;

use autopilot_client::Client;
use autopilot_client::types::AssignRequest;

use super::drive::{CallOutcome, DRIVERS};
use super::report::Report;
use crate::exchange::Exchange;
use crate::mock::{Fault, MockServer, Target, Times};
use crate::oracle::{Check, Oracle, Outcome};

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
pub fn scenario_client(base_url: &str, timeout: Duration) -> Client {
    let runtime = graph_runtime::Client::builder()
        .base_url(base_url)
        .token(graph_runtime::SecretToken::from(super::MOCK_TOKEN))
        .timeout(timeout)
        .retry(graph_runtime::RetryPolicy::none())
        .build()
        .expect("the mock's loopback URL is a valid service root");
    Client::new(runtime)
}

/// Switches `fault` on for the first operation, calls it once through the
/// flat method, switches the fault off.
pub async fn run_scenario(mock: &MockServer, fault: Fault) -> ScenarioRun {
    let driver = &DRIVERS[0];
    let timeout = match fault {
        Fault::Slow(_) => SLOW_CLIENT_TIMEOUT,
        _ => Duration::from_secs(10),
    };
    let client = scenario_client(&mock.base_url(), timeout);
    let body = AssignRequest {
        device_ids: vec!["device-1".into()],
    };
    mock.faults().set(
        Target::Route(driver.operation_id.into()),
        fault,
        Times::Always,
    );
    let before = mock.recorder().total();
    let result = (driver.flat)(&client, "scenario-1", &body).await;
    mock.faults().clear();
    // The client can have its result before the mock records the exchange:
    // `slow` leaves the mock still waiting on the abandoned request, `drop`
    // and `204-with-body` write to the socket before recording. Wait for the
    // record itself. Bounded, in case the mock lost the request: the
    // scenario's oracle row then fails with "the mock recorded no exchange".
    let _ = tokio::time::timeout(SETTLE_LIMIT, mock.recorder().settled()).await;
    ScenarioRun {
        outcome: CallOutcome::of(&result),
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

/// Runs every scenario of [`Fault::ALL`].
pub async fn run(oracle: &Oracle, mock: &MockServer, report: &mut Report) {
    for fault in Fault::ALL {
        let run = run_scenario(mock, fault).await;
        let want = expect(fault);
        let name = fault.to_string();
        let rows = [
            (format!("{name}: client result"), client_result(&run, &want)),
            (
                format!("{name}: oracle"),
                oracle_result(oracle, &run, &want),
            ),
        ];
        for (check, result) in rows {
            match run.exchanges.last() {
                Some(exchange) => report.check_about("scenario", check, result, exchange),
                None => report.check("scenario", check, result),
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
