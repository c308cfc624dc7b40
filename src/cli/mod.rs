//! The command line: one file per command under `commands/`, registered in one enum there.
//! Loading with progress is `load.rs`, reading files `read.rs`, shared text formatting
//! `format.rs`.

pub mod alloc;
mod commands;
mod format;
mod load;
mod read;

use clap::Parser as ClapParser;
use std::io::Write;

/// Analyze V8 heap snapshots (.heapsnapshot, .heaptimeline, optionally gzipped) with the numbers
/// Chrome DevTools computes, on files too big for DevTools.
#[derive(ClapParser, Debug)]
#[command(name = "heaplens", version, about)]
struct Cli {
    #[command(subcommand)]
    command: commands::Command,
}

/// Input that is not a snapshot but is still the user's to fix (a budget file, say): exit code
/// 2, like an invalid snapshot.
#[derive(Debug)]
pub struct BadInput(pub String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

/// A command's verdict that is not an error, such as "over budget": the exit code, with the
/// report already printed.
#[derive(Debug)]
pub struct Verdict(pub i32);

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit code {}", self.0)
    }
}

impl std::error::Error for Verdict {}

/// Exit codes: 0 success, 1 usage or I/O problems, 2 invalid input (a snapshot or another input
/// file), and whatever a command's [`Verdict`] says.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let mut out = std::io::stdout().lock();
    let result = commands::run(cli.command, &mut out).and_then(|()| Ok(out.flush()?));
    match result {
        Ok(()) => 0,
        Err(e) => {
            if let Some(Verdict(code)) = e.downcast_ref::<Verdict>() {
                return *code;
            }
            let bad_input = e.downcast_ref::<heaplens::Error>().is_some()
                || e.downcast_ref::<BadInput>().is_some();
            eprintln!("heaplens: {e:#}");
            if bad_input {
                2
            } else {
                1
            }
        }
    }
}
