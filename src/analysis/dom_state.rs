//! DOM link state propagation (DevTools' `propagateDOMState`).
//!
//! The embedder marks some native nodes attached (1) or detached (2). State flows from them to
//! other native nodes only, never through JavaScript objects, and not across hidden or weak
//! edges; attached wins. Every node that ends up detached is renamed `Detached <name>`.

use crate::graph::Graph;
use crate::v8;
use rustc_hash::FxHashMap as HashMap;

const ATTACHED: u8 = 1;
const DETACHED: u8 = 2;

pub fn propagate(g: &mut Graph) {
    let n = g.node_count();
    if g.detachedness.iter().all(|&s| s == 0) {
        return;
    }
    let mut visited = vec![false; n];
    let mut attached: Vec<u32> = Vec::new();
    let mut detached: Vec<u32> = Vec::new();
    let mut renamed: HashMap<u32, u32> = HashMap::default();

    // Marks a node with a state the first time it is reached, renaming detached ones.
    let mut process =
        |g: &mut Graph, node: u32, state: u8, attached: &mut Vec<u32>, detached: &mut Vec<u32>| {
            let i = node as usize;
            if visited[i] {
                return;
            }
            visited[i] = true;
            if g.node_type[i] != g.types.native {
                return;
            }
            g.detachedness[i] = state;
            if state == ATTACHED {
                attached.push(node);
            } else if state == DETACHED {
                let old = g.node_name[i];
                let new = *renamed.entry(old).or_insert_with(|| {
                    let text = format!("{}{}", v8::DETACHED_PREFIX, g.strings.get(old));
                    g.strings.push(&text)
                });
                g.node_name[i] = new;
                detached.push(node);
            }
        };

    for node in 0..n as u32 {
        let state = g.detachedness[node as usize];
        if state != 0 {
            process(g, node, state, &mut attached, &mut detached);
        }
    }
    let (hidden, weak) = (g.types.edge_hidden, g.types.edge_weak);
    while let Some(node) = attached.pop() {
        for e in g.edges(node) {
            let t = g.edge_type[e];
            if t != hidden && t != weak {
                process(g, g.edge_to[e], ATTACHED, &mut attached, &mut detached);
            }
        }
    }
    while let Some(node) = detached.pop() {
        if g.detachedness[node as usize] == ATTACHED {
            continue;
        }
        for e in g.edges(node) {
            let t = g.edge_type[e];
            if t != hidden && t != weak {
                process(g, g.edge_to[e], DETACHED, &mut attached, &mut detached);
            }
        }
    }
}
