//! OpenAPI 3.0 schema objects → JSON Schema Draft 4 documents.
//!
//! OpenAPI 3.0's schema dialect is an extended subset of JSON Schema
//! Draft Wright-00 (≈ Draft 4/5), so the translation is mostly a copy. The
//! differences handled here:
//!
//! * `nullable: true` (OpenAPI 3.0.3 semantics): adds `null` to the allowed
//!   values only when `type` is given in the same schema object; with an
//!   `enum`, `null` passes too, listed or not (how Microsoft Graph writes
//!   nullable enums and sends `null` for them). Without `type` it has no
//!   effect.
//! * `not` is kept, and means what JSON Schema says.
//! * `$ref: '#/components/schemas/X'` → `#/definitions/X`; siblings of a
//!   `$ref` are ignored, as both specs say.
//! * A component's `discriminator` with a `mapping` dispatches on its
//!   property (see [`super::discriminator`]).
//! * Annotations and extensions that JSON Schema does not know
//!   (`readOnly`, `writeOnly`, `xml`, `externalDocs`, `example`,
//!   `deprecated`, `x-*`) are dropped.
//! * `format`s are given meaning by [`FORMAT_RULES`], so the oracle checks
//!   exactly what the generated validators must check.
//! * `allOf` is read as inheritance: a property one part declares is not
//!   additional to the other parts (see [`super::inherit`]).

use serde_json::{Map, Value, json};

/// What each `format` means to the oracle. Formats not listed are
/// annotations (not checked). Patterns are ECMA-262.
pub const FORMAT_RULES: &[(&str, &str)] = &[
    ("int32", "integer in [-2^31, 2^31-1] (type integer only)"),
    ("int64", "integer in [-2^63, 2^63-1] (type integer only)"),
    ("date-time", "RFC 3339 date-time (Draft 4 format check)"),
    (
        "date",
        "RFC 3339 full-date: pattern ^\\d{4}-\\d{2}-\\d{2}$ and a real calendar date",
    ),
    (
        "uuid",
        "pattern ^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    ),
    ("base64url", "pattern ^[A-Za-z0-9_-]*={0,2}$"),
    (
        "duration",
        "ISO 8601 duration: pattern ^-?P(?!$)([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+([.][0-9]+)?S)?)?$",
    ),
    ("int8", "integer in [-2^7, 2^7-1] (type integer only)"),
    ("uint8", "integer in [0, 255] (type integer only)"),
    ("int16", "integer in [-2^15, 2^15-1] (type integer only)"),
    ("uint16", "integer in [0, 2^16-1] (type integer only)"),
    (
        "float",
        "number in [-f32::MAX, f32::MAX] (type number only)",
    ),
    ("uint32", "integer in [0, 2^32-1] (type integer only)"),
    ("uint64", "integer in [0, 2^64-1] (type integer only)"),
    ("uint", "integer in [0, 2^64-1] (type integer only)"),
    (
        "time",
        "RFC 3339 full-time (JSON Schema `time` format check)",
    ),
    ("ipv4", "dotted-quad IPv4 (JSON Schema `ipv4` format check)"),
    ("ipv6", "IPv6 (JSON Schema `ipv6` format check)"),
    ("ip", "IPv4 or IPv6 (`ipv4` or `ipv6` format check)"),
    (
        "email",
        "RFC 5321 mailbox (JSON Schema `email` format check)",
    ),
    (
        "hostname",
        "RFC 1034 host name (JSON Schema Draft 4 `hostname` format check)",
    ),
    (
        "uri",
        "RFC 3986 absolute URI (JSON Schema `uri` format check)",
    ),
    (
        "mac",
        "pattern ^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$ or the same with `-`",
    ),
    (
        "byte",
        "standard base64 with padding: pattern ^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$",
    ),
];

/// Formats that constrain strings only, so a schema without `type` lets
/// other values through them.
const STRING_FORMATS: &[&str] = &[
    "uuid",
    "base64url",
    "duration",
    "date",
    "date-time",
    "time",
    "ipv4",
    "ipv6",
    "ip",
    "email",
    "hostname",
    "uri",
    "mac",
    "byte",
];

const UUID: &str = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
const BASE64URL: &str = "^[A-Za-z0-9_-]*={0,2}$";
// Digits are spelled `[0-9]`: with its lookarounds this pattern reaches
// the regex engine untranslated, and there `\d` would also match
// non-ASCII digits, which ECMA-262's `\d` does not.
const MAC: &str = "^([0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(-[0-9A-Fa-f]{2}){5})$";
const BYTE: &str = "^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$";
const DURATION: &str = "^-?P(?!$)([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+([.][0-9]+)?S)?)?$";

/// Keywords that carry subschemas, and how.
enum Sub {
    /// One schema (`items`, `not`, `additionalProperties`).
    One,
    /// A list of schemas (`allOf`, `oneOf`, `anyOf`).
    List,
    /// A map of schemas (`properties`).
    Map,
}

fn sub_kind(keyword: &str) -> Option<Sub> {
    match keyword {
        "items" | "not" | "additionalProperties" => Some(Sub::One),
        "allOf" | "oneOf" | "anyOf" => Some(Sub::List),
        "properties" => Some(Sub::Map),
        _ => None,
    }
}

/// Keywords copied as they are.
const PLAIN: &[&str] = &[
    "title",
    "description",
    "default",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "required",
    "enum",
    "type",
];

/// Translates `schema` (an OpenAPI schema object of the document `root`)
/// into a standalone Draft 4 document whose `definitions` hold every
/// component schema of `root`.
pub fn to_json_schema(root: &Value, schema: &Value) -> Value {
    let mut definitions = Map::new();
    if let Some(schemas) = root
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, component) in schemas {
            definitions.insert(name.clone(), translate(component));
        }
    }
    let mut top = translate(schema);
    super::discriminator::apply(root, &mut definitions, &mut top);
    let mut doc = json!({
        "$schema": "http://json-schema.org/draft-04/schema#",
        "definitions": definitions,
        "allOf": [top],
    });
    super::inherit::apply(&mut doc);
    doc
}

