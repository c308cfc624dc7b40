//! Shortest retaining paths from the GC roots.

use super::{node_row, NodeOrdinal, NodeRow};
use crate::analysis::distances::NO_DISTANCE;
use crate::snapshot::Snapshot;
use serde::Serialize;

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
/// and every path it finds is a shortest one.
pub fn retaining_paths(s: &Snapshot, node: NodeOrdinal, k: usize) -> Vec<RetainingPath> {
    let g = &s.graph;
    let node = node.0;
    let mut paths = Vec::new();
    if s.distances[node as usize] == NO_DISTANCE || node == g.root || k == 0 {
        return paths;
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
        node: node_row(s, NodeOrdinal(to)),
    };
    let mut stack = vec![Frame {
        node,
        via: usize::MAX,
        todo: predecessors(node),
    }];
    // Bounds the search on pathological graphs (huge numbers of dead-end branches) while always
    // allowing k paths as long as the node is deep.
    let d = s.distances[node as usize];
    let depth = if root_distance > 0 && d > root_distance {
        d - root_distance
    } else {
        d
    } as usize;
    // Saturating: k comes from outside, and a wrapped budget would end the search too early.
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
    paths
}
