//! What the generated request validators do not enforce is a located
//! warning: the code is generated, and the warning says what it leaves
//! unchecked.
//!
//! The validators (`emit::validate`) enforce every keyword the model keeps
//! except some `format`s: the ones listed here are checked (by
//! `openapi_runtime::validate::format` and the integer ranges); any other is
//! an annotation, as JSON Schema defines it. A schema that a request can
//! carry (a parameter, a body, or any type they reach) with another format
//! gets a warning naming the format and where it is. Schemas only
//! responses use are not judged by the validators and keep their formats
//! as annotations without a word.
//!
//! The same goes for body values the generated Rust types cannot hold: an
//! `integer` without a range `format` (or bounds inside `i64`) becomes an
//! `i64` field, so a larger integer the schema allows is refused (the
//! server's `representable` violation; the client cannot build one): a
//! warning where a request body holds one in a typed field (a `oneOf`/
//! `anyOf` that stays a JSON value holds any integer and is fine). (`format:
//! float` becomes an `f32`, and the validators refuse numbers past its
//! range, so it needs no warning.) Parameters are not held to this: Microsoft's `$top`/`$skip` are
//! unbounded integers, and a value past `i64` there is refused with a
//! `representable` violation.

use std::collections::BTreeSet;

use super::Lowerer;
use crate::diag::join;
use crate::model::{Additional, ChoicePlan, Schema, SchemaKind};

/// String formats the validators check, with the name of their
/// `openapi_runtime::validate::StringFormat` variant.
pub const STRING_FORMATS: &[(&str, &str)] = &[
    ("date-time", "DateTime"),
    ("date", "Date"),
    ("uuid", "Uuid"),
    ("base64url", "Base64Url"),
    ("duration", "Duration"),
    ("time", "Time"),
    ("ipv4", "Ipv4"),
    ("ipv6", "Ipv6"),
    ("ip", "Ip"),
    ("email", "Email"),
    ("hostname", "Hostname"),
    ("uri", "Uri"),
    ("mac", "Mac"),
    ("byte", "Byte"),
];
/// String formats that say nothing a validator could check (`password`
/// asks user interfaces to hide the value): no warning.
pub const STRING_ANNOTATIONS: &[&str] = &["password"];
/// Integer formats the validators check (as ranges), with the name of
/// their `openapi_runtime::validate::IntegerFormat` variant.
pub const INTEGER_FORMATS: &[(&str, &str)] = &[
    ("int8", "Int8"),
    ("uint8", "Uint8"),
    ("int16", "Int16"),
    ("int32", "Int32"),
    ("int64", "Int64"),
    ("uint16", "Uint16"),
    ("uint32", "Uint32"),
    ("uint64", "Uint64"),
    ("uint", "Uint"),
];
/// Number formats the validators know: every JSON number `serde_json`
/// reads is a valid `double`, so there is nothing to check; a `float` must
/// lie within the `f32` range (`NumberRules::float`).
pub const NUMBER_FORMATS: &[&str] = &["double", "float"];

/// The `StringFormat` variant that enforces `format`, if one does.
pub fn string_format_variant(format: &str) -> Option<&'static str> {
    STRING_FORMATS
        .iter()
        .find(|(name, _)| *name == format)
        .map(|(_, variant)| *variant)
}

/// The `IntegerFormat` variant that enforces `format`, if one does.
pub fn integer_format_variant(format: &str) -> Option<&'static str> {
    INTEGER_FORMATS
        .iter()
        .find(|(name, _)| *name == format)
        .map(|(_, variant)| *variant)
}

