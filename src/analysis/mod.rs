//! The analyses DevTools runs on a loaded snapshot, in DevTools' order, each as a plain function
//! over the graph's columns. All traversals are iterative with explicit worklists: a chain of a
//! million objects must not overflow a stack, in wasm least of all.
//!
//! Where DevTools' result depends on traversal order (distances through WeakMap ephemerons), the
//! traversal order is DevTools' own.

pub mod classes;
pub mod distances;
pub mod dom_state;
pub mod dominators;
pub mod flags;
pub mod interfaces;
pub mod shallow;
pub mod statistics;
pub mod weakmap;
