//! The checks a generated client runs on typed arguments before it sends
//! anything: the same rules as the server side, applied to the values as
//! they will be serialised. [`check`] does it for any operation, reading
//! the rules from its [`Route`]; the generated methods only gather their
//! typed arguments into [`Args`].

use std::borrow::Cow;

use serde::Serialize;
use serde_json::Value;

use super::request::{ParamRule, check_path_text, sort_request};
use super::{Pointer, Schema, walk};
use crate::multipart::{FilePart, Multipart, MultipartForm};
use crate::{BodyKind, ParamLocation, Route, Upload, Violation};

/// The arguments of one call, as the generated method received them:
/// path parameter values in the route's order, the query and header
/// parameters (a generated `params` struct, serialised with the spec's
/// names), and the body. Serialising happens here, once, so that what is
/// checked is what is sent; nothing in the runtime is generic over the
/// argument types.
#[derive(Debug)]
pub struct Args<'a> {
    path: &'a [&'a str],
    params: Option<Result<Value, String>>,
    /// The body, or why it cannot be written (the violation's keyword and
    /// message).
    body: Option<Result<Outgoing, (&'static str, String)>>,
}

/// A body as the caller gave it, before it is judged.
#[derive(Debug)]
enum Outgoing {
    /// JSON text ([`Args::body`]).
    Json(Vec<u8>),
    /// A form ([`Args::form`]): the value as JSON, which is judged, and
    /// its form encoding, which is sent.
    Form(Value, String),
    /// Text ([`Args::text`]).
    Text(String),
    /// A body of the operation's own binary media type ([`Args::bytes`],
    /// [`Args::upload`]).
    Upload(Upload),
    /// Bytes with the caller's `Content-Type` ([`Args::raw`]).
    Raw(String, Upload),
    /// A `multipart/form-data` form ([`Args::multipart`]): its text and
    /// JSON properties as JSON, and its files.
    Multipart(Value, Vec<(&'static str, Vec<FilePart>)>),
}

impl Outgoing {
    /// What the caller gave, for a message about a mismatch.
    fn what(&self) -> &'static str {
        match self {
            Outgoing::Json(_) => "a JSON body",
            Outgoing::Form(..) => "a form body",
            Outgoing::Text(_) => "a text body",
            Outgoing::Upload(_) => "a binary body",
            Outgoing::Raw(..) => "a raw body",
            Outgoing::Multipart(..) => "a multipart form",
        }
    }
}

/// A body given as it is, with its own `Content-Type`: a `multipart/*`
/// body the client does not build (the caller encodes it, boundary
/// included), a body for a media range such as `*/*`, or any other media
/// type the operation documents beside its typed one.
///
/// The body is an [`Upload`]: bytes, or a file or stream sent in chunks
/// and never held whole (a stream is sent once: a request with one is not
/// retried after it went out).
#[derive(Debug, Clone)]
pub struct RawBody {
    content_type: String,
    body: Upload,
}

impl RawBody {
    /// A body sent under `content_type`, parameters included (e.g.
    /// `multipart/mixed; boundary=x`); `body` is a `&[u8]`, a `Vec<u8>` or
    /// any [`Upload`].
    pub fn new(content_type: impl Into<String>, body: impl Into<Upload>) -> RawBody {
        RawBody {
            content_type: content_type.into(),
            body: body.into(),
        }
    }

    /// The `Content-Type` it is sent under.
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// The body.
    pub fn body(&self) -> &Upload {
        &self.body
    }
}

impl<'a> Args<'a> {
    /// Arguments with these path parameter values (in the order of the
    /// template's parameters) and nothing else.
    pub fn new(path: &'a [&'a str]) -> Self {
        Args {
            path,
            params: None,
            body: None,
        }
    }

    /// With query and header parameters: a struct whose fields serialise
    /// under the parameters' names in the spec; `None` (or `null`) leaves a
    /// parameter out.
    pub fn params<P: Serialize + ?Sized>(mut self, params: &P) -> Self {
        self.params = Some(serde_json::to_value(params).map_err(|e| e.to_string()));
        self
    }

