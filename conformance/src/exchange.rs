//! One request and its response as they went over the wire: what the mock
//! server records and what the oracle judges.
//!
//! Plain data, independent of the generated client. The bearer token is
//! never stored in clear text in a serialised or `Debug` form: header
//! values of `Authorization` are kept in a [`Sensitive`] that only
//! [`Sensitive::expose`] opens, so the oracle can check the token's shape
//! while snapshots, logs and the report only ever see `Bearer [redacted]`.

use std::fmt;

use serde::{Serialize, Serializer};
use serde_json::Value;

/// The most body bytes a recorded exchange keeps; longer bodies are cut and
/// flagged, so that recording stays bounded whatever clients send.
pub const MAX_RECORDED_BODY: usize = 64 * 1024;

/// A header value that must not be shown (the bearer token).
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive(String);

impl Sensitive {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Sensitive(value.into())
    }

    /// The value in clear text, for checks that must look at it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The shown form: the authentication scheme (the first word) is kept,
    /// the credential is replaced.
    pub fn redacted(&self) -> String {
        match self.0.split_once(' ') {
            Some((scheme, rest)) if !rest.is_empty() => format!("{scheme} [redacted]"),
            _ if self.0.is_empty() => String::new(),
            _ => "[redacted]".to_string(),
        }
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

impl Serialize for Sensitive {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.redacted())
    }
}

/// A header value as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum HeaderText {
    /// An ordinary value (lossily decoded when not UTF-8).
    Plain(String),
    /// A credential; see [`Sensitive`].
    Secret(Sensitive),
}

impl HeaderText {
    /// The value in clear text.
    pub fn expose(&self) -> &str {
        match self {
            HeaderText::Plain(text) => text,
            HeaderText::Secret(secret) => secret.expose(),
        }
    }
}

/// Header names whose values are credentials.
pub fn is_sensitive(name: &str) -> bool {
    name.eq_ignore_ascii_case("authorization")
        || name.eq_ignore_ascii_case("proxy-authorization")
        || name.eq_ignore_ascii_case("cookie")
}

/// Query parameters whose values are credentials: RFC 6750 §2.3's
/// `access_token` (a bearer token sent in the URI).
pub fn is_sensitive_query(name: &str) -> bool {
    let name = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
    name.eq_ignore_ascii_case("access_token")
}

/// The query string with each credential's value replaced by
/// `replacement`.
pub fn redact_query(query: &str, replacement: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if is_sensitive_query(name) && !value.is_empty() => {
                format!("{name}={replacement}")
            }
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn redacted_query<S: Serializer>(query: &Option<String>, serializer: S) -> Result<S::Ok, S::Error> {
    match query {
        Some(query) => serializer.serialize_str(&redact_query(query, "[redacted]")),
        None => serializer.serialize_none(),
    }
}

/// Headers in arrival order, names lower-cased.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Headers(pub Vec<(String, HeaderText)>);

impl Headers {
    /// Adds a header; credentials are wrapped in [`Sensitive`].
    pub fn push(&mut self, name: &str, value: String) {
        let name = name.to_ascii_lowercase();
        let value = if is_sensitive(&name) {
            HeaderText::Secret(Sensitive::new(value))
        } else {
            HeaderText::Plain(value)
        };
        self.0.push((name, value));
    }

    /// The first value of a header, case-insensitively, in clear text.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.expose())
    }

    /// Every value of a header.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.expose())
    }
}

/// A body as recorded: the bytes (cut at [`MAX_RECORDED_BODY`]) and whether
/// they were cut.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Body {
    /// The bytes kept.
    pub bytes: Vec<u8>,
    /// How many bytes arrived in all.
    pub length: usize,
}

impl Body {
    /// Records `bytes`, keeping at most [`MAX_RECORDED_BODY`] of them.
    pub fn new(bytes: &[u8]) -> Body {
        Body {
            bytes: bytes[..bytes.len().min(MAX_RECORDED_BODY)].to_vec(),
            length: bytes.len(),
        }
    }

