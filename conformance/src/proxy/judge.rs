//! The proxy's judge: one task that takes each finished exchange, asks the
//! oracle, logs a line per exchange (and one per violation), and keeps the
//! counts for the summary printed on exit.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::{Notify, mpsc};

use crate::exchange::Exchange;
use crate::oracle::{Check, Oracle};

/// One exchange as the proxy saw it, ready to judge.
#[derive(Debug)]
pub struct Seen {
    /// The exchange (bodies cut at the judge limit).
    pub exchange: Exchange,
    /// Why the upstream gave no response, when it gave none.
    pub upstream_error: Option<String>,
    /// Notes on bodies that did not pass whole (cut off, too large).
    pub notes: Vec<String>,
}

/// The counts of a proxy run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Exchanges judged.
    pub exchanges: u64,
    /// Exchanges with at least one violation.
    pub with_violations: u64,
    /// Violations per check.
    pub violations: BTreeMap<String, u64>,
    /// Bodies larger than the judge limit (passed through, not validated).
    pub too_large_to_judge: u64,
    /// Requests the upstream did not answer (the client got `502`).
    pub upstream_failures: u64,
    /// The first violations, one line each (at most [`KEPT_LINES`]).
    pub first_violations: Vec<String>,
    /// Whether exchanges still open when the proxy stopped were left
    /// unjudged (they did not end within the grace period).
    pub unfinished: bool,
}

/// How many violation lines the summary repeats.
pub const KEPT_LINES: usize = 20;

impl Summary {
    /// Whether the traffic was judged and nothing broke the spec.
    pub fn passed(&self) -> bool {
        self.with_violations == 0 && self.upstream_failures == 0 && !self.unfinished
    }

    /// The summary in words, ending with a `PASS`/`FAIL` line.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if !self.first_violations.is_empty() {
            out.push_str("Violations:\n");
            for line in &self.first_violations {
                out.push_str(&format!("- {line}\n"));
            }
            let total: u64 = self.violations.values().sum();
            if total as usize > self.first_violations.len() {
                out.push_str(&format!(
                    "  ... and {} more (see the log above)\n",
                    total as usize - self.first_violations.len()
                ));
            }
        }
        if self.unfinished {
            out.push_str(
                "Exchanges still open when the proxy stopped were not judged \
                 (they did not end within the grace period).\n",
            );
        }
        let by_check: Vec<String> = self
            .violations
            .iter()
            .map(|(check, n)| format!("{check}: {n}"))
            .collect();
        out.push_str(&format!(
            "{}: {} exchange(s), {} with violations{}, {} body(ies) too large to judge, \
             {} upstream failure(s)\n",
            if self.passed() { "PASS" } else { "FAIL" },
            self.exchanges,
            self.with_violations,
            if by_check.is_empty() {
                String::new()
            } else {
                format!(" ({})", by_check.join(", "))
            },
            self.too_large_to_judge,
            self.upstream_failures,
        ));
        out
    }
}

/// Runs the judge until every sender is gone, keeping the counts in
/// `progress`.
pub async fn run(
    oracle: Arc<Oracle>,
    mut seen: mpsc::UnboundedReceiver<Seen>,
    mut log: Box<dyn Write + Send>,
    progress: Arc<Progress>,
) {
    while let Some(one) = seen.recv().await {
        let lines = {
            let mut summary = progress.summary.lock().unwrap_or_else(|e| e.into_inner());
            judge_one(&oracle, &one, &mut summary)
        };
        for line in lines {
            let _ = writeln!(log, "{line}");
        }
        let _ = log.flush();
        progress.advance();
    }
}

/// Counts judged exchanges and wakes whoever waits for a number of them.
#[derive(Debug, Default)]
pub struct Progress {
    judged: std::sync::atomic::AtomicU64,
    signal: Notify,
    summary: std::sync::Mutex<Summary>,
}

impl Progress {
    fn advance(&self) {
        self.judged
            .fetch_add(1, std::sync::atomic::Ordering::Release);
        self.signal.notify_waiters();
    }

    /// The counts so far.
    pub fn summary(&self) -> Summary {
        self.summary
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Exchanges judged so far.
    pub fn judged(&self) -> u64 {
        self.judged.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Returns once at least `n` exchanges are judged.
    pub async fn reached(&self, n: u64) {
        loop {
            let signal = self.signal.notified();
            let mut signal = std::pin::pin!(signal);
            signal.as_mut().enable();
            if self.judged() >= n {
                return;
            }
            signal.await;
        }
    }
}

fn judge_one(oracle: &Oracle, one: &Seen, summary: &mut Summary) -> Vec<String> {
    let exchange = &one.exchange;
    let request = &exchange.request;
    let target = match &request.query {
        Some(q) => format!(
            "{}?{}",
            request.path,
            crate::exchange::redact_query(q, "[redacted]")
        ),
        None => request.path.clone(),
    };
    summary.exchanges += 1;
    let head = format!("#{} {} {}", exchange.seq, request.method, target);
    let mut verdict = if one.upstream_error.is_some() {
        oracle.judge_request(request)
    } else {
        oracle.judge(exchange)
    };
    let status = match (&exchange.response, &one.upstream_error) {
        (Some(r), _) => r.status.to_string(),
        (None, Some(_)) => "502 (from the proxy)".to_string(),
        (None, None) => "no response".to_string(),
    };
    let mut lines = Vec::new();
    let failures: Vec<(Check, String)> = verdict
        .failures()
        .map(|f| (f.check, f.detail.clone()))
        .collect();
    let operation = verdict
        .operation
        .take()
        .unwrap_or_else(|| "no operation".into());
    if failures.is_empty() {
        lines.push(format!("{head} -> {status}: ok ({operation})"));
    } else {
        summary.with_violations += 1;
        lines.push(format!(
            "{head} -> {status}: {} violation(s) ({operation})",
            failures.len()
        ));
        for (check, detail) in &failures {
            *summary.violations.entry(check.to_string()).or_default() += 1;
            lines.push(format!("    {check}: {detail}"));
            if summary.first_violations.len() < KEPT_LINES {
                summary.first_violations.push(format!(
                    "#{} {} {}: {check}: {detail}",
                    exchange.seq, request.method, target
                ));
            }
        }
    }
    // Bodies the oracle could not read whole.
    let cut = |length: usize, kept: usize| length > kept;
    let mut too_large = Vec::new();
    if cut(request.body.length, request.body.bytes.len()) {
        too_large.push(format!("request body ({} bytes)", request.body.length));
    }
    if let Some(response) = &exchange.response
        && cut(response.body.length, response.body.bytes.len())
    {
        too_large.push(format!("response body ({} bytes)", response.body.length));
    }
    if !too_large.is_empty() {
        summary.too_large_to_judge += too_large.len() as u64;
        lines.push(format!(
            "    note: {} passed through but exceeded the judge limit; not validated",
            too_large.join(" and ")
        ));
    }
    for note in &one.notes {
        lines.push(format!("    note: {note}"));
    }
    if let Some(e) = &one.upstream_error {
        summary.upstream_failures += 1;
        lines.push(format!("    upstream: {e}"));
    }
    lines
}
