//! A hook that sees every exchange, for verbose output and audit logs.
//!
//! An [`Observer`] given to
//! [`ClientBuilder::observer`](crate::ClientBuilder::observer) is called for
//! each attempt's request and response, for each retry wait and for each
//! transport failure. Headers reach it already redacted: the
//! `Authorization` value (and any header marked sensitive) is replaced by
//! [`REDACTED`], so an observer cannot leak the token even by printing
//! everything it gets.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderMap;

use crate::retry::WaitReason;

/// What replaces a sensitive header's value.
pub const REDACTED: &str = "<redacted>";

/// Receives [`Event`]s. Called inline on the request path: keep it quick.
pub trait Observer: Send + Sync + fmt::Debug {
    /// One thing that happened.
    fn on_event(&self, event: &Event<'_>);
}

/// One thing that happened to a request.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Event<'a> {
    /// An attempt is about to be sent.
    Request {
        /// The spec's `operationId`.
        operation_id: &'static str,
        /// 1 for the first attempt.
        attempt: u32,
        /// `POST`, `GET`...
        method: &'a str,
        /// The full URL.
        url: &'a str,
        /// Request headers, sensitive values redacted.
        headers: &'a [(String, String)],
        /// The body, when there is one.
        body: Option<&'a [u8]>,
    },
    /// An attempt got an answer (any status).
    Response {
        /// The spec's `operationId`.
        operation_id: &'static str,
        /// 1 for the first attempt.
        attempt: u32,
        /// The HTTP status.
        status: u16,
        /// Response headers.
        headers: &'a [(String, String)],
        /// The body as read (error bodies are capped).
        body: &'a [u8],
        /// From sending to the end of the body.
        elapsed: Duration,
    },
    /// The answer was a retried status; the client waits, then tries again.
    Retry {
        /// The spec's `operationId`.
        operation_id: &'static str,
        /// The attempt that was throttled.
        attempt: u32,
        /// The status it got.
        status: u16,
        /// How long the client waits.
        wait: Duration,
        /// Where that length came from.
        reason: WaitReason,
    },
    /// An attempt got no answer, and the client waits, then tries again
    /// (see [`RetryPolicy::idempotent`](crate::RetryPolicy::idempotent)).
    RetryFailure {
        /// The spec's `operationId`.
        operation_id: &'static str,
        /// The attempt that failed.
        attempt: u32,
        /// How long the client waits.
        wait: Duration,
    },
    /// An attempt got no answer: connection, TLS, timeout.
    TransportError {
        /// The spec's `operationId`.
        operation_id: &'static str,
        /// 1 for the first attempt.
        attempt: u32,
        /// What failed.
        message: &'a str,
    },
}

/// Headers as `(name, value)` text pairs with sensitive values replaced by
/// [`REDACTED`] (the `Authorization` scheme word is kept, so `Bearer
/// <redacted>` still says what kind of credential was sent).
pub fn redacted_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let shown = if value.is_sensitive() || name == reqwest::header::AUTHORIZATION {
                match value.to_str().ok().and_then(|v| v.split_once(' ')) {
                    Some((scheme, _)) if name == reqwest::header::AUTHORIZATION => {
                        format!("{scheme} {REDACTED}")
                    }
                    _ => REDACTED.to_owned(),
                }
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.as_str().to_owned(), shown)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    #[test]
    fn authorization_and_sensitive_values_are_redacted() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_static("Bearer s3cret"));
        let mut cookie = HeaderValue::from_static("session=s3cret");
        cookie.set_sensitive(true);
        headers.insert("cookie", cookie);
        headers.insert("accept", HeaderValue::from_static("application/json"));
        let shown = redacted_headers(&headers);
        assert_eq!(
            shown,
            [
                ("authorization".to_owned(), "Bearer <redacted>".to_owned()),
                ("cookie".to_owned(), "<redacted>".to_owned()),
                ("accept".to_owned(), "application/json".to_owned()),
            ]
        );
        let mut odd = HeaderMap::new();
        odd.insert("authorization", HeaderValue::from_static("s3cret"));
        assert_eq!(redacted_headers(&odd)[0].1, REDACTED);
    }
}
