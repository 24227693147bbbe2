//! The generated server entry point, `server::handle`: raw request in,
//! typed input or located violations out.

use autopilot_client::runtime::{Method, Violation};
use autopilot_client::server::{self, Input, Rejection};
use autopilot_client::types::AssignRequest;

const PROFILE: &str = "/deviceManagement/windowsAutopilotDeploymentProfiles/p%2F1%20x/assign";
const AUTH: (&str, &str) = ("Authorization", "Bearer eyJ0eXAi.secret-token_value");
const JSON: (&str, &str) = ("Content-Type", "application/json");

fn invalid(result: Result<server::Matched, Rejection>) -> Vec<Violation> {
    match result {
        Err(Rejection::Invalid { violations, .. }) => violations,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn keys(violations: &[Violation]) -> Vec<(&str, &str)> {
    violations
        .iter()
        .map(|v| (v.location.as_str(), v.keyword))
        .collect()
}

#[test]
fn a_valid_request_gives_the_typed_input() {
    let headers = [AUTH, JSON, ("accept", "application/json")];
    let matched = server::handle(
        "POST",
        PROFILE,
        None,
        &headers,
        br#"{"deviceIds":["a","b"]}"#,
    )
    .unwrap();
    assert_eq!(
        matched.route.operation_id,
        "windowsAutopilotDeploymentProfiles_assign"
    );
    assert_eq!(
        matched.input,
        Input::WindowsAutopilotDeploymentProfilesAssign {
            windows_autopilot_deployment_profile_id: "p/1 x".into(),
            body: AssignRequest {
                device_ids: vec!["a".into(), "b".into()],
            },
        }
    );
}

#[test]
fn each_of_the_three_routes_is_found() {
    let cases = [
        (
            "/deviceManagement/windowsAutopilotDeviceIdentities/d1/deploymentProfile/assign",
            "windowsAutopilotDeviceIdentities_deploymentProfile_assign",
        ),
        (
            "/deviceManagement/windowsAutopilotDeviceIdentities/d1/intendedDeploymentProfile/assign",
            "windowsAutopilotDeviceIdentities_intendedDeploymentProfile_assign",
        ),
    ];
    for (path, id) in cases {
        let matched =
            server::handle("post", path, None, &[AUTH, JSON], br#"{"deviceIds":[]}"#).unwrap();
        assert_eq!(matched.route.operation_id, id);
    }
}

#[test]
fn unknown_route_and_wrong_method_are_distinct() {
    let unknown = server::handle("POST", "/deviceManagement/nothing", None, &[AUTH], b"");
    assert_eq!(unknown.unwrap_err(), Rejection::UnknownRoute);
    // A trailing segment, or a missing one, is not the route either.
    for path in [
        "/deviceManagement/windowsAutopilotDeploymentProfiles/p1/assign/x",
        "/deviceManagement/windowsAutopilotDeploymentProfiles/assign",
    ] {
        let result = server::handle("POST", path, None, &[AUTH, JSON], b"{}");
        assert_eq!(result.unwrap_err(), Rejection::UnknownRoute, "{path}");
    }
    let wrong = server::handle("GET", PROFILE, None, &[AUTH], b"");
    assert_eq!(
        wrong.unwrap_err(),
        Rejection::MethodNotAllowed {
            allow: vec![Method::Post]
        }
    );
    let nonsense = server::handle("FROB", PROFILE, None, &[AUTH], b"");
    assert!(matches!(
        nonsense.unwrap_err(),
        Rejection::MethodNotAllowed { .. }
    ));
}

#[test]
fn authorization_problems_are_located_at_the_header() {
    let body = br#"{"deviceIds":["a"]}"#;
    let missing = invalid(server::handle("POST", PROFILE, None, &[JSON], body));
    assert_eq!(keys(&missing), [("/headers/authorization", "required")]);

    for bad in [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer ",
        "Bearer two words",
        "Bearer s3cr=t",
    ] {
        let violations = invalid(server::handle(
            "POST",
            PROFILE,
            None,
            &[("AUTHORIZATION", bad), JSON],
            body,
        ));
        assert_eq!(
            keys(&violations),
            [("/headers/authorization", "format")],
            "{bad}"
        );
        let text = format!("{violations:?}");
        assert!(
            !text.contains("dXNlcjpwYXNz") && !text.contains("s3cr"),
            "{text}"
        );
    }
    let twice = invalid(server::handle(
        "POST",
        PROFILE,
        None,
        &[AUTH, AUTH, JSON],
        body,
    ));
    assert_eq!(keys(&twice), [("/headers/authorization", "format")]);
}

#[test]
fn every_violation_is_reported_in_a_stable_order() {
    let headers = [("Content-Type", "text/plain"), ("Accept", "text/html")];
    let body = br#"{"extra": 1, "deviceIds": [1, "ok", null, {"a": 2}, "x", true, 3, 4, 5, 6, 7]}"#;
    let path = "/deviceManagement/windowsAutopilotDeploymentProfiles//assign";
    let violations = invalid(server::handle("POST", path, None, &headers, body));
    assert_eq!(
        keys(&violations),
        [
            ("/path/windowsAutopilotDeploymentProfileId", "minLength"),
            ("/headers/accept", "accept"),
            ("/headers/authorization", "required"),
            ("/headers/content-type", "contentType"),
            ("/body/deviceIds/0", "type"),
            ("/body/deviceIds/2", "type"),
            ("/body/deviceIds/3", "type"),
            ("/body/deviceIds/5", "type"),
            ("/body/deviceIds/6", "type"),
            ("/body/deviceIds/7", "type"),
            ("/body/deviceIds/8", "type"),
            ("/body/deviceIds/9", "type"),
            ("/body/deviceIds/10", "type"),
            ("/body/extra", "additionalProperties"),
        ]
    );
    assert_eq!(
        violations[4].message, "expected a string, found number",
        "{violations:#?}"
    );
    // The same request twice gives the same list.
    let again = invalid(server::handle("POST", path, None, &headers, body));
    assert_eq!(violations, again);
}

#[test]
fn body_presence_type_and_syntax() {
    let missing = invalid(server::handle("POST", PROFILE, None, &[AUTH], b""));
    assert_eq!(keys(&missing), [("/body", "required")]);

    let not_json = invalid(server::handle(
        "POST",
        PROFILE,
        None,
        &[AUTH, JSON],
        b"{\"deviceIds\": [\"a\",]}",
    ));
    assert_eq!(keys(&not_json), [("/body", "json")]);
    assert!(
        not_json[0].message.contains("line 1"),
        "{}",
        not_json[0].message
    );

    let no_content_type = invalid(server::handle(
        "POST",
        PROFILE,
        None,
        &[AUTH],
        br#"{"deviceIds":[]}"#,
    ));
    assert_eq!(
        keys(&no_content_type),
        [("/headers/content-type", "required")]
    );

    let empty_object = invalid(server::handle("POST", PROFILE, None, &[AUTH, JSON], b"{}"));
    assert_eq!(keys(&empty_object), [("/body", "required")]);
    assert!(empty_object[0].message.contains("deviceIds"));

    let wrong_type = invalid(server::handle(
        "POST",
        PROFILE,
        None,
        &[AUTH, JSON],
        br#"{"deviceIds": "a"}"#,
    ));
    assert_eq!(keys(&wrong_type), [("/body/deviceIds", "type")]);

    let array_body = invalid(server::handle(
        "POST",
        PROFILE,
        None,
        &[AUTH, JSON],
        br#"[["a"]]"#,
    ));
    assert_eq!(keys(&array_body), [("/body", "type")]);
}

#[test]
fn content_type_parameters_and_accept_ranges() {
    let body = br#"{"deviceIds":["a"]}"#;
    for (content_type, accept) in [
        ("application/json; charset=utf-8", "application/json"),
        ("Application/JSON", "*/*"),
        ("application/json", "text/html, application/*;q=0.2"),
    ] {
        let headers = [AUTH, ("content-type", content_type), ("accept", accept)];
        server::handle("POST", PROFILE, None, &headers, body)
            .unwrap_or_else(|e| panic!("{content_type} / {accept}: {e:?}"));
    }
    let latin1 = invalid(server::handle(
        "POST",
        PROFILE,
        None,
        &[AUTH, ("content-type", "application/json; charset=latin1")],
        body,
    ));
    assert_eq!(keys(&latin1), [("/headers/content-type", "contentType")]);
    let refused = invalid(server::handle(
        "POST",
        PROFILE,
        None,
        &[AUTH, JSON, ("accept", "application/json;q=0")],
        body,
    ));
    assert_eq!(keys(&refused), [("/headers/accept", "accept")]);
}

#[test]
fn duplicate_keys_are_judged_as_the_last_one() {
    // serde_json (and so the oracle) keeps the last of duplicate keys.
    let body = br#"{"deviceIds": [1], "deviceIds": ["a"]}"#;
    let matched = server::handle("POST", PROFILE, None, &[AUTH, JSON], body).unwrap();
    let Input::WindowsAutopilotDeploymentProfilesAssign { body, .. } = matched.input else {
        panic!("wrong operation");
    };
    assert_eq!(body.device_ids, ["a"]);
    let bad_last = invalid(server::handle(
        "POST",
        PROFILE,
        None,
        &[AUTH, JSON],
        br#"{"deviceIds": ["a"], "deviceIds": [1]}"#,
    ));
    assert_eq!(keys(&bad_last), [("/body/deviceIds/0", "type")]);
}
