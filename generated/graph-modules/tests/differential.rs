//! Differential tests: the generated validators against the conformance
//! oracle (the spec read as plain JSON, translated to JSON Schema and
//! judged by the `jsonschema` crate), for every request body schema of
//! `spec/assign.yaml`, of the keyword and discriminator fixtures, and of
//! both Microsoft modules in `../shared/graph-openapi/` (ignored when
//! absent, failing under CI: see `test-support`).
//!
//! Each case draws one body schema of the spec and a JSON value aimed at
//! it (valid, nearly valid or wild: nulls, wrong types, deep nesting, huge
//! arrays, unicode, duplicate ids, and duplicate keys written into the
//! bytes). The product verdict is the generated server entry point's
//! (`server::handle`, so typed decoding is included): valid when it reports
//! no violation under `/body`. The oracle's verdict is the `jsonschema`
//! validator on the value `serde_json` parses from the same bytes (invalid
//! when they do not parse). Both must agree on every case, and so must the
//! verdict-only check (the route's `Body::verdict`). Each
//! case also checks that the one-pass byte reader and the tree walk report
//! exactly the same violations.
//!
//! Every body schema must see at least one valid case: after the random
//! cases, a schema that drew none gets tidy values of its own until one is
//! valid (the floor), and the test fails naming any schema that still has
//! none. Each run prints the valid cases of every schema (`--nocapture`).
//! Strings with a `pattern` are generated from the pattern itself.
//!
//! Case counts: `PROPTEST_CASES` per spec (defaults below, a few thousand
//! in all); the seed is fixed unless `PROPTEST_RNG_SEED` gives another. A
//! million cases in total:
//!
//! ```sh
//! PROPTEST_CASES=200000 cargo test --release -p graph-modules --test differential -- --nocapture
//! ```

mod support;

use std::cell::RefCell;

use conformance::oracle::SpecDoc;
use conformance::values::{Aim, Random, Reader};
use openapi_runtime::validate::{Schema, body};
use openapi_runtime::{Body, Violation};
use proptest::prelude::Rng;
use proptest::strategy::{Just, NewTree, Strategy};
use proptest::test_runner::{Config, RngAlgorithm, RngSeed, TestRng, TestRunner};
use serde_json::Value;

/// Turns a raw request into the body violations the product reports.
type Handle = fn(&str, &str, &[(&str, &str)], &[u8]) -> Vec<Violation>;
/// The generated body schema of an operation.
type BodySchema = fn(&str) -> Option<&'static Schema>;
/// The route table's body of an operation, whose `verdict` judges bytes.
type BodyVerdict = fn(&str) -> Option<&'static Body>;

/// Adapts one generated crate's `server::handle`.
macro_rules! adapter {
    ($name:ident, $server:path) => {
        fn $name(
            method: &str,
            path: &str,
            headers: &[(&str, &str)],
            bytes: &[u8],
        ) -> Vec<Violation> {
            use $server as server;
            match server::handle(method, path, None, headers, bytes) {
                Ok(_) => Vec::new(),
                Err(server::Rejection::Invalid { violations, .. }) => violations
                    .into_iter()
                    .filter(|v| v.location.starts_with("/body"))
                    .collect(),
                Err(other) => panic!("{method} {path} was not routed: {other:?}"),
            }
        }
    };
}

adapter!(assign_handle, autopilot_client::server);
adapter!(keywords_handle, graph_modules::keywords::server);
adapter!(discriminator_handle, graph_modules::discriminator::server);
#[cfg(graph_modules)]
adapter!(actions_handle, graph_modules::actions::server);
#[cfg(graph_modules)]
adapter!(enrollment_handle, graph_modules::enrollment::server);

/// One generated request.
#[derive(Debug, Clone)]
struct Case {
    /// Which body schema it aims at.
    index: usize,
    /// The body as sent.
    bytes: Vec<u8>,
}

/// Draws cases for a list of body schemas of one document, each aimed at
/// a schema drawn at random. (Taking the schemas in turn spreads the cases
/// more evenly, but changes the stream of cases the fixed seed gives, and
/// the run time with it: a few huge bodies make most of it. The floor in
/// [`run`] gives every schema a valid case either way.)
struct Cases<'a> {
    /// Reads the document's schemas, each once for the whole run.
    reader: Reader<'a>,
    schemas: Vec<&'a Value>,
    /// Each schema's operation, for the reader's messages.
    names: Vec<String>,
}

