//! Reading and analyzing a snapshot file, with a progress bar on a terminal and, with
//! `HEAPLENS_TIMINGS=1`, each phase's time, page faults and kernel time on stderr.

use super::read;
use anyhow::{Context, Result};
use heaplens::{Phase, Snapshot};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;

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

/// Reads and analyzes a snapshot, with a progress bar on a terminal.
pub fn load(path: &Path) -> Result<Snapshot> {
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
