//! Parameter styles beyond a single scalar: how the client spells an
//! array or an object in the query, a header, a cookie or the path
//! ([`pairs`]), and how the server reads an object back
//! ([`object_rules`], [`split_object`], [`object_value`]). Both sides
//! follow OpenAPI 3.0's style table, so that what one writes the other
//! reads.

use std::borrow::Cow;

use serde_json::Value;

use super::request::{ParamRule, Scalar, Style, read};
use super::{Kind, ObjectRules, Schema, resolve};
use crate::ParamLocation;

/// The `name=value` pairs (for a header or cookie, the one value) that
/// spell `value` for `rule`: nothing for `null` or an empty array or
/// object (RFC 6570, which the styles follow, leaves them undefined);
/// otherwise as [`Style`] says.
pub fn pairs(rule: &ParamRule, value: &Value) -> Vec<(Cow<'static, str>, String)> {
    let name = Cow::Borrowed(rule.name);
    if rule.style == Style::Json {
        return vec![(name, value.to_string())];
    }
    let delimiter = rule.style.delimiter().to_string();
    match value {
        Value::Null => Vec::new(),
        Value::Array(items) if items.is_empty() => Vec::new(),
        Value::Array(items) if rule.repeats() => items
            .iter()
            .map(|item| (name.clone(), text(item)))
            .collect(),
        Value::Array(items) => {
            let joined = items.iter().map(text).collect::<Vec<_>>().join(&delimiter);
            vec![(name, joined)]
        }
        Value::Object(map) => {
            let present = map.iter().filter(|(_, v)| !v.is_null());
            match rule.style {
                Style::DeepObject => present
                    .map(|(k, v)| (Cow::Owned(format!("{}[{k}]", rule.name)), text(v)))
                    .collect(),
                _ if rule.repeats() => present
                    .map(|(k, v)| (Cow::Owned(k.clone()), text(v)))
                    .collect(),
                _ => {
                    let parts: Vec<String> = if rule.explode {
                        present.map(|(k, v)| format!("{k}={}", text(v))).collect()
                    } else {
                        present.flat_map(|(k, v)| [k.clone(), text(v)]).collect()
                    };
                    if parts.is_empty() {
                        Vec::new()
                    } else {
                        vec![(name, parts.join(&delimiter))]
                    }
                }
            }
        }
        scalar => vec![(name, text(scalar))],
    }
}

/// One value as text: strings as they are, numbers and booleans in JSON
/// notation, `null` empty, anything nested as compact JSON.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The object rules of a parameter whose value is an object spelt by its
/// style (not JSON-encoded), when it is one.
pub(crate) fn object_rules(rule: &ParamRule) -> Option<&'static ObjectRules> {
    if rule.style == Style::Json || rule.array {
        return None;
    }
    match &resolve(rule.schema).0.kind {
        Kind::Object(rules) => Some(rules),
        _ => None,
    }
}

/// Splits one object value into key/value pairs: `k,v,k,v` or, exploded,
/// `k=v,k=v` (with `delimiter` for `,`). `None` when it is not of that
/// shape.
pub(crate) fn split_object(
    text: &str,
    delimiter: char,
    explode: bool,
) -> Option<Vec<(String, String)>> {
    if text.is_empty() {
        return Some(Vec::new());
    }
    let parts: Vec<&str> = text.split(delimiter).collect();
    if explode {
        return parts
            .iter()
            .map(|part| {
                part.split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))
            })
            .collect();
    }
    if !parts.len().is_multiple_of(2) {
        return None;
    }
    Some(
        parts
            .chunks(2)
            .map(|kv| (kv[0].to_string(), kv[1].to_string()))
            .collect(),
    )
}

/// The object the schema judges, from decoded pairs: each value read as
/// its declared property's type (as JSON text for other properties, which
/// falls back to a string).
pub(crate) fn object_value(rules: &ObjectRules, pairs: &[(String, String)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| {
                let scalar = rules
                    .property(k)
                    .map_or(Scalar::Json, |(_, p)| scalar_of(p.schema));
                (k.clone(), read(scalar, v))
            })
            .collect(),
    )
}

/// How a property's text is read, from its schema.
fn scalar_of(schema: &'static Schema) -> Scalar {
    match resolve(schema).0.kind {
        Kind::String(_) => Scalar::String,
        Kind::Integer(_) => Scalar::Integer,
        Kind::Number(_) => Scalar::Number,
        Kind::Boolean | Kind::BooleanValue(_) => Scalar::Boolean,
        _ => Scalar::Json,
    }
}

