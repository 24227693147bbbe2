//! The keys each OpenAPI 3.0 object may hold. `openapiv3` ignores keys it
//! does not know, so a misspelt `requestbody` would silently drop the
//! body; this walk over the YAML tree reports such keys as warnings (the
//! code is generated without them), with the key that was probably meant.
//! `--deny-warnings` makes them fail. Extensions (`x-...`) are allowed
//! anywhere.

use serde_yaml::{Mapping, Value};

use crate::diag::escape_token;

const DOCUMENT: &[&str] = &[
    "openapi",
    "info",
    "servers",
    "paths",
    "components",
    "security",
    "tags",
    "externalDocs",
];
const PATH_ITEM: &[&str] = &[
    "$ref",
    "summary",
    "description",
    "get",
    "put",
    "post",
    "delete",
    "options",
    "head",
    "patch",
    "trace",
    "servers",
    "parameters",
];
const OPERATION: &[&str] = &[
    "tags",
    "summary",
    "description",
    "externalDocs",
    "operationId",
    "parameters",
    "requestBody",
    "responses",
    "callbacks",
    "deprecated",
    "security",
    "servers",
];
const PARAMETER: &[&str] = &[
    "name",
    "in",
    "description",
    "required",
    "deprecated",
    "allowEmptyValue",
    "style",
    "explode",
    "allowReserved",
    "schema",
    "example",
    "examples",
    "content",
];
const HEADER: &[&str] = &[
    "description",
    "required",
    "deprecated",
    "allowEmptyValue",
    "style",
    "explode",
    "allowReserved",
    "schema",
    "example",
    "examples",
    "content",
];
const REQUEST_BODY: &[&str] = &["description", "content", "required"];
const MEDIA_TYPE: &[&str] = &["schema", "example", "examples", "encoding"];
const RESPONSE: &[&str] = &["description", "headers", "content", "links"];
const COMPONENTS: &[&str] = &[
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
];
const SCHEMA: &[&str] = &[
    "title",
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
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "items",
    "properties",
    "additionalProperties",
    "description",
    "format",
    "default",
    "nullable",
    "discriminator",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "example",
    "deprecated",
];

/// One unknown key: its pointer, the message and a hint.
pub(crate) type Problem = (String, String, String);

/// Every unknown key of the document.
pub(crate) fn unknown_keys(doc: &Value) -> Vec<Problem> {
    let mut walk = Walk::default();
    walk.object(doc, "", "the document", DOCUMENT);
    if let Some(paths) = doc.get("paths").and_then(Value::as_mapping) {
        for (key, item) in paths {
            if let Some(key) = key.as_str() {
                walk.path_item(item, &format!("/paths/{}", escape_token(key)));
            }
        }
    }
    if let Some(components) = doc.get("components") {
        walk.object(components, "/components", "components", COMPONENTS);
        let tables: [(&str, Visit); 5] = [
            ("schemas", Walk::schema),
            ("responses", Walk::response),
            ("parameters", Walk::parameter),
            ("requestBodies", Walk::request_body),
            ("headers", Walk::header),
        ];
        for (table, visit) in tables {
            for (_, value, at) in entries(components.get(table), &format!("/components/{table}")) {
                visit(&mut walk, value, &at);
            }
        }
    }
    walk.problems
}

/// Checks one object found at a pointer.
type Visit = fn(&mut Walk, &Value, &str);

#[derive(Default)]
struct Walk {
    problems: Vec<Problem>,
}

