//! Each `--auth` sign-in of the built `autopilot` binary against loopback
//! stand-ins: a fake `az` on PATH, an App Service managed identity
//! endpoint, an Entra ID device code endpoint, and an Entra ID token
//! endpoint for an app's client secret and for its certificate (which
//! checks the signed assertion). The token each hands out reaches the
//! Graph stand-in and never the output; each asks for the chosen cloud's
//! Graph scope, and (through a loopback HTTPS proxy that records where
//! connections go) at the chosen cloud's own authority.
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

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

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

/// A fake `az` in a new directory: `account show` exits `show_status`;
/// any other call prints `answer` (or, when `None`, fails as a signed-out
/// CLI does). Each call's arguments are appended to the `args` file.
fn fake_az(show_status: u8, answer: Option<&str>) -> (tempfile::TempDir, std::path::PathBuf) {
    let bin = tempfile::tempdir().unwrap();
    let args_file = bin.path().join("args");
    let az = bin.path().join("az");
    let other = match answer {
        Some(json) => format!("printf '%s' '{json}'\n"),
        None => "echo \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1\n".into(),
    };
    std::fs::write(
        &az,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\nif [ \"$1 $2\" = 'account show' ]; then exit {show_status}; fi\n{other}",
            args_file.display()
        ),
    )
    .unwrap();
    make_executable(&az);
    (bin, args_file)
}

/// The calls the fake `az` got, one per line.
fn az_calls(args_file: &Path) -> Vec<String> {
    std::fs::read_to_string(args_file)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_cli_signs_in_through_az_on_path_for_the_clouds_scope() {
    let token = token("azure-cli");
    let answer =
        format!(r#"{{"accessToken":"{token}","expires_on":4102444800,"tokenType":"Bearer"}}"#);
    let (bin, args_file) = fake_az(0, Some(&answer));
    let (addr, seen) = scripted::serve(vec![(204, vec![("request-id", "r-1")], "")]).await;
    let mut args = assign_args(&format!("http://{addr}/beta"));
    // No --auth: with no GRAPH_TOKEN, a signed-in `az` is the default.
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
    let calls = az_calls(&args_file);
    assert_eq!(calls[0], "account show --output none", "{calls:?}");
    assert!(
        calls[1].contains("account get-access-token -o json --scope https://graph.microsoft.us/.default --tenant contoso.example"),
        "{calls:?}"
    );
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_hidden(&output, &token);
}

/// `az` on PATH with nobody signed in is not the default: the message
/// lists the choices (exit 3) and no token is asked of `az`. Chosen with
/// --auth, it is asked and its own error shows (exit 4). Signed in but
/// failing to give a token (an expired sign-in), the error says why the
/// Azure CLI was tried. Nothing is ever sent to Graph.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_cli_is_the_default_only_when_signed_in() {
    let (addr, seen) = scripted::serve(vec![(204, vec![], "")]).await;
    let args = assign_args(&format!("http://{addr}/beta"));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let note = "(the Azure CLI was tried because `az` is signed in and no token was given: \
                run `az login` again, or choose another way: set GRAPH_TOKEN, pass --token-file \
                PATH, or sign in with --auth \
                azure-cli|client-secret|client-certificate|managed-identity|device-code)";
    // Signed out, by default.
    let (bin, args_file) = fake_az(1, None);
    let mut command = autopilot(&args);
    command.env("PATH", format!("{}:/usr/bin:/bin", bin.path().display()));
    let output = run(command).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert_eq!(
        stderr,
        "autopilot: no token: the Azure CLI (`az` on PATH) is not signed in: run `az login`, \
         or set GRAPH_TOKEN, pass --token-file PATH, or sign in with --auth \
         azure-cli|client-secret|client-certificate|managed-identity|device-code\n"
    );
    assert_eq!(az_calls(&args_file), ["account show --output none"]);
    // Signed out, chosen: az's own error, no note.
    let mut command = autopilot(&[&args[..], &["--auth", "azure-cli"]].concat());
    command.env("PATH", format!("{}:/usr/bin:/bin", bin.path().display()));
    let output = run(command).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("Please run 'az login'"), "{stderr}");
    assert!(!stderr.contains("was tried because"), "{stderr}");
    // Signed in, but no token: az's error with the note.
    let (bin, _) = fake_az(0, None);
    let mut command = autopilot(&args);
    command.env("PATH", format!("{}:/usr/bin:/bin", bin.path().display()));
    let output = run(command).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("Please run 'az login'"), "{stderr}");
    assert!(stderr.contains(note), "{stderr}");
    assert!(seen.lock().unwrap().is_empty(), "nothing may be sent");
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Each cloud of the spec: its name, its Graph resource, and the host of
/// its Entra ID authority (both US Government clouds sign in at one).
const CLOUDS: [(&str, &str, &str); 4] = [
    (
        "global",
        "https://graph.microsoft.com",
        "login.microsoftonline.com",
    ),
    (
        "usgov",
        "https://graph.microsoft.us",
        "login.microsoftonline.us",
    ),
    (
        "usgov-dod",
        "https://dod-graph.microsoft.us",
        "login.microsoftonline.us",
    ),
    (
        "china",
        "https://microsoftgraph.chinacloudapi.cn",
        "login.chinacloudapi.cn",
    ),
];

