//! Valid requests: what a generic OpenAPI testing tool sends when it
//! means to be right. Path parameters from their schema in any valid
//! RFC 3986 spelling, a body from the request body schema, a bearer token,
//! optional `Accept` and `client-request-id`, unknown headers, header
//! names in any case, `Content-Length` or chunked framing.

use std::fmt;

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::Value;

use super::spec::{Api, Target};
use super::values;

/// How path parameter values are percent-encoded (all are valid
/// RFC 3986 spellings of the same value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Everything but the unreserved characters, upper-case hex.
    Minimal,
    /// Every byte, unreserved ones too.
    Every,
    /// As `Minimal`, lower-case hex.
    Lower,
    /// Sub-delimiters, `:` and `@` left raw (a segment may hold them).
    Pchar,
}

/// How header names are spelled (HTTP names are case-insensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameCase {
    /// `content-type`.
    Lower,
    /// `Content-Type`.
    Title,
    /// `CONTENT-TYPE`.
    Upper,
}

/// A generated bearer token; its Debug form never shows it.
#[derive(Clone)]
pub struct Token(pub String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token([{} bytes])", self.0.len())
    }
}

/// A valid request for one operation.
#[derive(Debug, Clone)]
pub struct Base {
    /// Index into [`Api::targets`].
    pub target: usize,
    /// Path parameter values, decoded.
    pub params: Vec<String>,
    /// How they are encoded.
    pub encoding: Encoding,
    /// `Authorization`: the scheme as spelled, the spaces after it, the
    /// token (when the operation needs one).
    pub auth: Option<(&'static str, usize, Token)>,
    /// `Accept`, when sent.
    pub accept: Option<String>,
    /// `client-request-id`, when sent.
    pub client_request_id: Option<String>,
    /// `Content-Type` as spelled.
    pub content_type: String,
    /// The body, when the operation takes one.
    pub body: Option<Value>,
    /// Pretty-printed rather than compact.
    pub pretty: bool,
    /// Headers the spec does not mention.
    pub extra: Vec<(String, String)>,
    /// How header names are spelled.
    pub names: NameCase,
    /// Chunked framing.
    pub chunked: bool,
    /// `Content-Length: 0` on an empty body.
    pub announce_empty: bool,
}

pub fn base(api: &Api, index: usize, target: &Target) -> BoxedStrategy<Base> {
    let doc = api.oracle.doc();
    let params: Vec<BoxedStrategy<String>> = target
        .params
        .iter()
        .map(|p| {
            let at = format!("path parameter `{}`", p.name);
            values::valid(doc, &p.schema, &at)
                .prop_map(move |v| match v {
                    Value::String(s) => s,
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    other => panic!("{at}: only scalar path parameters are generated, got {other}"),
                })
                // `.` and `..` are dot segments that URL normalisation
                // removes, and an empty segment names another resource: no
                // URL carries them as a parameter, so no tool sends them.
                .prop_filter("dot or empty segment", |s| {
                    !matches!(s.as_str(), "" | "." | "..")
                })
                .boxed()
        })
        .collect();
    let body = match &target.body {
        Some(b) => {
            let value = values::valid(doc, &b.schema, "request body").prop_map(Some);
            if b.required {
                value.boxed()
            } else {
                prop_oneof![3 => value, 1 => Just(None)].boxed()
            }
        }
        None => Just(None).boxed(),
    };
    let auth = if target.bearer {
        let token = prop_oneof![
            "[A-Za-z0-9._~+/-]{1,120}={0,2}",
            "[A-Za-z0-9_-]{10,40}\\.[A-Za-z0-9_-]{10,200}\\.[A-Za-z0-9_-]{10,60}",
        ];
        (
            select(&["Bearer", "bearer", "BEARER", "bEaReR"][..]),
            prop_oneof![6 => Just(1usize), 1 => 2usize..4],
            token,
        )
            .prop_map(|(scheme, spaces, token)| Some((scheme, spaces, Token(token))))
            .boxed()
    } else {
        Just(None).boxed()
    };
    let accepts = good_accepts(target);
    let accept = prop_oneof![1 => Just(None), 2 => select(accepts).prop_map(Some)];
    let client_request_id = prop_oneof![
        2 => Just(None),
        1 => uuid().prop_map(Some),
        1 => "[!-~]{1,64}".prop_map(Some),
    ];
    let content_type = select(good_content_types(target));
    let extra = proptest::collection::vec(("x-[a-z]{1,10}", "[!-~][ -~]{0,30}"), 0..3);
    let names = select(&[NameCase::Lower, NameCase::Title, NameCase::Upper][..]);
    let encoding = select(
        &[
            Encoding::Minimal,
            Encoding::Every,
            Encoding::Lower,
            Encoding::Pchar,
        ][..],
    );
    (
        (params, encoding, auth, accept, client_request_id),
        (content_type, body, any::<bool>(), extra, names),
        (
            prop_oneof![4 => Just(false), 1 => Just(true)],
            any::<bool>(),
        ),
    )
        .prop_map(
            move |(
                (params, encoding, auth, accept, client_request_id),
                (content_type, body, pretty, extra, names),
                (chunked, announce_empty),
            )| Base {
                target: index,
                params,
                encoding,
                auth,
                accept,
                client_request_id,
                content_type,
                body,
                pretty,
                extra,
                names,
                chunked,
                announce_empty,
            },
        )
        .boxed()
}

/// A UUID in its canonical text form.
fn uuid() -> impl Strategy<Value = String> {
    "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
}

pub fn good_content_types(target: &Target) -> Vec<String> {
    let Some(body) = &target.body else {
        return vec![String::new()];
    };
    let m = &body.media_type;
    vec![
        m.clone(),
        m.to_uppercase(),
        format!("{m}; charset=utf-8"),
        format!("{m};charset=UTF-8"),
        format!("{m}; odata.metadata=minimal"),
        format!("{m}; charset=\"utf-8\""),
    ]
}

pub fn good_accepts(target: &Target) -> Vec<String> {
    let mut out = vec!["*/*".to_string()];
    for m in &target.answers {
        let kind = m.split('/').next().unwrap_or("*");
        out.extend([
            m.clone(),
            format!("{kind}/*"),
            format!("{m}; charset=utf-8"),
            format!("text/html, {m};q=0.9"),
            m.to_uppercase(),
            format!("{m};odata.metadata=minimal;odata.streaming=true"),
            "application/xml;q=0.5, */*;q=0.1".to_string(),
        ]);
    }
    out.sort();
    out.dedup();
    out
}

/// Essence of a media type (`type/subtype`, lower-case).
pub fn essence(media: &str) -> String {
    media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Whether an `Accept` value admits one of `answers` (RFC 9110 §12.5.1:
/// ranges, `q=0` refuses).
pub fn accept_admits(accept: &str, answers: &[String]) -> bool {
    if answers.is_empty() {
        return true;
    }
    accept.split(',').any(|item| {
        let mut parts = item.split(';');
        let range = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let refused = parts.any(|p| {
            p.split_once('=').is_some_and(|(k, v)| {
                k.trim().eq_ignore_ascii_case("q") && v.trim().parse::<f32>() == Ok(0.0)
            })
        });
        let covers = |m: &String| {
            let m = essence(m);
            range == "*/*"
                || range == m
                || range
                    .strip_suffix("/*")
                    .is_some_and(|t| m.split('/').next() == Some(t))
        };
        !refused && answers.iter().any(covers)
    })
}
