//! Fuzzing the whole pipeline (parse, lower, emit, format) with proptest:
//! mutated specs built from `spec/assign.yaml`, `tests/specs/features.yaml`,
//! the discriminator fixture of `graph-modules` and Microsoft's Graph
//! modules (when `../shared` is there), arbitrary YAML trees made of
//! OpenAPI words, and arbitrary text. Every input must
//! end in `Ok` with code that `syn` parses as a Rust file, or in located
//! spec diagnostics: a panic, an internal error, printed code that does
//! not parse or a run longer than the time limit fails the test.
//!
//! CI runs a modest number of cases. A long run:
//!
//! ```text
//! FUZZ_CASES=5000 cargo test --release -p codegen --test fuzz -- --nocapture
//! ```

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, RngSeed, TestRunner};
use serde_yaml::{Mapping, Value};

/// Longest a single input may take (debug builds are slow; this only
/// catches hangs).
const TIME_LIMIT: Duration = Duration::from_secs(60);
/// The stack of the main thread of the CLI on Linux.
const STACK: usize = 8 * 1024 * 1024;

fn cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Inputs that generated code, and inputs refused with diagnostics, over
/// the whole test binary (reported so that a run shows it got past the
/// parser).
static GENERATED: AtomicUsize = AtomicUsize::new(0);
static REFUSED: AtomicUsize = AtomicUsize::new(0);

/// Runs the pipeline on `text` in a thread of its own, failing on a panic,
/// an internal error or a hang.
fn pipeline(text: String) -> Result<(), TestCaseError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let input = text.clone();
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || {
            let outcome = std::panic::catch_unwind(|| {
                // Named inside tests/specs/, so that the relative `$ref`s of
                // features.yaml reach its other files. Every section is
                // emitted: the dispatcher brings the server side.
                let options = codegen::EmitOptions {
                    dispatcher: true,
                    ..Default::default()
                };
                codegen::generate_str("tests/specs/fuzz.yaml", &input, &options)
            });
            let _ = tx.send(outcome);
        })
        .unwrap();
    match rx.recv_timeout(TIME_LIMIT) {
        Ok(Ok(Ok(code))) => {
            // The pipeline parses its tokens with syn before prettyplease
            // prints them; the printed text must parse again, as a file.
            if let Err(err) = syn::parse_file(&code) {
                return Err(TestCaseError::fail(format!(
                    "the generated code does not parse ({err}) for:\n{text}"
                )));
            }
            GENERATED.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
        Ok(Ok(Err(codegen::Error::Spec(_)))) => {
            REFUSED.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
        Ok(Ok(Err(other))) => Err(TestCaseError::fail(format!(
            "not a spec diagnostic: {other}\n--- input ---\n{text}"
        ))),
        Ok(Err(_)) => Err(TestCaseError::fail(format!("panicked on:\n{text}"))),
        Err(_) => Err(TestCaseError::fail(format!(
            "no answer within {TIME_LIMIT:?} on:\n{text}"
        ))),
    }
}

fn repo_file(relative: &str) -> Option<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let text = std::fs::read_to_string(path).ok()?;
    serde_yaml::from_str(&text).ok()
}

/// Whole small specs: ours and the fixtures.
fn seeds() -> &'static [Value] {
    static SEEDS: OnceLock<Vec<Value>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        [
            "../spec/assign.yaml",
            "tests/specs/features.yaml",
            "../generated/graph-modules/specs/discriminator.yaml",
        ]
        .iter()
        .filter_map(|p| repo_file(p))
        .collect()
    })
}