/// The entries of a mapping with their pointers.
fn entries<'v>(value: Option<&'v Value>, at: &str) -> Vec<(&'v str, &'v Value, String)> {
    value
        .and_then(Value::as_mapping)
        .map(|m: &Mapping| {
            m.iter()
                .filter_map(|(k, v)| {
                    let k = k.as_str()?;
                    Some((k, v, format!("{at}/{}", escape_token(k))))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn is_ref(value: &Value) -> bool {
    value.get("$ref").is_some()
}

impl Walk {
    /// Checks the keys of one object (a `$ref` object is left alone: its
    /// siblings are ignored by the specification itself).
    fn object(&mut self, value: &Value, at: &str, what: &str, allowed: &[&str]) {
        let Some(map) = value.as_mapping() else {
            return;
        };
        if is_ref(value) {
            return;
        }
        for key in map.keys() {
            let Some(key) = key.as_str() else {
                continue;
            };
            if key.starts_with("x-") || allowed.contains(&key) {
                continue;
            }
            let hint = match closest(key, allowed) {
                Some(near) => format!("did you mean `{near}`? (extensions start with `x-`)"),
                None => format!(
                    "{what} may hold {}; extensions start with `x-`",
                    allowed.join(", ")
                ),
            };
            self.problems.push((
                format!("{at}/{}", escape_token(key)),
                format!("unknown key `{key}` in {what}: it is ignored"),
                hint,
            ));
        }
    }

    fn path_item(&mut self, item: &Value, at: &str) {
        self.object(item, at, "a path item", PATH_ITEM);
        self.parameters(item.get("parameters"), &format!("{at}/parameters"));
        for method in &PATH_ITEM[3..11] {
            if let Some(op) = item.get(*method) {
                self.operation(op, &format!("{at}/{method}"));
            }
        }
    }

    fn operation(&mut self, op: &Value, at: &str) {
        self.object(op, at, "an operation", OPERATION);
        self.parameters(op.get("parameters"), &format!("{at}/parameters"));
        if let Some(body) = op.get("requestBody") {
            self.request_body(body, &format!("{at}/requestBody"));
        }
        for (_, response, r_at) in entries(op.get("responses"), &format!("{at}/responses")) {
            self.response(response, &r_at);
        }
    }

    fn parameters(&mut self, list: Option<&Value>, at: &str) {
        for (i, p) in list
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .enumerate()
        {
            self.parameter(p, &format!("{at}/{i}"));
        }
    }

    fn parameter(&mut self, p: &Value, at: &str) {
        self.object(p, at, "a parameter", PARAMETER);
        self.schema_and_content(p, at);
    }

    fn header(&mut self, h: &Value, at: &str) {
        self.object(h, at, "a header", HEADER);
        self.schema_and_content(h, at);
    }

    fn schema_and_content(&mut self, value: &Value, at: &str) {
        if let Some(schema) = value.get("schema") {
            self.schema(schema, &format!("{at}/schema"));
        }
        self.content(value.get("content"), &format!("{at}/content"));
    }

    fn request_body(&mut self, body: &Value, at: &str) {
        self.object(body, at, "a request body", REQUEST_BODY);
        self.content(body.get("content"), &format!("{at}/content"));
    }

    fn response(&mut self, response: &Value, at: &str) {
        self.object(response, at, "a response", RESPONSE);
        self.content(response.get("content"), &format!("{at}/content"));
        for (_, h, h_at) in entries(response.get("headers"), &format!("{at}/headers")) {
            self.header(h, &h_at);
        }
    }

    fn content(&mut self, content: Option<&Value>, at: &str) {
        for (_, media, m_at) in entries(content, at) {
            self.object(media, &m_at, "a media type", MEDIA_TYPE);
            if let Some(schema) = media.get("schema") {
                self.schema(schema, &format!("{m_at}/schema"));
            }
        }
    }

    fn schema(&mut self, schema: &Value, at: &str) {
        self.object(schema, at, "a schema", SCHEMA);
        if is_ref(schema) {
            return;
        }
        for (_, prop, p_at) in entries(schema.get("properties"), &format!("{at}/properties")) {
            self.schema(prop, &p_at);
        }
        for key in ["items", "not", "additionalProperties"] {
            if let Some(inner) = schema.get(key)
                && inner.is_mapping()
            {
                self.schema(inner, &format!("{at}/{key}"));
            }
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            let list = schema.get(key).and_then(Value::as_sequence);
            for (i, part) in list.into_iter().flatten().enumerate() {
                self.schema(part, &format!("{at}/{key}/{i}"));
            }
        }
    }
}

/// The allowed key nearest to `key`: the same but for case, or within two
/// edits.
fn closest<'a>(key: &str, allowed: &[&'a str]) -> Option<&'a str> {
    if let Some(same) = allowed.iter().find(|a| a.eq_ignore_ascii_case(key)) {
        return Some(same);
    }
    allowed
        .iter()
        .map(|a| (edit_distance(key, a), *a))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, a)| a)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            prev = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelt_keys_are_found_with_a_suggestion() {
        let doc: Value = serde_yaml::from_str(
            "openapi: 3.0.3\ninfo: {}\npaths:\n  /a:\n    post:\n      requestbody: {}\n      x-ok: 1\n      responses:\n        '200':\n          description: d\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  a: {type: string, maxLenght: 3}\n",
        )
        .unwrap();
        let found = unknown_keys(&doc);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, "/paths/~1a/post/requestbody");
        assert!(found[0].2.contains("`requestBody`"), "{found:?}");
        assert!(found[1].0.ends_with("/properties/a/maxLenght"));
        assert!(found[1].2.contains("`maxLength`"));
    }

    #[test]
    fn distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(closest("OperationID", OPERATION), Some("operationId"));
        assert_eq!(closest("zzzzzz", OPERATION), None);
    }
}
