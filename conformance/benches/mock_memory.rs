//! Memory of the mock under a million requests: resident set size before
//! and after, read from /proc/self/status (Linux). Not a timed test.
//!
//! `cargo bench -p conformance --bench mock_memory [-- REQUESTS] [-- --no-validation]`

mod load;

use conformance::mock::{MockConfig, MockServer, Validation};

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let total: u64 = args
        .iter()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let validation = if args.iter().any(|a| a == "--no-validation") {
        Validation::Off
    } else {
        Validation::Generated
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mock = MockServer::start(MockConfig {
            validation,
            ..MockConfig::default()
        })
        .await
        .unwrap();
        let load = load::Load::new(&mock.base_url());
        // Warm-up fills the recording ring (1,024 kept) and the pools.
        load.send(10_000).await;
        let before = rss_kib();
        let steps = 10;
        println!("mode {validation:?}; RSS after warm-up: {before:?} KiB");
        let mut elapsed = std::time::Duration::ZERO;
        for step in 1..=steps {
            elapsed += load.send(total / steps).await;
            println!(
                "{:>9} requests: RSS {:?} KiB",
                step * (total / steps),
                rss_kib()
            );
        }
        let after = rss_kib();
        println!(
            "{} requests in {:.1} s; recorded {}, kept {}; RSS before {:?} KiB, after {:?} KiB",
            total,
            elapsed.as_secs_f64(),
            mock.recorder().total(),
            mock.recorder().exchanges().len(),
            before,
            after
        );
        mock.shutdown().await;
    });
}
