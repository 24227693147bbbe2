//! Diagnostics: every problem the generator finds, with the file, the line
//! and column where it can be seen, the JSON pointer of the node, and a hint.
//!
//! Stages collect all their problems and report them together (the cxx
//! style), so one run shows everything that needs fixing.

use std::fmt;

use crate::source::LocationIndex;

/// A line and column in a spec file, both counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

/// One problem with a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
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
        write!(f, ": error at {}: {}", self.pointer, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// All problems of a stage, in the order of their place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics {
    /// The problems, sorted by location then pointer.
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
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
        let n = self.items.len();
        write!(f, "{n} problem{}", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for Diagnostics {}

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

/// Gathers diagnostics for one file, resolving pointers to locations.
pub struct Collector<'a> {
    file: &'a str,
    index: &'a LocationIndex,
    items: Vec<Diagnostic>,
}

impl<'a> Collector<'a> {
    /// A collector for `file`, locating pointers with `index`.
    pub fn new(file: &'a str, index: &'a LocationIndex) -> Self {
        Collector {
            file,
            index,
            items: Vec::new(),
        }
    }

    /// Records a problem at `pointer` (with or without the leading `#`).
    pub fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.push(pointer, message.into(), None);
    }

    /// Records a problem with a hint on how to fix it.
    pub fn error_hint(
        &mut self,
        pointer: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.push(pointer, message.into(), Some(hint.into()));
    }

    fn push(&mut self, pointer: &str, message: String, hint: Option<String>) {
        let bare = pointer.strip_prefix('#').unwrap_or(pointer);
        let item = Diagnostic {
            file: self.file.to_string(),
            location: self.index.locate(bare),
            pointer: format!("#{bare}"),
            message,
            hint,
        };
        if !self.items.contains(&item) {
            self.items.push(item);
        }
    }

    /// Whether any problem was recorded.
    pub fn has_errors(&self) -> bool {
        !self.items.is_empty()
    }

    /// Ends the stage: `Ok(value)` when clean, else every problem sorted.
    pub fn finish<T>(self, value: T) -> Result<T, Diagnostics> {
        if self.items.is_empty() {
            return Ok(value);
        }
        let mut items = self.items;
        items.sort_by(|a, b| {
            (a.location.is_none(), a.location, &a.pointer, &a.message).cmp(&(
                b.location.is_none(),
                b.location,
                &b.pointer,
                &b.message,
            ))
        });
        Err(Diagnostics { items })
    }
}
