//! The server side of security schemes other than the bearer token: a
//! request must meet one alternative of its route's
//! [`Route::security`](crate::Route::security).
//!
//! What can be seen in a request is checked: the API key is present
//! where its scheme says, `Authorization: Basic` decodes to
//! `user:password`, a bearer token is well-formed. Whether a credential
//! is right is the real service's business. A scheme the runtime cannot
//! send ([`Scheme::Unsupported`]) cannot be checked either, so an
//! alternative that needs it is taken as met.

use base64::Engine as _;

use super::request::RawRequest;
use crate::{KeyPlace, Scheme, Violation};

impl RawRequest<'_> {
    /// Checks that the request meets one of `security`'s alternatives;
    /// when it meets none, adds the violations of the first one. Secrets
    /// never appear in a message.
    pub fn check_security(&self, security: &[&[Scheme]], out: &mut Vec<Violation>) {
        let mut first: Option<Vec<Violation>> = None;
        for alternative in security {
            let mut found = Vec::new();
            for scheme in *alternative {
                self.check_scheme(scheme, &mut found);
            }
            if found.is_empty() {
                return;
            }
            first.get_or_insert(found);
        }
        out.extend(first.unwrap_or_default());
    }

    fn check_scheme(&self, scheme: &Scheme, out: &mut Vec<Violation>) {
        match scheme {
            Scheme::Bearer => self.check_bearer(out),
            Scheme::Basic => self.check_basic(out),
            Scheme::ApiKey {
                scheme,
                name,
                place,
            } => {
                let (at, values) = match place {
                    KeyPlace::Header => (
                        format!("/headers/{}", name.to_ascii_lowercase()),
                        self.header_values(name)
                            .into_iter()
                            .map(str::to_string)
                            .collect(),
                    ),
                    KeyPlace::Query => (format!("/query/{name}"), self.query_values(name)),
                    KeyPlace::Cookie => (format!("/cookies/{name}"), self.cookie_values(name)),
                };
                if values.iter().all(String::is_empty) {
                    out.push(Violation::new(
                        at,
                        "required",
                        format!("the API key of security scheme `{scheme}` is missing"),
                    ));
                } else if values.len() > 1 {
                    out.push(Violation::new(
                        at,
                        "maxItems",
                        format!(
                            "the API key of security scheme `{scheme}` was sent {} times",
                            values.len()
                        ),
                    ));
                }
            }
            Scheme::Unsupported { .. } => {}
        }
    }

    /// `Authorization: Basic <base64 of user:password>`, sent once.
    fn check_basic(&self, out: &mut Vec<Violation>) {
        let at = "/headers/authorization";
        let values = self.header_values("authorization");
        let problem = match values.as_slice() {
            [] => Some(
                "the operation needs `Authorization: Basic <credentials>`, and the header is missing",
            ),
            [one] => basic_problem(one),
            _ => Some("the header must be sent once"),
        };
        if let Some(problem) = problem {
            out.push(Violation::new(at, "format", problem));
        }
    }

    /// Values of cookie `name`, from every `Cookie` header (RFC 6265:
    /// `name=value` pairs separated by `;`).
    pub fn cookie_values(&self, name: &str) -> Vec<String> {
        self.header_values("cookie")
            .into_iter()
            .flat_map(|header| header.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| v.trim_matches('"').to_string())
            .collect()
    }
}

/// What is wrong with an `Authorization` value for HTTP basic, if
/// anything: the scheme `Basic` (any case), then base64 that decodes to
/// `user:password`.
fn basic_problem(value: &str) -> Option<&'static str> {
    let Some((scheme, credentials)) = value.split_once(' ') else {
        return Some("must be `Basic <credentials>`");
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Some("the scheme is not Basic");
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(credentials.trim())
        .ok();
    match decoded {
        Some(pair) if pair.contains(&b':') => None,
        Some(_) => Some("the credentials do not decode to `user:password`"),
        None => Some("the credentials are not base64"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: Scheme = Scheme::ApiKey {
        scheme: "key",
        name: "X-Key",
        place: KeyPlace::Header,
    };
    const QUERY: Scheme = Scheme::ApiKey {
        scheme: "q",
        name: "api_key",
        place: KeyPlace::Query,
    };
    const COOKIE: Scheme = Scheme::ApiKey {
        scheme: "c",
        name: "session",
        place: KeyPlace::Cookie,
    };

    fn judge(security: &[&[Scheme]], query: Option<&str>, headers: &[(&str, &str)]) -> Vec<String> {
        let request = RawRequest {
            method: "GET",
            path: "/a",
            query,
            headers,
            body: b"",
        };
        let mut out = Vec::new();
        request.check_security(security, &mut out);
        out.iter()
            .map(|v| format!("{} {}", v.location, v.keyword))
            .collect()
    }

    #[test]
    fn one_alternative_met_is_enough() {
        let both: &[&[Scheme]] = &[&[KEY], &[QUERY, COOKIE]];
        assert!(judge(both, None, &[("x-key", "s")]).is_empty());
        assert!(judge(both, Some("api_key=s"), &[("cookie", "a=1; session=t")]).is_empty());
        // Half of the second alternative: the first one's violation.
        assert_eq!(
            judge(both, Some("api_key=s"), &[]),
            ["/headers/x-key required"]
        );
        assert_eq!(
            judge(&[&[QUERY]], Some("api_key=a&api_key=b"), &[]),
            ["/query/api_key maxItems"]
        );
        assert_eq!(
            judge(&[&[COOKIE]], None, &[("cookie", "other=1")]),
            ["/cookies/session required"]
        );
        // An empty alternative, or one the runtime cannot check, is met.
        assert!(judge(&[&[KEY], &[]], None, &[]).is_empty());
        assert!(judge(&[&[Scheme::Unsupported { scheme: "d" }]], None, &[]).is_empty());
    }

    #[test]
    fn basic_credentials_must_decode() {
        let basic: &[&[Scheme]] = &[&[Scheme::Basic]];
        let ok = [("authorization", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")];
        assert!(judge(basic, None, &ok).is_empty());
        for bad in ["Bearer abc", "Basic !!!", "Basic YWJj", "Basic"] {
            assert_eq!(
                judge(basic, None, &[("authorization", bad)]),
                ["/headers/authorization format"],
                "{bad}"
            );
        }
        assert_eq!(
            basic_problem("Basic YWJj"),
            Some("the credentials do not decode to `user:password`")
        );
    }
}
