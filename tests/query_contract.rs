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
