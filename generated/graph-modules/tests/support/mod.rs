//! Shared by the integration tests of this crate.

pub mod values;

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Microsoft's modules, or `None` (with a printed note) when the directory
/// is absent on this machine.
pub fn microsoft_dir(test: &str) -> Option<PathBuf> {
    let dir = repo().join("../shared/graph-openapi");
    if dir.is_dir() && graph_modules::MICROSOFT_MODULES {
        Some(dir)
    } else {
        eprintln!(
            "{test}: skipped: {} is absent (Microsoft's modules live outside the repository)",
            dir.display()
        );
        None
    }
}
