//! The frozen graph: flat `u32` (and `u8`) columns indexed by node and edge ordinals, with the
//! edge index and the retainer index in CSR form.
//!
//! Memory is the design constraint: a 20M-node, 68M-edge snapshot must fit, with every analysis
//! array, in the 3 GiB a wasm32 tab can have. So an edge costs 13 bytes here (target ordinal,
//! name, type byte, retainer slot) and a node about 22; no pointer-sized or per-object
//! allocations exist. Sizes above 4 GiB are rare, so self sizes are `u32` with an overflow map.

use crate::columns::{prefetch, BitVec, SizeColumn};
use crate::error::{Error, ErrorKind, Location, Result};
use crate::parse::{RawSnapshot, TraceNode};
use crate::strings::StringTable;
use crate::v8;

/// Node and edge types DevTools gives meaning to, resolved from `meta` once. A type the snapshot
/// does not list gets an index no node has (`NONE`).
#[derive(Debug, Clone, Copy)]
pub struct Types {
    pub hidden: u8,
    pub array: u8,
    pub string: u8,
    pub object: u8,
    pub code: u8,
    pub closure: u8,
    pub regexp: u8,
    pub native: u8,
    pub synthetic: u8,
    pub cons_string: u8,
    pub sliced_string: u8,
    pub edge_context: u8,
    pub edge_element: u8,
    pub edge_property: u8,
    pub edge_internal: u8,
    pub edge_hidden: u8,
    pub edge_shortcut: u8,
    pub edge_weak: u8,
}

pub const NONE: u8 = u8::MAX;

impl Types {
    fn resolve(node_types: &[String], edge_types: &[String]) -> Types {
        let n = |name: &str| {
            node_types
                .iter()
                .position(|t| t == name)
                .map_or(NONE, |i| i as u8)
        };
        let e = |name: &str| {
            edge_types
                .iter()
                .position(|t| t == name)
                .map_or(NONE, |i| i as u8)
        };
        Types {
            hidden: n("hidden"),
            array: n("array"),
            string: n("string"),
            object: n("object"),
            code: n("code"),
            closure: n("closure"),
            regexp: n("regexp"),
            native: n("native"),
            synthetic: n("synthetic"),
            cons_string: n("concatenated string"),
            sliced_string: n("sliced string"),
            edge_context: e("context"),
            edge_element: e("element"),
            edge_property: e("property"),
            edge_internal: e("internal"),
            edge_hidden: e("hidden"),
            edge_shortcut: e("shortcut"),
            edge_weak: e("weak"),
        }
    }
}

/// Where a closure's or an object's constructor was defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SourceLocation {
    pub script_id: u32,
    pub line: u32,
    pub column: u32,
}

/// One entry of `trace_function_infos`.
#[derive(Debug, Clone, Copy)]
pub struct FunctionInfo {
    pub function_id: u32,
    pub name: u32,
    pub script_name: u32,
    pub script_id: u32,
    pub line: u32,
    pub column: u32,
}

/// The graph as the file describes it, indexed, validated and frozen. Analyses that DevTools
/// runs as in-place rewrites (shallow-size transfer, the `Detached ` name prefix) are applied by
/// [`crate::Snapshot::build`] before freezing, so after that nothing here changes.
#[derive(Debug)]
pub struct Graph {
    pub node_types: Vec<String>,
    pub edge_types: Vec<String>,
    pub types: Types,
    pub node_type: Vec<u8>,
    pub node_name: Vec<u32>,
    pub node_id: Vec<u32>,
    pub self_size: SizeColumn,
    /// Empty when the snapshot has no `trace_node_id` field or every value is 0.
    pub trace_node_id: Vec<u32>,
    /// DOM link state per node (0 unknown, 1 attached, 2 detached), as propagated by
    /// `analysis::dom_state`. Emptied once the flags are computed: the detached-DOM flag carries
    /// all that the views need, and the column would only add to the peak memory.
    pub detachedness: Vec<u8>,
    /// `first_edge[n]..first_edge[n + 1]` are node `n`'s edges.
    pub first_edge: Vec<u32>,
    pub edge_type: Vec<u8>,
    pub edge_name: Vec<u32>,
    pub edge_to: Vec<u32>,
    /// `first_retainer[n]..first_retainer[n + 1]` are the slots of node `n`'s retainers in
    /// `retainer_node`. Slots are ordered as DevTools orders them (descending by source node,
    /// then by edge), because DevTools' retainer lists break ties by slot.
    pub first_retainer: Vec<u32>,
    pub retainer_node: Vec<u32>,
    pub strings: StringTable,
    pub root: u32,
    pub extra_native_bytes: u64,
    pub locations: Locations,
    pub function_infos: Vec<FunctionInfo>,
    pub trace_tree: Vec<TraceNode>,
    pub samples: Vec<(u64, u64)>,
    pub title: String,
}

