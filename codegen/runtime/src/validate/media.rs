//! The server side of request bodies that are not JSON: text, binary,
//! form-encoded and raw bodies, read and checked by what the route's
//! [`Body`] says. JSON bodies are read by [`RawRequest::json_body`].

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::request::{RawRequest, Refused};
use super::{Kind, Pointer, Schema, resolve, walk};
use crate::{Body, Violation};

/// A body read as bytes with the `Content-Type` it came with: what a
/// server gets for a `multipart/*` body, a media range such as `*/*`, or
/// another media type documented beside the typed one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawPayload {
    /// The `Content-Type` as sent, parameters included.
    pub content_type: String,
    /// The body bytes.
    pub bytes: Vec<u8>,
}

impl RawRequest<'_> {
    /// The common start of reading a body: `Ok(false)` when an optional
    /// body is absent, `Ok(true)` when there is one to read (its
    /// `Content-Type` already checked against the route's own media type);
    /// `Err` when refused, the reasons added to `out`.
    pub fn body_present(&self, body: &Body, out: &mut Vec<Violation>) -> Result<bool, Refused> {
        if self.body.is_empty() {
            if body.required {
                out.push(Violation::new(
                    "/body",
                    "required",
                    format!(
                        "the operation needs a request body (`{}`), and none was sent",
                        body.media_type
                    ),
                ));
                return Err(Refused);
            }
            return Ok(false);
        }
        let before = out.len();
        if let [sent] = self.header_values("content-type")[..]
            && let Some(other) = body.other(sent)
            && !body.is_own(sent)
        {
            out.push(Violation::new(
                "/headers/content-type",
                "contentType",
                format!(
                    "`{other}` is documented for this body, but only `{}` is read here; \
                     the other media types are for clients",
                    body.media_type
                ),
            ));
        } else {
            self.check_content_type(body.media_type, out);
        }
        if out.len() > before {
            return Err(Refused);
        }
        Ok(true)
    }

    /// Reads a text body and judges it, as a string, against `body`'s
    /// schema. `Ok(None)` when an optional body is absent.
    pub fn text_body(
        &self,
        body: &Body,
        out: &mut Vec<Violation>,
    ) -> Result<Option<String>, Refused> {
        if !self.body_present(body, out)? {
            return Ok(None);
        }
        let Ok(text) = std::str::from_utf8(self.body) else {
            out.push(Violation::new(
                "/body",
                "encoding",
                "the text body is not UTF-8",
            ));
            return Err(Refused);
        };
        let before = out.len();
        let value = Value::String(text.to_owned());
        walk::validate(body.schema, &value, &mut Pointer::at("/body"), out);
        if out.len() > before {
            return Err(Refused);
        }
        Ok(Some(text.to_owned()))
    }

    /// Reads a binary body: its bytes, unjudged.
    pub fn bytes_body(
        &self,
        body: &Body,
        out: &mut Vec<Violation>,
    ) -> Result<Option<Vec<u8>>, Refused> {
        Ok(self.body_present(body, out)?.then(|| self.body.to_vec()))
    }

    /// Reads a raw body: its bytes and `Content-Type`, which must fall
    /// within the route's media type (a range such as `*/*`, or
    /// `multipart/form-data`). A form the client builds
    /// ([`crate::BodyKind::Multipart`]) is read part by part and judged
    /// first (see [`super::multipart::check`]).
    pub fn raw_body(
        &self,
        body: &Body,
        out: &mut Vec<Violation>,
    ) -> Result<Option<RawPayload>, Refused> {
        if !self.body_present(body, out)? {
            return Ok(None);
        }
        let content_type = self
            .header_values("content-type")
            .first()
            .map_or_else(String::new, |v| (*v).to_owned());
        if body.kind == crate::BodyKind::Multipart {
            let before = out.len();
            super::multipart::check(body, &content_type, self.body, out);
            if out.len() > before {
                return Err(Refused);
            }
        }
        Ok(Some(RawPayload {
            content_type,
            bytes: self.body.to_vec(),
        }))
    }

    /// Reads an `application/x-www-form-urlencoded` body as `T`: each
    /// field's text is read by the type its property declares (a number,
    /// a boolean, a list when repeated), the object is judged against the
    /// schema, then decoded.
    pub fn form_body<T: DeserializeOwned>(
        &self,
        body: &Body,
        out: &mut Vec<Violation>,
    ) -> Result<Option<T>, Refused> {
        let Some(value) = self.form_checked(body, out)? else {
            return Ok(None);
        };
        T::deserialize(value).map(Some).map_err(|err| {
            out.push(super::body::unrepresentable("/body", &err));
            Refused
        })
    }

    /// [`RawRequest::form_body`] up to reading the type: the form's object
    /// when it satisfies the schema, `None` when an optional form is absent.
    fn form_checked(
        &self,
        body: &Body,
        out: &mut Vec<Violation>,
    ) -> Result<Option<Value>, Refused> {
        if !self.body_present(body, out)? {
            return Ok(None);
        }
        let before = out.len();
        let value = form_value(body.schema, self.body, out);
        walk::validate(body.schema, &value, &mut Pointer::at("/body"), out);
        if out.len() > before {
            return Err(Refused);
        }
        Ok(Some(value))
    }
}

