//! How each `oneOf`/`anyOf` type is held in Rust ([`ChoicePlan`] on
//! [`TypeDef::choice`]): decided once per named choice, when every type is
//! known, and only rendered by the emitters, so that the warning and the
//! generated type never disagree.
//!
//! * a choice of one real part beside parts that only admit `null` (Graph
//!   writes `anyOf: [{$ref: X}, {type: object, nullable: true}]` for a
//!   nullable reference) is that part, nullable;
//! * a choice of strings (nexus's `NameOrId`, a uuid or a name) is a string
//!   newtype, or one enum when every part is a string `enum`;
//! * a choice whose component has a `discriminator` with a `mapping` over
//!   named object parts, or whose object parts all require a property with
//!   constant strings of their own, is an enum tagged by that property;
//! * a choice whose parts are of distinct JSON types is an untagged enum:
//!   the type of the value picks the variant (an integer before a number);
//! * any other choice whose parts share a JSON type (two objects without a
//!   tag, two integers of different ranges) is an enum read by validation:
//!   the value is the variant of the part it is valid against;
//! * only a part that admits any JSON value, a choice that holds itself
//!   with no value in between, or a discriminator that cannot be honoured
//!   leave a choice a JSON value, with a warning that says why.
//!
//! Each named type is decided once (memoised), so a graph of choices that
//! share parts (diamonds) takes work linear in its size; a named type met
//! again on the current path is cut there.

use std::collections::{BTreeSet, HashMap};

use super::{Lowerer, object_view};
use crate::diag::join;
use crate::model::{
    Api, ChoicePlan, Schema, SchemaKind, Target, TypeDef, Variant, alias_part, is_null_carrier,
    sole_part,
};
use crate::names::Namespace;

impl Lowerer<'_> {
    /// Sets [`TypeDef::choice`] on every `oneOf`/`anyOf` type, and warns
    /// about each one held as a JSON value.
    pub(crate) fn decide_choices(&mut self) {
        for Decision { name, plan, hint } in decide(&self.out) {
            let Some(def) = self.out.types.get_mut(&name) else {
                continue;
            };
            let keyword = match def.schema.kind {
                SchemaKind::OneOf(_) => "oneOf",
                _ => "anyOf",
            };
            // An empty choice was reported where it is written.
            if let ChoicePlan::Json(why) = &plan
                && !choice_parts(&def.schema).is_some_and(<[Schema]>::is_empty)
            {
                self.c.warn(
                    &join(&def.schema.pointer, keyword),
                    format!("this `{keyword}` is held as an untyped JSON value (`serde_json::Value`), not a Rust enum: {why}; the validators still check the value against the choice"),
                    hint,
                );
            }
            def.choice = Some(plan);
        }
    }
}

/// The parts of `schema` when it is a `oneOf`/`anyOf`.
pub(crate) fn choice_parts(schema: &Schema) -> Option<&[Schema]> {
    match &schema.kind {
        SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts) => Some(parts),
        _ => None,
    }
}

/// The plan of one `oneOf`/`anyOf` type.
pub(crate) struct Decision {
    /// The type's Rust name.
    pub(crate) name: String,
    /// How it is held.
    pub(crate) plan: ChoicePlan,
    /// For a JSON value: how the spec could get an enum instead.
    pub(crate) hint: &'static str,
}

/// The plan of every `oneOf`/`anyOf` type of `api`, in name order.
pub(crate) fn decide(api: &Api) -> Vec<Decision> {
    decide_counting(api).0
}

/// [`decide`], with the number of steps the decisions took.
fn decide_counting(api: &Api) -> (Vec<Decision>, usize) {
    let mut decider = Decider {
        api,
        done: HashMap::new(),
        on_path: Vec::new(),
        steps: 0,
    };
    let mut plans = Vec::new();
    for (name, def) in &api.types {
        if choice_parts(&def.schema).is_none() {
            continue;
        }
        decider.named(name);
        if let Some(Decided {
            plan: Some(plan),
            kinds,
        }) = decider.done.get(name.as_str())
        {
            // A JSON value's kinds say why it is one (see `Decider::plan`).
            let hint = match kinds {
                Kinds::Loops => {
                    "put an object or an array between the choice and itself, or drop the alternative that leads back, to get an enum"
                }
                Kinds::Any => {
                    "give every alternative a `type`, or drop the one that admits anything if the others are what is meant, to get an enum"
                }
                _ => {
                    "map each alternative to a `$ref` of an object schema of its own, all of them declaring the property or none, to get an enum tagged by it"
                }
            };
            plans.push(Decision {
                name: name.clone(),
                plan: plan.clone(),
                hint,
            });
        }
    }
    (plans, decider.steps)
}

