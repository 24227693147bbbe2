//! Reproducible failures: each failed row of the job's report carries its
//! exchange (credentials redacted) and a `curl` command that sends the
//! request again, in every format; `--filter` narrows the report;
//! `--exchanges` saves every exchange.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use conformance::job::MOCK_TOKEN;
use serde_json::Value;

fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_conformance"));
    command.env_remove("GRAPH_TOKEN");
    command
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const FLAT_BODY: &str = "windowsAutopilotDeploymentProfiles_assign/flat: oracle body";

#[test]
fn failed_rows_carry_the_exchange_and_a_curl_command_in_text() {
    let dir = tempfile::tempdir().unwrap();
    let spec = common::mutated_spec(&dir);
    let (code, stdout, stderr) = run(&["--spec", &spec, "--filter", FLAT_BODY]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    let failed = stdout.split("Failed checks:").nth(1).unwrap();
    assert!(
        failed.contains("    > POST /beta/deviceManagement/windowsAutopilotDeploymentProfiles/conformance-1/assign"),
        "{failed}"
    );
    assert!(
        failed.contains("        authorization: Bearer [redacted]"),
        "{failed}"
    );
    assert!(failed.contains("    < 204"), "{failed}");
    assert!(
        failed.contains(
            "    curl -sS -i --path-as-is -g -X POST 'http://127.0.0.1:8080/beta/deviceManagement/windowsAutopilotDeploymentProfiles/conformance-1/assign'"
        ),
        "{failed}"
    );
    assert!(
        failed.contains("-H \"authorization: Bearer $GRAPH_TOKEN\""),
        "{failed}"
    );
    assert!(!stdout.contains(MOCK_TOKEN), "{stdout}");
    // The filter kept that one row.
    assert!(
        stdout.ends_with("FAIL: 1 checks, 0 passed, 1 failed, 0 skipped\n"),
        "{stdout}"
    );
}

#[test]
fn failed_rows_carry_the_exchange_and_a_curl_command_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let spec = common::mutated_spec(&dir);
    let (code, stdout, _) = run(&["--spec", &spec, "--format", "json"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(!stdout.contains(MOCK_TOKEN));
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let rows = report["checks"].as_array().unwrap();
    for row in rows {
        assert!(row["time"].as_f64().is_some_and(|t| t >= 0.0), "{row}");
        let failed = row["verdict"] == "fail";
        // Passing rows stay small; rows about no exchange have none.
        if !failed {
            assert!(
                row.get("exchange").is_none() && row.get("curl").is_none(),
                "{row}"
            );
        }
    }
    let body_row = rows
        .iter()
        .find(|r| {
            r["operation"] == "windowsAutopilotDeviceIdentities_deploymentProfile_assign"
                && r["check"] == "fluent: oracle body"
        })
        .unwrap();
    assert_eq!(body_row["verdict"], "fail");
    let exchange = &body_row["exchange"];
    assert_eq!(exchange["request"]["method"], "POST");
    assert_eq!(exchange["response"]["status"], 204);
    let headers = exchange["request"]["headers"].as_array().unwrap();
    assert!(
        headers.contains(&serde_json::json!(["authorization", "Bearer [redacted]"])),
        "{headers:?}"
    );
    let curl = body_row["curl"].as_str().unwrap();
    // The awkward id, as sent.
    assert!(
        curl.contains(&format!(
            "/beta/deviceManagement/windowsAutopilotDeviceIdentities/{}/deploymentProfile/assign'",
            exchange["request"]["path"]
                .as_str()
                .unwrap()
                .split('/')
                .nth(4)
                .unwrap()
        )),
        "{curl}"
    );
    assert!(curl.contains("$GRAPH_TOKEN"), "{curl}");
}

#[test]
fn failed_rows_carry_the_exchange_and_a_curl_command_in_junit() {
    let dir = tempfile::tempdir().unwrap();
    let spec = common::mutated_spec(&dir);
    let (code, xml, _) = run(&["--spec", &spec, "--format", "junit", "--filter", FLAT_BODY]);
    assert_eq!(code, 1, "{xml}");
    assert!(!xml.contains(MOCK_TOKEN));
    assert!(xml.contains("<testsuite name=\"conformance\" tests=\"1\" failures=\"1\" skipped=\"0\" errors=\"0\" time=\""), "{xml}");
    let case = xml.split("<testcase ").nth(1).unwrap();
    assert!(case.contains(" time=\""), "{case}");
    let failure = case
        .split("<failure ")
        .nth(1)
        .unwrap()
        .split("</failure>")
        .next()
        .unwrap();
    assert!(
        failure.contains("&quot;groupTag&quot; is a required property"),
        "{failure}"
    );
    assert!(failure.contains("Reproduce:\ncurl -sS -i"), "{failure}");
    let system_out = xml
        .split("<system-out>")
        .nth(1)
        .unwrap()
        .split("</system-out>")
        .next()
        .unwrap();
    assert!(
        system_out.starts_with("&gt; POST /beta/deviceManagement/"),
        "{system_out}"
    );
    assert!(
        system_out.contains("authorization: Bearer [redacted]"),
        "{system_out}"
    );
    assert!(system_out.contains("&lt; 204"), "{system_out}");
    assert!(system_out.contains("curl -sS -i"), "{system_out}");
}

/// The exit code follows the rows the filter keeps: a passing row of a
/// failing run exits 0; a filter that keeps nothing, or is malformed,
/// exits 2.
#[test]
fn filter_narrows_the_report_and_its_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let spec = common::mutated_spec(&dir);
    let (code, stdout, _) = run(&[
        "--spec",
        &spec,
        "--filter",
        "windowsAutopilotDeploymentProfiles_assign/other method",
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.ends_with("PASS: 1 checks, 1 passed, 0 failed, 0 skipped\n"),
        "{stdout}"
    );
    let (code, stdout, _) = run(&[
        "--filter",
        "windowsAutopilotDeploymentProfiles_assign/scenario",
    ]);
    assert_eq!(code, 0, "{stdout}");
    let rows: Vec<&str> = stdout
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with("PASS: "))
        .collect();
    assert!(rows.len() >= 10, "{stdout}");
    assert!(
        rows.iter()
            .all(|r| r.starts_with("windowsAutopilotDeploymentProfiles_assign  scenario ")),
        "{stdout}"
    );
    let (code, _, stderr) = run(&["--filter", "noSuchOperation"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--filter noSuchOperation matched no check"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["--filter", "/x"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("expected OPERATION or OPERATION/CHECK"),
        "{stderr}"
    );
}

/// `--exchanges FILE.jsonl`: every exchange of the run, in order, one a
/// line, redacted, each with its curl command; a command taken from it
/// sends the same request again (here to `conformance serve`, which
/// accepts only the token in `$GRAPH_TOKEN`).
#[test]
fn exchanges_are_saved_and_their_curl_commands_resend_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("exchanges.jsonl");
    let (code, stdout, _) = run(&["--exchanges", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(MOCK_TOKEN));
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // 3 operations x (flat, fluent), the hand-written requests, the
    // scenarios: one line each.
    let negative = conformance::job::negative::CASES.len();
    assert!(lines.len() >= 6 + negative, "{}", lines.len());
    let seqs: Vec<u64> = lines.iter().map(|l| l["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    let statuses: Vec<u64> = lines
        .iter()
        .filter_map(|l| l["response"]["status"].as_u64())
        .collect();
    for wanted in [204, 400, 401, 404, 405, 406, 429, 503] {
        assert!(statuses.contains(&wanted), "no {wanted} in {statuses:?}");
    }

    // The first exchange (a flat call), sent again with curl.
    let curl_command = lines[0]["curl"].as_str().unwrap();
    let secret = "report-test-token.not-a-real-secret";
    let mut serve = bin()
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--accept-token-env",
            "CONFORMANCE_REPORT_TOKEN",
        ])
        .env("CONFORMANCE_REPORT_TOKEN", secret)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    // Kept open until the server is killed: it prints more lines.
    let mut output = BufReader::new(serve.stdout.take().unwrap());
    output.read_line(&mut first).unwrap();
    let root = first.split("service root ").nth(1).unwrap().trim();
    let origin = root.trim_end_matches("/beta");
    let command = curl_command.replace("http://127.0.0.1:8080", origin);
    let out = Command::new("sh")
        .args(["-c", &command])
        .env("GRAPH_TOKEN", secret)
        .output();
    let _ = serve.kill();
    let _ = serve.wait();
    drop(output);
    let out = out.expect("sh runs");
    let response = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "curl failed (is curl installed?): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(response.starts_with("HTTP/1.1 204"), "{response}");
}

/// Coverage: every operation has a `coverage` row, the JSON report a
/// `coverage` entry per operation listing what was and was not exercised,
/// the text report a table; `--min-coverage` fails the operations below it
/// and the exit code follows.
#[test]
fn coverage_is_reported_per_operation_and_min_coverage_fails_below_it() {
    let (code, stdout, stderr) = run(&["--format", "json"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let coverage = report["coverage"].as_array().unwrap();
    let operations: Vec<&str> = coverage
        .iter()
        .map(|c| c["operation"].as_str().unwrap())
        .collect();
    for op in [
        "windowsAutopilotDeploymentProfiles_assign",
        "windowsAutopilotDeviceIdentities_deploymentProfile_assign",
        "windowsAutopilotDeviceIdentities_intendedDeploymentProfile_assign",
    ] {
        assert!(operations.contains(&op), "{op} missing from {operations:?}");
    }
    let assign = coverage
        .iter()
        .find(|c| c["operation"] == "windowsAutopilotDeploymentProfiles_assign")
        .unwrap();
    // The positive, negative and fault rows reach every documented status
    // of assign (`default` through the 406 check), the mock sends the
    // documented `request-id` header, and the path parameter is always sent.
    let list = |kind: &str, part: &str| -> Vec<String> {
        assign[kind][part]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        list("statuses", "exercised"),
        [
            "204", "400", "401", "403", "404", "429", "500", "503", "default"
        ],
        "{assign}"
    );
    assert!(
        list("response_headers", "exercised").contains(&"204 request-id".to_string()),
        "{assign}"
    );
    assert_eq!(
        list("parameters", "exercised"),
        ["path windowsAutopilotDeploymentProfileId"]
    );
    assert_eq!(assign["percent"].as_f64(), Some(100.0), "{assign}");
    let rows = report["checks"].as_array().unwrap();
    let row = rows
        .iter()
        .find(|r| {
            r["operation"] == "windowsAutopilotDeploymentProfiles_assign"
                && r["check"] == "coverage"
        })
        .unwrap();
    assert_eq!(row["verdict"], "pass");
    assert!(row["detail"].as_str().unwrap().starts_with("100%"), "{row}");

    // A spec that documents a response header the service never sends:
    // coverage drops below 100% and names it; --min-coverage 100 fails
    // the operation and the job, a lower threshold passes.
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("more-headers.yaml");
    let text = std::fs::read_to_string(common::repo().join("spec/assign.yaml")).unwrap();
    let anchor = "    noContent:\n      description: The profile was assigned. The response has no body.\n      headers:\n";
    assert!(
        text.contains(anchor),
        "spec/assign.yaml changed: update the anchor"
    );
    let text = text.replace(
        anchor,
        &format!("{anchor}        x-never-sent:\n          schema:\n            type: string\n"),
    );
    std::fs::write(&spec, text).unwrap();
    let spec = spec.to_str().unwrap();
    let filter = "windowsAutopilotDeploymentProfiles_assign/coverage";
    let (code, stdout, _) = run(&["--spec", spec, "--min-coverage", "100", "--filter", filter]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("below --min-coverage 100%: 93%: statuses 9/9, response headers 3/4")
            && stdout.contains("not exercised: response header 204 x-never-sent"),
        "{stdout}"
    );
    // The text report's table, narrowed by the filter to that operation.
    let table = stdout.split("Coverage (documented items").nth(1).unwrap();
    assert!(
        table.contains("windowsAutopilotDeploymentProfiles_assign") && table.contains("93%"),
        "{table}"
    );
    assert!(!table.contains("intendedDeploymentProfile"), "{table}");
    let (code, stdout, _) = run(&["--spec", spec, "--min-coverage", "90", "--filter", filter]);
    assert_eq!(code, 0, "{stdout}");
    // Not a percentage: a usage error.
    let (code, _, stderr) = run(&["--min-coverage", "120"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not a percentage"), "{stderr}");
}