/// Whether a query pair's key belongs to an exploded object parameter:
/// `name[key]` for `deepObject`, a declared property otherwise. Gives the
/// property's key.
pub(crate) fn object_key<'k>(
    rule: &ParamRule,
    rules: &ObjectRules,
    key: &'k str,
) -> Option<&'k str> {
    match rule.style {
        Style::DeepObject => key
            .strip_prefix(rule.name)?
            .strip_prefix('[')?
            .strip_suffix(']'),
        _ if rule.repeats() && rule.location == ParamLocation::Query => {
            rules.property(key).map(|_| key)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{self as v, Additional, Property};

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

    fn written(rule: ParamRule, value: Value) -> Vec<(String, String)> {
        pairs(&rule, &value)
            .into_iter()
            .map(|(k, v)| (k.into_owned(), v))
            .collect()
    }

    fn pair(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn arrays_follow_the_style_table() {
        let ids = serde_json::json!(["a", "b c", 3]);
        let q = || ParamRule::query("id", Scalar::String, &v::STRING).array(false);
        assert_eq!(written(q(), ids.clone()), [pair("id", "a,b c,3")]);
        assert_eq!(
            written(q().style(Style::Form, true), ids.clone()),
            [pair("id", "a"), pair("id", "b c"), pair("id", "3")]
        );
        assert_eq!(
            written(q().style(Style::SpaceDelimited, false), ids.clone()),
            [pair("id", "a b c 3")]
        );
        assert_eq!(
            written(q().style(Style::PipeDelimited, false), ids.clone()),
            [pair("id", "a|b c|3")]
        );
        let h = ParamRule::header("X-Ids", Scalar::String, &v::STRING).style(Style::Form, true);
        assert_eq!(written(h, ids.clone()), [pair("X-Ids", "a,b c,3")]);
        assert!(written(q(), serde_json::json!([])).is_empty());
    }

    #[test]
    fn objects_follow_the_style_table() {
        let filter = serde_json::json!({"max": 5, "name": "x y", "gone": null});
        let q = |style, explode| {
            ParamRule::query("filter", Scalar::Json, &FILTER).style(style, explode)
        };
        assert_eq!(
            written(q(Style::Form, true), filter.clone()),
            [pair("max", "5"), pair("name", "x y")]
        );
        assert_eq!(
            written(q(Style::Form, false), filter.clone()),
            [pair("filter", "max,5,name,x y")]
        );
        assert_eq!(
            written(q(Style::DeepObject, true), filter.clone()),
            [pair("filter[max]", "5"), pair("filter[name]", "x y")]
        );
        assert_eq!(
            written(q(Style::PipeDelimited, false), filter.clone()),
            [pair("filter", "max|5|name|x y")]
        );
        let h =
            |explode| ParamRule::header("X-F", Scalar::Json, &FILTER).style(Style::Form, explode);
        assert_eq!(
            written(h(true), filter.clone()),
            [pair("X-F", "max=5,name=x y")]
        );
        assert_eq!(
            written(h(false), filter.clone()),
            [pair("X-F", "max,5,name,x y")]
        );
        assert_eq!(
            written(q(Style::Json, false), serde_json::json!({"max": 5})),
            [pair("filter", r#"{"max":5}"#)]
        );
    }

    #[test]
    fn objects_read_back_by_their_property_types() {
        let rules = object_rules(&ParamRule::query("f", Scalar::Json, &FILTER)).unwrap();
        let read_back = |text: &str, delimiter, explode| {
            split_object(text, delimiter, explode).map(|p| object_value(rules, &p))
        };
        let want = serde_json::json!({"max": 5, "name": "x y"});
        assert_eq!(read_back("max,5,name,x y", ',', false), Some(want.clone()));
        assert_eq!(read_back("max=5,name=x y", ',', true), Some(want.clone()));
        assert_eq!(read_back("max|5|name|x y", '|', false), Some(want));
        assert_eq!(read_back("max,5,name", ',', false), None);
        // A number where the schema says string stays a string.
        assert_eq!(
            read_back("name,7", ',', false),
            Some(serde_json::json!({"name": "7"}))
        );
        let deep = ParamRule::query("f", Scalar::Json, &FILTER).style(Style::DeepObject, true);
        assert_eq!(object_key(&deep, rules, "f[max]"), Some("max"));
        assert_eq!(object_key(&deep, rules, "max"), None);
        let form = ParamRule::query("f", Scalar::Json, &FILTER).style(Style::Form, true);
        assert_eq!(object_key(&form, rules, "max"), Some("max"));
        assert_eq!(object_key(&form, rules, "other"), None);
        // Neither arrays nor JSON-encoded objects are read this way.
        assert!(object_rules(&deep.style(Style::Json, false)).is_none());
    }
}