    /// With a JSON body.
    pub fn body<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        self.body = Some(
            serde_json::to_vec(body)
                .map(Outgoing::Json)
                .map_err(|e| ("json", format!("cannot be written as JSON: {e}"))),
        );
        self
    }

    /// With an `application/x-www-form-urlencoded` body: the value's
    /// fields as `name=value` pairs. A value a form cannot hold (a nested
    /// object or a list) is refused when the call is checked.
    pub fn form<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        let made = serde_json::to_value(body)
            .map_err(|e| ("json", format!("cannot be written as JSON: {e}")))
            .and_then(|value| {
                serde_urlencoded::to_string(body)
                    .map(|text| Outgoing::Form(value, text))
                    .map_err(|e| {
                        ("form", format!("cannot be written as a form (only flat fields of text, numbers and booleans can): {e}"))
                    })
            });
        self.body = Some(made);
        self
    }

    /// With a text body.
    pub fn text(mut self, body: &str) -> Self {
        self.body = Some(Ok(Outgoing::Text(body.to_owned())));
        self
    }

    /// With a body of the operation's binary media type.
    pub fn bytes(self, body: &[u8]) -> Self {
        self.upload(body)
    }

    /// With a body of the operation's binary media type that may be a
    /// file or a stream, sent in chunks (see [`Upload`]).
    pub fn upload(mut self, body: impl Into<Upload>) -> Self {
        self.body = Some(Ok(Outgoing::Upload(body.into())));
        self
    }

    /// With a body of bytes sent under the caller's `Content-Type`, which
    /// must fall within a media type the operation documents.
    pub fn raw(mut self, body: RawBody) -> Self {
        self.body = Some(Ok(Outgoing::Raw(body.content_type, body.body)));
        self
    }

    /// With a `multipart/form-data` body built from a typed form (see
    /// [`crate::multipart`]): its parts are checked against the route's
    /// [`crate::PartRule`]s and property schemas when the call is.
    pub fn multipart<F: MultipartForm + ?Sized>(mut self, form: &F) -> Self {
        self.body = Some(
            serde_json::to_value(form)
                .map(|value| Outgoing::Multipart(value, form.files()))
                .map_err(|e| ("json", format!("cannot be written as JSON: {e}"))),
        );
        self
    }

    /// The path parameter values.
    pub fn path(&self) -> &'a [&'a str] {
        self.path
    }
}

