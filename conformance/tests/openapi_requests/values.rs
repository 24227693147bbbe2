//! Valid values from a schema, as a property-based OpenAPI tester derives
//! them: the conformance library's one reading of a schema
//! (`conformance::values`), made by its random maker with
//! [`Aim::Valid`] (awkward but valid strings: any Unicode scalar, quotes,
//! separators, percent signs, long runs; arrays from empty to thousands
//! of items), drawn from the test runner's random source so that the
//! fixed seed replays them. (They do not shrink: a failure shows the
//! whole request instead.)
//!
//! A schema with a keyword the makers cannot honour (a gap) stops the
//! test with the keyword and its place named: a value the test believes
//! valid must really be valid.

use std::fmt;
use std::rc::Rc;

use conformance::oracle::SpecDoc;
use conformance::values::{Aim, Random, Reader};
use proptest::prelude::Rng;
use proptest::strategy::{BoxedStrategy, Just, NewTree, Strategy};
use proptest::test_runner::TestRunner;
use serde_json::Value;

/// Valid values of one schema.
struct Valid {
    doc: Rc<SpecDoc>,
    schema: Value,
    at: String,
}

impl fmt::Debug for Valid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Valid({})", self.at)
    }
}

impl Strategy for Valid {
    type Tree = Just<Value>;
    type Value = Value;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        let reader = Reader::new(&self.doc);
        let rng = runner.rng();
        let mut draw = || rng.next_u64();
        let mut maker = Random::new(&reader, &mut draw, Aim::Valid);
        Ok(Just(maker.value(&self.schema, &self.at, 0)))
    }
}

/// A valid value for `schema` (named `at` in messages); panics naming
/// every keyword of it the makers cannot honour.
pub fn valid(doc: &SpecDoc, schema: &Value, at: &str) -> BoxedStrategy<Value> {
    let gaps = Reader::new(doc).gaps(schema, at);
    assert!(
        gaps.is_empty(),
        "the request generator cannot make only valid values here; teach \
         conformance/src/values about:\n  {}",
        gaps.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n  ")
    );
    Valid {
        doc: Rc::new(doc.clone()),
        schema: schema.clone(),
        at: at.to_string(),
    }
    .boxed()
}
