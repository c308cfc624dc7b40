//! Display names of nodes, as DevTools shows them (`JSHeapSnapshotNode.name()`): a concatenated
//! string shows its text (first 1,024 characters), a plain object shows its first and last
//! properties (`{a, b, …, y, z}`), everything else its own name.

use crate::graph::Graph;
use crate::js;
use crate::v8;
use std::borrow::Cow;

pub fn display_name(g: &Graph, node: u32) -> Cow<'_, str> {
    let ty = g.node_type[node as usize];
    if ty == g.types.cons_string {
        return Cow::Owned(cons_string_name(g, node));
    }
    if g.is_plain_object(node) {
        return Cow::Owned(plain_object_name(g, node));
    }
    Cow::Borrowed(g.name(node))
}

/// The text of a concatenated string: its `first` and `second` parts, depth first, until 1,024
/// UTF-16 units are collected.
///
/// In a real snapshot the parts form a tree (or a DAG of shared parts) whose leaves are non-empty
/// strings, so the walk visits at most twice as many leaves as it collects units, plus the depth
/// of the tree, which is less than the node count. A malformed snapshot can make the parts a
/// cycle or the leaves empty (a missing part counts as the root, whose name is empty), and then
/// nothing but that bound on visits ends the walk.
fn cons_string_name(g: &Graph, node: u32) -> String {
    let mut stack = vec![node];
    let mut name = String::new();
    let mut name_len = 0;
    let mut visits_left = g.node_count() + 2 * 1025;
    while let Some(n) = stack.pop() {
        if name_len >= 1024 || visits_left == 0 {
            break;
        }
        visits_left -= 1;
        if g.node_type[n as usize] != g.types.cons_string {
            let part = g.name(n);
            name.push_str(part);
            name_len += js::len(part);
            continue;
        }
        let (mut first, mut second) = (None, None);
        for e in g.edges(n) {
            if g.edge_type[e] != g.types.edge_internal {
                continue;
            }
            match g.strings.get(g.edge_name[e]) {
                v8::CONS_FIRST if first.is_none() => first = Some(g.edge_to[e]),
                v8::CONS_SECOND if second.is_none() => second = Some(g.edge_to[e]),
                _ => {}
            }
            if first.is_some() && second.is_some() {
                break;
            }
        }
        // DevTools treats a missing part as node 0 (the root, whose name is empty).
        stack.push(second.unwrap_or(0));
        stack.push(first.unwrap_or(0));
    }
    name
}

/// `{a, b, …, y, z}`: property names taken alternately from the front and the back while the
/// name stays under 100 characters.
fn plain_object_name(g: &Graph, node: u32) -> String {
    let property = g.types.edge_property;
    let range = g.edges(node);
    if range.is_empty() {
        return "{}".to_owned();
    }
    let mut start = String::from("{");
    let mut end = String::from("}");
    let (mut start_len, mut end_len) = (1usize, 1usize);
    let mut from_start = range.start as isize;
    let mut from_end = range.end as isize - 1;
    let mut next_from_end = false;
    while from_start <= from_end {
        let e = if next_from_end { from_end } else { from_start } as usize;
        let name = g.strings.get(g.edge_name[e]);
        if g.edge_type[e] != property || name == v8::PROTO {
            if next_from_end {
                from_end -= 1;
            } else {
                from_start += 1;
            }
            continue;
        }
        let formatted = js::format_property_name(name);
        let formatted_len = js::len(&formatted);
        if start_len > 1 && start_len + end_len + formatted_len > 100 {
            break;
        }
        if next_from_end {
            from_end -= 1;
            if end_len > 1 {
                end.insert_str(0, ", ");
                end_len += 2;
            }
            end.insert_str(0, &formatted);
            end_len += formatted_len;
        } else {
            from_start += 1;
            if start_len > 1 {
                start.push_str(", ");
                start_len += 2;
            }
            start.push_str(&formatted);
            start_len += formatted_len;
        }
        next_from_end = !next_from_end;
    }
    if from_start <= from_end {
        start.push_str(", …");
    }
    if end_len > 1 {
        start.push_str(", ");
    }
    start + &end
}
