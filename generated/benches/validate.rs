//! Raw body bytes → verdict, for assign bodies of 1, 100 and 10,000 device
//! ids, valid and invalid (the last id is a number, so every contender has
//! to read the whole body):
//!
//! * `generated`: the generated validator (`openapi_runtime::validate::body::check`
//!   on the operation's generated schema), which returns every violation;
//! * `verdict`: the verdict-only check the route's body carries
//!   (`Body::verdict`), valid or not without a report:
//!   the like-for-like contender against `jsonschema`'s `is_valid`;
//! * `server_path`: the verdict and the typed body, as `server::handle`
//!   gets them (for this body the generated type proves validity, so a
//!   valid body is decoded once; an invalid one is then checked for its
//!   violations);
//! * `jsonschema`: the `jsonschema` crate with a validator compiled once
//!   (from the conformance oracle's translation of the spec), on a
//!   `serde_json::Value` parsed from the bytes, asked only `is_valid`;
//! * `jsonschema_report`: the same, asked for every error with its
//!   instance path and message, which is what `generated` returns;
//! * `serde_typed`: the floor, `serde_json::from_slice` into the typed
//!   body, with no validation beyond what the type implies.
//!
//! A second group, `client`, times the check a client method runs on a
//! typed, valid body before sending it, for the same sizes:
//!
//! * `encoded`: what the client does now (`validate::client::check` on the
//!   route and its arguments):
//!   serialise the body once, ask the verdict of those bytes (writing the
//!   report only for a refused request), send them;
//! * `value_tree`: what it did before: serialise into a `serde_json::Value`,
//!   walk that tree, then serialise again for sending;
//! * `to_vec`: the floor, serialising the body for sending with no check.
//!
//! Ratios go into BENCHMARKS.md.

use std::hint::black_box;
use std::path::Path;

use autopilot_client::routes::WINDOWS_AUTOPILOT_DEPLOYMENT_PROFILES_ASSIGN as ROUTE;
use autopilot_client::types::AssignRequest;
use conformance::oracle::SpecDoc;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use openapi_runtime::validate::body;

const OPERATION: &str = "windowsAutopilotDeploymentProfiles_assign";
const PROVEN: bool = match ROUTE.body {
    Some(body) => body.typed_proves_valid,
    None => false,
};

/// The route's verdict-only check of the operation's body.
fn verdict(bytes: &[u8]) -> bool {
    ROUTE.body.as_ref().is_some_and(|body| body.verdict(bytes))
}

fn body_bytes(ids: usize, valid: bool) -> Vec<u8> {
    let mut items: Vec<serde_json::Value> = (0..ids)
        .map(|i| serde_json::Value::String(format!("{i:08x}-d9cb-469f-a165-70867728950e")))
        .collect();
    if !valid {
        *items.last_mut().expect("at least one id") = serde_json::json!(12345);
    }
    serde_json::to_vec(&serde_json::json!({ "deviceIds": items })).expect("serialisable")
}

fn bench(c: &mut Criterion) {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/assign.yaml");
    let doc = SpecDoc::load(&spec).expect("spec loads");
    let oracle_body = doc
        .request_bodies()
        .into_iter()
        .find(|b| b.operation_id == OPERATION)
        .expect("the operation has a body");
    let oracle = doc.validator(&oracle_body.schema).expect("schema compiles");
    let schema = autopilot_client::validate::body_schema(OPERATION).expect("generated schema");

    for valid in [true, false] {
        let mut group = c.benchmark_group(if valid { "valid" } else { "invalid" });
        group.sample_size(30);
        group.measurement_time(std::time::Duration::from_secs(3));
        for ids in [1, 100, 10_000] {
            let bytes = body_bytes(ids, valid);
            // The contenders must agree before they are timed.
            let expected = valid;
            assert_eq!(body::check(schema, &bytes, "/body").is_empty(), expected);
            assert_eq!(verdict(&bytes), expected);
            let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(oracle.is_valid(&value), expected);

            group.bench_with_input(BenchmarkId::new("generated", ids), &bytes, |b, bytes| {
                b.iter(|| body::check(schema, black_box(bytes), "/body").is_empty())
            });
            group.bench_with_input(BenchmarkId::new("verdict", ids), &bytes, |b, bytes| {
                b.iter(|| verdict(black_box(bytes)))
            });
            group.bench_with_input(BenchmarkId::new("server_path", ids), &bytes, |b, bytes| {
                b.iter(|| {
                    body::decode_proven::<AssignRequest>(schema, black_box(bytes), "/body", PROVEN)
                        .is_ok()
                })
            });
            group.bench_with_input(BenchmarkId::new("jsonschema", ids), &bytes, |b, bytes| {
                b.iter(|| {
                    serde_json::from_slice::<serde_json::Value>(black_box(bytes))
                        .is_ok_and(|v| oracle.is_valid(&v))
                })
            });
            // Like for like with `generated`, which returns every
            // violation with its location and message: jsonschema's own
            // report (instance path and message of every error).
            group.bench_with_input(
                BenchmarkId::new("jsonschema_report", ids),
                &bytes,
                |b, bytes| {
                    b.iter(|| {
                        serde_json::from_slice::<serde_json::Value>(black_box(bytes)).is_ok_and(
                            |v| {
                                oracle
                                    .iter_errors(&v)
                                    .map(|e| (e.instance_path().to_string(), e.to_string()))
                                    .collect::<Vec<_>>()
                                    .is_empty()
                            },
                        )
                    })
                },
            );
            group.bench_with_input(BenchmarkId::new("serde_typed", ids), &bytes, |b, bytes| {
                b.iter(|| serde_json::from_slice::<AssignRequest>(black_box(bytes)).is_ok())
            });
            // The headline ratios again, measured side by side (see
            // `paired`), where criterion times one contender after another.
            let label = format!("{}/{ids}", if valid { "valid" } else { "invalid" });
            let verdict_side = || verdict(black_box(&bytes));
            paired(&label, "jsonschema", "verdict", ids, verdict_side, || {
                serde_json::from_slice::<serde_json::Value>(black_box(&bytes))
                    .is_ok_and(|v| oracle.is_valid(&v))
            });
            paired(
                &label,
                "verdict",
                "serde_typed",
                ids,
                || serde_json::from_slice::<AssignRequest>(black_box(&bytes)).is_ok(),
                verdict_side,
            );
        }
        group.finish();
    }
}

