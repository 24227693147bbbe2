//! Static descriptions of operations, emitted by the generator and read by
//! the transport, the validators and the conformance suite.
//!
//! Everything here is `'static` data so that a generated crate can describe
//! its whole API in `const`/`static` items with no allocation at start-up.

use std::fmt;

use crate::validate::Schema;
use crate::validate::request::ParamRule;
use crate::validate::verdict::Members;

/// An HTTP method an operation can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `PUT`
    Put,
    /// `POST`
    Post,
    /// `DELETE`
    Delete,
    /// `OPTIONS`
    Options,
    /// `HEAD`
    Head,
    /// `PATCH`
    Patch,
    /// `TRACE`
    Trace,
}

impl Method {
    /// The method as it is written on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }

    /// Parses a method name, case-insensitively.
    pub fn parse(name: &str) -> Option<Method> {
        const ALL: [Method; 8] = [
            Method::Get,
            Method::Put,
            Method::Post,
            Method::Delete,
            Method::Options,
            Method::Head,
            Method::Patch,
            Method::Trace,
        ];
        ALL.into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One piece of a path template: fixed text or a parameter's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    /// Text copied as it is, e.g. `/deviceManagement/windowsAutopilotDeploymentProfiles/`.
    Literal(&'static str),
    /// A path parameter, by its name in the spec.
    Param(&'static str),
}

/// The status a documented response applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusSpec {
    /// One exact status code, e.g. `204`.
    Code(u16),
    /// A class of codes, e.g. `2XX` is `Range(2)`.
    Range(u16),
    /// The `default` response: every status not documented otherwise.
    Default,
}

impl StatusSpec {
    /// Whether this entry covers `status` on its own (ignoring precedence).
    pub const fn covers(self, status: u16) -> bool {
        match self {
            StatusSpec::Code(code) => code == status,
            StatusSpec::Range(class) => status / 100 == class,
            StatusSpec::Default => true,
        }
    }
}

impl fmt::Display for StatusSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusSpec::Code(code) => write!(f, "{code}"),
            StatusSpec::Range(class) => write!(f, "{class}XX"),
            StatusSpec::Default => f.write_str("default"),
        }
    }
}

/// One documented response of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseSpec {
    /// Which statuses it documents.
    pub status: StatusSpec,
    /// The media type of its body, or `None` when it has no body.
    pub content_type: Option<&'static str>,
    /// Names of the headers it documents (e.g. `Retry-After`).
    pub headers: &'static [&'static str],
}

impl ResponseSpec {
    /// A documented response without a body or documented headers, e.g.
    /// `204 No Content`. Like the constructors below, it lets a generated
    /// route table give each response one short line.
    pub const fn no_body(status: StatusSpec) -> Self {
        ResponseSpec {
            status,
            content_type: None,
            headers: &[],
        }
    }

    /// A documented response with a body of this media type and no
    /// documented headers, e.g. `default` with `application/json`.
    pub const fn body(status: StatusSpec, content_type: &'static str) -> Self {
        ResponseSpec {
            status,
            content_type: Some(content_type),
            headers: &[],
        }
    }

    /// The same response, documenting these headers (e.g. `Retry-After`).
    pub const fn with_headers(self, headers: &'static [&'static str]) -> Self {
        ResponseSpec { headers, ..self }
    }
}

/// Where a non-body parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
    /// In a request header.
    Header,
    /// In the `Cookie` header, as `name=value`.
    Cookie,
}

/// How a request body travels, decided by the generator from its media
/// type: what the client writes, what the validators can judge, and what a
/// server reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// JSON (`application/json`, `...+json`): a typed value written with
    /// `serde_json`, judged against the schema.
    Json,
    /// `application/x-www-form-urlencoded`: a typed value written with
    /// `serde_urlencoded`; the value is judged against the schema before it
    /// is encoded, and a server reads the pairs back by the schema's
    /// property types.
    Form,
    /// Text (`text/plain`, `text/*`, XML): a UTF-8 string, judged as a JSON
    /// string against the schema (its length, pattern, format, enum).
    Text,
    /// One binary media type (`application/octet-stream`, `image/png`):
    /// bytes as given; nothing in them is judged.
    Binary,
    /// Bytes with a `Content-Type` the caller gives: a media range
    /// (`*/*`, `image/*`) or a `multipart/*` body the client does not
    /// build (another subtype, or a form without an object schema), whose
    /// boundary only the caller knows. The type must fall within the documented one; the bytes are
    /// not judged.
    Raw,
    /// `multipart/form-data` whose schema is an object: the client builds
    /// the parts from a typed form ([`crate::multipart`]), one part per
    /// property as [`Body::parts`] says, text parts judged against their
    /// property schemas; a server reads the body as a raw payload.
    Multipart,
}

