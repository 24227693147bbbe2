//! Credential and response-header checks.

use serde_json::Value;

use super::judge::Oracle;
use super::operations::{SpecOperation, SpecResponse, SpecScheme};
use super::verdict::{Check, Verdict};
use crate::exchange::{Request, Response};

/// Whether `text` is an RFC 9110 `token68` (the credential of a bearer
/// token): `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
pub fn is_token68(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

/// Checks that one security alternative of the operation is met. Scopes
/// cannot be seen in an opaque token, so they are named, not checked.
pub(crate) fn check_security(op: &SpecOperation, request: &Request, v: &mut Verdict) {
    if op.security.is_empty() || op.security.iter().any(Vec::is_empty) {
        v.push(Check::Security, Vec::new(), || {
            "the operation needs no credentials".into()
        });
        return;
    }
    let mut reasons = Vec::new();
    for alternative in &op.security {
        let problems: Vec<String> = alternative
            .iter()
            .filter_map(|scheme| scheme_problem(scheme, request))
            .collect();
        if problems.is_empty() {
            v.push(Check::Security, Vec::new(), || {
                let names: Vec<String> = alternative.iter().map(describe).collect();
                format!("met: {}", names.join(" + "))
            });
            return;
        }
        for problem in problems {
            if !reasons.contains(&problem) {
                reasons.push(problem);
            }
        }
    }
    v.push(Check::Security, reasons, String::new);
}

fn describe(scheme: &SpecScheme) -> String {
    match scheme.kind.as_str() {
        "http" => format!("{} (http {})", scheme.name, scheme.detail),
        "apiKey" => format!("{} (api key `{}`)", scheme.name, scheme.detail),
        "oauth2" | "openIdConnect" if scheme.scopes.is_empty() => {
            format!("{} (bearer token)", scheme.name)
        }
        "oauth2" | "openIdConnect" => format!(
            "{} (bearer token; scopes {} not checked)",
            scheme.name,
            scheme.scopes.join(", ")
        ),
        _ => scheme.name.clone(),
    }
}

/// Why the request does not meet `scheme`, or `None` when it does.
fn scheme_problem(scheme: &SpecScheme, request: &Request) -> Option<String> {
    let authorization = request.headers.get("authorization");
    // `Authorization` holds one credential, not a list (RFC 9110 §11.6.2),
    // so it may not be sent twice (§5.3).
    let lines = request.headers.get_all("authorization").count();
    // Formatted only when there is a problem to name it in.
    let label = || format!("scheme `{}`", scheme.name);
    let bearer = || -> Option<String> {
        let Some(value) = authorization else {
            return Some(format!("`Authorization` header missing ({})", label()));
        };
        if lines > 1 {
            return Some(format!(
                "`Authorization` sent {lines} times; it carries one credential ({})",
                label()
            ));
        }
        let (kind, credential) = value.split_once(' ').unwrap_or((value, ""));
        // RFC 6750 §2.1: `"Bearer" 1*SP b64token`, so any number of spaces.
        let credential = credential.trim_start_matches(' ');
        if !kind.eq_ignore_ascii_case("bearer") {
            return Some(format!(
                "`Authorization` does not use the Bearer scheme ({})",
                label()
            ));
        }
        if !is_token68(credential) {
            return Some(format!(
                "`Authorization: Bearer` carries a malformed or empty token ({})",
                label()
            ));
        }
        None
    };
    match scheme.kind.as_str() {
        "http" if scheme.detail == "bearer" => bearer(),
        "http" => {
            let Some(value) = authorization else {
                return Some(format!(
                    "`Authorization` header missing (scheme `{}`)",
                    scheme.name
                ));
            };
            let kind = value.split(' ').next().unwrap_or("");
            (!kind.eq_ignore_ascii_case(&scheme.detail)).then(|| {
                format!(
                    "`Authorization` does not use the {} scheme (scheme `{}`)",
                    scheme.detail, scheme.name
                )
            })
        }
        "oauth2" | "openIdConnect" => bearer(),
        "apiKey" => {
            let present = match scheme.location.as_deref() {
                Some("header") => request.headers.get(&scheme.detail).is_some(),
                Some("query") => request.query.as_deref().is_some_and(|q| {
                    q.split('&')
                        .any(|p| p.split('=').next() == Some(scheme.detail.as_str()))
                }),
                Some("cookie") => request
                    .headers
                    .get_all("cookie")
                    .any(|c| c.split(';').any(|p| p.trim().starts_with(&scheme.detail))),
                _ => false,
            };
            (!present).then(|| {
                format!(
                    "api key `{}` missing (scheme `{}`)",
                    scheme.detail, scheme.name
                )
            })
        }
        other => Some(format!(
            "security scheme `{}` has an unsupported type {other:?}",
            scheme.name
        )),
    }
}

/// Documented headers: present when required, valid against their schema;
/// `Retry-After` (an HTTP header with a fixed grammar) is seconds or an
/// HTTP-date wherever it appears.
pub(crate) fn check_response_headers(
    oracle: &Oracle,
    spec: &SpecResponse,
    response: &Response,
    v: &mut Verdict,
) {
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    for header in &spec.headers {
        match response.headers.get(&header.name) {
            None if header.required => {
                problems.push(format!("required header `{}` is missing", header.name))
            }
            None => {}
            Some(value) => {
                if let Some(schema) = &header.schema {
                    for e in oracle.validate(schema, &Value::String(value.to_string())) {
                        problems.push(format!("header `{}` {e}", header.name));
                    }
                }
                seen.push(header.name.as_str());
            }
        }
    }
    if let Some(value) = response.headers.get("retry-after") {
        let seconds = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
        if !seconds && httpdate::parse_http_date(value).is_err() {
            problems.push(format!(
                "`Retry-After: {value}` is neither a number of seconds nor an HTTP-date"
            ));
        }
    }
    v.push(Check::ResponseHeaders, problems, || {
        if seen.is_empty() {
            "no documented headers sent".to_string()
        } else {
            format!("documented headers sent: {}", seen.join(", "))
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token68_grammar() {
        assert!(is_token68("eyJhbGciOi.J9-_~+/=="));
        assert!(!is_token68(""));
        assert!(!is_token68("=="));
        assert!(!is_token68("two words"));
        assert!(!is_token68("a=b"));
    }

    fn request_with(authorization: &[&str]) -> Request {
        let mut headers = crate::exchange::Headers::default();
        for value in authorization {
            headers.push("Authorization", value.to_string());
        }
        Request {
            method: "POST".into(),
            path: "/x".into(),
            query: None,
            headers,
            body: crate::exchange::Body::default(),
        }
    }

    /// Found by `tests/openapi_requests`: RFC 6750 allows one or more
    /// spaces after `Bearer`, and the oracle refused two.
    #[test]
    fn bearer_takes_any_number_of_spaces() {
        let scheme = SpecScheme {
            name: "bearer".into(),
            kind: "http".into(),
            detail: "bearer".into(),
            location: None,
            scopes: Vec::new(),
        };
        for value in ["Bearer tok", "bearer   tok.en=="] {
            assert_eq!(
                scheme_problem(&scheme, &request_with(&[value])),
                None,
                "{value}"
            );
        }
        for value in ["Bearer", "Bearer  ", "Bearer\ttok", "Bearer a b"] {
            assert!(
                scheme_problem(&scheme, &request_with(&[value])).is_some(),
                "{value}"
            );
        }
        // Also found there: two well-formed credentials are not one.
        let twice = request_with(&["Bearer a", "Bearer a"]);
        assert!(scheme_problem(&scheme, &twice).is_some());
    }
}
