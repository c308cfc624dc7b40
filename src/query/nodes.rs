//! One object at a time: its row in a list, its details, its edges and its retainers.

use super::{NodeOrdinal, ObjectId, Page};
use crate::analysis::distances::{BASE_UNREACHABLE_DISTANCE, NO_DISTANCE};
use crate::analysis::flags;
use crate::graph::SourceLocation;
use crate::js;
use crate::names::display_name;
use crate::snapshot::Snapshot;
use serde::Serialize;

/// Where a function or a class's constructor was defined (zero-based, as V8 records it).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    pub script_id: u32,
    pub line: u32,
    pub column: u32,
}

impl From<SourceLocation> for Location {
    fn from(l: SourceLocation) -> Location {
        Location {
            script_id: l.script_id,
            line: l.line,
            column: l.column,
        }
    }
}

/// One object, as lists show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NodeRow {
    /// The node's ordinal: the handle for further queries.
    pub node: NodeOrdinal,
    pub id: ObjectId,
    pub name: String,
    pub class_name: String,
    pub node_type: String,
    pub self_size: u64,
    pub retained_size: u64,
    pub distance: i32,
    /// Whether it belongs to a detached DOM tree.
    pub detached: bool,
}

pub fn node_row(s: &Snapshot, node: NodeOrdinal) -> NodeRow {
    let g = &s.graph;
    let n = node.index();
    NodeRow {
        node,
        id: ObjectId(g.node_id[n]),
        name: display_name(g, node.0).into_owned(),
        class_name: s.classes.classes[s.classes.class_of[n] as usize]
            .name
            .clone(),
        node_type: g.type_name(node.0).to_owned(),
        self_size: g.self_size.get(node.0),
        retained_size: s.retained[n],
        distance: s.distances[n],
        detached: s.flags[n] & flags::DETACHED_DOM_TREE_NODE != 0,
    }
}

pub fn node_rows(
    s: &Snapshot,
    nodes: &[NodeOrdinal],
    offset: usize,
    limit: usize,
) -> Page<NodeRow> {
    Page::of(
        nodes.len(),
        offset,
        limit,
        nodes.iter().map(|&n| node_row(s, n)),
    )
}

/// An edge and the node at its other end: the target for outgoing edges, the retainer for
/// retainers.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct EdgeRow {
    pub edge_type: String,
    pub edge_name: String,
    pub node: NodeRow,
}

pub(super) fn edge_row(s: &Snapshot, edge: usize, other: u32) -> EdgeRow {
    EdgeRow {
        edge_type: s.graph.edge_type_name(edge).to_owned(),
        edge_name: s.graph.edge_name_text(edge).into_owned(),
        node: node_row(s, NodeOrdinal(other)),
    }
}

/// A node's outgoing edges, in file order.
pub fn edges(s: &Snapshot, node: NodeOrdinal, offset: usize, limit: usize) -> Page<EdgeRow> {
    let range = s.graph.edges(node.0);
    Page::of(
        range.len(),
        offset,
        limit,
        range.map(|e| edge_row(s, e, s.graph.edge_to[e])),
    )
}

/// The distance the Retainers view sorts by: unreachable retainers go last.
fn retainer_distance(s: &Snapshot, node: u32) -> i64 {
    let d = s.distances[node as usize];
    if d == NO_DISTANCE {
        BASE_UNREACHABLE_DISTANCE as i64
    } else {
        d as i64
    }
}

/// A node's retainers as DevTools' Retainers view lists them: weak edges and edges from the root
/// hidden, nearest retainer (smallest distance) first, then by the retainer's name, then in
/// DevTools' slot order.
pub fn retainers(s: &Snapshot, node: NodeOrdinal, offset: usize, limit: usize) -> Page<EdgeRow> {
    let list = retainer_list(s, node.0);
    Page::of(
        list.len(),
        offset,
        limit,
        list.into_iter().map(|(source, e)| edge_row(s, e, source)),
    )
}

fn retainer_list(s: &Snapshot, node: u32) -> Vec<(u32, usize)> {
    let g = &s.graph;
    let list: Vec<(u32, usize)> = g
        .retainer_edges(node)
        .into_iter()
        .filter(|&(source, e)| source != g.root && g.edge_type[e] != g.types.edge_weak)
        .collect();
    // DevTools' Retainers view sorts by the retainer's distance, then its display name, then
    // slot order (a stable sort keeps that).
    let mut keyed: Vec<(i64, std::borrow::Cow<'_, str>, (u32, usize))> = list
        .into_iter()
        .map(|(source, e)| {
            (
                retainer_distance(s, source),
                display_name(g, source),
                (source, e),
            )
        })
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| js::cmp(&a.1, &b.1)));
    keyed.into_iter().map(|(_, _, r)| r).collect()
}

/// Everything known about one object.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NodeDetails {
    #[serde(flatten)]
    pub row: NodeRow,
    pub dominator: Option<NodeRow>,
    pub edge_count: usize,
    pub retainer_count: usize,
    pub location: Option<Location>,
    pub page_object: bool,
    pub allocation_stack: Vec<Frame>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Frame {
    pub function_name: String,
    pub script_name: String,
    pub script_id: u32,
    pub line: u32,
    pub column: u32,
}

pub fn node_details(s: &Snapshot, node: NodeOrdinal) -> NodeDetails {
    let g = &s.graph;
    let n = node.index();
    let dominator = NodeOrdinal(s.dominators[n]);
    NodeDetails {
        row: node_row(s, node),
        dominator: (node.0 != g.root).then(|| node_row(s, dominator)),
        edge_count: g.edges(node.0).len(),
        retainer_count: g.retainer_slots(node.0).len(),
        location: g.locations.get(node.0).map(Location::from),
        page_object: s.flags[n] & flags::PAGE_OBJECT != 0,
        allocation_stack: allocation_stack(s, node),
    }
}

/// The recorded allocation stack, innermost frame first (empty unless allocation tracking was on).
pub fn allocation_stack(s: &Snapshot, node: NodeOrdinal) -> Vec<Frame> {
    let g = &s.graph;
    let Some(&trace_id) = g.trace_node_id.get(node.index()) else {
        return Vec::new();
    };
    if trace_id == 0 {
        return Vec::new();
    }
    let Some(mut at) = g.trace_tree.iter().position(|t| t.id == trace_id) else {
        return Vec::new();
    };
    let mut frames = Vec::new();
    loop {
        let t = g.trace_tree[at];
        if let Some(f) = g.function_infos.get(t.function_info_index as usize) {
            frames.push(Frame {
                function_name: g.strings.get(f.name).to_owned(),
                script_name: g.strings.get(f.script_name).to_owned(),
                script_id: f.script_id,
                line: f.line,
                column: f.column,
            });
        }
        if t.parent == u32::MAX || frames.len() > 10_000 {
            break;
        }
        at = t.parent as usize;
    }
    frames
}
