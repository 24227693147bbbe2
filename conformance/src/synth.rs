//! Valid values made from a spec's schemas, for the job's requests (path
//! ids, query values, bodies without an example) and the mock's answers
//! (success bodies): deterministic, small, and proven valid by the oracle
//! before use, so that a value this module gets wrong is a located
//! failure, never a request that breaks the spec on the job's side.
//!
//! Each schema gives a few candidates (its `example`, `default` or first
//! `enum` value, then values built from its keywords); the first the
//! oracle accepts wins.

use serde_json::{Map, Number, Value, json};

use crate::oracle::{Oracle, SpecDoc};

/// How deep objects and arrays are filled before only what is required
/// is made (a recursive schema must end).
const MAX_DEPTH: usize = 6;

/// A valid value of `schema` (a schema object of `oracle`'s spec), named
/// `hint` in messages and in made-up strings; an error says why none was
/// found.
pub fn value(oracle: &Oracle, schema: &Value, hint: &str) -> Result<Value, String> {
    let mut tried = Vec::new();
    for candidate in candidates(oracle.doc(), schema, hint, 0) {
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

/// Candidates for `schema`, most likely first.
fn candidates(doc: &SpecDoc, schema: &Value, hint: &str, depth: usize) -> Vec<Value> {
    let Some((schema, _)) = doc.resolve(schema, "") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for key in ["example", "default"] {
        if let Some(v) = schema.get(key) {
            out.push(v.clone());
        }
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        out.push(first.clone());
    }
    // `allOf`: the parts' first candidates merged (objects), or the
    // last scalar one.
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        let mut scalar = None;
        for part in parts {
            match candidates(doc, part, hint, depth).into_iter().next() {
                Some(Value::Object(object)) => merged.extend(object),
                Some(other) => scalar = Some(other),
                None => {}
            }
        }
        let own = built(doc, schema, hint, depth).into_iter().next();
        if let Some(Value::Object(object)) = own {
            merged.extend(object);
        }
        out.push(scalar.unwrap_or(Value::Object(merged)));
    }
    for key in ["oneOf", "anyOf"] {
        for part in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.extend(candidates(doc, part, hint, depth));
        }
    }
    out.extend(built(doc, schema, hint, depth));
    if schema.get("nullable").and_then(Value::as_bool) == Some(true) {
        out.push(Value::Null);
    }
    out
}

