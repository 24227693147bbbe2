//! The conformance suite's library: the independent spec oracle (and, with
//! the conformance issue, the validating mock Graph server).
//!
//! Nothing here depends on `codegen` or on generated code: the oracle reads
//! `spec/` itself, so a generator bug cannot hide by being wrong the same
//! way on both sides.

pub mod oracle;
