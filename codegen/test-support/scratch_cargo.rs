//! One target directory and one set of flags for every test that builds a
//! crate of its own: generated crates, copies of the workspace.
//!
//! Each such build compiles the same dependencies (serde, reqwest, tokio,
//! the runtime). Cargo reuses an artefact only when the target directory,
//! the profile, `RUSTFLAGS` and the versions all match, so the tests go
//! through [`cargo`] and write the repository's `Cargo.lock` into any
//! workspace they make ([`pin_versions`]): on a fresh clone the
//! dependencies are then compiled once for all of them instead of once per
//! test, which is most of what these tests cost in CI.
//!
//! Included with `#[path]` by the test crates that need it: `test-support`
//! itself is a proc-macro crate, which can export nothing but macros.

#![allow(dead_code)] // each test crate uses part of it

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root: the nearest directory above the test's crate
/// that holds a `Cargo.lock`.
pub fn repo() -> PathBuf {
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    while !dir.join("Cargo.lock").is_file() {
        assert!(
            dir.pop(),
            "no Cargo.lock above {}",
            env!("CARGO_MANIFEST_DIR")
        );
    }
    dir.canonicalize().expect("the repository root exists")
}

/// The shared target directory: `target/scratch` in the repository.
pub fn target_dir() -> PathBuf {
    repo().join("target/scratch")
}

/// `cargo SUBCOMMAND --offline` in the shared target directory, with
/// warnings denied and the workspace's profile for dependencies
/// (`opt-level = 1`), so that every caller can reuse what any other built.
///
/// Incremental compilation is off: these builds run once per CI run, and
/// the incremental cache only costs time and disk there.
pub fn cargo(subcommand: &str) -> Command {
    let mut command = Command::new(env!("CARGO"));
    command
        .arg(subcommand)
        .args([
            "--offline",
            "--config",
            "profile.dev.package.\"*\".opt-level=1",
        ])
        .env("CARGO_TARGET_DIR", target_dir())
        .env("CARGO_INCREMENTAL", "0")
        .env("RUSTFLAGS", "-D warnings")
        .env("RUSTDOCFLAGS", "-D warnings")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS");
    command
}

/// Writes the repository's `Cargo.lock` into the workspace at `dir`, so it
/// resolves to the versions the repository builds (and has downloaded)
/// instead of whatever the local registry cache holds newest.
pub fn pin_versions(dir: &Path) {
    std::fs::copy(repo().join("Cargo.lock"), dir.join("Cargo.lock"))
        .expect("copy Cargo.lock into the scratch workspace");
}
