//! Dominators and retained sizes (DevTools' `calculateDominatorsAndRetainedSizes`).
//!
//! Lengauer-Tarjan with path compression ("simple" eval/link), iterative throughout. Only
//! essential edges count: not weak edges, not self edges, not the WeakMap table -> value edge
//! (the key -> value edge is kept), not shortcuts except from the root, and not edges from a
//! non-page object into a page object. Nodes the root does not reach are handled as DevTools
//! does: those with only non-essential retainers become extra DFS roots hung under the root, and
//! whatever is still unreached (cycles nothing points into) is hung under the root one by one.
//! The DFS visits edges in file order, as DevTools', so even those nodes get DevTools' answer.

use super::flags::PAGE_OBJECT;
use super::weakmap::Cache;
use super::BitVec;
use crate::graph::Graph;

/// Whether edge `e` of `node` counts for dominators (see the module documentation). Asked edge
/// by edge where the edges are read anyway (the depth-first numbering and the retainer index),
/// rather than marked in a pass of its own that everything else would wait for.
#[inline]
pub fn is_essential(g: &Graph, flags: &[u8], weakmaps: &mut Cache, node: u32, e: usize) -> bool {
    let t = g.types;
    let et = g.edge_type[e];
    if et == t.edge_weak {
        return false;
    }
    if et == t.edge_internal {
        if let Some(eph) = weakmaps.get(&g.strings, g.edge_name[e]) {
            if eph.table_id == Some(g.node_id[node as usize]) {
                return false;
            }
        }
    }
    let child = g.edge_to[e];
    if child == node {
        return false;
    }
    if node != g.root {
        if et == t.edge_shortcut {
            return false;
        }
        let page = |n: u32| flags[n as usize] & PAGE_OBJECT != 0;
        if page(child) && !page(node) {
            return false;
        }
    }
    true
}

pub struct Dominators {
    /// The immediate dominator of each node; the root's is itself.
    pub idom: Vec<u32>,
    /// Self size plus the retained sizes of the nodes it immediately dominates.
    pub retained: Vec<u64>,
}

/// The per-vertex state of Lengauer-Tarjan, kept together: the main loop touches all three for
/// the same vertex at once, and one cache line instead of three is what makes it fast on
/// millions of nodes. (The DFS parent lives in `Numbering::dom`; see there.)
#[derive(Debug, Clone, Copy, Default)]
struct Vertex {
    ancestor: u32,
    label: u32,
    semi: u32,
}

/// The depth-first numbering Lengauer-Tarjan starts from. [`number`] walks from the root, which
/// needs only forward edges and so runs while the retainer index is being built; [`calculate`]
/// finishes it for the nodes the root does not reach, which needs retainers.
///
/// Vertices are numbered from 1, as in the paper; 0 means "none". Vertex v is node v - 1.
pub struct Numbering {
    vx: Vec<Vertex>,
    /// `vertex[i]` is the vertex with DFS number i.
    vertex: Vec<u32>,
    /// One array, three lives, to save 4 bytes a node at the peak: a vertex's DFS parent until
    /// the main loop reaches it (nothing reads the parent after that); then its link in the
    /// bucket of its semidominator; then, once it leaves the bucket, its (provisional)
    /// dominator.
    dom: Vec<u32>,
    count: u32,
    /// For each node on the DFS path, the next edge to look at.
    next_edge: Vec<u32>,
    /// Whether a vertex has a DFS number yet. Every edge asks, and a bit set of all vertices
    /// stays in cache where the vertices' own records would not.
    visited: BitVec,
}

