//! Shared test helpers: the repository, a running mock, a client for it,
//! and redacted, sorted views of exchanges for snapshots.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use conformance::exchange::{Exchange, Headers};
use conformance::job::{CallOutcome, MOCK_TOKEN};
use conformance::mock::{MockConfig, MockServer};
use conformance::oracle::Oracle;
use serde_json::{Value, json};

/// The `conformance` binary, without the developer's `GRAPH_TOKEN` (the
/// README suggests exporting a real one; it must not reach a test server
/// or a report).
pub fn bin() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_conformance"));
    command.env_remove("GRAPH_TOKEN");
    command
}

/// One HTTP/1.1 exchange over a fresh loopback connection to `addr`
/// (`127.0.0.1:PORT`, with or without `http://`): the status and the whole
/// response text (head and body).
pub fn raw_http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    use std::io::{Read, Write};
    let addr = addr.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {response:?}"));
    (status, response)
}

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `spec/assign.yaml` with a second required property, so that every
/// body the client sends breaks it.
pub fn mutated_spec(dir: &tempfile::TempDir) -> String {
    let spec = dir.path().join("mutated.yaml");
    let text = std::fs::read_to_string(repo().join("spec/assign.yaml"))
        .unwrap()
        .replace(
            "      required:\n        - deviceIds\n",
            "      required:\n        - deviceIds\n        - groupTag\n",
        );
    std::fs::write(&spec, text).unwrap();
    spec.to_str().unwrap().to_string()
}

/// The oracle on `spec/assign.yaml`.
pub fn oracle() -> Oracle {
    Oracle::load(&repo().join("spec/assign.yaml")).expect("spec/assign.yaml loads")
}

/// A validating mock on an ephemeral loopback port.
pub async fn mock() -> MockServer {
    MockServer::start(MockConfig::default())
        .await
        .expect("mock listens on loopback")
}

/// The generated client pointed at `mock`.
pub fn client(mock: &MockServer) -> autopilot_client::Client {
    autopilot_client::Client::connect(&mock.base_url(), MOCK_TOKEN).unwrap()
}

/// Header values as snapshots show them: in arrival order per name,
/// repeated headers kept (sorted by name, stably, so each name's values
/// keep their order). Values that change from run to run are replaced only
/// after checking they have the documented shape, so a malformed one shows
/// in the snapshot instead of hiding behind its placeholder: request ids
/// must be GUIDs, dates HTTP-dates, the host the loopback mock. The
/// `User-Agent` is deterministic and shown as sent.
fn headers_view(headers: &Headers) -> Value {
    let mut pairs: Vec<(&str, String)> = headers
        .0
        .iter()
        .map(|(name, value)| (name.as_str(), shown_header(name, value)))
        .collect();
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    json!(
        pairs
            .into_iter()
            .map(|(name, value)| format!("{name}: {value}"))
            .collect::<Vec<_>>()
    )
}

fn shown_header(name: &str, value: &conformance::exchange::HeaderText) -> String {
    let raw = value.expose();
    let checked = |ok: bool, placeholder: &str| {
        if ok {
            placeholder.to_string()
        } else {
            format!("{raw} (expected {placeholder})")
        }
    };
    match name {
        "client-request-id" | "request-id" => checked(is_guid(raw), "[GUID]"),
        "date" => checked(httpdate::parse_http_date(raw).is_ok(), "[HTTP-date]"),
        "host" => checked(
            raw.strip_prefix("127.0.0.1:")
                .is_some_and(|port| port.parse::<u16>().is_ok()),
            "[127.0.0.1:port]",
        ),
        "retry-after" if httpdate::parse_http_date(raw).is_ok() => "[HTTP-date]".to_string(),
        // Credentials come out redacted by their own serialisation.
        _ => serde_json::to_value(value)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
    }
}

/// A GUID in its usual 8-4-4-4-12 hexadecimal form.
fn is_guid(text: &str) -> bool {
    text.len() == 36 && uuid::Uuid::try_parse(text).is_ok()
}

fn redact_inner_error(mut body: Value) -> Value {
    if let Some(inner) = body
        .get_mut("error")
        .and_then(|e| e.get_mut("innerError"))
        .and_then(Value::as_object_mut)
    {
        for key in ["request-id", "client-request-id", "date"] {
            if inner.contains_key(key) {
                inner.insert(key.into(), json!(format!("[{key}]")));
            }
        }
    }
    body
}

/// An exchange with volatile values redacted and headers as a sorted map.
pub fn view(exchange: &Exchange) -> Value {
    let request = &exchange.request;
    let mut out = json!({
        "request": {
            "method": request.method,
            "path": request.path,
            "query": request.query,
            "headers": headers_view(&request.headers),
            "body": serde_json::to_value(&request.body).unwrap(),
        },
        "response": null,
    });
    if let Some(response) = &exchange.response {
        out["response"] = json!({
            "status": response.status,
            "headers": headers_view(&response.headers),
            "body": redact_inner_error(serde_json::to_value(&response.body).unwrap()),
        });
    }
    if let Some(s) = &exchange.scenario {
        out["scenario"] = json!(s);
    }
    out
}

/// A client outcome with ids, ports and dates redacted from its message.
pub fn outcome_view(
    outcome: &CallOutcome,
    exchange: Option<&Exchange>,
    mock: &MockServer,
) -> Value {
    let mut message = outcome.message.clone().unwrap_or_default();
    message = message.replace(&mock.addr().to_string(), "[addr]");
    if let Some(exchange) = exchange {
        if let Some(id) = exchange.request.headers.get("client-request-id") {
            message = message.replace(id, "[client-request-id]");
        }
        if let Some(response) = &exchange.response {
            if let Some(id) = response.headers.get("request-id") {
                message = message.replace(id, "[request-id]");
            }
            if let Some(after) = response.headers.get("retry-after")
                && httpdate::parse_http_date(after).is_ok()
            {
                message = message.replace(after, "[http-date]");
            }
        }
    }
    let request_id = outcome.request_id.as_ref().map(|id| {
        let sent = exchange
            .and_then(|e| e.response.as_ref())
            .and_then(|r| r.headers.get("request-id"));
        if Some(id.as_str()) == sent {
            "[the mock's request-id]".to_string()
        } else {
            format!("[another request-id: {id}]")
        }
    });
    json!({
        "result": outcome.result,
        "status": outcome.status,
        "graph_code": outcome.graph_code,
        "request_id": request_id,
        "message": if outcome.message.is_some() { Some(message) } else { None },
    })
}

/// `text` with what differs from run to run by nature replaced: GUIDs
/// (request ids), HTTP-dates (`innerError.date`, `Retry-After`) and the
/// mock's loopback port.
pub fn without_run_ids(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("127.0.0.1:") {
            let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            out.push_str("127.0.0.1:[port]");
            rest = &after[digits..];
            continue;
        }
        if rest.len() >= 36 && rest.is_char_boundary(36) && is_guid(&rest[..36]) {
            out.push_str("[GUID]");
            rest = &rest[36..];
            continue;
        }
        // An IMF-fixdate is 29 characters: `Sun, 06 Nov 1994 08:49:37 GMT`.
        if rest.len() >= 29
            && rest.is_char_boundary(29)
            && httpdate::parse_http_date(&rest[..29]).is_ok()
        {
            out.push_str("[HTTP-date]");
            rest = &rest[29..];
            continue;
        }
        let c = rest.chars().next().unwrap_or_default();
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}
