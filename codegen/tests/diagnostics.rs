//! The corpus of broken and unsupported specs in `tests/diagnostics/`:
//! for each, `codegen check` must exit 1 without panicking and report
//! every problem with file:line:column, JSON pointer and a hint. The
//! reports are insta snapshots (paths are relative to `codegen/tests`, so
//! they do not depend on where the repository is).

use std::path::Path;
use std::process::Command;

fn check(path: &Path) -> (Option<i32>, String, String) {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let relative = path.strip_prefix(&tests).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_codegen"))
        .arg("check")
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

/// Asserts the shape of a report: `N problem(s)` last, and each problem a
/// `file:line:column: error at #pointer: message` line and a hint line.
fn assert_located(file: &str, report: &str) {
    let mut lines: Vec<&str> = report.lines().collect();
    let last = lines.pop().unwrap_or_default();
    let count: usize = last
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no problem count at the end of:\n{report}"));
    assert!(count > 0);
    let mut problems = 0;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let rest = line
            .strip_prefix(file)
            .and_then(|r| r.strip_prefix(':'))
            .unwrap_or_else(|| panic!("problem line does not start with {file}: {line}"));
        let mut parts = rest.splitn(3, ':');
        let line_no: usize = parts.next().unwrap().parse().expect("line number");
        let column: usize = parts.next().unwrap().parse().expect("column number");
        assert!(line_no >= 1 && column >= 1, "{line}");
        assert!(
            parts.next().unwrap().starts_with(" error at #"),
            "no JSON pointer in: {line}"
        );
        let hint = lines.get(i + 1).copied().unwrap_or_default();
        assert!(hint.starts_with("  hint: "), "no hint after: {line}");
        problems += 1;
        i += 2;
    }
    assert_eq!(problems, count, "{report}");
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
        let (code, stdout, stderr) = check(path);
        assert_eq!(
            code,
            Some(1),
            "exit code for {}:\n{stdout}{stderr}",
            path.display()
        );
        assert!(stdout.is_empty(), "{stdout}");
        let file = format!(
            "diagnostics/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        assert_located(&file, &stderr);
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
