//! Regenerates the client from `spec/assign.yaml` on every build where the
//! spec changed. A spec problem fails the build with the located report
//! (file:line:column, JSON pointer, hint) instead of a panic.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/assign.yaml");
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
