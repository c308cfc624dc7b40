//! The bodies of heaplens' fuzz targets, in one place for both of their callers: the `cargo fuzz`
//! binaries in `fuzz/fuzz_targets/` (one line each) and the replay test in the main crate
//! (`tests/fuzz_replay.rs`, which includes this file with `#[path]`), which runs every saved
//! input through the same code without a fuzzing engine.
//!
//! So this file and its modules depend on nothing but `heaplens`, `flate2`, `libc` and `std`,
//! which both callers have (`libc` is a dependency of heaplens' native build). Adding a target: see "Fuzzing" in README.md.

pub mod limits;
pub mod parse;
pub mod query;

/// A target's body: runs one input, panicking on anything the target checks.
pub type Body = fn(&[u8]);

/// Every target, by the name of its binary and of its corpus directories
/// (`fuzz/corpus/<name>/`, `fuzz/regressions/<name>/`).
pub const TARGETS: &[(&str, Body)] = &[("parse", parse::run), ("query", query::run)];
