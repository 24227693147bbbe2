//! The mock against requests a generic OpenAPI testing tool would derive
//! from `spec/assign.yaml`, over real loopback HTTP.
//!
//! Requests are derived from the spec document (read through the
//! conformance oracle, not the generated code) the way a property-based
//! tester such as schemathesis derives them: for each operation a valid
//! request (path parameters from their schema, awkward but valid strings
//! and encodings included, a body from the request body schema, a bearer
//! token, optional `Accept` and `client-request-id`), and negative ones
//! made by mutating it: the body (required member removed, wrong types,
//! nulls, undeclared members, items repeated, not JSON, invalid UTF-8,
//! empty, deeply nested, large arrays, duplicate members, byte order
//! mark), the headers (credentials missing, malformed or repeated;
//! `Content-Type` missing, wrong or repeated; `Accept` admitting no JSON),
//! the path (empty or undecodable parameter, changed or extra segments,
//! trailing slash, another root), the method (`GET`, `PUT`, `DELETE`,
//! `PATCH`, `HEAD`, `OPTIONS`, `TRACE`, an extension method) and the
//! query string. What each answer must be, and the checks made, are in
//! `request.rs` ([`request::Expect`]) and `check.rs`.
//!
//! The mock is the one `conformance serve` runs
//! ([`MockConfig::serve`]), started in-process on `127.0.0.1:0`; requests
//! go over a plain socket (`wire.rs`) so that they arrive byte for byte.
//!
//! Case count: `PROPTEST_CASES` (default [`DEFAULT_CASES`]); the seed is
//! fixed unless `PROPTEST_RNG_SEED` gives another. A long run:
//!
//! ```sh
//! PROPTEST_CASES=50000 cargo test --release -p conformance --test openapi_requests -- --nocapture
//! ```

mod base;
mod body;
mod check;
mod mutation;
mod request;
mod spec;
mod values;
mod wire;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;

use conformance::mock::{DEFAULT_CAPACITY, MockConfig, MockServer};
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};

use request::{Built, Expect};
use spec::Api;
use wire::{Wire, WireRequest, WireResponse};

/// Cases in the default run (about 20 s in a debug build on two cores).
const DEFAULT_CASES: u32 = 1500;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

fn spec_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/assign.yaml")
}

/// The mock `conformance serve` runs, on an ephemeral loopback port, with
/// its own runtime (the test itself talks over blocking sockets).
fn start_mock() -> (tokio::runtime::Runtime, MockServer) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let addr = SocketAddr::from(([127, 0, 0, 1], 0));
    let mock = runtime
        .block_on(MockServer::start(MockConfig::serve(
            addr,
            false,
            DEFAULT_CAPACITY,
        )))
        .expect("the mock listens on loopback");
    (runtime, mock)
}

/// Counts for the summary line.
#[derive(Default)]
struct Tally {
    cases: u64,
    expectations: BTreeMap<&'static str, u64>,
    statuses: BTreeMap<u16, u64>,
    mutations: BTreeMap<&'static str, u64>,
    /// For requests the spec leaves open: what the mock chose, per reason.
    open: BTreeMap<String, BTreeMap<u16, u64>>,
}

impl Tally {
    fn add(&mut self, built: &Built, response: &WireResponse) {
        self.cases += 1;
        let kind = match built.expect {
            Expect::Valid => "valid",
            Expect::Reject { .. } => "refused",
            Expect::Either { .. } => "either",
            Expect::UnknownRoute(_) => "unknown-route",
            Expect::WrongMethod { .. } => "wrong-method",
            Expect::Rerouted(_) => "rerouted",
            Expect::TooLarge(_) => "too-large",
        };
        *self.expectations.entry(kind).or_default() += 1;
        *self.statuses.entry(response.status).or_default() += 1;
        for label in &built.labels {
            *self.mutations.entry(label).or_default() += 1;
        }
        if let Expect::Either { why, .. } = &built.expect {
            for reason in why {
                let short: String = reason.split(':').next().unwrap_or("").to_string();
                *self
                    .open
                    .entry(short)
                    .or_default()
                    .entry(response.status)
                    .or_default() += 1;
            }
        }
    }
}

/// The request for a failure message, credentials shown by shape only.
fn show_request(request: &WireRequest) -> String {
    let mut out = format!("{} {}\n", request.method, request.target);
    for (name, value) in &request.headers {
        let shown = if name.eq_ignore_ascii_case("authorization") {
            let text = String::from_utf8_lossy(value);
            let scheme = text.split([' ', '\t']).next().unwrap_or("");
            format!(
                "{scheme} [credential redacted, {} bytes in all]",
                value.len()
            )
        } else {
            String::from_utf8_lossy(value).into_owned()
        };
        out.push_str(&format!("    {name}: {shown}\n"));
    }
    out.push_str(&format!(
        "    (body, {} bytes) {}",
        request.body.len(),
        preview(&request.body)
    ));
    out
}

fn preview(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned();
    if bytes.len() > 300 {
        format!("{text:?}…")
    } else {
        format!("{text:?}")
    }
}

fn show_response(response: &WireResponse) -> String {
    let mut out = format!("{}\n", response.status);
    for (name, value) in &response.headers {
        out.push_str(&format!("    {name}: {value}\n"));
    }
    out.push_str(&format!("    {}", preview(&response.body)));
    out
}

