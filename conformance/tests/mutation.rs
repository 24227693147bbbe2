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

/// The hole a route table cannot close by itself: a fluent path that
/// reaches its sibling's route is answered (the path is in the spec) and
/// judged valid. Here the dispatcher's fluent entry of
/// `..._deploymentProfile_assign` is the one of
/// `..._intendedDeploymentProfile_assign`, as if the generated fluent step
/// called the wrong flat method: the job must fail (it exits 1 when any
/// row fails) and name the operation and where its call went. No rebuild:
/// the generated table is data, and the swapped entry is the sibling's
/// real fluent path.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fluent_path_reaching_the_sibling_route_fails_the_job() {
    use conformance::job::{Options, run};
    use conformance::oracle::Outcome;
    use openapi_runtime::dispatch::Api;

    let api = &autopilot_client::API;
    let index = |id: &str| {
        api.operations
            .iter()
            .position(|o| o.route.operation_id == id)
            .unwrap()
    };
    let victim = "windowsAutopilotDeviceIdentities_deploymentProfile_assign";
    let sibling = "windowsAutopilotDeviceIdentities_intendedDeploymentProfile_assign";
    let mut operations = api.operations.to_vec();
    operations[index(victim)].fluent = api.operations[index(sibling)].fluent;
    let mutated: &'static Api = Box::leak(Box::new(Api {
        operations: Box::leak(operations.into_boxed_slice()),
        ..*api
    }));
    let mut options = Options::default();
    for target in &mut options.specs {
        if target.api.is_some_and(|a| a.spec == api.spec) {
            target.api = Some(mutated);
        }
    }
    let report = run(&options).await;
    assert!(!report.passed(), "the job passed with the mutation");
    let failed: Vec<String> = report
        .checks
        .iter()
        .filter(|r| r.verdict == Outcome::Fail)
        .map(|r| format!("{} / {}: {}", r.operation, r.check, r.detail))
        .collect();
    assert_eq!(
        failed,
        [format!(
            "{victim} / fluent: reached this operation: the call for `{victim}` (POST \
             /deviceManagement/windowsAutopilotDeviceIdentities/{{windowsAutopilotDeviceIdentityId}}/deploymentProfile/assign) \
             reached `{sibling}` (POST \
             /deviceManagement/windowsAutopilotDeviceIdentities/{{windowsAutopilotDeviceIdentityId}}/intendedDeploymentProfile/assign)"
        )],
    );

    // Control: the table as generated passes.
    let report = run(&Options::default()).await;
    let failed: Vec<_> = report
        .failures()
        .map(|r| (&r.operation, &r.check))
        .collect();
    assert!(report.passed(), "{failed:?}");
}

/// The job drives operations concurrently and finds each call's exchanges
/// by the `client-request-id` it sent, not by what was recorded while it
/// ran. Here the first operation's flat call returns only after the
/// second's request was answered (the dispatcher's entries are wrapped to
/// wait for each other), so while it is in flight the mock records both
/// operations' requests: tied by time order, the first call would own two
/// exchanges and fail "one exchange". Every row must pass, and the rows
/// must be those of a run with one operation at a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interleaved_exchanges_are_each_tied_to_their_own_call() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use conformance::job::{Options, run};
    use openapi_runtime::dispatch::{Api, Call, DispatchArgs};

    static FIRST_SENT: AtomicBool = AtomicBool::new(false);
    static SECOND_SENT: AtomicBool = AtomicBool::new(false);
    const FIRST: &str = "windowsAutopilotDeploymentProfiles_assign";
    const SECOND: &str = "windowsAutopilotDeviceIdentities_deploymentProfile_assign";

    /// Waits (bounded, so that a wrong run fails rather than hangs) until
    /// `flag` is set.
    async fn until(flag: &AtomicBool) {
        for _ in 0..1000 {
            if flag.load(Ordering::SeqCst) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    fn real(id: &str) -> &'static openapi_runtime::dispatch::Operation {
        autopilot_client::API.operation(id).unwrap()
    }
    fn first<'a>(client: &'a openapi_runtime::Client, args: &'a DispatchArgs) -> Call<'a> {
        Box::pin(async move {
            let result = (real(FIRST).flat)(client, args).await;
            FIRST_SENT.store(true, Ordering::SeqCst);
            until(&SECOND_SENT).await;
            result
        })
    }
    fn second<'a>(client: &'a openapi_runtime::Client, args: &'a DispatchArgs) -> Call<'a> {
        Box::pin(async move {
            until(&FIRST_SENT).await;
            let result = (real(SECOND).flat)(client, args).await;
            SECOND_SENT.store(true, Ordering::SeqCst);
            result
        })
    }

    let api = &autopilot_client::API;
    let mut operations = api.operations.to_vec();
    for operation in &mut operations {
        match operation.route.operation_id {
            FIRST => operation.flat = first,
            SECOND => operation.flat = second,
            _ => {}
        }
    }
    let interleaved: &'static Api = Box::leak(Box::new(Api {
        operations: Box::leak(operations.into_boxed_slice()),
        ..*api
    }));
    let mut options = Options {
        jobs: 8,
        ..Options::default()
    };
    for target in &mut options.specs {
        if target.api.is_some_and(|a| a.spec == api.spec) {
            target.api = Some(interleaved);
        }
    }
    let report = run(&options).await;
    assert!(
        FIRST_SENT.load(Ordering::SeqCst) && SECOND_SENT.load(Ordering::SeqCst),
        "the two flat calls did not run"
    );
    let failed: Vec<String> = report
        .failures()
        .map(|r| format!("{} / {}: {}", r.operation, r.check, r.detail))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");

    let one_at_a_time = run(&Options {
        jobs: 1,
        ..Options::default()
    })
    .await;
    same_rows(&report, &one_at_a_time);
}

/// Rows in the same order, with the same content, whatever `--jobs`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_is_the_same_whatever_the_number_of_jobs() {
    use conformance::job::{Options, run};

    let sequential = run(&Options {
        jobs: 1,
        ..Options::default()
    })
    .await;
    let concurrent = run(&Options {
        jobs: 8,
        ..Options::default()
    })
    .await;
    assert!(sequential.passed() && concurrent.passed());
    assert!(rows(&sequential).len() > 50, "{:?}", rows(&sequential));
    same_rows(&sequential, &concurrent);
    assert_eq!(sequential.coverage, concurrent.coverage);
    assert_eq!(
        sequential.exchanges.len(),
        concurrent.exchanges.len(),
        "as many exchanges"
    );
}

/// The two reports have the same rows in the same order; the first that
/// differ are named.
fn same_rows(a: &conformance::job::Report, b: &conformance::job::Report) {
    let (a, b) = (rows(a), rows(b));
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert_eq!(x, y, "row {i} differs");
    }
    assert_eq!(a.len(), b.len(), "as many rows");
}

/// A report's rows without what differs from run to run by nature: times,
/// and the GUIDs and dates the mock and client make up.
fn rows(report: &conformance::job::Report) -> Vec<(String, String, String, String)> {
    report
        .checks
        .iter()
        .map(|r| {
            (
                r.operation.clone(),
                r.check.clone(),
                format!("{:?}", r.verdict),
                common::without_run_ids(&r.detail),
            )
        })
        .collect()
}
