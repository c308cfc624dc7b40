//! Dominators, retained sizes and class retained sizes against naive definitions, on thousands
//! of small random graphs.
//!
//! The naive dominator of v: d dominates v when v cannot be reached from the root without
//! passing through d. Nodes whose only retainers are weak edges hang under the root (DevTools'
//! rule), which the reference models as an edge from the root.

mod common;

use common::{Synthetic, OBJECT, PROPERTY, SYNTHETIC, WEAK};
use heaplens::query::{self, ClassSort};
use heaplens::Snapshot;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

struct Case {
    json: String,
    /// Essential adjacency (what dominators use), including the virtual root edges.
    adjacency: Vec<Vec<usize>>,
    sizes: Vec<u64>,
    classes: Vec<String>,
}

fn random_case(rng: &mut SmallRng) -> Case {
    let mut g = Synthetic::new();
    let main = rng.gen_range(1..25);
    let orphans = rng.gen_range(0..4);
    let class_names = ["A", "B", "C"];
    let root = g.node(SYNTHETIC, "", 0);
    let mut classes = vec![String::new()];
    let mut sizes = vec![0u64];
    let add =
        |g: &mut Synthetic, rng: &mut SmallRng, classes: &mut Vec<String>, sizes: &mut Vec<u64>| {
            let class = class_names[rng.gen_range(0..class_names.len())];
            // Some zero sizes: the class table leaves such members out.
            let size = if rng.gen_bool(0.15) {
                0
            } else {
                rng.gen_range(1..1000)
            };
            classes.push(class.to_owned());
            sizes.push(size);
            g.node(OBJECT, class, size)
        };
    let mut adjacency: Vec<Vec<usize>> = vec![Vec::new()];
    let mut is_orphan = vec![false];
    // A random tree from the root makes every main node reachable.
    for i in 0..main {
        let v = add(&mut g, rng, &mut classes, &mut sizes);
        adjacency.push(Vec::new());
        is_orphan.push(false);
        let parent = if i == 0 { root } else { rng.gen_range(0..v) };
        g.edge(parent, PROPERTY, "p", v);
        adjacency[parent].push(v);
    }
    // Orphans: retained only through weak edges, each with a small subtree of its own.
    for _ in 0..orphans {
        let o = add(&mut g, rng, &mut classes, &mut sizes);
        adjacency.push(Vec::new());
        is_orphan.push(true);
        let holder = rng.gen_range(1..=main);
        g.edge(holder, WEAK, "w", o);
        adjacency[root].push(o);
        for _ in 0..rng.gen_range(0..3) {
            let c = add(&mut g, rng, &mut classes, &mut sizes);
            adjacency.push(Vec::new());
            is_orphan.push(false);
            g.edge(o, PROPERTY, "q", c);
            adjacency[o].push(c);
        }
    }
    // Cliques: a cycle of nodes that retain one another, held from outside only weakly, with
    // a child only they hold. No walk from the root or from an orphan reaches them, and DevTools
    // hangs each of them under the root on its own, without following their edges: the model
    // gives each a root edge and nothing more.
    let mut is_hung = vec![false; sizes.len()];
    for _ in 0..rng.gen_range(0..3) {
        if rng.gen_bool(0.5) {
            continue;
        }
        let first = sizes.len();
        let len = rng.gen_range(2..4);
        for _ in 0..len + 1 {
            add(&mut g, rng, &mut classes, &mut sizes);
            adjacency.push(Vec::new());
            is_orphan.push(true);
            is_hung.push(true);
            adjacency[root].push(sizes.len() - 1);
        }
        for k in 0..len {
            g.edge(first + k, PROPERTY, "c", first + (k + 1) % len);
        }
        g.edge(first, PROPERTY, "d", first + len);
        g.edge(rng.gen_range(1..=main), WEAK, "w", first);
    }
    let n = sizes.len();
    // Extra edges: strong ones (never into an orphan or a clique, which must keep only weak
    // retainers from outside), weak ones anywhere, self edges, edges back to the root.
    for _ in 0..rng.gen_range(0..n * 2) {
        let from = rng.gen_range(1..n);
        let to = rng.gen_range(0..n);
        if rng.gen_bool(0.2) {
            g.edge(from, WEAK, "w", to);
        } else if !is_orphan[to] {
            g.edge(from, PROPERTY, "x", to);
            if from != to && !is_hung[from] {
                adjacency[from].push(to);
            }
        }
    }
    Case {
        json: g.to_json(),
        adjacency,
        sizes,
        classes,
    }
}

