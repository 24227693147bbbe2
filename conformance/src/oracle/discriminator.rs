//! `discriminator`, applied to a translated Draft 4 document: its
//! `mapping`, or without one OpenAPI's implicit mapping (the value is the
//! name of a component the base can be, see [`implicit`]).
//!
//! OpenAPI 3.0 reads a discriminator on a base type as dispatch: an object
//! whose deciding property holds a value the mapping lists is an instance
//! of the mapped (derived) type and is judged by that type's schema; any
//! other value is judged by the base type's own schema. Derived types
//! inherit the base through `allOf`, and there the base is meant without
//! its dispatch (else a derived type would hand the value back to itself).
//!
//! Draft 4 has no such keyword, so each discriminated definition `X`
//! becomes two:
//!
//! * `X`: an `anyOf` with one branch per mapped value `v`, "the value is an
//!   object whose property equals `v`, and it is valid against the mapped
//!   type", plus a last branch, "the value is not an object whose property
//!   holds a mapped value, and it is valid against the base";
//! * the base: `X` as written, under a key of its own. References from
//!   `allOf` parts, and mapping entries that point at a discriminated type,
//!   go to the base form, so a value is dispatched at most once.
//!
//! The branch conditions are wrapped in `not`/`not` so that the `allOf`
//! inheritance rule ([`super::inherit`]) does not read the deciding
//! property as declared by the branch.
//!
//! This module works on JSON values only; the generator implements the same
//! reading on its own model (`openapi_runtime::validate::Discriminator`).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

/// One discriminated component: the deciding property and, per value, the
/// name of the mapped component.
struct Dispatch {
    property: String,
    mapping: Vec<(String, String)>,
}

/// Rewrites `definitions` (translated component schemas, keyed by
/// component name) and `top` (the translated schema under test) for every
/// component of `root` that has a discriminator with a mapping, given or
/// implicit.
pub fn apply(root: &Value, definitions: &mut Map<String, Value>, top: &mut Value) {
    let found = collect(root, definitions);
    if found.is_empty() {
        return;
    }
    let bases: BTreeMap<String, String> = found
        .keys()
        .map(|name| (name.clone(), base_key(name, definitions)))
        .collect();
    for value in definitions.values_mut() {
        inherit_bases(value, &bases);
    }
    inherit_bases(top, &bases);
    for (name, dispatch) in &found {
        let base = &bases[name];
        let own = definitions.remove(name).unwrap_or_else(|| json!({}));
        definitions.insert(base.clone(), own);
        definitions.insert(name.clone(), dispatcher(dispatch, base, &bases));
    }
}

/// The discriminated components of `root` whose mapping names components
/// that exist (a mapping value is `#/components/schemas/NAME` or a bare
/// name).
fn collect(root: &Value, definitions: &Map<String, Value>) -> BTreeMap<String, Dispatch> {
    let mut found = BTreeMap::new();
    let Some(schemas) = root
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return found;
    };
    for (name, schema) in schemas {
        let Some(d) = schema.get("discriminator") else {
            continue;
        };
        let Some(property) = d.get("propertyName").and_then(Value::as_str) else {
            continue;
        };
        let given = d
            .get("mapping")
            .and_then(Value::as_object)
            .filter(|m| !m.is_empty());
        let mapping: Vec<(String, String)> = match given {
            Some(mapping) => mapping
                .iter()
                .filter_map(|(value, target)| {
                    let target = component(target.as_str()?);
                    definitions
                        .contains_key(&target)
                        .then(|| (value.clone(), target))
                })
                .collect(),
            None => implicit(schemas, name, schema)
                .into_iter()
                .filter(|target| definitions.contains_key(target))
                .map(|target| (target.clone(), target))
                .collect(),
        };
        if !mapping.is_empty() {
            found.insert(
                name.clone(),
                Dispatch {
                    property: property.to_string(),
                    mapping,
                },
            );
        }
    }
    found
}

/// The component a mapping value or `$ref` names: `#/components/schemas/NAME`
/// (JSON pointer escapes undone) or a bare name.
fn component(target: &str) -> String {
    match target.strip_prefix("#/components/schemas/") {
        Some(escaped) => escaped.replace("~1", "/").replace("~0", "~"),
        None => target.to_string(),
    }
}