/// The JSON types a value can have (`null` aside: a nullable part makes
/// the whole choice nullable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
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
}

/// What deserialising a schema's Rust type accepts, as far as telling
/// parts apart goes.
#[derive(Debug, Clone, PartialEq)]
enum Kinds {
    /// Values of these JSON types only.
    Of(BTreeSet<Kind>),
    /// Held as a JSON value although the schema admits only some values
    /// (an `allOf` that is not an object, a choice held as JSON for a
    /// reason of its own): serde cannot tell it by type, validation can.
    Opaque,
    /// Any JSON value.
    Any,
    /// Leads back to a named type on the current path through references
    /// and choices alone: a choice that holds itself with no value in
    /// between, whose values would never end.
    Loops,
}

impl Kinds {
    fn one(kind: Kind) -> Kinds {
        Kinds::Of(BTreeSet::from([kind]))
    }
}

/// A named type once decided.
struct Decided {
    /// Its plan, when it is a choice.
    plan: Option<ChoicePlan>,
    /// What its Rust type accepts.
    kinds: Kinds,
}

/// The decisions made so far.
struct Decider<'a> {
    api: &'a Api,
    /// Every named type decided, by Rust name.
    done: HashMap<&'a str, Decided>,
    /// Named types on the current path.
    on_path: Vec<&'a str>,
    /// Schemas visited, for the test that the work is linear.
    steps: usize,
}

impl<'a> Decider<'a> {
    /// The kinds of the named type `name`, deciding it (and its plan,
    /// when it is a choice) on the first visit.
    fn named(&mut self, name: &'a str) -> Kinds {
        self.steps += 1;
        if let Some(done) = self.done.get(name) {
            return done.kinds.clone();
        }
        // Met again on the current path. Whatever depends on this result
        // is `Loops` too, so no decision that saw the cut differs from the
        // one a visit from elsewhere would make, and memoising it is sound.
        if self.on_path.contains(&name) {
            return Kinds::Loops;
        }
        let api = self.api;
        let Some(def) = api.types.get(name) else {
            return Kinds::Opaque;
        };
        self.on_path.push(name);
        let decided = match choice_parts(&def.schema) {
            Some(parts) => {
                let (plan, kinds) = self.plan(parts, def);
                Decided {
                    plan: Some(plan),
                    kinds,
                }
            }
            None => Decided {
                plan: None,
                kinds: self.kinds(&def.schema),
            },
        };
        self.on_path.pop();
        let kinds = decided.kinds.clone();
        self.done.insert(name, decided);
        kinds
    }

