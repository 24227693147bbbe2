//! Configuration of a [`Client`]: service root, token, timeouts, retries,
//! permission preflight and an observer.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;
use url::{Host, Url};

use super::{Client, Inner};
use crate::observe::Observer;
use crate::retry::{Clock, RetryPolicy, SystemClock};
use crate::token::TokenProvider;
use crate::{Cloud, Error, SecretToken};

/// The global Microsoft Graph beta service root.
pub const DEFAULT_BASE_URL: &str = "https://graph.microsoft.com/beta";

/// The `User-Agent` sent unless [`ClientBuilder::user_agent`] says otherwise.
pub const DEFAULT_USER_AGENT: &str = concat!("openapi-runtime/", env!("CARGO_PKG_VERSION"));

/// Limit for a whole request, response body included. Matches the .NET
/// `HttpClient` default that Microsoft's own Graph SDKs inherit, so that a
/// hung connection fails instead of waiting forever.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(100);

/// Limit for opening the TCP/TLS connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Builds a [`Client`]; start with [`Client::builder`].
///
/// ```
/// use std::time::Duration;
/// use openapi_runtime::{Client, RetryPolicy, SecretToken};
/// let client = Client::builder()
///     .base_url("https://graph.microsoft.us/beta/")
///     .token(SecretToken::from("eyJ..."))
///     .retry(RetryPolicy::default().max_total_wait(Duration::from_secs(30)))
///     .build()
///     .unwrap();
/// assert_eq!(client.base_url(), "https://graph.microsoft.us/beta");
/// assert_eq!(client.token_scope(), "https://graph.microsoft.us/.default");
/// ```
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    /// `None`: not chosen, so the spec's first absolute server when
    /// [`ClientBuilder::spec`] names one, else [`DEFAULT_BASE_URL`].
    base_url: Option<String>,
    /// The service named with [`ClientBuilder::service`].
    service: Option<&'static crate::Service>,
    token: Option<Arc<dyn TokenProvider>>,
    /// A fixed token, kept to check once at build time that it can be sent.
    static_token: Option<SecretToken>,
    user_agent: String,
    timeout: Duration,
    connect_timeout: Option<Duration>,
    http_client: Option<reqwest::Client>,
    retry: RetryPolicy,
    clock: Arc<dyn Clock>,
    preflight: bool,
    observer: Option<Arc<dyn Observer>>,
    dry_run: bool,
    /// The cloud tokens are for, when not the service root's own.
    token_cloud: Option<Cloud>,
    max_success_body: usize,
    credentials: super::credentials::Credentials,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: None,
            service: None,
            token: None,
            static_token: None,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: None,
            http_client: None,
            retry: RetryPolicy::default(),
            clock: Arc::new(SystemClock),
            preflight: true,
            observer: None,
            dry_run: false,
            token_cloud: None,
            max_success_body: super::DEFAULT_MAX_SUCCESS_BODY,
            credentials: super::credentials::Credentials::default(),
        }
    }
}

impl ClientBuilder {
    /// The service root including the version segment, e.g.
    /// `https://graph.microsoft.com/beta` (the default) or a national
    /// cloud's. A trailing slash is ignored. It must be `https`; plain `http`
    /// is allowed only for loopback hosts, where test servers run.
    ///
    /// An operation the spec gives servers of its own (`servers` on its
    /// path item or operation) is sent there instead: a relative server
    /// URL resolves against this base URL, an absolute one is used as it
    /// is, whatever base URL is set here, and so receives the request's
    /// credentials too. When this base URL is loopback, such an
    /// operation's server keeps only its path, under this base URL, so a
    /// local test server or mock sees every call.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Builds the client for the service a generated crate's `SERVICE`
    /// describes (e.g. `my_client::SERVICE`): when no
    /// [`ClientBuilder::base_url`] is set, the spec's first absolute server
    /// URL is the base URL, instead of Microsoft Graph's. The client then
    /// behaves as [`Client::for_service`] describes.
    pub fn service(mut self, service: &'static crate::Service) -> Self {
        self.service = Some(service);
        self
    }

    /// Uses `cloud`'s service root (see [`Cloud`]); same as
    /// [`ClientBuilder::base_url`] with [`Cloud::service_root`].
    pub fn cloud(mut self, cloud: &Cloud) -> Self {
        self.base_url = Some(cloud.service_root().to_owned());
        self
    }

    /// A fixed bearer token sent as `Authorization: Bearer ...` on every
    /// request. Without a token or provider, no `Authorization` header is
    /// sent.
    pub fn token(mut self, token: SecretToken) -> Self {
        self.token = Some(Arc::new(token.clone()));
        self.static_token = Some(token);
        self
    }

    /// An API key for the security scheme `scheme` (its key in the spec's
    /// `components/securitySchemes`), sent where the scheme says (a
    /// header, a query parameter or a cookie) on every request whose
    /// security alternative needs it. Like the token, it never appears in
    /// `Debug` output, logs or observer events. Replaces an earlier key
    /// for the same scheme.
    pub fn api_key(mut self, scheme: impl Into<String>, key: SecretToken) -> Self {
        self.credentials.api_keys.insert(scheme.into(), key);
        self
    }

