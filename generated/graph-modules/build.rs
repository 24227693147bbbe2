//! Generates the validators under test into OUT_DIR:
//!
//! * `keywords.rs` from `specs/keywords.yaml` and `discriminator.rs` from
//!   `specs/discriminator.yaml` (ours, always present), with the client
//!   and the server side, for both sides' tests;
//! * `actions.rs` and `enrollment.rs` from Microsoft's modules in
//!   `../shared/graph-openapi/` (outside the repository; or under
//!   `$AUTOPILOT_SHARED_DIR`, as `test-support` reads it), with the server
//!   side and without client or fluent builders to keep compile times down. When that directory is
//!   absent nothing is generated for them, the `graph_modules` cfg stays
//!   off, and the tests that need them are ignored (or fail under CI; see
//!   `codegen/test-support`).

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    println!("cargo::rustc-check-cfg=cfg(graph_modules)");
    // At run time, not `env!`: see generated/build.rs.
    let Some(manifest_dir) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        eprintln!("error: CARGO_MANIFEST_DIR is not set; run this through cargo");
        return ExitCode::FAILURE;
    };
    let root = Path::new(&manifest_dir);
    for (file, out) in [
        ("specs/keywords.yaml", "keywords.rs"),
        ("specs/discriminator.yaml", "discriminator.rs"),
    ] {
        let spec = root.join(file);
        if let Err(err) = codegen::Config::new()
            .spec(&spec)
            .out_file(out)
            .server(true)
            .generate()
        {
            eprintln!("error: cannot generate from {}\n{err}", spec.display());
            return ExitCode::FAILURE;
        }
    }
    println!("cargo:rerun-if-env-changed=AUTOPILOT_SHARED_DIR");
    let shared = std::env::var_os("AUTOPILOT_SHARED_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("../../../shared"))
        .join("graph-openapi");
    println!("cargo:rerun-if-changed={}", shared.display());
    if !shared.is_dir() {
        return ExitCode::SUCCESS;
    }
    for (file, out) in [
        ("DeviceManagement.Actions.yml", "actions.rs"),
        ("DeviceManagement.Enrollment.yml", "enrollment.rs"),
    ] {
        let spec = shared.join(file);
        if let Err(err) = codegen::Config::new()
            .spec(&spec)
            .out_file(out)
            .client(false)
            .server(true)
            .generate()
        {
            eprintln!("error: cannot generate from {}\n{err}", spec.display());
            return ExitCode::FAILURE;
        }
    }
    println!("cargo:rustc-cfg=graph_modules");
    ExitCode::SUCCESS
}
