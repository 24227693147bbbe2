//! The job's report: one row per check, a summary, and three renderings
//! (a text table for people, JSON and JUnit XML for CI).

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use serde::{Serialize, Serializer};

use super::coverage::{self, OperationCoverage};
use super::curl;
use crate::exchange::Exchange;
use crate::oracle::Outcome;

/// Where the `curl` commands of a report send their requests unless the
/// job was pointed elsewhere: the default address of `conformance serve`.
pub const REPLAY_ORIGIN: &str = "http://127.0.0.1:8080";

/// One check of the job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The operation (operationId), or the area (`spec`, `mock`,
    /// `scenario`).
    pub operation: String,
    /// What was checked.
    pub check: String,
    /// Pass, fail or skip.
    pub verdict: Outcome,
    /// What was found; for a failure, why.
    pub detail: String,
    /// Time spent on this check (since the row before it), in seconds.
    #[serde(serialize_with = "seconds")]
    pub time: Duration,
    /// For a failed check about one exchange: that exchange, credentials
    /// redacted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchange: Option<Box<Exchange>>,
    /// For a failed check about one exchange: a `curl` command that sends
    /// the same request (the token read from `$GRAPH_TOKEN`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curl: Option<String>,
}

fn seconds<S: Serializer>(time: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(time.as_secs_f64())
}

/// `--filter OPERATION[/CHECK]`: the rows of one operation (or area, such
/// as `mock`), and of those, the checks whose name contains CHECK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// The operation, exactly.
    pub operation: String,
    /// Part of the check's name.
    pub check: Option<String>,
}

impl std::str::FromStr for Filter {
    type Err = String;

    fn from_str(text: &str) -> Result<Filter, String> {
        let (operation, check) = match text.split_once('/') {
            Some((operation, check)) => (operation, Some(check)),
            None => (text, None),
        };
        if operation.trim().is_empty() || check.is_some_and(|c| c.trim().is_empty()) {
            return Err(format!(
                "{text:?}: expected OPERATION or OPERATION/CHECK, e.g. \
                 windowsAutopilotDeploymentProfiles_assign/flat"
            ));
        }
        Ok(Filter {
            operation: operation.to_string(),
            check: check.map(str::to_string),
        })
    }
}

impl Filter {
    /// Whether a row is one the filter asks for.
    pub fn matches(&self, row: &Row) -> bool {
        row.operation == self.operation
            && self
                .check
                .as_ref()
                .is_none_or(|c| row.check.contains(c.as_str()))
    }
}

/// Counts of the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// All rows.
    pub total: usize,
    /// Passed.
    pub passed: usize,
    /// Failed.
    pub failed: usize,
    /// Skipped.
    pub skipped: usize,
}

/// Every row of one run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// The rows, in the order the checks ran.
    pub checks: Vec<Row>,
    /// Where the rows' `curl` commands send their requests (default
    /// [`REPLAY_ORIGIN`]).
    #[serde(skip)]
    pub origin: Option<String>,
    /// Every exchange of the run, in order (for `--exchanges`).
    #[serde(skip)]
    pub exchanges: Vec<Exchange>,
    /// What the exchanges exercised of each operation (see
    /// [`coverage`]); each operation also has a `coverage` row.
    pub coverage: Vec<OperationCoverage>,
    /// When the last row was added (or the clock started).
    #[serde(skip)]
    clock: Option<Instant>,
}

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An aligned table and a summary line.
    Text,
    /// `{"checks": [...], "summary": {...}}`.
    Json,
    /// JUnit XML: one test case per check, classname = operation.
    Junit,
}

impl Report {
    /// Starts timing: the next row's time counts from now.
    pub fn start_clock(&mut self) {
        self.clock = Some(Instant::now());
    }

    fn lap(&mut self) -> Duration {
        let now = Instant::now();
        let since = self.clock.map(|c| now - c).unwrap_or_default();
        self.clock = Some(now);
        since
    }

    /// Adds a row.
    pub fn push(
        &mut self,
        operation: impl Into<String>,
        check: impl Into<String>,
        verdict: Outcome,
        detail: impl Into<String>,
    ) {
        let time = self.lap();
        self.checks.push(Row {
            operation: operation.into(),
            check: check.into(),
            verdict,
            detail: detail.into(),
            time,
            exchange: None,
            curl: None,
        });
    }

    /// Adds a row about one exchange; a failed row carries the exchange
    /// and a `curl` command that sends its request again.
    pub fn push_about(
        &mut self,
        operation: impl Into<String>,
        check: impl Into<String>,
        verdict: Outcome,
        detail: impl Into<String>,
        exchange: &Exchange,
    ) {
        self.push(operation, check, verdict, detail);
        if verdict == Outcome::Fail
            && let Some(row) = self.checks.last_mut()
        {
            let origin = self.origin.as_deref().unwrap_or(REPLAY_ORIGIN);
            row.curl = Some(curl::command(origin, &exchange.request));
            row.exchange = Some(Box::new(exchange.clone()));
        }
    }