/// A call that passed [`check`]: what the transport sends.
#[derive(Debug, Default)]
pub struct Checked {
    /// Query pairs, in the spec's order of the parameters (an exploded
    /// object gives pairs named by its properties).
    pub query: Vec<(Cow<'static, str>, String)>,
    /// Header parameters; cookie parameters are one `Cookie` header here.
    pub headers: Vec<(&'static str, String)>,
    /// The body that was judged (a binary one is not judged, and may be
    /// a file or a stream).
    pub body: Option<Upload>,
    /// The `Content-Type` of the body: the route's media type, or the
    /// caller's for a raw body.
    pub content_type: Option<String>,
}

/// Checks a call of `route` against the spec before it is sent: path
/// parameters, query and header parameters as they will be written, and
/// the body bytes as serialised. Returns what to send, or every violation
/// in the order of [`sort_request`].
pub fn check(route: &'static Route, args: &Args<'_>) -> Result<Checked, Vec<Violation>> {
    let mut out = Vec::new();
    let mut checked = Checked::default();
    let mut cookies = Vec::new();
    let mut path = args.path.iter();
    let params = match &args.params {
        Some(Ok(value)) => Some(value),
        Some(Err(err)) => {
            out.push(unserialisable(&Pointer::at("/query"), err));
            None
        }
        None => None,
    };
    for rule in route.params {
        match rule.location {
            ParamLocation::Path => match path.next() {
                Some(value) => path_param(rule, value, &mut out),
                None => out.push(Violation::new(
                    Pointer::at("/path").as_str(),
                    "required",
                    format!("path parameter `{}` was not given", rule.name),
                )),
            },
            ParamLocation::Query | ParamLocation::Header | ParamLocation::Cookie => {
                let value = params
                    .and_then(|p| p.get(rule.name))
                    .unwrap_or(&Value::Null);
                for (name, text) in param_value(rule, value, &mut out) {
                    match rule.location {
                        ParamLocation::Query => checked.query.push((name, text)),
                        ParamLocation::Cookie => cookies.push(format!("{name}={text}")),
                        _ => checked.headers.push((rule.name, text)),
                    }
                }
            }
        }
    }
    if !cookies.is_empty() {
        checked.headers.push(("Cookie", cookies.join("; ")));
    }
    match (&route.body, &args.body) {
        (Some(body), Some(Ok(given))) => {
            if let Some((upload, content_type)) = outgoing(body, given, &mut out) {
                checked.body = Some(upload);
                checked.content_type = Some(content_type);
            }
        }
        (Some(_), Some(Err((keyword, message)))) => {
            out.push(Violation::new("/body", keyword, message.clone()))
        }
        (Some(body), None) if body.required => out.push(Violation::new(
            "/body",
            "required",
            format!(
                "the operation needs a request body (`{}`), and none was given",
                body.media_type
            ),
        )),
        (None, Some(_)) => out.push(Violation::new(
            "/body",
            "requestBody",
            "the operation takes no request body",
        )),
        _ => {}
    }
    if out.is_empty() {
        return Ok(checked);
    }
    sort_request(&mut out);
    Err(out)
}

/// Judges a given body against the route's and returns the bytes and
/// `Content-Type` to send, or adds why not to `out`.
fn outgoing(
    body: &crate::Body,
    given: &Outgoing,
    out: &mut Vec<Violation>,
) -> Option<(Upload, String)> {
    let own = || body.media_type.to_owned();
    match (body.kind, given) {
        (BodyKind::Json, Outgoing::Json(bytes)) => {
            judge_body(body.schema, bytes, out, |b| body.verdict(b));
            Some((Upload::bytes(bytes.clone()), own()))
        }
        (BodyKind::Form, Outgoing::Form(value, text)) => {
            walk::validate(body.schema, value, &mut Pointer::at("/body"), out);
            Some((Upload::bytes(text.clone().into_bytes()), own()))
        }
        (BodyKind::Text, Outgoing::Text(text)) => {
            walk::validate(
                body.schema,
                &Value::String(text.clone()),
                &mut Pointer::at("/body"),
                out,
            );
            Some((Upload::bytes(text.clone().into_bytes()), own()))
        }
        (BodyKind::Binary, Outgoing::Upload(upload)) => Some((upload.clone(), own())),
        (BodyKind::Multipart, Outgoing::Multipart(value, files)) => {
            let form = Multipart::check(body, value, files, out);
            Some((Upload::form(form), own()))
        }
        (_, Outgoing::Raw(content_type, upload)) => {
            let documented = (matches!(body.kind, BodyKind::Raw | BodyKind::Multipart)
                && body.is_own(content_type))
                || body.other(content_type).is_some();
            if !documented {
                let mut all = vec![body.media_type];
                all.extend(body.others);
                out.push(Violation::new(
                    "/headers/content-type",
                    "contentType",
                    format!(
                        "`{content_type}` is not a media type the operation documents for its body ({})",
                        all.join(", ")
                    ),
                ));
                return None;
            }
            Some((upload.clone(), content_type.clone()))
        }
        (kind, given) => {
            out.push(Violation::new(
                "/body",
                "requestBody",
                format!(
                    "the operation takes a `{}` body ({kind:?}), and {} was given",
                    body.media_type,
                    given.what()
                ),
            ));
            None
        }
    }
}

/// Checks one query, header or cookie parameter's value as it will be
/// written and gives its pairs (see [`super::styles::pairs`]): `null` (or
/// absent) leaves an optional parameter out.
fn param_value(
    rule: &'static ParamRule,
    value: &Value,
    out: &mut Vec<Violation>,
) -> Vec<(Cow<'static, str>, String)> {
    if value.is_null() && !rule.required {
        return Vec::new();
    }
    let part = match rule.location {
        ParamLocation::Query => "/query",
        ParamLocation::Cookie => "/cookies",
        _ => "/headers",
    };
    param(rule, part, value, out);
    super::styles::pairs(rule, value)
}

/// Checks a path parameter value.
pub fn path_param(rule: &ParamRule, value: &str, out: &mut Vec<Violation>) {
    check_path_text(rule, value, out);
}

/// Checks a query (`part` = `/query`) or header (`/headers`) parameter
/// value as it will be serialised.
pub fn param<T: Serialize + ?Sized>(
    rule: &ParamRule,
    part: &str,
    value: &T,
    out: &mut Vec<Violation>,
) {
    let mut at = Pointer::new(part);
    if part == "/headers" {
        at.push_key(&rule.name.to_ascii_lowercase());
    } else {
        at.push_key(rule.name);
    }
    match serde_json::to_value(value) {
        Ok(json) => walk::validate(rule.schema, &json, &mut at, out),
        Err(err) => out.push(unserialisable(&at, &err)),
    }
}

/// The last step of checking a request with a body: serialises the body
/// and checks those bytes, the ones the client then sends, so what was
/// judged and what goes over the wire cannot differ. `out` holds what the
/// earlier steps found. Returns the bytes when the whole request is valid,
/// else every violation in the order of [`sort_request`]. A value that
/// cannot be written as JSON is a `json` violation.
///
/// `verdict` is the operation's generated verdict function
/// (`validate::verdict::<operation>`), which judges the bytes without
/// writing a report; only a request it refuses, or one with earlier
/// violations, goes through the one-pass reader that writes the report
/// ([`super::body::check`]). Neither builds a `serde_json::Value` tree, so
/// checking ten thousand device ids allocates nothing per id.
pub fn body<T: Serialize + ?Sized>(
    schema: &'static Schema,
    value: &T,
    mut out: Vec<Violation>,
    verdict: impl FnOnce(&[u8]) -> bool,
) -> Result<Vec<u8>, Vec<Violation>> {
    match serde_json::to_vec(value) {
        Ok(bytes) => {
            judge_body(schema, &bytes, &mut out, verdict);
            if out.is_empty() {
                return Ok(bytes);
            }
        }
        Err(err) => out.push(unserialisable(&Pointer::at("/body"), &err)),
    }
    sort_request(&mut out);
    Err(out)
}

/// Judges body bytes the cheap way first: when nothing earlier was wrong
/// and the verdict passes them, no report is written; otherwise the
/// one-pass reader adds the body's violations to `out`.
fn judge_body(
    schema: &'static Schema,
    bytes: &[u8],
    out: &mut Vec<Violation>,
    verdict: impl FnOnce(&[u8]) -> bool,
) {
    if !(out.is_empty() && verdict(bytes)) {
        out.append(&mut super::body::check(schema, bytes, "/body"));
    }
}

fn unserialisable(at: &Pointer, err: &dyn std::fmt::Display) -> Violation {
    Violation::new(
        at.as_str(),
        "json",
        format!("cannot be written as JSON: {err}"),
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    // `{"ids": [string, ...]}`, at least one id, nothing else allowed.
    use crate::validate::body::tests::BODY;

    fn verdict(bytes: &[u8]) -> bool {
        crate::validate::verdict::valid(&BODY, bytes)
    }

    #[test]
    fn a_valid_body_gives_back_the_bytes_that_were_checked() {
        let value = serde_json::json!({"ids": ["a", "b"]});
        let bytes = body(&BODY, &value, Vec::new(), verdict).expect("valid");
        assert_eq!(bytes, br#"{"ids":["a","b"]}"#);
    }

    #[test]
    fn violations_of_the_body_join_the_earlier_ones_in_order() {
        let earlier = vec![
            Violation::new("/headers/x", "type", "h"),
            Violation::new("/path/id", "required", "p"),
        ];
        let value = serde_json::json!({"ids": [], "extra": 1});
        let found = body(&BODY, &value, earlier, verdict).expect_err("invalid");
        let places: Vec<&str> = found.iter().map(|v| v.location.as_str()).collect();
        assert_eq!(
            places,
            ["/path/id", "/headers/x", "/body/extra", "/body/ids"]
        );
        assert_eq!(found[2].keyword, "additionalProperties");
        assert_eq!(found[3].keyword, "minItems");
    }

    #[test]
    fn the_report_has_the_last_word_over_the_verdict() {
        // A verdict that refuses everything only costs the full check: a
        // valid body still goes out, and an invalid one gets its report.
        let refuse = |_: &[u8]| false;
        let value = serde_json::json!({"ids": ["a"]});
        assert_eq!(
            body(&BODY, &value, Vec::new(), refuse).expect("valid"),
            br#"{"ids":["a"]}"#
        );
        let value = serde_json::json!({"ids": [1]});
        let found = body(&BODY, &value, Vec::new(), refuse).expect_err("invalid");
        assert_eq!(found[0].location, "/body/ids/0");
    }

    #[test]
    fn a_valid_body_still_fails_when_an_earlier_step_found_something() {
        let value = serde_json::json!({"ids": ["a"]});
        let earlier = vec![Violation::new("/path/id", "required", "p")];
        let found = body(&BODY, &value, earlier, verdict).expect_err("the path is wrong");
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn a_body_json_cannot_hold_is_a_located_violation() {
        // Maps with non-string keys have no JSON form.
        let value: BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into_iter().collect();
        let found = body(&BODY, &value, Vec::new(), verdict).expect_err("not JSON");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].location, "/body");
        assert_eq!(found[0].keyword, "json");
        assert!(found[0].message.starts_with("cannot be written as JSON"));
    }
}
