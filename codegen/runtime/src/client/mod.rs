//! The HTTP transport that generated operations call.
//!
//! [`Client::send`] turns a [`Route`] plus parameter values into one HTTP
//! request, adds the headers every Graph call needs (a token from the
//! [`TokenProvider`], checked by permission preflight), sends it, retries
//! it while Graph throttles, and reads the whole response. It does not
//! otherwise interpret the status: that is the job of
//! [`decode`](crate::decode), which knows what the route documents.

mod builder;
mod credentials;
mod dry_run;
mod profile;
mod response;
mod servers;

use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use url::Url;

pub(crate) use builder::check_base_url;
pub use builder::{
    ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, DEFAULT_USER_AGENT,
    is_loopback,
};
pub use dry_run::DryRunRequest;
pub use response::Response;

use serde::de::DeserializeOwned;

use crate::observe::{Event, Observer, redacted_headers};
use crate::retry::{Attempts, Clock, Decision, Failure, GaveUp, RetryPolicy};
use crate::token::{TokenError, TokenProvider};
use crate::validate::client::Args;
use crate::{Error, Method, Route, SecretToken, Service, Upload, Violation};

/// The most bytes of a non-2xx body that are kept; the rest is dropped.
/// Error bodies only feed diagnostics, and a misbehaving proxy must not be
/// able to make the client buffer an unbounded page.
pub const MAX_ERROR_BODY: usize = 1 << 20;

/// The most bytes of a 2xx body read by default
/// ([`ClientBuilder::max_success_body`]); a longer one is refused with
/// [`Error::UndocumentedResponse`]. Far above any Graph page, far below
/// what would hurt a machine.
pub const DEFAULT_MAX_SUCCESS_BODY: usize = 64 << 20;

/// The header carrying the id that correlates this request in Graph's logs.
const CLIENT_REQUEST_ID: &str = "client-request-id";

/// The header that tells Graph which retry this is, as Microsoft's SDKs
/// send it; absent on the first attempt.
const RETRY_ATTEMPT: &str = "retry-attempt";

/// Headers the transport owns; a caller-supplied value would conflict with
/// the token, the connection or the body length.
const RESERVED_HEADERS: [HeaderName; 4] = [
    header::AUTHORIZATION,
    header::HOST,
    header::CONTENT_LENGTH,
    header::TRANSFER_ENCODING,
];

/// A Graph client: service root, token and connection pool.
///
/// Cloning is cheap (one `Arc`), so clone it into tasks rather than
/// sharing references. `Debug` shows the token as `SecretToken(***)`.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// The service this client is for, when a generated crate said so
    /// (see [`Client::for_service`]); `None` behaves as Microsoft Graph.
    service: Option<&'static Service>,
}

#[derive(Debug)]
struct Inner {
    /// Validated service root, without a trailing slash.
    base_url: String,
    /// Whether the caller (or the spec, through [`ClientBuilder::spec`])
    /// chose it, rather than the Graph default.
    base_url_chosen: bool,
    /// Whether its host is loopback: an operation's own server then keeps
    /// only its path, under the base URL (see `servers`).
    base_is_loopback: bool,
    /// `https://{host}/.default`, what tokens are requested for.
    scope: String,
    /// The `aud` a JWT must name (`https://{host}`); `None` skips the check.
    audience: Option<String>,
    token: Option<Arc<dyn TokenProvider>>,
    user_agent: HeaderValue,
    timeout: Duration,
    http: reqwest::Client,
    retry: RetryPolicy,
    clock: Arc<dyn Clock>,
    preflight: bool,
    /// The last token that passed preflight, for which permission list
    /// (by address), and until when (its `exp` plus the skew): a client
    /// usually sends one token to one route many times, and comparing
    /// strings is far cheaper than decoding the JWT.
    preflight_passed: Mutex<Option<(SecretToken, usize, Option<SystemTime>)>>,
    observer: Option<Arc<dyn Observer>>,
    /// API keys and basic credentials, for routes whose security names
    /// them.
    credentials: credentials::Credentials,
    /// The most bytes of a 2xx body that are read.
    max_success_body: usize,
    /// Stop before the network and hand the request back (see
    /// [`ClientBuilder::dry_run`]).
    dry_run: bool,
}

