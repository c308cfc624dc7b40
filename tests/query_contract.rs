//! What the query API promises whatever it is asked. Node ordinals and class indexes arrive from
//! the page, the CLI and MCP clients; they become handles only through `Snapshot::ordinal`,
//! `Snapshot::class` and `Snapshot::node_by_id`, which answer `None` for one that names nothing,
//! and a query given a handle never panics, whatever its offsets, limits and counts. (The
//! `query` fuzz target checks the same promises on arbitrary call sequences; this test pins them
//! by name.)

mod common;

use heaplens::query::{self, NodeOrdinal, ObjectId};

#[test]
fn node_details_panics_on_an_out_of_range_ordinal() {
    // Found by the query fuzz target (fuzz/regressions/query/ has the input): every query that
    // took a node indexed the graph's columns with it unchecked. Handles from outside are now
    // checked where they enter.
    let s = common::load("hung-clique");
    let nodes = s.node_count() as u32;
    for node in [nodes, nodes + 1, 1 << 31, u32::MAX] {
        assert!(s.ordinal(node).is_none(), "ordinal({node})");
    }
    let classes = s.classes.classes.len() as u32;
    assert!(s.class(classes).is_none());
    assert!(s.class(u32::MAX).is_none());
    assert!(s.node_by_id(ObjectId(u32::MAX)).is_none());
}

#[test]
fn every_query_answers_for_every_node_that_exists() {
    let s = common::load("hung-clique");
    for n in 0..s.node_count() as u32 {
        let node = s.ordinal(n).expect("a node that exists");
        assert_eq!(query::node_row(&s, node).node, node);
        assert_eq!(query::node_details(&s, node).row.node, node);
        let id = ObjectId(s.graph.node_id[n as usize]);
        assert_eq!(s.node_by_id(id), Some(node));
        for (offset, limit) in [(0, 10), (usize::MAX, usize::MAX), (1, 0)] {
            query::edges(&s, node, offset, limit);
            query::retainers(&s, node, offset, limit);
            query::dominated(&s, node, offset, limit);
        }
        query::retaining_paths(&s, node, 3);
    }
    let all: Vec<NodeOrdinal> = (0..s.node_count() as u32).map(NodeOrdinal).collect();
    assert_eq!(query::node_rows(&s, &all, 0, 100).rows.len(), all.len());
    for class in 0..s.classes.classes.len() as u32 {
        query::class_members(&s, s.class(class).expect("a class that exists"));
    }
}

/// The inverse of an odd number modulo 2^64 (Newton's iteration doubles the correct bits).
fn inverse_mod_2_64(odd: u64) -> u64 {
    let mut x = odd;
    for _ in 0..6 {
        x = x.wrapping_mul(2u64.wrapping_sub(odd.wrapping_mul(x)));
    }
    x
}

#[test]
fn retaining_paths_with_a_huge_k_overflowed_the_search_budget() {
    // Found by the query fuzz target: the search budget, 100,000 + 8 * k * (depth + 1), overflowed
    // for a large k (a panic with overflow checks; without them the budget wrapped around, on
    // wasm32 already for k above half a billion). Here k is chosen so that the wrapped budget
    // would be 8 steps, too few to reach the root from a node of the 15,000-node linked list.
    let s = common::load("node-classes");
    let root_distance = s.distances[s.graph.root as usize];
    let depth = |n: u32| {
        let d = s.distances[n as usize];
        (if root_distance > 0 && d > root_distance {
            d - root_distance
        } else {
            d
        }) as u64
    };
    // 8 * k * (depth + 1) = 8 - 100,000 (mod 2^64) needs k * (depth + 1) = -12,499 (mod 2^61),
    // which has a solution when depth + 1 is odd.
    let node = (0..s.node_count() as u32)
        .filter(|&n| s.distances[n as usize] > 0 && depth(n) > 100 && depth(n) % 2 == 0)
        .min_by_key(|&n| depth(n))
        .expect("a deep node");
    let k = 0u64
        .wrapping_sub(12_499)
        .wrapping_mul(inverse_mod_2_64(depth(node) + 1))
        & ((1 << 61) - 1);
    let node = NodeOrdinal(node);
    let all = query::retaining_paths(&s, node, 1000);
    assert!(!all.is_empty());
    for k in [k as usize, usize::MAX, usize::MAX / 8 + 1] {
        let paths = query::retaining_paths(&s, node, k);
        assert_eq!(paths.len(), all.len(), "k = {k}");
    }
}
