//! Per operation, the exchange the generated client produces against the
//! validating mock, the oracle's verdict on it, and the client's result.

mod common;

use autopilot_client::types::AssignRequest;
use conformance::job::{CallOutcome, DRIVERS};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_operation_exchange_and_verdict() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let oracle = common::oracle();
    let body = AssignRequest {
        device_ids: vec!["device-1".into(), "device-2".into()],
    };
    for driver in DRIVERS {
        let before = mock.recorder().total();
        let result = (driver.flat)(&client, "profile-1", &body).await;
        let exchanges = mock.recorder().since(before);
        assert_eq!(
            exchanges.len(),
            1,
            "{}: one request on the wire",
            driver.operation_id
        );
        let exchange = &exchanges[0];
        let verdict = oracle.judge(exchange);
        // 204 handling: a valid request gets 204 and the client Ok(()).
        assert!(result.is_ok(), "{}: {result:?}", driver.operation_id);
        assert!(verdict.passed(), "{}: {verdict:#?}", driver.operation_id);
        insta::with_settings!({snapshot_suffix => driver.operation_id}, {
            insta::assert_yaml_snapshot!("exchange", json!({
                "operation": driver.operation_id,
                "client_result": common::outcome_view(&CallOutcome::of(&result), Some(exchange), &mock),
                "exchange": common::view(exchange),
                "verdict": verdict,
            }));
        });
    }
    mock.shutdown().await;
}

/// The bearer token never reaches a snapshot, a Debug form or the
/// recording's serialised form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_never_shown() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let body = AssignRequest { device_ids: vec![] };
    let _ = (DRIVERS[0].flat)(&client, "p", &body).await;
    let exchanges = mock.recorder().exchanges();
    let token = conformance::job::MOCK_TOKEN;
    assert_eq!(
        exchanges[0].request.headers.get("authorization"),
        Some(format!("Bearer {token}").as_str()),
        "the oracle can still see it"
    );
    for shown in [
        format!("{exchanges:?}"),
        serde_json::to_string(&exchanges).unwrap(),
        common::view(&exchanges[0]).to_string(),
    ] {
        assert!(!shown.contains(token), "token leaked: {shown}");
        assert!(shown.contains("Bearer [redacted]"));
    }
    mock.shutdown().await;
}
