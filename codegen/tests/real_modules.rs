//! The generator on real input: Microsoft's own Graph modules in
//! `../shared/graph-openapi/` and `tests/specs/features.yaml` (every
//! supported construct in one small spec). Each is generated with
//! `codegen generate --crate`, and the crate is compiled with
//! `-D warnings`; the features crate also runs behaviour tests over
//! loopback HTTP (`tests/specs/features_behaviour.rs`) and its doc tests.
//!
//! The operation count is checked against the spec, counted here straight
//! from the YAML rather than through the generator.
//!
//! The crates of the real specs go into one scratch workspace and are
//! checked by one `cargo check`: the dependencies are compiled once for all
//! of them (in the target directory every crate-building test shares, see
//! `scratch_cargo.rs`) and the crates compile side by side on both cores.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "../test-support/scratch_cargo.rs"]
mod scratch_cargo;

use scratch_cargo::repo;

/// Microsoft's modules in `../shared/graph-openapi/` (see `test-support`):
/// every YAML file there, which today is `DeviceManagement.Actions.yml`
/// (320 operations), `DeviceManagement.Enrollment.yml` (196) and
/// `DeviceManagement.yml` (891).
fn shared_modules() -> Vec<PathBuf> {
    let dir = test_support::shared!("graph-openapi");
    let mut modules: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yml" | "yaml")
            )
        })
        .collect();
    modules.sort();
    assert!(
        modules
            .iter()
            .any(|m| m.ends_with("DeviceManagement.Actions.yml")),
        "DeviceManagement.Actions.yml is missing from {}",
        dir.display()
    );
    modules
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Operations in the spec, counted from the YAML tree itself.
fn spec_operation_count(spec: &Path) -> usize {
    let text = std::fs::read_to_string(spec).unwrap();
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let paths = doc["paths"].as_mapping().expect("paths is a mapping");
    paths
        .values()
        .map(|item| METHODS.iter().filter(|m| item.get(**m).is_some()).count())
        .sum()
}

/// Generates the crate for `spec` into `dir` with the CLI.
fn generate_crate(spec: &Path, dir: &Path, name: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_codegen"))
        .arg("generate")
        .arg(spec)
        .arg("--crate")
        .arg(dir)
        .args(["--name", name])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "codegen failed on {}:\n{}",
        spec.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(dir.join("src/lib.rs")).unwrap()
}

