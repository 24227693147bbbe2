//! The validating mock Graph server: real HTTP on loopback, the spec's
//! routes under the service root (`/beta`), every request judged by the
//! generated server-side validator, every exchange recorded.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use conformance::mock::{MockConfig, MockServer};
//! let mock = MockServer::start(MockConfig::default()).await?;
//! let client = autopilot_client::Client::connect(&mock.base_url(), "token").unwrap();
//! // ... call the client, then look at what went over the wire:
//! for exchange in mock.recorder().exchanges() {
//!     println!("{} {}", exchange.request.method, exchange.request.path);
//! }
//! mock.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Answers:
//!
//! | request | answer |
//! |---|---|
//! | valid | `204 No Content`, no body, no `Content-Type` |
//! | body over the limit ([`DEFAULT_BODY_LIMIT`], 16 MiB) | `413` Graph error (documented by the spec's `default`) |
//! | breaks the spec | `400` Graph error listing every violation in `message` and `details` |
//! | an `Accept` that admits none of the operation's media types | `406` Graph error (`NotAcceptable`), other violations listed too |
//! | no or malformed bearer token (or, when [`MockConfig::accepted_tokens`] names some, another one) | `401` Graph error, `WWW-Authenticate: Bearer` |
//! | unknown path | `404` Graph error |
//! | known path, other method | `405` Graph error with `Allow` |
//! | a fault scenario asked for | see [`Fault`] |
//!
//! Every answer carries `request-id` (and echoes `client-request-id`).
//! Faults are asked per request with the `x-mock-scenario` header
//! (e.g. `x-mock-scenario: throttle-date:2`), or per route / for all
//! routes through [`MockServer::faults`] or the admin endpoint
//! `PUT /_mock/faults` (`{"scenario": "...", "operation": "...", "times": n}`;
//! `DELETE /_mock/faults` clears). `GET /_mock/exchanges` lists the kept
//! exchanges (credentials redacted).

mod admin;
pub mod conn;
pub mod faults;
pub mod gate;
pub mod intake;
pub mod recorder;
pub mod respond;
pub mod success;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use conn::{Conn, ConnControl, MockListener};
pub use faults::{Fault, FaultBoard, RetryAfter, SCENARIO_HEADER, Target, Times};
pub use gate::{Decision, Validation};
pub use intake::{DEFAULT_BODY_LIMIT, Intake};
pub use recorder::{DEFAULT_CAPACITY, Recorder};
pub use respond::{Answer, Detail, Stamp};
pub use success::{Success, Successes};

use openapi_runtime::dispatch::Api;

use crate::exchange::{self, Exchange, Headers, Sensitive};

/// How to run a mock.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// Where to listen; port 0 picks a free one. Default `127.0.0.1:0`.
    pub addr: SocketAddr,
    /// The service root's path; default the path of the spec's first
    /// server (`/beta`).
    pub root: String,
    /// Whether requests are validated (default) or all answered `204`.
    pub validation: Validation,
    /// How many exchanges are kept (all are counted).
    pub record_capacity: usize,
    /// The largest request body judged; longer ones get `413`.
    pub body_limit: usize,
    /// Bearer tokens the mock accepts; empty (the default): any
    /// well-formed token. See [`gate::check_token`].
    pub accepted_tokens: Vec<Sensitive>,
    /// The generated clients whose operations are served, each under the
    /// path of its spec's first server; the first one under [`root`]
    /// instead. Default: every spec in `spec/`
    /// (`autopilot_client::specs::ALL`).
    ///
    /// [`root`]: MockConfig::root
    pub apis: Vec<&'static Api>,
    /// What a valid request is answered with, per operation (default: made
    /// from the specs in `spec/`; `204` for an operation without one).
    pub successes: Successes,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            root: default_root(),
            validation: Validation::Generated,
            record_capacity: DEFAULT_CAPACITY,
            body_limit: DEFAULT_BODY_LIMIT,
            accepted_tokens: Vec::new(),
            apis: autopilot_client::specs::ALL.to_vec(),
            successes: Successes::for_repository(),
        }
    }
}

