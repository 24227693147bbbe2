//! The reference validator: a walk over a parsed [`serde_json::Value`] that
//! collects every violation.
//!
//! Scalar rules are shared with the streaming validator through the
//! `check_*` functions here, so both report the same words.

use serde_json::{Map, Value};

use super::number;
use super::{
    Additional, ArrayRules, Kind, NumberRules, ObjectRules, Pointer, Schema, StringRules, format,
    resolve,
};
use crate::Violation;

/// Validates `value` against `schema`, appending violations located under
/// `at` to `out` (in walk order; see [`super::sort`]).
pub fn validate(
    schema: &'static Schema,
    value: &Value,
    at: &mut Pointer,
    out: &mut Vec<Violation>,
) {
    let (schema, nullable) = resolve(schema);
    if value.is_null() && nullable {
        return;
    }
    match &schema.kind {
        Kind::Any => {}
        Kind::Ref(_) => unreachable_ref(at, out),
        Kind::AllOf(parts) => {
            for part in *parts {
                validate(part, value, at, out);
            }
        }
        Kind::OneOf(parts) => {
            let passing = passing_parts(parts, value);
            if passing.len() != 1 {
                out.push(one_of_violation(at, parts.len(), &passing));
            }
        }
        Kind::AnyOf(parts) => {
            if !parts.iter().any(|p| is_valid(p, value)) {
                out.push(any_of_violation(at, parts.len()));
            }
        }
        Kind::Discriminated(d) => validate(d.choose(value), value, at, out),
        Kind::Not(negated) => {
            if is_valid(negated, value) {
                out.push(not_violation(at));
            }
        }
        Kind::String(rules) => match value {
            Value::String(s) => check_string(rules, s, at, out),
            other => out.push(type_violation(at, &schema.kind, other)),
        },
        Kind::Integer(rules) => match value {
            Value::Number(n) if number::is_integer(n) => check_number(rules, n, at, out),
            other => out.push(type_violation(at, &schema.kind, other)),
        },
        Kind::Number(rules) => match value {
            Value::Number(n) => check_number(rules, n, at, out),
            other => out.push(type_violation(at, &schema.kind, other)),
        },
        Kind::Boolean => {
            if !value.is_boolean() {
                out.push(type_violation(at, &schema.kind, value));
            }
        }
        Kind::BooleanValue(only) => match value {
            Value::Bool(b) => check_boolean(*only, *b, at, out),
            other => out.push(type_violation(at, &schema.kind, other)),
        },
        Kind::Array(rules) => match value {
            Value::Array(items) => array(rules, items, at, out),
            other => out.push(type_violation(at, &schema.kind, other)),
        },
        Kind::Object(rules) => match value {
            Value::Object(map) => object(rules, map, at, out),
            other => out.push(type_violation(at, &schema.kind, other)),
        },
    }
}

/// Whether `value` is valid against `schema`.
pub fn is_valid(schema: &'static Schema, value: &Value) -> bool {
    let mut out = Vec::new();
    validate(schema, value, &mut Pointer::default(), &mut out);
    out.is_empty()
}

fn passing_parts(parts: &'static [&'static Schema], value: &Value) -> Vec<usize> {
    parts
        .iter()
        .enumerate()
        .filter(|(_, p)| is_valid(p, value))
        .map(|(i, _)| i)
        .collect()
}

fn array(rules: &ArrayRules, items: &[Value], at: &mut Pointer, out: &mut Vec<Violation>) {
    check_item_count(rules, items.len(), at, out);
    if rules.unique_items
        && let Some((i, j)) = first_duplicate(items)
    {
        out.push(Violation::new(
            at.as_str(),
            "uniqueItems",
            format!("items must be unique, but items {i} and {j} are equal"),
        ));
    }
    for (index, item) in items.iter().enumerate() {
        let mark = at.push_index(index);
        validate(rules.items, item, at, out);
        at.truncate(mark);
    }
}

/// The first pair `(i, j)`, `i < j`, of equal items: the smallest `j`
/// that repeats an earlier item, and the first item it repeats. Items are
/// keyed by a canonical text (see [`canonical`]), so this is linear rather
/// than comparing every pair.
pub fn first_duplicate(items: &[Value]) -> Option<(usize, usize)> {
    let mut first_seen: std::collections::HashMap<String, usize> =
        std::collections::HashMap::with_capacity(items.len());
    for (j, item) in items.iter().enumerate() {
        let mut key = String::new();
        canonical(item, &mut key);
        if let Some(&i) = first_seen.get(&key) {
            return Some((i, j));
        }
        first_seen.insert(key, j);
    }
    None
}

