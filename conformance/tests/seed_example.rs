//! The seed page's example request (in `../shared/seed/`, outside the
//! repository): its route and body satisfy the spec, and the generated
//! client sends a semantically equal request.

mod common;

use autopilot_client::types::AssignRequest;
use conformance::exchange::{Body, Headers, Request};
use conformance::job::DRIVERS;
use conformance::mock::{MockConfig, MockServer, Validation};
use conformance::oracle::{Check, Outcome};
use serde_json::Value;

/// The example: method, URL, headers and JSON body of the page's
/// "### Request" HTTP block.
struct Example {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Value,
}

fn parse_example(page: &str) -> Example {
    let after = page
        .split("### Request")
        .nth(1)
        .expect("the seed page has a '### Request' section");
    let block = after
        .split("``` http")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("an http code block follows");
    let mut lines = block.lines().skip_while(|l| l.trim().is_empty());
    let request_line = lines.next().expect("a request line");
    let (method, url) = request_line.trim().split_once(' ').expect("METHOD URL");
    let mut headers = Vec::new();
    let mut body = String::new();
    let mut in_body = false;
    for line in lines {
        if in_body {
            body.push_str(line);
            body.push('\n');
        } else if line.trim_start().starts_with('{') {
            in_body = true;
            body.push_str(line);
            body.push('\n');
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    Example {
        method: method.to_string(),
        url: url.to_string(),
        headers,
        body: serde_json::from_str(&body).expect("the example body is JSON"),
    }
}

#[test_support::needs_shared]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_example_validates_and_the_client_sends_its_equal() {
    let page_path = test_support::shared!("seed/000_98d0684ee68fea20.txt");
    let page = std::fs::read_to_string(&page_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", page_path.display()));
    let example = parse_example(&page);
    assert_eq!(example.method, "POST");
    assert_eq!(
        example.body,
        serde_json::json!({"deviceIds": ["Device Ids value"]})
    );

    // The example's route and body, judged by the oracle. The page leaves
    // the id as a placeholder and sends no token; the id is sent
    // percent-encoded as a client would.
    let oracle = common::oracle();
    let path = example
        .url
        .strip_prefix("https://graph.microsoft.com")
        .expect("the example targets the global cloud")
        .replace('{', "%7B")
        .replace('}', "%7D");
    let mut headers = Headers::default();
    for (name, value) in &example.headers {
        headers.push(name, value.clone());
    }
    let body_bytes = serde_json::to_vec(&example.body).unwrap();
    let request = Request {
        method: example.method.clone(),
        path: path.clone(),
        query: None,
        headers,
        body: Body::new(&body_bytes),
    };
    let verdict = oracle.judge_request(&request);
    for check in [
        Check::Route,
        Check::PathParameters,
        Check::Headers,
        Check::Body,
    ] {
        let finding = verdict.finding(check).unwrap();
        assert_eq!(
            finding.outcome,
            Outcome::Pass,
            "{check}: {}",
            finding.detail
        );
    }
    assert_eq!(
        verdict.operation.as_deref(),
        Some("windowsAutopilotDeploymentProfiles_assign")
    );

    // The client, given the same id and body, sends an equal request.
    let mock = MockServer::start(MockConfig {
        validation: Validation::Off,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let client = common::client(&mock);
    let body: AssignRequest = serde_json::from_value(example.body.clone()).unwrap();
    (DRIVERS[0].flat)(&client, "{windowsAutopilotDeploymentProfileId}", &body)
        .await
        .unwrap();
    let sent = mock.recorder().exchanges().pop().unwrap().request;
    assert_eq!(sent.method, example.method);
    assert_eq!(sent.path, path, "same route, same id");
    assert_eq!(sent.body.json(), Some(example.body), "JSON-equal body");
    assert_eq!(
        sent.headers.get("content-type"),
        example
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.as_str())
    );
    assert!(oracle.judge_request(&sent).passed());
    mock.shutdown().await;
}
