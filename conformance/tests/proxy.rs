//! `conformance proxy` as a user runs it: between a client and the mock
//! `conformance serve`, over loopback. Valid traffic from the generated
//! client gives no violation; a crafted bad request and a crafted bad
//! response are each reported; the summary comes on exit and the exit code
//! says whether anything broke the spec.

mod common;

use common::bin;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

const SECRET: &str = "proxy-test-token-5e1f.not-a-real-secret";
const ASSIGN: &str = "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/p1/assign";

/// A child process that prints its address on its first line; killed on
/// drop.
struct Running {
    child: Option<Child>,
    first_line: String,
    stdout: Option<BufReader<std::process::ChildStdout>>,
}

impl Running {
    fn spawn(args: &[&str]) -> Running {
        let mut child = bin()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first_line = String::new();
        stdout.read_line(&mut first_line).unwrap();
        Running {
            child: Some(child),
            first_line,
            stdout: Some(stdout),
        }
    }

    /// `http://127.0.0.1:PORT` from the first line.
    fn origin(&self) -> String {
        let at = self
            .first_line
            .find("http://")
            .unwrap_or_else(|| panic!("no address in {:?}", self.first_line));
        self.first_line[at..]
            .split(|c: char| c == ';' || c.is_whitespace())
            .next()
            .unwrap()
            .trim_end_matches("/beta")
            .to_string()
    }

