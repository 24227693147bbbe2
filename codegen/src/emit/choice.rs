//! How a `oneOf`/`anyOf` is held in Rust: one decision ([`plan`]) that the
//! emitters follow and lowering reports on, so that the warning and the
//! generated type never disagree.
//!
//! The validators judge the JSON value against the choice whatever the
//! plan; the Rust type is only the typed surface, and it is generated only
//! where deserialising picks the variant the value really is:
//!
//! * a choice of one real part beside parts that only admit `null` (Graph
//!   writes `anyOf: [{$ref: X}, {type: object, nullable: true}]` for a
//!   nullable reference) is that part, nullable: `Option<X>`;
//! * a choice of strings (nexus's `NameOrId`, a uuid or a name) is a string
//!   newtype: which pattern a text matches is the validators' business;
//! * a choice whose component has a `discriminator` with a `mapping` over
//!   named object parts is an enum tagged by that property;
//! * a choice whose parts are of distinct JSON kinds (string, integer,
//!   number, boolean, array, object) is an untagged enum: the kind of the
//!   value picks the variant (an integer before a number);
//! * anything else (two objects without a discriminator, a part that
//!   admits any value) stays `serde_json::Value`, with a warning.

use std::collections::{BTreeMap, BTreeSet};

use crate::lower::object_view;
use crate::model::{Api, Schema, SchemaKind, Target, TypeDef, alias_part};
use crate::names::Namespace;

/// Most steps one decision takes through nested choices: choices that
/// hold each other are cut where they meet again, and this bounds shared
/// ones (a diamond of choices) on any model.
const FUEL: usize = 4096;

/// The state of one decision's walk through nested choices.
struct Walk {
    /// Named types on the current path.
    on_path: Vec<String>,
    /// Steps left.
    fuel: usize,
}

/// The JSON kinds a value of a part can have (`null` aside: a nullable
/// part makes the whole choice nullable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    /// A JSON integer (tried before `Number`).
    Integer,
    /// A JSON number with a fraction (or any number, after `Integer`).
    Number,
    /// A string.
    String,
    /// `true` or `false`.
    Boolean,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl Kind {
    /// The variant name a part of this kind gets when it has no name.
    fn variant_name(self) -> &'static str {
        match self {
            Kind::Integer => "Integer",
            Kind::Number => "Number",
            Kind::String => "String",
            Kind::Boolean => "Boolean",
            Kind::Array => "Array",
            Kind::Object => "Object",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Integer => "integers",
            Kind::Number => "numbers",
            Kind::String => "strings",
            Kind::Boolean => "booleans",
            Kind::Array => "arrays",
            Kind::Object => "objects",
        }
    }
}

/// One variant of a generated enum.
#[derive(Debug, Clone)]
pub(crate) struct Variant<'a> {
    /// The Rust variant name.
    pub(crate) name: String,
    /// The part's schema.
    pub(crate) schema: &'a Schema,
    /// The part's index among the choice's parts.
    pub(crate) part: usize,
    /// Tag values that select it (tagged enums only), first one canonical.
    pub(crate) tags: Vec<String>,
}

/// How a choice is held in Rust.
#[derive(Debug, Clone)]
pub(crate) enum Plan<'a> {
    /// One real part; the others only admit `null`.
    Alias(&'a Schema),
    /// Every part is a string: a string newtype.
    Text,
    /// Every part is a string `enum`: one enum of all their values.
    Values(Vec<String>),
    /// Tagged by `property`. `declared`: every variant's struct declares
    /// the property itself (serialised by the variant, read to choose);
    /// otherwise none does and serde's internal tagging writes it.
    Tagged {
        /// The discriminator's property.
        property: String,
        /// One per part.
        variants: Vec<Variant<'a>>,
        /// Whether the parts declare the property.
        declared: bool,
    },
    /// Untagged: the JSON kind picks the variant, in this order.
    Untagged(Vec<Variant<'a>>),
    /// Held as a JSON value, and why.
    Json(String),
}

/// The parts of `schema` when it is a `oneOf`/`anyOf`.
pub(crate) fn choice_parts(schema: &Schema) -> Option<&[Schema]> {
    match &schema.kind {
        SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts) => Some(parts),
        _ => None,
    }
}

/// Decides how the choice `parts` (of the type `def`, when it is a named
/// one) is held.
pub(crate) fn plan<'a>(api: &'a Api, parts: &'a [Schema], def: Option<&'a TypeDef>) -> Plan<'a> {
    let mut walk = Walk {
        on_path: def.iter().map(|d| d.rust_name.clone()).collect(),
        fuel: FUEL,
    };
    plan_in(api, parts, def, &mut walk)
}

