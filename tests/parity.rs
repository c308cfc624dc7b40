//! heaplens against Chrome DevTools' own heap snapshot worker, fixture by fixture.
//!
//! The expected files come from `tests/oracle/devtools-expected.mjs` (heap-snapshot-toolkit, a
//! build of DevTools' worker) run on the committed fixtures. Every class row (name, count, shallow
//! size, retained size, distance), the totals and statistics, and every node's class, sizes,
//! distance and immediate dominator must be equal.

mod common;

use common::{expected, expected_nodes, load};
use heaplens::query::{self, ClassSort};
use heaplens::Snapshot;
use serde_json::Value;

fn class_table(s: &Snapshot) -> Vec<(String, u64, u64, u64, i64)> {
    let mut rows: Vec<_> = query::class_rows(s, ClassSort::RetainedSize, true, "")
        .into_iter()
        .map(|r| {
            (
                r.name,
                r.count as u64,
                r.self_size,
                r.retained_size,
                r.distance as i64,
            )
        })
        .collect();
    rows.sort();
    rows
}

fn expected_class_table(v: &Value) -> Vec<(String, u64, u64, u64, i64)> {
    let mut rows: Vec<_> = v["classes"]
        .as_array()
        .expect("classes")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().expect("name").to_owned(),
                c["count"].as_u64().expect("count"),
                c["self_size"].as_u64().expect("self_size"),
                c["retained_size"].as_u64().expect("retained_size"),
                c["distance"].as_i64().expect("distance"),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn check_summary(name: &str) {
    let s = load(name);
    let want = expected(name, ".json");
    assert_eq!(
        s.node_count() as u64,
        want["node_count"].as_u64().unwrap(),
        "{name}: node count"
    );
    assert_eq!(
        s.edge_count() as u64,
        want["edge_count"].as_u64().unwrap(),
        "{name}: edge count"
    );
    assert_eq!(
        s.total_size(),
        want["total_size"].as_u64().unwrap(),
        "{name}: total size"
    );

    let st = &s.statistics;
    let ws = &want["statistics"];
    let pairs = [
        ("total", st.total, &ws["total"]),
        ("native", st.native, &ws["native"]["total"]),
        (
            "typed arrays",
            st.typed_arrays,
            &ws["native"]["typedArrays"],
        ),
        ("v8heap", st.v8heap, &ws["v8heap"]["total"]),
        ("code", st.code, &ws["v8heap"]["code"]),
        ("JS arrays", st.js_arrays, &ws["v8heap"]["jsArrays"]),
        ("strings", st.strings, &ws["v8heap"]["strings"]),
        ("system", st.system, &ws["v8heap"]["system"]),
    ];
    for (what, got, want) in pairs {
        assert_eq!(got, want.as_u64().unwrap(), "{name}: statistics.{what}");
    }

    let got = class_table(&s);
    let want = expected_class_table(&want);
    let missing: Vec<_> = want.iter().filter(|r| !got.contains(r)).collect();
    let extra: Vec<_> = got.iter().filter(|r| !want.contains(r)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{name}: class rows differ from DevTools.\n  DevTools only: {missing:#?}\n  heaplens only: {extra:#?}"
    );
}

fn check_nodes(name: &str) {
    let s = load(name);
    let want = expected_nodes(name);
    assert_eq!(want.len(), s.node_count(), "{name}: node rows");
    let g = &s.graph;
    let mut mismatches = Vec::new();
    for (n, w) in want.iter().enumerate() {
        let n = n as u32;
        let class = &s.classes.classes[s.classes.class_of[n as usize] as usize].name;
        let got = (
            g.node_id[n as usize],
            class.as_str(),
            g.self_size.get(n),
            s.retained[n as usize],
            s.distances[n as usize],
            g.node_id[s.dominators[n as usize] as usize],
        );
        let expected = (
            w.id,
            w.class_name.as_str(),
            w.self_size,
            w.retained_size,
            w.distance,
            w.dominator_id,
        );
        if got != expected {
            mismatches.push(format!("node {n}: heaplens {got:?}, DevTools {expected:?}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{name}: {} of {} nodes differ, first ones:\n{}",
        mismatches.len(),
        want.len(),
        mismatches
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

type EdgeKey = (String, String, u32);

fn edge_keys(page: query::Page<query::EdgeRow>) -> Vec<EdgeKey> {
    page.rows
        .into_iter()
        .map(|r| (r.edge_type, r.edge_name, r.node.id))
        .collect()
}

/// DevTools' list under `list`, with the other node's id under `id_key`.
fn expected_edge_keys(case: &Value, list: &str, id_key: &str) -> Vec<EdgeKey> {
    case[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["edge_type"].as_str().unwrap().to_owned(),
                r["edge_name"].as_str().unwrap().to_owned(),
                r[id_key].as_u64().unwrap() as u32,
            )
        })
        .collect()
}

/// Retainers as DevTools' Retainers view lists them (filtering and order) and outgoing edges.
fn check_retainers(name: &str) {
    let s = load(name);
    let want = expected(name, ".retainers.json");
    for case in want.as_array().expect("a list of nodes") {
        let id = case["node_id"].as_u64().unwrap() as u32;
        let node = query::find_by_id(&s, id).unwrap_or_else(|| panic!("{name}: no node @{id}"));
        assert_eq!(
            edge_keys(query::retainers(&s, node, 0, 100).expect("a node")),
            expected_edge_keys(case, "retainers", "from_id"),
            "{name}: retainers of @{id}"
        );
        assert_eq!(
            edge_keys(query::edges(&s, node, 0, 100).expect("a node")),
            expected_edge_keys(case, "edges", "to_id"),
            "{name}: edges of @{id}"
        );
    }
}

macro_rules! parity_tests {
    ($($test:ident => $fixture:literal),* $(,)?) => {
        mod class_table_and_statistics_match_devtools {
            $(#[test] fn $test() { super::check_summary($fixture); })*
        }
        mod every_node_matches_devtools {
            $(#[test] fn $test() { super::check_nodes($fixture); })*
        }
        mod retainers_and_edges_match_devtools {
            $(#[test] fn $test() { super::check_retainers($fixture); })*
        }
    };
}

parity_tests! {
    node_empty => "node-empty",
    node_classes => "node-classes",
    node_leak => "node-leak",
    node_tracked => "node-tracked",
    chromium_detached => "chromium-detached",
    // Regression: a cycle held from outside only by a weak edge made the dominator pass panic
    // (index out of bounds in its buckets).
    weakly_held_cycle_hangs_under_the_root => "hung-clique",
}