    /// The kinds of `schema`, deciding the named types it refers to.
    fn kinds(&mut self, schema: &'a Schema) -> Kinds {
        self.steps += 1;
        match &schema.kind {
            SchemaKind::Named(name) => self.named(name),
            SchemaKind::Any => Kinds::Any,
            // A `not` alone admits values of every type but some.
            SchemaKind::Not(_) => Kinds::Any,
            SchemaKind::String(_) => Kinds::one(Kind::String),
            SchemaKind::Integer(_) => Kinds::one(Kind::Integer),
            SchemaKind::Number(_) => Kinds::one(Kind::Number),
            SchemaKind::Boolean(_) => Kinds::one(Kind::Boolean),
            SchemaKind::Array(_) => Kinds::one(Kind::Array),
            SchemaKind::Object(_) => Kinds::one(Kind::Object),
            SchemaKind::AllOf(parts) => match sole_part(parts) {
                Some(part) => self.kinds(part),
                None if object_view(self.api, schema).is_some() => Kinds::one(Kind::Object),
                None => Kinds::Opaque,
            },
            // A choice written where it is not a named type of its own is
            // its one real part, or else a JSON value.
            SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts) => match alias_part(parts) {
                Some(part) => self.kinds(part),
                None => Kinds::Opaque,
            },
        }
    }

    /// Decides how the choice `def`, whose parts are `parts`, is held, and
    /// what its Rust type then accepts. A JSON value's kinds also say why
    /// it is one: `Loops` (it holds itself), `Any` (a part admits any
    /// value), `Opaque` (its discriminator cannot be honoured, or it lists
    /// no part).
    fn plan(&mut self, parts: &'a [Schema], def: &'a TypeDef) -> (ChoicePlan, Kinds) {
        if parts.is_empty() {
            return (ChoicePlan::Json("it lists no schema".into()), Kinds::Opaque);
        }
        if let Some(part) = alias_part(parts) {
            // A choice on a ring of aliases (see `lower::aliases`) would be
            // `type A = B; type B = A;`, which has no Rust type.
            if let Target::Ring(ring) = &def.target {
                return (ChoicePlan::Json(self.ring(ring)), Kinds::Loops);
            }
            let index = parts.iter().position(|p| !is_null_carrier(p)).unwrap_or(0);
            return (ChoicePlan::Alias(index), self.kinds(part));
        }
        let kinds: Vec<Kinds> = parts.iter().map(|p| self.kinds(p)).collect();
        if let Some(i) = kinds.iter().position(|k| *k == Kinds::Loops) {
            let why = format!(
                "its part {i} leads back to a choice through references and choices alone, with no object or array in between, so a value of it would never end and no Rust type can hold it"
            );
            return (ChoicePlan::Json(why), Kinds::Loops);
        }
        let string = Kinds::one(Kind::String);
        if kinds.iter().all(|k| *k == string) {
            let values: Option<Vec<Vec<String>>> =
                parts.iter().map(|p| string_values(self.api, p)).collect();
            let plan = match values {
                Some(values) => {
                    let mut all: Vec<String> = Vec::new();
                    for v in values.into_iter().flatten() {
                        if !all.contains(&v) {
                            all.push(v);
                        }
                    }
                    ChoicePlan::Values(all)
                }
                None => ChoicePlan::Text,
            };
            return (plan, string);
        }
        let untagged_because = match tagged(self.api, parts, def) {
            Some(Ok(tagged)) => return (tagged, Kinds::one(Kind::Object)),
            Some(Err(why)) => Some(why),
            None => None,
        };
        if let Some(i) = kinds.iter().position(|k| *k == Kinds::Any) {
            let why = format!(
                "its part {i} admits any JSON value, so its variant could only hold untyped JSON too"
            );
            return (ChoicePlan::Json(why), Kinds::Any);
        }
        let variants = variants(self.api, parts, &kinds);
        let all = union(&kinds);
        if distinct(&kinds) {
            return (ChoicePlan::Untagged(untagged_order(variants, &kinds)), all);
        }
        if let Some(tagged) = inferred_tag(self.api, parts) {
            return (tagged, Kinds::one(Kind::Object));
        }
        match untagged_because {
            Some(why) => (ChoicePlan::Json(why), Kinds::Opaque),
            None => (ChoicePlan::Validated(variants), all),
        }
    }

    /// Why a choice on the ring of aliases `ring` is a JSON value.
    fn ring(&self, ring: &[String]) -> String {
        match ring {
            [_] => "its only alternative besides `null` is itself".into(),
            _ => {
                let names: Vec<&str> = ring
                    .iter()
                    .chain(&ring[..1])
                    .map(|n| {
                        self.api
                            .types
                            .get(n)
                            .map_or(n.as_str(), |d| d.spec_name.as_str())
                    })
                    .collect();
                format!(
                    "its only alternative besides `null` leads back to itself ({})",
                    names.join(" -> ")
                )
            }
        }
    }
}

/// Whether no two parts share a JSON type, and each has known types:
/// deserialising can then try each variant in turn.
fn distinct(kinds: &[Kinds]) -> bool {
    let mut seen = BTreeSet::new();
    kinds.iter().all(|k| match k {
        Kinds::Of(set) => set.iter().all(|kind| seen.insert(*kind)),
        _ => false,
    })
}

/// What the enum of parts of these kinds accepts: the union of their
/// types, or `Opaque` when a part is held as JSON.
fn union(kinds: &[Kinds]) -> Kinds {
    let mut all = BTreeSet::new();
    for k in kinds {
        match k {
            Kinds::Of(set) => all.extend(set),
            _ => return Kinds::Opaque,
        }
    }
    Kinds::Of(all)
}

