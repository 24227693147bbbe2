//! A generated case made concrete: the bytes to send ([`build`]) and what
//! the spec says the answer must be ([`Expect`]).
//!
//! A case is a valid request ([`Base`]) and zero or more mutations
//! ([`Mutation`]). The expectation comes from the spec, never from the
//! mock: the route through the oracle's template matching, the body
//! through the oracle's JSON Schema translation, headers and parameters
//! from the rules stated at [`expectation`].

use std::collections::BTreeSet;

use conformance::mock::DEFAULT_BODY_LIMIT;
use conformance::oracle::matching::{self, Resolution};
use proptest::prelude::*;
use proptest::strategy::Union;
use serde_json::Value;

use super::base::{Base, Encoding, NameCase, accept_admits, base, essence, good_accepts};
use super::body::{self, BodyMutation, BodyState};
use super::mutation::{
    BAD_ACCEPTS, HeaderMutation, Kind, Mutation, PathMutation, Tweak, header_label, mutation,
};
use super::spec::{Api, Seg, Target};
use super::wire::WireRequest;

/// One generated case.
#[derive(Debug, Clone)]
pub struct Case {
    pub base: Base,
    pub mutations: Vec<Mutation>,
}

/// What the spec says the answer must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// `204`, no body.
    Valid,
    /// One of these statuses, with an error body.
    Reject {
        statuses: BTreeSet<u16>,
        why: Vec<String>,
    },
    /// `204`, or one of these statuses with an error body: the spec leaves
    /// the request's meaning open (each reason says how).
    Either {
        statuses: BTreeSet<u16>,
        why: Vec<String>,
    },
    /// No operation has this path: `404`.
    UnknownRoute(String),
    /// The path is an operation's with another method: `405` and `Allow`
    /// naming exactly `allow`; `404` also accepted when `or_not_found`
    /// (a parameter that does not decode may make the path no path at all).
    WrongMethod {
        allow: Vec<String>,
        or_not_found: bool,
    },
    /// The mutations made another operation's valid path (no claim).
    Rerouted(String),
    /// The body is longer than the mock judges: `413`, whatever else the
    /// request is (the spec sets no limit; its `default` answer covers
    /// this one).
    TooLarge(usize),
}

/// A case made concrete.
pub struct Built {
    /// The bytes to send.
    pub request: WireRequest,
    /// The expectation.
    pub expect: Expect,
    /// The operation it was derived from.
    pub target: usize,
    /// Names of the mutations that applied.
    pub labels: Vec<&'static str>,
    /// The client-request-id the answer must echo (sent once, visible
    /// ASCII).
    pub echo: Option<String>,
    /// A mutation meant the body to be valid (or not) and the oracle's
    /// JSON Schema says otherwise.
    pub intent_mismatch: Option<String>,
}

/// Every case for `api`.
pub fn cases(api: &Api) -> BoxedStrategy<Case> {
    let bases: Vec<BoxedStrategy<Base>> = api
        .targets
        .iter()
        .enumerate()
        .map(|(i, t)| base(api, i, t))
        .collect();
    let mutations = prop_oneof![
        7 => Just(Vec::new()),
        10 => proptest::collection::vec(mutation(), 1..=1),
        3 => proptest::collection::vec(mutation(), 2..=3),
    ];
    (Union::new(bases), mutations)
        .prop_map(|(base, mutations)| Case { base, mutations })
        .boxed()
}

/// Spec verdict of one part of the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tri {
    Ok,
    Bad,
    /// The spec leaves it open.
    Open,
}

#[derive(Debug, Clone)]
struct Line {
    kind: Kind,
    name: String,
    value: Vec<u8>,
    ok: Tri,
}

#[derive(Debug, Clone)]
struct PathSeg {
    text: String,
    seg: Seg,
    ok: Tri,
    /// Left out of the path.
    dropped: bool,
}

