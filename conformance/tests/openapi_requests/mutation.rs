//! Negative requests: the mutations a generic OpenAPI testing tool
//! applies to a valid request (headers, path, method, query; the body's
//! are in [`super::body`]), as proptest strategies that shrink.

use proptest::prelude::*;
use proptest::sample::{Index, select};

use super::body::{self, BodyMutation};

/// A header the rules below care about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Authorization,
    ContentType,
    Accept,
    ClientRequestId,
    Other,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Authorization => "authorization",
            Kind::ContentType => "content-type",
            Kind::Accept => "accept",
            Kind::ClientRequestId => "client-request-id",
            Kind::Other => "x-other",
        }
    }
}

/// Malformed credentials (built around the base token, never shown).
#[derive(Debug, Clone, Copy)]
pub enum BadAuth {
    Basic,
    SchemeOnly,
    EmptyToken,
    SpaceInside,
    Comma,
    Tab,
    OtherScheme,
    OnlyEquals,
    InnerEquals,
    Quoted,
    ObsText,
    NonAscii,
    EmptyValue,
}

pub const BAD_AUTHS: &[BadAuth] = &[
    BadAuth::Basic,
    BadAuth::SchemeOnly,
    BadAuth::EmptyToken,
    BadAuth::SpaceInside,
    BadAuth::Comma,
    BadAuth::Tab,
    BadAuth::OtherScheme,
    BadAuth::OnlyEquals,
    BadAuth::InnerEquals,
    BadAuth::Quoted,
    BadAuth::ObsText,
    BadAuth::NonAscii,
    BadAuth::EmptyValue,
];

impl BadAuth {
    pub fn value(self, token: &str) -> Vec<u8> {
        let text = match self {
            BadAuth::Basic => "Basic dXNlcjpwYXNz".to_string(),
            BadAuth::SchemeOnly => "Bearer".into(),
            BadAuth::EmptyToken => "Bearer ".into(),
            BadAuth::SpaceInside => format!("Bearer {token} {token}"),
            BadAuth::Comma => format!("Bearer {token},x"),
            BadAuth::Tab => format!("Bearer\t{token}"),
            BadAuth::OtherScheme => format!("Token {token}"),
            BadAuth::OnlyEquals => "Bearer ==".into(),
            BadAuth::InnerEquals => "Bearer a=b".into(),
            BadAuth::Quoted => format!("Bearer \"{token}\""),
            BadAuth::ObsText => {
                let mut bytes = format!("Bearer {token}").into_bytes();
                bytes.extend_from_slice(b"\xff\xfe");
                return bytes;
            }
            BadAuth::NonAscii => format!("Bearer {token}é"),
            BadAuth::EmptyValue => String::new(),
        };
        text.into_bytes()
    }
}

/// Content types that are not JSON.
pub const BAD_CONTENT_TYPES: &[&str] = &[
    "text/plain",
    "application/xml",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/jsonx",
    "json",
    "application/*",
    "*/*",
    "",
    "application/json-patch+json",
    "text/json",
];

/// Charsets other than UTF-8 on a JSON type.
pub const OTHER_CHARSETS: &[&str] = &["iso-8859-1", "utf-16", "us-ascii"];

/// `Accept` values that admit no JSON (checked against the spec below).
pub const BAD_ACCEPTS: &[&str] = &[
    "application/xml",
    "text/html",
    "text/plain",
    "image/png",
    "application/json;q=0",
    "application/atom+xml",
];

/// Path parameter values that do not decode to UTF-8.
pub const UNDECODABLE: &[&str] = &[
    "%FF",
    "%C3",
    "%E6%97",
    "%ED%A0%80",
    "%C0%AF",
    "x%F4%90%80%80",
];

/// Service roots that are not the spec's.
pub const OTHER_ROOTS: &[&str] = &["", "/v1.0", "/BETA", "/beta/beta", "/betaa"];

/// Methods the operations do not define (extension method included).
pub const METHODS: &[&str] = &[
    "GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "POST", "PURGE",
];

/// Query strings for operations that declare no query parameters.
pub const QUERIES: &[&str] = &[
    "",
    "$select=id",
    "$top=1&$skip=2",
    "api-version=2024-01-01",
    "deviceIds=a",
    "a=b&a=c",
    "%zz",
    "=",
    "&&",
    "x=%E6%97%A5",
    "$filter=startswith(id,'a')",
];

/// A change to a literal path segment.
#[derive(Debug, Clone)]
pub enum Tweak {
    Append(char),
    Upper,
    FlipFirst,
    Drop,
    Replace(String),
    Repeat,
}

