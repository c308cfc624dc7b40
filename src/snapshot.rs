//! [`Snapshot`]: a parsed graph plus every analysis, built once and then read-only.

use crate::analysis::{self, classes::Classes, dominators::DominatorTree, statistics::Statistics};
use crate::error::Result;
use crate::graph::Graph;
use crate::ids::{ClassId, NodeOrdinal, ObjectId};
use crate::parallel::join;
use crate::parse::RawSnapshot;
use std::sync::OnceLock;

/// The phases of [`Snapshot::build`], reported to a progress callback as each starts. Each is
/// named for the step on its critical path; see [`Snapshot::build`] for what runs alongside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Indexing,
    DomState,
    Retainers,
    Dominators,
    Classes,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Indexing => "indexing",
            Phase::DomState => "DOM state",
            Phase::Retainers => "retainers",
            Phase::Dominators => "dominators",
            Phase::Classes => "classes",
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
    /// Node ordinals sorted by object id, built on the first lookup by id: loading pays
    /// nothing for it, and a view that never looks up an id never holds it.
    id_index: OnceLock<Vec<u32>>,
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

impl Snapshot {
    /// Indexes the parsed snapshot and runs every analysis DevTools runs.
    ///
    /// Natively the work goes to two threads, four times over, pairing a step of the
    /// dominators' critical path with steps that do not depend on it:
    ///
    /// | phase      | critical path                  | alongside                                  |
    /// |------------|--------------------------------|--------------------------------------------|
    /// | retainers  | page-object flags              | storage for the next two, retainer counts  |
    /// |            | depth-first numbering          | retainer index                             |
    /// | dominators | semidominators, semi-NCA       | shallow sizes, class names and counts, distances |
    /// | classes    | dominator tree, retained sizes | class distances, statistics                |
    pub fn build(raw: RawSnapshot, progress: &mut dyn FnMut(Phase)) -> Result<Snapshot> {
        progress(Phase::Indexing);
        let mut graph = Graph::build(raw)?;
        progress(Phase::DomState);
        analysis::dom_state::propagate(&mut graph);

        progress(Phase::Retainers);
        // Which edges count for dominators is decided edge by edge, on both threads, by the
        // passes that read the edges anyway; each thread keeps its own cache of WeakMap names.
        let strings = graph.strings.len();
        let mut weakmaps = analysis::weakmap::Cache::new(strings);
        let mut weakmaps_alongside = analysis::weakmap::Cache::new(strings);
        // Two rounds: the page-object flags beside the storage of the numbering and of the
        // retainer index, written there so that neither pass pays for fresh memory, and the
        // retainer counts; then the numbering (which needs the flags) beside the retainer index
        // (which needs the counts).
        let ((flags, page_objects), (storage, retainer_storage, counts)) = join(
            || analysis::flags::calculate(&graph),
            || {
                (
                    analysis::dominators::Numbering::new(graph.node_count()),
                    crate::columns::written_column(graph.edge_count()),
                    crate::graph::count_retainers(graph.node_count(), &graph.edge_to),
                )
            },
        );
        let (numbering, (first_retainer, retainer_node, essential_slots)) = join(
            || analysis::dominators::number(&graph, &page_objects, &mut weakmaps, storage),
            || {
                // The page-object rule waits for the semidominators: it needs both ends of a
                // retainer slot.
                crate::graph::fill_retainers(
                    counts,
                    retainer_storage,
                    &graph.first_edge,
                    &graph.edge_to,
                    |source, edge| {
                        let weakmaps = &mut weakmaps_alongside;
                        analysis::dominators::counts_by_kind(&graph, weakmaps, source, edge)
                    },
                )
            },
        );
        graph.detachedness = Vec::new();
        graph.first_retainer = first_retainer;
        graph.retainer_node = retainer_node;

        progress(Phase::Dominators);
        // The shallow-size transfer rewrites self sizes, so they leave the graph meanwhile.
        let mut sizes = std::mem::take(&mut graph.self_size);
        let (dominators, (mut classes, distances)) = join(
            || {
                analysis::dominators::calculate(
                    &graph,
                    &page_objects,
                    &mut weakmaps,
                    numbering,
                    &essential_slots,
                )
            },
            || {
                analysis::shallow::transfer(&graph, &mut sizes);
                let mut classes = analysis::classes::assign(&graph);
                analysis::classes::tally(&sizes, &mut classes);
                let distances = analysis::distances::calculate(&graph, &mut weakmaps_alongside);
                (classes, distances)
            },
        );
        graph.self_size = sizes;
        drop(essential_slots);
        drop(page_objects);
        drop(weakmaps);

        progress(Phase::Classes);
        let class_of = &classes.class_of;
        let class_count = classes.classes.len();
        let infos = &mut classes.classes;
        let ((dominator_tree, retained), (class_distances, statistics)) = join(
            || {
                let tree = analysis::dominators::tree(&dominators, graph.root);
                let retained = analysis::classes::retained_sizes(&graph, class_of, infos, &tree);
                (tree, retained)
            },
            || {
                let by_class =
                    analysis::classes::distances(&graph, class_of, class_count, &distances);
                (by_class, analysis::statistics::calculate(&graph))
            },
        );
        drop(weakmaps_alongside);
        for (class, distance) in classes.classes.iter_mut().zip(class_distances) {
            class.distance = distance;
        }
        let statistics = statistics.with_total(retained[graph.root as usize]);
        Ok(Snapshot {
            graph,
            flags,
            distances,
            dominators,
            retained,
            dominator_tree,
            classes,
            statistics,
            id_index: OnceLock::new(),
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

    /// `class` as a handle, if the class table has such a class.
    pub fn class(&self, class: u32) -> Option<ClassId> {
        ((class as usize) < self.classes.classes.len()).then_some(ClassId(class))
    }

    /// `node` as a handle, if the snapshot has such a node.
    pub fn ordinal(&self, node: u32) -> Option<NodeOrdinal> {
        ((node as usize) < self.node_count()).then_some(NodeOrdinal(node))
    }

    /// The node with object id `id`, by binary search of an index built on first use. V8 gives
    /// every object its own id; were two nodes to share one, the first in the file is found.
    pub fn node_by_id(&self, id: ObjectId) -> Option<NodeOrdinal> {
        let ids = &self.graph.node_id;
        let index = self.id_index.get_or_init(|| {
            let mut order: Vec<u32> = (0..ids.len() as u32).collect();
            order.sort_unstable_by_key(|&n| (ids[n as usize], n));
            order
        });
        let at = index.partition_point(|&n| ids[n as usize] < id.0);
        index
            .get(at)
            .filter(|&&n| ids[n as usize] == id.0)
            .map(|&n| NodeOrdinal(n))
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
            + 4 * self.id_index.get().map_or(0, Vec::capacity)
    }
}
