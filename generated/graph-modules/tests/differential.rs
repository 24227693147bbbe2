//! Differential tests: the generated validators against the conformance
//! oracle (the spec read as plain JSON, translated to JSON Schema and
//! judged by the `jsonschema` crate), for every request body schema of
//! `spec/assign.yaml`, of the keyword and discriminator fixtures, and of
//! both Microsoft modules in `../shared/graph-openapi/` (skipped when
//! absent).
//!
//! Each case draws one body schema of the spec and a JSON value aimed at
//! it (valid, nearly valid or wild: nulls, wrong types, deep nesting, huge
//! arrays, unicode, duplicate ids, and duplicate keys written into the
//! bytes). The product verdict is the generated server entry point's
//! (`server::handle`, so typed decoding is included): valid when it reports
//! no violation under `/body`. The oracle's verdict is the `jsonschema`
//! validator on the value `serde_json` parses from the same bytes (invalid
//! when they do not parse). Both must agree on every case, and so must the
//! generated verdict-only check (`validate::verdict::<operation>`). Each
//! case also checks that the one-pass byte reader and the tree walk report
//! exactly the same violations.
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
use graph_runtime::Violation;
use graph_runtime::validate::{Schema, body};
use proptest::strategy::{Just, NewTree, Strategy};
use proptest::test_runner::{Config, RngSeed, TestRunner};
use serde_json::Value;
use support::values::Gen;

/// Turns a raw request into the body violations the product reports.
type Handle = fn(&str, &str, &[(&str, &str)], &[u8]) -> Vec<Violation>;
/// The generated body schema of an operation.
type BodySchema = fn(&str) -> Option<&'static Schema>;
/// The generated verdict function of an operation's body.
type BodyVerdict = fn(&str) -> Option<fn(&[u8]) -> bool>;

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

/// Draws cases for a list of body schemas of one document.
#[derive(Debug)]
struct Cases<'a> {
    root: &'a Value,
    schemas: Vec<Value>,
}

impl Strategy for Cases<'_> {
    type Tree = Just<Case>;
    type Value = Case;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        let mut g = Gen {
            root: self.root,
            rng: runner.rng(),
            tidy: false,
            dispatched: false,
        };
        g.tidy = g.chance(60);
        let index = g.below(self.schemas.len());
        let value = g.value(&self.schemas[index], 0);
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
    verdict: fn(&[u8]) -> bool,
}

#[derive(Default)]
struct Tally {
    cases: u64,
    oracle_valid: u64,
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
        root: &doc.root,
        schemas: bodies.iter().map(|b| b.schema.clone()).collect(),
    };
    let tally = RefCell::new(Tally::default());
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
    runner
        .run(&strategy, |case| {
            let target = &targets[case.index];
            let parsed = serde_json::from_slice::<Value>(&case.bytes);
            let oracle_valid = parsed.as_ref().is_ok_and(|v| target.oracle.is_valid(v));
            let product = handle(&target.method, &target.path, &headers, &case.bytes);
            let mut tally = tally.borrow_mut();
            tally.cases += 1;
            tally.oracle_valid += u64::from(oracle_valid);
            let oracle_says = if oracle_valid { "valid" } else { "invalid" };
            if oracle_valid != product.is_empty() {
                tally.disagreements += 1;
                tally.example(|| {
                    format!(
                        "{}: oracle says {oracle_says}, product says {product:?}\n  body: {}",
                        target.operation_id,
                        short(&case.bytes)
                    )
                });
            }
            if (target.verdict)(&case.bytes) != oracle_valid {
                tally.verdict_disagreements += 1;
                tally.example(|| {
                    format!(
                        "{}: oracle says {oracle_says}, the verdict function the opposite\n  body: {}",
                        target.operation_id,
                        short(&case.bytes)
                    )
                });
            }
            if let Ok(value) = &parsed {
                let streamed = body::check(target.generated, &case.bytes, "/body");
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
            Ok(())
        })
        .expect("the case runner never fails a case");
    let tally = tally.into_inner();
    // A run where (almost) everything is invalid would prove little.
    assert!(
        tally.oracle_valid * 25 >= tally.cases,
        "{name}: only {} of {} cases are valid; the generator misses the schemas",
        tally.oracle_valid,
        tally.cases
    );
    eprintln!(
        "{name}: {} body schemas, {} cases ({} valid per the oracle), {} disagreements with the oracle, {} verdict-function disagreements, {} byte-reader/tree-walk mismatches",
        targets.len(),
        tally.cases,
        tally.oracle_valid,
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
            body_verdict: autopilot_client::validate::body_verdict,
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
            body_verdict: graph_modules::keywords::validate::body_verdict,
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
            body_verdict: graph_modules::discriminator::validate::body_verdict,
            handle: discriminator_handle,
        },
        1500,
    );
}

#[test]
fn microsoft_actions_module_agrees_with_the_oracle() {
    let Some(dir) = support::microsoft_dir("microsoft_actions_module_agrees_with_the_oracle")
    else {
        return;
    };
    #[cfg(graph_modules)]
    {
        let doc = SpecDoc::load(&dir.join("DeviceManagement.Actions.yml")).unwrap();
        run(
            "DeviceManagement.Actions.yml",
            &doc,
            Product {
                body_schema: graph_modules::actions::validate::body_schema,
                body_verdict: graph_modules::actions::validate::body_verdict,
                handle: actions_handle,
            },
            800,
        );
    }
    let _ = dir;
}

#[test]
fn microsoft_enrollment_module_agrees_with_the_oracle() {
    let Some(dir) = support::microsoft_dir("microsoft_enrollment_module_agrees_with_the_oracle")
    else {
        return;
    };
    #[cfg(graph_modules)]
    {
        let doc = SpecDoc::load(&dir.join("DeviceManagement.Enrollment.yml")).unwrap();
        run(
            "DeviceManagement.Enrollment.yml",
            &doc,
            Product {
                body_schema: graph_modules::enrollment::validate::body_schema,
                body_verdict: graph_modules::enrollment::validate::body_verdict,
                handle: enrollment_handle,
            },
            600,
        );
    }
    let _ = dir;
}

#[test]
fn rendering_fills_every_parameter() {
    assert_eq!(render("/a/{b}/c/{d-id}"), "/a/x-1/c/x-1");
    assert_eq!(render("/plain"), "/plain");
}
