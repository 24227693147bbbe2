//! One reason a request was refused before it was sent.

use std::fmt;

use serde::Serialize;

/// A rule of the spec that a request breaks, found by a generated validator
/// or by the transport before anything went over the wire.
///
/// The derived ordering (location, then keyword, then message) lets callers
/// sort a list of violations into a stable, readable order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Violation {
    /// Where the problem is, as a JSON-pointer-like path rooted at the part
    /// of the request: `/path/id`, `/query/$top`, `/headers/authorization`,
    /// `/body/deviceIds/3`.
    pub location: String,
    /// The JSON Schema (or transport) rule that failed, e.g. `required`,
    /// `maxLength`, `type`.
    pub keyword: &'static str,
    /// What is wrong, in words.
    pub message: String,
}

impl Violation {
    /// Builds a violation.
    pub fn new(
        location: impl Into<String>,
        keyword: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Violation {
            location: location.into(),
            keyword,
            message: message.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.location, self.message, self.keyword)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_location_message_keyword() {
        let v = Violation::new("/body/deviceIds/3", "type", "expected a string");
        assert_eq!(v.to_string(), "/body/deviceIds/3: expected a string (type)");
    }

    #[test]
    fn orders_by_location_first() {
        let mut list = [
            Violation::new("/path/id", "minLength", "empty"),
            Violation::new("/body/deviceIds", "required", "missing"),
            Violation::new("/body/deviceIds", "maxItems", "too many"),
        ];
        list.sort();
        let keys: Vec<_> = list
            .iter()
            .map(|v| (v.location.as_str(), v.keyword))
            .collect();
        assert_eq!(
            keys,
            [
                ("/body/deviceIds", "maxItems"),
                ("/body/deviceIds", "required"),
                ("/path/id", "minLength"),
            ]
        );
    }

    #[test]
    fn serializes_field_names() {
        let v = Violation::new("/path/id", "minLength", "empty");
        assert_eq!(
            serde_json::to_value(&v).unwrap(),
            serde_json::json!({"location": "/path/id", "keyword": "minLength", "message": "empty"})
        );
    }
}