/// The JSON object a form's pairs stand for, read by `schema`'s declared
/// properties. A name given twice is a list when its property is an
/// array, else a violation.
fn form_value(schema: &'static Schema, bytes: &[u8], out: &mut Vec<Violation>) -> Value {
    let mut fields: Vec<(String, Vec<String>)> = Vec::new();
    for (name, value) in url::form_urlencoded::parse(bytes) {
        match fields.iter_mut().find(|(n, _)| *n == name) {
            Some((_, values)) => values.push(value.into_owned()),
            None => fields.push((name.into_owned(), vec![value.into_owned()])),
        }
    }
    let mut object = serde_json::Map::new();
    for (name, texts) in fields {
        let property = property_schema(schema, &name, 0);
        let items = property.and_then(|p| match &resolve(p).0.kind {
            Kind::Array(rules) => Some(rules.items),
            _ => None,
        });
        let value = match items {
            Some(items) => Value::Array(texts.iter().map(|t| scalar(Some(items), t)).collect()),
            None if texts.len() > 1 => {
                let mut at = Pointer::at("/body");
                at.push_key(&name);
                out.push(Violation::new(
                    at.as_str(),
                    "maxItems",
                    format!(
                        "the form field was given {} times, it may be given once",
                        texts.len()
                    ),
                ));
                continue;
            }
            None => scalar(property, &texts[0]),
        };
        object.insert(name, value);
    }
    Value::Object(object)
}

/// The schema of the property `name` declared by `schema` (through
/// references, `allOf` parts and a discriminator's base).
pub(crate) fn property_schema(
    schema: &'static Schema,
    name: &str,
    depth: u8,
) -> Option<&'static Schema> {
    if depth > 32 {
        return None;
    }
    match &resolve(schema).0.kind {
        Kind::Object(rules) => rules.property(name).map(|(_, p)| p.schema),
        Kind::AllOf(parts) => parts
            .iter()
            .find_map(|p| property_schema(p, name, depth + 1)),
        Kind::Discriminated(d) => property_schema(d.base, name, depth + 1),
        _ => None,
    }
}

/// One field's text as the JSON value its schema expects; text that does
/// not read as that type stays a string, so the schema reports its `type`.
pub(crate) fn scalar(schema: Option<&'static Schema>, text: &str) -> Value {
    let kind = schema.map(|s| &resolve(s).0.kind);
    let parsed = match kind {
        Some(Kind::Integer(_) | Kind::Number(_)) => {
            text.parse::<serde_json::Number>().ok().map(Value::Number)
        }
        Some(Kind::Boolean | Kind::BooleanValue(_)) => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        _ => None,
    };
    parsed.unwrap_or_else(|| Value::String(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BodyKind;
    use crate::validate::{BOOLEAN, INT64, ObjectRules, STRING, array, object, optional, required};

    // Properties sorted by name, as the generator writes them.
    static FORM: Schema = object(ObjectRules {
        properties: &[
            required("code", &STRING),
            optional("count", &INT64),
            optional("flag", &BOOLEAN),
            optional("tags", &TAGS),
        ],
        ..ObjectRules::OPEN
    });
    static TAGS: Schema = array(&STRING);

    fn request<'a>(headers: &'a [(&'a str, &'a str)], body: &'a [u8]) -> RawRequest<'a> {
        RawRequest {
            method: "POST",
            path: "/x",
            query: None,
            headers,
            body,
        }
    }

    #[test]
    fn a_form_is_read_by_its_properties_types() {
        let body = Body::kind("application/x-www-form-urlencoded", BodyKind::Form, &FORM);
        let headers = [("content-type", "application/x-www-form-urlencoded")];
        let raw = request(&headers, b"code=a+b&count=3&flag=true&tags=x&tags=y");
        let mut out = Vec::new();
        let value: Value = raw.form_body(&body, &mut out).unwrap().unwrap();
        assert!(out.is_empty(), "{out:?}");
        assert_eq!(
            value,
            serde_json::json!({"code": "a b", "count": 3, "flag": true, "tags": ["x", "y"]})
        );
        let raw = request(&headers, b"count=x&count=4");
        let refused = raw.form_body::<Value>(&body, &mut out);
        assert!(refused.is_err());
        let places: Vec<(&str, &str)> = out
            .iter()
            .map(|v| (v.location.as_str(), v.keyword))
            .collect();
        assert_eq!(places, [("/body/count", "maxItems"), ("/body", "required")]);
    }

    #[test]
    fn another_documented_media_type_is_named_when_refused() {
        let body = Body::kind("text/plain", BodyKind::Text, &STRING).or(&["application/xml"]);
        let headers = [("content-type", "application/xml")];
        let mut out = Vec::new();
        assert!(
            request(&headers, b"<a/>")
                .text_body(&body, &mut out)
                .is_err()
        );
        assert_eq!(out[0].location, "/headers/content-type");
        assert!(out[0].message.contains("`application/xml` is documented"));
        let headers = [("content-type", "text/plain; charset=utf-8")];
        let mut out = Vec::new();
        let text = request(&headers, "héllo".as_bytes())
            .text_body(&body, &mut out)
            .unwrap();
        assert_eq!(text.as_deref(), Some("héllo"));
    }

    #[test]
    fn a_raw_body_keeps_its_content_type_within_the_range() {
        let body = Body::kind("*/*", BodyKind::Raw, &crate::validate::ANY);
        let headers = [("content-type", "image/png")];
        let mut out = Vec::new();
        let got = request(&headers, &[1, 2])
            .raw_body(&body, &mut out)
            .unwrap()
            .unwrap();
        assert_eq!(got.content_type, "image/png");
        assert_eq!(got.bytes, [1, 2]);
        let body = Body::kind("multipart/form-data", BodyKind::Raw, &crate::validate::ANY);
        let headers = [("content-type", "text/plain")];
        assert!(request(&headers, b"x").raw_body(&body, &mut out).is_err());
        assert_eq!(out[0].keyword, "contentType");
    }
}
