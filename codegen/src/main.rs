//! The `codegen` command line: `generate` and `check`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Generate a typed Rust client from an OpenAPI 3.0 description, or check
/// a description for problems.
#[derive(Parser)]
#[command(name = "codegen", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print (or write) the generated Rust code for SPEC. Warnings are
    /// printed on standard error; the code is generated all the same.
    Generate {
        /// The OpenAPI 3.0 file (YAML or JSON).
        spec: PathBuf,
        /// Write the code to this file instead of standard output.
        #[arg(short, long, conflicts_with = "crate_dir")]
        output: Option<PathBuf>,
        /// Write a complete crate (Cargo.toml and src/lib.rs) into DIR.
        #[arg(long = "crate", value_name = "DIR")]
        crate_dir: Option<PathBuf>,
        /// Package name of the crate written with --crate.
        #[arg(long, requires = "crate_dir")]
        name: Option<String>,
        /// Path of the openapi-runtime crate for the --crate manifest.
        #[arg(long, requires = "crate_dir")]
        runtime_path: Option<PathBuf>,
        /// Fail (exit 1, nothing written) when the spec has warnings.
        #[arg(long)]
        deny_warnings: bool,
        /// Also generate the server side: `server::handle` reads a raw HTTP
        /// request and gives the operation's typed, validated input, for
        /// mocks and validating servers.
        #[arg(long)]
        server: bool,
        /// Also generate the dispatcher: every operation callable by its
        /// operationId with generic arguments (`Client::dispatch`,
        /// `dispatch::OPERATIONS`, `API`), for conformance jobs and mocks;
        /// it brings the server side with it.
        #[arg(long)]
        dispatcher: bool,
    },
    /// List SPEC's operations and every problem with its location. Exits 0
    /// when there is no error; warnings are printed on standard error.
    Check {
        /// The OpenAPI 3.0 file (YAML or JSON).
        spec: PathBuf,
        /// Treat warnings as errors: exit 1 when there is any.
        #[arg(long)]
        deny_warnings: bool,
    },
}

/// Loads the spec and prints its warnings on standard error; the report
/// when there is an error, or a warning under `deny_warnings`.
fn load(spec: &Path, deny_warnings: bool) -> Result<codegen::model::Api, String> {
    let api = codegen::load_model(spec).map_err(|d| d.to_string())?;
    if !api.warnings.is_empty() {
        let report = codegen::Diagnostics {
            items: api.warnings.clone(),
        };
        if deny_warnings {
            return Err(format!(
                "{report}\n--deny-warnings: the spec has warnings, so nothing is generated"
            ));
        }
        eprintln!("{report}");
    }
    Ok(api)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Generate {
            spec,
            output,
            crate_dir,
            name,
            runtime_path,
            deny_warnings,
            server,
            dispatcher,
        } => {
            let options = codegen::EmitOptions {
                server,
                dispatcher,
                ..Default::default()
            };
            let api = match load(&spec, deny_warnings) {
                Ok(api) => api,
                Err(report) => {
                    eprintln!("{report}");
                    return ExitCode::FAILURE;
                }
            };
            let result = match (crate_dir, output) {
                (Some(dir), _) => {
                    let name = name.unwrap_or_else(|| codegen::scaffold::crate_name_for(&spec));
                    let runtime =
                        runtime_path.unwrap_or_else(codegen::scaffold::default_runtime_path);
                    codegen::scaffold::write_crate_for(&api, &spec, &dir, &name, &runtime, &options)
                        .map(|()| eprintln!("wrote crate `{name}` to {}", dir.display()))
                }
                // The text comes in pieces, written one by one, so that a
                // large spec's output is never held twice.
                (None, Some(file)) => codegen::emit::render_pieces(&api, &options)
                    .map_err(codegen::Error::from)
                    .and_then(|code| codegen::write_pieces(&file, &code)),
                (None, None) => codegen::emit::render_pieces(&api, &options)
                    .map(|code| code.iter().for_each(|piece| print!("{piece}")))
                    .map_err(codegen::Error::from),
            };
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("{err}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Check {
            spec,
            deny_warnings,
        } => match load(&spec, deny_warnings) {
            Ok(api) => {
                println!(
                    "{}: {} {} — {} operations",
                    spec.display(),
                    api.title,
                    api.version,
                    api.operations.len()
                );
                for op in &api.operations {
                    println!(
                        "  {:7} {}  ({})",
                        op.method.spec_name().to_uppercase(),
                        op.path,
                        op.id
                    );
                }
                ExitCode::SUCCESS
            }
            Err(report) => {
                eprintln!("{report}");
                ExitCode::FAILURE
            }
        },
    }
}