/// Runs cargo (through `scratch_cargo`, so with warnings denied) on the
/// crate or workspace whose manifest is `manifest`.
fn cargo(manifest: &Path, args: &[&str]) {
    let out = scratch_cargo::cargo(args[0])
        .args(&args[1..])
        .arg("--quiet")
        .arg("--manifest-path")
        .arg(manifest)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo {args:?} failed for {}:\n{}\n{}",
        manifest.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A scratch workspace for generated crates: each crate is written by the
/// CLI as a workspace of its own (so it builds wherever it lands); here its
/// `[workspace]` table goes and it becomes a member of this one.
struct Workspace {
    dir: tempfile::TempDir,
    members: Vec<String>,
}

impl Workspace {
    fn new() -> Self {
        Workspace {
            dir: tempfile::tempdir().unwrap(),
            members: Vec::new(),
        }
    }

    /// Generates `spec` as the member `name` and returns its code.
    fn generate(&mut self, spec: &Path, name: &str) -> String {
        let crate_dir = self.dir.path().join(name);
        let code = generate_crate(spec, &crate_dir, name);
        let manifest = crate_dir.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        assert!(text.contains("\n[workspace]\n"), "{text}");
        std::fs::write(&manifest, text.replace("\n[workspace]\n", "\n")).unwrap();
        self.members.push(name.to_string());
        code
    }

    /// `cargo check --workspace` over every member, warnings denied.
    fn check(&self) {
        let members: Vec<String> = self.members.iter().map(|m| format!("{m:?}")).collect();
        let manifest = self.dir.path().join("Cargo.toml");
        std::fs::write(
            &manifest,
            format!(
                "[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
                members.join(", ")
            ),
        )
        .unwrap();
        scratch_cargo::pin_versions(self.dir.path());
        cargo(&manifest, &["check", "--workspace"]);
    }
}

/// `routes::ALL` entries and flat client methods in generated code.
fn generated_counts(code: &str) -> (usize, usize) {
    let routes = code.matches(": Route = Route {").count();
    let flat = code
        .split("\npub mod paths {")
        .next()
        .unwrap()
        .matches("    pub async fn ")
        .count();
    (routes, flat)
}

/// Real specs the generator still refuses, each with what it lacks. Every
/// other file of `../shared/real-specs/` must generate and build; one of
/// these that starts to generate fails the test until it is taken off.
const STILL_REFUSED: &[(&str, &str)] = &[
    (
        "buildomat.json",
        "text/plain and octet-stream request bodies",
    ),
    (
        "nexus.json",
        "form-urlencoded and octet-stream request bodies",
    ),
];

/// Every spec of progenitor's sample corpus (`../shared/real-specs/`) and
/// Microsoft's modules (`../shared/graph-openapi/`) that the generator
/// takes: each crate has every operation of its spec in its route table
/// and as a flat method, and they all check with `-D warnings` together.
#[test_support::needs_shared]
#[test]
fn real_specs_generate_crates_that_check_warning_free() {
    let mut workspace = Workspace::new();
    let mut specs = shared_modules();
    let corpus = test_support::shared!("real-specs");
    let mut refused = Vec::new();
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let path = entry.unwrap().path();
        let is_spec = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("json" | "yaml" | "yml")
        );
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        if !is_spec {
            continue;
        }
        if STILL_REFUSED.iter().any(|(name, _)| *name == file) {
            refused.push(path);
        } else {
            specs.push(path);
        }
    }
    specs.sort();
    for spec in &refused {
        let out = Command::new(env!("CARGO_BIN_EXE_codegen"))
            .arg("check")
            .arg(spec)
            .output()
            .unwrap();
        assert!(
            !out.status.success(),
            "{} generates now: take it off STILL_REFUSED",
            spec.display()
        );
    }
    for spec in &specs {
        // JSON is YAML, so the YAML count reads both.
        let expected = spec_operation_count(spec);
        let stem = spec.file_stem().unwrap().to_string_lossy().to_lowercase();
        let name = format!("real-{}", stem.replace('.', "-"));
        let code = workspace.generate(spec, &name);
        assert_eq!(
            generated_counts(&code),
            (expected, expected),
            "routes and flat methods of {}",
            spec.display()
        );
        if stem == "devicemanagement.actions" {
            assert_eq!(expected, 320);
            // Microsoft's own description of the assign action.
            assert!(
                code.contains(
                    "pub async fn device_management_windows_autopilot_deployment_profiles_assign("
                ),
                "no client method for the assign action"
            );
        }
    }
    let model = codegen::load_model(&specs[0]).unwrap();
    assert_eq!(model.operations.len(), spec_operation_count(&specs[0]));
    workspace.check();
}

#[test]
fn features_crate_builds_and_behaves_over_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let spec = repo().join("codegen/tests/specs/features.yaml");
    let crate_dir = dir.path().join("features-client");
    let code = generate_crate(&spec, &crate_dir, "features-client");
    let expected = spec_operation_count(&spec);
    assert_eq!(generated_counts(&code), (expected, expected));
    // Test-only dependencies and the behaviour tests.
    let manifest = crate_dir.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str(
        "\n[dev-dependencies]\n\
         tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }\n\
         serde_json = \"1\"\n",
    );
    std::fs::write(&manifest, text).unwrap();
    std::fs::create_dir_all(crate_dir.join("tests")).unwrap();
    std::fs::copy(
        repo().join("codegen/tests/specs/features_behaviour.rs"),
        crate_dir.join("tests/behaviour.rs"),
    )
    .unwrap();
    // Unit, behaviour and doc tests (the spec's prose must not become a
    // failing doc test or a rustdoc warning).
    scratch_cargo::pin_versions(&crate_dir);
    cargo(&manifest, &["test"]);
    cargo(&manifest, &["doc", "--no-deps"]);
}
