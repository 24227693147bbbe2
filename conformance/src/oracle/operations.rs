//! The operations of a spec as the oracle sees them: read from the JSON
//! form of the document, `$ref`s followed, nothing taken from the
//! generator.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Serialize;
use serde_json::Value;

use super::matching::Template;
use super::spec::{METHODS, SpecDoc, escape};

/// A parameter of an operation (path-level and operation-level merged).
#[derive(Debug, Clone, Serialize)]
pub struct SpecParam {
    /// The name on the wire.
    pub name: String,
    /// `path`, `query`, `header` or `cookie`.
    #[serde(rename = "in")]
    pub location: String,
    /// Whether the spec requires it (path parameters always are).
    pub required: bool,
    /// The parameter's schema, when it has one.
    #[serde(skip)]
    pub schema: Option<Value>,
    /// Where the parameter is defined.
    #[serde(skip)]
    pub pointer: String,
}

/// A media type an operation accepts or answers with.
#[derive(Debug, Clone, Serialize)]
pub struct SpecMedia {
    /// The media type (range), e.g. `application/json`.
    pub media_type: String,
    /// The schema, when given.
    #[serde(skip)]
    pub schema: Option<Value>,
    /// Where the schema is (after following `$ref`s of the enclosing
    /// request body or response), for messages.
    pub schema_pointer: Option<String>,
    /// The media type object's `example`, when given.
    #[serde(skip)]
    pub example: Option<Value>,
}

/// The request body of an operation.
#[derive(Debug, Clone, Serialize)]
pub struct SpecBody {
    /// Whether a body must be sent.
    pub required: bool,
    /// Accepted media types.
    pub content: Vec<SpecMedia>,
}

/// A documented response header.
#[derive(Debug, Clone, Serialize)]
pub struct SpecHeader {
    /// The header name.
    pub name: String,
    /// Whether the spec requires it.
    pub required: bool,
    /// Its schema, when given.
    #[serde(skip)]
    pub schema: Option<Value>,
}

/// A documented response.
#[derive(Debug, Clone, Serialize)]
pub struct SpecResponse {
    /// The key under `responses`: `204`, `2XX` or `default`.
    pub status: String,
    /// Media types of the body; empty when the response has none.
    pub content: Vec<SpecMedia>,
    /// Documented headers.
    pub headers: Vec<SpecHeader>,
    /// Where the response is defined (after `$ref`s).
    #[serde(skip)]
    pub pointer: String,
}

/// One security scheme an operation accepts, resolved from
/// `components/securitySchemes`.
#[derive(Debug, Clone, Serialize)]
pub struct SpecScheme {
    /// The scheme's name in the spec.
    pub name: String,
    /// `http`, `apiKey`, `oauth2` or `openIdConnect`.
    #[serde(rename = "type")]
    pub kind: String,
    /// For `http`: the scheme (`bearer`, `basic`); for `apiKey`: the
    /// parameter name; empty otherwise.
    pub detail: String,
    /// For `apiKey`: where it travels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Scopes the requirement lists.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
}

/// One operation of the spec.
#[derive(Debug, Clone, Serialize)]
pub struct SpecOperation {
    /// `operationId`, or `METHOD path` when the spec gives none.
    pub operation_id: String,
    /// Upper-case method.
    pub method: String,
    /// The path template, as written under `paths`.
    pub path: String,
    /// Where the operation is.
    #[serde(skip)]
    pub pointer: String,
    /// Parameters, path-level ones overridden by operation-level ones.
    pub parameters: Vec<SpecParam>,
    /// The request body, when the operation takes one.
    pub request_body: Option<SpecBody>,
    /// Documented responses, in the spec's order.
    pub responses: Vec<SpecResponse>,
    /// Security alternatives: any one inner list, all of its schemes.
    /// Empty when the operation needs none.
    pub security: Vec<Vec<SpecScheme>>,
    /// The paths of the operation's own `servers` (its own, else its path
    /// item's; `/upload` or empty for a host's root), each a place its
    /// template may sit under (see [`super::matching::resolve`]). Empty
    /// when it uses the document's servers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub server_paths: Vec<String>,
    /// The templates a request path is matched against: the path under
    /// each of `server_paths`, else the path alone; split on first use
    /// (after loading has set `server_paths`), then kept.
    #[serde(skip)]
    templates: OnceLock<Vec<Template>>,
}

