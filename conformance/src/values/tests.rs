//! The reading and both makers, against the oracle's validator.

use serde_json::{Value, json};

use super::read::{Gap, Reader};
use super::{Aim, Random, candidates};
use crate::oracle::SpecDoc;

/// A document with `schemas` under `components/schemas`.
fn doc(schemas: Value) -> SpecDoc {
    let root = json!({"openapi": "3.0.3", "paths": {}, "components": {"schemas": schemas}});
    SpecDoc::parse("test", &root.to_string()).unwrap()
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// A small fixed-seed generator (xorshift), so the tests replay.
fn source(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed | 1;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

/// `count` values of `schema` from the random maker.
fn draws(doc: &SpecDoc, schema: &Value, aim: Aim, count: usize) -> Vec<Value> {
    let reader = Reader::new(doc);
    let mut draw = source(0x5eed);
    let mut maker = Random::new(&reader, &mut draw, aim);
    (0..count).map(|_| maker.value(schema, "test", 0)).collect()
}

#[test]
fn an_unknown_keyword_is_a_gap_both_makers_ignore_alike() {
    let doc = doc(json!({}));
    // `frobnicate` means nothing to the makers; `x-` extensions and
    // annotations are no gaps.
    let schema = json!({
        "type": "string", "minLength": 3, "maxLength": 5,
        "frobnicate": true, "x-ms-thing": 1, "description": "d"
    });
    let reader = Reader::new(&doc);
    assert_eq!(
        reader.gaps(&schema, "#/s"),
        vec![Gap {
            at: "#/s".into(),
            what: "`frobnicate` is not a keyword the value makers know".into()
        }]
    );
    // Both honour the rest of the schema as if the keyword were absent.
    let plain = json!({"type": "string", "minLength": 3, "maxLength": 5});
    let validator = doc.validator(&plain).unwrap();
    let made = candidates(&reader, &schema, "name");
    assert_eq!(made, candidates(&Reader::new(&doc), &plain, "name"));
    assert!(made.iter().all(|v| validator.is_valid(v)), "{made:?}");
    for aim in [Aim::Valid, Aim::Tidy] {
        assert_eq!(draws(&doc, &schema, aim, 50), draws(&doc, &plain, aim, 50));
    }
    for value in draws(&doc, &schema, Aim::Valid, 300) {
        assert!(validator.is_valid(&value), "{value}");
    }
}

#[test]
fn gaps_name_dangling_references_and_unhonoured_keywords_with_their_place() {
    let doc = doc(json!({
        "a": {"type": "object", "properties": {
            "b": {"$ref": "#/components/schemas/missing"},
            "c": {"not": {"type": "string"}},
            "d": {"type": "string", "format": "some-annotation"}
        }}
    }));
    let schema = reference("a");
    let gaps: Vec<String> = Reader::new(&doc)
        .gaps(&schema, "body")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        gaps,
        [
            "/components/schemas/missing: a `$ref` that names nothing",
            "/components/schemas/a/properties/c: `not` is not a keyword the value makers know",
        ]
    );
}

#[test]
fn a_recursive_schema_ends_in_both_makers() {
    let doc = doc(json!({
        "node": {"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string"},
            "child": {"$ref": "#/components/schemas/node"},
            "children": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/node"}}
        }},
        "endless": {"type": "object", "required": ["next"], "properties": {
            "next": {"$ref": "#/components/schemas/endless"}
        }},
        "loop": {"$ref": "#/components/schemas/loop2"},
        "loop2": {"$ref": "#/components/schemas/loop"}
    }));
    let node = reference("node");
    let reader = Reader::new(&doc);
    let made = candidates(&reader, &node, "node");
    assert!(!made.is_empty());
    let validator = doc.validator(&node).unwrap();
    assert!(made.iter().any(|v| validator.is_valid(v)), "{made:?}");
    for aim in [Aim::Valid, Aim::Tidy, Aim::Rough] {
        assert_eq!(draws(&doc, &node, aim, 200).len(), 200);
    }
    // A schema that requires itself has no finite value; both end.
    let endless = reference("endless");
    assert!(!candidates(&reader, &endless, "endless").is_empty());
    for aim in [Aim::Valid, Aim::Tidy, Aim::Rough] {
        assert_eq!(draws(&doc, &endless, aim, 50).len(), 50);
    }
    // A loop of references: no candidate, and a wild random value.
    let looped = reference("loop");
    assert!(candidates(&reader, &looped, "loop").is_empty());
    assert_eq!(draws(&doc, &looped, Aim::Tidy, 20).len(), 20);
}

