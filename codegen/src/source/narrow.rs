//! Narrowing a refused document to the node at fault: `openapiv3` reads
//! through `#[serde(flatten)]`, which hides the place of a bad node inside
//! a path item, an operation or a component.

use super::Source;
use crate::diag::{Diagnostics, Severity, escape_token};

/// The located error for a tree `openapiv3` refuses: the deepest node
/// at fault, found by converting again while tracking the path.
pub(super) fn refused_node(
    source: &Source,
    raw: &serde_yaml::Value,
    first: &serde_yaml::Error,
) -> Diagnostics {
    let (pointer, inner) = match serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(raw) {
        Err(err) => (pointer_of(err.path()), err.into_inner().to_string()),
        // Cannot happen for the same tree; the first error still says
        // what is wrong.
        Ok(_) => (String::new(), first.to_string()),
    };
    let (pointer, inner) = narrow(raw, pointer, inner);
    let message = format!(
        "not a valid OpenAPI 3.0 document here: {}",
        without_yaml_position(&inner)
    );
    Diagnostics::single(source.diagnostic(
        Severity::Error,
        &pointer,
        message,
        Some("compare this node with the OpenAPI 3.0 schema for its kind of object".into()),
    ))
}

/// `openapiv3` reads path items, operations and components through
/// `#[serde(flatten)]`, which hides the path inside them from
/// serde_path_to_error: a bad node deep in an operation is reported at
/// `/paths`. Deserialize the children one by one to find the operation or
/// component at fault.
fn narrow(raw: &serde_yaml::Value, pointer: String, message: String) -> (String, String) {
    use openapiv3::{Operation, PathItem, ReferenceOr};
    fn first_bad<T: serde::de::DeserializeOwned>(
        map: &serde_yaml::Mapping,
    ) -> Option<(String, serde_yaml::Value, String)> {
        map.iter().find_map(|(key, value)| {
            let key = key.as_str()?;
            match serde_path_to_error::deserialize::<_, T>(value.clone()) {
                Ok(_) => None,
                Err(err) => Some((
                    format!("/{}{}", escape_token(key), pointer_of(err.path())),
                    value.clone(),
                    err.into_inner().to_string(),
                )),
            }
        })
    }
    let under = |p: &str| raw.get(p).and_then(serde_yaml::Value::as_mapping).cloned();
    match pointer.as_str() {
        "/paths" => {
            let Some(paths) = under("paths") else {
                return (pointer, message);
            };
            let Some((at, item, inner)) = first_bad::<ReferenceOr<PathItem>>(&paths) else {
                return (pointer, message);
            };
            let methods: serde_yaml::Mapping = item
                .as_mapping()
                .map(|m| {
                    m.iter()
                        .filter(|(k, _)| {
                            k.as_str().is_some_and(|k| {
                                [
                                    "get", "put", "post", "delete", "options", "head", "patch",
                                    "trace",
                                ]
                                .contains(&k)
                            })
                        })
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                })
                .unwrap_or_default();
            match first_bad::<Operation>(&methods) {
                Some((op_at, _, op_inner)) => (format!("/paths{at}{op_at}"), op_inner),
                None => (format!("/paths{at}"), inner),
            }
        }
        "/components" => {
            let Some(components) = under("components") else {
                return (pointer, message);
            };
            for (kind, value) in &components {
                let (Some(kind), Some(map)) = (kind.as_str(), value.as_mapping()) else {
                    continue;
                };
                let found = match kind {
                    "schemas" => first_bad::<ReferenceOr<openapiv3::Schema>>(map),
                    "responses" => first_bad::<ReferenceOr<openapiv3::Response>>(map),
                    "parameters" => first_bad::<ReferenceOr<openapiv3::Parameter>>(map),
                    "requestBodies" => first_bad::<ReferenceOr<openapiv3::RequestBody>>(map),
                    "headers" => first_bad::<ReferenceOr<openapiv3::Header>>(map),
                    "securitySchemes" => first_bad::<ReferenceOr<openapiv3::SecurityScheme>>(map),
                    _ => None,
                };
                if let Some((at, _, inner)) = found {
                    return (format!("/components/{}{at}", escape_token(kind)), inner);
                }
            }
            (pointer, message)
        }
        _ => (pointer, message),
    }
}

/// serde_yaml appends ` at line L column C` to its messages; inside
/// buffered (flattened) nodes that position is often not the node's, and
/// the diagnostic carries its own location anyway.
pub(super) fn without_yaml_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(cut) if message[cut..].contains(" column ") => message[..cut].to_string(),
        _ => message.to_string(),
    }
}

/// Converts serde_path_to_error's path into a JSON pointer.
fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                out.push('/');
                out.push_str(&escape_token(key));
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
}
