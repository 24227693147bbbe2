//! Coverage: for each operation of each spec, which of its documented
//! response statuses, documented response headers and parameters the run's
//! exchanges exercised.
//!
//! Worked out afterwards from the recorded exchanges, not from what the job
//! meant to send: an exchange counts for the operation the oracle resolves
//! it to, so a call that reached the wrong route covers the route it
//! reached. A status counts for the documented entry OpenAPI would pick for
//! it (the exact code, then its `4XX` range, then `default`); a response
//! header counts when a response of that entry carried it; a parameter
//! counts when a request carried it (path parameters whenever the path
//! matched).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Serialize;

use crate::exchange::Exchange;
use crate::oracle::{Oracle, Outcome, SpecOperation, matching};

use super::report::Report;

/// The documented items of one kind and which of them were exercised.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Items {
    /// Exercised, in the spec's order.
    pub exercised: Vec<String>,
    /// Documented but not exercised, in the spec's order.
    pub missing: Vec<String>,
}

impl Items {
    fn of(documented: Vec<String>, seen: &BTreeSet<String>) -> Items {
        let (exercised, missing) = documented.into_iter().partition(|item| seen.contains(item));
        Items { exercised, missing }
    }

    fn documented(&self) -> usize {
        self.exercised.len() + self.missing.len()
    }

    fn fraction(&self) -> String {
        format!("{}/{}", self.exercised.len(), self.documented())
    }
}

/// One operation's coverage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperationCoverage {
    /// The operationId.
    pub operation: String,
    /// The spec file it is in.
    pub spec: String,
    /// Documented response statuses (`204`, `4XX`, `default`).
    pub statuses: Items,
    /// Documented response headers, as `STATUS NAME`.
    pub response_headers: Items,
    /// Parameters, as `LOCATION NAME`.
    pub parameters: Items,
    /// Exercised items over documented items, in percent (100 when the
    /// operation documents none).
    pub percent: f64,
}

impl OperationCoverage {
    fn new(
        operation: String,
        spec: String,
        statuses: Items,
        response_headers: Items,
        parameters: Items,
    ) -> OperationCoverage {
        let parts = [&statuses, &response_headers, &parameters];
        let documented: usize = parts.iter().map(|i| i.documented()).sum();
        let exercised: usize = parts.iter().map(|i| i.exercised.len()).sum();
        let percent = if documented == 0 {
            100.0
        } else {
            exercised as f64 * 100.0 / documented as f64
        };
        OperationCoverage {
            operation,
            spec,
            statuses,
            response_headers,
            parameters,
            percent,
        }
    }

    /// Everything documented and not exercised, in words.
    pub fn missing(&self) -> Vec<String> {
        let mut out = Vec::new();
        out.extend(self.statuses.missing.iter().map(|s| format!("status {s}")));
        out.extend(
            self.response_headers
                .missing
                .iter()
                .map(|h| format!("response header {h}")),
        );
        out.extend(
            self.parameters
                .missing
                .iter()
                .map(|p| format!("parameter {p}")),
        );
        out
    }

    /// The one-line summary the report row carries.
    pub fn detail(&self) -> String {
        let mut detail = format!(
            "{:.0}%: statuses {}, response headers {}, parameters {}",
            self.percent,
            self.statuses.fraction(),
            self.response_headers.fraction(),
            self.parameters.fraction()
        );
        let missing = self.missing();
        if !missing.is_empty() {
            let _ = write!(detail, "; not exercised: {}", missing.join(", "));
        }
        detail
    }
}

/// What the exchanges exercised of one operation.
#[derive(Default)]
struct Seen {
    statuses: BTreeSet<String>,
    headers: BTreeSet<String>,
    parameters: BTreeSet<String>,
}

/// The coverage of every operation of every spec by `exchanges`, in the
/// order of the specs and of their operations.
pub fn measure(specs: &[(&Oracle, &str)], exchanges: &[Exchange]) -> Vec<OperationCoverage> {
    let mut seen: Vec<Vec<Seen>> = specs
        .iter()
        .map(|(oracle, _)| {
            oracle
                .operations()
                .iter()
                .map(|_| Seen::default())
                .collect()
        })
        .collect();
    for exchange in exchanges {
        // The first spec whose oracle resolves the request owns it.
        let owner = specs.iter().enumerate().find_map(|(s, (oracle, _))| {
            // The resolution the oracle's judgement starts with, without
            // the checks that follow it (schemas and all): on a large
            // spec's run, judging every exchange again was seconds.
            let request = &exchange.request;
            let resolved = matching::resolve(
                oracle.operations(),
                oracle.roots(),
                &request.method,
                &request.path,
            );
            let matching::Resolution::Operation { operation, .. } = resolved else {
                return None;
            };
            let index = oracle
                .operations()
                .iter()
                .position(|op| op.operation_id == operation.operation_id)?;
            Some((s, index))
        });
        let Some((s, index)) = owner else { continue };
        let op = &specs[s].0.operations()[index];
        record(op, exchange, &mut seen[s][index]);
    }
    let mut out = Vec::new();
    for ((oracle, spec), seen) in specs.iter().zip(seen) {
        for (op, seen) in oracle.operations().iter().zip(seen) {
            out.push(OperationCoverage::new(
                op.operation_id.clone(),
                spec.to_string(),
                Items::of(
                    op.responses.iter().map(|r| r.status.clone()).collect(),
                    &seen.statuses,
                ),
                Items::of(
                    op.responses
                        .iter()
                        .flat_map(|r| r.headers.iter().map(|h| header_item(&r.status, &h.name)))
                        .collect(),
                    &seen.headers,
                ),
                Items::of(
                    op.parameters
                        .iter()
                        .map(|p| param_item(&p.location, &p.name))
                        .collect(),
                    &seen.parameters,
                ),
            ));
        }
    }
    out
}

