//! codegen against progenitor 0.15.1 on one spec (progenitor's own
//! `nexus.json` from `../shared/real-specs` unless `COMPARE_SPEC` names
//! another JSON spec that progenitor accepts).
//!
//! Both read the same text, build `openapiv3` types, emit tokens, parse
//! them with `syn` and lay them out with `prettyplease`; codegen also
//! checks and lowers the spec and emits validators and fluent paths, which
//! progenitor does not, and is measured twice: with its default options
//! (what `codegen generate` writes) and with `--server` (the server side
//! too). The floor is the bare `serde_json` → `openapiv3::OpenAPI` parse,
//! in the same run.
//!
//! * `cargo bench --manifest-path codegen/benches/progenitor/Cargo.toml`:
//!   generation time (criterion).
//! * `... -- --build-time [ROUNDS]`: writes the generated crates, builds
//!   their dependencies once, then builds each crate alone ROUNDS times
//!   (5 by default) in turn, touching its `src/lib.rs`, and prints the
//!   medians and their ratios. Debug profile, one shared target directory,
//!   `CARGO_INCREMENTAL=0`: each build compiles the crate from scratch, as
//!   after a change to the spec, rather than reusing an incremental cache
//!   of the same text.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::Criterion;

/// The spec compared on.
fn spec_path() -> PathBuf {
    match std::env::var_os("COMPARE_SPEC") {
        Some(path) => PathBuf::from(path),
        None => {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/real-specs/nexus.json")
        }
    }
}

/// The spec's text, or `None` (with a message) when it is absent.
fn spec_text() -> Option<(PathBuf, String)> {
    let path = spec_path();
    match std::fs::read_to_string(&path) {
        Ok(text) => Some((path, text)),
        Err(e) => {
            eprintln!("SKIPPED: cannot read {}: {e}", path.display());
            None
        }
    }
}

/// progenitor's output for the spec, as its build.rs recipe makes it:
/// `generate_tokens`, `syn::parse2`, `prettyplease::unparse`.
fn progenitor(text: &str) -> String {
    let spec: openapiv3::OpenAPI = serde_json::from_str(text).expect("the spec parses");
    let mut generator = progenitor::Generator::new(&progenitor::GenerationSettings::default());
    let tokens = generator
        .generate_tokens(&spec)
        .expect("progenitor generates the spec");
    let file: syn::File = syn::parse2(tokens).expect("progenitor's tokens parse");
    prettyplease::unparse(&file)
}

/// codegen's options: the defaults (as `codegen generate`), or with the
/// server side (`--server`).
fn options(server: bool) -> codegen::EmitOptions {
    codegen::EmitOptions {
        server,
        ..Default::default()
    }
}

/// codegen's output for the spec.
fn codegen(name: &str, text: &str, server: bool) -> String {
    codegen::generate_str(name, text, &options(server)).expect("codegen generates the spec")
}

fn generation(c: &mut Criterion, path: &Path, text: &str) {
    let name = path
        .file_name()
        .map_or("spec".into(), |n| n.to_string_lossy().into_owned());
    let mut group = c.benchmark_group(format!("generate {name}"));
    group.sample_size(10);
    group.bench_function("floor: serde_json -> openapiv3::OpenAPI", |b| {
        b.iter(|| serde_json::from_str::<openapiv3::OpenAPI>(black_box(text)).unwrap())
    });
    group.bench_function("progenitor 0.15.1: parse + generate + format", |b| {
        b.iter(|| progenitor(black_box(text)))
    });
    group.bench_function("codegen: parse + check + lower + emit + format", |b| {
        b.iter(|| codegen(&name, black_box(text), false))
    });
    group.bench_function("codegen --server: the same, with the server side", |b| {
        b.iter(|| codegen(&name, black_box(text), true))
    });
    group.finish();
}

