//! `codegen` turns an OpenAPI 3.0 description into a typed Rust client for
//! the `openapi-runtime` crate.
//!
//! The pipeline is staged, and each stage reports all of its problems at
//! once, each with file, line, column and JSON pointer:
//!
//! ```text
//! spec.yaml --source--> openapiv3::OpenAPI --lower--> model::Api --emit--> TokenStream --syn + prettyplease--> Rust
//! ```
//!
//! A spec split over several files is one document by the time it is
//! lowered: `source` reads every file a `$ref` names and copies the
//! targets in (module `source::bundle`), remembering where each came from so that
//! every diagnostic names the file, line and column of its node.
//!
//! Use [`Config`] from a `build.rs`:
//!
//! ```no_run
//! // build.rs: print the located report and fail the build cleanly;
//! // warnings come out as `cargo::warning=` lines.
//! if let Err(err) = codegen::Config::new()
//!     .spec("../spec/assign.yaml")
//!     .out_file("api.rs")
//!     .generate()
//! {
//!     eprintln!("{err}");
//!     std::process::exit(1);
//! }
//! ```
//! and include the result with
//! `include!(concat!(env!("OUT_DIR"), "/api.rs"));`.

// `quote!` recurses once per nested group and repetition; the largest
// emitted items (a route, a schema descriptor) go beyond the default 128.
#![recursion_limit = "256"]
#![warn(missing_docs)]

pub mod diag;
pub mod emit;
pub mod lower;
pub mod model;
pub mod names;
pub mod scaffold;
pub mod source;

mod config;

use std::path::Path;

pub use config::{Config, Error};
pub use diag::{Diagnostic, Diagnostics, Severity};
pub use emit::EmitOptions;

/// Reads, checks and lowers the spec at `path` into the model.
pub fn load_model(path: &Path) -> Result<model::Api, Diagnostics> {
    load_model_tracked(path, &mut Vec::new())
}

/// [`load_model`], adding to `files` every other file the spec's `$ref`s
/// made it read or try (a build script watches them), whether or not the
/// spec has problems.
pub fn load_model_tracked(
    path: &Path,
    files: &mut Vec<std::path::PathBuf>,
) -> Result<model::Api, Diagnostics> {
    let (source, api) = source::load_tracked(path, files)?;
    lower::lower(&source, &api)
}

/// Lowers spec text (named `name` in diagnostics; relative `$ref`s to
/// other files are read from the directory of `name`) into the model.
pub fn model_from_str(name: &str, text: &str) -> Result<model::Api, Diagnostics> {
    let (source, api) = source::parse(name, text)?;
    lower::lower(&source, &api)
}

/// Writes `content` to `path` (creating its directory) unless the file
/// already holds exactly that.
pub fn write_file(path: &Path, content: &str) -> Result<(), Error> {
    config::write_if_changed(path, content)
}

/// Writes `pieces`, joined in order, to `path` (creating its directory)
/// unless the file already holds exactly that; for
/// [`emit::render_pieces`]'s output, which it never joins in memory.
pub fn write_pieces(path: &Path, pieces: &[String]) -> Result<(), Error> {
    config::write_pieces_if_changed(path, pieces)
}

/// Generates formatted Rust source for the spec at `path` (its warnings
/// are dropped; read them from [`load_model`]'s `warnings`).
pub fn generate_file(path: &Path, options: &EmitOptions) -> Result<String, Error> {
    let api = load_model(path)?;
    Ok(emit::render(&api, options)?)
}

/// Generates formatted Rust source from spec text.
pub fn generate_str(name: &str, text: &str, options: &EmitOptions) -> Result<String, Error> {
    let api = model_from_str(name, text)?;
    Ok(emit::render(&api, options)?)
}
