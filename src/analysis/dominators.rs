//! Immediate dominators (the first half of DevTools' `calculateDominatorsAndRetainedSizes`; the
//! retained sizes are summed on the dominator tree, by `classes::retained_sizes`).
//!
//! Semi-NCA (Lengauer-Tarjan's semidominators with path compression, then each immediate
//! dominator by a walk up the dominators already found), iterative throughout; see
//! [`calculate`] for why it gives DevTools' Lengauer-Tarjan answer. Only essential edges count:
//! not weak edges, not self edges, not the WeakMap table -> value edge (the key -> value edge is
//! kept), not shortcuts except from the root, and not edges from a non-page object into a page
//! object. Nodes the root does not reach are handled as DevTools does: those with only
//! non-essential retainers become extra DFS roots hung under the root, and whatever is still
//! unreached (cycles held from outside only weakly) is hung under the root one by one, its edges
//! not followed. The DFS visits edges in file order, as DevTools'.

use super::weakmap::Cache;
use crate::columns::{prefetch, written_column, BitVec};
use crate::graph::Graph;

/// Whether edge `e` of `node` counts for dominators (see the module documentation). Asked edge
/// by edge where the edges are read anyway (the depth-first numbering, the retainer index and
/// the semidominators), rather than marked in a pass of its own that everything else would wait
/// for.
#[inline]
pub fn is_essential(g: &Graph, page: &BitVec, weakmaps: &mut Cache, node: u32, e: usize) -> bool {
    // The page rule first: it reads bits that stay in cache.
    !enters_page(g, page, node, g.edge_to[e]) && counts_by_kind(g, weakmaps, node, e)
}

/// [`is_essential`] but for the page-object rule: what the edge is, where it comes from, where
/// it goes. The retainer index marks its slots with this alone, so that it need not wait for
/// the page-object flags; the semidominator pass applies [`enters_page`] itself, knowing both
/// ends of each retainer slot.
#[inline]
pub fn counts_by_kind(g: &Graph, weakmaps: &mut Cache, node: u32, e: usize) -> bool {
    let t = g.types;
    let et = g.edge_type[e];
    if et == t.edge_weak || g.edge_to[e] == node || (et == t.edge_shortcut && node != g.root) {
        return false;
    }
    // Last, as it reads the edge's name and a cache indexed by it: both are far away.
    if et == t.edge_internal {
        if let Some(eph) = weakmaps.get(&g.strings, g.edge_name[e]) {
            return eph.table_id != Some(g.node_id[node as usize]);
        }
    }
    true
}

/// The page-object rule: an edge from an object outside the page into a page object does not
/// count, unless it comes from the root.
#[inline]
pub fn enters_page(g: &Graph, page: &BitVec, node: u32, child: u32) -> bool {
    // The source first: its bit is in cache, the target's often is not.
    node != g.root && !page.get(node as usize) && page.get(child as usize)
}

/// The per-vertex state of the semidominator pass, kept together: the main loop touches all
/// three for the same vertex at once, and one cache line instead of three is what makes it fast
/// on millions of nodes.
///
/// Where the paper keeps a label (the vertex of least semidominator on the compressed forest
/// path) and reads that vertex's semidominator at every step, `best` keeps the semidominator
/// itself: a label's semidominator is final once it is a label, and the path compression then
/// reads only the records on the path, not the labels' records scattered elsewhere.
#[derive(Debug, Clone, Copy, Default)]
struct Vertex {
    ancestor: u32,
    semi: u32,
    best: u32,
}

/// The depth-first numbering the dominators start from. [`number`] walks from the root, which
/// needs only forward edges and so runs while the retainer index is being built; [`calculate`]
/// finishes it for the nodes the root does not reach, which needs retainers.
///
/// Vertices are numbered from 1, as in the paper; 0 means "none". Vertex v is node v - 1.
pub struct Numbering {
    vx: Vec<Vertex>,
    /// `vertex[i]` is the vertex with DFS number i.
    vertex: Vec<u32>,
    /// `parent[i]` is the DFS number of the DFS parent of vertex i (0 for the root). Indexed by
    /// number, so the walk writes it in order and the passes after it read it in order; the
    /// last of them turns it into the immediate dominators, by number.
    parent: Vec<u32>,
    count: u32,
    /// Whether a vertex has a DFS number yet. Every edge asks, and a bit set of all vertices
    /// stays in cache where the vertices' own records would not.
    visited: BitVec,
}

/// A vertex on the DFS path, with its number and the range of its edges still to look at.
struct Frame {
    v: u32,
    number: u32,
    next_edge: u32,
    end_edge: u32,
}