    /// Whether nothing arrived.
    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    /// Whether the kept bytes are the whole body.
    pub fn is_complete(&self) -> bool {
        self.bytes.len() == self.length
    }

    /// The body as JSON, when it is complete and parses.
    pub fn json(&self) -> Option<Value> {
        if self.is_complete() && !self.is_empty() {
            serde_json::from_slice(&self.bytes).ok()
        } else {
            None
        }
    }
}

/// Serialised as JSON when the body parses, else as text, so snapshots show
/// bodies readably with their keys sorted.
impl Serialize for Body {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.is_empty() {
            return serializer.serialize_none();
        }
        match self.json() {
            Some(value) => value.serialize(serializer),
            None => {
                let mut text = String::from_utf8_lossy(&self.bytes).into_owned();
                if !self.is_complete() {
                    text.push_str(&format!("… ({} bytes in all)", self.length));
                }
                serializer.serialize_str(&text)
            }
        }
    }
}

/// A request as it arrived. Its serialised and `Debug` forms redact
/// credentials, in headers and in the query.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    /// The method, upper-case as sent.
    pub method: String,
    /// The path as received, still percent-encoded, including the service
    /// root's path (e.g. `/beta/deviceManagement/...`).
    pub path: String,
    /// The raw query string without `?`.
    #[serde(serialize_with = "redacted_query")]
    pub query: Option<String>,
    /// The headers.
    pub headers: Headers,
    /// The body.
    pub body: Body,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path)
            .field(
                "query",
                &self.query.as_deref().map(|q| redact_query(q, "[redacted]")),
            )
            .field("headers", &self.headers)
            .field("body", &self.body)
            .finish()
    }
}

/// A response as it was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: Headers,
    /// The body.
    pub body: Body,
}

/// One request and what came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exchange {
    /// Position in the recording (1 for the first request the server saw).
    pub seq: u64,
    /// What the client sent.
    pub request: Request,
    /// What the server answered; `None` when no response went out (the
    /// connection was dropped).
    pub response: Option<Response>,
    /// The fault scenario the mock applied, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_serialise_or_debug() {
        let mut headers = Headers::default();
        headers.push("Authorization", "Bearer s3cret-token".into());
        headers.push("Accept", "application/json".into());
        let shown = serde_json::to_string(&headers).unwrap();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("Bearer [redacted]"), "{shown}");
        assert!(!format!("{headers:?}").contains("s3cret"));
        assert_eq!(headers.get("authorization"), Some("Bearer s3cret-token"));
        assert_eq!(Sensitive::new("opaque").redacted(), "[redacted]");
    }

    #[test]
    fn query_credentials_never_serialise_or_debug() {
        let request = Request {
            method: "GET".into(),
            path: "/x".into(),
            query: Some("a=1&access_token=s3cret&ACCESS%5FTOKEN=s3cret2&b=".into()),
            headers: Headers::default(),
            body: Body::default(),
        };
        let shown = serde_json::to_string(&request).unwrap();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("a=1&access_token=[redacted]&ACCESS%5FTOKEN=[redacted]&b="),
            "{shown}"
        );
        assert!(!format!("{request:?}").contains("s3cret"));
        assert_eq!(redact_query("access_token=", "x"), "access_token=");
    }

    #[test]
    fn bodies_are_bounded_and_shown_as_json() {
        let big = vec![b'x'; MAX_RECORDED_BODY + 10];
        let body = Body::new(&big);
        assert_eq!(body.bytes.len(), MAX_RECORDED_BODY);
        assert!(!body.is_complete());
        assert_eq!(body.json(), None);
        let json = Body::new(br#"{"b":1,"a":[true]}"#);
        assert_eq!(
            serde_json::to_value(&json).unwrap(),
            serde_json::json!({"a": [true], "b": 1})
        );
        assert_eq!(serde_json::to_value(Body::new(b"")).unwrap(), Value::Null);
    }
}
