//! A recording forwarder on loopback, so that the job can judge what the
//! client sends to another server (`--base-url`) and what that server
//! answers, exactly as it does with the embedded mock.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::exchange::{self, Exchange, Headers};
use crate::mock::Recorder;

/// Headers that belong to one connection and are not forwarded.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
    "te",
    "trailer",
    "host",
];

struct Shared {
    /// The target's origin (`https://host:port`), no path.
    origin: String,
    http: reqwest::Client,
    recorder: Recorder,
}

/// A running forwarder.
pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
    path: String,
}

impl Proxy {
    /// Starts forwarding to the service root `base_url`.
    pub async fn start(base_url: &str) -> Result<Proxy, String> {
        let url = reqwest::Url::parse(base_url)
            .map_err(|e| format!("--base-url {base_url:?} is not a URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(format!(
                "--base-url {base_url:?} must be an http(s) URL with a host"
            ));
        }
        let origin = url.origin().ascii_serialization();
        let path = url.path().trim_end_matches('/').to_string();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the forwarding client: {e}"))?;
        let shared = Arc::new(Shared {
            origin,
            http,
            // Every exchange: the coverage needs them all, and a call's own
            // are looked up after other calls stored theirs.
            recorder: Recorder::new(usize::MAX),
        });
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("cannot listen on loopback: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot read the loopback address: {e}"))?;
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Proxy {
            addr,
            shared,
            task,
            path,
        })
    }

    /// The service root to give the client: the forwarder's address with
    /// the target's path, so the recorded paths are the ones the target
    /// sees.
    pub fn base_url(&self) -> String {
        format!("http://{}{}", self.addr, self.path)
    }

    /// The recorded exchanges.
    pub fn recorder(&self) -> &Recorder {
        &self.shared.recorder
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn forward(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let seq = shared.recorder.next_seq();
    let mut recorded = Headers::default();
    for (name, value) in &headers {
        recorded.push(
            name.as_str(),
            String::from_utf8_lossy(value.as_bytes()).into_owned(),
        );
    }
    let request = exchange::Request {
        method: method.as_str().to_string(),
        path: uri.path().to_string(),
        query: uri.query().map(str::to_string),
        headers: recorded,
        body: exchange::Body::new(&body),
    };
    let target = format!(
        "{}{}",
        shared.origin,
        uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
    );
    let mut outgoing = shared.http.request(method, &target).body(body);
    for (name, value) in &headers {
        if !HOP_BY_HOP.contains(&name.as_str()) && name != "content-length" {
            outgoing = outgoing.header(name, value);
        }
    }
    let (response, recorded_response) = match outgoing.send().await {
        Err(e) => {
            let text = format!("forwarding to {target} failed: {e}");
            let mut response = Response::new(Body::from(text));
            *response.status_mut() = StatusCode::BAD_GATEWAY;
            // The target gave no response; the oracle sees none.
            (response, None)
        }
        Ok(reply) => {
            let status = reply.status();
            let reply_headers = reply.headers().clone();
            let bytes = reply.bytes().await.unwrap_or_default();
            let mut recorded = Headers::default();
            let mut response = Response::new(Body::from(bytes.clone()));
            *response.status_mut() = status;
            for (name, value) in &reply_headers {
                recorded.push(
                    name.as_str(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                );
                if !HOP_BY_HOP.contains(&name.as_str()) && name != "content-length" {
                    response.headers_mut().append(name, value.clone());
                }
            }
            let recorded = exchange::Response {
                status: status.as_u16(),
                headers: recorded,
                body: exchange::Body::new(&bytes),
            };
            (response, Some(recorded))
        }
    };
    shared.recorder.store(Exchange {
        seq,
        request,
        response: recorded_response,
        scenario: None,
    });
    response
}
