//! Responses from a real loopback server, decoded against the route.

mod common;

use common::{ASSIGN, Canned, GET_THING, TOKEN, TOUCH, client_for, serve};
use openapi_runtime::error::Undocumented;
use openapi_runtime::{Error, RetryPolicy, SecretToken, decode};

/// One call with retries off: these tests are about decoding one answer
/// (`retries.rs` covers retrying).
async fn assign(canned: Canned) -> (Result<(), Error>, String) {
    let server = serve(canned).await;
    let client = openapi_runtime::Client::builder()
        .base_url(server.base_url())
        .token(SecretToken::from(TOKEN))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let response = client
        .send(
            &ASSIGN,
            &["p1"],
            &[],
            &[],
            Some(br#"{"deviceIds":["d"]}"#.to_vec()),
        )
        .await
        .expect("a response arrived");
    let sent_id = server
        .only_request()
        .header("client-request-id")
        .unwrap()
        .to_owned();
    (decode::empty(&ASSIGN, response), sent_id)
}

fn graph(result: Result<(), Error>) -> (Error, Box<openapi_runtime::error::GraphFailure>) {
    let err = result.expect_err("expected an error");
    match err.graph_failure() {
        Some(failure) => {
            let failure = Box::new(failure.clone());
            (err, failure)
        }
        None => panic!("expected an error carrying a Graph answer, got {err:?}"),
    }
}

#[tokio::test]
async fn documented_204_is_ok() {
    let (result, _) = assign(Canned::status(204)).await;
    result.unwrap();
}

#[tokio::test]
async fn forbidden_with_odata_body() {
    let body = r#"{"error":{"code":"Forbidden","message":"m","innerError":{"request-id":"r1","date":"d"}}}"#;
    let (result, sent_id) = assign(Canned::json(403, body)).await;
    let (err, failure) = graph(result);
    assert_eq!(err.status(), Some(403));
    assert_eq!(err.graph_code(), Some("Forbidden"));
    assert_eq!(
        err.request_id(),
        Some("r1"),
        "taken from innerError when no header"
    );
    assert_eq!(err.client_request_id(), Some(sent_id.as_str()));
    assert!(!err.is_retryable());
    let odata = failure.error.as_ref().expect("decoded OData error");
    assert_eq!(odata.error.message, "m");
    assert_eq!(
        odata.error.inner_error.as_ref().unwrap().date.as_deref(),
        Some("d")
    );
    assert_eq!(failure.body_excerpt, body);
    assert_eq!(
        err.to_string(),
        format!(
            "windowsAutopilotDeploymentProfiles_assign: 403 Forbidden: Forbidden: m \
             (request-id r1, client-request-id {sent_id})"
        )
    );
}

#[tokio::test]
async fn request_id_header_wins_over_inner_error() {
    let body =
        r#"{"error":{"code":"Forbidden","message":"m","innerError":{"request-id":"inner"}}}"#;
    let (result, _) = assign(Canned::json(403, body).header("request-id", "from-header")).await;
    assert_eq!(result.unwrap_err().request_id(), Some("from-header"));
}

#[tokio::test]
async fn schema_spelling_and_nested_inner_errors() {
    let body = r#"{"error":{"code":"BadRequest","message":"bad","target":"deviceIds",
        "details":[{"code":"InvalidId","message":"d9 is unknown","target":"deviceIds/0"}],
        "innererror":{"date":"d","innererror":{"request-id":"deep-r","client-request-id":"deep-c","code":"x"}}}}"#;
    let (result, sent_id) = assign(Canned::json(400, body)).await;
    let (err, failure) = graph(result);
    assert_eq!(err.graph_code(), Some("BadRequest"));
    assert_eq!(err.request_id(), Some("deep-r"));
    // What the client sent is authoritative; the echoed one is a fallback.
    assert_eq!(err.client_request_id(), Some(sent_id.as_str()));
    let main = &failure.error.as_ref().unwrap().error;
    assert_eq!(main.target.as_deref(), Some("deviceIds"));
    assert_eq!(main.details[0].code, "InvalidId");
    let outer = main.inner_error.as_ref().unwrap();
    assert_eq!(outer.date.as_deref(), Some("d"));
    let nested = outer.inner_error.as_ref().expect("nested inner error");
    assert_eq!(nested.request_id.as_deref(), Some("deep-r"));
    assert_eq!(nested.client_request_id.as_deref(), Some("deep-c"));
    assert_eq!(nested.other.get("code"), Some(&serde_json::json!("x")));
}