/// `value` as `application/x-www-form-urlencoded` writes it.
fn form_encoded(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managed_identity_asks_the_identity_endpoint_for_the_clouds_resource() {
    for (cloud, resource, _) in CLOUDS {
        let token = token("managed-identity");
        let answer = leak(format!(
            r#"{{"access_token":"{token}","expires_on":"4102444800","token_type":"Bearer","resource":"{resource}"}}"#
        ));
        let (addr, seen) = scripted::serve(vec![
            (200, vec![("content-type", "application/json")], answer),
            (204, vec![], ""),
        ])
        .await;
        let mut args = assign_args(&format!("http://{addr}/beta"));
        args.extend(["--auth", "managed-identity", "--cloud", cloud].map(String::from));
        let mut command = autopilot(&args);
        command
            .env("IDENTITY_ENDPOINT", format!("http://{addr}/msi/token"))
            .env("IDENTITY_HEADER", "identity-secret");
        let output = run(command).await;
        assert_eq!(output.status.code(), Some(0), "{cloud}: {output:?}");
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
        let asked = format!("resource={}", form_encoded(resource));
        assert!(
            seen[0].query.split('&').any(|pair| pair == asked),
            "{cloud}: {asked} not in {}",
            seen[0].query
        );
        assert_eq!(
            seen[1].headers["authorization"].to_str().unwrap(),
            format!("Bearer {token}")
        );
        assert_hidden(&output, &token);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_code_shows_the_code_polls_and_sends_the_token() {
    for (cloud, resource, _) in CLOUDS {
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
        args.extend(
            [
                "--auth",
                "device-code",
                "--tenant",
                "contoso.example",
                "--cloud",
                cloud,
            ]
            .map(String::from),
        );
        let mut command = autopilot(&args);
        command.env("AZURE_AUTHORITY_HOST", format!("http://{addr}"));
        let output = run(command).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{cloud}: {stderr}");
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
                && asked.contains(&format!(
                    "scope={}",
                    form_encoded(&format!("{resource}/.default"))
                )),
            "{cloud}: {asked}"
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
}

/// The polls that end a device code sign-in without a token: the code
/// expired, the user declined, or the token endpoint answered more than an
/// identity endpoint ever does (which must end the sign-in at once, not
/// be polled again until the code expires). Nothing reaches Graph.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_code_polls_that_end_without_a_token_say_why() {
    let huge = leak(format!(r#"{{"error":"{}"}}"#, "x".repeat(70 * 1024)));
    let cases: [(&str, &str); 3] = [
        (
            r#"{"error":"expired_token","error_description":"AADSTS70020: expired"}"#,
            "the code expired before sign-in finished",
        ),
        (
            r#"{"error":"access_denied","error_description":"AADSTS70000: \u001b[31mdeclined"}"#,
            "device code sign-in failed: access_denied: AADSTS70000: ",
        ),
        (huge, "with more than 65536 bytes"),
    ];
    for (answer, says) in cases {
        let json = vec![("content-type", "application/json")];
        let (addr, seen) = scripted::serve(vec![
            (
                200,
                json.clone(),
                r#"{"device_code":"dc-1","user_code":"ABCD-EFGH","verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":0}"#,
            ),
            (400, json, answer),
        ])
        .await;
        let mut args = assign_args(&format!("http://{addr}/beta"));
        args.extend(["--auth", "device-code", "--tenant", "contoso.example"].map(String::from));
        let mut command = autopilot(&args);
        command.env("AZURE_AUTHORITY_HOST", format!("http://{addr}"));
        let output = run(command).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(4), "{stderr}");
        // Without Entra's message, the page and the code are named.
        assert!(
            stderr.contains("open https://microsoft.com/devicelogin and enter the code ABCD-EFGH"),
            "{stderr}"
        );
        assert!(stderr.contains(says), "{says}: {stderr}");
        assert!(!stderr.contains('\u{1b}'), "{stderr}");
        let seen = seen.lock().unwrap().clone();
        let routes = scripted::routes(&seen);
        assert_eq!(
            routes,
            [
                "POST /contoso.example/oauth2/v2.0/devicecode",
                "POST /contoso.example/oauth2/v2.0/token",
            ]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_secret_signs_in_at_the_authority_for_the_clouds_scope() {
    for (cloud, resource, _) in CLOUDS {
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
                cloud,
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
        assert_eq!(output.status.code(), Some(0), "{cloud}: {output:?}");
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
            "grant_type=client_credentials".to_owned(),
            "client_id=22222222-0000-0000-0000-000000000000".to_owned(),
            "client_secret=s3cret-value-of-the-app".to_owned(),
            // The chosen cloud's Graph.
            format!("scope={}", form_encoded(&format!("{resource}/.default"))),
        ] {
            assert!(
                asked.contains(&part),
                "{cloud}: {part} missing from {asked}"
            );
        }
        assert_eq!(
            seen[1].headers["authorization"].to_str().unwrap(),
            format!("Bearer {token}")
        );
        assert_hidden(&output, &token);
        assert_hidden(&output, secret);
    }
}

/// The SHA-1 fingerprint of `tests/support/certificate/app.pem` as
/// `openssl x509 -noout -fingerprint -sha1` prints it: what `x5t` must
/// carry (base64url).
const APP_SHA1: [u8; 20] = [
    0xC0, 0xDF, 0x30, 0xE2, 0xE6, 0xFA, 0x23, 0x91, 0x56, 0xE1, 0x2A, 0x41, 0x11, 0xA0, 0x56, 0x93,
    0xAE, 0x72, 0x8C, 0x3A,
];

/// The app registration of the certificate tests.
const APP_ID: &str = "33333333-0000-0000-0000-000000000000";

fn certificate_file(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support/certificate")
        .join(name)
}

/// What a token endpoint checks of a certificate sign-in: the form, and
/// the assertion's signature (with the certificate's public key), header
/// and claims. `Err` says what is wrong.
fn check_assertion(form: &HashMap<String, String>, audience: &str) -> Result<(), String> {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;

    let field = |name: &str| {
        form.get(name)
            .map(String::as_str)
            .ok_or(format!("no {name}"))
    };
    if field("grant_type")? != "client_credentials"
        || field("client_assertion_type")?
            != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        || field("client_id")? != APP_ID
    {
        return Err(format!("wrong form: {form:?}"));
    }
    let assertion = field("client_assertion")?;
    let parts: Vec<&str> = assertion.split('.').collect();
    let [header, claims, signature] = parts[..] else {
        return Err("not a JWT".into());
    };
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).map_err(|e| e.to_string());
    let certificate = CertificateDer::from_pem_file(certificate_file("app.pem")).unwrap();
    webpki::EndEntityCert::try_from(&certificate)
        .unwrap()
        .verify_signature(
            webpki::ring::RSA_PKCS1_2048_8192_SHA256,
            format!("{header}.{claims}").as_bytes(),
            &decode(signature)?,
        )
        .map_err(|e| format!("bad signature: {e:?}"))?;
    let header: serde_json::Value = serde_json::from_slice(&decode(header)?).unwrap();
    if header["alg"] != "RS256" || header["x5t"] != URL_SAFE_NO_PAD.encode(APP_SHA1) {
        return Err(format!("wrong header: {header}"));
    }
    let claims: serde_json::Value = serde_json::from_slice(&decode(claims)?).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let (nbf, exp) = (claims["nbf"].as_u64(), claims["exp"].as_u64());
    let in_time = matches!((nbf, exp), (Some(nbf), Some(exp))
        if nbf <= now + 60 && exp > now && exp - nbf <= 3600);
    if claims["aud"] != audience
        || claims["iss"] != APP_ID
        || claims["sub"] != APP_ID
        || claims["jti"].as_str().is_none_or(str::is_empty)
        || !in_time
    {
        return Err(format!("wrong claims: {claims}"));
    }
    Ok(())
}

/// A loopback Entra ID token endpoint for certificate sign-ins: it
/// answers `token` only to an assertion [`check_assertion`] accepts, and
/// records each form it got.
async fn certificate_authority(
    token: &'static str,
) -> (
    std::net::SocketAddr,
    Arc<Mutex<Vec<HashMap<String, String>>>>,
) {
    use axum::extract::{Form, Path as UrlPath};
    use axum::http::StatusCode;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let forms = Arc::new(Mutex::new(Vec::new()));
    let record = forms.clone();
    let app = axum::Router::new().route(
        "/{tenant}/oauth2/v2.0/token",
        axum::routing::post(
            move |UrlPath(tenant): UrlPath<String>, Form(form): Form<HashMap<String, String>>| {
                record.lock().unwrap().push(form.clone());
                let audience = format!("http://{addr}/{tenant}/oauth2/v2.0/token");
                async move {
                    match check_assertion(&form, &audience) {
                        Ok(()) => (
                            StatusCode::OK,
                            format!(
                                r#"{{"token_type":"Bearer","expires_in":3599,"access_token":"{token}"}}"#
                            ),
                        ),
                        Err(why) => (
                            StatusCode::UNAUTHORIZED,
                            serde_json::json!({
                                "error": "invalid_client",
                                "error_description": why,
                            })
                            .to_string(),
                        ),
                    }
                }
            },
        ),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, forms)
}

/// `--auth client-certificate` signs a client assertion with the PEM
/// file's key; the loopback authority verifies it against the certificate
/// and hands out the token, which reaches Graph and never the output. Both
/// key formats work, for each cloud's scope.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_certificate_signs_an_assertion_the_authority_verifies() {
    for ((cloud, resource, _), file) in
        CLOUDS
            .into_iter()
            .zip(["app.pem", "app-pkcs1.pem", "app.pem", "app-pkcs1.pem"])
    {
        let token = leak(token("client-certificate"));
        let (authority, forms) = certificate_authority(token).await;
        let (addr, seen) = scripted::serve(vec![(204, vec![("request-id", "r-1")], "")]).await;
        let mut args = assign_args(&format!("http://{addr}/beta"));
        args.extend(
            [
                "--auth",
                "client-certificate",
                "--cloud",
                cloud,
                "--tenant",
                "contoso.example",
                "--client-id",
                APP_ID,
            ]
            .map(String::from),
        );
        let mut command = autopilot(&args);
        command
            .env("AZURE_CLIENT_CERTIFICATE_PATH", certificate_file(file))
            .env("AZURE_AUTHORITY_HOST", format!("http://{authority}"));
        let output = run(command).await;
        assert_eq!(output.status.code(), Some(0), "{cloud}: {output:?}");
        let forms = forms.lock().unwrap().clone();
        assert_eq!(forms.len(), 1, "{forms:?}");
        assert_eq!(forms[0]["scope"], format!("{resource}/.default"), "{cloud}");
        let seen = seen.lock().unwrap().clone();
        assert_eq!(
            seen[0].headers["authorization"].to_str().unwrap(),
            format!("Bearer {token}")
        );
        assert_hidden(&output, token);
        assert_hidden(&output, &forms[0]["client_assertion"]);
    }
    // The endpoint refuses an assertion for another app: its words reach
    // the user (exit 4), nothing reaches Graph.
    let (authority, _) = certificate_authority("unused").await;
    let (addr, seen) = scripted::serve(vec![(204, vec![], "")]).await;
    let mut args = assign_args(&format!("http://{addr}/beta"));
    args.extend(
        [
            "--auth",
            "client-certificate",
            "--tenant",
            "contoso.example",
            "--client-id",
            "44444444-0000-0000-0000-000000000000",
        ]
        .map(String::from),
    );
    args.extend([
        "--certificate".into(),
        certificate_file("app.pem").display().to_string(),
    ]);
    let mut command = autopilot(&args);
    command.env("AZURE_AUTHORITY_HOST", format!("http://{authority}"));
    let output = run(command).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("client certificate sign-in at http://")
            && stderr.contains("failed: invalid_client: wrong form"),
        "{stderr}"
    );
    assert!(seen.lock().unwrap().is_empty());
}

/// A loopback HTTPS proxy that records the `host:port` each connection
/// asks for (`CONNECT host:port`) and refuses it: where a sign-in would
/// have gone, without it going anywhere.
async fn recording_proxy() -> (std::net::SocketAddr, Arc<Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let targets = Arc::new(Mutex::new(Vec::new()));
    let record = targets.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            let record = record.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
                    match stream.read(&mut byte).await {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let head = String::from_utf8_lossy(&head);
                let line = head.lines().next().unwrap_or_default().to_owned();
                record.lock().unwrap().push(line);
                let _ = stream
                    .write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")
                    .await;
            });
        }
    });
    (addr, targets)
}