/// [`plan`] inside a walk.
fn plan_in<'a>(
    api: &'a Api,
    parts: &'a [Schema],
    def: Option<&'a TypeDef>,
    walk: &mut Walk,
) -> Plan<'a> {
    if parts.is_empty() {
        return Plan::Json("it lists no schema".into());
    }
    if walk.fuel == 0 {
        return Plan::Json("its alternatives nest too deeply to be told apart".into());
    }
    walk.fuel -= 1;
    if let Some(part) = alias_part(parts) {
        // A choice on a ring of aliases (see `lower::aliases`) would be
        // `type A = B; type B = A;`, which has no Rust type.
        if let Some(Target::Ring(ring)) = def.map(|d| &d.target) {
            return Plan::Json(match &ring[..] {
                [_] => "its only alternative besides `null` is itself".into(),
                _ => {
                    let names: Vec<&str> = ring
                        .iter()
                        .chain(&ring[..1])
                        .map(|n| {
                            api.types
                                .get(n)
                                .map_or(n.as_str(), |d| d.spec_name.as_str())
                        })
                        .collect();
                    format!(
                        "its only alternative besides `null` leads back to itself ({})",
                        names.join(" -> ")
                    )
                }
            });
        }
        return Plan::Alias(part);
    }
    let kinds: Vec<Option<BTreeSet<Kind>>> = parts.iter().map(|p| kinds(api, p, walk)).collect();
    if kinds.iter().all(|k| {
        k.as_ref()
            .is_some_and(|k| k.len() == 1 && k.contains(&Kind::String))
    }) {
        let values: Option<Vec<Vec<String>>> =
            parts.iter().map(|p| string_values(api, p)).collect();
        return match values {
            Some(values) => {
                let mut all: Vec<String> = Vec::new();
                for v in values.into_iter().flatten() {
                    if !all.contains(&v) {
                        all.push(v);
                    }
                }
                Plan::Values(all)
            }
            None => Plan::Text,
        };
    }
    let untagged_because = match def.and_then(|def| tagged(api, parts, def)) {
        Some(Ok(tagged)) => return tagged,
        Some(Err(why)) => Some(why),
        None => None,
    };
    let mut seen: BTreeMap<Kind, usize> = BTreeMap::new();
    for (i, k) in kinds.iter().enumerate() {
        let Some(k) = k else {
            return Plan::Json(format!(
                "its part {i} admits any JSON value, so no Rust type can tell it from the others"
            ));
        };
        for kind in k {
            if let Some(j) = seen.insert(*kind, i) {
                if let Some(tagged) = inferred_tag(api, parts) {
                    return tagged;
                }
                if let Some(why) = untagged_because {
                    return Plan::Json(why);
                }
                return Plan::Json(format!(
                    "its parts {j} and {i} both admit {}, and no required property with one constant string per part (or `discriminator`) tells them apart, so deserialising could not tell which one a value is",
                    kind.noun()
                ));
            }
        }
    }
    let mut names = Namespace::default();
    let mut variants: Vec<(Kind, Variant<'a>)> = parts
        .iter()
        .zip(&kinds)
        .enumerate()
        .map(|(i, (part, k))| {
            let first = k
                .as_ref()
                .and_then(|k| k.iter().next().copied())
                .unwrap_or(Kind::Object);
            let wanted = component_name(api, part).unwrap_or(first.variant_name());
            let variant = Variant {
                name: names.claim(wanted),
                schema: part,
                part: i,
                tags: Vec::new(),
            };
            (first, variant)
        })
        .collect();
    // serde tries variants in order: an integer must meet `Integer` before
    // `Number`, which takes any number.
    variants.sort_by_key(|(kind, _)| *kind == Kind::Number);
    Plan::Untagged(variants.into_iter().map(|(_, v)| v).collect())
}

/// The component name of a part that is a `$ref` to a component (not to
/// a type hoisted from an inline schema, whose name is made up).
fn component_name<'a>(api: &'a Api, part: &'a Schema) -> Option<&'a str> {
    match &part.kind {
        SchemaKind::Named(name) => api
            .types
            .get(name)
            .filter(|def| !def.spec_name.starts_with('#'))
            .map(|def| def.rust_name.as_str()),
        _ => None,
    }
}

/// The values of a string `enum` (through references), if `schema` is one.
fn string_values(api: &Api, schema: &Schema) -> Option<Vec<String>> {
    match &api.resolve(schema).kind {
        SchemaKind::String(s) if !s.enumeration.is_empty() => Some(s.enumeration.clone()),
        _ => None,
    }
}