#[tokio::test]
async fn throttling_keeps_retry_after() {
    let body = r#"{"error":{"code":"TooManyRequests","message":"slow down"}}"#;
    let (result, _) = assign(Canned::json(429, body).header("retry-after", "7")).await;
    let (err, failure) = graph(result);
    assert!(matches!(err, Error::Throttled(_)), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(failure.retry_after.as_deref(), Some("7"));
    assert_eq!(
        failure.retry_after_delay(std::time::SystemTime::now()),
        Some(std::time::Duration::from_secs(7))
    );
    assert!(err.to_string().contains("retry-after 7"), "{err}");
}

#[tokio::test]
async fn non_json_500_is_graph_without_odata() {
    let html = format!("<html><body>{}</body></html>", "boom ".repeat(400));
    let (result, _) = assign(Canned {
        status: 500,
        headers: vec![("content-type", "text/html".into())],
        body: html.clone().into_bytes(),
        delay: None,
    })
    .await;
    let (err, failure) = graph(result);
    assert_eq!(err.status(), Some(500));
    assert!(failure.error.is_none());
    assert_eq!(err.graph_code(), None);
    assert_eq!(failure.body_excerpt.len(), 1024);
    assert_eq!(failure.body_excerpt, html[..1024]);
    let text = err.to_string();
    assert!(
        text.starts_with(
            "windowsAutopilotDeploymentProfiles_assign: 500 Internal Server Error: \
         body is not an OData error: <html><body>boom"
        ),
        "{text}"
    );
    assert!(!text.contains('\n'));
}

#[tokio::test]
async fn success_with_body_on_a_204_only_route_is_undocumented() {
    let (result, sent_id) = assign(Canned::json(200, r#"{"unexpected":true}"#)).await;
    match result.unwrap_err() {
        Error::UndocumentedResponse {
            status,
            kind,
            content_type,
            body_excerpt,
            client_request_id,
            ..
        } => {
            assert_eq!(status, 200);
            assert_eq!(kind, Undocumented::Status);
            assert_eq!(content_type.as_deref(), Some("application/json"));
            assert_eq!(body_excerpt, r#"{"unexpected":true}"#);
            assert_eq!(client_request_id.as_deref(), Some(sent_id.as_str()));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn body_on_a_success_documented_without_one_is_undocumented() {
    // HTTP/1.1 cannot carry a body on a 204 (hyper drops it on both ends),
    // so a `2XX`-without-body route answered with 200 plus a body stands in
    // for "documented no-body success that arrived with a body".
    let server = serve(Canned::json(200, "{}")).await;
    let response = client_for(&server)
        .send(&TOUCH, &["t"], &[], &[], None)
        .await
        .unwrap();
    let err = decode::empty(&TOUCH, response).unwrap_err();
    assert!(
        matches!(
            err,
            Error::UndocumentedResponse {
                kind: Undocumented::UnexpectedBody,
                status: 200,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("without a body, but a body arrived"),
        "{err}"
    );

    let server = serve(Canned::status(202)).await;
    let response = client_for(&server)
        .send(&TOUCH, &["t"], &[], &[], None)
        .await
        .unwrap();
    decode::empty(&TOUCH, response).expect("2XX range without body, empty body");
}

#[tokio::test]
async fn json_success_decodes_and_bad_json_is_decode_error() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Thing {
        id: String,
    }
    let server = serve(Canned::json(200, r#"{"id":"t1","extra":1}"#)).await;
    let response = client_for(&server)
        .send(&GET_THING, &["t1"], &[], &[], None)
        .await
        .unwrap();
    let thing: Thing = decode::json(&GET_THING, response).unwrap();
    assert_eq!(thing, Thing { id: "t1".into() });

    let server = serve(Canned::json(200, r#"{"id":5}"#).header("request-id", "r9")).await;
    let response = client_for(&server)
        .send(&GET_THING, &["t1"], &[], &[], None)
        .await
        .unwrap();
    let err = decode::json::<Thing>(&GET_THING, response).unwrap_err();
    assert!(matches!(err, Error::Decode { status: 200, .. }), "{err:?}");
    assert_eq!(err.request_id(), Some("r9"));
    assert!(err.to_string().contains("invalid type"), "{err}");
}
