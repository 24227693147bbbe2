//! Query parameters spelt in their style, read back for judging: OpenAPI
//! 3.0's table for the query, written here from the spec alone (not from
//! the runtime's encoder), so a wrong spelling on either side shows.
//!
//! | style | explode | array | object |
//! |---|---|---|---|
//! | `form` (default) | `true` (default) | `id=a&id=b` | `k=v&k2=v2` |
//! | `form` | `false` | `id=a,b` | `id=k,v,k2,v2` |
//! | `spaceDelimited` | `false` | `id=a%20b` | |
//! | `pipeDelimited` | `false` | `id=a\|b` | |
//! | `deepObject` | `true` | | `id[k]=v&id[k2]=v2` |
//!
//! Scalars are one `name=value` pair in every style and are left to the
//! caller. Pairs are split on their delimiters while still
//! percent-encoded, and each piece is decoded after, so an escaped
//! delimiter stays inside its item.

use serde_json::{Map, Value};

use super::path_styles::typed;

/// One `name=value` pair of the query, as sent (still encoded).
#[derive(Debug, Clone)]
pub struct RawPair {
    /// The name, form-decoded (`+` is a space).
    pub name: String,
    /// The value, still percent-encoded.
    pub value: String,
}

impl RawPair {
    /// Splits a query string (without `?`) into its pairs.
    pub fn split(query: &str) -> Vec<RawPair> {
        query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                RawPair {
                    name: form_decode(name),
                    value: value.to_owned(),
                }
            })
            .collect()
    }
}

/// Form decoding: `+` is a space, then percent-decoding (text that does
/// not decode to UTF-8 is kept as it is, and the schema judges it).
pub fn form_decode(text: &str) -> String {
    super::matching::decode(&text.replace('+', " ")).unwrap_or_else(|| text.to_string())
}

/// What a structured parameter read from the query: its value, and which
/// pairs (by index) it took, so they are not reported as undeclared.
#[derive(Debug)]
pub struct Read {
    /// The value to judge against the schema; `None` when no pair spells
    /// the parameter.
    pub value: Option<Value>,
    /// Indices of the pairs it took.
    pub taken: Vec<usize>,
}

/// A query parameter of array or object type read from `pairs` in its
/// style; `None` when the parameter is a scalar (one pair, read as
/// today). `param` is the parameter object, `schema` its schema with
/// `$ref`s followed; `resolve` follows those of its items and properties.
/// An error says why the spelling cannot be read (a style that does not
/// apply to the type).
pub fn read(
    param: &Value,
    schema: &Value,
    pairs: &[RawPair],
    resolve: &dyn Fn(&Value) -> Value,
) -> Option<Result<Read, String>> {
    let name = param.get("name").and_then(Value::as_str).unwrap_or("");
    let style = param.get("style").and_then(Value::as_str).unwrap_or("form");
    // OpenAPI: `explode` defaults to true for `form`, false otherwise.
    let explode = param
        .get("explode")
        .and_then(Value::as_bool)
        .unwrap_or(style == "form");
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => Some(array(name, style, explode, schema, pairs, resolve)),
        Some("object") => Some(object(name, style, explode, schema, pairs, resolve)),
        _ => None,
    }
}

fn array(
    name: &str,
    style: &str,
    explode: bool,
    schema: &Value,
    pairs: &[RawPair],
    resolve: &dyn Fn(&Value) -> Value,
) -> Result<Read, String> {
    let delimiter = match (style, explode) {
        ("form", true) => None,
        ("form", false) => Some(","),
        ("spaceDelimited", _) => Some(" "),
        ("pipeDelimited", _) => Some("|"),
        _ => return Err(format!("style `{style}` does not apply to an array")),
    };
    let items = resolve(schema.get("items").unwrap_or(&Value::Null));
    let mut values = Vec::new();
    let mut taken = Vec::new();
    for (at, pair) in pairs.iter().enumerate().filter(|(_, p)| p.name == name) {
        taken.push(at);
        let pieces: Vec<String> = match delimiter {
            None => vec![form_decode(&pair.value)],
            // A space may arrive as `+`, `%20` or (loosely) a raw space.
            Some(" ") => form_decode(&pair.value)
                .split(' ')
                .map(str::to_owned)
                .collect(),
            Some(delimiter) => split_encoded(&pair.value, delimiter),
        };
        values.extend(pieces.into_iter().map(|text| typed(&items, text)));
    }
    Ok(Read {
        value: (!taken.is_empty()).then_some(Value::Array(values)),
        taken,
    })
}

