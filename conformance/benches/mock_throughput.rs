//! Requests per second through the validating mock, against the same
//! server stack answering 204 without validation, from many concurrent
//! client tasks on loopback. Prints the ratio measured in this run.
//!
//! `cargo bench -p conformance --bench mock_throughput`

mod load;

use std::path::PathBuf;

use conformance::mock::{MockConfig, MockServer, Validation};
use criterion::{Criterion, Throughput};

const GROUP: &str = "mock_throughput";

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group(GROUP);
    group.throughput(Throughput::Elements(1));
    group.sample_size(20);
    for (name, validation) in [
        ("validated", Validation::Generated),
        ("no_validation", Validation::Off),
    ] {
        let mock = runtime
            .block_on(MockServer::start(MockConfig {
                validation,
                ..MockConfig::default()
            }))
            .unwrap();
        let load = load::Load::new(&mock.base_url());
        // Warm the connection pool.
        runtime.block_on(load.send(load::TASKS * 4));
        group.bench_function(name, |b| {
            b.iter_custom(|iters| runtime.block_on(load.send(iters)))
        });
        runtime.block_on(mock.shutdown());
    }
    group.finish();
}

/// The mean time per request of one benchmark, from criterion's output.
fn mean_ns(name: &str) -> Option<f64> {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let path = dir
        .join("criterion")
        .join(GROUP)
        .join(name)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value["mean"]["point_estimate"].as_f64()
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
    if let (Some(validated), Some(baseline)) = (mean_ns("validated"), mean_ns("no_validation")) {
        println!(
            "validated: {:.0} req/s, no validation: {:.0} req/s, slowdown {:.2}x (goal <= 1.5x)",
            1e9 / validated,
            1e9 / baseline,
            validated / baseline
        );
    }
}