impl Graph {
    /// Indexes and validates a parsed snapshot: string indexes in range, edge counts adding up,
    /// the root inside the graph.
    pub fn build(raw: RawSnapshot) -> Result<Graph> {
        let RawSnapshot {
            header,
            node_type,
            node_name,
            node_id,
            self_size,
            edge_count,
            trace_node_id,
            detachedness,
            edge_type,
            edge_name,
            edge_to,
            strings,
            trace_function_infos,
            trace_tree,
            samples,
            locations,
        } = raw;
        let node_count = node_type.len();
        let edge_total = edge_type.len();
        let string_count = strings.len() as u32;
        if node_count == 0 {
            return Err(Error::at(
                Location::File,
                ErrorKind::NotASnapshot("the snapshot has no nodes".into()),
            ));
        }

        // The edge index, built in place over the edge counts. They must add up to the edges
        // present.
        let mut first_edge = edge_count;
        let mut next: u64 = 0;
        for (n, first) in first_edge[..node_count].iter_mut().enumerate() {
            let count = *first as u64;
            *first = next as u32;
            next += count;
            if next > edge_total as u64 {
                return Err(Error::at(
                    Location::Node(n as u32),
                    ErrorKind::CountMismatch {
                        what: "edges claimed by nodes",
                        expected: edge_total as u64,
                        found: next,
                    },
                ));
            }
        }
        if next != edge_total as u64 {
            return Err(Error::at(
                Location::File,
                ErrorKind::CountMismatch {
                    what: "edges claimed by nodes",
                    expected: edge_total as u64,
                    found: next,
                },
            ));
        }
        first_edge.push(next as u32);

        let types = Types::resolve(&header.meta.node_types, &header.meta.edge_types);
        let fields = header.meta.node_fields.len() as u64;
        // Checking the edges' names is the longest part; constructor locations are indexed
        // meanwhile. Errors are reported in the same order either way.
        let out_of_range = |location: Location, index: u32| {
            Error::at(
                location,
                ErrorKind::StringIndexOutOfRange {
                    index,
                    strings: string_count,
                },
            )
        };
        let ((names_checked, location_map), edge_names_checked) = crate::parallel::join(
            || {
                let checked = match node_name.iter().position(|&name| name >= string_count) {
                    Some(n) => Err(out_of_range(Location::Node(n as u32), node_name[n])),
                    None => Ok(()),
                };
                let locations =
                    build_locations(&header.meta.location_fields, &locations, fields, node_count);
                (checked, locations)
            },
            || {
                // Element and hidden edges carry an index, not a string.
                let bad = |(&t, &name): (&u8, &u32)| {
                    t != types.edge_element && t != types.edge_hidden && name >= string_count
                };
                match edge_type.iter().zip(&edge_name).position(bad) {
                    Some(e) => Err(out_of_range(Location::Edge(e as u32), edge_name[e])),
                    None => Ok(()),
                }
            },
        );
        names_checked?;
        edge_names_checked?;

        let root = match header.root_index {
            Some(index) if index % fields == 0 && index / fields < node_count as u64 => {
                (index / fields) as u32
            }
            Some(index) => {
                return Err(Error::at(
                    Location::File,
                    ErrorKind::BadHeader(format!("root_index {index} is not a node")),
                ))
            }
            None => 0,
        };

        let function_infos = build_function_infos(
            &header.meta.trace_function_info_fields,
            &trace_function_infos,
        );
        let sample_pairs = build_samples(&header.meta.sample_fields, &samples);
        let trace_node_id = if trace_node_id.iter().any(|&t| t != 0) {
            trace_node_id
        } else {
            Vec::new()
        };
        let detachedness = if detachedness.is_empty() {
            vec![0; node_count]
        } else {
            detachedness
        };

        Ok(Graph {
            node_types: header.meta.node_types,
            edge_types: header.meta.edge_types,
            types,
            node_type,
            node_name,
            node_id,
            self_size,
            trace_node_id,
            detachedness,
            first_edge,
            edge_type,
            edge_name,
            edge_to,
            // Filled by `fill_retainers` in `Snapshot::build`, whose pass over the edges also
            // marks the retainer slots that count for dominators.
            first_retainer: Vec::new(),
            retainer_node: Vec::new(),
            strings,
            root,
            extra_native_bytes: header.extra_native_bytes,
            locations: location_map,
            function_infos,
            trace_tree,
            samples: sample_pairs,
            title: header.title,
        })
    }

