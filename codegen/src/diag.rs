//! Diagnostics: every problem the generator finds, with the file, the line
//! and column where it can be seen, the JSON pointer of the node, and a hint.
//!
//! Stages collect all their problems and report them together (the cxx
//! style), so one run shows everything that needs fixing.
//!
//! A problem is an [`Severity::Error`] only when the generator cannot
//! produce correct code for the spec (an invalid document, a reference
//! that resolves to nothing, a construct the emitters cannot express).
//! Everything else is a [`Severity::Warning`]: the code is generated, and
//! the warning says what it does not enforce (an unknown `format`, which
//! JSON Schema defines as an annotation; an unknown key; an integer the
//! generated type holds only within `i64`). `codegen check --deny-warnings`
//! and `Config::deny_warnings(true)` turn warnings into failures.

use std::fmt;

/// A line and column in a spec file, both counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The generator cannot produce correct code: generation fails.
    Error,
    /// The code is generated; the message says what it does not enforce.
    Warning,
}

impl Severity {
    /// `error` or `warning`, as printed.
    pub const fn word(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem with a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Whether generation fails because of it.
    pub severity: Severity,
    /// The spec file as the user named it.
    pub file: String,
    /// Where in the file, when it can be told.
    pub location: Option<Location>,
    /// JSON pointer to the node at fault (`#/paths/~1a/post`), `#` for the root.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(loc) = self.location {
            write!(f, ":{}:{}", loc.line, loc.column)?;
        }
        write!(
            f,
            ": {} at {}: {}",
            self.severity.word(),
            self.pointer,
            self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl Diagnostic {
    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The diagnostic on one line, for `cargo::warning=` (Cargo shows one
    /// line per such instruction).
    pub fn one_line(&self) -> String {
        self.to_string()
            .replace("\n  hint: ", " (hint: ")
            .replace('\n', " ")
            + if self.hint.is_some() { ")" } else { "" }
    }
}

/// All problems of a stage, in the order of their place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics {
    /// The problems (errors and warnings), sorted by location then pointer.
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// The errors among the problems.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.is_error())
    }

    /// The warnings among the problems.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| !d.is_error())
    }

    /// A report holding just `diagnostic`.
    pub fn single(diagnostic: Diagnostic) -> Self {
        Diagnostics {
            items: vec![diagnostic],
        }
    }

    /// Number of problems.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for item in &self.items {
            writeln!(f, "{item}")?;
        }
        write!(f, "{}", summary(&self.items))
    }
}

impl std::error::Error for Diagnostics {}

/// `N problems` when all are errors (or `N error(s), M warning(s)`, or
/// `M warning(s)`).
pub fn summary(items: &[Diagnostic]) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let errors = items.iter().filter(|d| d.is_error()).count();
    let warnings = items.len() - errors;
    match (errors, warnings) {
        (e, 0) => plural(e, "problem"),
        (0, w) => plural(w, "warning"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

/// Sorts diagnostics by place (unlocated last), then pointer and message.
pub fn sort(items: &mut [Diagnostic]) {
    items.sort_by(|a, b| {
        (a.location.is_none(), a.location, &a.pointer, &a.message).cmp(&(
            b.location.is_none(),
            b.location,
            &b.pointer,
            &b.message,
        ))
    });
}

/// Escapes one reference token for a JSON pointer (RFC 6901).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Appends `token` to `pointer`, escaping it.
pub fn join(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    out.push('/');
    out.push_str(&escape_token(token));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(severity: Severity, hint: Option<&str>) -> Diagnostic {
        Diagnostic {
            severity,
            file: "t.yaml".into(),
            location: Some(Location { line: 3, column: 7 }),
            pointer: "#/paths/~1a".into(),
            message: "what".into(),
            hint: hint.map(str::to_string),
        }
    }

    #[test]
    fn one_line_keeps_place_severity_and_hint_for_cargo_warning() {
        let w = item(Severity::Warning, Some("how"));
        assert_eq!(
            w.to_string(),
            "t.yaml:3:7: warning at #/paths/~1a: what\n  hint: how"
        );
        assert_eq!(
            w.one_line(),
            "t.yaml:3:7: warning at #/paths/~1a: what (hint: how)"
        );
        assert_eq!(
            item(Severity::Error, None).one_line(),
            "t.yaml:3:7: error at #/paths/~1a: what"
        );
    }

    #[test]
    fn summaries_count_errors_and_warnings() {
        let e = item(Severity::Error, None);
        let w = item(Severity::Warning, None);
        assert_eq!(summary(std::slice::from_ref(&e)), "1 problem");
        assert_eq!(summary(&[e.clone(), e.clone()]), "2 problems");
        assert_eq!(summary(&[w.clone(), w.clone()]), "2 warnings");
        assert_eq!(summary(&[e, w.clone(), w]), "1 error, 2 warnings");
    }
}
