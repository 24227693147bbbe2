//! The job's report: one row per check, a summary, and three renderings
//! (a text table for people, JSON and JUnit XML for CI).

use std::fmt::Write as _;

use serde::Serialize;

use crate::oracle::Outcome;

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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The rows, in the order the checks ran.
    pub checks: Vec<Row>,
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
    /// Adds a row.
    pub fn push(
        &mut self,
        operation: impl Into<String>,
        check: impl Into<String>,
        verdict: Outcome,
        detail: impl Into<String>,
    ) {
        self.checks.push(Row {
            operation: operation.into(),
            check: check.into(),
            verdict,
            detail: detail.into(),
        });
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
                let value = serde_json::json!({"checks": self.checks, "summary": self.summary()});
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
            for row in failures {
                let _ = writeln!(out, "- {} / {}: {}", row.operation, row.check, row.detail);
            }
        }
        let _ = writeln!(out, "{}", self.summary_line());
        out
    }

    fn junit(&self) -> String {
        let s = self.summary();
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuites name=\"conformance\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">",
            s.total, s.failed, s.skipped
        );
        let _ = writeln!(
            out,
            "  <testsuite name=\"conformance\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" errors=\"0\">",
            s.total, s.failed, s.skipped
        );
        for row in &self.checks {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\"",
                xml(&row.operation),
                xml(&row.check)
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
                    let _ = writeln!(
                        out,
                        "><failure message=\"{}\">{}</failure></testcase>",
                        xml(&row.detail),
                        xml(&row.detail)
                    );
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
    fn json_has_rows_and_summary() {
        let value: serde_json::Value =
            serde_json::from_str(&sample().render(Format::Json)).unwrap();
        assert_eq!(value["summary"]["failed"], 1);
        assert_eq!(value["checks"][1]["verdict"], "fail");
    }
}