/// Without `AZURE_AUTHORITY_HOST`, each sign-in that talks to Entra ID
/// goes to the chosen cloud's own authority: a proxy sees where the
/// connection was headed. (The managed identity asks the host's own
/// identity endpoint, for the cloud's resource: see above.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_sign_in_goes_to_the_chosen_clouds_authority() {
    let (proxy, targets) = recording_proxy().await;
    let (addr, seen) = scripted::serve(vec![(204, vec![], "")]).await;
    let certificate = certificate_file("app.pem").display().to_string();
    let modes: [&[&str]; 3] = [
        &["--auth", "device-code"],
        // One try: azure_identity would otherwise retry for a minute.
        &["--auth", "client-secret", "--max-attempts", "1"],
        &[
            "--auth",
            "client-certificate",
            "--certificate",
            &certificate,
        ],
    ];
    for (cloud, _, authority) in CLOUDS {
        for mode in modes {
            let mut args = assign_args(&format!("http://{addr}/beta"));
            args.extend(mode.iter().map(|s| s.to_string()));
            args.extend(
                [
                    "--cloud",
                    cloud,
                    "--tenant",
                    "contoso.example",
                    "--client-id",
                    APP_ID,
                ]
                .map(String::from),
            );
            let mut command = autopilot(&args);
            // The binary has no other proxy setting (see `binary.rs`).
            command
                .env_remove("NO_PROXY")
                .env_remove("no_proxy")
                .env("HTTPS_PROXY", format!("http://{proxy}"))
                .env("AZURE_CLIENT_SECRET", "s3cret-value");
            let before = targets.lock().unwrap().len();
            let output = run(command).await;
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(4), "{cloud} {mode:?}: {stderr}");
            let targets = targets.lock().unwrap().clone();
            assert!(
                targets.len() > before,
                "{cloud} {mode:?}: no connection: {stderr}"
            );
            for target in &targets[before..] {
                assert!(
                    target.starts_with(&format!("CONNECT {authority}:443 ")),
                    "{cloud} {mode:?}: {target}"
                );
            }
        }
    }
    assert!(seen.lock().unwrap().is_empty(), "nothing may reach Graph");
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
        stderr.contains(
            "--auth azure-cli|client-secret|client-certificate|managed-identity|device-code"
        ),
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
    // A certificate needs its tenant, app and file; a file that is not
    // PEM (a .pfx) is refused with the command that converts it, before
    // anything is sent, and a dry run refuses it the same way instead of
    // printing a request with no token.
    let certificate = [&args[..], &["--auth", "client-certificate"]].concat();
    let output = autopilot(&certificate).output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("needs --tenant and --client-id"));
    let app = [
        &certificate[..],
        &["--tenant", "contoso.example", "--client-id", APP_ID],
    ]
    .concat();
    let output = autopilot(&app).output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("needs --certificate PATH (or AZURE_CLIENT_CERTIFICATE_PATH)")
    );
    let dir = tempfile::tempdir().unwrap();
    let pfx = dir.path().join("app.pfx");
    std::fs::write(&pfx, [0x30, 0x82, 0x0a, 0x01, 0x02, 0x01, 0x03]).unwrap();
    let with_pfx = [&app[..], &["--certificate", pfx.to_str().unwrap()]].concat();
    let output = autopilot(&with_pfx).output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr,
        format!(
            "autopilot: certificate file {0} is not PEM text (a .pfx/.p12 PKCS#12 bundle or a \
             DER file?): convert it to a PEM file holding the certificate and its private key \
             with `openssl pkcs12 -in {0} -out app.pem -nodes` and pass that file; \
             password-protected files are not supported\n",
            pfx.display()
        )
    );
    let dry = autopilot(&[&with_pfx[..], &["--dry-run"]].concat())
        .output()
        .unwrap();
    assert_eq!(dry.status.code(), Some(3), "{dry:?}");
    assert!(dry.stdout.is_empty(), "{dry:?}");
    assert_eq!(String::from_utf8_lossy(&dry.stderr), stderr);
}
