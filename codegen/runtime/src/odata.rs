//! Microsoft Graph's OData error envelope.
//!
//! ```json
//! {"error": {"code": "Forbidden", "message": "...", "target": "...",
//!            "details": [{"code": "...", "message": "..."}],
//!            "innerError": {"request-id": "...", "client-request-id": "...", "date": "..."}}}
//! ```
//!
//! Graph writes `innerError` on the wire while its schema says `innererror`,
//! and inner errors nest; both spellings are accepted at every level and
//! `innerError` is written. Decoding is tolerant: an absent or `null` code or
//! message becomes an empty string, and unknown inner-error members are kept
//! in [`InnerError::other`], so a slightly different service still yields a
//! usable error instead of none.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// The whole error body: `{"error": {...}}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ODataError {
    /// The error itself.
    pub error: MainError,
}

impl ODataError {
    /// Parses a response body as an OData error; `None` when it is not one
    /// (not JSON, or JSON without an `error` object).
    pub fn parse(body: &[u8]) -> Option<ODataError> {
        serde_json::from_slice(body).ok()
    }
}

/// The `error` object.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MainError {
    /// Graph's error code, e.g. `Authorization_RequestDenied`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub code: String,
    /// A description for people.
    #[serde(default, deserialize_with = "lenient_string")]
    pub message: String,
    /// What the error is about, when Graph says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Further errors, e.g. one per invalid property.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub details: Vec<ErrorDetail>,
    /// Service diagnostics (request ids, date, nested errors).
    #[serde(
        default,
        rename = "innerError",
        alias = "innererror",
        skip_serializing_if = "Option::is_none"
    )]
    pub inner_error: Option<InnerError>,
}

impl MainError {
    /// The first `request-id` found in the chain of inner errors.
    pub fn request_id(&self) -> Option<&str> {
        self.inner_error.as_ref()?.find(|e| e.request_id.as_deref())
    }

    /// The first `client-request-id` found in the chain of inner errors.
    pub fn client_request_id(&self) -> Option<&str> {
        self.inner_error
            .as_ref()?
            .find(|e| e.client_request_id.as_deref())
    }
}

/// One entry of `details`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// The detail's error code.
    #[serde(default, deserialize_with = "lenient_string")]
    pub code: String,
    /// The detail's description.
    #[serde(default, deserialize_with = "lenient_string")]
    pub message: String,
    /// What the detail is about, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// The `innerError` object: diagnostics that help Microsoft support find the
/// request, possibly with a nested, more specific inner error.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct InnerError {
    /// The service's id for the request (`request-id`).
    #[serde(
        default,
        rename = "request-id",
        skip_serializing_if = "Option::is_none"
    )]
    pub request_id: Option<String>,
    /// The id the client sent in `client-request-id`, echoed back.
    #[serde(
        default,
        rename = "client-request-id",
        skip_serializing_if = "Option::is_none"
    )]
    pub client_request_id: Option<String>,
    /// When the error happened, as the service wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// A nested, more specific inner error.
    #[serde(
        default,
        rename = "innerError",
        alias = "innererror",
        skip_serializing_if = "Option::is_none"
    )]
    pub inner_error: Option<Box<InnerError>>,
    /// Every other member, kept as it came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl InnerError {
    /// Walks this error and its nested inner errors, outermost first, and
    /// returns the first value `pick` finds.
    fn find<'a>(&'a self, pick: impl Fn(&'a InnerError) -> Option<&'a str>) -> Option<&'a str> {
        let mut current = Some(self);
        while let Some(error) = current {
            if let Some(found) = pick(error) {
                return Some(found);
            }
            current = error.inner_error.as_deref();
        }
        None
    }
}

/// Accepts a string, `null` (as empty) or an old-style OData v3
/// `{"lang": .., "value": ..}` message; anything else is kept as JSON text
/// so that no information is thrown away.
fn lenient_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Null => String::new(),
        Value::String(text) => text,
        Value::Object(map) => match map.get("value") {
            Some(Value::String(text)) => text.clone(),
            _ => Value::Object(map).to_string(),
        },
        other => other.to_string(),
    })
}

