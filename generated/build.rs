//! Regenerates the clients from `spec/` on every build where a spec changed
//! or a spec file came or went. `spec/assign.yaml` becomes the crate root's
//! client (`api.rs`); every other spec file becomes a module of its own
//! under `specs` (`spec/other-api.yaml` → `specs::other_api`), and
//! `specs::ALL` lists every spec's `API`. A spec problem fails the build
//! with the located report (file:line:column, JSON pointer, hint) instead
//! of a panic.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The spec whose client is the crate root (its public API predates the
/// other modules).
const MAIN_SPEC: &str = "assign.yaml";

fn main() -> ExitCode {
    // Read at run time, not with `env!` at compile time: a build script
    // compiled for another clone sharing this target directory must still
    // read this clone's spec.
    let Some(manifest_dir) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        eprintln!("error: CARGO_MANIFEST_DIR is not set; run this through cargo");
        return ExitCode::FAILURE;
    };
    let Some(out_dir) = std::env::var_os("OUT_DIR") else {
        eprintln!("error: OUT_DIR is not set; run this through cargo");
        return ExitCode::FAILURE;
    };
    let spec_dir = Path::new(&manifest_dir).join("../spec");
    // A directory: cargo reruns when any file in it changes, comes or goes.
    println!("cargo:rerun-if-changed={}", spec_dir.display());
    let others = match other_specs(&spec_dir) {
        Ok(others) => others,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let mut failed = false;
    let mut jobs = vec![(spec_dir.join(MAIN_SPEC), "api.rs".to_string())];
    jobs.extend(
        others
            .iter()
            .map(|(path, module)| (path.clone(), format!("spec_{module}.rs"))),
    );
    for (spec, out_file) in &jobs {
        // The conformance job drives every operation through the
        // dispatcher, and the mock reads requests with the server side
        // (which the dispatcher brings anyway; its tests and benches call
        // `server::handle` themselves), so this client has both.
        if let Err(err) = codegen::Config::new()
            .spec(spec)
            .dispatcher(true)
            .server(true)
            .out_file(out_file.as_str())
            .generate()
        {
            eprintln!(
                "error: cannot generate the client from {}\n{err}",
                spec.display()
            );
            failed = true;
        }
    }
    if failed {
        return ExitCode::FAILURE;
    }
    let index = index(&others);
    let path = Path::new(&out_dir).join("specs.rs");
    // Written only when it changed, like the generated clients.
    if std::fs::read_to_string(&path).ok().as_deref() != Some(index.as_str())
        && let Err(e) = std::fs::write(&path, index)
    {
        eprintln!("error: cannot write {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Every spec file in `dir` but the main one, sorted, with its module
/// name; two files that would share a module name are an error naming
/// both.
fn other_specs(dir: &Path) -> Result<Vec<(PathBuf, String)>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.file_name().and_then(|n| n.to_str()) != Some(MAIN_SPEC)
                && matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("yaml" | "yml" | "json")
                )
        })
        .collect();
    found.sort();
    let mut out: Vec<(PathBuf, String)> = Vec::new();
    for path in found {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or_else(|| format!("{}: the file name is not UTF-8", path.display()))?;
        let module = module_name(stem);
        if let Some((other, _)) = out.iter().find(|(_, m)| *m == module) {
            return Err(format!(
                "{} and {} would both generate the module `specs::{module}`; rename one",
                other.display(),
                path.display()
            ));
        }
        out.push((path, module));
    }
    Ok(out)
}

/// A Rust module name for a file stem: lower case, `_` for anything not
/// alphanumeric, `_` before a leading digit.
fn module_name(stem: &str) -> String {
    let mut name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    name
}

/// `specs.rs`: one module per other spec, and the list of every `API`.
fn index(others: &[(PathBuf, String)]) -> String {
    let mut out = String::from("// @generated by generated/build.rs from the files in spec/.\n\n");
    for (path, module) in others {
        let file = path.file_name().unwrap_or_default().to_string_lossy();
        let _ = writeln!(
            out,
            "/// The client generated from `spec/{file}`.\npub mod r#{module} {{\n    \
             include!(concat!(env!(\"OUT_DIR\"), \"/spec_{module}.rs\"));\n}}\n"
        );
    }
    out.push_str(
        "/// Every spec's surface, `spec/assign.yaml`'s first, then the others by file name.\n\
         pub static ALL: &[&crate::runtime::dispatch::Api] = &[&crate::API",
    );
    for (_, module) in others {
        let _ = write!(out, ", &r#{module}::API");
    }
    out.push_str("];\n");
    out
}
