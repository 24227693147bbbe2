//! Valid values from a schema, as a property-based OpenAPI tester derives
//! them: proptest strategies built by reading the schema object (so they
//! shrink), with awkward but valid strings (any Unicode scalar, quotes,
//! separators, percent signs, long runs) and arrays from empty to
//! thousands of items.
//!
//! Keywords the generator does not know stop the test with the keyword
//! and its place named: a value it believed valid must really be valid.

use conformance::oracle::SpecDoc;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Number, Value};

/// Keywords that only annotate (no effect on validity).
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "example",
    "examples",
    "default",
    "readOnly",
    "writeOnly",
    "deprecated",
    "externalDocs",
    "xml",
];

/// Keywords the generator honours.
const KNOWN: &[&str] = &[
    "type",
    "nullable",
    "enum",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "format",
];

/// Formats whose values the generator can make; other formats are
/// refused, since a random string would break them.
const FORMATS: &[&str] = &["uuid", "int32", "int64"];

/// Characters that trip naive encoders and parsers, all valid in a JSON
/// string and (percent-encoded) in a path segment.
pub const AWKWARD: &[char] = &[
    '/',
    '\\',
    '?',
    '#',
    '%',
    '&',
    '=',
    '+',
    ';',
    ',',
    ':',
    '@',
    '!',
    '$',
    '\'',
    '(',
    ')',
    '*',
    '[',
    ']',
    '{',
    '}',
    '<',
    '>',
    '"',
    '|',
    '^',
    '`',
    ' ',
    '\t',
    '\n',
    '\r',
    '\u{0}',
    '\u{7f}',
    '\u{85}',
    '\u{a0}',
    '\u{ad}',
    '\u{200b}',
    '\u{2028}',
    '\u{feff}',
    '\u{fffd}',
    'é',
    'ß',
    '日',
    '本',
    'Ω',
    '\u{1F600}',
    '\u{10FFFF}',
    '.',
    '~',
    '-',
    '_',
];

/// The resolved schema object and the pointer text for messages.
fn resolved<'a>(doc: &'a SpecDoc, schema: &'a Value, at: &str) -> (&'a Map<String, Value>, String) {
    let (node, pointer) = doc
        .resolve(schema, at)
        .unwrap_or_else(|| panic!("{at}: dangling $ref"));
    let object = node
        .as_object()
        .unwrap_or_else(|| panic!("{pointer}: the generator needs a schema object here"));
    for key in object.keys() {
        let known = KNOWN.contains(&key.as_str())
            || ANNOTATIONS.contains(&key.as_str())
            || key.starts_with("x-");
        if !known {
            panic!(
                "{pointer}: the request generator does not know the keyword `{key}`; \
                 teach conformance/tests/openapi_requests/values.rs about it"
            );
        }
    }
    (object, pointer)
}

fn usize_of(object: &Map<String, Value>, key: &str) -> Option<usize> {
    object.get(key).and_then(Value::as_u64).map(|n| n as usize)
}

/// A valid value for `schema`.
pub fn valid(doc: &SpecDoc, schema: &Value, at: &str) -> BoxedStrategy<Value> {
    valid_at(doc, schema, at, 0)
}

fn valid_at(doc: &SpecDoc, schema: &Value, at: &str, depth: usize) -> BoxedStrategy<Value> {
    let (object, pointer) = resolved(doc, schema, at);
    if depth > 8 {
        panic!("{pointer}: schemas nested deeper than 8 are not generated");
    }
    let nullable = object.get("nullable") == Some(&Value::Bool(true));
    if let Some(values) = object.get("enum").and_then(Value::as_array) {
        assert!(!values.is_empty(), "{pointer}: an empty enum has no value");
        return select(values.clone()).boxed();
    }
    if let Some(format) = object.get("format").and_then(Value::as_str)
        && !FORMATS.contains(&format)
    {
        panic!("{pointer}: the request generator cannot make `format: {format}` values");
    }
    let base = match object.get("type").and_then(Value::as_str) {
        Some("string") => {
            let strategy = match object.get("format").and_then(Value::as_str) {
                Some("uuid") => uuid().boxed(),
                _ => strings(
                    usize_of(object, "minLength").unwrap_or(0),
                    usize_of(object, "maxLength"),
                ),
            };
            strategy.prop_map(Value::String).boxed()
        }
        Some("integer") => {
            let low = object
                .get("minimum")
                .and_then(Value::as_i64)
                .unwrap_or(i64::from(i32::MIN));
            let high = object
                .get("maximum")
                .and_then(Value::as_i64)
                .unwrap_or(i64::from(i32::MAX));
            (low..=high).prop_map(|n| Value::Number(n.into())).boxed()
        }
        Some("number") => (-1.0e9f64..1.0e9)
            .prop_map(|n| Value::Number(Number::from_f64(n).unwrap_or(0.into())))
            .boxed(),
        Some("boolean") => any::<bool>().prop_map(Value::Bool).boxed(),
        Some("array") => array(doc, object, &pointer, depth),
        Some("object") => object_value(doc, object, &pointer, depth),
        other => panic!("{pointer}: the request generator needs a `type`, found {other:?}"),
    };
    if nullable {
        prop_oneof![9 => base, 1 => Just(Value::Null)].boxed()
    } else {
        base
    }
}

