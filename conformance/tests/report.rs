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
