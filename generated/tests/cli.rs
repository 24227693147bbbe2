//! The built `autopilot` binary against a loopback server: `--verbose`
//! shows every exchange and retry but never the token, and each kind of
//! outcome has its documented exit code.

#[path = "support/binary.rs"]
mod binary;
#[path = "support/scripted.rs"]
mod scripted;

use std::net::SocketAddr;
use std::process::Output;

use binary::{jwt, text};
use scripted::{Answer, Received, serve};

fn good_token() -> String {
    binary::token_with(serde_json::json!({"upn": "admin@contoso.example"}))
}

/// Runs the CLI with `token` in GRAPH_TOKEN, beside the loopback server.
async fn run(token: Option<String>, args: Vec<String>) -> Output {
    binary::run(binary::autopilot(&args, token.as_deref())).await
}

fn args(addr: SocketAddr, extra: &[&str]) -> Vec<String> {
    let mut list: Vec<String> = [
        "assign",
        "profile",
        "profile-1",
        "--device",
        "device-1",
        "--base-url",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    list.push(format!("http://{addr}/beta"));
    // These tests are about the wire, not the GUID check.
    list.push("--allow-non-guid".into());
    list.extend(extra.iter().map(|s| s.to_string()));
    list
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_shows_each_exchange_and_retry_but_never_the_token() {
    let (addr, seen) = serve(vec![
        (
            429,
            vec![
                ("retry-after", "0"),
                ("content-type", "application/json"),
                ("request-id", "req-throttled"),
            ],
            r#"{"error":{"code":"TooManyRequests","message":"slow down"}}"#,
        ),
        (204, vec![("request-id", "req-ok")], ""),
    ])
    .await;
    let token = good_token();
    let output = run(Some(token.clone()), args(addr, &["--verbose"])).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");

    // The server got the real token, twice: the CLI did send it.
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    for request in &seen {
        assert_eq!(
            request.route,
            "POST /beta/deviceManagement/windowsAutopilotDeploymentProfiles/profile-1/assign"
        );
        assert_eq!(
            request.headers["authorization"].to_str().unwrap(),
            format!("Bearer {token}")
        );
    }

    // Every exchange is on stderr, retry included.
    for expected in [
        "> POST http://",
        "/windowsAutopilotDeploymentProfiles/profile-1/assign (attempt 1)",
        "> authorization: Bearer <redacted>",
        "> {\"deviceIds\":[\"device-1\"]}",
        "< 429 Too Many Requests (attempt 1,",
        "< retry-after: 0",
        "< request-id: req-throttled",
        "< {\"error\":{\"code\":\"TooManyRequests\",\"message\":\"slow down\"}}",
        "* 429 Too Many Requests: waiting 0s (as Retry-After asks) before attempt 2",
        "(attempt 2)",
        "> retry-attempt: 1",
        "< 204 No Content (attempt 2,",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
    assert!(stdout.contains("assigned: POST"), "{stdout}");

    // The token, and each of its parts, appears nowhere in the output.
    binary::assert_hidden(&output, &token);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_never_show_the_token_either() {
    let (addr, _) = serve(vec![(
        401,
        vec![("content-type", "application/json")],
        r#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired."}}"#,
    )])
    .await;
    let token = good_token();
    let output = run(Some(token.clone()), args(addr, &["--verbose"])).await;
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("401 Unauthorized: InvalidAuthenticationToken: Access token has expired."),
        "{stderr}"
    );
    binary::assert_hidden(&output, &token);
}

/// The exit code and stderr for one run against a server with `script`.
async fn outcome(script: Vec<Answer>, token: String, extra: &[&str]) -> (i32, String, usize) {
    let (addr, seen) = serve(script).await;
    let output = run(Some(token), args(addr, extra)).await;
    let count = seen.lock().unwrap().len();
    (output.status.code().unwrap(), text(&output).1, count)
}

fn odata(status: u16, code: &'static str) -> Answer {
    let body: &'static str = match code {
        "Forbidden" => r#"{"error":{"code":"Forbidden","message":"no"}}"#,
        "NotFound" => r#"{"error":{"code":"NotFound","message":"no such profile"}}"#,
        "TooManyRequests" => r#"{"error":{"code":"TooManyRequests","message":"later"}}"#,
        _ => r#"{"error":{"code":"BadRequest","message":"bad"}}"#,
    };
    (status, vec![("content-type", "application/json")], body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_kind_of_outcome_has_its_exit_code() {
    let token = good_token();
    // (case, server script, extra flags, exit code, stderr excerpt, requests)
    type Case = (
        &'static str,
        Vec<Answer>,
        &'static [&'static str],
        i32,
        &'static str,
        usize,
    );
    let cases: Vec<Case> = vec![
        ("success", vec![(204, vec![], "")], &[], 0, "", 1),
        (
            "forbidden",
            vec![odata(403, "Forbidden")],
            &[],
            4,
            "403 Forbidden",
            1,
        ),
        (
            "not found",
            vec![odata(404, "NotFound")],
            &[],
            5,
            "no such profile",
            1,
        ),
        (
            "throttled",
            vec![{
                let mut answer = odata(429, "TooManyRequests");
                answer.1.push(("retry-after", "0"));
                answer
            }],
            &["--max-attempts", "2"],
            6,
            "gave up after 2 attempts",
            2,
        ),
        (
            "bad request",
            vec![odata(400, "BadRequest")],
            &[],
            7,
            "400 Bad Request",
            1,
        ),
        (
            "server error",
            vec![(500, vec![], "oops")],
            &["--max-attempts", "3"],
            7,
            "500 Internal Server Error",
            1,
        ),
        (
            "undocumented",
            vec![(200, vec![("content-type", "application/json")], "{}")],
            &[],
            8,
            "undocumented response 200 OK",
            1,
        ),
        (
            "204 with a body",
            vec![(
                204,
                vec![("content-type", "application/json")],
                r#"{"unexpected":true}"#,
            )],
            &[],
            8,
            "undocumented response 204 No Content",
            1,
        ),
        (
            "unavailable",
            vec![(503, vec![("retry-after", "0")], "")],
            &["--max-attempts", "2"],
            6,
            "503 Service Unavailable",
            2,
        ),
        (
            "gateway timeout",
            vec![(504, vec![("retry-after", "0")], "")],
            &["--max-attempts", "1"],
            6,
            "504 Gateway Timeout",
            1,
        ),
        (
            // A wait that would pass --max-total-wait is not waited: the
            // run gives up after the first attempt instead of sleeping.
            "total wait",
            vec![{
                let mut answer = odata(429, "TooManyRequests");
                answer.1.push(("retry-after", "30"));
                answer
            }],
            &["--max-total-wait", "10"],
            6,
            "gave up after 1 attempt",
            1,
        ),
    ];
    for (name, script, extra, code, message, requests) in cases {
        let (got, stderr, count) = outcome(script, token.clone(), extra).await;
        assert_eq!(got, code, "{name}: {stderr}");
        assert!(stderr.contains(message), "{name}: {stderr}");
        assert_eq!(count, requests, "{name}: requests sent");
        assert!(!stderr.contains(&token), "{name}: token leaked");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_before_sending_have_their_exit_codes() {
    // Preflight: a JWT without the permission, and a personal account.
    let weak = jwt(&serde_json::json!({"tid": "t", "scp": "User.Read"}));
    let (code, stderr, count) = outcome(vec![(204, vec![], "")], weak.clone(), &[]).await;
    assert_eq!((code, count), (4, 0), "{stderr}");
    assert!(
        stderr.contains("it needs one of DeviceManagementServiceConfig.ReadWrite.All or DeviceManagementConfiguration.ReadWrite.All"),
        "{stderr}"
    );
    // ... which --no-preflight lets through.
    let (code, _, count) = outcome(vec![(204, vec![], "")], weak, &["--no-preflight"]).await;
    assert_eq!((code, count), (0, 1));
    let personal = jwt(&serde_json::json!({
        "tid": "9188040d-6c67-4c5b-b112-36a304b66dad",
        "scp": "DeviceManagementServiceConfig.ReadWrite.All"
    }));
    let (code, stderr, count) = outcome(vec![(204, vec![], "")], personal, &[]).await;
    assert_eq!((code, count), (4, 0), "{stderr}");
    assert!(stderr.contains("personal Microsoft accounts are not supported"));

    // No token at all.
    let (addr, seen) = serve(vec![(204, vec![], "")]).await;
    let output = run(None, args(addr, &[])).await;
    assert_eq!(output.status.code(), Some(3));
    assert!(text(&output).1.contains("no token"));
    assert!(seen.lock().unwrap().is_empty());

    // An id the transport refuses: nothing sent.
    let mut dots = args(addr, &[]);
    dots[2] = "..".into();
    let output = run(Some(good_token()), dots).await;
    assert_eq!(output.status.code(), Some(3), "{:?}", text(&output));
    assert!(seen.lock().unwrap().is_empty());

    // Plain http off loopback, and an unknown cloud (a usage error).
    let output = run(
        Some(good_token()),
        vec![
            "assign".into(),
            "profile".into(),
            "p".into(),
            "--device".into(),
            "d".into(),
            "--base-url".into(),
            "http://graph.example.org/beta".into(),
            "--allow-non-guid".into(),
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(3));
    let output = run(
        Some(good_token()),
        vec![
            "assign".into(),
            "profile".into(),
            "p".into(),
            "--device".into(),
            "d".into(),
            "--cloud".into(),
            "mars".into(),
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output).1;
    assert!(
        stderr.contains("global") && stderr.contains("usgov-dod") && stderr.contains("china"),
        "the spec's clouds are offered: {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_failures_exit_with_their_code() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    // One attempt: the CLI retries failed connections with real backoff
    // waits (the runtime's tests check those with a recording clock).
    let output = run(Some(good_token()), args(addr, &["--max-attempts", "1"])).await;
    assert_eq!(output.status.code(), Some(9), "{:?}", text(&output));
}

#[test]
fn help_documents_the_exit_codes_and_flags() {
    let output = binary::autopilot(&["--help"], None).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8_lossy(&output.stdout);
    for expected in [
        "Exit codes:",
        "4  the token cannot make this call",
        "6  still throttled or unavailable (429, 503, 504) after every retry",
        "9  network failure",
        "--verbose",
        "--max-attempts",
        "--max-total-wait",
        "--no-preflight",
        "--cloud",
    ] {
        assert!(help.contains(expected), "missing {expected:?} in:\n{help}");
    }
}

#[test]
fn dry_run_names_the_cloud_from_the_spec() {
    let token = good_token();
    let output = binary::autopilot(
        &[
            "assign",
            "profile",
            "p",
            "--device",
            "d",
            "--cloud",
            "usgov-dod",
            "--dry-run",
            "--allow-non-guid",
        ],
        Some(&token),
    )
    .output()
    .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with(
            "POST https://dod-graph.microsoft.us/beta/deviceManagement/windowsAutopilotDeploymentProfiles/p/assign"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("Authorization: Bearer <redacted>"));
    binary::assert_hidden(&output, &token);
}

fn assign_with(extra: &[&str]) -> Vec<String> {
    ["assign", "profile", "p", "--allow-non-guid"]
        .iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_ids_come_from_a_file_after_those_of_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("devices.txt");
    // Windows line ends, padding, blank lines and comments, no final newline.
    std::fs::write(
        &list,
        "# exported from Intune\r\nd-2\r\n\r\n   d-3  \n#d-skipped\nd-4",
    )
    .unwrap();
    let list = list.to_str().unwrap();
    let (addr, seen) = serve(vec![(204, vec![], "")]).await;
    let base = format!("http://{addr}/beta");
    let output = run(
        Some(good_token()),
        assign_with(&[
            "--device",
            "d-1",
            "--devices-file",
            list,
            "--base-url",
            &base,
        ]),
    )
    .await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("(4 device(s))"), "{stdout}");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&seen[0].body).unwrap(),
        serde_json::json!({"deviceIds": ["d-1", "d-2", "d-3", "d-4"]})
    );
}

#[test]
fn device_ids_come_from_standard_input_with_a_dash() {
    use std::io::Write as _;
    let mut child = binary::autopilot(
        &assign_with(&["--devices-file", "-", "--dry-run"]),
        Some(&good_token()),
    )
    .stdin(std::process::Stdio::piped())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"s-1\ns-2\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.ends_with("\n{\"deviceIds\":[\"s-1\",\"s-2\"]}\n"),
        "{stdout}"
    );
}

#[test]
fn a_bad_device_list_is_refused_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let cli = |extra: &[&str]| {
        let output = binary::autopilot(&assign_with(extra), Some(&good_token()))
            .args(["--base-url", "http://127.0.0.1:9/beta"])
            .output()
            .unwrap();
        (output.status.code(), text(&output).1)
    };

    // Two ids run together on line 3: refused with file and line.
    let joined = dir.path().join("joined.txt");
    std::fs::write(&joined, "d-1\n\nd-2 d-3\n").unwrap();
    let (code, stderr) = cli(&["--devices-file", joined.to_str().unwrap()]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}:3: `d-2 d-3` holds whitespace",
            joined.display()
        )),
        "{stderr}"
    );

    // Nothing but comments.
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "# none yet\n\n").unwrap();
    let (code, stderr) = cli(&["--devices-file", empty.to_str().unwrap()]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains("holds no device ids"), "{stderr}");

    // A file that is not there.
    let missing = dir.path().join("missing.txt");
    let (code, stderr) = cli(&["--devices-file", missing.to_str().unwrap()]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "cannot read device ids from {}",
            missing.display()
        )),
        "{stderr}"
    );

    // Neither --device nor --devices-file: a usage error naming both.
    let (code, stderr) = cli(&[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("--device <ID>|--devices-file <PATH>"),
        "{stderr}"
    );
}

