//! What `Client::send` puts on the wire, checked on a real loopback server.

mod common;

use std::time::Duration;

use common::{ASSIGN, Canned, GET_THING, TOKEN, client_for, serve};
use openapi_runtime::client::MAX_ERROR_BODY;
use openapi_runtime::{Client, Error, SecretToken};

#[tokio::test]
async fn assign_request_carries_method_path_headers_and_body() {
    let server = serve(Canned::status(204)).await;
    let client = client_for(&server);
    let body = openapi_runtime::encode::json_body(&serde_json::json!({"deviceIds": ["d1", "d2"]}))
        .unwrap();

    let response = client
        .send(&ASSIGN, &["profile-1"], &[], &[], Some(body.clone()))
        .await
        .unwrap();

    let request = server.only_request();
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.target,
        "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/profile-1/assign"
    );
    assert_eq!(
        request.header("authorization"),
        Some(&*format!("Bearer {TOKEN}"))
    );
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.header("user-agent"),
        Some(concat!("openapi-runtime/", env!("CARGO_PKG_VERSION")))
    );
    let sent_id = request
        .header("client-request-id")
        .expect("client-request-id");
    let uuid = uuid::Uuid::parse_str(sent_id).expect("client-request-id is a UUID");
    assert_eq!(uuid.get_version_num(), 4);
    assert_eq!(request.body, body);
    assert_eq!(request.body, br#"{"deviceIds":["d1","d2"]}"#);

    assert_eq!(response.status, 204);
    assert!(response.body.is_empty());
    assert_eq!(response.client_request_id, sent_id);
}

#[tokio::test]
async fn every_request_gets_a_fresh_client_request_id() {
    let server = serve(Canned::status(204)).await;
    let client = client_for(&server);
    for _ in 0..2 {
        client
            .send(&ASSIGN, &["p"], &[], &[], Some(b"{}".to_vec()))
            .await
            .unwrap();
    }
    let ids: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("client-request-id").unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
}

#[tokio::test]
async fn hostile_path_values_stay_one_segment() {
    let server = serve(Canned::status(204)).await;
    let client = client_for(&server);
    client
        .send(&ASSIGN, &["../x y/é?#%2F"], &[], &[], Some(b"{}".to_vec()))
        .await
        .unwrap();
    assert_eq!(
        server.only_request().target,
        "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/..%2Fx%20y%2F%C3%A9%3F%23%252F/assign"
    );
}