fn reachable_without(adjacency: &[Vec<usize>], skip: Option<usize>) -> Vec<bool> {
    let mut seen = vec![false; adjacency.len()];
    if skip == Some(0) {
        return seen;
    }
    let mut stack = vec![0];
    seen[0] = true;
    while let Some(v) = stack.pop() {
        for &w in &adjacency[v] {
            if !seen[w] && Some(w) != skip {
                seen[w] = true;
                stack.push(w);
            }
        }
    }
    seen
}

/// Immediate dominators by definition: O(n * (n + m)), fine for tiny graphs.
fn naive_idom(adjacency: &[Vec<usize>]) -> Vec<usize> {
    let n = adjacency.len();
    // dominates[d][v]: every path from the root to v passes through d.
    let mut dominators: Vec<Vec<usize>> = vec![vec![0]; n];
    for d in 1..n {
        let seen = reachable_without(adjacency, Some(d));
        for v in 1..n {
            if !seen[v] && v != d {
                dominators[v].push(d);
            }
        }
    }
    (0..n)
        .map(|v| {
            if v == 0 {
                0
            } else {
                *dominators[v]
                    .iter()
                    .max_by_key(|&&d| dominators[d].len())
                    .unwrap()
            }
        })
        .collect()
}

#[test]
fn dominators_and_retained_sizes_match_the_definition_on_random_graphs() {
    let mut rng = SmallRng::seed_from_u64(0x4ea9_1e25);
    for case_number in 0..3000 {
        let case = random_case(&mut rng);
        let s = Snapshot::from_bytes(case.json.as_bytes())
            .unwrap_or_else(|e| panic!("case {case_number}: {e}"));
        let n = case.sizes.len();
        let idom = naive_idom(&case.adjacency);
        for v in 1..n {
            assert_eq!(
                s.dominators[v] as usize, idom[v],
                "case {case_number}: idom of node {v}\n{}",
                case.json
            );
        }
        // Retained size: the node's own size plus everything it dominates.
        let mut retained = case.sizes.clone();
        let mut order: Vec<usize> = (1..n).collect();
        let depth = |mut v: usize| {
            let mut d = 0;
            while v != 0 {
                v = idom[v];
                d += 1;
            }
            d
        };
        order.sort_by_key(|&v| std::cmp::Reverse(depth(v)));
        for v in order {
            retained[idom[v]] += retained[v];
        }
        for v in 0..n {
            assert_eq!(
                s.retained[v], retained[v],
                "case {case_number}: retained size of node {v}\n{}",
                case.json
            );
        }
        // Class retained size: members with no member of the same class among their dominators.
        for row in query::class_rows(&s, ClassSort::Name, false, "") {
            let expected: u64 = (1..n)
                .filter(|&v| case.classes[v] == row.name && case.sizes[v] > 0)
                .filter(|&v| {
                    let mut d = idom[v];
                    while d != 0 {
                        if case.classes[d] == row.name && case.sizes[d] > 0 {
                            return false;
                        }
                        d = idom[d];
                    }
                    true
                })
                .map(|v| retained[v])
                .sum();
            assert_eq!(
                row.retained_size, expected,
                "case {case_number}: class {} retained size",
                row.name
            );
        }
    }
}

#[test]
fn a_million_node_chain_needs_no_recursion_and_no_quadratic_path_search() {
    // Deep structures (linked lists) must not overflow a stack anywhere. Regression: the path
    // search once checked the whole stack for cycles at every step and took 10 minutes here.
    let mut g = Synthetic::new();
    let root = g.node(SYNTHETIC, "", 0);
    let mut prev = root;
    for _ in 0..1_000_000 {
        let v = g.node(OBJECT, "ListNode", 16);
        g.edge(prev, PROPERTY, "next", v);
        prev = v;
    }
    let s = Snapshot::from_bytes(g.to_json().as_bytes()).expect("a valid snapshot");
    assert_eq!(s.retained[1], 16 * 1_000_000);
    assert_eq!(s.distances[1_000_000], 1_000_000);
    let paths = query::retaining_paths(&s, 1_000_000, 1).expect("the last node exists");
    assert_eq!(paths[0].steps.len(), 1_000_000);
}