/// Runs a real call of `subcommand` (no dry run) and returns what the
/// server saw.
async fn real_call(subcommand: &str) -> (i32, String, Vec<Received>) {
    let (addr, seen) = serve(vec![(204, vec![("request-id", "req-1")], "")]).await;
    let output = run(
        Some(good_token()),
        vec![
            "assign".into(),
            subcommand.into(),
            "target-1".into(),
            "--device".into(),
            "device-1".into(),
            "--allow-non-guid".into(),
            "--base-url".into(),
            format!("http://{addr}/beta"),
        ],
    )
    .await;
    let (stdout, stderr) = text(&output);
    let seen = seen.lock().unwrap().clone();
    (
        output.status.code().unwrap(),
        format!("{stdout}{stderr}"),
        seen,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_subcommand_makes_its_real_call_on_its_own_route() {
    for (subcommand, route) in [
        (
            "profile",
            "POST /beta/deviceManagement/windowsAutopilotDeploymentProfiles/target-1/assign",
        ),
        (
            "device-profile",
            "POST /beta/deviceManagement/windowsAutopilotDeviceIdentities/target-1/deploymentProfile/assign",
        ),
        (
            "intended-profile",
            "POST /beta/deviceManagement/windowsAutopilotDeviceIdentities/target-1/intendedDeploymentProfile/assign",
        ),
    ] {
        let (code, output, seen) = real_call(subcommand).await;
        assert_eq!(code, 0, "{subcommand}: {output}");
        let routes = scripted::routes(&seen);
        assert_eq!(routes, [route], "{subcommand}");
        assert_eq!(
            seen[0].headers["authorization"].to_str().unwrap(),
            format!("Bearer {}", good_token())
        );
    }
}

/// A server that accepts connections and never answers.
async fn silent_server() -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            open.push(socket);
        }
    });
    (addr, held)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_limits_each_request_and_deadline_the_run() {
    // Only --timeout ends the call.
    let (addr, held) = silent_server().await;
    let output = run(
        Some(good_token()),
        args(addr, &["--timeout", "1", "--max-attempts", "1"]),
    )
    .await;
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(9), "{stderr}");
    assert!(stderr.contains("timed out"), "{stderr}");
    // Only --deadline ends the run: the per-request timeout is far off.
    let output = run(
        Some(good_token()),
        args(addr, &["--timeout", "60", "--deadline", "1"]),
    )
    .await;
    held.abort();
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(9), "{stderr}");
    assert!(
        stderr.contains("not finished when the --deadline passed (1 device(s))"),
        "{stderr}"
    );
}

