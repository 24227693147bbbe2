//! `--verbose`: every request, response and retry on stderr, in a curl-like
//! layout. The runtime hands the observer headers with the token already
//! replaced by `<redacted>`, so nothing here can print it.

use std::time::Duration;

use autopilot_client::runtime::observe::Event;

/// Longest body shown; the rest is cut with a note.
const MAX_BODY: usize = 4096;

/// The lines for one event, each ending in a newline.
pub fn render(event: &Event<'_>) -> String {
    let mut out = String::new();
    match event {
        Event::Request {
            attempt,
            method,
            url,
            headers,
            body,
            ..
        } => {
            out.push_str(&format!("> {method} {url} (attempt {attempt})\n"));
            for (name, value) in headers.iter() {
                out.push_str(&format!("> {name}: {value}\n"));
            }
            if let Some(body) = body {
                out.push_str(">\n");
                push_body(&mut out, "> ", body);
            }
        }
        Event::Response {
            attempt,
            status,
            headers,
            body,
            elapsed,
            ..
        } => {
            out.push_str(&format!(
                "< {} (attempt {attempt}, {} ms)\n",
                status_line(*status),
                elapsed.as_millis()
            ));
            for (name, value) in headers.iter() {
                out.push_str(&format!("< {name}: {value}\n"));
            }
            if !body.is_empty() {
                out.push_str("<\n");
                push_body(&mut out, "< ", body);
            }
        }
        Event::Retry {
            attempt,
            status,
            wait,
            reason,
            ..
        } => out.push_str(&format!(
            "* {}: waiting {} ({reason}) before attempt {}\n",
            status_line(*status),
            seconds(*wait),
            attempt + 1
        )),
        Event::TransportError {
            attempt, message, ..
        } => out.push_str(&format!("* attempt {attempt} failed: {message}\n")),
        Event::RetryFailure { attempt, wait, .. } => out.push_str(&format!(
            "* no answer: waiting {} (exponential backoff) before attempt {}\n",
            seconds(*wait),
            attempt + 1
        )),
        other => out.push_str(&format!("* {other:?}\n")),
    }
    // Headers, bodies and messages come from the server: a hostile one must
    // not be able to move the cursor or retitle the terminal.
    clean(&out)
}

/// `text` with every control character but the line feed (escape
/// sequences, carriage returns, C1 controls) shown as `\u{..}` instead.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if ch.is_control() && ch != '\n' {
            out.push_str(&ch.escape_unicode().to_string());
        } else {
            out.push(ch);
        }
    }
    out
}

fn push_body(out: &mut String, prefix: &str, body: &[u8]) {
    let shown = &body[..body.len().min(MAX_BODY)];
    for line in String::from_utf8_lossy(shown).lines() {
        out.push_str(prefix);
        out.push_str(line);
        out.push('\n');
    }
    if body.len() > MAX_BODY {
        out.push_str(&format!(
            "{prefix}... ({} more bytes not shown)\n",
            body.len() - MAX_BODY
        ));
    }
}

fn status_line(status: u16) -> String {
    let reason = autopilot_client::runtime::error::status_reason(status);
    match reason {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

fn seconds(wait: Duration) -> String {
    if wait.subsec_millis() == 0 {
        format!("{}s", wait.as_secs())
    } else {
        format!("{:.3}s", wait.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use autopilot_client::runtime::retry::WaitReason;

    use super::*;

    #[test]
    fn requests_responses_and_retries_render_like_curl() {
        let headers = [
            ("accept".to_owned(), "application/json".to_owned()),
            ("authorization".to_owned(), "Bearer <redacted>".to_owned()),
        ];
        let request = render(&Event::Request {
            operation_id: "op",
            attempt: 1,
            method: "POST",
            url: "https://graph.microsoft.com/beta/x",
            headers: &headers,
            body: Some(b"{\"deviceIds\":[\"d\"]}"),
        });
        assert_eq!(
            request,
            "> POST https://graph.microsoft.com/beta/x (attempt 1)\n\
             > accept: application/json\n\
             > authorization: Bearer <redacted>\n\
             >\n\
             > {\"deviceIds\":[\"d\"]}\n"
        );
        let retry = render(&Event::Retry {
            operation_id: "op",
            attempt: 1,
            status: 429,
            wait: Duration::from_millis(1500),
            reason: WaitReason::RetryAfter,
        });
        assert_eq!(
            retry,
            "* 429 Too Many Requests: waiting 1.500s (as Retry-After asks) before attempt 2\n"
        );
        let big = vec![b'x'; MAX_BODY + 10];
        let response = render(&Event::Response {
            operation_id: "op",
            attempt: 2,
            status: 500,
            headers: &[],
            body: &big,
            elapsed: Duration::from_millis(12),
        });
        assert!(response.starts_with("< 500 Internal Server Error (attempt 2, 12 ms)\n<\n< xxx"));
        assert!(response.ends_with("< ... (10 more bytes not shown)\n"));
    }

    #[test]
    fn control_characters_from_the_server_are_shown_not_obeyed() {
        let headers = [("x-evil".to_owned(), "a\u{1b}]0;pwned\u{7}".to_owned())];
        let response = render(&Event::Response {
            operation_id: "op",
            attempt: 1,
            status: 400,
            headers: &headers,
            body: b"\x1b[2Jgone\rover\xc2\x9b",
            elapsed: Duration::from_millis(1),
        });
        assert!(
            !response.chars().any(|c| c.is_control() && c != '\n'),
            "{response:?}"
        );
        assert!(
            response.contains("< x-evil: a\\u{1b}]0;pwned\\u{7}\n"),
            "{response}"
        );
        assert!(
            response.contains("< \\u{1b}[2Jgone\\u{d}over\\u{9b}\n"),
            "{response}"
        );
    }
}
