//! The generated client over real HTTP on loopback: for each of the three
//! routes, what goes on the wire (path, headers, body) and how each kind of
//! answer is decoded.

#[path = "support/scripted.rs"]
mod scripted;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use autopilot_client::runtime::Error;
use autopilot_client::types::AssignRequest;
use autopilot_client::{Client, routes};
use scripted::{Answer, Received};

const TOKEN: &str = "test-token-not-secret-but-never-printed";

/// A loopback server that records every request and answers `answer`.
async fn serve(answer: Answer) -> (SocketAddr, Arc<Mutex<Vec<Received>>>) {
    scripted::serve(vec![answer]).await
}

fn client(addr: SocketAddr) -> Client {
    Client::connect(&format!("http://{addr}/beta"), TOKEN).unwrap()
}

fn body() -> AssignRequest {
    AssignRequest {
        device_ids: vec!["device-1".into(), "device-2".into()],
    }
}

/// The awkward id used everywhere: it must stay one path segment.
const TRICKY_ID: &str = "../x/a b?c#d%2Fé";
const TRICKY_ENCODED: &str = "..%2Fx%2Fa%20b%3Fc%23d%252F%C3%A9";

/// Calls route `which` (0, 1, 2) with the tricky id, through the fluent
/// path for the first and the flat methods for the others.
async fn call(client: &Client, which: usize) -> Result<(), Error> {
    let body = body();
    match which {
        0 => {
            client
                .device_management()
                .windows_autopilot_deployment_profiles()
                .by_windows_autopilot_deployment_profile_id(TRICKY_ID)
                .assign()
                .post(&body)
                .await
        }
        1 => {
            client
                .windows_autopilot_device_identities_deployment_profile_assign(TRICKY_ID, &body)
                .await
        }
        _ => {
            client
                .device_management()
                .windows_autopilot_device_identities()
                .by_windows_autopilot_device_identity_id(TRICKY_ID)
                .intended_deployment_profile()
                .assign()
                .post(&body)
                .await
        }
    }
}

const EXPECTED_PATHS: [&str; 3] = [
    "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/{}/assign",
    "/beta/deviceManagement/windowsAutopilotDeviceIdentities/{}/deploymentProfile/assign",
    "/beta/deviceManagement/windowsAutopilotDeviceIdentities/{}/intendedDeploymentProfile/assign",
];

#[tokio::test]
async fn each_route_sends_the_exact_request_and_204_is_ok() {
    for (which, expected_path) in EXPECTED_PATHS.iter().enumerate() {
        let (addr, seen) = serve((204, vec![], "")).await;
        let result = call(&client(addr), which).await;
        assert!(result.is_ok(), "route {which}: {result:?}");
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1, "route {which}: exactly one request");
        let request = &seen[0];
        assert_eq!(
            request.route,
            format!("POST {}", expected_path.replace("{}", TRICKY_ENCODED))
        );
        let header = |name: &str| {
            request
                .headers
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
        };
        assert_eq!(
            header("authorization").as_deref(),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(header("accept").as_deref(), Some("application/json"));
        assert_eq!(
            header("user-agent"),
            Some(autopilot_client::user_agent()),
            "the User-Agent names the client and the runtime with their versions"
        );
        assert!(autopilot_client::user_agent().starts_with("autopilot-client/0."));
        assert!(header("client-request-id").is_some_and(|id| id.len() == 36));
        assert_eq!(header("content-type").as_deref(), Some("application/json"));
        let json: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"deviceIds": ["device-1", "device-2"]})
        );
    }
}

#[tokio::test]
async fn graph_error_body_becomes_a_typed_error_on_every_route() {
    let error_body = r#"{"error":{"code":"Forbidden","message":"Insufficient privileges","innerError":{"request-id":"req-123","client-request-id":"cli-456","date":"2024-08-01T00:00:00"}}}"#;
    for which in 0..3 {
        let (addr, _) = serve((403, vec![("content-type", "application/json")], error_body)).await;
        let err = call(&client(addr), which).await.unwrap_err();
        assert_eq!(err.status(), Some(403), "route {which}");
        assert_eq!(err.graph_code(), Some("Forbidden"));
        assert_eq!(err.request_id(), Some("req-123"));
        let Error::Forbidden(failure) = &err else {
            panic!("route {which}: not a Forbidden error: {err:?}")
        };
        let odata = failure.error.as_ref().expect("decoded OData body");
        assert_eq!(odata.error.message, "Insufficient privileges");
        let text = err.to_string();
        assert!(
            text.contains("403") && text.contains("Forbidden") && text.contains("req-123"),
            "{text}"
        );
        assert!(!text.contains(TOKEN) && !format!("{err:?}").contains(TOKEN));
    }
}

