//! `generate` on Microsoft's DeviceManagement.Actions module against the
//! floor: parsing the same text with serde_yaml into `openapiv3::OpenAPI`
//! and nothing else. Both run in the same process, so the ratio (reported
//! in BENCHMARKS.md) does not depend on the machine's speed.
//!
//! The stages are measured on their own too (`source`, `lower`, `emit`,
//! `format`: `syn` parses the tokens, `prettyplease` lays them out) to
//! show where the time goes.
//!
//! Run with `cargo bench -p codegen --bench generate`. Skips, with a
//! message, when `../shared/graph-openapi` is absent.
//!
//! `cargo bench -p codegen --bench generate -- --peak-memory [SPEC]` measures
//! peak memory instead (see [`peak`]): the bare parse, `check` and
//! `generate` of SPEC (Microsoft's 3.4 MB `DeviceManagement.yml` by
//! default), each in a process of its own.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group};

fn actions_module() -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/graph-openapi/DeviceManagement.Actions.yml");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) => {
            eprintln!("SKIPPED: {} is absent", path.display());
            None
        }
    }
}

fn bench(c: &mut Criterion) {
    let Some(text) = actions_module() else {
        return;
    };
    let options = codegen::EmitOptions::default();
    let mut group = c.benchmark_group("DeviceManagement.Actions");
    group.sample_size(10);
    group.bench_function("floor: serde_yaml -> openapiv3::OpenAPI", |b| {
        b.iter(|| {
            let api: openapiv3::OpenAPI = serde_yaml::from_str(black_box(&text)).unwrap();
            api
        })
    });
    group.bench_function("generate: parse + lower + emit + format", |b| {
        b.iter(|| codegen::generate_str("actions.yml", black_box(&text), &options).unwrap())
    });
    group.bench_function("stage: source (parse and check)", |b| {
        b.iter(|| codegen::source::parse("actions.yml", black_box(&text)).unwrap())
    });
    let (source, api) = codegen::source::parse("actions.yml", &text).unwrap();
    group.bench_function("stage: lower", |b| {
        b.iter(|| codegen::lower::lower(&source, black_box(&api)).unwrap())
    });
    let model = codegen::lower::lower(&source, &api).unwrap();
    group.bench_function("stage: emit", |b| {
        b.iter(|| codegen::emit::tokens(black_box(&model), &options))
    });
    let code = codegen::emit::tokens(&model, &options);
    group.bench_function("stage: format (syn + prettyplease)", |b| {
        b.iter(|| codegen::emit::format_section("all", black_box(code.clone())).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);

/// Peak resident memory of each stage, each run in a fresh process (this
/// binary again, told the stage and the spec through the environment) so
/// that no stage inherits another's heap.
mod peak {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    /// The environment variable naming the stage a child process runs.
    const STAGE: &str = "CODEGEN_PEAK_STAGE";
    /// The environment variable naming the spec a child process reads.
    const SPEC: &str = "CODEGEN_PEAK_SPEC";
    /// Runs per stage; the median is reported.
    const RUNS: usize = 5;

    /// The stages, the floor first.
    const STAGES: [(&str, &str); 3] = [
        ("parse", "bare parse: serde_yaml -> openapiv3::OpenAPI"),
        ("check", "check: parse, check and lower"),
        ("generate", "generate: check + emit + format"),
    ];

    /// In a child process: runs the stage named by the environment, if
    /// any, prints its peak RSS in KiB and returns true.
    pub fn child() -> bool {
        let Ok(stage) = std::env::var(STAGE) else {
            return false;
        };
        let spec = PathBuf::from(std::env::var_os(SPEC).expect("the spec to read"));
        match stage.as_str() {
            "parse" => {
                let text = std::fs::read_to_string(&spec).expect("the spec is readable");
                let api: openapiv3::OpenAPI = serde_yaml::from_str(&text).expect("the spec parses");
                std::hint::black_box(&api);
            }
            "check" => {
                let api = codegen::load_model(&spec).expect("the spec lowers");
                std::hint::black_box(&api);
            }
            "generate" => {
                let api = codegen::load_model(&spec).expect("the spec lowers");
                let code = codegen::emit::render(&api, &codegen::EmitOptions::default())
                    .expect("the spec generates");
                std::hint::black_box(&code);
            }
            other => panic!("unknown stage {other}"),
        }
        println!(
            "{}",
            high_water_mark().expect("/proc/self/status has VmHWM")
        );
        true
    }

    /// This process's peak resident set (`VmHWM`), in KiB; Linux only.
    fn high_water_mark() -> Option<u64> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// Runs every stage [`RUNS`] times in child processes and prints the
    /// medians and their ratios to the bare parse.
    pub fn report(spec: &Path) {
        if !spec.exists() {
            eprintln!("SKIPPED: {} is absent", spec.display());
            return;
        }
        let exe = std::env::current_exe().expect("the bench binary's path");
        let mut floor = None;
        println!("peak RSS on {}, median of {RUNS} runs:", spec.display());
        for (stage, label) in STAGES {
            let mut runs: Vec<u64> = (0..RUNS)
                .map(|_| {
                    let out = Command::new(&exe)
                        .env(STAGE, stage)
                        .env(SPEC, spec)
                        .output()
                        .expect("the child runs");
                    assert!(out.status.success(), "stage {stage} failed: {out:?}");
                    String::from_utf8_lossy(&out.stdout)
                        .trim()
                        .parse()
                        .expect("the child prints its peak")
                })
                .collect();
            runs.sort_unstable();
            let median = runs[RUNS / 2];
            let floor = *floor.get_or_insert(median);
            println!(
                "  {label}: {:.1} MB ({:.2}x the bare parse; runs {runs:?} KiB)",
                median as f64 * 1024.0 / 1e6,
                median as f64 / floor as f64,
            );
        }
    }
}

fn main() {
    if peak::child() {
        return;
    }
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--peak-memory") {
        let spec = match args.get(at + 1).filter(|a| !a.starts_with('-')) {
            Some(spec) => PathBuf::from(spec),
            None => Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../shared/graph-openapi/DeviceManagement.yml"),
        };
        peak::report(&spec);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