    #[inline]
    pub fn node_count(&self) -> usize {
        self.node_type.len()
    }

    #[inline]
    pub fn edge_count(&self) -> usize {
        self.edge_type.len()
    }

    #[inline]
    pub fn edges(&self, node: u32) -> std::ops::Range<usize> {
        self.first_edge[node as usize] as usize..self.first_edge[node as usize + 1] as usize
    }

    #[inline]
    pub fn retainer_slots(&self, node: u32) -> std::ops::Range<usize> {
        self.first_retainer[node as usize] as usize..self.first_retainer[node as usize + 1] as usize
    }

    pub fn name(&self, node: u32) -> &str {
        self.strings.get(self.node_name[node as usize])
    }

    pub fn type_name(&self, node: u32) -> &str {
        self.node_types
            .get(self.node_type[node as usize] as usize)
            .map_or("?", String::as_str)
    }

    pub fn edge_type_name(&self, edge: usize) -> &str {
        self.edge_types
            .get(self.edge_type[edge] as usize)
            .map_or("?", String::as_str)
    }

    /// Whether the edge's name is a string (not an element or hidden index).
    #[inline]
    pub fn edge_has_string_name(&self, edge: usize) -> bool {
        let t = self.edge_type[edge];
        t != self.types.edge_element && t != self.types.edge_hidden
    }

    /// The edge's name as DevTools prints it: the string, or the index in decimal.
    pub fn edge_name_text(&self, edge: usize) -> std::borrow::Cow<'_, str> {
        if self.edge_has_string_name(edge) {
            std::borrow::Cow::Borrowed(self.strings.get(self.edge_name[edge]))
        } else {
            std::borrow::Cow::Owned(self.edge_name[edge].to_string())
        }
    }

    /// The edges that a retainer slot stands for: slot `slot` of `node`'s retainers is edge
    /// `(source, edge)`. Sources' duplicate edges to one target occupy adjacent slots in
    /// reverse edge order, which is how they are matched back up.
    pub fn retainer_edges(&self, node: u32) -> Vec<(u32, usize)> {
        let slots = self.retainer_slots(node);
        let mut out = vec![(0u32, 0usize); slots.len()];
        // Walk slots backwards: that visits sources ascending, and each source's edges to
        // `node` in ascending edge order.
        let mut i = slots.end;
        while i > slots.start {
            let source = self.retainer_node[i - 1];
            let mut j = i;
            while j > slots.start && self.retainer_node[j - 1] == source {
                j -= 1;
            }
            // Slots j..i belong to `source`; its edges to `node`, ascending, fill them from the end.
            let mut slot = i;
            for e in self.edges(source) {
                if self.edge_to[e] == node && slot > j {
                    slot -= 1;
                    out[slot - slots.start] = (source, e);
                }
            }
            i = j;
        }
        out
    }

    /// Whether a node is a plain `Object` (the objects DevTools names by their properties).
    #[inline]
    pub fn is_plain_object(&self, node: u32) -> bool {
        self.node_type[node as usize] == self.types.object && self.name(node) == v8::OBJECT
    }

    /// For walks whose worklist is a queue (where order does not matter, or is breadth-first):
    /// starts loading what expanding the nodes `far` and `near` places ahead will read. The
    /// farther one's edge range first; the nearer one's first edge target and type, its range
    /// being in cache by then.
    #[inline]
    pub(crate) fn prefetch_queued(&self, far: Option<u32>, near: Option<u32>) {
        if let Some(far) = far {
            prefetch(&self.first_edge[far as usize]);
        }
        if let Some(near) = near {
            let first = self.first_edge[near as usize] as usize;
            if first < self.edge_to.len() {
                prefetch(&self.edge_to[first]);
                prefetch(&self.edge_type[first]);
            }
        }
    }

    /// Approximate heap bytes held by the graph, for the memory report.
    pub fn heap_bytes(&self) -> usize {
        self.node_type.capacity()
            + 4 * (self.node_name.capacity() + self.node_id.capacity() + self.self_size.len())
            + 4 * self.trace_node_id.capacity()
            + self.detachedness.capacity()
            + 4 * self.first_edge.capacity()
            + self.edge_type.capacity()
            + 4 * (self.edge_name.capacity() + self.edge_to.capacity())
            + 4 * (self.first_retainer.capacity() + self.retainer_node.capacity())
            + self.strings.heap_bytes()
    }
}

