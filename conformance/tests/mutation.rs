//! The suite is sensitive: mutate a copy of `spec/assign.yaml` the way a
//! careless edit would (rename a route, add a required body property,
//! change the success code), judge the real client's recorded exchanges
//! against it, and expect failures that say what is wrong.

mod common;

use autopilot_client::types::AssignRequest;
use conformance::exchange::Exchange;
use conformance::job::DRIVERS;
use conformance::mock::{MockConfig, MockServer, Validation};
use conformance::oracle::{Oracle, SpecDoc};
use serde_json::json;

/// Records one call of every operation. The mock answers 204 without
/// validating: the requests are the real client's, and what the mock's
/// validator says of them is covered by `exchanges.rs`.
async fn recorded() -> Vec<Exchange> {
    let mock = MockServer::start(MockConfig {
        validation: Validation::Off,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let client = common::client(&mock);
    let body = AssignRequest {
        device_ids: vec!["Device Ids value".into()],
    };
    for driver in DRIVERS {
        (driver.flat)(&client, "id-1", &body).await.unwrap();
    }
    let exchanges = mock.recorder().exchanges();
    mock.shutdown().await;
    exchanges
}

fn spec_text() -> String {
    std::fs::read_to_string(common::repo().join("spec/assign.yaml")).unwrap()
}

/// Applies `edits` (each must match) to the spec text.
fn mutate(edits: &[(&str, &str)]) -> String {
    let mut text = spec_text();
    for (from, to) in edits {
        assert!(text.contains(from), "mutation anchor not found: {from}");
        text = text.replace(from, to);
    }
    text
}

/// Every failed finding, as `operation / check: detail`.
fn failures(oracle: &Oracle, exchanges: &[Exchange]) -> Vec<String> {
    let mut out = Vec::new();
    for exchange in exchanges {
        let verdict = oracle.judge(exchange);
        for f in verdict.failures() {
            out.push(format!(
                "{} {} / {}: {}",
                exchange.request.method, exchange.request.path, f.check, f.detail
            ));
        }
    }
    out
}

const MUTATIONS: &[(&str, &[(&str, &str)])] = &[
    (
        "rename_route",
        &[(
            "{windowsAutopilotDeploymentProfileId}/assign:",
            "{windowsAutopilotDeploymentProfileId}/assignProfile:",
        )],
    ),
    (
        "add_required_body_property",
        &[
            (
                "      required:\n        - deviceIds\n",
                "      required:\n        - deviceIds\n        - groupTag\n",
            ),
            (
                "      properties:\n        deviceIds:\n",
                "      properties:\n        groupTag:\n          type: string\n        deviceIds:\n",
            ),
        ],
    ),
    (
        "change_success_code",
        &[(
            "'204':\n          $ref: '#/components/responses/noContent'",
            "'200':\n          $ref: '#/components/responses/noContent'",
        )],
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutated_specs_make_the_oracle_fail_readably() {
    let exchanges = recorded().await;
    assert_eq!(exchanges.len(), DRIVERS.len());

    // Control: the real spec finds nothing wrong.
    let oracle = common::oracle();
    assert_eq!(failures(&oracle, &exchanges), Vec::<String>::new());

    for (name, edits) in MUTATIONS {
        let text = mutate(edits);
        let oracle = Oracle::new(SpecDoc::parse(&format!("mutated-{name}.yaml"), &text).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let found = failures(&oracle, &exchanges);
        assert!(!found.is_empty(), "{name}: the oracle noticed nothing");
        insta::with_settings!({snapshot_suffix => *name}, {
            insta::assert_yaml_snapshot!("mutation", json!({"mutation": name, "failures": found}));
        });
    }
}
