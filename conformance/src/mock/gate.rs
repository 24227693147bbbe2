//! The mock's validation step: a generated server-side validator (each
//! spec's `dispatch::serve`), or nothing (the benchmark's baseline).

use openapi_runtime::Violation;
use openapi_runtime::dispatch::{Api, Serve};

use crate::exchange::Sensitive;

use super::respond::{Answer, Detail, Stamp};

/// Whether the mock validates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validation {
    /// Every request goes through the generated validator.
    Generated,
    /// Every request under the root is answered `204` without looking at
    /// it: the same server stack minus validation, the baseline the
    /// throughput benchmark compares against.
    Off,
}

/// What the validation step decided about one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// The request is valid (for `operation_id`, when known).
    Valid {
        /// The operation, `None` when validation is off.
        operation_id: Option<&'static str>,
    },
    /// No operation has this path.
    UnknownRoute,
    /// Operations have this path, not with this method.
    MethodNotAllowed {
        /// Methods the path takes, as written on the wire.
        allow: Vec<&'static str>,
    },
    /// The request breaks the spec of its operation.
    Invalid {
        /// The operation.
        operation_id: &'static str,
        /// Every violation the validator found.
        violations: Vec<Violation>,
    },
}

impl Validation {
    /// Judges one request; `path` is relative to the service root.
    pub fn decide(
        self,
        serve: Serve,
        method: &str,
        path: &str,
        query: Option<&str>,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Decision {
        match self {
            Validation::Off => Decision::Valid { operation_id: None },
            Validation::Generated => generated(serve, method, path, query, headers, body),
        }
    }
}

/// Asks a generated server-side validator.
fn generated(
    serve: Serve,
    method: &str,
    path: &str,
    query: Option<&str>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Decision {
    use openapi_runtime::validate::serve::Rejection;
    match serve(method, path, query, headers, body) {
        Ok(route) => Decision::Valid {
            operation_id: Some(route.operation_id),
        },
        Err(Rejection::UnknownRoute) => Decision::UnknownRoute,
        Err(Rejection::MethodNotAllowed { allow }) => Decision::MethodNotAllowed {
            allow: allow.into_iter().map(|m| m.as_str()).collect(),
        },
        Err(Rejection::Invalid { route, violations }) => Decision::Invalid {
            operation_id: route.operation_id,
            violations,
        },
    }
}

impl Decision {
    /// The operation the request was routed to, when known.
    pub fn operation_id(&self) -> Option<&'static str> {
        match self {
            Decision::Valid { operation_id } => *operation_id,
            Decision::Invalid { operation_id, .. } => Some(operation_id),
            _ => None,
        }
    }

    /// The answer for this decision.
    pub fn answer(&self, stamp: &Stamp) -> Answer {
        match self {
            Decision::Valid { .. } => Answer::no_content(stamp),
            Decision::UnknownRoute => Answer::graph_error(
                404,
                "ResourceNotFound",
                "No operation of the spec has this path.",
                &[],
                stamp,
            ),
            Decision::MethodNotAllowed { allow } => {
                let list = allow.join(", ");
                let mut answer = Answer::graph_error(
                    405,
                    "MethodNotAllowed",
                    &format!("This path takes {list} only."),
                    &[],
                    stamp,
                );
                answer.headers.push(("allow", list));
                answer
            }
            Decision::Invalid {
                operation_id,
                violations,
            } => {
                let details: Vec<Detail> = violations
                    .iter()
                    .map(|v| Detail {
                        code: v.keyword.to_string(),
                        message: v.message.clone(),
                        target: v.location.clone(),
                    })
                    .collect();
                let listed: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
                let unauthenticated = violations
                    .iter()
                    .any(|v| v.location.starts_with("/headers/authorization"));
                let not_acceptable = violations.iter().any(is_accept_violation);
                if unauthenticated {
                    let mut answer = Answer::graph_error(
                        401,
                        "InvalidAuthenticationToken",
                        &format!(
                            "Access token is missing, malformed or not accepted: {}",
                            listed.join("; ")
                        ),
                        &details,
                        stamp,
                    );
                    answer.headers.push(("www-authenticate", "Bearer".into()));
                    answer
                } else if not_acceptable {
                    // RFC 9110 §15.5.7: no representation the client
                    // accepts. It wins over a 400 (any other violation is
                    // still listed): whatever else is wrong, no answer the
                    // operation has would be one the client takes.
                    Answer::graph_error(
                        406,
                        "NotAcceptable",
                        &format!(
                            "The `Accept` header admits no media type {operation_id} answers \
                             with: {}",
                            listed.join("; ")
                        ),
                        &details,
                        stamp,
                    )
                } else {
                    Answer::graph_error(
                        400,
                        "BadRequest",
                        &format!(
                            "The request breaks the spec of {operation_id} ({} violation{}): {}",
                            violations.len(),
                            if violations.len() == 1 { "" } else { "s" },
                            listed.join("; ")
                        ),
                        &details,
                        stamp,
                    )
                }
            }
        }
    }
}

/// Whether a violation is the generated validator's verdict that `Accept`
/// admits none of the operation's media types. The validator reports it as
/// a violation at `/headers/accept` like any other; the mock maps it to
/// `406` here, from its location, rather than in the generated code.
pub fn is_accept_violation(violation: &Violation) -> bool {
    violation.location == "/headers/accept" || violation.location.starts_with("/headers/accept/")
}

/// With `accepted` tokens given, a request routed to an operation whose
/// bearer token is well-formed but not one of them is refused like one
/// with a malformed token (`401`), as Graph refuses an unknown or expired
/// token. With none given (the default) any well-formed token passes: a
/// mock cannot tell a live token from a dead one.
pub fn check_token(
    decision: Decision,
    headers: &[(&str, &str)],
    accepted: &[Sensitive],
) -> Decision {
    if accepted.is_empty() {
        return decision;
    }
    let (operation_id, mut violations) = match decision {
        Decision::Valid {
            operation_id: Some(id),
        } => (id, Vec::new()),
        Decision::Invalid {
            operation_id,
            violations,
        } => (operation_id, violations),
        other => return other,
    };
    let at = "/headers/authorization";
    let malformed = violations.iter().any(|v| v.location.starts_with(at));
    let values: Vec<&str> = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| *v)
        .collect();
    // The validator has judged the shape; only a well-formed token is
    // looked up here (and never shown).
    if let ([value], false) = (values.as_slice(), malformed)
        && let Some((_, token)) = value.split_once(' ')
        && !accepted
            .iter()
            .any(|a| a.expose() == token.trim_start_matches(' '))
    {
        violations.insert(
            0,
            Violation::new(at, "token", "the bearer token is not one this mock accepts"),
        );
    }
    if violations.is_empty() {
        Decision::Valid {
            operation_id: Some(operation_id),
        }
    } else {
        Decision::Invalid {
            operation_id,
            violations,
        }
    }
}

