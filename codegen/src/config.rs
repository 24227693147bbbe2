//! The build-script API, in the style of `prost-build`: a small builder
//! that reads specs, writes the generated code into `OUT_DIR` only when it
//! changed, and tells Cargo which files to watch.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::diag::Diagnostics;
use crate::emit::EmitOptions;

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec has problems; each is located.
    #[error("{0}")]
    Spec(#[from] Diagnostics),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The configuration is incomplete (e.g. no spec given, no `OUT_DIR`).
    #[error("codegen configuration: {0}")]
    Config(String),
    /// The generator produced code that does not parse: a bug in codegen.
    #[error(transparent)]
    Internal(#[from] crate::emit::RenderError),
}

/// Configures one generation run.
///
/// ```no_run
/// codegen::Config::new()
///     .spec("spec/assign.yaml")
///     .runtime_crate("openapi_runtime")
///     .out_file("api.rs")
///     .generate()
///     .unwrap_or_else(|err| panic!("{err}"));
/// ```
///
/// Warnings (what the generated code does not enforce, such as a `format`
/// the validators do not know) do not stop generation: in a build script
/// each is printed as a `cargo::warning=` line with its file, line, column
/// and JSON pointer. [`Config::deny_warnings`] makes them fail the run.
#[derive(Debug, Clone)]
pub struct Config {
    spec: Option<PathBuf>,
    out_dir: Option<PathBuf>,
    out_file: String,
    options: EmitOptions,
    cargo_metadata: bool,
    deny_warnings: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self::new()
    }
}

impl Config {
    /// A configuration with defaults: output `api.rs` in `$OUT_DIR`, runtime
    /// crate `openapi_runtime`, and `cargo:rerun-if-changed` lines printed.
    pub fn new() -> Self {
        Config {
            spec: None,
            out_dir: None,
            out_file: "api.rs".into(),
            options: EmitOptions::default(),
            cargo_metadata: true,
            deny_warnings: false,
        }
    }

    /// The spec to read (YAML or JSON, OpenAPI 3.0.x).
    pub fn spec(&mut self, path: impl AsRef<Path>) -> &mut Self {
        self.spec = Some(path.as_ref().to_path_buf());
        self
    }

    /// Where to write; defaults to the `OUT_DIR` Cargo gives build scripts.
    pub fn out_dir(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        self.out_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// The output file's name inside the output directory (`api.rs`).
    pub fn out_file(&mut self, name: impl Into<String>) -> &mut Self {
        self.out_file = name.into();
        self
    }

    /// The name under which the generated code reaches the runtime crate.
    pub fn runtime_crate(&mut self, name: impl Into<String>) -> &mut Self {
        self.options.runtime_crate = name.into();
        self
    }

    /// Whether to generate the `Client` and its fluent builders (default
    /// `true`). Without them the output still has the types, route table
    /// and validators (and the `server` entry point, see [`Config::server`]).
    pub fn client(&mut self, on: bool) -> &mut Self {
        self.options.client = on;
        self
    }

    /// Whether to generate the server side (default `false`):
    /// `server::handle` reads a raw HTTP request and gives the operation's
    /// typed, validated input or every reason to refuse it, for a mock or
    /// a validating server. The dispatcher brings it along.
    pub fn server(&mut self, on: bool) -> &mut Self {
        self.options.server = on;
        self
    }

    /// Whether to generate the dispatcher (default `false`): every
    /// operation callable by its operationId with generic arguments
    /// (`Client::dispatch`, `dispatch::OPERATIONS` through the flat method
    /// and the fluent path, and `API`, the spec's surface as data), for a
    /// conformance job, a mock or a proxy.
    pub fn dispatcher(&mut self, on: bool) -> &mut Self {
        self.options.dispatcher = on;
        self
    }

    /// Whether to print `cargo:rerun-if-changed` for the spec and for
    /// every file its `$ref`s name (on by default; turn off outside build
    /// scripts).
    pub fn cargo_metadata(&mut self, on: bool) -> &mut Self {
        self.cargo_metadata = on;
        self
    }

    /// Whether warnings fail the run (default `false`): with `true`, a spec
    /// with any warning is an [`Error::Spec`] listing them, and nothing is
    /// written. For a strict CI that wants every `format` enforced.
    pub fn deny_warnings(&mut self, on: bool) -> &mut Self {
        self.deny_warnings = on;
        self
    }

    /// Runs the generator and writes the file if its content changed.
    /// Returns the path written (or left as it was).
    pub fn generate(&self) -> Result<PathBuf, Error> {
        let spec = self
            .spec
            .as_ref()
            .ok_or_else(|| Error::Config("no spec given; call `.spec(path)`".into()))?;
        if self.cargo_metadata {
            // Printed before reading so that Cargo reruns us once the spec
            // is fixed, even when this run fails.
            println!("cargo:rerun-if-changed={}", spec.display());
        }
        let out_dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or_else(|| {
                    Error::Config(
                        "OUT_DIR is not set; call `.out_dir(dir)` outside build scripts".into(),
                    )
                })?,
        };
        let mut files = Vec::new();
        let loaded = crate::load_model_tracked(spec, &mut files);
        if self.cargo_metadata {
            // Every other file the spec's `$ref`s read (or tried to: a
            // missing one is watched until it appears).
            for file in &files {
                println!("cargo:rerun-if-changed={}", file.display());
            }
        }
        let api = loaded?;
        check_warnings(&api, self.deny_warnings)?;
        for warning in &api.warnings {
            if self.cargo_metadata {
                println!("cargo::warning={}", warning.one_line());
            } else {
                eprintln!("{warning}");
            }
        }
        let code = crate::emit::render_pieces(&api, &self.options)?;
        drop(api);
        let target = out_dir.join(&self.out_file);
        write_pieces_if_changed(&target, &code)?;
        Ok(target)
    }
}

