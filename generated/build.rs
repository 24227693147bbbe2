//! Regenerates the client from `spec/assign.yaml` on every build where the
//! spec changed. A spec problem fails the build with the located report
//! (file:line:column, JSON pointer, hint) instead of a panic.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Read at run time, not with `env!` at compile time: a build script
    // compiled for another clone sharing this target directory must still
    // read this clone's spec.
    let Some(manifest_dir) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        eprintln!("error: CARGO_MANIFEST_DIR is not set; run this through cargo");
        return ExitCode::FAILURE;
    };
    let spec = Path::new(&manifest_dir).join("../spec/assign.yaml");
    match codegen::Config::new()
        .spec(&spec)
        .out_file("api.rs")
        .generate()
    {
        Ok(_) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!(
                "error: cannot generate the client from {}\n{err}",
                spec.display()
            );
            ExitCode::FAILURE
        }
    }
}
