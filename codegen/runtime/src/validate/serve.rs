//! The server side of the validators for any operation: a raw request in,
//! its route and typed, validated input (or the reasons to refuse it) out.
//!
//! Everything is read from the route table; what a generated crate adds
//! per operation is one small builder that asks [`Parts`] for each typed
//! piece of the input, in the order of the route's parameters, and puts
//! them into its `Input` variant.

use serde::de::DeserializeOwned;

use super::request::{RawRequest, RouteMiss, find_route, lacked_part, sort_request};
use crate::{Body, Method, ParamLocation, Route, Violation};

/// A request that names an operation and satisfies the spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Matched<I> {
    /// The operation's route.
    pub route: &'static Route,
    /// Its typed input.
    pub input: I,
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Rejection {
    /// No operation has this path.
    UnknownRoute,
    /// Operations have this path, but not with this method.
    MethodNotAllowed {
        /// The methods the path does take.
        allow: Vec<Method>,
    },
    /// The request breaks the spec of its operation.
    Invalid {
        /// The operation.
        route: &'static Route,
        /// Every violation, ordered path, query, headers, body. Those about
        /// `Authorization` are located at `/headers/authorization`.
        violations: Vec<Violation>,
    },
}

/// What builds one operation's input from the request's checked parts;
/// `None` when a part it needs was refused (the reason is already among
/// the violations).
pub type Builder<I> = fn(&mut Parts<'_>) -> Option<I>;

/// The pieces of one request, read and checked on demand by a
/// [`Builder`]: each call takes the route's next parameter.
pub struct Parts<'r> {
    request: &'r RawRequest<'r>,
    route: &'static Route,
    found: &'r [(&'static str, String)],
    next: usize,
    out: Vec<Violation>,
}

impl Parts<'_> {
    /// The route's next parameter, which the builder says is a path one.
    fn next_rule(&mut self) -> Option<&'static super::ParamRule> {
        let rule = self.route.params.get(self.next);
        self.next += 1;
        rule
    }

    /// The next parameter, a path parameter: checked, decoded text.
    pub fn path(&mut self) -> Option<String> {
        let rule = self.next_rule()?;
        self.request.path_param(self.found, rule, &mut self.out)
    }

    /// The next parameter, an array or object path parameter, read back
    /// as its style spells it, checked and decoded as `T`.
    pub fn path_value<T: DeserializeOwned>(&mut self) -> Option<T> {
        let rule = self.next_rule()?;
        self.request.path_value(self.found, rule, &mut self.out)
    }

    /// The next parameter, a query or header one, checked and decoded as
    /// `T`; `None` when absent or refused.
    pub fn param<T: DeserializeOwned>(&mut self) -> Option<T> {
        let rule = self.next_rule()?;
        match rule.location {
            ParamLocation::Header => self.request.header_param(rule, &mut self.out),
            ParamLocation::Cookie => self.request.cookie_param(rule, &mut self.out),
            _ => self.request.query_param(rule, &mut self.out),
        }
    }

    /// The body, checked and decoded as `T`: `Some(None)` when an optional
    /// body is absent, `None` when it was refused. For a JSON body.
    pub fn body<T: DeserializeOwned>(&mut self) -> Option<Option<T>> {
        let Some((body, before)) = self.json_body_start()? else {
            return Some(None);
        };
        let mut judged = Vec::new();
        let value = self.request.json_body(
            body.media_type,
            body.required,
            body.schema,
            body.typed_proves_valid,
            &mut judged,
        );
        self.json_body_end(judged);
        value.ok().filter(|_| self.out.len() == before)
    }

    /// [`Parts::body`] before the body is read, kept out of the generic
    /// function so that it is compiled once: `Some(None)` when an optional
    /// body is absent, `None` when it was refused, else the route's body
    /// and the count of violations before it.
    fn json_body_start(&mut self) -> Option<Option<(Body, usize)>> {
        let body = self.route.body?;
        if self.request.body.is_empty() {
            // Presence is judged the same way for every kind.
            return self
                .request
                .body_present(&body, &mut self.out)
                .ok()
                .map(|_| None);
        }
        let before = self.out.len();
        // A wrong `Content-Type` is reported, and the JSON is judged all
        // the same, so that one answer lists every problem of the request;
        // unless it is another media type the body documents, whose
        // content is not JSON at all.
        let other_documented = matches!(
            self.request.header_values("content-type")[..],
            [sent] if body.other(sent).is_some() && !body.is_own(sent)
        );
        if self.request.body_present(&body, &mut self.out).is_err() && other_documented {
            return None;
        }
        Some(Some((body, before)))
    }

    /// [`Parts::body`] after the body is read: its violations joined to
    /// the request's, less the `Content-Type` one that
    /// [`Parts::json_body_start`] judged already.
    fn json_body_end(&mut self, mut judged: Vec<Violation>) {
        judged.retain(|v| v.location != "/headers/content-type");
        self.out.append(&mut judged);
    }

    /// A form-encoded body (`application/x-www-form-urlencoded`), read by
    /// its schema's property types, checked and decoded as `T`.
    pub fn form<T: DeserializeOwned>(&mut self) -> Option<Option<T>> {
        let body = self.route.body?;
        self.request.form_body(&body, &mut self.out).ok()
    }

    /// A text body, checked as a string against its schema.
    pub fn text(&mut self) -> Option<Option<String>> {
        let body = self.route.body?;
        self.request.text_body(&body, &mut self.out).ok()
    }

    /// A binary body's bytes.
    pub fn bytes(&mut self) -> Option<Option<Vec<u8>>> {
        let body = self.route.body?;
        self.request.bytes_body(&body, &mut self.out).ok()
    }

    /// A raw body (`multipart/*`, a media range): its bytes with the
    /// `Content-Type` they came with.
    pub fn raw(&mut self) -> Option<Option<super::media::RawPayload>> {
        let body = self.route.body?;
        self.request.raw_body(&body, &mut self.out).ok()
    }
}

