//! Reading a spec file: YAML (or JSON) text to `openapiv3::OpenAPI`, with a
//! side index from JSON pointers to line and column so that every later
//! diagnostic can say where its node is.

use std::collections::HashMap;
use std::path::Path;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::diag::{Diagnostic, Diagnostics, Location, escape_token};

/// Maps JSON pointers (without `#`) to where their node starts. For a value
/// inside a mapping, the place is that of its key, which is where a reader
/// looks first.
#[derive(Debug, Default, Clone)]
pub struct LocationIndex {
    places: HashMap<String, Location>,
}

impl LocationIndex {
    /// Indexes `text`; fails with the YAML scanner's own location on bad syntax.
    pub fn build(text: &str) -> Result<Self, (Location, String)> {
        let mut builder = IndexBuilder::default();
        let mut parser = Parser::new_from_str(text);
        parser.load(&mut builder, false).map_err(|err| {
            let mark = err.marker();
            (
                Location {
                    line: mark.line(),
                    column: mark.col() + 1,
                },
                err.info().to_string(),
            )
        })?;
        Ok(LocationIndex {
            places: builder.places,
        })
    }

    /// Where the node at `pointer` is, or the nearest ancestor that is known.
    pub fn locate(&self, pointer: &str) -> Option<Location> {
        let mut current = pointer;
        loop {
            if let Some(place) = self.places.get(current) {
                return Some(*place);
            }
            let cut = current.rfind('/')?;
            current = &current[..cut];
        }
    }
}

enum Frame {
    Mapping { base: String, key: Option<String> },
    Sequence { base: String, index: usize },
}

#[derive(Default)]
struct IndexBuilder {
    stack: Vec<Frame>,
    places: HashMap<String, Location>,
}

impl IndexBuilder {
    fn location(mark: Marker) -> Location {
        // yaml-rust2 counts lines from 1 and columns from 0.
        Location {
            line: mark.line(),
            column: mark.col() + 1,
        }
    }

    /// The pointer of a node starting now; `None` when the node is a key.
    fn begin_node(&mut self, key_text: Option<&str>, mark: Marker) -> Option<String> {
        let here = Self::location(mark);
        match self.stack.last_mut() {
            None => {
                self.places.entry(String::new()).or_insert(here);
                Some(String::new())
            }
            Some(Frame::Mapping { base, key }) => match key.take() {
                None => {
                    // A key: remember it and where it stands.
                    let text = key_text.unwrap_or("?").to_string();
                    let pointer = format!("{base}/{}", escape_token(&text));
                    self.places.entry(pointer).or_insert(here);
                    *key = Some(text);
                    None
                }
                Some(text) => {
                    let pointer = format!("{base}/{}", escape_token(&text));
                    self.places.entry(pointer.clone()).or_insert(here);
                    Some(pointer)
                }
            },
            Some(Frame::Sequence { base, index }) => {
                let pointer = format!("{base}/{index}");
                *index += 1;
                self.places.entry(pointer.clone()).or_insert(here);
                Some(pointer)
            }
        }
    }
}

impl MarkedEventReceiver for IndexBuilder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(text, ..) => {
                self.begin_node(Some(&text), mark);
            }
            Event::Alias(_) => {
                self.begin_node(None, mark);
            }
            Event::MappingStart(..) => {
                // A mapping used as a key has no pointer; index it under a
                // name nobody asks for so the structure stays balanced.
                let base = self
                    .begin_node(None, mark)
                    .unwrap_or_else(|| "/\u{0}complex-key".to_string());
                self.stack.push(Frame::Mapping { base, key: None });
            }
            Event::SequenceStart(..) => {
                let base = self
                    .begin_node(None, mark)
                    .unwrap_or_else(|| "/\u{0}complex-key".to_string());
                self.stack.push(Frame::Sequence { base, index: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

/// A spec file that parsed: its text, name and location index.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name used in diagnostics (the path as the user gave it).
    pub name: String,
    /// Pointer-to-location index.
    pub index: LocationIndex,
}

/// Reads and parses the spec at `path`.
pub fn load(path: &Path) -> Result<(Source, openapiv3::OpenAPI), Diagnostics> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|err| {
        Diagnostics::single(Diagnostic {
            file: name.clone(),
            location: None,
            pointer: "#".into(),
            message: format!("cannot read the spec: {err}"),
            hint: Some("check the path and that the file is UTF-8 text".into()),
        })
    })?;
    parse(&name, &text)
}

