//! The transport's `tracing` events describe each exchange but never carry
//! the bearer token. Alone in its binary so that no other test's callsites
//! are registered before the capturing subscriber.

mod common;

use std::fmt::{self, Write as _};
use std::sync::{Arc, Mutex};

use common::{ASSIGN, Canned, TOKEN, client_for, serve, serve_script};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Records every event as `target: field=value ...`.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

struct Line(String);

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut line = Line(format!("span {}:", span.metadata().name()));
        span.record(&mut line);
        self.0.lock().unwrap().push(line.0);
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut line = Line("record:".into());
        values.record(&mut line);
        self.0.lock().unwrap().push(line.0);
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut line = Line(format!("{}:", event.metadata().target()));
        event.record(&mut line);
        self.0.lock().unwrap().push(line.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn debug_events_describe_the_exchange_without_the_token() {
    let capture = Capture::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(capture.clone(), || {
        runtime.block_on(async {
            let body = r#"{"error":{"code":"Forbidden","message":"m"}}"#;
            let server = serve(Canned::json(403, body).header("request-id", "srv-1")).await;
            let response = client_for(&server)
                .send(&ASSIGN, &["p1"], &[], &[], Some(b"{}".to_vec()))
                .await
                .unwrap();
            assert_eq!(response.status, 403);
        });
    });

    let lines = capture.0.lock().unwrap().clone();
    let ours: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("openapi_runtime"))
        .collect();
    assert_eq!(
        ours.len(),
        2,
        "one request and one response event: {lines:#?}"
    );
    assert!(ours[0].contains("message=graph request"), "{}", ours[0]);
    assert!(ours[0].contains("/deviceManagement/windowsAutopilotDeploymentProfiles/p1/assign"));
    assert!(ours[0].contains("client_request_id="));
    assert!(ours[1].contains("message=graph response"), "{}", ours[1]);
    assert!(ours[1].contains("status=403"), "{}", ours[1]);
    assert!(ours[1].contains("request_id=\"srv-1\""), "{}", ours[1]);
    for line in &lines {
        assert!(!line.contains(TOKEN), "token leaked into tracing: {line}");
        assert!(
            !line.contains("Bearer"),
            "authorization leaked into tracing: {line}"
        );
    }

    // Each retry is logged with the status, the wait and where it came from,
    // and giving up is logged too.
    capture.0.lock().unwrap().clear();
    tracing::subscriber::with_default(capture.clone(), || {
        runtime.block_on(async {
            let server = serve_script(vec![
                Canned::status(429).header("retry-after", "0"),
                Canned::status(503).header("retry-after", "0"),
            ])
            .await;
            let client = openapi_runtime::Client::builder()
                .base_url(server.base_url())
                .token(openapi_runtime::SecretToken::from(TOKEN))
                .retry(openapi_runtime::RetryPolicy::default().max_attempts(3))
                .build()
                .unwrap();
            let response = client.send(&ASSIGN, &["p1"], &[], &[], None).await.unwrap();
            assert_eq!(response.status, 503);
            assert_eq!(response.attempts.count, 3);
        });
    });
    let lines = capture.0.lock().unwrap().clone();
    let retries: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("message=graph request throttled; retrying"))
        .collect();
    assert_eq!(retries.len(), 2, "{lines:#?}");
    assert!(retries[0].contains("status=429"), "{}", retries[0]);
    assert!(retries[0].contains("attempt=1"), "{}", retries[0]);
    assert!(retries[0].contains("wait_ms=0"), "{}", retries[0]);
    assert!(
        retries[0].contains("reason=as Retry-After asks"),
        "{}",
        retries[0]
    );
    assert!(retries[1].contains("status=503"), "{}", retries[1]);
    assert!(retries[1].contains("attempt=2"), "{}", retries[1]);
    let gave_up: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("giving up: gave up after 3 attempts"))
        .collect();
    assert_eq!(gave_up.len(), 1, "{lines:#?}");
    for line in &lines {
        assert!(!line.contains(TOKEN), "token leaked into tracing: {line}");
    }
}