    /// Adds a pass or a fail about one exchange; see [`Report::push_about`].
    pub fn check_about(
        &mut self,
        operation: impl Into<String>,
        check: impl Into<String>,
        result: Result<String, String>,
        exchange: &Exchange,
    ) {
        match result {
            Ok(detail) => self.push_about(operation, check, Outcome::Pass, detail, exchange),
            Err(detail) => self.push_about(operation, check, Outcome::Fail, detail, exchange),
        }
    }

    /// Adds the rows of `other` (made by a task of its own, with its own
    /// clock) after these; the next row's time counts from now.
    pub fn append(&mut self, other: Report) {
        self.checks.extend(other.checks);
        self.clock = Some(Instant::now());
    }

    /// Keeps only the rows `filter` asks for.
    pub fn retain(&mut self, filter: &Filter) {
        self.checks.retain(|row| filter.matches(row));
        // The table goes with the operation's `coverage` row.
        self.coverage.retain(|c| {
            c.operation == filter.operation
                && filter
                    .check
                    .as_deref()
                    .is_none_or(|check| "coverage".contains(check))
        });
    }

    /// The exchanges as JSON lines (credentials redacted), each with the
    /// `curl` command that sends its request again.
    pub fn exchanges_jsonl(&self) -> String {
        let origin = self.origin.as_deref().unwrap_or(REPLAY_ORIGIN);
        let mut out = String::new();
        for exchange in &self.exchanges {
            let mut value = serde_json::to_value(exchange).unwrap_or_default();
            value["curl"] = serde_json::Value::String(curl::command(origin, &exchange.request));
            out.push_str(&value.to_string());
            out.push('\n');
        }
        out
    }

    /// Adds a pass or a fail.
    pub fn check(
        &mut self,
        operation: impl Into<String>,
        check: impl Into<String>,
        result: Result<String, String>,
    ) {
        match result {
            Ok(detail) => self.push(operation, check, Outcome::Pass, detail),
            Err(detail) => self.push(operation, check, Outcome::Fail, detail),
        }
    }

    /// The counts.
    pub fn summary(&self) -> Summary {
        let count = |o: Outcome| self.checks.iter().filter(|r| r.verdict == o).count();
        Summary {
            total: self.checks.len(),
            passed: count(Outcome::Pass),
            failed: count(Outcome::Fail),
            skipped: count(Outcome::Skip),
        }
    }

    /// Whether nothing failed (and something ran).
    pub fn passed(&self) -> bool {
        let summary = self.summary();
        summary.failed == 0 && summary.total > 0
    }

    /// The failed rows.
    pub fn failures(&self) -> impl Iterator<Item = &Row> {
        self.checks.iter().filter(|r| r.verdict == Outcome::Fail)
    }

    /// The summary line.
    pub fn summary_line(&self) -> String {
        let s = self.summary();
        format!(
            "{}: {} checks, {} passed, {} failed, {} skipped",
            if self.passed() { "PASS" } else { "FAIL" },
            s.total,
            s.passed,
            s.failed,
            s.skipped
        )
    }

