//! What a run prints: a line per batch (successes on stdout with their
//! request ids, failures on stderr), or one JSON document for scripts.

use autopilot_client::runtime::Route;
use serde_json::{Value, json};

use crate::batch::{Outcome, Result};
use crate::verbose::clean;

/// The text report: `(stdout, stderr)`.
pub fn text(route: &Route, id: &str, outcomes: &[Outcome], has_token: bool) -> (String, String) {
    let (mut out, mut err) = (String::new(), String::new());
    let total = outcomes.len();
    for (index, outcome) in outcomes.iter().enumerate() {
        let label = if total > 1 {
            format!("batch {}/{total}: ", index + 1)
        } else {
            String::new()
        };
        let count = outcome.ids.len();
        match &outcome.result {
            Result::Assigned => out.push_str(&format!(
                "{label}assigned: {} {} ({count} device(s)){}\n",
                route.method,
                route.render_path(&[id]),
                ids(outcome)
            )),
            Result::DryRun(request) => out.push_str(&crate::dry_run::render(request, has_token)),
            Result::Failed(failure) => {
                err.push_str(&format!(
                    "autopilot: {label}{}\n",
                    clean(&describe(failure))
                ));
            }
            Result::Deadline => err.push_str(&format!(
                "autopilot: {label}not finished when the --deadline passed ({count} device(s)){}\n",
                ids(outcome)
            )),
            Result::Skipped(why) => err.push_str(&format!(
                "autopilot: {label}not sent ({count} device(s)): {why}\n"
            )),
        }
    }
    if total > 1
        && !outcomes
            .iter()
            .any(|o| matches!(o.result, Result::DryRun(_)))
    {
        let assigned: Vec<&Outcome> = outcomes
            .iter()
            .filter(|o| matches!(o.result, Result::Assigned))
            .collect();
        out.push_str(&format!(
            "assigned {} of {} device(s) in {} of {total} batch(es)\n",
            assigned.iter().map(|o| o.ids.len()).sum::<usize>(),
            outcomes.iter().map(|o| o.ids.len()).sum::<usize>(),
            assigned.len()
        ));
    }
    (out, err)
}

/// The error's message, followed by the causes it does not already quote
/// (for a transport error: the TLS or socket problem underneath, e.g. an
/// unknown certificate issuer behind a TLS-inspecting proxy).
pub fn describe(err: &autopilot_client::runtime::Error) -> String {
    let mut text = err.to_string();
    let mut cause = std::error::Error::source(err);
    while let Some(inner) = cause {
        let message = inner.to_string();
        if !text.contains(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        cause = inner.source();
    }
    text
}

/// ` request-id R client-request-id C`, for the ids that are known.
fn ids(outcome: &Outcome) -> String {
    let mut text = String::new();
    if let Some(id) = &outcome.seen.request_id {
        text.push_str(&format!(" request-id {id}"));
    }
    if let Some(id) = &outcome.seen.client_request_id {
        text.push_str(&format!(" client-request-id {id}"));
    }
    text
}

/// The JSON report: one document with every batch.
pub fn json(route: &Route, id: &str, outcomes: &[Outcome], exit_code: u8) -> Value {
    let batches: Vec<Value> = outcomes
        .iter()
        .enumerate()
        .map(|(index, outcome)| {
            let (name, error, status) = match &outcome.result {
                Result::Assigned => ("assigned", Value::Null, json!(204)),
                Result::DryRun(_) => ("dryRun", Value::Null, Value::Null),
                Result::Failed(err) => (
                    "failed",
                    json!({
                        "code": err.graph_code(),
                        "message": clean(&describe(err)),
                        "exitCode": crate::exit::code_for(err),
                    }),
                    json!(err.status()),
                ),
                Result::Deadline => ("deadline", Value::Null, Value::Null),
                Result::Skipped(why) => ("skipped", json!({ "message": why }), Value::Null),
            };
            // A failure's own ids are the authority; the observer's are
            // the fallback (e.g. a success, or a connection that failed).
            let (request_id, client_request_id) = match &outcome.result {
                Result::Failed(err) => (
                    err.request_id()
                        .map(clean)
                        .or(outcome.seen.request_id.clone()),
                    err.client_request_id()
                        .map(clean)
                        .or(outcome.seen.client_request_id.clone()),
                ),
                _ => (
                    outcome.seen.request_id.clone(),
                    outcome.seen.client_request_id.clone(),
                ),
            };
            json!({
                "batch": index + 1,
                "deviceIds": outcome.ids,
                "outcome": name,
                "status": status,
                "requestId": request_id,
                "clientRequestId": client_request_id,
                "attempts": outcome.seen.attempts,
                "error": error,
            })
        })
        .collect();
    json!({
        "operationId": route.operation_id,
        "method": route.method.to_string(),
        "path": route.render_path(&[id]),
        "devices": outcomes.iter().map(|o| o.ids.len()).sum::<usize>(),
        "assigned": outcomes
            .iter()
            .filter(|o| matches!(o.result, Result::Assigned))
            .map(|o| o.ids.len())
            .sum::<usize>(),
        "exitCode": exit_code,
        "batches": batches,
    })
}
