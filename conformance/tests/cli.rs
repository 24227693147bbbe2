//! The `conformance` binary as CI runs it: exit codes, formats, a mutated
//! spec, the mock on its own (`serve` and its flags) and `--base-url`
//! against it, against a live server that breaks the spec, and against a
//! root where nothing listens.

mod common;

use common::bin;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, ChildStdout, Stdio};
use std::sync::{Arc, Mutex};

/// A made-up token for `--base-url` runs (the job refuses to start one
/// without a token).
const TEST_TOKEN: &str = "conformance-cli-test-token.not-a-real-secret";

fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin()
        .args(args)
        .env("GRAPH_TOKEN", TEST_TOKEN)
        .output()
        .unwrap();
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
        "Accept admits no JSON -> 406",
    ] {
        assert!(stdout.contains(wanted), "missing row {wanted}");
    }
}

#[test]
fn a_mutated_spec_fails_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let spec = common::mutated_spec(&dir);
    let (code, stdout, _) = run(&["--spec", &spec]);
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
    let server = Serve::start(&[], &[]);
    let (code, stdout, _) = run(&["--base-url", &server.root, "--allow-writes"]);
    drop(server);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("they need the embedded mock"), "{stdout}");
    assert!(stdout.contains("flat: oracle response-status"), "{stdout}");

    // A service root where nothing listens (port 9, discard) cannot pass
    // either: every call fails, and the report says where forwarding went.
    // A live server that breaks the spec is the test below.
    let (code, stdout, _) = run(&["--base-url", "http://127.0.0.1:9/beta", "--allow-writes"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("forwarding to http://127.0.0.1:9/beta/deviceManagement/"),
        "{stdout}"
    );
}

/// `conformance serve` on an ephemeral loopback port, killed on drop.
struct Serve {
    child: Child,
    /// Kept open until the server is killed, so its later lines have a
    /// reader.
    _output: BufReader<ChildStdout>,
    /// The service root it printed, e.g. `http://127.0.0.1:PORT/beta`.
    root: String,
    /// `127.0.0.1:PORT`.
    addr: String,
}

impl Serve {
    fn start(args: &[&str], env: &[(&str, &str)]) -> Serve {
        let mut child = bin()
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut output = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        output.read_line(&mut first).unwrap();
        let root = first
            .split("service root ")
            .nth(1)
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|| panic!("no address in {first:?}"));
        let addr = root
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        Serve {
            child,
            _output: output,
            root,
            addr,
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 exchange over a fresh loopback connection: status and body.
fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let (status, response) = common::raw_http(addr, method, path, headers, body);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

const ASSIGN: &str = "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/p1/assign";
const VALID_BODY: &str = r#"{"deviceIds":["d1"]}"#;

fn json_headers(bearer: &str) -> Vec<(&'static str, String)> {
    vec![
        ("content-type", "application/json".to_string()),
        ("accept", "application/json".to_string()),
        ("authorization", format!("Bearer {bearer}")),
    ]
}

fn post_assign(addr: &str, bearer: &str, body: &str) -> (u16, String) {
    let headers = json_headers(bearer);
    let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    http(addr, "POST", ASSIGN, &headers, body)
}

/// A server that answers every request `200 OK` with a JSON body, where the
/// spec documents only `204` (no body); it keeps the `authorization` header
/// of each request it reads.
fn undocumented_ok_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let root = format!("http://{}/beta", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keep = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let head = read_request(&mut stream);
            let auth = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("authorization")
                        .then(|| value.trim().to_string())
                })
                .unwrap_or_default();
            keep.lock().unwrap().push(auth);
            let body = r#"{"value":"assigned"}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                 request-id: 00000000-0000-0000-0000-000000000001\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (root, seen)
}

/// Reads one request (head and `content-length` body); returns the head.
fn read_request(stream: &mut TcpStream) -> String {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    head
}