    /// Waits for the exit; gives the code, the rest of stdout, and stderr.
    fn finish(mut self) -> (i32, String, String) {
        let mut child = self.child.take().unwrap();
        let mut stdout = String::new();
        self.stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let code = child.wait().unwrap().code().unwrap_or(-1);
        (code, stdout, stderr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn serve() -> Running {
    Running::spawn(&["serve", "--addr", "127.0.0.1:0"])
}

fn proxy(upstream: &str, extra: &[&str]) -> Running {
    let mut args = vec!["proxy", "--upstream", upstream, "--addr", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    Running::spawn(&args)
}

/// One `POST` on a fresh connection; the status and the whole response.
fn http(origin: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    common::raw_http(origin, "POST", path, headers, body)
}

fn bearer() -> String {
    format!("Bearer {SECRET}")
}

/// The generated client, flat and fluent, all three operations, through
/// the proxy to the mock: six exchanges, no violation, exit 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valid_traffic_from_the_generated_client_has_no_violation() {
    let mock = serve();
    let proxy = proxy(&mock.origin(), &["--max-requests", "6"]);
    let client =
        autopilot_client::Client::connect(&format!("{}/beta", proxy.origin()), SECRET).unwrap();
    let body = autopilot_client::types::AssignRequest {
        device_ids: vec!["device-1".into(), "device-2".into()],
    };
    for driver in conformance::job::DRIVERS {
        (driver.flat)(&client, "profile-1", &body).await.unwrap();
        (driver.fluent)(&client, conformance::job::AWKWARD_ID, &body)
            .await
            .unwrap();
    }
    let (code, stdout, stderr) = tokio::task::spawn_blocking(move || proxy.finish())
        .await
        .unwrap();
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("PASS: 6 exchange(s), 0 with violations"),
        "{stdout}"
    );
    // One log line per exchange, each naming its operation.
    for op in [
        "windowsAutopilotDeploymentProfiles_assign",
        "windowsAutopilotDeviceIdentities_deploymentProfile_assign",
        "windowsAutopilotDeviceIdentities_intendedDeploymentProfile_assign",
    ] {
        assert_eq!(
            stderr.matches(&format!("-> 204: ok ({op})")).count(),
            2,
            "{stderr}"
        );
    }
    assert!(!stdout.contains(SECRET) && !stderr.contains(SECRET));
}

/// A request that breaks the spec (a number among the device ids) and a
/// response that does (a `200` with a body where `204` is documented,
/// asked of the mock with its scenario header) are each reported, in the
/// log and the summary; exit 1. The bytes the client gets are the
/// upstream's.
#[test]
fn a_bad_request_and_a_bad_response_are_each_reported() {
    let mock = serve();
    let proxy = proxy(&mock.origin(), &["--max-requests", "2"]);
    let auth = bearer();
    let json = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
        ("accept", "application/json"),
    ];
    let (status, bad_request) = http(&proxy.origin(), ASSIGN, &json, r#"{"deviceIds":[42]}"#);
    assert_eq!(status, 400, "{bad_request}");
    let mut scenario = json.to_vec();
    scenario.push(("x-mock-scenario", "undocumented-200"));
    let (status, bad_response) = http(&proxy.origin(), ASSIGN, &scenario, r#"{"deviceIds":["d"]}"#);
    assert_eq!(status, 200, "{bad_response}");
    assert!(
        bad_response.ends_with(r#"{"value":"an undocumented success body"}"#),
        "{bad_response}"
    );
    let (code, stdout, stderr) = proxy.finish();
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("#1 POST /beta/deviceManagement/windowsAutopilotDeploymentProfiles/p1/assign -> 400: 1 violation(s)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("    body: at `/deviceIds/0`: 42 is not of type \"string\""),
        "{stderr}"
    );
    assert!(stderr.contains("-> 200: 2 violation(s)"), "{stderr}");
    assert!(
        stderr.contains("    response-status: status 200 is a success the spec does not document"),
        "{stderr}"
    );
    assert!(
        stdout.contains(
            "FAIL: 2 exchange(s), 2 with violations (body: 1, response-body: 1, response-status: 1)"
        ),
        "{stdout}"
    );
    // Exchanges are judged as they finish, not necessarily in order.
    assert!(stdout.starts_with("Violations:\n- #"), "{stdout}");
    for seq in ["#1", "#2"] {
        assert!(stdout.contains(&format!("\n- {seq} POST ")), "{stdout}");
    }
    assert!(!stdout.contains(SECRET) && !stderr.contains(SECRET));
}

/// Hop-by-hop headers stop at the proxy; end-to-end ones, repeated
/// headers and the body reach the upstream unchanged. Seen through the
/// mock's own recording.
#[test]
fn only_hop_by_hop_headers_change() {
    let mock = serve();
    let proxy = proxy(&mock.origin(), &["--max-requests", "1"]);
    let auth = bearer();
    let headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
        ("accept", "application/xml"),
        ("accept", "application/json"),
        ("x-custom", "kept"),
        ("connection", "x-private"),
        ("x-private", "dropped"),
        ("keep-alive", "timeout=5"),
    ];
    let body = r#"{ "deviceIds" : [ "d1" ] }"#;
    assert_eq!(http(&proxy.origin(), ASSIGN, &headers, body).0, 204);
    let (code, stdout, stderr) = proxy.finish();
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let listing = plain::get(&format!("{}/_mock/exchanges", mock.origin()));
    let exchange = &listing["exchanges"][0]["request"];
    let headers = exchange["headers"].as_array().unwrap();
    let names: Vec<&str> = headers.iter().map(|h| h[0].as_str().unwrap()).collect();
    assert!(
        !names.contains(&"x-private") && !names.contains(&"keep-alive"),
        "{names:?}"
    );
    assert_eq!(
        names.iter().filter(|n| **n == "accept").count(),
        2,
        "{names:?}"
    );
    assert!(names.contains(&"x-custom"), "{names:?}");
    let length = headers
        .iter()
        .find(|h| h[0] == "content-length")
        .map(|h| h[1].clone());
    assert_eq!(length, Some(serde_json::json!(body.len().to_string())));
    assert_eq!(exchange["body"], serde_json::json!({"deviceIds": ["d1"]}));
}

mod plain {
    /// GET over a plain socket, parsed as JSON.
    pub fn get(url: &str) -> serde_json::Value {
        let rest = url.trim_start_matches("http://");
        let (addr, path) = rest.split_at(rest.find('/').unwrap());
        let mut stream = super::TcpStream::connect(addr).unwrap();
        use std::io::{Read, Write};
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
        )
        .unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        let body = text.split_once("\r\n\r\n").unwrap().1;
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
    }
}

/// SIGTERM (as Ctrl-C's SIGINT) ends the proxy with its summary.
#[test]
fn sigterm_prints_the_summary() {
    let mock = serve();
    let proxy = proxy(&mock.origin(), &[]);
    let auth = bearer();
    let json = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    assert_eq!(
        http(&proxy.origin(), ASSIGN, &json, r#"{"deviceIds":[]}"#).0,
        204
    );
    let pid = proxy.child.as_ref().unwrap().id().to_string();
    // The exchange may be judged only after the client has its answer; the
    // proxy judges every finished exchange before it prints the summary.
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    let (code, stdout, stderr) = proxy.finish();
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("PASS: 1 exchange(s), 0 with violations"),
        "{stdout}"
    );
}

/// An upstream that does not answer: the client gets `502`, the log says
/// why, and the proxy exits 1.
#[test]
fn an_unreachable_upstream_is_a_502_and_a_failure() {
    // A port that was free a moment ago.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let upstream = format!("http://{}", free.local_addr().unwrap());
    drop(free);
    let proxy = proxy(&upstream, &["--max-requests", "1"]);
    let auth = bearer();
    let json = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    let (status, text) = http(&proxy.origin(), ASSIGN, &json, r#"{"deviceIds":[]}"#);
    assert_eq!(status, 502, "{text}");
    assert!(text.contains("forwarding to"), "{text}");
    let (code, stdout, stderr) = proxy.finish();
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stderr.contains("-> 502 (from the proxy)"), "{stderr}");
    assert!(stderr.contains("    upstream: "), "{stderr}");
    assert!(stdout.contains("1 upstream failure(s)"), "{stdout}");
}

/// Bad arguments: exit 2 with the reason, before anything listens.
#[test]
fn bad_arguments_exit_2() {
    for (args, wanted) in [
        (
            vec!["proxy", "--upstream", "ftp://example.com"],
            "must be an http(s) URL with a host",
        ),
        (vec!["proxy", "--upstream", "not a url"], "is not a URL"),
        (
            vec![
                "proxy",
                "--upstream",
                "http://127.0.0.1:1",
                "--max-requests",
                "0",
            ],
            "--max-requests must be at least 1",
        ),
        (
            vec![
                "proxy",
                "--upstream",
                "http://127.0.0.1:1",
                "--spec",
                "/no/such/spec.yaml",
            ],
            "cannot load the spec",
        ),
        (vec!["proxy"], "--upstream"),
        // `--spec` is for the job and the proxy, not the mock.
        (
            vec!["serve", "--spec", "spec/assign.yaml"],
            "--spec does not apply",
        ),
    ] {
        let out = bin()
            .args(&args)
            .args(["--addr", "127.0.0.1:0"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(wanted), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

/// `Judging::Off` (the benchmark's baseline) forwards the same way and
/// judges nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_judging_it_only_forwards() {
    use conformance::proxy::{Judging, ProxyConfig, ValidatingProxy};
    let mock = common::mock().await;
    let proxy = ValidatingProxy::start(
        ProxyConfig {
            judging: Judging::Off,
            ..ProxyConfig::new(
                "127.0.0.1:0".parse().unwrap(),
                format!("http://{}", mock.addr()),
            )
        },
        common::oracle(),
        Box::new(std::io::sink()),
    )
    .await
    .unwrap();
    let response = ::reqwest::Client::new()
        .post(format!("http://{}{ASSIGN}", proxy.addr()))
        .header("authorization", bearer())
        .header("content-type", "application/json")
        .body(r#"{"deviceIds":[7]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(mock.recorder().total(), 1);
    let summary = proxy.finish(std::time::Duration::from_secs(5)).await;
    assert_eq!(summary.exchanges, 0, "{summary:?}");
    mock.shutdown().await;
}

/// An exchange still open when the proxy stops (here a response whose
/// body never ends) is not judged, and the summary says so and fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exchanges_still_open_at_the_end_fail_the_summary() {
    use conformance::proxy::{ProxyConfig, ValidatingProxy};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut head = [0u8; 4096];
        let _ = socket.read(&mut head).await.unwrap();
        // A head that promises 100 bytes, and never the bytes.
        socket
            .write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{",
            )
            .await
            .unwrap();
        // Held open until the test ends.
        std::future::pending::<()>().await;
    });
    let proxy = ValidatingProxy::start(
        ProxyConfig::new("127.0.0.1:0".parse().unwrap(), upstream),
        common::oracle(),
        Box::new(std::io::sink()),
    )
    .await
    .unwrap();
    let response = ::reqwest::Client::new()
        .post(format!("http://{}{ASSIGN}", proxy.addr()))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let summary = proxy.finish(std::time::Duration::from_millis(300)).await;
    assert!(summary.unfinished, "{summary:?}");
    assert!(!summary.passed());
    assert!(
        summary.render().contains("were not judged"),
        "{}",
        summary.render()
    );
    drop(response);
    server.abort();
}

/// A log that tests can read.
#[derive(Clone, Default)]
struct SharedLog(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Write for SharedLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A bearer token in the query (RFC 6750's `access_token`) is logged
/// redacted, like one in `Authorization`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_in_the_query_is_not_logged() {
    use conformance::proxy::{ProxyConfig, ValidatingProxy};
    let mock = common::mock().await;
    let log = SharedLog::default();
    let proxy = ValidatingProxy::start(
        ProxyConfig::new(
            "127.0.0.1:0".parse().unwrap(),
            format!("http://{}", mock.addr()),
        ),
        common::oracle(),
        Box::new(log.clone()),
    )
    .await
    .unwrap();
    let response = ::reqwest::Client::new()
        .post(format!(
            "http://{}{ASSIGN}?access_token={SECRET}",
            proxy.addr()
        ))
        .header("authorization", bearer())
        .header("content-type", "application/json")
        .body(r#"{"deviceIds":["d"]}"#)
        .send()
        .await
        .unwrap();
    // The proxy passed the query on unchanged (the mock lets the
    // undeclared parameter through; the oracle does not).
    let status = response.status().as_u16();
    let sent = mock.recorder().exchanges();
    assert_eq!(
        sent[0].request.query.as_deref(),
        Some(format!("access_token={SECRET}").as_str())
    );
    let summary = proxy.finish(std::time::Duration::from_secs(5)).await;
    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains(&format!("?access_token=[redacted] -> {status}")),
        "{text}"
    );
    assert!(
        text.contains("query parameter `access_token` is not declared"),
        "{text}"
    );
    assert!(!text.contains(SECRET), "{text}");
    assert!(!summary.render().contains(SECRET));
    mock.shutdown().await;
}