/// Parses spec `text`, naming it `name` in diagnostics.
pub fn parse(name: &str, text: &str) -> Result<(Source, openapiv3::OpenAPI), Diagnostics> {
    let fail = |location: Option<Location>, pointer: String, message: String, hint: &str| {
        Diagnostics::single(Diagnostic {
            file: name.to_string(),
            location,
            pointer,
            message,
            hint: (!hint.is_empty()).then(|| hint.to_string()),
        })
    };
    let index = LocationIndex::build(text).map_err(|(location, info)| {
        fail(
            Some(location),
            "#".into(),
            format!("YAML syntax error: {info}"),
            "the file must be valid YAML or JSON",
        )
    })?;
    let source = Source {
        name: name.to_string(),
        index,
    };

    let raw: serde_yaml::Value = serde_yaml::from_str(text).map_err(|err| {
        let location = err.location().map(|l| Location {
            line: l.line(),
            column: l.column(),
        });
        fail(location, "#".into(), format!("YAML error: {err}"), "")
    })?;
    check_version(&raw).map_err(|(pointer, message, hint)| {
        fail(
            source.index.locate(&pointer),
            format!("#{pointer}"),
            message,
            hint,
        )
    })?;

    let deserializer = serde_yaml::Deserializer::from_str(text);
    let api: openapiv3::OpenAPI =
        serde_path_to_error::deserialize(deserializer).map_err(|err| {
            let pointer = pointer_of(err.path());
            let message = format!("not a valid OpenAPI 3.0 document here: {}", err.inner());
            fail(
                source.index.locate(&pointer),
                format!("#{pointer}"),
                message,
                "compare this node with the OpenAPI 3.0 schema for its kind of object",
            )
        })?;
    Ok((source, api))
}

/// Only OpenAPI 3.0.x is understood; 3.1 and Swagger 2.0 are told apart so
/// the message can say which was found.
fn check_version(raw: &serde_yaml::Value) -> Result<(), (String, String, &'static str)> {
    let Some(map) = raw.as_mapping() else {
        return Err((
            String::new(),
            "the document is not a mapping".into(),
            "an OpenAPI document is a YAML mapping with `openapi`, `info` and `paths`",
        ));
    };
    if map.contains_key("swagger") {
        return Err((
            "/swagger".into(),
            "Swagger 2.0 is not supported".into(),
            "convert the document to OpenAPI 3.0 first",
        ));
    }
    match map.get("openapi") {
        Some(serde_yaml::Value::String(v)) if v.starts_with("3.0.") || v == "3.0" => Ok(()),
        Some(serde_yaml::Value::String(v)) if v.starts_with("3.1") => Err((
            "/openapi".into(),
            format!("OpenAPI {v} is not supported; this generator reads OpenAPI 3.0.x"),
            "3.1 changes nullable, exclusiveMinimum and $ref rules; write the spec as 3.0.3",
        )),
        Some(other) => Err((
            "/openapi".into(),
            format!("unsupported OpenAPI version {}", yaml_scalar(other)),
            "set `openapi: 3.0.3`",
        )),
        None => Err((
            String::new(),
            "missing the `openapi` version field".into(),
            "add `openapi: 3.0.3` at the top",
        )),
    }
}

fn yaml_scalar(value: &serde_yaml::Value) -> String {
    serde_yaml::to_string(value)
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".into())
}

/// Converts serde_path_to_error's path into a JSON pointer.
fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                out.push('/');
                out.push_str(&escape_token(key));
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_points_at_keys_and_items() {
        let text = "a:\n  b: 1\n  c:\n    - x\n    - y: 2\n'd/e': 3\n";
        let index = LocationIndex::build(text).unwrap();
        assert_eq!(index.locate("/a/b"), Some(Location { line: 2, column: 3 }));
        assert_eq!(
            index.locate("/a/c/1/y"),
            Some(Location { line: 5, column: 7 })
        );
        assert_eq!(index.locate("/d~1e"), Some(Location { line: 6, column: 1 }));
        // An unknown child falls back to its nearest known ancestor.
        assert_eq!(
            index.locate("/a/c/7"),
            Some(Location { line: 3, column: 3 })
        );
    }

    #[test]
    fn syntax_error_is_located() {
        let err = parse("bad.yaml", "openapi: 3.0.3\ninfo: [\n").unwrap_err();
        let d = &err.items[0];
        assert!(d.message.starts_with("YAML syntax error"), "{d}");
        assert!(d.location.is_some());
    }

    #[test]
    fn openapi_31_is_refused_by_name() {
        let err = parse(
            "x.yaml",
            "openapi: 3.1.0\ninfo: {title: t, version: v}\npaths: {}\n",
        )
        .unwrap_err();
        assert!(err.items[0].message.contains("3.1.0"), "{err}");
        assert_eq!(err.items[0].pointer, "#/openapi");
        assert_eq!(err.items[0].location, Some(Location { line: 1, column: 1 }));
    }
}
