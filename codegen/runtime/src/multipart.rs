//! `multipart/form-data` request bodies built by the client from the
//! spec's schema.
//!
//! For an operation whose `multipart/form-data` body is an object, the
//! generator emits a typed form (`params::<Operation>Form`): each property
//! is a field, and a `format: binary` (or `byte`) property is a
//! [`FilePart`], whose bytes may be in memory, a file or a stream (an
//! [`Upload`]). The form implements [`MultipartForm`]; the route's
//! [`PartRule`]s say how each property travels. One function here turns
//! both into the parts that are sent, checking every text part against its
//! property schema first, as a JSON body is checked.
//!
//! The parts are built again for each attempt, so a retry sends the same
//! form; a form with a streamed file part is sent once, as an [`Upload`]
//! stream is (see [`GaveUp::BodySentOnce`]).
//!
//! [`GaveUp::BodySentOnce`]: crate::retry::GaveUp::BodySentOnce

use std::fmt;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::validate::{Pointer, walk};
use crate::{Body, PartKind, Upload, Violation};

/// The `Content-Type` of a file part when neither the caller nor the spec's
/// `encoding` names one.
pub const DEFAULT_FILE_TYPE: &str = "application/octet-stream";

/// One file of a form: its bytes (an [`Upload`]: bytes, a file read in
/// chunks, or a stream), and optionally a file name and a `Content-Type`.
///
/// Without a content type the part goes as the spec's
/// `encoding.{property}.contentType` (its first type), else
/// `application/octet-stream`. Without a file name it goes under the
/// property's name: many servers read a part without `filename` as a text
/// field, not a file. `Debug` shows what the bytes are, never their content.
#[derive(Clone)]
pub struct FilePart {
    upload: Upload,
    file_name: Option<String>,
    content_type: Option<String>,
}

impl FilePart {
    /// A file part with these bytes (a `Vec<u8>`, a `&[u8]`, an [`Upload`]).
    pub fn new(upload: impl Into<Upload>) -> FilePart {
        FilePart {
            upload: upload.into(),
            file_name: None,
            content_type: None,
        }
    }

    /// The file at `path`, read in chunks as the request is sent (see
    /// [`Upload::file`]), named by its file name. The file is opened now,
    /// so a missing one is an error here and nothing is sent.
    pub fn file(path: impl AsRef<Path>) -> std::io::Result<FilePart> {
        let path = path.as_ref();
        let part = FilePart::new(Upload::file(path)?);
        Ok(match path.file_name() {
            Some(name) => part.file_name(name.to_string_lossy()),
            None => part,
        })
    }

    /// The same part, with this file name (`filename` in its
    /// `Content-Disposition`).
    pub fn file_name(mut self, name: impl Into<String>) -> FilePart {
        self.file_name = Some(name.into());
        self
    }

    /// The same part, with this `Content-Type` (e.g. `image/png`).
    pub fn content_type(mut self, content_type: impl Into<String>) -> FilePart {
        self.content_type = Some(content_type.into());
        self
    }

