//! `allOf` read as inheritance.
//!
//! Microsoft's modules describe a derived type as
//! `allOf: [{$ref: base}, {properties: …, additionalProperties: {type: object}}]`,
//! and the base (`microsoft.graph.entity`) carries the same
//! `additionalProperties`. Read strictly, each part judges the other
//! part's properties as "additional", so a body with both an `id` and a
//! `displayName` would need both to be objects: no real request passes.
//! The generated types already read `allOf` as inheritance (one struct with
//! every part's fields), and so do the validators: a property declared by
//! any part of an `allOf` is not "additional" to the other parts. Every
//! other keyword of every part still applies. The conformance oracle
//! applies the same rule to its JSON Schema translation, so the two are
//! still compared case by case.

use std::collections::BTreeSet;

use crate::model::{Additional, Api, Property, Schema, SchemaKind};

/// How deep named types are followed; the model already refuses `$ref`
/// cycles without a type boundary, this only keeps the walk total.
const MAX_DEPTH: usize = 64;

/// The parts of an `allOf`, each made to accept the properties its
/// siblings declare.
pub(crate) fn parts(api: &Api, parts: &[Schema]) -> Vec<Schema> {
    let mut names = BTreeSet::new();
    for part in parts {
        declared(api, part, 0, &mut names);
    }
    parts.iter().map(|p| exempt(api, p, &names, 0)).collect()
}

/// Property names declared anywhere in `schema`'s `allOf` tree (objects,
/// through named types and nested `allOf`s; not inside properties).
fn declared(api: &Api, schema: &Schema, depth: usize, out: &mut BTreeSet<String>) {
    if depth > MAX_DEPTH {
        return;
    }
    match &schema.kind {
        SchemaKind::Named(name) => {
            if let Some(def) = api.types.get(name) {
                declared(api, &def.schema, depth + 1, out);
            }
        }
        SchemaKind::Object(o) => out.extend(o.properties.iter().map(|p| p.name.clone())),
        SchemaKind::AllOf(parts) => {
            for p in parts {
                declared(api, p, depth + 1, out);
            }
        }
        _ => {}
    }
}

/// `schema`, with `names` declared (as "any value") in every object of its
/// `allOf` tree that restricts additional properties.
///
/// A named type that already declares every name keeps its reference: its
/// own `allOf`s are made consistent where that type is written, which is
/// also what stops recursive types from being unfolded forever.
fn exempt(api: &Api, schema: &Schema, names: &BTreeSet<String>, depth: usize) -> Schema {
    if depth > MAX_DEPTH {
        return schema.clone();
    }
    match &schema.kind {
        SchemaKind::Named(name) => {
            let Some(def) = api.types.get(name) else {
                return schema.clone();
            };
            let mut own = BTreeSet::new();
            declared(api, schema, 0, &mut own);
            if names.is_subset(&own) {
                return schema.clone();
            }
            let mut inlined = exempt(api, &def.schema, names, depth + 1);
            // A reference admits `null` when either it or the type does.
            inlined.nullable |= schema.nullable;
            inlined
        }
        SchemaKind::Object(o) if !matches!(o.additional, Additional::Any) => {
            let mut o = o.clone();
            for name in names {
                if !o.properties.iter().any(|p| &p.name == name) {
                    o.properties.push(Property {
                        name: name.clone(),
                        rust_name: name.clone(),
                        required: false,
                        schema: Schema {
                            kind: SchemaKind::Any,
                            nullable: false,
                            description: String::new(),
                            pointer: schema.pointer.clone(),
                        },
                        aliases: Vec::new(),
                    });
                }
            }
            o.properties.sort_by(|a, b| a.name.cmp(&b.name));
            Schema {
                kind: SchemaKind::Object(o),
                ..schema.clone()
            }
        }
        SchemaKind::AllOf(parts) => Schema {
            kind: SchemaKind::AllOf(
                parts
                    .iter()
                    .map(|p| exempt(api, p, names, depth + 1))
                    .collect(),
            ),
            ..schema.clone()
        },
        _ => schema.clone(),
    }
}