    /// Renders in `format`.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Text => self.text(),
            Format::Json => {
                let value = serde_json::json!({
                    "checks": self.checks,
                    "coverage": self.coverage,
                    "summary": self.summary(),
                });
                let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
                text.push('\n');
                text
            }
            Format::Junit => self.junit(),
        }
    }

    fn text(&self) -> String {
        let width = |f: fn(&Row) -> &str, title: &str| {
            self.checks
                .iter()
                .map(|r| f(r).chars().count())
                .chain([title.len()])
                .max()
                .unwrap_or(0)
        };
        let op_w = width(|r| &r.operation, "OPERATION");
        let check_w = width(|r| &r.check, "CHECK");
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:op_w$}  {:check_w$}  {:7}  DETAIL",
            "OPERATION", "CHECK", "VERDICT"
        );
        for row in &self.checks {
            let _ = writeln!(
                out,
                "{:op_w$}  {:check_w$}  {:7}  {}",
                row.operation,
                row.check,
                row.verdict.to_string(),
                row.detail.replace('\n', " ")
            );
        }
        let failures: Vec<&Row> = self.failures().collect();
        if !failures.is_empty() {
            let _ = writeln!(out, "\nFailed checks:");
            for row in &failures {
                let _ = writeln!(out, "- {} / {}: {}", row.operation, row.check, row.detail);
                if let Some(exchange) = &row.exchange {
                    let _ = writeln!(out, "{}", indent(&curl::exchange_text(exchange), "    "));
                }
                if let Some(command) = &row.curl {
                    let _ = writeln!(out, "  reproduce:\n{}", indent(command, "    "));
                }
            }
            if failures.iter().any(|r| r.curl.is_some()) {
                let _ = writeln!(
                    out,
                    "\n(The curl commands send to {}{}; they read the token from $GRAPH_TOKEN.)",
                    self.origin.as_deref().unwrap_or(REPLAY_ORIGIN),
                    if self.origin.is_none() {
                        ", where `conformance serve` listens by default"
                    } else {
                        ""
                    }
                );
            }
        }
        if !self.coverage.is_empty() {
            let _ = writeln!(
                out,
                "\nCoverage (documented items the exchanges exercised):\n{}",
                coverage::table(&self.coverage)
            );
        }
        let _ = writeln!(out, "{}", self.summary_line());
        out
    }

    fn junit(&self) -> String {
        let s = self.summary();
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let total: Duration = self.checks.iter().map(|r| r.time).sum();
        let _ = writeln!(
            out,
            "<testsuites name=\"conformance\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
            s.total,
            s.failed,
            s.skipped,
            total.as_secs_f64()
        );
        let _ = writeln!(
            out,
            "  <testsuite name=\"conformance\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" errors=\"0\" time=\"{:.3}\">",
            s.total,
            s.failed,
            s.skipped,
            total.as_secs_f64()
        );
        for row in &self.checks {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
                xml(&row.operation),
                xml(&row.check),
                row.time.as_secs_f64()
            );
            match row.verdict {
                Outcome::Pass => {
                    let _ = writeln!(
                        out,
                        "><system-out>{}</system-out></testcase>",
                        xml(&row.detail)
                    );
                }
                Outcome::Fail => {
                    let mut text = row.detail.clone();
                    let mut system_out = String::new();
                    if let Some(command) = &row.curl {
                        text.push_str(&format!("\n\nReproduce:\n{command}"));
                    }
                    if let Some(exchange) = &row.exchange {
                        system_out = curl::exchange_text(exchange);
                        if let Some(command) = &row.curl {
                            system_out.push_str(&format!("\n\n{command}"));
                        }
                    }
                    let _ = write!(
                        out,
                        "><failure message=\"{}\">{}</failure>",
                        xml(&row.detail),
                        xml(&text)
                    );
                    if !system_out.is_empty() {
                        let _ = write!(out, "<system-out>{}</system-out>", xml(&system_out));
                    }
                    let _ = writeln!(out, "</testcase>");
                }
                Outcome::Skip => {
                    let _ = writeln!(
                        out,
                        "><skipped message=\"{}\"/></testcase>",
                        xml(&row.detail)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n</testsuites>\n");
        out
    }
}

fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|l| format!("{by}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Escapes text for XML content and attributes; drops characters XML 1.0
/// cannot carry.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        let mut report = Report::default();
        report.push("op", "body", Outcome::Pass, "valid");
        report.push("op", "status", Outcome::Fail, "got <200> & \"body\"");
        report.push("mock", "x", Outcome::Skip, "n/a");
        report
    }

    #[test]
    fn summary_and_text() {
        let report = sample();
        assert!(!report.passed());
        let text = report.render(Format::Text);
        assert!(
            text.contains("FAIL: 3 checks, 1 passed, 1 failed, 1 skipped"),
            "{text}"
        );
        assert!(text.contains("- op / status: got <200>"), "{text}");
    }

    #[test]
    fn junit_escapes_and_counts() {
        let xml = sample().render(Format::Junit);
        assert!(
            xml.contains("tests=\"3\" failures=\"1\" skipped=\"1\""),
            "{xml}"
        );
        assert!(
            xml.contains("got &lt;200&gt; &amp; &quot;body&quot;"),
            "{xml}"
        );
        assert!(!xml.contains("<200>"));
    }

    #[test]
    fn filters_name_an_operation_and_part_of_a_check() {
        let filter: Filter = "op/stat".parse().unwrap();
        let mut report = sample();
        report.retain(&filter);
        assert_eq!(report.checks.len(), 1);
        assert_eq!(report.checks[0].check, "status");
        let mut report = sample();
        report.retain(&"op".parse().unwrap());
        assert_eq!(report.checks.len(), 2);
        // The operation is matched whole.
        let mut report = sample();
        report.retain(&"o".parse().unwrap());
        assert!(report.checks.is_empty());
        for bad in ["", "/x", "op/", " / "] {
            assert!(bad.parse::<Filter>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn only_failed_rows_about_an_exchange_carry_it() {
        use crate::exchange::{Body, Headers, Request};
        let mut headers = Headers::default();
        headers.push("authorization", "Bearer t0ken-value".into());
        let exchange = Exchange {
            seq: 1,
            request: Request {
                method: "POST".into(),
                path: "/beta/x".into(),
                query: None,
                headers,
                body: Body::new(b"{}"),
            },
            response: None,
            scenario: None,
        };
        let mut report = Report::default();
        report.check_about("op", "ok", Ok("fine".into()), &exchange);
        report.check_about("op", "bad", Err("broken".into()), &exchange);
        assert!(report.checks[0].exchange.is_none() && report.checks[0].curl.is_none());
        assert!(report.checks[1].exchange.is_some());
        for format in [Format::Text, Format::Json, Format::Junit] {
            let shown = report.render(format);
            assert!(!shown.contains("t0ken-value"), "{shown}");
            assert!(shown.contains("$GRAPH_TOKEN"), "{shown}");
        }
    }

    #[test]
    fn json_has_rows_and_summary() {
        let value: serde_json::Value =
            serde_json::from_str(&sample().render(Format::Json)).unwrap();
        assert_eq!(value["summary"]["failed"], 1);
        assert_eq!(value["checks"][1]["verdict"], "fail");
    }
}
