//! The dominator tree, one level at a time.

use super::{node_rows, NodeOrdinal, NodeRow, Page};
use crate::snapshot::Snapshot;

/// The nodes `node` immediately dominates, by retained size descending, then ordinal.
pub fn dominated(s: &Snapshot, node: NodeOrdinal, offset: usize, limit: usize) -> Page<NodeRow> {
    let t = &s.dominator_tree;
    let i = node.index();
    let mut children: Vec<NodeOrdinal> = t.children
        [t.first_child[i] as usize..t.first_child[i + 1] as usize]
        .iter()
        .map(|&c| NodeOrdinal(c))
        .collect();
    children.sort_by(|&a, &b| {
        s.retained[b.index()]
            .cmp(&s.retained[a.index()])
            .then(a.cmp(&b))
    });
    node_rows(s, &children, offset, limit)
}
