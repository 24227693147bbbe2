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
    if let Ok(text) = std::str::from_utf8(bytes) {
        match stream::validate(schema, text, &mut root_pointer(root), &mut out) {
            Outcome::Valid => return out,
            Outcome::Invalid => {
                sort(&mut out);
                return out;
            }
            Outcome::GaveUp => out.clear(),
        }
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
pub fn decode<T: DeserializeOwned>(
    schema: &'static Schema,
    bytes: &[u8],
    root: &str,
) -> Result<T, Vec<Violation>> {
    let violations = check(schema, bytes, root);
    if !violations.is_empty() {
        return Err(violations);
    }
    // Valid bytes decode directly, except with duplicate keys, which typed
    // decoding refuses while a parsed value keeps the last: decode that.
    serde_json::from_slice::<T>(bytes)
        .or_else(|_| serde_json::from_slice::<Value>(bytes).and_then(T::deserialize))
        .map_err(|err| {
            vec![Violation::new(
                root,
                "representable",
                format!(
                    "valid against the spec, but the generated Rust type cannot hold it: {err}"
                ),
            )]
        })
}

/// Like [`decode`], for a body whose generated type the generator found to
/// prove validity on its own (`typed_proves_valid`; see the generated
/// `rules::<operation>::BODY_TYPED_PROVES_VALID`): a JSON object that
/// decodes into `T` is valid, so it is decoded once and not also checked.
/// Anything that does not decode takes the full path for its violations.
pub fn decode_proven<T: DeserializeOwned>(
    schema: &'static Schema,
    bytes: &[u8],
    root: &str,
    typed_proves_valid: bool,
) -> Result<T, Vec<Violation>> {
    // serde would also read a struct written as an array; only an object
    // is proven.
    let is_object = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if typed_proves_valid
        && is_object
        && let Ok(value) = serde_json::from_slice::<T>(bytes)
    {
        return Ok(value);
    }
    decode(schema, bytes, root)
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
