//! Paths and operations: templates, parameters, request bodies, responses
//! and security requirements.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{
    Components, Operation as OaOperation, Parameter, ParameterSchemaOrContent, PathStyle,
    QueryStyle, ReferenceOr, StatusCode,
};

use super::Lowerer;
use crate::diag::join;
use crate::model::{
    Body, BodyKind, KeyLocation, Method, Operation, Param, ParamLocation, ParamStyle, PathSegment,
    Response, Schema, SchemaKind, SecurityScheme, Status,
};
use crate::names::{self, Namespace};

mod multipart;

/// Method names the generated `Client` already has.
const RESERVED_METHODS: &[&str] = &["new", "runtime", "from_runtime", "builder"];

/// A media type without its parameters, lower-cased:
/// `Application/JSON; charset=utf-8` is `application/json`.
pub(crate) fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Whether a media type carries JSON (`application/json`, `...+json`,
/// with or without parameters such as `; charset=utf-8`).
pub(crate) fn is_json(media_type: &str) -> bool {
    let essence = essence(media_type);
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Splits a path template into literal and parameter pieces.
pub(crate) fn split_template(path: &str) -> Result<Vec<PathSegment>, String> {
    let mut segments = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close_rel) = rest[open..].find('}') else {
            return Err(format!("unclosed `{{` in path template `{path}`"));
        };
        let close = open + close_rel;
        if open > 0 {
            segments.push(PathSegment::Literal(rest[..open].to_string()));
        }
        let name = &rest[open + 1..close];
        if name.is_empty() || name.contains('{') {
            return Err(format!(
                "malformed parameter `{{{name}}}` in path template `{path}`"
            ));
        }
        segments.push(PathSegment::Param(name.to_string()));
        rest = &rest[close + 1..];
    }
    if rest.contains('}') {
        return Err(format!("stray `}}` in path template `{path}`"));
    }
    if !rest.is_empty() {
        segments.push(PathSegment::Literal(rest.to_string()));
    }
    Ok(segments)
}

impl<'a> Lowerer<'a> {
    pub(crate) fn lower_paths(&mut self) {
        let mut method_names = Namespace::with_reserved(RESERVED_METHODS);
        // Operation name → (pointer, path) of the operation that took it.
        let mut seen_ids: BTreeMap<String, (String, String)> = BTreeMap::new();
        let mut paths: Vec<(&'a String, &'a ReferenceOr<openapiv3::PathItem>)> =
            self.api.paths.paths.iter().collect();
        // Written-out path items first, so that an operation keeps its
        // operationId at its own place and a path item `$ref` elsewhere
        // gets the renamed copy.
        paths.sort_by_key(|(path, item)| (matches!(item, ReferenceOr::Reference { .. }), *path));
        for (path, item) in paths {
            let pointer = join("/paths", path);
            if !path.starts_with('/') {
                self.c.error_hint(
                    &pointer,
                    format!("path `{path}` does not start with `/`"),
                    "write paths as `/segment/...`",
                );
            }
            let Some(item) = self.path_item(item, &pointer) else {
                continue;
            };
            let item_servers = self.server_list(&item.servers, &join(&pointer, "servers"));
            let segments = match split_template(path) {
                Ok(segments) => segments,
                Err(message) => {
                    self.c.error_hint(&pointer, message, "write each parameter as `{name}` with a non-empty name and matching braces");
                    continue;
                }
            };
            let mut ops: Vec<(Method, &'a OaOperation)> = [
                (Method::Get, &item.get),
                (Method::Put, &item.put),
                (Method::Post, &item.post),
                (Method::Delete, &item.delete),
                (Method::Options, &item.options),
                (Method::Head, &item.head),
                (Method::Patch, &item.patch),
                (Method::Trace, &item.trace),
            ]
            .into_iter()
            .filter_map(|(m, op)| op.as_ref().map(|op| (m, op)))
            .collect();
            ops.sort_by_key(|(m, _)| *m);
            // Whether an operation takes the path item's servers (warned
            // about once, at the path item).
            let mut inherit_servers = false;
            for (method, op) in ops {
                let op_pointer = join(&pointer, method.spec_name());
                let id = self.operation_name(op, method, path, &op_pointer, &mut seen_ids);
                let rust_name = method_names.claim(&names::snake(&id));
                let mut operation = self.operation(
                    id,
                    rust_name,
                    method,
                    path,
                    segments.clone(),
                    &item.parameters,
                    &pointer,
                    op,
                    &op_pointer,
                );
                if operation.servers.is_empty() && !item_servers.is_empty() {
                    operation.servers = item_servers.clone();
                    inherit_servers = true;
                }
                self.out.operations.push(operation);
            }
            if inherit_servers {
                let what = format!("each operation of `{path}` without servers of its own");
                self.warn_own_servers(&item_servers, &join(&pointer, "servers"), &what);
            }
        }
        self.out
            .operations
            .sort_by(|a, b| (&a.path, a.method).cmp(&(&b.path, b.method)));
    }

