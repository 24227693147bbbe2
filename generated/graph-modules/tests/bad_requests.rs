//! The bad-request corpus: one hand-written request per file in
//! `tests/bad_requests/`, judged by the generated server entry point. Every
//! one must be refused; what it is refused with (the violations, or the
//! route-level rejection) is an insta snapshot.
//!
//! A file gives `api` (`assign` for `spec/assign.yaml`, `keywords` for the
//! fixture `specs/keywords.yaml`), `method`, `path`, optionally `query`,
//! `headers` and `body` (raw text, so malformed JSON can be written).

use std::collections::BTreeMap;

use openapi_runtime::Violation;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BadRequest {
    api: String,
    method: String,
    path: String,
    #[serde(default)]
    query: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    body: String,
}

/// What the server said, as recorded in the snapshot.
#[derive(Debug, Serialize)]
struct Outcome {
    rejection: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    operation: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    allow: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    violations: Vec<Violation>,
}

macro_rules! judge {
    ($server:path, $request:expr, $headers:expr) => {{
        use $server as server;
        let r = $request;
        match server::handle(
            &r.method,
            &r.path,
            r.query.as_deref(),
            $headers,
            r.body.as_bytes(),
        ) {
            Ok(matched) => panic!("accepted: {:?}", matched.input),
            Err(server::Rejection::UnknownRoute) => Outcome {
                rejection: "unknown route",
                operation: None,
                allow: Vec::new(),
                violations: Vec::new(),
            },
            Err(server::Rejection::MethodNotAllowed { allow }) => Outcome {
                rejection: "method not allowed",
                operation: None,
                allow: allow.iter().map(|m| m.as_str()).collect(),
                violations: Vec::new(),
            },
            Err(server::Rejection::Invalid { route, violations }) => Outcome {
                rejection: "invalid",
                operation: Some(route.operation_id),
                allow: Vec::new(),
                violations,
            },
        }
    }};
}

#[test]
fn every_bad_request_is_refused_with_its_reasons() {
    let mut seen = 0;
    let mut keywords = std::collections::BTreeSet::new();
    insta::glob!("bad_requests/*.yaml", |path| {
        seen += 1;
        let text = std::fs::read_to_string(path).unwrap();
        let request: BadRequest =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let headers: Vec<(&str, &str)> = request
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let outcome = match request.api.as_str() {
            "assign" => judge!(autopilot_client::server, &request, &headers),
            "keywords" => judge!(graph_modules::keywords::server, &request, &headers),
            other => panic!("{}: unknown api {other}", path.display()),
        };
        for v in &outcome.violations {
            keywords.insert(v.keyword);
            // Tokens never appear in what is reported.
            assert!(!v.message.contains("test-token") && !v.message.contains("dXNlcj"));
        }
        insta::assert_yaml_snapshot!(outcome);
    });
    assert!(
        seen >= 25,
        "the corpus has {seen} requests, want at least 25"
    );
    // Every keyword the validators enforce shows up at least once.
    for keyword in [
        "required",
        "type",
        "format",
        "pattern",
        "minLength",
        "maxLength",
        "enum",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
        "additionalProperties",
        "oneOf",
        "anyOf",
        "json",
        "contentType",
        "accept",
        "requestBody",
    ] {
        assert!(
            keywords.contains(keyword),
            "no bad request shows `{keyword}`"
        );
    }
}
