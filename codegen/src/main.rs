//! The `codegen` command line: `generate` and `check`.

use std::path::PathBuf;
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
    /// Print (or write) the generated Rust code for SPEC.
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
        /// Path of the graph-runtime crate for the --crate manifest.
        #[arg(long, requires = "crate_dir")]
        runtime_path: Option<PathBuf>,
    },
    /// List SPEC's operations, or every problem with its location.
    Check {
        /// The OpenAPI 3.0 file (YAML or JSON).
        spec: PathBuf,
    },
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
        } => {
            let result = match (crate_dir, output) {
                (Some(dir), _) => {
                    let name = name.unwrap_or_else(|| codegen::scaffold::crate_name_for(&spec));
                    let runtime =
                        runtime_path.unwrap_or_else(codegen::scaffold::default_runtime_path);
                    codegen::scaffold::write_crate(&spec, &dir, &name, &runtime)
                        .map(|()| eprintln!("wrote crate `{name}` to {}", dir.display()))
                }
                (None, Some(file)) => codegen::Config::new()
                    .spec(&spec)
                    .out_dir(
                        file.parent()
                            .filter(|p| !p.as_os_str().is_empty())
                            .unwrap_or(std::path::Path::new(".")),
                    )
                    .out_file(
                        file.file_name()
                            .map(|f| f.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                    )
                    .cargo_metadata(false)
                    .generate()
                    .map(|_| ()),
                (None, None) => codegen::generate_file(&spec, &codegen::EmitOptions::default())
                    .map(|code| print!("{code}")),
            };
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("{err}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Check { spec } => match codegen::load_model(&spec) {
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
            Err(diagnostics) => {
                eprintln!("{diagnostics}");
                ExitCode::FAILURE
            }
        },
    }
}
