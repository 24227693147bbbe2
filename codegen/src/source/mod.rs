//! Reading a spec file: YAML (or JSON) text to `openapiv3::OpenAPI`, with a
//! side index from JSON pointers to line and column so that every later
//! diagnostic can say where its node is.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::diag::{Diagnostic, Diagnostics, Location, Severity, escape_token};

/// Maps JSON pointers (without `#`) to where their node starts. For a value
/// inside a mapping, the place is that of its key, which is where a reader
/// looks first.
///
/// The map is built on first use: a spec without problems never needs it,
/// and building it means parsing the whole text once more, which costs as
/// much as the parse itself on a large spec.
#[derive(Debug, Default, Clone)]
pub struct LocationIndex {
    text: String,
    places: OnceLock<HashMap<String, Location>>,
}

impl LocationIndex {
    /// Indexes `text` now; fails with the YAML scanner's own location on bad
    /// syntax.
    pub fn build(text: &str) -> Result<Self, (Location, String)> {
        let places = index_places(text)?;
        Ok(LocationIndex {
            text: String::new(),
            places: OnceLock::from(places),
        })
    }

    /// An index of `text` that is built when first asked (`text` must be
    /// YAML that parses).
    pub fn lazy(text: &str) -> Self {
        LocationIndex {
            text: text.to_string(),
            places: OnceLock::new(),
        }
    }

    /// Where the node at `pointer` is, or the nearest ancestor that is
    /// known; a document with no node at all is located at its start.
    pub fn locate(&self, pointer: &str) -> Option<Location> {
        let places = self
            .places
            .get_or_init(|| index_places(&self.text).unwrap_or_default());
        let mut current = pointer;
        loop {
            if let Some(place) = places.get(current) {
                return Some(*place);
            }
            match current.rfind('/') {
                Some(cut) => current = &current[..cut],
                None => return Some(Location { line: 1, column: 1 }),
            }
        }
    }
}

/// Runs the YAML parser over `text`, recording where each node starts.
fn index_places(text: &str) -> Result<HashMap<String, Location>, (Location, String)> {
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
    Ok(builder.places)
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

/// A spec that parsed: its name, location index, and the files its
/// external `$ref`s brought in.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name used in diagnostics (the path as the user gave it).
    pub name: String,
    /// Pointer-to-location index.
    pub index: LocationIndex,
    /// What reading the file found that does not stop generation (unknown
    /// keys), located; later stages report them with their own.
    pub warnings: Vec<Diagnostic>,
    /// Where the nodes copied from other files came from (empty for a
    /// spec in one file).
    pub origins: Origins,
}

impl Source {
    /// A diagnostic about the node at `pointer` (without `#`) of the
    /// bundled document, located in the file the node came from.
    pub fn diagnostic(
        &self,
        severity: Severity,
        pointer: &str,
        message: String,
        hint: Option<String>,
    ) -> Diagnostic {
        let (file, index, pointer) = match self.origins.place(pointer) {
            Some((file, index, pointer)) => (file, index, pointer),
            None => (self.name.as_str(), &self.index, pointer.to_string()),
        };
        Diagnostic {
            severity,
            file: file.to_string(),
            location: index.locate(&pointer),
            pointer: format!("#{pointer}"),
            message,
            hint,
        }
    }
}

/// Where the nodes of a multi-file spec came from: the bundled document
/// (one tree, see `bundle`) holds copies of nodes of other files under
/// new pointers; a diagnostic about such a node names the file, line,
/// column and pointer of the original.
#[derive(Debug, Default, Clone)]
pub struct Origins {
    /// Every file read: name and location index, the root first.
    files: Vec<(String, LocationIndex)>,
    /// (pointer in the bundle, file, pointer in that file).
    map: Vec<(String, usize, String)>,
}

impl Origins {
    pub(crate) fn add_file(&mut self, name: String, index: LocationIndex) {
        self.files.push((name, index));
    }

    pub(crate) fn add(&mut self, at: String, file: usize, from: String) {
        self.map.push((at, file, from));
    }

