//! The [`Collector`] every stage reports through: it locates each
//! pointer in the file its node came from.

use super::{LocationIndex, Source};
use crate::diag::{Diagnostic, Diagnostics, Severity, sort};

/// Gathers diagnostics for one spec, resolving pointers to locations (in
/// the file each node came from, for a spec in several files).
pub struct Collector<'a> {
    file: &'a str,
    index: &'a LocationIndex,
    source: Option<&'a Source>,
    items: Vec<Diagnostic>,
}

impl<'a> Collector<'a> {
    /// A collector for `file`, locating pointers with `index`.
    pub fn new(file: &'a str, index: &'a LocationIndex) -> Self {
        Collector {
            file,
            index,
            source: None,
            items: Vec::new(),
        }
    }

    /// A collector for the spec `source`: a node copied from another file
    /// is located in that file.
    pub fn for_source(source: &'a Source) -> Self {
        Collector {
            file: &source.name,
            index: &source.index,
            source: Some(source),
            items: Vec::new(),
        }
    }

    /// Records a problem at `pointer` (with or without the leading `#`).
    pub fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.push(Severity::Error, pointer, message.into(), None);
    }

    /// Records a warning: the code is generated; `message` says what it
    /// does not enforce, `hint` how to make the spec say what it means.
    pub fn warn(&mut self, pointer: &str, message: impl Into<String>, hint: impl Into<String>) {
        self.push(
            Severity::Warning,
            pointer,
            message.into(),
            Some(hint.into()),
        );
    }

    /// Adds diagnostics found by an earlier stage (e.g. the warnings of
    /// reading the file).
    pub fn extend(&mut self, items: impl IntoIterator<Item = Diagnostic>) {
        for item in items {
            if !self.items.contains(&item) {
                self.items.push(item);
            }
        }
    }

    /// Records a problem with a hint on how to fix it.
    pub fn error_hint(
        &mut self,
        pointer: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.push(Severity::Error, pointer, message.into(), Some(hint.into()));
    }

    fn push(&mut self, severity: Severity, pointer: &str, message: String, hint: Option<String>) {
        let bare = pointer.strip_prefix('#').unwrap_or(pointer);
        let item = match self.source {
            Some(source) => source.diagnostic(severity, bare, message, hint),
            None => Diagnostic {
                severity,
                file: self.file.to_string(),
                location: self.index.locate(bare),
                pointer: format!("#{bare}"),
                message,
                hint,
            },
        };
        if !self.items.contains(&item) {
            self.items.push(item);
        }
    }

    /// Whether any error was recorded (warnings do not count).
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// Ends the stage: `Ok((value, warnings))` when there is no error, else
    /// every problem (errors and warnings) sorted.
    pub fn finish<T>(self, value: T) -> Result<(T, Vec<Diagnostic>), Diagnostics> {
        let mut items = self.items;
        sort(&mut items);
        if items.iter().any(Diagnostic::is_error) {
            return Err(Diagnostics { items });
        }
        Ok((value, items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_with_only_warnings_succeeds_and_keeps_them() {
        let index = LocationIndex::lazy("a: 1\n");
        let mut c = Collector::new("t.yaml", &index);
        c.warn("/a", "w", "h");
        let (value, warnings) = c.finish(5).unwrap();
        assert_eq!(value, 5);
        assert_eq!(warnings.len(), 1);
        let mut c = Collector::new("t.yaml", &index);
        c.warn("/a", "w", "h");
        c.error("/a", "e");
        assert!(c.has_errors());
        let report = c.finish(()).unwrap_err();
        assert_eq!((report.errors().count(), report.warnings().count()), (1, 1));
    }
}
