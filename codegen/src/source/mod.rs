//! The source stage: reading a spec file, YAML (or JSON) text, into
//! `openapiv3::OpenAPI`, with a side index from JSON pointers to line and
//! column ([`LocationIndex`]) so that every later diagnostic can say where
//! its node is.
//!
//! Its parts: the parse and the document checks (here), the location index
//! (`index`), the bundling of other files that `$ref`s name (`bundle`),
//! the check of every key against OpenAPI's vocabulary (`vocabulary`),
//! the narrowing of a node `openapiv3` refuses to the one at fault
//! (`narrow`), and the [`Collector`] that later stages report through,
//! which locates each pointer in the file its node came from. `diag`
//! holds the report types they all produce, and imports nothing of this.

mod bundle;
mod collector;
mod index;
mod narrow;
mod vocabulary;

use std::path::{Path, PathBuf};

pub use collector::Collector;
pub use index::LocationIndex;

use crate::diag::{Diagnostic, Diagnostics, Location, Severity, escape_token};
use narrow::{refused_node, without_yaml_position};

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
/// keys, vocabulary) and then converted into `openapiv3` types, taking the
/// tree apart as it goes. The two are never parsed side by side: the YAML
/// parser holds every event of the document while it builds a tree, which
/// on a large spec is more than the tree itself, and two at once would
/// nearly double the stage's peak memory. Only when something is wrong is
/// the text parsed again: for the location index, and for the JSON
/// pointer of a node `openapiv3` refuses. A spec whose `$ref`s name other
/// files is bundled first (see `bundle`), and the bundle is converted
/// instead.
pub fn parse(name: &str, text: &str) -> Result<(Source, openapiv3::OpenAPI), Diagnostics> {
    parse_tracked(name, text, &mut Vec::new())
}

/// [`parse`], adding to `files` every other file read or tried.
pub fn parse_tracked(
    name: &str,
    text: &str,
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
    let (raw, bundled) = if path_problems.is_empty() && bundle::needs_bundling(&raw) {
        match bundle::bundle(name, text, raw, files) {
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
    let mut warnings: Vec<Diagnostic> = vocabulary::unknown_keys(&raw)
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
        // The text is only the root: the bundle is kept to locate a
        // refused node in it.
        return match serde::Deserialize::deserialize(&raw) {
            Ok(api) => Ok((source, api)),
            Err(first) => Err(refused_node(&source, &raw, &first)),
        };
    }
    // The owned tree is taken apart as it is converted: its strings move
    // into the `openapiv3` types instead of being copied.
    match serde::Deserialize::deserialize(raw) {
        Ok(api) => Ok((source, api)),
        Err(first) => {
            // Parse again (the tree is gone), tracking the path, to say
            // where the bad node is.
            let raw = match serde_yaml::from_str::<serde_yaml::Value>(text) {
                Ok(raw) => raw,
                Err(err) => return Err(syntax_error(name, text, &err)),
            };
            Err(refused_node(&source, &raw, &first))
        }
    }
}

/// A YAML syntax error, located by the YAML scanner (whose messages say
/// what it expected).
pub(crate) fn syntax_error(name: &str, text: &str, err: &serde_yaml::Error) -> Diagnostics {
    let (location, message) = match index::index_places(text) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
