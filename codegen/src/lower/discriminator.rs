//! OpenAPI's implicit `discriminator` mapping: without a `mapping`, the
//! value of the deciding property is the name of a component schema.
//!
//! OpenAPI 3.0 leaves open which components a base may be dispatched to;
//! the generator (and, on its own, the conformance oracle) reads it as the
//! components a value of the base can be: the `$ref` alternatives of its
//! `oneOf`/`anyOf`, and every component that inherits it through an
//! `allOf` `$ref`, directly or through other inheritors. Values that name
//! none of them are judged by the base's own schema, as with a mapping.

use std::collections::BTreeSet;

use openapiv3::{ReferenceOr, Schema as OaSchema, SchemaKind as OaKind};

use super::Lowerer;
use super::refs::component_name;

impl Lowerer<'_> {
    /// The component names a discriminator on the component `key` (whose
    /// schema is `schema`) dispatches to when it has no `mapping`, sorted.
    pub(crate) fn implicit_mapping(&self, key: &str, schema: &OaSchema) -> Vec<String> {
        let mut found: BTreeSet<String> = alternatives(schema)
            .iter()
            .filter_map(|alt| match alt {
                ReferenceOr::Reference { reference } => component_name(reference, "schemas"),
                ReferenceOr::Item(_) => None,
            })
            .collect();
        let Some(components) = &self.api.components else {
            return found.into_iter().collect();
        };
        // Each component with the components its `allOf` refers to.
        let parents: Vec<(&String, Vec<String>)> = components
            .schemas
            .iter()
            .filter_map(|(name, item)| match item {
                ReferenceOr::Item(s) => Some((name, inherited(s))),
                ReferenceOr::Reference { .. } => None,
            })
            .collect();
        let mut family: BTreeSet<String> = BTreeSet::from([key.to_string()]);
        loop {
            let before = family.len();
            for (name, bases) in &parents {
                if bases.iter().any(|b| family.contains(b)) {
                    family.insert((*name).clone());
                }
            }
            if family.len() == before {
                break;
            }
        }
        family.remove(key);
        found.extend(family);
        found.into_iter().collect()
    }
}

/// The `oneOf` and `anyOf` alternatives of a schema object.
fn alternatives(schema: &OaSchema) -> Vec<&ReferenceOr<OaSchema>> {
    match &schema.schema_kind {
        OaKind::OneOf { one_of } => one_of.iter().collect(),
        OaKind::AnyOf { any_of } => any_of.iter().collect(),
        OaKind::Any(any) => any.one_of.iter().chain(&any.any_of).collect(),
        _ => Vec::new(),
    }
}

/// The components a schema object's `allOf` refers to.
fn inherited(schema: &OaSchema) -> Vec<String> {
    let parts = match &schema.schema_kind {
        OaKind::AllOf { all_of } => all_of,
        OaKind::Any(any) => &any.all_of,
        _ => return Vec::new(),
    };
    parts
        .iter()
        .filter_map(|part| match part {
            ReferenceOr::Reference { reference } => component_name(reference, "schemas"),
            ReferenceOr::Item(_) => None,
        })
        .collect()
}
