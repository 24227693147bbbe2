//! Percent-encoding of single path segments.
//!
//! A path parameter must land in exactly one segment of the request path, so
//! a value such as `../x`, `a/b`, `?` or `#` can never reach another resource
//! or cut the path short. Everything outside RFC 3986's *unreserved* set is
//! therefore encoded, including `%` itself (so an already-encoded `%2F` stays
//! the literal text `%2F`).

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Bytes that are encoded in a segment: all but `ALPHA DIGIT - . _ ~`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes `value` as exactly one path segment.
///
/// Every byte except RFC 3986's unreserved characters is encoded (UTF-8 first
/// for non-ASCII text). The whole-segment values `.` and `..` become `%2E` and
/// `%2E%2E`, because left as they are, URL normalisation would remove them
/// and the request would go to a different path.
///
/// Note that WHATWG-style URL parsers (such as the `url` crate under
/// `reqwest`) also treat `%2E` and `%2E%2E` as dot segments; the
/// [`Client`](crate::Client) therefore refuses to send a request whose path
/// the URL parser changed, rather than hit another resource.
///
/// ```
/// use openapi_runtime::path::encode_segment;
/// assert_eq!(encode_segment("a/b"), "a%2Fb");
/// assert_eq!(encode_segment(".."), "%2E%2E");
/// assert_eq!(encode_segment("plain-id_1.2~x"), "plain-id_1.2~x");
/// ```
pub fn encode_segment(value: &str) -> Cow<'_, str> {
    match value {
        "." => Cow::Borrowed("%2E"),
        ".." => Cow::Borrowed("%2E%2E"),
        _ => utf8_percent_encode(value, SEGMENT).into(),
    }
}

/// Decodes one percent-encoded path segment.
///
/// Returns `None` when the decoded bytes are not UTF-8. A `%` that does not
/// start a valid escape is kept as it is, as RFC 3986 parsers commonly do.
///
/// ```
/// use openapi_runtime::path::decode_segment;
/// assert_eq!(decode_segment("a%2Fb").as_deref(), Some("a/b"));
/// assert_eq!(decode_segment("%FF"), None);
/// ```
pub fn decode_segment(segment: &str) -> Option<String> {
    percent_decode_str(segment)
        .decode_utf8()
        .ok()
        .map(Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreserved_characters_pass_through_borrowed() {
        let value = "AZaz09-._~";
        let encoded = encode_segment(value);
        assert_eq!(encoded, value);
        assert!(matches!(encoded, Cow::Borrowed(_)));
    }

    #[test]
    fn separators_and_delimiters_are_encoded() {
        assert_eq!(encode_segment("../x"), "..%2Fx");
        assert_eq!(encode_segment("a/b"), "a%2Fb");
        assert_eq!(encode_segment("?"), "%3F");
        assert_eq!(encode_segment("#"), "%23");
        assert_eq!(encode_segment("a b"), "a%20b");
        assert_eq!(encode_segment("a+b&c=d;e"), "a%2Bb%26c%3Dd%3Be");
        assert_eq!(encode_segment("\\"), "%5C");
    }

    #[test]
    fn percent_is_encoded_so_pre_encoded_text_stays_literal() {
        assert_eq!(encode_segment("%2F"), "%252F");
        assert_eq!(encode_segment("%2E%2E"), "%252E%252E");
    }

    #[test]
    fn unicode_is_utf8_percent_encoded() {
        assert_eq!(encode_segment("é"), "%C3%A9");
        assert_eq!(encode_segment("日"), "%E6%97%A5");
    }

    #[test]
    fn dot_segments_are_encoded_whole() {
        assert_eq!(encode_segment("."), "%2E");
        assert_eq!(encode_segment(".."), "%2E%2E");
        // Only whole-segment dots are special; others are ordinary text.
        assert_eq!(encode_segment("..."), "...");
        assert_eq!(encode_segment(".hidden"), ".hidden");
    }

    #[test]
    fn empty_stays_empty() {
        assert_eq!(encode_segment(""), "");
    }

    #[test]
    fn decode_round_trips_encode() {
        for value in ["../x", "a/b", "?#", "%2F", "a b", "é日", ".", "..", ""] {
            let encoded = encode_segment(value);
            assert_eq!(decode_segment(&encoded).as_deref(), Some(value), "{value}");
        }
    }

    #[test]
    fn decode_rejects_invalid_utf8() {
        assert_eq!(decode_segment("%FF%FE"), None);
        assert_eq!(decode_segment("%C3"), None);
    }

    #[test]
    fn decode_keeps_malformed_escapes() {
        assert_eq!(decode_segment("100%").as_deref(), Some("100%"));
        assert_eq!(decode_segment("%zz").as_deref(), Some("%zz"));
    }
}
