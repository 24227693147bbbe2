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

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

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
criterion_main!(benches);
