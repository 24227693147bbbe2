//! Requests to a Microsoft Entra ID (OAuth 2.0) endpoint, for the sign-ins
//! not taken from `azure_identity`: the client certificate's form post, and
//! the HTTP client that the `oauth2` crate sends the device code flow
//! through.
//!
//! The answers are read with a size cap (an identity endpoint answers a
//! few kilobytes; anything far longer is not one), and an error answer is
//! turned into words with the server's text cleaned of control
//! characters. An access token is never part of a message.

use std::time::Duration;

use autopilot_client::runtime::token::TokenError;
use serde::Deserialize;

use crate::verbose::clean;

/// The longest answer read from an identity endpoint. A token answer is
/// a few kilobytes; 64 KiB leaves room for large tokens and error pages.
const MAX_ANSWER: usize = 64 * 1024;

/// Limit for each request to the identity endpoint.
const TIMEOUT: Duration = Duration::from_secs(30);

/// An HTTP client for identity endpoints: follows no redirect (a token
/// request must not be replayed elsewhere), trusts the same roots as the
/// Graph client (the workspace's reqwest features: Mozilla's and the OS
/// store's).
pub fn http(what: &str) -> Result<reqwest::Client, TokenError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .build()
        .map_err(|e| TokenError::new(format!("{what}: cannot build the HTTP client: {e}")))
}

/// An answer: status and body (at most [`MAX_ANSWER`] bytes).
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

/// Posts `form` to `url`; `what` names the sign-in in messages.
pub async fn post(
    http: &reqwest::Client,
    what: &str,
    url: &str,
    form: &[(&str, &str)],
) -> Result<Answer, TokenError> {
    let response = http
        .post(url)
        .form(form)
        .send()
        .await
        .map_err(|e| TokenError::with_source(format!("{what}: cannot reach {url}"), e))?;
    let status = response.status().as_u16();
    let body = read_capped(response, what, url)
        .await
        .map_err(Failure::into_error)?;
    Ok(Answer { status, body })
}

/// Sends a request an OAuth 2.0 library has prepared (method, URL,
/// headers, form body), through `http`, and hands the answer back in the
/// library's terms: the same client, roots and size cap as [`post`].
pub async fn send(
    http: &reqwest::Client,
    what: &str,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, Failure> {
    let url = request.uri().to_string();
    let request = reqwest::Request::try_from(request).map_err(|e| {
        Failure::Refused(TokenError::with_source(
            format!("{what}: cannot build the request to {url}"),
            e,
        ))
    })?;
    let response = http.execute(request).await.map_err(|e| {
        Failure::Unreachable(TokenError::with_source(
            format!("{what}: cannot reach {url}"),
            e,
        ))
    })?;
    let mut answer = oauth2::http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        answer = answer.header(name, value);
    }
    let body = read_capped(response, what, &url).await?;
    answer.body(body).map_err(|e| {
        Failure::Refused(TokenError::with_source(
            format!("{what}: the answer of {url} is not HTTP"),
            e,
        ))
    })
}

/// Why [`send`] has no answer to hand back.
#[derive(Debug)]
pub enum Failure {
    /// Nothing usable came back (no connection, a reset, a timeout): a
    /// poll may try again later.
    Unreachable(TokenError),
    /// The server answered something that is not an identity endpoint's
    /// answer (too long): trying again will not help.
    Refused(TokenError),
}

impl Failure {
    /// The error inside, either way.
    pub fn into_error(self) -> TokenError {
        match self {
            Failure::Unreachable(e) | Failure::Refused(e) => e,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Unreachable(e) | Failure::Refused(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Failure::Unreachable(e) | Failure::Refused(e) => Some(e),
        }
    }
}

/// Reads the body of `response` from `url`, at most [`MAX_ANSWER`] bytes.
async fn read_capped(
    mut response: reqwest::Response,
    what: &str,
    url: &str,
) -> Result<Vec<u8>, Failure> {
    let status = response.status().as_u16();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| {
        Failure::Unreachable(TokenError::with_source(
            format!("{what}: reading the answer of {url}"),
            e,
        ))
    })? {
        if body.len() + chunk.len() > MAX_ANSWER {
            return Err(Failure::Refused(TokenError::new(format!(
                "{what}: {url} answered {status} with more than {MAX_ANSWER} bytes; \
                 that is not an identity endpoint's answer"
            ))));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A token endpoint's answer (RFC 6749 §5.1 and §5.2): a token, or an
/// error code with a description.
#[derive(Deserialize)]
pub struct TokenAnswer {
    /// The bearer token, on success.
    pub access_token: Option<String>,
    /// Seconds the token is valid for (a number, or a string of one).
    #[serde(default)]
    pub expires_in: Option<serde_json::Value>,
    /// The error code, e.g. `invalid_client`.
    pub error: Option<String>,
    /// Entra ID's explanation, e.g. `AADSTS700027: ...`.
    pub error_description: Option<String>,
}

impl TokenAnswer {
    /// Reads `answer` from `url`; a body that is not a token answer is an
    /// error quoting it (cleaned).
    pub fn parse(what: &str, url: &str, answer: &Answer) -> Result<TokenAnswer, TokenError> {
        serde_json::from_slice(&answer.body).map_err(|_| {
            TokenError::new(format!(
                "{what}: {url} answered {} with something that is not a token answer: {}",
                answer.status,
                clean(&String::from_utf8_lossy(&answer.body))
            ))
        })
    }

    /// `expires_in` in seconds, when the answer gives it.
    pub fn lifetime(&self) -> Option<Duration> {
        let seconds = match self.expires_in.as_ref()? {
            serde_json::Value::Number(n) => n.as_u64()?,
            serde_json::Value::String(s) => s.trim().parse().ok()?,
            _ => return None,
        };
        Some(Duration::from_secs(seconds))
    }

    /// The error in words: `code: description`, cleaned.
    pub fn error_text(&self) -> String {
        format!(
            "{}: {}",
            clean(self.error.as_deref().unwrap_or("no token and no error")),
            clean(self.error_description.as_deref().unwrap_or(""))
        )
    }
}
