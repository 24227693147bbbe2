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

/// `conformance serve --accept-token-env VAR`: only the named token
/// passes; another well-formed one gets the Graph `401` a dead token gets
/// (what schemathesis's `ignored_auth` check asks of a server).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_accepted_tokens_pass_when_some_are_named() {
    use conformance::exchange::Sensitive;
    use conformance::mock::{MockConfig, MockServer};
    let mock = MockServer::start(MockConfig {
        accepted_tokens: vec![Sensitive::new("good-token")],
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let url = format!(
        "{}/deviceManagement/windowsAutopilotDeploymentProfiles/p1/assign",
        mock.base_url()
    );
    let http = reqwest::Client::new();
    let send = |token: &'static str, body: &'static str| {
        http.post(&url)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let good = send("good-token", r#"{"deviceIds":["d"]}"#).await.unwrap();
    assert_eq!(good.status(), 204);
    for (token, body) in [
        ("other-token", r#"{"deviceIds":["d"]}"#),
        // A dead token comes before a bad body, as at Graph.
        ("other-token", r#"{"deviceIds":[1]}"#),
    ] {
        let refused = send(token, body).await.unwrap();
        assert_eq!(refused.status(), 401);
        assert_eq!(refused.headers()["www-authenticate"], "Bearer");
        let error: serde_json::Value =
            serde_json::from_slice(&refused.bytes().await.unwrap()).unwrap();
        assert_eq!(error["error"]["code"], "InvalidAuthenticationToken");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.contains("not one this mock accepts"), "{message}");
        assert!(!message.contains("other-token"), "{message}");
    }
    // The good token with a bad body is judged as usual.
    let bad_body = send("good-token", r#"{"deviceIds":[1]}"#).await.unwrap();
    assert_eq!(bad_body.status(), 400);
    mock.shutdown().await;
}