impl Numbering {
    /// Storage for numbering `node_count` nodes, 20 bytes a node, every page written once (see
    /// [`written_column`]): [`crate::Snapshot::build`] makes it on the other thread while the
    /// page-object flags are computed, so that the walk does not pay for fresh memory.
    pub fn new(node_count: usize) -> Numbering {
        let len = node_count + 1;
        let zero = std::hint::black_box(0u32);
        Numbering {
            vx: vec![
                Vertex {
                    ancestor: zero,
                    semi: zero,
                    best: zero,
                };
                len
            ],
            vertex: written_column(len),
            parent: written_column(len),
            count: 0,
            visited: BitVec::new(len),
        }
    }

    /// Gives `v` the next DFS number, under the vertex numbered `parent`.
    fn visit(&mut self, v: u32, parent: u32) -> u32 {
        self.visited.set(v as usize);
        self.count += 1;
        let number = self.count;
        self.vx[v as usize] = Vertex {
            ancestor: 0,
            semi: number,
            best: number,
        };
        self.vertex[number as usize] = v;
        self.parent[number as usize] = parent;
        number
    }

    /// Walks depth-first from vertex `root`, which hangs under the vertex numbered `parent`,
    /// numbering what it reaches. The path is an explicit stack rather than a next-edge cursor
    /// per node: a resumed vertex finds its cursor in cache, and cursors cost memory only for
    /// the path, which is a small fraction of the nodes in real heaps.
    fn dfs(
        &mut self,
        g: &Graph,
        page: &BitVec,
        weakmaps: &mut Cache,
        root: u32,
        parent: u32,
        path: &mut Vec<Frame>,
    ) {
        let frame = |v: u32, number: u32| {
            let next_edge = g.first_edge[(v - 1) as usize];
            let end_edge = g.first_edge[v as usize];
            // The first edge's target and type are read one after the other (the type only
            // once the target turns out unvisited): ask for both cache lines at once.
            if next_edge < end_edge {
                prefetch(&g.edge_type[next_edge as usize]);
            }
            Frame {
                v,
                number,
                next_edge,
                end_edge,
            }
        };
        let number = self.visit(root, parent);
        path.push(frame(root, number));
        while let Some(top) = path.last_mut() {
            let vo = top.v - 1;
            let mut child = 0;
            // Edges in file order, as DevTools: the order decides the numbering.
            while top.next_edge < top.end_edge {
                let e = top.next_edge as usize;
                top.next_edge += 1;
                let w = g.edge_to[e] + 1;
                if !self.visited.get(w as usize) && is_essential(g, page, weakmaps, vo, e) {
                    child = w;
                    break;
                }
            }
            if child == 0 {
                path.pop();
            } else {
                let parent = top.number;
                let number = self.visit(child, parent);
                path.push(frame(child, number));
            }
        }
    }
}

/// Numbers the nodes depth-first from the root along essential edges, in DevTools' order, into
/// fresh storage from [`Numbering::new`].
pub fn number(
    g: &Graph,
    page: &BitVec,
    weakmaps: &mut Cache,
    mut numbering: Numbering,
) -> Numbering {
    assert_eq!(
        numbering.vx.len(),
        g.node_count() + 1,
        "numbering storage of the wrong size"
    );
    numbering.dfs(g, page, weakmaps, g.root + 1, 0, &mut Vec::new());
    numbering
}