/// OpenAPI's implicit mapping, for a discriminator without `mapping`: the
/// value is a component's name, for each component the base `name` can
/// be: the `$ref` alternatives of its `oneOf`/`anyOf`, and the components
/// that inherit it through an `allOf` `$ref`, directly or through other
/// inheritors. Sorted, as `mapping` keys are.
fn implicit(schemas: &Map<String, Value>, name: &str, schema: &Value) -> Vec<String> {
    let refs = |list: Option<&Value>| -> Vec<String> {
        list.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|part| part.get("$ref").and_then(Value::as_str))
            .filter(|r| r.starts_with("#/components/schemas/"))
            .map(component)
            .collect()
    };
    let mut found: std::collections::BTreeSet<String> = refs(schema.get("oneOf"))
        .into_iter()
        .chain(refs(schema.get("anyOf")))
        .collect();
    let mut family = std::collections::BTreeSet::from([name.to_string()]);
    loop {
        let before = family.len();
        for (other, s) in schemas {
            if refs(s.get("allOf"))
                .iter()
                .any(|base| family.contains(base))
            {
                family.insert(other.clone());
            }
        }
        if family.len() == before {
            break;
        }
    }
    family.remove(name);
    found.extend(family);
    found.into_iter().collect()
}

/// A definitions key for `name`'s base form that no component uses.
fn base_key(name: &str, definitions: &Map<String, Value>) -> String {
    let mut key = format!("{name}.discriminator-base");
    while definitions.contains_key(&key) {
        key.push('_');
    }
    key
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/definitions/{name}") })
}

/// The `anyOf` that dispatches on the deciding property.
fn dispatcher(d: &Dispatch, base: &str, bases: &BTreeMap<String, String>) -> Value {
    let holds = |values: Vec<&String>| {
        json!({
            "type": "object",
            "properties": { d.property.as_str(): { "enum": values } },
            "required": [d.property],
        })
    };
    let mut branches: Vec<Value> = d
        .mapping
        .iter()
        .map(|(value, target)| {
            let target = bases.get(target).unwrap_or(target);
            json!({ "allOf": [{ "not": { "not": holds(vec![value]) } }, reference(target)] })
        })
        .collect();
    let all = d.mapping.iter().map(|(value, _)| value).collect();
    branches.push(json!({ "allOf": [{ "not": holds(all) }, reference(base)] }));
    json!({ "anyOf": branches })
}

