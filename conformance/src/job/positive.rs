//! The positive checks of one operation, through the generated
//! dispatcher: its flat method with plain ids, the raw dispatcher with the
//! same arguments, and its fluent path with awkward ids; every exchange
//! judged by the oracle and tied to the operation it was meant for.

use openapi_runtime::dispatch::{self, DispatchArgs, Operation};
use openapi_runtime::{Error, Response};
use serde_json::Value;

use super::AWKWARD_ID;
use super::args::{self, Ids, arguments};
use super::drive::CallOutcome;
use super::report::Report;
use super::tap::{self, Tap, Traced};
use crate::exchange::Exchange;
use crate::mock::Recorder;
use crate::oracle::{Oracle, Outcome, SpecOperation, matching};

/// What the positive checks of one spec share.
pub struct Job<'a> {
    /// The spec's oracle.
    pub oracle: &'a Oracle,
    /// The runtime client, pointed at the spec's service root and
    /// observed by `tap`.
    pub client: &'a openapi_runtime::Client,
    /// Notes the `client-request-id` of each request `client` sends: the
    /// job's calls are one at a time per `Job`, but other jobs' calls are
    /// in flight, so that is how a call's exchanges are found.
    pub tap: &'a Tap,
    /// Where exchanges are recorded.
    pub recorder: &'a Recorder,
    /// Path parameter values given with `--id`.
    pub given_ids: &'a [args::GivenId],
}

impl Job<'_> {
    /// Runs the positive checks of `op`; gives the flat call's exchange and
    /// arguments (where the negative checks and scenarios start) when it
    /// went through.
    pub async fn positive(
        &self,
        op: &SpecOperation,
        operation: &Operation,
        report: &mut Report,
    ) -> Option<(Exchange, DispatchArgs)> {
        let id = op.operation_id.as_str();
        let oracle = self.oracle;
        let example = args::example(op);
        if let Some(example) = &example {
            let problems = args::json_body(op)
                .map(|(_, schema)| oracle.validate(&schema, example))
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
        }
        let plain = match arguments(oracle, op, Ids::Plain, self.given_ids) {
            Ok(args) => args,
            Err(e) => {
                report.push(id, "arguments from the spec", Outcome::Fail, e);
                return None;
            }
        };
        let returns = if operation.route.responses.iter().any(success_with_body) {
            "Ok(value)"
        } else {
            "Ok(())"
        };

        // Flat method, plain ids.
        let (result, flat) = self.record((operation.flat)(self.client, &plain)).await;
        let flat = call_rows(id, "flat call", returns, &result, flat, report)?;
        judge_rows(oracle, op, "flat", &flat, report);
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

        // The raw dispatcher, same arguments.
        let (raw, exchanges) = self
            .record(dispatch::call(self.client, operation.route, &plain))
            .await;
        self.raw_rows(op, operation, &raw, exchanges, &flat, report);

        // Fluent path, awkward ids where the schemas admit them.
        let awkward = match arguments(oracle, op, Ids::Awkward, self.given_ids) {
            Ok(args) => args,
            Err(e) => {
                report.push(id, "arguments from the spec", Outcome::Fail, e);
                return Some((flat, plain));
            }
        };
        let (result, fluent) = self.record((operation.fluent)(self.client, &awkward)).await;
        if let Some(fluent) = call_rows(id, "fluent call", returns, &result, fluent, report) {
            judge_rows(oracle, op, "fluent", &fluent, report);
            if op.path_params().next().is_some() {
                let row = id_round_trip(oracle, &awkward, &fluent);
                match row {
                    Some(row) => {
                        report.check_about(id, "awkward id stays one segment", row, &fluent)
                    }
                    None => report.push(
                        id,
                        "awkward id stays one segment",
                        Outcome::Skip,
                        if op
                            .path_params()
                            .all(|p| args::given(self.given_ids, id, &p.name).is_some())
                        {
                            "every path id was given with --id"
                        } else {
                            "no path parameter's schema admits the awkward id"
                        },
                    ),
                }
            }
            report.check_about(id, "fluent = flat", same_request(&flat, &fluent), &fluent);
        }
        Some((flat, plain))
    }

    /// Runs a call, and gives its result and its exchanges (found by the
    /// `client-request-id` it sent, whatever else is in flight).
    async fn record<T>(
        &self,
        call: impl Future<Output = Result<T, Error>>,
    ) -> (Result<T, Error>, Traced) {
        tap::trace(self.recorder, self.tap, call).await
    }

    /// The raw dispatcher's rows: it answers with the raw response of a
    /// documented success, and sends what the flat method sends.
    fn raw_rows(
        &self,
        op: &SpecOperation,
        operation: &Operation,
        raw: &Result<Response, Error>,
        exchanges: Traced,
        flat: &Exchange,
        report: &mut Report,
    ) {
        let id = op.operation_id.as_str();
        let Some(exchange) = single(id, "dispatch", exchanges, report) else {
            return;
        };
        let row = match raw {
            Ok(response) if operation.route.is_documented_success(response.status) => Ok(format!(
                "raw response {} ({} body bytes)",
                response.status,
                response.body.len()
            )),
            Ok(response) => Err(format!(
                "raw response {}, not a documented success: {}",
                response.status,
                String::from_utf8_lossy(&response.body)
            )),
            Err(e) => Err(format!("Err({}): {e}", super::drive::variant(e))),
        };
        report.check_about(id, "dispatch returns the raw response", row, &exchange);
        let mut same = same_request(flat, &exchange);
        if flat.request.path != exchange.request.path
            || flat.request.query != exchange.request.query
        {
            same = Err(format!(
                "dispatch sent `{}{}`, the flat method `{}{}`",
                exchange.request.path,
                query_text(&exchange),
                flat.request.path,
                query_text(flat)
            ));
        }
        report.check_about(id, "dispatch = flat", same, &exchange);
    }
}

