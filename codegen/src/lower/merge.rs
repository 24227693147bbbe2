//! `allOf` read as one object: the fields of each struct type
//! ([`TypeDef::fields`]), merged once every named type is known, so that
//! the emitters hand the merged list on instead of merging themselves.
//!
//! Microsoft's modules describe a derived type as `allOf: [{$ref: base},
//! {properties: ...}]`; its Rust struct has every part's fields. A base
//! shared by several parts (diamond-shaped inheritance) is merged once:
//! merging it again adds nothing, and walking every path would take
//! exponential time.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::Lowerer;
use crate::model::{Additional, Api, Fields, Schema, SchemaKind, TypeDef};
use crate::names::{self, Namespace};

impl Lowerer<'_> {
    /// Fills in [`TypeDef::fields`] for every type emitted as a struct.
    pub(crate) fn merge_objects(&mut self) {
        merge(&mut self.out);
    }
}

/// Decides [`TypeDef::fields`] for every type of `api`.
pub(crate) fn merge(api: &mut Api) {
    let merged: Vec<(String, Fields)> = api
        .types
        .iter()
        .filter(|(_, def)| is_struct_shaped(def))
        .filter_map(|(name, def)| Some((name.clone(), walk_merge(api, &def.schema)?)))
        .collect();
    for (name, fields) in merged {
        if let Some(def) = api.types.get_mut(&name) {
            def.fields = Some(fields);
        }
    }
}

/// Whether `def` is written like a struct: an object with properties, or
/// an `allOf` that is more than an annotated reference. It is one when
/// every part is an object (see [`object_view`]).
fn is_struct_shaped(def: &TypeDef) -> bool {
    match &def.schema.kind {
        SchemaKind::Object(o) => !o.properties.is_empty(),
        // `not` parts narrow a value without declaring anything.
        SchemaKind::AllOf(parts) => {
            let mut positive = parts
                .iter()
                .filter(|p| !matches!(p.kind, SchemaKind::Not(_)));
            let first = positive.next();
            positive.next().is_some()
                || first.is_some_and(|p| !matches!(p.kind, SchemaKind::Named(_)))
        }
        _ => false,
    }
}

/// The object view of a schema: itself, the named type it refers to, or
/// the merge of its `allOf` parts. `None` when some part is not an object.
/// A reference to a struct type is that type's merged fields.
pub(crate) fn object_view<'a>(api: &'a Api, schema: &Schema) -> Option<Cow<'a, Fields>> {
    if let SchemaKind::Named(name) = &schema.kind
        && let Some(fields) = api.types.get(name).and_then(|def| def.fields.as_ref())
    {
        return Some(Cow::Borrowed(fields));
    }
    walk_merge(api, schema).map(Cow::Owned)
}

/// Merges the objects of `schema`'s `allOf` tree (through named types).
fn walk_merge(api: &Api, schema: &Schema) -> Option<Fields> {
    // `seen`: named types on the current path (a ring is not an object);
    // `done`: named types already merged.
    fn walk(
        api: &Api,
        schema: &Schema,
        seen: &mut BTreeSet<String>,
        done: &mut BTreeSet<String>,
        out: &mut Vec<Fields>,
    ) -> bool {
        match &schema.kind {
            SchemaKind::Object(o) => {
                out.push(Fields {
                    properties: o.properties.clone(),
                    additional: o.additional.clone(),
                });
                true
            }
            SchemaKind::Named(name) => {
                if done.contains(name) {
                    return true;
                }
                if !seen.insert(name.clone()) {
                    return false;
                }
                let ok = api
                    .types
                    .get(name)
                    .is_some_and(|def| walk(api, &def.schema, seen, done, out));
                seen.remove(name);
                if ok {
                    done.insert(name.clone());
                }
                ok
            }
            // A `not` part narrows the object without declaring anything.
            SchemaKind::AllOf(parts) => {
                let mut positive = parts
                    .iter()
                    .filter(|p| !matches!(p.kind, SchemaKind::Not(_)))
                    .peekable();
                positive.peek().is_some() && positive.all(|p| walk(api, p, seen, done, out))
            }
            _ => false,
        }
    }
    let mut parts = Vec::new();
    if !walk(
        api,
        schema,
        &mut BTreeSet::new(),
        &mut BTreeSet::new(),
        &mut parts,
    ) {
        return None;
    }
    let mut properties: Vec<crate::model::Property> = Vec::new();
    let mut additional = None;
    let all_forbid = parts.iter().all(|p| p.additional == Additional::Forbidden);
    for part in parts {
        for prop in part.properties {
            match properties.iter_mut().find(|p| p.name == prop.name) {
                Some(existing) => {
                    existing.required |= prop.required;
                    existing.schema = prop.schema;
                }
                None => properties.push(prop),
            }
        }
        if let Additional::Schema(_) = part.additional {
            additional.get_or_insert(part.additional);
        }
    }
    properties.sort_by(|a, b| a.name.cmp(&b.name));
    // Field names were unique per part; merging parts can collide.
    let mut fields = Namespace::with_reserved(&["additional_properties"]);
    for p in &mut properties {
        p.rust_name = fields.claim(&names::snake(&p.name));
    }
    let additional = if all_forbid {
        Additional::Forbidden
    } else {
        additional.unwrap_or(Additional::Any)
    };
    Some(Fields {
        properties,
        additional,
    })
}

#[cfg(test)]
mod tests {
    use crate::model::{Additional, SchemaKind};

    const SPEC: &str = "openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Entity:
      type: object
      required: [kind]
      properties:
        id: {type: string}
        kind: {type: string}
      additionalProperties: false
    Named:
      allOf:
        - $ref: '#/components/schemas/Entity'
        - type: object
          required: [name]
          properties:
            name: {type: string}
          additionalProperties: false
    Device:
      allOf:
        - $ref: '#/components/schemas/Named'
        - $ref: '#/components/schemas/Entity'
        - type: object
          properties:
            kind: {type: integer}
            serial-number: {type: string}
            serial_number: {type: string}
    NotAnObject:
      allOf:
        - $ref: '#/components/schemas/Entity'
        - type: string
    Alias: {$ref: '#/components/schemas/Device'}
";

    #[test]
    fn all_of_parts_are_merged_into_one_field_list_in_lowering() {
        let api = crate::model_from_str("merge.yaml", SPEC).unwrap();
        let fields = api.types["Device"]
            .fields
            .as_ref()
            .expect("Device is a struct");
        let listed: Vec<(&str, &str, bool)> = fields
            .properties
            .iter()
            .map(|p| (p.name.as_str(), p.rust_name.as_str(), p.required))
            .collect();
        // Every part's properties once (`Entity` is reached twice), the
        // last part's schema for `kind`, required by `Entity`, and
        // field names kept apart across parts.
        assert_eq!(
            listed,
            [
                ("id", "id", false),
                ("kind", "kind", true),
                ("name", "name", true),
                ("serial-number", "serial_number", false),
                ("serial_number", "serial_number2", false),
            ]
        );
        let kind = &fields.properties[1];
        assert!(matches!(kind.schema.kind, SchemaKind::Integer(_)));
        // Not every part forbids other properties, so they are allowed.
        assert_eq!(fields.additional, Additional::Any);
        let named = api.types["Named"].fields.as_ref().unwrap();
        assert_eq!(named.additional, Additional::Forbidden);
        // A part that is not an object, and an alias, have no fields.
        assert!(api.types["NotAnObject"].fields.is_none());
        assert!(api.types["Alias"].fields.is_none());
    }
}