    /// A user name and password for HTTP `basic` security schemes, sent as
    /// `Authorization: Basic ...` on every request whose security
    /// alternative needs it. The password never appears in `Debug`
    /// output, logs or observer events.
    pub fn basic_auth(mut self, user: impl Into<String>, password: SecretToken) -> Self {
        self.credentials.basic = Some((user.into(), password));
        self
    }

    /// Asks `provider` for a token before every attempt, with the scope
    /// [`Client::token_scope`] (`https://{host}/.default`). Replaces any
    /// earlier [`ClientBuilder::token`].
    pub fn token_provider(self, provider: impl TokenProvider + 'static) -> Self {
        self.shared_token_provider(Arc::new(provider))
    }

    /// Like [`ClientBuilder::token_provider`], for a provider already shared.
    pub fn shared_token_provider(mut self, provider: Arc<dyn TokenProvider>) -> Self {
        self.token = Some(provider);
        self.static_token = None;
        self
    }

    /// How throttled requests (`429`, `503`, `504`) are retried (default
    /// [`RetryPolicy::default`]: 3 retries, no wait over 180 s).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The clock retries read the time from and wait with (default
    /// [`SystemClock`]). Tests pass one that records waits instead.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Whether to check a JWT's permission claims against the operation's
    /// before sending (default on; see [`crate::preflight`]). Turn it off
    /// when a token is right in ways the check cannot see.
    pub fn permission_preflight(mut self, on: bool) -> Self {
        self.preflight = on;
        self
    }

    /// Tells `observer` about every request, response, retry and transport
    /// failure, with the token redacted (see [`crate::observe`]).
    pub fn observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// The cloud whose tokens the client uses: tokens are requested for
    /// its scope, and permission preflight expects its Graph resource in a
    /// JWT's `aud`. By default both come from the service root; set this
    /// when requests go through a proxy or a test server that stands in for
    /// `cloud`.
    pub fn token_cloud(mut self, cloud: &Cloud) -> Self {
        self.token_cloud = Some(cloud.clone());
        self
    }

    /// The most bytes of a 2xx body to read (default
    /// [`DEFAULT_MAX_SUCCESS_BODY`](super::DEFAULT_MAX_SUCCESS_BODY)); a
    /// longer success is refused with
    /// [`Error::UndocumentedResponse`](crate::Error::UndocumentedResponse).
    /// Error bodies are cut at [`MAX_ERROR_BODY`](super::MAX_ERROR_BODY).
    pub fn max_success_body(mut self, bytes: usize) -> Self {
        self.max_success_body = bytes;
        self
    }

    /// Dry run (default off): every operation runs the checks a real call
    /// runs before the network, then returns
    /// [`Error::DryRun`](crate::Error::DryRun) holding the request instead
    /// of sending it. No token is requested, so none is needed. Because it
    /// is the same code path, a dry run can never show a request that a
    /// real call would refuse.
    pub fn dry_run(mut self, on: bool) -> Self {
        self.dry_run = on;
        self
    }

    /// The `User-Agent` header (default [`DEFAULT_USER_AGENT`]).
    pub fn user_agent(mut self, user_agent: String) -> Self {
        self.user_agent = user_agent;
        self
    }

