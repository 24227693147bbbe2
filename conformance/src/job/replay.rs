//! `--record DIR` and `--replay DIR`: a run's exchanges written as
//! cassettes (see [`crate::cassette`]), and cassettes judged again by the
//! oracle without any network, so that a session against a real tenant
//! becomes a regression test that needs no credentials. A replay reports
//! every finding, whether each verdict is the one recorded (a spec edit
//! that changes what the recorded traffic means shows here), and the
//! coverage the recorded traffic gives.

use std::path::{Path, PathBuf};

use crate::cassette::{self, Cassette};
use crate::exchange::Exchange;
use crate::oracle::{Oracle, Outcome, Verdict};

use super::coverage;
use super::report::Report;

/// The oracle an exchange belongs to (the first whose routes resolve its
/// request, else the first) and its verdict.
fn judge(oracles: &[&Oracle], exchange: &Exchange) -> Option<Verdict> {
    let mut first = None;
    for oracle in oracles {
        let verdict = oracle.judge(exchange);
        if verdict.operation.is_some() {
            return Some(verdict);
        }
        first.get_or_insert(verdict);
    }
    first
}

/// The cassettes of a run: each exchange with the verdict of the spec it
/// belongs to.
pub fn cassettes(oracles: &[&Oracle], exchanges: &[Exchange]) -> Vec<Cassette> {
    exchanges
        .iter()
        .filter_map(|e| judge(oracles, e).map(|v| Cassette::new(e, &v)))
        .collect()
}

/// Loads the oracles of `specs`, each problem a row of `report`.
pub fn oracles(specs: &[PathBuf], report: &mut Report) -> Vec<(Oracle, String)> {
    let mut out = Vec::new();
    for path in specs {
        match Oracle::load(path) {
            Ok(oracle) => {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                out.push((oracle, name));
            }
            Err(e) => report.push("spec", "load", Outcome::Fail, e),
        }
    }
    out
}

/// Judges the cassettes of `dir` against `specs`.
pub fn replay(specs: &[PathBuf], dir: &Path, min_coverage: Option<f64>) -> Report {
    let mut report = Report::default();
    report.start_clock();
    let loaded = oracles(specs, &mut report);
    if loaded.is_empty() {
        return report;
    }
    let tapes = match cassette::load(dir) {
        Ok(tapes) => tapes,
        Err(e) => {
            report.push("replay", "load cassettes", Outcome::Fail, e);
            return report;
        }
    };
    report.push(
        "replay",
        "load cassettes",
        Outcome::Pass,
        format!("{} cassette(s) from {}", tapes.len(), dir.display()),
    );
    let oracles: Vec<&Oracle> = loaded.iter().map(|(o, _)| o).collect();
    let mut exchanges = Vec::new();
    for (i, (path, tape)) in tapes.iter().enumerate() {
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let exchange = match tape.exchange(i as u64 + 1) {
            Ok(exchange) => exchange,
            Err(e) => {
                report.push(
                    "replay",
                    format!("{file}: read"),
                    Outcome::Fail,
                    format!("{}: {e}", path.display()),
                );
                continue;
            }
        };
        let Some(verdict) = judge(&oracles, &exchange) else {
            continue;
        };
        let operation = verdict
            .operation
            .clone()
            .or_else(|| tape.operation.clone())
            .unwrap_or_else(|| "replay".to_string());
        for finding in &verdict.findings {
            report.push_about(
                operation.as_str(),
                format!("{file}: oracle {}", finding.check),
                finding.outcome,
                finding.detail.clone(),
                &exchange,
            );
        }
        let differences = tape.differences(&verdict);
        report.check_about(
            operation.as_str(),
            format!("{file}: verdict as recorded"),
            if differences.is_empty() && verdict.operation == tape.operation {
                Ok("every check gives the outcome it gave when recorded".into())
            } else {
                let mut all = differences;
                if verdict.operation != tape.operation {
                    all.insert(
                        0,
                        format!(
                            "operation: recorded {}, now {}",
                            tape.operation.as_deref().unwrap_or("none"),
                            verdict.operation.as_deref().unwrap_or("none")
                        ),
                    );
                }
                Err(all.join("; "))
            },
            &exchange,
        );
        exchanges.push(exchange);
    }
    let specs: Vec<(&Oracle, &str)> = loaded.iter().map(|(o, n)| (o, n.as_str())).collect();
    let measured = coverage::measure(&specs, &exchanges);
    coverage::push_rows(&mut report, &measured, min_coverage);
    report.coverage = measured;
    report.exchanges = exchanges;
    report
}
