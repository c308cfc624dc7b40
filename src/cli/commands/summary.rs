//! `heaplens summary FILE [--json] [--top N]`: the class table.

use crate::cli::{format, load::load};
use anyhow::Result;
use heaplens::query::{self, ClassSort};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    file: PathBuf,
    /// Print every class as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Show only the first N classes (the table default is 40; JSON prints all by default).
    #[arg(long)]
    top: Option<usize>,
}

pub fn run(args: Args, out: &mut dyn Write) -> Result<()> {
    let s = load(&args.file)?;
    let mut rows = query::class_rows(&s, ClassSort::RetainedSize, true, "");
    if args.json {
        if let Some(n) = args.top {
            rows.truncate(n);
        }
        format::json_line(out, &query::ClassTable::new(&s, rows))
    } else {
        rows.truncate(args.top.unwrap_or(40));
        format::summary_table(out, &s, &rows)
    }
}