impl SpecOperation {
    /// The operation's templates, split once (see [`Template`]).
    pub fn templates(&self) -> &[Template] {
        self.templates.get_or_init(|| {
            if self.server_paths.is_empty() {
                vec![Template::parse(&self.path)]
            } else {
                self.server_paths
                    .iter()
                    .map(|under| Template::parse(&format!("{under}{}", self.path)))
                    .collect()
            }
        })
    }

    /// The documented response for `status`: exact code, then range
    /// (`2XX`), then `default`, as OpenAPI ranks them.
    pub fn response_for(&self, status: u16) -> Option<&SpecResponse> {
        let code = status.to_string();
        let range = format!("{}XX", status / 100);
        self.responses
            .iter()
            .find(|r| r.status == code)
            .or_else(|| {
                self.responses
                    .iter()
                    .find(|r| r.status.eq_ignore_ascii_case(&range))
            })
            .or_else(|| self.responses.iter().find(|r| r.status == "default"))
    }

    /// Path parameters in template order.
    pub fn path_params(&self) -> impl Iterator<Item = &SpecParam> {
        self.parameters.iter().filter(|p| p.location == "path")
    }
}

impl SpecDoc {
    /// Every operation, sorted by path then method (the spec's method
    /// order). Problems that make an operation unreadable (a dangling
    /// `$ref`) are returned as messages naming their JSON pointer.
    pub fn operations(&self) -> Result<Vec<SpecOperation>, Vec<String>> {
        let mut out = Vec::new();
        let mut problems = Vec::new();
        let Some(paths) = self.root.get("paths").and_then(Value::as_object) else {
            return Ok(out);
        };
        let mut keys: Vec<&String> = paths.keys().collect();
        keys.sort();
        for path in keys {
            let item_pointer = format!("/paths/{}", escape(path));
            let Some((item, item_pointer)) = self.resolve(&paths[path], &item_pointer) else {
                problems.push(format!("{}: #{item_pointer}: dangling $ref", self.name));
                continue;
            };
            let shared = item.get("parameters");
            for method in METHODS {
                let Some(op) = item.get(method) else {
                    continue;
                };
                let pointer = format!("{item_pointer}/{method}");
                match self.operation(path, method, op, &pointer, shared, &item_pointer) {
                    Ok(mut operation) => {
                        let own = op.get("servers").or_else(|| item.get("servers"));
                        operation.server_paths = super::matching::own_server_paths(own);
                        out.push(operation);
                    }
                    Err(mut found) => problems.append(&mut found),
                }
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }

    fn operation(
        &self,
        path: &str,
        method: &str,
        op: &Value,
        pointer: &str,
        shared: Option<&Value>,
        item_pointer: &str,
    ) -> Result<SpecOperation, Vec<String>> {
        let mut problems = Vec::new();
        let mut dangling = |at: &str| problems.push(format!("{}: #{at}: dangling $ref", self.name));

        // Path-level parameters first; an operation-level one with the same
        // name and location replaces it.
        let mut params: Vec<SpecParam> = Vec::new();
        for (list, at) in [
            (shared, format!("{item_pointer}/parameters")),
            (op.get("parameters"), format!("{pointer}/parameters")),
        ] {
            for (index, raw) in list
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let Some((param, param_pointer)) = self.resolve(raw, &format!("{at}/{index}"))
                else {
                    dangling(&format!("{at}/{index}"));
                    continue;
                };
                let param = SpecParam {
                    name: str_of(param, "name"),
                    location: str_of(param, "in"),
                    required: param.get("required").and_then(Value::as_bool) == Some(true)
                        || str_of(param, "in") == "path",
                    schema: param.get("schema").cloned(),
                    pointer: param_pointer,
                };
                params.retain(|p| !(p.name == param.name && p.location == param.location));
                params.push(param);
            }
        }
        // Path parameters in the order the template names them.
        let order = template_params(path);
        params.sort_by_key(|p| {
            (
                p.location != "path",
                order.iter().position(|n| *n == p.name),
            )
        });

        let request_body = match op.get("requestBody") {
            None => None,
            Some(raw) => match self.resolve(raw, &format!("{pointer}/requestBody")) {
                None => {
                    dangling(&format!("{pointer}/requestBody"));
                    None
                }
                Some((body, at)) => Some(SpecBody {
                    required: body.get("required").and_then(Value::as_bool) == Some(true),
                    content: self.media(body.get("content"), &format!("{at}/content")),
                }),
            },
        };

        let mut responses = Vec::new();
        if let Some(map) = op.get("responses").and_then(Value::as_object) {
            for (status, raw) in map {
                let at = format!("{pointer}/responses/{}", escape(status));
                let Some((response, at)) = self.resolve(raw, &at) else {
                    dangling(&at);
                    continue;
                };
                let mut headers = Vec::new();
                if let Some(map) = response.get("headers").and_then(Value::as_object) {
                    for (name, raw) in map {
                        let header_at = format!("{at}/headers/{}", escape(name));
                        let Some((header, _)) = self.resolve(raw, &header_at) else {
                            dangling(&header_at);
                            continue;
                        };
                        headers.push(SpecHeader {
                            name: name.clone(),
                            required: header.get("required").and_then(Value::as_bool) == Some(true),
                            schema: header.get("schema").cloned(),
                        });
                    }
                }
                responses.push(SpecResponse {
                    status: status.clone(),
                    content: self.media(response.get("content"), &format!("{at}/content")),
                    headers,
                    pointer: at,
                });
            }
        }

        let security = self.security(op.get("security").or_else(|| self.root.get("security")));
        let operation = SpecOperation {
            operation_id: op
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("{} {path}", method.to_uppercase())),
            method: method.to_uppercase(),
            path: path.to_string(),
            pointer: pointer.to_string(),
            parameters: params,
            request_body,
            responses,
            security,
            server_paths: Vec::new(),
            templates: OnceLock::new(),
        };
        if problems.is_empty() {
            Ok(operation)
        } else {
            Err(problems)
        }
    }