    /// Limit for a whole request, response body included (default
    /// [`DEFAULT_TIMEOUT`]). Applied per request, so it also holds for a
    /// client given to [`ClientBuilder::http_client`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Limit for opening a connection (default [`DEFAULT_CONNECT_TIMEOUT`]).
    /// Cannot be combined with [`ClientBuilder::http_client`], whose
    /// connector is already built.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Uses an existing `reqwest` client (shared connection pool, custom
    /// TLS or proxy). Build it with `redirect::Policy::none()`: this crate
    /// cannot change the policy of a client it did not build, and following
    /// redirects would send the request somewhere the caller did not name.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// Fails with [`Error::Config`] when the base URL does not parse, is not
    /// `https` (or `http` on a loopback host), carries credentials, a query
    /// or a fragment; when the token or user agent cannot be sent as a
    /// header; or when `connect_timeout` is combined with `http_client`.
    pub fn build(self) -> Result<Client, Error> {
        let chosen = self
            .base_url
            .as_deref()
            .or_else(|| self.service.and_then(super::profile::default_base_url))
            .map(str::to_owned);
        let base_url_chosen = chosen.is_some();
        let base = check_base_url(chosen.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        let loopback = Url::parse(&base)
            .ok()
            .is_some_and(|url| url.host().as_ref().is_some_and(is_loopback));
        let (scope, audience) = match &self.token_cloud {
            Some(cloud) => (
                cloud.token_scope().to_owned(),
                Some(cloud.token_resource().to_owned()),
            ),
            None => {
                let scope = crate::cloud::scope_for(&base)?;
                // A loopback server stands in for some real cloud, which
                // the URL cannot tell: the `aud` check needs token_cloud.
                let audience = (!loopback).then(|| {
                    scope
                        .trim_end_matches(crate::cloud::SCOPE_SUFFIX)
                        .to_owned()
                });
                (scope, audience)
            }
        };
        if let Some(token) = &self.static_token {
            // Checked once here so that `send` cannot fail on it later. The
            // message must not quote the token.
            HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                Error::Config(
                    "the bearer token contains characters that cannot be sent in an HTTP header"
                        .into(),
                )
            })?;
        }
        self.credentials.check()?;
        let user_agent = HeaderValue::from_str(&self.user_agent).map_err(|_| {
            Error::Config(format!(
                "user agent {:?} contains characters that cannot be sent in an HTTP header",
                self.user_agent
            ))
        })?;
        let http = match (self.http_client, self.connect_timeout) {
            (Some(_), Some(_)) => {
                return Err(Error::Config(
                    "connect_timeout cannot be applied to a caller-supplied http_client; \
                     set it on that reqwest client instead"
                        .into(),
                ));
            }
            (Some(client), None) => client,
            (None, connect_timeout) => reqwest::Client::builder()
                // Never follow redirects: a redirect would carry the request
                // (and its Authorization header) to a place the caller did
                // not choose, and Graph does not redirect API calls.
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                .build()
                .map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                base_is_loopback: loopback,
                base_url: base,
                base_url_chosen,
                scope,
                audience,
                token: self.token,
                user_agent,
                timeout: self.timeout,
                http,
                retry: self.retry,
                clock: self.clock,
                preflight: self.preflight,
                preflight_passed: std::sync::Mutex::new(None),
                observer: self.observer,
                credentials: self.credentials,
                dry_run: self.dry_run,
                max_success_body: self.max_success_body,
            }),
            service: self.service,
        })
    }
}

/// Validates a service root and returns it without a trailing slash, so
/// that `base + "/deviceManagement/..."` never has a doubled slash.
pub(crate) fn check_base_url(raw: &str) -> Result<String, Error> {
    let url = Url::parse(raw.trim())
        .map_err(|e| Error::Config(format!("base URL {raw:?} is not a valid URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if url.host().as_ref().is_some_and(is_loopback) => {}
        "http" => {
            return Err(Error::Config(format!(
                "base URL {raw:?} uses plain http on a non-loopback host; use https \
                 (http is only allowed for 127.0.0.0/8, ::1 and localhost, for local test servers)"
            )));
        }
        other => {
            return Err(Error::Config(format!(
                "base URL {raw:?} has scheme {other:?}; only https (or http on loopback) is supported"
            )));
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Do not echo the URL: it holds a credential.
        return Err(Error::Config(
            "base URL must not contain a user name or password; pass a token instead".into(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!(
            "base URL {raw:?} must not have a query or fragment; it is the service root that \
             operation paths are appended to"
        )));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Whether `host` is on this machine: 127.0.0.0/8, ::1 or `localhost`.
/// The one place that decides it, for the runtime's `http://` rule and for
/// callers (the `autopilot` CLI's host allow-list).
pub fn is_loopback<S: AsRef<str>>(host: &Host<S>) -> bool {
    match host {
        Host::Domain(name) => name.as_ref().eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_message(raw: &str) -> String {
        match check_base_url(raw) {
            Err(Error::Config(message)) => message,
            other => panic!("{raw}: expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn https_roots_are_normalised() {
        assert_eq!(
            check_base_url("https://graph.microsoft.com/beta/").unwrap(),
            "https://graph.microsoft.com/beta"
        );
        assert_eq!(
            check_base_url("https://GRAPH.microsoft.us/beta").unwrap(),
            "https://graph.microsoft.us/beta"
        );
        assert_eq!(
            check_base_url("https://example.org").unwrap(),
            "https://example.org"
        );
    }

    #[test]
    fn http_only_on_loopback() {
        for ok in [
            "http://127.0.0.1:1",
            "http://127.3.2.1/beta",
            "http://[::1]:8080/",
            "http://localhost:3000/beta",
            "http://LOCALHOST",
        ] {
            assert!(check_base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com",
            "http://10.0.0.1",
            "http://128.0.0.1",
            "http://localhost.example.com",
            "http://[::2]",
        ] {
            assert!(config_message(bad).contains("plain http"), "{bad}");
        }
    }

    #[test]
    fn other_problems_are_named() {
        assert!(config_message("not a url").contains("not a valid URL"));
        assert!(config_message("ftp://graph.microsoft.com").contains("scheme \"ftp\""));
        let creds = config_message("https://user:hunter2@graph.microsoft.com/beta");
        assert!(creds.contains("user name or password"));
        assert!(!creds.contains("hunter2"));
        assert!(config_message("https://graph.microsoft.com/beta?x=1").contains("query"));
        assert!(config_message("https://graph.microsoft.com/beta#x").contains("fragment"));
    }
}