/// `--base-url` against a live server that breaks the spec (a `200` with a
/// body where only `204` is documented): the job fails, naming the checks.
#[test]
fn base_url_against_a_server_that_answers_200_fails_naming_the_check() {
    let (root, seen) = undocumented_ok_server();
    let (code, stdout, stderr) = run(&["--base-url", &root, "--allow-writes"]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    let failed = stdout
        .split("Failed checks:")
        .nth(1)
        .unwrap_or_else(|| panic!("no failed checks in:\n{stdout}"));
    for op in [
        "windowsAutopilotDeploymentProfiles_assign",
        "windowsAutopilotDeviceIdentities_deploymentProfile_assign",
        "windowsAutopilotDeviceIdentities_intendedDeploymentProfile_assign",
    ] {
        // The client refuses the answer, and the oracle flags it.
        assert!(
            failed.contains(&format!("- {op} / flat call returns Ok(()): "))
                && failed.contains(&format!("- {op} / flat: oracle response-status: ")),
            "{op}: expected its client and oracle rows among the failures:\n{failed}"
        );
    }
    assert!(failed.contains("200"), "{failed}");
    assert!(
        stdout.lines().last().unwrap().starts_with("FAIL: "),
        "{stdout}"
    );
    // The requests really reached the server.
    assert!(!seen.lock().unwrap().is_empty());
}

/// `--base-url` without a token (unset or empty) exits 2 and sends
/// nothing: the mock's made-up token must not go to a real service.
#[test]
fn base_url_without_a_token_exits_2_and_sends_nothing() {
    let (root, seen) = undocumented_ok_server();
    for token in [None, Some(" ")] {
        let mut command = bin();
        command.args(["--base-url", &root]);
        if let Some(token) = token {
            command.env("GRAPH_TOKEN", token);
        }
        let out = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("needs a bearer token in $GRAPH_TOKEN"),
            "{stderr}"
        );
    }
    assert!(seen.lock().unwrap().is_empty(), "nothing may be sent");
}

/// `--token-env VAR` sends the token in VAR (default `GRAPH_TOKEN`) to the
/// `--base-url` server; `serve --accept-token-env VAR` takes only that
/// token. Neither prints it.
#[test]
fn token_env_and_accept_token_env() {
    let secret = "tok-9f8e7d6c5b4a-not-a-real-secret";
    let server = Serve::start(
        &["--accept-token-env", "CONFORMANCE_TEST_ACCEPT"],
        &[("CONFORMANCE_TEST_ACCEPT", secret)],
    );
    // The right token, from a variable of our choosing.
    let out = bin()
        .args([
            "--base-url",
            &server.root,
            "--allow-writes",
            "--token-env",
            "CONFORMANCE_TEST_TOKEN",
        ])
        .env("CONFORMANCE_TEST_TOKEN", secret)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(!stdout.contains(secret) && !stderr.contains(secret));
    // ... and from GRAPH_TOKEN, the default.
    let out = bin()
        .args(["--base-url", &server.root, "--allow-writes"])
        .env("GRAPH_TOKEN", secret)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Another well-formed token: 401, and the job fails.
    let out = bin()
        .args([
            "--base-url",
            &server.root,
            "--allow-writes",
            "--token-env",
            "CONFORMANCE_TEST_TOKEN",
        ])
        .env("CONFORMANCE_TEST_TOKEN", "another-token")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("401"), "{stdout}");
    // The same, straight over HTTP.
    assert_eq!(post_assign(&server.addr, secret, VALID_BODY).0, 204);
    assert_eq!(
        post_assign(&server.addr, "another-token", VALID_BODY).0,
        401
    );
    // The recording redacts the accepted token too.
    let (status, exchanges) = http(&server.addr, "GET", "/_mock/exchanges", &[], "");
    assert_eq!(status, 200);
    assert!(!exchanges.contains(secret), "{exchanges}");
}

/// `serve --accept-token-env VAR` with VAR unset or empty is a usage error
/// (exit 2) that names VAR, before anything listens.
#[test]
fn accept_token_env_unset_or_empty_exits_2() {
    for value in [None, Some("")] {
        let mut command = bin();
        command.args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--accept-token-env",
            "CONFORMANCE_TEST_UNSET",
        ]);
        match value {
            Some(v) => command.env("CONFORMANCE_TEST_UNSET", v),
            None => command.env_remove("CONFORMANCE_TEST_UNSET"),
        };
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Its first line, or end of file once it has exited: a server that
        // started anyway is killed, not waited for.
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        if !first.is_empty() {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{value:?}: serve started: {first}");
        }
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{value:?}: {stderr}");
        assert!(
            stderr.contains("CONFORMANCE_TEST_UNSET is unset or empty"),
            "{stderr}"
        );
    }
}

