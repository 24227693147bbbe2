//! Tokens, clouds and permission preflight, over a real loopback server:
//! what reaches the wire, and what is refused before anything is sent.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Canned, TOKEN, TestServer, assign, serve, serve_script};
use openapi_runtime::preflight::{PERSONAL_ACCOUNT_TENANT, unsigned_jwt};
use openapi_runtime::token::{TokenError, token_fn};
use openapi_runtime::{
    Client, ClientBuilder, Cloud, EnvToken, Error, SecretToken, Server, Service,
};
use serde_json::json;

fn builder(server: &TestServer) -> ClientBuilder {
    Client::builder().base_url(server.base_url())
}

fn bearer(server: &TestServer) -> Vec<Option<String>> {
    server
        .requests()
        .iter()
        .map(|r| r.header("authorization").map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_closure_provider_is_asked_for_the_cloud_scope_on_every_attempt() {
    let server = serve_script(vec![
        Canned::status(429).header("retry-after", "0"),
        Canned::status(204),
    ])
    .await;
    let expected_scope = format!(
        "https://{}/.default",
        server.origin.trim_start_matches("http://")
    );
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let provider = token_fn(move |scopes: Vec<String>| {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        let expected_scope = expected_scope.clone();
        async move {
            if scopes != [expected_scope.clone()] {
                return Err(TokenError::new(format!(
                    "asked for {scopes:?}, not {expected_scope}"
                )));
            }
            // A refreshing provider: each call hands out a newer token.
            Ok(SecretToken::from(format!("refreshed-{n}")))
        }
    });
    let client = builder(&server).token_provider(provider).build().unwrap();
    assert!(assign(&client).await.is_ok());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(
        bearer(&server),
        [
            Some("Bearer refreshed-0".to_owned()),
            Some("Bearer refreshed-1".to_owned())
        ]
    );
}

/// The variable the environment provider tests read. No test sets it in
/// this process (setting a variable while other test threads read the
/// environment is a data race): the part that needs it set runs in a child
/// process of this test binary, with the variable in the child's
/// environment.
const ENV_VARIABLE: &str = "OPENAPI_RUNTIME_AUTH_TEST_TOKEN";

#[tokio::test]
async fn an_environment_provider_reads_the_variable_when_sending() {
    assert!(
        std::env::var_os(ENV_VARIABLE).is_none(),
        "{ENV_VARIABLE} must not be set for this test binary"
    );
    let server = serve(Canned::status(204)).await;
    let client = builder(&server)
        .token_provider(EnvToken::new(ENV_VARIABLE))
        .build()
        .unwrap();
    let err = assign(&client).await.unwrap_err();
    assert!(matches!(err, Error::Token { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "windowsAutopilotDeploymentProfiles_assign: not sent: could not get a token: \
         environment variable OPENAPI_RUNTIME_AUTH_TEST_TOKEN is not set"
    );
    assert!(server.requests().is_empty());

    // Set: the test below, in a child process.
    let child = "an_environment_provider_sends_the_variable_in_a_child_process";
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", child, "--ignored", "--test-threads", "1"])
        .env(ENV_VARIABLE, TOKEN)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("test result: ok. 1 passed"),
        "{child} failed in the child process:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
#[ignore = "run by an_environment_provider_reads_the_variable_when_sending, \
            in a child process with the variable set"]
async fn an_environment_provider_sends_the_variable_in_a_child_process() {
    assert_eq!(
        std::env::var(ENV_VARIABLE).as_deref(),
        Ok(TOKEN),
        "run by an_environment_provider_reads_the_variable_when_sending"
    );
    let server = serve(Canned::status(204)).await;
    let client = builder(&server)
        .token_provider(EnvToken::new(ENV_VARIABLE))
        .build()
        .unwrap();
    assert!(assign(&client).await.is_ok());
    assert_eq!(bearer(&server), [Some(format!("Bearer {TOKEN}"))]);
}

#[tokio::test]
async fn a_failing_or_unsendable_token_sends_nothing() {
    let server = serve(Canned::status(204)).await;
    let failing = token_fn(|_| async {
        Err::<SecretToken, _>(TokenError::with_source(
            "the identity endpoint refused the client secret",
            std::io::Error::other("AADSTS7000215"),
        ))
    });
    let client = builder(&server).token_provider(failing).build().unwrap();
    let err = assign(&client).await.unwrap_err();
    let Error::Token { source, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        std::error::Error::source(source).unwrap().to_string(),
        "AADSTS7000215"
    );
    assert!(!err.is_retryable());

    let newline = token_fn(|_| async { Ok(SecretToken::from("line\nbreak-SECRET")) });
    let client = builder(&server).token_provider(newline).build().unwrap();
    let err = assign(&client).await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("cannot be sent in an HTTP header"), "{text}");
    assert!(!text.contains("SECRET") && !format!("{err:?}").contains("SECRET"));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn without_a_token_no_authorization_header_is_sent() {
    let server = serve(Canned::status(204)).await;
    let client = builder(&server).build().unwrap();
    assert!(assign(&client).await.is_ok());
    assert_eq!(bearer(&server), [None]);
}

#[tokio::test]
async fn clouds_come_from_server_data_and_custom_roots_work() {
    let server = serve(Canned::status(204)).await;
    // The runtime knows no cloud by name: a table like a generated crate's
    // `SERVERS` is all it needs.
    let url: &'static str = Box::leak(server.base_url().into_boxed_str());
    let servers = [
        Server {
            url: "https://graph.microsoft.com/beta",
            description: "global",
            cloud: Some("global"),
        },
        Server {
            url,
            description: "a test cloud on loopback",
            cloud: Some("loopback"),
        },
    ];
    let cloud = Cloud::named(&servers, "loopback").unwrap();
    let client = Client::builder()
        .cloud(&cloud)
        .token(SecretToken::from(TOKEN))
        .build()
        .unwrap();
    assert_eq!(client.base_url(), server.base_url());
    assert_eq!(client.token_scope(), cloud.token_scope());
    assert!(assign(&client).await.is_ok());
    assert_eq!(
        server.only_request().target,
        "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/p1/assign"
    );
    let global = Cloud::named(&servers, "global").unwrap();
    assert_eq!(global.token_scope(), "https://graph.microsoft.com/.default");
    let custom = Cloud::custom(&server.base_url()).unwrap();
    assert_eq!(custom.service_root(), server.base_url());
    assert!(Cloud::custom("http://graph.microsoft.com/beta").is_err());
}

/// Sends one call with `token` and returns the result and how many
/// requests reached the server.
async fn with_token(token: &str, preflight: bool) -> (Result<(), Error>, usize) {
    let server = serve(Canned::json(
        403,
        r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}"#,
    ))
    .await;
    let client = builder(&server)
        .token(SecretToken::from(token))
        .permission_preflight(preflight)
        .build()
        .unwrap();
    let result = assign(&client).await;
    (result, server.requests().len())
}

#[tokio::test]
async fn preflight_refuses_a_jwt_without_the_permission_and_sends_nothing() {
    let token = unsigned_jwt(&json!({
        "tid": "11111111-2222-3333-4444-555555555555",
        "scp": "User.Read Directory.Read.All",
    }));
    let (result, sent) = with_token(&token, true).await;
    let err = result.unwrap_err();
    assert_eq!(sent, 0);
    assert!(matches!(err, Error::Preflight { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "windowsAutopilotDeploymentProfiles_assign: not sent: the token lacks the permission \
         this operation needs: it needs DeviceManagementServiceConfig.ReadWrite.All; the \
         delegated token (scp) grants User.Read, Directory.Read.All"
    );
    assert!(!format!("{err:?}").contains(&token));
}

#[tokio::test]
async fn preflight_refuses_personal_accounts() {
    let token = unsigned_jwt(&json!({
        "tid": PERSONAL_ACCOUNT_TENANT,
        "scp": "DeviceManagementServiceConfig.ReadWrite.All",
    }));
    let (result, sent) = with_token(&token, true).await;
    let err = result.unwrap_err();
    assert_eq!(sent, 0);
    assert!(
        err.to_string()
            .contains("personal Microsoft accounts are not supported"),
        "{err}"
    );
}

#[tokio::test]
async fn preflight_lets_the_right_tokens_and_opaque_ones_through() {
    let application = unsigned_jwt(&json!({
        "tid": "11111111-2222-3333-4444-555555555555",
        "roles": ["DeviceManagementServiceConfig.ReadWrite.All"],
    }));
    let delegated = unsigned_jwt(&json!({
        "scp": "openid DeviceManagementServiceConfig.ReadWrite.All",
    }));
    for token in [application.as_str(), delegated.as_str(), TOKEN] {
        let (result, sent) = with_token(token, true).await;
        assert_eq!(sent, 1, "{token}");
        // The server's 403 shows the request went out, token and all.
        assert!(matches!(result, Err(Error::Forbidden(_))), "{result:?}");
    }
}

#[tokio::test]
async fn preflight_can_be_turned_off() {
    let token = unsigned_jwt(&json!({"scp": "User.Read"}));
    let (result, sent) = with_token(&token, false).await;
    assert_eq!(sent, 1);
    let err = result.unwrap_err();
    let Error::Forbidden(failure) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(failure.code(), Some("Authorization_RequestDenied"));
    assert_eq!(
        err.graph_message(),
        Some("Insufficient privileges to complete the operation.")
    );
    assert!(
        err.to_string().starts_with(
            "windowsAutopilotDeploymentProfiles_assign: 403 Forbidden: \
             Authorization_RequestDenied: Insufficient privileges to complete the operation. \
             (client-request-id "
        ),
        "{err}"
    );
}

#[tokio::test]
async fn preflight_checks_each_new_token_even_after_one_passed() {
    let server = serve(Canned::status(204)).await;
    let good = unsigned_jwt(&json!({"scp": "DeviceManagementServiceConfig.ReadWrite.All"}));
    let weak = unsigned_jwt(&json!({"scp": "User.Read"}));
    let tokens = Arc::new(std::sync::Mutex::new(vec![
        weak.clone(),
        good.clone(),
        good.clone(),
    ]));
    let provider = token_fn(move |_| {
        let next = tokens.lock().unwrap().pop().unwrap();
        async move { Ok(SecretToken::from(next)) }
    });
    let client = builder(&server).token_provider(provider).build().unwrap();
    assert!(assign(&client).await.is_ok());
    assert!(assign(&client).await.is_ok());
    // The provider now hands out a token without the permission: the
    // remembered pass for the earlier token must not cover it.
    let err = assign(&client).await.unwrap_err();
    assert!(matches!(err, Error::Preflight { .. }), "{err:?}");
    assert_eq!(server.requests().len(), 2);
}

/// A service that is not Microsoft Graph, as a generated crate's `SERVICE`
/// describes it, with one server at `url`.
fn other_service(url: &str) -> &'static Service {
    let url: &'static str = Box::leak(url.to_owned().into_boxed_str());
    let servers: &'static [Server] = Box::leak(Box::new([Server {
        url,
        description: "the things service",
        cloud: None,
    }]));
    Box::leak(Box::new(Service {
        title: "Things API",
        servers,
        graph: false,
    }))
}

#[tokio::test]
async fn another_apis_client_without_a_base_url_sends_nothing_to_graph() {
    // Only a relative server: nothing names a host, so there is no default.
    let service = other_service("/v1");
    let client = Client::builder()
        .token(SecretToken::from(TOKEN))
        .build()
        .unwrap()
        .for_service(service);
    let err = assign(&client).await.unwrap_err();
    let Error::Config(message) = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("\"Things API\", which is not a Microsoft Graph API"));
    assert!(
        message.contains("https://graph.microsoft.com/beta"),
        "{message}"
    );
    assert!(message.contains("Set ClientBuilder::base_url"), "{message}");
    assert!(message.contains("the spec lists no absolute server URL"));
    assert!(!format!("{err:?}{err}").contains(TOKEN));
}