    /// The path item itself, following a `$ref` to another entry of
    /// `paths` (`#/paths/~1things`), the one kind of path item reference
    /// a single OpenAPI 3.0 document can hold; `None`, with an error, for
    /// anything else.
    fn path_item(
        &mut self,
        item: &'a ReferenceOr<openapiv3::PathItem>,
        pointer: &str,
    ) -> Option<&'a openapiv3::PathItem> {
        let mut current = item;
        let mut seen = BTreeSet::new();
        loop {
            let reference = match current {
                ReferenceOr::Item(item) => return Some(item),
                ReferenceOr::Reference { reference } => reference,
            };
            let target = reference
                .strip_prefix("#/paths/")
                .filter(|t| !t.contains('/'))
                .map(|t| t.replace("~1", "/").replace("~0", "~"));
            let found = target.as_ref().and_then(|t| self.api.paths.paths.get(t));
            match found {
                Some(next) if seen.insert(reference.clone()) => current = next,
                Some(_) => {
                    self.c.error_hint(
                        pointer,
                        format!("path item $ref `{reference}` leads round in a cycle"),
                        "make one of the path items in the cycle a written-out path item",
                    );
                    return None;
                }
                None => {
                    self.c.error_hint(
                        pointer,
                        format!("path item $ref `{reference}` names no path of this document"),
                        "refer to another path as `#/paths/~1segment~1...`, or write the path item inline",
                    );
                    return None;
                }
            }
        }
    }

    /// The unique name of an operation: its `operationId`; for one without,
    /// a name made from the method and path (`get /pets/{id}` is
    /// `get_pets_id`); for a later operation whose `operationId` an earlier
    /// one (in path, then method order) already took, the `operationId`
    /// followed by what tells its path apart (`f(a={a})` after `f(b={b})`
    /// is `f_a`), or by its method when the paths are the same. Each case
    /// warns. The name is the route's `operation_id` and the base of the
    /// Rust names, so it must be unique; the order makes it deterministic.
    fn operation_name(
        &mut self,
        op: &OaOperation,
        method: Method,
        path: &str,
        op_pointer: &str,
        seen: &mut BTreeMap<String, (String, String)>,
    ) -> String {
        let verb = method.spec_name();
        let wanted = match &op.operation_id {
            Some(id) => id.clone(),
            None => {
                let made = names::snake(&format!("{verb} {path}"));
                self.c.warn(
                    op_pointer,
                    format!(
                        "{} {path} has no `operationId`: it is named `{made}` after its method and path",
                        verb.to_uppercase()
                    ),
                    "give the operation an operationId to choose the name of its method",
                );
                made
            }
        };
        let Some((first_pointer, first_path)) = seen.get(&wanted).cloned() else {
            seen.insert(wanted.clone(), (op_pointer.to_string(), path.to_string()));
            return wanted;
        };
        let differs = path_difference(&first_path, path);
        let mut candidates = Vec::new();
        if !differs.is_empty() {
            candidates.push(format!("{wanted}_{differs}"));
        }
        candidates.push(format!("{wanted}_{verb}"));
        let unique = candidates
            .into_iter()
            .chain((2..).map(|n| format!("{wanted}_{n}")))
            .find(|name| !seen.contains_key(name))
            .unwrap_or_default();
        self.c.warn(
            &join(op_pointer, "operationId"),
            format!(
                "operationId `{wanted}` is also used at #{first_pointer}: this operation is named `{unique}`"
            ),
            "give every operation a unique operationId to choose the names yourself",
        );
        seen.insert(unique.clone(), (op_pointer.to_string(), path.to_string()));
        unique
    }

    #[allow(clippy::too_many_arguments)]
    fn operation(
        &mut self,
        id: String,
        rust_name: String,
        method: Method,
        path: &str,
        segments: Vec<PathSegment>,
        shared_params: &'a [ReferenceOr<Parameter>],
        path_pointer: &str,
        op: &'a OaOperation,
        pointer: &str,
    ) -> Operation {
        let type_prefix = names::pascal(&id);
        let params = self.params(
            shared_params,
            path_pointer,
            op,
            pointer,
            &segments,
            &type_prefix,
        );
        let body = self.body(op, pointer, &type_prefix);
        let responses = self.responses(op, pointer, &type_prefix);
        let (permissions, auth_required, security) = self.security(op, pointer);
        let servers = self.server_list(&op.servers, &join(pointer, "servers"));
        self.warn_own_servers(&servers, &join(pointer, "servers"), &format!("`{id}`"));
        if !op.callbacks.is_empty() {
            self.c.warn(
                &join(pointer, "callbacks"),
                "`callbacks` are ignored: the generated client makes requests and cannot receive them",
                "serve the callbacks with code of your own; the operation itself is generated",
            );
        }
        Operation {
            id,
            rust_name,
            method,
            path: path.to_string(),
            steps: super::steps::steps(&segments),
            segments,
            summary: op.summary.clone().unwrap_or_default(),
            description: op.description.clone().unwrap_or_default(),
            deprecated: op.deprecated,
            params,
            body,
            responses,
            permissions,
            auth_required,
            security,
            servers,
            pointer: pointer.to_string(),
        }
    }

    fn params(
        &mut self,
        shared: &'a [ReferenceOr<Parameter>],
        path_pointer: &str,
        op: &'a OaOperation,
        pointer: &str,
        segments: &[PathSegment],
        type_prefix: &str,
    ) -> Vec<Param> {
        fn table(c: &Components) -> &indexmap::IndexMap<String, ReferenceOr<Parameter>> {
            &c.parameters
        }
        // Operation parameters override path-level ones with the same name
        // and location.
        let mut merged: BTreeMap<(ParamLocation, String), (&'a Parameter, String)> =
            BTreeMap::new();
        let lists = [
            (shared, join(path_pointer, "parameters")),
            (op.parameters.as_slice(), join(pointer, "parameters")),
        ];
        for (list, list_pointer) in lists {
            let mut seen_here = BTreeSet::new();
            for (i, item) in list.iter().enumerate() {
                let at = format!("{list_pointer}/{i}");
                let Some((param, param_pointer)) = self.resolve(item, &at, "parameters", table)
                else {
                    continue;
                };
                let data = param.parameter_data_ref();
                let location = match param {
                    Parameter::Path { .. } => ParamLocation::Path,
                    Parameter::Query { .. } => ParamLocation::Query,
                    Parameter::Header { .. } => ParamLocation::Header,
                    Parameter::Cookie { .. } => ParamLocation::Cookie,
                };
                if location == ParamLocation::Header
                    && ["accept", "content-type", "authorization"]
                        .contains(&data.name.to_ascii_lowercase().as_str())
                {
                    // OpenAPI 3.0: such header parameters SHALL be ignored;
                    // the runtime sets these headers itself.
                    continue;
                }
                if !seen_here.insert((location, data.name.clone())) {
                    self.c
                        .error_hint(&at, format!("parameter `{}` is listed twice", data.name), "list each (name, location) once; an operation-level parameter overrides a path-level one");
                    continue;
                }
                merged.insert((location, data.name.clone()), (param, param_pointer));
            }
        }

        let template_names: Vec<&str> = segments
            .iter()
            .filter_map(|s| match s {
                PathSegment::Param(name) => Some(name.as_str()),
                PathSegment::Literal(_) => None,
            })
            .collect();
        let mut seen_template = BTreeSet::new();
        for name in &template_names {
            if !seen_template.insert(*name) {
                self.c.error_hint(
                    pointer,
                    format!("path parameter `{{{name}}}` appears twice in the template"),
                    "give every placeholder of the template a different name",
                );
            }
            if !merged.contains_key(&(ParamLocation::Path, name.to_string())) {
                self.c.error_hint(
                    pointer,
                    format!("path template has `{{{name}}}` but no path parameter `{name}` is declared"),
                    format!("add `- name: {name}\\n  in: path\\n  required: true\\n  schema: {{type: string}}`"),
                );
            }
        }

        // `params` and `body` are the names of the flat method's other arguments.
        let mut arg_names = Namespace::with_reserved(&["self", "body", "options", "params"]);
        let mut out = Vec::new();
        for ((location, name), (param, param_pointer)) in &merged {
            let data = param.parameter_data_ref();
            if *location == ParamLocation::Path {
                if !template_names.contains(&name.as_str()) {
                    self.c.error_hint(
                        param_pointer,
                        format!("path parameter `{name}` does not appear in the template"),
                        "rename it to match a `{name}` of the path, or make it a query parameter",
                    );
                    continue;
                }
                if !data.required {
                    self.c.error_hint(
                        &join(param_pointer, "required"),
                        format!("path parameter `{name}` must be `required: true`"),
                        "OpenAPI requires every path parameter to be required",
                    );
                }
            }
            let explode = data.explode;
            let mut style = match param {
                Parameter::Path {
                    style: PathStyle::Simple,
                    ..
                }
                | Parameter::Header { .. } => ParamStyle::Simple {
                    explode: explode.unwrap_or(false),
                },
                Parameter::Cookie { .. } => ParamStyle::Form {
                    explode: explode.unwrap_or(true),
                },
                Parameter::Query { style, .. } => match style {
                    QueryStyle::Form => ParamStyle::Form {
                        explode: explode.unwrap_or(true),
                    },
                    QueryStyle::SpaceDelimited => ParamStyle::SpaceDelimited {
                        explode: explode.unwrap_or(false),
                    },
                    QueryStyle::PipeDelimited => ParamStyle::PipeDelimited {
                        explode: explode.unwrap_or(false),
                    },
                    QueryStyle::DeepObject => ParamStyle::DeepObject,
                },
                Parameter::Path {
                    style: PathStyle::Label,
                    ..
                } => ParamStyle::Label {
                    explode: explode.unwrap_or(false),
                },
                Parameter::Path {
                    style: PathStyle::Matrix,
                    ..
                } => ParamStyle::Matrix {
                    explode: explode.unwrap_or(false),
                },
            };
            let schema = match &data.format {
                ParameterSchemaOrContent::Schema(schema) => self.schema_or_ref(
                    schema,
                    &join(param_pointer, "schema"),
                    &format!("{type_prefix}{}", names::pascal(name)),
                ),
                ParameterSchemaOrContent::Content(content) => {
                    let content_pointer = join(param_pointer, "content");
                    let Some((media_type, media)) = content.iter().find(|(k, _)| is_json(k)) else {
                        let found: Vec<&str> = content.keys().map(String::as_str).collect();
                        self.c.error_hint(
                            &content_pointer,
                            format!(
                                "parameter `{name}` has `content` {}, which is not JSON: only JSON-encoded parameters are generated",
                                if found.is_empty() { "with no media type".to_string() } else { found.join(", ") }
                            ),
                            "describe the parameter with `schema`, or as `application/json` content",
                        );
                        continue;
                    };
                    let Some(inner) = &media.schema else {
                        self.c.error_hint(
                            &join(&content_pointer, media_type),
                            format!("JSON-encoded parameter `{name}` has no `schema`"),
                            "add a schema (use `{}` for any JSON value)",
                        );
                        continue;
                    };
                    // The value travels as JSON text, whatever its shape.
                    style = ParamStyle::Json;
                    self.schema_or_ref(
                        inner,
                        &join(&join(&content_pointer, media_type), "schema"),
                        &format!("{type_prefix}{}", names::pascal(name)),
                    )
                }
            };
            if let Parameter::Query {
                allow_reserved: true,
                ..
            } = param
            {
                self.c.warn(
                    &join(param_pointer, "allowReserved"),
                    format!("`allowReserved: true` on `{name}` is not honoured: the runtime percent-encodes reserved characters in query values, which a server decodes to the same value"),
                    "drop `allowReserved` unless the server compares the raw query text",
                );
            }
            if style != ParamStyle::Json {
                let repeated = *location == ParamLocation::Query
                    && style == ParamStyle::Form { explode: true };
                self.check_param_shape(*location, name, &schema, param_pointer, repeated);
            }
            out.push(Param {
                name: name.clone(),
                rust_name: arg_names.claim(&names::snake(name)),
                location: *location,
                required: data.required,
                schema,
                style,
                description: data.description.clone().unwrap_or_default(),
                pointer: param_pointer.clone(),
            });
        }
        // Path parameters in template order, then the rest by location/name.
        out.sort_by_key(|p| {
            let position = template_names
                .iter()
                .position(|n| *n == p.name)
                .unwrap_or(usize::MAX);
            (p.location, position, p.name.clone())
        });
        out
    }

    fn body(&mut self, op: &'a OaOperation, pointer: &str, type_prefix: &str) -> Option<Body> {
        fn table(
            c: &Components,
        ) -> &indexmap::IndexMap<String, ReferenceOr<openapiv3::RequestBody>> {
            &c.request_bodies
        }
        let item = op.request_body.as_ref()?;
        let at = join(pointer, "requestBody");
        let (body, body_pointer) = self.resolve(item, &at, "requestBodies", table)?;
        let content_pointer = join(&body_pointer, "content");
        // The typed method sends one media type: JSON first, then a form,
        // text, one binary type, a range; `application/json` itself before
        // other JSON types; otherwise the spec's order.
        let Some((media_type, media)) = body.content.iter().min_by_key(|(k, _)| {
            (
                BodyKind::of(k),
                !k.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .eq_ignore_ascii_case("application/json"),
            )
        }) else {
            self.c.error_hint(
                &content_pointer,
                "request body has no media type under `content`",
                "describe the body, e.g. `application/json` with a schema",
            );
            return None;
        };
        let media_pointer = join(&content_pointer, media_type);
        let schema_pointer = join(&media_pointer, "schema");
        let mut kind = BodyKind::of(media_type);
        let others: Vec<String> = body
            .content
            .keys()
            .filter(|k| *k != media_type)
            .cloned()
            .collect();
        if !others.is_empty() {
            self.c.warn(
                &content_pointer,
                format!(
                    "the body is also documented as {}: the typed method sends `{media_type}`; the others go as raw bytes (`Args::raw`) with their schemas unchecked, and the generated server reads only `{media_type}`",
                    others.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
                ),
                "document one media type per body to have every one typed and checked",
            );
        }
        let any = || Schema {
            kind: SchemaKind::Any,
            nullable: false,
            description: String::new(),
            pointer: schema_pointer.clone(),
        };
        let mut parts = Vec::new();
        let schema = match kind {
            BodyKind::Raw if essence(media_type) == "multipart/form-data" => {
                let schema = media.schema.as_ref().map(|schema| {
                    self.schema_or_ref(schema, &schema_pointer, &format!("{type_prefix}Body"))
                });
                match schema.and_then(|s| Some((self.form_parts(&s, media, &media_pointer)?, s))) {
                    Some((form, schema)) => {
                        kind = BodyKind::Multipart;
                        parts = form;
                        schema
                    }
                    None => {
                        self.c.warn(
                            &media_pointer,
                            format!("`{media_type}` body without an object schema: the method takes the encoded body as bytes with the caller's `Content-Type` (boundary included); its parts are not built or checked"),
                            "give the body an object schema whose properties are its parts, or pass the encoded parts as a `RawBody` whose content type names the boundary",
                        );
                        any()
                    }
                }
            }
            BodyKind::Json => match &media.schema {
                Some(schema) => {
                    self.schema_or_ref(schema, &schema_pointer, &format!("{type_prefix}Body"))
                }
                None => {
                    self.c.error_hint(
                        &media_pointer,
                        "JSON request body without a `schema`",
                        "add a schema (use `{}` for any JSON value)",
                    );
                    return None;
                }
            },
            BodyKind::Form => {
                let schema = media.schema.as_ref().map(|schema| {
                    self.schema_or_ref(schema, &schema_pointer, &format!("{type_prefix}Body"))
                });
                match schema {
                    Some(schema) if self.form_fields(&schema, &schema_pointer) => schema,
                    _ => {
                        self.c.warn(
                            &media_pointer,
                            "form body without an object schema: the method takes the encoded bytes as they are, unchecked",
                            "give the form body an object schema whose properties are its fields",
                        );
                        kind = BodyKind::Binary;
                        any()
                    }
                }
            }
            BodyKind::Text => {
                let schema = media.schema.as_ref().map(|schema| {
                    self.schema_or_ref(schema, &schema_pointer, &format!("{type_prefix}Body"))
                });
                match schema {
                    None => any(),
                    Some(schema) => match self.resolved_kind(&schema) {
                        SchemaKind::String(_) | SchemaKind::Any => schema,
                        _ => {
                            self.c.warn(
                                &schema_pointer,
                                format!("the schema of the `{media_type}` body is not a string: the text is sent and read as it is, not checked against it"),
                                "describe a text body with `type: string` (and its pattern, lengths, format)",
                            );
                            any()
                        }
                    },
                }
            }
            BodyKind::Binary | BodyKind::Raw | BodyKind::Multipart => {
                if kind == BodyKind::Raw
                    && media_type.to_ascii_lowercase().starts_with("multipart/")
                {
                    self.c.warn(
                        &media_pointer,
                        format!("`{media_type}` body: the method takes the encoded body as bytes with the caller's `Content-Type` (boundary included); its parts are not built or checked"),
                        format!("encode the parts yourself and pass them as a `RawBody` whose content type names the boundary (`{}; boundary=...`)", essence(media_type)),
                    );
                } else if media.schema.as_ref().is_some_and(|s| !says_only_bytes(s)) {
                    self.c.warn(
                        &schema_pointer,
                        format!("the schema of the `{media_type}` body is not checked: the body is sent and read as bytes"),
                        "describe a binary body as `type: string, format: binary`",
                    );
                }
                any()
            }
        };
        Some(Body {
            content_type: media_type.clone(),
            kind,
            required: body.required,
            schema,
            description: body.description.clone().unwrap_or_default(),
            others,
            parts,
        })
    }

    /// Whether a form body's schema is an object, warning for each field
    /// a form cannot hold (an object, or a list, which `serde_urlencoded`
    /// does not write).
    fn form_fields(&mut self, schema: &crate::model::Schema, pointer: &str) -> bool {
        let properties = match self.resolved_kind(schema) {
            SchemaKind::Object(object) => object.properties,
            SchemaKind::AllOf(parts) => parts
                .iter()
                .filter_map(|p| match self.resolved_kind(p) {
                    SchemaKind::Object(object) => Some(object.properties),
                    _ => None,
                })
                .flatten()
                .collect(),
            _ => return false,
        };
        for property in properties {
            if !self.is_scalar(&property.schema)
                && !matches!(self.resolved_kind(&property.schema), SchemaKind::Any)
            {
                self.c.warn(
                    pointer,
                    format!("form field `{}` is not a string, number, integer or boolean: the client cannot form-encode a value for it, and refuses a call that sets one (located at `/body`)", property.name),
                    "give form fields scalar types",
                );
            }
        }
        true
    }

    fn responses(
        &mut self,
        op: &'a OaOperation,
        pointer: &str,
        type_prefix: &str,
    ) -> Vec<Response> {
        fn table(c: &Components) -> &indexmap::IndexMap<String, ReferenceOr<openapiv3::Response>> {
            &c.responses
        }
        let responses_pointer = join(pointer, "responses");
        let mut listed: Vec<(Status, String, &'a ReferenceOr<openapiv3::Response>)> = op
            .responses
            .responses
            .iter()
            .map(|(code, r)| match code {
                StatusCode::Code(n) => (Status::Code(*n), n.to_string(), r),
                StatusCode::Range(n) => (Status::Range(*n), format!("{n}XX"), r),
            })
            .collect();
        if let Some(default) = &op.responses.default {
            listed.push((Status::Default, "default".into(), default));
        }
        let mut out = Vec::new();
        if listed.is_empty() {
            // Nothing says what comes back: any 2xx is a success whose body,
            // if any, is handed over as it is (bytes), and any other status
            // is an error, as for every operation.
            self.c.warn(
                &responses_pointer,
                "operation documents no responses: its method returns the body of any 2xx response as raw bytes, unchecked, and treats other statuses as errors",
                "document at least the success response (its status and content) to get a typed result",
            );
            out.push(Response {
                status: Status::Range(2),
                description: "Not documented: any success.".to_string(),
                content_type: Some("*/*".to_string()),
                schema: None,
                headers: Vec::new(),
            });
        }
        for (status, key, item) in listed {
            let at = join(&responses_pointer, &key);
            match status {
                Status::Code(n) if !(100..=599).contains(&n) => {
                    self.c.error_hint(
                        &at,
                        format!("status code {n} is out of range"),
                        "use a status code between 100 and 599, a range 1XX..5XX, or `default`",
                    );
                    continue;
                }
                Status::Range(n) if !(1..=5).contains(&n) => {
                    self.c.error_hint(
                        &at,
                        format!("status range {n}XX is out of range"),
                        "use a status range between 1XX and 5XX",
                    );
                    continue;
                }
                _ => {}
            }
            let Some((response, response_pointer)) = self.resolve(item, &at, "responses", table)
            else {
                continue;
            };
            let content_pointer = join(&response_pointer, "content");
            let (content_type, schema) = match response.content.iter().find(|(k, _)| is_json(k)) {
                Some((media_type, media)) => {
                    let hint = match status {
                        Status::Default => format!("{type_prefix}DefaultResponse"),
                        _ => format!("{type_prefix}Response{key}"),
                    };
                    let schema = media.schema.as_ref().map(|s| {
                        self.schema_or_ref(
                            s,
                            &join(&join(&content_pointer, media_type), "schema"),
                            &hint,
                        )
                    });
                    (Some(media_type.clone()), schema)
                }
                // A non-JSON body (e.g. application/octet-stream) is passed
                // to the caller as bytes; its schema does not apply.
                None => (response.content.keys().next().cloned(), None),
            };
            let mut headers: Vec<String> = response.headers.keys().cloned().collect();
            headers.sort();
            out.push(Response {
                status,
                description: response.description.clone(),
                content_type,
                schema,
                headers,
            });
        }
        out
    }

    /// Turns security requirements into alternatives: each requirement
    /// object is one alternative, needing every scheme it names (sent as
    /// the runtime sends that kind of scheme) and all its scopes (the
    /// permissions).
    #[allow(clippy::type_complexity)]
    fn security(
        &mut self,
        op: &'a OaOperation,
        pointer: &str,
    ) -> (Vec<Vec<String>>, bool, Vec<Vec<SecurityScheme>>) {
        let (requirements, at) = match &op.security {
            Some(list) => (list.as_slice(), join(pointer, "security")),
            None => (
                self.api.security.as_deref().unwrap_or(&[]),
                "/security".to_string(),
            ),
        };
        let mut alternatives = Vec::new();
        let mut schemes = Vec::new();
        let mut optional = requirements.is_empty();
        for (i, requirement) in requirements.iter().enumerate() {
            if requirement.is_empty() {
                optional = true;
            }
            let mut scopes = Vec::new();
            let mut needed = Vec::new();
            for (scheme, wanted) in requirement {
                let place = join(&format!("{at}/{i}"), scheme);
                if let Some(kind) = self.scheme_kind(scheme, &place) {
                    needed.push(kind);
                }
                scopes.extend(wanted.iter().cloned());
            }
            scopes.sort();
            scopes.dedup();
            if !scopes.is_empty() {
                alternatives.push(scopes);
            }
            needed.sort();
            needed.dedup();
            schemes.push(needed);
        }
        (alternatives, !optional, schemes)
    }

    /// How the scheme named `name` in a requirement (at `place`) is sent;
    /// `None` (with an error) when `components/securitySchemes` does not
    /// define it. A scheme the runtime cannot send is warned about once,
    /// at its definition.
    fn scheme_kind(&mut self, name: &str, place: &str) -> Option<SecurityScheme> {
        use openapiv3::{APIKeyLocation, SecurityScheme as Oa};
        let defined = self
            .api
            .components
            .as_ref()
            .and_then(|c| c.security_schemes.get(name));
        let mut key = name.to_string();
        let mut found = defined;
        // A definition that is itself a `$ref` to another definition.
        if let Some(ReferenceOr::Reference { reference }) = found
            && let Some(target) = super::refs::component_name(reference, "securitySchemes")
        {
            found = self
                .api
                .components
                .as_ref()
                .and_then(|c| c.security_schemes.get(&target));
            key = target;
        }
        let definition = join("/components/securitySchemes", &key);
        let scheme = match found {
            Some(ReferenceOr::Item(scheme)) => scheme,
            Some(ReferenceOr::Reference { reference }) => {
                self.c.error_hint(
                    &definition,
                    format!("security scheme `{key}` is a $ref `{reference}` that names no security scheme"),
                    "refer to `#/components/securitySchemes/NAME` of a scheme written out",
                );
                return None;
            }
            None => {
                self.c.error_hint(
                    place,
                    format!("security requirement names undefined scheme `{name}`"),
                    format!("define `components/securitySchemes/{name}`"),
                );
                return None;
            }
        };
        let kind = match scheme {
            Oa::OAuth2 { .. } | Oa::OpenIDConnect { .. } => SecurityScheme::Bearer,
            Oa::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("bearer") => {
                SecurityScheme::Bearer
            }
            Oa::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("basic") => {
                SecurityScheme::Basic
            }
            Oa::APIKey { location, name, .. } => SecurityScheme::ApiKey {
                scheme: key.clone(),
                name: name.clone(),
                location: match location {
                    APIKeyLocation::Header => KeyLocation::Header,
                    APIKeyLocation::Query => KeyLocation::Query,
                    APIKeyLocation::Cookie => KeyLocation::Cookie,
                },
            },
            Oa::HTTP { scheme, .. } => {
                if self.warned_schemes.insert(key.clone()) {
                    self.c.warn(
                        &definition,
                        format!("security scheme `{key}` is HTTP `{scheme}` authentication, which the runtime cannot send: the client refuses, before sending, an operation that accepts nothing else, and the generated server does not check it"),
                        "the runtime sends bearer tokens (`oauth2`, `openIdConnect`, `http` `bearer`), `http` `basic` and `apiKey`; offer one of them as another alternative",
                    );
                }
                SecurityScheme::Unsupported {
                    scheme: key.clone(),
                }
            }
        };
        Some(kind)
    }
}

/// What tells `later` apart from `first`, as snake_case words: the words
/// of `later` after the part both paths start with, each word once
/// (`/r/f(date={date})` after `/r/f(period={period})` gives `date`).
/// Empty when `later` adds no word.
fn path_difference(first: &str, later: &str) -> String {
    let common = first
        .char_indices()
        .zip(later.chars())
        .find(|((_, a), b)| a != b)
        .map_or(first.len().min(later.len()), |((i, _), _)| i);
    // Back to the start of the word the paths differ in.
    let start = later[..common]
        .rfind(|c: char| !c.is_ascii_alphanumeric())
        .map_or(0, |i| i + 1);
    let rest = &later[start..];
    if !rest.chars().any(|c| c.is_ascii_alphanumeric()) {
        return String::new();
    }
    let mut words: Vec<String> = Vec::new();
    for word in names::snake(rest).trim_start_matches("r#").split('_') {
        if !word.is_empty() && !words.iter().any(|w| w == word) {
            words.push(word.to_string());
        }
    }
    words.join("_")
}

/// Whether a binary body's schema says no more than "bytes": absent from
/// the spec's point of view (`{}`), or `type: string` with format
/// `binary`, `byte` or none and no constraint.
fn says_only_bytes(schema: &ReferenceOr<openapiv3::Schema>) -> bool {
    use openapiv3::{SchemaKind as Oa, StringType, Type, VariantOrUnknownOrEmpty};
    let ReferenceOr::Item(schema) = schema else {
        return false;
    };
    match &schema.schema_kind {
        Oa::Any(any) => *any == openapiv3::AnySchema::default(),
        Oa::Type(Type::String(StringType {
            format,
            pattern: None,
            enumeration,
            min_length: None,
            max_length: None,
        })) => {
            enumeration.is_empty()
                && match format {
                    VariantOrUnknownOrEmpty::Empty => true,
                    VariantOrUnknownOrEmpty::Item(f) => matches!(
                        f,
                        openapiv3::StringFormat::Binary | openapiv3::StringFormat::Byte
                    ),
                    VariantOrUnknownOrEmpty::Unknown(_) => false,
                }
        }
        _ => false,
    }
}

impl<'a> Lowerer<'a> {
    /// Warns where an operation's own `servers` (at `pointer`) behave in
    /// a way a caller may not expect: an absolute URL is called whatever
    /// base URL the client is given (but a loopback one), and only the
    /// first of several servers is called. A relative URL resolves against
    /// the base URL, as a caller expects, and says nothing.
    /// `what` names the operations, for the message.
    fn warn_own_servers(&mut self, servers: &[crate::model::Server], pointer: &str, what: &str) {
        let Some(first) = servers.first() else {
            return;
        };
        if first.url.contains("://") || first.url.starts_with("//") {
            self.c.warn(
                pointer,
                format!(
                    "{what} goes to `{}` whatever base URL the client is given, credentials included; a loopback base URL keeps only the server's path, under it",
                    first.url
                ),
                "give the server as a relative URL (`/upload`) if the operation lives beside the rest of the API",
            );
        }
        if servers.len() > 1 {
            let others: Vec<String> = servers[1..]
                .iter()
                .map(|s| format!("`{}`", s.url))
                .collect();
            self.c.warn(
                pointer,
                format!(
                    "{} servers are listed here: {what} goes to the first, `{}`, never to {}",
                    servers.len(),
                    first.url,
                    others.join(", ")
                ),
                "list the server to call first; the others stay in the route table (`Route::servers`) but are not called",
            );
        }
    }

    /// Parameters are written as text by the runtime in their style:
    /// scalars, arrays of scalars, and objects, whose nested values travel
    /// as JSON text. What the styles cannot spell without ambiguity is
    /// refused: arrays of objects or arrays, an object made of several
    /// `allOf` parts, and a choice that is not among scalars. A JSON-encoded
    /// parameter (`content`) is not checked here: it can be anything.
    fn check_param_shape(
        &mut self,
        location: ParamLocation,
        name: &str,
        schema: &crate::model::Schema,
        pointer: &str,
        repeated: bool,
    ) {
        let kind = &self.resolved_kind(schema);
        let what = match kind {
            SchemaKind::Object(_) => None,
            SchemaKind::AllOf(_) => Some("an object made of several `allOf` parts"),
            // Each variant a scalar (`NameOrId`: a name or a uuid): the value
            // is written as text like any scalar, and the validators judge it
            // against the combination.
            SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts)
                if parts.iter().all(|p| self.is_scalar(p)) =>
            {
                None
            }
            // Scalars or lists of them (buildomat's "one id or a list of
            // them") in an exploded query parameter: a list is one pair
            // per item, as the style says, and reads back as a list of
            // two or more (one item reads back as the scalar).
            SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts)
                if repeated && parts.iter().all(|p| self.is_scalar_or_list(p)) =>
            {
                None
            }
            // Elsewhere such a variant, or an object variant: generated
            // like any choice, checked against it, and written as one
            // text, which cannot tell a list from a string.
            SchemaKind::OneOf(_) | SchemaKind::AnyOf(_) => {
                self.c.warn(
                    &join(pointer, "schema"),
                    format!(
                        "parameter `{name}` is a oneOf/anyOf with a variant that is an object, or a list outside an exploded query parameter: it is checked against the choice, but such a value is written as one text (items joined by commas, an object as JSON), so a list does not read back as a list"
                    ),
                    "make every variant a scalar (in an exploded query parameter, also a list of them), or split the parameter in two",
                );
                None
            }
            SchemaKind::Array(a) => match self.resolved_kind(&a.items) {
                SchemaKind::Object(_) | SchemaKind::AllOf(_) | SchemaKind::Array(_) => {
                    Some("an array of objects or arrays")
                }
                _ => None,
            },
            _ => None,
        };
        if let Some(what) = what {
            self.c.error_hint(
                &join(pointer, "schema"),
                format!(
                    "parameter `{name}` is {what}, which is not supported in the {} yet",
                    match location {
                        ParamLocation::Path => "path",
                        ParamLocation::Query => "query",
                        ParamLocation::Header => "headers",
                        ParamLocation::Cookie => "cookies",
                    }
                ),
                "use a string, number, integer or boolean, an array of them, or an object of them, or send it JSON-encoded with `content: {application/json: {schema: ...}}`",
            );
        }
    }

    /// Whether a schema stands for a scalar or an array of scalars.
    fn is_scalar_or_list(&self, schema: &crate::model::Schema) -> bool {
        match self.resolved_kind(schema) {
            SchemaKind::Array(a) => self.is_scalar(&a.items),
            _ => self.is_scalar(schema),
        }
    }

    /// Whether a schema stands for a string, number, integer or boolean.
    fn is_scalar(&self, schema: &crate::model::Schema) -> bool {
        matches!(
            self.resolved_kind(schema),
            SchemaKind::String(_)
                | SchemaKind::Integer(_)
                | SchemaKind::Number(_)
                | SchemaKind::Boolean(_)
        )
    }

    /// The kind a schema stands for once aliases are seen through (see
    /// [`crate::model::Api::resolve`]). Aliases among the components are
    /// resolved before operations are lowered, and each type hoisted since
    /// is settled as it is added (see `aliases::settle`), so no chain is
    /// followed here. A reference that stands for no type (reported where
    /// it is written) or only for a ring of references is `Any`.
    fn resolved_kind(&self, schema: &crate::model::Schema) -> SchemaKind {
        match &self.out.resolve(schema).kind {
            SchemaKind::Named(_) => SchemaKind::Any,
            other => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_split() {
        assert_eq!(
            split_template("/a/{x}/b").unwrap(),
            vec![
                PathSegment::Literal("/a/".into()),
                PathSegment::Param("x".into()),
                PathSegment::Literal("/b".into())
            ]
        );
        assert!(split_template("/a/{x").is_err());
        assert!(split_template("/a/}x").is_err());
        assert!(split_template("/a/{}").is_err());
    }

    #[test]
    fn json_media_types() {
        assert!(is_json("application/json"));
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("application/problem+json"));
        assert!(!is_json("application/octet-stream"));
        assert!(!is_json("multipart/form-data"));
    }

    #[test]
    fn paths_differ_by_their_own_words() {
        assert_eq!(
            path_difference(
                "/reports/getCounts(period='{period}')",
                "/reports/getCounts(date={date})"
            ),
            "date"
        );
        assert_eq!(path_difference("/a", "/b/{id}"), "b_id");
        assert_eq!(path_difference("/a/b", "/a/bc"), "bc");
        assert_eq!(path_difference("/a/{id}", "/a/{id}"), "");
        assert_eq!(path_difference("/a/x/y", "/a"), "a");
    }
}
