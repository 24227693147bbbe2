//! The conformance suite's library: the independent spec oracle, the
//! validating mock Graph server, and the job that drives the generated
//! client through both.
//!
//! The [`oracle`] depends on neither `codegen` nor generated code: it reads
//! `spec/` itself, so a generator bug cannot hide by being wrong the same
//! way on both sides. The [`mock`] server, on the other hand, is driven by
//! the generated route table and server-side validator, so the two
//! implementations check each other.

pub mod cassette;
pub mod exchange;
pub mod job;
pub mod mock;
pub mod oracle;
pub mod proxy;
pub mod synth;
pub mod values;

/// The README's Rust examples, compiled by `cargo test` as doctests of this
/// crate: it sees the generated client and the runtime, and `codegen` as a
/// dev-dependency (the `build.rs` example). Blocks marked `no_run` are
/// compiled, not run; the one marked `ignore` needs the runtime's
/// `azure-identity` feature.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExamples;
