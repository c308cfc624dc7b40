//! Class names, class keys and the class table (DevTools' `calculateObjectNames`,
//! `classKeyInternal`, `buildAggregates` and `calculateClassesRetainedSize`).
//!
//! A node's class name depends on its type: `(system)` for hidden nodes, `(compiled code)`,
//! `Function`, `RegExp`, the object's own name for objects and native nodes (`<div id=x>` shortened
//! to `<div>`), `{a, b}` for plain objects of a popular shape, and `(type)` otherwise. Objects
//! with a known constructor location are keyed by location and name, so two constructors with
//! one name stay apart. DevTools keys the rest by string index, and the strings it adds for class
//! names are not merged with the snapshot's own; the three namespaces of [`ClassRef`] keep that
//! distinction, so the rows are DevTools' rows exactly.

use super::dominators::DominatorTree;
use super::interfaces::{self, InterfaceDefinition};
use crate::columns::prefetch;
use crate::columns::SizeColumn;
use crate::graph::{Graph, SourceLocation};
use crate::v8;
use rustc_hash::FxHashMap as HashMap;

/// Where a class name comes from: a snapshot string, a string DevTools adds for class names, or
/// an interface name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ClassRef {
    Raw(u32),
    Added(u32),
    Interface(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ClassKey {
    Ref(ClassRef),
    Located(SourceLocation, u32),
}

/// One row of the class table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassInfo {
    pub name: String,
    /// The constructor's location, for object classes that have one.
    pub location: Option<SourceLocation>,
    /// Members with a non-zero self size (DevTools leaves out the rest).
    pub count: u32,
    pub self_size: u64,
    /// The sum of the retained sizes of members not dominated by another member.
    pub retained_size: u64,
    /// The smallest distance among members.
    pub distance: i32,
}

#[derive(Debug)]
pub struct Classes {
    /// The class of every node, including nodes with self size 0.
    pub class_of: Vec<u32>,
    pub classes: Vec<ClassInfo>,
    pub interface_definitions: Vec<InterfaceDefinition>,
}

/// Strings DevTools adds while naming classes, deduplicated by text within each table.
#[derive(Default)]
struct Added {
    texts: Vec<String>,
    index: HashMap<String, u32>,
}

impl Added {
    fn get(&mut self, text: &str) -> u32 {
        if let Some(&i) = self.index.get(text) {
            return i;
        }
        let i = self.texts.len() as u32;
        self.texts.push(text.to_owned());
        self.index.insert(text.to_owned(), i);
        i
    }
}

/// `<div id="a">` becomes `<div>`; `Detached <div id="a">` becomes `Detached <div>`.
fn shorten_tag(name: &str, search_from: usize) -> String {
    match name.get(search_from..).and_then(|rest| rest.find(' ')) {
        Some(space) => format!("{}>", &name[..search_from + space]),
        None => name.to_owned(),
    }
}