/// The dependencies progenitor's generated code names (`base64` and
/// `rand` for its websocket upgrades).
const PROGENITOR_DEPENDENCIES: &str = r#"
[dependencies]
base64 = "0.22"
bytes = "1"
chrono = { version = "0.4", default-features = false, features = ["serde", "std", "clock"] }
futures = "0.3"
progenitor-client = "=0.15.1"
rand = "0.8"
regress = "0.10"
reqwest = { version = "0.13", default-features = false, features = ["json", "stream"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
serde_urlencoded = "0.7"
uuid = { version = "1", features = ["serde", "v4"] }
"#;

/// Writes the crates under `dir` and gives their directories: progenitor's,
/// then codegen's with its default options and with the server side.
fn write_crates(dir: &Path, spec: &Path, text: &str) -> [(&'static str, PathBuf); 3] {
    let api = codegen::model_from_str("spec", text).expect("codegen lowers the spec");
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../runtime");
    let ours = |name: &str, server: bool| {
        let crate_dir = dir.join(name);
        codegen::scaffold::write_crate_for(
            &api,
            spec,
            &crate_dir,
            name,
            &runtime,
            &options(server),
        )
        .expect("codegen writes its crate");
        // The workspace's versions, so the runtime's dependencies are the
        // ones the project tests.
        let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../Cargo.lock");
        std::fs::copy(&lock, crate_dir.join("Cargo.lock"))
            .expect("the workspace's Cargo.lock copies");
        crate_dir
    };

    let theirs = dir.join("progenitor-crate");
    std::fs::create_dir_all(theirs.join("src")).expect("a crate directory");
    std::fs::write(
        theirs.join("Cargo.toml"),
        format!(
            "[package]\nname = \"compare-progenitor\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
             publish = false\n\n[workspace]\n{PROGENITOR_DEPENDENCIES}"
        ),
    )
    .expect("progenitor's manifest writes");
    std::fs::write(theirs.join("src/lib.rs"), progenitor(text)).expect("progenitor's code writes");
    [
        ("progenitor 0.15.1", theirs),
        ("codegen", ours("compare-codegen", false)),
        ("codegen --server", ours("compare-codegen-server", true)),
    ]
}

/// One debug build of the crate in `dir`, after touching its `src/lib.rs`.
fn build(dir: &Path, target: &Path) -> Duration {
    let lib = dir.join("src/lib.rs");
    let text = std::fs::read(&lib).expect("src/lib.rs reads");
    std::fs::write(&lib, text).expect("src/lib.rs is touched");
    let start = Instant::now();
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_INCREMENTAL", "0")
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the crate in {} builds", dir.display());
    start.elapsed()
}

fn lines(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("src/lib.rs"))
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

fn build_time(path: &Path, text: &str, rounds: usize) {
    let operations = serde_json::from_str::<openapiv3::OpenAPI>(text)
        .expect("the spec parses")
        .operations()
        .count();
    let dir = std::env::temp_dir().join("against-progenitor");
    let _ = std::fs::remove_dir_all(&dir);
    let crates = write_crates(&dir, path, text);
    let target = dir.join("target");
    for (_, crate_dir) in &crates {
        build(crate_dir, &target); // dependencies, once
    }
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); crates.len()];
    for _ in 0..rounds {
        for ((_, crate_dir), times) in crates.iter().zip(&mut times) {
            times.push(build(crate_dir, &target));
        }
    }
    println!(
        "debug build of each generated crate alone, {} ({operations} operations), {rounds} rounds:",
        path.display()
    );
    let mut medians = Vec::new();
    for ((label, crate_dir), times) in crates.iter().zip(&mut times) {
        times.sort();
        let median = times[times.len() / 2];
        medians.push(median);
        println!(
            "  {label}: median {:.2} s ({:.1} ms per operation, {} lines; runs {:?})",
            median.as_secs_f64(),
            median.as_secs_f64() * 1000.0 / operations as f64,
            lines(crate_dir),
            times
                .iter()
                .map(|t| format!("{:.2}", t.as_secs_f64()))
                .collect::<Vec<_>>(),
        );
    }
    for ((label, _), median) in crates.iter().zip(&medians).skip(1) {
        println!(
            "  {label} / progenitor: {:.2}x",
            median.as_secs_f64() / medians[0].as_secs_f64()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let Some((path, text)) = spec_text() else {
        return;
    };
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--build-time") {
        let rounds = args.get(at + 1).and_then(|r| r.parse().ok()).unwrap_or(5);
        build_time(&path, &text, rounds);
        return;
    }
    let mut criterion = Criterion::default().configure_from_args();
    generation(&mut criterion, &path, &text);
    criterion.final_summary();
}
