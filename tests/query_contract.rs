//! What the query API promises whatever it is asked: node ordinals and class indexes arrive from
//! the page, the CLI and MCP clients, so a query answers `None` for one that names nothing in the
//! snapshot, and never panics. (The `query` fuzz target checks the same promises on arbitrary
//! call sequences; this test pins them by name.)

mod common;

use heaplens::query;

#[test]
fn node_details_panics_on_an_out_of_range_ordinal() {
    // Found by the query fuzz target (fuzz/regressions/query/ has the input): every query that
    // took a node indexed the graph's columns with it unchecked.
    let s = common::load("hung-clique");
    let nodes = s.node_count() as u32;
    for node in [nodes, nodes + 1, 1 << 31, u32::MAX] {
        assert!(query::node_row(&s, node).is_none(), "node_row({node})");
        assert!(
            query::node_details(&s, node).is_none(),
            "node_details({node})"
        );
        assert!(query::edges(&s, node, 0, 10).is_none(), "edges({node})");
        assert!(
            query::retainers(&s, node, 0, 10).is_none(),
            "retainers({node})"
        );
        assert!(
            query::retaining_paths(&s, node, 3).is_none(),
            "retaining_paths({node})"
        );
        assert!(
            query::dominated(&s, node, 0, 10).is_none(),
            "dominated({node})"
        );
        assert!(
            query::node_rows(&s, &[0, node], 0, 10).is_none(),
            "node_rows([0, {node}])"
        );
        assert!(
            query::allocation_stack(&s, node).is_empty(),
            "allocation_stack({node})"
        );
    }
    let classes = s.classes.classes.len() as u32;
    assert!(query::class_members(&s, classes).is_none());
    assert!(query::class_members(&s, u32::MAX).is_none());
}

#[test]
fn every_query_answers_for_every_node_that_exists() {
    let s = common::load("hung-clique");
    for node in 0..s.node_count() as u32 {
        assert_eq!(query::node_row(&s, node).map(|r| r.node), Some(node));
        assert_eq!(
            query::node_details(&s, node).map(|d| d.row.node),
            Some(node)
        );
        assert!(query::edges(&s, node, 0, 10).is_some());
        assert!(query::retainers(&s, node, 0, 10).is_some());
        assert!(query::retaining_paths(&s, node, 3).is_some());
        assert!(query::dominated(&s, node, 0, 10).is_some());
    }
    let all: Vec<u32> = (0..s.node_count() as u32).collect();
    assert_eq!(
        query::node_rows(&s, &all, 0, 100).map(|p| p.rows.len()),
        Some(all.len())
    );
    for class in 0..s.classes.classes.len() as u32 {
        assert!(query::class_members(&s, class).is_some());
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
    let all = query::retaining_paths(&s, node, 1000).expect("a node");
    assert!(!all.is_empty());
    for k in [k as usize, usize::MAX, usize::MAX / 8 + 1] {
        let paths = query::retaining_paths(&s, node, k).expect("a node");
        assert_eq!(paths.len(), all.len(), "k = {k}");
    }
}
