//! Shallow-size transfer (DevTools' `calculateShallowSizes`).
//!
//! Internal `hidden` and `array` nodes (and external string data) that have exactly one owner
//! hand their self size to that owner, so a JS object's shallow size includes its private
//! backing stores. An owner is a node that is not such an internal node; ownership flows along
//! non-weak edges until two owners meet. Skipped when the snapshot has no user roots (it was
//! taken with internals exposed), as DevTools does.

use super::flags::has_user_roots;
use crate::columns::SizeColumn;
use crate::graph::Graph;
use crate::v8;

const UNVISITED: u32 = u32::MAX;
const MULTIPLE: u32 = u32::MAX - 1;

/// Updates `sizes` (the graph's self sizes, taken out of it so that this can run while other
/// phases read the graph).
pub fn transfer(g: &Graph, sizes: &mut SizeColumn) {
    if !has_user_roots(g) {
        return;
    }
    let n = g.node_count();
    let t = g.types;
    let mut owners = vec![0u32; n];
    let mut worklist: Vec<u32> = Vec::new();
    for i in 0..n as u32 {
        let ty = g.node_type[i as usize];
        if ty == t.hidden
            || ty == t.array
            || (ty == t.native && g.name(i) == v8::EXTERNAL_STRING_DATA)
        {
            owners[i as usize] = UNVISITED;
        } else {
            owners[i as usize] = i;
            worklist.push(i);
        }
    }
    while let Some(id) = worklist.pop() {
        let owner = owners[id as usize];
        for e in g.edges(id) {
            if g.edge_type[e] == t.edge_weak {
                continue;
            }
            let target = g.edge_to[e];
            let current = owners[target as usize];
            if current == UNVISITED {
                owners[target as usize] = owner;
                worklist.push(target);
            } else if current == target || current == owner || current == MULTIPLE {
                // Already owned by itself, by this owner, or by several: nothing changes.
            } else {
                owners[target as usize] = MULTIPLE;
                worklist.push(target);
            }
        }
    }
    for i in 0..n as u32 {
        let owner = owners[i as usize];
        if owner == UNVISITED || owner == MULTIPLE || owner == i {
            continue;
        }
        // Sizes given to synthetic nodes or the root would only be lost in the views.
        if g.node_type[owner as usize] == t.synthetic || owner == g.root {
            continue;
        }
        let size = sizes.get(i);
        sizes.set(i, 0);
        let total = sizes.get(owner) + size;
        sizes.set(owner, total);
    }
}
