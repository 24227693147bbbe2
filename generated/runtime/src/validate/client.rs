//! The checks a generated client runs on typed arguments before it sends
//! anything: the same rules as the server side, applied to the values as
//! they will be serialised.

use serde::Serialize;

use super::request::{ParamRule, check_path_text};
use super::{Pointer, Schema, walk};
use crate::Violation;

/// Checks a path parameter value.
pub fn path_param(rule: &ParamRule, value: &str, out: &mut Vec<Violation>) {
    check_path_text(rule, value, out);
}

/// Checks a query (`part` = `/query`) or header (`/headers`) parameter
/// value as it will be serialised.
pub fn param<T: Serialize + ?Sized>(
    rule: &ParamRule,
    part: &str,
    value: &T,
    out: &mut Vec<Violation>,
) {
    let mut at = Pointer::new(part);
    if part == "/headers" {
        at.push_key(&rule.name.to_ascii_lowercase());
    } else {
        at.push_key(rule.name);
    }
    match serde_json::to_value(value) {
        Ok(json) => walk::validate(rule.schema, &json, &mut at, out),
        Err(err) => out.push(unserialisable(&at, &err)),
    }
}

/// Checks a request body as it will be serialised.
pub fn body<T: Serialize + ?Sized>(schema: &'static Schema, value: &T, out: &mut Vec<Violation>) {
    let mut at = Pointer::new("/body");
    match serde_json::to_value(value) {
        Ok(json) => walk::validate(schema, &json, &mut at, out),
        Err(err) => out.push(unserialisable(&at, &err)),
    }
}

fn unserialisable(at: &Pointer, err: &serde_json::Error) -> Violation {
    Violation::new(
        at.as_str(),
        "json",
        format!("cannot be written as JSON: {err}"),
    )
}