/// Translates one schema object.
pub fn translate(schema: &Value) -> Value {
    let Some(object) = schema.as_object() else {
        // `true`/`false` or junk: Draft 4 has no boolean schemas; keep the
        // meaning with an empty schema or `not {}`.
        return match schema {
            Value::Bool(false) => json!({"not": {}}),
            _ => json!({}),
        };
    };
    if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
        let target = match reference.strip_prefix("#/components/schemas/") {
            Some(name) => format!("#/definitions/{name}"),
            None => reference.to_string(),
        };
        return json!({"$ref": target});
    }
    let mut out = Map::new();
    for (key, value) in object {
        if let Some(kind) = sub_kind(key) {
            let translated = match kind {
                Sub::One => match value {
                    Value::Bool(b) => Value::Bool(*b),
                    other => translate(other),
                },
                Sub::List => Value::Array(
                    value
                        .as_array()
                        .map(|v| v.iter().map(translate).collect())
                        .unwrap_or_default(),
                ),
                Sub::Map => Value::Object(
                    value
                        .as_object()
                        .map(|m| m.iter().map(|(k, v)| (k.clone(), translate(v))).collect())
                        .unwrap_or_default(),
                ),
            };
            out.insert(key.clone(), translated);
        } else if PLAIN.contains(&key.as_str()) {
            out.insert(key.clone(), value.clone());
        }
    }
    apply_nullable(object, &mut out);
    apply_format(object, &mut out);
    Value::Object(out)
}

fn apply_nullable(source: &Map<String, Value>, out: &mut Map<String, Value>) {
    if source.get("nullable") != Some(&Value::Bool(true)) {
        return;
    }
    if let Some(Value::String(t)) = out.get("type").cloned() {
        out.insert("type".into(), json!([t, "null"]));
        if let Some(Value::Array(values)) = out.get_mut("enum")
            && !values.contains(&Value::Null)
        {
            values.push(Value::Null);
        }
    }
}