/// The rest of the dominators, over retainers: `slots` marks the retainer slots whose edges
/// count by [`counts_by_kind`]. Returns each node's immediate dominator (the root's is itself);
/// retained sizes are summed on the dominator tree (`classes::retained_sizes`).
/// First the numbering is finished as DevTools does (see the module documentation).
///
/// DevTools runs Lengauer-Tarjan; this is semi-NCA (Georgiadis and Tarjan), which computes the
/// same semidominators with the same path compression and then each immediate dominator by a
/// short walk up the dominators already found, in DFS order. It needs no buckets, and all its
/// arrays but one are indexed by DFS number, which the passes walk in order. Dominators are
/// unique, so both give the same tree. The nodes DevTools hangs under the root without a walk
/// (cycles nothing outside points into) are no exception: their semidominators are not their
/// ancestors, which leaves their buckets undrained in DevTools, so it gives them the root; here
/// their DFS parent is the root, which gives them the root too.
pub fn calculate(
    g: &Graph,
    page: &BitVec,
    weakmaps: &mut Cache,
    mut numbering: Numbering,
    slots: &BitVec,
) -> Vec<u32> {
    let n = g.node_count();
    // Whether retainer slot `slot` of `node` counts: the retainer index marked the edge's kind,
    // and the page-object rule, which it could not apply, is applied here.
    let essential = |slot: usize, node: u32| {
        slots.get(slot) && !enters_page(g, page, g.retainer_node[slot], node)
    };
    if (numbering.count as usize) < n {
        let mut path = Vec::new();
        for v in 1..=n as u32 {
            if !numbering.visited.get(v as usize)
                && !g.retainer_slots(v - 1).any(|s| essential(s, v - 1))
            {
                numbering.dfs(g, page, weakmaps, v, 1, &mut path);
            }
        }
    }
    if (numbering.count as usize) < n {
        for v in 1..=n as u32 {
            if !numbering.visited.get(v as usize) {
                numbering.visit(v, 1);
            }
        }
    }
    let Numbering {
        mut vx,
        vertex,
        mut parent,
        count,
        visited,
    } = numbering;
    drop(visited);

    let mut stack: Vec<u32> = Vec::new();
    // The least semidominator on the forest path from `v` to its root (the semidominator of the
    // paper's EVAL(v)).
    let mut evaluate = |v: u32, vx: &mut [Vertex]| -> u32 {
        if vx[v as usize].ancestor == 0 {
            return vx[v as usize].best;
        }
        // Compress the path to the forest root, iteratively.
        let mut x = v;
        while vx[vx[x as usize].ancestor as usize].ancestor != 0 {
            stack.push(x);
            x = vx[x as usize].ancestor;
        }
        while let Some(w) = stack.pop() {
            let a = vx[w as usize].ancestor;
            let (best_a, ancestor_a) = (vx[a as usize].best, vx[a as usize].ancestor);
            let x = &mut vx[w as usize];
            x.best = x.best.min(best_a);
            x.ancestor = ancestor_a;
        }
        vx[v as usize].best
    };

    // Semidominators, in decreasing DFS order, as DevTools computes them.
    for i in (2..=count).rev() {
        // The loop is bound by cache misses on vertices in DFS order, which are scattered in
        // memory: fetch what later iterations need a few vertices ahead, in three stages.
        if i > 24 {
            let far = vertex[(i - 24) as usize];
            prefetch(&g.first_retainer[(far - 1) as usize]);
            prefetch(&vx[far as usize]);
            prefetch(&vertex[parent[(i - 24) as usize] as usize]);
            let mid = vertex[(i - 16) as usize] - 1;
            let from = g.first_retainer[mid as usize] as usize;
            if from < g.retainer_node.len() {
                prefetch(&g.retainer_node[from]);
                slots.prefetch(from);
            }
            page.prefetch(mid as usize);
            let near = vertex[(i - 8) as usize] - 1;
            let range = g.retainer_slots(near);
            for slot in range.start..range.end.min(range.start + 4) {
                prefetch(&vx[(g.retainer_node[slot] + 1) as usize]);
            }
        }
        let w = vertex[i as usize];
        let mut orphan = true;
        let mut semi_w = i;
        for slot in g.retainer_slots(w - 1) {
            if !essential(slot, w - 1) {
                continue;
            }
            orphan = false;
            let v = g.retainer_node[slot] + 1;
            semi_w = semi_w.min(evaluate(v, &mut vx));
        }
        if orphan {
            // A node without essential retainers hangs directly under the root.
            semi_w = 1;
        }
        vx[w as usize] = Vertex {
            ancestor: vertex[parent[i as usize] as usize],
            semi: semi_w,
            best: semi_w,
        };
    }

    // Immediate dominators, in increasing DFS order: the nearest dominator of the parent (or
    // the parent itself) numbered no higher than the semidominator. `parent[d]` for d < i
    // already holds d's immediate dominator.
    for i in 2..=count {
        if i + 16 <= count {
            prefetch(&vx[vertex[(i + 16) as usize] as usize]);
        }
        let semi = vx[vertex[i as usize] as usize].semi;
        let mut d = parent[i as usize];
        while d > semi {
            d = parent[d as usize];
        }
        parent[i as usize] = d;
    }
    drop(vx);

    let mut idom = vec![0u32; n];
    idom[g.root as usize] = g.root;
    for i in 2..=count {
        idom[(vertex[i as usize] - 1) as usize] = vertex[parent[i as usize] as usize] - 1;
    }
    idom
}

/// The dominator tree's children lists in CSR form, in DevTools' order.
pub struct DominatorTree {
    pub first_child: Vec<u32>,
    pub children: Vec<u32>,
}

pub fn tree(idom: &[u32], root: u32) -> DominatorTree {
    let (first_child, children) =
        crate::graph::reverse_filled_csr(idom.len(), idom.len().saturating_sub(1), |emit| {
            for (node, &dominator) in idom.iter().enumerate() {
                if node as u32 != root {
                    emit(dominator, node as u32);
                }
            }
        });
    DominatorTree {
        first_child,
        children,
    }
}
