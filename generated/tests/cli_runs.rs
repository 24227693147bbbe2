//! The built `autopilot` binary on whole runs: batches and the JSON
//! report, token checks that send nothing, device lists as admins export
//! them, escape sequences from a hostile server, and the habits
//! (GRAPH_CLOUD, completions, man page).

#[path = "support/binary.rs"]
mod binary;
#[path = "../../codegen/runtime/tests/common/resetting.rs"]
mod resetting;
#[path = "support/scripted.rs"]
mod scripted;
#[path = "support/tls.rs"]
mod tls;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use binary::{autopilot, run, token_with};
use serde_json::{Value, json};

fn guid(n: usize) -> String {
    format!("{n:08x}-0000-4000-8000-{n:012x}")
}

/// `assign profile p1` for one device at `base`, then `extra`.
fn one_device(base: &str, extra: &[&str]) -> Vec<String> {
    let device = guid(1);
    [
        "assign",
        "profile",
        "p1",
        "--device",
        &device,
        "--base-url",
        base,
    ]
    .iter()
    .chain(extra)
    .map(|s| s.to_string())
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_are_reported_one_by_one_and_a_failure_hides_nothing() {
    let (addr, seen) = scripted::serve(vec![
        // Batch 1: throttled once, then assigned.
        (429, vec![("retry-after", "0"), ("request-id", "r-429")], ""),
        (204, vec![("request-id", "r-1")], ""),
        // Batch 2: refused.
        (
            400,
            vec![("content-type", "application/json"), ("request-id", "r-2")],
            r#"{"error":{"code":"BadRequest","message":"one id is unknown"}}"#,
        ),
        // Batch 3: assigned.
        (204, vec![("request-id", "r-3")], ""),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("devices.txt");
    let ids: Vec<String> = (0..2500).map(guid).collect();
    std::fs::write(&list, ids.join("\n")).unwrap();
    let base = format!("http://{addr}/beta");
    let token = token_with(json!({}));
    let output = run(autopilot(
        &[
            "assign",
            "profile",
            "p1",
            "--devices-file",
            list.to_str().unwrap(),
            "--batch-size",
            "1000",
            "--output",
            "json",
            "--base-url",
            &base,
        ],
        Some(&token),
    ))
    .await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(7), "{stderr}");

    // Three batches, four calls (one retry), each batch's ids in order.
    let seen = seen.lock().unwrap().clone();
    let sizes: Vec<usize> = seen
        .iter()
        .map(|r| {
            serde_json::from_slice::<Value>(&r.body).unwrap()["deviceIds"]
                .as_array()
                .unwrap()
                .len()
        })
        .collect();
    assert_eq!(sizes, [1000, 1000, 1000, 500]);
    assert!(
        seen.iter().all(|r| r.route
            == "POST /beta/deviceManagement/windowsAutopilotDeploymentProfiles/p1/assign"
            && r.query.is_empty()),
        "{seen:?}"
    );

    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["exitCode"], 7);
    assert_eq!(report["devices"], 2500);
    assert_eq!(report["assigned"], 1500);
    let batches = report["batches"].as_array().unwrap();
    assert_eq!(batches.len(), 3);
    let outcomes: Vec<(&str, &str, u64)> = batches
        .iter()
        .map(|b| {
            (
                b["outcome"].as_str().unwrap(),
                b["requestId"].as_str().unwrap(),
                b["attempts"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("assigned", "r-1", 2),
            ("failed", "r-2", 1),
            ("assigned", "r-3", 1)
        ]
    );
    assert_eq!(batches[1]["status"], 400);
    assert_eq!(batches[1]["error"]["code"], "BadRequest");
    assert_eq!(batches[0]["deviceIds"][0], ids[0]);
    assert_eq!(batches[2]["deviceIds"][499], ids[2499]);
    // Each batch's client-request-id is the one its requests carried (the
    // retry keeps it), and no two batches share one.
    let sent: Vec<&str> = seen
        .iter()
        .map(|r| r.headers["client-request-id"].to_str().unwrap())
        .collect();
    assert_eq!(sent[0], sent[1]);
    for (batch, request) in [(0, 1), (1, 2), (2, 3)] {
        assert_eq!(batches[batch]["clientRequestId"], sent[request]);
    }
    assert_ne!(sent[1], sent[2]);
    assert!(!String::from_utf8_lossy(&output.stdout).contains(&token));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_output_names_each_batch_and_its_request_id() {
    let (addr, _) = scripted::serve(vec![(204, vec![("request-id", "r-ok")], "")]).await;
    let base = format!("http://{addr}/beta");
    let devices = format!("{},{},{}", guid(1), guid(2), guid(3));
    let output = run(autopilot(
        &[
            "assign",
            "profile",
            "p1",
            "--device",
            &devices,
            "--batch-size",
            "2",
            "--base-url",
            &base,
        ],
        Some(&token_with(json!({}))),
    ))
    .await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        stdout.starts_with(
            "batch 1/2: assigned: POST /deviceManagement/windowsAutopilotDeploymentProfiles/p1/assign (2 device(s)) request-id r-ok client-request-id "
        ),
        "{stdout}"
    );
    assert!(stdout.contains("\nbatch 2/2: assigned: POST"), "{stdout}");
    assert!(
        stdout.ends_with("assigned 3 of 3 device(s) in 2 of 2 batch(es)\n"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_and_wrong_audience_tokens_send_nothing() {
    let (addr, seen) = scripted::serve(vec![(204, vec![], "")]).await;
    let base = format!("http://{addr}/beta");
    let an_hour_ago = SystemTime::now()
        .checked_sub(Duration::from_secs(3600))
        .unwrap()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let expired = token_with(json!({ "exp": an_hour_ago }));
    let global = token_with(json!({ "aud": "https://graph.microsoft.com" }));
    for (token, cloud, message) in [
        (&expired, "global", "the token expired 60m ago"),
        (
            &global,
            "usgov",
            "the token was issued for https://graph.microsoft.com but this call needs a token for https://graph.microsoft.us",
        ),
    ] {
        let output = run(autopilot(
            &one_device(&base, &["--cloud", cloud]),
            Some(token),
        ))
        .await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(4), "{stderr}");
        assert!(stderr.contains(message), "{stderr}");
    }
    assert!(seen.lock().unwrap().is_empty(), "nothing may be sent");
    // The right cloud's token goes through, once.
    let output = run(autopilot(
        &one_device(&base, &["--cloud", "global"]),
        Some(&global),
    ))
    .await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[test]
fn device_lists_as_windows_tools_write_them() {
    let dir = tempfile::tempdir().unwrap();
    let dry_run_ids = |file: &std::path::Path, extra: &[&str]| {
        let output = autopilot(
            &[
                &["assign", "profile", "p", "--dry-run", "--devices-file"][..],
                &[file.to_str().unwrap()],
                extra,
            ]
            .concat(),
            None,
        )
        .output()
        .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let body = stdout.lines().last().unwrap_or_default().to_owned();
        (output.status.code(), body, stderr)
    };
    let (a, b) = (guid(10), guid(11));

    // Out-File in Windows PowerShell 5.1: UTF-16 LE with a BOM, CRLF.
    let utf16 = dir.path().join("utf16.txt");
    let mut bytes = vec![0xFF, 0xFE];
    for unit in format!("{a}\r\n{b}\r\n").encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    std::fs::write(&utf16, bytes).unwrap();
    let (code, body, stderr) = dry_run_ids(&utf16, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(body, format!(r#"{{"deviceIds":["{a}","{b}"]}}"#));

    // Notepad's UTF-8 with a BOM, and a duplicate.
    let bom = dir.path().join("bom.txt");
    std::fs::write(&bom, format!("\u{feff}{a}\n{b}\n{a}\n")).unwrap();
    let (code, body, stderr) = dry_run_ids(&bom, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(body, format!(r#"{{"deviceIds":["{a}","{b}"]}}"#));
    assert!(
        stderr.contains(&format!(
            "note: {}:3: dropped duplicate device id {a}",
            bom.display()
        )),
        "{stderr}"
    );

    // A CSV export with a header row: the id column is found, or named.
    let csv = dir.path().join("export.csv");
    std::fs::write(
        &csv,
        format!("Serial number,Azure AD Device ID,Group tag\nSN1,{a},x\nSN2,{b},y\n"),
    )
    .unwrap();
    let (code, body, stderr) = dry_run_ids(&csv, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(body, format!(r#"{{"deviceIds":["{a}","{b}"]}}"#));
    let (code, _, stderr) = dry_run_ids(&csv, &["--column", "Serial number"]);
    assert_eq!(code, Some(3), "serials are not GUIDs: {stderr}");
    assert!(
        stderr.contains(&format!("{}:2: `SN1` is not a GUID", csv.display())),
        "{stderr}"
    );

    // An empty id, with its file and line.
    let holes = dir.path().join("holes.csv");
    std::fs::write(&holes, format!("Id,Name\n{a},pc1\n,pc2\n")).unwrap();
    let (code, _, stderr) = dry_run_ids(&holes, &[]);
    assert_eq!(code, Some(3));
    assert!(
        stderr.contains(&format!(
            "{}:3: empty device id in column `Id`",
            holes.display()
        )),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escape_sequences_from_the_server_never_reach_the_terminal() {
    let (addr, _) = scripted::serve(vec![(
        400,
        vec![("content-type", "application/json")],
        "{\"error\":{\"code\":\"Bad\\u001b]0;owned\\u0007\",\"message\":\"\u{1b}[2J\u{1b}[31mgone\r\"}}",
    )])
    .await;
    let base = format!("http://{addr}/beta");
    let output = run(autopilot(
        &one_device(&base, &["-v"]),
        Some(&token_with(json!({}))),
    ))
    .await;
    assert_eq!(output.status.code(), Some(7));
    let all = [output.stdout, output.stderr].concat();
    let text = String::from_utf8_lossy(&all);
    assert!(
        !all.iter().any(|b| *b == 0x1b || *b == 0x07 || *b == b'\r'),
        "{text}"
    );
    assert!(text.contains("\\u{1b}[2J"), "{text}");
}

#[test]
fn graph_cloud_sets_the_cloud_and_is_checked() {
    let mut command = autopilot(
        &["assign", "profile", "p", "--device", &guid(1), "--dry-run"],
        None,
    );
    let output = command.env("GRAPH_CLOUD", "usgov").output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .starts_with("POST https://graph.microsoft.us/beta/")
    );
    let output = command.env("GRAPH_CLOUD", "mars").output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
}

#[test]
fn completions_and_man_page_come_from_the_command_line_definition() {
    let output = autopilot(&["completions", "bash"], None).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let script = String::from_utf8_lossy(&output.stdout);
    assert!(
        script.contains("_autopilot()") && script.contains("--batch-size"),
        "{script}"
    );
    let output = autopilot(&["man"], None).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let page = String::from_utf8_lossy(&output.stdout);
    assert!(
        page.starts_with(".ie") || page.contains(".TH autopilot"),
        "{page}"
    );
    assert!(page.contains("Exit codes"), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_os_certificate_store_is_trusted() {
    // A TLS-inspecting proxy's root lives in the OS store; SSL_CERT_FILE
    // stands in for that store here (rustls-native-certs reads it).
    let (addr, seen) = tls::serve(vec![(204, vec![("request-id", "tls-1")], "")]).await;
    let base = format!("https://localhost:{}/beta", addr.port());
    let ca = tls::ca();
    let args = one_device(&base, &["--max-attempts", "1"]);
    let token = token_with(json!({}));
    let mut trusted = autopilot(&args, Some(&token));
    trusted.env("SSL_CERT_FILE", &ca).env_remove("SSL_CERT_DIR");
    let output = run(trusted).await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("request-id tls-1"));
    assert_eq!(seen.lock().unwrap().len(), 1);
    // Without the root in the store: a TLS failure, exit 9.
    let mut untrusted = autopilot(&args, Some(&token));
    untrusted
        .env("SSL_CERT_FILE", "/nonexistent/ca.pem")
        .env_remove("SSL_CERT_DIR");
    let output = run(untrusted).await;
    assert_eq!(output.status.code(), Some(9), "{output:?}");
    // The cause is named, so an admin behind a proxy knows what to fix.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("UnknownIssuer"), "{stderr}");
    assert_eq!(seen.lock().unwrap().len(), 1, "nothing more was served");
}

/// A pseudo-terminal, 30 rows by 120 columns: the side the child writes
/// to, and the side a test reads what it wrote from.
#[cfg(unix)]
fn terminal() -> (std::fs::File, std::os::fd::OwnedFd) {
    use std::os::fd::FromRawFd as _;
    let (mut reader, mut child_side) = (-1, -1);
    let size = libc::winsize {
        ws_row: 30,
        ws_col: 120,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two new descriptors, which we then own; the
    // name and termios pointers may be null, the size is read only.
    let status = unsafe {
        libc::openpty(
            &mut reader,
            &mut child_side,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(status, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors are open and owned by nothing else.
    unsafe {
        (
            std::fs::File::from_raw_fd(reader),
            std::os::fd::OwnedFd::from_raw_fd(child_side),
        )
    }
}

/// Runs `command` with its stderr on a terminal; returns what reached the
/// terminal and the run's output (stdout captured).
#[cfg(unix)]
async fn run_on_a_terminal(mut command: std::process::Command) -> (String, std::process::Output) {
    use std::io::Read as _;
    let (mut screen, child_side) = terminal();
    command.stderr(std::process::Stdio::from(child_side));
    // Read as the child writes, so it never blocks on a full terminal; the
    // read ends (EIO) once the child, the last holder of its side, exits.
    let reading = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let mut chunk = [0; 4096];
        while let Ok(n @ 1..) = screen.read(&mut chunk) {
            bytes.extend_from_slice(&chunk[..n]);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    });
    // `run` drops the command, and with it our copy of the child's side.
    let output = run(command).await;
    (reading.join().unwrap(), output)
}

/// On a terminal, a run shows a progress bar over the devices that names
/// a throttling wait while it lasts, and clears it at the end; through a
/// pipe, or with --verbose, there is no bar.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_progress_bar_is_on_a_terminal_only_and_shows_throttling_waits() {
    let script = || {
        vec![
            (204, vec![("request-id", "r-1")], ""),
            // The second batch waits 2 s (the bar ticks every 200 ms).
            (429, vec![("retry-after", "2")], ""),
            (204, vec![("request-id", "r-2")], ""),
        ]
    };
    let token = token_with(json!({}));
    let second = guid(2);
    // Two devices, one a batch.
    let args = |base: &str, extra: &[&str]| -> Vec<String> {
        let two = one_device(base, &["--device", &second, "--batch-size", "1"]);
        two.into_iter()
            .chain(extra.iter().map(|s| s.to_string()))
            .collect()
    };

    let (addr, _) = scripted::serve(script()).await;
    let base = format!("http://{addr}/beta");
    let (screen, output) = run_on_a_terminal(autopilot(&args(&base, &[]), Some(&token))).await;
    assert_eq!(output.status.code(), Some(0), "{output:?}\n{screen}");
    assert!(screen.contains("/2 devices"), "no bar:\n{screen:?}");
    assert!(
        screen.contains("] 1/2 devices throttled (429): waiting 2s before attempt 2"),
        "the wait is not on the bar:\n{screen:?}"
    );
    // Cleared at the end: the last thing drawn erases the line.
    let last = screen.rfind("devices").unwrap();
    assert!(
        screen[last..].contains("\r\u{1b}[2K"),
        "not cleared:\n{screen:?}"
    );
    // The report is on stdout, untouched by the bar.
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("batch 1/2: assigned: POST") && !stdout.contains('\u{1b}'),
        "{stdout:?}"
    );

    // With --verbose on a terminal: the exchanges, no bar.
    let (addr, _) = scripted::serve(script()).await;
    let base = format!("http://{addr}/beta");
    let (screen, output) =
        run_on_a_terminal(autopilot(&args(&base, &["--verbose"]), Some(&token))).await;
    assert_eq!(output.status.code(), Some(0), "{output:?}\n{screen}");
    assert!(screen.contains("< 429 Too Many Requests"), "{screen:?}");
    assert!(
        !screen.contains("/2 devices"),
        "a bar under -v:\n{screen:?}"
    );

    // Through a pipe: no bar, no terminal control.
    let (addr, _) = scripted::serve(script()).await;
    let base = format!("http://{addr}/beta");
    let output = run(autopilot(&args(&base, &[]), Some(&token))).await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("devices") && !stderr.contains('\u{1b}') && !stderr.contains('\r'),
        "{stderr:?}"
    );
}

/// One device assigned to profile `p1` at `base`, with a token preflight
/// accepts.
async fn assign_one(base: &str) -> std::process::Output {
    run(autopilot(
        &one_device(base, &[]),
        Some(&token_with(json!({}))),
    ))
    .await
}

/// The CLI's calls are idempotent: a connection reset after the request
/// was sent is retried once (after the client's backoff), and succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_connection_is_retried_and_then_succeeds() {
    let (addr, connections) = resetting::serve(1).await;
    let base = format!("http://{addr}/beta");
    let output = assign_one(&base).await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("request-id r-2"));
    assert_eq!(*connections.lock().unwrap(), 2);
}

/// A success body longer than the cap (1 MiB, as for error bodies) is
/// refused, not read whole: assign documents 204 with no body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_success_body_over_the_cap_is_refused() {
    let body: &'static str = Box::leak("x".repeat(3 << 20).into_boxed_str());
    let (addr, _) = scripted::serve(vec![(200, vec![], body)]).await;
    let base = format!("http://{addr}/beta");
    let output = assign_one(&base).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(8), "{stderr}");
    assert!(
        stderr.contains("the body is longer than the client reads for a success"),
        "{stderr}"
    );
    assert!(
        stderr.len() < 4096,
        "the body is not echoed: {} bytes",
        stderr.len()
    );
}
