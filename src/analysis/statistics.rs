//! Heap statistics (DevTools' `calculateStatistics`): the total split into code, strings, JS
//! arrays, typed arrays and other native memory, and system objects.

use crate::graph::Graph;
use crate::v8;
use serde::Serialize;

/// The heap's bytes by category, in bytes; the one shape both edges print.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Statistics {
    /// The root's retained size plus `extra_native_bytes`.
    pub total: u64,
    /// `total - native`.
    pub v8heap: u64,
    pub code: u64,
    /// All string types.
    pub strings: u64,
    /// `Array` objects plus an `elements` store each owns alone.
    pub js_arrays: u64,
    /// Hidden (internal) nodes.
    pub system: u64,
    /// What the categories above leave of the V8 heap.
    pub other: u64,
    /// Native nodes plus `extra_native_bytes`.
    pub native: u64,
    /// ArrayBuffer backing stores (`system / JSArrayBufferData`), part of `native`.
    pub typed_arrays: u64,
    /// Native bytes V8 reports outside the graph, part of `native`.
    pub extra_native_bytes: u64,
}

impl Statistics {
    /// Completes [`calculate`]'s result with the total: the root's retained size plus the
    /// native bytes outside the graph.
    pub fn with_total(mut self, root_retained: u64) -> Statistics {
        self.total = root_retained + self.extra_native_bytes;
        self.v8heap = self.total.saturating_sub(self.native);
        self.other = self
            .v8heap
            .saturating_sub(self.code + self.strings + self.js_arrays + self.system);
        self
    }
}

/// Sizes by category. The total, which needs the root's retained size, is left to
/// [`Statistics::with_total`], so that this can run while the dominators are computed.
pub fn calculate(g: &Graph) -> Statistics {
    let t = g.types;
    let mut s = Statistics {
        native: g.extra_native_bytes,
        extra_native_bytes: g.extra_native_bytes,
        ..Statistics::default()
    };
    for node in 0..g.node_count() as u32 {
        let size = g.self_size.get(node);
        let ty = g.node_type[node as usize];
        if ty == t.hidden {
            s.system += size;
        } else if ty == t.native {
            s.native += size;
            if g.name(node) == v8::ARRAY_BUFFER_DATA {
                s.typed_arrays += size;
            }
        } else if ty == t.code {
            s.code += size;
        } else if ty == t.cons_string || ty == t.sliced_string || ty == t.string {
            s.strings += size;
        } else if g.name(node) == v8::ARRAY {
            s.js_arrays += array_size(g, node);
        }
    }
    s
}

/// An array's own size plus its `elements` store when nothing else retains that store.
fn array_size(g: &Graph, node: u32) -> u64 {
    let mut size = g.self_size.get(node);
    for e in g.edges(node) {
        if g.edge_type[e] != g.types.edge_internal || g.strings.get(g.edge_name[e]) != v8::ELEMENTS
        {
            continue;
        }
        let elements = g.edge_to[e];
        if g.retainer_slots(elements).len() == 1 {
            size += g.self_size.get(elements);
        }
        break;
    }
    size
}