/// Whether a documented response is a success with a body.
fn success_with_body(r: &openapi_runtime::ResponseSpec) -> bool {
    let success = match r.status {
        openapi_runtime::StatusSpec::Code(code) => (200..300).contains(&code),
        openapi_runtime::StatusSpec::Range(class) => class == 2,
        openapi_runtime::StatusSpec::Default => false,
    };
    success && r.content_type.is_some()
}

fn query_text(exchange: &Exchange) -> String {
    exchange
        .request
        .query
        .as_deref()
        .map(|q| format!("?{q}"))
        .unwrap_or_default()
}

/// The row for a call's result (about its exchange, when there was one)
/// and the one exchange it caused.
fn call_rows(
    id: &str,
    what: &str,
    returns: &str,
    result: &Result<Value, Error>,
    exchanges: Traced,
    report: &mut Report,
) -> Option<Exchange> {
    let outcome = CallOutcome::of_json(result);
    let row = if outcome.is_ok() {
        Ok(outcome.result.clone())
    } else {
        Err(outcome.summary())
    };
    let check = format!("{what} returns {returns}");
    match exchanges.exchanges.last() {
        Some(last) => report.check_about(id, check, row, last),
        None => report.check(id, check, row),
    }
    single(id, what, exchanges, report)
}

/// Exactly one exchange per call (no retries, nothing else on the wire).
fn single(id: &str, what: &str, traced: Traced, report: &mut Report) -> Option<Exchange> {
    let problem = traced.not_one();
    match <[Exchange; 1]>::try_from(traced.exchanges) {
        Ok([one]) if traced.untraceable == 0 => Some(one),
        _ => {
            report.push(id, format!("{what}: one exchange"), Outcome::Fail, problem);
            None
        }
    }
}

/// One report row per oracle finding, and one saying whether the request
/// reached the operation it was meant for.
pub fn judge_rows(
    oracle: &Oracle,
    op: &SpecOperation,
    label: &str,
    exchange: &Exchange,
    report: &mut Report,
) {
    let id = op.operation_id.as_str();
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
    report.check_about(
        id,
        format!("{label}: reached this operation"),
        routed(oracle, op, exchange),
        exchange,
    );
}

/// Whether `exchange` resolves to `op` itself, by operationId, method and
/// path template: a call that reaches a sibling operation is answered
/// (its path is in the spec) and judged valid, and only this says it went
/// to the wrong place.
pub fn routed(oracle: &Oracle, op: &SpecOperation, exchange: &Exchange) -> Result<String, String> {
    let request = &exchange.request;
    match matching::resolve(
        oracle.operations(),
        oracle.roots(),
        &request.method,
        &request.path,
    ) {
        matching::Resolution::Operation { operation, .. }
            if operation.operation_id == op.operation_id
                && operation.path == op.path
                && operation.method == op.method =>
        {
            Ok(format!("{} {}", op.method, op.path))
        }
        matching::Resolution::Operation { operation, .. } => Err(format!(
            "the call for `{}` ({} {}) reached `{}` ({} {})",
            op.operation_id,
            op.method,
            op.path,
            operation.operation_id,
            operation.method,
            operation.path
        )),
        _ => Err(format!(
            "the call for `{}` ({} {}) sent {} `{}`, which is no operation of the spec",
            op.operation_id, op.method, op.path, request.method, request.path
        )),
    }
}

/// Every path parameter that was given the awkward id arrived as that id,
/// in one segment; `None` when none was given it.
fn id_round_trip(
    oracle: &Oracle,
    args: &DispatchArgs,
    exchange: &Exchange,
) -> Option<Result<String, String>> {
    let awkward: Vec<&String> = args
        .path
        .iter()
        .filter(|(_, v)| v.as_str() == AWKWARD_ID)
        .map(|(k, _)| k)
        .collect();
    if awkward.is_empty() {
        return None;
    }
    let resolution = matching::resolve(
        oracle.operations(),
        oracle.roots(),
        &exchange.request.method,
        &exchange.request.path,
    );
    let matching::Resolution::Operation { matched, .. } = resolution else {
        return Some(Err(format!(
            "`{}` does not resolve to an operation",
            exchange.request.path
        )));
    };
    let mut sent = Vec::new();
    for name in awkward {
        let raw = matched
            .raw_params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, raw)| raw.as_str());
        match raw.map(|raw| (raw, matching::decode(raw))) {
            Some((raw, Some(decoded))) if decoded == AWKWARD_ID => sent.push(format!("`{raw}`")),
            other => {
                return Some(Err(format!(
                    "`{name}` was sent as {:?}, which does not decode to {AWKWARD_ID:?}",
                    other.map(|(raw, _)| raw)
                )));
            }
        }
    }
    Some(Ok(format!("{AWKWARD_ID:?} sent as {}", sent.join(", "))))
}

/// The fluent and flat calls differ only in the ids (and per-request ids).
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
