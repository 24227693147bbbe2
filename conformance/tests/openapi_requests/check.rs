//! Checks on every answer, against the spec.
//!
//! Whatever the request:
//! * never a `5xx` (no fault was asked for);
//! * exactly one non-empty `request-id` header;
//! * a `client-request-id` sent once is echoed.
//!
//! A valid request gets `204` with no body, no `Content-Type` and no
//! `Content-Length` above 0. Any other answer is an error answer: its
//! status is the one [`Expect`] allows and, for answers on an operation's
//! route, one the operation documents by exact code; its `Content-Type` is
//! JSON and its body validates, through the oracle's JSON Schema
//! translation, against the schema the spec documents for that status
//! (answers that belong to no operation: the spec's one error schema);
//! `innerError.request-id` repeats the header.
//!
//! A body over the mock's limit gets `413` with the error schema's body;
//! the spec sets no limit and documents `413` only through `default`.
//!
//! Statuses for requests that are no operation's: `404` for a path no
//! template matches (the spec's operations document `404` as "does not
//! exist"), `405` for a template's path with another method, with `Allow`
//! naming exactly the methods the spec defines for that template
//! (RFC 9110 §15.5.6 requires it). A `HEAD` answer has no body by HTTP's
//! rules, so only its status and headers are checked.
//!
//! Then the oracle judges the exchange the mock recorded: it must find the
//! request valid exactly when the expectation is `Valid`, invalid for every
//! refusal, and the answer documented.

use conformance::exchange::{Exchange, MAX_RECORDED_BODY};
use conformance::oracle::Check;
use serde_json::Value;

use super::base::essence;
use super::request::{Built, Expect};
use super::spec::Api;
use super::wire::WireResponse;

