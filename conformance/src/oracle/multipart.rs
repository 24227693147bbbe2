//! `multipart/form-data` request bodies, read by the oracle on its own
//! (RFC 7578, not the runtime's reader): the parts are split by the
//! boundary the `Content-Type` names, and each property of the body's
//! object schema is checked: a required one must have a part, a text part
//! is read by its property's `type` (a number, a boolean, a list when the
//! property is an array, JSON for an object) and validated against the
//! property schema. File parts (`format: binary`/`byte`) are only counted.

use serde_json::Value;

use super::spec::SpecDoc;

/// One received part: its name and bytes.
pub struct Part {
    /// The `name` of its `Content-Disposition`.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// One property of a form, with its schema (references followed).
pub struct Property<'a> {
    /// The property (part) name.
    pub name: String,
    /// Its schema as written (it may be a `$ref`).
    pub schema: &'a Value,
    /// Its schema with `$ref`s followed.
    pub resolved: &'a Value,
    /// Whether a `required` list names it.
    pub required: bool,
}

/// Splits a `multipart/form-data` body into its parts.
pub fn parse(content_type: &str, body: &[u8]) -> Result<Vec<Part>, String> {
    let boundary = content_type
        .split(';')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
        .filter(|b| !b.is_empty())
        .ok_or("`Content-Type` names no boundary")?;
    let open = format!("--{boundary}");
    let next = format!("\r\n--{boundary}");
    let first = position(body, open.as_bytes()).ok_or("no boundary delimiter in the body")?;
    let mut rest = &body[first + open.len()..];
    let mut parts = Vec::new();
    while !rest.starts_with(b"--") {
        let section = rest
            .strip_prefix(b"\r\n")
            .ok_or("a delimiter is not followed by CRLF")?;
        let end = position(section, next.as_bytes()).ok_or("no closing delimiter")?;
        let part = &section[..end];
        let blank = position(part, b"\r\n\r\n")
            .map(|at| (at, at + 4))
            .or_else(|| part.starts_with(b"\r\n").then_some((0, 2)))
            .ok_or("a part has no blank line after its headers")?;
        let head = String::from_utf8_lossy(&part[..blank.0]);
        let name = head
            .split("\r\n")
            .filter(|line| {
                line.split(':')
                    .next()
                    .is_some_and(|k| k.trim().eq_ignore_ascii_case("content-disposition"))
            })
            .flat_map(|line| line.split(';').skip(1))
            .filter_map(|p| p.trim().split_once('='))
            .find(|(k, _)| k.eq_ignore_ascii_case("name"))
            .map(|(_, v)| v.trim_matches('"').to_string())
            .ok_or("a part has no `Content-Disposition` name")?;
        parts.push(Part {
            name,
            bytes: part[blank.1..].to_vec(),
        });
        rest = &section[end + next.len()..];
    }
    Ok(parts)
}

fn position(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The properties of an object schema, through `$ref`s and `allOf` parts;
/// `None` when the schema is not an object with properties.
pub fn properties<'a>(doc: &'a SpecDoc, schema: &'a Value) -> Option<Vec<Property<'a>>> {
    let mut out = Vec::new();
    collect(doc, schema, &mut out, 0);
    (!out.is_empty()).then_some(out)
}

fn collect<'a>(doc: &'a SpecDoc, schema: &'a Value, out: &mut Vec<Property<'a>>, depth: u8) {
    let Some((schema, _)) = doc.resolve(schema, "") else {
        return;
    };
    if depth > 32 {
        return;
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        for part in parts {
            collect(doc, part, out, depth + 1);
        }
    }
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, prop) in props {
            let resolved = doc.resolve(prop, "").map_or(prop, |(r, _)| r);
            out.push(Property {
                name: name.clone(),
                schema: prop,
                resolved,
                required: false,
            });
        }
    }
    for name in required {
        if let Some(p) = out.iter_mut().find(|p| p.name == name) {
            p.required = true;
        }
    }
}

/// Whether a property is a file (`format: binary` or `byte`), or a list
/// of them.
pub fn is_file(doc: &SpecDoc, property: &Value) -> bool {
    let one = |s: &Value| {
        matches!(
            s.get("format").and_then(Value::as_str),
            Some("binary" | "byte")
        )
    };
    match property.get("items") {
        Some(items) if property.get("type").and_then(Value::as_str) == Some("array") => {
            doc.resolve(items, "").is_some_and(|(i, _)| one(i))
        }
        _ => one(property),
    }
}

/// The JSON value the texts of a property's parts stand for, read by its
/// schema's `type`; text that does not read as that type stays a string,
/// so the schema reports its type.
pub fn value_of(doc: &SpecDoc, property: &Value, texts: &[&str]) -> Value {
    let one = |schema: &Value, text: &str| -> Value {
        let kind = schema.get("type").and_then(Value::as_str);
        let read = match kind {
            Some("integer" | "number") => {
                text.parse::<serde_json::Number>().ok().map(Value::Number)
            }
            Some("boolean") => text.parse::<bool>().ok().map(Value::Bool),
            Some("object") | None => serde_json::from_str(text).ok(),
            _ => None,
        };
        read.unwrap_or_else(|| Value::String(text.to_string()))
    };
    if property.get("type").and_then(Value::as_str) == Some("array") {
        let items = property
            .get("items")
            .and_then(|i| doc.resolve(i, ""))
            .map_or(&Value::Null, |(i, _)| i);
        // One part holding a JSON list (a list of objects), or one part
        // per item.
        let objects = items.get("type").and_then(Value::as_str) == Some("object");
        if let ([text], true) = (texts, objects)
            && let Ok(list @ Value::Array(_)) = serde_json::from_str(text)
        {
            return list;
        }
        return Value::Array(texts.iter().map(|t| one(items, t)).collect());
    }
    one(property, texts.first().copied().unwrap_or(""))
}