impl MockConfig {
    /// The mock `conformance serve` runs: validating unless `no_validation`
    /// (then everything under the root gets `204`, the benchmark's
    /// baseline), keeping the last `record` exchanges.
    pub fn serve(addr: SocketAddr, no_validation: bool, record: usize) -> MockConfig {
        MockConfig {
            addr,
            validation: if no_validation {
                Validation::Off
            } else {
                Validation::Generated
            },
            record_capacity: record,
            ..MockConfig::default()
        }
    }
}

/// The path of the generated client's first server URL (`/beta`).
pub fn default_root() -> String {
    let url = autopilot_client::SERVERS
        .first()
        .map(|s| s.url)
        .unwrap_or("https://graph.microsoft.com/beta");
    let after_scheme = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    after_scheme
        .find('/')
        .map(|at| after_scheme[at..].trim_end_matches('/').to_string())
        .unwrap_or_default()
}

/// State every handler shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) root: String,
    pub(crate) validation: Validation,
    pub(crate) recorder: Recorder,
    pub(crate) faults: FaultBoard,
    pub(crate) body_limit: usize,
    pub(crate) accepted_tokens: Vec<Sensitive>,
    /// Each served spec under its root, the first under `root`.
    pub(crate) mounts: Vec<(String, &'static Api)>,
    pub(crate) successes: Successes,
}

