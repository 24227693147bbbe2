//! A `curl` command that sends a recorded request again, and the exchange
//! in a few readable lines, for the report's failed rows. The bearer token
//! is never written: the command reads it from `$GRAPH_TOKEN`.

use crate::exchange::{Exchange, Headers, Request, is_sensitive, redact_query};

/// Headers curl writes itself from the command (the URL, the body).
const CURL_SETS: [&str; 4] = ["host", "content-length", "connection", "transfer-encoding"];

/// Quotes `text` for a POSIX shell.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The command that sends `request` to `origin` (`http://host:port`):
/// same method, path, query, headers and body. Curl's own defaults
/// (`Accept`, `User-Agent`, a form `Content-Type`) are switched off when
/// the request had no such header. Credentials come from `$GRAPH_TOKEN`.
pub fn command(origin: &str, request: &Request) -> String {
    let mut target = format!("{}{}", origin.trim_end_matches('/'), request.path);
    if let Some(query) = &request.query {
        // A token in the query is read from the environment too: the
        // placeholder ends the quoting around it.
        target.push('?');
        target.push_str(&redact_query(query, "\u{0}"));
    }
    let mut lines = Vec::new();
    if !request.body.is_complete() {
        lines.push(format!(
            "# the body was {} bytes; only the first {} were recorded and are sent here",
            request.body.length,
            request.body.bytes.len()
        ));
    }
    let mut parts = vec![format!(
        "curl -sS -i --path-as-is -g -X {} {}",
        request.method,
        shell_quote(&target).replace('\u{0}', "'\"$GRAPH_TOKEN\"'")
    )];
    for (name, value) in &request.headers.0 {
        if CURL_SETS.contains(&name.as_str()) {
            continue;
        }
        parts.push(header_flag(name, value.expose()));
    }
    let has = |name: &str| request.headers.get(name).is_some();
    for default in ["accept", "user-agent"] {
        if !has(default) {
            parts.push(format!("-H {}", shell_quote(&format!("{default}:"))));
        }
    }
    if !request.body.is_empty() {
        if !has("content-type") {
            parts.push(format!("-H {}", shell_quote("content-type:")));
        }
        let body = String::from_utf8_lossy(&request.body.bytes);
        parts.push(format!("--data-binary {}", shell_quote(&body)));
    }
    lines.push(parts.join(" \\\n  "));
    lines.join("\n")
}

fn header_flag(name: &str, value: &str) -> String {
    if is_sensitive(name) && !name.ends_with("authorization") {
        // A cookie has no scheme to keep; it is not sent again.
        return format!("-H {}", shell_quote(&format!("{name}: [redacted]")));
    }
    if is_sensitive(name) {
        let credential = match value.split_once(' ') {
            Some((scheme, rest)) if !rest.trim().is_empty() => {
                format!("{scheme} $GRAPH_TOKEN")
            }
            // An empty credential is no secret: sent as it was.
            Some(_) => value.to_string(),
            None if value.is_empty() => String::new(),
            None => "$GRAPH_TOKEN".to_string(),
        };
        // Double quotes, so that the shell fills in the token; nothing
        // else in the value may expand.
        let literal = format!("{name}: {credential}")
            .replace('\\', r"\\")
            .replace('"', "\\\"")
            .replace('`', "\\`")
            .replace("$GRAPH_TOKEN", "\u{0}")
            .replace('$', "\\$")
            .replace('\u{0}', "$GRAPH_TOKEN");
        return format!("-H \"{literal}\"");
    }
    if value.is_empty() {
        // `-H 'name:'` would remove the header; `name;` sends it empty.
        return format!("-H {}", shell_quote(&format!("{name};")));
    }
    format!("-H {}", shell_quote(&format!("{name}: {value}")))
}

fn headers_text(headers: &Headers, out: &mut Vec<String>) {
    for (name, value) in &headers.0 {
        // Credentials show redacted, as everywhere.
        let shown = serde_json::to_value(value)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        out.push(format!("    {name}: {shown}"));
    }
}

fn body_text(body: &crate::exchange::Body) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    let shown = serde_json::to_value(body)
        .ok()
        .map(|v| match v {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        })
        .unwrap_or_default();
    Some(format!("    body: {shown}"))
}