#[tokio::test]
async fn lower_case_innererror_spelling_is_accepted() {
    let error_body = r#"{"error":{"code":"NotFound","message":"gone","innererror":{"request-id":"req-9","innererror":{"code":"deeper"}}}}"#;
    let (addr, _) = serve((404, vec![("content-type", "application/json")], error_body)).await;
    let err = call(&client(addr), 0).await.unwrap_err();
    assert_eq!(err.graph_code(), Some("NotFound"));
    assert_eq!(err.request_id(), Some("req-9"));
}

#[tokio::test]
async fn undocumented_success_is_an_error_not_ok() {
    for which in 0..3 {
        let (addr, _) = serve((
            200,
            vec![("content-type", "application/json")],
            r#"{"value":[]}"#,
        ))
        .await;
        let err = call(&client(addr), which).await.unwrap_err();
        assert!(
            matches!(err, Error::UndocumentedResponse { status: 200, .. }),
            "route {which}: {err:?}"
        );
    }
}

/// A raw loopback server that writes `response` verbatim to the first
/// connection: HTTP frameworks refuse to put a body on a 204, a broken
/// server does not.
async fn serve_raw(response: &'static str) -> SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 64 * 1024];
        let mut got = Vec::new();
        // Read the head and the small JSON body before answering.
        while !String::from_utf8_lossy(&got).contains("deviceIds") {
            let n = socket.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        socket.write_all(response.as_bytes()).await.unwrap();
        socket.shutdown().await.ok();
    });
    addr
}

#[tokio::test]
async fn no_content_that_announces_a_body_is_an_error() {
    let addr = serve_raw(
        "HTTP/1.1 204 No Content\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
    )
    .await;
    let err = call(&client(addr), 1).await.unwrap_err();
    assert!(
        matches!(err, Error::UndocumentedResponse { status: 204, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn undocumented_empty_success_is_an_error() {
    let (addr, _) = serve((202, vec![], "")).await;
    let err = call(&client(addr), 1).await.unwrap_err();
    assert!(
        matches!(err, Error::UndocumentedResponse { status: 202, .. }),
        "{err:?}"
    );
}

#[test]
fn route_table_matches_the_seed_page() {
    let templates: Vec<&str> = routes::ALL.iter().map(|r| r.template).collect();
    assert_eq!(
        templates,
        [
            "/deviceManagement/windowsAutopilotDeploymentProfiles/{windowsAutopilotDeploymentProfileId}/assign",
            "/deviceManagement/windowsAutopilotDeviceIdentities/{windowsAutopilotDeviceIdentityId}/deploymentProfile/assign",
            "/deviceManagement/windowsAutopilotDeviceIdentities/{windowsAutopilotDeviceIdentityId}/intendedDeploymentProfile/assign",
        ]
    );
    for route in routes::ALL {
        assert_eq!(route.method.as_str(), "POST");
        assert_eq!(
            route.permissions,
            &[
                &["DeviceManagementServiceConfig.ReadWrite.All"][..],
                &["DeviceManagementConfiguration.ReadWrite.All"][..]
            ]
        );
        assert!(route.is_documented_success(204));
        assert!(!route.is_documented_success(200));
    }
    let clouds: Vec<(Option<&str>, &str)> = autopilot_client::SERVERS
        .iter()
        .map(|s| (s.cloud, s.url))
        .collect();
    assert_eq!(
        clouds,
        [
            (Some("global"), "https://graph.microsoft.com/beta"),
            (Some("usgov"), "https://graph.microsoft.us/beta"),
            (Some("usgov-dod"), "https://dod-graph.microsoft.us/beta"),
            (
                Some("china"),
                "https://microsoftgraph.chinacloudapi.cn/beta"
            ),
        ]
    );
}
