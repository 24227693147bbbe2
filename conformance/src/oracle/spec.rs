//! A spec file as a plain JSON document, with the few look-ups the oracle
//! needs: local `$ref`s and the request body schema of every operation.

use std::path::Path;

use serde_json::Value;

/// HTTP methods a path item may hold, in the spec's order.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// An OpenAPI document loaded as JSON.
#[derive(Debug, Clone)]
pub struct SpecDoc {
    /// The name used in messages (the path as given).
    pub name: String,
    /// The whole document.
    pub root: Value,
}

/// The JSON request body schema of one operation.
#[derive(Debug, Clone)]
pub struct BodySchema {
    /// `operationId`, or `METHOD path` when the spec gives none.
    pub operation_id: String,
    /// Lower-case method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// JSON pointer of the schema object (after following the request
    /// body's `$ref`).
    pub pointer: String,
    /// The OpenAPI schema object, `$ref`s inside it left as they are.
    pub schema: Value,
    /// Whether the spec marks the body required.
    pub required: bool,
}

impl SpecDoc {
    /// Reads a YAML or JSON spec, with the files its `$ref`s name (see
    /// [`super::bundle`]).
    pub fn load(path: &Path) -> Result<SpecDoc, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut doc = SpecDoc::parse(&path.display().to_string(), &text)?;
        super::bundle::bundle(path, &mut doc.root)?;
        Ok(doc)
    }

    /// Parses spec text; `name` appears in messages. References to other
    /// files are left as they are: [`SpecDoc::load`] follows them.
    pub fn parse(name: &str, text: &str) -> Result<SpecDoc, String> {
        let root: Value = serde_yaml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
        Ok(SpecDoc {
            name: name.to_string(),
            root,
        })
    }

    /// The node at a JSON pointer (`#/a/b` or `/a/b`).
    pub fn at(&self, pointer: &str) -> Option<&Value> {
        self.root.pointer(pointer.trim_start_matches('#'))
    }

    /// Follows local `$ref`s from `value` until a non-reference node; gives
    /// the node and its pointer. `None` on a dangling or cyclic reference.
    pub fn resolve<'a>(&'a self, value: &'a Value, pointer: &str) -> Option<(&'a Value, String)> {
        let mut current = value;
        let mut at = pointer.to_string();
        for _ in 0..64 {
            match current.get("$ref").and_then(Value::as_str) {
                Some(reference) => {
                    at = reference.trim_start_matches('#').to_string();
                    current = self.at(reference)?;
                }
                None => return Some((current, at)),
            }
        }
        None
    }

    /// Every operation's JSON request body schema, sorted by path then
    /// method.
    pub fn request_bodies(&self) -> Vec<BodySchema> {
        let mut out = Vec::new();
        let Some(paths) = self.root.get("paths").and_then(Value::as_object) else {
            return out;
        };
        let mut keys: Vec<&String> = paths.keys().collect();
        keys.sort();
        for path in keys {
            for method in METHODS {
                let Some(op) = paths[path].get(method) else {
                    continue;
                };
                let Some(body) = op.get("requestBody") else {
                    continue;
                };
                let op_pointer = format!("/paths/{}/{method}", escape(path));
                let Some((body, body_pointer)) =
                    self.resolve(body, &format!("{op_pointer}/requestBody"))
                else {
                    continue;
                };
                let Some(content) = body.get("content").and_then(Value::as_object) else {
                    continue;
                };
                let Some((media, media_object)) = content.iter().find(|(k, _)| is_json(k)) else {
                    continue;
                };
                let Some(schema) = media_object.get("schema") else {
                    continue;
                };
                out.push(BodySchema {
                    operation_id: op
                        .get("operationId")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("{} {path}", method.to_uppercase())),
                    method: method.to_string(),
                    path: path.clone(),
                    pointer: format!("{body_pointer}/content/{}/schema", escape(media)),
                    schema: schema.clone(),
                    required: body
                        .get("required")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                });
            }
        }
        out
    }

    /// A Draft 4 validator for `schema` (an OpenAPI schema object of this
    /// document), with formats checked.
    pub fn validator(&self, schema: &Value) -> Result<jsonschema::Validator, String> {
        let translated = crate::oracle::to_json_schema(&self.root, schema);
        jsonschema::draft4::options()
            .should_validate_formats(true)
            .build(&translated)
            .map_err(|e| format!("{}: the translated schema does not compile: {e}", self.name))
    }
}

/// Escapes a JSON pointer token.
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Whether a media type is JSON (`application/json`, `...+json`).
pub fn is_json(media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}