/// The exchange in lines: request line, headers, body; then the response
/// the same way (credentials redacted).
pub fn exchange_text(exchange: &Exchange) -> String {
    let request = &exchange.request;
    let mut lines = vec![match &request.query {
        Some(q) => format!(
            "> {} {}?{}",
            request.method,
            request.path,
            redact_query(q, "[redacted]")
        ),
        None => format!("> {} {}", request.method, request.path),
    }];
    headers_text(&request.headers, &mut lines);
    lines.extend(body_text(&request.body));
    match &exchange.response {
        None => lines.push("< no response (the connection closed)".into()),
        Some(response) => {
            lines.push(format!("< {}", response.status));
            headers_text(&response.headers, &mut lines);
            lines.extend(body_text(&response.body));
        }
    }
    if let Some(scenario) = &exchange.scenario {
        lines.push(format!("  (fault scenario `{scenario}`)"));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::Body;

    fn request(headers: &[(&str, &str)], body: &[u8]) -> Request {
        let mut list = Headers::default();
        for (name, value) in headers {
            list.push(name, value.to_string());
        }
        Request {
            method: "POST".into(),
            path: "/beta/a/it's/assign".into(),
            query: Some("x=1".into()),
            headers: list,
            body: Body::new(body),
        }
    }

    #[test]
    fn the_token_is_read_from_the_environment() {
        let r = request(
            &[
                ("authorization", "Bearer s3cret-$(rm)-token"),
                ("content-type", "application/json"),
                ("accept", "application/json"),
                ("user-agent", "ua"),
                ("host", "127.0.0.1:1"),
                ("content-length", "2"),
                ("x-empty", ""),
            ],
            b"{\"a\":\"it's\"}",
        );
        let command = command("http://127.0.0.1:8080", &r);
        assert!(!command.contains("s3cret"), "{command}");
        assert_eq!(
            command,
            "curl -sS -i --path-as-is -g -X POST 'http://127.0.0.1:8080/beta/a/it'\\''s/assign?x=1' \\\n  \
             -H \"authorization: Bearer $GRAPH_TOKEN\" \\\n  \
             -H 'content-type: application/json' \\\n  \
             -H 'accept: application/json' \\\n  \
             -H 'user-agent: ua' \\\n  \
             -H 'x-empty;' \\\n  \
             --data-binary '{\"a\":\"it'\\''s\"}'"
        );
    }

    #[test]
    fn curl_defaults_are_switched_off_and_odd_credentials_kept_safe() {
        let r = request(&[("authorization", "Bearer ")], b"x");
        let shown = super::command("http://h", &r);
        assert!(shown.contains("-H \"authorization: Bearer \""), "{shown}");
        assert!(shown.contains("-H 'accept:'"), "{shown}");
        assert!(shown.contains("-H 'user-agent:'"), "{shown}");
        assert!(shown.contains("-H 'content-type:'"), "{shown}");
        let r = request(&[("authorization", "Weird\"`$x")], b"");
        let shown = super::command("http://h", &r);
        assert!(
            shown.contains("-H \"authorization: $GRAPH_TOKEN\""),
            "{shown}"
        );
        let r = request(&[("cookie", "session=s3cret")], b"");
        let shown = super::command("http://h", &r);
        assert!(shown.contains("-H 'cookie: [redacted]'"), "{shown}");
    }

    #[test]
    fn a_token_in_the_query_is_read_from_the_environment() {
        let mut r = request(&[], b"");
        r.query = Some("access_token=s3cret&x=1".into());
        let shown = super::command("http://h", &r);
        assert!(
            shown.contains("'http://h/beta/a/it'\\''s/assign?access_token='\"$GRAPH_TOKEN\"'&x=1'"),
            "{shown}"
        );
        let exchange = Exchange {
            seq: 1,
            request: r,
            response: None,
            scenario: None,
        };
        assert!(!exchange_text(&exchange).contains("s3cret"));
    }

    #[test]
    fn cut_bodies_are_said_to_be_cut() {
        let big = vec![b'x'; crate::exchange::MAX_RECORDED_BODY + 1];
        let command = command("http://h", &request(&[], &big));
        assert!(
            command.starts_with("# the body was 65537 bytes"),
            "{command}"
        );
    }
}
