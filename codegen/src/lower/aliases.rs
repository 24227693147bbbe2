//! Aliases, resolved once every named type is known: what each type
//! stands for ([`TypeDef::target`]) and whether it admits `null`
//! ([`TypeDef::admits_null`]). The emitters read these instead of
//! following chains of references themselves.
//!
//! A type is an alias when its schema, unwrapped (one-part `allOf`s,
//! choices of one real part beside `null`-only parts), is a reference to
//! another named type. Aliases form chains that end at a type that is not
//! one, or on a ring. A ring of `$ref`s and `allOf`s is an error reported
//! by [`super::Lowerer::check_alias_cycles`]; a ring through a choice
//! (`A: anyOf: [$ref: B, {nullable}]`, `B: anyOf: [$ref: A, {nullable}]`)
//! has no Rust type either, so the choices on it are held as JSON values
//! (see `lower::choice`, whose warning names the ring).

use std::collections::BTreeMap;

use super::Lowerer;
use crate::model::{Api, SchemaKind, Target, TypeDef};

impl Lowerer<'_> {
    /// Fills in [`TypeDef::target`] and [`TypeDef::admits_null`].
    pub(crate) fn resolve_aliases(&mut self) {
        resolve(&mut self.out);
    }
}

/// Decides [`TypeDef::target`] and [`TypeDef::admits_null`] for every
/// type of `api`.
pub(crate) fn resolve(api: &mut Api) {
    let targets = targets(api);
    for (name, target) in targets {
        if let Some(def) = api.types.get_mut(&name) {
            def.target = target;
        }
    }
    let nullable: Vec<String> = admits_null(api)
        .into_iter()
        .filter(|(_, admits)| *admits)
        .map(|(name, _)| name.to_string())
        .collect();
    for name in nullable {
        if let Some(def) = api.types.get_mut(&name) {
            def.admits_null = true;
        }
    }
}

/// Decides [`TypeDef::target`] and [`TypeDef::admits_null`] of the one
/// type `name`, added after [`resolve`] ran (an inline schema hoisted
/// while lowering operations), from those of the type it refers to,
/// decided already. Nothing refers to a type as it is added, so it is on
/// no ring, and one step decides it: lowering can see through aliases
/// (see [`Api::resolve`]) before the final [`resolve`] without following
/// chains itself.
pub(crate) fn settle(api: &mut Api, name: &str) {
    let Some(def) = api.types.get(name) else {
        return;
    };
    let target = match next(api, def) {
        None => Target::Itself,
        Some(following) => match &api.types[following].target {
            Target::Alias(end) => Target::Alias(end.clone()),
            Target::Itself | Target::Ring(_) => Target::Alias(following.to_string()),
        },
    };
    let admits_null = api.admits_null(&def.schema);
    if let Some(def) = api.types.get_mut(name) {
        def.target = target;
        def.admits_null = admits_null;
    }
}

/// The named type `def`'s schema refers to once unwrapped, when it is a
/// type of `api`.
fn next<'a>(api: &Api, def: &'a TypeDef) -> Option<&'a str> {
    def.schema
        .named_target()
        .filter(|name| api.types.contains_key(*name))
}

/// Each type's target. The alias graph has at most one edge out of each
/// type, so one walk from each type not yet decided finds the end of its
/// chain or the ring it runs into.
fn targets(api: &Api) -> BTreeMap<String, Target> {
    let mut decided: BTreeMap<String, Target> = BTreeMap::new();
    // The end each decided type's chain reaches: itself for a type that
    // is not an alias, itself for a type on a ring.
    let mut end: BTreeMap<&str, &str> = BTreeMap::new();
    for start in api.types.keys() {
        let mut path: Vec<&str> = Vec::new();
        let mut current = start.as_str();
        let reached = loop {
            if let Some(found) = end.get(current) {
                break *found;
            }
            if let Some(at) = path.iter().position(|n| *n == current) {
                let ring: Vec<String> = path[at..].iter().map(|n| n.to_string()).collect();
                for (i, member) in path[at..].iter().enumerate() {
                    let mut order = ring.clone();
                    order.rotate_left(i);
                    decided.insert(member.to_string(), Target::Ring(order));
                    end.insert(member, member);
                }
                path.truncate(at);
                break current;
            }
            path.push(current);
            match next(api, &api.types[current]) {
                Some(following) => current = following,
                None => {
                    path.pop();
                    decided.insert(current.to_string(), Target::Itself);
                    end.insert(current, current);
                    break current;
                }
            }
        };
        for member in path {
            decided.insert(member.to_string(), Target::Alias(reached.to_string()));
            end.insert(member, reached);
        }
    }
    decided
}