    /// The names of the files the spec was read from, the root first
    /// (empty for a spec in one file).
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|(name, _)| name.as_str())
    }

    /// For a node copied from another place: that file's name, its index,
    /// and the node's pointer there.
    pub fn place(&self, pointer: &str) -> Option<(&str, &LocationIndex, String)> {
        let (at, file, from) = self
            .map
            .iter()
            .filter(|(at, ..)| {
                pointer
                    .strip_prefix(at.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            })
            .max_by_key(|(at, ..)| at.len())?;
        let (name, index) = self.files.get(*file)?;
        Some((name, index, format!("{from}{}", &pointer[at.len()..])))
    }
}

/// Reads and parses the spec at `path`, and the files its `$ref`s name.
pub fn load(path: &Path) -> Result<(Source, openapiv3::OpenAPI), Diagnostics> {
    load_tracked(path, &mut Vec::new())
}

/// [`load`], adding to `files` every file read or tried besides `path`
/// (for `cargo:rerun-if-changed`), whether or not the spec has problems.
pub fn load_tracked(
    path: &Path,
    files: &mut Vec<PathBuf>,
) -> Result<(Source, openapiv3::OpenAPI), Diagnostics> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|err| {
        Diagnostics::single(Diagnostic {
            severity: Severity::Error,
            file: name.clone(),
            location: None,
            pointer: "#".into(),
            message: format!("cannot read the spec: {err}"),
            hint: Some("check the path and that the file is UTF-8 text".into()),
        })
    })?;
    parse_tracked(&name, &text, files)
}

/// Parses spec `text`, naming it `name` in diagnostics; relative `$ref`s
/// to other files are read from the directory of `name`.
///
/// The text is parsed into a YAML tree, which is checked (version, path
/// keys, vocabulary) and then converted into `openapiv3` types. Where a
/// second core is free, the text is parsed straight into `openapiv3`
/// types beside the checks, and that result is taken when the checks
/// pass: the two parses cost about the same, so the wall time of this
/// stage is close to one parse. Only when something is wrong is the text
/// parsed again: for the location index, and for the JSON pointer of a
/// node `openapiv3` refuses. A spec whose `$ref`s name other files is
/// bundled first (see `bundle`), and the bundle is converted instead.
pub fn parse(name: &str, text: &str) -> Result<(Source, openapiv3::OpenAPI), Diagnostics> {
    parse_tracked(name, text, &mut Vec::new())
}

/// [`parse`], adding to `files` every other file read or tried.
pub fn parse_tracked(
    name: &str,
    text: &str,
    files: &mut Vec<PathBuf>,
) -> Result<(Source, openapiv3::OpenAPI), Diagnostics> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 {
        return parse_checked(
            name,
            text,
            None::<fn() -> Option<openapiv3::OpenAPI>>,
            files,
        );
    }
    std::thread::scope(|scope| {
        let typed = scope.spawn(|| serde_yaml::from_str::<openapiv3::OpenAPI>(text).ok());
        parse_checked(name, text, Some(|| typed.join().ok().flatten()), files)
    })
}

