//! Per-node flags (DevTools' `calculateFlags`): which nodes belong to a detached DOM tree, and
//! which are page objects (reachable from the user roots without crossing a weak edge).
//! Page-object flags decide which edges count for dominators. DevTools' third flag, "can be
//! queried" (for evaluating objects in a live page), means nothing offline and is not computed.

use crate::columns::BitVec;
use crate::graph::Graph;
use crate::v8;

pub const DETACHED_DOM_TREE_NODE: u8 = 2;
pub const PAGE_OBJECT: u8 = 4;

/// A root child that starts the user part of the heap: any non-synthetic node (a global object)
/// or the synthetic `(Document DOM trees)`.
pub fn is_user_root(g: &Graph, node: u32) -> bool {
    let t = g.node_type[node as usize];
    t != g.types.synthetic || g.name(node) == v8::DOCUMENT_DOM_TREES
}

pub fn has_user_roots(g: &Graph) -> bool {
    g.edges(g.root).any(|e| is_user_root(g, g.edge_to[e]))
}

/// Returns the per-node flags and, as a bit set, the page objects alone: the dominator passes
/// ask about page objects for every edge they follow, and a bit set of millions of nodes stays
/// in cache where a byte per node would not.
pub fn calculate(g: &Graph) -> (Vec<u8>, BitVec) {
    let n = g.node_count();
    let mut flags = vec![0u8; n];
    let t = g.types;

    for node in 0..n as u32 {
        if g.node_type[node as usize] == t.native && v8::is_detached(g.name(node)) {
            flags[node as usize] |= DETACHED_DOM_TREE_NODE;
        }
    }

    // Page objects: from the root's shortcut edges (globals) and `(Document DOM trees)`.
    // The walk asks about every edge's target: a bit set of all nodes stays in cache where the
    // byte flags would not. The bits become flags at the end.
    let mut page = BitVec::new(n);
    // Only reachability counts, not the order of the walk, so the worklist is a queue: what it
    // will read a few nodes ahead is known, and fetched while the current node is worked on.
    let mut queue: Vec<u32> = Vec::new();
    for e in g.edges(g.root) {
        let et = g.edge_type[e];
        let child = g.edge_to[e];
        if et == t.edge_element {
            if !(g.node_type[child as usize] == t.synthetic
                && g.name(child) == v8::DOCUMENT_DOM_TREES)
            {
                continue;
            }
        } else if et != t.edge_shortcut {
            continue;
        }
        if !page.get(child as usize) {
            queue.push(child);
            page.set(child as usize);
        }
    }
    let mut head = 0;
    while head < queue.len() {
        g.prefetch_queued(queue.get(head + 16).copied(), queue.get(head + 8).copied());
        let node = queue[head];
        head += 1;
        for e in g.edges(node) {
            let child = g.edge_to[e];
            if page.get(child as usize) || g.edge_type[e] == t.edge_weak {
                continue;
            }
            queue.push(child);
            page.set(child as usize);
        }
    }
    drop(queue);
    for (node, flag) in flags.iter_mut().enumerate() {
        if page.get(node) {
            *flag |= PAGE_OBJECT;
        }
    }
    (flags, page)
}
