//! A scripted loopback Graph stand-in, for the client and for tests that
//! spawn the `autopilot` binary: it answers the n-th request with the n-th
//! answer (repeating the last) and records what it got. Included by path
//! by each test file that needs it; each reads what it needs of a request.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;

/// One answer: status, headers, body.
pub type Answer = (u16, Vec<(&'static str, &'static str)>, &'static str);

/// One request as received.
#[derive(Debug, Clone)]
pub struct Received {
    /// `POST /beta/...`
    pub route: String,
    /// The query string, without `?` (empty when none).
    pub query: String,
    /// Request headers.
    pub headers: HeaderMap,
    /// Request body.
    pub body: Bytes,
}

/// What the server has received so far, in order.
pub type Log = Arc<Mutex<Vec<Received>>>;

/// Starts the server; the list fills as requests arrive.
pub async fn serve(script: Vec<Answer>) -> (SocketAddr, Log) {
    let (app, seen) = app(script);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, seen)
}

/// The service behind [`serve`], to put behind another listener.
pub fn app(script: Vec<Answer>) -> (axum::Router, Log) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let app = axum::Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let record = record.clone();
            let script = script.clone();
            async move {
                let index = {
                    let mut seen = record.lock().unwrap();
                    seen.push(Received {
                        route: format!("{method} {}", uri.path()),
                        query: uri.query().unwrap_or_default().to_owned(),
                        headers,
                        body,
                    });
                    (seen.len() - 1).min(script.len() - 1)
                };
                let (status, headers, body) = script[index].clone();
                let mut response =
                    Response::builder().status(StatusCode::from_u16(status).unwrap());
                for (name, value) in headers {
                    response = response.header(name, value);
                }
                response.body(Body::from(body)).unwrap()
            }
        },
    );
    (app, seen)
}

/// The routes (`POST /beta/...`) of `seen`, in order.
pub fn routes(seen: &[Received]) -> Vec<&str> {
    seen.iter().map(|r| r.route.as_str()).collect()
}