fn object(
    name: &str,
    style: &str,
    explode: bool,
    schema: &Value,
    pairs: &[RawPair],
    resolve: &dyn Fn(&Value) -> Value,
) -> Result<Read, String> {
    let properties = schema.get("properties").and_then(Value::as_object);
    let property_schema = |key: &str| {
        properties
            .and_then(|p| p.get(key))
            .map(resolve)
            .unwrap_or(Value::Null)
    };
    let mut object = Map::new();
    let mut taken = Vec::new();
    match (style, explode) {
        ("deepObject", _) => {
            let prefix = format!("{name}[");
            for (at, pair) in pairs.iter().enumerate() {
                let Some(key) = pair
                    .name
                    .strip_prefix(&prefix)
                    .and_then(|rest| rest.strip_suffix(']'))
                else {
                    continue;
                };
                taken.push(at);
                let text = form_decode(&pair.value);
                object.insert(key.to_owned(), typed(&property_schema(key), text));
            }
        }
        // Each property is a pair of its own; only declared properties can
        // be told from other parameters.
        ("form", true) => {
            for (at, pair) in pairs.iter().enumerate() {
                if properties.is_some_and(|p| p.contains_key(&pair.name)) {
                    taken.push(at);
                    let text = form_decode(&pair.value);
                    object.insert(pair.name.clone(), typed(&property_schema(&pair.name), text));
                }
            }
        }
        ("form", false) => {
            for (at, pair) in pairs.iter().enumerate().filter(|(_, p)| p.name == name) {
                taken.push(at);
                let pieces = split_encoded(&pair.value, ",");
                if !pieces.len().is_multiple_of(2) {
                    return Err(format!(
                        "`{name}` holds {} comma-separated pieces; an object is key,value pairs",
                        pieces.len()
                    ));
                }
                for kv in pieces.chunks(2) {
                    object.insert(
                        kv[0].clone(),
                        typed(&property_schema(&kv[0]), kv[1].clone()),
                    );
                }
            }
        }
        _ => return Err(format!("style `{style}` does not apply to an object")),
    }
    Ok(Read {
        value: (!taken.is_empty()).then_some(Value::Object(object)),
        taken,
    })
}

/// Splits a still-encoded value on `delimiter` and decodes each piece.
fn split_encoded(raw: &str, delimiter: &str) -> Vec<String> {
    raw.split(delimiter).map(form_decode).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read_back(param: Value, schema: Value, query: &str) -> Option<Result<Read, String>> {
        read(&param, &schema, &RawPair::split(query), &|v| v.clone())
    }

    fn value(param: Value, schema: Value, query: &str) -> Value {
        read_back(param, schema, query)
            .expect("structured")
            .expect("readable")
            .value
            .expect("present")
    }

    #[test]
    fn the_style_table_reads_back() {
        let ints = json!({"type": "array", "items": {"type": "integer"}});
        assert_eq!(
            value(json!({"name": "id"}), ints.clone(), "id=1&x=y&id=2"),
            json!([1, 2])
        );
        let unexploded = json!({"name": "id", "explode": false});
        assert_eq!(value(unexploded, ints.clone(), "id=1,2"), json!([1, 2]));
        let space = json!({"name": "id", "style": "spaceDelimited"});
        assert_eq!(value(space, ints.clone(), "id=1%202"), json!([1, 2]));
        let pipe = json!({"name": "id", "style": "pipeDelimited"});
        assert_eq!(value(pipe, ints, "id=1|2"), json!([1, 2]));

        let point = json!({"type": "object", "properties": {"x": {"type": "integer"}, "tag": {"type": "string"}}});
        let deep = json!({"name": "p", "style": "deepObject", "explode": true});
        assert_eq!(
            value(deep, point.clone(), "p%5Bx%5D=1&p[tag]=a%2Cb"),
            json!({"x": 1, "tag": "a,b"})
        );
        assert_eq!(
            value(json!({"name": "p"}), point.clone(), "x=1&tag=t&other=9"),
            json!({"x": 1, "tag": "t"})
        );
        let flat = json!({"name": "p", "explode": false});
        assert_eq!(
            value(flat.clone(), point.clone(), "p=x,1,tag,a%2Cb"),
            json!({"x": 1, "tag": "a,b"})
        );
        assert!(read_back(flat, point, "p=x,1,tag").unwrap().is_err());
    }

    #[test]
    fn an_escaped_delimiter_stays_in_its_item_and_pairs_are_accounted_for() {
        let strings = json!({"type": "array", "items": {"type": "string"}});
        let read = read_back(
            json!({"name": "tags", "explode": false}),
            strings.clone(),
            "a=1&tags=x%2Cy,z",
        )
        .unwrap()
        .unwrap();
        assert_eq!(read.value, Some(json!(["x,y", "z"])));
        assert_eq!(read.taken, vec![1]);
        // Absent: no value, nothing taken; scalars are not read here.
        let absent = read_back(json!({"name": "tags"}), strings, "a=1")
            .unwrap()
            .unwrap();
        assert!(absent.value.is_none() && absent.taken.is_empty());
        assert!(read_back(json!({"name": "n"}), json!({"type": "integer"}), "n=1").is_none());
        let wrong = json!({"name": "tags", "style": "deepObject"});
        assert!(
            read_back(wrong, json!({"type": "array"}), "tags=1")
                .unwrap()
                .is_err()
        );
    }
}
