//! Reading a value of a `oneOf`/`anyOf` whose parts serde cannot tell
//! apart by their JSON type (two objects without a tag, two integers of
//! different ranges): the part is the one the value validates against.
//!
//! The generator emits such a choice as an enum whose `Serialize` is
//! serde's untagged form (each variant writes itself) and whose
//! `Deserialize` is a few lines calling [`choose`] with the choice's
//! schema and then [`part`] for the chosen variant, so that the rule of
//! which variant a value is lives here, once, beside the validators that
//! judge it.

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, Error as _};
use serde_json::Value;

use super::walk::{is_valid, validate};
use super::{Kind, Pointer, Schema, resolve, sort};
use crate::Violation;

/// Which part of the choice `schema` (a `oneOf` or `anyOf`, references
/// followed) `value` is: for `anyOf` the first part it is valid against,
/// for `oneOf` the only one. `None` when no part accepts it, when several
/// parts of a `oneOf` do (the value breaks the `oneOf`), or when `schema`
/// is not a choice.
pub fn chosen_part(value: &Value, schema: &'static Schema) -> Option<usize> {
    match resolve(schema).0.kind {
        Kind::AnyOf(parts) => parts.iter().position(|p| is_valid(p, value)),
        Kind::OneOf(parts) => {
            let mut passing = parts
                .iter()
                .enumerate()
                .filter(|(_, p)| is_valid(p, value))
                .map(|(i, _)| i);
            let first = passing.next()?;
            passing.next().is_none().then_some(first)
        }
        _ => None,
    }
}

/// Reads a value of the choice type `name`, whose schema is `schema`, as
/// JSON and returns it with the index of the part it is (see
/// [`chosen_part`]). A value that no part accepts (or, for a `oneOf`,
/// more than one part accepts) is an error that names the type and the
/// parts it was tried against.
pub fn choose<'de, D: Deserializer<'de>>(
    deserializer: D,
    schema: &'static Schema,
    name: &str,
) -> Result<(usize, Value), D::Error> {
    let value = Value::deserialize(deserializer)?;
    match chosen_part(&value, schema) {
        Some(part) => Ok((part, value)),
        None => Err(D::Error::custom(refusal(&value, schema, name))),
    }
}

/// The chosen part's Rust value: `value` read as `T`, a serde error of the
/// caller's kind when it is not one.
pub fn part<T: DeserializeOwned, E: serde::de::Error>(value: Value) -> Result<T, E> {
    T::deserialize(value).map_err(E::custom)
}

/// Why `value` is none of the parts of `name`: each part it was tried
/// against, with the first rule of that part it breaks.
fn refusal(value: &Value, schema: &'static Schema, name: &str) -> String {
    let (keyword, parts) = match resolve(schema).0.kind {
        Kind::OneOf(parts) => ("oneOf", parts),
        Kind::AnyOf(parts) => ("anyOf", parts),
        _ => return format!("`{name}` is not a choice of schemas, so no variant can be chosen"),
    };
    let broken: Vec<(usize, Vec<Violation>)> = parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            let mut found = Vec::new();
            validate(part, value, &mut Pointer::default(), &mut found);
            sort(&mut found);
            (i, found)
        })
        .collect();
    let what = describe(value);
    let passing: Vec<String> = broken
        .iter()
        .filter(|(_, found)| found.is_empty())
        .map(|(i, _)| i.to_string())
        .collect();
    if passing.len() > 1 {
        return format!(
            "{what} is not a value of `{name}`: it is valid against parts {} of its `oneOf`, which must be exactly one",
            passing.join(" and ")
        );
    }
    let reasons: Vec<String> = broken
        .iter()
        .map(|(i, found)| match found.split_first() {
            Some((first, rest)) => {
                let place = if first.location.is_empty() {
                    "/"
                } else {
                    first.location.as_str()
                };
                let more = match rest.len() {
                    0 => String::new(),
                    n => format!(", and {n} more"),
                };
                format!(
                    "part {i}: {place}: {} ({}){more}",
                    first.message, first.keyword
                )
            }
            None => format!("part {i}: valid"),
        })
        .collect();
    format!(
        "{what} is not a value of `{name}`: it is valid against none of the parts of its `{keyword}` ({})",
        reasons.join("; ")
    )
}

