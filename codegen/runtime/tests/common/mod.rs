//! A loopback HTTP server for the integration tests: it answers every request
//! with one scripted response and records exactly what arrived on the wire.

#![allow(dead_code)] // Each test binary uses a different part of this module.

pub mod resetting;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use openapi_runtime::{Method, ResponseSpec, Route, StatusSpec};

/// The token the tests use; no output may ever contain it.
pub const TOKEN: &str = "tok-SECRET-0123456789";

/// The seed operation: POST, documented `204` without a body, OData errors.
pub static ASSIGN: Route = Route {
    operation_id: "windowsAutopilotDeploymentProfiles_assign",
    method: Method::Post,
    template: "/deviceManagement/windowsAutopilotDeploymentProfiles/{windowsAutopilotDeploymentProfileId}/assign",
    params: &[],
    body: Some(openapi_runtime::Body::json(&openapi_runtime::validate::ANY)),
    auth: true,
    security: &[],
    responses: &[
        ResponseSpec {
            status: StatusSpec::Code(204),
            content_type: None,
            headers: &[],
        },
        ResponseSpec {
            status: StatusSpec::Default,
            content_type: Some("application/json"),
            headers: &[],
        },
    ],
    permissions: &[&["DeviceManagementServiceConfig.ReadWrite.All"]],
    summary: "assign",
    servers: &[],
};

/// A GET whose `200` has a JSON body.
pub static GET_THING: Route = Route {
    operation_id: "things_get",
    method: Method::Get,
    template: "/things/{id}",
    params: &[],
    body: None,
    auth: true,
    security: &[],
    responses: &[ResponseSpec {
        status: StatusSpec::Code(200),
        content_type: Some("application/json"),
        headers: &[],
    }],
    permissions: &[],
    summary: "get a thing",
    servers: &[],
};

/// A POST whose every `2XX` is documented without a body.
pub static TOUCH: Route = Route {
    operation_id: "things_touch",
    method: Method::Post,
    template: "/things/{id}/touch",
    params: &[],
    body: None,
    auth: true,
    security: &[],
    responses: &[ResponseSpec {
        status: StatusSpec::Range(2),
        content_type: None,
        headers: &[],
    }],
    permissions: &[],
    summary: "touch a thing",
    servers: &[],
};

/// What the server answers.
#[derive(Clone, Default)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering (for timeout tests).
    pub delay: Option<Duration>,
}

impl Canned {
    pub fn status(status: u16) -> Self {
        Canned {
            status,
            ..Canned::default()
        }
    }

    pub fn json(status: u16, body: &str) -> Self {
        Canned {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: body.as_bytes().to_vec(),
            delay: None,
        }
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }
}

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// Path and query exactly as sent (still percent-encoded).
    pub target: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("ASCII header"))
    }
}

struct Shared {
    /// Answers in order; the last one repeats.
    script: Vec<Canned>,
    recorded: Mutex<Vec<Recorded>>,
}

/// A running server; it stops with the test's runtime.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`
    pub origin: String,
    shared: Arc<Shared>,
}

impl TestServer {
    /// The service root a client should use: origin + `/beta`.
    pub fn base_url(&self) -> String {
        format!("{}/beta", self.origin)
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.recorded.lock().unwrap().clone()
    }

    /// The one request received; fails the test if there were more or none.
    pub fn only_request(&self) -> Recorded {
        let mut all = self.requests();
        assert_eq!(all.len(), 1, "expected exactly one request, got {all:#?}");
        all.remove(0)
    }
}

/// Starts a server on 127.0.0.1 with an ephemeral port.
pub async fn serve(canned: Canned) -> TestServer {
    serve_script(vec![canned]).await
}

/// Like [`serve`], answering the n-th request with `script[n]` and every
/// later one with the last entry.
pub async fn serve_script(script: Vec<Canned>) -> TestServer {
    assert!(!script.is_empty(), "a script needs at least one answer");
    let shared = Arc::new(Shared {
        script,
        recorded: Mutex::new(Vec::new()),
    });
    let app = axum::Router::new()
        .fallback(answer)
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    TestServer { origin, shared }
}

async fn answer(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap()
        .to_vec();
    let index = {
        let mut recorded = shared.recorded.lock().unwrap();
        let index = recorded.len().min(shared.script.len() - 1);
        recorded.push(Recorded {
            method: parts.method.to_string(),
            target: parts
                .uri
                .path_and_query()
                .map(|pq| pq.as_str().to_owned())
                .unwrap_or_default(),
            headers: parts.headers,
            body,
        });
        index
    };
    let canned = shared.script[index].clone();
    if let Some(delay) = canned.delay {
        tokio::time::sleep(delay).await;
    }
    let mut response = Response::builder().status(StatusCode::from_u16(canned.status).unwrap());
    for (name, value) in &canned.headers {
        response = response.header(*name, value);
    }
    response.body(Body::from(canned.body)).unwrap()
}

/// One assign call through `client` (to profile `p1`, no devices),
/// decoded as the route documents.
pub async fn assign(client: &openapi_runtime::Client) -> Result<(), openapi_runtime::Error> {
    let response = client
        .send(
            &ASSIGN,
            &["p1"],
            &[],
            &[],
            Some(b"{\"deviceIds\":[]}".to_vec()),
        )
        .await?;
    openapi_runtime::decode::empty(&ASSIGN, response)
}

/// A client for `server` with the test token.
pub fn client_for(server: &TestServer) -> openapi_runtime::Client {
    openapi_runtime::Client::builder()
        .base_url(server.base_url())
        .token(openapi_runtime::SecretToken::from(TOKEN))
        .build()
        .unwrap()
}