#[tokio::test]
async fn dot_segments_are_refused_before_sending() {
    let server = serve(Canned::status(204)).await;
    let client = client_for(&server);
    for value in ["..", ".", ""] {
        let err = client
            .send(&ASSIGN, &[value], &[], &[], Some(b"{}".to_vec()))
            .await
            .unwrap_err();
        match &err {
            Error::InvalidRequest {
                operation_id,
                violations,
            } => {
                assert_eq!(*operation_id, ASSIGN.operation_id);
                assert_eq!(violations.len(), 1, "{violations:?}");
                assert_eq!(
                    violations[0].location,
                    "/path/windowsAutopilotDeploymentProfileId"
                );
            }
            other => panic!("{value:?}: {other:?}"),
        }
    }
    assert!(server.requests().is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn get_without_body_or_token_sends_neither_header() {
    let server = serve(Canned::json(200, "{}")).await;
    let client = Client::builder()
        .base_url(server.base_url())
        .build()
        .unwrap();
    let query = [
        ("$select".into(), "id,displayName".to_owned()),
        ("q".into(), "a b&c=d".to_owned()),
        ("$top".into(), "5".to_owned()),
    ];
    client
        .send(&GET_THING, &["t1"], &query, &[], None)
        .await
        .unwrap();

    let request = server.only_request();
    assert_eq!(request.method, "GET");
    assert_eq!(
        request.target,
        "/beta/things/t1?%24select=id%2CdisplayName&q=a+b%26c%3Dd&%24top=5"
    );
    assert_eq!(request.header("authorization"), None);
    assert_eq!(request.header("content-type"), None);
    assert_eq!(request.header("accept"), Some("application/json"));
    assert!(request.body.is_empty());
}

#[tokio::test]
async fn extra_headers_and_custom_user_agent_are_sent() {
    let server = serve(Canned::json(200, "{}")).await;
    let client = Client::builder()
        .base_url(format!("{}/", server.base_url()))
        .user_agent("autopilot-cli/9".into())
        .build()
        .unwrap();
    let response = client
        .send(
            &GET_THING,
            &["t1"],
            &[],
            &[
                ("ConsistencyLevel", "eventual".into()),
                ("client-request-id", "mine".into()),
            ],
            None,
        )
        .await
        .unwrap();
    let request = server.only_request();
    // The trailing slash of the base URL did not double the path's slash.
    assert_eq!(request.target, "/beta/things/t1");
    assert_eq!(request.header("consistencylevel"), Some("eventual"));
    assert_eq!(request.header("client-request-id"), Some("mine"));
    assert_eq!(request.header("user-agent"), Some("autopilot-cli/9"));
    assert_eq!(response.client_request_id, "mine");
}

#[tokio::test]
async fn response_headers_and_request_id_are_returned() {
    let server = serve(Canned::json(200, r#"{"id":"t1"}"#).header("request-id", "srv-42")).await;
    let response = client_for(&server)
        .send(&GET_THING, &["t1"], &[], &[], None)
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.request_id(), Some("srv-42"));
    assert_eq!(response.body, br#"{"id":"t1"}"#);
    assert_eq!(
        response.headers.get("content-type").unwrap(),
        "application/json"
    );
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let elsewhere = serve(Canned::status(204)).await;
    let redirecting =
        serve(Canned::status(307).header("location", &format!("{}/beta/stolen", elsewhere.origin)))
            .await;
    let client = client_for(&redirecting);
    let response = client
        .send(&ASSIGN, &["p"], &[], &[], Some(b"{}".to_vec()))
        .await
        .unwrap();
    assert_eq!(response.status, 307);
    assert_eq!(redirecting.requests().len(), 1);
    assert!(
        elsewhere.requests().is_empty(),
        "the token must not follow a redirect"
    );
    let err = openapi_runtime::decode::empty(&ASSIGN, response).unwrap_err();
    assert_eq!(err.status(), Some(307));
}

#[tokio::test]
async fn error_bodies_are_cut_and_success_bodies_over_the_cap_refused() {
    let big = vec![b'x'; 2 * MAX_ERROR_BODY];
    let failing = serve(Canned {
        status: 500,
        body: big.clone(),
        ..Canned::default()
    })
    .await;
    let response = client_for(&failing)
        .send(&GET_THING, &["t"], &[], &[], None)
        .await
        .unwrap();
    assert_eq!(response.status, 500);
    assert_eq!(response.body.len(), MAX_ERROR_BODY);

    let ok = serve(Canned {
        status: 200,
        body: big.clone(),
        ..Canned::default()
    })
    .await;
    let response = client_for(&ok)
        .send(&GET_THING, &["t"], &[], &[], None)
        .await
        .unwrap();
    assert_eq!(response.body.len(), big.len());
    let capped = Client::builder()
        .base_url(ok.base_url())
        .token(SecretToken::from(TOKEN))
        .max_success_body(MAX_ERROR_BODY)
        .build()
        .unwrap();
    let err = capped
        .send(&GET_THING, &["t"], &[], &[], None)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("the body is longer than the client reads for a success"),
        "{err}"
    );
    assert_eq!(err.status(), Some(200));
}

#[tokio::test]
async fn timeouts_are_transport_errors_marked_retryable() {
    let server = serve(Canned {
        status: 204,
        delay: Some(Duration::from_secs(5)),
        ..Canned::default()
    })
    .await;
    let client = Client::builder()
        .base_url(server.base_url())
        .token(SecretToken::from(TOKEN))
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = client
        .send(&ASSIGN, &["p"], &[], &[], Some(b"{}".to_vec()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Transport { timeout: true, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert!(
        err.to_string()
            .starts_with("windowsAutopilotDeploymentProfiles_assign: request timed out")
    );
    assert!(!format!("{err:?}").contains(TOKEN));
    assert!(!err.to_string().contains(TOKEN));
}

#[tokio::test]
async fn refused_connections_are_transport_errors_without_the_token() {
    // Bind then drop a listener, so the port is very likely closed.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = Client::builder()
        .base_url(format!("http://{addr}/beta"))
        .token(SecretToken::from(TOKEN))
        .build()
        .unwrap();
    let err = client
        .send(&ASSIGN, &["p"], &[], &[], Some(b"{}".to_vec()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Transport { timeout: false, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable(), "a connect failure is retryable");
    assert_eq!(err.status(), None);
    let debug = format!("{err:?}");
    assert!(debug.contains("Transport"), "{debug}");
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(!err.to_string().contains(TOKEN));
}

#[test]
fn client_futures_and_errors_cross_threads() {
    fn assert_send<T: Send>(_: &T) {}
    fn assert_error<E: std::error::Error + Send + Sync + 'static>() {}
    let client = Client::builder()
        .base_url("http://127.0.0.1:1")
        .build()
        .unwrap();
    // Generated operations are spawned onto multi-threaded runtimes.
    let future = client.send(&ASSIGN, &["p"], &[], &[], None);
    assert_send(&future);
    assert_error::<Error>();
    fn assert_sync_clone<T: Send + Sync + Clone>() {}
    assert_sync_clone::<Client>();
}