impl std::fmt::Debug for Cases<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cases({:?})", self.names)
    }
}

impl Strategy for Cases<'_> {
    type Tree = Just<Case>;
    type Value = Case;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        let rng = runner.rng();
        let mut draw = || rng.next_u64();
        let mut g = Random::new(&self.reader, &mut draw, Aim::Rough);
        g.aim = if g.chance(60) { Aim::Tidy } else { Aim::Rough };
        let index = g.below(self.schemas.len());
        let value = g.value(self.schemas[index], &self.names[index], 0);
        let mut bytes = serde_json::to_vec(&value).expect("a Value always serialises");
        if let Value::Object(map) = &value
            && !map.is_empty()
            && g.chance(8)
        {
            // The same key twice: an earlier, different value, then the
            // generated one, which is what a JSON parser keeps.
            let key = map
                .keys()
                .nth(g.below(map.len()))
                .cloned()
                .unwrap_or_default();
            let decoy = g.wild(1);
            let mut doubled = format!(
                "{{{}:{},",
                serde_json::to_string(&key).unwrap_or_default(),
                serde_json::to_string(&decoy).unwrap_or_default()
            )
            .into_bytes();
            doubled.extend_from_slice(&bytes[1..]);
            bytes = doubled;
        }
        Ok(Just(Case { index, bytes }))
    }
}

/// One body schema under test.
struct Target {
    operation_id: String,
    method: String,
    path: String,
    oracle: jsonschema::Validator,
    generated: &'static Schema,
    verdict: &'static Body,
}

#[derive(Default)]
struct Tally {
    cases: u64,
    oracle_valid: u64,
    /// Cases and valid cases (per the oracle) of each body schema.
    per_schema: Vec<(u64, u64)>,
    disagreements: u64,
    verdict_disagreements: u64,
    stream_walk_mismatches: u64,
    examples: Vec<String>,
}

impl Tally {
    /// Keeps the first few failures to show.
    fn example(&mut self, text: impl FnOnce() -> String) {
        if self.examples.len() < 8 {
            self.examples.push(text());
        }
    }
}

/// The most tidy values drawn for a schema that no case found valid.
const FLOOR_ATTEMPTS: u64 = 64;
/// The floor's random source is fixed: it only tops up.
const FLOOR_SEED: [u8; 32] = *b"differential-floor-0123456789abc";

/// The start of a body, for a failure message.
fn short(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).chars().take(400).collect()
}

/// The number of cases to run for one spec.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What one generated crate offers for its bodies.
struct Product {
    body_schema: BodySchema,
    body_verdict: BodyVerdict,
    handle: Handle,
}

