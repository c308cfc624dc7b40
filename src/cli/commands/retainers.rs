//! `heaplens retainers FILE @ID [--paths K] [--json]`: who keeps an object alive.

use super::{find, parse_id};
use crate::cli::{format, load::load};
use anyhow::Result;
use heaplens::query::{self, EdgeRow, NodeRow, Page, RetainingPath};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    file: PathBuf,
    id: String,
    /// How many retaining paths to show.
    #[arg(long, default_value_t = 3)]
    paths: usize,
    #[arg(long)]
    json: bool,
}

/// The JSON document: the object, its first retainers, its shortest paths.
#[derive(Serialize)]
struct Retainers {
    node: NodeRow,
    retainers: Page<EdgeRow>,
    paths: Vec<RetainingPath>,
}

pub fn run(args: Args, out: &mut dyn Write) -> Result<()> {
    let id = parse_id(&args.id)?;
    let s = load(&args.file)?;
    let node = find(&s, id)?;
    let doc = Retainers {
        node: query::node_row(&s, node),
        retainers: query::retainers(&s, node, 0, 50),
        paths: query::retaining_paths(&s, node, args.paths),
    };
    if args.json {
        format::json_pretty(out, &doc)
    } else {
        format::retainers_text(out, &doc.node, &doc.retainers, &doc.paths)
    }
}
