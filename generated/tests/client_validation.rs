//! The client validates before it sends: an invalid request fails with
//! `Error::InvalidRequest` and nothing reaches the (real, loopback) server.

use std::sync::atomic::Ordering;

use autopilot_client::Client;
use autopilot_client::runtime::Error;
use autopilot_client::types::AssignRequest;

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
    assert!(
        autopilot_client::validate::windows_autopilot_device_identities_intended_deployment_profile_assign("id", &body)
            .is_empty()
    );
    let violations =
        autopilot_client::validate::windows_autopilot_deployment_profiles_assign("", &body);
    assert_eq!(violations.len(), 1);
}