    fn media(&self, content: Option<&Value>, at: &str) -> Vec<SpecMedia> {
        let Some(map) = content.and_then(Value::as_object) else {
            return Vec::new();
        };
        map.iter()
            .map(|(media_type, object)| SpecMedia {
                media_type: media_type.clone(),
                schema: object.get("schema").cloned(),
                schema_pointer: object
                    .get("schema")
                    .map(|_| format!("#{at}/{}/schema", escape(media_type))),
                example: object.get("example").cloned(),
            })
            .collect()
    }

    fn security(&self, requirements: Option<&Value>) -> Vec<Vec<SpecScheme>> {
        let schemes = self.root.pointer("/components/securitySchemes");
        let mut out = Vec::new();
        for requirement in requirements.and_then(Value::as_array).into_iter().flatten() {
            let Some(map) = requirement.as_object() else {
                continue;
            };
            let mut all = Vec::new();
            // Sorted so that the route table snapshot is stable.
            let sorted: BTreeMap<&String, &Value> = map.iter().collect();
            for (name, scopes) in sorted {
                let scheme = schemes
                    .and_then(|s| s.get(name))
                    .and_then(|s| self.resolve(s, "").map(|(v, _)| v));
                let kind = scheme.map(|s| str_of(s, "type")).unwrap_or_default();
                let detail = match kind.as_str() {
                    "http" => scheme
                        .map(|s| str_of(s, "scheme").to_ascii_lowercase())
                        .unwrap_or_default(),
                    "apiKey" => scheme.map(|s| str_of(s, "name")).unwrap_or_default(),
                    _ => String::new(),
                };
                all.push(SpecScheme {
                    name: name.clone(),
                    kind: if scheme.is_none() {
                        "undefined".into()
                    } else {
                        kind
                    },
                    detail,
                    location: scheme
                        .filter(|s| str_of(s, "type") == "apiKey")
                        .map(|s| str_of(s, "in")),
                    scopes: scopes
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect(),
                });
            }
            out.push(all);
        }
        out
    }
}

fn str_of(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The parameter names of a path template, in order.
pub fn template_params(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push(&rest[start + 1..start + len]);
        rest = &rest[start + len + 1..];
    }
    out
}
