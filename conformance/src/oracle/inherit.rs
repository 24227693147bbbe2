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

/// How deep `$ref`s are followed while exempting.
const MAX_DEPTH: usize = 64;

/// How many definitions one `allOf` may inline, and all of a document's
/// `allOf`s together. Diamond-shaped inheritance could otherwise unfold
/// into exponentially many copies; an `allOf` that would overdraw either
/// keeps its strict reading (the generator has a budget of its own with
/// the same fallback). Microsoft's modules stay far below both.
const MAX_INLINED: usize = 256;
const DOCUMENT_BUDGET: usize = 5_000;

/// Applies the rule to every `allOf` of `doc` (a document made by
/// [`to_json_schema`](super::to_json_schema)), its `definitions` included.
pub fn apply(doc: &mut Value) {
    let definitions = doc
        .get("definitions")
        .cloned()
        .unwrap_or_else(|| Value::Object(Map::new()));
    let mut budget = DOCUMENT_BUDGET;
    walk(doc, &definitions, &mut budget);
}

/// Rewrites each `allOf` node, then its subschemas (only keywords that
/// hold schemas, never `enum` or `default` data).
fn walk(node: &mut Value, defs: &Value, budget: &mut usize) {
    let Value::Object(map) = node else {
        return;
    };
    if map.contains_key("allOf") {
        let mut names = BTreeSet::new();
        declared(node, defs, &mut BTreeSet::new(), &mut names);
        let mut inlined = 0;
        let rewritten = exempt(node, &names, defs, 0, &mut inlined);
        if inlined <= MAX_INLINED && inlined <= *budget {
            *node = rewritten;
            *budget -= inlined;
        }
    }
    let Value::Object(map) = node else {
        return;
    };
    for (key, child) in map.iter_mut() {
        match key.as_str() {
            "items" | "additionalProperties" | "not" => walk(child, defs, budget),
            "allOf" | "anyOf" | "oneOf" => {
                if let Value::Array(parts) = child {
                    parts.iter_mut().for_each(|p| walk(p, defs, budget));
                }
            }
            "properties" | "definitions" => {
                if let Value::Object(members) = child {
                    members.values_mut().for_each(|m| walk(m, defs, budget));
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
/// definitions they reference. Each definition is read once per question
/// (`visited`), which also ends rings and keeps diamond-shaped
/// inheritance linear.
fn declared(
    schema: &Value,
    defs: &Value,
    visited: &mut BTreeSet<String>,
    out: &mut BTreeSet<String>,
) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        if visited.insert(reference.to_string())
            && let Some(def) = target(schema, defs)
        {
            declared(def, defs, visited, out);
        }
        return;
    }
    if let Some(Value::Object(props)) = schema.get("properties") {
        out.extend(props.keys().cloned());
    }
    if let Some(Value::Array(parts)) = schema.get("allOf") {
        for p in parts {
            declared(p, defs, visited, out);
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
fn exempt(
    schema: &Value,
    names: &BTreeSet<String>,
    defs: &Value,
    depth: usize,
    inlined: &mut usize,
) -> Value {
    if depth > MAX_DEPTH || *inlined > MAX_INLINED {
        return schema.clone();
    }
    if let Some(def) = target(schema, defs) {
        let mut own = BTreeSet::new();
        declared(def, defs, &mut BTreeSet::new(), &mut own);
        if names.is_subset(&own) {
            return schema.clone();
        }
        *inlined += 1;
        return exempt(def, names, defs, depth + 1, inlined);
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
            .map(|p| exempt(p, names, defs, depth + 1, inlined))
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

    /// Thirty levels of diamond-shaped inheritance (2^30 paths through the
    /// `allOf`s): collecting names reads each definition once and the
    /// rewriting budgets bound the copies, so translating finishes.
    #[test]
    fn diamond_inheritance_stays_small() {
        let mut schemas = serde_json::Map::new();
        for i in 0..30 {
            let next = i + 1;
            schemas.insert(
                format!("t{i}"),
                json!({"allOf": [{"$ref": format!("#/components/schemas/a{next}")},
                                 {"$ref": format!("#/components/schemas/b{next}")}]}),
            );
            for side in ["a", "b"] {
                schemas.insert(
                    format!("{side}{next}"),
                    json!({"allOf": [{"$ref": format!("#/components/schemas/t{next}")},
                                     {"type": "object",
                                      "properties": {format!("{side}{next}"): {"type": "string"}},
                                      "additionalProperties": {"type": "object"}}]}),
                );
            }
        }
        schemas.insert(
            "t30".into(),
            json!({"type": "object", "properties": {"id": {"type": "string"}},
                   "additionalProperties": {"type": "object"}}),
        );
        let root = json!({"components": {"schemas": schemas}});
        let t29 = json!({"$ref": "#/components/schemas/t29"});
        assert!(valid(
            &root,
            &t29,
            json!({"id": "x", "a30": "y", "b30": "z"})
        ));
        assert!(!valid(&root, &t29, json!({"id": 1})));
        // (Judging a body against `t0` itself would walk all 2^30 paths:
        // that cost is in the schema, whatever the reading.)
    }
}
