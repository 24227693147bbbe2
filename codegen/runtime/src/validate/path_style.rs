//! Path parameters spelt by their style (OpenAPI 3.0's style table for
//! the path): `simple` (`a,b,c`; an object `k,v,k2,v2`, exploded
//! `k=v,k2=v2`), `label` (`.a,b,c`, exploded `.a.b.c`) and `matrix`
//! (`;id=a,b,c`, exploded `;id=a;id=b;id=c`; an exploded object
//! `;k=v;k2=v2`).
//!
//! The client writes each item percent-encoded on its own, so that a
//! delimiter inside an item (`,`, `=`, `;`, and `.` for `label`) is
//! escaped and the server, which splits the raw segment before decoding
//! each piece, reads back exactly the items that were sent.
//!
//! How the value reaches the runtime: a scalar as its text, an array or
//! an object as its JSON text (see [`PathValue`]).

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde_json::Value;

use super::request::{ParamRule, Scalar, Style, read};
use super::styles;
use crate::path::{decode_segment, encode_segment};

/// A path parameter's value as the flat methods take it: a `str` is the
/// text as it is (a scalar's text; for an array or object parameter its
/// JSON text, as the dispatcher and [`PathArg::Text`] hold it); anything
/// else that serialises (a slice, a `Vec`, a generated type) is written as
/// its JSON text.
pub trait PathValue {
    /// The text the runtime reads the value from.
    fn path_text(&self) -> Cow<'_, str>;
}

impl PathValue for str {
    fn path_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl<T: Serialize> PathValue for [T] {
    fn path_text(&self) -> Cow<'_, str> {
        json_text(self)
    }
}

impl<T: Serialize> PathValue for T {
    fn path_text(&self) -> Cow<'_, str> {
        json_text(self)
    }
}

/// A path parameter's value as the generated fluent path holds it until
/// the call: `Copy`, so that a place on the path can be reused.
///
/// The fluent step of a scalar parameter holds its text; the step of an
/// array or object parameter holds the typed value (see [`PathValue`]),
/// which the flat method turns into JSON text, checks against the schema
/// and spells in the parameter's style, exactly as for a value given to it
/// directly. To hand such a step JSON text you already have, wrap it:
/// `&PathArg::Text(r#"["a","b"]"#)`.
#[derive(Clone, Copy)]
pub enum PathArg<'a> {
    /// Text as it is: a scalar's text, or an array's or object's JSON
    /// text.
    Text(&'a str),
    /// A typed value, written as its JSON text when the call is made.
    Value(&'a (dyn PathValue + Sync)),
}

impl<'a> PathArg<'a> {
    /// The text the flat method reads the value from (see
    /// [`PathValue::path_text`]).
    pub fn text(self) -> Cow<'a, str> {
        match self {
            PathArg::Text(text) => Cow::Borrowed(text),
            PathArg::Value(value) => value.path_text(),
        }
    }
}

impl<'a> From<&'a str> for PathArg<'a> {
    fn from(text: &'a str) -> Self {
        PathArg::Text(text)
    }
}

impl PathValue for PathArg<'_> {
    fn path_text(&self) -> Cow<'_, str> {
        self.text()
    }
}

impl std::fmt::Debug for PathArg<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Path parameters are ids and filters, never credentials.
        f.debug_tuple("PathArg").field(&self.text()).finish()
    }
}

/// JSON text of a value; a value JSON cannot hold gives empty text, which
/// the checks refuse as a missing value.
fn json_text<T: Serialize + ?Sized>(value: &T) -> Cow<'static, str> {
    Cow::Owned(serde_json::to_string(value).unwrap_or_default())
}

/// Whether the rule's value is spelt by its style rather than as one
/// plain segment: an array, an object, or a `label`/`matrix` scalar.
pub fn is_styled(rule: &ParamRule) -> bool {
    is_structured(rule) || matches!(rule.style, Style::Label | Style::Matrix)
}

