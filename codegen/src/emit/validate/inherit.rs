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

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Additional, Api, Property, Schema, SchemaKind};

/// How many properties the rewritten objects of all `allOf`s of one
/// generated module may hold in all (see [`parts`]). Microsoft's
/// DeviceManagement modules need 558 (Actions) and 2,322 (Enrollment);
/// diamond-shaped
/// inheritance (parts sharing bases, several levels deep) would otherwise
/// unfold into exponentially many copies.
pub(crate) const BUDGET: usize = 10_000;

/// The parts of an `allOf`, each made to accept the properties its
/// siblings declare. The rewritten objects' properties are paid from
/// `budget`; an `allOf` that would overdraw it keeps its strict reading,
/// which refuses more, never less.
pub(crate) fn parts(api: &Api, parts: &[Schema], budget: &mut usize) -> Vec<Schema> {
    let mut walk = Walk {
        api,
        declared: BTreeMap::new(),
        cost: 0,
        budget: *budget,
    };
    let mut names = BTreeSet::new();
    for part in parts {
        walk.declared(part, &mut names);
    }
    let exempted: Vec<Schema> = parts.iter().map(|p| walk.exempt(p, &names)).collect();
    if walk.cost > walk.budget {
        return parts.to_vec();
    }
    *budget -= walk.cost;
    exempted
}

struct Walk<'a> {
    api: &'a Api,
    /// Names declared by each named type, computed once.
    declared: BTreeMap<String, BTreeSet<String>>,
    /// Properties of the rewritten objects so far.
    cost: usize,
    /// What `cost` may reach.
    budget: usize,
}

impl Walk<'_> {
    /// Property names declared anywhere in `schema`'s `allOf` tree
    /// (objects, through named types and nested `allOf`s; not inside
    /// properties).
    fn declared(&mut self, schema: &Schema, out: &mut BTreeSet<String>) {
        match &schema.kind {
            SchemaKind::Named(name) => out.extend(self.named(name).iter().cloned()),
            SchemaKind::Object(o) => out.extend(o.properties.iter().map(|p| p.name.clone())),
            SchemaKind::AllOf(parts) => {
                for p in parts {
                    self.declared(p, out);
                }
            }
            _ => {}
        }
    }

    /// The names a named type declares (memoised): a struct type's merged
    /// fields (see [`crate::model::TypeDef::fields`]), else what its
    /// `allOf` tree declares.
    fn named(&mut self, name: &str) -> BTreeSet<String> {
        if let Some(known) = self.declared.get(name) {
            return known.clone();
        }
        let mut out = BTreeSet::new();
        if let Some(def) = self.api.types.get(name) {
            match &def.fields {
                Some(fields) => out.extend(fields.properties.iter().map(|p| p.name.clone())),
                None => {
                    // A placeholder first, so a ring (which lowering
                    // reports) ends instead of recursing.
                    self.declared.insert(name.to_string(), BTreeSet::new());
                    self.declared(&def.schema, &mut out);
                }
            }
        }
        self.declared.insert(name.to_string(), out.clone());
        out
    }

    /// `schema`, with `names` declared (as "any value") in every object of
    /// its `allOf` tree that restricts additional properties.
    ///
    /// A named type that already declares every name keeps its reference:
    /// its own `allOf`s are made consistent where that type is written,
    /// which is also what stops recursive types from being unfolded
    /// forever. Every named type inlined costs one, so the walk ends within the
    /// budget on any model.
    fn exempt(&mut self, schema: &Schema, names: &BTreeSet<String>) -> Schema {
        if self.cost > self.budget {
            return schema.clone();
        }
        match &schema.kind {
            SchemaKind::Named(name) => {
                let Some(def) = self.api.types.get(name) else {
                    return schema.clone();
                };
                if names.is_subset(&self.named(name)) {
                    return schema.clone();
                }
                self.cost += 1;
                let mut inlined = self.exempt(&def.schema, names);
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
                            boxed: false,
                        });
                    }
                }
                o.properties.sort_by(|a, b| a.name.cmp(&b.name));
                self.cost += o.properties.len();
                Schema {
                    kind: SchemaKind::Object(o),
                    ..schema.clone()
                }
            }
            SchemaKind::AllOf(parts) => Schema {
                kind: SchemaKind::AllOf(parts.iter().map(|p| self.exempt(p, names)).collect()),
                ..schema.clone()
            },
            _ => schema.clone(),
        }
    }
}