/// Lists of values grouped by key in CSR form (`first[k]..first[k + 1]` index `values`), filled
/// the way DevTools fills its retainer and dominated-node lists: each key's values land from its
/// last slot down, in order of arrival. DevTools breaks ties in its views by slot, so the order
/// matters. `pairs` is called twice (to count, then to fill) and must emit the same
/// `(key, value)` pairs, `len` of them, both times.
pub fn reverse_filled_csr(
    keys: usize,
    len: usize,
    pairs: impl Fn(&mut dyn FnMut(u32, u32)),
) -> (Vec<u32>, Vec<u32>) {
    let mut first = vec![0u32; keys + 1];
    pairs(&mut |key, _| first[key as usize] += 1);
    let mut values = vec![0u32; len];
    start_slots(&mut first, &mut values);
    pairs(&mut |key, value| {
        place(&first, &mut values, key, value);
    });
    (first, values)
}

/// Turns per-key counts into each key's first slot (the extra last entry becomes the total).
/// Until a key's slots are all filled, its first slot holds the count of free ones, so that
/// filling needs no counter array.
fn start_slots(counts: &mut [u32], values: &mut [u32]) {
    let keys = counts.len() - 1;
    let mut next = 0u32;
    for first in counts[..keys].iter_mut() {
        let count = *first;
        *first = next;
        if count > 0 {
            values[next as usize] = count;
        }
        next += count;
    }
    counts[keys] = next;
}

/// Places `value` in the last free slot of `key` (slots fill from the back, as DevTools'
/// `buildRetainers` does) and returns the slot.
#[inline]
fn place(first: &[u32], values: &mut [u32], key: u32, value: u32) -> usize {
    let start = first[key as usize] as usize;
    values[start] -= 1;
    let slot = start + values[start] as usize;
    values[slot] = value;
    slot
}

/// How many edges point at each node (one extra entry at the end): the first pass of the
/// retainer index, which reads only edge targets.
pub fn count_retainers(node_count: usize, edge_to: &[u32]) -> Vec<u32> {
    let mut counts = vec![0u32; node_count + 1];
    for &to in edge_to {
        counts[to as usize] += 1;
    }
    counts
}

/// The reverse index (DevTools' `buildRetainers`), in DevTools' slot order, from the counts of
/// [`count_retainers`], into `values` (one element an edge, contents overwritten; see
/// `columns::written_column`). The same pass marks the slots for which
/// `essential(source, edge)` holds (the dominator computation walks retainers, and a slot does
/// not store its edge). Returns `(first_retainer, retainer_node, essential_slots)`.
pub fn fill_retainers(
    mut first: Vec<u32>,
    mut values: Vec<u32>,
    first_edge: &[u32],
    edge_to: &[u32],
    mut essential: impl FnMut(u32, usize) -> bool,
) -> (Vec<u32>, Vec<u32>, BitVec) {
    let node_count = first_edge.len() - 1;
    let edges = edge_to.len();
    assert_eq!(values.len(), edges, "retainer storage of the wrong size");
    let mut slots = BitVec::new(edges);
    start_slots(&mut first, &mut values);
    for source in 0..node_count {
        for e in first_edge[source] as usize..first_edge[source + 1] as usize {
            // Each edge updates its target's first slot and fills a slot near it, both at
            // scattered places: fetch them a few edges ahead, in two stages.
            if e + 16 < edges {
                prefetch(&first[edge_to[e + 16] as usize]);
                let near = first[edge_to[e + 8] as usize] as usize;
                if near < edges {
                    prefetch(&values[near]);
                }
            }
            let slot = place(&first, &mut values, edge_to[e], source as u32);
            if essential(source as u32, e) {
                slots.set(slot);
            }
        }
    }
    (first, values, slots)
}

