//! The wasm binding (see below).
