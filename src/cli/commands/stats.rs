//! `heaplens stats FILE [--json]`: the heap by category.

use crate::cli::{format, load::load};
use anyhow::Result;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    file: PathBuf,
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args, out: &mut dyn Write) -> Result<()> {
    let s = load(&args.file)?;
    if args.json {
        format::stats_json(out, &s)
    } else {
        format::stats_table(out, &s)
    }
}
