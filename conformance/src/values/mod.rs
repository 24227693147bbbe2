//! Values made from a spec's schemas: one reading of a schema object
//! ([`read`]: refs, `allOf`/`oneOf`/`anyOf`, discriminators, enums and
//! `const`, types, formats, string, number, array and object keywords,
//! `nullable`, and every keyword it cannot honour listed as a [`Gap`]),
//! and two makers over that reading:
//!
//! * [`candidates`]: deterministic, a short list of likely valid values
//!   (the job's requests and the mock's answers, see [`crate::synth`]);
//! * [`random`]: one value per call drawn from a random source, valid,
//!   tidy or rough (the property-based tests).
//!
//! Both treat a gap the same way: they ignore the keyword, so a value may
//! break it; a caller that must send only valid values refuses schemas
//! with gaps ([`Reader::gaps`]), and the others check what they make.
//! Both end recursive schemas by depth. Strings with a `pattern` are made
//! from the pattern itself ([`pattern`]).
//!
//! This lives in the `conformance` library, with no new dependency
//! (`regex-syntax` is already built for `jsonschema`), rather than behind
//! a cargo feature: a feature that only tests turn on would build the
//! library twice in CI (once for the tests, once for the job).

pub mod candidates;
pub mod pattern;
pub mod random;
pub mod read;

#[cfg(test)]
mod tests;

pub use candidates::candidates;
pub use random::{Aim, Random, Source};
pub use read::{Gap, Reader};