/// Points every `allOf` part that refers to a discriminated definition at
/// its base form, through every keyword that holds schemas.
fn inherit_bases(node: &mut Value, bases: &BTreeMap<String, String>) {
    let Value::Object(map) = node else {
        return;
    };
    for (key, child) in map.iter_mut() {
        match key.as_str() {
            "allOf" => {
                if let Value::Array(parts) = child {
                    for part in parts.iter_mut() {
                        let target = part
                            .get("$ref")
                            .and_then(Value::as_str)
                            .and_then(|r| r.strip_prefix("#/definitions/"))
                            .and_then(|name| bases.get(name));
                        match target {
                            Some(base) => *part = reference(base),
                            None => inherit_bases(part, bases),
                        }
                    }
                }
            }
            "anyOf" | "oneOf" => {
                if let Value::Array(parts) = child {
                    parts.iter_mut().for_each(|p| inherit_bases(p, bases));
                }
            }
            "items" | "additionalProperties" | "not" => inherit_bases(child, bases),
            "properties" => {
                if let Value::Object(members) = child {
                    members.values_mut().for_each(|m| inherit_bases(m, bases));
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::to_json_schema;
    use serde_json::{Value, json};

    /// A base with `@odata.type` dispatch, in the shape of newer Microsoft
    /// Graph documents: every part refuses other properties unless they
    /// are objects, a derived type that is itself discriminated, and a
    /// mapping entry for the base itself.
    fn root() -> Value {
        json!({"components": {"schemas": {
            "entity": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "@odata.type": {"type": "string"}},
                "additionalProperties": {"type": "object"},
                "discriminator": {"propertyName": "@odata.type", "mapping": {
                    "#graph.entity": "#/components/schemas/entity",
                    "#graph.user": "#/components/schemas/user",
                    "#graph.group": "group",
                }},
            },
            "user": {
                "allOf": [{"$ref": "#/components/schemas/entity"}, {
                    "type": "object",
                    "properties": {"name": {"type": "string", "maxLength": 3}},
                    "additionalProperties": {"type": "object"},
                }],
                "discriminator": {"propertyName": "@odata.type", "mapping": {
                    "#graph.user": "#/components/schemas/user",
                }},
            },
            "group": {
                "allOf": [{"$ref": "#/components/schemas/entity"}, {
                    "type": "object",
                    "required": ["members"],
                    "properties": {"members": {"type": "array", "items": {"$ref": "#/components/schemas/entity"}}},
                }],
            },
        }}})
    }

    fn valid(instance: Value) -> bool {
        let root = root();
        let doc = to_json_schema(&root, &json!({"$ref": "#/components/schemas/entity"}));
        jsonschema::draft4::new(&doc)
            .expect("the translation compiles")
            .is_valid(&instance)
    }

    #[test]
    fn a_mapped_value_is_judged_by_its_type() {
        assert!(valid(json!({"@odata.type": "#graph.user", "name": "ann"})));
        assert!(!valid(
            json!({"@odata.type": "#graph.user", "name": "anne"})
        ));
        assert!(valid(json!({"@odata.type": "#graph.group", "members": []})));
        assert!(!valid(json!({"@odata.type": "#graph.group"})));
        // Nested values dispatch on their own tag.
        assert!(valid(json!({"@odata.type": "#graph.group", "members": [
            {"@odata.type": "#graph.user", "name": "bo"}, {"id": "x"}
        ]})));
        assert!(!valid(json!({"@odata.type": "#graph.group", "members": [
            {"@odata.type": "#graph.user", "name": 7}
        ]})));
    }

    #[test]
    fn anything_else_is_judged_by_the_base() {
        // The base itself, an unknown tag, no tag: the base refuses `name`
        // (a string where only objects may go).
        for tag in ["#graph.entity", "#graph.cat"] {
            assert!(valid(json!({"@odata.type": tag, "id": "1"})));
            assert!(!valid(json!({"@odata.type": tag, "name": "ann"})));
        }
        // A tag that is no string picks nothing, and the base wants a string.
        assert!(!valid(json!({"@odata.type": 5, "id": "1"})));
        assert!(valid(json!({"id": "1"})));
        assert!(!valid(json!({"name": "ann"})));
        assert!(!valid(json!("not an object")));
    }

    /// Without `mapping`, the value names a component: a `$ref`
    /// alternative of the base's `oneOf`, or a component that inherits
    /// it through `allOf` (here through another inheritor).
    #[test]
    fn without_mapping_the_value_names_a_component() {
        let root = json!({"components": {"schemas": {
            "shape": {
                "oneOf": [{"$ref": "#/components/schemas/circle"}, {"$ref": "#/components/schemas/square"}],
                "discriminator": {"propertyName": "kind"},
            },
            "circle": {"type": "object", "properties": {"kind": {"type": "string"}, "r": {"type": "number", "minimum": 0}}},
            "square": {"type": "object", "properties": {"kind": {"type": "string"}, "side": {"type": "number", "minimum": 0}}},
            "gadget": {
                "type": "object",
                "required": ["kind"],
                "properties": {"kind": {"type": "string"}},
                "discriminator": {"propertyName": "kind"},
            },
            "phone": {"allOf": [{"$ref": "#/components/schemas/gadget"}, {"properties": {"digits": {"maximum": 15}}}]},
            "smartphone": {"allOf": [{"$ref": "#/components/schemas/phone"}, {"properties": {"apps": {"type": "array"}}}]},
        }}});
        let valid = |name: &str, instance: Value| {
            let doc = to_json_schema(
                &root,
                &json!({ "$ref": format!("#/components/schemas/{name}") }),
            );
            jsonschema::draft4::new(&doc)
                .expect("the translation compiles")
                .is_valid(&instance)
        };
        assert!(valid("shape", json!({"kind": "circle", "r": 1})));
        assert!(!valid("shape", json!({"kind": "circle", "r": -1})));
        assert!(!valid("shape", json!({"kind": "square", "side": -1})));
        assert!(valid("gadget", json!({"kind": "phone", "digits": 15})));
        assert!(!valid("gadget", json!({"kind": "phone", "digits": 16})));
        assert!(!valid("gadget", json!({"kind": "smartphone", "apps": 1})));
        // A value that names no component: the base alone.
        assert!(valid("gadget", json!({"kind": "toaster", "digits": 16})));
    }
}
