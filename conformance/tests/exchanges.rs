//! Per operation, the exchange the generated client produces against the
//! validating mock, the oracle's verdict on it, and the client's result.

mod common;

use autopilot_client::types::AssignRequest;
use conformance::job::{AWKWARD_ID, CallOutcome, DRIVERS};
use serde_json::json;

/// The calls each operation's snapshots show: the flat method and the
/// fluent path with a plain id, and the fluent path with an id that must
/// be percent-encoded to stay one path segment.
const CALLS: [(&str, &str); 3] = [
    ("flat", "profile-1"),
    ("fluent", "profile-1"),
    ("fluent-awkward-id", AWKWARD_ID),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_operation_exchange_and_verdict() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let oracle = common::oracle();
    let body = AssignRequest {
        device_ids: vec!["device-1".into(), "device-2".into()],
    };
    for driver in DRIVERS {
        for (call, id) in CALLS {
            let before = mock.recorder().total();
            let result = match call {
                "flat" => (driver.flat)(&client, id, &body).await,
                _ => (driver.fluent)(&client, id, &body).await,
            };
            let exchanges = mock.recorder().since(before);
            let what = format!("{} {call}", driver.operation_id);
            assert_eq!(exchanges.len(), 1, "{what}: one request on the wire");
            let exchange = &exchanges[0];
            let verdict = oracle.judge(exchange);
            // 204 handling: a valid request gets 204 and the client Ok(()).
            assert!(result.is_ok(), "{what}: {result:?}");
            assert!(verdict.passed(), "{what}: {verdict:#?}");
            // The flat call's snapshots keep their names from before the
            // fluent calls were added.
            let suffix = match call {
                "flat" => driver.operation_id.to_string(),
                _ => format!("{}-{call}", driver.operation_id),
            };
            insta::with_settings!({snapshot_suffix => suffix}, {
                insta::assert_yaml_snapshot!("exchange", json!({
                    "operation": driver.operation_id,
                    "call": call,
                    "id": id,
                    "client_result": common::outcome_view(&CallOutcome::of(&result), Some(exchange), &mock),
                    "exchange": common::view(exchange),
                    "verdict": verdict,
                }));
            });
        }
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