#[test]
fn pattern_strings_match_their_pattern() {
    let doc = doc(json!({}));
    for pattern in [
        r"^SN-\d{4}$",
        r"^[a-z0-9-]+$",
        r"^[^@\s]+@[^@\s]+$",
        r"^(ab|cd){2,3}x?$",
        r"^[A-Z][a-z]*$",
    ] {
        let schema = json!({"type": "string", "pattern": pattern});
        let validator = doc.validator(&schema).unwrap();
        let first = candidates(&Reader::new(&doc), &schema, "s")[0].clone();
        assert!(validator.is_valid(&first), "{pattern}: {first}");
        for value in draws(&doc, &schema, Aim::Valid, 200) {
            assert!(validator.is_valid(&value), "{pattern}: {value}");
        }
    }
}

#[test]
fn the_deterministic_list_is_stable() {
    let doc = doc(json!({
        "body": {"type": "object", "required": ["deviceIds"], "properties": {
            "deviceIds": {"type": "array", "items": {"type": "string"}},
            "note": {"type": "string", "nullable": true, "maxLength": 3}
        }}
    }));
    let body = reference("body");
    let first = candidates(&Reader::new(&doc), &body, "body");
    // The job's snapshots depend on these exact values.
    assert_eq!(
        first,
        vec![
            json!({"deviceIds": ["deviceIds-1"], "note": "not"}),
            json!({"deviceIds": ["deviceIds-1"]}),
        ]
    );
    assert_eq!(first, candidates(&Reader::new(&doc), &body, "body"));
    let note = json!({"type": "string", "nullable": true, "format": "uuid", "maxLength": 40});
    assert_eq!(
        candidates(&Reader::new(&doc), &note, "id"),
        [
            "0f8fad5b-d9cb-469f-a165-70867728950e",
            "id-1",
            "id",
            "a",
            "A",
            "1",
            "0f8fad5b-d9cb-469f-a165-70867728950e",
            "abc123"
        ]
        .iter()
        .map(|s| json!(s))
        .chain([Value::Null])
        .collect::<Vec<_>>()
    );
}

#[test]
fn random_values_replay_from_their_seed_and_valid_ones_are_valid() {
    let doc = doc(json!({
        "base": {"type": "object", "discriminator": {"propertyName": "kind", "mapping": {
            "a": "#/components/schemas/a"}}, "properties": {"kind": {"type": "string"}}},
        "a": {"allOf": [{"$ref": "#/components/schemas/base"}, {"type": "object",
            "required": ["n"], "properties": {
                "n": {"type": "integer", "format": "int8", "minimum": -5},
                "when": {"type": "string", "format": "date-time"},
                "tags": {"type": "array", "uniqueItems": true, "maxItems": 4,
                         "items": {"type": "string", "enum": ["x", "y", "z"]}}
            }}]}
    }));
    let schema = reference("a");
    assert_eq!(
        draws(&doc, &schema, Aim::Rough, 100),
        draws(&doc, &schema, Aim::Rough, 100)
    );
    let validator = doc.validator(&schema).unwrap();
    for value in draws(&doc, &schema, Aim::Valid, 300) {
        assert!(validator.is_valid(&value), "{value}");
    }
    let rough = draws(&doc, &schema, Aim::Rough, 300);
    assert!(
        rough.iter().any(|v| !validator.is_valid(v)),
        "rough never breaks the schema"
    );
}