/// `serve --no-validation` answers `204` to a request the validating mock
/// refuses.
#[test]
fn serve_no_validation_answers_204_to_anything() {
    let validating = Serve::start(&[], &[]);
    let plain = Serve::start(&["--no-validation"], &[]);
    // No token, and a body the spec refuses.
    let headers = [("content-type", "application/json")];
    let bad = r#"{"deviceIds":"not-an-array"}"#;
    let (status, body) = http(&validating.addr, "POST", ASSIGN, &headers, bad);
    assert_eq!(status, 401, "{body}");
    let headers = json_headers("t");
    let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    assert_eq!(http(&validating.addr, "POST", ASSIGN, &headers, bad).0, 400);
    let (status, body) = http(
        &plain.addr,
        "POST",
        ASSIGN,
        &[("content-type", "application/json")],
        bad,
    );
    assert_eq!((status, body.as_str()), (204, ""));
    let (status, _) = http(&plain.addr, "DELETE", "/beta/no/such/route", &[], "");
    assert_eq!(status, 204);
}

/// `serve --record N` keeps the last N exchanges for `GET
/// /_mock/exchanges`, and counts all of them.
#[test]
fn serve_record_keeps_the_last_n_exchanges() {
    let server = Serve::start(&["--record", "2"], &[]);
    for id in ["d1", "d2", "d3"] {
        let body = format!(r#"{{"deviceIds":["{id}"]}}"#);
        assert_eq!(post_assign(&server.addr, "t", &body).0, 204);
    }
    let (status, text) = http(&server.addr, "GET", "/_mock/exchanges", &[], "");
    assert_eq!(status, 200, "{text}");
    let listing: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(listing["total"], 3, "{listing}");
    assert_eq!(listing["capacity"], 2, "{listing}");
    let kept: Vec<String> = listing["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["request"]["body"].to_string())
        .collect();
    assert_eq!(kept.len(), 2, "{listing}");
    assert!(kept[0].contains("d2") && kept[1].contains("d3"), "{kept:?}");

    let none = Serve::start(&["--record", "0"], &[]);
    assert_eq!(post_assign(&none.addr, "t", VALID_BODY).0, 204);
    let (_, text) = http(&none.addr, "GET", "/_mock/exchanges", &[], "");
    let listing: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (
            listing["total"].as_u64(),
            listing["exchanges"].as_array().map(Vec::len)
        ),
        (Some(1), Some(0))
    );
}

/// `serve` on a port something else holds: exit 1, naming the address.
#[test]
fn serve_on_a_taken_port_fails() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = bin().args(["serve", "--addr", &addr]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("conformance serve: cannot listen on {addr}")),
        "{stderr}"
    );
}

/// `-o` into a directory that does not exist: exit 1, naming the file.
#[test]
fn unwritable_output_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-dir/report.json");
    let (code, stdout, stderr) = run(&["--format", "json", "-o", path.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(
        stderr.contains(&format!("conformance: cannot write {}", path.display())),
        "{stderr}"
    );
    assert!(!path.exists());
}

/// A `--spec` that cannot be read, or is not an OpenAPI document: the
/// `spec / load` check fails, naming it, and the job exits 1.
#[test]
fn unloadable_spec_fails() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.yaml");
    let garbage = dir.path().join("garbage.yaml");
    std::fs::write(&garbage, "openapi: [this is not\n").unwrap();
    for spec in [&missing, &garbage] {
        let (code, stdout, stderr) = run(&["--spec", spec.to_str().unwrap()]);
        assert_eq!(code, 1, "{stdout}\n{stderr}");
        assert!(stdout.contains("- spec / load: "), "{stdout}");
        assert!(stdout.contains(&spec.display().to_string()), "{stdout}");
        assert!(
            stdout.lines().last().unwrap().starts_with("FAIL: "),
            "{stdout}"
        );
    }
}

/// The exchanges `conformance serve` recorded, as JSON.
fn recorded(server: &Serve) -> Vec<serde_json::Value> {
    let (status, text) = http(&server.addr, "GET", "/_mock/exchanges", &[], "");
    assert_eq!(status, 200, "{text}");
    let listing: serde_json::Value = serde_json::from_str(&text).unwrap();
    listing["exchanges"].as_array().unwrap().clone()
}

