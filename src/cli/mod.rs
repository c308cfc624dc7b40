//! Commands, loading with progress, and exit codes.

pub mod alloc;
mod format;
mod read;

use anyhow::{bail, Context, Result};
use clap::{Parser as ClapParser, Subcommand};
use heaplens::query::{self, ClassSort};
use heaplens::{Phase, Snapshot};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Analyze V8 heap snapshots (.heapsnapshot, .heaptimeline, optionally gzipped) with the numbers
/// Chrome DevTools computes, on files too big for DevTools.
#[derive(ClapParser, Debug)]
#[command(name = "heaplens", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The class table: count, shallow and retained size, distance, by retained size.
    Summary {
        file: PathBuf,
        /// Print every class as JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Show only the first N classes (the table default is 40; JSON prints all by default).
        #[arg(long)]
        top: Option<usize>,
    },
    /// Totals by category: code, strings, JS arrays, typed arrays, system, other.
    Stats {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Everything about one object, by id (`@12345` or `12345`).
    Node {
        file: PathBuf,
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Who keeps an object alive: its retainers and shortest retaining paths from the GC roots.
    Retainers {
        file: PathBuf,
        id: String,
        /// How many retaining paths to show.
        #[arg(long, default_value_t = 3)]
        paths: usize,
        #[arg(long)]
        json: bool,
    },
}

/// Exit codes: 0 success, 1 usage or I/O problems, 2 the file is not a valid snapshot.
pub fn main() -> i32 {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => 0,
        Err(e) => {
            let bad_input = e.downcast_ref::<heaplens::Error>().is_some();
            eprintln!("heaplens: {e:#}");
            if bad_input {
                2
            } else {
                1
            }
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Summary { file, json, top } => {
            let s = load(&file)?;
            let mut rows = query::class_rows(&s, ClassSort::RetainedSize, true, "");
            rows.sort_by(query::summary_order);
            if json {
                if let Some(n) = top {
                    rows.truncate(n);
                }
                format::summary_json(&mut out, &s, &rows)?;
            } else {
                rows.truncate(top.unwrap_or(40));
                format::summary_table(&mut out, &s, &rows)?;
            }
        }
        Command::Stats { file, json } => {
            let s = load(&file)?;
            if json {
                format::stats_json(&mut out, &s)?;
            } else {
                format::stats_table(&mut out, &s)?;
            }
        }
        Command::Node { file, id, json } => {
            let id = parse_id(&id)?;
            let s = load(&file)?;
            let node = find(&s, id)?;
            let details = query::node_details(&s, node)
                .with_context(|| format!("node {node} vanished from the snapshot"))?;
            if json {
                serde_json::to_writer_pretty(&mut out, &details)?;
                writeln!(out)?;
            } else {
                format::node_text(&mut out, &details)?;
            }
        }
        Command::Retainers {
            file,
            id,
            paths,
            json,
        } => {
            let id = parse_id(&id)?;
            let s = load(&file)?;
            let node = find(&s, id)?;
            // find_by_id only returns nodes of this snapshot, so every query below answers.
            let missing = || anyhow::anyhow!("node {node} vanished from the snapshot");
            let row = query::node_row(&s, node).ok_or_else(missing)?;
            let retainers = query::retainers(&s, node, 0, 50).ok_or_else(missing)?;
            let paths = query::retaining_paths(&s, node, paths).ok_or_else(missing)?;
            if json {
                let value = serde_json::json!({
                    "node": row,
                    "retainers": retainers,
                    "paths": paths,
                });
                serde_json::to_writer_pretty(&mut out, &value)?;
                writeln!(out)?;
            } else {
                format::retainers_text(&mut out, &row, &retainers, &paths)?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// The process's minor page faults and kernel time so far (in clock ticks), from Linux's /proc
/// (zeros elsewhere): first touches of fresh memory are a large share of a big run's time.
fn faults_and_sys_ticks() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    let field = |i: usize| fields.get(i).and_then(|f| f.parse().ok()).unwrap_or(0);
    // minflt is field 10 and stime field 15 of proc(5), counting from 1 with the name as 2.
    (field(7), field(12))
}

/// The process's peak resident memory, from Linux's /proc (0 elsewhere).
fn peak_rss_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

fn parse_id(text: &str) -> Result<u32> {
    let digits = text.strip_prefix('@').unwrap_or(text);
    digits
        .parse::<u32>()
        .with_context(|| format!("'{text}' is not an object id (expected @12345)"))
}

fn find(s: &Snapshot, id: u32) -> Result<u32> {
    match query::find_by_id(s, id) {
        Some(n) => Ok(n),
        None => bail!("no object with id @{id} in this snapshot"),
    }
}

/// Reads and analyzes a snapshot, with a progress bar on a terminal.
fn load(path: &Path) -> Result<Snapshot> {
    let total = std::fs::metadata(path)
        .with_context(|| format!("cannot open {}", path.display()))?
        .len();
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template("{msg:>12} [{bar:40}] {bytes}/{total_bytes} ({eta})")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        bar.set_message("parsing");
        Some(bar)
    } else {
        None
    };
    // HEAPLENS_TIMINGS=1 prints how long each phase took, for performance work.
    let timings = std::env::var_os("HEAPLENS_TIMINGS").is_some();
    let started = std::time::Instant::now();
    let mut last = (started, "parsing", faults_and_sys_ticks());
    let mut lap = |label: &'static str| {
        if timings {
            let now = std::time::Instant::now();
            let (faults, sys) = faults_and_sys_ticks();
            eprintln!(
                "{:>28}: {:>8.3} s  (peak RSS so far {} MB, {}K page faults, {} s in the kernel)",
                last.1,
                (now - last.0).as_secs_f64(),
                peak_rss_mb(),
                (faults - last.2 .0) / 1000,
                (sys - last.2 .1) as f64 / 100.0
            );
            last = (now, label, (faults, sys));
        }
    };
    let raw = read::parse_file(path, bar.as_ref())?;
    let snapshot = Snapshot::build(raw, &mut |phase: Phase| {
        lap(phase.label());
        if let Some(bar) = &bar {
            bar.set_message(phase.label());
        }
    })?;
    lap("");
    if timings {
        eprintln!(
            "{:>28}: {:>8.3} s",
            "total",
            started.elapsed().as_secs_f64()
        );
        eprintln!(
            "{:>28}: {:>8} MB in columns, {} strings, {} locations",
            "memory",
            snapshot.heap_bytes() >> 20,
            snapshot.graph.strings.len(),
            snapshot.graph.locations.len()
        );
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(snapshot)
}