/// Names every node's class. Needs only the graph, so it can run while dominators are computed.
pub fn assign(g: &Graph) -> Classes {
    let n = g.node_count();
    let t = g.types;
    let mut added = Added::default();
    let system = added.get(v8::class::SYSTEM);
    let compiled_code = added.get(v8::class::COMPILED_CODE);
    let function = added.get(v8::class::FUNCTION);
    let regexp = added.get(v8::class::REGEXP);
    let mut by_type: Vec<Option<u32>> = vec![None; g.node_types.len()];

    let definitions = interfaces::infer(g);
    let mut interface_names = Added::default();
    let interface_ids: Vec<u32> = definitions
        .iter()
        .map(|d| interface_names.get(&d.name))
        .collect();
    let mut matcher = interfaces::Matcher::new(&definitions);

    // Located keys compare class names by text; each distinct name is interned once.
    let mut text_ids: HashMap<ClassRef, u32> = HashMap::default();
    let mut text_by_value: HashMap<String, u32> = HashMap::default();
    let mut key_to_class: HashMap<ClassKey, u32> = HashMap::default();
    let mut raw_class: Vec<u32> = vec![u32::MAX; g.strings.len()];
    let mut classes: Vec<ClassInfo> = Vec::new();
    let mut class_of: Vec<u32> = Vec::with_capacity(n);
    let new_class =
        |classes: &mut Vec<ClassInfo>, name: &str, location: Option<SourceLocation>| -> u32 {
            classes.push(ClassInfo {
                name: name.to_owned(),
                location,
                count: 0,
                self_size: 0,
                retained_size: 0,
                distance: i32::MAX,
            });
            (classes.len() - 1) as u32
        };
    let text = |r: ClassRef, added: &Added| -> String {
        match r {
            ClassRef::Raw(i) => g.strings.get(i).to_owned(),
            ClassRef::Added(i) => added.texts[i as usize].clone(),
            ClassRef::Interface(i) => interface_names.texts[i as usize].clone(),
        }
    };

    // One pass: each node's class name (DevTools' calculateObjectNames, then its interface
    // definitions for plain objects), then its class key. Locations are sorted by node, so a
    // cursor finds each node's.
    let mut locations = g.locations.by_node().iter().peekable();
    for node in 0..n as u32 {
        let ty = g.node_type[node as usize];
        let r = if ty == t.hidden {
            ClassRef::Added(system)
        } else if ty == t.object || ty == t.native {
            let name = g.name(node);
            if name.starts_with('<') {
                ClassRef::Added(added.get(&shorten_tag(name, 0)))
            } else if v8::is_detached_element(name) {
                ClassRef::Added(added.get(&shorten_tag(name, v8::DETACHED_PREFIX.len())))
            } else if ty == t.object && name == v8::OBJECT {
                match matcher.find(g, node) {
                    Some(d) => ClassRef::Interface(interface_ids[d]),
                    None => ClassRef::Raw(g.node_name[node as usize]),
                }
            } else {
                ClassRef::Raw(g.node_name[node as usize])
            }
        } else if ty == t.code {
            ClassRef::Added(compiled_code)
        } else if ty == t.closure {
            ClassRef::Added(function)
        } else if ty == t.regexp {
            ClassRef::Added(regexp)
        } else {
            let slot = &mut by_type[ty as usize];
            let i = match slot {
                Some(i) => *i,
                None => {
                    let i = added.get(&format!("({})", g.node_types[ty as usize]));
                    *slot = Some(i);
                    i
                }
            };
            ClassRef::Added(i)
        };
        let mut location = None;
        while let Some(&&(owner, loc)) = locations.peek() {
            if owner > node {
                break;
            }
            if owner == node && ty == t.object {
                location = Some(loc);
            }
            locations.next();
        }
        let class = match (location, r) {
            (None, ClassRef::Raw(i)) => {
                let slot = &mut raw_class[i as usize];
                if *slot == u32::MAX {
                    *slot = new_class(&mut classes, g.strings.get(i), None);
                }
                *slot
            }
            (None, r) => match key_to_class.get(&ClassKey::Ref(r)) {
                Some(&c) => c,
                None => {
                    let c = new_class(&mut classes, &text(r, &added), None);
                    key_to_class.insert(ClassKey::Ref(r), c);
                    c
                }
            },
            (Some(loc), r) => {
                let text_id = match text_ids.get(&r) {
                    Some(&id) => id,
                    None => {
                        let next_id = text_by_value.len() as u32;
                        let id = *text_by_value.entry(text(r, &added)).or_insert(next_id);
                        text_ids.insert(r, id);
                        id
                    }
                };
                match key_to_class.get(&ClassKey::Located(loc, text_id)) {
                    Some(&c) => c,
                    None => {
                        let c = new_class(&mut classes, &text(r, &added), Some(loc));
                        key_to_class.insert(ClassKey::Located(loc, text_id), c);
                        c
                    }
                }
            }
        };
        class_of.push(class);
    }
    Classes {
        class_of,
        classes,
        interface_definitions: definitions,
    }
}

