//! Names for plain objects by shape (DevTools' `inferInterfaceDefinitions` and
//! `applyInterfaceDefinitions`).
//!
//! Plain `Object`s that share a property list are common enough to deserve a class row of their
//! own, named like `{id, name, tags}`. Candidate names come from each object's first properties
//! (up to about 120 characters); the popular ones (at least 2 objects and 1 in 1,000 plain
//! objects) become definitions, and each plain object then takes the definition with the most
//! properties that all appear among its own, the earlier definition winning ties.

use crate::graph::Graph;
use crate::js;
use crate::v8;
use rustc_hash::FxHashMap as HashMap;

const MIN_INTERFACE_PROPERTY_COUNT: usize = 1;
const MAX_INTERFACE_NAME_LENGTH: usize = 120;
const MIN_OBJECT_COUNT_PER_INTERFACE: f64 = 2.0;
const MIN_OBJECT_PROPORTION_PER_INTERFACE: f64 = 1000.0;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceDefinition {
    pub name: String,
    pub properties: Vec<String>,
}

pub fn infer(g: &Graph) -> Vec<InterfaceDefinition> {
    let property = g.types.edge_property;
    struct Candidate {
        name: String,
        properties: Vec<String>,
        count: u64,
    }
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::default();
    let mut total = 0u64;
    let mut name = String::new();
    let mut properties: Vec<u32> = Vec::new();
    for node in 0..g.node_count() as u32 {
        if !g.is_plain_object(node) {
            continue;
        }
        total += 1;
        name.clear();
        name.push('{');
        let mut name_len = 1;
        properties.clear();
        for e in g.edges(node) {
            if g.edge_type[e] != property {
                continue;
            }
            let edge_name = g.strings.get(g.edge_name[e]);
            if edge_name == v8::PROTO {
                continue;
            }
            let formatted = js::format_property_name(edge_name);
            let formatted_len = js::len(&formatted);
            if name_len > MIN_INTERFACE_PROPERTY_COUNT
                && name_len + formatted_len > MAX_INTERFACE_NAME_LENGTH
            {
                break;
            }
            if name_len != 1 {
                name.push_str(", ");
                name_len += 2;
            }
            name.push_str(&formatted);
            name_len += formatted_len;
            properties.push(g.edge_name[e]);
        }
        if properties.is_empty() {
            continue;
        }
        name.push('}');
        match by_name.get(&name) {
            Some(&i) => candidates[i].count += 1,
            None => {
                by_name.insert(name.clone(), candidates.len());
                candidates.push(Candidate {
                    name: name.clone(),
                    properties: properties
                        .iter()
                        .map(|&p| g.strings.get(p).to_owned())
                        .collect(),
                    count: 1,
                });
            }
        }
    }
    // A stable sort keeps first-seen order among equally popular candidates, like V8's sort.
    candidates.sort_by_key(|c| std::cmp::Reverse(c.count));
    let min_count =
        MIN_OBJECT_COUNT_PER_INTERFACE.max(total as f64 / MIN_OBJECT_PROPORTION_PER_INTERFACE);
    candidates
        .into_iter()
        .take_while(|c| c.count as f64 >= min_count)
        .map(|c| InterfaceDefinition {
            name: c.name,
            properties: c.properties,
        })
        .collect()
}

#[derive(Debug, Clone, Copy)]
struct MatchInfo {
    property_count: usize,
    index: usize,
}

fn better(a: Option<MatchInfo>, b: Option<MatchInfo>) -> Option<MatchInfo> {
    match (a, b) {
        (a, None) => a,
        (None, b) => b,
        (Some(x), Some(y)) => {
            if x.property_count > y.property_count {
                Some(x)
            } else if y.property_count > x.property_count {
                Some(y)
            } else if x.index <= y.index {
                Some(x)
            } else {
                Some(y)
            }
        }
    }
}

#[derive(Default)]
struct TreeNode {
    next: HashMap<String, usize>,
    match_info: Option<MatchInfo>,
    greatest_next: Option<String>,
}

/// Finds the definition a plain object takes: a tree over sorted property names, walked with
/// every property of the object.
pub struct Matcher {
    tree: Vec<TreeNode>,
    properties: Vec<u32>,
    states: Vec<usize>,
    snapshot: Vec<usize>,
}

impl Matcher {
    pub fn new(definitions: &[InterfaceDefinition]) -> Matcher {
        let mut tree: Vec<TreeNode> = vec![TreeNode::default()];
        for (index, definition) in definitions.iter().enumerate() {
            let mut properties = definition.properties.clone();
            properties.sort_by(|a, b| js::cmp(a, b));
            let mut current = 0;
            for p in &properties {
                current = match tree[current].next.get(p) {
                    Some(&next) => next,
                    None => {
                        let next = tree.len();
                        tree.push(TreeNode::default());
                        tree[current].next.insert(p.clone(), next);
                        let greater = tree[current]
                            .greatest_next
                            .as_deref()
                            .is_none_or(|g| js::cmp(g, p).is_lt());
                        if greater {
                            tree[current].greatest_next = Some(p.clone());
                        }
                        next
                    }
                };
            }
            if tree[current].match_info.is_none() {
                tree[current].match_info = Some(MatchInfo {
                    property_count: properties.len(),
                    index,
                });
            }
        }
        Matcher {
            tree,
            properties: Vec::new(),
            states: Vec::new(),
            snapshot: Vec::new(),
        }
    }

    /// The index of the definition plain object `node` takes, or `None` to keep `Object`.
    pub fn find(&mut self, g: &Graph, node: u32) -> Option<usize> {
        if self.tree.len() == 1 {
            return None;
        }
        let property = g.types.edge_property;
        self.properties.clear();
        for e in g.edges(node) {
            if g.edge_type[e] == property {
                self.properties.push(g.edge_name[e]);
            }
        }
        self.properties
            .sort_by(|&a, &b| js::cmp(g.strings.get(a), g.strings.get(b)));
        let tree = &self.tree;
        // `states` behaves like DevTools' insertion-ordered Set: the order of deletions and
        // re-insertions can matter when a property repeats.
        self.states.clear();
        self.states.push(0);
        let mut best = better(None, tree[0].match_info);
        for &p in &self.properties {
            let p = g.strings.get(p);
            self.snapshot.clear();
            self.snapshot.extend_from_slice(&self.states);
            for &state in &self.snapshot {
                let done = tree[state]
                    .greatest_next
                    .as_deref()
                    .is_none_or(|g| js::cmp(p, g).is_ge());
                if done {
                    self.states.retain(|&s| s != state);
                }
                if let Some(&next) = tree[state].next.get(p) {
                    if !self.states.contains(&next) {
                        self.states.push(next);
                    }
                    best = better(best, tree[next].match_info);
                }
            }
        }
        best.map(|m| m.index)
    }
}