/// Writes a text that is the same for exactly the values [`equal`] calls
/// equal: numbers by value (an integral number as its integer), objects
/// with sorted keys.
pub fn canonical(value: &Value, out: &mut String) {
    use std::fmt::Write as _;
    // Writing to a String cannot fail, so the results are ignored.
    match value {
        Value::Null => out.push('n'),
        Value::Bool(b) => out.push(if *b { 't' } else { 'f' }),
        Value::Number(n) => {
            let integral = number::as_i128(n).or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 1e38)
                    .map(|f| f as i128)
            });
            let _ = match integral {
                Some(i) => write!(out, "i{i};"),
                None => write!(out, "f{};", n.as_f64().unwrap_or(f64::NAN).to_bits()),
            };
        }
        Value::String(s) => {
            let _ = write!(out, "s{}:{s}", s.len());
        }
        Value::Array(items) => {
            let _ = write!(out, "a{}[", items.len());
            for item in items {
                canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let _ = write!(out, "o{}{{", map.len());
            for key in keys {
                let _ = write!(out, "{}:{key}", key.len());
                canonical(&map[key], out);
            }
            out.push('}');
        }
    }
}

/// JSON equality: numbers by value (`1` equals `1.0`), objects regardless
/// of key order.
pub fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => number::equal(x, y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)))
        }
        _ => a == b,
    }
}

fn object(
    rules: &ObjectRules,
    map: &Map<String, Value>,
    at: &mut Pointer,
    out: &mut Vec<Violation>,
) {
    check_property_count(rules, map.len(), at, out);
    for p in rules.properties.iter().filter(|p| p.required) {
        if !map.contains_key(p.name) {
            out.push(missing(at, p.name));
        }
    }
    for name in rules.required_undeclared {
        if !map.contains_key(*name) {
            out.push(missing(at, name));
        }
    }
    for (key, value) in map {
        let mark = at.push_key(key);
        match rules.property(key) {
            Some((_, p)) => validate(p.schema, value, at, out),
            None => match &rules.additional {
                Additional::Any => {}
                Additional::Forbidden => out.push(not_allowed(at, key)),
                Additional::Schema(s) => validate(s, value, at, out),
            },
        }
        at.truncate(mark);
    }
}

/// The violation for a missing required property.
pub fn missing(at: &Pointer, name: &str) -> Violation {
    Violation::new(
        at.as_str(),
        "required",
        format!("the required property `{name}` is missing"),
    )
}

/// The violation for a property `additionalProperties: false` forbids;
/// `at` already points at the property.
pub fn not_allowed(at: &Pointer, name: &str) -> Violation {
    Violation::new(
        at.as_str(),
        "additionalProperties",
        format!("`{name}` is not a property this object may have"),
    )
}

/// `minItems`/`maxItems`.
#[inline]
pub fn check_item_count(rules: &ArrayRules, len: usize, at: &Pointer, out: &mut Vec<Violation>) {
    // Inlined for the common answer ("fine"); the report stays out of line.
    if rules.min_items.is_some_and(|min| len < min) || rules.max_items.is_some_and(|max| len > max)
    {
        item_count_violations(rules, len, at, out);
    }
}

#[cold]
fn item_count_violations(rules: &ArrayRules, len: usize, at: &Pointer, out: &mut Vec<Violation>) {
    if let Some(min) = rules.min_items
        && len < min
    {
        out.push(Violation::new(
            at.as_str(),
            "minItems",
            format!(
                "must have at least {}, has {len}",
                count(min, "item", "items")
            ),
        ));
    }
    if let Some(max) = rules.max_items
        && len > max
    {
        out.push(Violation::new(
            at.as_str(),
            "maxItems",
            format!(
                "must have at most {}, has {len}",
                count(max, "item", "items")
            ),
        ));
    }
}

/// `minProperties`/`maxProperties`.
#[inline]
pub fn check_property_count(
    rules: &ObjectRules,
    len: usize,
    at: &Pointer,
    out: &mut Vec<Violation>,
) {
    if rules.min_properties.is_some_and(|min| len < min)
        || rules.max_properties.is_some_and(|max| len > max)
    {
        property_count_violations(rules, len, at, out);
    }
}

