//! What the request generator reads from the spec: each operation's
//! route, parameters, body schema, security and documented answers, taken
//! from the conformance oracle's reading of the document (the spec as
//! plain JSON, never the generated code).
//!
//! The generator covers the constructs `spec/assign.yaml` uses. Anything
//! else (query, header or cookie parameters, a parameter inside a path
//! segment, a body that is not JSON, a security scheme that is not a bearer
//! token) stops the test with a message naming the construct, rather than
//! being skipped in silence.

use std::path::Path;

use conformance::oracle::{Oracle, SpecOperation};
use serde_json::Value;

/// One piece of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A literal segment.
    Lit(String),
    /// A whole segment that is the parameter with this index.
    Param(usize),
}

/// A path parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// Its name.
    pub name: String,
    /// Its schema (OpenAPI schema object of the document).
    pub schema: Value,
}

/// The request body.
#[derive(Debug, Clone)]
pub struct Body {
    /// Whether one must be sent.
    pub required: bool,
    /// The JSON media type the spec declares.
    pub media_type: String,
    /// Its schema.
    pub schema: Value,
}

/// One operation, as the generator uses it.
#[derive(Debug, Clone)]
pub struct Target {
    /// Index into [`Oracle::operations`].
    pub index: usize,
    /// `operationId`.
    pub operation_id: String,
    /// Upper-case method.
    pub method: String,
    /// The template's segments after the leading `/`.
    pub segments: Vec<Seg>,
    /// Path parameters, in template order.
    pub params: Vec<Param>,
    /// The body, when the operation takes one.
    pub body: Option<Body>,
    /// Whether the operation needs `Authorization: Bearer <token>`.
    pub bearer: bool,
    /// Media types of the documented responses (what `Accept` must admit).
    pub answers: Vec<String>,
    /// Statuses the operation documents by exact code.
    pub documented: Vec<u16>,
}

/// The spec as the test reads it.
pub struct Api {
    /// The oracle on the spec (also the JSON Schema translation).
    pub oracle: Oracle,
    /// The service root every request goes under (`/beta`).
    pub root: String,
    /// Every operation.
    pub targets: Vec<Target>,
    /// The schema of the spec's error body: what answers that belong to
    /// no operation (unknown path, other method) must validate against.
    pub error_schema: Value,
}

impl Api {
    /// Reads `path`.
    pub fn load(path: &Path) -> Api {
        let oracle = Oracle::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let root = oracle
            .roots()
            .first()
            .cloned()
            .unwrap_or_else(|| panic!("{}: no service root", path.display()));
        let targets: Vec<Target> = oracle
            .operations()
            .iter()
            .enumerate()
            .map(|(index, op)| target(index, op))
            .collect();
        assert!(!targets.is_empty(), "{}: no operations", path.display());
        let error_schema = error_schema(oracle.operations());
        Api {
            oracle,
            root,
            targets,
            error_schema,
        }
    }

    /// The oracle's operation behind `target`.
    pub fn operation(&self, target: &Target) -> &SpecOperation {
        &self.oracle.operations()[target.index]
    }
}

fn unsupported(op: &SpecOperation, what: &str) -> ! {
    panic!(
        "{} ({} {}): the request generator does not cover {what}; \
         teach conformance/tests/openapi_requests/ about it",
        op.operation_id, op.method, op.path
    )
}

fn target(index: usize, op: &SpecOperation) -> Target {
    let mut params = Vec::new();
    for p in &op.parameters {
        if p.location != "path" {
            unsupported(op, &format!("{} parameters (`{}`)", p.location, p.name));
        }
        params.push(Param {
            name: p.name.clone(),
            schema: p.schema.clone().unwrap_or_else(|| {
                unsupported(op, &format!("path parameter `{}` without a schema", p.name))
            }),
        });
    }
    let segments = op
        .path
        .trim_start_matches('/')
        .split('/')
        .map(|segment| {
            if !segment.contains('{') {
                return Seg::Lit(segment.to_string());
            }
            let name = segment
                .strip_prefix('{')
                .and_then(|s| s.strip_suffix('}'))
                .filter(|n| !n.contains(['{', '}']))
                .unwrap_or_else(|| {
                    unsupported(op, &format!("a parameter inside the segment `{segment}`"))
                });
            let at = params
                .iter()
                .position(|p| p.name == name)
                .unwrap_or_else(|| unsupported(op, &format!("an undeclared `{{{name}}}`")));
            Seg::Param(at)
        })
        .collect();
    let body = op.request_body.as_ref().map(|b| {
        let media = b
            .content
            .iter()
            .find(|m| conformance::oracle::spec::is_json(&m.media_type))
            .unwrap_or_else(|| unsupported(op, "a request body that is not JSON"));
        Body {
            required: b.required,
            media_type: media.media_type.clone(),
            schema: media
                .schema
                .clone()
                .unwrap_or_else(|| unsupported(op, "a JSON body without a schema")),
        }
    });
    let bearer = match op.security.as_slice() {
        [] => false,
        alternatives => {
            if alternatives.iter().any(Vec::is_empty) {
                // `{}` among the alternatives: credentials are optional.
                false
            } else {
                for scheme in alternatives.iter().flatten() {
                    let bearer = matches!(scheme.kind.as_str(), "oauth2" | "openIdConnect")
                        || (scheme.kind == "http" && scheme.detail == "bearer");
                    if !bearer {
                        unsupported(op, &format!("the security scheme `{}`", scheme.name));
                    }
                }
                true
            }
        }
    };
    let mut answers: Vec<String> = op
        .responses
        .iter()
        .flat_map(|r| r.content.iter().map(|m| m.media_type.clone()))
        .collect();
    answers.sort();
    answers.dedup();
    let documented = op
        .responses
        .iter()
        .filter_map(|r| r.status.parse::<u16>().ok())
        .collect();
    Target {
        index,
        operation_id: op.operation_id.clone(),
        method: op.method.clone(),
        segments,
        params,
        body,
        bearer,
        answers,
        documented,
    }
}

/// The one JSON schema the spec gives its error answers (4xx and
/// `default`); the spec must give them all the same one for the test to
/// know what an answer outside every operation must look like.
fn error_schema(operations: &[SpecOperation]) -> Value {
    let mut found: Vec<&Value> = Vec::new();
    for op in operations {
        for response in &op.responses {
            let error = response.status == "default" || response.status.starts_with('4');
            if !error {
                continue;
            }
            for media in &response.content {
                if let Some(schema) = &media.schema
                    && !found.contains(&schema)
                {
                    found.push(schema);
                }
            }
        }
    }
    match found.as_slice() {
        [one] => (*one).clone(),
        [] => panic!("the spec documents no error body schema"),
        many => panic!(
            "the spec documents {} different error body schemas; say which one an unknown \
             route's 404 must follow",
            many.len()
        ),
    }
}
