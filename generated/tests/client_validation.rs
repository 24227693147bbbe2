//! The client validates before it sends: an invalid request fails with
//! `Error::InvalidRequest` and nothing reaches the (real, loopback) server.

use std::sync::atomic::Ordering;

use autopilot_client::runtime::{Args, Error};
use autopilot_client::types::AssignRequest;
use autopilot_client::{Client, routes, validate};

#[path = "support/loopback.rs"]
mod loopback;
use loopback::counting_server;

#[tokio::test]
async fn an_invalid_request_never_reaches_the_network() {
    let (addr, count) = counting_server().await;
    let client = Client::connect(&format!("http://{addr}/beta"), "token-for-tests").unwrap();
    let body = AssignRequest {
        device_ids: vec!["device-1".into()],
    };

    let flat = client
        .windows_autopilot_deployment_profiles_assign("", &body)
        .await;
    let fluent = client
        .device_management()
        .windows_autopilot_device_identities()
        .by_windows_autopilot_device_identity_id("")
        .deployment_profile()
        .assign()
        .post(&body)
        .await;
    for (result, operation, location) in [
        (
            flat,
            "windowsAutopilotDeploymentProfiles_assign",
            "/path/windowsAutopilotDeploymentProfileId",
        ),
        (
            fluent,
            "windowsAutopilotDeviceIdentities_deploymentProfile_assign",
            "/path/windowsAutopilotDeviceIdentityId",
        ),
    ] {
        match result {
            Err(Error::InvalidRequest {
                operation_id,
                violations,
            }) => {
                assert_eq!(operation_id, operation);
                assert_eq!(violations.len(), 1, "{violations:?}");
                assert_eq!(violations[0].location, location);
                assert_eq!(violations[0].keyword, "minLength");
            }
            other => panic!("expected InvalidRequest, got {other:?}"),
        }
    }
    assert_eq!(count.load(Ordering::SeqCst), 0, "nothing may be sent");

    // The same client and server do carry a valid request.
    client
        .windows_autopilot_deployment_profiles_assign("profile-1", &body)
        .await
        .unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[test]
fn the_check_is_public_and_lists_every_violation() {
    let body = AssignRequest {
        device_ids: vec!["a".into()],
    };
    let intended = &routes::WINDOWS_AUTOPILOT_DEVICE_IDENTITIES_INTENDED_DEPLOYMENT_PROFILE_ASSIGN;
    assert!(validate::check(intended, &Args::new(&["id"]).body(&body)).is_empty());
    let profiles = &routes::WINDOWS_AUTOPILOT_DEPLOYMENT_PROFILES_ASSIGN;
    let violations = validate::check(profiles, &Args::new(&[""]).body(&body));
    assert_eq!(violations.len(), 1);
    assert_eq!(
        violations[0].location,
        "/path/windowsAutopilotDeploymentProfileId"
    );
    // A body the schema refuses is reported at its place, beside the path.
    let empty = serde_json::json!({"deviceIds": [1]});
    let violations = validate::check(profiles, &Args::new(&[""]).body(&empty));
    let places: Vec<&str> = violations.iter().map(|v| v.location.as_str()).collect();
    assert_eq!(
        places,
        [
            "/path/windowsAutopilotDeploymentProfileId",
            "/body/deviceIds/0"
        ]
    );
}
