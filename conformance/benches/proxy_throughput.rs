//! Requests per second through the validating proxy (every exchange
//! copied and judged by the oracle) against the same proxy forwarding
//! only ([`Judging::Off`]: same server, client and header handling), both
//! in front of the mock answering 204 without validation, from many
//! concurrent client tasks on loopback. A judged batch counts as done when
//! the proxy has judged every exchange of it, not merely forwarded it.
//! Prints the ratio measured in this run.
//!
//! `cargo bench -p conformance --bench proxy_throughput`
//!
//! For profiling, `PROXY_DRIVE=judged` (or `bare`) skips criterion and
//! sends a fixed number of requests (`PROXY_DRIVE_REQUESTS`, default
//! 20,000) through one proxy, so that two runs under
//! `valgrind --tool=callgrind` or `perf stat -e task-clock` differ only
//! in the judging: (judged − bare) / requests is the judging's cost per
//! request, in instructions or CPU time, whatever else runs on the
//! machine.

mod load;

use std::path::{Path, PathBuf};
use std::time::Instant;

use conformance::mock::{MockConfig, MockServer, Validation};
use conformance::oracle::Oracle;
use conformance::proxy::{Judging, ProxyConfig, ValidatingProxy};
use criterion::{Criterion, Throughput};
use tokio::runtime::Runtime;

const GROUP: &str = "proxy_throughput";

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn upstream(runtime: &Runtime) -> MockServer {
    runtime
        .block_on(MockServer::start(MockConfig {
            validation: Validation::Off,
            ..MockConfig::default()
        }))
        .unwrap()
}

/// A proxy in front of `upstream`, and the load that goes through it, its
/// connection pools warmed.
fn proxy(
    runtime: &Runtime,
    upstream: &MockServer,
    judging: Judging,
) -> (ValidatingProxy, load::Load) {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/assign.yaml");
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
    runtime.block_on(load.send(load::TASKS * 4));
    (proxy, load)
}

/// Sends `iters` requests; for a judged proxy, returns only once every
/// one of them is judged.
async fn batch(proxy: &ValidatingProxy, load: &load::Load, judging: Judging, iters: u64) {
    let judged = proxy.progress().judged();
    load.send(iters).await;
    if judging == Judging::On {
        proxy.progress().reached(judged + iters).await;
    }
}

fn finish(runtime: &Runtime, proxy: ValidatingProxy, judging: Judging) {
    let summary = runtime.block_on(proxy.finish(std::time::Duration::from_secs(10)));
    if judging == Judging::On {
        assert!(
            summary.passed(),
            "the benchmark traffic must be valid: {summary:?}"
        );
    }
}

fn bench(c: &mut Criterion) {
    let runtime = runtime();
    let upstream = upstream(&runtime);
    let mut group = c.benchmark_group(GROUP);
    group.throughput(Throughput::Elements(1));
    group.sample_size(20);
    for (name, judging) in [("judged", Judging::On), ("bare", Judging::Off)] {
        let (proxy, load) = proxy(&runtime, &upstream, judging);
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let start = Instant::now();
                    batch(&proxy, &load, judging, iters).await;
                    start.elapsed()
                })
            })
        });
        finish(&runtime, proxy, judging);
    }
    group.finish();
    runtime.block_on(upstream.shutdown());
}

/// `PROXY_DRIVE`: a fixed number of requests through one proxy, for a
/// profiler (see the module's documentation).
fn drive(side: &str) {
    let judging = match side {
        "judged" => Judging::On,
        "bare" => Judging::Off,
        other => panic!("PROXY_DRIVE is `judged` or `bare`, not {other:?}"),
    };
    let requests: u64 = std::env::var("PROXY_DRIVE_REQUESTS")
        .ok()
        .map(|n| n.parse().expect("PROXY_DRIVE_REQUESTS is a number"))
        .unwrap_or(20_000);
    let runtime = runtime();
    let upstream = upstream(&runtime);
    let (proxy, load) = proxy(&runtime, &upstream, judging);
    let start = Instant::now();
    runtime.block_on(batch(&proxy, &load, judging, requests));
    let elapsed = start.elapsed();
    finish(&runtime, proxy, judging);
    runtime.block_on(upstream.shutdown());
    println!(
        "{side}: {requests} requests in {elapsed:.2?} ({:.1} µs each)",
        elapsed.as_secs_f64() * 1e6 / requests as f64
    );
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
    if let Ok(side) = std::env::var("PROXY_DRIVE") {
        drive(&side);
        return;
    }
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