/// How one property of a `multipart/form-data` body travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    /// A string, number or boolean (or a list of them, one part per item):
    /// its text, judged against the property schema.
    Text,
    /// A `format: binary` (or `byte`) string, or a list of them: a file
    /// part, bytes unjudged.
    File,
    /// Anything else (an object, a list of objects): one part holding the
    /// value as JSON text (`application/json`), judged against the
    /// property schema.
    Json,
}

/// One part of a `multipart/form-data` body, as the spec declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartRule {
    /// The property name: the part's `name` in `Content-Disposition`.
    pub name: &'static str,
    /// How its value travels.
    pub kind: PartKind,
    /// Whether the schema requires it.
    pub required: bool,
    /// The spec's `encoding.{name}.contentType`, when given.
    pub content_type: Option<&'static str>,
}

impl PartRule {
    /// An optional part of this kind, with no declared content type.
    pub const fn new(name: &'static str, kind: PartKind) -> Self {
        PartRule {
            name,
            kind,
            required: false,
            content_type: None,
        }
    }

    /// The same part, required.
    pub const fn required(self) -> Self {
        PartRule {
            required: true,
            ..self
        }
    }

    /// The same part, sent with this `Content-Type` (the spec's encoding).
    pub const fn content_type(self, content_type: &'static str) -> Self {
        PartRule {
            content_type: Some(content_type),
            ..self
        }
    }
}

/// A request body an operation takes: its media type and what the
/// validators judge it by.
#[derive(Debug, Clone, Copy)]
pub struct Body {
    /// The media type, e.g. `application/json`.
    pub media_type: &'static str,
    /// How it is written and read.
    pub kind: BodyKind,
    /// Whether the spec requires it.
    pub required: bool,
    /// Its schema ([`crate::validate::ANY`] for the kinds that are not
    /// judged).
    pub schema: &'static Schema,
    /// Whether decoding it into its Rust type already proves it valid, so
    /// a server may skip the separate pass (see
    /// [`crate::validate::body::decode_proven`]).
    pub typed_proves_valid: bool,
    /// When the schema is an object whose members can be judged one at a
    /// time, those members, classified once at compile time: the verdict
    /// reads such a body without the schema interpreter's dispatch.
    pub members: Option<Members>,
    /// Other media types the spec documents for this body. They travel as
    /// raw bytes with their own `Content-Type` (see
    /// [`crate::validate::client::Args::raw`]); their schemas are not
    /// judged.
    pub others: &'static [&'static str],
    /// The parts of a [`BodyKind::Multipart`] body, in the schema's
    /// property order; empty for other kinds.
    pub parts: &'static [PartRule],
}

impl Body {
    /// A required JSON body (`application/json`) with this schema, not
    /// proven by its type; `Members` are worked out here, at compile time
    /// when the route is a `static`. The modifiers below say otherwise,
    /// so that a generated route gives its body one short line.
    pub const fn json(schema: &'static Schema) -> Self {
        Body::of("application/json", schema)
    }

    /// A required body of another JSON-like media type
    /// (`application/merge-patch+json`).
    pub const fn of(media_type: &'static str, schema: &'static Schema) -> Self {
        Body {
            media_type,
            kind: BodyKind::Json,
            required: true,
            schema,
            typed_proves_valid: false,
            members: Members::new(schema),
            others: &[],
            parts: &[],
        }
    }

    /// A required body of a kind other than JSON; `schema` is what the
    /// validators judge (`ANY` when nothing is).
    pub const fn kind(media_type: &'static str, kind: BodyKind, schema: &'static Schema) -> Self {
        Body {
            kind,
            members: None,
            ..Body::of(media_type, schema)
        }
    }

