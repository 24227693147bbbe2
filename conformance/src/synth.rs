//! Valid values made from a spec's schemas, for the job's requests (path
//! ids, query values, bodies without an example) and the mock's answers
//! (success bodies): deterministic, small, and proven valid by the oracle
//! before use, so that a value this module gets wrong is a located
//! failure, never a request that breaks the spec on the job's side.
//!
//! Each schema gives a few candidates (its `example`, `default` or first
//! `enum` value, then values built from its keywords: see
//! [`crate::values::candidates`]); the first the oracle accepts wins.

use serde_json::Value;

use crate::oracle::Oracle;
use crate::values::{Reader, candidates};

/// A valid value of `schema` (a schema object of `oracle`'s spec), named
/// `hint` in messages and in made-up strings; an error says why none was
/// found.
pub fn value(oracle: &Oracle, schema: &Value, hint: &str) -> Result<Value, String> {
    let mut tried = Vec::new();
    let reader = Reader::new(oracle.doc());
    for candidate in candidates(&reader, schema, hint) {
        let problems = oracle.validate(schema, &candidate);
        if problems.is_empty() {
            return Ok(candidate);
        }
        tried.push(format!("{candidate} ({})", problems.join("; ")));
    }
    Err(format!(
        "cannot make a valid value for `{hint}` from its schema (give it an `example`); tried: {}",
        if tried.is_empty() {
            "nothing".to_string()
        } else {
            tried.join(", ")
        }
    ))
}

/// The first of `preferred` that `schema` accepts, else [`value`].
pub fn value_preferring(
    oracle: &Oracle,
    schema: &Value,
    hint: &str,
    preferred: &[Value],
) -> Result<Value, String> {
    preferred
        .iter()
        .find(|v| oracle.validate(schema, v).is_empty())
        .cloned()
        .map_or_else(|| value(oracle, schema, hint), Ok)
}

/// A value as a path segment or a query or header value would write it.
pub fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The property names an object schema's `required` lists (none when it
/// has no such list).
pub fn required(schema: &Value) -> Vec<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}