fn header_item(status: &str, name: &str) -> String {
    format!("{status} {name}")
}

fn param_item(location: &str, name: &str) -> String {
    format!("{location} {name}")
}

fn record(op: &SpecOperation, exchange: &Exchange, seen: &mut Seen) {
    let request = &exchange.request;
    let query = query_names(request.query.as_deref().unwrap_or(""));
    let cookies = cookie_names(request.headers.get_all("cookie"));
    for param in &op.parameters {
        let carried = match param.location.as_str() {
            // The oracle resolved the path against the template, so every
            // path parameter had a value.
            "path" => true,
            "query" => query.contains(&param.name),
            "header" => request.headers.get(&param.name).is_some(),
            "cookie" => cookies.contains(&param.name),
            _ => false,
        };
        if carried {
            seen.parameters
                .insert(param_item(&param.location, &param.name));
        }
    }
    let Some(response) = &exchange.response else {
        return;
    };
    let Some(documented) = op.response_for(response.status) else {
        return;
    };
    seen.statuses.insert(documented.status.clone());
    for header in &documented.headers {
        if response.headers.get(&header.name).is_some() {
            seen.headers
                .insert(header_item(&documented.status, &header.name));
        }
    }
}

/// The parameter names of a query string, decoded; a `deepObject` key
/// (`filter[name]`) counts for its parameter (`filter`).
fn query_names(query: &str) -> BTreeSet<String> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let key = pair.split_once('=').map_or(pair, |(k, _)| k);
            let key = crate::oracle::matching::decode(&key.replace('+', " ")).unwrap_or_default();
            match key.split_once('[') {
                Some((name, _)) => name.to_string(),
                None => key,
            }
        })
        .collect()
}

fn cookie_names<'a>(headers: impl Iterator<Item = &'a str>) -> BTreeSet<String> {
    headers
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.split_once('=').map(|(k, _)| k.trim().to_string()))
        .collect()
}

/// One `coverage` row per operation: a pass with the figures, or a fail
/// when `min` (percent) is given and the operation is below it.
pub fn push_rows(report: &mut Report, coverage: &[OperationCoverage], min: Option<f64>) {
    for entry in coverage {
        let detail = entry.detail();
        match min {
            Some(min) if entry.percent + 1e-9 < min => report.push(
                entry.operation.as_str(),
                "coverage",
                Outcome::Fail,
                format!("below --min-coverage {min}%: {detail}"),
            ),
            _ => report.push(entry.operation.as_str(), "coverage", Outcome::Pass, detail),
        }
    }
}

/// The coverage table of the text report.
pub fn table(coverage: &[OperationCoverage]) -> String {
    let op_w = coverage
        .iter()
        .map(|c| c.operation.chars().count())
        .chain(["OPERATION".len()])
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:op_w$}  {:>8}  {:>16}  {:>10}  {:>5}",
        "OPERATION", "STATUSES", "RESPONSE HEADERS", "PARAMETERS", "TOTAL"
    );
    for c in coverage {
        let _ = writeln!(
            out,
            "{:op_w$}  {:>8}  {:>16}  {:>10}  {:>4.0}%",
            c.operation,
            c.statuses.fraction(),
            c.response_headers.fraction(),
            c.parameters.fraction(),
            c.percent
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_names_decode_and_fold_deep_objects() {
        let names = query_names("a=1&b%20c=2&filter[x]=3&flag&&d+e=4");
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(names, ["a", "b c", "d e", "filter", "flag"]);
    }

    #[test]
    fn cookie_names_come_from_every_cookie_header() {
        let names = cookie_names(["a=1; b=2", "c=3"].into_iter());
        assert_eq!(names.into_iter().collect::<Vec<_>>(), ["a", "b", "c"]);
    }

    #[test]
    fn an_operation_documenting_nothing_is_fully_covered() {
        let c = OperationCoverage::new(
            "op".into(),
            "s.yaml".into(),
            Items::default(),
            Items::default(),
            Items::default(),
        );
        assert_eq!(c.percent, 100.0);
        assert!(c.missing().is_empty());
    }

    #[test]
    fn percent_counts_every_kind_and_names_what_is_missing() {
        let seen: BTreeSet<String> = ["204".to_string(), "path id".to_string()].into();
        let c = OperationCoverage::new(
            "op".into(),
            "s.yaml".into(),
            Items::of(vec!["204".into(), "404".into()], &seen),
            Items::of(vec!["204 request-id".into()], &seen),
            Items::of(vec!["path id".into()], &seen),
        );
        assert_eq!(c.percent, 50.0);
        assert_eq!(
            c.missing(),
            ["status 404", "response header 204 request-id"]
        );
        let mut report = Report::default();
        push_rows(&mut report, std::slice::from_ref(&c), Some(60.0));
        assert_eq!(report.checks[0].verdict, Outcome::Fail);
        assert!(
            report.checks[0]
                .detail
                .starts_with("below --min-coverage 60%: 50%"),
            "{}",
            report.checks[0].detail
        );
        let mut report = Report::default();
        push_rows(&mut report, &[c], Some(50.0));
        assert_eq!(report.checks[0].verdict, Outcome::Pass);
    }
}
