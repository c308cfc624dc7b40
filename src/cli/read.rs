//! Reading a snapshot file into the core's parser: serially, or in two halves on two threads
//! when the file is large enough to be worth it.
//!
//! The split is an optimization only. The halves meet at an edge record boundary found a little
//! past the middle of the file; the core's `Parser::join` checks that the first half really ended
//! there. If anything about the split attempt fails (an unusual layout, or a broken file), the
//! file is parsed again serially, so results and error messages are always the serial parser's.

use anyhow::{Context, Result};
use heaplens::parse::{Parser, RawSnapshot};
use indicatif::ProgressBar;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

const CHUNK: usize = 8 << 20;
/// Below this, one thread parses fast enough that splitting is not worth it. Tests lower it with
/// `HEAPLENS_SPLIT_MIN_BYTES` to exercise the split on small fixtures.
const SPLIT_THRESHOLD: u64 = 64 << 20;

fn split_threshold() -> u64 {
    std::env::var("HEAPLENS_SPLIT_MIN_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(SPLIT_THRESHOLD)
}

pub fn parse_file(path: &Path, bar: Option<&ProgressBar>) -> Result<RawSnapshot> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len >= split_threshold() && !is_gzip(path) {
        if let Some(raw) = parse_split(path, len, bar) {
            return Ok(raw);
        }
        if let Some(bar) = bar {
            bar.set_position(0);
        }
    }
    parse_serial(path, bar)
}

fn is_gzip(path: &Path) -> bool {
    let mut magic = [0u8; 2];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && magic == [0x1f, 0x8b]
}

fn read_some(file: &mut File, buf: &mut [u8], path: &Path) -> Result<usize> {
    loop {
        match file.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }
}

fn parse_serial(path: &Path, bar: Option<&ProgressBar>) -> Result<RawSnapshot> {
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut parser = Parser::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = read_some(&mut file, &mut buf, path)?;
        if n == 0 {
            break;
        }
        parser.feed(&buf[..n])?;
        if let Some(bar) = bar {
            bar.set_position(parser.bytes_fed());
        }
    }
    Ok(parser.finish()?)
}

/// Finds an edge record boundary (the `,` after a newline) near `around`: V8 writes one record
/// per line, and a line of the edges array holds exactly `fields` numbers.
fn find_split(file: &mut File, around: u64, fields: usize) -> Option<u64> {
    let mut window = vec![0u8; 1 << 16];
    file.seek(SeekFrom::Start(around)).ok()?;
    let n = file.read(&mut window).ok()?;
    let window = &window[..n];
    if !window
        .iter()
        .all(|b| b.is_ascii_digit() || matches!(b, b',' | b'\n'))
    {
        return None;
    }
    let starts: Vec<usize> = memchr::memchr_iter(b'\n', window)
        .map(|i| i + 1)
        .filter(|&i| window.get(i) == Some(&b','))
        .collect();
    // Check the lines between the first few boundaries: each must hold `fields` numbers.
    if starts.len() < 4 {
        return None;
    }
    for pair in starts.windows(2).take(8) {
        let line = &window[pair[0]..pair[1] - 1];
        if line.iter().filter(|&&b| b == b',').count() != fields {
            return None;
        }
    }
    Some(around + starts[1] as u64)
}

fn parse_split(path: &Path, len: u64, bar: Option<&ProgressBar>) -> Option<RawSnapshot> {
    let mut file = File::open(path).ok()?;
    let mut first = Parser::new();
    let mut buf = vec![0u8; CHUNK];
    // The first chunks hold the header, which the second half's parser needs.
    let mut read = 0u64;
    while first.header().is_none() && read < SPLIT_THRESHOLD {
        let n = file.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        first.feed(&buf[..n]).ok()?;
        read += n as u64;
    }
    let header = first.header()?.clone();
    // A little past the middle: the second half also holds the strings, which take about twice
    // as long a byte as numbers, so the halves balance a little past the middle (the benchmark
    // snapshots chose the constant; see tests/bench/README.md). Files
    // whose middle is already in the strings are not split at all.
    let fields = header.meta.edge_fields.len();
    let split = find_split(&mut file, len / 100 * 54, fields)
        .or_else(|| find_split(&mut file, len / 2, fields))?;
    if split <= read {
        return None;
    }
    file.seek(SeekFrom::Start(read)).ok()?;
    let second = Parser::resume_in_edges(header, split).ok()?;
    let progress = AtomicU64::new(read);

    let (first, second) = std::thread::scope(|scope| {
        let rest = scope.spawn(|| -> Option<Parser> {
            let mut second = second;
            let mut file = File::open(path).ok()?;
            file.seek(SeekFrom::Start(split)).ok()?;
            let mut buf = vec![0u8; CHUNK];
            loop {
                let n = file.read(&mut buf).ok()?;
                if n == 0 {
                    return Some(second);
                }
                second.feed(&buf[..n]).ok()?;
                progress.fetch_add(n as u64, Ordering::Relaxed);
            }
        });
        let mut remaining = split - read;
        let mut ok = true;
        while remaining > 0 {
            let want = remaining.min(CHUNK as u64) as usize;
            match file.read(&mut buf[..want]) {
                Ok(0) | Err(_) => {
                    ok = false;
                    break;
                }
                Ok(n) => {
                    if first.feed(&buf[..n]).is_err() {
                        ok = false;
                        break;
                    }
                    remaining -= n as u64;
                    let done = progress.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
                    if let Some(bar) = bar {
                        bar.set_position(done);
                    }
                }
            }
        }
        if ok {
            // Done first as a rule (the second half also holds the strings): make room for
            // the second half's edges while it finishes.
            first.prepare_join();
        }
        let second = rest.join().ok().flatten();
        (ok.then_some(first), second)
    });
    Parser::join(first?, second?).ok()
}
