//! Requests the typed client cannot send (it validates before sending),
//! sent with reqwest: the mock must refuse each as documented, and the
//! oracle must agree that each breaks the spec.
//!
//! The job derives them per operation ([`probes`]) from the request its
//! flat call sent and from the operation's schemas and parameters: no
//! token, another token, each body and parameter broken in turn, an
//! `Accept` it cannot answer, another method. [`CASES`] are hand-written
//! ones for the first operation of `spec/assign.yaml`, which the mock's
//! own tests send.

use serde_json::{Value, json};

use super::report::Report;
use super::tap::SETTLE_LIMIT;
use crate::exchange::Exchange;
use crate::mock::MockServer;
use crate::mock::recorder::CLIENT_REQUEST_ID;
use crate::oracle::spec::is_json;
use crate::oracle::{Oracle, SpecOperation, matching};

/// One hand-written request and the answer it must get.
pub struct Case {
    /// The report's check name.
    pub name: &'static str,
    /// The method.
    pub method: &'static str,
    /// The path after the service root; `{op}` is replaced by the first
    /// operation's path with id `p1`.
    pub path: &'static str,
    /// `Authorization` value, if any.
    pub authorization: Option<&'static str>,
    /// `Content-Type` value, if any.
    pub content_type: Option<&'static str>,
    /// `Accept` value, if any.
    pub accept: Option<&'static str>,
    /// The body.
    pub body: &'static str,
    /// The status the mock must answer.
    pub status: u16,
    /// Whether the oracle must find the request valid.
    pub oracle_valid: bool,
}

const BEARER: Option<&str> = Some("Bearer conformance-mock-token");
const JSON: Option<&str> = Some("application/json");
const GOOD: &str = r#"{"deviceIds":["d1"]}"#;

/// Every hand-written case.
pub const CASES: &[Case] = &[
    Case {
        name: "valid request -> 204",
        method: "POST",
        path: "{op}",
        authorization: BEARER,
        content_type: JSON,
        accept: JSON,
        body: GOOD,
        status: 204,
        oracle_valid: true,
    },
    Case {
        name: "no token -> 401",
        method: "POST",
        path: "{op}",
        authorization: None,
        content_type: JSON,
        accept: JSON,
        body: GOOD,
        status: 401,
        oracle_valid: false,
    },
    Case {
        name: "not a bearer token -> 401",
        method: "POST",
        path: "{op}",
        authorization: Some("Basic dXNlcjpwYXNz"),
        content_type: JSON,
        accept: JSON,
        body: GOOD,
        status: 401,
        oracle_valid: false,
    },
    Case {
        name: "empty bearer token -> 401",
        method: "POST",
        path: "{op}",
        authorization: Some("Bearer "),
        content_type: JSON,
        accept: JSON,
        body: GOOD,
        status: 401,
        oracle_valid: false,
    },
    Case {
        name: "no body -> 400",
        method: "POST",
        path: "{op}",
        authorization: BEARER,
        content_type: None,
        accept: JSON,
        body: "",
        status: 400,
        oracle_valid: false,
    },
    Case {
        name: "body is not JSON -> 400",
        method: "POST",
        path: "{op}",
        authorization: BEARER,
        content_type: JSON,
        accept: JSON,
        body: "{deviceIds:",
        status: 400,
        oracle_valid: false,
    },
    Case {
        name: "deviceIds missing -> 400",
        method: "POST",
        path: "{op}",
        authorization: BEARER,
        content_type: JSON,
        accept: JSON,
        body: "{}",
        status: 400,
        oracle_valid: false,
    },
    Case {
        name: "deviceIds of numbers -> 400",
        method: "POST",
        path: "{op}",
        authorization: BEARER,
        content_type: JSON,
        accept: JSON,
        body: r#"{"deviceIds":[1,2]}"#,
        status: 400,
        oracle_valid: false,
    },
    Case {
        name: "unknown property -> 400",
        method: "POST",
        path: "{op}",
        authorization: BEARER,
        content_type: JSON,
        accept: JSON,
        body: r#"{"deviceIds":[],"extra":true}"#,
        status: 400,
        oracle_valid: false,
    },
    Case {
        name: "text/plain body -> 400",
        method: "POST",
        path: "{op}",
        authorization: BEARER,
        content_type: Some("text/plain"),
        accept: JSON,
        body: GOOD,
        status: 400,
        oracle_valid: false,
    },
    Case {
        name: "Accept admits no JSON -> 406",
        method: "POST",
        path: "{op}",
        authorization: BEARER,
        content_type: JSON,
        accept: Some("text/html, application/xml;q=0.9"),
        body: GOOD,
        status: 406,
        oracle_valid: false,
    },
    Case {
        name: "empty id -> 400",
        method: "POST",
        path: "/deviceManagement/windowsAutopilotDeploymentProfiles//assign",
        authorization: BEARER,
        content_type: JSON,
        accept: JSON,
        body: GOOD,
        status: 400,
        oracle_valid: false,
    },
    Case {
        name: "unknown path -> 404",
        method: "POST",
        path: "/deviceManagement/nothingHere",
        authorization: BEARER,
        content_type: JSON,
        accept: JSON,
        body: GOOD,
        status: 404,
        oracle_valid: false,
    },
    Case {
        name: "other method -> 405",
        method: "GET",
        path: "{op}",
        authorization: BEARER,
        content_type: None,
        accept: JSON,
        body: "",
        status: 405,
        oracle_valid: false,
    },
];

