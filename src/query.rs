//! Questions the views and the CLI ask of a [`Snapshot`], answered with plain data.
//!
//! Lists come in pages (`offset`, `limit`) so a caller never needs all of a two-million-instance
//! class at once. Nothing here formats numbers or knows JSON; the edges do that.
//!
//! Node ordinals and class indexes come from outside (the page, the CLI, MCP clients), so every
//! query that takes one answers `None` when it names no node or class of this snapshot, and no
//! argument makes a query panic: an edge turns `None` into its own "no such node" error. Offsets
//! and limits past the end give short or empty pages.

use crate::analysis::distances::{BASE_UNREACHABLE_DISTANCE, NO_DISTANCE};
use crate::analysis::{flags, js_cmp};
use crate::graph::SourceLocation;
use crate::names::display_name;
use crate::snapshot::Snapshot;
use serde::Serialize;
use std::cmp::Ordering;

/// A page of a longer list.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Page<T> {
    /// Length of the whole list.
    pub total: usize,
    pub offset: usize,
    pub rows: Vec<T>,
}

fn page<T>(total: usize, offset: usize, limit: usize, rows: impl Iterator<Item = T>) -> Page<T> {
    let offset = offset.min(total);
    Page {
        total,
        offset,
        rows: rows.skip(offset).take(limit).collect(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassSort {
    Name,
    Distance,
    Count,
    SelfSize,
    RetainedSize,
}

impl ClassSort {
    pub fn parse(s: &str) -> Option<ClassSort> {
        Some(match s {
            "name" => ClassSort::Name,
            "distance" => ClassSort::Distance,
            "count" => ClassSort::Count,
            "self_size" => ClassSort::SelfSize,
            "retained_size" => ClassSort::RetainedSize,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ClassRow {
    /// The class's index, for [`class_instances`].
    pub class: u32,
    pub name: String,
    pub count: u32,
    pub self_size: u64,
    pub retained_size: u64,
    pub distance: i32,
    pub location: Option<Location>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
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

/// Every class with at least one member of non-zero size, in the requested order (ties by
/// name, then index, so the order is total), keeping those whose name contains `filter`
/// (case-insensitive).
pub fn class_rows(s: &Snapshot, sort: ClassSort, descending: bool, filter: &str) -> Vec<ClassRow> {
    let needle = filter.to_lowercase();
    let mut indexes: Vec<u32> = (0..s.classes.classes.len() as u32)
        .filter(|&c| {
            let info = &s.classes.classes[c as usize];
            info.count > 0 && (needle.is_empty() || info.name.to_lowercase().contains(&needle))
        })
        .collect();
    let classes = &s.classes.classes;
    indexes.sort_by(|&a, &b| {
        let (x, y) = (&classes[a as usize], &classes[b as usize]);
        let primary = match sort {
            ClassSort::Name => x.name.cmp(&y.name),
            ClassSort::Distance => x.distance.cmp(&y.distance),
            ClassSort::Count => x.count.cmp(&y.count),
            ClassSort::SelfSize => x.self_size.cmp(&y.self_size),
            ClassSort::RetainedSize => x.retained_size.cmp(&y.retained_size),
        };
        let primary = if descending {
            primary.reverse()
        } else {
            primary
        };
        primary.then_with(|| x.name.cmp(&y.name)).then(a.cmp(&b))
    });
    indexes
        .into_iter()
        .map(|c| {
            let info = &classes[c as usize];
            ClassRow {
                class: c,
                name: info.name.clone(),
                count: info.count,
                self_size: info.self_size,
                retained_size: info.retained_size,
                distance: info.distance,
                location: info.location.map(Location::from),
            }
        })
        .collect()
}

/// One object, as lists show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NodeRow {
    /// The node's ordinal: the handle for further queries.
    pub node: u32,
    pub id: u32,
    pub name: String,
    pub class_name: String,
    pub node_type: String,
    pub self_size: u64,
    pub retained_size: u64,
    pub distance: i32,
    /// Whether it belongs to a detached DOM tree.
    pub detached: bool,
}

/// `node` if it is an ordinal of this snapshot.
fn valid_node(s: &Snapshot, node: u32) -> Option<u32> {
    ((node as usize) < s.node_count()).then_some(node)
}

/// A node's row; `None` if there is no such node.
pub fn node_row(s: &Snapshot, node: u32) -> Option<NodeRow> {
    valid_node(s, node).map(|node| row(s, node))
}

/// The row of a node known to exist.
fn row(s: &Snapshot, node: u32) -> NodeRow {
    let g = &s.graph;
    NodeRow {
        node,
        id: g.node_id[node as usize],
        name: display_name(g, node).into_owned(),
        class_name: s.classes.classes[s.classes.class_of[node as usize] as usize]
            .name
            .clone(),
        node_type: g.type_name(node).to_owned(),
        self_size: g.self_size.get(node),
        retained_size: s.retained[node as usize],
        distance: s.distances[node as usize],
        detached: s.flags[node as usize] & flags::DETACHED_DOM_TREE_NODE != 0,
    }
}

/// The members of a class that the class table counts (non-zero self size), by retained size
/// descending, then id; `None` if there is no such class. Callers that page through a big class
/// keep this list.
pub fn class_members(s: &Snapshot, class: u32) -> Option<Vec<u32>> {
    if class as usize >= s.classes.classes.len() {
        return None;
    }
    let g = &s.graph;
    let mut members: Vec<u32> = (0..g.node_count() as u32)
        .filter(|&n| s.classes.class_of[n as usize] == class && g.self_size.get(n) != 0)
        .collect();
    members.sort_by(|&a, &b| {
        s.retained[b as usize]
            .cmp(&s.retained[a as usize])
            .then(g.node_id[a as usize].cmp(&g.node_id[b as usize]))
    });
    Some(members)
}

/// A page of the rows of a list of nodes (such as [`class_members`]); `None` if any of them is
/// not a node of this snapshot.
pub fn node_rows(
    s: &Snapshot,
    nodes: &[u32],
    offset: usize,
    limit: usize,
) -> Option<Page<NodeRow>> {
    if nodes.iter().any(|&n| valid_node(s, n).is_none()) {
        return None;
    }
    Some(page(
        nodes.len(),
        offset,
        limit,
        nodes.iter().map(|&n| row(s, n)),
    ))
}

/// An edge and the node at its other end: the target for outgoing edges, the retainer for
/// retainers.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct EdgeRow {
    pub edge_type: String,
    pub edge_name: String,
    pub node: NodeRow,
}

fn edge_row(s: &Snapshot, edge: usize, other: u32) -> EdgeRow {
    EdgeRow {
        edge_type: s.graph.edge_type_name(edge).to_owned(),
        edge_name: s.graph.edge_name_text(edge).into_owned(),
        node: row(s, other),
    }
}

/// A node's outgoing edges, in file order; `None` if there is no such node.
pub fn edges(s: &Snapshot, node: u32, offset: usize, limit: usize) -> Option<Page<EdgeRow>> {
    let range = s.graph.edges(valid_node(s, node)?);
    Some(page(
        range.len(),
        offset,
        limit,
        range.map(|e| edge_row(s, e, s.graph.edge_to[e])),
    ))
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
/// DevTools' slot order. `None` if there is no such node.
pub fn retainers(s: &Snapshot, node: u32, offset: usize, limit: usize) -> Option<Page<EdgeRow>> {
    let list = retainer_list(s, valid_node(s, node)?);
    Some(page(
        list.len(),
        offset,
        limit,
        list.into_iter().map(|(source, e)| edge_row(s, e, source)),
    ))
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
    keyed.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| js_cmp(&a.1, &b.1)));
    keyed.into_iter().map(|(_, _, r)| r).collect()
}

/// One step of a retaining path: the edge taken and the node it leads to.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PathStep {
    pub edge_type: String,
    pub edge_name: String,
    pub node: NodeRow,
}

/// A path from the root to a node; the first step leaves the root.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RetainingPath {
    pub steps: Vec<PathStep>,
}

/// Up to `k` shortest retaining paths from the root to `node`, never through weak edges, nearest
/// retainers tried first. Each step goes to a retainer exactly one closer to the roots (the
/// breadth-first distances guarantee one exists), so the search finds paths without dead ends
/// and every path it finds is a shortest one. `None` if there is no such node.
pub fn retaining_paths(s: &Snapshot, node: u32, k: usize) -> Option<Vec<RetainingPath>> {
    let g = &s.graph;
    let node = valid_node(s, node)?;
    let mut paths = Vec::new();
    if s.distances[node as usize] == NO_DISTANCE || node == g.root || k == 0 {
        return Some(paths);
    }
    let root_distance = s.distances[g.root as usize];
    // Predecessors on shortest paths, in the order to try them (last is tried first).
    let predecessors = |n: u32| -> Vec<(u32, usize)> {
        let d = s.distances[n as usize];
        let mut out: Vec<(u32, usize)> = g
            .retainer_edges(n)
            .into_iter()
            .filter(|&(src, e)| {
                g.edge_type[e] != g.types.edge_weak
                    && if src == g.root {
                        d == 1 || d == root_distance + 1
                    } else {
                        d != 1 && s.distances[src as usize] == d - 1
                    }
            })
            .collect();
        out.reverse();
        out
    };
    struct Frame {
        node: u32,
        /// The edge from this frame's node to the previous frame's node.
        via: usize,
        todo: Vec<(u32, usize)>,
    }
    let step = |edge: usize, to: u32| PathStep {
        edge_type: g.edge_type_name(edge).to_owned(),
        edge_name: g.edge_name_text(edge).into_owned(),
        node: row(s, to),
    };
    let mut stack = vec![Frame {
        node,
        via: usize::MAX,
        todo: predecessors(node),
    }];
    // Bounds the search on pathological graphs (huge numbers of dead-end branches) while always
    // allowing k paths as long as the node is deep. `k` comes from outside (a wasm32 `usize` is
    // 32 bits), so the product saturates rather than wraps to a small budget.
    let d = s.distances[node as usize];
    let depth = if root_distance > 0 && d > root_distance {
        d - root_distance
    } else {
        d
    } as usize;
    let mut budget = k
        .saturating_mul(8)
        .saturating_mul(depth + 1)
        .saturating_add(100_000);
    while let Some(top) = stack.last_mut() {
        budget -= 1;
        if budget == 0 {
            break;
        }
        let Some((src, edge)) = top.todo.pop() else {
            stack.pop();
            continue;
        };
        if src == g.root {
            let mut steps = vec![step(edge, top.node)];
            for j in (1..stack.len()).rev() {
                steps.push(step(stack[j].via, stack[j - 1].node));
            }
            paths.push(RetainingPath { steps });
            if paths.len() >= k {
                break;
            }
        } else {
            // Each step goes strictly closer to the root, so the walk cannot cycle.
            let todo = predecessors(src);
            stack.push(Frame {
                node: src,
                via: edge,
                todo,
            });
        }
    }
    Some(paths)
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

/// Everything about one node; `None` if there is no such node.
pub fn node_details(s: &Snapshot, node: u32) -> Option<NodeDetails> {
    let g = &s.graph;
    let node = valid_node(s, node)?;
    let dominator = s.dominators[node as usize];
    Some(NodeDetails {
        row: row(s, node),
        dominator: (node != g.root).then(|| row(s, dominator)),
        edge_count: g.edges(node).len(),
        retainer_count: g.retainer_slots(node).len(),
        location: g.locations.get(node).map(Location::from),
        page_object: s.flags[node as usize] & flags::PAGE_OBJECT != 0,
        allocation_stack: allocation_stack(s, node),
    })
}

/// The recorded allocation stack, innermost frame first (empty unless allocation tracking was on,
/// and for a node that does not exist).
pub fn allocation_stack(s: &Snapshot, node: u32) -> Vec<Frame> {
    let g = &s.graph;
    let Some(&trace_id) = g.trace_node_id.get(node as usize) else {
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

/// The nodes `node` immediately dominates, by retained size descending; `None` if there is no
/// such node.
pub fn dominated(s: &Snapshot, node: u32, offset: usize, limit: usize) -> Option<Page<NodeRow>> {
    let node = valid_node(s, node)?;
    let t = &s.dominator_tree;
    let mut children: Vec<u32> = t.children
        [t.first_child[node as usize] as usize..t.first_child[node as usize + 1] as usize]
        .to_vec();
    children.sort_by(|&a, &b| {
        s.retained[b as usize]
            .cmp(&s.retained[a as usize])
            .then(a.cmp(&b))
    });
    node_rows(s, &children, offset, limit)
}

/// Finds a node by its `@id`.
pub fn find_by_id(s: &Snapshot, id: u32) -> Option<u32> {
    s.graph.find_id(id)
}

/// Orders class rows the way `heaplens summary --json` prints them: retained size descending,
/// then name.
pub fn summary_order(a: &ClassRow, b: &ClassRow) -> Ordering {
    b.retained_size
        .cmp(&a.retained_size)
        .then_with(|| a.name.cmp(&b.name))
        .then(a.class.cmp(&b.class))
}