fn field_index(fields: &[String], name: &str) -> Option<usize> {
    fields.iter().position(|f| f == name)
}

fn build_locations(
    fields: &[String],
    flat: &[u64],
    node_fields: u64,
    node_count: usize,
) -> Locations {
    let (Some(index), Some(script), Some(line), Some(column)) = (
        field_index(fields, "object_index"),
        field_index(fields, "script_id"),
        field_index(fields, "line"),
        field_index(fields, "column"),
    ) else {
        return Locations::default();
    };
    let clamp = |v: u64| v.min(u32::MAX as u64) as u32;
    let record = |i: u64| &flat[i as usize * fields.len()..][..fields.len()];
    // Beyond 2^32 records (128 GB of them) the rest are ignored: positions must fit 32 bits.
    let count = ((flat.len() / fields.len()) as u64).min(u32::MAX as u64);
    // Sorting plain integers is what makes this fast: node in the high half, and the record's
    // position from the end in the low half, so that a node's last location sorts first.
    let last = count.saturating_sub(1);
    let mut keys: Vec<u64> = (0..count)
        .map(|i| (i, record(i)[index]))
        // A location for a node that does not exist is ignored, as DevTools never looks it up.
        .filter(|&(_, object)| {
            object % node_fields == 0 && object / node_fields < node_count as u64
        })
        .map(|(i, object)| (object / node_fields) << 32 | (last - i))
        .collect();
    keys.sort_unstable();
    // The last location given for a node wins, as in DevTools' map.
    keys.dedup_by_key(|k| *k >> 32);
    let entries = keys
        .iter()
        .map(|&k| {
            let rec = record(last - (k & 0xFFFF_FFFF));
            (
                (k >> 32) as u32,
                SourceLocation {
                    script_id: clamp(rec[script]),
                    line: clamp(rec[line]),
                    column: clamp(rec[column]),
                },
            )
        })
        .collect();
    Locations { entries }
}

/// Constructor locations by node, as a sorted list: V8 records one for most objects, so this is
/// about one entry per JavaScript object, and a hash map would take twice the memory.
#[derive(Debug, Default)]
pub struct Locations {
    entries: Vec<(u32, SourceLocation)>,
}

impl Locations {
    pub fn get(&self, node: u32) -> Option<SourceLocation> {
        self.entries
            .binary_search_by_key(&node, |e| e.0)
            .ok()
            .map(|i| self.entries[i].1)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every location, by node ordinal ascending: for passes that visit nodes in order, where a
    /// binary search per node would cost a dozen cache misses.
    pub fn by_node(&self) -> &[(u32, SourceLocation)] {
        &self.entries
    }
}

fn build_function_infos(fields: &[String], flat: &[u64]) -> Vec<FunctionInfo> {
    let (Some(id), Some(name), Some(script_name), Some(script_id), Some(line), Some(column)) = (
        field_index(fields, "function_id"),
        field_index(fields, "name"),
        field_index(fields, "script_name"),
        field_index(fields, "script_id"),
        field_index(fields, "line"),
        field_index(fields, "column"),
    ) else {
        return Vec::new();
    };
    let clamp = |v: u64| v.min(u32::MAX as u64) as u32;
    flat.chunks_exact(fields.len())
        .map(|r| FunctionInfo {
            function_id: clamp(r[id]),
            name: clamp(r[name]),
            script_name: clamp(r[script_name]),
            script_id: clamp(r[script_id]),
            line: clamp(r[line]),
            column: clamp(r[column]),
        })
        .collect()
}

fn build_samples(fields: &[String], flat: &[u64]) -> Vec<(u64, u64)> {
    let (Some(ts), Some(id)) = (
        field_index(fields, "timestamp_us"),
        field_index(fields, "last_assigned_id"),
    ) else {
        return Vec::new();
    };
    flat.chunks_exact(fields.len())
        .map(|r| (r[ts], r[id]))
        .collect()
}