#[cold]
fn property_count_violations(
    rules: &ObjectRules,
    len: usize,
    at: &Pointer,
    out: &mut Vec<Violation>,
) {
    if let Some(min) = rules.min_properties
        && len < min
    {
        out.push(Violation::new(
            at.as_str(),
            "minProperties",
            format!(
                "must have at least {}, has {len}",
                count(min, "property", "properties")
            ),
        ));
    }
    if let Some(max) = rules.max_properties
        && len > max
    {
        out.push(Violation::new(
            at.as_str(),
            "maxProperties",
            format!(
                "must have at most {}, has {len}",
                count(max, "property", "properties")
            ),
        ));
    }
}

/// Every string rule: `minLength`, `maxLength`, `pattern`, `format`, `enum`.
pub fn check_string(rules: &StringRules, s: &str, at: &Pointer, out: &mut Vec<Violation>) {
    if rules.min_length.is_some() || rules.max_length.is_some() {
        let len = s.chars().count();
        if let Some(min) = rules.min_length
            && len < min
        {
            out.push(Violation::new(
                at.as_str(),
                "minLength",
                format!(
                    "must be at least {} long, is {len}",
                    count(min, "character", "characters")
                ),
            ));
        }
        if let Some(max) = rules.max_length
            && len > max
        {
            out.push(Violation::new(
                at.as_str(),
                "maxLength",
                format!(
                    "must be at most {} long, is {len}",
                    count(max, "character", "characters")
                ),
            ));
        }
    }
    if let Some(pattern) = rules.pattern {
        match pattern.is_match(s) {
            Some(true) => {}
            Some(false) => out.push(Violation::new(
                at.as_str(),
                "pattern",
                format!("does not match the pattern `{}`", pattern.source()),
            )),
            None => out.push(Violation::new(
                at.as_str(),
                "pattern",
                format!(
                    "the pattern `{}` does not compile, so no value can match it",
                    pattern.source()
                ),
            )),
        }
    }
    if let Some(f) = rules.format
        && !format::check(f, s)
    {
        out.push(Violation::new(
            at.as_str(),
            "format",
            format!(
                "is not a valid {}: expected {}",
                f.name(),
                format::describe(f)
            ),
        ));
    }
    if !rules.enumeration.is_empty() && !rules.enumeration.contains(&s) {
        out.push(Violation::new(
            at.as_str(),
            "enum",
            format!(
                "must be one of {}",
                list(rules.enumeration.iter().map(|v| format!("`{v}`")))
            ),
        ));
    }
}

/// Every numeric rule: range `format`, `minimum`, `maximum`, `multipleOf`,
/// `enum`. The caller has checked the type.
pub fn check_number(
    rules: &NumberRules,
    n: &serde_json::Number,
    at: &Pointer,
    out: &mut Vec<Violation>,
) {
    use std::cmp::Ordering;
    if let Some(f) = rules.format {
        let (lo, hi) = f.range();
        let inside = match number::as_i128(n) {
            Some(i) => (lo..=hi).contains(&i),
            None => n.as_f64().is_some_and(|x| {
                number::compare_int(lo, x).is_le() && number::compare_int(hi, x).is_ge()
            }),
        };
        if !inside {
            out.push(Violation::new(
                at.as_str(),
                "format",
                format!("{n} is outside the {} range [{lo}, {hi}]", f.name()),
            ));
        }
    }
    if rules.float && n.as_f64().is_some_and(|x| x.abs() > f64::from(f32::MAX)) {
        out.push(Violation::new(
            at.as_str(),
            "format",
            format!(
                "{n} is outside the float range [{}, {}]",
                -f64::from(f32::MAX),
                f64::from(f32::MAX)
            ),
        ));
    }
    if let Some(min) = rules.minimum {
        let order = number::compare(n, min);
        let bad = if rules.exclusive_minimum {
            order != Ordering::Greater
        } else {
            order == Ordering::Less
        };
        if bad {
            let (keyword, rel) = if rules.exclusive_minimum {
                ("exclusiveMinimum", "greater than")
            } else {
                ("minimum", "at least")
            };
            out.push(Violation::new(
                at.as_str(),
                keyword,
                format!("must be {rel} {min}, is {n}"),
            ));
        }
    }
    if let Some(max) = rules.maximum {
        let order = number::compare(n, max);
        let bad = if rules.exclusive_maximum {
            order != Ordering::Less
        } else {
            order == Ordering::Greater
        };
        if bad {
            let (keyword, rel) = if rules.exclusive_maximum {
                ("exclusiveMaximum", "less than")
            } else {
                ("maximum", "at most")
            };
            out.push(Violation::new(
                at.as_str(),
                keyword,
                format!("must be {rel} {max}, is {n}"),
            ));
        }
    }
    if let Some(step) = rules.multiple_of
        && !number::is_multiple_of(n, step)
    {
        out.push(Violation::new(
            at.as_str(),
            "multipleOf",
            format!("must be a multiple of {step}, is {n}"),
        ));
    }
    if !rules.enumeration.is_empty() && !rules.enumeration.iter().any(|e| number::equals_f64(n, *e))
    {
        out.push(Violation::new(
            at.as_str(),
            "enum",
            format!(
                "must be one of {}",
                list(rules.enumeration.iter().map(|v| v.to_string()))
            ),
        ));
    }
}

