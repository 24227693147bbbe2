//! Requests the typed client cannot send (it validates before sending),
//! written by hand with reqwest: the mock must refuse each as documented,
//! and the oracle must agree that each breaks the spec.

use serde_json::Value;

use super::report::Report;
use crate::exchange::Exchange;
use crate::mock::MockServer;
use crate::oracle::Oracle;

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
    let path = case.path.replace("{op}", &first_path());
    let url = format!("{}{path}", mock.base_url());
    let http = reqwest::Client::new();
    let method = reqwest::Method::from_bytes(case.method.as_bytes()).map_err(|e| e.to_string())?;
    let mut request = http.request(method, &url);
    if let Some(accept) = case.accept {
        request = request.header("accept", accept);
    }
    if let Some(auth) = case.authorization {
        request = request.header("authorization", auth);
    }
    if let Some(ct) = case.content_type {
        request = request.header("content-type", ct);
    }
    if !case.body.is_empty() {
        request = request.body(case.body);
    }
    let before = mock.recorder().total();
    request
        .send()
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    let mut found = mock.recorder().since(before);
    found
        .pop()
        .ok_or_else(|| "the mock recorded nothing".to_string())
}

/// Runs every case.
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
    let Some(response) = &exchange.response else {
        return Err("no response".into());
    };
    let mut problems = Vec::new();
    if response.status != case.status {
        problems.push(format!(
            "answered {} (expected {}): {}",
            response.status,
            case.status,
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
    if case.status == 405 {
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
    if case.oracle_valid && request_failed {
        problems.push(format!(
            "the oracle finds the request invalid: {}",
            failed.join("; ")
        ));
    }
    if !case.oracle_valid && !request_failed {
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
    if let Some(first) = verdict.failures().next().filter(|_| !case.oracle_valid) {
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
