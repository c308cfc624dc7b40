//! The `trace_tree` section: the allocation call tree recorded when allocation tracking was on.
//!
//! It is nested arrays, `[id, function_info_index, count, size, [children...], id, ...]`, as deep
//! as the deepest recorded stack, so it is parsed with an explicit stack (never recursion) into a
//! flat list of nodes with parent links.

use crate::error::{Error, ErrorKind, Result};

/// One allocation site: a function on a recorded stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceNode {
    pub id: u32,
    pub function_info_index: u32,
    pub count: u32,
    pub size: u64,
    /// Index of the parent in the list, or `u32::MAX` for a top-level node.
    pub parent: u32,
}

/// One open array: the node whose children it lists, and how many numbers of the current
/// 5-tuple have been read.
#[derive(Debug, Clone, Copy)]
struct Level {
    parent: u32,
    field: u8,
    /// Whether a value was just read (so ',' or ']' must follow).
    after_value: bool,
}

#[derive(Debug, Default)]
pub struct TraceTreeParser {
    nodes: Vec<TraceNode>,
    stack: Vec<Level>,
    pending: [u64; 4],
    acc: u64,
    in_number: bool,
    started: bool,
}

fn unexpected(at: u64, found: u8, expected: &'static str) -> Error {
    Error::at_byte(at, ErrorKind::UnexpectedByte { found, expected })
}

impl TraceTreeParser {
    /// Consumes bytes from `buf[i..]`; returns the next index and whether the tree is complete.
    pub fn feed(&mut self, buf: &[u8], mut i: usize, base: u64) -> Result<(usize, bool)> {
        while i < buf.len() {
            let b = buf[i];
            let at = base + i as u64;
            i += 1;
            if b.is_ascii_digit() {
                let Some(level) = self.stack.last() else {
                    return Err(unexpected(at, b, "'[' (the trace_tree array)"));
                };
                if level.field >= 4 || (level.after_value && !self.in_number) {
                    return Err(unexpected(at, b, "'[' or ','"));
                }
                self.acc = if self.in_number {
                    self.acc
                        .checked_mul(10)
                        .and_then(|a| a.checked_add((b - b'0') as u64))
                        .ok_or_else(|| {
                            Error::at_byte(
                                at,
                                ErrorKind::NumberTooLarge {
                                    field: "the trace_tree",
                                },
                            )
                        })?
                } else {
                    (b - b'0') as u64
                };
                self.in_number = true;
                continue;
            }
            if self.in_number {
                self.in_number = false;
                let level = self.stack.last_mut().expect("a number is inside an array");
                self.pending[level.field as usize] = self.acc;
                level.field += 1;
                level.after_value = true;
            }
            match b {
                b' ' | b'\n' | b'\r' | b'\t' => {}
                b'[' => {
                    if !self.started {
                        self.started = true;
                        self.stack.push(Level {
                            parent: u32::MAX,
                            field: 0,
                            after_value: false,
                        });
                        continue;
                    }
                    let Some(level) = self.stack.last_mut() else {
                        return Err(unexpected(at, b, "nothing after the trace_tree array"));
                    };
                    if level.field != 4 || level.after_value {
                        return Err(unexpected(at, b, "a number of the trace node"));
                    }
                    // The four numbers are complete: the node exists, and this array lists
                    // its children.
                    let index = self.nodes.len() as u32;
                    self.nodes.push(TraceNode {
                        id: self.pending[0].min(u32::MAX as u64) as u32,
                        function_info_index: self.pending[1].min(u32::MAX as u64) as u32,
                        count: self.pending[2].min(u32::MAX as u64) as u32,
                        size: self.pending[3],
                        parent: level.parent,
                    });
                    level.field = 5;
                    level.after_value = true;
                    self.stack.push(Level {
                        parent: index,
                        field: 0,
                        after_value: false,
                    });
                }
                b',' => {
                    let Some(level) = self.stack.last_mut() else {
                        return Err(unexpected(at, b, "'['"));
                    };
                    if !level.after_value {
                        return Err(unexpected(at, b, "a value"));
                    }
                    level.after_value = false;
                    if level.field == 5 {
                        level.field = 0;
                    }
                }
                b']' => {
                    let Some(level) = self.stack.pop() else {
                        return Err(unexpected(at, b, "'['"));
                    };
                    if !(level.field == 0 && !level.after_value || level.field == 5) {
                        return Err(unexpected(at, b, "the rest of a trace node"));
                    }
                    if self.stack.is_empty() {
                        return Ok((i, true));
                    }
                }
                _ => {
                    return Err(unexpected(
                        at,
                        b,
                        "a number, ',', '[' or ']' in the trace_tree",
                    ))
                }
            }
        }
        Ok((i, false))
    }

    pub fn into_nodes(self) -> Vec<TraceNode> {
        self.nodes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<TraceNode> {
        let mut p = TraceTreeParser::default();
        let (used, done) = p.feed(text.as_bytes(), 0, 0).unwrap();
        assert!(done);
        assert_eq!(used, text.len());
        p.into_nodes()
    }

    #[test]
    fn nested_nodes_get_parent_links() {
        let nodes = parse("[1,0,0,0,[2,3,4,50,[],3,5,1,8,[]],9,1,1,1,[]]");
        let ids: Vec<_> = nodes.iter().map(|n| (n.id, n.parent)).collect();
        assert_eq!(ids, vec![(1, u32::MAX), (2, 0), (3, 0), (9, u32::MAX)]);
        assert_eq!(nodes[1].size, 50);
    }

    #[test]
    fn empty_tree_is_fine() {
        assert!(parse("[]").is_empty());
    }
}