    /// The same body, optional.
    pub const fn optional(self) -> Self {
        Body {
            required: false,
            ..self
        }
    }

    /// The same body, whose Rust type proves it valid when it decodes.
    pub const fn proven(self) -> Self {
        Body {
            typed_proves_valid: true,
            ..self
        }
    }

    /// The same body, sent as these `multipart/form-data` parts.
    pub const fn parts(self, parts: &'static [PartRule]) -> Self {
        Body { parts, ..self }
    }

    /// The same body, documented in these other media types too.
    pub const fn or(self, others: &'static [&'static str]) -> Self {
        Body { others, ..self }
    }

    /// Whether a `Content-Type` value (parameters aside) is this body's
    /// own media type: the same essence, or within its range for
    /// [`BodyKind::Raw`] (`*/*`, `image/*`).
    pub fn is_own(&self, content_type: &str) -> bool {
        media_matches(self.media_type, content_type)
    }

    /// The documented other media type a `Content-Type` value falls
    /// within, if any.
    pub fn other(&self, content_type: &str) -> Option<&'static str> {
        self.others
            .iter()
            .copied()
            .find(|m| media_matches(m, content_type))
    }

    /// Whether the JSON text `bytes` is a valid body: the verdict
    /// [`crate::validate::body::check`] gives, without its report.
    pub fn verdict(&self, bytes: &[u8]) -> bool {
        match &self.members {
            Some(members) => members.judge(bytes),
            None => crate::validate::verdict::valid(self.schema, bytes),
        }
    }
}

/// The essence of a media type: `type/subtype` without parameters, trimmed.
pub fn media_essence(media_type: &str) -> &str {
    media_type.split(';').next().unwrap_or("").trim()
}

/// Whether `content_type` (a concrete type as sent) falls within the
/// documented `media_type`, which may be a range (`*/*`, `text/*`).
/// Parameters are ignored on both sides; names compare without case.
pub fn media_matches(media_type: &str, content_type: &str) -> bool {
    let (want, got) = (media_essence(media_type), media_essence(content_type));
    if want == "*/*" {
        return got.contains('/');
    }
    match want.strip_suffix("/*") {
        Some(kind) => got
            .split_once('/')
            .is_some_and(|(k, _)| k.eq_ignore_ascii_case(kind)),
        None => want.eq_ignore_ascii_case(got),
    }
}

/// Everything the runtime needs to know about one operation: what the
/// transport sends, what the validators check on both sides, and what the
/// decoder expects back. Generated code hands a `&'static Route` to the
/// runtime's generic functions instead of repeating them per operation.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    /// The spec's `operationId`.
    pub operation_id: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template as the spec writes it, e.g. `/a/{id}/b`.
    pub template: &'static str,
    /// Path, query and header parameters with their rules, in the spec's
    /// order.
    pub params: &'static [ParamRule],
    /// The request body, when the operation takes one.
    pub body: Option<Body>,
    /// Whether the operation needs a credential (no security alternative
    /// of the spec is empty). With an empty [`Route::security`], the
    /// credential is `Authorization: Bearer`.
    pub auth: bool,
    /// The security alternatives, when the spec names schemes other than
    /// a bearer token: the client sends every scheme of the first
    /// alternative it holds credentials for, the server accepts a request
    /// that meets one alternative; an empty alternative means no
    /// credential is needed. Empty when every alternative is a bearer
    /// token (or nothing), which [`Route::auth`] then describes.
    pub security: &'static [&'static [Scheme]],
    /// Every documented response, in the spec's order.
    pub responses: &'static [ResponseSpec],
    /// Permission alternatives: the caller needs every scope of at least one
    /// inner list. Empty when the spec names no scopes.
    pub permissions: &'static [&'static [&'static str]],
    /// The spec's one-line summary.
    pub summary: &'static str,
    /// The operation's own `servers` (its operation's, else its path
    /// item's), with variables at their defaults; empty when it uses the
    /// document's, i.e. the client's base URL. The client sends to the
    /// first (see [`Client`](crate::Client) for how it is resolved), and
    /// [`Route::match_path`] expects the template under its path.
    pub servers: &'static [Server],
}