/// The first operation's path with id `p1`.
fn first_path() -> String {
    autopilot_client::routes::ALL
        .first()
        .map(|r| r.render_path(&["p1"]))
        .unwrap_or_default()
}

/// Sends one case to the mock and returns the recorded exchange.
pub async fn send(mock: &MockServer, case: &Case) -> Result<Exchange, String> {
    send_probe(mock, &Probe::of_case(mock, case)).await
}

/// Runs every hand-written case.
pub async fn run(oracle: &Oracle, mock: &MockServer, report: &mut Report) {
    for case in CASES {
        match send(mock, case).await {
            Err(e) => report.check("mock", case.name, Err(e)),
            Ok(exchange) => {
                let result = judge(oracle, case, &exchange);
                report.check_about("mock", case.name, result, &exchange);
            }
        }
    }
}

/// Whether the answer is the documented one and the oracle agrees.
pub fn judge(oracle: &Oracle, case: &Case, exchange: &Exchange) -> Result<String, String> {
    judge_answer(oracle, case.status, case.oracle_valid, exchange)
}

/// One request to send to the mock and the answer it must get.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// The report's check name, e.g. `no token -> 401`.
    pub name: String,
    /// The method.
    pub method: String,
    /// The whole URL.
    pub url: String,
    /// The request headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// The status the mock must answer.
    pub status: u16,
    /// Whether the oracle must find the request valid.
    pub oracle_valid: bool,
}

impl Probe {
    /// A hand-written case as a probe of `mock`.
    pub fn of_case(mock: &MockServer, case: &Case) -> Probe {
        let path = case.path.replace("{op}", &first_path());
        let mut headers = Vec::new();
        for (name, value) in [
            ("accept", case.accept),
            ("authorization", case.authorization),
            ("content-type", case.content_type),
        ] {
            if let Some(value) = value {
                headers.push((name.to_string(), value.to_string()));
            }
        }
        Probe {
            name: case.name.to_string(),
            method: case.method.to_string(),
            url: format!("{}{path}", mock.base_url()),
            headers,
            body: case.body.as_bytes().to_vec(),
            status: case.status,
            oracle_valid: case.oracle_valid,
        }
    }

    fn set_header(&mut self, name: &str, value: Option<&str>) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        if let Some(value) = value {
            self.headers.push((name.to_string(), value.to_string()));
        }
    }
}

/// Sends one probe and returns the exchange the mock recorded.
pub async fn send_probe(mock: &MockServer, probe: &Probe) -> Result<Exchange, String> {
    send_probe_with(&reqwest::Client::new(), mock, probe).await
}

