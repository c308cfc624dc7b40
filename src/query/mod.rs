//! Questions the views and the CLI ask of a [`Snapshot`], answered with plain data: one type per
//! concept, which both edges serialize as they are.
//!
//! Lists come in pages ([`Page`]) so a caller never needs all of a two-million-instance class at
//! once. Nothing here formats numbers or knows JSON; the edges do that. Node handles are
//! [`NodeOrdinal`]s that the edges have checked with [`Snapshot::ordinal`].

mod classes;
mod dominators;
mod nodes;
mod paths;

pub use classes::{
    class_members, class_page, class_rows, ClassIdentity, ClassRow, ClassSort, ClassTable,
    ClassTotals,
};
pub use dominators::dominated;
pub use nodes::{
    allocation_stack, edges, node_details, node_row, node_rows, retainers, EdgeRow, Frame,
    Location, NodeDetails, NodeRow,
};
pub use paths::{retaining_paths, PathStep, RetainingPath};

pub use crate::analysis::statistics::Statistics;
pub use crate::ids::{ClassId, NodeOrdinal, ObjectId};

use crate::snapshot::Snapshot;
use serde::Serialize;

/// A page of a longer list.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Page<T> {
    /// Length of the whole list.
    pub total: usize,
    pub offset: usize,
    pub rows: Vec<T>,
}

impl<T> Page<T> {
    /// The rows `offset..offset + limit` of a list of `total` items; `rows` yields the whole list
    /// from its start (only the page's part is kept).
    pub fn of(total: usize, offset: usize, limit: usize, rows: impl Iterator<Item = T>) -> Page<T> {
        let offset = offset.min(total);
        Page {
            total,
            offset,
            rows: rows.skip(offset).take(limit).collect(),
        }
    }

    /// A page of a list already in memory.
    pub fn from_vec(mut all: Vec<T>, offset: usize, limit: usize) -> Page<T> {
        let total = all.len();
        let offset = offset.min(total);
        all.truncate(offset.saturating_add(limit).min(total));
        all.drain(..offset);
        Page {
            total,
            offset,
            rows: all,
        }
    }
}

/// What a view shows about a loaded snapshot before asking anything else.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub node_count: usize,
    pub edge_count: usize,
    /// DevTools' total: the root's retained size plus native bytes outside the graph.
    pub total_size: u64,
    /// Classes with at least one counted member (the class table's rows).
    pub class_count: usize,
    pub root: NodeOrdinal,
    pub title: String,
    /// Whether the snapshot was taken with allocation tracking on.
    pub has_allocation_traces: bool,
}

pub fn summary(s: &Snapshot) -> Summary {
    Summary {
        node_count: s.node_count(),
        edge_count: s.edge_count(),
        total_size: s.total_size(),
        class_count: s.classes.classes.iter().filter(|c| c.count > 0).count(),
        root: NodeOrdinal(s.graph.root),
        title: s.graph.title.clone(),
        has_allocation_traces: !s.graph.trace_node_id.is_empty(),
    }
}

/// Finds a node by its `@id`.
pub fn find_by_id(s: &Snapshot, id: ObjectId) -> Option<NodeOrdinal> {
    s.node_by_id(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_clamp_to_the_list() {
        let p = Page::from_vec((0..10).collect(), 8, 5);
        assert_eq!((p.total, p.offset, p.rows), (10, 8, vec![8, 9]));
        let p = Page::from_vec((0..10).collect::<Vec<_>>(), 20, 5);
        assert_eq!((p.total, p.offset, p.rows.len()), (10, 10, 0));
        let p = Page::of(10, 3, 2, 0..10);
        assert_eq!(p.rows, vec![3, 4]);
        let p = Page::from_vec((0..10).collect::<Vec<_>>(), 2, usize::MAX);
        assert_eq!(p.rows.len(), 8);
    }
}