#[tokio::test]
async fn another_apis_service_gives_the_base_url_and_no_graph_preflight() {
    let server = serve(Canned::status(204)).await;
    let service = other_service(&server.base_url());
    // Graph's preflight refuses this token (a personal account without
    // the route's permission); another API's tokens are its own business.
    let token = unsigned_jwt(&json!({
        "tid": PERSONAL_ACCOUNT_TENANT,
        "aud": "api://things",
        "scp": "things.write",
    }));
    let client = Client::builder()
        .service(service)
        .token(SecretToken::from(token.as_str()))
        .build()
        .unwrap();
    assert_eq!(client.base_url(), server.base_url());
    assign(&client).await.unwrap();
    assert_eq!(bearer(&server), vec![Some(format!("Bearer {token}"))]);

    // The same token on the same route, for a Graph service: refused
    // before anything is sent.
    let graph: &'static Service = Box::leak(Box::new(Service {
        graph: true,
        ..*service
    }));
    let graph_client = builder(&server)
        .token(SecretToken::from(token.as_str()))
        .build()
        .unwrap()
        .for_service(graph);
    let err = assign(&graph_client).await.unwrap_err();
    assert!(matches!(err, Error::Preflight { .. }), "{err:?}");
    assert_eq!(server.requests().len(), 1);
}
