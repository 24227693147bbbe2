//! The observer hook sees every attempt, response and retry, with the token
//! redacted, over a real loopback server.

mod common;

use std::sync::{Arc, Mutex};

use common::{ASSIGN, Canned, TOKEN, serve_script};
use openapi_runtime::observe::{Event, Observer};
use openapi_runtime::retry::WaitReason;
use openapi_runtime::{Client, SecretToken};

/// Writes each event as one line of text, like a verbose CLI would.
#[derive(Debug, Default)]
struct Lines(Mutex<Vec<String>>);

impl Observer for Lines {
    fn on_event(&self, event: &Event<'_>) {
        let line = match event {
            Event::Request {
                attempt,
                method,
                url,
                headers,
                body,
                ..
            } => format!(
                "request {attempt} {method} {url} {headers:?} {}",
                String::from_utf8_lossy(body.unwrap_or_default())
            ),
            Event::Response {
                attempt,
                status,
                headers,
                body,
                ..
            } => format!(
                "response {attempt} {status} {headers:?} {}",
                String::from_utf8_lossy(body)
            ),
            Event::Retry {
                attempt,
                status,
                wait,
                reason,
                ..
            } => format!(
                "retry {attempt} {status} {wait:?} {}",
                match reason {
                    WaitReason::RetryAfter => "retry-after",
                    WaitReason::Backoff => "backoff",
                }
            ),
            Event::TransportError {
                attempt, message, ..
            } => format!("transport {attempt} {message}"),
            other => format!("{other:?}"),
        };
        self.0.lock().unwrap().push(line);
    }
}

#[tokio::test]
async fn every_attempt_and_retry_is_observed_without_the_token() {
    let server = serve_script(vec![
        Canned::json(503, r#"{"error":{"code":"x","message":"busy"}}"#).header("retry-after", "0"),
        Canned::status(204),
    ])
    .await;
    let lines = Arc::new(Lines::default());
    let client = Client::builder()
        .base_url(server.base_url())
        .token(SecretToken::from(TOKEN))
        .observer(lines.clone())
        .build()
        .unwrap();
    let response = client
        .send(
            &ASSIGN,
            &["p1"],
            &[],
            &[],
            Some(b"{\"deviceIds\":[\"d\"]}".to_vec()),
        )
        .await
        .unwrap();
    assert_eq!(response.status, 204);
    assert_eq!(response.attempts.count, 2);

    let lines = lines.0.lock().unwrap().clone();
    let kinds: Vec<&str> = lines.iter().map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(
        kinds,
        ["request", "response", "retry", "request", "response"],
        "{lines:#?}"
    );
    assert!(lines[0].starts_with(&format!(
        "request 1 POST {}/deviceManagement/windowsAutopilotDeploymentProfiles/p1/assign",
        server.base_url()
    )));
    assert!(
        lines[0].contains(r#"("authorization", "Bearer <redacted>")"#),
        "{}",
        lines[0]
    );
    assert!(lines[0].ends_with(r#"{"deviceIds":["d"]}"#), "{}", lines[0]);
    assert!(lines[1].starts_with("response 1 503"), "{}", lines[1]);
    assert!(lines[1].ends_with(r#"{"error":{"code":"x","message":"busy"}}"#));
    assert_eq!(lines[2], "retry 1 503 0ns retry-after");
    assert!(lines[3].starts_with("request 2 POST"));
    assert!(
        lines[3].contains(r#"("retry-attempt", "1")"#),
        "{}",
        lines[3]
    );
    assert!(lines[4].starts_with("response 2 204"));
    for line in &lines {
        assert!(!line.contains(TOKEN), "token leaked: {line}");
    }
}

#[tokio::test]
async fn transport_failures_are_observed() {
    // A port that was bound and released: nothing listens there.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let lines = Arc::new(Lines::default());
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}/beta"))
        .token(SecretToken::from(TOKEN))
        .observer(lines.clone())
        .build()
        .unwrap();
    let err = client
        .send(&ASSIGN, &["p1"], &[], &[], None)
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
    let lines = lines.0.lock().unwrap().clone();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(lines[1].starts_with("transport 1 "), "{}", lines[1]);
    assert!(lines.iter().all(|l| !l.contains(TOKEN)));
}
