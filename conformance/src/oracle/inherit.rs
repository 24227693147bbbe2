//! `allOf` read as inheritance, applied to a translated Draft 4 document.
//!
//! Microsoft's Graph modules write a derived type as an `allOf` of its base
//! and its own properties, and give both parts
//! `additionalProperties: {type: object}`. Read strictly, each part treats
//! the other's properties as additional, so no body with properties of both
//! could pass. The project's rule (README, "Request validation"): a
//! property declared by any part of an `allOf` is not additional to the
//! other parts; every other keyword still applies. Here that means: in an
//! `allOf` tree, every schema that restricts `additionalProperties` gets the
//! names its siblings declare as properties with the empty schema `{}`.
//!
//! This module works on JSON values only; it shares no code with the
//! generator, which implements the same rule on its own model.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// How deep `$ref`s are followed while collecting or exempting.
const MAX_DEPTH: usize = 64;

/// Applies the rule to every `allOf` of `doc` (a document made by
/// [`to_json_schema`](super::to_json_schema)), its `definitions` included.
pub fn apply(doc: &mut Value) {
    let definitions = doc
        .get("definitions")
        .cloned()
        .unwrap_or_else(|| Value::Object(Map::new()));
    walk(doc, &definitions);
}

/// Rewrites each `allOf` node, then its subschemas (only keywords that
/// hold schemas, never `enum` or `default` data).
fn walk(node: &mut Value, defs: &Value) {
    let Value::Object(map) = node else {
        return;
    };
    if map.contains_key("allOf") {
        let mut names = BTreeSet::new();
        declared(node, defs, 0, &mut names);
        *node = exempt(node, &names, defs, 0);
    }
    let Value::Object(map) = node else {
        return;
    };
    for (key, child) in map.iter_mut() {
        match key.as_str() {
            "items" | "additionalProperties" | "not" => walk(child, defs),
            "allOf" | "anyOf" | "oneOf" => {
                if let Value::Array(parts) = child {
                    parts.iter_mut().for_each(|p| walk(p, defs));
                }
            }
            "properties" | "definitions" => {
                if let Value::Object(members) = child {
                    members.values_mut().for_each(|m| walk(m, defs));
                }
            }
            _ => {}
        }
    }
}

/// The definition a local `$ref` names, if any.
fn target<'d>(schema: &Value, defs: &'d Value) -> Option<&'d Value> {
    let name = schema
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/definitions/")?;
    defs.get(name)
}

/// Property names declared in `schema`, its `allOf` parts and the
/// definitions they reference.
fn declared(schema: &Value, defs: &Value, depth: usize, out: &mut BTreeSet<String>) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Some(def) = target(schema, defs) {
        declared(def, defs, depth + 1, out);
        return;
    }
    if let Some(Value::Object(props)) = schema.get("properties") {
        out.extend(props.keys().cloned());
    }
    if let Some(Value::Array(parts)) = schema.get("allOf") {
        for p in parts {
            declared(p, defs, depth + 1, out);
        }
    }
}

/// Whether `additionalProperties` here limits anything.
fn restricts(schema: &Map<String, Value>) -> bool {
    match schema.get("additionalProperties") {
        None | Some(Value::Bool(true)) => false,
        Some(Value::Object(m)) => !m.is_empty(),
        Some(_) => true,
    }
}

/// `schema` with `names` declared wherever its `allOf` tree restricts
/// additional properties. A `$ref` whose definition already declares every
/// name stays a reference (the definition is rewritten on its own, and
/// recursive types are not unfolded).
fn exempt(schema: &Value, names: &BTreeSet<String>, defs: &Value, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return schema.clone();
    }
    if let Some(def) = target(schema, defs) {
        let mut own = BTreeSet::new();
        declared(def, defs, 0, &mut own);
        if names.is_subset(&own) {
            return schema.clone();
        }
        return exempt(def, names, defs, depth + 1);
    }
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut out = map.clone();
    if restricts(map) {
        let props = out
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(props) = props {
            for name in names {
                props
                    .entry(name.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
            }
        }
    }
    if let Some(Value::Array(parts)) = map.get("allOf") {
        let parts = parts
            .iter()
            .map(|p| exempt(p, names, defs, depth + 1))
            .collect();
        out.insert("allOf".into(), Value::Array(parts));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    fn valid(
        root: &serde_json::Value,
        schema: &serde_json::Value,
        body: serde_json::Value,
    ) -> bool {
        let doc = crate::oracle::to_json_schema(root, schema);
        jsonschema::draft4::options()
            .build(&doc)
            .unwrap()
            .is_valid(&body)
    }

    fn root() -> serde_json::Value {
        json!({"components": {"schemas": {
            "entity": {"type": "object", "properties": {"id": {"type": "string"}},
                       "additionalProperties": {"type": "object"}},
            "thing": {"allOf": [
                {"$ref": "#/components/schemas/entity"},
                {"type": "object", "required": ["name"],
                 "properties": {"name": {"type": "string"},
                                "parent": {"allOf": [{"$ref": "#/components/schemas/thing"}]}},
                 "additionalProperties": {"type": "object"}}]},
            "special": {"allOf": [
                {"$ref": "#/components/schemas/thing"},
                {"type": "object", "properties": {"level": {"type": "integer"}},
                 "additionalProperties": false}]}
        }}})
    }

    #[test]
    fn siblings_properties_are_not_additional() {
        let root = root();
        let thing = json!({"$ref": "#/components/schemas/thing"});
        assert!(valid(&root, &thing, json!({"id": "a", "name": "b"})));
        // Each part's own keywords still apply.
        assert!(!valid(&root, &thing, json!({"id": 1, "name": "b"})));
        assert!(!valid(&root, &thing, json!({"id": "a"})));
        // Undeclared properties still meet every part's additionalProperties.
        assert!(!valid(&root, &thing, json!({"name": "b", "extra": 1})));
        assert!(valid(&root, &thing, json!({"name": "b", "extra": {}})));
        // Recursion through a property is judged by the same rule.
        assert!(valid(
            &root,
            &thing,
            json!({"name": "b", "parent": {"id": "p", "name": "q"}})
        ));
        assert!(!valid(
            &root,
            &thing,
            json!({"name": "b", "parent": {"id": "p"}})
        ));
    }

    #[test]
    fn chains_of_inheritance_share_their_names() {
        let root = root();
        let special = json!({"$ref": "#/components/schemas/special"});
        assert!(valid(
            &root,
            &special,
            json!({"id": "a", "name": "b", "level": 3})
        ));
        // `additionalProperties: false` in the last part: only declared names.
        assert!(!valid(&root, &special, json!({"name": "b", "extra": {}})));
        assert!(!valid(&root, &special, json!({"name": "b", "level": "x"})));
    }
}