/// [`parse`]'s checks, then `typed` (the text parsed straight into
/// `openapiv3` types on another thread, when there is one) or the
/// conversion of the checked tree.
fn parse_checked(
    name: &str,
    text: &str,
    typed: Option<impl FnOnce() -> Option<openapiv3::OpenAPI>>,
    files: &mut Vec<PathBuf>,
) -> Result<(Source, openapiv3::OpenAPI), Diagnostics> {
    let raw: serde_yaml::Value = match serde_yaml::from_str(text) {
        Ok(raw) => raw,
        Err(err) => return Err(syntax_error(name, text, &err)),
    };
    let mut source = Source {
        name: name.to_string(),
        index: LocationIndex::lazy(text),
        warnings: Vec::new(),
        origins: Origins::default(),
    };
    if let Err((pointer, message, hint)) = check_version(&raw) {
        return Err(Diagnostics::single(source.diagnostic(
            Severity::Error,
            &pointer,
            message,
            Some(hint.into()),
        )));
    }
    let fail = |source: &Source, pointer: String, message: String, hint: &str| {
        source.diagnostic(Severity::Error, &pointer, message, Some(hint.into()))
    };
    let mut path_problems: Vec<Diagnostic> = bad_path_keys(&raw)
        .into_iter()
        .map(|(pointer, message, hint)| fail(&source, pointer, message, hint))
        .collect();
    // Other files named by `$ref`s are copied in before the vocabulary
    // walk, so that their keys are checked too (and located in their own
    // file).
    let (raw, bundled) = if path_problems.is_empty() && crate::bundle::needs_bundling(&raw) {
        match crate::bundle::bundle(name, text, raw, files) {
            Ok(b) => {
                source.origins = b.origins;
                (b.tree, true)
            }
            Err(problems) => return Err(Diagnostics { items: problems }),
        }
    } else {
        (raw, false)
    };
    // An unknown key is ignored by the generator (as by every reader of
    // the spec): a warning that names it, and the nearest known key.
    let mut warnings: Vec<Diagnostic> = crate::vocabulary::unknown_keys(&raw)
        .into_iter()
        .map(|(pointer, message, hint)| {
            source.diagnostic(Severity::Warning, &pointer, message, Some(hint))
        })
        .collect();
    crate::diag::sort(&mut warnings);
    if !path_problems.is_empty() {
        path_problems.extend(warnings);
        crate::diag::sort(&mut path_problems);
        return Err(Diagnostics {
            items: path_problems,
        });
    }
    source.warnings = warnings;
    if bundled {
        // The other thread parsed the root alone: its result is not used.
        return match serde::Deserialize::deserialize(&raw) {
            Ok(api) => Ok((source, api)),
            Err(first) => Err(refused_node(&source, &raw, &first)),
        };
    }
    let converted = match typed {
        Some(typed) => {
            // The tree is freed while the other thread may still parse.
            drop(raw);
            match typed() {
                Some(api) => return Ok((source, api)),
                // Rare (the checked tree did parse): read the tree again
                // and convert it, as without a second thread.
                None => serde_yaml::from_str::<serde_yaml::Value>(text)
                    .and_then(serde::Deserialize::deserialize),
            }
        }
        None => serde::Deserialize::deserialize(raw),
    };
    match converted {
        Ok(api) => Ok((source, api)),
        Err(first) => {
            // Parse again, tracking the path, to say where the bad node is.
            let raw = match serde_yaml::from_str::<serde_yaml::Value>(text) {
                Ok(raw) => raw,
                Err(err) => return Err(syntax_error(name, text, &err)),
            };
            Err(refused_node(&source, &raw, &first))
        }
    }
}

/// The located error for a tree `openapiv3` refuses: the deepest node
/// at fault, found by converting again while tracking the path.
fn refused_node(
    source: &Source,
    raw: &serde_yaml::Value,
    first: &serde_yaml::Error,
) -> Diagnostics {
    let (pointer, inner) = match serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(raw) {
        Err(err) => (pointer_of(err.path()), err.into_inner().to_string()),
        // Cannot happen for the same tree; the first error still says
        // what is wrong.
        Ok(_) => (String::new(), first.to_string()),
    };
    let (pointer, inner) = narrow(raw, pointer, inner);
    let message = format!(
        "not a valid OpenAPI 3.0 document here: {}",
        without_yaml_position(&inner)
    );
    Diagnostics::single(source.diagnostic(
        Severity::Error,
        &pointer,
        message,
        Some("compare this node with the OpenAPI 3.0 schema for its kind of object".into()),
    ))
}

