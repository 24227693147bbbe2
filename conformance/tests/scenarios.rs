//! Each fault scenario of the mock, through the generated client over real
//! HTTP: the client's typed result and what the oracle says of the answer.

mod common;

use conformance::job::scenarios::run_scenario;
use conformance::mock::Fault;
use openapi_runtime::dispatch::DispatchArgs;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_gives_its_typed_result() {
    let mock = common::mock().await;
    let oracle = common::oracle();
    // The first operation through the generated dispatcher, with the ids
    // and body the snapshots show.
    let api = &autopilot_client::API;
    let operation = &api.operations[0];
    let args = DispatchArgs::new()
        .path("windowsAutopilotDeploymentProfileId", "scenario-1")
        .body(json!({"deviceIds": ["device-1"]}));
    for fault in Fault::ALL {
        let run = run_scenario(&mock, api, operation, &args, fault).await;
        let last = run.exchanges.last();
        let verdict = last.map(|e| oracle.judge(e));
        let response_findings: Vec<_> = verdict
            .iter()
            .flat_map(|v| &v.findings)
            .filter(|f| f.check.name().starts_with("response"))
            .map(|f| json!({"check": f.check, "outcome": f.outcome, "detail": f.detail}))
            .collect();
        // What the mock sent, without the request (same for every fault).
        let answer = last.map(|e| common::view(e)["response"].clone());
        insta::with_settings!({snapshot_suffix => fault.to_string().replace(':', "_")}, {
            insta::assert_yaml_snapshot!("scenario", json!({
                "scenario": fault.to_string(),
                "client": common::outcome_view(&run.outcome, last, &mock),
                "requests_on_the_wire": run.exchanges.len(),
                "answer": answer,
                "oracle_on_the_answer": response_findings,
            }));
        });
    }
    mock.shutdown().await;
}

/// A fault asked for by header applies to that request only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_scenario_applies_per_request() {
    let mock = common::mock().await;
    let url = format!(
        "{}/deviceManagement/windowsAutopilotDeploymentProfiles/p/assign",
        mock.base_url()
    );
    let http = reqwest::Client::new();
    let throttled = http
        .post(&url)
        .header("x-mock-scenario", "throttle:7")
        .send()
        .await
        .unwrap();
    assert_eq!(throttled.status(), 429);
    assert_eq!(throttled.headers()["retry-after"], "7");
    assert!(throttled.headers().contains_key("request-id"));
    let bad = http
        .post(&url)
        .header("x-mock-scenario", "explode")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let text = bad.text().await.unwrap();
    assert!(text.contains("unknown scenario `explode`"), "{text}");
    let recorded = mock.recorder().exchanges();
    assert_eq!(recorded[0].scenario.as_deref(), Some("throttle:7"));
    assert_eq!(recorded[1].scenario, None);
    mock.shutdown().await;
}

/// Per-route faults set over HTTP, recording read over HTTP, both bounded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_endpoint_sets_faults_and_lists_exchanges() {
    let mock = conformance::mock::MockServer::start(conformance::mock::MockConfig {
        record_capacity: 2,
        ..Default::default()
    })
    .await
    .unwrap();
    let admin = format!("http://{}/_mock", mock.addr());
    let http = reqwest::Client::new();
    let set = http
        .put(format!("{admin}/faults"))
        .header("content-type", "application/json")
        .body(json!({"scenario": "forbidden", "operation": "windowsAutopilotDeploymentProfiles_assign", "times": 1}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let url = format!(
        "{}/deviceManagement/windowsAutopilotDeploymentProfiles/p/assign",
        mock.base_url()
    );
    let first = http.post(&url).send().await.unwrap().status();
    let second = http.post(&url).send().await.unwrap().status();
    assert_eq!(first, 403, "the fault applies once");
    assert_ne!(second, 403, "and then no more");
    http.post(&url).send().await.unwrap();
    let listed: serde_json::Value = serde_json::from_str(
        &http
            .get(format!("{admin}/exchanges"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(listed["total"], 3);
    assert_eq!(
        listed["exchanges"].as_array().unwrap().len(),
        2,
        "only the last 2 kept"
    );
    assert_eq!(listed["exchanges"][0]["seq"], 2);
    let bad = http
        .put(format!("{admin}/faults"))
        .header("content-type", "application/json")
        .body(json!({"scenario": "nope"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    mock.shutdown().await;
}
