//! What the generated request validators cannot enforce is an error now,
//! not a silent pass at run time.
//!
//! The validators (`emit::validate`) enforce every keyword the model keeps.
//! The one place where the model keeps something they do not give meaning
//! to is `format`: only the formats listed here are checked. A schema that a
//! request can carry (a parameter, a body, or any type they reach) with
//! another format fails generation, naming the format and where it is.
//! Schemas only responses use are not judged by the validators and keep
//! their formats as annotations.
//!
//! The same goes for body values the generated Rust types cannot hold: an
//! `integer` without a range `format` (or bounds inside `i64`) becomes an
//! `i64` field, so a larger integer the schema allows would be refused by
//! the typed decoding although the spec accepts it; and `format: float`
//! becomes an `f32`, which turns large numbers into infinity. Both are
//! errors where a request body holds them in a typed field (inside
//! `oneOf`/`anyOf` values stay untyped JSON and are fine). Parameters are
//! not held to this: Microsoft's `$top`/`$skip` are unbounded integers, and
//! a value past `i64` there is refused with a `representable` violation.

use std::collections::BTreeSet;

use super::Lowerer;
use crate::diag::join;
use crate::model::{Additional, Schema, SchemaKind};

/// String formats the validators check.
pub const STRING_FORMATS: &[&str] = &["date-time", "date", "uuid", "base64url", "duration"];
/// Integer formats the validators check (as ranges).
pub const INTEGER_FORMATS: &[&str] = &["int8", "uint8", "int16", "int32", "int64"];
/// Number formats that only say how the value is stored: every JSON number
/// `serde_json` reads is a valid `double`, so there is nothing to check.
pub const NUMBER_FORMATS: &[&str] = &["double"];

impl Lowerer<'_> {
    /// Reports formats in request schemas that the validators do not check.
    pub(crate) fn check_enforceable(&mut self) {
        let mut roots: Vec<(Schema, bool)> = Vec::new();
        for op in &self.out.operations {
            roots.extend(op.params.iter().map(|p| (p.schema.clone(), false)));
            roots.extend(op.body.iter().map(|b| (b.schema.clone(), true)));
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
                self.c.error_hint(
                    &pointer,
                    "an `integer` without `format` in a request schema: its Rust type is `i64`, which cannot hold every integer the schema allows",
                    "add `format: int64` (or int32), or `minimum` and `maximum` inside the i64 range",
                );
                continue;
            }
            if format == "float" {
                self.c.error_hint(
                    &join(&pointer, "format"),
                    "`format: float` in a request body: its Rust type is `f32`, which cannot hold every number the schema allows (large ones become infinity)",
                    "use `format: double`",
                );
                continue;
            }
            let known = match kind {
                "string" => STRING_FORMATS,
                "integer" => INTEGER_FORMATS,
                _ => NUMBER_FORMATS,
            };
            self.c.error_hint(
                &join(&pointer, "format"),
                format!(
                    "format `{format}` on this {kind} is not enforced by the generated request validators"
                ),
                format!(
                    "request schemas may use the {kind} formats {}; remove or change this one, since an unchecked format would let requests through that break it",
                    known.join(", ")
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
                    self.formats_in(&def_schema, typed, seen, problems);
                    // A derived type's own properties land in the base
                    // type's map of other properties: untyped JSON.
                    for target in &mapped {
                        self.formats_in(target, false, seen, problems);
                    }
                }
            }
            SchemaKind::String(s) => {
                if let Some(f) = &s.format
                    && !STRING_FORMATS.contains(&f.as_str())
                {
                    report("string", f);
                }
            }
            SchemaKind::Integer(n) => match &n.format {
                Some(f) if !INTEGER_FORMATS.contains(&f.as_str()) => report("integer", f),
                Some(_) => {}
                None => {
                    let inside = |b: Option<f64>| b.is_some_and(|v| v.abs() < 9.2e18);
                    if typed && !(inside(n.minimum) && inside(n.maximum)) {
                        report("integer", "");
                    }
                }
            },
            SchemaKind::Number(n) => {
                if let Some(f) = &n.format {
                    let untyped_float = f == "float" && !typed;
                    if !NUMBER_FORMATS.contains(&f.as_str()) && !untyped_float {
                        report("number", f);
                    }
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
            // Alternatives are held as untyped JSON values.
            SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts) => {
                for p in parts {
                    self.formats_in(p, false, seen, problems);
                }
            }
            SchemaKind::Any | SchemaKind::Boolean => {}
        }
    }
}