/// A request ready to go on the wire, but for its `Authorization` header.
/// Built once per [`Client::send`] so that every attempt of the retry loop
/// sends the same thing, with the same `client-request-id`.
struct Prepared {
    method: reqwest::Method,
    url: Url,
    headers: HeaderMap,
    body: Option<Upload>,
    client_request_id: String,
    /// API keys that travel in the query: added to the URL only when an
    /// attempt goes out, so that the URL logged and observed lacks them.
    secret_query: Vec<(&'static str, SecretToken)>,
    /// API keys that travel as cookies, written into `Cookie` per attempt
    /// after the cookie parameters.
    cookies: Vec<(&'static str, SecretToken)>,
    /// The `Cookie` header of the cookie parameters, when there are any.
    param_cookie: Option<HeaderValue>,
}

impl Prepared {
    /// Whether another attempt can send the same body.
    fn replayable(&self) -> bool {
        self.body.as_ref().is_none_or(Upload::replayable)
    }
}

impl Client {
    /// Starts configuring a client; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// This client, for the service a generated crate's `SERVICE`
    /// describes. Generated clients call it when they wrap a runtime
    /// client, so behaviour that only Microsoft Graph wants follows the
    /// spec:
    ///
    /// * for a spec that is not Graph's ([`Service::graph`] false), no
    ///   permission preflight runs, and a client that was given no base
    ///   URL sends nothing (an [`Error::Config`] says why): the Graph
    ///   default would receive this API's requests and credentials;
    /// * for a Graph spec, nothing changes.
    pub fn for_service(&self, service: &'static Service) -> Client {
        Client {
            inner: Arc::clone(&self.inner),
            service: Some(service),
        }
    }

    /// Whether Graph-only behaviour applies: no service was named, or it
    /// is Graph.
    fn graph(&self) -> bool {
        self.service.is_none_or(|service| service.graph)
    }

    /// The service root requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The scope tokens are requested for: `https://{host}/.default`, from
    /// the service root's host.
    pub fn token_scope(&self) -> &str {
        &self.inner.scope
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// Sends one request for `route` and reads the whole response.
    ///
    /// * `path_params`: values for the template's parameters, in template
    ///   order; each is percent-encoded as exactly one path segment.
    /// * `query`: name/value pairs, form-urlencoded in the order given.
    /// * `headers`: extra request headers; they replace the defaults of the
    ///   same name (e.g. a caller's own `client-request-id`), except the
    ///   transport-owned `Authorization`, `Host`, `Content-Length` and
    ///   `Transfer-Encoding`, which are refused.
    /// * `body`: the body bytes, sent with the route's body media type as
    ///   `Content-Type` (`application/json` when the route has none, or
    ///   only a media range: use [`Client::send_as`] to choose).
    ///
    /// Every request carries `Accept: application/json`, a fresh UUID v4
    /// `client-request-id`, the `User-Agent` and, when the client has a
    /// token provider, `Authorization: Bearer`. Redirects are not followed.
    ///
    /// Before each attempt the provider is asked for a token, and (unless
    /// turned off) permission preflight checks a JWT's claims against
    /// `route.permissions`. A `429`, `503` or `504` is retried as the
    /// [`RetryPolicy`] says, with the same `client-request-id` and a
    /// `retry-attempt` header; [`Response::attempts`] tells how it went.
    ///
    /// Any final status is returned as `Ok`; only a request that cannot be
    /// built ([`Error::InvalidRequest`]), a missing token
    /// ([`Error::Token`]), a preflight refusal ([`Error::Preflight`]) or a
    /// failed exchange ([`Error::Transport`]) is an error here. A client
    /// built with [`ClientBuilder::dry_run`] stops after the checks and
    /// returns [`Error::DryRun`] with the request.
    pub async fn send(
        &self,
        route: &'static Route,
        path_params: &[&str],
        query: &[(Cow<'static, str>, String)],
        headers: &[(&'static str, String)],
        body: Option<Vec<u8>>,
    ) -> Result<Response, Error> {
        let content_type = match &route.body {
            Some(b) if !matches!(b.kind, crate::BodyKind::Raw | crate::BodyKind::Multipart) => {
                b.media_type
            }
            _ => "application/json",
        };
        self.send_as(route, path_params, query, headers, body, content_type)
            .await
    }

    /// [`Client::send`] with the body's `Content-Type` given (e.g.
    /// `multipart/form-data; boundary=...`); it is refused as
    /// [`Error::InvalidRequest`] when it cannot be a header value.
    pub async fn send_as(
        &self,
        route: &'static Route,
        path_params: &[&str],
        query: &[(Cow<'static, str>, String)],
        headers: &[(&'static str, String)],
        body: Option<Vec<u8>>,
        content_type: &str,
    ) -> Result<Response, Error> {
        let body = body.map(Upload::bytes);
        self.send_upload(route, path_params, query, headers, body, content_type)
            .await
    }

    /// [`Client::send_as`] with a body that may be a file or a stream
    /// ([`Upload`]); a stream is sent once, so a request with one is not
    /// retried after it went out.
    pub async fn send_upload(
        &self,
        route: &'static Route,
        path_params: &[&str],
        query: &[(Cow<'static, str>, String)],
        headers: &[(&'static str, String)],
        body: Option<Upload>,
        content_type: &str,
    ) -> Result<Response, Error> {
        let mut prepared = self.prepare(route, path_params, query, headers, body, content_type)?;
        if self.inner.dry_run {
            // Everything above is what a real call checks before its first
            // attempt; the token is not asked for, so a dry run needs none.
            return Err(Error::DryRun(Box::new(DryRunRequest {
                operation_id: route.operation_id,
                method: prepared.method.to_string(),
                url: prepared.url.to_string(),
                headers: redacted_headers(&prepared.headers),
                body: prepared
                    .body
                    .take()
                    .and_then(|b| b.as_bytes().map(<[u8]>::to_vec)),
            })));
        }
        let policy = &self.inner.retry;
        let mut attempts = Attempts::default();
        loop {
            self.authorize(route, &mut prepared).await?;
            let mut response = match self.attempt(route, &prepared, attempts.count).await {
                Ok(response) => response,
                Err(err) => {
                    let wait = self.failure_wait(route, &err, &attempts, &prepared);
                    let Some(wait) = wait.filter(|_| prepared.replayable()) else {
                        return Err(err);
                    };
                    self.inner.clock.sleep(wait).await;
                    attempts.waited += wait;
                    attempts.count += 1;
                    prepared
                        .headers
                        .insert(RETRY_ATTEMPT, HeaderValue::from(attempts.count - 1));
                    continue;
                }
            };
            let decision = policy.decide(
                attempts.count,
                response.status,
                response.header("retry-after"),
                self.inner.clock.now(),
                attempts.waited,
            );
            let (wait, reason) = match decision {
                Decision::Done => {
                    response.attempts = attempts;
                    return Ok(response);
                }
                Decision::GiveUp(gave_up) => {
                    attempts.gave_up = Some(gave_up);
                    tracing::warn!(
                        operation_id = route.operation_id,
                        status = response.status,
                        attempts = attempts.count,
                        client_request_id = %prepared.client_request_id,
                        "graph request still throttled; giving up: {attempts}"
                    );
                    response.attempts = attempts;
                    return Ok(response);
                }
                Decision::Wait { .. } if !prepared.replayable() => {
                    attempts.gave_up = Some(GaveUp::BodySentOnce);
                    tracing::warn!(
                        operation_id = route.operation_id,
                        status = response.status,
                        client_request_id = %prepared.client_request_id,
                        "graph request throttled; not retried: its body was a stream, already sent"
                    );
                    response.attempts = attempts;
                    return Ok(response);
                }
                Decision::Wait { wait, reason } => (wait, reason),
            };
            tracing::warn!(
                operation_id = route.operation_id,
                status = response.status,
                attempt = attempts.count,
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                reason = %reason,
                retry_after = response.header("retry-after").unwrap_or(""),
                client_request_id = %prepared.client_request_id,
                "graph request throttled; retrying"
            );
            self.observe(|o| {
                o.on_event(&Event::Retry {
                    operation_id: route.operation_id,
                    attempt: attempts.count,
                    status: response.status,
                    wait,
                    reason,
                })
            });
            self.inner.clock.sleep(wait).await;
            attempts.waited += wait;
            attempts.count += 1;
            prepared
                .headers
                .insert(RETRY_ATTEMPT, HeaderValue::from(attempts.count - 1));
        }
    }

    /// Calls the operation of `route` with `args`: checks the request
    /// against the spec ([`crate::validate::client::check`]; a request
    /// that breaks it is not sent and fails with [`Error::InvalidRequest`]),
    /// then [`Client::send`]s it. What every generated method does, with
    /// one of the `call_*` decoders below.
    pub async fn call(&self, route: &'static Route, args: Args<'_>) -> Result<Response, Error> {
        let checked = crate::validate::client::check(route, &args).map_err(|violations| {
            Error::InvalidRequest {
                operation_id: route.operation_id,
                violations,
            }
        })?;
        let content_type = checked
            .content_type
            .as_deref()
            .unwrap_or("application/json");
        self.send_upload(
            route,
            args.path(),
            &checked.query,
            &checked.headers,
            checked.body,
            content_type,
        )
        .await
    }

    /// [`Client::call`] for an operation whose success has no body.
    pub async fn call_empty(&self, route: &'static Route, args: Args<'_>) -> Result<(), Error> {
        crate::decode::empty(route, self.call(route, args).await?)
    }

    /// [`Client::call`] for an operation whose success is a JSON body.
    pub async fn call_json<T: DeserializeOwned>(
        &self,
        route: &'static Route,
        args: Args<'_>,
    ) -> Result<T, Error> {
        crate::decode::json(route, self.call(route, args).await?)
    }

    /// [`Client::call`] for an operation with a JSON success body for some
    /// statuses and none for others: `None` for a status documented
    /// without a body.
    pub async fn call_optional<T: DeserializeOwned>(
        &self,
        route: &'static Route,
        args: Args<'_>,
    ) -> Result<Option<T>, Error> {
        let response = self.call(route, args).await?;
        if route
            .response_for(response.status)
            .is_some_and(|r| r.content_type.is_none())
        {
            crate::decode::empty(route, response).map(|()| None)
        } else {
            crate::decode::json(route, response).map(Some)
        }
    }

    /// [`Client::call`] for an operation whose success body is not JSON:
    /// its bytes.
    pub async fn call_bytes(
        &self,
        route: &'static Route,
        args: Args<'_>,
    ) -> Result<Vec<u8>, Error> {
        crate::decode::bytes(route, self.call(route, args).await?)
    }

    /// [`Client::call`] for an operation whose success body is text: the
    /// body as a string.
    pub async fn call_text(&self, route: &'static Route, args: Args<'_>) -> Result<String, Error> {
        crate::decode::text(route, self.call(route, args).await?)
    }

    /// How long to wait before trying again after `err`, when the policy
    /// retries it: a failed connection always, a timeout or a dropped
    /// connection only for idempotent requests.
    fn failure_wait(
        &self,
        route: &'static Route,
        err: &Error,
        attempts: &Attempts,
        prepared: &Prepared,
    ) -> Option<Duration> {
        let Error::Transport {
            source, timeout, ..
        } = err
        else {
            return None;
        };
        let failure = if source.is_connect() {
            Failure::Connect
        } else if *timeout {
            Failure::Timeout
        } else if source.is_request() || source.is_body() {
            Failure::Interrupted
        } else {
            return None;
        };
        let decision = self
            .inner
            .retry
            .decide_failure(attempts.count, failure, attempts.waited);
        let Decision::Wait { wait, .. } = decision else {
            return None;
        };
        tracing::warn!(
            operation_id = route.operation_id,
            attempt = attempts.count,
            wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            failure = ?failure,
            client_request_id = %prepared.client_request_id,
            "graph request got no answer; retrying"
        );
        self.observe(|o| {
            o.on_event(&Event::RetryFailure {
                operation_id: route.operation_id,
                attempt: attempts.count,
                wait,
            })
        });
        Some(wait)
    }

    /// Puts the credentials of the route's security on `prepared`, fresh
    /// for each attempt: for a route whose security names only bearer
    /// tokens, `Authorization: Bearer` when the client has a token
    /// provider; otherwise every credential of the first security
    /// alternative the client holds in full ([`Error::Credentials`] when
    /// it holds none and no alternative is empty).
    async fn authorize(&self, route: &'static Route, prepared: &mut Prepared) -> Result<(), Error> {
        prepared.headers.remove(header::AUTHORIZATION);
        prepared.secret_query.clear();
        prepared.cookies.clear();
        if route.security.is_empty() {
            return self.bearer(route, prepared).await;
        }
        let alternative = self
            .inner
            .credentials
            .choose(route, self.inner.token.is_some())?;
        for scheme in alternative {
            match scheme {
                crate::Scheme::Bearer => self.bearer(route, prepared).await?,
                other => self.inner.credentials.apply(other, prepared),
            }
        }
        credentials::cookie_header(prepared);
        Ok(())
    }

    /// Puts a fresh `Authorization: Bearer` header on `prepared`, after
    /// permission preflight; removes it when the client has no token
    /// provider.
    async fn bearer(&self, route: &'static Route, prepared: &mut Prepared) -> Result<(), Error> {
        let Some(provider) = &self.inner.token else {
            prepared.headers.remove(header::AUTHORIZATION);
            return Ok(());
        };
        let token_error = |source: TokenError| Error::Token {
            operation_id: route.operation_id,
            source,
        };
        let scopes = [self.inner.scope.as_str()];
        let token = provider.token(&scopes).await.map_err(token_error)?;
        if self.inner.preflight && self.graph() {
            self.preflight(route, &token)?;
        }
        // The message must not quote the token.
        let mut value =
            HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                token_error(TokenError::new(
                    "the token contains characters that cannot be sent in an HTTP header",
                ))
            })?;
        // Keeps the value out of `Debug` output of the header map.
        value.set_sensitive(true);
        prepared.headers.insert(header::AUTHORIZATION, value);
        Ok(())
    }

    /// Permission preflight for `token` on `route` (personal account,
    /// expiry, audience, permissions), remembering the last token that
    /// passed so repeated calls skip the decoding until it expires.
    fn preflight(&self, route: &'static Route, token: &SecretToken) -> Result<(), Error> {
        let key = route.permissions.as_ptr() as usize;
        let now = self.inner.clock.now();
        let remembered = |cache: &Option<(SecretToken, usize, Option<SystemTime>)>| {
            cache.as_ref().is_some_and(|(passed, for_key, until)| {
                *for_key == key && until.is_none_or(|until| now <= until) && passed == token
            })
        };
        // A poisoned lock only means another thread panicked mid-update;
        // the cache is an optimisation, so fall back to checking.
        if self
            .inner
            .preflight_passed
            .lock()
            .is_ok_and(|c| remembered(&c))
        {
            return Ok(());
        }
        let expected = crate::preflight::Expected {
            audience: self.inner.audience.as_deref(),
            now,
        };
        crate::preflight::check_with(token.expose(), route.permissions, &expected).map_err(
            |problem| Error::Preflight {
                operation_id: route.operation_id,
                problem,
            },
        )?;
        // `None`: the token names no expiry. Checked arithmetic, since a
        // far-off `exp` can pass what a platform's SystemTime holds.
        let until = crate::preflight::Claims::from_jwt(token.expose())
            .and_then(|claims| claims.expires_at)
            .and_then(|exp| {
                UNIX_EPOCH
                    .checked_add(Duration::from_secs(exp))?
                    .checked_add(crate::preflight::CLOCK_SKEW)
            });
        if let Ok(mut cache) = self.inner.preflight_passed.lock() {
            *cache = Some((token.clone(), key, until));
        }
        Ok(())
    }

    /// Runs `tell` with the observer, if any, so that events (and their
    /// redacted header copies) are only built when someone listens.
    fn observe(&self, tell: impl FnOnce(&dyn Observer)) {
        if let Some(observer) = &self.inner.observer {
            tell(observer.as_ref());
        }
    }

    /// Builds the URL and headers, refusing anything that would not reach
    /// exactly the resource the route names.
    fn prepare(
        &self,
        route: &'static Route,
        path_params: &[&str],
        query: &[(Cow<'static, str>, String)],
        extra_headers: &[(&'static str, String)],
        body: Option<Upload>,
        content_type: &str,
    ) -> Result<Prepared, Error> {
        if let Some(service) = self.service.filter(|s| !s.graph)
            && !self.inner.base_url_chosen
        {
            return Err(Error::Config(profile::missing_base_url(service)));
        }
        let mut violations = check_path_params(route, path_params);

        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, accept(route));
        headers.insert(header::USER_AGENT, self.inner.user_agent.clone());
        let fresh_id = uuid::Uuid::new_v4().to_string();
        headers.insert(
            CLIENT_REQUEST_ID,
            HeaderValue::from_str(&fresh_id).expect("a UUID is a valid header value"),
        );
        if body.is_some() {
            match HeaderValue::from_str(content_type) {
                Ok(value) => {
                    headers.insert(header::CONTENT_TYPE, value);
                }
                Err(_) => violations.push(Violation::new(
                    "/headers/content-type",
                    "headerValue",
                    "contains characters that cannot be sent in an HTTP header",
                )),
            }
        }
        for (name, value) in extra_headers {
            match header_pair(name, value) {
                Ok((name, value)) => {
                    headers.insert(name, value);
                }
                Err(violation) => violations.push(violation),
            }
        }
        // `Authorization` is added per attempt by `authorize`, after every
        // caller header, so that nothing here can replace it.

        let root = servers::service_root(&self.inner.base_url, self.inner.base_is_loopback, route)
            .map_err(|violation| violations.push(violation))
            .ok();
        let raw = root.map(|root| format!("{root}{}", route.render_path(path_params)));
        let url = match raw.as_deref().map(Url::parse) {
            None => None,
            Some(Ok(mut url)) => {
                if !query.is_empty() {
                    url.query_pairs_mut()
                        .extend_pairs(query.iter().map(|(k, v)| (k.as_ref(), v.as_str())));
                }
                Some(url)
            }
            Some(Err(e)) => {
                violations.push(Violation::new(
                    "/path",
                    "url",
                    format!("the request URL does not parse: {e}"),
                ));
                None
            }
        };

        match url {
            Some(url) if violations.is_empty() => {
                let client_request_id = headers
                    .get(CLIENT_REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or(&fresh_id)
                    .to_owned();
                Ok(Prepared {
                    method: to_reqwest_method(route.method),
                    url,
                    body,
                    client_request_id,
                    secret_query: Vec::new(),
                    cookies: Vec::new(),
                    param_cookie: headers.get(header::COOKIE).cloned(),
                    headers,
                })
            }
            _ => {
                violations.sort();
                Err(Error::InvalidRequest {
                    operation_id: route.operation_id,
                    violations,
                })
            }
        }
    }

    /// One exchange: send, read the body, log both ends without the token.
    async fn attempt(
        &self,
        route: &'static Route,
        prepared: &Prepared,
        attempt: u32,
    ) -> Result<Response, Error> {
        let started = Instant::now();
        tracing::debug!(
            operation_id = route.operation_id,
            method = %prepared.method,
            url = %prepared.url,
            attempt,
            client_request_id = %prepared.client_request_id,
            body_bytes = prepared.body.as_ref().and_then(Upload::length).unwrap_or(0),
            "graph request"
        );
        self.observe(|o| {
            o.on_event(&Event::Request {
                operation_id: route.operation_id,
                attempt,
                method: prepared.method.as_str(),
                url: prepared.url.as_str(),
                headers: &redacted_headers(&prepared.headers),
                body: prepared.body.as_ref().and_then(Upload::as_bytes),
            })
        });
        let transport = |source: reqwest::Error| {
            // reqwest's message quotes the URL, which may hold an API key.
            let source = if prepared.secret_query.is_empty() {
                source
            } else {
                source.without_url()
            };
            tracing::debug!(
                operation_id = route.operation_id,
                client_request_id = %prepared.client_request_id,
                attempt,
                error = %source,
                "graph request failed"
            );
            self.observe(|o| {
                o.on_event(&Event::TransportError {
                    operation_id: route.operation_id,
                    attempt,
                    message: &source.to_string(),
                })
            });
            Error::Transport {
                operation_id: route.operation_id,
                timeout: source.is_timeout(),
                source,
            }
        };

        let mut url = prepared.url.clone();
        if !prepared.secret_query.is_empty() {
            url.query_pairs_mut().extend_pairs(
                prepared
                    .secret_query
                    .iter()
                    .map(|(name, key)| (*name, key.expose())),
            );
        }
        let mut headers = prepared.headers.clone();
        // A form is made again for each attempt, with a boundary of its
        // own, which its `Content-Type` names (reqwest writes it).
        let form = prepared.body.as_ref().and_then(Upload::multipart);
        if form.is_some() {
            headers.remove(header::CONTENT_TYPE);
        }
        let mut request = self
            .inner
            .http
            .request(prepared.method.clone(), url)
            .headers(headers)
            .timeout(self.inner.timeout);
        if let Some(form) = form {
            // Unreachable through `send_upload`, which does not retry a
            // form with a streamed file; said plainly should that change.
            request = form.attach(request).map_err(Error::Config)?;
        } else if let Some(body) = &prepared.body {
            let Some(sent) = body.for_attempt() else {
                // Unreachable through `send_upload`, which does not retry
                // a stream; said plainly should that change.
                return Err(Error::Config(
                    "a streamed body cannot be sent twice".to_owned(),
                ));
            };
            if body.as_bytes().is_none()
                && let Some(length) = body.length()
            {
                // reqwest knows the length of bytes, not of a stream.
                request = request.header(header::CONTENT_LENGTH, length);
            }
            request = request.body(sent);
        }
        let mut response = request.send().await.map_err(transport)?;

        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let limit = if status.is_success() {
            self.inner.max_success_body
        } else {
            MAX_ERROR_BODY
        };
        let (body, truncated) = read_body(&mut response, limit).await.map_err(transport)?;
        if truncated && status.is_success() {
            // A success cannot be decoded from part of its body; refuse it
            // rather than buffer whatever a misbehaving server sends.
            return Err(Error::UndocumentedResponse {
                operation_id: route.operation_id,
                status: status.as_u16(),
                kind: crate::error::Undocumented::BodyTooLarge,
                content_type: headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                body_excerpt: String::from_utf8_lossy(
                    &body[..body.len().min(crate::decode::BODY_EXCERPT_LIMIT)],
                )
                .into_owned(),
                request_id: response::REQUEST_ID_HEADERS
                    .iter()
                    .find_map(|name| headers.get(*name).and_then(|v| v.to_str().ok()))
                    .map(str::to_owned),
                client_request_id: Some(prepared.client_request_id.clone()),
            });
        }

        let response = Response {
            status: status.as_u16(),
            headers,
            body,
            client_request_id: prepared.client_request_id.clone(),
            attempts: Attempts {
                count: attempt,
                ..Attempts::default()
            },
        };
        self.observe(|o| {
            o.on_event(&Event::Response {
                operation_id: route.operation_id,
                attempt,
                status: response.status,
                headers: &redacted_headers(&response.headers),
                body: &response.body,
                elapsed: started.elapsed(),
            })
        });
        tracing::debug!(
            operation_id = route.operation_id,
            status = response.status,
            request_id = response.request_id().unwrap_or(""),
            client_request_id = %response.client_request_id,
            body_bytes = response.body.len(),
            truncated,
            elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "graph response"
        );
        Ok(response)
    }
}

/// The `Accept` header for `route`: `application/json` (what Graph and
/// every error body speak), preceded by the media types of the route's
/// non-JSON responses (`text/plain`, `application/octet-stream`, `*/*`),
/// so that a server that negotiates sends what the spec documents.
fn accept(route: &Route) -> HeaderValue {
    let mut media: Vec<&str> = Vec::new();
    for r in route.responses {
        if let Some(ct) = r.content_type {
            let essence = crate::media_essence(ct);
            let json = essence.eq_ignore_ascii_case("application/json")
                || essence.to_ascii_lowercase().ends_with("+json");
            if !json && !media.contains(&essence) {
                media.push(essence);
            }
        }
    }
    if media.is_empty() {
        return HeaderValue::from_static("application/json");
    }
    media.push("application/json");
    // A media type that cannot be a header value cannot come from a
    // generated route; JSON alone is then still a correct request.
    HeaderValue::from_str(&media.join(", "))
        .unwrap_or_else(|_| HeaderValue::from_static("application/json"))
}

/// Reads the body up to `limit` bytes; says whether anything was dropped.
async fn read_body(
    response: &mut reqwest::Response,
    limit: usize,
) -> Result<(Vec<u8>, bool), reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = limit - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, false))
}

/// Finds path values that could not address exactly one segment of the
/// route: a wrong count (a generator bug), an empty value (`a//b` is another
/// path), or `.`/`..`, which the URL parser under `reqwest` removes as dot
/// segments even when percent-encoded (WHATWG URL rules).
fn check_path_params(route: &Route, values: &[&str]) -> Vec<Violation> {
    let names: Vec<&str> = route.path_param_names().collect();
    let mut violations = Vec::new();
    if names.len() != values.len() {
        violations.push(Violation::new(
            "/path",
            "parameterCount",
            format!(
                "the template {} has {} parameter(s) but {} value(s) were given",
                route.template,
                names.len(),
                values.len()
            ),
        ));
    }
    for (name, value) in names.iter().zip(values) {
        let location = format!("/path/{name}");
        match *value {
            "" => violations.push(Violation::new(
                location,
                "minLength",
                "must not be empty: an empty segment would address a different resource",
            )),
            "." | ".." => violations.push(Violation::new(
                location,
                "pathSegment",
                format!(
                    "{value:?} cannot be sent as a path segment: URL normalisation would \
                     remove it and address a different resource"
                ),
            )),
            _ => {}
        }
    }
    violations
}

/// Checks one caller-supplied header.
fn header_pair(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), Violation> {
    let location = format!("/headers/{}", name.to_ascii_lowercase());
    let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
        Violation::new(
            location.clone(),
            "headerName",
            "is not a valid HTTP header name",
        )
    })?;
    if RESERVED_HEADERS.contains(&header_name) {
        return Err(Violation::new(
            location,
            "reserved",
            "is set by the transport and cannot be supplied per request",
        ));
    }
    let header_value = HeaderValue::from_str(value).map_err(|_| {
        Violation::new(
            location,
            "headerValue",
            "contains characters that cannot be sent in an HTTP header",
        )
    })?;
    Ok((header_name, header_value))
}

fn to_reqwest_method(method: Method) -> reqwest::Method {
    match method {
        Method::Get => reqwest::Method::GET,
        Method::Put => reqwest::Method::PUT,
        Method::Post => reqwest::Method::POST,
        Method::Delete => reqwest::Method::DELETE,
        Method::Options => reqwest::Method::OPTIONS,
        Method::Head => reqwest::Method::HEAD,
        Method::Patch => reqwest::Method::PATCH,
        Method::Trace => reqwest::Method::TRACE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static ROUTE: Route = Route {
        operation_id: "op",
        method: Method::Post,
        template: "/a/{x}/b/{y}",
        params: &[],
        body: None,
        auth: true,
        security: &[],
        responses: &[],
        permissions: &[],
        summary: "",
        servers: &[],
    };

    fn client() -> Client {
        Client::builder()
            .base_url("http://127.0.0.1:1/v/")
            .token(crate::SecretToken::from("tok"))
            .build()
            .unwrap()
    }

    fn violations(result: Result<Prepared, Error>) -> Vec<(String, &'static str)> {
        match result {
            Err(Error::InvalidRequest { violations, .. }) => violations
                .into_iter()
                .map(|v| (v.location, v.keyword))
                .collect(),
            Err(other) => panic!("unexpected error {other}"),
            Ok(p) => panic!("expected violations, got {}", p.url),
        }
    }

    #[test]
    fn builds_url_with_encoded_segments_and_ordered_query() {
        let query = [
            ("z".into(), "1 2".to_owned()),
            ("$top".into(), "5".to_owned()),
        ];
        let prepared = client()
            .prepare(
                &ROUTE,
                &["a/b", "é?"],
                &query,
                &[],
                None,
                "application/json",
            )
            .unwrap();
        assert_eq!(
            prepared.url.as_str(),
            "http://127.0.0.1:1/v/a/a%2Fb/b/%C3%A9%3F?z=1+2&%24top=5"
        );
        assert_eq!(prepared.method, reqwest::Method::POST);
        assert!(prepared.headers.get(header::CONTENT_TYPE).is_none());
        // The token is added per attempt, not when preparing.
        assert!(prepared.headers.get(header::AUTHORIZATION).is_none());
    }

    #[tokio::test]
    async fn authorization_is_sensitive_and_last() {
        let client = client();
        let headers = [("x-extra", "1".to_owned())];
        let mut prepared = client
            .prepare(&ROUTE, &["a", "b"], &[], &headers, None, "application/json")
            .unwrap();
        client.authorize(&ROUTE, &mut prepared).await.unwrap();
        let auth = prepared.headers.get(header::AUTHORIZATION).unwrap();
        assert!(auth.is_sensitive());
        assert_eq!(auth.to_str().unwrap(), "Bearer tok");
        assert!(!format!("{:?}", prepared.headers).contains("tok"));
    }

    /// API keys are secrets like the token: sensitive header values, and
    /// a key in the query stays out of the URL that is logged and
    /// observed (it joins the URL only when an attempt goes out).
    #[tokio::test]
    async fn api_keys_are_sensitive_and_stay_out_of_the_logged_url() {
        use crate::{KeyPlace, Scheme};
        static KEYED: Route = Route {
            security: &[&[
                Scheme::ApiKey {
                    scheme: "h",
                    name: "X-Key",
                    place: KeyPlace::Header,
                },
                Scheme::ApiKey {
                    scheme: "q",
                    name: "key",
                    place: KeyPlace::Query,
                },
                Scheme::ApiKey {
                    scheme: "c",
                    name: "sid",
                    place: KeyPlace::Cookie,
                },
            ]],
            ..ROUTE
        };
        let client = Client::builder()
            .base_url("http://127.0.0.1:1/v/")
            .api_key("h", SecretToken::from("header-secret"))
            .api_key("q", SecretToken::from("query-secret"))
            .api_key("c", SecretToken::from("cookie-secret"))
            .build()
            .unwrap();
        let params = [("Cookie", "theme=dark".to_owned())];
        let mut prepared = client
            .prepare(&KEYED, &["a", "b"], &[], &params, None, "application/json")
            .unwrap();
        client.authorize(&KEYED, &mut prepared).await.unwrap();
        // Twice, as for a retry: nothing is added twice.
        client.authorize(&KEYED, &mut prepared).await.unwrap();
        let key = prepared.headers.get("x-key").unwrap();
        assert!(key.is_sensitive());
        assert_eq!(key.to_str().unwrap(), "header-secret");
        let cookie = prepared.headers.get(header::COOKIE).unwrap();
        assert!(cookie.is_sensitive());
        assert_eq!(cookie.to_str().unwrap(), "theme=dark; sid=cookie-secret");
        assert_eq!(prepared.secret_query.len(), 1);
        assert!(!prepared.url.as_str().contains("secret"));
        let shown = format!(
            "{:?}{:?}{client:?}",
            prepared.headers,
            redacted_headers(&prepared.headers)
        );
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[test]
    fn refuses_paths_that_would_change_resource() {
        let found =
            violations(client().prepare(&ROUTE, &["..", ""], &[], &[], None, "application/json"));
        assert_eq!(
            found,
            [
                ("/path/x".to_owned(), "pathSegment"),
                ("/path/y".to_owned(), "minLength")
            ]
        );
        let found =
            violations(client().prepare(&ROUTE, &["a"], &[], &[], None, "application/json"));
        assert_eq!(found, [("/path".to_owned(), "parameterCount")]);
        // Dots inside a longer value are ordinary text and are sent.
        assert!(
            client()
                .prepare(&ROUTE, &["...", "../x"], &[], &[], None, "application/json")
                .is_ok()
        );
    }

    #[test]
    fn caller_headers_replace_defaults_but_not_authorization() {
        let headers = [("client-request-id", "mine".to_owned())];
        let prepared = client()
            .prepare(
                &ROUTE,
                &["a", "b"],
                &[],
                &headers,
                Some(Upload::bytes(b"{}".to_vec())),
                "application/json",
            )
            .unwrap();
        assert_eq!(prepared.client_request_id, "mine");
        assert_eq!(
            prepared.headers.get(header::CONTENT_TYPE).unwrap(),
            "application/json"
        );
        let headers = [
            ("Authorization", "Bearer other".to_owned()),
            ("bad name", "x".to_owned()),
            ("x-ok", "line\nbreak".to_owned()),
        ];
        let found = violations(client().prepare(
            &ROUTE,
            &["a", "b"],
            &[],
            &headers,
            None,
            "application/json",
        ));
        assert_eq!(
            found,
            [
                ("/headers/authorization".to_owned(), "reserved"),
                ("/headers/bad name".to_owned(), "headerName"),
                ("/headers/x-ok".to_owned(), "headerValue"),
            ]
        );
    }
}
