//! The `query` target: the query API (`heaplens::query`) driven by a byte-encoded sequence of
//! calls with arbitrary ordinals, ids, offsets and limits, on a real snapshot
//! (`fuzz/query.heapsnapshot.gz`, a cut of the node-tracked fixture made by
//! `fuzz/make-seeds.mjs`), loaded once per process.
//!
//! The input is a list of calls, each an op byte then its arguments as little-endian `u32`s
//! (missing bytes read as zero); see [`Call::decode`]. Node ordinals, class indexes and ids with
//! the top bit clear are taken modulo the snapshot's count, so most calls ask about something
//! that exists; with the top bit set the other 31 bits are used as they are, which is mostly out
//! of range. Offsets, limits and path counts are the value itself with the top bit clear, and
//! that far below `usize::MAX` with it set.
//!
//! [`Call`] is the one list of what the target can ask: when the query API changes, only
//! [`Call::run`] (and a new variant's decoding) follow it.

use super::limits::Budget;
use heaplens::query::{self, ClassSort, NodeOrdinal, ObjectId, Page};
use heaplens::Snapshot;
use std::sync::OnceLock;

/// The snapshot every run asks about.
pub fn snapshot() -> &'static Snapshot {
    static SNAPSHOT: OnceLock<Snapshot> = OnceLock::new();
    SNAPSHOT.get_or_init(|| {
        Snapshot::from_bytes(include_bytes!("../query.heapsnapshot.gz"))
            .expect("fuzz/query.heapsnapshot.gz is a valid snapshot")
    })
}

pub fn run(data: &[u8]) {
    let s = snapshot();
    let budget = Budget::start();
    let mut input = Input(data);
    while !input.0.is_empty() {
        Call::decode(&mut input, s).run(s);
    }
    budget.check(data.len());
}

/// One question to the query API.
#[derive(Debug, Clone)]
pub enum Call {
    /// `sort` indexes [`SORTS`] (modulo its length).
    ClassRows {
        sort: u8,
        descending: bool,
        filter: String,
    },
    /// `class_members`, then a page of their rows.
    ClassMembers {
        class: u32,
        offset: usize,
        limit: usize,
    },
    NodeDetails {
        node: u32,
    },
    Edges {
        node: u32,
        offset: usize,
        limit: usize,
    },
    Retainers {
        node: u32,
        offset: usize,
        limit: usize,
    },
    RetainingPaths {
        node: u32,
        k: usize,
    },
    Dominated {
        node: u32,
        offset: usize,
        limit: usize,
    },
    FindById {
        id: u32,
    },
    /// `node_row` of each node, then a page of `node_rows` of the list.
    NodeRows {
        nodes: Vec<u32>,
        offset: usize,
        limit: usize,
    },
}

pub const SORTS: [ClassSort; 5] = [
    ClassSort::Name,
    ClassSort::Distance,
    ClassSort::Count,
    ClassSort::SelfSize,
    ClassSort::RetainedSize,
];

/// The bytes not decoded yet.
pub struct Input<'a>(pub &'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }

    /// An index into something with `count` elements: in range unless the top bit is set.
    fn index(&mut self, count: usize) -> u32 {
        let v = self.u32();
        if v & 0x8000_0000 == 0 && count > 0 {
            v % count as u32
        } else {
            v & 0x7fff_ffff
        }
    }

    /// A count or position: small, or near the top of `usize`.
    fn size(&mut self) -> usize {
        let v = self.u32();
        if v & 0x8000_0000 == 0 {
            v as usize
        } else {
            usize::MAX - (v & 0x7fff_ffff) as usize
        }
    }

    fn text(&mut self) -> String {
        let len = (self.byte() % 16) as usize;
        let len = len.min(self.0.len());
        let (text, rest) = self.0.split_at(len);
        self.0 = rest;
        String::from_utf8_lossy(text).into_owned()
    }
}

