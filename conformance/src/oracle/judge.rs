//! The oracle proper: judges a recorded exchange against the spec.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::matching::{self, Resolution};
use super::operations::{SpecMedia, SpecOperation, SpecParam};
use super::path_styles::typed;
use super::query_styles::{RawPair, form_decode};
use super::spec::{SpecDoc, is_json};
use super::verdict::{Check, Verdict};
use crate::exchange::{Exchange, Request, Response};

/// A spec, read once, ready to judge exchanges.
pub struct Oracle {
    doc: SpecDoc,
    operations: Vec<SpecOperation>,
    roots: Vec<String>,
    /// Compiled validators, each schema compiled once.
    validators: Vec<jsonschema::Validator>,
    /// The validator of a schema, by the schema's JSON text (for schemas
    /// callers built themselves).
    by_text: HashMap<String, usize>,
    /// The validator of each schema the operations hold, by the schema's
    /// address: judging an exchange finds its validators without writing
    /// each schema out as text (the text key cost more than validating a
    /// small body). The operations are never changed after [`Oracle::new`],
    /// so these addresses stay theirs for the oracle's life.
    by_address: HashMap<usize, usize>,
    /// Each parameter object of the operations, by its pointer, so that
    /// reading a parameter's style does not walk the document per request.
    param_objects: HashMap<String, Value>,
    /// Whether passing findings are left without their detail text.
    quiet: bool,
}

impl std::fmt::Debug for Oracle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oracle")
            .field("spec", &self.doc.name)
            .field("operations", &self.operations.len())
            .finish()
    }
}

impl Oracle {
    /// Reads the spec at `path`.
    pub fn load(path: &Path) -> Result<Oracle, String> {
        Oracle::new(SpecDoc::load(path)?)
    }

