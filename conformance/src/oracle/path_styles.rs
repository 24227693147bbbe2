//! Path parameters spelt in their style, read back for judging: OpenAPI
//! 3.0's table for the path, written here from the spec alone (not from
//! the runtime's reader), so a wrong spelling on either side shows.
//!
//! | style | array | object (explode: false / true) |
//! |---|---|---|
//! | `simple` | `a,b` | `k,v,k2,v2` / `k=v,k2=v2` |
//! | `label` | `.a,b` / `.a.b` | `.k,v` / `.k=v.k2=v2` |
//! | `matrix` | `;id=a,b` / `;id=a;id=b` | `;id=k,v` / `;k=v;k2=v2` |
//!
//! A scalar takes the style's prefix (`.a`, `;id=a`). The raw segment is
//! split first and each piece percent-decoded after, so an escaped
//! delimiter stays inside its item.

use serde_json::{Map, Value};

use super::matching::decode;

/// How a parameter is spelt: its `style` (`simple` when absent) and
/// `explode`, from the parameter object.
struct Spelling<'a> {
    name: &'a str,
    style: &'a str,
    explode: bool,
}

/// The value of a path parameter whose raw segment is `raw`, when it is
/// spelt by its style (an array, an object, or a `label`/`matrix`
/// scalar); `None` for a plain `simple` scalar, which the caller reads as
/// the whole decoded segment. `schema` is the parameter's schema with
/// `$ref`s followed; `resolve` follows those of its items and properties.
pub fn value(
    param: &Value,
    schema: &Value,
    raw: &str,
    resolve: &dyn Fn(&Value) -> Value,
) -> Option<Result<Value, String>> {
    let spelling = Spelling {
        name: param.get("name").and_then(Value::as_str).unwrap_or(""),
        style: param
            .get("style")
            .and_then(Value::as_str)
            .unwrap_or("simple"),
        explode: param.get("explode").and_then(Value::as_bool) == Some(true),
    };
    let kind = schema.get("type").and_then(Value::as_str).unwrap_or("");
    let structured = matches!(kind, "array" | "object");
    if spelling.style == "simple" && !structured {
        return None;
    }
    Some(read(&spelling, kind, schema, raw, resolve))
}