/// A change to headers.
#[derive(Debug, Clone)]
pub enum HeaderMutation {
    /// Remove every line of this header.
    Drop(Kind),
    /// Malformed credentials.
    BadAuth(BadAuth),
    /// The header's line twice.
    Duplicate(Kind),
    /// A media type the operation does not take.
    BadContentType(&'static str),
    /// JSON in another charset.
    OtherCharset(&'static str),
    /// An `Accept` that admits no documented answer.
    BadAccept(&'static str),
    /// A second `Accept` line (good or bad).
    MoreAccept(Index),
    /// A header the spec does not mention.
    Extra(String, String),
}

/// A change to the path.
#[derive(Debug, Clone)]
pub enum PathMutation {
    /// A parameter's segment left empty.
    EmptyParam(Index),
    /// A parameter that does not decode to UTF-8.
    Undecodable(Index, &'static str),
    /// A literal segment changed.
    Tweak(Index, Tweak),
    /// `/` at the end.
    TrailingSlash,
    /// One more segment at the end.
    ExtraSegment(String),
    /// An empty segment inserted.
    DoubleSlash(Index),
    /// Another service root.
    Root(&'static str),
}

/// One mutation of a valid request.
#[derive(Debug, Clone)]
pub enum Mutation {
    Body(BodyMutation),
    Header(HeaderMutation),
    Path(PathMutation),
    /// Another method; `bool`: keep the body.
    Method(&'static str, bool),
    /// A query string.
    Query(String),
}

pub fn header_mutation() -> impl Strategy<Value = HeaderMutation> {
    let kind = select(
        &[
            Kind::Authorization,
            Kind::ContentType,
            Kind::Accept,
            Kind::ClientRequestId,
        ][..],
    );
    prop_oneof![
        3 => kind.clone().prop_map(HeaderMutation::Drop),
        4 => select(BAD_AUTHS).prop_map(HeaderMutation::BadAuth),
        2 => kind.prop_map(HeaderMutation::Duplicate),
        3 => select(BAD_CONTENT_TYPES).prop_map(HeaderMutation::BadContentType),
        1 => select(OTHER_CHARSETS).prop_map(HeaderMutation::OtherCharset),
        2 => select(BAD_ACCEPTS).prop_map(HeaderMutation::BadAccept),
        1 => any::<Index>().prop_map(HeaderMutation::MoreAccept),
        1 => ("x-[a-z]{1,10}", "[!-~]{1,20}").prop_map(|(n, v)| HeaderMutation::Extra(n, v)),
    ]
}

pub fn path_mutation() -> impl Strategy<Value = PathMutation> {
    let tweak = prop_oneof![
        select(&['x', 's', '1', '_', '-'][..]).prop_map(Tweak::Append),
        Just(Tweak::Upper),
        Just(Tweak::FlipFirst),
        Just(Tweak::Drop),
        "[a-z]{1,10}".prop_map(Tweak::Replace),
        Just(Tweak::Repeat),
    ];
    prop_oneof![
        2 => any::<Index>().prop_map(PathMutation::EmptyParam),
        2 => (any::<Index>(), select(UNDECODABLE)).prop_map(|(i, s)| PathMutation::Undecodable(i, s)),
        3 => (any::<Index>(), tweak).prop_map(|(i, t)| PathMutation::Tweak(i, t)),
        1 => Just(PathMutation::TrailingSlash),
        1 => "[a-zA-Z0-9]{1,10}".prop_map(PathMutation::ExtraSegment),
        1 => any::<Index>().prop_map(PathMutation::DoubleSlash),
        1 => select(OTHER_ROOTS).prop_map(PathMutation::Root),
    ]
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        9 => body::mutation().prop_map(Mutation::Body),
        6 => header_mutation().prop_map(Mutation::Header),
        4 => path_mutation().prop_map(Mutation::Path),
        2 => (select(METHODS), any::<bool>()).prop_map(|(m, b)| Mutation::Method(m, b)),
        2 => prop_oneof![select(QUERIES).prop_map(str::to_string), "[a-z$]{1,8}=[a-zA-Z0-9%]{0,10}"]
            .prop_map(Mutation::Query),
    ]
}

pub fn header_label(m: &HeaderMutation) -> &'static str {
    match m {
        HeaderMutation::Drop(Kind::Authorization) => "no-authorization",
        HeaderMutation::Drop(Kind::ContentType) => "no-content-type",
        HeaderMutation::Drop(_) => "header-dropped",
        HeaderMutation::BadAuth(_) => "bad-authorization",
        HeaderMutation::Duplicate(Kind::Authorization) => "authorization-twice",
        HeaderMutation::Duplicate(Kind::ContentType) => "content-type-twice",
        HeaderMutation::Duplicate(Kind::Accept) => "accept-twice",
        HeaderMutation::Duplicate(_) => "client-request-id-twice",
        HeaderMutation::BadContentType(_) => "bad-content-type",
        HeaderMutation::OtherCharset(_) => "other-charset",
        HeaderMutation::BadAccept(_) => "bad-accept",
        HeaderMutation::MoreAccept(_) => "second-accept",
        HeaderMutation::Extra(..) => "extra-header",
    }
}
