//! Decides, once per build, whether the team's shared inputs are there: the
//! directory `$AUTOPILOT_SHARED_DIR`, else `shared/` beside the repository.
//! When it is absent, cfg `shared_absent` makes `#[needs_shared]` mark its
//! tests ignored, with the directory in the reason.
//!
//! The directory is watched while it exists (it is small), so removing it
//! reruns this script. An absent directory is not watched: Cargo reruns a
//! script on every build while a watched path is missing, which would
//! relink every test binary each time on a clone without it. Should it
//! appear later, the guard test `#[needs_shared]` adds says so.

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(shared_absent)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=AUTOPILOT_SHARED_DIR");
    // Read at run time, not with `env!`: a build script compiled for
    // another checkout that shares the target directory must look beside
    // this one.
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default();
    let default = PathBuf::from(manifest_dir).join("../../../shared");
    let default = default.canonicalize().unwrap_or(default);
    // The default, for the macros to build into the tests; the override is
    // read again when the tests run.
    println!(
        "cargo::rustc-env=TEST_SUPPORT_DEFAULT_SHARED_DIR={}",
        default.display()
    );
    let root = std::env::var_os("AUTOPILOT_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or(default);
    if root.is_dir() {
        println!("cargo::rerun-if-changed={}", root.display());
    } else {
        println!("cargo::rustc-cfg=shared_absent");
        println!(
            "cargo::rustc-env=TEST_SUPPORT_ABSENT_SHARED_DIR={}",
            root.display()
        );
    }
}
