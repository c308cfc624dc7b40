//! Distances from the GC roots (DevTools' `calculateDistances`).
//!
//! Breadth-first from the user roots (distance 1), then from the root for everything else, whose
//! distances then start at 100,000,000 (the "system" distances). Weak edges are never followed;
//! unreachable nodes keep -5. Three JavaScript-specific skips decide which edges count: the
//! `sloppy_function_map` of a `system / NativeContext`, descriptor slots of `(map descriptors)`,
//! and the first of the two edges that hold a WeakMap value (so the value's distance is the larger
//! of its key's and its table's). The last one depends on visit order, so the order is DevTools'.

use super::flags::is_user_root;
use super::weakmap::Cache;
use crate::graph::Graph;
use crate::js;
use crate::v8;
use rustc_hash::FxHashSet as HashSet;
use std::collections::VecDeque;

pub const NO_DISTANCE: i32 = -5;
pub const BASE_SYSTEM_DISTANCE: i32 = 100_000_000;
pub const BASE_UNREACHABLE_DISTANCE: i32 = BASE_SYSTEM_DISTANCE * 2;

/// Decides, for an edge about to be followed, whether it counts. Stateful: see the module doc.
pub struct EdgeFilter<'a> {
    g: &'a Graph,
    weakmaps: &'a mut Cache,
    pending: HashSet<&'a str>,
    sloppy_function_map: Option<u32>,
}

impl<'a> EdgeFilter<'a> {
    pub fn new(g: &'a Graph, weakmaps: &'a mut Cache) -> EdgeFilter<'a> {
        EdgeFilter {
            g,
            weakmaps,
            pending: HashSet::default(),
            sloppy_function_map: None,
        }
    }

    fn allows(&mut self, node: u32, edge: usize) -> bool {
        let g = self.g;
        let t = g.types;
        let node_type = g.node_type[node as usize];
        if node_type == t.hidden && g.edge_has_string_name(edge) {
            let name = g.edge_name[edge];
            let is_sloppy = match self.sloppy_function_map {
                Some(index) => index == name,
                None => {
                    let yes = g.strings.get(name) == v8::SLOPPY_FUNCTION_MAP;
                    if yes {
                        self.sloppy_function_map = Some(name);
                    }
                    yes
                }
            };
            if is_sloppy && g.name(node) == v8::NATIVE_CONTEXT {
                return false;
            }
        }
        if node_type == t.array && g.name(node) == v8::MAP_DESCRIPTORS {
            let index = js::parse_int(&g.edge_name_text(edge));
            return match index {
                Some(i) => i < 2.0 || i % 3.0 != 1.0,
                None => true,
            };
        }
        if g.edge_type[edge] == t.edge_internal {
            let name = g.edge_name[edge];
            if let Some(eph) = self.weakmaps.get(&g.strings, name) {
                let shared: &'a str = &g.strings.get(name)[eph.shared_from..];
                if !self.pending.remove(shared) {
                    self.pending.insert(shared);
                    return false;
                }
            }
        }
        true
    }
}

fn bfs(g: &Graph, queue: &mut VecDeque<u32>, distances: &mut [i32], filter: &mut EdgeFilter<'_>) {
    let weak = g.types.edge_weak;
    while let Some(node) = queue.pop_front() {
        // The queue says what comes next: fetch the edges of nodes a few steps ahead.
        g.prefetch_queued(queue.get(15).copied(), queue.get(7).copied());
        let distance = distances[node as usize] + 1;
        for e in g.edges(node) {
            if g.edge_type[e] == weak {
                continue;
            }
            let child = g.edge_to[e];
            if distances[child as usize] != NO_DISTANCE {
                continue;
            }
            if !filter.allows(node, e) {
                continue;
            }
            distances[child as usize] = distance;
            queue.push_back(child);
        }
    }
}

pub fn calculate(g: &Graph, weakmaps: &mut Cache) -> Vec<i32> {
    let n = g.node_count();
    let mut distances = vec![NO_DISTANCE; n];
    let mut filter = EdgeFilter::new(g, weakmaps);
    // Only the frontier is queued: this runs beside the dominators' memory peak.
    let mut queue: VecDeque<u32> = VecDeque::new();
    for e in g.edges(g.root) {
        let child = g.edge_to[e];
        if is_user_root(g, child) {
            distances[child as usize] = 1;
            queue.push_back(child);
        }
    }
    let had_user_roots = !queue.is_empty();
    bfs(g, &mut queue, &mut distances, &mut filter);

    distances[g.root as usize] = if had_user_roots {
        BASE_SYSTEM_DISTANCE
    } else {
        0
    };
    queue.push_back(g.root);
    bfs(g, &mut queue, &mut distances, &mut filter);
    distances
}