/// Rounds of a paired measurement.
const ROUNDS: usize = 101;

/// Prints the median and quartiles of `time(slow) / time(fast)` over
/// rounds in which both run a block of calls back to back, in turn first.
///
/// On a shared virtual machine the speed of the CPU drifts by a third or
/// more over seconds, and criterion times one contender after another, so
/// its ratios on short calls swing with the drift; here each round's two
/// blocks see the same machine. Calls per block fall with the body size,
/// so a round takes about the same time for every size.
fn paired(
    label: &str,
    slow_name: &str,
    fast_name: &str,
    ids: usize,
    mut fast: impl FnMut() -> bool,
    mut slow: impl FnMut() -> bool,
) {
    let calls = (20_000 / ids).max(2);
    let block = |f: &mut dyn FnMut() -> bool| {
        let started = std::time::Instant::now();
        for _ in 0..calls {
            black_box(f());
        }
        started.elapsed().as_secs_f64()
    };
    let mut ratios: Vec<f64> = (0..ROUNDS)
        .map(|round| {
            let (f, s) = if round % 2 == 0 {
                let f = block(&mut fast);
                (f, block(&mut slow))
            } else {
                let s = block(&mut slow);
                (block(&mut fast), s)
            };
            s / f
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    let at = |q: f64| ratios[((ROUNDS - 1) as f64 * q).round() as usize];
    println!(
        "paired {label}: {slow_name} / {fast_name} over {ROUNDS} rounds of {calls} calls: \
         median {:.2}x (quartiles {:.2}x .. {:.2}x)",
        at(0.5),
        at(0.25),
        at(0.75)
    );
}

fn client(c: &mut Criterion) {
    use autopilot_client::validate;
    let schema = validate::body_schema(OPERATION).expect("generated schema");
    let rule = &ROUTE.params[0];
    let mut group = c.benchmark_group("client");
    group.sample_size(30);
    group.measurement_time(std::time::Duration::from_secs(3));
    for ids in [1, 100, 10_000] {
        let body: AssignRequest = serde_json::from_slice(&body_bytes(ids, true)).unwrap();
        let encoded = |body: &AssignRequest| {
            let args = openapi_runtime::Args::new(&["profile-1"]).body(body);
            openapi_runtime::validate::client::check(&ROUTE, &args).map(|checked| checked.body)
        };
        let value_tree = |body: &AssignRequest| {
            let mut out = Vec::new();
            openapi_runtime::validate::client::path_param(rule, "profile-1", &mut out);
            let value = serde_json::to_value(body).expect("serialisable");
            out.extend(body::check_value(schema, &value, "/body"));
            if out.is_empty() {
                Ok(serde_json::to_vec(body).expect("serialisable"))
            } else {
                Err(out)
            }
        };
        // Both ways must give the bytes that are sent.
        let sent = encoded(&body).map(|upload| {
            upload
                .and_then(|u| u.as_bytes().map(<[u8]>::to_vec))
                .unwrap_or_default()
        });
        assert_eq!(sent, value_tree(&body));
        group.bench_with_input(BenchmarkId::new("encoded", ids), &body, |b, body| {
            b.iter(|| encoded(black_box(body)))
        });
        group.bench_with_input(BenchmarkId::new("value_tree", ids), &body, |b, body| {
            b.iter(|| value_tree(black_box(body)))
        });
        group.bench_with_input(BenchmarkId::new("to_vec", ids), &body, |b, body| {
            b.iter(|| serde_json::to_vec(black_box(body)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench, client);
criterion_main!(benches);
