//! The transport's `tracing` events describe each exchange but never carry
//! the bearer token. Alone in its binary so that no other test's callsites
//! are registered before the capturing subscriber.

mod common;

use std::fmt::{self, Write as _};
use std::sync::{Arc, Mutex};

use common::{ASSIGN, Canned, TOKEN, client_for, serve};
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
        .filter(|l| l.starts_with("graph_runtime"))
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
}
