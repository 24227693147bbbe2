//! The `autopilot` binary's dry run, flags, and input errors (nothing here
//! touches the network: a dry run sends nothing, and the error cases fail
//! before sending).

#[path = "support/binary.rs"]
mod binary;

use std::process::Output;

fn autopilot(args: &[&str], token: Option<&str>) -> Output {
    let mut cmd = binary::autopilot(args, token);
    if args.contains(&"assign") {
        // These tests are about the request, not the GUID check.
        cmd.arg("--allow-non-guid");
    }
    cmd.output().unwrap()
}

const TOKEN: &str = "eyJhbGciOiJub25lIn0.e30.secret-part";

#[test]
fn dry_run_prints_the_exact_request_with_the_token_redacted() {
    let out = autopilot(
        &[
            "assign",
            "profile",
            "a/b c",
            "--device",
            "d1",
            "--device",
            "d2",
            "--dry-run",
        ],
        Some(TOKEN),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout,
        "POST https://graph.microsoft.com/beta/deviceManagement/windowsAutopilotDeploymentProfiles/a%2Fb%20c/assign\n\
         Authorization: Bearer <redacted>\n\
         Accept: application/json\n\
         Content-Type: application/json\n\
         \n\
         {\"deviceIds\":[\"d1\",\"d2\"]}\n"
    );
    assert!(!stdout.contains(TOKEN) && !String::from_utf8_lossy(&out.stderr).contains(TOKEN));
}

#[test]
fn a_dry_run_refuses_what_a_real_call_would_refuse() {
    // An empty id would address the collection, not a profile: the spec
    // check refuses it before anything is sent, dry run or not.
    let args = ["assign", "profile", "", "--device", "d1"];
    let dry = autopilot(&[&args[..], &["--dry-run"]].concat(), Some(TOKEN));
    let real = autopilot(&args, Some(TOKEN));
    assert_eq!(dry.status.code(), Some(3), "{dry:?}");
    assert!(dry.stdout.is_empty(), "nothing to show: {dry:?}");
    let stderr = String::from_utf8(dry.stderr).unwrap();
    assert!(
        stderr.contains("invalid request, not sent")
            && stderr.contains("/path/windowsAutopilotDeploymentProfileId"),
        "{stderr}"
    );
    // The real call fails the same way, before the network.
    assert_eq!(real.status.code(), Some(3));
    assert_eq!(String::from_utf8(real.stderr).unwrap(), stderr);
}

#[test]
fn global_flags_work_before_and_after_the_subcommand() {
    let before = autopilot(
        &[
            "--cloud",
            "usgov-dod",
            "--dry-run",
            "assign",
            "device-profile",
            "id1",
            "--device",
            "x",
        ],
        Some(TOKEN),
    );
    let after = autopilot(
        &[
            "assign",
            "device-profile",
            "id1",
            "--device",
            "x",
            "--cloud",
            "usgov-dod",
            "--dry-run",
        ],
        Some(TOKEN),
    );
    assert!(before.status.success() && after.status.success());
    assert_eq!(before.stdout, after.stdout);
    let first_line = String::from_utf8(before.stdout)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        first_line,
        "POST https://dod-graph.microsoft.us/beta/deviceManagement/windowsAutopilotDeviceIdentities/id1/deploymentProfile/assign"
    );
}

#[test]
fn every_cloud_and_route_has_its_root_and_path() {
    for (cloud, root) in [
        ("global", "https://graph.microsoft.com/beta"),
        ("usgov", "https://graph.microsoft.us/beta"),
        ("usgov-dod", "https://dod-graph.microsoft.us/beta"),
        ("china", "https://microsoftgraph.chinacloudapi.cn/beta"),
    ] {
        for (sub, path) in [
            (
                "profile",
                "/deviceManagement/windowsAutopilotDeploymentProfiles/i/assign",
            ),
            (
                "device-profile",
                "/deviceManagement/windowsAutopilotDeviceIdentities/i/deploymentProfile/assign",
            ),
            (
                "intended-profile",
                "/deviceManagement/windowsAutopilotDeviceIdentities/i/intendedDeploymentProfile/assign",
            ),
        ] {
            let out = autopilot(
                &[
                    "assign",
                    sub,
                    "i",
                    "--device",
                    "x",
                    "--cloud",
                    cloud,
                    "--dry-run",
                ],
                None,
            );
            assert!(out.status.success());
            let stdout = String::from_utf8(out.stdout).unwrap();
            assert!(
                stdout.starts_with(&format!("POST {root}{path}\n")),
                "{cloud} {sub}: {stdout}"
            );
        }
    }
}

#[test]
fn token_file_is_read_and_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, format!("  {TOKEN}\n")).unwrap();
    let out = autopilot(
        &[
            "assign",
            "profile",
            "p",
            "--device",
            "d",
            "--token-file",
            file.to_str().unwrap(),
            "--dry-run",
        ],
        None,
    );
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("Authorization: Bearer <redacted>"));
    assert!(!stdout.contains(TOKEN));
}

