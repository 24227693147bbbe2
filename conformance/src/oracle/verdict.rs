//! What the oracle says about one exchange: a list of findings, one per
//! check, each passed, failed or skipped with a detail in words.

use std::fmt;

use serde::Serialize;

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The exchange does what the spec says.
    Pass,
    /// It does not; the detail says how.
    Fail,
    /// The check could not be made (e.g. no operation matched).
    Skip,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "FAIL",
            Outcome::Skip => "skip",
        })
    }
}

/// The oracle's checks, in the order they are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// The path is under a service root, matches a template, and the
    /// template defines the method.
    Route,
    /// Path parameter values decode and validate against their schemas.
    PathParameters,
    /// Query parameters: required ones present, all declared and valid.
    Query,
    /// A security requirement of the operation is met (e.g. a well-formed
    /// `Authorization: Bearer` header).
    Security,
    /// Declared header parameters, `Content-Type` and `Accept`.
    Headers,
    /// The body is present when required and validates against the
    /// operation's schema.
    Body,
    /// The response status is documented for the operation.
    ResponseStatus,
    /// Documented response headers are present when required and valid.
    ResponseHeaders,
    /// The response body is as documented (none for a `204`).
    ResponseBody,
}

impl Check {
    /// Every check, in the order they are made.
    pub const ALL: [Check; 9] = [
        Check::Route,
        Check::PathParameters,
        Check::Query,
        Check::Security,
        Check::Headers,
        Check::Body,
        Check::ResponseStatus,
        Check::ResponseHeaders,
        Check::ResponseBody,
    ];

    /// The check's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Check::Route => "route",
            Check::PathParameters => "path-parameters",
            Check::Query => "query",
            Check::Security => "security",
            Check::Headers => "headers",
            Check::Body => "body",
            Check::ResponseStatus => "response-status",
            Check::ResponseHeaders => "response-headers",
            Check::ResponseBody => "response-body",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Which check.
    pub check: Check,
    /// Its outcome.
    pub outcome: Outcome,
    /// What was found, in words; for a failure every problem, `; `-joined.
    pub detail: String,
}

/// Every finding for one exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The `operationId` the request resolved to, when it resolved.
    pub operation: Option<String>,
    /// The findings, in check order.
    pub findings: Vec<Finding>,
    /// Whether passing findings leave their detail empty (see
    /// [`Oracle::quiet`](super::Oracle::quiet)).
    #[serde(skip)]
    pub(crate) quiet: bool,
}

impl Verdict {
    /// Whether no check failed.
    pub fn passed(&self) -> bool {
        self.findings.iter().all(|f| f.outcome != Outcome::Fail)
    }

    /// The failed findings.
    pub fn failures(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.outcome == Outcome::Fail)
    }

    /// The finding of one check.
    pub fn finding(&self, check: Check) -> Option<&Finding> {
        self.findings.iter().find(|f| f.check == check)
    }

    /// Whether the detail of a passing finding is read, so worth building.
    pub(crate) fn wants_details(&self) -> bool {
        !self.quiet
    }

    /// Adds `check`'s finding: a failure listing `problems`, or a pass
    /// described by `ok_detail`, which is called only when the detail is
    /// wanted.
    pub(crate) fn push(
        &mut self,
        check: Check,
        problems: Vec<String>,
        ok_detail: impl FnOnce() -> String,
    ) {
        let (outcome, detail) = if problems.is_empty() {
            let detail = if self.quiet {
                String::new()
            } else {
                ok_detail()
            };
            (Outcome::Pass, detail)
        } else {
            (Outcome::Fail, problems.join("; "))
        };
        self.findings.push(Finding {
            check,
            outcome,
            detail,
        });
    }

    pub(crate) fn skip(&mut self, check: Check, why: &str) {
        self.findings.push(Finding {
            check,
            outcome: Outcome::Skip,
            detail: why.to_string(),
        });
    }
}
