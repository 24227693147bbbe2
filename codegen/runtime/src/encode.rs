//! Encoding of request bodies.

use serde::Serialize;

use crate::Error;

/// Serialises `value` as the JSON bytes of a request body.
///
/// Fails with [`Error::Encode`] only when the value cannot be represented in
/// JSON (e.g. a map with non-string keys, or a `Serialize` impl that errors).
pub fn json_body<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(value).map_err(|e| Error::Encode(e.to_string()))
}

/// Writes a query or header parameter value as text, the way OpenAPI's
/// `form`/`simple` styles do: strings as they are, numbers and booleans in
/// JSON notation, arrays comma-separated, `null` as empty, and objects as
/// compact JSON.
pub fn param_text<T: Serialize + ?Sized>(value: &T) -> String {
    fn text(value: &serde_json::Value) -> String {
        match value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            serde_json::Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(","),
            other => other.to_string(),
        }
    }
    serde_json::to_value(value)
        .map(|v| text(&v))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn encodes_compact_json() {
        let body = serde_json::json!({"deviceIds": ["a", "b"]});
        assert_eq!(json_body(&body).unwrap(), br#"{"deviceIds":["a","b"]}"#);
    }

    #[test]
    fn parameter_values_as_text() {
        assert_eq!(param_text("a b"), "a b");
        assert_eq!(param_text(&5), "5");
        assert_eq!(param_text(&true), "true");
        assert_eq!(param_text(&vec!["id", "displayName"]), "id,displayName");
        assert_eq!(param_text(&Option::<i32>::None), "");
    }

    #[test]
    fn unrepresentable_values_are_encode_errors() {
        let mut map = BTreeMap::new();
        map.insert((1, 2), "tuple keys are not JSON object keys");
        let err = json_body(&map).unwrap_err();
        assert!(matches!(err, Error::Encode(_)), "{err:?}");
    }
}