/// Judges one raw request against `routes`, with `builders` (one per
/// route, in the same order) making the typed input.
///
/// `path` is relative to the service root and still percent-encoded as
/// received; `query` is the raw query string without `?`; header names
/// compare case-insensitively; `body` is empty when there is none.
pub fn handle<I>(
    routes: &[&'static Route],
    builders: &[Builder<I>],
    request: &RawRequest<'_>,
) -> Result<Matched<I>, Rejection> {
    let (index, found) = match find_route(routes, request.method, request.path) {
        Ok(hit) => hit,
        Err(RouteMiss::Unknown) => return Err(Rejection::UnknownRoute),
        Err(RouteMiss::Method(allow)) => return Err(Rejection::MethodNotAllowed { allow }),
    };
    let (Some(route), Some(build)) = (routes.get(index), builders.get(index)) else {
        return Err(Rejection::UnknownRoute);
    };
    match read(request, route, &found, *build) {
        Ok(input) => Ok(Matched { route, input }),
        Err(violations) => Err(Rejection::Invalid { route, violations }),
    }
}

/// Reads one operation's input: the builder takes the parameters and the
/// body; the credentials (see [`RawRequest::check_security`]), `Accept` and a body the operation does not
/// take are checked here. Every violation is collected before refusing.
pub fn read<I>(
    request: &RawRequest<'_>,
    route: &'static Route,
    found: &[(&'static str, String)],
    build: Builder<I>,
) -> Result<I, Vec<Violation>> {
    let mut parts = Parts {
        request,
        route,
        found,
        next: 0,
        out: Vec::new(),
    };
    let input = build(&mut parts);
    let mut out = parts.out;
    if !route.security.is_empty() {
        request.check_security(route.security, &mut out);
    } else if route.auth {
        request.check_bearer(&mut out);
    }
    request.check_accept_for(route, &mut out);
    if route.body.is_none() {
        request.no_body(&mut out);
    }
    sort_request(&mut out);
    if !out.is_empty() {
        return Err(out);
    }
    // Every part adds a violation when it gives nothing, so this cannot
    // happen; a refusal rather than a panic in case it does.
    input.ok_or_else(lacked_part)
}