/// Counts and shallow sizes of the classes, from members with a non-zero self size (`sizes`,
/// after the shallow-size transfer): the class table but for distances and retained sizes, which
/// come later.
pub fn tally(sizes: &SizeColumn, c: &mut Classes) {
    let (class_of, classes) = (&c.class_of, &mut c.classes);
    for node in 0..class_of.len() as u32 {
        let size = sizes.get(node);
        if size == 0 {
            continue;
        }
        let c = &mut classes[class_of[node as usize] as usize];
        c.count += 1;
        c.self_size += size;
    }
}

/// Each class's distance: the least of its counted members' (those of non-zero size), or
/// `i32::MAX` when it has none. Returned rather than stored, so that it can be computed while
/// the retained sizes are being added to the classes.
pub fn distances(g: &Graph, class_of: &[u32], classes: usize, distances: &[i32]) -> Vec<i32> {
    let mut by_class = vec![i32::MAX; classes];
    for node in 0..g.node_count() as u32 {
        if g.self_size.get(node) == 0 {
            continue;
        }
        let class = class_of[node as usize] as usize;
        by_class[class] = by_class[class].min(distances[node as usize]);
    }
    by_class
}

/// Retained sizes, of every node and of every class, in one depth-first walk of the dominator
/// tree. A node's retained size is its self size plus its children's, summed as the walk leaves
/// them. A class's retained size counts each member whose dominator-tree ancestors include no
/// other member, so nested members are not counted twice: a per-class "inside a counted member"
/// mark is set on entering such a member and cleared on leaving it, when its own retained size
/// is known and is added to its class. The walk's stack holds one frame per level (a node, its
/// next child and its running sum), not every pending child: it stays as small as the tree is
/// deep.
pub fn retained_sizes(
    g: &Graph,
    class_of: &[u32],
    classes: &mut [ClassInfo],
    tree: &DominatorTree,
) -> Vec<u64> {
    struct Frame {
        node: u32,
        next_child: u32,
        /// Whether entering `node` set its class's mark, which leaving it clears.
        marked: bool,
        /// Whether `node` counts for its class's retained size.
        counted: bool,
        /// The self sizes of `node` and of the part of its subtree walked so far.
        sum: u64,
    }
    // Self sizes first, in order: the walk then reads and writes one array, not two.
    let mut retained: Vec<u64> = (0..g.node_count() as u32)
        .map(|node| g.self_size.get(node))
        .collect();
    let mut inside = vec![false; classes.len()];
    let enter = |node: u32, inside: &mut [bool], retained: &[u64]| -> Frame {
        let class = class_of[node as usize] as usize;
        let from = tree.first_child[node as usize];
        let to = tree.first_child[node as usize + 1];
        let size = retained[node as usize];
        let counted = !inside[class] && size != 0;
        let marked = counted && from != to;
        if marked {
            inside[class] = true;
        }
        Frame {
            node,
            next_child: from,
            marked,
            counted,
            sum: size,
        }
    };
    let mut stack = vec![enter(g.root, &mut inside, &retained)];
    while let Some(top) = stack.last_mut() {
        let end = tree.first_child[top.node as usize + 1];
        if top.next_child < end {
            let child = tree.children[top.next_child as usize];
            // Siblings are known ahead: fetch what entering one a few steps on will read.
            if top.next_child + 4 < end {
                let ahead = tree.children[(top.next_child + 4) as usize] as usize;
                prefetch(&class_of[ahead]);
                prefetch(&tree.first_child[ahead]);
                prefetch(&retained[ahead]);
            }
            top.next_child += 1;
            let frame = enter(child, &mut inside, &retained);
            stack.push(frame);
        } else {
            let Frame {
                node,
                marked,
                counted,
                sum,
                ..
            } = *top;
            stack.pop();
            retained[node as usize] = sum;
            let class = class_of[node as usize] as usize;
            if counted {
                classes[class].retained_size += sum;
            }
            if marked {
                inside[class] = false;
            }
            if let Some(parent) = stack.last_mut() {
                parent.sum += sum;
            }
        }
    }
    retained
}
