//! The WebAssembly binding: the only code that knows wasm-bindgen.
//!
//! It runs inside the Web Worker, which owns the snapshot. The worker feeds file slices to a
//! [`Loader`], turns it into an [`Engine`], and answers the page's requests with pages of plain
//! rows, converted to JS objects by serde-wasm-bindgen. Every method returns `Result<_, JsError>`
//! and nothing here unwraps on input data: a bad file or a bad request becomes a JS exception
//! with a readable message, never a trap.

use crate::query::{self, ClassId, ClassSort, NodeOrdinal, ObjectId};
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
    members: Vec<(ClassId, Vec<NodeOrdinal>)>,
}

#[wasm_bindgen]
impl Engine {
    fn check_node(&self, node: u32) -> Result<NodeOrdinal, JsError> {
        self.snapshot
            .ordinal(node)
            .ok_or_else(|| JsError::new(&format!("no node {node}")))
    }

    /// `{node_count, edge_count, total_size, class_count, root, title, has_allocation_traces}`.
    pub fn summary(&self) -> Result<JsValue, JsError> {
        to_js(&query::summary(&self.snapshot))
    }

    /// Totals by category, in bytes.
    pub fn statistics(&self) -> Result<JsValue, JsError> {
        to_js(&self.snapshot.statistics)
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
        to_js(&query::class_page(
            &self.snapshot,
            sort,
            descending,
            filter,
            offset as usize,
            limit as usize,
        ))
    }

    /// A page of a class's instances, by retained size.
    pub fn instances(&mut self, class: u32, offset: u32, limit: u32) -> Result<JsValue, JsError> {
        if class as usize >= self.snapshot.classes.classes.len() {
            return Err(JsError::new(&format!("no class {class}")));
        }
        let class = ClassId(class);
        match self.members.iter().position(|(c, _)| *c == class) {
            Some(i) => {
                let entry = self.members.remove(i);
                self.members.push(entry);
            }
            None => {
                if self.members.len() == MEMBER_CACHE {
                    self.members.remove(0);
                }
                self.members
                    .push((class, query::class_members(&self.snapshot, class)));
            }
        }
        let members = &self.members.last().expect("just pushed").1;
        to_js(&query::node_rows(
            &self.snapshot,
            members,
            offset as usize,
            limit as usize,
        ))
    }

    /// Everything about one node (by ordinal).
    pub fn node(&self, node: u32) -> Result<JsValue, JsError> {
        let node = self.check_node(node)?;
        to_js(&query::node_details(&self.snapshot, node))
    }

    /// A page of a node's outgoing edges.
    pub fn edges(&self, node: u32, offset: u32, limit: u32) -> Result<JsValue, JsError> {
        let node = self.check_node(node)?;
        to_js(&query::edges(
            &self.snapshot,
            node,
            offset as usize,
            limit as usize,
        ))
    }

    /// A page of a node's retainers, nearest first, weak edges hidden.
    pub fn retainers(&self, node: u32, offset: u32, limit: u32) -> Result<JsValue, JsError> {
        let node = self.check_node(node)?;
        to_js(&query::retainers(
            &self.snapshot,
            node,
            offset as usize,
            limit as usize,
        ))
    }

    /// Up to `k` shortest retaining paths from the root.
    pub fn paths(&self, node: u32, k: u32) -> Result<JsValue, JsError> {
        let node = self.check_node(node)?;
        to_js(&query::retaining_paths(&self.snapshot, node, k as usize))
    }

    /// A page of the nodes this node immediately dominates.
    pub fn dominated(&self, node: u32, offset: u32, limit: u32) -> Result<JsValue, JsError> {
        let node = self.check_node(node)?;
        to_js(&query::dominated(
            &self.snapshot,
            node,
            offset as usize,
            limit as usize,
        ))
    }

    /// The ordinal of the node with object id `id`, if any.
    pub fn find_id(&self, id: u32) -> Option<u32> {
        self.snapshot.node_by_id(ObjectId(id)).map(|n| n.0)
    }
}