/// The tag a choice of objects carries without saying so: a property that
/// every part requires, each with its own constant strings (a string
/// `enum`), as serde's internally tagged enums describe themselves
/// (nexus's `{type: "ip", value: ...}`). The first such property by name.
fn inferred_tag<'a>(api: &'a Api, parts: &'a [Schema]) -> Option<Plan<'a>> {
    let views: Vec<_> = parts
        .iter()
        .map(|p| object_view(api, p))
        .collect::<Option<_>>()?;
    let first = views.first()?;
    'property: for candidate in first.properties.iter().filter(|p| p.required) {
        let mut taken: BTreeSet<String> = BTreeSet::new();
        let mut tags = Vec::new();
        for view in &views {
            let Some(found) = view
                .properties
                .iter()
                .find(|p| p.name == candidate.name && p.required)
            else {
                continue 'property;
            };
            let Some(values) = string_values(api, &found.schema) else {
                continue 'property;
            };
            if values.iter().any(|v| !taken.insert(v.clone())) {
                continue 'property;
            }
            tags.push(values);
        }
        let mut names = Namespace::default();
        let variants = parts
            .iter()
            .zip(tags)
            .enumerate()
            .map(|(i, (part, tags))| {
                let wanted = component_name(api, part)
                    .map(str::to_string)
                    .unwrap_or_else(|| crate::names::variant(&tags[0]));
                Variant {
                    name: names.claim(&wanted),
                    schema: part,
                    part: i,
                    tags,
                }
            })
            .collect();
        return Some(Plan::Tagged {
            property: candidate.name.clone(),
            variants,
            declared: true,
        });
    }
    None
}

/// The tagged plan, when `def` has a discriminator whose mapping names
/// every part, each an object type, and the parts agree on declaring the
/// property; else why not (`None` without a discriminator).
fn tagged<'a>(
    api: &'a Api,
    parts: &'a [Schema],
    def: &'a TypeDef,
) -> Option<Result<Plan<'a>, String>> {
    let d = def.discriminator.as_ref()?;
    let mut variants = Vec::new();
    let mut declares = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let SchemaKind::Named(name) = &part.kind else {
            return Some(Err(format!(
                "its `discriminator` needs every part to be a `$ref` to a component schema, and part {i} is not"
            )));
        };
        let tags: Vec<String> = d
            .mapping
            .iter()
            .filter(|(_, target)| target == name)
            .map(|(value, _)| value.clone())
            .collect();
        let Some(merged) = object_view(api, part) else {
            return Some(Err(format!(
                "its `discriminator` needs every part to be an object, and part {i} is not"
            )));
        };
        if tags.is_empty() || variants.iter().any(|v: &Variant<'_>| v.name == *name) {
            return Some(Err(format!(
                "its `discriminator` `mapping` gives part {i} no value of its own"
            )));
        }
        declares.push(merged.properties.iter().any(|p| p.name == d.property));
        variants.push(Variant {
            name: name.clone(),
            schema: part,
            part: i,
            tags,
        });
    }
    let declared = declares.iter().all(|d| *d);
    if !declared && declares.iter().any(|d| *d) {
        return Some(Err(format!(
            "some of its parts declare the discriminator's property `{}` and others do not, so the enum could neither leave it to the parts nor write it itself",
            d.property
        )));
    }
    Some(Ok(Plan::Tagged {
        property: d.property.clone(),
        variants,
        declared,
    }))
}

/// The string newtype a path parameter's schema names, if it is one (a
/// reference to a choice of strings): the flat method takes it, and the
/// server reads the path into it.
pub(crate) fn text_newtype<'a>(api: &'a Api, schema: &'a Schema) -> Option<&'a str> {
    let name = schema.named_target()?;
    let def = api.types.get(name)?;
    let parts = choice_parts(&def.schema)?;
    matches!(plan(api, parts, Some(def)), Plan::Text).then_some(def.rust_name.as_str())
}