/// Checks `response` to `built`; `Err` lists every problem.
pub fn answer(api: &Api, built: &Built, response: &WireResponse) -> Result<(), String> {
    let mut problems = Vec::new();
    let status = response.status;
    let head = built.request.method == "HEAD";
    if status >= 500 {
        problems.push(format!("a {status} although no fault was asked for"));
    }
    let ids = response.header_all("request-id");
    match ids.as_slice() {
        [one] if !one.trim().is_empty() => {}
        other => problems.push(format!("`request-id` must come once, came {other:?}")),
    }
    if let Some(sent) = &built.echo
        && response.header("client-request-id") != Some(sent.as_str())
    {
        problems.push(format!(
            "`client-request-id` {sent:?} not echoed (got {:?})",
            response.header("client-request-id")
        ));
    }
    let target = &api.targets[built.target];
    let operation = api.operation(target);
    // Which error answers are right, and whose schema their body follows.
    let (allowed, on_operation): (Vec<u16>, bool) = match &built.expect {
        Expect::Valid => (Vec::new(), true),
        Expect::Reject { statuses, .. } | Expect::Either { statuses, .. } => {
            (statuses.iter().copied().collect(), true)
        }
        Expect::UnknownRoute(_) => (vec![404], false),
        Expect::WrongMethod { or_not_found, .. } => (
            if *or_not_found {
                vec![405, 404]
            } else {
                vec![405]
            },
            false,
        ),
        Expect::Rerouted(_) => ((400..500).collect(), false),
        Expect::TooLarge(_) => {
            if operation.response_for(413).is_none() {
                problems.push(format!(
                    "{} documents no 413, not even through `default`",
                    target.operation_id
                ));
            }
            (vec![413], false)
        }
    };
    let success_allowed = matches!(
        built.expect,
        Expect::Valid | Expect::Either { .. } | Expect::Rerouted(_)
    );
    if status == 204 {
        if !success_allowed {
            problems.push(format!("204, but {:?}", built.expect));
        }
        if let Some(ct) = response.header("content-type") {
            problems.push(format!("a 204 with `Content-Type: {ct}`"));
        }
        if let Some(length) = response.header("content-length")
            && length != "0"
        {
            problems.push(format!("a 204 with `Content-Length: {length}`"));
        }
    } else if status < 500 {
        if !allowed.contains(&status) {
            problems.push(format!(
                "{status}, but the spec's answer is {}",
                describe(&built.expect)
            ));
        }
        // 406 is HTTP's answer to an `Accept` no answer fits; Graph's
        // specs document it, like most errors, through `default`.
        let documented = target.documented.contains(&status)
            || (status == 406 && operation.response_for(406).is_some());
        if on_operation && !documented {
            problems.push(format!(
                "{status} is not documented for {} (documented: {:?})",
                target.operation_id, target.documented
            ));
        }
        if let Expect::WrongMethod { allow, .. } = &built.expect
            && status == 405
        {
            let mut got: Vec<String> = response
                .header_all("allow")
                .iter()
                .flat_map(|v| v.split(','))
                .map(|m| m.trim().to_string())
                .filter(|m| !m.is_empty())
                .collect();
            got.sort();
            let mut want = allow.clone();
            want.sort();
            if got != want {
                problems.push(format!(
                    "405 with `Allow` {got:?}, the spec defines {want:?}"
                ));
            }
        }
        let schema = if on_operation {
            operation
                .response_for(status)
                .and_then(|r| {
                    r.content
                        .iter()
                        .find(|m| essence(&m.media_type) == "application/json")
                })
                .and_then(|m| m.schema.clone())
        } else {
            Some(api.error_schema.clone())
        };
        match response.header("content-type").map(essence) {
            Some(ct) if ct == "application/json" => {}
            other => problems.push(format!("an error answer with `Content-Type` {other:?}")),
        }
        if !head {
            match serde_json::from_slice::<Value>(&response.body) {
                Err(e) => problems.push(format!("the error body is not JSON: {e}")),
                Ok(body) => {
                    match &schema {
                        Some(schema) => {
                            for e in api.oracle.validate(schema, &body) {
                                problems.push(format!("the error body breaks the spec: {e}"));
                            }
                        }
                        None => {
                            problems.push(format!("the spec gives no JSON schema for {status}"))
                        }
                    }
                    let inner = body
                        .pointer("/error/innerError/request-id")
                        .and_then(Value::as_str);
                    if inner != ids.first().copied() {
                        problems.push(format!(
                            "`innerError.request-id` {inner:?} is not the header's {:?}",
                            ids.first()
                        ));
                    }
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n  "))
    }
}

fn describe(expect: &Expect) -> String {
    match expect {
        Expect::Valid => "204".into(),
        Expect::Reject { statuses, why } => format!("one of {statuses:?} ({})", why.join("; ")),
        Expect::Either { statuses, why } => {
            format!("204 or one of {statuses:?} ({})", why.join("; "))
        }
        Expect::UnknownRoute(why) => format!("404 ({why})"),
        Expect::WrongMethod { allow, .. } => format!("405 (the path takes {})", allow.join(", ")),
        Expect::Rerouted(op) => format!("whatever {op} answers"),
        Expect::TooLarge(n) => format!("413 (a body of {n} bytes)"),
    }
}

/// The oracle on the recorded exchange: agrees with the expectation, and
/// finds the answer documented.
pub fn oracle(api: &Api, built: &Built, exchange: &Exchange) -> Result<(), String> {
    let verdict = api.oracle.judge(exchange);
    let mut problems = Vec::new();
    let request_checks = [
        Check::Route,
        Check::PathParameters,
        Check::Query,
        Check::Security,
        Check::Headers,
        Check::Body,
    ];
    let request_failures: Vec<String> = verdict
        .failures()
        .filter(|f| request_checks.contains(&f.check))
        .map(|f| format!("{}: {}", f.check, f.detail))
        .collect();
    for f in verdict
        .failures()
        .filter(|f| !request_checks.contains(&f.check))
    {
        problems.push(format!("oracle on the answer: {}: {}", f.check, f.detail));
    }
    // Bodies past the recorder's cut cannot be judged by the oracle.
    let judged_whole = built.request.body.len() <= MAX_RECORDED_BODY;
    match &built.expect {
        Expect::Valid if !request_failures.is_empty() => problems.push(format!(
            "the oracle finds the valid request invalid: {}",
            request_failures.join("; ")
        )),
        Expect::Reject { .. } | Expect::UnknownRoute(_) | Expect::WrongMethod { .. }
            if request_failures.is_empty() && judged_whole =>
        {
            problems.push(format!(
                "the oracle finds nothing wrong with a request the spec refuses ({})",
                describe(&built.expect)
            ))
        }
        _ => {}
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n  "))
    }
}