/// Values built from the schema's own keywords.
fn built(doc: &SpecDoc, schema: &Value, hint: &str, depth: usize) -> Vec<Value> {
    let kind = schema.get("type").and_then(Value::as_str).or_else(|| {
        // No `type`: guess from the keywords present.
        if schema.get("properties").is_some() || schema.get("required").is_some() {
            Some("object")
        } else if schema.get("items").is_some() {
            Some("array")
        } else {
            None
        }
    });
    match kind {
        Some("object") => objects(doc, schema, depth),
        Some("array") => arrays(doc, schema, hint, depth),
        Some("string") => strings(schema, hint),
        Some("integer") => numbers(schema, true),
        Some("number") => numbers(schema, false),
        Some("boolean") => vec![json!(true), json!(false)],
        Some(_) => Vec::new(),
        None => vec![json!(format!("{hint}-1")), json!({}), json!(1)],
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

fn objects(doc: &SpecDoc, schema: &Value, depth: usize) -> Vec<Value> {
    let required = required(schema);
    let properties = schema.get("properties").and_then(Value::as_object);
    let fill = |all: bool| {
        let mut object = Map::new();
        for (name, property) in properties.into_iter().flatten() {
            if !all && !required.contains(&name.as_str()) {
                continue;
            }
            if let Some(v) = candidates(doc, property, name, depth + 1)
                .into_iter()
                .next()
            {
                object.insert(name.clone(), v);
            }
        }
        for name in &required {
            if !object.contains_key(*name) {
                let extra = schema.get("additionalProperties").filter(|a| a.is_object());
                let made = extra
                    .and_then(|a| candidates(doc, a, name, depth + 1).into_iter().next())
                    .unwrap_or_else(|| json!(format!("{name}-1")));
                object.insert((*name).to_string(), made);
            }
        }
        Value::Object(object)
    };
    if depth < MAX_DEPTH {
        vec![fill(true), fill(false)]
    } else {
        vec![fill(false)]
    }
}

fn arrays(doc: &SpecDoc, schema: &Value, hint: &str, depth: usize) -> Vec<Value> {
    let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
    let count = min.max(u64::from(depth < MAX_DEPTH)).min(16) as usize;
    let items = schema.get("items").cloned().unwrap_or(json!({}));
    let made = candidates(doc, &items, hint, depth + 1);
    let mut out = Vec::new();
    if let Some(first) = made.first() {
        let unique = schema.get("uniqueItems").and_then(Value::as_bool) == Some(true);
        let list: Vec<Value> = (0..count)
            .map(|i| match (unique, first) {
                (true, Value::String(s)) if i > 0 => json!(format!("{s}{i}")),
                (true, Value::Number(n)) if i > 0 => {
                    json!(n.as_i64().unwrap_or(0) + i as i64)
                }
                _ => first.clone(),
            })
            .collect();
        out.push(Value::Array(list));
    }
    if min == 0 {
        out.push(json!([]));
    }
    out
}

fn strings(schema: &Value, hint: &str) -> Vec<Value> {
    let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
    let by_format = match format {
        "uuid" => Some("0f8fad5b-d9cb-469f-a165-70867728950e"),
        "date-time" => Some("2024-01-02T03:04:05Z"),
        "date" => Some("2024-01-02"),
        "time" => Some("03:04:05Z"),
        "email" => Some("someone@example.com"),
        "uri" | "url" | "uri-reference" | "iri" => Some("https://example.com/a"),
        "hostname" => Some("example.com"),
        "ipv4" => Some("192.0.2.1"),
        "ipv6" => Some("2001:db8::1"),
        "byte" | "base64" | "base64url" => Some("QUJD"),
        "duration" => Some("P1D"),
        _ => None,
    };
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .map(|m| m as usize);
    let fit = |text: String| -> String {
        let mut text = text;
        while text.chars().count() < min {
            text.push('x');
        }
        match max {
            Some(max) => text.chars().take(max).collect(),
            None => text,
        }
    };
    let mut out = Vec::new();
    if let Some(v) = by_format {
        out.push(json!(v));
    }
    let word: String = hint
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>();
    let word = if word.is_empty() {
        "value".into()
    } else {
        word
    };
    for text in [
        format!("{word}-1"),
        word.clone(),
        "a".to_string(),
        "A".to_string(),
        "1".to_string(),
        "0f8fad5b-d9cb-469f-a165-70867728950e".to_string(),
        "abc123".to_string(),
    ] {
        out.push(json!(fit(text)));
    }
    out
}

fn numbers(schema: &Value, integer: bool) -> Vec<Value> {
    let min = schema.get("minimum").and_then(Value::as_f64);
    let max = schema.get("maximum").and_then(Value::as_f64);
    let step = schema.get("multipleOf").and_then(Value::as_f64);
    let exclusive_min = schema.get("exclusiveMinimum").and_then(Value::as_bool) == Some(true);
    let mut picks = Vec::new();
    if let Some(min) = min {
        picks.push(if exclusive_min { min + 1.0 } else { min });
    }
    if let Some(max) = max {
        picks.push(max - if integer { 0.0 } else { 0.5 });
    }
    if let Some(step) = step {
        picks.push(step);
    }
    picks.extend([1.0, 0.0, 2.0]);
    picks
        .into_iter()
        .filter_map(|n| {
            if integer {
                Some(Value::Number(Number::from(n.ceil() as i64)))
            } else {
                Number::from_f64(n).map(Value::Number)
            }
        })
        .collect()
}
