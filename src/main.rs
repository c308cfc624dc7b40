//! The `heaplens` command line: the only code that knows files and the terminal.
//!
//! It streams the file into the core's push parser in 8 MiB reads (never mapping or buffering the
//! whole file), shows a progress bar on stderr when stderr is a terminal, and prints tables or
//! JSON. Bad input exits with code 2 and one line saying what is wrong and where.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod cli;

/// Large blocks freed by one analysis are recycled for the next; see `cli/alloc.rs`.
#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: cli::alloc::Recycling = cli::alloc::Recycling;

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(cli::main());
}
