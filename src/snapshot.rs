//! [`Snapshot`]: a parsed graph plus every analysis, built once and then read-only.

use crate::analysis::{self, classes::Classes, dominators::DominatorTree, statistics::Statistics};
use crate::error::Result;
use crate::graph::Graph;
use crate::parse::RawSnapshot;

/// The phases of [`Snapshot::build`], reported to a progress callback as each starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Indexing,
    DomState,
    Flags,
    Retainers,
    Dominators,
    Distances,
    Classes,
    Statistics,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Indexing => "indexing",
            Phase::DomState => "DOM state",
            Phase::Flags => "page objects",
            Phase::Retainers => "retainers",
            Phase::Dominators => "dominators",
            Phase::Distances => "distances",
            Phase::Classes => "classes",
            Phase::Statistics => "statistics",
        }
    }
}

/// A fully analyzed snapshot. Every field is computed by [`Snapshot::build`]; queries live in
/// [`crate::query`].
#[derive(Debug)]
pub struct Snapshot {
    pub graph: Graph,
    pub flags: Vec<u8>,
    pub distances: Vec<i32>,
    pub dominators: Vec<u32>,
    pub retained: Vec<u64>,
    pub dominator_tree: DominatorTree,
    pub classes: Classes,
    pub statistics: Statistics,
}

impl std::fmt::Debug for DominatorTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DominatorTree({} nodes)",
            self.first_child.len().saturating_sub(1)
        )
    }
}

/// Runs two independent computations, on two threads where threads exist.
#[cfg(not(target_arch = "wasm32"))]
fn join<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    std::thread::scope(|scope| {
        let handle = scope.spawn(a);
        let rb = b();
        let ra = handle
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (ra, rb)
    })
}

/// Browsers run the analyses in one worker: no threads there.
#[cfg(target_arch = "wasm32")]
fn join<A, B>(a: impl FnOnce() -> A, b: impl FnOnce() -> B) -> (A, B) {
    (a(), b())
}

impl Snapshot {
    /// Indexes the parsed snapshot and runs every analysis, in DevTools' order.
    pub fn build(raw: RawSnapshot, progress: &mut dyn FnMut(Phase)) -> Result<Snapshot> {
        progress(Phase::Indexing);
        let mut graph = Graph::build(raw)?;
        progress(Phase::DomState);
        analysis::dom_state::propagate(&mut graph);
        progress(Phase::Flags);
        let flags = analysis::flags::calculate(&graph);
        graph.detachedness = Vec::new();
        let mut weakmaps = analysis::weakmap::Cache::new(graph.strings.len());
        let essential_edges = analysis::dominators::essential_edges(&graph, &flags, &mut weakmaps);
        progress(Phase::Retainers);
        // Building the retainer index is long and reads only edges. Meanwhile, on a second
        // thread: the shallow-size transfer (self sizes are taken out of the graph for it) and
        // class names, neither of which needs retainers.
        let mut sizes = std::mem::take(&mut graph.self_size);
        let ((first_retainer, retainer_node, essential_slots), mut classes) = join(
            || crate::graph::build_retainers(&graph.first_edge, &graph.edge_to, &essential_edges),
            || {
                analysis::shallow::transfer(&graph, &mut sizes);
                analysis::classes::assign(&graph)
            },
        );
        graph.self_size = sizes;
        graph.first_retainer = first_retainer;
        graph.retainer_node = retainer_node;
        let essential = analysis::dominators::Essential {
            edges: essential_edges,
            slots: essential_slots,
        };
        progress(Phase::Dominators);
        let doms = analysis::dominators::calculate(&graph, &essential);
        drop(essential);
        // Distances come after the dominators so that their array and queue are not resident
        // during the dominators' memory peak.
        progress(Phase::Distances);
        let distances = analysis::distances::calculate(&graph, &mut weakmaps);
        drop(weakmaps);
        progress(Phase::Classes);
        let dominator_tree = analysis::dominators::tree(&doms.idom, graph.root);
        analysis::classes::aggregate(
            &graph,
            &mut classes,
            &distances,
            &doms.retained,
            &dominator_tree,
        );
        progress(Phase::Statistics);
        let statistics =
            analysis::statistics::calculate(&graph, doms.retained[graph.root as usize]);
        Ok(Snapshot {
            graph,
            flags,
            distances,
            dominators: doms.idom,
            retained: doms.retained,
            dominator_tree,
            classes,
            statistics,
        })
    }

    /// Parses and analyzes a whole snapshot held in memory.
    pub fn from_bytes(bytes: &[u8]) -> Result<Snapshot> {
        Snapshot::build(crate::parse::parse_bytes(bytes)?, &mut |_| {})
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// DevTools' total: the root's retained size plus native bytes outside the graph.
    pub fn total_size(&self) -> u64 {
        self.statistics.total
    }

    /// Approximate heap bytes held, for the memory report.
    pub fn heap_bytes(&self) -> usize {
        self.graph.heap_bytes()
            + self.flags.capacity()
            + 4 * self.distances.capacity()
            + 4 * self.dominators.capacity()
            + 8 * self.retained.capacity()
            + 4 * (self.dominator_tree.first_child.capacity()
                + self.dominator_tree.children.capacity())
            + 4 * self.classes.class_of.capacity()
    }
}