/// A running mock server.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl MockServer {
    /// Binds and starts serving in the background (on the current tokio
    /// runtime).
    pub async fn start(config: MockConfig) -> std::io::Result<MockServer> {
        let listener = TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let mounts = config
            .apis
            .iter()
            .enumerate()
            .map(|(i, api)| {
                let root = if i == 0 {
                    config.root.clone()
                } else {
                    api.root_path().to_string()
                };
                (root, *api)
            })
            .collect();
        let shared = Arc::new(Shared {
            mounts,
            successes: config.successes,
            root: config.root,
            validation: config.validation,
            recorder: Recorder::new(config.record_capacity),
            faults: FaultBoard::default(),
            body_limit: config.body_limit,
            accepted_tokens: config.accepted_tokens,
        });
        let app = router(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(
                MockListener(listener),
                app.into_make_service_with_connect_info::<Conn>(),
            )
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
        });
        Ok(MockServer {
            addr,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The service root URL to give a client, e.g. `http://127.0.0.1:PORT/beta`.
    pub fn base_url(&self) -> String {
        format!("http://{}{}", self.addr, self.shared.root)
    }

    /// The service root URL for the client of `api` (by its spec's file
    /// name); the main root when the mock does not serve it.
    pub fn base_url_of(&self, api: &Api) -> String {
        let root = self
            .shared
            .mounts
            .iter()
            .find(|(_, served)| served.spec == api.spec)
            .map_or(self.shared.root.as_str(), |(root, _)| root.as_str());
        format!("http://{}{root}", self.addr)
    }

    /// The recorded exchanges.
    pub fn recorder(&self) -> &Recorder {
        &self.shared.recorder
    }

    /// The faults switched on.
    pub fn faults(&self) -> &FaultBoard {
        &self.shared.faults
    }

    /// Serves until the task ends (for `conformance serve`).
    pub async fn wait(mut self) -> std::io::Result<()> {
        match self.task.take() {
            Some(task) => task.await.unwrap_or_else(|e| Err(std::io::Error::other(e))),
            None => Ok(()),
        }
    }

    /// Stops accepting, lets open requests finish, and waits.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            // Bounded: a client that keeps an idle connection open must not
            // hold the caller forever.
            let _ = tokio::time::timeout(std::time::Duration::from_secs(2), task).await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

fn router(shared: Arc<Shared>) -> Router {
    admin::routes().fallback(serve_api).with_state(shared)
}

/// Every request outside `/_mock/`: validate, apply faults, answer, record.
///
/// The work runs in its own task so that it finishes, and is recorded,
/// even when the client gives up first (the `slow` scenario with a short
/// client timeout): hyper drops a handler's future when its connection
/// closes.
async fn serve_api(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(conn): ConnectInfo<Conn>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let task = tokio::spawn(answer_and_record(shared, conn, method, uri, headers, body));
    match task.await {
        Ok(response) => response,
        Err(e) => Answer::graph_error(
            500,
            "InternalServerError",
            &format!("the mock failed: {e}"),
            &[],
            &Stamp::new(None),
        )
        .into_response(),
    }
}

async fn answer_and_record(
    shared: Arc<Shared>,
    conn: Conn,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let seq = shared.recorder.next_seq();
    // What stops the request before validation: a body too long, or one
    // that could not be read (the client went away mid-body).
    let (body, length, refusal) = match intake::read(body, shared.body_limit).await {
        Intake::Whole(bytes) => {
            let length = bytes.len();
            (bytes, length, None)
        }
        Intake::TooLarge { head, length } => {
            let message = format!(
                "The request body ({length} bytes or more) is larger than the mock accepts \
                 ({} bytes).",
                shared.body_limit
            );
            (head, length, Some((413, "RequestEntityTooLarge", message)))
        }
        Intake::Broken(e) => {
            let message = format!("The request body could not be read: {e}");
            (Bytes::new(), 0, Some((400, "BadRequest", message)))
        }
    };
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
        body: exchange::Body {
            length,
            ..exchange::Body::new(&body)
        },
    };
    let stamp = Stamp::new(
        headers
            .get("client-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    );

    let (answer, scenario) = match refusal {
        None => decide(&shared, &request, &headers, &body, &stamp).await,
        Some((status, code, message)) => {
            let answer = Answer::graph_error(status, code, &message, &[], &stamp);
            (Outcome::Answer(answer), None)
        }
    };
    let (response, recorded_response) = match answer {
        Outcome::Answer(answer) => {
            let recorded = recorded_response(&answer);
            (answer.into_response(), Some(recorded))
        }
        Outcome::Raw(answer) => {
            let recorded = recorded_response(&answer);
            conn.0.send_raw(answer.raw());
            (Answer::no_content(&stamp).into_response(), Some(recorded))
        }
        Outcome::Drop => {
            conn.0.drop_connection();
            (Answer::no_content(&stamp).into_response(), None)
        }
    };
    shared.recorder.store(Exchange {
        seq,
        request,
        response: recorded_response,
        scenario: scenario.map(|f| f.to_string()),
    });
    response
}

enum Outcome {
    Answer(Answer),
    Raw(Answer),
    Drop,
}

async fn decide(
    shared: &Shared,
    request: &exchange::Request,
    headers: &HeaderMap,
    body: &[u8],
    stamp: &Stamp,
) -> (Outcome, Option<Fault>) {
    // The roots the path is under, longest first (`/beta` before ``).
    let mut under: Vec<(&str, &'static Api)> = shared
        .mounts
        .iter()
        .filter_map(|(root, api)| {
            let rest = request.path.strip_prefix(root.as_str())?;
            rest.starts_with('/').then_some((rest, *api))
        })
        .collect();
    under.sort_by_key(|(rest, _)| rest.len());
    if under.is_empty() {
        let roots: Vec<&str> = shared.mounts.iter().map(|(r, _)| r.as_str()).collect();
        let message = format!(
            "`{}` is not under the service root `{}`",
            request.path,
            roots.join("` or `")
        );
        let answer = Answer::graph_error(404, "ResourceNotFound", &message, &[], stamp);
        return (Outcome::Answer(answer), None);
    }
    let asked = match headers.get(SCENARIO_HEADER).map(|v| v.to_str()) {
        None => None,
        Some(Ok(text)) => match text.parse::<Fault>() {
            Ok(fault) => Some(fault),
            Err(message) => {
                let answer = Answer::graph_error(400, "BadRequest", &message, &[], stamp);
                return (Outcome::Answer(answer), None);
            }
        },
        Some(Err(_)) => {
            let message = format!("`{SCENARIO_HEADER}` is not visible ASCII");
            let answer = Answer::graph_error(400, "BadRequest", &message, &[], stamp);
            return (Outcome::Answer(answer), None);
        }
    };

    let header_pairs: Vec<(&str, &str)> = headers
        .iter()
        .filter_map(|(n, v)| v.to_str().ok().map(|v| (n.as_str(), v)))
        .collect();
    // The first spec that knows the path decides; a path none knows is
    // unknown.
    let mut decision = Decision::UnknownRoute;
    let mut relative = under[0].0;
    let apis: Vec<&'static Api> = under.iter().map(|(_, api)| *api).collect();
    for &(rest, api) in &under {
        let decided = shared.validation.decide(
            api.serve,
            &request.method,
            rest,
            request.query.as_deref(),
            &header_pairs,
            body,
        );
        if decided != Decision::UnknownRoute {
            decision = decided;
            relative = rest;
            break;
        }
    }
    let decision = gate::check_token(decision, &header_pairs, &shared.accepted_tokens);
    let fault = match asked {
        Some(fault) => Some(fault),
        None if shared.faults.is_empty() => None,
        None => {
            let operation = decision
                .operation_id()
                .or_else(|| gate::route_of(&apis, &request.method, relative));
            shared.faults.take(operation)
        }
    };
    let success = |decision: &Decision| match decision {
        Decision::Valid {
            operation_id: Some(id),
        } => shared
            .successes
            .answer(id, stamp)
            .unwrap_or_else(|| decision.answer(stamp)),
        other => other.answer(stamp),
    };
    let outcome = match fault {
        None => Outcome::Answer(success(&decision)),
        Some(Fault::Slow(delay)) => {
            // After the wait the request is answered as usual; the
            // exchange still records that it was slowed.
            tokio::time::sleep(delay).await;
            Outcome::Answer(success(&decision))
        }
        Some(Fault::Throttled(after)) => Outcome::Answer(Answer::retry_later(429, after, stamp)),
        Some(Fault::Unavailable(after)) => Outcome::Answer(Answer::retry_later(503, after, stamp)),
        Some(Fault::ServerError) => Outcome::Answer(Answer::graph_error(
            500,
            "InternalServerError",
            "The mock was asked to fail this request.",
            &[],
            stamp,
        )),
        Some(Fault::Forbidden) => Outcome::Answer(Answer::graph_error(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
            &[],
            stamp,
        )),
        Some(Fault::NotFound) => Outcome::Answer(Answer::graph_error(
            404,
            "ResourceNotFound",
            "The mock was asked to answer that the resource does not exist.",
            &[],
            stamp,
        )),
        Some(Fault::UndocumentedOk) => Outcome::Answer(Answer::undocumented_ok(stamp)),
        Some(Fault::NoContentWithBody) => Outcome::Raw(Answer::no_content_with_body(stamp)),
        Some(Fault::Drop) => Outcome::Drop,
    };
    (outcome, fault)
}

fn recorded_response(answer: &Answer) -> exchange::Response {
    let mut headers = Headers::default();
    for (name, value) in &answer.headers {
        headers.push(name, value.clone());
    }
    if !answer.body.is_empty() && !headers.0.iter().any(|(n, _)| n == "content-length") {
        // hyper frames a known-length body with Content-Length.
        headers.push("content-length", answer.body.len().to_string());
    }
    exchange::Response {
        status: answer.status,
        headers,
        body: exchange::Body::new(&answer.body),
    }
}