/// Whether the value is an array or an object (read from JSON text).
pub fn is_structured(rule: &ParamRule) -> bool {
    rule.array || styles::object_rules(rule).is_some()
}

/// The JSON value the schema judges, from the text the client was given.
pub fn value(rule: &ParamRule, text: &str) -> Value {
    if is_structured(rule) {
        read(Scalar::Json, text)
    } else {
        read(rule.scalar, text)
    }
}

/// `.` is unreserved, but delimits `label` items: escape it there too.
const LABEL_ITEM: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~');

/// One item, percent-encoded for `style`.
fn item(style: Style, text: &str) -> String {
    match style {
        Style::Label => utf8_percent_encode(text, LABEL_ITEM).to_string(),
        _ => encode_segment(text).into_owned(),
    }
}

/// One item's text: strings as they are, other scalars in JSON notation,
/// anything nested as compact JSON.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The path segment text for `rule` given the client's `text` (see
/// [`value`]), percent-encoded and with the style's prefix.
pub fn render(rule: &ParamRule, text: &str) -> String {
    let style = rule.style;
    let name = encode_segment(rule.name);
    let scalar = |t: &str| match style {
        Style::Label => format!(".{}", item(style, t)),
        Style::Matrix if t.is_empty() => format!(";{name}"),
        Style::Matrix => format!(";{name}={}", item(style, t)),
        _ => item(style, t),
    };
    if !is_structured(rule) {
        return scalar(text);
    }
    let explode = rule.explode;
    match value(rule, text) {
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(|v| item(style, &text_of(v))).collect();
            match (style, explode) {
                (Style::Label, true) => items.iter().map(|i| format!(".{i}")).collect(),
                (Style::Label, false) => format!(".{}", items.join(",")),
                (Style::Matrix, true) => items.iter().map(|i| format!(";{name}={i}")).collect(),
                (Style::Matrix, false) => format!(";{name}={}", items.join(",")),
                _ => items.join(","),
            }
        }
        Value::Object(map) => {
            let pairs: Vec<(String, String)> = map
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (item(style, k), item(style, &text_of(v))))
                .collect();
            let flat = || {
                pairs
                    .iter()
                    .flat_map(|(k, v)| [k.clone(), v.clone()])
                    .collect::<Vec<_>>()
                    .join(",")
            };
            let exploded = |sep: &str| {
                pairs
                    .iter()
                    .map(|(k, v)| format!("{sep}{k}={v}"))
                    .collect::<String>()
            };
            match (style, explode) {
                (Style::Label, true) => exploded("."),
                (Style::Label, false) => format!(".{}", flat()),
                (Style::Matrix, true) => exploded(";"),
                (Style::Matrix, false) => format!(";{name}={}", flat()),
                (_, true) => exploded(",").trim_start_matches(',').to_string(),
                (_, false) => flat(),
            }
        }
        // Not of its shape: checking refused it already; sent as text.
        other => scalar(&text_of(&other)),
    }
}