/// A `type` violation for a value of the wrong JSON type.
pub fn type_violation(at: &Pointer, kind: &Kind, value: &Value) -> Violation {
    let found = match value {
        Value::Number(n) if matches!(kind, Kind::Integer(_)) && !number::is_integer(n) => {
            "a number with a fraction or exponent"
        }
        other => super::type_name(other),
    };
    type_violation_named(at, kind, found)
}

/// `enum` on a boolean that may only be `only`.
pub fn check_boolean(only: bool, found: bool, at: &Pointer, out: &mut Vec<Violation>) {
    if found != only {
        out.push(Violation::new(
            at.as_str(),
            "enum",
            format!("must be `{only}`"),
        ));
    }
}

/// The violation of a value that `not`'s schema accepts.
pub fn not_violation(at: &Pointer) -> Violation {
    Violation::new(
        at.as_str(),
        "not",
        "must not be valid against the schema that `not` names, and it is",
    )
}

/// A `type` violation, given the found type's name.
pub fn type_violation_named(at: &Pointer, kind: &Kind, found: &str) -> Violation {
    // Written by hand rather than with `format!`: on small invalid bodies
    // this message is a good part of the whole cost.
    let expected = super::expected_name(kind);
    let mut message = String::with_capacity(17 + expected.len() + found.len());
    message.push_str("expected ");
    message.push_str(expected);
    message.push_str(", found ");
    message.push_str(found);
    Violation::new(location(at), "type", message)
}

/// `at` as a violation's location, with room for the tokens the one-pass
/// reader inserts once it knows where the value sits (see
/// `stream::insert_token`), so they rarely reallocate it.
fn location(at: &Pointer) -> String {
    let mut text = String::with_capacity(at.len() + 32);
    text.push_str(at.as_str());
    text
}

/// The `oneOf` violation: `passing` lists the alternatives that matched.
pub fn one_of_violation(at: &Pointer, count: usize, passing: &[usize]) -> Violation {
    let message = if passing.is_empty() {
        format!("must match exactly one of {count} alternatives, matches none")
    } else {
        format!(
            "must match exactly one of {count} alternatives, matches {} (#{})",
            passing.len(),
            passing
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", #")
        )
    };
    Violation::new(at.as_str(), "oneOf", message)
}

/// The `anyOf` violation.
pub fn any_of_violation(at: &Pointer, count: usize) -> Violation {
    Violation::new(
        at.as_str(),
        "anyOf",
        format!("must match at least one of {count} alternatives, matches none"),
    )
}

fn unreachable_ref(at: &Pointer, out: &mut Vec<Violation>) {
    // `resolve` follows every reference; keep a located report rather than
    // a panic should that ever change.
    out.push(Violation::new(
        at.as_str(),
        "$ref",
        "internal error: an unresolved schema reference",
    ));
}

