//! The oracle's schema translation on real specs: ours and, when present,
//! Microsoft's modules in `../shared/graph-openapi/`.

mod common;

use common::repo;
use conformance::oracle::SpecDoc;
use serde_json::json;

#[test]
fn assign_body_schema_accepts_the_seed_example_and_rejects_breakage() {
    let doc = SpecDoc::load(&repo().join("spec/assign.yaml")).unwrap();
    let bodies = doc.request_bodies();
    assert_eq!(bodies.len(), 3);
    for body in &bodies {
        assert!(body.required, "{}", body.operation_id);
        let validator = doc.validator(&body.schema).unwrap();
        assert!(validator.is_valid(&json!({"deviceIds": ["Device Ids value"]})));
        assert!(validator.is_valid(&json!({"deviceIds": []})));
        assert!(!validator.is_valid(&json!({})), "deviceIds is required");
        assert!(!validator.is_valid(&json!({"deviceIds": [1]})));
        assert!(!validator.is_valid(&json!({"deviceIds": ["a"], "extra": true})));
        assert!(!validator.is_valid(&json!({"deviceIds": null})));
    }
}

#[test]
fn date_format_is_checked() {
    let doc = SpecDoc::parse(
        "inline.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: v}\npaths: {}\n",
    )
    .unwrap();
    let validator = doc
        .validator(&json!({"type": "string", "format": "date"}))
        .unwrap();
    assert!(validator.is_valid(&json!("2024-02-29")));
    assert!(!validator.is_valid(&json!("2024-02-30")));
    assert!(!validator.is_valid(&json!("29/02/2024")));
}

#[test_support::needs_shared]
#[test]
fn every_microsoft_body_schema_translates_and_compiles() {
    let dir = test_support::shared!("graph-openapi");
    for (file, at_least) in [
        ("DeviceManagement.Actions.yml", 200),
        ("DeviceManagement.Enrollment.yml", 20),
    ] {
        let doc = SpecDoc::load(&dir.join(file)).unwrap();
        let bodies = doc.request_bodies();
        assert!(
            bodies.len() >= at_least,
            "{file}: only {} bodies",
            bodies.len()
        );
        for body in &bodies {
            doc.validator(&body.schema)
                .unwrap_or_else(|e| panic!("{file} {}: {e}", body.operation_id));
        }
    }
}