/// The JSON kinds `schema` admits; `None` when it admits any value (or
/// holds itself, or the walk ran out of steps).
fn kinds(api: &Api, schema: &Schema, walk: &mut Walk) -> Option<BTreeSet<Kind>> {
    if walk.fuel == 0 {
        return None;
    }
    walk.fuel -= 1;
    let one = |k| Some(BTreeSet::from([k]));
    match &schema.kind {
        SchemaKind::Named(name) => {
            if walk.on_path.contains(name) {
                return None;
            }
            let def = api.types.get(name)?;
            walk.on_path.push(name.clone());
            let found = match choice_parts(&def.schema) {
                Some(parts) => choice_kinds(api, parts, Some(def), walk),
                None => kinds(api, &def.schema, walk),
            };
            walk.on_path.pop();
            found
        }
        SchemaKind::Any => None,
        SchemaKind::String(_) => one(Kind::String),
        SchemaKind::Integer(_) => one(Kind::Integer),
        SchemaKind::Number(_) => one(Kind::Number),
        SchemaKind::Boolean(_) => one(Kind::Boolean),
        // A `not` alone admits values of every kind but some.
        SchemaKind::Not(_) => None,
        SchemaKind::Array(_) => one(Kind::Array),
        SchemaKind::Object(_) => one(Kind::Object),
        SchemaKind::AllOf(parts) if crate::model::sole_part(parts).is_some() => {
            kinds(api, crate::model::sole_part(parts)?, walk)
        }
        SchemaKind::AllOf(_) => object_view(api, schema).and_then(|_| one(Kind::Object)),
        SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts) => choice_kinds(api, parts, None, walk),
    }
}

/// The kinds of a nested choice, as its own plan holds them.
fn choice_kinds(
    api: &Api,
    parts: &[Schema],
    def: Option<&TypeDef>,
    walk: &mut Walk,
) -> Option<BTreeSet<Kind>> {
    match plan_in(api, parts, def, walk) {
        Plan::Alias(part) => kinds(api, part, walk),
        Plan::Text | Plan::Values(_) => Some(BTreeSet::from([Kind::String])),
        Plan::Tagged { .. } => Some(BTreeSet::from([Kind::Object])),
        Plan::Untagged(variants) => {
            let mut all = BTreeSet::new();
            for v in variants {
                all.extend(kinds(api, v.schema, walk)?);
            }
            Some(all)
        }
        Plan::Json(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Additional, NumberSchema, ObjectSchema, StringSchema};

    fn schema(kind: SchemaKind, nullable: bool) -> Schema {
        Schema {
            kind,
            nullable,
            description: String::new(),
            pointer: String::new(),
        }
    }

    fn api() -> Api {
        Api {
            title: String::new(),
            version: String::new(),
            source: String::new(),
            servers: Vec::new(),
            operations: Vec::new(),
            types: BTreeMap::new(),
            warnings: Vec::new(),
        }
    }

    fn empty_object() -> SchemaKind {
        SchemaKind::Object(ObjectSchema {
            properties: Vec::new(),
            additional: Additional::Any,
            min_properties: None,
            max_properties: None,
            required_undeclared: Vec::new(),
        })
    }

    #[test]
    fn a_reference_beside_a_null_carrier_is_that_reference() {
        let api = api();
        let parts = [Schema::named("Thing"), schema(empty_object(), true)];
        assert!(matches!(plan(&api, &parts, None), Plan::Alias(p) if *p == parts[0]));
    }

    #[test]
    fn choices_that_hold_each_other_end() {
        let mut api = api();
        for (name, other) in [("A", "B"), ("B", "A")] {
            let parts = vec![
                Schema::named(other),
                schema(SchemaKind::Integer(NumberSchema::default()), false),
            ];
            let def = TypeDef {
                rust_name: name.into(),
                spec_name: name.into(),
                schema: schema(SchemaKind::AnyOf(parts), false),
                discriminator: None,
                target: Target::Itself,
                admits_null: false,
                fields: None,
                boxed_parts: Vec::new(),
            };
            api.types.insert(name.into(), def);
        }
        let def = &api.types["A"];
        let parts = choice_parts(&def.schema).unwrap();
        assert!(matches!(plan(&api, parts, Some(def)), Plan::Json(_)));
    }

    #[test]
    fn strings_make_text_and_distinct_kinds_an_untagged_enum() {
        let api = api();
        let string = schema(SchemaKind::String(StringSchema::default()), false);
        let number = schema(SchemaKind::Number(NumberSchema::default()), false);
        let integer = schema(SchemaKind::Integer(NumberSchema::default()), false);
        assert!(matches!(
            plan(&api, &[string.clone(), string.clone()], None),
            Plan::Text
        ));
        let parts = [number.clone(), string.clone(), integer.clone()];
        let Plan::Untagged(variants) = plan(&api, &parts, None) else {
            panic!("expected an untagged enum");
        };
        let names: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["String", "Integer", "Number"]);
        let objects = [schema(empty_object(), false), schema(empty_object(), false)];
        assert!(matches!(plan(&api, &objects, None), Plan::Json(why) if why.contains("objects")));
        let any = [string, schema(SchemaKind::Any, false)];
        assert!(
            matches!(plan(&api, &any, None), Plan::Json(why) if why.contains("any JSON value"))
        );
    }
}
