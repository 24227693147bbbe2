//! For the tests that spawn the built `autopilot` binary: the command with
//! none of the caller's credentials, a way to run it beside a loopback
//! server, unsigned JWTs that preflight reads, and the check that a token
//! never shows. Included by path (`#[path = "support/binary.rs"]`).
#![allow(dead_code)]

use std::ffi::OsStr;
use std::process::{Command, Output};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// The variables through which the caller's own sign-in, cloud or proxy
/// could reach the binary: a developer who exported a real token (as the
/// README suggests) must not send it to a test server, and a proxy must
/// not stand between the binary and a loopback server.
const AMBIENT: &[&str] = &[
    "GRAPH_TOKEN",
    "GRAPH_CLOUD",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_AUTHORITY_HOST",
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// The binary with `args`, `token` (if any) in `GRAPH_TOKEN`, and nothing
/// of the caller's: none of the variables above, and an empty `PATH` so a
/// developer's signed-in `az` cannot become the token. A test that wants a
/// fake `az` sets `PATH` itself.
pub fn autopilot<S: AsRef<OsStr>>(args: &[S], token: Option<&str>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_autopilot"));
    command.args(args).env("PATH", "");
    for name in AMBIENT.iter().copied() {
        command.env_remove(name);
    }
    if let Some(token) = token {
        command.env("GRAPH_TOKEN", token);
    }
    command
}

/// Runs `command` to its end off the async worker threads, which must stay
/// free to serve the loopback server it talks to.
pub async fn run(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().expect("the autopilot binary runs"))
        .await
        .unwrap()
}

/// Standard output and standard error, as text.
pub fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// An unsigned JWT with `claims`: enough for preflight, which reads claims
/// without verifying them. Its signature part stands for a real one, which
/// is as secret as the rest.
pub fn jwt(claims: &Value) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(b"signature-bytes-that-must-stay-private")
    )
}

/// A token preflight accepts (a work or school tenant, one of the
/// permissions assign needs), with `extra` claims added or replacing those.
pub fn token_with(extra: Value) -> String {
    let mut claims = json!({
        "tid": "11111111-2222-3333-4444-555555555555",
        "scp": "DeviceManagementServiceConfig.ReadWrite.All",
    });
    claims
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().expect("claims are an object").clone());
    jwt(&claims)
}

/// Fails when `token`, whole or any of its three parts, shows in the
/// output.
pub fn assert_hidden(output: &Output, token: &str) {
    let (stdout, stderr) = text(output);
    let all = format!("{stdout}\n{stderr}");
    assert!(!all.contains(token), "the token leaked:\n{all}");
    for part in token.split('.') {
        assert!(
            !all.contains(part),
            "a part of the token leaked: {part}\n{all}"
        );
    }
}
