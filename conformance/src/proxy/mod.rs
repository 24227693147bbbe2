//! `conformance proxy`: a validating reverse proxy any client can go
//! through. Every request is forwarded to the upstream and every response
//! back, byte for byte, except for hop-by-hop headers (and `Host`, which
//! names the upstream); meanwhile the independent [`oracle`](crate::oracle)
//! judges each exchange and the [`judge`] logs and counts violations.
//!
//! Bodies stream: the proxy forwards each chunk as it arrives and keeps a
//! copy of at most [`ProxyConfig::judge_limit`] bytes of each body for the
//! oracle; a longer body passes whole, and the log says it was too large
//! to validate.
//!
//! Paths: the request's path is appended to the upstream URL's path, so
//! with `--upstream https://graph.microsoft.com` a client uses
//! `http://ADDR/beta` as its service root, and with
//! `--upstream http://127.0.0.1:8080/beta` it uses `http://ADDR`. The
//! oracle judges the path the upstream receives.

pub mod judge;
pub mod tee;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::exchange::{self, Exchange, Headers};
use crate::oracle::Oracle;
pub use judge::{Progress, Summary};
use tee::{Captured, Tee};

/// The default judge limit: 1 MiB of each body is kept for the oracle.
pub const DEFAULT_JUDGE_LIMIT: usize = 1024 * 1024;

/// Headers that belong to one connection (RFC 9110 §7.6.1) and are not
/// forwarded, plus `Host` (the client sets the upstream's), `Expect`
/// (the proxy's own server side has answered `100 Continue` already) and
/// `Proxy-Authorization` (a credential for a proxy, never for the upstream).
pub const HOP_BY_HOP: [&str; 11] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "expect",
];

/// How to run the proxy.
#[derive(Debug, Clone)]
pub struct ProxyConfig {
    /// Where to listen; port 0 picks one.
    pub addr: SocketAddr,
    /// The upstream, `http(s)://host[:port][/path]`.
    pub upstream: String,
    /// How many bytes of each body the oracle judges.
    pub judge_limit: usize,
    /// Whether exchanges are judged (the default) or only forwarded.
    pub judging: Judging,
}

impl ProxyConfig {
    /// Judging proxy on `addr` for `upstream`, with the default judge limit.
    pub fn new(addr: SocketAddr, upstream: impl Into<String>) -> ProxyConfig {
        ProxyConfig {
            addr,
            upstream: upstream.into(),
            judge_limit: DEFAULT_JUDGE_LIMIT,
            judging: Judging::On,
        }
    }
}

/// Whether the proxy judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judging {
    /// Every exchange is copied up to the limit and judged.
    On,
    /// Exchanges are forwarded and nothing else: the same server, client
    /// and header handling without the copies and the oracle, the baseline
    /// the throughput benchmark compares against.
    Off,
}

type Upstream = Client<hyper_rustls::HttpsConnector<HttpConnector>, Body>;

struct Shared {
    /// `scheme://host:port` of the upstream.
    origin: String,
    /// The upstream URL's path, without a trailing slash.
    prefix: String,
    client: Upstream,
    limit: usize,
    judging: Judging,
    seq: AtomicU64,
    judge: mpsc::UnboundedSender<judge::Seen>,
}

/// A running proxy.
pub struct ValidatingProxy {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    judge: JoinHandle<()>,
    progress: Arc<Progress>,
}

/// Checks an upstream URL: `http` or `https`, a host, no query or fragment.
/// Gives its origin and its path (no trailing slash).
pub fn parse_upstream(upstream: &str) -> Result<(String, String), String> {
    let url = reqwest::Url::parse(upstream)
        .map_err(|e| format!("--upstream {upstream:?} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!(
            "--upstream {upstream:?} must be an http(s) URL with a host"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "--upstream {upstream:?} must not have a query or fragment"
        ));
    }
    let origin = url.origin().ascii_serialization();
    let prefix = url.path().trim_end_matches('/').to_string();
    Ok((origin, prefix))
}

fn upstream_client() -> Result<Upstream, String> {
    let provider = rustls::crypto::ring::default_provider();
    let builder = hyper_rustls::HttpsConnectorBuilder::new();
    // The OS store first (a corporate TLS-inspecting proxy's root lives
    // there), Mozilla's roots where the OS store has none.
    let builder = match builder.with_provider_and_native_roots(provider.clone()) {
        Ok(b) => b,
        Err(_) => hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(provider)
            .map_err(|e| format!("cannot set up TLS for the upstream: {e}"))?,
    };
    let connector = builder.https_or_http().enable_http1().build();
    Ok(Client::builder(TokioExecutor::new()).build(connector))
}

