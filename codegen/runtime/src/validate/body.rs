//! JSON request bodies: raw bytes → verdict, and → typed value.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::stream::{self, Outcome};
use super::{Pointer, Schema, sort, walk};
use crate::Violation;

/// Every violation of the JSON `bytes` against `schema`, located under
/// `root` (e.g. `/body`) and sorted. Empty means valid.
///
/// The one-pass reader judges the bytes directly; only when it gives up
/// (see [`stream`]) are the bytes parsed into a `serde_json::Value` and
/// walked. Bytes that are not JSON give one `json` violation that carries
/// `serde_json`'s line and column.
pub fn check(schema: &'static Schema, bytes: &[u8], root: &str) -> Vec<Violation> {
    let mut out = Vec::new();
    match stream::validate(schema, bytes, &mut root_pointer(root), &mut out) {
        Outcome::Valid => return out,
        Outcome::Invalid => {
            sort(&mut out);
            return out;
        }
        Outcome::GaveUp => out.clear(),
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value) => {
            walk::validate(schema, &value, &mut Pointer::new(root), &mut out);
            sort(&mut out);
            out
        }
        Err(err) => vec![not_json(root, &err)],
    }
}

/// Like [`check`] for a value that is already parsed.
pub fn check_value(schema: &'static Schema, value: &Value, root: &str) -> Vec<Violation> {
    let mut out = Vec::new();
    walk::validate(schema, value, &mut Pointer::new(root), &mut out);
    sort(&mut out);
    out
}

/// Validates `bytes` and, when they are valid, decodes them into `T`.
///
/// A body that satisfies the schema but that `T` cannot hold (a generator
/// limit, e.g. an integer past `i64` where the spec gives no format) is
/// refused with a `representable` violation rather than accepted untyped.
///
/// Generic code is compiled once per `T` in the crate that calls it, so
/// the work lives in a non-generic function and only the last step, reading
/// `T` from a parsed value, is generic: the validators read every
/// generated type through `serde_json::Value` alone, never also through
/// the byte reader.
pub fn decode<T: DeserializeOwned>(
    schema: &'static Schema,
    bytes: &[u8],
    root: &str,
) -> Result<T, Vec<Violation>> {
    let value = checked_value(schema, bytes, root)?;
    T::deserialize(value).map_err(|err| vec![unrepresentable(root, &err)])
}

/// Validates `bytes` and, when they are valid, parses them. A parsed value
/// keeps the last of duplicate keys, as validation judged it.
fn checked_value(
    schema: &'static Schema,
    bytes: &[u8],
    root: &str,
) -> Result<Value, Vec<Violation>> {
    let violations = check(schema, bytes, root);
    if !violations.is_empty() {
        return Err(violations);
    }
    serde_json::from_slice::<Value>(bytes).map_err(|err| vec![not_json(root, &err)])
}

/// The `representable` violation: valid, but the Rust type cannot hold it.
pub(crate) fn unrepresentable(root: &str, err: &serde_json::Error) -> Violation {
    Violation::new(
        root,
        "representable",
        format!("valid against the spec, but the generated Rust type cannot hold it: {err}"),
    )
}

/// Like [`decode`], for a body whose generated type the generator found to
/// prove validity on its own (`typed_proves_valid`; see the generated
/// route's field): a JSON object that reads as `T` is valid, so it is read
/// without the schema walk. Anything else goes through [`decode`], which
/// reports every violation.
pub fn decode_proven<T: DeserializeOwned>(
    schema: &'static Schema,
    bytes: &[u8],
    root: &str,
    typed_proves_valid: bool,
) -> Result<T, Vec<Violation>> {
    if let Some(value) = proven_candidate(bytes, typed_proves_valid)
        && let Ok(typed) = T::deserialize(value)
    {
        return Ok(typed);
    }
    decode(schema, bytes, root)
}

/// The parsed body, when its type proves validity and it is a JSON object
/// (serde would also read a struct written as an array; only an object is
/// proven).
fn proven_candidate(bytes: &[u8], typed_proves_valid: bool) -> Option<Value> {
    let is_object = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if !(typed_proves_valid && is_object) {
        return None;
    }
    serde_json::from_slice::<Value>(bytes).ok()
}

/// The pointer for `root`, without allocating for the usual `/body`.
fn root_pointer(root: &str) -> Pointer {
    match root {
        "/body" => Pointer::at("/body"),
        other => Pointer::new(other),
    }
}

fn not_json(root: &str, err: &serde_json::Error) -> Violation {
    Violation::new(root, "json", format!("is not valid JSON: {err}"))
}

#[cfg(test)]
pub(in crate::validate) mod tests {
    use super::*;
    use crate::validate::{Additional, ArrayRules, Kind, ObjectRules, Property, StringRules};