/// Reads a raw (still percent-encoded) path segment back as `rule`'s
/// style spells it: the value the schema judges, or what is wrong with
/// the spelling.
pub fn decode(rule: &ParamRule, raw: &str) -> Result<Value, String> {
    let undo = |piece: &str| {
        decode_segment(piece).ok_or_else(|| format!("`{piece}` does not percent-decode to UTF-8"))
    };
    let name = encode_segment(rule.name);
    // The style's prefix off, and for exploded `matrix` the pieces.
    let body: Cow<'_, str> = match rule.style {
        Style::Label => Cow::Borrowed(
            raw.strip_prefix('.')
                .ok_or("a `label` value must start with `.`")?,
        ),
        Style::Matrix if rule.explode && is_structured(rule) => Cow::Borrowed(
            raw.strip_prefix(';')
                .ok_or("a `matrix` value must start with `;`")?,
        ),
        Style::Matrix => {
            let rest = raw
                .strip_prefix(';')
                .and_then(|r| r.strip_prefix(name.as_ref()))
                .ok_or_else(|| format!("a `matrix` value must start with `;{name}`"))?;
            match rest.strip_prefix('=') {
                Some(value) => Cow::Borrowed(value),
                None if rest.is_empty() => Cow::Borrowed(""),
                None => return Err(format!("a `matrix` value must be `;{name}=...`")),
            }
        }
        _ => Cow::Borrowed(raw),
    };
    if !is_structured(rule) {
        return Ok(read(rule.scalar, &undo(&body)?));
    }
    let split = |delimiter: char| -> Vec<&str> {
        if body.is_empty() {
            Vec::new()
        } else {
            body.split(delimiter).collect()
        }
    };
    let exploded_by = match (rule.style, rule.explode) {
        (Style::Label, true) => Some('.'),
        (Style::Matrix, true) => Some(';'),
        (_, true) if !rule.array => Some(','),
        _ => None,
    };
    if rule.array {
        let pieces = match (rule.style, exploded_by) {
            (Style::Matrix, Some(_)) => split(';')
                .into_iter()
                .map(|p| {
                    p.strip_prefix(name.as_ref())
                        .and_then(|p| p.strip_prefix('='))
                        .ok_or_else(|| format!("each item must be `;{name}=...`"))
                })
                .collect::<Result<Vec<_>, _>>()?,
            (_, Some(d)) => split(d),
            (_, None) => split(','),
        };
        let items = pieces
            .into_iter()
            .map(|p| undo(p).map(|t| read(rule.scalar, &t)))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Value::Array(items));
    }
    let Some(rules) = styles::object_rules(rule) else {
        return Ok(read(Scalar::Json, &undo(&body)?));
    };
    let pairs: Vec<(String, String)> = match exploded_by {
        Some(d) => split(d)
            .into_iter()
            .map(|p| {
                let (k, v) = p
                    .split_once('=')
                    .ok_or("an exploded object is written as `key=value` pairs")?;
                Ok((undo(k)?, undo(v)?))
            })
            .collect::<Result<_, String>>()?,
        None => {
            let parts = split(',');
            if !parts.len().is_multiple_of(2) {
                return Err("an object is written as `key,value` pairs".into());
            }
            parts
                .chunks(2)
                .map(|kv| Ok((undo(kv[0])?, undo(kv[1])?)))
                .collect::<Result<_, String>>()?
        }
    };
    Ok(styles::object_value(rules, &pairs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{self as v, Additional, ObjectRules, Property, Schema};

    static FILTER: Schema = v::object(ObjectRules {
        properties: &[
            Property {
                name: "max",
                required: false,
                schema: &v::INT64,
            },
            Property {
                name: "name",
                required: false,
                schema: &v::STRING,
            },
        ],
        additional: Additional::Forbidden,
        ..ObjectRules::OPEN
    });
    static IDS: Schema = v::array(&v::STRING);

    fn ids(style: Style, explode: bool) -> ParamRule {
        ParamRule::path("id", Scalar::String, &IDS)
            .array(explode)
            .style(style, explode)
    }

    fn filter(style: Style, explode: bool) -> ParamRule {
        ParamRule::path("f", Scalar::Json, &FILTER).style(style, explode)
    }

    #[test]
    fn every_style_round_trips_with_delimiters_inside_items() {
        let list = serde_json::json!(["a,b", "c.d", "e;f=g", "h i"]);
        let object = serde_json::json!({"max": 5, "name": "x,y.z"});
        let cases = [
            (ids(Style::Form, false), &list, "a%2Cb,c.d,e%3Bf%3Dg,h%20i"),
            (ids(Style::Form, true), &list, "a%2Cb,c.d,e%3Bf%3Dg,h%20i"),
            (
                ids(Style::Label, false),
                &list,
                ".a%2Cb,c%2Ed,e%3Bf%3Dg,h%20i",
            ),
            (
                ids(Style::Label, true),
                &list,
                ".a%2Cb.c%2Ed.e%3Bf%3Dg.h%20i",
            ),
            (
                ids(Style::Matrix, false),
                &list,
                ";id=a%2Cb,c.d,e%3Bf%3Dg,h%20i",
            ),
            (
                ids(Style::Matrix, true),
                &list,
                ";id=a%2Cb;id=c.d;id=e%3Bf%3Dg;id=h%20i",
            ),
            (filter(Style::Form, false), &object, "max,5,name,x%2Cy.z"),
            (filter(Style::Form, true), &object, "max=5,name=x%2Cy.z"),
            (
                filter(Style::Label, false),
                &object,
                ".max,5,name,x%2Cy%2Ez",
            ),
            (filter(Style::Label, true), &object, ".max=5.name=x%2Cy%2Ez"),
            (
                filter(Style::Matrix, false),
                &object,
                ";f=max,5,name,x%2Cy.z",
            ),
            (filter(Style::Matrix, true), &object, ";max=5;name=x%2Cy.z"),
        ];
        for (rule, value, spelt) in cases {
            let written = render(&rule, &value.to_string());
            assert_eq!(written, spelt, "{:?} explode {}", rule.style, rule.explode);
            assert_eq!(decode(&rule, &written).as_ref(), Ok(value), "{spelt}");
        }
    }

    #[test]
    fn scalars_take_the_prefix_of_their_style() {
        let label = ParamRule::path("id", Scalar::Integer, &v::INT64).style(Style::Label, false);
        assert_eq!(render(&label, "5"), ".5");
        assert_eq!(decode(&label, ".5"), Ok(serde_json::json!(5)));
        let matrix = ParamRule::path("id", Scalar::String, &v::STRING).style(Style::Matrix, false);
        assert_eq!(render(&matrix, "a b"), ";id=a%20b");
        assert_eq!(decode(&matrix, ";id=a%20b"), Ok(serde_json::json!("a b")));
        assert_eq!(render(&matrix, ""), ";id");
        assert_eq!(decode(&matrix, ";id"), Ok(serde_json::json!("")));
    }

    #[test]
    fn a_broken_spelling_says_what_is_wrong() {
        assert!(
            decode(&ids(Style::Label, false), "a,b")
                .unwrap_err()
                .contains("`.`")
        );
        assert!(
            decode(&ids(Style::Matrix, false), ";other=a")
                .unwrap_err()
                .contains(";id")
        );
        assert!(
            decode(&filter(Style::Form, false), "max,5,name")
                .unwrap_err()
                .contains("`key,value`")
        );
        assert!(
            decode(&filter(Style::Form, true), "max")
                .unwrap_err()
                .contains("`key=value`")
        );
        assert!(decode(&ids(Style::Form, false), "a,%FF").is_err());
    }

    #[test]
    fn typed_values_become_json_text_and_text_stays_as_it_is() {
        assert_eq!(["a", "b"][..].path_text(), r#"["a","b"]"#);
        assert_eq!(vec![1, 2].path_text(), "[1,2]");
        assert_eq!("x,y".path_text(), "x,y");
    }

    #[test]
    fn a_held_value_gives_the_text_the_value_itself_gives() {
        let ids = vec![1, 2];
        let held = [
            PathArg::Value(&ids),
            PathArg::from("x,y"),
            PathArg::Text("[3]"),
        ];
        let copied = held;
        assert_eq!(copied[0].text(), "[1,2]");
        assert_eq!(held[1].path_text(), "x,y");
        // Held text is read as it is, so JSON text passes through.
        assert_eq!(PathArg::Value(&held[2]).text(), "[3]");
        assert_eq!(format!("{:?}", held[0]), r#"PathArg("[1,2]")"#);
        let rule = ids_rule();
        assert_eq!(
            render(&rule, &held[0].text()),
            render(&rule, &ids.path_text())
        );
    }

    fn ids_rule() -> ParamRule {
        static INTS: Schema = v::array(&v::INT64);
        ParamRule::path("id", Scalar::Integer, &INTS).array(false)
    }
}
