//! Shared by the integration tests of this crate. (The differential
//! test's values come from `conformance::values`, the one reading of a
//! schema the conformance job uses too.)

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}