/// Every `$ref` string under `value`.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Mapping(map) => {
            for (k, v) in map {
                if k.as_str() == Some("$ref")
                    && let Some(r) = v.as_str()
                {
                    out.push(r.to_string());
                }
                refs(v, out);
            }
        }
        Value::Sequence(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// A spec holding the chosen path items of `module` and the components
/// they reach, so that a case stays small but real.
fn cut_down(module: &Value, picks: &[usize]) -> Value {
    let paths = module["paths"].as_mapping().cloned().unwrap_or_default();
    let mut chosen = Mapping::new();
    for pick in picks {
        if let Some((k, v)) = paths.iter().nth(pick % paths.len().max(1)) {
            chosen.insert(k.clone(), v.clone());
        }
    }
    let mut components = Mapping::new();
    let mut pending = Vec::new();
    refs(&Value::Mapping(chosen.clone()), &mut pending);
    let mut seen = BTreeSet::new();
    while let Some(r) = pending.pop() {
        if !seen.insert(r.clone()) {
            continue;
        }
        let Some(rest) = r.strip_prefix("#/components/") else {
            continue;
        };
        let Some((kind, name)) = rest.split_once('/') else {
            continue;
        };
        let Some(found) = module["components"][kind].get(name) else {
            continue;
        };
        refs(found, &mut pending);
        let table = components
            .entry(Value::from(kind))
            .or_insert_with(|| Value::Mapping(Mapping::new()));
        if let Value::Mapping(t) = table {
            t.insert(Value::from(name), found.clone());
        }
    }
    if let Some(schemes) = module["components"].get("securitySchemes") {
        components.insert("securitySchemes".into(), schemes.clone());
    }
    let mut doc = Mapping::new();
    for key in ["openapi", "info", "servers", "security"] {
        if let Some(v) = module.get(key) {
            doc.insert(key.into(), v.clone());
        }
    }
    doc.insert("paths".into(), Value::Mapping(chosen));
    doc.insert("components".into(), Value::Mapping(components));
    Value::Mapping(doc)
}

/// Words that steer mutations into the generator's interesting places.
const WORDS: &[&str] = &[
    "openapi",
    "info",
    "paths",
    "components",
    "schemas",
    "$ref",
    "type",
    "properties",
    "items",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "enum",
    "required",
    "nullable",
    "format",
    "pattern",
    "additionalProperties",
    "parameters",
    "in",
    "name",
    "style",
    "explode",
    "responses",
    "content",
    "application/json",
    "schema",
    "requestBody",
    "operationId",
    "default",
    "2XX",
    "204",
    "object",
    "string",
    "integer",
    "array",
    "query",
    "path",
    "header",
    "cookie",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "discriminator",
    "x-property-aliases",
    "servers",
    "url",
    "security",
    "get",
    "post",
    "/a/{id}",
    "{id}",
    "id",
    "type",
    "self",
    "Self",
    "r#type",
    "",
    "-",
    "*",
    "1.0",
    "-INF",
    "ünïcode",
    "a/b",
    "~1",
    "#/components/schemas/x",
];

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(WORDS).prop_map(str::to_string),
        "[a-zA-Z0-9_{}/#.$ -]{0,12}",
    ]
}

/// A small YAML tree made of OpenAPI words.
fn tree() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        word().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
        (-1e6f64..1e6).prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Sequence),
            prop::collection::vec((word(), inner), 0..5).prop_map(|pairs| {
                Value::Mapping(
                    pairs
                        .into_iter()
                        .map(|(k, v)| (Value::from(k), v))
                        .collect(),
                )
            }),
        ]
    })
}

/// One edit of the document.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize),
    Replace(usize, Value),
    Copy { from: usize, to: usize },
    Rename(usize, String),
    RefTo { at: usize, target: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), tree()).prop_map(|(a, v)| Edit::Replace(a, v)),
        (any::<usize>(), any::<usize>()).prop_map(|(from, to)| Edit::Copy { from, to }),
        (any::<usize>(), word()).prop_map(|(a, w)| Edit::Rename(a, w)),
        (any::<usize>(), any::<usize>()).prop_map(|(at, target)| Edit::RefTo { at, target }),
    ]
}