/// Two routes are the same when they describe the same operation: its id,
/// method and template (the rest follows from those in one table).
impl PartialEq for Route {
    fn eq(&self, other: &Self) -> bool {
        self.operation_id == other.operation_id
            && self.method == other.method
            && self.template == other.template
    }
}

impl Eq for Route {}

impl Route {
    /// The documented response that applies to `status`, using OpenAPI's
    /// precedence: exact code, then range, then `default`.
    pub fn response_for(&self, status: u16) -> Option<&'static ResponseSpec> {
        let by = |want: fn(&StatusSpec) -> bool| {
            self.responses
                .iter()
                .find(|r| want(&r.status) && r.status.covers(status))
        };
        by(|s| matches!(s, StatusSpec::Code(_)))
            .or_else(|| by(|s| matches!(s, StatusSpec::Range(_))))
            .or_else(|| by(|s| matches!(s, StatusSpec::Default)))
    }

    /// Whether `status` is a success the spec documents for this route: a
    /// 2xx matched by an exact code or a `2XX` range (never by `default`).
    pub fn is_documented_success(&self, status: u16) -> bool {
        (200..300).contains(&status)
            && self
                .response_for(status)
                .is_some_and(|r| !matches!(r.status, StatusSpec::Default))
    }

    /// The template split into literal text and parameters, read from
    /// [`Route::template`] (which the generator has checked) as needed.
    pub fn segments(&self) -> Segments {
        Segments {
            rest: self.template,
        }
    }

    /// The names of the template's path parameters, in order.
    pub fn path_param_names(&self) -> impl Iterator<Item = &'static str> {
        self.segments().filter_map(|s| match s {
            Segment::Param(name) => Some(name),
            Segment::Literal(_) => None,
        })
    }

    /// Renders the path with each parameter percent-encoded as exactly one
    /// segment, in its style (see [`crate::validate::path_style`]: an
    /// array or object parameter's value is its JSON text). `values`
    /// follow the order of [`Segment::Param`]s in the template; a missing
    /// value renders as an empty segment.
    pub fn render_path(&self, values: &[&str]) -> String {
        let mut out = String::with_capacity(self.template.len() + 16);
        let mut next = values.iter();
        for segment in self.segments() {
            match segment {
                Segment::Literal(text) => out.push_str(text),
                Segment::Param(name) => {
                    let Some(value) = next.next() else {
                        continue;
                    };
                    match self.styled_path_rule(name) {
                        Some(rule) => {
                            out.push_str(&crate::validate::path_style::render(rule, value))
                        }
                        None => out.push_str(&crate::path::encode_segment(value)),
                    }
                }
            }
        }
        out
    }

    /// The rule of path parameter `name` when its value is spelt by its
    /// style rather than as one plain segment.
    pub(crate) fn styled_path_rule(&self, name: &str) -> Option<&'static ParamRule> {
        self.params.iter().find(|p| {
            p.location == ParamLocation::Path
                && p.name == name
                && crate::validate::path_style::is_styled(p)
        })
    }

    /// Matches a request path (without query string or service root) against
    /// the template; returns the percent-decoded parameter values by name.
    ///
    /// For a route with its own [`Route::servers`], the template is
    /// expected under one of their paths (`/upload` + `/files/{id}`): that
    /// is where a client whose base URL is loopback sends it, so that one
    /// local server sees every call.
    pub fn match_path(&self, path: &str) -> Option<Vec<(&'static str, String)>> {
        self.match_path_raw(path)?
            .into_iter()
            .map(|(name, raw)| Some((name, crate::path::decode_segment(raw)?)))
            .collect()
    }

    /// [`Route::match_path`] without the decoding: each parameter's
    /// segment text as it came, still percent-encoded (a styled value is
    /// split before its pieces are decoded).
    pub fn match_path_raw<'p>(&self, path: &'p str) -> Option<Vec<(&'static str, &'p str)>> {
        if self.servers.is_empty() {
            return self.match_template(path);
        }
        self.servers.iter().find_map(|server| {
            let under = server_path(server.url);
            let rest = if under.is_empty() {
                path
            } else {
                path.strip_prefix('/')?.strip_prefix(under)?
            };
            self.match_template(rest)
        })
    }

    /// [`Route::match_path`] against the bare template.
    fn match_template<'p>(&self, path: &'p str) -> Option<Vec<(&'static str, &'p str)>> {
        let mut rest = path;
        let mut found = Vec::new();
        let mut segments = self.segments().peekable();
        while let Some(segment) = segments.next() {
            match segment {
                Segment::Literal(text) => rest = rest.strip_prefix(text)?,
                Segment::Param(name) => {
                    // A parameter ends at the next literal, which in a path
                    // template always starts with '/' or is the end.
                    let end = match segments.peek() {
                        Some(Segment::Literal(next)) => {
                            let stop = next.find('/').unwrap_or(next.len());
                            let anchor = &next[..stop];
                            if anchor.is_empty() {
                                rest.find('/').unwrap_or(rest.len())
                            } else {
                                rest.find(anchor)?
                            }
                        }
                        _ => rest.find('/').unwrap_or(rest.len()),
                    };
                    let raw = &rest[..end];
                    if raw.contains('/') {
                        return None;
                    }
                    found.push((name, raw));
                    rest = &rest[end..];
                }
            }
        }
        rest.is_empty().then_some(found)
    }
}