/// With `deny`, any warning of `api` becomes an error (the report lists
/// every warning).
pub(crate) fn check_warnings(api: &crate::model::Api, deny: bool) -> Result<(), Diagnostics> {
    if deny && !api.warnings.is_empty() {
        return Err(Diagnostics {
            items: api.warnings.clone(),
        });
    }
    Ok(())
}

/// Writes `content` to `path` unless the file already holds exactly that,
/// so that an unchanged spec does not touch timestamps and trigger rebuilds.
pub(crate) fn write_if_changed(path: &Path, content: &str) -> Result<(), Error> {
    write_pieces_if_changed(path, &[content])
}

/// [`write_if_changed`] for content in pieces (joined in order). Neither
/// the content nor the old file is held whole a second time: the file is
/// compared piece by piece, and written the same way.
pub(crate) fn write_pieces_if_changed<S: AsRef<str>>(
    path: &Path,
    pieces: &[S],
) -> Result<(), Error> {
    if holds(path, pieces) {
        return Ok(());
    }
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| Error::Io {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    for piece in pieces {
        file.write_all(piece.as_ref().as_bytes()).map_err(io)?;
    }
    file.flush().map_err(io)
}

/// Whether the file at `path` holds exactly the joined `pieces`.
fn holds<S: AsRef<str>>(path: &Path, pieces: &[S]) -> bool {
    let len: usize = pieces.iter().map(|p| p.as_ref().len()).sum();
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    if !file.metadata().is_ok_and(|m| m.len() == len as u64) {
        return false;
    }
    let mut file = std::io::BufReader::new(file);
    let mut buffer = vec![0; 64 * 1024];
    for piece in pieces {
        for part in piece.as_ref().as_bytes().chunks(buffer.len()) {
            let old = &mut buffer[..part.len()];
            if file.read_exact(old).is_err() || old != part {
                return false;
            }
        }
    }
    // Nothing may follow (the file may have grown since its length was read).
    file.read(&mut buffer[..1]).is_ok_and(|n| n == 0)
}

#[cfg(test)]
mod tests {
    use super::{holds, write_pieces_if_changed};

    #[test]
    fn a_file_is_compared_with_its_pieces_however_they_are_cut() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out/api.rs");
        write_pieces_if_changed(&path, &["fn a() {}\n", "", "fn b() {}\n"]).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "fn a() {}\nfn b() {}\n"
        );
        assert!(holds(&path, &["fn a() {}\nfn b() {}\n"]));
        assert!(holds(&path, &["fn a", "() {}\nfn b() {}", "\n"]));
        assert!(!holds(&path, &["fn a() {}\n"]));
        assert!(!holds(&path, &["fn a() {}\nfn c() {}\n"]));
        assert!(!holds(&dir.path().join("absent.rs"), &[""]));
    }
}