/// The operation a request routes to by the generated route tables alone
/// (used to aim per-route faults when validation is off).
pub fn route_of(apis: &[&'static Api], method: &str, path: &str) -> Option<&'static str> {
    apis.iter()
        .flat_map(|api| api.routes.iter())
        .find(|r| r.method.as_str().eq_ignore_ascii_case(method) && r.match_path(path).is_some())
        .map(|r| r.operation_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routed(violations: Vec<Violation>) -> Decision {
        if violations.is_empty() {
            Decision::Valid {
                operation_id: Some("op"),
            }
        } else {
            Decision::Invalid {
                operation_id: "op",
                violations,
            }
        }
    }

    fn status(violations: Vec<Violation>) -> u16 {
        routed(violations).answer(&Stamp::new(None)).status
    }

    #[test]
    fn accept_violations_get_406_unless_the_token_is_bad() {
        let accept = Violation::new("/headers/accept", "accept", "must admit JSON");
        let body = Violation::new("/body", "required", "missing");
        let token = Violation::new("/headers/authorization", "format", "bad");
        assert_eq!(status(vec![accept.clone()]), 406);
        assert_eq!(status(vec![body.clone(), accept.clone()]), 406);
        assert_eq!(status(vec![token, accept]), 401);
        assert_eq!(status(vec![body]), 400);
        // A header whose name only starts like it is not `Accept`.
        let other = Violation::new("/headers/accept-language", "x", "y");
        assert_eq!(status(vec![other]), 400);
        let answer = routed(vec![Violation::new("/headers/accept", "accept", "m")])
            .answer(&Stamp::new(None));
        let body: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
        assert_eq!(body["error"]["code"], "NotAcceptable");
        assert_eq!(body["error"]["details"][0]["target"], "/headers/accept");
    }

    #[test]
    fn unknown_tokens_are_refused_only_when_tokens_are_named() {
        let accepted = [Sensitive::new("good")];
        let with = |value: &'static str| [("Authorization", value)];
        // None named: anything well-formed passes.
        assert_eq!(
            check_token(routed(vec![]), &with("Bearer other"), &[]),
            routed(vec![])
        );
        assert_eq!(
            check_token(routed(vec![]), &with("Bearer  good"), &accepted),
            routed(vec![])
        );
        let refused = check_token(routed(vec![]), &with("bearer other"), &accepted);
        let Decision::Invalid { violations, .. } = refused else {
            panic!("{refused:?}");
        };
        assert_eq!(violations.len(), 1);
        assert_eq!(violations[0].location, "/headers/authorization");
        assert_eq!(violations[0].keyword, "token");
        // A malformed token keeps the validator's reason only.
        let malformed = Violation::new("/headers/authorization", "format", "bad");
        let kept = check_token(
            routed(vec![malformed.clone()]),
            &with("Bearer a b"),
            &accepted,
        );
        assert_eq!(kept, routed(vec![malformed]));
        // Answers that belong to no operation are left alone.
        assert_eq!(
            check_token(Decision::UnknownRoute, &with("Bearer other"), &accepted),
            Decision::UnknownRoute
        );
    }
}
