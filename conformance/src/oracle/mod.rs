//! The spec oracle: judges requests against `spec/` read directly (YAML as
//! plain JSON values), never through the generator or generated code.

pub mod json_schema;
pub mod spec;

pub use json_schema::{FORMAT_RULES, to_json_schema};
pub use spec::{BodySchema, SpecDoc};