/// Treats an explicit `null` like an absent member.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn decodes_graph_wire_spelling() {
        let body = br#"{"error":{"code":"Forbidden","message":"m","innerError":{"request-id":"r1","client-request-id":"c1","date":"d"}}}"#;
        let parsed = ODataError::parse(body).expect("OData error");
        assert_eq!(parsed.error.code, "Forbidden");
        assert_eq!(parsed.error.message, "m");
        let inner = parsed.error.inner_error.as_ref().expect("inner error");
        assert_eq!(inner.request_id.as_deref(), Some("r1"));
        assert_eq!(inner.client_request_id.as_deref(), Some("c1"));
        assert_eq!(inner.date.as_deref(), Some("d"));
        assert!(inner.other.is_empty());
    }

    #[test]
    fn decodes_schema_spelling_nested() {
        let body = br#"{"error":{"code":"c","message":"m","innererror":{"date":"d","code":"outer","innererror":{"request-id":"deep","innerError":{"client-request-id":"deeper"}}}}}"#;
        let parsed = ODataError::parse(body).expect("OData error");
        let outer = parsed.error.inner_error.as_ref().unwrap();
        assert_eq!(outer.request_id, None);
        assert_eq!(outer.other.get("code"), Some(&json!("outer")));
        let nested = outer.inner_error.as_ref().unwrap();
        assert_eq!(nested.request_id.as_deref(), Some("deep"));
        let deepest = nested.inner_error.as_ref().unwrap();
        assert_eq!(deepest.client_request_id.as_deref(), Some("deeper"));
        // The helpers walk the chain outermost first.
        assert_eq!(parsed.error.request_id(), Some("deep"));
        assert_eq!(parsed.error.client_request_id(), Some("deeper"));
    }

    #[test]
    fn tolerates_missing_and_null_members() {
        let parsed = ODataError::parse(br#"{"error":{}}"#).unwrap();
        assert_eq!(parsed.error, MainError::default());
        let parsed =
            ODataError::parse(br#"{"error":{"code":null,"message":null,"details":null}}"#).unwrap();
        assert_eq!(parsed.error, MainError::default());
    }

    #[test]
    fn accepts_odata_v3_message_objects() {
        let parsed =
            ODataError::parse(br#"{"error":{"code":"c","message":{"lang":"en-US","value":"v"}}}"#)
                .unwrap();
        assert_eq!(parsed.error.message, "v");
        let parsed = ODataError::parse(br#"{"error":{"code":7,"message":"m"}}"#).unwrap();
        assert_eq!(parsed.error.code, "7");
    }

    #[test]
    fn details_and_target() {
        let body = br#"{"error":{"code":"BadRequest","message":"m","target":"deviceIds","details":[{"code":"d1","message":"x","target":"deviceIds/0"},{"message":"y"}]}}"#;
        let parsed = ODataError::parse(body).unwrap();
        assert_eq!(parsed.error.target.as_deref(), Some("deviceIds"));
        assert_eq!(
            parsed.error.details,
            vec![
                ErrorDetail {
                    code: "d1".into(),
                    message: "x".into(),
                    target: Some("deviceIds/0".into())
                },
                ErrorDetail {
                    code: String::new(),
                    message: "y".into(),
                    target: None
                },
            ]
        );
    }

    #[test]
    fn not_odata_is_none() {
        assert_eq!(ODataError::parse(b"<html>oops</html>"), None);
        assert_eq!(ODataError::parse(br#"{"value":[]}"#), None);
        assert_eq!(ODataError::parse(br#"{"error":"text"}"#), None);
        assert_eq!(ODataError::parse(b""), None);
    }

    #[test]
    fn serializes_with_wire_spelling_and_keeps_unknown_members() {
        let body = json!({"error":{"code":"c","message":"m","innererror":{"request-id":"r","extra":1,"innererror":{"date":"d"}}}});
        let parsed: ODataError = serde_json::from_value(body).unwrap();
        assert_eq!(
            serde_json::to_value(&parsed).unwrap(),
            json!({"error":{"code":"c","message":"m","innerError":{"request-id":"r","extra":1,"innerError":{"date":"d"}}}})
        );
    }
}
