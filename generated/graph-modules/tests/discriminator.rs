//! `discriminator` dispatch in the generated validators, on the fixture
//! `specs/discriminator.yaml` (the shape of newer Graph documents: base
//! types with `@odata.type` mappings, `allOf` inheritance, and other
//! properties allowed only when they are objects).
//!
//! A body tagged with a derived type is judged by that type, where the
//! base type alone would refuse its properties; an untagged or unknown
//! tag is judged by the base; nested values dispatch on their own tag.
//! The differential test proves the same reading against the oracle on
//! generated bodies; these cases pin down the violations themselves.

use graph_modules::discriminator::server::{self, Input, Rejection};
use graph_modules::discriminator::{routes, types, validate};
use openapi_runtime::{Args, Violation};
use serde_json::json;

const HEADERS: [(&str, &str); 2] = [
    ("Authorization", "Bearer test-token"),
    ("Content-Type", "application/json"),
];

fn handle(method: &str, path: &str, body: serde_json::Value) -> Result<Input, Vec<Violation>> {
    let bytes = serde_json::to_vec(&body).unwrap();
    match server::handle(method, path, None, &HEADERS, &bytes) {
        Ok(matched) => Ok(matched.input),
        Err(Rejection::Invalid { violations, .. }) => Err(violations),
        Err(other) => panic!("{method} {path} was not routed: {other:?}"),
    }
}

fn update(body: serde_json::Value) -> Result<Input, Vec<Violation>> {
    handle("PATCH", "/deviceConfigurations/cfg-1", body)
}

/// `(location, keyword)` of each violation.
fn places(violations: &[Violation]) -> Vec<(&str, &str)> {
    violations
        .iter()
        .map(|v| (v.location.as_str(), v.keyword))
        .collect()
}

#[test]
fn a_tagged_body_is_judged_by_its_derived_type() {
    let body = json!({
        "@odata.type": "#microsoft.graph.windows10GeneralConfiguration",
        "displayName": "Baseline",
        "passwordMinimumLength": 8,
        "defenderScanType": "quick",
    });
    let Ok(Input::DeviceConfigurationsUpdate { body, .. }) = update(body) else {
        panic!("a valid Windows 10 configuration was refused");
    };
    // The base type's struct keeps the derived properties as they came.
    assert_eq!(body.display_name.as_deref(), Some("Baseline"));
    assert_eq!(
        body.additional_properties["passwordMinimumLength"],
        json!(8)
    );

    let refused = update(json!({
        "@odata.type": "#microsoft.graph.windows10GeneralConfiguration",
        "passwordMinimumLength": 2,
        "defenderScanType": "sometimes",
    }))
    .unwrap_err();
    assert_eq!(
        places(&refused),
        [
            ("/body/defenderScanType", "enum"),
            ("/body/passwordMinimumLength", "minimum"),
        ]
    );
    // Another derived type, another rule: iOS requires passcodeRequired.
    let refused =
        update(json!({"@odata.type": "#microsoft.graph.iosGeneralConfiguration"})).unwrap_err();
    assert_eq!(places(&refused), [("/body", "required")]);
}

#[test]
fn an_untagged_or_unknown_body_is_judged_by_the_base() {
    for tag in [None, Some("#microsoft.graph.macOSGeneralConfiguration")] {
        let mut body = json!({"displayName": "Baseline", "passwordMinimumLength": 8});
        if let Some(tag) = tag {
            body["@odata.type"] = json!(tag);
        }
        let refused = update(body).unwrap_err();
        // To the base, the derived property is "other" and must be an object.
        assert_eq!(
            places(&refused),
            [("/body/passwordMinimumLength", "type")],
            "tag {tag:?}"
        );
    }
    assert!(update(json!({"displayName": "Baseline", "version": 3})).is_ok());
}

#[test]
fn nested_values_dispatch_on_their_own_tags() {
    let body = json!({
        "value": [
            {"@odata.type": "#microsoft.graph.iosGeneralConfiguration", "passcodeRequired": true},
            {"@odata.type": "#microsoft.graph.user", "userPrincipalName": "ann@contoso.com"},
            {"@odata.type": "#microsoft.graph.group", "members": [
                {"@odata.type": "#microsoft.graph.user", "userPrincipalName": "bo@contoso.com"},
            ]},
        ],
        "owner": {
            "@odata.type": "#microsoft.graph.user",
            "userPrincipalName": "cy@contoso.com",
            "manager": {"@odata.type": "#microsoft.graph.user", "userPrincipalName": "no-at-sign"},
        },
    });
    let refused = handle("POST", "/directoryObjects/microsoft.graph.import", body).unwrap_err();
    assert_eq!(
        places(&refused),
        [("/body/owner/manager/userPrincipalName", "pattern")]
    );
    let body = json!({
        "value": [{"@odata.type": "#microsoft.graph.group", "members": [
            {"@odata.type": "#microsoft.graph.user"},
        ]}],
    });
    let refused = handle("POST", "/directoryObjects/microsoft.graph.import", body).unwrap_err();
    assert_eq!(places(&refused), [("/body/value/0/members/0", "required")]);
}

#[test]
fn the_client_check_dispatches_too() {
    let mut body = types::DeviceConfiguration {
        odata_type: Some("#microsoft.graph.iosGeneralConfiguration".into()),
        ..Default::default()
    };
    let check = |body: &types::DeviceConfiguration| {
        let args = Args::new(&["cfg-1"]).body(body);
        validate::check(&routes::DEVICE_CONFIGURATIONS_UPDATE, &args)
    };
    let violations = check(&body);
    assert_eq!(places(&violations), [("/body", "required")]);
    body.additional_properties
        .insert("passcodeRequired".into(), json!(true));
    assert!(check(&body).is_empty());
}