fn read(
    s: &Spelling<'_>,
    kind: &str,
    schema: &Value,
    raw: &str,
    resolve: &dyn Fn(&Value) -> Value,
) -> Result<Value, String> {
    let undo = |piece: &str| decode(piece).ok_or_else(|| format!("`{piece}` is not UTF-8"));
    let structured = matches!(kind, "array" | "object");
    let body = match s.style {
        "label" => raw
            .strip_prefix('.')
            .ok_or("`label` values start with `.`")?,
        "matrix" if s.explode && structured => raw
            .strip_prefix(';')
            .ok_or("`matrix` values start with `;`")?,
        "matrix" => {
            let rest = raw
                .strip_prefix(';')
                .and_then(|r| r.strip_prefix(s.name))
                .ok_or_else(|| format!("`matrix` values start with `;{}`", s.name))?;
            match rest.strip_prefix('=') {
                Some(v) => v,
                None if rest.is_empty() => "",
                None => return Err(format!("`matrix` values are `;{}=...`", s.name)),
            }
        }
        _ => raw,
    };
    let pieces = |delimiter: char| -> Vec<&str> {
        if body.is_empty() {
            Vec::new()
        } else {
            body.split(delimiter).collect()
        }
    };
    match kind {
        "array" => {
            let items = resolve(schema.get("items").unwrap_or(&Value::Null));
            let texts: Vec<&str> = match (s.style, s.explode) {
                ("label", true) => pieces('.'),
                ("matrix", true) => pieces(';')
                    .into_iter()
                    .map(|p| {
                        p.strip_prefix(s.name)
                            .and_then(|p| p.strip_prefix('='))
                            .ok_or_else(|| format!("each item is `;{}=...`", s.name))
                    })
                    .collect::<Result<_, _>>()?,
                _ => pieces(','),
            };
            texts
                .into_iter()
                .map(|t| undo(t).map(|t| typed(&items, t)))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        "object" => {
            let delimiter = match s.style {
                "label" => '.',
                "matrix" => ';',
                _ => ',',
            };
            let pairs: Vec<(String, String)> = if s.explode {
                pieces(delimiter)
                    .into_iter()
                    .map(|p| {
                        let (k, v) = p
                            .split_once('=')
                            .ok_or("exploded objects are `key=value`")?;
                        Ok((undo(k)?, undo(v)?))
                    })
                    .collect::<Result<_, String>>()?
            } else {
                let parts = pieces(',');
                if parts.len() % 2 != 0 {
                    return Err("objects are `key,value` pairs".into());
                }
                parts
                    .chunks(2)
                    .map(|kv| Ok((undo(kv[0])?, undo(kv[1])?)))
                    .collect::<Result<_, String>>()?
            };
            let mut map = Map::new();
            for (k, v) in pairs {
                let property = resolve(
                    schema
                        .pointer(&format!("/properties/{}", escape(&k)))
                        .unwrap_or(&Value::Null),
                );
                map.insert(k, typed(&property, v));
            }
            Ok(Value::Object(map))
        }
        _ => Ok(typed(schema, undo(body)?)),
    }
}

/// A JSON pointer token for `key`.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// One text as the JSON value of `schema`'s type (a string when it does
/// not read as that type, so the schema reports it).
pub(super) fn typed(schema: &Value, text: String) -> Value {
    let parsed = match schema.get("type").and_then(Value::as_str) {
        Some("integer") => text.parse::<i64>().ok().map(Value::from),
        Some("number") => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
        Some("boolean") => match text.as_str() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        _ => None,
    };
    parsed.unwrap_or(Value::String(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read_back(param: Value, schema: Value, raw: &str) -> Option<Result<Value, String>> {
        value(&param, &schema, raw, &|v| v.clone())
    }

    #[test]
    fn the_style_table_reads_back() {
        let ids = json!({"type": "array", "items": {"type": "integer"}});
        let range = json!({"type": "object", "properties": {"from": {"type": "integer"}, "unit": {"type": "string"}}});
        let cases = [
            (json!({"name": "id"}), &ids, "1,2", json!([1, 2])),
            (
                json!({"name": "id", "style": "label", "explode": true}),
                &ids,
                ".1.2",
                json!([1, 2]),
            ),
            (
                json!({"name": "id", "style": "matrix"}),
                &ids,
                ";id=1,2",
                json!([1, 2]),
            ),
            (
                json!({"name": "id", "style": "matrix", "explode": true}),
                &ids,
                ";id=1;id=2",
                json!([1, 2]),
            ),
            (
                json!({"name": "r", "explode": true}),
                &range,
                "from=1,unit=a%2Cb",
                json!({"from": 1, "unit": "a,b"}),
            ),
            (
                json!({"name": "r"}),
                &range,
                "from,1,unit,m",
                json!({"from": 1, "unit": "m"}),
            ),
            (
                json!({"name": "r", "style": "matrix", "explode": true}),
                &range,
                ";from=1;unit=m",
                json!({"from": 1, "unit": "m"}),
            ),
            (
                json!({"name": "z", "style": "matrix"}),
                &json!({"type": "integer"}),
                ";z=7",
                json!(7),
            ),
            (
                json!({"name": "z", "style": "label"}),
                &json!({"type": "string"}),
                ".a%2Eb",
                json!("a.b"),
            ),
        ];
        for (param, schema, raw, want) in cases {
            assert_eq!(
                read_back(param, schema.clone(), raw),
                Some(Ok(want)),
                "{raw}"
            );
        }
        // A plain scalar is the caller's; a wrong spelling says so.
        assert_eq!(
            read_back(json!({"name": "id"}), json!({"type": "string"}), "a"),
            None
        );
        assert!(
            read_back(json!({"name": "id", "style": "label"}), ids.clone(), "1,2")
                .unwrap()
                .is_err()
        );
        assert!(
            read_back(json!({"name": "r"}), range, "from,1,unit")
                .unwrap()
                .is_err()
        );
    }
}
