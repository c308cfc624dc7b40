//! Every command, registered in [`Command`]: adding one is a file here, a variant and a match
//! arm. Each file holds its arguments (clap's derive) and its `run`.

mod node;
mod retainers;
mod stats;
mod summary;

use anyhow::{bail, Context, Result};
use heaplens::query::{NodeOrdinal, ObjectId};
use heaplens::Snapshot;
use std::io::Write;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// The class table: count, shallow and retained size, distance, by retained size.
    Summary(summary::Args),
    /// Totals by category: code, strings, JS arrays, typed arrays, system, other.
    Stats(stats::Args),
    /// Everything about one object, by id (`@12345` or `12345`).
    Node(node::Args),
    /// Who keeps an object alive: its retainers and shortest retaining paths from the GC roots.
    Retainers(retainers::Args),
}

pub fn run(command: Command, out: &mut dyn Write) -> Result<()> {
    match command {
        Command::Summary(args) => summary::run(args, out),
        Command::Stats(args) => stats::run(args, out),
        Command::Node(args) => node::run(args, out),
        Command::Retainers(args) => retainers::run(args, out),
    }
}

/// Reads an object id as the user typed it.
fn parse_id(text: &str) -> Result<ObjectId> {
    ObjectId::parse(text).with_context(|| format!("'{text}' is not an object id (expected @12345)"))
}

/// The node with object id `id`, or an error saying there is none.
fn find(s: &Snapshot, id: ObjectId) -> Result<NodeOrdinal> {
    match s.node_by_id(id) {
        Some(n) => Ok(n),
        None => bail!("no object with id {id} in this snapshot"),
    }
}