#[test]
fn input_errors_exit_3_and_usage_errors_exit_2() {
    // Plain http to a non-loopback host is refused even for a dry run.
    let out = autopilot(
        &[
            "assign",
            "profile",
            "p",
            "--device",
            "d",
            "--base-url",
            "http://example.com/beta",
            "--dry-run",
        ],
        Some(TOKEN),
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("http"));
    // Loopback http is fine.
    let out = autopilot(
        &[
            "assign",
            "profile",
            "p",
            "--device",
            "d",
            "--base-url",
            "http://127.0.0.1:9/beta",
            "--dry-run",
        ],
        Some(TOKEN),
    );
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .starts_with("POST http://127.0.0.1:9/beta/deviceManagement/")
    );
    // No token and no dry run: nothing can be sent.
    let out = autopilot(&["assign", "profile", "p", "--device", "d"], None);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("GRAPH_TOKEN"));
    // Zero is no limit for --timeout, and no batch: usage errors.
    for zero in [
        ["--timeout", "0"],
        ["--batch-size", "0"],
        ["--max-attempts", "0"],
    ] {
        let out = autopilot(
            &[
                &["assign", "profile", "p", "--device", "d", "--dry-run"][..],
                &zero,
            ]
            .concat(),
            Some(TOKEN),
        );
        assert_eq!(out.status.code(), Some(2), "{zero:?}: {out:?}");
    }
    // Missing --device is a usage error.
    let out = autopilot(&["assign", "profile", "p"], Some(TOKEN));
    assert_eq!(out.status.code(), Some(2));
    // --cloud with --base-url names the cloud tokens are for; the host must
    // still be one of the spec's clouds, loopback, or --allow-host.
    let out = autopilot(
        &[
            "assign",
            "profile",
            "p",
            "--device",
            "d",
            "--cloud",
            "china",
            "--base-url",
            "https://x/beta",
            "--dry-run",
        ],
        Some(TOKEN),
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("pass --allow-host x if that is meant"),
        "{out:?}"
    );
    let out = autopilot(
        &[
            "assign",
            "profile",
            "p",
            "--device",
            "d",
            "--base-url",
            "https://x/beta",
            "--allow-host",
            "x",
            "--dry-run",
        ],
        Some(TOKEN),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn help_documents_the_exit_codes() {
    let out = autopilot(&["--help"], None);
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for code in [
        "0  success",
        "2  command-line usage",
        "3  bad local input",
        "4  the token cannot make this call",
        "5  Graph answered 404",
        "6  still throttled",
        "7  any other Graph error",
        "8  undocumented response",
        "9  network failure",
    ] {
        assert!(help.contains(code), "--help lacks `{code}`:\n{help}");
    }
}

#[test]
fn a_dot_dot_id_is_refused_by_the_dry_run_as_by_the_real_call() {
    // Nothing listens on port 9: the real call must fail before the network.
    let args = [
        "assign",
        "profile",
        "..",
        "--device",
        "d1",
        "--base-url",
        "http://127.0.0.1:9/beta",
    ];
    let dry = autopilot(&[&args[..], &["--dry-run"]].concat(), Some(TOKEN));
    let real = autopilot(&args, Some(TOKEN));
    assert_eq!(dry.status.code(), Some(3), "{dry:?}");
    assert_eq!(real.status.code(), Some(3), "{real:?}");
    assert!(dry.stdout.is_empty(), "{dry:?}");
    let stderr = String::from_utf8(dry.stderr).unwrap();
    assert!(
        stderr.contains("cannot be sent as a path segment"),
        "{stderr}"
    );
    assert_eq!(String::from_utf8(real.stderr).unwrap(), stderr);
}

#[test]
fn the_dry_run_says_when_there_is_no_token() {
    let out = autopilot(
        &["assign", "profile", "p", "--device", "d", "--dry-run"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(
            "\nAuthorization: Bearer <none: set GRAPH_TOKEN or --token-file, or choose --auth>\n"
        ),
        "{stdout}"
    );
}

#[test]
fn an_unreadable_or_empty_token_file_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::write(&empty, " \n").unwrap();
    let missing = dir.path().join("missing");
    // Nothing listens on port 9; both fail before the network anyway.
    let base = [
        "assign",
        "profile",
        "p",
        "--device",
        "d",
        "--base-url",
        "http://127.0.0.1:9/beta",
    ];
    for (file, message) in [
        (&empty, format!("token file {} is empty", empty.display())),
        (
            &missing,
            format!("cannot read token file {}", missing.display()),
        ),
        // A directory cannot be read as a file.
        (
            &dir.path().to_path_buf(),
            format!("cannot read token file {}", dir.path().display()),
        ),
    ] {
        let out = autopilot(
            &[&base[..], &["--token-file", file.to_str().unwrap()]].concat(),
            Some(TOKEN),
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(stderr.contains(&message), "{stderr}");
    }
}
