//! The validating mock over real HTTP with requests the typed client
//! cannot send: each gets its documented answer, Graph-shaped, and the
//! oracle agrees with the mock's validator about each request.

mod common;

use conformance::job::negative::{CASES, judge, send};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hand_written_requests_get_documented_answers() {
    let mock = common::mock().await;
    let oracle = common::oracle();
    let mut problems = Vec::new();
    for case in CASES {
        let exchange = send(&mock, case).await.unwrap();
        if let Err(e) = judge(&oracle, case, &exchange) {
            problems.push(format!("{}: {e}", case.name));
        }
        let response = exchange.response.as_ref().unwrap();
        if response.status != 204 {
            // Every refusal lists why, in a Graph error.
            let body = response.body.json().unwrap();
            let message = body["error"]["message"].as_str().unwrap_or("");
            assert!(!message.is_empty(), "{}: {body}", case.name);
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    mock.shutdown().await;
}

/// The 400 answer lists every violation, each with its location.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_body_answer_lists_violations() {
    let mock = common::mock().await;
    let case = CASES
        .iter()
        .find(|c| c.name == "deviceIds of numbers -> 400")
        .unwrap();
    let exchange = send(&mock, case).await.unwrap();
    let body = exchange.response.unwrap().body.json().unwrap();
    let details = body["error"]["details"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let targets: Vec<&str> = details
        .iter()
        .filter_map(|d| d["target"].as_str())
        .collect();
    assert_eq!(
        targets,
        ["/body/deviceIds/0", "/body/deviceIds/1"],
        "{body}"
    );
    mock.shutdown().await;
}
