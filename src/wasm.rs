//! The WebAssembly binding: the only code that knows wasm-bindgen.
//!
//! It runs inside the Web Worker, which owns the snapshot. The worker feeds file slices to a
//! [`Loader`], turns it into an [`Engine`], and answers the page's requests with pages of plain
//! rows, converted to JS objects by serde-wasm-bindgen. Every method returns `Result<_, JsError>`
//! and nothing here unwraps on input data: a bad file or a bad request becomes a JS exception
//! with a readable message, never a trap.

use crate::query::{self, ClassSort};
use crate::{Parser, Phase, Snapshot};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Installs the panic hook so that a bug in heaplens shows its message in the console instead of
/// "unreachable executed". Call once after instantiating the module.
#[wasm_bindgen]
pub fn init() {
    console_error_panic_hook::set_once();
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("cannot convert the result: {e}")))
}

/// Accepts the file slice by slice.
#[wasm_bindgen]
pub struct Loader {
    parser: Option<Parser>,
}

impl Default for Loader {
    fn default() -> Self {
        Loader::new()
    }
}

#[wasm_bindgen]
impl Loader {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Loader {
        Loader {
            parser: Some(Parser::new()),
        }
    }

    /// Feeds the next slice of the file. Throws on invalid input, with the byte offset.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), JsError> {
        let parser = self
            .parser
            .as_mut()
            .ok_or_else(|| JsError::new("the loader was already finished"))?;
        parser.feed(chunk).map_err(|e| JsError::new(&e.to_string()))
    }

    /// Bytes fed so far.
    pub fn bytes_fed(&self) -> f64 {
        self.parser.as_ref().map_or(0.0, |p| p.bytes_fed() as f64)
    }

    /// Ends the input and runs every analysis. `on_phase` is called with each phase's label
    /// ("indexing", "dominators", ...) as it starts, so the worker can report progress.
    pub fn finish(&mut self, on_phase: &js_sys::Function) -> Result<Engine, JsError> {
        let parser = self
            .parser
            .take()
            .ok_or_else(|| JsError::new("the loader was already finished"))?;
        let raw = parser.finish().map_err(|e| JsError::new(&e.to_string()))?;
        let snapshot = Snapshot::build(raw, &mut |phase: Phase| {
            // A failing progress callback must not abort the load.
            let _ = on_phase.call1(&JsValue::NULL, &JsValue::from_str(phase.label()));
        })
        .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(Engine {
            snapshot,
            members: Vec::new(),
        })
    }
}

/// How many classes' sorted member lists the engine keeps.
const MEMBER_CACHE: usize = 4;

/// A loaded snapshot and the queries the views make.
#[wasm_bindgen]
pub struct Engine {
    snapshot: Snapshot,
    /// The sorted members of the classes last asked for (most recent last), so paging through
    /// big classes, even two expanded at once, does not rescan the graph for every page.
    members: Vec<(u32, Vec<u32>)>,
}

#[derive(Serialize)]
struct Summary<'a> {
    node_count: usize,
    edge_count: usize,
    total_size: u64,
    class_count: usize,
    root: u32,
    title: &'a str,
    has_allocation_traces: bool,
}

#[derive(Serialize)]
struct StatisticsJs {
    total: u64,
    v8heap: u64,
    code: u64,
    strings: u64,
    js_arrays: u64,
    system: u64,
    other: u64,
    native: u64,
    typed_arrays: u64,
}

/// The queries answer `None` for an ordinal that names no node; the page gets an exception.
fn found<T>(answer: Option<T>, node: u32) -> Result<T, JsError> {
    answer.ok_or_else(|| JsError::new(&format!("no node {node}")))
}