/// `openapiv3` reads path items, operations and components through
/// `#[serde(flatten)]`, which hides the path inside them from
/// serde_path_to_error: a bad node deep in an operation is reported at
/// `/paths`. Deserialize the children one by one to find the operation or
/// component at fault.
fn narrow(raw: &serde_yaml::Value, pointer: String, message: String) -> (String, String) {
    use openapiv3::{Operation, PathItem, ReferenceOr};
    fn first_bad<T: serde::de::DeserializeOwned>(
        map: &serde_yaml::Mapping,
    ) -> Option<(String, serde_yaml::Value, String)> {
        map.iter().find_map(|(key, value)| {
            let key = key.as_str()?;
            match serde_path_to_error::deserialize::<_, T>(value.clone()) {
                Ok(_) => None,
                Err(err) => Some((
                    format!("/{}{}", escape_token(key), pointer_of(err.path())),
                    value.clone(),
                    err.into_inner().to_string(),
                )),
            }
        })
    }
    let under = |p: &str| raw.get(p).and_then(serde_yaml::Value::as_mapping).cloned();
    match pointer.as_str() {
        "/paths" => {
            let Some(paths) = under("paths") else {
                return (pointer, message);
            };
            let Some((at, item, inner)) = first_bad::<ReferenceOr<PathItem>>(&paths) else {
                return (pointer, message);
            };
            let methods: serde_yaml::Mapping = item
                .as_mapping()
                .map(|m| {
                    m.iter()
                        .filter(|(k, _)| {
                            k.as_str().is_some_and(|k| {
                                [
                                    "get", "put", "post", "delete", "options", "head", "patch",
                                    "trace",
                                ]
                                .contains(&k)
                            })
                        })
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                })
                .unwrap_or_default();
            match first_bad::<Operation>(&methods) {
                Some((op_at, _, op_inner)) => (format!("/paths{at}{op_at}"), op_inner),
                None => (format!("/paths{at}"), inner),
            }
        }
        "/components" => {
            let Some(components) = under("components") else {
                return (pointer, message);
            };
            for (kind, value) in &components {
                let (Some(kind), Some(map)) = (kind.as_str(), value.as_mapping()) else {
                    continue;
                };
                let found = match kind {
                    "schemas" => first_bad::<ReferenceOr<openapiv3::Schema>>(map),
                    "responses" => first_bad::<ReferenceOr<openapiv3::Response>>(map),
                    "parameters" => first_bad::<ReferenceOr<openapiv3::Parameter>>(map),
                    "requestBodies" => first_bad::<ReferenceOr<openapiv3::RequestBody>>(map),
                    "headers" => first_bad::<ReferenceOr<openapiv3::Header>>(map),
                    "securitySchemes" => first_bad::<ReferenceOr<openapiv3::SecurityScheme>>(map),
                    _ => None,
                };
                if let Some((at, _, inner)) = found {
                    return (format!("/components/{}{at}", escape_token(kind)), inner);
                }
            }
            (pointer, message)
        }
        _ => (pointer, message),
    }
}

/// A YAML syntax error, located by the YAML scanner (whose messages say
/// what it expected).
pub(crate) fn syntax_error(name: &str, text: &str, err: &serde_yaml::Error) -> Diagnostics {
    let (location, message) = match index_places(text) {
        Err((location, info)) => (Some(location), format!("YAML syntax error: {info}")),
        Ok(_) => (
            err.location()
                .map(|l| Location {
                    line: l.line(),
                    column: l.column(),
                })
                .or(Some(Location { line: 1, column: 1 })),
            format!("YAML error: {}", without_yaml_position(&err.to_string())),
        ),
    };
    Diagnostics::single(Diagnostic {
        severity: Severity::Error,
        file: name.to_string(),
        location,
        pointer: "#".into(),
        message,
        hint: Some("the file must be valid YAML or JSON".into()),
    })
}

/// serde_yaml appends ` at line L column C` to its messages; inside
/// buffered (flattened) nodes that position is often not the node's, and
/// the diagnostic carries its own location anyway.
fn without_yaml_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(cut) if message[cut..].contains(" column ") => message[..cut].to_string(),
        _ => message.to_string(),
    }
}

/// `openapiv3` keeps only `paths` keys that start with `/` (and `x-`
/// extensions) and drops the rest without a word; say so instead.
fn bad_path_keys(raw: &serde_yaml::Value) -> Vec<(String, String, &'static str)> {
    let Some(paths) = raw.get("paths").and_then(serde_yaml::Value::as_mapping) else {
        return Vec::new();
    };
    paths
        .keys()
        .filter_map(|key| {
            let text = match key {
                serde_yaml::Value::String(s) => s.clone(),
                other => yaml_scalar(other),
            };
            if text.starts_with('/') || text.starts_with("x-") {
                return None;
            }
            Some((
                format!("/paths/{}", escape_token(&text)),
                format!("path `{text}` does not start with `/`"),
                "write paths as `/segment/...`",
            ))
        })
        .collect()
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
