//! The corpus of broken, unsupported and dubious specs in
//! `tests/diagnostics/`: for each, `codegen check` must report every
//! problem with file:line:column, severity, JSON pointer and a hint,
//! without panicking, and exit 1 exactly when one of them is an error (a
//! spec with warnings only is generated: exit 0). The reports are insta
//! snapshots (paths are relative to `codegen/tests`, so they do not depend
//! on where the repository is).

use std::path::Path;
use std::process::Command;

fn check(path: &Path, flags: &[&str]) -> (Option<i32>, String, String) {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let relative = path.strip_prefix(&tests).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_codegen"))
        .arg("check")
        .args(flags)
        .arg(relative)
        .current_dir(&tests)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Asserts the shape of a report: the count last (`N problems`, `N
/// errors, M warnings` or `M warnings`), and each problem a
/// `file:line:column: error|warning at #pointer: message` line and a hint
/// line (`file` is the spec or one of the files beside it that it refers
/// to). Returns the number of errors.
fn assert_located(file: &str, report: &str) -> usize {
    let mut lines: Vec<&str> = report.lines().collect();
    let last = lines.pop().unwrap_or_default();
    let mut count = 0;
    let (mut said_errors, mut said_warnings) = (0, 0);
    for part in last.split(", ") {
        let mut words = part.split(' ');
        let n: usize = words
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no problem count at the end of:\n{report}"));
        match words.next() {
            Some("warning" | "warnings") => said_warnings += n,
            _ => said_errors += n,
        }
        count += n;
    }
    assert!(count > 0);
    let (mut errors, mut warnings) = (0, 0);
    let mut problems = 0;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        // A spec in several files keeps its other files in a directory
        // named after it (`59-x.yaml` and `59-x/part.yaml`); a problem
        // there names that file.
        let parts_dir = format!("{}/", file.trim_end_matches(".yaml"));
        let rest = line
            .split_once(':')
            .filter(|(named, _)| *named == file || named.starts_with(&parts_dir))
            .map(|(_, rest)| rest)
            .unwrap_or_else(|| panic!("problem line does not start with {file}: {line}"));
        let mut parts = rest.splitn(3, ':');
        let line_no: usize = parts.next().unwrap().parse().expect("line number");
        let column: usize = parts.next().unwrap().parse().expect("column number");
        assert!(line_no >= 1 && column >= 1, "{line}");
        let rest = parts.next().unwrap();
        if rest.starts_with(" error at #") {
            errors += 1;
        } else if rest.starts_with(" warning at #") {
            warnings += 1;
        } else {
            panic!("no severity and JSON pointer in: {line}");
        }
        let hint = lines.get(i + 1).copied().unwrap_or_default();
        assert!(hint.starts_with("  hint: "), "no hint after: {line}");
        problems += 1;
        i += 2;
    }
    assert_eq!(problems, count, "{report}");
    assert_eq!((errors, warnings), (said_errors, said_warnings), "{report}");
    errors
}

#[test]
fn corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diagnostics");
    let corpus = std::fs::read_dir(&dir).unwrap().count();
    assert!(
        corpus >= 30,
        "the corpus must hold at least 30 specs, has {corpus}"
    );
    insta::glob!("diagnostics", "*.yaml", |path| {
        let (code, stdout, stderr) = check(path, &[]);
        let file = format!(
            "diagnostics/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        let errors = assert_located(&file, &stderr);
        let expected = if errors > 0 { 1 } else { 0 };
        assert_eq!(
            code,
            Some(expected),
            "exit code for {}:\n{stdout}{stderr}",
            path.display()
        );
        if errors > 0 {
            assert!(stdout.is_empty(), "{stdout}");
        } else {
            assert!(stdout.contains("operations"), "{stdout}");
            // Strict runs refuse what the default run only warns about.
            let (strict, _, strict_err) = check(path, &["--deny-warnings"]);
            assert_eq!(strict, Some(1), "--deny-warnings on {}", path.display());
            assert!(strict_err.contains("--deny-warnings"), "{strict_err}");
        }
        insta::assert_snapshot!(stderr);
    });
}

#[test]
fn a_missing_file_is_an_error_not_a_panic() {
    let out = Command::new(env!("CARGO_BIN_EXE_codegen"))
        .args(["check", "no/such/spec.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("cannot read the spec"), "{stderr}");
}

#[test]
fn generate_writes_with_warnings_and_refuses_under_deny_warnings() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("api.rs");
    let run = |flags: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_codegen"))
            .arg("generate")
            .args(flags)
            .arg("diagnostics/56-stray-response-key.yaml")
            .arg("-o")
            .arg(&out_file)
            .current_dir(&tests)
            .output()
            .unwrap()
    };
    let strict = run(&["--deny-warnings"]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(
        !out_file.exists(),
        "nothing is written under --deny-warnings"
    );
    let lenient = run(&[]);
    assert_eq!(lenient.status.code(), Some(0));
    let stderr = String::from_utf8(lenient.stderr).unwrap();
    assert!(
        stderr.contains(
            "56-stray-response-key.yaml:10:11: warning at #/paths/~1key/get/responses/200/type"
        ),
        "{stderr}"
    );
    assert!(
        std::fs::read_to_string(&out_file)
            .unwrap()
            .starts_with("// @generated")
    );
}
