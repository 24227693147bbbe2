//! Requests per second through the validating proxy (every exchange
//! copied and judged by the oracle) against the same proxy forwarding
//! only ([`Judging::Off`]: same server, client and header handling), both
//! in front of the mock answering 204 without validation, from many
//! concurrent client tasks on loopback. A judged batch counts as done when
//! the proxy has judged every exchange of it, not merely forwarded it.
//! Prints the ratio measured in this run.
//!
//! `cargo bench -p conformance --bench proxy_throughput`

mod load;

use std::path::{Path, PathBuf};
use std::time::Instant;

use conformance::mock::{MockConfig, MockServer, Validation};
use conformance::oracle::Oracle;
use conformance::proxy::{Judging, ProxyConfig, ValidatingProxy};
use criterion::{Criterion, Throughput};

const GROUP: &str = "proxy_throughput";

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/assign.yaml");
    let upstream = runtime
        .block_on(MockServer::start(MockConfig {
            validation: Validation::Off,
            ..MockConfig::default()
        }))
        .unwrap();
    let mut group = c.benchmark_group(GROUP);
    group.throughput(Throughput::Elements(1));
    group.sample_size(20);
    for (name, judging) in [("judged", Judging::On), ("bare", Judging::Off)] {
        let config = ProxyConfig {
            judging,
            ..ProxyConfig::new(
                "127.0.0.1:0".parse().unwrap(),
                format!("http://{}", upstream.addr()),
            )
        };
        let proxy = runtime
            .block_on(ValidatingProxy::start(
                config,
                Oracle::load(&spec).unwrap(),
                Box::new(std::io::sink()),
            ))
            .unwrap();
        let load = load::Load::new(&format!("http://{}/beta", proxy.addr()));
        let progress = proxy.progress().clone();
        // Warm the connection pools.
        runtime.block_on(load.send(load::TASKS * 4));
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let judged = progress.judged();
                    let start = Instant::now();
                    load.send(iters).await;
                    if judging == Judging::On {
                        progress.reached(judged + iters).await;
                    }
                    start.elapsed()
                })
            })
        });
        let summary = runtime.block_on(proxy.finish(std::time::Duration::from_secs(10)));
        if judging == Judging::On {
            assert!(
                summary.passed(),
                "the benchmark traffic must be valid: {summary:?}"
            );
        }
    }
    group.finish();
    runtime.block_on(upstream.shutdown());
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
    if let (Some(judged), Some(bare)) = (mean_ns("judged"), mean_ns("bare")) {
        println!(
            "judged: {:.0} req/s, bare: {:.0} req/s, slowdown {:.2}x (goal <= 1.3x)",
            1e9 / judged,
            1e9 / bare,
            judged / bare
        );
    }
}