impl Numbering {
    /// Walks depth-first from vertex `root` (whose parent must be set), numbering what it
    /// reaches.
    fn dfs(&mut self, g: &Graph, flags: &[u8], weakmaps: &mut Cache, root: u32) {
        let Numbering {
            vx,
            vertex,
            dom: parent,
            count,
            next_edge,
            visited,
        } = self;
        next_edge[(root - 1) as usize] = g.first_edge[(root - 1) as usize];
        let mut v = root;
        while v != 0 {
            if !visited.get(v as usize) {
                visited.set(v as usize);
                *count += 1;
                vx[v as usize].semi = *count;
                vx[v as usize].label = v;
                vertex[*count as usize] = v;
            }
            let mut v_next = parent[v as usize];
            let vo = v - 1;
            let end = g.first_edge[vo as usize + 1];
            let mut e = next_edge[vo as usize];
            while e < end {
                let w = g.edge_to[e as usize] + 1;
                if !visited.get(w as usize) && is_essential(g, flags, weakmaps, vo, e as usize) {
                    parent[w as usize] = v;
                    next_edge[(w - 1) as usize] = g.first_edge[(w - 1) as usize];
                    v_next = w;
                    break;
                }
                e += 1;
            }
            // Like DevTools, stop at the edge that led to the child: it is looked at again
            // (and skipped) when the walk comes back to `v`.
            next_edge[vo as usize] = e;
            v = v_next;
        }
    }
}

/// Numbers the nodes depth-first from the root along essential edges, in DevTools' order.
pub fn number(g: &Graph, flags: &[u8], weakmaps: &mut Cache) -> Numbering {
    let len = g.node_count() + 1;
    let mut numbering = Numbering {
        vx: vec![Vertex::default(); len],
        vertex: vec![0u32; len],
        dom: vec![0u32; len],
        count: 0,
        next_edge: vec![0u32; len],
        visited: BitVec::new(len),
    };
    numbering.dfs(g, flags, weakmaps, g.root + 1);
    numbering
}

