//! Helpers shared by the integration tests: fixture paths and loading.

#![allow(dead_code)]

use heaplens::Snapshot;
use std::io::Read;
use std::path::PathBuf;

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The gzipped bytes of a fixture, as committed.
pub fn fixture_gz(name: &str) -> Vec<u8> {
    let path = fixtures_dir().join(format!("{name}.heapsnapshot.gz"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The decompressed JSON text of a fixture.
pub fn fixture_json(name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&fixture_gz(name)[..])
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

pub fn load(name: &str) -> Snapshot {
    Snapshot::from_bytes(&fixture_gz(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn expected(name: &str, suffix: &str) -> serde_json::Value {
    let path = fixtures_dir()
        .join("expected")
        .join(format!("{name}{suffix}"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("valid JSON")
}

/// The per-node table DevTools produced, one row per node in node order.
pub struct ExpectedNode {
    pub id: u32,
    pub class_name: String,
    pub self_size: u64,
    pub retained_size: u64,
    pub distance: i32,
    pub dominator_id: u32,
}

pub fn expected_nodes(name: &str) -> Vec<ExpectedNode> {
    let path = fixtures_dir()
        .join("expected")
        .join(format!("{name}.nodes.tsv.gz"));
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).expect("expected nodes file"))
        .read_to_string(&mut text)
        .expect("valid gzip text");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            ExpectedNode {
                id: f[0].parse().expect("id"),
                class_name: unescape(f[1]),
                self_size: f[2].parse().expect("self size"),
                retained_size: f[3].parse().expect("retained size"),
                distance: f[4].parse().expect("distance"),
                dominator_id: f[5].parse().expect("dominator id"),
            }
        })
        .collect()
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Every committed fixture that has expected results.
pub const FIXTURES: &[&str] = &[
    "node-empty",
    "node-classes",
    "node-leak",
    "node-tracked",
    "chromium-detached",
];
