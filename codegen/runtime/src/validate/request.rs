//! A raw HTTP request as a server receives it, and the checks every
//! generated operation makes on it: route, path and query parameters,
//! headers, body.
//!
//! Locations name the part of the request first: `/path/{name}`,
//! `/query/{name}`, `/headers/{lower-case name}`, `/body/...`.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::pointer::insert_token;
use super::{Kind, Pointer, Schema, StringRules, body, path_style, resolve, styles, walk};
use crate::{Method, ParamLocation, Route, Violation};

/// A request as received: nothing decoded yet.
#[derive(Debug, Clone, Copy)]
pub struct RawRequest<'a> {
    /// The method as sent (`POST`).
    pub method: &'a str,
    /// The path relative to the service root, still percent-encoded.
    pub path: &'a str,
    /// The raw query string, without `?`.
    pub query: Option<&'a str>,
    /// Header names and values; names compare case-insensitively.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body bytes (empty when there is none).
    pub body: &'a [u8],
}

/// A part of the request was refused; the reasons were added to the
/// violation list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused;

/// Why no operation takes a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteMiss {
    /// No route has this path.
    Unknown,
    /// Routes have this path, but none with this method; these do.
    Method(Vec<Method>),
}

/// Finds the route for `method` and `path` among `routes`; gives its index
/// and the path parameters' segments, still percent-encoded.
///
/// When several templates match the path (`/a/{id}` and `/a/b`), the one
/// with fewer parameters wins, as literal segments are more specific.
#[allow(clippy::type_complexity)]
pub fn find_route(
    routes: &[&'static Route],
    method: &str,
    path: &str,
) -> Result<(usize, Vec<(&'static str, String)>), RouteMiss> {
    let wanted = Method::parse(method);
    let mut allow = Vec::new();
    let mut best: Option<(usize, Vec<(&'static str, String)>)> = None;
    for (index, route) in routes.iter().enumerate() {
        // Segments stay encoded: a styled value is split before its
        // pieces are decoded (see `RawRequest::path_param`); a route
        // matches only where every segment decodes to UTF-8.
        let Some(raw) = route.match_path_raw(path) else {
            continue;
        };
        if raw
            .iter()
            .any(|(_, r)| crate::path::decode_segment(r).is_none())
        {
            continue;
        }
        let params: Vec<(&'static str, String)> =
            raw.into_iter().map(|(n, r)| (n, r.to_string())).collect();
        if Some(route.method) != wanted {
            allow.push(route.method);
            continue;
        }
        if best.as_ref().is_none_or(|(_, b)| params.len() < b.len()) {
            best = Some((index, params));
        }
    }
    match best {
        Some(found) => Ok(found),
        None if allow.is_empty() => Err(RouteMiss::Unknown),
        None => {
            allow.sort();
            allow.dedup();
            Err(RouteMiss::Method(allow))
        }
    }
}

/// How a parameter's text becomes a JSON value before its schema is
/// checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// Taken as a string.
    String,
    /// Read as a JSON number.
    Integer,
    /// Read as a JSON number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// Read as JSON text (objects, or no type at all).
    Json,
}

/// How a parameter's value is spelt (OpenAPI `style`, and `content` for a
/// JSON-encoded one). Arrays and objects differ by style; a scalar is its
/// text in every style but [`Style::Json`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `form` in the query and cookies, `simple` in the path and headers
    /// (the defaults): arrays comma-separated, or in the query with
    /// `explode` one pair per item; objects `key,value,key,value`, or with
    /// `explode` one pair per property (query) or `key=value,...`
    /// (path, headers).
    Form,
    /// `spaceDelimited` (query): arrays and objects separated by spaces.
    SpaceDelimited,
    /// `pipeDelimited` (query): arrays and objects separated by `|`.
    PipeDelimited,
    /// `deepObject` (query): one pair `name[key]=value` per property.
    DeepObject,
    /// `content: {application/json: ...}`: the whole value as JSON text.
    Json,
    /// `label` (path): `.` before the value, and between exploded items
    /// (see [`super::path_style`]).
    Label,
    /// `matrix` (path): `;name=` before the value, and before each
    /// exploded item (see [`super::path_style`]).
    Matrix,
}

impl Style {
    /// What separates the items of an array (and the keys and values of
    /// an object) written as one value.
    pub const fn delimiter(self) -> char {
        match self {
            Style::SpaceDelimited => ' ',
            Style::PipeDelimited => '|',
            Style::Form | Style::DeepObject | Style::Json | Style::Label | Style::Matrix => ',',
        }
    }
}

/// A path, query or header parameter as the route table describes it:
/// where it travels, and the rules the validators judge it by.
#[derive(Debug)]
pub struct ParamRule {
    /// Its name in the spec (and on the wire).
    pub name: &'static str,
    /// Where it travels.
    pub location: ParamLocation,
    /// Whether it must be given.
    pub required: bool,
    /// Its schema.
    pub schema: &'static Schema,
    /// How to read one value.
    pub scalar: Scalar,
    /// Whether it is an array of such values.
    pub array: bool,
    /// For arrays in the query (and a choice with a list among its
    /// variants): one `name=value` pair per item (`explode`) rather than
    /// one comma-separated value; for objects, see [`Style`].
    pub explode: bool,
    /// How the value is spelt.
    pub style: Style,
}

impl ParamRule {
    /// A path parameter (OpenAPI requires every one), holding one value.
    /// This and the other constructors are shorthands for the struct
    /// literal, so that a generated route gives each parameter a line.
    pub const fn path(name: &'static str, scalar: Scalar, schema: &'static Schema) -> Self {
        ParamRule {
            name,
            location: ParamLocation::Path,
            required: true,
            schema,
            scalar,
            array: false,
            explode: false,
            style: Style::Form,
        }
    }

    /// An optional query parameter holding one value.
    pub const fn query(name: &'static str, scalar: Scalar, schema: &'static Schema) -> Self {
        ParamRule {
            location: ParamLocation::Query,
            required: false,
            ..ParamRule::path(name, scalar, schema)
        }
    }

    /// An optional header parameter holding one value.
    pub const fn header(name: &'static str, scalar: Scalar, schema: &'static Schema) -> Self {
        ParamRule {
            location: ParamLocation::Header,
            ..ParamRule::query(name, scalar, schema)
        }
    }

    /// The same parameter, required.
    pub const fn required(self) -> Self {
        ParamRule {
            required: true,
            ..self
        }
    }

    /// An optional cookie parameter holding one value.
    pub const fn cookie(name: &'static str, scalar: Scalar, schema: &'static Schema) -> Self {
        ParamRule {
            location: ParamLocation::Cookie,
            ..ParamRule::query(name, scalar, schema)
        }
    }

    /// The same parameter, spelt in `style`; `explode` as the field says
    /// (objects explode, like arrays, where the spec says so).
    pub const fn style(self, style: Style, explode: bool) -> Self {
        ParamRule {
            style,
            explode,
            ..self
        }
    }

    /// The same parameter as an array of its scalar; `explode` as the
    /// field says.
    pub const fn array(self, explode: bool) -> Self {
        ParamRule {
            array: true,
            explode,
            ..self
        }
    }

    /// Whether each item of an array (each property of an object) is a
    /// pair of its own: `explode` in the query, outside `deepObject` and
    /// JSON. (In a header or cookie, `explode` only writes an object's
    /// properties as `key=value`.)
    pub const fn repeats(&self) -> bool {
        self.explode
            && matches!(self.location, ParamLocation::Query)
            && !matches!(self.style, Style::Json | Style::DeepObject)
    }

    /// Turns texts into the JSON value the schema judges.
    fn value(&self, texts: &[String]) -> Value {
        if self.style == Style::Json {
            return read(Scalar::Json, texts.first().map_or("", String::as_str));
        }
        if self.array {
            let items: Vec<&str> = if self.repeats() {
                texts.iter().map(String::as_str).collect()
            } else {
                texts
                    .first()
                    .map(|t| {
                        if t.is_empty() {
                            Vec::new()
                        } else {
                            t.split(self.style.delimiter()).collect()
                        }
                    })
                    .unwrap_or_default()
            };
            Value::Array(items.into_iter().map(|t| read(self.scalar, t)).collect())
        } else if texts.len() > 1 {
            // A choice with a list among its variants, exploded: a list.
            Value::Array(texts.iter().map(|t| read(self.scalar, t)).collect())
        } else {
            read(self.scalar, texts.first().map_or("", String::as_str))
        }
    }
}

/// Reads one parameter text as `scalar`; text that does not read stays a
/// string, so the schema reports a `type` violation for it.
pub(crate) fn read(scalar: Scalar, text: &str) -> Value {
    let parsed = match scalar {
        Scalar::String => None,
        Scalar::Integer | Scalar::Number => {
            text.parse::<serde_json::Number>().ok().map(Value::Number)
        }
        Scalar::Boolean => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        Scalar::Json => serde_json::from_str(text).ok(),
    };
    parsed.unwrap_or_else(|| Value::String(text.to_string()))
}

/// A location under a request part, e.g. `/query` + `$top`.
fn location(part: &str, name: &str) -> Pointer {
    let mut at = Pointer::new(part);
    at.push_key(name);
    at
}

impl<'a> RawRequest<'a> {
    /// Values of header `name`, in order (case-insensitive name).
    pub fn header_values(&self, name: &str) -> Vec<&'a str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
            .collect()
    }

    /// Values of query parameter `name`, decoded (`+` is a space).
    pub fn query_values(&self, name: &str) -> Vec<String> {
        let Some(query) = self.query else {
            return Vec::new();
        };
        url::form_urlencoded::parse(query.as_bytes())
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .collect()
    }

    /// Checks a path parameter (its segment as [`find_route`] found it,
    /// still encoded) and returns its decoded text; for `label`/`matrix`
    /// without the style's prefix.
    pub fn path_param(
        &self,
        found: &[(&'static str, String)],
        rule: &ParamRule,
        out: &mut Vec<Violation>,
    ) -> Option<String> {
        let raw = found_segment(found, rule, out)?;
        let text = if path_style::is_styled(rule) {
            match path_style::decode(rule, raw) {
                Ok(Value::String(text)) => text,
                Ok(other) => other.to_string(),
                Err(problem) => {
                    out.push(style_violation(rule, problem));
                    return None;
                }
            }
        } else {
            crate::path::decode_segment(raw)?
        };
        check_path_text(rule, &text, out).then_some(text)
    }

    /// Checks an array or object path parameter, read back as its style
    /// spells it, and decodes it as `T`.
    pub fn path_value<T: DeserializeOwned>(
        &self,
        found: &[(&'static str, String)],
        rule: &ParamRule,
        out: &mut Vec<Violation>,
    ) -> Option<T> {
        typed(self.path_value_judged(found, rule, out), out)
    }

    /// [`RawRequest::path_value`] up to reading the type.
    fn path_value_judged(
        &self,
        found: &[(&'static str, String)],
        rule: &ParamRule,
        out: &mut Vec<Violation>,
    ) -> Option<(Value, Pointer)> {
        let raw = found_segment(found, rule, out)?;
        match path_style::decode(rule, raw) {
            Ok(value) => judged(rule, location("/path", rule.name), value, out),
            Err(problem) => {
                out.push(style_violation(rule, problem));
                None
            }
        }
    }

    /// Checks a query parameter and decodes it as `T`. `None` when it is
    /// absent or invalid (a violation is added in the invalid case, and
    /// when a required one is absent).
    pub fn query_param<T: DeserializeOwned>(
        &self,
        rule: &ParamRule,
        out: &mut Vec<Violation>,
    ) -> Option<T> {
        typed(self.query_param_judged(rule, out), out)
    }

    /// [`RawRequest::query_param`] up to reading the type.
    fn query_param_judged(
        &self,
        rule: &ParamRule,
        out: &mut Vec<Violation>,
    ) -> Option<(Value, Pointer)> {
        let at = location("/query", rule.name);
        if let Some(rules) = styles::object_rules(rule)
            && (rule.style == Style::DeepObject || rule.repeats())
        {
            // One pair per property: gathered from the whole query.
            let pairs: Vec<(String, String)> = self
                .query
                .map(|q| {
                    url::form_urlencoded::parse(q.as_bytes())
                        .filter_map(|(k, v)| {
                            styles::object_key(rule, rules, &k)
                                .map(|key| (key.to_string(), v.into_owned()))
                        })
                        .collect()
                })
                .unwrap_or_default();
            if pairs.is_empty() {
                return missing(rule, &at, "query parameter", out);
            }
            return judged(rule, at, styles::object_value(rules, &pairs), out);
        }
        let texts = self.query_values(rule.name);
        param_judged(rule, at, &texts, "query parameter", out)
    }

    /// Checks a cookie parameter and decodes it as `T`, like
    /// [`RawRequest::query_param`]; located at `/cookies/{name}`.
    pub fn cookie_param<T: DeserializeOwned>(
        &self,
        rule: &ParamRule,
        out: &mut Vec<Violation>,
    ) -> Option<T> {
        typed(self.cookie_param_judged(rule, out), out)
    }

    /// [`RawRequest::cookie_param`] up to reading the type.
    fn cookie_param_judged(
        &self,
        rule: &ParamRule,
        out: &mut Vec<Violation>,
    ) -> Option<(Value, Pointer)> {
        let texts = self.cookie_values(rule.name);
        param_judged(rule, location("/cookies", rule.name), &texts, "cookie", out)
    }

    /// Checks a header parameter and decodes it as `T`, like
    /// [`RawRequest::query_param`].
    pub fn header_param<T: DeserializeOwned>(
        &self,
        rule: &ParamRule,
        out: &mut Vec<Violation>,
    ) -> Option<T> {
        typed(self.header_param_judged(rule, out), out)
    }

    /// [`RawRequest::header_param`] up to reading the type.
    fn header_param_judged(
        &self,
        rule: &ParamRule,
        out: &mut Vec<Violation>,
    ) -> Option<(Value, Pointer)> {
        let texts: Vec<String> = self
            .header_values(rule.name)
            .into_iter()
            .map(str::to_string)
            .collect();
        let at = location("/headers", &rule.name.to_ascii_lowercase());
        // A header repeated is the same as its values joined by commas.
        let texts = if texts.len() > 1 {
            vec![texts.join(",")]
        } else {
            texts
        };
        param_judged(rule, at, &texts, "header", out)
    }

    /// `Authorization: Bearer <token>`: present once and well-formed. The
    /// token never appears in a message.
    pub fn check_bearer(&self, out: &mut Vec<Violation>) {
        let at = "/headers/authorization";
        let values = self.header_values("authorization");
        let value = match values.as_slice() {
            [] => {
                out.push(Violation::new(
                    at,
                    "required",
                    "the operation needs `Authorization: Bearer <token>`, and the header is missing",
                ));
                return;
            }
            [one] => *one,
            many => {
                out.push(Violation::new(
                    at,
                    "format",
                    format!(
                        "the header must be sent once, was sent {} times",
                        many.len()
                    ),
                ));
                return;
            }
        };
        if let Some(problem) = bearer_problem(value) {
            out.push(Violation::new(
                at,
                "format",
                format!("must be `Bearer <token>`: {problem}"),
            ));
        }
    }

    /// `Content-Type` must name `media_type` (parameters aside; a range
    /// such as `*/*` admits any type within it; a `charset` must be UTF-8).
    pub fn check_content_type(&self, media_type: &str, out: &mut Vec<Violation>) {
        let at = "/headers/content-type";
        let values = self.header_values("content-type");
        let Some(value) = values.first() else {
            out.push(Violation::new(
                at,
                "required",
                format!("a body was sent without `Content-Type: {media_type}`"),
            ));
            return;
        };
        if values.len() > 1 {
            out.push(Violation::new(
                at,
                "contentType",
                format!(
                    "the header must be sent once, was sent {} times",
                    values.len()
                ),
            ));
            return;
        }
        let mut parts = value.split(';');
        parts.next();
        if !crate::media_matches(media_type, value) {
            out.push(Violation::new(
                at,
                "contentType",
                format!(
                    "must be `{}`, is `{}`",
                    crate::media_essence(media_type),
                    value.trim()
                ),
            ));
            return;
        }
        for param in parts {
            if let Some((name, charset)) = param.split_once('=')
                && name.trim().eq_ignore_ascii_case("charset")
                && !charset
                    .trim()
                    .trim_matches('"')
                    .eq_ignore_ascii_case("utf-8")
            {
                out.push(Violation::new(
                    at,
                    "contentType",
                    format!(
                        "the body must be UTF-8, the header says charset={}",
                        charset.trim()
                    ),
                ));
            }
        }
    }

    /// `Accept`, when sent, must admit `application/json`.
    pub fn check_accept(&self, out: &mut Vec<Violation>) {
        let values = self.header_values("accept");
        if values.is_empty() {
            return;
        }
        let joined = values.join(",");
        if !accepts_json(&joined) {
            out.push(Violation::new(
                "/headers/accept",
                "accept",
                format!("must admit `application/json`, is `{}`", joined.trim()),
            ));
        }
    }

    /// `Accept`, when sent, must admit `application/json` (errors are
    /// JSON) or one of the media types `route`'s responses document (a
    /// text or binary success).
    pub fn check_accept_for(&self, route: &Route, out: &mut Vec<Violation>) {
        let values = self.header_values("accept");
        if values.is_empty() {
            return;
        }
        let joined = values.join(",");
        let documented = route
            .responses
            .iter()
            .filter_map(|r| r.content_type)
            .any(|media| admits(&joined, media));
        if !documented && !accepts_json(&joined) {
            let mut media: Vec<&str> = route
                .responses
                .iter()
                .filter_map(|r| r.content_type)
                .collect();
            media.sort_unstable();
            media.dedup();
            if media.is_empty() {
                media.push("application/json");
            }
            out.push(Violation::new(
                "/headers/accept",
                "accept",
                format!(
                    "must admit {}{}, is `{}`",
                    if media.len() > 1 { "one of " } else { "" },
                    media
                        .iter()
                        .map(|m| format!("`{m}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    joined.trim()
                ),
            ));
        }
    }

    /// Checks the body of an operation that takes a JSON body of type `T`
    /// (`media_type`, `required`, `schema`): presence, `Content-Type`, then
    /// the schema. `Ok(None)` when an optional body is absent; `Err` when
    /// violations were added. `typed_proves_valid`: see
    /// [`body::decode_proven`].
    pub fn json_body<T: DeserializeOwned>(
        &self,
        media_type: &str,
        required: bool,
        schema: &'static Schema,
        typed_proves_valid: bool,
        out: &mut Vec<Violation>,
    ) -> Result<Option<T>, Refused> {
        if !self.json_body_sent(media_type, required, out)? {
            return Ok(None);
        }
        match body::decode_proven::<T>(schema, self.body, "/body", typed_proves_valid) {
            Ok(value) => Ok(Some(value)),
            Err(mut violations) => {
                out.append(&mut violations);
                Err(Refused)
            }
        }
    }

    /// The part of [`RawRequest::json_body`] that does not depend on the
    /// type, kept out of the generic function so that it is compiled once:
    /// whether a body was sent (refused when a required one was not), and
    /// its `Content-Type` judged.
    fn json_body_sent(
        &self,
        media_type: &str,
        required: bool,
        out: &mut Vec<Violation>,
    ) -> Result<bool, Refused> {
        if self.body.is_empty() {
            if required {
                out.push(Violation::new(
                    "/body",
                    "required",
                    format!(
                        "the operation needs a request body (`{media_type}`), and none was sent"
                    ),
                ));
                return Err(Refused);
            }
            return Ok(false);
        }
        self.check_content_type(media_type, out);
        Ok(true)
    }

    /// For an operation that takes no body: refuses one.
    pub fn no_body(&self, out: &mut Vec<Violation>) {
        if !self.body.is_empty() {
            out.push(Violation::new(
                "/body",
                "requestBody",
                format!(
                    "the operation takes no request body, {} byte(s) were sent",
                    self.body.len()
                ),
            ));
        }
    }
}

/// What a generated server operation returns if a part it validated is
/// missing afterwards. Every check adds a violation when it returns
/// nothing, so this cannot happen; it is a refusal rather than a panic
/// in case it does.
pub fn lacked_part() -> Vec<Violation> {
    vec![Violation::new(
        "",
        "internal",
        "internal error: a validated request lacked a part",
    )]
}

/// The raw segment of `rule` among the route's matched ones, or a
/// violation.
fn found_segment<'f>(
    found: &'f [(&'static str, String)],
    rule: &ParamRule,
    out: &mut Vec<Violation>,
) -> Option<&'f str> {
    match found.iter().find(|(n, _)| *n == rule.name) {
        Some((_, raw)) => Some(raw),
        None => {
            out.push(Violation::new(
                location("/path", rule.name).as_str(),
                "required",
                "the path parameter is missing",
            ));
            None
        }
    }
}

/// A path segment that does not follow its parameter's style.
fn style_violation(rule: &ParamRule, problem: String) -> Violation {
    Violation::new(location("/path", rule.name).as_str(), "style", problem)
}

/// Checks one decoded path parameter value; `true` when it is valid. For
/// an array or object parameter, `text` is the value's JSON text (see
/// [`path_style::PathValue`]), which must not render as an empty segment.
pub fn check_path_text(rule: &ParamRule, text: &str, out: &mut Vec<Violation>) -> bool {
    let before = out.len();
    if path_style::is_structured(rule) {
        let value = path_style::value(rule, text);
        walk::validate(rule.schema, &value, &mut location("/path", rule.name), out);
        if out.len() == before && path_style::render(rule, text).is_empty() {
            out.push(Violation::new(
                location("/path", rule.name).as_str(),
                "required",
                "must not be empty: an empty segment addresses a different resource",
            ));
        }
        return out.len() == before;
    }
    match text_rules(rule) {
        // A parameter read as one string (every id in Graph's paths) is
        // judged as the text itself: no JSON value is built, and the
        // location is written only for a violation.
        Some(rules) => {
            walk::check_string(rules, text, &Pointer::at("/path"), out);
            if out.len() > before {
                let name = Pointer::escape_key(rule.name);
                insert_token(&mut out[before..], "/path".len(), &name);
            }
        }
        None => {
            let value = rule.value(&[text.to_string()]);
            walk::validate(rule.schema, &value, &mut location("/path", rule.name), out);
        }
    }
    if text.is_empty() && out.len() == before {
        out.push(Violation::new(
            location("/path", rule.name).as_str(),
            "required",
            "must not be empty: an empty segment addresses a different resource",
        ));
    }
    out.len() == before
}

/// The string rules that judge a parameter read as one string, when its
/// schema is a string schema.
fn text_rules(rule: &ParamRule) -> Option<&'static StringRules> {
    if rule.array || rule.scalar != Scalar::String {
        return None;
    }
    match &resolve(rule.schema).0.kind {
        Kind::String(rules) => Some(rules),
        _ => None,
    }
}

/// A query, header or cookie parameter checked against its schema: the
/// part of the typed readers that does not depend on the type.
fn param_judged(
    rule: &ParamRule,
    at: Pointer,
    texts: &[String],
    what: &str,
    out: &mut Vec<Violation>,
) -> Option<(Value, Pointer)> {
    if texts.is_empty() {
        return missing(rule, &at, what, out);
    }
    if texts.len() > 1 && !rule.repeats() {
        out.push(Violation::new(
            at.as_str(),
            "maxItems",
            format!(
                "the {what} was given {} times, it may be given once",
                texts.len()
            ),
        ));
        return None;
    }
    let value = match styles::object_rules(rule) {
        Some(rules) => {
            let text = texts.first().map_or("", String::as_str);
            match styles::split_object(text, rule.style.delimiter(), rule.explode) {
                Some(pairs) => styles::object_value(rules, &pairs),
                None => {
                    out.push(Violation::new(
                        at.as_str(),
                        "style",
                        format!(
                            "must be an object written as {} pairs",
                            if rule.explode {
                                "`key=value`"
                            } else {
                                "`key,value`"
                            }
                        ),
                    ));
                    return None;
                }
            }
        }
        None => rule.value(texts),
    };
    judged(rule, at, value, out)
}

/// Adds a violation when a required parameter is absent; gives nothing.
fn missing<T>(rule: &ParamRule, at: &Pointer, what: &str, out: &mut Vec<Violation>) -> Option<T> {
    if rule.required {
        out.push(Violation::new(
            at.as_str(),
            "required",
            format!("the required {what} `{}` is missing", rule.name),
        ));
    }
    None
}

/// The value when it satisfies the parameter's schema (with where it is),
/// else `None` with the violations added.
fn judged(
    rule: &ParamRule,
    mut at: Pointer,
    value: Value,
    out: &mut Vec<Violation>,
) -> Option<(Value, Pointer)> {
    let before = out.len();
    walk::validate(rule.schema, &value, &mut at, out);
    (out.len() == before).then_some((value, at))
}

/// A judged value (with where it is) read as `T`, or a `representable`
/// violation; `None` when judging refused it.
fn typed<T: DeserializeOwned>(
    judged: Option<(Value, Pointer)>,
    out: &mut Vec<Violation>,
) -> Option<T> {
    let (value, at) = judged?;
    T::deserialize(value)
        .map_err(|err| out.push(body::unrepresentable(at.as_str(), &err)))
        .ok()
}

/// What is wrong with an `Authorization` value, if anything. RFC 6750: the
/// scheme `Bearer` (any case), one or more spaces, a token68.
fn bearer_problem(value: &str) -> Option<&'static str> {
    let Some((scheme, token)) = value.split_once(' ') else {
        return Some(if value.eq_ignore_ascii_case("bearer") {
            "the token is missing"
        } else {
            "the scheme is not Bearer"
        });
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Some("the scheme is not Bearer");
    }
    let token = token.trim_start_matches(' ');
    if token.is_empty() {
        return Some("the token is missing");
    }
    let body = token.trim_end_matches('=');
    let token68 = !body.is_empty()
        && body
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-._~+/".contains(&c));
    if !token68 {
        return Some("the token has characters a bearer token cannot contain");
    }
    None
}

/// Whether an `Accept` value admits `application/json`.
/// Whether an `Accept` value admits `media` (a type or a documented
/// range such as `*/*`).
fn admits(accept: &str, media: &str) -> bool {
    accept.split(',').any(|item| {
        let mut parts = item.split(';');
        let range = parts.next().unwrap_or("").trim();
        let refused = parts.any(|p| {
            p.split_once('=').is_some_and(|(k, v)| {
                k.trim().eq_ignore_ascii_case("q")
                    && v.trim().parse::<f32>().is_ok_and(|q| q == 0.0)
            })
        });
        !refused && (crate::media_matches(range, media) || crate::media_matches(media, range))
    })
}

fn accepts_json(accept: &str) -> bool {
    accept.split(',').any(|range| {
        let mut parts = range.split(';');
        let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let matches = matches!(
            essence.as_str(),
            "*/*" | "application/*" | "application/json"
        );
        let refused = parts.any(|p| {
            p.split_once('=').is_some_and(|(k, v)| {
                k.trim().eq_ignore_ascii_case("q")
                    && v.trim().parse::<f32>().is_ok_and(|q| q == 0.0)
            })
        });
        matches && !refused
    })
}

/// Orders a whole request's violations: path, query, headers, then body;
/// within each part as [`super::sort`] does.
pub fn sort_request(violations: &mut Vec<Violation>) {
    fn rank(location: &str) -> u8 {
        match location.split('/').nth(1) {
            Some("path") => 0,
            Some("query") => 1,
            Some("headers") => 2,
            Some("body") => 3,
            _ => 4,
        }
    }
    super::sort(violations);
    violations.sort_by_key(|v| rank(&v.location));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{Pattern, StringFormat};

    #[test]
    fn param_rule_shorthands_build_single_values() {
        let rule = ParamRule::path("id", Scalar::Integer, &crate::validate::STRING);
        assert!(rule.required && !rule.array && !rule.explode);
        assert_eq!((rule.name, rule.scalar), ("id", Scalar::Integer));
        let rule = ParamRule::query("$top", Scalar::String, &crate::validate::STRING);
        assert!(!rule.required && !rule.array && !rule.explode);
        assert_eq!((rule.name, rule.scalar), ("$top", Scalar::String));
    }

    /// A string path parameter is judged on its text directly; it must
    /// report what judging the JSON string would, at the same location.
    #[test]
    fn string_path_parameters_are_judged_as_their_text() {
        static PATTERN: Pattern = Pattern::new("^[a-z]+$");
        static SHORT: Schema = Schema {
            kind: Kind::String(StringRules {
                min_length: Some(2),
                max_length: Some(3),
                pattern: Some(&PATTERN),
                ..StringRules::NONE
            }),
            nullable: false,
        };
        static UUID: Schema = Schema {
            kind: Kind::String(StringRules {
                format: Some(StringFormat::Uuid),
                ..StringRules::NONE
            }),
            nullable: true,
        };
        static ALIAS: Schema = Schema {
            kind: Kind::Ref(&SHORT),
            nullable: false,
        };
        static CHOICE: Schema = Schema {
            kind: Kind::String(StringRules {
                enumeration: &["on", "off"],
                ..StringRules::NONE
            }),
            nullable: false,
        };
        let rule = |name, schema| ParamRule::path(name, Scalar::String, schema);
        let rules = [
            rule("id", &SHORT),
            rule("a/b~c", &SHORT),
            rule("id", &UUID),
            rule("id", &ALIAS),
            rule("id", &CHOICE),
        ];
        assert!(rules.iter().all(|r| text_rules(r).is_some()));
        let texts = [
            "",
            "ab",
            "abcd",
            "AB",
            "\u{e9}\u{e9}",
            "on",
            "null",
            "6f1c7a2e-0b7d-4a57-9a55-1d2f3c4b5a69",
        ];
        for rule in &rules {
            for text in texts {
                let mut fast = Vec::new();
                check_path_text(rule, text, &mut fast);
                let mut reference = Vec::new();
                let mut at = location("/path", rule.name);
                walk::validate(
                    rule.schema,
                    &Value::String(text.into()),
                    &mut at,
                    &mut reference,
                );
                if text.is_empty() && reference.is_empty() {
                    // Only the empty-segment rule adds to the schema's.
                    assert_eq!(fast.len(), 1, "{}: {text:?}", rule.name);
                    assert_eq!(fast[0].keyword, "required");
                    continue;
                }
                assert_eq!(fast, reference, "{}: {text:?}", rule.name);
            }
        }
        let mut found = Vec::new();
        check_path_text(&rules[1], "ABCD", &mut found);
        assert_eq!(found[0].location, "/path/a~1b~0c");
    }

    #[test]
    fn bearer_values() {
        assert_eq!(bearer_problem("Bearer abc.DEF-_~+/=="), None);
        assert_eq!(bearer_problem("bearer  abc"), None);
        assert_eq!(
            bearer_problem("Basic abc"),
            Some("the scheme is not Bearer")
        );
        assert_eq!(bearer_problem("Bearer"), Some("the token is missing"));
        assert_eq!(bearer_problem("Bearer "), Some("the token is missing"));
        assert!(bearer_problem("Bearer a b").is_some());
        assert!(bearer_problem("Bearer ==").is_some());
        assert!(bearer_problem("Bearer a=b").is_some());
    }

    #[test]
    fn accept_values() {
        assert!(accepts_json("application/json"));
        assert!(accepts_json("text/html, application/*;q=0.5"));
        assert!(accepts_json("*/*"));
        assert!(accepts_json("Application/JSON; odata.metadata=minimal"));
        assert!(!accepts_json("text/html"));
        assert!(!accepts_json("application/json;q=0"));
        assert!(!accepts_json("application/xml"));
    }

    /// Found by `conformance/tests/openapi_requests`: a repeated
    /// `Content-Type` was refused as "must be `application/json`, is
    /// `application/json`".
    #[test]
    fn content_type_twice_says_so() {
        let headers = [
            ("content-type", "application/json"),
            ("Content-Type", "application/json"),
        ];
        let request = RawRequest {
            method: "POST",
            path: "/x",
            query: None,
            headers: &headers,
            body: b"{}",
        };
        let mut out = Vec::new();
        request.check_content_type("application/json", &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(
            out[0].message,
            "the header must be sent once, was sent 2 times"
        );
        let once = RawRequest {
            headers: &headers[..1],
            ..request
        };
        let mut out = Vec::new();
        once.check_content_type("application/json", &mut out);
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn request_parts_come_in_order() {
        let mut list = vec![
            Violation::new("/body/x", "type", "m"),
            Violation::new("/query/a", "type", "m"),
            Violation::new("/headers/authorization", "required", "m"),
            Violation::new("/path/id", "minLength", "m"),
        ];
        sort_request(&mut list);
        let got: Vec<_> = list.iter().map(|v| v.location.as_str()).collect();
        assert_eq!(
            got,
            ["/path/id", "/query/a", "/headers/authorization", "/body/x"]
        );
    }
}