/// [`send_probe`] through `http` (the job shares one client among all its
/// probes). The probe goes with a `client-request-id` of its own, a fresh
/// GUID as a Graph client would send, and its exchange is the one
/// recorded with that id, whatever else is in flight.
pub async fn send_probe_with(
    http: &reqwest::Client,
    mock: &MockServer,
    probe: &Probe,
) -> Result<Exchange, String> {
    let method = reqwest::Method::from_bytes(probe.method.as_bytes()).map_err(|e| e.to_string())?;
    let mut request = http.request(method, &probe.url);
    let id = uuid::Uuid::new_v4().to_string();
    for (name, value) in &probe.headers {
        if !name.eq_ignore_ascii_case(CLIENT_REQUEST_ID) {
            request = request.header(name, value);
        }
    }
    request = request.header(CLIENT_REQUEST_ID, &id);
    if !probe.body.is_empty() {
        request = request.body(probe.body.clone());
    }
    request
        .send()
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    // Recorded before the mock answered: no wait.
    let mut found = mock.recorder().exchanges_of(&[id], 1, SETTLE_LIMIT).await;
    found
        .pop()
        .ok_or_else(|| "the mock recorded nothing".to_string())
}

/// Derives and sends every probe of `op`, starting from `base` (the valid
/// request its flat call sent); one row each, under the operation.
pub async fn run_for(
    http: &reqwest::Client,
    oracle: &Oracle,
    mock: &MockServer,
    op: &SpecOperation,
    base: &Exchange,
    report: &mut Report,
) {
    for probe in probes(oracle, mock, op, base) {
        let id = op.operation_id.as_str();
        match send_probe_with(http, mock, &probe).await {
            Err(e) => report.check(id, probe.name.clone(), Err(e)),
            Ok(exchange) => {
                let result = judge_answer(oracle, probe.status, probe.oracle_valid, &exchange);
                report.check_about(id, probe.name.clone(), result, &exchange);
            }
        }
    }
}

/// A path no operation of the spec has -> `404`, once per spec.
pub async fn run_unknown_path(
    http: &reqwest::Client,
    oracle: &Oracle,
    mock: &MockServer,
    base: &Exchange,
    report: &mut Report,
) {
    let mut probe = start(mock, base, "unknown path -> 404", 404, false);
    let root = oracle
        .roots()
        .iter()
        .max_by_key(|r| r.len())
        .cloned()
        .unwrap_or_default();
    probe.url = format!("{}{root}/conformanceNothingHere", origin(mock));
    match send_probe_with(http, mock, &probe).await {
        Err(e) => report.check("spec", probe.name.clone(), Err(e)),
        Ok(exchange) => {
            let result = judge_answer(oracle, probe.status, probe.oracle_valid, &exchange);
            report.check_about("spec", probe.name.clone(), result, &exchange);
        }
    }
}

fn origin(mock: &MockServer) -> String {
    format!("http://{}", mock.addr())
}

/// `base` as a probe: same method, URL, headers (but those the transport
/// writes) and body.
fn start(mock: &MockServer, base: &Exchange, name: &str, status: u16, oracle_valid: bool) -> Probe {
    let request = &base.request;
    let query = request
        .query
        .as_deref()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let headers = request
        .headers
        .0
        .iter()
        .filter(|(n, _)| {
            !matches!(
                n.as_str(),
                "host" | "content-length" | "transfer-encoding" | "connection" | "accept-encoding"
            )
        })
        .map(|(n, v)| (n.clone(), v.expose().to_string()))
        .collect();
    Probe {
        name: name.to_string(),
        method: request.method.clone(),
        url: format!("{}{}{query}", origin(mock), request.path),
        headers,
        body: request.body.bytes.clone(),
        status,
        oracle_valid,
    }
}