    /// Builds the oracle; fails with every unreadable part of the spec
    /// (dangling `$ref`, a schema that does not compile) named.
    pub fn new(doc: SpecDoc) -> Result<Oracle, String> {
        let operations = doc.operations().map_err(|p| p.join("\n"))?;
        let roots = matching::server_roots(&doc.root);
        let mut validators = Vec::new();
        let mut by_text = HashMap::new();
        let mut by_address = HashMap::new();
        let mut param_objects = HashMap::new();
        let mut problems = Vec::new();
        for op in &operations {
            let mut schemas: Vec<&Value> = Vec::new();
            schemas.extend(op.parameters.iter().filter_map(|p| p.schema.as_ref()));
            if let Some(body) = &op.request_body {
                schemas.extend(body.content.iter().filter_map(|m| m.schema.as_ref()));
            }
            for response in &op.responses {
                schemas.extend(response.content.iter().filter_map(|m| m.schema.as_ref()));
                schemas.extend(response.headers.iter().filter_map(|h| h.schema.as_ref()));
            }
            for schema in schemas {
                let key = schema.to_string();
                let index = match by_text.get(&key) {
                    Some(&index) => index,
                    None => match doc.validator(schema) {
                        Ok(validator) => {
                            validators.push(validator);
                            by_text.insert(key, validators.len() - 1);
                            validators.len() - 1
                        }
                        Err(e) => {
                            problems.push(e);
                            continue;
                        }
                    },
                };
                by_address.insert(std::ptr::from_ref(schema) as usize, index);
            }
            for param in &op.parameters {
                if let Some(object) = doc.root.pointer(&param.pointer) {
                    param_objects
                        .entry(param.pointer.clone())
                        .or_insert_with(|| object.clone());
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems.join("\n"));
        }
        // Moving the vector of operations into the oracle moves no
        // operation: the addresses above stay valid.
        Ok(Oracle {
            doc,
            operations,
            roots,
            validators,
            by_text,
            by_address,
            param_objects,
            quiet: false,
        })
    }

    /// The same oracle for callers that read only failures (the proxy's
    /// log): a passing finding's detail is left empty instead of being
    /// written, which spares each judged exchange about a dozen strings.
    /// Outcomes and failure details are the same.
    pub fn quiet(mut self) -> Oracle {
        self.quiet = true;
        self
    }

    /// The spec document.
    pub fn doc(&self) -> &SpecDoc {
        &self.doc
    }

    /// Every operation, sorted by path then method.
    pub fn operations(&self) -> &[SpecOperation] {
        &self.operations
    }

    /// The operation with this `operationId`.
    pub fn operation(&self, operation_id: &str) -> Option<&SpecOperation> {
        self.operations
            .iter()
            .find(|op| op.operation_id == operation_id)
    }

    /// The service root paths of the spec's servers (e.g. `/beta`).
    pub fn roots(&self) -> &[String] {
        &self.roots
    }

    /// Validates `instance` against `schema` (a schema of this spec) and
    /// lists every error as `at <pointer>: <message>`.
    pub fn validate(&self, schema: &Value, instance: &Value) -> Vec<String> {
        let compiled;
        let known = self
            .by_address
            .get(&(std::ptr::from_ref(schema) as usize))
            .or_else(|| self.by_text.get(&schema.to_string()));
        let validator = match known {
            Some(&index) => &self.validators[index],
            None => match self.doc.validator(schema) {
                Ok(v) => {
                    compiled = v;
                    &compiled
                }
                Err(e) => return vec![e],
            },
        };
        validator
            .iter_errors(instance)
            .map(|e| {
                let at = e.instance_path().to_string();
                let at = if at.is_empty() { "/".to_string() } else { at };
                format!("at `{at}`: {e}")
            })
            .collect()
    }

    /// Judges the request and the response of an exchange.
    pub fn judge(&self, exchange: &Exchange) -> Verdict {
        let (mut verdict, operation) = self.judge_request_inner(&exchange.request);
        match operation {
            None => {
                for check in [
                    Check::ResponseStatus,
                    Check::ResponseHeaders,
                    Check::ResponseBody,
                ] {
                    verdict.skip(check, "no operation of the spec matched the request");
                }
            }
            Some(op) => match &exchange.response {
                None => {
                    verdict.push(
                        Check::ResponseStatus,
                        vec!["no response: the connection closed before one was sent".into()],
                        String::new,
                    );
                    verdict.skip(Check::ResponseHeaders, "no response");
                    verdict.skip(Check::ResponseBody, "no response");
                }
                Some(response) => self.judge_response(op, response, &mut verdict),
            },
        }
        verdict
    }

    /// Judges a request alone (no response checks).
    pub fn judge_request(&self, request: &Request) -> Verdict {
        self.judge_request_inner(request).0
    }

    fn judge_request_inner(&self, request: &Request) -> (Verdict, Option<&SpecOperation>) {
        let mut verdict = Verdict {
            operation: None,
            findings: Vec::new(),
            quiet: self.quiet,
        };
        let request_checks = [
            Check::PathParameters,
            Check::Query,
            Check::Security,
            Check::Headers,
            Check::Body,
        ];
        let resolved = matching::resolve(
            &self.operations,
            &self.roots,
            &request.method,
            &request.path,
        );
        let (op, matched) = match resolved {
            Resolution::Operation {
                operation, matched, ..
            } => (operation, matched),
            other => {
                let problem = match other {
                    Resolution::OutsideRoots => format!(
                        "path `{}` is not under a service root of the spec ({})",
                        request.path,
                        self.roots.join(", ")
                    ),
                    Resolution::NoTemplate { relative, nearest } => {
                        let mut text = format!("no path template of the spec matches `{relative}`");
                        if let Some(nearest) = nearest {
                            text.push_str(&format!(" (nearest template: `{nearest}`)"));
                        }
                        text
                    }
                    Resolution::MethodNotDefined {
                        template, allowed, ..
                    } => format!(
                        "method {} is not defined for `{template}`; the spec defines {}",
                        request.method,
                        allowed.join(", ")
                    ),
                    Resolution::Operation { .. } => unreachable!("handled above"),
                };
                verdict.push(Check::Route, vec![problem], String::new);
                for check in request_checks {
                    verdict.skip(check, "no operation of the spec matched the request");
                }
                return (verdict, None);
            }
        };
        verdict.operation = Some(op.operation_id.clone());
        verdict.push(Check::Route, Vec::new(), || {
            let mut detail = format!("{} {} ({})", op.method, op.path, op.operation_id);
            if !op.server_paths.is_empty() {
                // Where a client with a loopback base URL sends it; a real
                // host of its own is not something this oracle sees.
                detail.push_str(&format!(
                    ", under its own server's path `{}`",
                    matched
                        .template
                        .strip_suffix(op.path.as_str())
                        .unwrap_or("")
                ));
            }
            detail
        });
        self.check_path_params(op, &matched.raw_params, &mut verdict);
        self.check_query(op, request, &mut verdict);
        super::headers::check_security(op, request, &mut verdict);
        self.check_headers(op, request, &mut verdict);
        self.check_body(op, request, &mut verdict);
        (verdict, Some(op))
    }

    fn check_path_params(&self, op: &SpecOperation, raw: &[(String, String)], v: &mut Verdict) {
        let mut problems = Vec::new();
        let mut shown = Vec::new();
        for (name, value) in raw {
            let Some(param) = op.path_params().find(|p| &p.name == name) else {
                problems.push(format!(
                    "template parameter `{name}` is not declared as a path parameter"
                ));
                continue;
            };
            if value == "." || value == ".." {
                problems.push(format!(
                    "`{name}` is the dot segment `{value}`, which URL normalisation removes"
                ));
                continue;
            }
            if let Some(read) = self.styled_path_value(param, value) {
                match read {
                    Ok(read) => {
                        if let Some(schema) = &param.schema {
                            problems.extend(
                                self.validate(schema, &read)
                                    .into_iter()
                                    .map(|e| format!("path `{name}` {e}")),
                            );
                        }
                        if v.wants_details() {
                            shown.push(format!("{name} = {read}"));
                        }
                    }
                    Err(problem) => problems.push(format!(
                        "`{name}` = `{value}` does not follow its style: {problem}"
                    )),
                }
                continue;
            }
            let Some(decoded) = matching::decode(value) else {
                problems.push(format!(
                    "`{name}` = `{value}` does not percent-decode to UTF-8"
                ));
                continue;
            };
            problems.extend(self.check_param_value(param, &decoded));
            if v.wants_details() {
                shown.push(format!("{name} = {decoded:?}"));
            }
        }
        v.push(Check::PathParameters, problems, || {
            if shown.is_empty() {
                "no path parameters".to_string()
            } else {
                shown.join(", ")
            }
        });
    }

    /// A path parameter spelt by its style (see [`super::path_styles`]),
    /// read from its raw segment; `None` for a plain `simple` scalar.
    fn styled_path_value(&self, param: &SpecParam, raw: &str) -> Option<Result<Value, String>> {
        self.styled(param, |object, schema, resolve| {
            super::path_styles::value(object, schema, raw, resolve)
        })
    }

    /// Validates one parameter value (text from the wire) against the
    /// parameter's schema, reading numbers and booleans as the schema's
    /// type says (OpenAPI's `simple`/`form` styles for scalars).
    fn check_param_value(&self, param: &SpecParam, text: &str) -> Vec<String> {
        let Some(schema) = &param.schema else {
            return Vec::new();
        };
        let resolve = |v: &Value| {
            self.doc
                .resolve(v, &param.pointer)
                .map_or_else(|| v.clone(), |(s, _)| s.clone())
        };
        let resolved = resolve(schema);
        // A `oneOf`/`anyOf` of scalars: the text is read as each variant's
        // type in turn (`5` is an integer for one, a string for another).
        let readings = match choice_variants(&resolved, &resolve) {
            Some(variants) => variants
                .iter()
                .map(|variant| typed(variant, text.to_string()))
                .chain([Value::String(text.to_string())])
                .collect(),
            None => vec![typed(&resolved, text.to_string())],
        };
        self.first_reading(param, schema, readings)
    }

    /// No problems when one of `readings` (ways to read what was sent)
    /// validates against `schema`; else the problems of the first.
    fn first_reading(
        &self,
        param: &SpecParam,
        schema: &Value,
        readings: Vec<Value>,
    ) -> Vec<String> {
        let mut first = None;
        for reading in readings {
            let problems = self.validate(schema, &reading);
            if problems.is_empty() {
                return Vec::new();
            }
            first.get_or_insert(problems);
        }
        first
            .unwrap_or_default()
            .into_iter()
            .map(|e| format!("{} `{}` {e}", param.location, param.name))
            .collect()
    }

    /// The readings of a `oneOf`/`anyOf` query parameter that has an array
    /// or object variant, and the pairs they took: each such variant's
    /// reading in the parameter's style, and when one pair carries the
    /// name, that pair read as each scalar variant (one item of a list is
    /// spelt as a scalar is). `None` for any other parameter.
    fn choice_query_readings(
        &self,
        param: &SpecParam,
        pairs: &[RawPair],
    ) -> Option<(Vec<Value>, Vec<usize>)> {
        self.styled(param, |object, schema, resolve| {
            let variants = choice_variants(schema, resolve)?;
            let structured = |v: &Value| {
                matches!(
                    v.get("type").and_then(Value::as_str),
                    Some("array" | "object")
                )
            };
            if !variants.iter().any(structured) {
                return None;
            }
            let named: Vec<usize> = (0..pairs.len())
                .filter(|&i| pairs[i].name == param.name)
                .collect();
            let mut readings = Vec::new();
            if let [one] = named[..] {
                let text = form_decode(&pairs[one].value);
                for variant in variants.iter().filter(|v| !structured(v)) {
                    readings.push(typed(variant, text.clone()));
                }
            }
            let mut taken = named;
            for variant in variants.iter().filter(|v| structured(v)) {
                // A style that does not apply to a variant gives it no reading.
                if let Some(Ok(read)) = super::query_styles::read(object, variant, pairs, resolve) {
                    taken.extend(read.taken);
                    readings.extend(read.value);
                }
            }
            taken.sort_unstable();
            taken.dedup();
            Some((readings, taken))
        })
    }

    fn check_query(&self, op: &SpecOperation, request: &Request, v: &mut Verdict) {
        let pairs = request
            .query
            .as_deref()
            .map(RawPair::split)
            .unwrap_or_default();
        let declared: Vec<&SpecParam> = op
            .parameters
            .iter()
            .filter(|p| p.location == "query")
            .collect();
        let mut problems = Vec::new();
        // Pairs a declared parameter took (an exploded object's properties
        // and a deepObject's `name[key]` pairs carry other names).
        let mut taken = vec![false; pairs.len()];
        for param in &declared {
            if let Some(read) = self.styled_query_value(param, &pairs) {
                match read {
                    Err(why) => problems.push(format!("query `{}`: {why}", param.name)),
                    Ok(read) => {
                        for at in read.taken {
                            taken[at] = true;
                        }
                        match (read.value, &param.schema) {
                            (None, _) if param.required => problems.push(format!(
                                "required query parameter `{}` is missing",
                                param.name
                            )),
                            (Some(value), Some(schema)) => problems.extend(
                                self.validate(schema, &value)
                                    .into_iter()
                                    .map(|e| format!("query `{}` {e}", param.name)),
                            ),
                            _ => {}
                        }
                    }
                }
                continue;
            }
            if let Some((readings, took)) = self.choice_query_readings(param, &pairs) {
                for at in took {
                    taken[at] = true;
                }
                match &param.schema {
                    _ if readings.is_empty() && param.required => problems.push(format!(
                        "required query parameter `{}` is missing",
                        param.name
                    )),
                    Some(schema) if !readings.is_empty() => {
                        problems.extend(self.first_reading(param, schema, readings))
                    }
                    _ => {}
                }
                continue;
            }
            let mut found = false;
            for (at, pair) in pairs.iter().enumerate() {
                if pair.name == param.name {
                    taken[at] = true;
                    found = true;
                    problems.extend(self.check_param_value(param, &form_decode(&pair.value)));
                }
            }
            if !found && param.required {
                problems.push(format!(
                    "required query parameter `{}` is missing",
                    param.name
                ));
            }
        }
        for (pair, taken) in pairs.iter().zip(&taken) {
            if !taken && !declared.iter().any(|p| p.name == pair.name) {
                problems.push(format!(
                    "query parameter `{}` is not declared by the operation",
                    pair.name
                ));
            }
        }
        v.push(Check::Query, problems, || {
            if pairs.is_empty() {
                "no query parameters".to_string()
            } else {
                format!("{} declared query parameter(s)", pairs.len())
            }
        });
    }

    /// A query parameter of array or object type read in its style (see
    /// [`super::query_styles`]); `None` for a scalar.
    fn styled_query_value(
        &self,
        param: &SpecParam,
        pairs: &[RawPair],
    ) -> Option<Result<super::query_styles::Read, String>> {
        self.styled(param, |object, schema, resolve| {
            super::query_styles::read(object, schema, pairs, resolve)
        })
    }

    /// Runs a style reader on `param`: it gets the parameter object, its
    /// schema with `$ref`s followed, and a resolver for the schemas inside
    /// it (items, properties); `None` when the parameter has no schema.
    fn styled<T>(
        &self,
        param: &SpecParam,
        read: impl FnOnce(&Value, &Value, &dyn Fn(&Value) -> Value) -> Option<T>,
    ) -> Option<T> {
        let object = match self.param_objects.get(&param.pointer) {
            Some(object) => object,
            None => self.doc.root.pointer(&param.pointer)?,
        };
        let schema = param.schema.as_ref()?;
        let resolve = |v: &Value| {
            self.doc
                .resolve(v, &param.pointer)
                .map_or_else(|| v.clone(), |(s, _)| s.clone())
        };
        // The top schema by reference: a clone per parameter per request
        // would cost more than reading a plain scalar.
        let top = self
            .doc
            .resolve(schema, &param.pointer)
            .map_or(schema, |(s, _)| s);
        read(object, top, &resolve)
    }

    fn check_headers(&self, op: &SpecOperation, request: &Request, v: &mut Verdict) {
        let mut problems = Vec::new();
        let mut seen = Vec::new();
        for param in op.parameters.iter().filter(|p| p.location == "header") {
            // OpenAPI: header parameters named Accept, Content-Type or
            // Authorization are ignored; those are checked below.
            if ["accept", "content-type", "authorization"]
                .iter()
                .any(|h| param.name.eq_ignore_ascii_case(h))
            {
                continue;
            }
            match request.headers.get(&param.name) {
                None if param.required => {
                    problems.push(format!("required header `{}` is missing", param.name))
                }
                None => {}
                Some(value) => {
                    problems.extend(self.check_param_value(param, value));
                    if v.wants_details() {
                        seen.push(param.name.clone());
                    }
                }
            }
        }
        if !request.body.is_empty()
            && let Some(body) = &op.request_body
        {
            let lines = request.headers.get_all("content-type").count();
            match request.headers.get("content-type") {
                None => problems.push("a body was sent without `Content-Type`".into()),
                // One media type, not a list (RFC 9110 §8.3), so one line
                // (§5.3).
                Some(_) if lines > 1 => problems.push(format!(
                    "`Content-Type` sent {lines} times; a body has one media type"
                )),
                Some(sent) => {
                    if find_media(&body.content, sent).is_none() {
                        problems.push(format!(
                            "`Content-Type: {sent}` is not a media type the operation accepts ({})",
                            media_list(&body.content)
                        ));
                    } else if v.wants_details() {
                        seen.push(format!("Content-Type: {sent}"));
                    }
                }
            }
        }
        let answered: Vec<&SpecMedia> = op.responses.iter().flat_map(|r| &r.content).collect();
        // Several `Accept` lines are one list (RFC 9110 §5.3, §12.5.1).
        let accept_lines: Vec<&str> = request.headers.get_all("accept").collect();
        if !accept_lines.is_empty() {
            let accept = accept_lines.join(", ");
            let accept = accept.as_str();
            if !answered.is_empty() && !answered.iter().any(|m| accepts(accept, &m.media_type)) {
                problems.push(format!(
                    "`Accept: {accept}` admits none of the documented response media types ({})",
                    answered
                        .iter()
                        .map(|m| m.media_type.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            } else if v.wants_details() {
                seen.push(format!("Accept: {accept}"));
            }
        }
        v.push(Check::Headers, problems, || {
            if seen.is_empty() {
                "no header constraints apply".to_string()
            } else {
                seen.join(", ")
            }
        });
    }

    fn check_body(&self, op: &SpecOperation, request: &Request, v: &mut Verdict) {
        let body = &request.body;
        let Some(spec) = &op.request_body else {
            if body.is_empty() {
                v.push(Check::Body, Vec::new(), || "no body (none declared)".into());
            } else {
                v.push(
                    Check::Body,
                    vec![format!(
                        "the operation takes no request body, but {} bytes were sent",
                        body.length
                    )],
                    String::new,
                );
            }
            return;
        };
        if body.is_empty() {
            let problems = if spec.required {
                vec!["the request body is required, but none was sent".to_string()]
            } else {
                Vec::new()
            };
            v.push(Check::Body, problems, || "no body (optional)".into());
            return;
        }
        if !body.is_complete() {
            v.skip(
                Check::Body,
                &format!("body of {} bytes is too large to check", body.length),
            );
            return;
        }
        let sent = request.headers.get("content-type").unwrap_or("");
        let Some(media) = find_media(&spec.content, sent) else {
            v.push(
                Check::Body,
                vec![format!(
                    "cannot pick a schema: `Content-Type` {sent:?} matches none of {}",
                    media_list(&spec.content)
                )],
                String::new,
            );
            return;
        };
        if essence_of(&media.media_type).eq_ignore_ascii_case("multipart/form-data")
            && let Some(properties) = media
                .schema
                .as_ref()
                .and_then(|schema| super::multipart::properties(&self.doc, schema))
        {
            self.check_form(&properties, sent, &body.bytes, v);
            return;
        }
        if !is_json(&media.media_type) {
            v.push(Check::Body, Vec::new(), || {
                format!(
                    "{} bytes of {} (only JSON bodies are validated)",
                    body.length, media.media_type
                )
            });
            return;
        }
        let value: Value = match serde_json::from_slice(&body.bytes) {
            Ok(value) => value,
            Err(e) => {
                v.push(
                    Check::Body,
                    vec![format!("the body is not valid JSON: {e}")],
                    String::new,
                );
                return;
            }
        };
        let problems = match &media.schema {
            Some(schema) => self.validate(schema, &value),
            None => Vec::new(),
        };
        v.push(Check::Body, problems, || match &media.schema {
            Some(_) => format!(
                "valid against {}",
                media.schema_pointer.as_deref().unwrap_or("its schema")
            ),
            None => "JSON (no schema given)".into(),
        });
    }

    /// Judges a `multipart/form-data` body part by part (see
    /// [`super::multipart`]).
    fn check_form(
        &self,
        properties: &[super::multipart::Property<'_>],
        content_type: &str,
        bytes: &[u8],
        v: &mut Verdict,
    ) {
        use super::multipart::{is_file, parse, value_of};
        let parts = match parse(content_type, bytes) {
            Ok(parts) => parts,
            Err(e) => {
                let problem = format!("the body is not `multipart/form-data`: {e}");
                v.push(Check::Body, vec![problem], String::new);
                return;
            }
        };
        let mut problems = Vec::new();
        let mut files = 0;
        for property in properties {
            let name = &property.name;
            let given: Vec<&[u8]> = parts
                .iter()
                .filter(|p| p.name == *name)
                .map(|p| p.bytes.as_slice())
                .collect();
            if given.is_empty() {
                if property.required {
                    problems.push(format!("the required part `{name}` was not sent"));
                }
                continue;
            }
            if is_file(&self.doc, property.resolved) {
                files += given.len();
                continue;
            }
            let Ok(texts) = given
                .iter()
                .map(|b| std::str::from_utf8(b))
                .collect::<Result<Vec<&str>, _>>()
            else {
                problems.push(format!("part `{name}` is not UTF-8 text"));
                continue;
            };
            let array = property.resolved.get("type").and_then(Value::as_str) == Some("array");
            if texts.len() > 1 && !array {
                problems.push(format!(
                    "part `{name}` was sent {} times; its property is not a list",
                    texts.len()
                ));
                continue;
            }
            let value = value_of(&self.doc, property.resolved, &texts);
            problems.extend(
                self.validate(property.schema, &value)
                    .into_iter()
                    .map(|p| format!("part `{name}` {p}")),
            );
        }
        v.push(Check::Body, problems, || {
            format!(
                "{} parts of multipart/form-data; text parts valid against their properties, {files} file part(s) not checked",
                parts.len()
            )
        });
    }

    fn judge_response(&self, op: &SpecOperation, response: &Response, v: &mut Verdict) {
        let status = response.status;
        let documented = op.response_for(status);
        let keys = || {
            op.responses
                .iter()
                .map(|r| r.status.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some(spec) = documented else {
            v.push(
                Check::ResponseStatus,
                vec![format!(
                    "status {status} is not documented (documented: {})",
                    keys()
                )],
                String::new,
            );
            v.skip(Check::ResponseHeaders, "undocumented status");
            v.skip(Check::ResponseBody, "undocumented status");
            return;
        };
        if (200..300).contains(&status) && spec.status == "default" {
            v.push(
                Check::ResponseStatus,
                vec![format!(
                    "status {status} is a success the spec does not document; only `default` \
                     covers it (documented: {})",
                    keys()
                )],
                String::new,
            );
        } else {
            v.push(Check::ResponseStatus, Vec::new(), || {
                format!("{status} documented as `{}`", spec.status)
            });
        }
        super::headers::check_response_headers(self, spec, response, v);
        self.check_response_body(spec, response, v);
    }

    fn check_response_body(
        &self,
        spec: &super::operations::SpecResponse,
        response: &Response,
        v: &mut Verdict,
    ) {
        let status = response.status;
        let content_type = response.headers.get("content-type");
        let announced = response
            .headers
            .get("content-length")
            .and_then(|l| l.trim().parse::<u64>().ok())
            .unwrap_or(0);
        let no_body_allowed = status == 204 || status == 304 || (100..200).contains(&status);
        if no_body_allowed || spec.content.is_empty() {
            let mut problems = Vec::new();
            let why = if no_body_allowed {
                format!("a {status} response has no body")
            } else {
                format!("the spec documents {} without a body", spec.status)
            };
            if !response.body.is_empty() {
                problems.push(format!("{why}, but {} bytes came", response.body.length));
            }
            if announced > 0 {
                problems.push(format!(
                    "{why}, but `Content-Length: {announced}` announces one"
                ));
            }
            if let Some(ct) = content_type {
                problems.push(format!("{why}, but `Content-Type: {ct}` announces one"));
            }
            v.push(Check::ResponseBody, problems, || {
                "no body, as documented".into()
            });
            return;
        }
        if response.body.is_empty() {
            v.push(
                Check::ResponseBody,
                vec![format!(
                    "the spec documents a body ({}) for {}, but none came",
                    media_list(&spec.content),
                    spec.status
                )],
                String::new,
            );
            return;
        }
        let Some(media) = find_media(&spec.content, content_type.unwrap_or("")) else {
            v.push(
                Check::ResponseBody,
                vec![format!(
                    "`Content-Type` {:?} is not a documented media type ({})",
                    content_type.unwrap_or(""),
                    media_list(&spec.content)
                )],
                String::new,
            );
            return;
        };
        if !is_json(&media.media_type) || !response.body.is_complete() {
            v.push(Check::ResponseBody, Vec::new(), || {
                format!("{} (not validated)", media.media_type)
            });
            return;
        }
        match serde_json::from_slice::<Value>(&response.body.bytes) {
            Err(e) => v.push(
                Check::ResponseBody,
                vec![format!("the body is not valid JSON: {e}")],
                String::new,
            ),
            Ok(value) => {
                let problems = media
                    .schema
                    .as_ref()
                    .map(|s| self.validate(s, &value))
                    .unwrap_or_default();
                v.push(Check::ResponseBody, problems, || {
                    format!(
                        "valid against {}",
                        media.schema_pointer.as_deref().unwrap_or("no schema")
                    )
                });
            }
        }
    }
}

/// The media type essence (`type/subtype`, no parameters) as written:
/// compare it case-insensitively. Not lower-cased into a new string, as
/// these comparisons run several times on every exchange.
fn essence_of(media_type: &str) -> &str {
    media_type.split(';').next().unwrap_or("").trim()
}

/// Whether the media range `range` (e.g. `application/*`) covers `media`.
fn range_covers(range: &str, media: &str) -> bool {
    let (range, media) = (essence_of(range), essence_of(media));
    if range == "*/*" || range.eq_ignore_ascii_case(media) {
        return true;
    }
    match (range.split_once('/'), media.split_once('/')) {
        (Some((rt, "*")), Some((mt, _))) => rt.eq_ignore_ascii_case(mt),
        _ => false,
    }
}

/// The documented media entry a sent `Content-Type` selects.
pub(crate) fn find_media<'a>(content: &'a [SpecMedia], sent: &str) -> Option<&'a SpecMedia> {
    if sent.trim().is_empty() {
        return None;
    }
    content
        .iter()
        .find(|m| essence_of(&m.media_type).eq_ignore_ascii_case(essence_of(sent)))
        .or_else(|| content.iter().find(|m| range_covers(&m.media_type, sent)))
}

/// Whether an `Accept` header admits `media`.
fn accepts(accept: &str, media: &str) -> bool {
    accept.split(',').any(|item| {
        let mut parts = item.split(';');
        let range = parts.next().unwrap_or("").trim();
        let refused = parts.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                == Some(0.0)
        });
        !refused && range_covers(range, media)
    })
}

fn media_list(content: &[SpecMedia]) -> String {
    content
        .iter()
        .map(|m| m.media_type.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The variants of a `oneOf`/`anyOf` schema without a `type` of its own,
/// each with `$ref`s followed; `None` for any other schema.
fn choice_variants(schema: &Value, resolve: &dyn Fn(&Value) -> Value) -> Option<Vec<Value>> {
    if schema.get("type").is_some() {
        return None;
    }
    let list = ["oneOf", "anyOf"]
        .iter()
        .find_map(|k| schema.get(*k).and_then(Value::as_array))?;
    (!list.is_empty()).then(|| list.iter().map(resolve).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::{Body, Headers};
    use crate::oracle::Outcome;

    fn assign_oracle() -> Oracle {
        Oracle::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/assign.yaml")).unwrap()
    }

    /// The path of assign on profile `p`.
    const ASSIGN: &str = "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/p/assign";

    /// A request as the oracle receives it; `target` is the path and,
    /// after a `?`, the query.
    fn request(method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Request {
        let mut list = Headers::default();
        for (name, value) in headers {
            list.push(name, value.to_string());
        }
        let (path, query) = match target.split_once('?') {
            Some((path, query)) => (path, Some(query.to_string())),
            None => (target, None),
        };
        Request {
            method: method.into(),
            path: path.into(),
            query,
            headers: list,
            body: Body::new(body),
        }
    }

    /// What `oracle` finds about `request` in `check`.
    fn finding_of(oracle: &Oracle, request: &Request, check: Check) -> (Outcome, String) {
        let verdict = oracle.judge_request(request);
        let finding = verdict.finding(check).unwrap();
        (finding.outcome, finding.detail.clone())
    }

    /// A quiet oracle (the proxy's) reaches the same outcomes and says
    /// the same about failures; only passing findings go without text.
    #[test]
    fn a_quiet_oracle_judges_alike_and_leaves_passes_without_text() {
        let request = |token: &str, body: &[u8]| {
            let json = "application/json";
            let headers = [
                ("authorization", token),
                ("content-type", json),
                ("accept", json),
            ];
            request("POST", ASSIGN, &headers, body)
        };
        let (loud, quiet) = (assign_oracle(), assign_oracle().quiet());
        let good = request("Bearer t", br#"{"deviceIds":["a"]}"#);
        let bad = request("Basic t", br#"{"deviceIds":[1]}"#);
        for request in [&good, &bad] {
            let (said, kept) = (loud.judge_request(request), quiet.judge_request(request));
            assert_eq!(said.operation, kept.operation);
            assert_eq!(said.findings.len(), kept.findings.len());
            for (said, kept) in said.findings.iter().zip(&kept.findings) {
                assert_eq!((said.check, said.outcome), (kept.check, kept.outcome));
                match said.outcome {
                    Outcome::Pass => {
                        assert!(!said.detail.is_empty(), "{:?}", said.check);
                        assert!(kept.detail.is_empty(), "{:?}: {}", kept.check, kept.detail);
                    }
                    _ => assert_eq!(said.detail, kept.detail),
                }
            }
        }
        let bad = quiet.judge_request(&bad);
        let failed: Vec<Check> = bad.failures().map(|f| f.check).collect();
        assert_eq!(failed, [Check::Security, Check::Body], "{bad:?}");
    }

    fn headers_finding(headers: &[(&str, &str)]) -> (Outcome, String) {
        let request = request("POST", ASSIGN, headers, br#"{"deviceIds":[]}"#);
        finding_of(&assign_oracle(), &request, Check::Headers)
    }

    /// Found by `tests/openapi_requests`: the oracle read only the first
    /// `Content-Type` and the first `Accept` line.
    #[test]
    fn repeated_headers_are_read_whole() {
        let bearer = ("authorization", "Bearer t");
        let json = ("content-type", "application/json");
        assert_eq!(headers_finding(&[bearer, json]).0, Outcome::Pass);
        let (outcome, detail) = headers_finding(&[bearer, json, json]);
        assert_eq!(outcome, Outcome::Fail, "{detail}");
        assert!(detail.contains("sent 2 times"), "{detail}");
        // Two `Accept` lines are one list: JSON is admitted by the second.
        let two = [
            bearer,
            json,
            ("accept", "application/xml"),
            ("accept", "application/json"),
        ];
        assert_eq!(headers_finding(&two).0, Outcome::Pass);
        let none = [
            bearer,
            json,
            ("accept", "application/xml"),
            ("accept", "text/html"),
        ];
        assert_eq!(headers_finding(&none).0, Outcome::Fail);
    }

    /// Bodies that are not JSON (issue 17): the oracle matches the
    /// `Content-Type` against the documented media types, and says that
    /// it does not judge such a body against its schema.
    #[test]
    fn bodies_that_are_not_json_are_judged_by_media_type_only() {
        // The oracle reads one file; the features spec now spans several.
        let spec = "openapi: 3.0.3
info: {title: Notes, version: '1'}
servers: [{url: 'https://example.invalid/v1/'}]
security: [{bearer: []}]
paths:
  /notes:
    put:
      operationId: notes_put
      requestBody:
        required: true
        content:
          text/plain:
            schema: {type: string, maxLength: 20}
      responses:
        '200':
          description: The note as stored
          content:
            text/plain:
              schema: {type: string}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
";
        let oracle = Oracle::new(SpecDoc::parse("notes.yaml", spec).unwrap()).unwrap();
        let body_finding = |content_type: &str, body: &[u8]| {
            let headers = [
                ("authorization", "Bearer t"),
                ("content-type", content_type),
            ];
            finding_of(
                &oracle,
                &request("PUT", "/v1/notes", &headers, body),
                Check::Body,
            )
        };
        // Longer than the schema's maxLength: not judged, and said so.
        let (outcome, detail) = body_finding("text/plain", b"a note longer than twenty");
        assert_eq!(outcome, Outcome::Pass, "{detail}");
        assert!(
            detail.contains("only JSON bodies are validated"),
            "{detail}"
        );
        let (outcome, _) = body_finding("application/json", b"\"hi\"");
        assert_eq!(outcome, Outcome::Fail);
    }

    /// `multipart/form-data` bodies (issue 17): read part by part;
    /// required parts must come, text parts are judged against their
    /// property schemas (by the property's type), file parts only counted.
    #[test]
    fn multipart_forms_are_judged_part_by_part() {
        let spec = "openapi: 3.0.3
info: {title: Docs, version: '1'}
servers: [{url: 'https://example.invalid/v1/'}]
paths:
  /documents:
    post:
      operationId: documents_upload
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema: {$ref: '#/components/schemas/Form'}
      responses:
        '204': {description: ok}
components:
  schemas:
    Form:
      allOf:
        - type: object
          required: [title, file]
          properties:
            title: {type: string, maxLength: 5}
            file: {type: string, format: binary}
        - type: object
          properties:
            pages: {type: integer, minimum: 1}
            tags: {type: array, items: {type: string}}
";
        let oracle = Oracle::new(SpecDoc::parse("docs.yaml", spec).unwrap()).unwrap();
        let body_finding = |body: &str| {
            let headers = [("content-type", "multipart/form-data; boundary=b")];
            let request = request("POST", "/v1/documents", &headers, body.as_bytes());
            finding_of(&oracle, &request, Check::Body)
        };
        let part = |name: &str, extra: &str, value: &str| {
            format!(
                "--b\r\ncontent-disposition: form-data; name=\"{name}\"{extra}\r\n\r\n{value}\r\n"
            )
        };
        let good = [
            part("title", "", "memo"),
            part(
                "file",
                "; filename=\"a.png\"\r\ncontent-type: image/png",
                "\u{1}",
            ),
            part("pages", "", "2"),
            part("tags", "", "a"),
            part("tags", "", "b"),
        ]
        .concat()
            + "--b--\r\n";
        let (outcome, detail) = body_finding(&good);
        assert_eq!(outcome, Outcome::Pass, "{detail}");
        assert!(detail.contains("1 file part(s) not checked"), "{detail}");
        let bad = [
            part("title", "", "too long"),
            part("pages", "", "0"),
            part("pages", "", "1"),
        ]
        .concat()
            + "--b--\r\n";
        let (outcome, text) = body_finding(&bad);
        assert_eq!(outcome, Outcome::Fail);
        assert!(text.contains("required part `file`"), "{text}");
        assert!(text.contains("part `title` at"), "{text}");
        assert!(text.contains("part `pages` was sent 2 times"), "{text}");
        let (outcome, text) = body_finding("no delimiter");
        assert_eq!(outcome, Outcome::Fail);
        assert!(text.contains("not `multipart/form-data`"), "{text}");
    }

    /// Operations with servers of their own (issue 17): a client with a
    /// loopback base URL sends them to their template under the server's
    /// path, below the service root; the oracle matches them there and
    /// nowhere else.
    #[test]
    fn operations_with_their_own_servers_match_under_the_server_path() {
        let spec = "openapi: 3.0.3
info: {title: Uploads, version: '1'}
servers: [{url: 'https://example.invalid/v1/'}]
paths:
  /items/{id}:
    servers: [{url: /store}]
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      operationId: items_get
      responses:
        '204': {description: ok}
    put:
      operationId: items_put
      servers:
        - url: 'https://{host}.example.invalid/files/'
          variables: {host: {default: upload}}
      responses:
        '204': {description: ok}
  /plain:
    get:
      operationId: plain
      responses:
        '204': {description: ok}
";
        let oracle = Oracle::new(SpecDoc::parse("uploads.yaml", spec).unwrap()).unwrap();
        let route = |method: &str, path: &str| {
            let verdict = oracle.judge_request(&request(method, path, &[], b""));
            let finding = verdict.finding(Check::Route).unwrap();
            (finding.outcome, finding.detail.clone(), verdict.operation)
        };
        let (outcome, detail, op) = route("PUT", "/v1/files/items/a");
        assert_eq!(outcome, Outcome::Pass, "{detail}");
        assert_eq!(op.as_deref(), Some("items_put"));
        assert!(detail.contains("own server's path `/files`"), "{detail}");
        let (outcome, detail, op) = route("GET", "/v1/store/items/a");
        assert_eq!(outcome, Outcome::Pass, "{detail}");
        assert_eq!(op.as_deref(), Some("items_get"));
        // Not under their servers' paths: no operation.
        assert_eq!(route("GET", "/v1/items/a").0, Outcome::Fail);
        assert_eq!(route("PUT", "/v1/store/items/a").0, Outcome::Fail);
        assert_eq!(route("GET", "/v1/plain").0, Outcome::Pass);
    }

    /// Path parameters in their styles (issue 17): read in the style the
    /// spec gives, then judged against their schema.
    #[test]
    fn path_parameters_are_read_in_their_style() {
        let spec = "openapi: 3.0.3
info: {title: Tiles, version: '1'}
servers: [{url: 'https://example.invalid/v1/'}]
paths:
  /tiles/{ids}/{zoom}:
    get:
      operationId: tiles_get
      parameters:
        - {name: ids, in: path, required: true, style: matrix, explode: true, schema: {type: array, items: {type: integer, maximum: 9}}}
        - {name: zoom, in: path, required: true, style: label, schema: {type: string, enum: [a.b]}}
      responses:
        '204': {description: ok}
";
        let oracle = Oracle::new(SpecDoc::parse("tiles.yaml", spec).unwrap()).unwrap();
        let finding = |path: &str| {
            finding_of(
                &oracle,
                &request("GET", path, &[], b""),
                Check::PathParameters,
            )
        };
        let (outcome, detail) = finding("/v1/tiles/;ids=1;ids=2/.a%2Eb");
        assert_eq!(outcome, Outcome::Pass, "{detail}");
        assert!(detail.contains("ids = [1,2]"), "{detail}");
        assert_eq!(finding("/v1/tiles/;ids=1;ids=10/.a%2Eb").0, Outcome::Fail);
        assert_eq!(finding("/v1/tiles/1,2/.a%2Eb").0, Outcome::Fail);
        assert_eq!(finding("/v1/tiles/;ids=1/a.b").0, Outcome::Fail);
    }

    /// The query finding of `GET /v1/tiles?{query}`.
    fn tiles_query_finding(oracle: &Oracle, query: &str) -> (Outcome, String) {
        let request = request("GET", &format!("/v1/tiles?{query}"), &[], b"");
        finding_of(oracle, &request, Check::Query)
    }

    /// Array and object query parameters (issue 17): read in their style,
    /// judged as one value, and their pairs not taken for undeclared ones.
    #[test]
    fn query_parameters_are_read_in_their_style() {
        let spec = "openapi: 3.0.3
info: {title: Tiles, version: '1'}
servers: [{url: 'https://example.invalid/v1/'}]
paths:
  /tiles:
    get:
      operationId: tiles_list
      parameters:
        - {name: ids, in: query, schema: {type: array, items: {type: integer, maximum: 9}, maxItems: 3}}
        - {name: tags, in: query, style: pipeDelimited, explode: false, schema: {type: array, items: {type: string, enum: [a, b]}}}
        - {name: box, in: query, style: deepObject, explode: true, schema: {type: object, required: [x], properties: {x: {type: integer}}, additionalProperties: false}}
      responses:
        '204': {description: ok}
";
        let oracle = Oracle::new(SpecDoc::parse("tiles.yaml", spec).unwrap()).unwrap();
        let finding = |query: &str| tiles_query_finding(&oracle, query);
        let (outcome, problems) = finding("ids=1&ids=2&tags=a|b&box[x]=3");
        assert_eq!(outcome, Outcome::Pass, "{problems}");
        // Each item is judged: 10 is above the maximum, four are too many.
        let (outcome, problems) = finding("ids=1&ids=10");
        assert_eq!(outcome, Outcome::Fail);
        assert!(problems.contains("query `ids`"), "{problems}");
        assert_eq!(finding("ids=1&ids=2&ids=3&ids=4").0, Outcome::Fail);
        assert_eq!(finding("tags=a|c").0, Outcome::Fail);
        assert_eq!(finding("box[y]=1").0, Outcome::Fail);
        let (outcome, problems) = finding("box[x]=1&other=2");
        assert_eq!(outcome, Outcome::Fail);
        assert!(problems.contains("`other` is not declared"), "{problems}");
        assert!(!problems.contains("box"), "{problems}");
    }

    /// `oneOf`/`anyOf` query parameters (issue 17): a scalar is read as
    /// each variant's type, and a list variant from its repeated pairs.
    #[test]
    fn choice_query_parameters_are_read_as_each_variant() {
        let spec = "openapi: 3.0.3
info: {title: Tiles, version: '1'}
servers: [{url: 'https://example.invalid/v1/'}]
paths:
  /tiles:
    get:
      operationId: tiles_pick
      parameters:
        - name: pick
          in: query
          schema:
            oneOf:
              - {type: integer, maximum: 9}
              - {type: array, items: {type: integer, maximum: 9}, minItems: 2}
        - name: flag
          in: query
          schema:
            anyOf: [{type: boolean}, {type: integer}]
      responses:
        '204': {description: ok}
";
        let oracle = Oracle::new(SpecDoc::parse("tiles.yaml", spec).unwrap()).unwrap();
        let finding = |query: &str| tiles_query_finding(&oracle, query);
        for valid in [
            "pick=3",
            "pick=1&pick=2",
            "flag=true",
            "flag=7",
            "pick=4&flag=false",
        ] {
            let (outcome, problems) = finding(valid);
            assert_eq!(outcome, Outcome::Pass, "{valid}: {problems}");
        }
        for invalid in ["pick=12", "pick=1&pick=20", "pick=a", "flag=x"] {
            let (outcome, problems) = finding(invalid);
            assert_eq!(outcome, Outcome::Fail, "{invalid} passed");
            assert!(problems.contains("query `"), "{invalid}: {problems}");
            assert!(!problems.contains("not declared"), "{invalid}: {problems}");
        }
    }

    #[test]
    fn accept_ranges_and_q_zero() {
        assert!(accepts("application/json", "application/json"));
        assert!(accepts("text/html, */*;q=0.1", "application/json"));
        assert!(accepts("application/*", "application/json; charset=utf-8"));
        assert!(!accepts("application/json;q=0", "application/json"));
        assert!(!accepts("text/plain", "application/json"));
    }
}
