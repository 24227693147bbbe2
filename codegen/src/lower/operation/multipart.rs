//! `multipart/form-data` bodies: the parts of a typed form, one per
//! property of the body's object schema.

use openapiv3::MediaType;

use super::super::Lowerer;
use crate::diag::join;
use crate::model::{FormPart, PartKind, Schema, SchemaKind};
use crate::names::{self, Namespace};

impl Lowerer<'_> {
    /// The parts of a `multipart/form-data` body whose schema is an object
    /// (through references and `allOf`), or `None` when it is not one.
    /// `media_pointer` locates the media type object, whose `encoding`
    /// gives the parts' content types.
    pub(super) fn form_parts(
        &mut self,
        schema: &Schema,
        media: &MediaType,
        media_pointer: &str,
    ) -> Option<Vec<FormPart>> {
        let properties = match self.resolved_kind(schema) {
            SchemaKind::Object(object) => object.properties,
            SchemaKind::AllOf(parts) => {
                let mut all = Vec::new();
                for part in &parts {
                    match self.resolved_kind(part) {
                        SchemaKind::Object(object) => all.extend(object.properties),
                        _ => return None,
                    }
                }
                all
            }
            _ => return None,
        };
        let mut fields = Namespace::default();
        let mut parts: Vec<FormPart> = Vec::new();
        for property in properties {
            // `allOf` parts may both declare a property: one part, required
            // if either says so.
            if let Some(seen) = parts.iter_mut().find(|p| p.name == property.name) {
                seen.required |= property.required;
                continue;
            }
            let (kind, repeated) = self.part_kind(&property.schema);
            let content_type = media
                .encoding
                .get(&property.name)
                .and_then(|e| e.content_type.clone());
            parts.push(FormPart {
                rust_name: fields.claim(&names::snake(&property.name)),
                name: property.name,
                kind,
                required: property.required,
                repeated,
                schema: property.schema,
                content_type,
            });
        }
        let encoding_pointer = join(media_pointer, "encoding");
        for (name, encoding) in &media.encoding {
            let at = join(&encoding_pointer, name);
            if !parts.iter().any(|p| p.name == *name) {
                self.c.warn(
                    &at,
                    format!("`encoding` names `{name}`, which is not a property of the form: it is ignored"),
                    "name a property of the body's schema, or drop the entry",
                );
            } else if !encoding.headers.is_empty() {
                self.c.warn(
                    &join(&at, "headers"),
                    format!("the headers of part `{name}` are not sent: a part carries only its `Content-Disposition` and `Content-Type`"),
                    "send such headers as form fields, or drop them",
                );
            }
        }
        Some(parts)
    }

    /// How a property travels, and whether it is a list (one part per
    /// item).
    fn part_kind(&self, schema: &Schema) -> (PartKind, bool) {
        let single = |kind: &SchemaKind| match kind {
            SchemaKind::String(s) if matches!(s.format.as_deref(), Some("binary" | "byte")) => {
                PartKind::File
            }
            SchemaKind::String(_)
            | SchemaKind::Integer(_)
            | SchemaKind::Number(_)
            | SchemaKind::Boolean(_) => PartKind::Text,
            _ => PartKind::Json,
        };
        match self.resolved_kind(schema) {
            SchemaKind::Array(array) => match single(&self.resolved_kind(&array.items)) {
                PartKind::Json => (PartKind::Json, false),
                kind => (kind, true),
            },
            kind => (single(&kind), false),
        }
    }
}
