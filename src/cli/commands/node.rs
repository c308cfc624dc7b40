//! `heaplens node FILE @ID [--json]`: everything about one object.

use super::{find, parse_id};
use crate::cli::{format, load::load};
use anyhow::Result;
use heaplens::query;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    file: PathBuf,
    id: String,
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args, out: &mut dyn Write) -> Result<()> {
    let id = parse_id(&args.id)?;
    let s = load(&args.file)?;
    let node = find(&s, id)?;
    let details = query::node_details(&s, node);
    if args.json {
        format::json_pretty(out, &details)
    } else {
        format::node_text(out, &details)
    }
}