#[test]
fn mock_answers_generated_requests_as_the_spec_documents() {
    let api = Api::load(&spec_path());
    let (_runtime, mock) = start_mock();
    assert!(
        mock.base_url().ends_with(&api.root),
        "the mock serves under {} but the spec's root is {}",
        mock.base_url(),
        api.root
    );
    let wire = RefCell::new(Wire::new(mock.addr()));
    let tally = RefCell::new(Tally::default());
    let defaults = Config::default();
    // A fixed seed keeps CI reproducible; PROPTEST_RNG_SEED picks another.
    let rng_seed = match defaults.rng_seed {
        RngSeed::Random => RngSeed::Fixed(0x0a55_1695),
        chosen => chosen,
    };
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        max_shrink_iters: 512,
        rng_seed,
        ..defaults
    });
    let strategy = request::cases(&api);
    let result = runner.run(&strategy, |case| {
        let built = request::build(&api, &case);
        let fail = |what: String| {
            TestCaseError::fail(format!(
                "{what}\nmutations: {:?}\nexpected: {:?}\nrequest: {}",
                built.labels,
                built.expect,
                show_request(&built.request)
            ))
        };
        if let Some(mismatch) = &built.intent_mismatch {
            return Err(fail(mismatch.clone()));
        }
        let before = mock.recorder().total();
        let response = wire
            .borrow_mut()
            .send(&built.request)
            .map_err(|e| fail(format!("no answer: {e}")))?;
        let shown = || show_response(&response);
        check::answer(&api, &built, &response)
            .map_err(|e| fail(format!("wrong answer:\n  {e}\nanswer: {}", shown())))?;
        let recorded = mock.recorder().since(before);
        let [exchange] = recorded.as_slice() else {
            return Err(fail(format!(
                "the mock recorded {} exchanges for one request",
                recorded.len()
            )));
        };
        check::oracle(&api, &built, exchange)
            .map_err(|e| fail(format!("oracle:\n  {e}\nanswer: {}", shown())))?;
        tally.borrow_mut().add(&built, &response);
        Ok(())
    });
    let tally = tally.into_inner();
    eprintln!(
        "openapi_requests: {} cases passed over {} connection(s); by expectation {:?}; \
         by status {:?}",
        tally.cases,
        wire.borrow().connections,
        tally.expectations,
        tally.statuses
    );
    eprintln!("openapi_requests: mutations applied {:?}", tally.mutations);
    eprintln!(
        "openapi_requests: where the spec leaves the answer open, the mock chose {:?}",
        tally.open
    );
    if let Err(e) = result {
        panic!("{e}");
    }
    // Every kind of answer came up (a generator that stopped producing
    // some kind would make the test pass vacuously); tiny runs are exempt.
    if tally.cases < 200 {
        return;
    }
    for kind in ["valid", "refused", "unknown-route", "wrong-method"] {
        assert!(
            tally.expectations.get(kind).copied().unwrap_or(0) > 0,
            "no `{kind}` case was generated: {:?}",
            tally.expectations
        );
    }
}

/// Found by the property test: axum refused bodies over 2 MiB itself, with
/// a plain-text `413`, no `request-id` and nothing recorded, although the
/// spec bounds neither `deviceIds` nor its items. Now a valid body of any
/// size up to the mock's limit gets `204`, and a longer one a Graph-shaped
/// `413` that is recorded like any other exchange.
#[test]
fn large_bodies_are_judged_and_overlong_ones_get_a_graph_413() {
    let api = Api::load(&spec_path());
    let (_runtime, mock) = start_mock();
    let mut wire = Wire::new(mock.addr());
    let path = format!(
        "{}/deviceManagement/windowsAutopilotDeploymentProfiles/p1/assign",
        api.root
    );
    let request = |body: Vec<u8>| WireRequest {
        method: "POST".into(),
        target: path.clone(),
        headers: vec![
            ("authorization".into(), b"Bearer t0ken".to_vec()),
            ("content-type".into(), b"application/json".to_vec()),
        ],
        body,
        ..WireRequest::default()
    };
    let body_of = |items: usize, item: &str| {
        let list = vec![item; items];
        serde_json::to_vec(&serde_json::json!({ "deviceIds": list })).unwrap()
    };

    // 3 MiB, valid.
    let valid = body_of(3 * 1024, &"d".repeat(1024));
    assert!(valid.len() > 3 * 1024 * 1024);
    let answer = wire.send(&request(valid)).unwrap();
    assert_eq!(answer.status, 204, "{}", show_response(&answer));

    // Past the limit: refused, Graph-shaped, recorded.
    let before = mock.recorder().total();
    let overlong = body_of(17 * 1024, &"d".repeat(1024));
    let length = overlong.len();
    assert!(length > conformance::mock::DEFAULT_BODY_LIMIT);
    let answer = wire.send(&request(overlong)).unwrap();
    assert_eq!(answer.status, 413, "{}", show_response(&answer));
    let body: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
    assert!(
        api.oracle.validate(&api.error_schema, &body).is_empty(),
        "{body}"
    );
    assert_eq!(body["error"]["code"], "RequestEntityTooLarge");
    let id = answer.header("request-id").expect("request-id");
    assert_eq!(body["error"]["innerError"]["request-id"], id);
    let recorded = mock.recorder().since(before);
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].request.body.length, length);
    assert_eq!(recorded[0].response.as_ref().map(|r| r.status), Some(413));
    // The oracle finds the answer documented (through `default`).
    let verdict = api.oracle.judge(&recorded[0]);
    let answer_failures: Vec<_> = verdict
        .failures()
        .filter(|f| f.check.name().starts_with("response"))
        .collect();
    assert!(answer_failures.is_empty(), "{answer_failures:?}");

    // The connection still serves the next request.
    let answer = wire.send(&request(body_of(1, "d"))).unwrap();
    assert_eq!(answer.status, 204, "{}", show_response(&answer));
}