fn run(name: &str, doc: &SpecDoc, product: Product, default_cases: u32) {
    let Product {
        body_schema,
        body_verdict,
        handle,
    } = product;
    let bodies = doc.request_bodies();
    assert!(!bodies.is_empty(), "{name}: no request bodies");
    let targets: Vec<Target> = bodies
        .iter()
        .map(|b| Target {
            operation_id: b.operation_id.clone(),
            method: b.method.to_uppercase(),
            path: render(&b.path),
            oracle: doc
                .validator(&b.schema)
                .unwrap_or_else(|e| panic!("{name} {}: {e}", b.operation_id)),
            generated: body_schema(&b.operation_id).unwrap_or_else(|| {
                panic!("{name}: no generated body schema for {}", b.operation_id)
            }),
            verdict: body_verdict(&b.operation_id)
                .unwrap_or_else(|| panic!("{name}: no generated verdict for {}", b.operation_id)),
        })
        .collect();
    let strategy = Cases {
        reader: Reader::new(doc),
        schemas: bodies.iter().map(|b| &b.schema).collect(),
        names: bodies
            .iter()
            .map(|b| format!("{} request body", b.operation_id))
            .collect(),
    };
    let tally = RefCell::new(Tally {
        per_schema: vec![(0, 0); targets.len()],
        ..Tally::default()
    });
    let defaults = Config::default();
    // A fixed seed keeps CI reproducible; PROPTEST_RNG_SEED picks another.
    let rng_seed = match defaults.rng_seed {
        RngSeed::Random => RngSeed::Fixed(0x5eed_a551),
        chosen => chosen,
    };
    let mut runner = TestRunner::new(Config {
        cases: cases(default_cases),
        failure_persistence: None,
        rng_seed,
        ..defaults
    });
    let headers = [
        ("Authorization", "Bearer differential-test-token"),
        ("Content-Type", "application/json"),
    ];
    let judge = |tally: &mut Tally, index: usize, bytes: &[u8]| {
        judge_case(&targets[index], handle, &headers, index, bytes, tally)
    };
    runner
        .run(&strategy, |case| {
            judge(&mut tally.borrow_mut(), case.index, &case.bytes);
            Ok(())
        })
        .expect("the case runner never fails a case");
    let mut tally = tally.into_inner();
    // The floor: each schema that drew no valid case gets tidy values of
    // its own until one is valid (at most FLOOR_ATTEMPTS).
    let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &FLOOR_SEED);
    let (mut floor_cases, mut floor_schemas) = (0, 0);
    for index in 0..targets.len() {
        floor_schemas += u64::from(tally.per_schema[index].1 == 0);
        let mut attempts = 0;
        while tally.per_schema[index].1 == 0 && attempts < FLOOR_ATTEMPTS {
            attempts += 1;
            let mut draw = || rng.next_u64();
            let mut g = Random::new(&strategy.reader, &mut draw, Aim::Tidy);
            let value = g.value(strategy.schemas[index], &strategy.names[index], 0);
            let bytes = serde_json::to_vec(&value).expect("a Value always serialises");
            judge(&mut tally, index, &bytes);
        }
        floor_cases += attempts;
    }
    // A run where (almost) everything is invalid would prove little.
    assert!(
        tally.oracle_valid * 25 >= tally.cases,
        "{name}: only {} of {} cases are valid; the generator misses the schemas",
        tally.oracle_valid,
        tally.cases
    );
    let mut valid: Vec<u64> = tally.per_schema.iter().map(|&(_, v)| v).collect();
    valid.sort_unstable();
    eprintln!("{name}: valid cases per body schema (valid of cases):");
    for (target, (cases, valid)) in targets.iter().zip(&tally.per_schema) {
        eprintln!("  {}: {valid} of {cases}", target.operation_id);
    }
    eprintln!(
        "{name}: {} body schemas, {} cases ({} valid per the oracle; {floor_schemas} schema(s) \
         had no valid random case, and the floor drew {floor_cases} tidy case(s) for them; \
         valid per schema: min {}, median {}, max {}), {} disagreements with the oracle, {} \
         verdict-function disagreements, {} byte-reader/tree-walk mismatches",
        targets.len(),
        tally.cases,
        tally.oracle_valid,
        valid[0],
        valid[valid.len() / 2],
        valid[valid.len() - 1],
        tally.disagreements,
        tally.verdict_disagreements,
        tally.stream_walk_mismatches
    );
    assert!(
        tally.disagreements == 0
            && tally.verdict_disagreements == 0
            && tally.stream_walk_mismatches == 0,
        "{name}: {} disagreements, {} verdict disagreements, {} mismatches in {} cases; first ones:\n{}",
        tally.disagreements,
        tally.verdict_disagreements,
        tally.stream_walk_mismatches,
        tally.cases,
        tally.examples.join("\n")
    );
    let never_valid: Vec<&str> = targets
        .iter()
        .zip(&tally.per_schema)
        .filter(|(_, (_, valid))| *valid == 0)
        .map(|(target, _)| target.operation_id.as_str())
        .collect();
    assert!(
        never_valid.is_empty(),
        "{name}: no valid case for {} body schema(s) in {FLOOR_ATTEMPTS} tidy attempts each; \
         the value generator misses them: {}",
        never_valid.len(),
        never_valid.join(", ")
    );
}