/// Which types admit `null`: the least solution of "a type admits `null`
/// when its schema does, reading references through this answer", found
/// by repeating until nothing changes (every round sets at least one more
/// type, so it ends).
fn admits_null(api: &Api) -> BTreeMap<&str, bool> {
    fn local(schema: &crate::model::Schema, known: &BTreeMap<&str, bool>) -> bool {
        schema.nullable
            || match &schema.kind {
                SchemaKind::Named(name) => known.get(name.as_str()).copied().unwrap_or(false),
                SchemaKind::AllOf(parts) => {
                    crate::model::sole_part(parts).is_some_and(|p| local(p, known))
                }
                SchemaKind::OneOf(parts) | SchemaKind::AnyOf(parts) => {
                    parts.iter().any(|p| local(p, known))
                }
                _ => false,
            }
    }
    let mut known: BTreeMap<&str, bool> = api
        .types
        .keys()
        .map(|name| (name.as_str(), false))
        .collect();
    loop {
        let mut changed = false;
        for (name, def) in &api.types {
            if !known[name.as_str()] && local(&def.schema, &known) {
                known.insert(name, true);
                changed = true;
            }
        }
        if !changed {
            return known;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Schema;

    fn api_of(spec: &str) -> Result<Api, crate::Diagnostics> {
        crate::model_from_str("aliases.yaml", spec)
    }

    const HEAD: &str =
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n";

    #[test]
    fn a_chain_of_aliases_resolves_to_its_end() {
        let api = api_of(&format!(
            "{HEAD}    A: {{$ref: '#/components/schemas/B'}}\n    B: {{allOf: [{{$ref: '#/components/schemas/C'}}]}}\n    C: {{anyOf: [{{$ref: '#/components/schemas/D'}}, {{type: object, nullable: true}}]}}\n    D: {{type: string, minLength: 2}}\n"
        ))
        .unwrap();
        for name in ["A", "B", "C"] {
            assert_eq!(api.types[name].target, Target::Alias("D".into()), "{name}");
        }
        assert_eq!(api.types["D"].target, Target::Itself);
        let reference = Schema::named("A");
        let resolved = api.resolve(&reference);
        assert!(
            matches!(&resolved.kind, SchemaKind::String(s) if s.min_length == Some(2)),
            "{resolved:?}"
        );
        // `C` has a part that admits `null`, so `A` and `B`, aliases of
        // `C`, admit it too; `D` does not.
        assert!(api.types["A"].admits_null && api.types["C"].admits_null);
        assert!(!api.types["D"].admits_null);
    }

    /// A spec whose operation takes the path parameter `ids` of `schema`,
    /// with `components` under `components/schemas`.
    fn with_path_param(schema: &str, components: &str) -> Result<Api, crate::Diagnostics> {
        api_of(&format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /a/{{ids}}:\n    get:\n      operationId: a\n      parameters:\n        - {{name: ids, in: path, required: true, schema: {schema}}}\n      responses:\n        '204': {{description: ok}}\ncomponents:\n  schemas:\n{components}"
        ))
    }

    /// `A0` → `A1` → ... → `A{n-1}` → `end`, as `$ref`s and one-part
    /// `allOf`s in turn.
    fn chain(n: usize, end: &str) -> String {
        let mut out = String::new();
        for i in 0..n {
            let next = format!("$ref: '#/components/schemas/A{}'", i + 1);
            if i % 2 == 0 {
                out.push_str(&format!("    A{i}: {{{next}}}\n"));
            } else {
                out.push_str(&format!("    A{i}: {{allOf: [{{{next}}}]}}\n"));
            }
        }
        out.push_str(&format!("    A{n}: {end}\n"));
        out
    }

    #[test]
    fn lowering_sees_through_a_chain_of_aliases_of_any_length() {
        let n = 150;
        let list = "{type: array, items: {type: string}}";
        // A list of strings at the end of the chain is a list, from the
        // `$ref` and from an inline `allOf` (a type hoisted while lowering
        // the operation): the fluent step takes it typed.
        for schema in [
            "{$ref: '#/components/schemas/A0'}",
            "{allOf: [{$ref: '#/components/schemas/A0'}], description: ids}",
        ] {
            let api = with_path_param(schema, &chain(n, list)).unwrap();
            assert_eq!(api.types["A0"].target, Target::Alias(format!("A{n}")));
            let param = &api.operations[0].params[0];
            assert!(api.is_structured(&param.schema), "{schema}");
            assert!(
                matches!(
                    &api.operations[0].steps[1],
                    crate::model::PathStep::Templated { values, .. }
                        if values == &[crate::model::StepValue::Typed]
                ),
                "{:?}",
                api.operations[0].steps
            );
        }
        // A list of lists at its end is refused in the path, which only
        // lowering's checks, seeing through all of it, can tell.
        let err = with_path_param(
            "{$ref: '#/components/schemas/A0'}",
            &chain(
                n,
                "{type: array, items: {type: array, items: {type: string}}}",
            ),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("an array of objects or arrays"),
            "{err}"
        );
    }

    #[test]
    fn a_parameter_on_a_ring_of_aliases_ends_with_the_ring_reported() {
        let ring = "    A0: {$ref: '#/components/schemas/A1'}\n    A1: {allOf: [{$ref: '#/components/schemas/A2'}]}\n    A2: {$ref: '#/components/schemas/A0'}\n";
        let err = with_path_param("{$ref: '#/components/schemas/A1'}", ring).unwrap_err();
        assert!(err.to_string().contains("cycle"), "{err}");
        // Through choices the ring is no error: the parameter is judged
        // by the schema as written, a choice, and is text on the path.
        let ring = "    A0: {anyOf: [{$ref: '#/components/schemas/A1'}, {type: object, nullable: true}]}\n    A1: {oneOf: [{$ref: '#/components/schemas/A0'}, {nullable: true}]}\n";
        let api = with_path_param("{$ref: '#/components/schemas/A0'}", ring).unwrap();
        assert!(matches!(api.types["A0"].target, Target::Ring(_)));
        assert!(!api.is_structured(&api.operations[0].params[0].schema));
    }

    #[test]
    fn a_ring_through_choices_is_held_as_json_with_a_warning_naming_it() {
        let api = api_of(&format!(
            "{HEAD}    A: {{anyOf: [{{$ref: '#/components/schemas/B'}}, {{type: object, nullable: true}}]}}\n    B: {{oneOf: [{{allOf: [{{$ref: '#/components/schemas/A'}}]}}, {{nullable: true}}]}}\n    C: {{$ref: '#/components/schemas/A'}}\n"
        ))
        .unwrap();
        assert_eq!(
            api.types["A"].target,
            Target::Ring(vec!["A".into(), "B".into()])
        );
        assert_eq!(
            api.types["B"].target,
            Target::Ring(vec!["B".into(), "A".into()])
        );
        assert_eq!(api.types["C"].target, Target::Alias("A".into()));
        for (name, keyword) in [("A", "anyOf"), ("B", "oneOf")] {
            let pointer = format!("#/components/schemas/{name}/{keyword}");
            assert!(
                api.warnings
                    .iter()
                    .any(|w| w.pointer == pointer && w.message.contains("leads back to itself")),
                "{name}: {:#?}",
                api.warnings
            );
        }
        // Neither is emitted as an alias of the other (which rustc would
        // refuse as a cycle).
        let code = crate::emit::render(&api, &crate::EmitOptions::default()).unwrap();
        assert!(
            code.contains("pub type A = ::openapi_runtime::serde_json::Value;"),
            "{code}"
        );
        assert!(
            code.contains("pub type B = ::openapi_runtime::serde_json::Value;"),
            "{code}"
        );
    }

    #[test]
    fn a_ring_of_references_is_an_error_and_every_member_is_on_it() {
        let err = api_of(&format!(
            "{HEAD}    A: {{$ref: '#/components/schemas/B'}}\n    B: {{$ref: '#/components/schemas/A'}}\n"
        ))
        .unwrap_err();
        assert!(err.to_string().contains("$ref cycle"), "{err}");
        // The same model, made by hand, still resolves (to rings).
        let mut api = Api::default();
        for (name, other) in [("A", "B"), ("B", "A"), ("C", "A")] {
            api.types.insert(
                name.into(),
                TypeDef::undecided(name.into(), name.into(), Schema::named(other)),
            );
        }
        resolve(&mut api);
        assert!(matches!(api.types["A"].target, Target::Ring(_)));
        assert!(matches!(api.types["B"].target, Target::Ring(_)));
        assert_eq!(api.types["C"].target, Target::Alias("A".into()));
        assert!(!api.types["C"].admits_null);
    }
}