/// The probes of one operation.
pub fn probes(
    oracle: &Oracle,
    mock: &MockServer,
    op: &SpecOperation,
    base: &Exchange,
) -> Vec<Probe> {
    let mut out = Vec::new();
    let probe = |name: &str, status: u16| start(mock, base, name, status, false);
    if !op.security.is_empty() {
        let mut p = probe("no token -> 401", 401);
        p.set_header("authorization", None);
        out.push(p);
        let mut p = probe("not a bearer token -> 401", 401);
        p.set_header("authorization", Some("Basic dXNlcjpwYXNz"));
        out.push(p);
        let mut p = probe("empty bearer token -> 401", 401);
        p.set_header("authorization", Some("Bearer "));
        out.push(p);
        // Well-formed, so the spec has nothing against it: only a server
        // that checks tokens refuses it, as the job's mock must.
        let mut p = start(mock, base, "another token -> 401", 401, true);
        p.set_header(
            "authorization",
            Some("Bearer another-token.not-the-one-the-job-sends"),
        );
        out.push(p);
    }
    out.extend(body_probes(oracle, op, &probe));
    if op
        .responses
        .iter()
        .any(|r| r.content.iter().any(|m| is_json(&m.media_type)))
    {
        let mut p = probe("Accept admits no JSON -> 406", 406);
        p.set_header("accept", Some("text/html, application/xml;q=0.9"));
        out.push(p);
    }
    out.extend(parameter_probes(oracle, mock, op, base, &probe));
    let defined: Vec<&str> = oracle
        .operations()
        .iter()
        .filter(|o| o.path == op.path)
        .map(|o| o.method.as_str())
        .collect();
    if let Some(other) = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        .into_iter()
        .find(|m| !defined.contains(m))
    {
        let mut p = probe("other method -> 405", 405);
        p.method = other.to_string();
        p.body.clear();
        p.set_header("content-type", None);
        out.push(p);
    }
    out
}

/// Bodies broken in turn, each proven invalid by the oracle first.
fn body_probes(
    oracle: &Oracle,
    op: &SpecOperation,
    probe: &dyn Fn(&str, u16) -> Probe,
) -> Vec<Probe> {
    let mut out = Vec::new();
    let Some((_, schema)) = super::args::json_body(op) else {
        if op.request_body.is_none() {
            let mut p = probe("a body where none is taken -> 400", 400);
            p.set_header("content-type", Some("application/json"));
            p.body = b"{}".to_vec();
            out.push(p);
        }
        return out;
    };
    let required = op.request_body.as_ref().is_some_and(|b| b.required);
    if required {
        let mut p = probe("no body -> 400", 400);
        p.body.clear();
        p.set_header("content-type", None);
        out.push(p);
    }
    let mut p = probe("body is not JSON -> 400", 400);
    p.body = b"{not json:".to_vec();
    out.push(p);
    let mut p = probe("text/plain body -> 400", 400);
    p.set_header("content-type", Some("text/plain"));
    out.push(p);

    let base: Option<Value> = serde_json::from_slice(&probe("", 0).body).ok();
    let resolved = oracle
        .doc()
        .resolve(&schema, "")
        .map(|(s, _)| s.clone())
        .unwrap_or(Value::Null);
    let mut broken: Vec<(String, Value)> = Vec::new();
    if let Some(Value::Object(object)) = &base {
        let required = crate::synth::required(&resolved);
        if let Some(name) = required.first() {
            let mut without = object.clone();
            without.remove(*name);
            broken.push((format!("`{name}` missing -> 400"), Value::Object(without)));
        }
        let first = required
            .first()
            .map(|s| s.to_string())
            .or_else(|| object.keys().next().cloned());
        if let Some(name) = first
            && let Some(current) = object.get(&name)
        {
            let wrong = match current {
                Value::String(_) => json!(12345),
                Value::Array(items) if !items.is_empty() => json!([12345, true]),
                _ => json!("not the documented type"),
            };
            let mut changed = object.clone();
            changed.insert(name.clone(), wrong);
            broken.push((
                format!("`{name}` of the wrong type -> 400"),
                Value::Object(changed),
            ));
        }
        if resolved.get("additionalProperties") == Some(&Value::Bool(false)) {
            let mut extra = object.clone();
            extra.insert("conformanceUndeclared".into(), json!(true));
            broken.push(("unknown property -> 400".into(), Value::Object(extra)));
        }
    }
    let wrong_kind = match &base {
        Some(Value::Array(_)) => json!({}),
        _ => json!([]),
    };
    broken.push(("body of the wrong type -> 400".into(), wrong_kind));
    for (name, body) in broken {
        // Only what the spec really refuses: a schema that admits the
        // change would make the mock right to accept it.
        if oracle.validate(&schema, &body).is_empty() {
            continue;
        }
        let mut p = probe(&name, 400);
        p.body = serde_json::to_vec(&body).unwrap_or_default();
        out.push(p);
    }
    out
}