/// Judges one case: the oracle against the generated server entry point,
/// the verdict function, and the byte reader against the tree walk.
fn judge_case(
    target: &Target,
    handle: Handle,
    headers: &[(&str, &str)],
    index: usize,
    bytes: &[u8],
    tally: &mut Tally,
) {
    let parsed = serde_json::from_slice::<Value>(bytes);
    let oracle_valid = parsed.as_ref().is_ok_and(|v| target.oracle.is_valid(v));
    let product = handle(&target.method, &target.path, headers, bytes);
    tally.cases += 1;
    tally.oracle_valid += u64::from(oracle_valid);
    tally.per_schema[index].0 += 1;
    tally.per_schema[index].1 += u64::from(oracle_valid);
    let oracle_says = if oracle_valid { "valid" } else { "invalid" };
    if oracle_valid != product.is_empty() {
        tally.disagreements += 1;
        tally.example(|| {
            format!(
                "{}: oracle says {oracle_says}, product says {product:?}\n  body: {}",
                target.operation_id,
                short(bytes)
            )
        });
    }
    if target.verdict.verdict(bytes) != oracle_valid {
        tally.verdict_disagreements += 1;
        tally.example(|| {
            format!(
                "{}: oracle says {oracle_says}, the verdict function the opposite\n  body: {}",
                target.operation_id,
                short(bytes)
            )
        });
    }
    if let Ok(value) = &parsed {
        let streamed = body::check(target.generated, bytes, "/body");
        let walked = body::check_value(target.generated, value, "/body");
        if streamed != walked {
            tally.stream_walk_mismatches += 1;
            tally.example(|| {
                format!(
                    "{}: byte reader {streamed:?} but tree walk {walked:?}",
                    target.operation_id
                )
            });
        }
    }
}

/// A concrete path for a template: every `{param}` becomes `x-1`.
fn render(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        out.push_str("x-1");
        rest = rest[open..]
            .find('}')
            .map_or("", |close| &rest[open + close + 1..]);
    }
    out.push_str(rest);
    out
}

#[test]
fn assign_spec_agrees_with_the_oracle() {
    let doc = SpecDoc::load(&support::repo().join("spec/assign.yaml")).unwrap();
    run(
        "spec/assign.yaml",
        &doc,
        Product {
            body_schema: autopilot_client::validate::body_schema,
            body_verdict: autopilot_client::validate::body,
            handle: assign_handle,
        },
        600,
    );
}

#[test]
fn keyword_fixture_agrees_with_the_oracle() {
    let path = support::repo().join("generated/graph-modules/specs/keywords.yaml");
    let doc = SpecDoc::load(&path).unwrap();
    run(
        "specs/keywords.yaml",
        &doc,
        Product {
            body_schema: graph_modules::keywords::validate::body_schema,
            body_verdict: graph_modules::keywords::validate::body,
            handle: keywords_handle,
        },
        1500,
    );
}

#[test]
fn discriminator_fixture_agrees_with_the_oracle() {
    let path = support::repo().join("generated/graph-modules/specs/discriminator.yaml");
    let doc = SpecDoc::load(&path).unwrap();
    run(
        "specs/discriminator.yaml",
        &doc,
        Product {
            body_schema: graph_modules::discriminator::validate::body_schema,
            body_verdict: graph_modules::discriminator::validate::body,
            handle: discriminator_handle,
        },
        1500,
    );
}

#[test_support::needs_shared]
#[test]
fn microsoft_actions_module_agrees_with_the_oracle() {
    let dir = test_support::shared!("graph-openapi");
    // Built from the same directory (cfg `graph_modules`, see build.rs).
    #[cfg(not(graph_modules))]
    panic!("graph-modules was built without {}", dir.display());
    #[cfg(graph_modules)]
    {
        let doc = SpecDoc::load(&dir.join("DeviceManagement.Actions.yml")).unwrap();
        run(
            "DeviceManagement.Actions.yml",
            &doc,
            Product {
                body_schema: graph_modules::actions::validate::body_schema,
                body_verdict: graph_modules::actions::validate::body,
                handle: actions_handle,
            },
            800,
        );
    }
}

#[test_support::needs_shared]
#[test]
fn microsoft_enrollment_module_agrees_with_the_oracle() {
    let dir = test_support::shared!("graph-openapi");
    // Built from the same directory (cfg `graph_modules`, see build.rs).
    #[cfg(not(graph_modules))]
    panic!("graph-modules was built without {}", dir.display());
    #[cfg(graph_modules)]
    {
        let doc = SpecDoc::load(&dir.join("DeviceManagement.Enrollment.yml")).unwrap();
        run(
            "DeviceManagement.Enrollment.yml",
            &doc,
            Product {
                body_schema: graph_modules::enrollment::validate::body_schema,
                body_verdict: graph_modules::enrollment::validate::body,
                handle: enrollment_handle,
            },
            600,
        );
    }
}

#[test]
fn rendering_fills_every_parameter() {
    assert_eq!(render("/a/{b}/c/{d-id}"), "/a/x-1/c/x-1");
    assert_eq!(render("/plain"), "/plain");
}