/// The pieces of a path template in order: literal text up to each
/// `{`, and each `{name}` as a parameter.
#[derive(Debug, Clone)]
pub struct Segments {
    rest: &'static str,
}

impl Iterator for Segments {
    type Item = Segment;

    fn next(&mut self) -> Option<Segment> {
        if self.rest.is_empty() {
            return None;
        }
        if let Some(after) = self.rest.strip_prefix('{') {
            // An unclosed `{` cannot come from the generator; it ends the
            // template.
            let close = after.find('}')?;
            self.rest = &after[close + 1..];
            return Some(Segment::Param(&after[..close]));
        }
        let end = self.rest.find('{').unwrap_or(self.rest.len());
        let (text, rest) = self.rest.split_at(end);
        self.rest = rest;
        Some(Segment::Literal(text))
    }
}

/// Where an API key travels (`in` of an `apiKey` security scheme).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPlace {
    /// A request header of the scheme's name.
    Header,
    /// A query parameter of the scheme's name.
    Query,
    /// A cookie of the scheme's name.
    Cookie,
}

/// One security scheme of a security alternative, as the runtime sends
/// and checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `Authorization: Bearer <token>` (OAuth 2.0, OpenID Connect, HTTP
    /// `bearer`): the client's token provider.
    Bearer,
    /// `Authorization: Basic <base64 of user:password>` (HTTP `basic`): the
    /// credentials given to
    /// [`ClientBuilder::basic_auth`](crate::ClientBuilder::basic_auth).
    Basic,
    /// An API key (`apiKey`): the key given to
    /// [`ClientBuilder::api_key`](crate::ClientBuilder::api_key) for
    /// `scheme`, sent as `name` in `place`.
    ApiKey {
        /// The scheme's key in `components/securitySchemes`, by which the
        /// client is given the key.
        scheme: &'static str,
        /// The header, query parameter or cookie name.
        name: &'static str,
        /// Where it travels.
        place: KeyPlace,
    },
    /// A scheme the runtime cannot send (HTTP `digest`, say): an
    /// alternative that needs it is never chosen by the client, and the
    /// server-side validators cannot check it, so they let it pass.
    Unsupported {
        /// The scheme's key in `components/securitySchemes`.
        scheme: &'static str,
    },
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scheme::Bearer => f.write_str("a bearer token"),
            Scheme::Basic => f.write_str("basic credentials"),
            Scheme::ApiKey {
                scheme,
                name,
                place,
            } => {
                let place = match place {
                    KeyPlace::Header => "header",
                    KeyPlace::Query => "query parameter",
                    KeyPlace::Cookie => "cookie",
                };
                write!(f, "API key `{scheme}` (the {place} `{name}`)")
            }
            Scheme::Unsupported { scheme } => {
                write!(f, "`{scheme}`, which this runtime cannot send")
            }
        }
    }
}

