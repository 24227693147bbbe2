//! The server side of `multipart/form-data` bodies: the parts read back
//! by the boundary the `Content-Type` names (RFC 7578), and each text or
//! JSON part judged against its property schema, as the client judged it
//! before sending. File parts are not judged.

use serde_json::Value;

use super::media::{property_schema, scalar};
use super::{Kind, Pointer, resolve, walk};
use crate::{Body, PartKind, Violation};

/// One part of a `multipart/form-data` body as it was received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedPart {
    /// The `name` of its `Content-Disposition`.
    pub name: String,
    /// The `filename` of its `Content-Disposition`, when given.
    pub file_name: Option<String>,
    /// Its `Content-Type`, when given.
    pub content_type: Option<String>,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Reads the parts of a `multipart/form-data` body whose `Content-Type`
/// is `content_type` (which names the boundary); an error says what is
/// malformed.
pub fn parse(content_type: &str, body: &[u8]) -> Result<Vec<ReceivedPart>, String> {
    let boundary = content_type
        .split(';')
        .skip(1)
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"'))
        .filter(|b| !b.is_empty())
        .ok_or("the `Content-Type` names no boundary")?;
    let delimiter = format!("--{boundary}");
    let start = find(body, delimiter.as_bytes()).ok_or("the body holds no boundary delimiter")?;
    let mut rest = &body[start + delimiter.len()..];
    let delimiter = format!("\r\n--{boundary}");
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        rest = rest
            .strip_prefix(b"\r\n")
            .ok_or("a boundary delimiter is not followed by a line break")?;
        let end =
            find(rest, delimiter.as_bytes()).ok_or("the body ends before its closing delimiter")?;
        parts.push(read_part(&rest[..end])?);
        rest = &rest[end + delimiter.len()..];
    }
}

/// One part: its header lines, an empty line, its bytes.
fn read_part(section: &[u8]) -> Result<ReceivedPart, String> {
    let (head, bytes) = match find(section, b"\r\n\r\n") {
        Some(end) => (&section[..end], &section[end + 4..]),
        // No header at all: the part starts with the empty line.
        None => match section.strip_prefix(b"\r\n") {
            Some(bytes) => (&b""[..], bytes),
            None => return Err("a part has no empty line after its headers".into()),
        },
    };
    let head = std::str::from_utf8(head).map_err(|_| "a part's headers are not UTF-8")?;
    let mut part = ReceivedPart {
        name: String::new(),
        file_name: None,
        content_type: None,
        bytes: bytes.to_vec(),
    };
    let mut named = false;
    for line in head.split("\r\n").filter(|l| !l.is_empty()) {
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| format!("a part header is not `name: value`: {line:?}"))?;
        if key.trim().eq_ignore_ascii_case("content-type") {
            part.content_type = Some(value.trim().to_owned());
        } else if key.trim().eq_ignore_ascii_case("content-disposition") {
            for param in value.split(';').skip(1) {
                let Some((k, v)) = param.trim().split_once('=') else {
                    continue;
                };
                let v = v.trim().trim_matches('"');
                match k.trim().to_ascii_lowercase().as_str() {
                    "name" => {
                        part.name = percent_decoded(v);
                        named = true;
                    }
                    "filename" => part.file_name = Some(percent_decoded(v)),
                    _ => {}
                }
            }
        }
    }
    if !named {
        return Err("a part has no `Content-Disposition` name".into());
    }
    Ok(part)
}

/// A name as clients write it: some percent-encode what is not ASCII.
fn percent_decoded(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .map_or_else(|_| text.to_owned(), |t| t.into_owned())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Judges a received form against the route's parts: required parts
/// present, text and JSON parts valid against their property schemas
/// (a text part read by its property's type, a repeated one as a list).
/// What is wrong goes to `out`.
pub fn check(body: &Body, content_type: &str, bytes: &[u8], out: &mut Vec<Violation>) {
    let parts = match parse(content_type, bytes) {
        Ok(parts) => parts,
        Err(problem) => {
            out.push(Violation::new(
                "/body",
                "multipart",
                format!("the body cannot be read as `multipart/form-data`: {problem}"),
            ));
            return;
        }
    };
    for rule in body.parts {
        let given: Vec<&ReceivedPart> = parts.iter().filter(|p| p.name == rule.name).collect();
        let mut at = Pointer::at("/body");
        at.push_key(rule.name);
        if given.is_empty() {
            if rule.required {
                out.push(Violation::new(
                    "/body",
                    "required",
                    format!("the part `{}` is required, and none was sent", rule.name),
                ));
            }
            continue;
        }
        let Some(schema) = property_schema(body.schema, rule.name, 0) else {
            continue;
        };
        let mut texts = Vec::new();
        for part in &given {
            match (rule.kind, std::str::from_utf8(&part.bytes)) {
                (PartKind::File, _) => {}
                (_, Ok(text)) => texts.push(text),
                (_, Err(_)) => out.push(Violation::new(
                    at.as_str(),
                    "encoding",
                    "the part's text is not UTF-8",
                )),
            }
        }
        if rule.kind == PartKind::File || texts.len() < given.len() {
            continue;
        }
        let items = match &resolve(schema).0.kind {
            Kind::Array(rules) => Some(rules.items),
            _ => None,
        };
        let value = match (rule.kind, items) {
            (PartKind::Json, _) => match serde_json::from_str::<Value>(texts[0]) {
                Ok(value) if texts.len() == 1 => value,
                Ok(_) => {
                    out.push(once(&at, texts.len()));
                    continue;
                }
                Err(e) => {
                    out.push(Violation::new(
                        at.as_str(),
                        "json",
                        format!("the part is not JSON: {e}"),
                    ));
                    continue;
                }
            },
            (_, Some(items)) => {
                Value::Array(texts.iter().map(|t| scalar(Some(items), t)).collect())
            }
            (_, None) if texts.len() > 1 => {
                out.push(once(&at, texts.len()));
                continue;
            }
            (_, None) => scalar(Some(schema), texts[0]),
        };
        walk::validate(schema, &value, &mut at, out);
    }
}

fn once(at: &Pointer, count: usize) -> Violation {
    Violation::new(
        at.as_str(),
        "maxItems",
        format!("the part was sent {count} times, it may be sent once"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_read_by_the_boundary() {
        let body = b"preamble\r\n--b\r\ncontent-disposition: form-data; name=\"a\"\r\n\r\none\r\n\
--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.png\"\r\nContent-Type: image/png\r\n\r\n\x89\r\n--b--\r\n";
        let parts = parse("multipart/form-data; boundary=\"b\"", body).unwrap();
        assert_eq!(
            parts,
            [
                ReceivedPart {
                    name: "a".into(),
                    file_name: None,
                    content_type: None,
                    bytes: b"one".to_vec()
                },
                ReceivedPart {
                    name: "f".into(),
                    file_name: Some("x.png".into()),
                    content_type: Some("image/png".into()),
                    bytes: b"\x89".to_vec()
                },
            ]
        );
        assert_eq!(
            parse("multipart/form-data; boundary=b", b"--b--").unwrap(),
            []
        );
        for (content_type, body) in [
            ("multipart/form-data", &b"--b--"[..]),
            ("multipart/form-data; boundary=b", b"--b\r\n\r\nx"),
            (
                "multipart/form-data; boundary=b",
                b"--b\r\nx: y\r\n\r\nx\r\n--b--",
            ),
        ] {
            assert!(parse(content_type, body).is_err(), "{body:?}");
        }
    }
}
