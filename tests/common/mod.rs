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

/// A small graph written as snapshot JSON, for algorithm and parser edge-case tests (real
/// snapshots are the fixtures; these are only ever tiny).
pub struct Synthetic {
    pub strings: Vec<String>,
    /// (type index, name string, id, self size)
    pub nodes: Vec<(u32, String, u32, u64)>,
    /// (from node, edge type index, name string or index, to node)
    pub edges: Vec<(usize, u32, EdgeName, usize)>,
}

pub enum EdgeName {
    Str(String),
    Index(u32),
}

pub const NODE_TYPES: &str = r#"["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"]"#;
pub const EDGE_TYPES: &str =
    r#"["context","element","property","internal","hidden","shortcut","weak"]"#;
pub const SYNTHETIC: u32 = 9;
pub const OBJECT: u32 = 3;
pub const PROPERTY: u32 = 2;
pub const ELEMENT: u32 = 1;
pub const WEAK: u32 = 6;

impl Synthetic {
    pub fn new() -> Synthetic {
        Synthetic {
            strings: vec!["<dummy>".into()],
            nodes: Vec::new(),
            edges: Vec::new(),
        }
    }

    fn string(&mut self, s: &str) -> usize {
        match self.strings.iter().position(|x| x == s) {
            Some(i) => i,
            None => {
                self.strings.push(s.to_owned());
                self.strings.len() - 1
            }
        }
    }

    pub fn node(&mut self, ty: u32, name: &str, self_size: u64) -> usize {
        let id = 1 + 2 * self.nodes.len() as u32;
        self.nodes.push((ty, name.to_owned(), id, self_size));
        self.nodes.len() - 1
    }

    pub fn edge(&mut self, from: usize, ty: u32, name: &str, to: usize) {
        self.edges
            .push((from, ty, EdgeName::Str(name.to_owned()), to));
    }

    pub fn element(&mut self, from: usize, index: u32, to: usize) {
        self.edges.push((from, ELEMENT, EdgeName::Index(index), to));
    }

    pub fn to_json(&mut self) -> String {
        let mut edges_by_node: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        for (i, e) in self.edges.iter().enumerate() {
            edges_by_node[e.0].push(i);
        }
        let names: Vec<usize> = self
            .nodes
            .clone()
            .iter()
            .map(|n| self.string(&n.1))
            .collect();
        let mut nodes = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            nodes.push(format!(
                "{},{},{},{},{},0,0",
                n.0,
                names[i],
                n.2,
                n.3,
                edges_by_node[i].len()
            ));
        }
        let mut edges = Vec::new();
        let edge_list: Vec<(u32, EdgeName, usize)> = edges_by_node
            .iter()
            .flat_map(|list| {
                list.iter().map(|&i| {
                    (
                        self.edges[i].1,
                        clone_name(&self.edges[i].2),
                        self.edges[i].3,
                    )
                })
            })
            .collect();
        for (ty, name, to) in edge_list {
            let name = match name {
                EdgeName::Str(s) => self.string(&s),
                EdgeName::Index(i) => i as usize,
            };
            edges.push(format!("{ty},{name},{}", to * 7));
        }
        let strings: Vec<String> = self
            .strings
            .iter()
            .map(|s| serde_json::to_string(s).unwrap())
            .collect();
        format!(
            concat!(
                r#"{{"snapshot":{{"meta":{{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"#,
                r#""node_types":[{},"string","number","number","number","number","number"],"#,
                r#""edge_fields":["type","name_or_index","to_node"],"edge_types":[{},"string_or_number","node"]}},"#,
                r#""node_count":{},"edge_count":{},"trace_function_count":0}},"#,
                "\n\"nodes\":[{}],\n\"edges\":[{}],\n\"strings\":[{}]}}"
            ),
            NODE_TYPES,
            EDGE_TYPES,
            self.nodes.len(),
            self.edges.len(),
            nodes.join(",\n"),
            edges.join(",\n"),
            strings.join(",\n")
        )
    }
}

fn clone_name(n: &EdgeName) -> EdgeName {
    match n {
        EdgeName::Str(s) => EdgeName::Str(s.clone()),
        EdgeName::Index(i) => EdgeName::Index(*i),
    }
}
