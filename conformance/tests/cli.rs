//! The `conformance` binary as CI runs it: exit codes, formats, a mutated
//! spec, the mock on its own and `--base-url`.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_conformance"))
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_main_job_passes_and_reports_every_check() {
    let (code, stdout, stderr) = run(&[]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.starts_with("OPERATION"), "{stdout}");
    let summary = stdout.lines().last().unwrap();
    assert!(summary.starts_with("PASS: "), "{summary}");
    assert!(!stdout.contains(conformance::job::MOCK_TOKEN));
    for wanted in [
        "flat call returns Ok(())",
        "fluent = flat",
        "throttle-date:1: client result",
        "other method -> 405",
    ] {
        assert!(stdout.contains(wanted), "missing row {wanted}");
    }
}

#[test]
fn a_mutated_spec_fails_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("mutated.yaml");
    let text = std::fs::read_to_string(common::repo().join("spec/assign.yaml"))
        .unwrap()
        .replace(
            "      required:\n        - deviceIds\n",
            "      required:\n        - deviceIds\n        - groupTag\n",
        );
    std::fs::write(&spec, text).unwrap();
    let (code, stdout, _) = run(&["--spec", spec.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("Failed checks:"), "{stdout}");
    assert!(
        stdout.contains("flat: oracle body: at `/`: \"groupTag\" is a required property"),
        "{stdout}"
    );
    assert!(stdout.lines().last().unwrap().starts_with("FAIL: "));
}

#[test]
fn json_and_junit_reports() {
    let dir = tempfile::tempdir().unwrap();
    let json_path = dir.path().join("r.json");
    let (code, stdout, _) = run(&["--format", "json", "-o", json_path.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    assert_eq!(report["summary"]["failed"], 0);
    assert!(report["checks"].as_array().unwrap().len() > 50);
    let (code, xml, _) = run(&["--format", "junit"]);
    assert_eq!(code, 0);
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("failures=\"0\""));
    assert_eq!(
        xml.matches("<testcase ").count(),
        report["checks"].as_array().unwrap().len()
    );
}

#[test]
fn unknown_flags_are_usage_errors() {
    let (code, _, stderr) = run(&["--no-such-flag"]);
    assert_eq!(code, 2, "{stderr}");
}

/// `serve` runs the mock alone; `--base-url` runs the positive checks
/// against it through the recording forwarder.
#[test]
fn serve_and_base_url() {
    let mut server = bin()
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    // Kept open until the server is killed, so its later lines have a
    // reader.
    let mut output = BufReader::new(server.stdout.take().unwrap());
    output.read_line(&mut first).unwrap();
    let base = first
        .split("service root ")
        .nth(1)
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| panic!("no address in {first:?}"));
    let (code, stdout, _) = run(&["--base-url", &base]);
    let _ = server.kill();
    let _ = server.wait();
    drop(output);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("they need the embedded mock"), "{stdout}");
    assert!(stdout.contains("flat: oracle response-status"), "{stdout}");

    // A server that does not follow the spec fails the same checks.
    let (code, stdout, _) = run(&["--base-url", "http://127.0.0.1:9/beta"]);
    assert_eq!(code, 1, "{stdout}");
}
