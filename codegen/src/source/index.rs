//! The location index: where each node of a YAML document starts, by
//! JSON pointer.

use std::collections::HashMap;
use std::sync::OnceLock;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::diag::{Location, escape_token};

/// Maps JSON pointers (without `#`) to where their node starts. For a value
/// inside a mapping, the place is that of its key, which is where a reader
/// looks first.
///
/// The map is built on first use: a spec without problems never needs it,
/// and building it means parsing the whole text once more, which costs as
/// much as the parse itself on a large spec.
#[derive(Debug, Default, Clone)]
pub struct LocationIndex {
    text: String,
    places: OnceLock<HashMap<String, Location>>,
}

impl LocationIndex {
    /// Indexes `text` now; fails with the YAML scanner's own location on bad
    /// syntax.
    pub fn build(text: &str) -> Result<Self, (Location, String)> {
        let places = index_places(text)?;
        Ok(LocationIndex {
            text: String::new(),
            places: OnceLock::from(places),
        })
    }

    /// An index of `text` that is built when first asked (`text` must be
    /// YAML that parses).
    pub fn lazy(text: &str) -> Self {
        LocationIndex {
            text: text.to_string(),
            places: OnceLock::new(),
        }
    }

    /// Where the node at `pointer` is, or the nearest ancestor that is
    /// known; a document with no node at all is located at its start.
    pub fn locate(&self, pointer: &str) -> Option<Location> {
        let places = self
            .places
            .get_or_init(|| index_places(&self.text).unwrap_or_default());
        let mut current = pointer;
        loop {
            if let Some(place) = places.get(current) {
                return Some(*place);
            }
            match current.rfind('/') {
                Some(cut) => current = &current[..cut],
                None => return Some(Location { line: 1, column: 1 }),
            }
        }
    }
}

/// Runs the YAML parser over `text`, recording where each node starts.
pub(super) fn index_places(text: &str) -> Result<HashMap<String, Location>, (Location, String)> {
    let mut builder = IndexBuilder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, false).map_err(|err| {
        let mark = err.marker();
        (
            Location {
                line: mark.line(),
                column: mark.col() + 1,
            },
            err.info().to_string(),
        )
    })?;
    Ok(builder.places)
}

enum Frame {
    Mapping { base: String, key: Option<String> },
    Sequence { base: String, index: usize },
}

#[derive(Default)]
struct IndexBuilder {
    stack: Vec<Frame>,
    places: HashMap<String, Location>,
}

impl IndexBuilder {
    fn location(mark: Marker) -> Location {
        // yaml-rust2 counts lines from 1 and columns from 0.
        Location {
            line: mark.line(),
            column: mark.col() + 1,
        }
    }

    /// The pointer of a node starting now; `None` when the node is a key.
    fn begin_node(&mut self, key_text: Option<&str>, mark: Marker) -> Option<String> {
        let here = Self::location(mark);
        match self.stack.last_mut() {
            None => {
                self.places.entry(String::new()).or_insert(here);
                Some(String::new())
            }
            Some(Frame::Mapping { base, key }) => match key.take() {
                None => {
                    // A key: remember it and where it stands.
                    let text = key_text.unwrap_or("?").to_string();
                    let pointer = format!("{base}/{}", escape_token(&text));
                    self.places.entry(pointer).or_insert(here);
                    *key = Some(text);
                    None
                }
                Some(text) => {
                    let pointer = format!("{base}/{}", escape_token(&text));
                    self.places.entry(pointer.clone()).or_insert(here);
                    Some(pointer)
                }
            },
            Some(Frame::Sequence { base, index }) => {
                let pointer = format!("{base}/{index}");
                *index += 1;
                self.places.entry(pointer.clone()).or_insert(here);
                Some(pointer)
            }
        }
    }
}

impl MarkedEventReceiver for IndexBuilder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(text, ..) => {
                self.begin_node(Some(&text), mark);
            }
            Event::Alias(_) => {
                self.begin_node(None, mark);
            }
            Event::MappingStart(..) => {
                // A mapping used as a key has no pointer; index it under a
                // name nobody asks for so the structure stays balanced.
                let base = self
                    .begin_node(None, mark)
                    .unwrap_or_else(|| "/\u{0}complex-key".to_string());
                self.stack.push(Frame::Mapping { base, key: None });
            }
            Event::SequenceStart(..) => {
                let base = self
                    .begin_node(None, mark)
                    .unwrap_or_else(|| "/\u{0}complex-key".to_string());
                self.stack.push(Frame::Sequence { base, index: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_points_at_keys_and_items() {
        let text = "a:\n  b: 1\n  c:\n    - x\n    - y: 2\n'd/e': 3\n";
        let index = LocationIndex::build(text).unwrap();
        assert_eq!(index.locate("/a/b"), Some(Location { line: 2, column: 3 }));
        assert_eq!(
            index.locate("/a/c/1/y"),
            Some(Location { line: 5, column: 7 })
        );
        assert_eq!(index.locate("/d~1e"), Some(Location { line: 6, column: 1 }));
        // An unknown child falls back to its nearest known ancestor.
        assert_eq!(
            index.locate("/a/c/7"),
            Some(Location { line: 3, column: 3 })
        );
    }
}
