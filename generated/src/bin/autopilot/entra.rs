//! Form posts to a Microsoft Entra ID (OAuth 2.0) endpoint, shared by the
//! sign-ins written here rather than taken from `azure_identity`: the
//! device code flow and the client certificate.
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
    let mut response = http
        .post(url)
        .form(form)
        .send()
        .await
        .map_err(|e| TokenError::with_source(format!("{what}: cannot reach {url}"), e))?;
    let status = response.status().as_u16();
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| TokenError::with_source(format!("{what}: reading the answer of {url}"), e))?
    {
        if body.len() + chunk.len() > MAX_ANSWER {
            return Err(TokenError::new(format!(
                "{what}: {url} answered {status} with more than {MAX_ANSWER} bytes; \
                 that is not an identity endpoint's answer"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer { status, body })
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