/// One variant per part, named after its component or its JSON type.
fn variants(api: &Api, parts: &[Schema], kinds: &[Kinds]) -> Vec<Variant> {
    let mut names = Namespace::default();
    parts
        .iter()
        .zip(kinds)
        .enumerate()
        .map(|(i, (part, k))| {
            let by_kind = match k {
                Kinds::Of(set) => set.iter().next().map_or("Value", |k| k.variant_name()),
                _ => "Value",
            };
            let wanted = component_name(api, part).unwrap_or(by_kind);
            Variant {
                name: names.claim(wanted),
                part: i,
                tags: Vec::new(),
            }
        })
        .collect()
}

/// serde tries an untagged enum's variants in order: an integer must meet
/// `Integer` before `Number`, which takes any number.
fn untagged_order(variants: Vec<Variant>, kinds: &[Kinds]) -> Vec<Variant> {
    let number = Kinds::one(Kind::Number);
    let mut variants = variants;
    variants.sort_by_key(|v| kinds[v.part] == number);
    variants
}

/// The component name of a part that is a `$ref` to a component (not to
/// a type hoisted from an inline schema, whose name is made up), also when
/// the reference is wrapped to annotate it (`{title: v4, allOf: [$ref]}`).
fn component_name<'a>(api: &'a Api, part: &Schema) -> Option<&'a str> {
    api.types
        .get(part.named_target()?)
        .filter(|def| !def.spec_name.starts_with('#'))
        .map(|def| def.rust_name.as_str())
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
fn inferred_tag(api: &Api, parts: &[Schema]) -> Option<ChoicePlan> {
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
                    part: i,
                    tags,
                }
            })
            .collect();
        return Some(ChoicePlan::Tagged {
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
fn tagged(api: &Api, parts: &[Schema], def: &TypeDef) -> Option<Result<ChoicePlan, String>> {
    let d = def.discriminator.as_ref()?;
    let mut variants: Vec<Variant> = Vec::new();
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
        if tags.is_empty() || variants.iter().any(|v| v.name == *name) {
            return Some(Err(format!(
                "its `discriminator` `mapping` gives part {i} no value of its own"
            )));
        }
        declares.push(merged.properties.iter().any(|p| p.name == d.property));
        variants.push(Variant {
            name: name.clone(),
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
    Some(Ok(ChoicePlan::Tagged {
        property: d.property.clone(),
        variants,
        declared,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Additional, NumberSchema, ObjectSchema, Property, StringSchema};

    fn schema(kind: SchemaKind, nullable: bool) -> Schema {
        Schema {
            kind,
            nullable,
            description: String::new(),
            pointer: String::new(),
        }
    }

    fn api() -> Api {
        Api::default()
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

    /// An object that requires one string property.
    fn requiring(name: &str) -> Schema {
        schema(
            SchemaKind::Object(ObjectSchema {
                properties: vec![Property {
                    name: name.into(),
                    rust_name: name.into(),
                    required: true,
                    schema: schema(SchemaKind::String(StringSchema::default()), false),
                    aliases: Vec::new(),
                    boxed: false,
                }],
                additional: Additional::Any,
                min_properties: None,
                max_properties: None,
                required_undeclared: Vec::new(),
            }),
            false,
        )
    }

    fn add(api: &mut Api, name: &str, schema: Schema) {
        api.types.insert(
            name.into(),
            TypeDef::undecided(name.into(), name.into(), schema),
        );
    }

    /// The plan of the choice `parts`, as a type called `Choice`.
    fn plan_of(mut api: Api, parts: Vec<Schema>) -> ChoicePlan {
        add(&mut api, "Choice", schema(SchemaKind::OneOf(parts), false));
        plan_named(&api, "Choice")
    }

    fn plan_named(api: &Api, name: &str) -> ChoicePlan {
        decide(api)
            .into_iter()
            .find(|d| d.name == name)
            .map(|d| d.plan)
            .unwrap()
    }

    #[test]
    fn a_reference_beside_a_null_carrier_is_that_reference() {
        let parts = vec![schema(empty_object(), true), Schema::named("Thing")];
        assert_eq!(plan_of(api(), parts), ChoicePlan::Alias(1));
    }

    #[test]
    fn choices_that_hold_each_other_end() {
        let mut api = api();
        for (name, other) in [("A", "B"), ("B", "A")] {
            let parts = vec![
                Schema::named(other),
                schema(SchemaKind::Integer(NumberSchema::default()), false),
            ];
            add(&mut api, name, schema(SchemaKind::AnyOf(parts), false));
        }
        // Held by a third choice, which cannot end either.
        let parts = vec![
            Schema::named("A"),
            schema(SchemaKind::String(StringSchema::default()), false),
        ];
        add(&mut api, "C", schema(SchemaKind::OneOf(parts), false));
        for name in ["A", "B", "C"] {
            assert!(
                matches!(plan_named(&api, name), ChoicePlan::Json(why) if why.contains("leads back")),
                "{name}"
            );
        }
    }

    #[test]
    fn strings_make_text_and_distinct_kinds_an_untagged_enum() {
        let string = schema(SchemaKind::String(StringSchema::default()), false);
        let number = schema(SchemaKind::Number(NumberSchema::default()), false);
        let integer = schema(SchemaKind::Integer(NumberSchema::default()), false);
        assert_eq!(
            plan_of(api(), vec![string.clone(), string.clone()]),
            ChoicePlan::Text
        );
        let parts = vec![number.clone(), string.clone(), integer.clone()];
        let ChoicePlan::Untagged(variants) = plan_of(api(), parts) else {
            panic!("expected an untagged enum");
        };
        let names: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["String", "Integer", "Number"]);
        let any = vec![string, schema(SchemaKind::Any, false)];
        assert!(
            matches!(plan_of(api(), any), ChoicePlan::Json(why) if why.contains("any JSON value"))
        );
    }

    #[test]
    fn parts_of_one_json_type_make_an_enum_read_by_validation() {
        // Two objects, no tag: validation tells them apart.
        let ChoicePlan::Validated(variants) = plan_of(api(), vec![requiring("a"), requiring("b")])
        else {
            panic!("expected an enum read by validation");
        };
        let names: Vec<(&str, usize)> =
            variants.iter().map(|v| (v.name.as_str(), v.part)).collect();
        assert_eq!(names, [("Object", 0), ("Object2", 1)]);
        // Two integers of different ranges, beside a string.
        let range = |minimum| {
            schema(
                SchemaKind::Integer(NumberSchema {
                    minimum: Some(minimum),
                    ..NumberSchema::default()
                }),
                false,
            )
        };
        let string = schema(SchemaKind::String(StringSchema::default()), false);
        assert!(matches!(
            plan_of(api(), vec![range(0.0), range(10.0), string]),
            ChoicePlan::Validated(v) if v.len() == 3
        ));
        // A nested choice held as JSON for a reason of its own is a part
        // validation can still choose.
        let mut api = api();
        add(
            &mut api,
            "Empty",
            schema(SchemaKind::AnyOf(Vec::new()), false),
        );
        let parts = vec![Schema::named("Empty"), requiring("a")];
        assert!(matches!(plan_of(api, parts), ChoicePlan::Validated(_)));
    }

    /// A chain of `depth` choices, each holding the next one twice (as a
    /// diamond) beside objects: every path through it is a different walk,
    /// 2^depth of them, but each choice is decided once.
    #[test]
    fn a_diamond_graph_of_choices_is_decided_without_a_limit_in_linear_work() {
        let depth = 200;
        let mut api = api();
        for level in 0..depth {
            let next = format!("C{}", level + 1);
            let parts = vec![
                Schema::named(&next),
                Schema::named(&next),
                requiring(&format!("p{level}")),
            ];
            add(
                &mut api,
                &format!("C{level}"),
                schema(SchemaKind::AnyOf(parts), false),
            );
        }
        add(&mut api, &format!("C{depth}"), requiring("end"));
        let (plans, steps) = decide_counting(&api);
        assert_eq!(plans.len(), depth);
        for d in &plans {
            assert!(
                matches!(d.plan, ChoicePlan::Validated(_)),
                "{}: {:?}",
                d.name,
                d.plan
            );
        }
        // Each choice: one visit of its own, one per part and one per
        // reference its parts make.
        assert!(steps <= 8 * (depth + 1), "{steps} steps");
    }
}