/// JSON pointers of every node, in document order.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Mapping(map) => {
            for (k, v) in map {
                let key = match k {
                    Value::String(s) => s.clone(),
                    _ => continue,
                };
                pointers(
                    v,
                    format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Sequence(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn node_mut<'a>(value: &'a mut Value, pointer: &str) -> Option<&'a mut Value> {
    let mut current = value;
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        current = match current {
            Value::Mapping(map) => map.get_mut(token.as_str())?,
            Value::Sequence(items) => items.get_mut(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

fn apply(doc: &mut Value, edit: &Edit) {
    let mut all = Vec::new();
    pointers(doc, String::new(), &mut all);
    let pick = |i: usize| all[i % all.len()].clone();
    match edit {
        Edit::Delete(i) => {
            let p = pick(*i);
            if let Some((parent, last)) = p.rsplit_once('/') {
                let last = last.replace("~1", "/").replace("~0", "~");
                match node_mut(doc, parent) {
                    Some(Value::Mapping(map)) => {
                        map.remove(last.as_str());
                    }
                    Some(Value::Sequence(items)) => {
                        if let Ok(n) = last.parse::<usize>()
                            && n < items.len()
                        {
                            items.remove(n);
                        }
                    }
                    _ => {}
                }
            }
        }
        Edit::Replace(i, v) => {
            if let Some(node) = node_mut(doc, &pick(*i)) {
                *node = v.clone();
            }
        }
        Edit::Copy { from, to } => {
            let source = node_mut(doc, &pick(*from)).map(|n| n.clone());
            if let (Some(source), Some(node)) = (source, node_mut(doc, &pick(*to))) {
                *node = source;
            }
        }
        Edit::Rename(i, name) => {
            let p = pick(*i);
            if let Some((parent, last)) = p.rsplit_once('/') {
                let last = last.replace("~1", "/").replace("~0", "~");
                if let Some(Value::Mapping(map)) = node_mut(doc, parent)
                    && let Some(v) = map.remove(last.as_str())
                {
                    map.insert(Value::from(name.clone()), v);
                }
            }
        }
        Edit::RefTo { at, target } => {
            let target = format!("#{}", pick(*target));
            if let Some(node) = node_mut(doc, &pick(*at)) {
                let mut map = Mapping::new();
                map.insert("$ref".into(), Value::from(target));
                *node = Value::Mapping(map);
            }
        }
    }
}

/// The seed of a run: `FUZZ_SEED`, else a fresh one. Printed with every
/// failure so that CI's failure reproduces locally.
fn seed() -> u64 {
    if let Some(seed) = std::env::var("FUZZ_SEED").ok().and_then(|v| v.parse().ok()) {
        return seed;
    }
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}

/// Where the failing cases of test `name` are kept: proptest saves the seed
/// of each failure there and replays them first on every later run. The
/// directory is committed, so a failure found once stays a test.
fn regressions(name: &str) -> &'static str {
    let file = format!("tests/fuzz-regressions/{}.txt", name.replace(' ', "_"));
    Box::leak(file.into_boxed_str())
}

fn run(name: &str, cases: u32, strategy: impl Strategy<Value = String>) {
    let seed = seed();
    let mut runner = TestRunner::new(Config {
        cases,
        max_shrink_iters: 64,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(regressions(name)))),
        rng_seed: RngSeed::Fixed(seed),
        ..Config::default()
    });
    let before = (
        GENERATED.load(Ordering::Relaxed),
        REFUSED.load(Ordering::Relaxed),
    );
    let result = runner.run(&strategy, pipeline);
    eprintln!(
        "{name}: {cases} cases, seed {seed}; generated code (all tests so far) {} -> {}, \
         refused {} -> {}",
        before.0,
        GENERATED.load(Ordering::Relaxed),
        before.1,
        REFUSED.load(Ordering::Relaxed)
    );
    if let Err(err) = result {
        panic!(
            "{name}: {err}\nreproduce with FUZZ_SEED={seed} (the failing case is also saved in \
             codegen/{}; commit it)",
            regressions(name)
        );
    }
}

#[test]
fn mutated_small_specs() {
    let seeds = seeds();
    assert_eq!(
        seeds.len(),
        3,
        "spec/assign.yaml, features.yaml and discriminator.yaml must parse"
    );
    let strategy = (0..seeds.len(), prop::collection::vec(edit(), 1..4)).prop_map(|(i, edits)| {
        let mut doc = seeds[i].clone();
        for e in &edits {
            apply(&mut doc, e);
        }
        serde_yaml::to_string(&doc).unwrap()
    });
    run("mutated small specs", cases(96), strategy);
}

#[test_support::needs_shared]
#[test]
fn mutated_microsoft_modules() {
    let dir = test_support::shared!("graph-openapi");
    // Cut down per case.
    let modules: Vec<Value> = [
        "DeviceManagement.Actions.yml",
        "DeviceManagement.Enrollment.yml",
    ]
    .iter()
    .map(|file| {
        let text = std::fs::read_to_string(dir.join(file))
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.join(file).display()));
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
    })
    .collect();
    let strategy = (
        0..modules.len(),
        prop::collection::vec(any::<usize>(), 1..5),
        prop::collection::vec(edit(), 0..4),
    )
        .prop_map(|(i, picks, edits)| {
            let mut doc = cut_down(&modules[i], &picks);
            for e in &edits {
                apply(&mut doc, e);
            }
            serde_yaml::to_string(&doc).unwrap()
        });
    run("mutated Microsoft modules", cases(48), strategy);
}

#[test]
fn arbitrary_yaml_trees() {
    let strategy = tree().prop_map(|mut doc| {
        // Most trees get a valid header so that they reach lowering.
        if let Value::Mapping(map) = &mut doc {
            map.entry("openapi".into()).or_insert("3.0.3".into());
            map.entry("info".into())
                .or_insert(serde_yaml::from_str("{title: t, version: '1'}").unwrap());
        }
        serde_yaml::to_string(&doc).unwrap()
    });
    run("arbitrary YAML trees", cases(256), strategy);
}

#[test]
fn arbitrary_text() {
    run("arbitrary text", cases(256), ".{0,400}");
}

/// Deep nesting must not overflow the CLI's stack (serde_yaml stops at a
/// depth of 128 anyway; this is just under it).
#[test]
fn deeply_nested_schemas() {
    let depth = 60;
    let mut schema = String::from("{type: string}");
    for _ in 0..depth {
        schema = format!("{{type: object, properties: {{inner: {schema}}}}}");
    }
    let text = format!(
        "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n    deep: {schema}\n"
    );
    pipeline(text).unwrap();
}

/// Found by the fuzzer: an empty inline `allOf` (generated as no
/// constraint, with a warning; not a panic).
#[test]
fn empty_inline_all_of() {
    let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    post:\n      operationId: a\n      requestBody:\n        content:\n          application/json:\n            schema: {allOf: []}\n      responses:\n        '204': {description: ok}\n";
    pipeline(text.to_string()).unwrap();
    let api = codegen::model_from_str("x.yaml", text).unwrap();
    assert!(
        api.warnings
            .iter()
            .any(|w| w.message.contains("`allOf` lists no schema")),
        "{:?}",
        api.warnings
    );
}