/// Against a service (`--base-url`), operations that may change state are
/// sent only with `--allow-writes`: without it, nothing reaches the
/// server and the report names what it did not send.
#[test]
fn base_url_sends_no_write_without_allow_writes() {
    let server = Serve::start(&[], &[]);
    let (code, stdout, stderr) = run(&["--base-url", &server.root]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let sent = recorded(&server);
    assert!(sent.is_empty(), "requests reached the server: {sent:?}");
    for op in [
        "windowsAutopilotDeploymentProfiles_assign",
        "windowsAutopilotDeviceIdentities_deploymentProfile_assign",
        "windowsAutopilotDeviceIdentities_intendedDeploymentProfile_assign",
    ] {
        assert!(
            stdout.lines().any(|l| l.starts_with(op)
                && l.contains("not sent: it changes state")
                && l.contains("skip")
                && l.contains("--allow-writes sends it")),
            "{op}:\n{stdout}"
        );
    }
    assert!(
        stdout.contains(
            "not sent without --allow-writes: windowsAutopilotDeploymentProfiles_assign (POST "
        ),
        "{stdout}"
    );
}

/// `--id` puts the caller's ids in the path (every call, fluent too, so a
/// real tenant answers for things that exist); `--record DIR` writes the
/// exchanges as cassettes without the token; `--replay DIR` judges them
/// offline with the same verdicts, and flags a spec that no longer agrees
/// with the recorded traffic.
#[test]
fn ids_record_and_replay() {
    let server = Serve::start(&[], &[]);
    let dir = tempfile::tempdir().unwrap();
    let tapes = dir.path().join("tapes");
    let tapes_arg = tapes.to_str().unwrap();
    let (code, stdout, stderr) = run(&[
        "--base-url",
        &server.root,
        "--allow-writes",
        "--id",
        "windowsAutopilotDeploymentProfileId=profile-42",
        "--id",
        "windowsAutopilotDeviceIdentityId=device-7",
        "--id",
        "windowsAutopilotDeviceIdentities_intendedDeploymentProfile_assign:windowsAutopilotDeviceIdentityId=device-8",
        "--record",
        tapes_arg,
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let paths: Vec<String> = recorded(&server)
        .iter()
        .map(|e| e["request"]["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        paths.len(),
        9,
        "flat, dispatch and fluent per operation: {paths:?}"
    );
    for path in &paths {
        assert!(
            path.contains("/windowsAutopilotDeploymentProfiles/profile-42/assign")
                || path.contains(
                    "/windowsAutopilotDeviceIdentities/device-7/deploymentProfile/assign"
                )
                || path.contains(
                    "/windowsAutopilotDeviceIdentities/device-8/intendedDeploymentProfile/assign"
                ),
            "{path}"
        );
    }
    assert!(stderr.contains("recorded 9 exchange(s)"), "{stderr}");
    let files = std::fs::read_dir(&tapes).unwrap().count();
    assert_eq!(files, 9);
    for entry in std::fs::read_dir(&tapes).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!text.contains(TEST_TOKEN), "{text}");
        assert!(text.contains("Bearer redacted"), "{text}");
    }
    drop(server);

    // Offline: no server, no token.
    let out = bin()
        .args(["--replay", tapes_arg, "--format", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let rows = report["checks"].as_array().unwrap();
    let as_recorded: Vec<&serde_json::Value> = rows
        .iter()
        .filter(|r| {
            r["check"]
                .as_str()
                .unwrap()
                .ends_with(": verdict as recorded")
        })
        .collect();
    assert_eq!(as_recorded.len(), 9, "{stdout}");
    assert!(
        as_recorded.iter().all(|r| r["verdict"] == "pass"),
        "{stdout}"
    );
    assert!(
        rows.iter()
            .any(|r| r["check"] == "0001.json: oracle security" && r["verdict"] == "pass"),
        "the redacted token still passes the security check:\n{stdout}"
    );
    assert_eq!(report["coverage"].as_array().unwrap().len(), 3, "{stdout}");

    // The spec changed since the recording: the replay says where.
    let spec = common::mutated_spec(&dir);
    let out = bin()
        .args(["--replay", tapes_arg, "--spec", &spec])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("verdict as recorded") && stdout.contains("body: recorded pass, now fail"),
        "{stdout}"
    );

    // A damaged cassette is an error naming the file, not a silent skip.
    std::fs::write(tapes.join("0010.json"), "{ not json").unwrap();
    let out = bin().args(["--replay", tapes_arg]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("0010.json: not a cassette"), "{stdout}");
}

/// An `--id` that names no path parameter fails the job: a typo would
/// otherwise send made-up ids to a real service.
#[test]
fn an_id_for_no_parameter_fails_the_job() {
    let (code, stdout, _) = run(&["--id", "windowsAutopilotDeploymentProfileID=x"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("--id windowsAutopilotDeploymentProfileID=x: no operation has a path parameter `windowsAutopilotDeploymentProfileID`"),
        "{stdout}"
    );
    let (code, _, stderr) = run(&["--id", "no-equals-sign"]);
    assert_eq!(code, 2, "{stderr}");
}