/// A short description of a JSON value for an error message, without its
/// content (which may be long, or private).
fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{
        INT32, ObjectRules, STRING, StringRules, any_of, object, one_of, reference, required,
        schema, string,
    };
    use serde_json::json;

    static A: Schema = object(ObjectRules {
        properties: &[required("a", &STRING)],
        ..ObjectRules::OPEN
    });
    static B: Schema = object(ObjectRules {
        properties: &[required("b", &INT32)],
        ..ObjectRules::OPEN
    });
    static ONE: Schema = one_of(&[&A, &B]);
    static ANY: Schema = any_of(&[&A, &B]);
    static REF: Schema = reference(&ONE);
    static SHORT: Schema = string(StringRules::NONE.with_max_length(3));
    static TEXTS: Schema = one_of(&[&SHORT, &STRING]);
    static PLAIN: Schema = schema(Kind::Boolean);

    #[test]
    fn the_part_a_value_validates_against_is_chosen() {
        assert_eq!(chosen_part(&json!({"a": "x"}), &ONE), Some(0));
        assert_eq!(chosen_part(&json!({"b": 1}), &ONE), Some(1));
        assert_eq!(chosen_part(&json!({"b": 1}), &REF), Some(1));
        assert_eq!(chosen_part(&json!({"b": 1}), &ANY), Some(1));
        // A value both parts accept: the first for `anyOf`, none for `oneOf`.
        let both = json!({"a": "x", "b": 1});
        assert_eq!(chosen_part(&both, &ANY), Some(0));
        assert_eq!(chosen_part(&both, &ONE), None);
        // Neither part accepts it (`b` out of `int32`, `a` missing).
        assert_eq!(chosen_part(&json!({"b": 1u64 << 40}), &ONE), None);
        assert_eq!(chosen_part(&json!("x"), &ANY), None);
        // Not a choice at all.
        assert_eq!(chosen_part(&json!(true), &PLAIN), None);
    }

    #[test]
    fn constraints_beyond_the_json_type_choose_too() {
        assert_eq!(chosen_part(&json!("abcd"), &TEXTS), Some(1));
        assert_eq!(chosen_part(&json!("abc"), &TEXTS), None);
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct HasA {
        a: String,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct HasB {
        b: i32,
    }

    #[derive(Debug, PartialEq)]
    enum Either {
        A(HasA),
        B(HasB),
    }

    impl<'de> Deserialize<'de> for Either {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let (chosen, value) = choose(deserializer, &ONE, "Either")?;
            match chosen {
                0 => part(value).map(Either::A),
                _ => part(value).map(Either::B),
            }
        }
    }

    #[test]
    fn an_enum_reads_the_chosen_variant_or_says_why_not() {
        let read = |text: &str| serde_json::from_str::<Either>(text);
        assert_eq!(
            read(r#"{"a":"x"}"#).unwrap(),
            Either::A(HasA { a: "x".into() })
        );
        assert_eq!(read(r#"{"b":7}"#).unwrap(), Either::B(HasB { b: 7 }));
        let none = read(r#"{"c":1}"#).unwrap_err().to_string();
        assert_eq!(
            none,
            "an object is not a value of `Either`: it is valid against none of the parts of its `oneOf` \
             (part 0: /: the required property `a` is missing (required); \
             part 1: /: the required property `b` is missing (required))"
        );
        let out_of_range = read(r#"{"b":4294967296}"#).unwrap_err().to_string();
        assert!(
            out_of_range.contains(
                "part 0: /: the required property `a` is missing (required); part 1: /b: "
            ),
            "{out_of_range}"
        );
        let both = read(r#"{"a":"x","b":7}"#).unwrap_err().to_string();
        assert!(both.contains("parts 0 and 1 of its `oneOf`"), "{both}");
        let text = read(r#""secret""#).unwrap_err().to_string();
        assert!(
            text.contains("a string is not a value") && !text.contains("secret"),
            "{text}"
        );
    }
}