    /// The bytes.
    pub fn upload(&self) -> &Upload {
        &self.upload
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePart")
            .field("upload", &self.upload)
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

impl<T: Into<Upload>> From<T> for FilePart {
    fn from(upload: T) -> FilePart {
        FilePart::new(upload)
    }
}

/// Read from a string, its UTF-8 bytes: how the dispatcher's JSON
/// arguments (and a test's) give a file.
impl<'de> serde::Deserialize<'de> for FilePart {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(FilePart::new(text.into_bytes()))
    }
}

/// A typed form the generator emits for a `multipart/form-data` body. Its
/// `Serialize` writes the text and JSON parts under their property names
/// (file fields are skipped); [`MultipartForm::files`] gives the files.
pub trait MultipartForm: Serialize {
    /// The file parts by property name, for every file property: none for
    /// an absent optional one, one per item of a list.
    fn files(&self) -> Vec<(&'static str, Vec<FilePart>)>;
}

/// What a file property of a form holds: one file, an optional one, or a
/// list of them (one part each).
pub trait FileField {
    /// The files, in order.
    fn file_parts(&self) -> Vec<FilePart>;
}

impl FileField for FilePart {
    fn file_parts(&self) -> Vec<FilePart> {
        vec![self.clone()]
    }
}

impl<F: FileField> FileField for Option<F> {
    fn file_parts(&self) -> Vec<FilePart> {
        self.as_ref().map(F::file_parts).unwrap_or_default()
    }
}

impl<F: FileField> FileField for Vec<F> {
    fn file_parts(&self) -> Vec<FilePart> {
        self.iter().flat_map(F::file_parts).collect()
    }
}

/// A form given as one JSON object (the dispatcher's generic arguments):
/// a file property's string is the file's UTF-8 bytes (a list of strings,
/// one file each); the other properties are text and JSON parts.
pub(crate) struct JsonForm {
    value: Value,
    files: Vec<(&'static str, Vec<FilePart>)>,
}

impl JsonForm {
    /// Splits `value` by the file parts of `body`.
    pub(crate) fn new(body: &Body, value: &Value) -> JsonForm {
        let mut value = value.clone();
        let mut files = Vec::new();
        for rule in body.parts.iter().filter(|r| r.kind == PartKind::File) {
            let given = value.as_object_mut().and_then(|o| o.remove(rule.name));
            let texts = match given {
                Some(Value::Array(items)) => items,
                Some(Value::Null) | None => Vec::new(),
                Some(one) => vec![one],
            };
            let parts = texts
                .into_iter()
                .map(|t| match t {
                    Value::String(text) => FilePart::new(text.into_bytes()),
                    other => FilePart::new(other.to_string().into_bytes()),
                })
                .collect();
            files.push((rule.name, parts));
        }
        JsonForm { value, files }
    }
}

impl Serialize for JsonForm {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

impl MultipartForm for JsonForm {
    fn files(&self) -> Vec<(&'static str, Vec<FilePart>)> {
        self.files.clone()
    }
}

/// A checked form, ready to send: its parts in the spec's property order.
#[derive(Debug, Clone)]
pub(crate) struct Multipart {
    parts: Vec<OutPart>,
}

#[derive(Debug, Clone)]
enum OutPart {
    Text {
        name: &'static str,
        text: String,
        content_type: Option<&'static str>,
    },
    File {
        name: &'static str,
        file: FilePart,
        content_type: String,
    },
}

impl Multipart {
    /// Checks a form against the route's body and gives the parts to send;
    /// what is wrong goes to `out`, located at `/body/{property}`.
    ///
    /// `value` is the form's text and JSON properties as JSON (what its
    /// `Serialize` writes); `files` its file properties.
    pub(crate) fn check(
        body: &Body,
        value: &Value,
        files: &[(&'static str, Vec<FilePart>)],
        out: &mut Vec<Violation>,
    ) -> Multipart {
        let mut parts = Vec::new();
        for rule in body.parts {
            let mut at = Pointer::at("/body");
            at.push_key(rule.name);
            let missing = |out: &mut Vec<Violation>, what: &str| {
                out.push(Violation::new(
                    "/body",
                    "required",
                    format!("the part `{}` is required, and {what}", rule.name),
                ))
            };
            if rule.kind == PartKind::File {
                let given = files
                    .iter()
                    .find(|(name, _)| *name == rule.name)
                    .map_or(&[][..], |(_, files)| files.as_slice());
                if given.is_empty() && rule.required {
                    missing(out, "no file was given");
                }
                for file in given {
                    let content_type = file
                        .content_type
                        .as_deref()
                        .or_else(|| rule.content_type.map(first_type))
                        .unwrap_or(DEFAULT_FILE_TYPE)
                        .to_owned();
                    check_media(&content_type, &at, out);
                    parts.push(OutPart::File {
                        name: rule.name,
                        file: file.clone(),
                        content_type,
                    });
                }
                continue;
            }
            let given = value.get(rule.name).filter(|v| !v.is_null());
            let Some(given) = given else {
                if rule.required {
                    missing(out, "none was given");
                }
                continue;
            };
            if let Some(schema) = crate::validate::media::property_schema(body.schema, rule.name, 0)
            {
                walk::validate(schema, given, &mut at.clone(), out);
            }
            let content_type = rule.content_type.map(first_type);
            if let Some(content_type) = content_type {
                check_media(content_type, &at, out);
            }
            match (rule.kind, given) {
                // A list of text values is the part repeated, once per
                // item; an empty one sends nothing, so a required one
                // needs an item.
                (PartKind::Text, Value::Array(items)) => {
                    if items.is_empty() && rule.required {
                        missing(out, "the list given is empty (each item is one part)");
                    }
                    parts.extend(items.iter().map(|item| OutPart::Text {
                        name: rule.name,
                        text: text_of(item),
                        content_type,
                    }));
                }
                (PartKind::Text, value) => parts.push(OutPart::Text {
                    name: rule.name,
                    text: text_of(value),
                    content_type,
                }),
                (_, value) => parts.push(OutPart::Text {
                    name: rule.name,
                    text: value.to_string(),
                    content_type: Some(content_type.unwrap_or("application/json")),
                }),
            }
        }
        Multipart { parts }
    }

    /// Whether every part can be sent again (no file part is a stream).
    pub(crate) fn replayable(&self) -> bool {
        self.parts.iter().all(|part| match part {
            OutPart::File { file, .. } => file.upload.replayable(),
            OutPart::Text { .. } => true,
        })
    }

    /// `request` with this form as its body (and the `Content-Type` that
    /// names its boundary), made afresh for one attempt; an error when a
    /// streamed file part was already taken by an earlier attempt.
    pub(crate) fn attach(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::RequestBuilder, String> {
        if self.parts.is_empty() {
            // reqwest sends an empty form as no body at all, which a server
            // reads as a missing body; a form of no parts is the closing
            // delimiter alone (RFC 2046).
            const BOUNDARY: &str = "form-without-parts";
            return Ok(request
                .header(
                    reqwest::header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .body(format!("--{BOUNDARY}--\r\n")));
        }
        Ok(request.multipart(self.for_attempt()?))
    }

    /// The form for one attempt; an error when a streamed file part was
    /// already taken by an earlier attempt.
    fn for_attempt(&self) -> Result<reqwest::multipart::Form, String> {
        use reqwest::multipart::{Form, Part};
        let mut form = Form::new();
        for part in &self.parts {
            let (name, made, content_type) = match part {
                OutPart::Text {
                    name,
                    text,
                    content_type,
                } => (*name, Part::text(text.clone()), *content_type),
                OutPart::File {
                    name,
                    file,
                    content_type,
                } => {
                    let body = file.upload.for_attempt().ok_or_else(|| {
                        format!("the file of part `{name}` is a stream, already sent once")
                    })?;
                    let made = match file.upload.length() {
                        Some(length) => Part::stream_with_length(body, length),
                        None => Part::stream(body),
                    };
                    let file_name = file.file_name.clone().unwrap_or_else(|| name.to_string());
                    (
                        *name,
                        made.file_name(file_name),
                        Some(content_type.as_str()),
                    )
                }
            };
            let made = match content_type {
                // Checked before anything was sent (see `check_media`).
                Some(content_type) => made
                    .mime_str(content_type)
                    .map_err(|e| format!("part `{name}`: `{content_type}`: {e}"))?,
                None => made,
            };
            form = form.part(name, made);
        }
        Ok(form)
    }
}

/// Refuses a part `Content-Type` that is not a media type.
fn check_media(content_type: &str, at: &Pointer, out: &mut Vec<Violation>) {
    if reqwest::multipart::Part::text("")
        .mime_str(content_type)
        .is_err()
    {
        out.push(Violation::new(
            at.as_str(),
            "contentType",
            format!("`{content_type}` is not a media type a part can be sent as"),
        ));
    }
}

/// The first media type of an `encoding.contentType`, which may list
/// several (`image/png, image/jpeg`).
fn first_type(list: &'static str) -> &'static str {
    list.split(',').next().unwrap_or(list).trim()
}

/// The text a part holds for a value: a string as it is, a number or a
/// boolean as JSON writes it, anything else as JSON text.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}