fn apply_format(source: &Map<String, Value>, out: &mut Map<String, Value>) {
    let Some(format) = source.get("format").and_then(Value::as_str) else {
        return;
    };
    let is_type = |t: &str| match source.get("type") {
        Some(Value::String(s)) => s == t,
        _ => false,
    };
    // A format constrains values of its type only; `null` (when nullable)
    // and other types pass it, as in JSON Schema.
    let extra = match format {
        "int32" if is_type("integer") => json!({"minimum": i32::MIN, "maximum": i32::MAX}),
        "int64" if is_type("integer") => json!({"minimum": i64::MIN, "maximum": i64::MAX}),
        "int16" if is_type("integer") => json!({"minimum": i16::MIN, "maximum": i16::MAX}),
        "int8" if is_type("integer") => json!({"minimum": i8::MIN, "maximum": i8::MAX}),
        "uint8" if is_type("integer") => json!({"minimum": u8::MIN, "maximum": u8::MAX}),
        "uint16" if is_type("integer") => json!({"minimum": 0, "maximum": u16::MAX}),
        "uint32" if is_type("integer") => json!({"minimum": 0, "maximum": u32::MAX}),
        "uint64" | "uint" if is_type("integer") => json!({"minimum": 0, "maximum": u64::MAX}),
        "float" if is_type("number") => {
            let max = f64::from(f32::MAX);
            json!({"minimum": -max, "maximum": max})
        }
        "time" | "ipv4" | "ipv6" | "email" | "hostname" | "uri" => json!({ "format": format }),
        "ip" => json!({"anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]}),
        "mac" => json!({ "pattern": MAC }),
        "byte" => json!({ "pattern": BYTE }),
        "date-time" => json!({"format": "date-time"}),
        "date" => json!({"format": "date"}),
        "uuid" => json!({"pattern": UUID}),
        "base64url" => json!({"pattern": BASE64URL}),
        "duration" => json!({"pattern": DURATION}),
        _ => return,
    };
    let constraint = if is_type("string") || is_type("integer") || is_type("number") {
        extra
    } else {
        // No type: the format applies to strings only (JSON Schema rule).
        if STRING_FORMATS.contains(&format) {
            json!({"anyOf": [{"not": {"type": "string"}}, extra]})
        } else {
            return;
        }
    };
    let all_of = out
        .entry("allOf")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(parts) = all_of {
        parts.push(constraint);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(root: &Value, schema: &Value, instance: Value) -> bool {
        let doc = to_json_schema(root, schema);
        let validator = jsonschema::draft4::options()
            .should_validate_formats(true)
            .build(&doc)
            .unwrap();
        validator.is_valid(&instance)
    }

    #[test]
    fn nullable_needs_a_type() {
        let root = json!({});
        let typed = json!({"type": "string", "nullable": true});
        assert!(check(&root, &typed, json!(null)));
        assert!(check(&root, &typed, json!("x")));
        assert!(!check(&root, &typed, json!(1)));
        // A nullable enum takes `null` whether or not it lists it.
        let enumerated = json!({"type": "string", "nullable": true, "enum": ["a"]});
        assert!(check(&root, &enumerated, json!(null)));
        assert!(!check(&root, &enumerated, json!("b")));
        let listed = json!({"type": "boolean", "nullable": true, "enum": [true, null]});
        assert!(check(&root, &listed, json!(null)));
        assert!(!check(&root, &listed, json!(false)));
        // Without `nullable`, a listed `null` is still not a string.
        let strict = json!({"type": "string", "enum": ["a", null]});
        assert!(!check(&root, &strict, json!(null)));
        let untyped_ref = json!({"allOf": [{"type": "string"}], "nullable": true});
        assert!(!check(&root, &untyped_ref, json!(null)));
    }

    #[test]
    fn refs_point_into_definitions() {
        let root = json!({"components": {"schemas": {"a.b": {"type": "object", "required": ["x"], "properties": {"x": {"type": "integer", "format": "int32"}}}}}});
        let schema = json!({"$ref": "#/components/schemas/a.b"});
        assert!(check(&root, &schema, json!({"x": 5})));
        assert!(!check(&root, &schema, json!({})));
        assert!(!check(&root, &schema, json!({"x": 3_000_000_000u64})));
    }

    #[test]
    fn formats_have_meaning() {
        let root = json!({});
        let uuid = json!({"type": "string", "format": "uuid"});
        assert!(check(
            &root,
            &uuid,
            json!("0f8fad5b-d9cb-469f-a165-70867728950e")
        ));
        assert!(!check(&root, &uuid, json!("nope")));
        let dt = json!({"type": "string", "format": "date-time"});
        assert!(check(&root, &dt, json!("2024-08-01T12:00:00Z")));
        assert!(!check(&root, &dt, json!("yesterday")));
        let duration = json!({"type": "string", "format": "duration"});
        assert!(check(&root, &duration, json!("PT1H30M")));
        assert!(!check(&root, &duration, json!("P")));
        // ARABIC-INDIC DIGIT ONE is a digit to Unicode, not to ECMA-262.
        assert!(!check(&root, &duration, json!("P\u{661}D")));
        let small = json!({"type": "integer", "format": "int16"});
        assert!(check(&root, &small, json!(-32768)));
        assert!(!check(&root, &small, json!(32768)));
        let b64 = json!({"type": "string", "format": "base64url"});
        assert!(check(&root, &b64, json!("aGVsbG8_-w==")));
        assert!(!check(&root, &b64, json!("a+b/")));
    }

    #[test]
    fn new_formats_have_meaning() {
        let root = json!({});
        let port = json!({"type": "integer", "format": "uint16"});
        assert!(check(&root, &port, json!(65535)));
        assert!(!check(&root, &port, json!(65536)));
        assert!(!check(&root, &port, json!(-1)));
        let float = json!({"type": "number", "format": "float"});
        assert!(check(&root, &float, json!(-3.4028234663852886e38)));
        assert!(!check(&root, &float, json!(3.5e38)));
        let big = json!({"type": "integer", "format": "uint64"});
        assert!(check(&root, &big, json!(u64::MAX)));
        assert!(!check(&root, &big, json!(-1)));
        let ip = json!({"type": "string", "format": "ip"});
        assert!(check(&root, &ip, json!("::1")));
        assert!(check(&root, &ip, json!("10.0.0.1")));
        assert!(!check(&root, &ip, json!("example.com")));
        let time = json!({"type": "string", "format": "time"});
        assert!(check(&root, &time, json!("12:00:00Z")));
        assert!(!check(&root, &time, json!("12:00")));
        let mac = json!({"type": "string", "format": "mac"});
        assert!(check(&root, &mac, json!("00:1a:2b:3c:4d:5e")));
        assert!(!check(&root, &mac, json!("00:1a-2b:3c:4d:5e")));
        let byte = json!({"type": "string", "format": "byte"});
        assert!(check(&root, &byte, json!("aGk+/w==")));
        assert!(!check(&root, &byte, json!("aGk")));
        // Without `type`, a string format lets other values through.
        let untyped = json!({"format": "email"});
        assert!(check(&root, &untyped, json!(5)));
        assert!(!check(&root, &untyped, json!("not an address")));
        // A format nobody knows is an annotation.
        let unknown = json!({"type": "string", "format": "serial-number"});
        assert!(check(&root, &unknown, json!("anything")));
    }

    #[test]
    fn not_refuses_what_its_schema_accepts() {
        let root =
            json!({"components": {"schemas": {"admin": {"type": "string", "enum": ["admin"]}}}});
        let schema = json!({"type": "string", "not": {"$ref": "#/components/schemas/admin"}});
        assert!(check(&root, &schema, json!("ann")));
        assert!(!check(&root, &schema, json!("admin")));
        assert!(!check(&root, &schema, json!(5)));
    }

    #[test]
    fn annotations_are_dropped() {
        let t = translate(
            &json!({"type": "object", "readOnly": true, "x-ms-foo": 1, "discriminator": {"propertyName": "a"}, "example": {}}),
        );
        assert_eq!(t, json!({"type": "object"}));
    }
}