fn array(
    doc: &SpecDoc,
    object: &Map<String, Value>,
    pointer: &str,
    depth: usize,
) -> BoxedStrategy<Value> {
    let items = object
        .get("items")
        .unwrap_or_else(|| panic!("{pointer}: an array without `items`"))
        .clone();
    let item = valid_at(doc, &items, &format!("{pointer}/items"), depth + 1);
    let min = usize_of(object, "minItems").unwrap_or(0);
    let max = usize_of(object, "maxItems");
    let unique = object.get("uniqueItems") == Some(&Value::Bool(true));
    let cap = |n: usize| max.map_or(n, |m| m.min(n)).max(min);
    // Mostly small; now and then thousands of items.
    let lists = prop_oneof![
        8 => proptest::collection::vec(item.clone(), min..=cap(min + 6)),
        1 => proptest::collection::vec(item, cap(min + 200)..=cap(min + 4000)),
    ];
    lists
        .prop_map(move |mut values| {
            if unique {
                let mut seen = Vec::new();
                values.retain(|v| {
                    let fresh = !seen.contains(v);
                    seen.push(v.clone());
                    fresh
                });
            }
            Value::Array(values)
        })
        .prop_filter("uniqueItems left too few items", move |v| {
            v.as_array().is_some_and(|a| a.len() >= min)
        })
        .boxed()
}

fn object_value(
    doc: &SpecDoc,
    object: &Map<String, Value>,
    pointer: &str,
    depth: usize,
) -> BoxedStrategy<Value> {
    let required: Vec<String> = object
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let properties = object
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for name in &required {
        assert!(
            properties.contains_key(name),
            "{pointer}: required `{name}` has no schema under `properties`"
        );
    }
    let mut fields: Vec<BoxedStrategy<Option<(String, Value)>>> = Vec::new();
    for (name, schema) in &properties {
        let at = format!("{pointer}/properties/{name}");
        let value = valid_at(doc, schema, &at, depth + 1);
        let name = name.clone();
        if required.contains(&name) {
            fields.push(value.prop_map(move |v| Some((name.clone(), v))).boxed());
        } else {
            fields.push(proptest::option::of(value.prop_map(move |v| (name.clone(), v))).boxed());
        }
    }
    // Extra members only where the schema allows any (absent or `true`).
    let open = match object.get("additionalProperties") {
        None | Some(Value::Bool(true)) => true,
        Some(Value::Bool(false)) => false,
        Some(_) => panic!("{pointer}: `additionalProperties` with a schema is not generated"),
    };
    let known: Vec<String> = properties.keys().cloned().collect();
    let extras = if open {
        proptest::collection::vec(("[a-z]{1,8}", strings(0, Some(12))), 0..3).boxed()
    } else {
        Just(Vec::new()).boxed()
    };
    (fields, extras)
        .prop_map(move |(fields, extras)| {
            let mut map = Map::new();
            for (name, value) in fields.into_iter().flatten() {
                map.insert(name, value);
            }
            for (name, text) in extras {
                if !known.contains(&name) {
                    map.insert(name, Value::String(text));
                }
            }
            Value::Object(map)
        })
        .boxed()
}

/// A UUID in its canonical text form.
pub fn uuid() -> impl Strategy<Value = String> {
    "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
}

/// Strings of `min..=max` characters (Unicode scalar values, as JSON
/// Schema counts them), awkward ones often.
pub fn strings(min: usize, max: Option<usize>) -> BoxedStrategy<String> {
    let raw = prop_oneof![
        4 => "[A-Za-z0-9-]{1,24}",
        2 => proptest::collection::vec(any::<char>(), 0..16).prop_map(String::from_iter),
        2 => proptest::collection::vec(select(AWKWARD), 1..12).prop_map(String::from_iter),
        1 => uuid(),
        1 => (select(&['a', 'é', '日', '%', '\u{1F600}'][..]), 256usize..2500)
            .prop_map(|(c, n)| std::iter::repeat_n(c, n).collect::<String>()),
    ];
    raw.prop_map(move |s| fit(s, min, max)).boxed()
}

/// Pads with `x` or cuts to fit the length bounds.
fn fit(text: String, min: usize, max: Option<usize>) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    while chars.len() < min {
        chars.push('x');
    }
    if let Some(max) = max {
        chars.truncate(max.max(min));
    }
    chars.into_iter().collect()
}
