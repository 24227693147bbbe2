//! Each `--auth` sign-in of the built `autopilot` binary against loopback
//! stand-ins: a fake `az` on PATH, an App Service managed identity
//! endpoint, an Entra ID device code endpoint, and an Entra ID token
//! endpoint for an app's client secret. The token each hands out reaches
//! the Graph stand-in and never the output.
//!
//! `--auth client-secret` goes through `azure_identity`, which accepts only
//! an https authority: its stand-in is served over TLS on loopback, with a
//! test CA that `SSL_CERT_FILE` puts in the store.

#[path = "support/binary.rs"]
mod binary;
#[path = "support/scripted.rs"]
mod scripted;
#[path = "support/tls.rs"]
mod tls;

use std::path::Path;
use std::process::Command;

use binary::{assert_hidden, run};

const DEVICE: &str = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

/// A JWT preflight accepts, marked so each test can tell whose it is.
fn token(marker: &str) -> String {
    binary::token_with(serde_json::json!({ "by": marker }))
}

/// The binary with no ambient credentials: only what a test sets.
fn autopilot<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Command {
    binary::autopilot(args, None)
}

fn assign_args(base: &str) -> Vec<String> {
    [
        "assign",
        "profile",
        "p1",
        "--device",
        DEVICE,
        "--base-url",
        base,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_cli_signs_in_through_az_on_path_for_the_clouds_scope() {
    let bin = tempfile::tempdir().unwrap();
    let args_file = bin.path().join("args");
    let az = bin.path().join("az");
    let token = token("azure-cli");
    std::fs::write(
        &az,
        format!(
            "#!/bin/sh\necho \"$@\" > '{}'\nprintf '{{\"accessToken\":\"%s\",\"expires_on\":4102444800,\"tokenType\":\"Bearer\"}}' '{token}'\n",
            args_file.display()
        ),
    )
    .unwrap();
    make_executable(&az);
    let (addr, seen) = scripted::serve(vec![(204, vec![("request-id", "r-1")], "")]).await;
    let mut args = assign_args(&format!("http://{addr}/beta"));
    // No --auth: with no GRAPH_TOKEN, `az` on PATH is the default.
    args.extend([
        "--cloud".into(),
        "usgov".into(),
        "--tenant".into(),
        "contoso.example".into(),
    ]);
    let mut command = autopilot(&args);
    command.env("PATH", format!("{}:/usr/bin:/bin", bin.path().display()));
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen[0].headers["authorization"].to_str().unwrap(),
        format!("Bearer {token}")
    );
    let asked = std::fs::read_to_string(&args_file).unwrap();
    assert!(
        asked.contains("account get-access-token -o json --scope https://graph.microsoft.us/.default --tenant contoso.example"),
        "{asked}"
    );
    assert_hidden(&output, &token);
}

/// `az` on PATH with nobody signed in: the default sign-in fails with the
/// Azure CLI's own words, says why the Azure CLI was tried and what else
/// there is, and sends nothing; chosen with --auth, it adds no such note.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_cli_taken_by_default_says_why_when_nobody_signed_in() {
    let bin = tempfile::tempdir().unwrap();
    let az = bin.path().join("az");
    std::fs::write(
        &az,
        "#!/bin/sh\necho \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1\n",
    )
    .unwrap();
    make_executable(&az);
    let (addr, seen) = scripted::serve(vec![(204, vec![], "")]).await;
    let args = assign_args(&format!("http://{addr}/beta"));
    let note = "(the Azure CLI was tried because `az` is on PATH and no token was given: \
                run `az login`, or choose another way: set GRAPH_TOKEN, pass --token-file PATH, \
                or sign in with --auth azure-cli|client-secret|managed-identity|device-code)";
    for (extra, noted) in [(&[][..], true), (&["--auth", "azure-cli"][..], false)] {
        let mut command = autopilot(
            &[
                &args.iter().map(String::as_str).collect::<Vec<_>>()[..],
                extra,
            ]
            .concat(),
        );
        command.env("PATH", format!("{}:/usr/bin:/bin", bin.path().display()));
        let output = run(command).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(4), "{extra:?}: {stderr}");
        assert!(
            stderr.contains("Please run 'az login'"),
            "{extra:?}: {stderr}"
        );
        assert_eq!(stderr.contains(note), noted, "{extra:?}: {stderr}");
    }
    assert!(seen.lock().unwrap().is_empty(), "nothing may be sent");
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managed_identity_asks_the_identity_endpoint_for_the_clouds_resource() {
    let token = token("managed-identity");
    let answer = leak(format!(
        r#"{{"access_token":"{token}","expires_on":"4102444800","token_type":"Bearer","resource":"https://graph.microsoft.us"}}"#
    ));
    let (addr, seen) = scripted::serve(vec![
        (200, vec![("content-type", "application/json")], answer),
        (204, vec![], ""),
    ])
    .await;
    let mut args = assign_args(&format!("http://{addr}/beta"));
    args.extend([
        "--auth".into(),
        "managed-identity".into(),
        "--cloud".into(),
        "usgov".into(),
    ]);
    let mut command = autopilot(&args);
    command
        .env("IDENTITY_ENDPOINT", format!("http://{addr}/msi/token"))
        .env("IDENTITY_HEADER", "identity-secret");
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let seen = seen.lock().unwrap().clone();
    let routes = scripted::routes(&seen);
    assert_eq!(
        routes,
        [
            "GET /msi/token",
            "POST /beta/deviceManagement/windowsAutopilotDeploymentProfiles/p1/assign"
        ]
    );
    assert_eq!(seen[0].headers["x-identity-header"], "identity-secret");
    // The chosen cloud's Graph, as a v1 resource.
    assert!(
        seen[0]
            .query
            .contains("resource=https%3A%2F%2Fgraph.microsoft.us"),
        "{}",
        seen[0].query
    );
    assert_eq!(
        seen[1].headers["authorization"].to_str().unwrap(),
        format!("Bearer {token}")
    );
    assert_hidden(&output, &token);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_code_shows_the_code_polls_and_sends_the_token() {
    let token = token("device-code");
    let granted = leak(format!(
        r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":3600}}"#
    ));
    let json = vec![("content-type", "application/json")];
    let (addr, seen) = scripted::serve(vec![
        (
            200,
            json.clone(),
            r#"{"device_code":"dc-1","user_code":"ABCD-EFGH","verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":0,"message":"To sign in, open https://microsoft.com/devicelogin and enter ABCD-EFGH."}"#,
        ),
        (
            400,
            json.clone(),
            r#"{"error":"authorization_pending","error_description":"waiting"}"#,
        ),
        (200, json, granted),
        (204, vec![], ""),
    ])
    .await;
    let mut args = assign_args(&format!("http://{addr}/beta"));
    args.extend([
        "--auth".into(),
        "device-code".into(),
        "--tenant".into(),
        "contoso.example".into(),
    ]);
    let mut command = autopilot(&args);
    command.env("AZURE_AUTHORITY_HOST", format!("http://{addr}"));
    let output = run(command).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("enter ABCD-EFGH"), "{stderr}");
    let seen = seen.lock().unwrap().clone();
    let routes = scripted::routes(&seen);
    assert_eq!(
        routes,
        [
            "POST /contoso.example/oauth2/v2.0/devicecode",
            "POST /contoso.example/oauth2/v2.0/token",
            "POST /contoso.example/oauth2/v2.0/token",
            "POST /beta/deviceManagement/windowsAutopilotDeploymentProfiles/p1/assign"
        ]
    );
    let asked = String::from_utf8_lossy(&seen[0].body);
    assert!(
        asked.contains("client_id=14d82eec-204b-4c2f-b7e8-296a70dab67e")
            && asked.contains("scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"),
        "{asked}"
    );
    let polled = String::from_utf8_lossy(&seen[1].body);
    assert!(
        polled.contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code")
            && polled.contains("device_code=dc-1"),
        "{polled}"
    );
    assert_eq!(
        seen[3].headers["authorization"].to_str().unwrap(),
        format!("Bearer {token}")
    );
    assert_hidden(&output, &token);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_secret_signs_in_at_the_authority_for_the_clouds_scope() {
    let token = token("client-secret");
    let granted = leak(format!(
        r#"{{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"{token}"}}"#
    ));
    // One HTTPS stand-in plays both the authority and Graph.
    let (addr, seen) = tls::serve(vec![
        (200, vec![("content-type", "application/json")], granted),
        (204, vec![("request-id", "r-1")], ""),
    ])
    .await;
    let root = format!("https://localhost:{}", addr.port());
    let secret = "s3cret-value-of-the-app";
    let mut args = assign_args(&format!("{root}/beta"));
    args.extend(
        [
            "--auth",
            "client-secret",
            "--cloud",
            "usgov",
            "--tenant",
            "contoso.example",
            "--client-id",
            "22222222-0000-0000-0000-000000000000",
        ]
        .map(String::from),
    );
    let mut command = autopilot(&args);
    command
        .env("AZURE_CLIENT_SECRET", secret)
        .env("AZURE_AUTHORITY_HOST", &root)
        .env("SSL_CERT_FILE", tls::ca())
        .env_remove("SSL_CERT_DIR");
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let seen = seen.lock().unwrap().clone();
    let routes = scripted::routes(&seen);
    assert_eq!(
        routes,
        [
            "POST /contoso.example/oauth2/v2.0/token",
            "POST /beta/deviceManagement/windowsAutopilotDeploymentProfiles/p1/assign"
        ]
    );
    let asked = String::from_utf8_lossy(&seen[0].body);
    for part in [
        "grant_type=client_credentials",
        "client_id=22222222-0000-0000-0000-000000000000",
        "client_secret=s3cret-value-of-the-app",
        // The chosen cloud's Graph.
        "scope=https%3A%2F%2Fgraph.microsoft.us%2F.default",
    ] {
        assert!(asked.contains(part), "{part} missing from {asked}");
    }
    assert_eq!(
        seen[1].headers["authorization"].to_str().unwrap(),
        format!("Bearer {token}")
    );
    assert_hidden(&output, &token);
    assert_hidden(&output, secret);
}

#[test]
fn sign_in_refusals_name_what_is_missing() {
    let base = "http://127.0.0.1:9/beta";
    let args = assign_args(base);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // Nothing at all: the choices are listed.
    let output = autopilot(&args).output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--auth azure-cli|client-secret|managed-identity|device-code"),
        "{stderr}"
    );
    // A client secret needs its tenant, app and secret.
    let secret = [&args[..], &["--auth", "client-secret"]].concat();
    let output = autopilot(&secret).output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("needs --tenant and --client-id"));
    let output = autopilot(&secret)
        .env("AZURE_TENANT_ID", "contoso.example")
        .env("AZURE_CLIENT_ID", "11111111-0000-0000-0000-000000000000")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("AZURE_CLIENT_SECRET, which is not set")
    );
    // A secret that reaches azure_identity, which refuses a plain-http
    // authority: nothing is sent to Graph, exit 4 (the token).
    let output = autopilot(&secret)
        .env("AZURE_TENANT_ID", "contoso.example")
        .env("AZURE_CLIENT_ID", "11111111-0000-0000-0000-000000000000")
        .env("AZURE_CLIENT_SECRET", "s3cret-value")
        .env("AZURE_AUTHORITY_HOST", "http://127.0.0.1:9")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(matches!(output.status.code(), Some(3 | 4)), "{stderr}");
    assert!(!stderr.contains("s3cret-value"), "{stderr}");
    // The certificate credential is not in this build: it says why and
    // what to use instead, before anything is sent, and a dry run refuses
    // it the same way instead of printing a request with no token.
    let certificate = [&args[..], &["--auth", "client-certificate"]].concat();
    let output = autopilot(&certificate).output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr,
        "autopilot: --auth client-certificate is not available in this build: azure_identity's \
         certificate credential needs its client_certificate feature, which links OpenSSL; use \
         client-secret, managed-identity or a token from `az account get-access-token` \
         meanwhile\n"
    );
    let dry = autopilot(&[&certificate[..], &["--dry-run"]].concat())
        .output()
        .unwrap();
    assert_eq!(dry.status.code(), Some(3), "{dry:?}");
    assert!(dry.stdout.is_empty(), "{dry:?}");
    assert_eq!(String::from_utf8_lossy(&dry.stderr), stderr);
}
