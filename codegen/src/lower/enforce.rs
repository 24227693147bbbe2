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

use std::collections::BTreeSet;

use super::Lowerer;
use crate::diag::join;
use crate::model::{Additional, Schema, SchemaKind};

/// String formats the validators check.
pub const STRING_FORMATS: &[&str] = &["date-time", "date", "uuid", "base64url", "duration"];
/// Integer formats the validators check (as ranges).
pub const INTEGER_FORMATS: &[&str] = &["int8", "uint8", "int16", "int32", "int64"];
/// Number formats that only say how the value is stored: every JSON number
/// satisfies them, so there is nothing to check.
pub const NUMBER_FORMATS: &[&str] = &["float", "double"];

impl Lowerer<'_> {
    /// Reports formats in request schemas that the validators do not check.
    pub(crate) fn check_enforceable(&mut self) {
        let mut roots: Vec<Schema> = Vec::new();
        for op in &self.out.operations {
            roots.extend(op.params.iter().map(|p| p.schema.clone()));
            roots.extend(op.body.iter().map(|b| b.schema.clone()));
        }
        let mut seen = BTreeSet::new();
        let mut problems = Vec::new();
        for root in &roots {
            self.formats_in(root, &mut seen, &mut problems);
        }
        problems.sort();
        problems.dedup();
        for (pointer, kind, format) in problems {
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

    fn formats_in(
        &self,
        schema: &Schema,
        seen: &mut BTreeSet<String>,
        problems: &mut Vec<(String, &'static str, String)>,
    ) {
        let mut check = |format: &Option<String>, kind: &'static str, allowed: &[&str]| {
            if let Some(f) = format
                && !allowed.contains(&f.as_str())
            {
                problems.push((schema.pointer.clone(), kind, f.clone()));
            }
        };
        match &schema.kind {
            SchemaKind::Named(name) => {
                if seen.insert(name.clone())
                    && let Some(def) = self.out.types.get(name)
                {
                    let def_schema = def.schema.clone();
                    self.formats_in(&def_schema, seen, problems);
                }
            }
            SchemaKind::String(s) => check(&s.format, "string", STRING_FORMATS),
            SchemaKind::Integer(n) => check(&n.format, "integer", INTEGER_FORMATS),
            SchemaKind::Number(n) => check(&n.format, "number", NUMBER_FORMATS),
            SchemaKind::Array(a) => self.formats_in(&a.items, seen, problems),
            SchemaKind::Object(o) => {
                for p in &o.properties {
                    self.formats_in(&p.schema, seen, problems);
                }
                if let Additional::Schema(s) = &o.additional {
                    self.formats_in(s, seen, problems);
                }
            }
            SchemaKind::AllOf(parts) | SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts) => {
                for p in parts {
                    self.formats_in(p, seen, problems);
                }
            }
            SchemaKind::Any | SchemaKind::Boolean => {}
        }
    }
}