fn names(table: &[(&str, &str)]) -> String {
    table
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Lowerer<'_> {
    /// Warns about formats in request schemas that the validators do not
    /// check, and values the generated Rust types cannot hold.
    pub(crate) fn check_enforceable(&mut self) {
        let mut roots: Vec<(Schema, bool)> = Vec::new();
        for op in &self.out.operations {
            roots.extend(op.params.iter().map(|p| (p.schema.clone(), false)));
            if let Some(body) = &op.body {
                match body.kind {
                    // A file part's `format: binary` says what it is; its
                    // bytes are not a JSON string to check.
                    crate::model::BodyKind::Multipart => roots.extend(
                        body.parts
                            .iter()
                            .filter(|p| p.kind != crate::model::PartKind::File)
                            .map(|p| (p.schema.clone(), true)),
                    ),
                    _ => roots.push((body.schema.clone(), true)),
                }
            }
        }
        let mut seen = BTreeSet::new();
        let mut problems = Vec::new();
        for (root, typed) in &roots {
            self.formats_in(root, *typed, &mut seen, &mut problems);
        }
        problems.sort();
        problems.dedup();
        for (pointer, kind, format) in problems {
            if format.is_empty() {
                self.c.warn(
                    &pointer,
                    "an `integer` without `format` in a request body: its Rust type is `i64`, so an integer the schema allows outside the i64 range is refused (a `representable` violation)",
                    "add `format: int64` (or another integer format), or `minimum` and `maximum` inside the i64 range",
                );
                continue;
            }
            let known = match kind {
                "string" => names(STRING_FORMATS),
                "integer" => names(INTEGER_FORMATS),
                _ => NUMBER_FORMATS.join(", "),
            };
            self.c.warn(
                &join(&pointer, "format"),
                format!(
                    "format `{format}` on this {kind} is an annotation: the generated validators do not check it, so requests that break it are sent and accepted"
                ),
                format!(
                    "the validators check the {kind} formats {known}; use one of them, or `pattern`/`minimum`/`maximum`, to have the value checked"
                ),
            );
        }
    }

    /// Collects `(pointer, kind, format)` problems under `schema`; an empty
    /// format means "integer without format". `typed`: the value lands in a
    /// typed Rust field of a body (not untyped JSON, not a parameter).
    fn formats_in(
        &self,
        schema: &Schema,
        typed: bool,
        seen: &mut BTreeSet<(String, bool)>,
        problems: &mut Vec<(String, &'static str, String)>,
    ) {
        let mut report = |kind: &'static str, format: &str| {
            problems.push((schema.pointer.clone(), kind, format.to_string()));
        };
        match &schema.kind {
            SchemaKind::Named(name) => {
                if seen.insert((name.clone(), typed))
                    && let Some(def) = self.out.types.get(name)
                {
                    let def_schema = def.schema.clone();
                    let mapped: Vec<Schema> = def
                        .discriminator
                        .iter()
                        .flat_map(|d| &d.mapping)
                        .map(|(_, target)| Schema::named(target))
                        .collect();
                    match (&def.choice, &def_schema.kind) {
                        // A choice's parts are typed when it is held as an
                        // enum (or an alias), as lowering decided.
                        (Some(plan), SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts)) => {
                            let typed = typed && !matches!(plan, ChoicePlan::Json(_));
                            for p in parts {
                                self.formats_in(p, typed, seen, problems);
                            }
                        }
                        _ => self.formats_in(&def_schema, typed, seen, problems),
                    }
                    // A derived type's own properties land in the base
                    // type's map of other properties: untyped JSON.
                    for target in &mapped {
                        self.formats_in(target, false, seen, problems);
                    }
                }
            }
            SchemaKind::String(s) => {
                if let Some(f) = &s.format
                    && string_format_variant(f).is_none()
                    && !STRING_ANNOTATIONS.contains(&f.as_str())
                {
                    report("string", f);
                }
            }
            SchemaKind::Integer(n) => match &n.format {
                Some(f) if integer_format_variant(f).is_none() => report("integer", f),
                Some(_) => {}
                None => {
                    let inside = |b: Option<f64>| b.is_some_and(|v| v.abs() < 9.2e18);
                    if typed && !(inside(n.minimum) && inside(n.maximum)) {
                        report("integer", "");
                    }
                }
            },
            SchemaKind::Number(n) => {
                if let Some(f) = &n.format
                    && !NUMBER_FORMATS.contains(&f.as_str())
                {
                    report("number", f);
                }
            }
            SchemaKind::Array(a) => self.formats_in(&a.items, typed, seen, problems),
            SchemaKind::Object(o) => {
                for p in &o.properties {
                    self.formats_in(&p.schema, typed, seen, problems);
                }
                if let Additional::Schema(s) = &o.additional {
                    self.formats_in(s, typed, seen, problems);
                }
            }
            SchemaKind::AllOf(parts) => {
                for p in parts {
                    self.formats_in(p, typed, seen, problems);
                }
            }
            // A choice that is not a named type of its own (named ones are
            // read above) is its one real part beside `null`-only parts, or
            // else an untyped JSON value.
            SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts) => {
                let typed = typed && crate::model::alias_part(parts).is_some();
                for p in parts {
                    self.formats_in(p, typed, seen, problems);
                }
            }
            // A value held under `not` is never held as what `not` names.
            SchemaKind::Not(negated) => self.formats_in(negated, false, seen, problems),
            SchemaKind::Any | SchemaKind::Boolean(_) => {}
        }
    }
}