    /// `{"ids": [string, ...]}` with nothing else allowed: the shape of the
    /// assign body, whose string items take the reader's fast path.
    pub(in crate::validate) static PLAIN: Schema = Schema {
        kind: Kind::String(StringRules::NONE),
        nullable: false,
    };
    static IDS: Schema = Schema {
        kind: Kind::Array(ArrayRules {
            items: &PLAIN,
            min_items: Some(1),
            max_items: None,
            unique_items: false,
        }),
        nullable: false,
    };
    pub(in crate::validate) static BODY: Schema = Schema {
        kind: Kind::Object(ObjectRules {
            properties: &[Property {
                name: "ids",
                required: true,
                schema: &IDS,
            }],
            required_undeclared: &[],
            additional: Additional::Forbidden,
            min_properties: None,
            max_properties: None,
        }),
        nullable: false,
    };

    /// What the one-pass reader must agree with: parse, then walk.
    fn reference(bytes: &[u8]) -> Vec<Violation> {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(value) => check_value(&BODY, &value, "/body"),
            Err(err) => vec![not_json("/body", &err)],
        }
    }

    /// Bodies aimed at [`BODY`] that the readers must judge exactly as
    /// parse-and-walk does: odd spacing, wrong types, numbers `serde_json`
    /// refuses, escapes, duplicate keys, truncation, bytes not UTF-8.
    pub(in crate::validate) fn awkward_bodies() -> Vec<Vec<u8>> {
        let long = "x".repeat(70);
        let mut cases: Vec<Vec<u8>> = [
            r#"{"ids":["a","b"]}"#.to_string(),
            format!(r#"{{ "ids" : [ "{long}" ,"{long}",	"c" ] }}"#),
            r#"{"ids":[]}"#.to_string(),
            r#"{"ids":["a",]}"#.to_string(),
            r#"{"ids":["a" "b"]}"#.to_string(),
            r#"{"ids":["a",7,null,"b",{"x":1},"c"]}"#.to_string(),
            // Numbers where strings belong: short integers, long ones,
            // fractions, and ones `serde_json` refuses as out of range.
            r#"{"ids":[-0,12345,1.5,2E3,123456789012345678901234567890]}"#.to_string(),
            r#"{"ids":[1e400]}"#.to_string(),
            // Numbers that break JSON's grammar, where a string belongs:
            // the body is not JSON, even when a later duplicate key would
            // replace the array.
            r#"{"ids":[01]}"#.to_string(),
            r#"{"ids":["a",1.,"b"]}"#.to_string(),
            r#"{"ids":[-]}"#.to_string(),
            r#"{"ids":[1e+]}"#.to_string(),
            r#"{"ids":[1-2]}"#.to_string(),
            r#"{"ids":[1 2]}"#.to_string(),
            r#"{"ids":[01],"ids":["a"]}"#.to_string(),
            r#"{"ids":[1],"ids":["a"]}"#.to_string(),
            format!(r#"{{"ids":[{}]}}"#, "9".repeat(400)),
            r#"{"ids":["esc\"aped","tab\there","\u00e9","\ud83d\ude00"]}"#.to_string(),
            r#"{"ids":["\ud83d"]}"#.to_string(),
            r#"{"ids":["\x"]}"#.to_string(),
            "{\"ids\":[\"caf\u{e9}\",\"\u{1F600}\",\"plain\"]}".to_string(),
            "{\"ids\":[\"raw\ttab\"]}".to_string(),
            r#"{"ids":["a"],"other":1}"#.to_string(),
            // Keys that need escaping in a JSON pointer.
            r#"{"ids":["a"],"a/b~c":1,"~":[]}"#.to_string(),
            r#"{"ids":["a",1,"b",{}],"x":null}"#.to_string(),
            r#"{"ids":["a"],"ids":["b"]}"#.to_string(),
            // A declared key written with an escape, alone and as a
            // duplicate of the plain spelling.
            r#"{"\u0069ds":["a",1]}"#.to_string(),
            r#"{"ids":["a"],"\u0069ds":["b"]}"#.to_string(),
            r#"{"ids":["unterminated]}"#.to_string(),
            r#"{"ids":["a"]"#.to_string(),
            r#"{"ids":["a"]} trailing"#.to_string(),
        ]
        .into_iter()
        .map(String::into_bytes)
        .collect();
        // Bytes that are not UTF-8: inside a string (short, long, after
        // valid non-ASCII), in a key, and outside any string.
        let bad_utf8: [&[u8]; 9] = [
            b"{\"ids\":[\"\xff\"]}",
            // Right after a backslash, where the scan jumps over a byte.
            b"{\"ids\":[\"\\\xff\"]}",
            b"{\"i\\\xffds\":[\"a\"]}",
            b"{\"ids\":[\"0123456789abcdef0123456789abcdef0123\xc3\"]}",
            b"{\"ids\":[\"\xc3\xa9\xc3\"]}",
            b"{\"ids\":[\"\xed\xa0\x80\"]}",
            b"{\"ids\":[\"\xc0\xaf\"]}",
            b"{\"i\xffds\":[\"a\"]}",
            b"{\"ids\":[\"a\"]\xff}",
        ];
        cases.extend(bad_utf8.iter().map(|b| b.to_vec()));
        cases
    }

    #[test]
    fn the_one_pass_reader_agrees_with_parse_and_walk_on_awkward_bytes() {
        for case in &awkward_bodies() {
            assert_eq!(
                check(&BODY, case, "/body"),
                reference(case),
                "{}",
                String::from_utf8_lossy(case)
            );
        }
    }
}