/// Path parameters emptied, required query and header parameters left
/// out, typed query parameters given text.
fn parameter_probes(
    oracle: &Oracle,
    mock: &MockServer,
    op: &SpecOperation,
    base: &Exchange,
    probe: &dyn Fn(&str, u16) -> Probe,
) -> Vec<Probe> {
    let mut out = Vec::new();
    let resolution = matching::resolve(
        oracle.operations(),
        oracle.roots(),
        &base.request.method,
        &base.request.path,
    );
    if let matching::Resolution::Operation { matched, root, .. } = resolution {
        for (name, _) in &matched.raw_params {
            let mut path = op.path.clone();
            for (other, raw) in &matched.raw_params {
                let value = if other == name { "" } else { raw.as_str() };
                path = path.replace(&format!("{{{other}}}"), value);
            }
            let mut p = probe(&format!("empty `{name}` -> 400"), 400);
            // The mock refuses an empty segment whatever the schema, as
            // the generated client and Graph do (it would address another
            // resource); the oracle judges by the schema, and one that
            // admits "" (Microsoft's modules give ids a bare `string`)
            // leaves it nothing to say against the request.
            let schema = op
                .parameters
                .iter()
                .find(|p| p.location == "path" && &p.name == name)
                .and_then(|p| p.schema.clone());
            if schema.is_none_or(|s| oracle.validate(&s, &json!("")).is_empty()) {
                p.oracle_valid = true;
            }
            let query = base
                .request
                .query
                .as_deref()
                .map(|q| format!("?{q}"))
                .unwrap_or_default();
            p.url = format!("{}{root}{path}{query}", origin(mock));
            out.push(p);
        }
    }
    let pairs: Vec<(String, String)> = base
        .request
        .query
        .as_deref()
        .map(|q| {
            q.split('&')
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    (k.to_string(), v.to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    let with_query = |p: &mut Probe, pairs: &[(String, String)]| {
        let path = p.url.split('?').next().unwrap_or("").to_string();
        let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        p.url = if query.is_empty() {
            path
        } else {
            format!("{path}?{}", query.join("&"))
        };
    };
    for param in &op.parameters {
        let encoded = percent_encoding::utf8_percent_encode(&param.name, QUERY_NAME).to_string();
        match param.location.as_str() {
            "query" => {
                if param.required {
                    let mut p = probe(&format!("`{}` missing -> 400", param.name), 400);
                    let kept: Vec<(String, String)> = pairs
                        .iter()
                        .filter(|(k, _)| *k != encoded)
                        .cloned()
                        .collect();
                    with_query(&mut p, &kept);
                    out.push(p);
                }
                let typed = param.schema.as_ref().and_then(|s| {
                    oracle.doc().resolve(s, "").map(|(s, _)| {
                        s.get("enum").is_some()
                            || matches!(
                                s.get("type").and_then(Value::as_str),
                                Some("integer" | "number" | "boolean")
                            )
                    })
                });
                if typed == Some(true) {
                    let mut p = probe(&format!("`{}` not valid -> 400", param.name), 400);
                    let mut changed: Vec<(String, String)> = pairs
                        .iter()
                        .filter(|(k, _)| *k != encoded)
                        .cloned()
                        .collect();
                    changed.push((encoded.clone(), "conformance-not-valid".into()));
                    with_query(&mut p, &changed);
                    out.push(p);
                }
            }
            "header" if param.required => {
                let mut p = probe(&format!("`{}` missing -> 400", param.name), 400);
                p.set_header(&param.name.to_ascii_lowercase(), None);
                p.headers
                    .retain(|(n, _)| !n.eq_ignore_ascii_case(&param.name));
                out.push(p);
            }
            _ => {}
        }
    }
    out
}

/// What a query parameter's name is percent-encoded with (as the
/// runtime's form encoding writes it).
const QUERY_NAME: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'*');

/// Whether the answer is the documented one (`status`) and the oracle
/// agrees that the request is valid (`oracle_valid`) or not.
pub fn judge_answer(
    oracle: &Oracle,
    status: u16,
    oracle_valid: bool,
    exchange: &Exchange,
) -> Result<String, String> {
    let Some(response) = &exchange.response else {
        return Err("no response".into());
    };
    let mut problems = Vec::new();
    if response.status != status {
        problems.push(format!(
            "answered {} (expected {}): {}",
            response.status,
            status,
            String::from_utf8_lossy(&response.body.bytes)
        ));
    }
    let request_id = response.headers.get("request-id");
    if request_id.is_none() {
        problems.push("no `request-id` header".into());
    }
    let mut detail = format!("{}", response.status);
    if response.status == 204 {
        if !response.body.is_empty() || response.headers.get("content-type").is_some() {
            problems.push("a 204 with a body or Content-Type".into());
        }
    } else {
        match graph_error(&response.body.json(), request_id) {
            Ok(code) => detail.push_str(&format!(" {code}")),
            Err(e) => problems.push(e),
        }
    }
    if status == 405 {
        match response.headers.get("allow") {
            Some(allow) => detail.push_str(&format!(", Allow: {allow}")),
            None => problems.push("405 without `Allow`".into()),
        }
    }
    let verdict = oracle.judge(exchange);
    let failed: Vec<String> = verdict
        .failures()
        .map(|f| format!("{}: {}", f.check, f.detail))
        .collect();
    let request_failed = verdict.failures().any(|f| {
        !matches!(
            f.check,
            crate::oracle::Check::ResponseStatus
                | crate::oracle::Check::ResponseHeaders
                | crate::oracle::Check::ResponseBody
        )
    });
    if oracle_valid && request_failed {
        problems.push(format!(
            "the oracle finds the request invalid: {}",
            failed.join("; ")
        ));
    }
    if !oracle_valid && !request_failed {
        problems.push("the oracle finds nothing wrong with the request".into());
    }
    // Whatever the request, the answer itself must be documented.
    for f in verdict.failures().filter(|f| {
        matches!(
            f.check,
            crate::oracle::Check::ResponseStatus | crate::oracle::Check::ResponseBody
        )
    }) {
        problems.push(format!("oracle on the answer: {}: {}", f.check, f.detail));
    }
    if let Some(first) = verdict.failures().next().filter(|_| !oracle_valid) {
        detail.push_str(&format!("; oracle: {}: {}", first.check, first.detail));
    }
    if problems.is_empty() {
        Ok(detail)
    } else {
        Err(problems.join("; "))
    }
}

/// Checks the Graph error envelope and returns its code.
fn graph_error(body: &Option<Value>, request_id: Option<&str>) -> Result<String, String> {
    let Some(body) = body else {
        return Err("the error body is not JSON".into());
    };
    let error = &body["error"];
    let code = error["code"].as_str().unwrap_or("");
    let message = error["message"].as_str().unwrap_or("");
    if code.is_empty() || message.is_empty() {
        return Err(format!(
            "not a Graph error (code and message needed): {body}"
        ));
    }
    let inner = &error["innerError"];
    if inner["request-id"].as_str() != request_id || inner["date"].as_str().is_none() {
        return Err(format!(
            "innerError needs request-id (= the header) and date: {inner}"
        ));
    }
    Ok(code.to_string())
}