/// The path of a server URL without its leading and trailing slashes:
/// `v1` for `https://host/v1/`, `/v1`, `v1` and `./v1`; empty for
/// `https://host` and `/`.
pub fn server_path(url: &str) -> &str {
    let path = match url.split_once("://") {
        Some((_, after)) => after.find('/').map_or("", |at| &after[at..]),
        None => url,
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    let path = path.strip_prefix("./").unwrap_or(path);
    path.trim_matches('/')
}

/// The service a spec describes, as much of it as the client's behaviour
/// depends on. Generated crates emit one as `SERVICE` and hand it to
/// [`Client::for_service`](crate::Client::for_service).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Service {
    /// The spec's `info.title`.
    pub title: &'static str,
    /// The spec's `servers`, in its order.
    pub servers: &'static [Server],
    /// Whether the spec describes Microsoft Graph (a server is a Graph
    /// service root, by host or `x-cloud`, or an operation lists
    /// `x-graph-permissions`). Graph-only behaviour follows it: the Graph
    /// service root as the default base URL and permission preflight.
    pub graph: bool,
}

/// A service root the spec lists in `servers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Server {
    /// The service root, including the version segment.
    pub url: &'static str,
    /// What the spec says of it.
    pub description: &'static str,
    /// The cloud's short name from the server's `x-cloud` extension
    /// (`global`, `usgov`, `usgov-dod`, `china`), when the spec gives one.
    pub cloud: Option<&'static str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_read_from_the_template() {
        let route = Route {
            operation_id: "op",
            method: Method::Get,
            template: "/a/{id}/b{x}.{y}",
            params: &[],
            body: None,
            auth: false,
            security: &[],
            responses: &[],
            permissions: &[],
            summary: "",
            servers: &[],
        };
        let segments: Vec<Segment> = route.segments().collect();
        assert_eq!(
            segments,
            [
                Segment::Literal("/a/"),
                Segment::Param("id"),
                Segment::Literal("/b"),
                Segment::Param("x"),
                Segment::Literal("."),
                Segment::Param("y"),
            ]
        );
        assert_eq!(route.render_path(&["1 2", "p", "q"]), "/a/1%202/bp.q");
    }

    #[test]
    fn a_route_with_servers_matches_under_their_paths() {
        static UPLOAD: [Server; 2] = [
            Server {
                url: "https://upload.example.invalid/files/v2/",
                description: "",
                cloud: None,
            },
            Server {
                url: "./store",
                description: "",
                cloud: None,
            },
        ];
        let route = Route {
            operation_id: "op",
            method: Method::Put,
            template: "/items/{id}",
            params: &[],
            body: None,
            auth: false,
            security: &[],
            responses: &[],
            permissions: &[],
            summary: "",
            servers: &UPLOAD,
        };
        let id = |path| route.match_path(path).map(|found| found[0].1.clone());
        assert_eq!(id("/files/v2/items/a%20b").as_deref(), Some("a b"));
        assert_eq!(id("/store/items/x").as_deref(), Some("x"));
        assert_eq!(id("/items/x"), None);
        assert_eq!(id("/files/v2x/items/x"), None);
        assert_eq!(server_path("https://h"), "");
        assert_eq!(server_path("/"), "");
        assert_eq!(server_path("upload"), "upload");
        assert_eq!(server_path("https://h/a/b/?q"), "a/b");
    }

    #[test]
    fn shorthands_build_the_plain_values() {
        assert_eq!(
            ResponseSpec::no_body(StatusSpec::Code(204)),
            ResponseSpec {
                status: StatusSpec::Code(204),
                content_type: None,
                headers: &[],
            }
        );
        assert_eq!(
            ResponseSpec::body(StatusSpec::Default, "application/json"),
            ResponseSpec {
                status: StatusSpec::Default,
                content_type: Some("application/json"),
                headers: &[],
            }
        );
        assert_eq!(
            ResponseSpec::body(StatusSpec::Code(429), "application/json")
                .with_headers(&["Retry-After"]),
            ResponseSpec {
                status: StatusSpec::Code(429),
                content_type: Some("application/json"),
                headers: &["Retry-After"],
            }
        );
    }
}
