//! A real loopback server for the tests that prove a client refuses an
//! invalid request before sending it. Included by path from the tests of
//! two packages (`autopilot-client` and `graph-modules`), which both have
//! `axum` and `tokio` as dev-dependencies.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A loopback server that counts the requests it gets and answers each
/// with 204: a test reads the count to see whether anything was sent.
pub async fn counting_server() -> (SocketAddr, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    let app = axum::Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            axum::http::StatusCode::NO_CONTENT
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, count)
}