fn encode(text: &str, how: Encoding) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        let unreserved = b.is_ascii_alphanumeric() || b"-._~".contains(&b);
        let keep = match how {
            Encoding::Minimal | Encoding::Lower => unreserved,
            Encoding::Every => false,
            Encoding::Pchar => unreserved || b"!$&'()*+,;=:@".contains(&b),
        };
        if keep {
            out.push(b as char);
        } else if how == Encoding::Lower {
            out.push_str(&format!("%{b:02x}"));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn spell(name: &str, case: NameCase) -> String {
    match case {
        NameCase::Lower => name.to_string(),
        NameCase::Upper => name.to_ascii_uppercase(),
        NameCase::Title => name
            .split('-')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("-"),
    }
}

/// Makes `case` concrete: the bytes to send and what the spec says of them.
pub fn build(api: &Api, case: &Case) -> Built {
    let b = &case.base;
    let target = &api.targets[b.target];
    let mut method = target.method.clone();
    let mut root = api.root.clone();
    let mut segs: Vec<PathSeg> = target
        .segments
        .iter()
        .map(|seg| PathSeg {
            text: match seg {
                Seg::Lit(text) => text.clone(),
                Seg::Param(i) => encode(&b.params[*i], b.encoding),
            },
            seg: seg.clone(),
            ok: Tri::Ok,
            dropped: false,
        })
        .collect();
    let mut suffix = String::new();
    let mut query: Option<String> = None;
    let token = b
        .auth
        .as_ref()
        .map(|(_, _, t)| t.0.clone())
        .unwrap_or_default();
    let mut lines: Vec<Line> = Vec::new();
    let mut push = |kind: Kind, value: Vec<u8>, ok: Tri| {
        lines.push(Line {
            kind,
            name: kind.name().to_string(),
            value,
            ok,
        })
    };
    if let Some((scheme, spaces, token)) = &b.auth {
        let value = format!("{scheme}{}{}", " ".repeat(*spaces), token.0);
        push(Kind::Authorization, value.into_bytes(), Tri::Ok);
    }
    if let Some(accept) = &b.accept {
        push(Kind::Accept, accept.clone().into_bytes(), Tri::Ok);
    }
    if let Some(id) = &b.client_request_id {
        push(Kind::ClientRequestId, id.clone().into_bytes(), Tri::Ok);
    }
    let mut body_state = match &b.body {
        Some(v) => BodyState::Value(v.clone()),
        None => BodyState::None,
    };
    if target.body.is_some() {
        push(
            Kind::ContentType,
            b.content_type.clone().into_bytes(),
            Tri::Ok,
        );
    }
    for (name, value) in &b.extra {
        lines.push(Line {
            kind: Kind::Other,
            name: name.clone(),
            value: value.clone().into_bytes(),
            ok: Tri::Ok,
        });
    }

    let mut labels = Vec::new();
    let mut intent: Option<bool> = None;
    let mut body_open: Vec<&'static str> = Vec::new();
    let mut keep_body = true;
    let params: Vec<usize> = (0..segs.len())
        .filter(|i| matches!(segs[*i].seg, Seg::Param(_)))
        .collect();
    let literals: Vec<usize> = (0..segs.len())
        .filter(|i| matches!(segs[*i].seg, Seg::Lit(_)))
        .collect();
    for mutation in &case.mutations {
        match mutation {
            Mutation::Body(m) => {
                let Some(spec_body) = &target.body else {
                    labels.push("body (no body declared)");
                    body_state = BodyState::Bytes(b"{}".to_vec());
                    intent = Some(false);
                    continue;
                };
                let applied = body::apply(
                    api.oracle.doc(),
                    &spec_body.schema,
                    &mut body_state,
                    b.pretty,
                    m,
                );
                labels.push(applied.label);
                if let Some(why) = applied.either {
                    body_open.push(why);
                }
                let replaces = matches!(
                    m,
                    BodyMutation::TopLevel(_) | BodyMutation::NotJson(_) | BodyMutation::Empty
                );
                // A broken body stays broken through further edits, unless
                // the whole body is replaced.
                if replaces || intent != Some(false) {
                    intent = applied.intent;
                }
            }
            Mutation::Header(m) => {
                labels.push(header_label(m));
                match m {
                    HeaderMutation::Drop(kind) => lines.retain(|l| l.kind != *kind),
                    HeaderMutation::BadAuth(bad) => {
                        lines.retain(|l| l.kind != Kind::Authorization);
                        lines.push(Line {
                            kind: Kind::Authorization,
                            name: "authorization".into(),
                            value: bad.value(if token.is_empty() { "t0ken" } else { &token }),
                            ok: Tri::Bad,
                        });
                    }
                    HeaderMutation::Duplicate(kind) => {
                        if let Some(line) = lines.iter().find(|l| l.kind == *kind).cloned() {
                            lines.push(line);
                        }
                    }
                    HeaderMutation::BadContentType(ct) => {
                        let ours = target
                            .body
                            .as_ref()
                            .is_some_and(|s| essence(&s.media_type) == essence(ct));
                        lines.retain(|l| l.kind != Kind::ContentType);
                        lines.push(Line {
                            kind: Kind::ContentType,
                            name: "content-type".into(),
                            value: ct.as_bytes().to_vec(),
                            ok: if ours { Tri::Ok } else { Tri::Bad },
                        });
                    }
                    HeaderMutation::OtherCharset(charset) => {
                        if let Some(s) = &target.body {
                            lines.retain(|l| l.kind != Kind::ContentType);
                            lines.push(Line {
                                kind: Kind::ContentType,
                                name: "content-type".into(),
                                value: format!("{}; charset={charset}", s.media_type).into_bytes(),
                                ok: Tri::Open,
                            });
                        }
                    }
                    HeaderMutation::BadAccept(accept) => {
                        lines.retain(|l| l.kind != Kind::Accept);
                        let ok = accept_admits(accept, &target.answers);
                        lines.push(Line {
                            kind: Kind::Accept,
                            name: "accept".into(),
                            value: accept.as_bytes().to_vec(),
                            ok: if ok { Tri::Ok } else { Tri::Bad },
                        });
                    }
                    HeaderMutation::MoreAccept(which) => {
                        let mut all: Vec<String> = good_accepts(target);
                        all.extend(BAD_ACCEPTS.iter().map(|s| s.to_string()));
                        let accept = &all[which.index(all.len())];
                        let ok = accept_admits(accept, &target.answers);
                        lines.push(Line {
                            kind: Kind::Accept,
                            name: "accept".into(),
                            value: accept.clone().into_bytes(),
                            ok: if ok { Tri::Ok } else { Tri::Bad },
                        });
                    }
                    HeaderMutation::Extra(name, value) => lines.push(Line {
                        kind: Kind::Other,
                        name: name.clone(),
                        value: value.clone().into_bytes(),
                        ok: Tri::Ok,
                    }),
                }
            }
            Mutation::Path(m) => match m {
                PathMutation::EmptyParam(which) if !params.is_empty() => {
                    let seg = &mut segs[params[which.index(params.len())]];
                    seg.text.clear();
                    seg.ok = Tri::Bad;
                    labels.push("empty-parameter");
                }
                PathMutation::Undecodable(which, text) if !params.is_empty() => {
                    let seg = &mut segs[params[which.index(params.len())]];
                    seg.text = text.to_string();
                    seg.ok = Tri::Bad;
                    labels.push("undecodable-parameter");
                }
                PathMutation::Tweak(which, tweak) if !literals.is_empty() => {
                    let seg = &mut segs[literals[which.index(literals.len())]];
                    if matches!(tweak, Tweak::Drop) {
                        seg.dropped = true;
                    }
                    let text = &mut seg.text;
                    match tweak {
                        Tweak::Append(c) => text.push(*c),
                        Tweak::Upper => *text = text.to_uppercase(),
                        Tweak::FlipFirst => {
                            let mut chars = text.chars();
                            if let Some(first) = chars.next() {
                                let flipped = if first.is_ascii_uppercase() {
                                    first.to_ascii_lowercase()
                                } else {
                                    first.to_ascii_uppercase()
                                };
                                *text = format!("{flipped}{}", chars.as_str());
                            }
                        }
                        Tweak::Drop => {}
                        Tweak::Replace(new) => *text = new.clone(),
                        Tweak::Repeat => *text = format!("{text}/{text}"),
                    }
                    labels.push("literal-changed");
                }
                PathMutation::TrailingSlash => {
                    suffix.push('/');
                    labels.push("trailing-slash");
                }
                PathMutation::ExtraSegment(text) => {
                    suffix.push('/');
                    suffix.push_str(text);
                    labels.push("extra-segment");
                }
                PathMutation::DoubleSlash(which) => {
                    let at = which.index(segs.len() + 1);
                    segs.insert(
                        at,
                        PathSeg {
                            text: String::new(),
                            seg: Seg::Lit(String::new()),
                            ok: Tri::Ok,
                            dropped: false,
                        },
                    );
                    labels.push("double-slash");
                }
                PathMutation::Root(other) => {
                    root = other.to_string();
                    labels.push("other-root");
                }
                _ => labels.push("path (inert)"),
            },
            Mutation::Method(m, keep) => {
                if *m == method {
                    labels.push("method (inert)");
                } else {
                    method = m.to_string();
                    keep_body = *keep && *m != "TRACE";
                    labels.push("other-method");
                }
            }
            Mutation::Query(q) => {
                query = Some(q.clone());
                labels.push(if q.is_empty() { "empty-query" } else { "query" });
            }
        }
    }

    // The body's bytes and what the spec makes of them.
    let mut body_bytes = body::finish(&body_state, b.pretty);
    if !keep_body {
        body_bytes.clear();
    }
    let body_valid = match &target.body {
        None => body_bytes.is_empty(),
        Some(spec) if body_bytes.is_empty() => !spec.required,
        Some(spec) => serde_json::from_slice::<Value>(&body_bytes)
            .map(|v| api.oracle.validate(&spec.schema, &v).is_empty())
            .unwrap_or(false),
    };
    let intent_mismatch = match intent {
        Some(meant) if meant != body_valid && body_open.is_empty() && keep_body => Some(format!(
            "the mutations {labels:?} meant the body to be {}, the oracle's schema says {}",
            if meant { "valid" } else { "invalid" },
            if body_valid { "valid" } else { "invalid" }
        )),
        _ => None,
    };

    let path = {
        let joined: Vec<&str> = segs
            .iter()
            .filter(|s| !s.dropped)
            .map(|s| s.text.as_str())
            .collect();
        format!("{root}/{}{suffix}", joined.join("/"))
    };
    let expect = expectation(
        api,
        target,
        &method,
        &path,
        &segs,
        &lines,
        &body_bytes,
        body_valid,
        &body_open,
        query.as_deref(),
    );

    let echo = {
        let ids: Vec<&Line> = lines
            .iter()
            .filter(|l| l.kind == Kind::ClientRequestId)
            .collect();
        match ids.as_slice() {
            [one] => String::from_utf8(one.value.clone()).ok(),
            _ => None,
        }
    };
    let headers = lines
        .into_iter()
        .map(|l| (spell(&l.name, b.names), l.value))
        .collect();
    let target_text = match &query {
        Some(q) => format!("{path}?{q}"),
        None => path,
    };
    Built {
        request: WireRequest {
            method,
            target: target_text,
            headers,
            body: body_bytes,
            chunked: b.chunked,
            announce_empty: b.announce_empty,
        },
        expect,
        target: b.target,
        labels,
        echo,
        intent_mismatch,
    }
}

/// The spec's answer to the finished request. Statuses per part:
///
/// * a body longer than the mock's limit → `413` (the mock reads the body
///   before anything else);
/// * route: no template → `404`; a template without the method → `405`;
/// * credentials missing or malformed (not exactly one well-formed
///   `Authorization: Bearer <token68>`, RFC 6750 §2.1) → `401`;
/// * a path parameter empty or not UTF-8 → `400` or `404` (the id cannot
///   name a resource, so either is honest);
/// * `Content-Type` missing, repeated or not the declared media type,
///   `Accept` admitting no documented answer, a body that breaks the schema
///   → `400`;
/// * open (either `204` or `400`): undeclared query parameters (OpenAPI
///   does not say they are errors), a second `client-request-id`, a
///   non-UTF-8 charset on JSON (RFC 8259 §8.1: JSON is UTF-8 whatever the
///   label says), and the body cases [`body`] names.
#[allow(clippy::too_many_arguments)]
fn expectation(
    api: &Api,
    target: &Target,
    method: &str,
    path: &str,
    segs: &[PathSeg],
    lines: &[Line],
    body: &[u8],
    body_valid: bool,
    body_open: &[&'static str],
    query: Option<&str>,
) -> Expect {
    if body.len() > DEFAULT_BODY_LIMIT {
        return Expect::TooLarge(body.len());
    }
    let param_bad = segs
        .iter()
        .any(|s| matches!(s.seg, Seg::Param(_)) && s.ok == Tri::Bad);
    match matching::resolve(api.oracle.operations(), api.oracle.roots(), method, path) {
        Resolution::OutsideRoots => return Expect::UnknownRoute("outside the service root".into()),
        Resolution::NoTemplate { .. } => {
            return Expect::UnknownRoute("no path template matches".into());
        }
        Resolution::MethodNotDefined { allowed, .. } => {
            return Expect::WrongMethod {
                allow: allowed,
                or_not_found: param_bad,
            };
        }
        Resolution::Operation { operation, .. } => {
            if operation.operation_id != target.operation_id {
                return Expect::Rerouted(operation.operation_id.clone());
            }
        }
    }

    let mut bad: BTreeSet<u16> = BTreeSet::new();
    let mut open: BTreeSet<u16> = BTreeSet::new();
    let mut why_bad: Vec<String> = Vec::new();
    let mut why_open: Vec<String> = Vec::new();
    let mut refuse = |statuses: &[u16], why: String| {
        bad.extend(statuses);
        why_bad.push(why);
    };

    if param_bad {
        refuse(&[400, 404], "a path parameter is empty or not UTF-8".into());
    }
    let of = |kind: Kind| -> Vec<&Line> { lines.iter().filter(|l| l.kind == kind).collect() };
    if target.bearer {
        match of(Kind::Authorization).as_slice() {
            [] => refuse(&[401], "no Authorization".into()),
            [one] if one.ok == Tri::Bad => refuse(&[401], "malformed Authorization".into()),
            [_] => {}
            _ => refuse(&[401], "Authorization given twice".into()),
        }
    }
    let accepts = of(Kind::Accept);
    if !accepts.is_empty() && !accepts.iter().any(|l| l.ok == Tri::Ok) {
        // RFC 9110 §15.5.7: 406 Not Acceptable, not 400.
        refuse(&[406], "Accept admits no documented answer".into());
    }
    if target.body.is_some() && !body.is_empty() {
        match of(Kind::ContentType).as_slice() {
            [] => refuse(&[400], "a body without Content-Type".into()),
            [one] if one.ok == Tri::Bad => refuse(&[400], "a Content-Type not declared".into()),
            [one] if one.ok == Tri::Open => {
                open.insert(400);
                why_open.push("a charset other than UTF-8 on JSON".into());
            }
            [_] => {}
            _ => refuse(&[400], "Content-Type given twice".into()),
        }
    }
    if !body_open.is_empty() {
        open.insert(400);
        why_open.extend(body_open.iter().map(|s| s.to_string()));
    } else if !body_valid {
        refuse(&[400], "the body breaks the schema".into());
    }
    if of(Kind::ClientRequestId).len() > 1 {
        open.insert(400);
        why_open.push("client-request-id given twice".into());
    }
    if query.is_some_and(|q| !q.is_empty()) {
        open.insert(400);
        why_open.push("undeclared query parameters".into());
    }
    if !bad.is_empty() {
        bad.extend(&open);
        why_bad.extend(why_open);
        Expect::Reject {
            statuses: bad,
            why: why_bad,
        }
    } else if !open.is_empty() {
        Expect::Either {
            statuses: open,
            why: why_open,
        }
    } else {
        Expect::Valid
    }
}
