//! heaplens: a V8 heap snapshot analyzer.
//!
//! The core is pure: bytes go in through the push parser ([`parse::Parser`]), a frozen
//! [`Snapshot`] comes out of [`Snapshot::build`], and [`query`] answers questions with plain data.
//! It does no I/O and knows nothing of the terminal or the browser; the CLI (`src/main.rs`) and the
//! wasm binding (`src/wasm.rs`) are thin edges over it. See `ARCHITECTURE.md`.
//!
//! Every number matches what Chrome DevTools computes for the same file: the analyses in
//! [`analysis`] port DevTools' heap snapshot worker rule for rule.

pub mod analysis;
pub mod columns;
pub mod error;
pub mod graph;
pub mod ids;
pub mod js;
pub mod names;
pub(crate) mod parallel;
pub mod parse;
pub mod query;
pub mod snapshot;
pub mod strings;
pub mod v8;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, ErrorKind, Location};
pub use parse::Parser;
pub use snapshot::{Phase, Snapshot};