impl Call {
    pub fn decode(input: &mut Input, s: &Snapshot) -> Call {
        let nodes = s.node_count();
        match input.byte() % 9 {
            0 => {
                let sort = input.byte();
                Call::ClassRows {
                    sort,
                    descending: input.byte() & 1 != 0,
                    filter: input.text(),
                }
            }
            1 => Call::ClassMembers {
                class: input.index(s.classes.classes.len()),
                offset: input.size(),
                limit: input.size(),
            },
            2 => Call::NodeDetails {
                node: input.index(nodes),
            },
            3 => Call::Edges {
                node: input.index(nodes),
                offset: input.size(),
                limit: input.size(),
            },
            4 => Call::Retainers {
                node: input.index(nodes),
                offset: input.size(),
                limit: input.size(),
            },
            5 => Call::RetainingPaths {
                node: input.index(nodes),
                k: input.size(),
            },
            6 => Call::Dominated {
                node: input.index(nodes),
                offset: input.size(),
                limit: input.size(),
            },
            8 => {
                let count = input.byte() % 8;
                Call::NodeRows {
                    nodes: (0..count).map(|_| input.index(nodes)).collect(),
                    offset: input.size(),
                    limit: input.size(),
                }
            }
            _ => {
                let at = input.index(nodes);
                Call::FindById {
                    id: s.graph.node_id.get(at as usize).copied().unwrap_or(at),
                }
            }
        }
    }

    /// Asks the question and checks what the answer promises: a node ordinal or class index out
    /// of range gets no handle from the snapshot (the edges' check), and a query given a handle
    /// answers well-formed, whatever the offsets, limits and counts.
    pub fn run(&self, s: &Snapshot) {
        let exists = |node: u32| (node as usize) < s.node_count();
        let handle = |node: u32| {
            let handle = s.ordinal(node);
            assert_eq!(handle.is_some(), exists(node), "ordinal({node})");
            handle
        };
        match *self {
            Call::ClassRows {
                sort,
                descending,
                ref filter,
            } => {
                let rows =
                    query::class_rows(s, SORTS[sort as usize % SORTS.len()], descending, filter);
                let needle = filter.to_lowercase();
                assert!(rows
                    .iter()
                    .all(|r| r.totals.name.to_lowercase().contains(&needle)));
            }
            Call::ClassMembers {
                class,
                offset,
                limit,
            } => {
                let checked = s.class(class);
                assert_eq!(
                    checked.is_some(),
                    (class as usize) < s.classes.classes.len()
                );
                let Some(class) = checked else { return };
                let members = query::class_members(s, class);
                assert!(members
                    .iter()
                    .all(|&n| s.classes.class_of[n.index()] == class.0));
                let page = query::node_rows(s, &members, offset, limit);
                check_page(&page, members.len(), offset, limit);
            }
            Call::NodeDetails { node } => {
                let Some(node) = handle(node) else { return };
                assert_eq!(query::node_details(s, node).row.node, node);
            }
            Call::Edges {
                node,
                offset,
                limit,
            } => {
                let Some(node) = handle(node) else { return };
                let page = query::edges(s, node, offset, limit);
                check_page(&page, page.total, offset, limit);
            }
            Call::Retainers {
                node,
                offset,
                limit,
            } => {
                let Some(node) = handle(node) else { return };
                let page = query::retainers(s, node, offset, limit);
                check_page(&page, page.total, offset, limit);
            }
            Call::RetainingPaths { node, k } => {
                let Some(node) = handle(node) else { return };
                let paths = query::retaining_paths(s, node, k);
                assert!(paths.len() <= k);
                for path in &paths {
                    assert_eq!(path.steps.last().map(|step| step.node.node), Some(node));
                    // Every path found is a shortest one, so they are all equally long.
                    assert_eq!(path.steps.len(), paths[0].steps.len());
                }
            }
            Call::Dominated {
                node,
                offset,
                limit,
            } => {
                let Some(node) = handle(node) else { return };
                let page = query::dominated(s, node, offset, limit);
                check_page(&page, page.total, offset, limit);
            }
            Call::NodeRows {
                ref nodes,
                offset,
                limit,
            } => {
                let handles: Option<Vec<NodeOrdinal>> = nodes.iter().map(|&n| handle(n)).collect();
                let Some(handles) = handles else { return };
                for &node in &handles {
                    assert_eq!(query::node_row(s, node).node, node);
                }
                let page = query::node_rows(s, &handles, offset, limit);
                check_page(&page, handles.len(), offset, limit);
            }
            Call::FindById { id } => {
                if let Some(node) = s.node_by_id(ObjectId(id)) {
                    assert_eq!(s.graph.node_id[node.index()], id);
                }
            }
        }
    }
}

/// A page holds the rows from its offset (clamped to the list's length) up to its limit.
fn check_page<T>(page: &Page<T>, total: usize, offset: usize, limit: usize) {
    assert_eq!(page.total, total);
    assert_eq!(page.offset, offset.min(total));
    assert_eq!(page.rows.len(), (total - page.offset).min(limit));
}