#[test]
fn version_names_the_package_version() {
    let output = binary::autopilot(&["--version"], None).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("autopilot {}\n", env!("CARGO_PKG_VERSION"))
    );
}

/// `--auth file` (implied by --token-file) and `--auth env` on real calls:
/// the token each names is the one sent, and it never shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_file_and_env_tokens_are_the_ones_sent() {
    let dir = tempfile::tempdir().unwrap();
    let from_file = binary::token_with(serde_json::json!({"by": "file"}));
    let file = dir.path().join("token");
    std::fs::write(&file, format!("\n  {from_file}  \n")).unwrap();
    let from_env = binary::token_with(serde_json::json!({"by": "env"}));
    for (extra, env, sent) in [
        (
            vec!["--token-file", file.to_str().unwrap()],
            None,
            &from_file,
        ),
        // The file wins over GRAPH_TOKEN when named.
        (
            vec!["--token-file", file.to_str().unwrap()],
            Some(&from_env),
            &from_file,
        ),
        (vec!["--auth", "env"], Some(&from_env), &from_env),
    ] {
        let (addr, seen) = serve(vec![(204, vec![], "")]).await;
        let output = run(env.cloned(), args(addr, &extra)).await;
        assert_eq!(output.status.code(), Some(0), "{extra:?}: {output:?}");
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 1, "{extra:?}");
        assert_eq!(
            seen[0].headers["authorization"].to_str().unwrap(),
            format!("Bearer {sent}"),
            "{extra:?}"
        );
        binary::assert_hidden(&output, &from_file);
        binary::assert_hidden(&output, &from_env);
    }
}
