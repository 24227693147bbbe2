//! Configuration of a [`Client`]: service root, token, timeouts.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;
use url::{Host, Url};

use super::{Client, Inner};
use crate::{Error, SecretToken};

/// The global Microsoft Graph beta service root.
pub const DEFAULT_BASE_URL: &str = "https://graph.microsoft.com/beta";

/// The `User-Agent` sent unless [`ClientBuilder::user_agent`] says otherwise.
pub const DEFAULT_USER_AGENT: &str = concat!("graph-runtime/", env!("CARGO_PKG_VERSION"));

/// Limit for a whole request, response body included. Matches the .NET
/// `HttpClient` default that Microsoft's own Graph SDKs inherit, so that a
/// hung connection fails instead of waiting forever.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(100);

/// Limit for opening the TCP/TLS connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Builds a [`Client`]; start with [`Client::builder`].
///
/// ```
/// use graph_runtime::{Client, SecretToken};
/// let client = Client::builder()
///     .base_url("https://graph.microsoft.us/beta/")
///     .token(SecretToken::from("eyJ..."))
///     .build()
///     .unwrap();
/// assert_eq!(client.base_url(), "https://graph.microsoft.us/beta");
/// ```
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: String,
    token: Option<SecretToken>,
    user_agent: String,
    timeout: Duration,
    connect_timeout: Option<Duration>,
    http_client: Option<reqwest::Client>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: DEFAULT_BASE_URL.to_owned(),
            token: None,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: None,
            http_client: None,
        }
    }
}

impl ClientBuilder {
    /// The service root including the version segment, e.g.
    /// `https://graph.microsoft.com/beta` (the default) or a national
    /// cloud's. A trailing slash is ignored. It must be `https`; plain `http`
    /// is allowed only for loopback hosts, where test servers run.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The bearer token sent as `Authorization: Bearer ...` on every
    /// request. Without one, no `Authorization` header is sent.
    pub fn token(mut self, token: SecretToken) -> Self {
        self.token = Some(token);
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
        let base = check_base_url(&self.base_url)?;
        if let Some(token) = &self.token {
            // Checked once here so that `send` cannot fail on it later. The
            // message must not quote the token.
            HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                Error::Config(
                    "the bearer token contains characters that cannot be sent in an HTTP header"
                        .into(),
                )
            })?;
        }
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
                base_url: base,
                token: self.token,
                user_agent,
                timeout: self.timeout,
                http,
            }),
        })
    }
}

/// Validates a service root and returns it without a trailing slash, so
/// that `base + "/deviceManagement/..."` never has a doubled slash.
fn check_base_url(raw: &str) -> Result<String, Error> {
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
fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
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