/// `1 item`, `2 items`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Joins up to 12 items for a message, then says how many more.
fn list(items: impl ExactSizeIterator<Item = String>) -> String {
    let total = items.len();
    let shown: Vec<String> = items.take(12).collect();
    let mut text = shown.join(", ");
    if total > shown.len() {
        text.push_str(&format!(" (and {} more)", total - shown.len()));
    }
    text
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn duplicates_are_found_by_value() {
        assert_eq!(
            first_duplicate(&[json!(1), json!("1"), json!(1.0)]),
            Some((0, 2))
        );
        assert_eq!(
            first_duplicate(&[json!({"a": 1, "b": [2]}), json!({"b": [2.0], "a": 1})]),
            Some((0, 1))
        );
        assert_eq!(
            first_duplicate(&[json!("a"), json!("b"), json!("b"), json!("a")]),
            Some((1, 2))
        );
        assert_eq!(
            first_duplicate(&[json!(0.5), json!(1), json!([1]), json!("s1:x")]),
            None
        );
        assert_eq!(first_duplicate(&[json!(-0.0), json!(0)]), Some((0, 1)));
    }

    #[test]
    fn canonical_text_agrees_with_equality() {
        let values = [
            json!(null),
            json!(true),
            json!(1),
            json!(1.0),
            json!(1.5),
            json!("1"),
            json!([1]),
            json!({"a": 1}),
            json!({"a": 1.0}),
            json!(18446744073709551615u64),
            json!(1e30),
        ];
        for a in &values {
            for b in &values {
                let (mut x, mut y) = (String::new(), String::new());
                canonical(a, &mut x);
                canonical(b, &mut y);
                assert_eq!(x == y, equal(a, b), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn float_numbers_must_fit_an_f32() {
        let rules = NumberRules {
            float: true,
            ..NumberRules::NONE
        };
        let judge = |text: &str| {
            let mut out = Vec::new();
            check_number(
                &rules,
                &text.parse().unwrap(),
                &Pointer::at("/body"),
                &mut out,
            );
            out
        };
        for ok in ["0", "-1.5", "3.4028234e38", "-3.4028234e38"] {
            assert!(judge(ok).is_empty(), "{ok}");
        }
        for bad in ["3.5e38", "-1e39", "1e300"] {
            let found = judge(bad);
            assert_eq!(found.len(), 1, "{bad}");
            assert_eq!(found[0].keyword, "format");
            assert!(
                found[0].message.contains("float range"),
                "{}",
                found[0].message
            );
        }
    }

    /// `not` and a boolean `enum`, judged the same by the walk and by the
    /// one-pass reader of raw bytes.
    #[test]
    fn not_and_boolean_values_are_enforced_alike_by_both_readers() {
        use crate::validate::{self as v, Property};
        static WORD: Schema = v::string_enum(&["admin"]);
        static NOT_ADMIN: Schema = v::not(&WORD);
        static YES: Schema = v::boolean_value(true);
        static MAYBE_YES: Schema = v::nullable(v::boolean_value(true));
        static BODY: Schema = v::object(ObjectRules {
            properties: &[
                Property {
                    name: "maybe",
                    required: false,
                    schema: &MAYBE_YES,
                },
                Property {
                    name: "name",
                    required: false,
                    schema: &NOT_ADMIN,
                },
                Property {
                    name: "yes",
                    required: false,
                    schema: &YES,
                },
            ],
            ..ObjectRules::OPEN
        });
        let judge = |text: &str| {
            let value: Value = serde_json::from_str(text).unwrap();
            let mut walked = Vec::new();
            validate(&BODY, &value, &mut Pointer::at("/body"), &mut walked);
            let mut streamed = crate::validate::body::check(&BODY, text.as_bytes(), "/body");
            crate::validate::sort(&mut walked);
            crate::validate::sort(&mut streamed);
            assert_eq!(walked, streamed, "{text}");
            walked
                .into_iter()
                .map(|v| format!("{} {}: {}", v.location, v.keyword, v.message))
                .collect::<Vec<_>>()
        };
        assert!(judge(r#"{"name": "ann", "yes": true, "maybe": null}"#).is_empty());
        // `not` lets through what its schema refuses: another type too.
        assert!(judge(r#"{"name": 5, "maybe": true}"#).is_empty());
        assert_eq!(
            judge(r#"{"name": "admin", "yes": false, "maybe": false}"#),
            [
                "/body/maybe enum: must be `true`",
                "/body/name not: must not be valid against the schema that `not` names, and it is",
                "/body/yes enum: must be `true`",
            ]
        );
        assert_eq!(
            judge(r#"{"yes": "true"}"#),
            ["/body/yes type: expected a boolean, found string"]
        );
    }
}