#[wasm_bindgen]
impl Engine {
    /// `{node_count, edge_count, total_size, class_count, root, title, has_allocation_traces}`.
    pub fn summary(&self) -> Result<JsValue, JsError> {
        let s = &self.snapshot;
        to_js(&Summary {
            node_count: s.node_count(),
            edge_count: s.edge_count(),
            total_size: s.total_size(),
            class_count: s.classes.classes.iter().filter(|c| c.count > 0).count(),
            root: s.graph.root,
            title: &s.graph.title,
            has_allocation_traces: !s.graph.trace_node_id.is_empty(),
        })
    }

    /// Totals by category, in bytes.
    pub fn statistics(&self) -> Result<JsValue, JsError> {
        let st = &self.snapshot.statistics;
        to_js(&StatisticsJs {
            total: st.total,
            v8heap: st.v8heap,
            code: st.code,
            strings: st.strings,
            js_arrays: st.js_arrays,
            system: st.system,
            other: st.other(),
            native: st.native,
            typed_arrays: st.typed_arrays,
        })
    }

    /// A page of class rows. `sort` is one of name, distance, count, self_size, retained_size;
    /// `filter` keeps classes whose name contains it (case-insensitive).
    pub fn classes(
        &self,
        sort: &str,
        descending: bool,
        filter: &str,
        offset: u32,
        limit: u32,
    ) -> Result<JsValue, JsError> {
        let sort = ClassSort::parse(sort)
            .ok_or_else(|| JsError::new(&format!("unknown sort column '{sort}'")))?;
        let rows = query::class_rows(&self.snapshot, sort, descending, filter);
        let total = rows.len();
        let offset = (offset as usize).min(total);
        let page = query::Page {
            total,
            offset,
            rows: rows.into_iter().skip(offset).take(limit as usize).collect(),
        };
        to_js(&page)
    }

    /// A page of a class's instances, by retained size.
    pub fn instances(&mut self, class: u32, offset: u32, limit: u32) -> Result<JsValue, JsError> {
        match self.members.iter().position(|(c, _)| *c == class) {
            Some(i) => {
                let entry = self.members.remove(i);
                self.members.push(entry);
            }
            None => {
                let members = query::class_members(&self.snapshot, class)
                    .ok_or_else(|| JsError::new(&format!("no class {class}")))?;
                if self.members.len() == MEMBER_CACHE {
                    self.members.remove(0);
                }
                self.members.push((class, members));
            }
        }
        let members = &self.members.last().expect("just pushed").1;
        let rows = query::node_rows(&self.snapshot, members, offset as usize, limit as usize);
        to_js(&rows.ok_or_else(|| JsError::new("a class member is not a node"))?)
    }

    /// Everything about one node (by ordinal).
    pub fn node(&self, node: u32) -> Result<JsValue, JsError> {
        to_js(&found(query::node_details(&self.snapshot, node), node)?)
    }

    /// A page of a node's outgoing edges.
    pub fn edges(&self, node: u32, offset: u32, limit: u32) -> Result<JsValue, JsError> {
        let page = query::edges(&self.snapshot, node, offset as usize, limit as usize);
        to_js(&found(page, node)?)
    }

    /// A page of a node's retainers, nearest first, weak edges hidden.
    pub fn retainers(&self, node: u32, offset: u32, limit: u32) -> Result<JsValue, JsError> {
        let page = query::retainers(&self.snapshot, node, offset as usize, limit as usize);
        to_js(&found(page, node)?)
    }

    /// Up to `k` shortest retaining paths from the root.
    pub fn paths(&self, node: u32, k: u32) -> Result<JsValue, JsError> {
        to_js(&found(
            query::retaining_paths(&self.snapshot, node, k as usize),
            node,
        )?)
    }

    /// A page of the nodes this node immediately dominates.
    pub fn dominated(&self, node: u32, offset: u32, limit: u32) -> Result<JsValue, JsError> {
        let page = query::dominated(&self.snapshot, node, offset as usize, limit as usize);
        to_js(&found(page, node)?)
    }

    /// The ordinal of the node with object id `id`, if any.
    pub fn find_id(&self, id: u32) -> Option<u32> {
        query::find_by_id(&self.snapshot, id)
    }
}