/// The rest of Lengauer-Tarjan, over retainers: `slots` marks the essential retainer slots.
/// First the numbering is finished as DevTools does (see the module documentation). Retained
/// sizes are summed from the graph's self sizes, so the shallow-size transfer must be done.
pub fn calculate(
    g: &Graph,
    flags: &[u8],
    weakmaps: &mut Cache,
    mut numbering: Numbering,
    slots: &BitVec,
) -> Dominators {
    let n = g.node_count();
    let len = n + 1;
    let r = g.root + 1;
    if (numbering.count as usize) < n {
        for v in 1..=n as u32 {
            if !numbering.visited.get(v as usize) && !g.retainer_slots(v - 1).any(|s| slots.get(s))
            {
                numbering.dom[v as usize] = r;
                numbering.dfs(g, flags, weakmaps, v);
            }
        }
    }
    let Numbering {
        mut vx,
        mut vertex,
        mut dom,
        mut count,
        next_edge,
        visited,
    } = numbering;
    drop(next_edge);
    if (count as usize) < n {
        for v in 1..=n as u32 {
            if !visited.get(v as usize) {
                count += 1;
                vx[v as usize] = Vertex {
                    ancestor: 0,
                    label: v,
                    semi: count,
                };
                dom[v as usize] = r;
                vertex[count as usize] = v;
            }
        }
    }
    drop(visited);

    // `bucket_head[i]` is the first vertex whose semidominator has DFS number i; `dom` links
    // the rest. Keyed by DFS number rather than by vertex: the main loop walks DFS numbers, so
    // the buckets it touches are near one another.
    let mut bucket_head = vec![0u32; len];
    let mut stack: Vec<u32> = Vec::new();

    let mut evaluate = |v: u32, vx: &mut [Vertex]| -> u32 {
        if vx[v as usize].ancestor == 0 {
            return v;
        }
        // Compress the path to the forest root, iteratively.
        let mut x = v;
        while vx[vx[x as usize].ancestor as usize].ancestor != 0 {
            stack.push(x);
            x = vx[x as usize].ancestor;
        }
        while let Some(w) = stack.pop() {
            let a = vx[w as usize].ancestor;
            let (label_a, ancestor_a) = (vx[a as usize].label, vx[a as usize].ancestor);
            if vx[label_a as usize].semi < vx[vx[w as usize].label as usize].semi {
                vx[w as usize].label = label_a;
            }
            vx[w as usize].ancestor = ancestor_a;
        }
        vx[v as usize].label
    };

    for i in (2..=count).rev() {
        // The loop is bound by cache misses on vertices in DFS order, which are scattered in
        // memory: fetch what later iterations need a few vertices ahead, in three stages.
        if i > 24 {
            let far = vertex[(i - 24) as usize];
            prefetch(&g.first_retainer[(far - 1) as usize]);
            prefetch(&vx[far as usize]);
            prefetch(&dom[far as usize]);
            let mid = vertex[(i - 16) as usize] - 1;
            let from = g.first_retainer[mid as usize] as usize;
            if from < g.retainer_node.len() {
                prefetch(&g.retainer_node[from]);
            }
            let near = vertex[(i - 8) as usize] - 1;
            let range = g.retainer_slots(near);
            for slot in range.start..range.end.min(range.start + 4) {
                prefetch(&vx[(g.retainer_node[slot] + 1) as usize]);
            }
        }
        let w = vertex[i as usize];
        let wo = w - 1;
        let mut orphan = true;
        let mut semi_w = vx[w as usize].semi;
        for slot in g.retainer_slots(wo) {
            if !slots.get(slot) {
                continue;
            }
            orphan = false;
            let v = g.retainer_node[slot] + 1;
            let u = evaluate(v, &mut vx);
            semi_w = semi_w.min(vx[u as usize].semi);
        }
        if orphan {
            // A node without essential retainers hangs directly under the root.
            semi_w = vx[r as usize].semi;
        }
        vx[w as usize].semi = semi_w;
        // The parent is read before `dom[w]` becomes w's bucket link.
        let p = dom[w as usize];
        dom[w as usize] = bucket_head[semi_w as usize];
        bucket_head[semi_w as usize] = w;
        vx[w as usize].ancestor = p;
        // The parent comes earlier in DFS order, so the loop has not reached it: its `semi` is
        // still its DFS number.
        let p_number = vx[p as usize].semi;
        let mut v = bucket_head[p_number as usize];
        bucket_head[p_number as usize] = 0;
        while v != 0 {
            let next = dom[v as usize];
            let u = evaluate(v, &mut vx);
            dom[v as usize] = if vx[u as usize].semi < vx[v as usize].semi {
                u
            } else {
                p
            };
            v = next;
        }
    }
    drop(bucket_head);

    dom[0] = r;
    dom[r as usize] = r;
    for i in 2..=count {
        let w = vertex[i as usize];
        if dom[w as usize] != vertex[vx[w as usize].semi as usize] {
            dom[w as usize] = dom[dom[w as usize] as usize];
        }
    }
    drop(vx);

    let mut idom = vec![0u32; n];
    let mut retained = vec![0u64; n];
    for o in 0..n {
        idom[o] = dom[o + 1] - 1;
        retained[o] = g.self_size.get(o as u32);
    }
    drop(dom);
    // Retained sizes, bottom-up in reverse depth-first order: each node comes after its
    // dominator.
    for i in (2..=count).rev() {
        let o = (vertex[i as usize] - 1) as usize;
        retained[idom[o] as usize] += retained[o];
    }
    Dominators { idom, retained }
}

/// Asks the CPU to start loading `value`'s cache line. A hint only: no effect on results, and
/// nothing at all on targets without a prefetch instruction.
#[inline(always)]
pub(crate) fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetching is a hint that never faults, and SSE is part of x86_64's baseline.
    #[allow(unused_unsafe)]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            (value as *const T).cast::<i8>(),
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// The dominator tree's children lists in CSR form, in DevTools' order.
pub struct DominatorTree {
    pub first_child: Vec<u32>,
    pub children: Vec<u32>,
}

pub fn tree(idom: &[u32], root: u32) -> DominatorTree {
    let (first_child, children) = crate::graph::reverse_filled_csr(
        idom.len(),
        idom.len().saturating_sub(1),
        |emit| {
            for (node, &dominator) in idom.iter().enumerate() {
                if node as u32 != root {
                    emit(dominator, node as u32);
                }
            }
        },
        |_, _| {},
    );
    DominatorTree {
        first_child,
        children,
    }
}