impl ValidatingProxy {
    /// Binds and starts forwarding to `config.upstream`; each finished
    /// exchange is judged by `oracle` and logged to `log`.
    pub async fn start(
        config: ProxyConfig,
        oracle: Oracle,
        log: Box<dyn Write + Send>,
    ) -> Result<ValidatingProxy, String> {
        let (origin, prefix) = parse_upstream(&config.upstream)?;
        let client = upstream_client()?;
        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot read the listening address: {e}"))?;
        let (judge_tx, judge_rx) = mpsc::unbounded_channel();
        let progress = Arc::new(Progress::default());
        // The log shows only failures, so passing findings need no text.
        let judge = tokio::spawn(judge::run(
            Arc::new(oracle.quiet()),
            judge_rx,
            log,
            progress.clone(),
        ));
        let shared = Arc::new(Shared {
            origin,
            prefix,
            client,
            limit: config.judge_limit,
            judging: config.judging,
            seq: AtomicU64::new(0),
            judge: judge_tx,
        });
        let app = axum::Router::new().fallback(forward).with_state(shared);
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(ValidatingProxy {
            addr,
            stop: Some(stop),
            server: Some(server),
            judge,
            progress,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Exchanges judged so far, and a way to wait for more.
    pub fn progress(&self) -> &Arc<Progress> {
        &self.progress
    }

    /// Stops accepting, lets open exchanges finish (up to `grace`), judges
    /// what is left and returns the summary.
    pub async fn finish(mut self, grace: std::time::Duration) -> Summary {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let abort = server.abort_handle();
            if tokio::time::timeout(grace, server).await.is_err() {
                abort.abort();
            }
        }
        // The server's state, and with it the judge's last sender, is gone
        // once the server task ends; exchanges still streaming hold theirs
        // until they end.
        let done = matches!(
            tokio::time::timeout(grace, &mut self.judge).await,
            Ok(Ok(()))
        );
        let mut summary = self.progress.summary();
        if !done {
            self.judge.abort();
            summary.unfinished = true;
        }
        summary
    }
}

impl Drop for ValidatingProxy {
    fn drop(&mut self) {
        if let Some(server) = &self.server {
            server.abort();
        }
        self.judge.abort();
    }
}

fn record_headers(headers: &HeaderMap) -> Headers {
    let mut recorded = Headers::default();
    for (name, value) in headers {
        recorded.push(
            name.as_str(),
            String::from_utf8_lossy(value.as_bytes()).into_owned(),
        );
    }
    recorded
}

/// The headers to forward: all but hop-by-hop ones and those the
/// `Connection` header names.
fn end_to_end(headers: &HeaderMap) -> HeaderMap {
    let named: Vec<String> = headers
        .get_all("connection")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    let mut out = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let lower = name.as_str();
        if HOP_BY_HOP.contains(&lower) || named.iter().any(|n| n == lower) {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    out
}

fn body_of(captured: &Captured) -> exchange::Body {
    exchange::Body {
        bytes: captured.bytes.clone(),
        length: usize::try_from(captured.length).unwrap_or(usize::MAX),
    }
}

fn notes(what: &str, captured: &Captured) -> Option<String> {
    if captured.finished {
        return None;
    }
    Some(match &captured.error {
        Some(e) => format!(
            "the {what} body was cut off after {} bytes: {e}",
            captured.length
        ),
        None => format!(
            "the {what} body did not reach its end ({} bytes passed)",
            captured.length
        ),
    })
}

/// The upstream URL for a request: the upstream's path, then the
/// request's path and query.
fn upstream_target(shared: &Shared, uri: &Uri) -> (String, String) {
    let path = format!("{}{}", shared.prefix, uri.path());
    let target = match uri.query() {
        Some(q) => format!("{}{path}?{q}", shared.origin),
        None => format!("{}{path}", shared.origin),
    };
    (path, target)
}

/// Forwarding alone (see [`Judging::Off`]).
async fn pass_through(shared: &Shared, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let (_, target) = upstream_target(shared, &parts.uri);
    let Ok(uri) = target.parse::<Uri>() else {
        return bad_gateway(&format!("cannot forward to {target}"));
    };
    let mut outgoing = axum::http::Request::new(body);
    *outgoing.method_mut() = parts.method;
    *outgoing.uri_mut() = uri;
    *outgoing.headers_mut() = end_to_end(&parts.headers);
    match shared.client.request(outgoing).await {
        Err(e) => bad_gateway(&format!(
            "conformance proxy: forwarding to {target} failed: {}",
            error_chain(&e)
        )),
        Ok(reply) => {
            let (reply_parts, incoming) = reply.into_parts();
            let mut response = Response::new(Body::new(incoming));
            *response.status_mut() = reply_parts.status;
            *response.headers_mut() = end_to_end(&reply_parts.headers);
            response
        }
    }
}

async fn forward(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    if shared.judging == Judging::Off {
        return pass_through(&shared, request).await;
    }
    let seq = shared.seq.fetch_add(1, Ordering::Relaxed) + 1;
    let (parts, body) = request.into_parts();
    let (path, target) = upstream_target(&shared, &parts.uri);
    let query = parts.uri.query().map(str::to_string);
    let head = exchange::Request {
        method: parts.method.as_str().to_string(),
        path: path.clone(),
        query: query.clone(),
        headers: record_headers(&parts.headers),
        body: exchange::Body::default(),
    };
    let (request_body, request_done) = Tee::new(body, shared.limit);
    let uri: Uri = match target.parse() {
        Ok(uri) => uri,
        Err(e) => {
            return bad_gateway(&format!("cannot forward to {target}: {e}"));
        }
    };
    let mut outgoing = axum::http::Request::new(Body::new(request_body));
    *outgoing.method_mut() = parts.method.clone();
    *outgoing.uri_mut() = uri;
    *outgoing.headers_mut() = end_to_end(&parts.headers);

    let judge = shared.judge.clone();
    match shared.client.request(outgoing).await {
        Err(e) => {
            let text = format!(
                "conformance proxy: forwarding to {target} failed: {}",
                error_chain(&e)
            );
            tokio::spawn(async move {
                let captured = request_done.await.unwrap_or_default();
                let mut exchange = Exchange {
                    seq,
                    request: head,
                    response: None,
                    scenario: None,
                };
                exchange.request.body = body_of(&captured);
                let _ = judge.send(judge::Seen {
                    exchange,
                    upstream_error: Some(error_chain(&e)),
                    notes: Vec::new(),
                });
            });
            bad_gateway(&text)
        }
        Ok(reply) => {
            let (reply_parts, incoming) = reply.into_parts();
            let (response_body, response_done) = Tee::new(incoming, shared.limit);
            let status = reply_parts.status.as_u16();
            let recorded = record_headers(&reply_parts.headers);
            let mut response = Response::new(Body::new(response_body));
            *response.status_mut() = reply_parts.status;
            *response.headers_mut() = end_to_end(&reply_parts.headers);
            tokio::spawn(async move {
                let request_captured = request_done.await.unwrap_or_default();
                let response_captured = response_done.await.unwrap_or_default();
                let mut exchange = Exchange {
                    seq,
                    request: head,
                    response: Some(exchange::Response {
                        status,
                        headers: recorded,
                        body: body_of(&response_captured),
                    }),
                    scenario: None,
                };
                exchange.request.body = body_of(&request_captured);
                let notes = [
                    notes("request", &request_captured),
                    notes("response", &response_captured),
                ]
                .into_iter()
                .flatten()
                .collect();
                let _ = judge.send(judge::Seen {
                    exchange,
                    upstream_error: None,
                    notes,
                });
            });
            response
        }
    }
}

/// An error and its causes, `: `-joined (hyper's own `Display` says only
/// "client error (Connect)").
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

fn bad_gateway(text: &str) -> Response {
    let mut response = Response::new(Body::from(text.to_string()));
    *response.status_mut() = StatusCode::BAD_GATEWAY;
    response.headers_mut().insert(
        HeaderName::from_static("content-type"),
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_urls() {
        assert_eq!(
            parse_upstream("http://127.0.0.1:8080/beta/").unwrap(),
            ("http://127.0.0.1:8080".to_string(), "/beta".to_string())
        );
        assert_eq!(
            parse_upstream("https://graph.microsoft.com").unwrap(),
            ("https://graph.microsoft.com".to_string(), String::new())
        );
        for bad in [
            "graph.microsoft.com",
            "ftp://x/",
            "http://x/?a=1",
            "not a url",
        ] {
            assert!(parse_upstream(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hop_by_hop_headers_and_those_connection_names_stay() {
        let mut headers = HeaderMap::new();
        for (n, v) in [
            ("connection", "keep-alive, x-hop"),
            ("x-hop", "1"),
            ("keep-alive", "timeout=5"),
            ("transfer-encoding", "chunked"),
            ("host", "proxy"),
            ("authorization", "Bearer t"),
            ("accept", "a/b"),
            ("accept", "c/d"),
            ("content-length", "3"),
        ] {
            headers.append(HeaderName::from_static(n), HeaderValue::from_static(v));
        }
        let kept = end_to_end(&headers);
        let names: Vec<&str> = kept.keys().map(|n| n.as_str()).collect();
        assert_eq!(names, ["authorization", "accept", "content-length"]);
        assert_eq!(kept.get_all("accept").iter().count(), 2);
    }
}
