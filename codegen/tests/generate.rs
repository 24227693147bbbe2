//! The generator end to end on `spec/assign.yaml`: determinism, the CLI,
//! located errors, and a `--crate` output that really builds.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "../test-support/scratch_cargo.rs"]
mod scratch_cargo;

use scratch_cargo::repo;

fn spec() -> PathBuf {
    repo().join("spec/assign.yaml")
}

fn codegen() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_codegen"));
    cmd.current_dir(repo());
    cmd
}

#[test]
fn generate_is_deterministic() {
    let first = codegen()
        .args(["generate", "spec/assign.yaml"])
        .output()
        .unwrap();
    let second = codegen()
        .args(["generate", "spec/assign.yaml"])
        .output()
        .unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(!first.stdout.is_empty());
    assert_eq!(first.stdout, second.stdout, "two runs gave different bytes");
    let text = String::from_utf8(first.stdout).unwrap();
    assert!(text.starts_with("// @generated"));
    // The library path gives the same bytes as the CLI.
    let library = codegen::generate_file(Path::new("spec/assign.yaml"), &Default::default());
    let library = std::env::set_current_dir(repo())
        .map(|()| codegen::generate_file(Path::new("spec/assign.yaml"), &Default::default()))
        .unwrap_or(library)
        .unwrap();
    assert_eq!(library, text);
}

#[test]
fn output_file_is_written_only_when_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("api.rs");
    let run = || {
        codegen::Config::new()
            .spec(spec())
            .out_dir(dir.path())
            .cargo_metadata(false)
            .generate()
            .unwrap()
    };
    // Any write stamps the file with the current time, so a stamp far in
    // the past shows whether the second run wrote it, with no sleeping.
    let long_ago = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
    let stamp = |time| {
        std::fs::File::options()
            .write(true)
            .open(&out)
            .unwrap()
            .set_modified(time)
            .unwrap()
    };
    let modified = || std::fs::metadata(&out).unwrap().modified().unwrap();
    run();
    let generated = std::fs::read_to_string(&out).unwrap();
    stamp(long_ago);
    run();
    assert_eq!(
        modified(),
        long_ago,
        "unchanged output must not be rewritten"
    );
    // A file that differs is rewritten.
    std::fs::write(&out, "// stale\n").unwrap();
    stamp(long_ago);
    run();
    assert_ne!(modified(), long_ago, "changed output must be rewritten");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), generated);
}

#[test]
fn check_lists_the_three_operations() {
    let out = codegen()
        .args(["check", "spec/assign.yaml"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("3 operations"), "{text}");
    for id in [
        "windowsAutopilotDeploymentProfiles_assign",
        "windowsAutopilotDeviceIdentities_deploymentProfile_assign",
        "windowsAutopilotDeviceIdentities_intendedDeploymentProfile_assign",
    ] {
        assert!(text.contains(id), "{id} missing from:\n{text}");
    }
}

#[test]
fn check_reports_every_problem_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    let text = std::fs::read_to_string(spec())
        .unwrap()
        .replace(
            "operationId: windowsAutopilotDeviceIdentities_deploymentProfile_assign",
            "operationId: windowsAutopilotDeploymentProfiles_assign",
        )
        .replace(
            "$ref: '#/components/schemas/assignRequest'",
            "$ref: '#/components/schemas/noSuchSchema'",
        );
    std::fs::write(&bad, &text).unwrap();
    let out = codegen().arg("check").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report = String::from_utf8(out.stderr).unwrap();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let dup_line = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("operationId: windowsAutopilotDeploymentProfiles_assign"))
        .nth(1)
        .unwrap()
        .0
        + 1;
    assert!(
        report.contains(&format!("bad.yaml:{dup_line}:"))
            && report.contains("duplicate operationId"),
        "{report}"
    );
    // The location is that of the `schema:` key holding the bad `$ref`.
    let ref_line = line_of("noSuchSchema") - 1;
    assert!(
        report.contains(&format!("bad.yaml:{ref_line}:"))
            && report
                .contains("#/components/requestBodies/assign/content/application~1json/schema"),
        "{report}"
    );
    assert!(report.contains("2 problems"), "{report}");
    assert!(report.contains("hint:"), "{report}");
}

#[test]
fn crate_output_builds_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let out = codegen()
        .args(["generate", "spec/assign.yaml", "--crate"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest = std::fs::read_to_string(dir.path().join("Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"assign-client\""), "{manifest}");
    // Checked (type-checked, lints run) in the target directory every
    // crate-building test shares, with the repository's versions.
    scratch_cargo::pin_versions(dir.path());
    let build = scratch_cargo::cargo("check")
        .args(["--quiet", "--manifest-path"])
        .arg(dir.path().join("Cargo.toml"))
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "generated crate failed to build:\n{}",
        String::from_utf8_lossy(&build.stderr)
    );
}

/// The same spec in two directories (two clones, two machines) gives the
/// same bytes, however it is named: relative to where the generator runs,
/// by absolute path inside a crate (`cargo run` and `build.rs` set
/// `CARGO_MANIFEST_DIR`), by absolute path with no crate, or into a file.
#[test]
fn the_same_spec_in_two_directories_gives_the_same_bytes() {
    let places = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    for place in &places {
        std::fs::create_dir(place.path().join("spec")).unwrap();
        std::fs::copy(spec(), place.path().join("spec/assign.yaml")).unwrap();
    }
    // (how it is named, how the header names it)
    let ways = [
        ("relative", "`spec/assign.yaml`"),
        ("absolute in a crate", "`../spec/assign.yaml`"),
        ("absolute", "`assign.yaml`"),
        ("into a file", "`spec/assign.yaml`"),
    ];
    for (way, named) in ways {
        let outputs: Vec<String> = places
            .iter()
            .map(|place| {
                let place = place.path();
                let mut cmd = Command::new(env!("CARGO_BIN_EXE_codegen"));
                cmd.current_dir(place).env_remove("CARGO_MANIFEST_DIR");
                match way {
                    "relative" => cmd.args(["generate", "spec/assign.yaml"]),
                    "absolute in a crate" => cmd
                        .arg("generate")
                        .arg(place.join("spec/assign.yaml"))
                        .env("CARGO_MANIFEST_DIR", place.join("generated")),
                    "absolute" => cmd.arg("generate").arg(place.join("spec/assign.yaml")),
                    _ => cmd.args(["generate", "spec/assign.yaml", "-o", "out/api.rs"]),
                };
                let out = cmd.output().unwrap();
                assert!(
                    out.status.success(),
                    "{way}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                let code = if way == "into a file" {
                    std::fs::read_to_string(place.join("out/api.rs")).unwrap()
                } else {
                    String::from_utf8(out.stdout).unwrap()
                };
                let first_line = code.lines().next().unwrap_or_default();
                assert!(
                    first_line.contains(&format!("from {named} (")),
                    "{way}: {first_line}"
                );
                assert!(
                    !code.contains(&place.display().to_string()),
                    "{way}: the code names the directory it was generated in"
                );
                code
            })
            .collect();
        assert!(
            outputs[0] == outputs[1],
            "{way}: the two directories gave different bytes"
        );
    }
}
