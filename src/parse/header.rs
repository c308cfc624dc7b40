//! The `snapshot` header: counts and `meta`, the description of every other section.
//!
//! Nothing about the layout is hard-coded: field lists and type lists are read from `meta`, since
//! V8 has added node fields (`detachedness`) and node types (`object shape`) over time. The header
//! is small (a few KB), so it is captured whole and parsed with serde_json.

use crate::error::{Error, ErrorKind, Location, Result};
use serde_json::Value;

/// What a node field means to heaplens. Unknown fields are kept in the count but ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeField {
    Type,
    Name,
    Id,
    SelfSize,
    EdgeCount,
    TraceNodeId,
    Detachedness,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeField {
    Type,
    NameOrIndex,
    ToNode,
    Other,
}

#[derive(Debug, Clone)]
pub struct Meta {
    pub node_fields: Vec<NodeField>,
    pub node_types: Vec<String>,
    pub edge_fields: Vec<EdgeField>,
    pub edge_types: Vec<String>,
    pub location_fields: Vec<String>,
    pub trace_function_info_fields: Vec<String>,
    pub trace_node_fields: Vec<String>,
    pub sample_fields: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Header {
    pub title: String,
    pub meta: Meta,
    pub node_count: u64,
    pub edge_count: u64,
    pub trace_function_count: u64,
    /// Bytes V8 reports outside the graph (newer V8); DevTools adds them to the total.
    pub extra_native_bytes: u64,
    /// The root's node index (an offset into `nodes`), when the header names one.
    pub root_index: Option<u64>,
}

fn bad(offset: u64, why: impl Into<String>) -> Error {
    Error::at(Location::Byte(offset), ErrorKind::BadHeader(why.into()))
}

fn strings(v: &Value, offset: u64, what: &str) -> Result<Vec<String>> {
    match v {
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| bad(offset, format!("{what} holds a non-string")))
            })
            .collect(),
        _ => Err(bad(offset, format!("{what} is not a list of strings"))),
    }
}

fn optional_strings(meta: &Value, key: &str, offset: u64) -> Result<Vec<String>> {
    match meta.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(v) => strings(v, offset, key),
    }
}

/// The type list of a field: `meta.node_types[i]` is either a list of names (for `type`) or a
/// string such as "number" or "string".
fn type_list(types: &Value, field_index: usize, offset: u64, what: &str) -> Result<Vec<String>> {
    let entry = types
        .get(field_index)
        .ok_or_else(|| bad(offset, format!("{what} has no entry for the type field")))?;
    strings(entry, offset, what)
}

fn count(v: &Value, key: &str, offset: u64) -> Result<u64> {
    match v.get(key) {
        Some(n) => n
            .as_u64()
            .ok_or_else(|| bad(offset, format!("{key} is not a non-negative integer"))),
        None => Err(bad(offset, format!("missing {key}"))),
    }
}

/// Parses the raw bytes of the `snapshot` value. `offset` is where the value starts in the input,
/// for error messages.
pub fn parse_header(raw: &[u8], offset: u64) -> Result<Header> {
    let v: Value = serde_json::from_slice(raw).map_err(|e| bad(offset, e.to_string()))?;
    let meta = v.get("meta").ok_or_else(|| bad(offset, "missing meta"))?;

    let node_field_names = strings(
        meta.get("node_fields").unwrap_or(&Value::Null),
        offset,
        "meta.node_fields",
    )?;
    let edge_field_names = strings(
        meta.get("edge_fields").unwrap_or(&Value::Null),
        offset,
        "meta.edge_fields",
    )?;
    let node_fields: Vec<NodeField> = node_field_names
        .iter()
        .map(|f| match f.as_str() {
            "type" => NodeField::Type,
            "name" => NodeField::Name,
            "id" => NodeField::Id,
            "self_size" => NodeField::SelfSize,
            "edge_count" => NodeField::EdgeCount,
            "trace_node_id" => NodeField::TraceNodeId,
            "detachedness" => NodeField::Detachedness,
            _ => NodeField::Other,
        })
        .collect();
    let edge_fields: Vec<EdgeField> = edge_field_names
        .iter()
        .map(|f| match f.as_str() {
            "type" => EdgeField::Type,
            "name_or_index" => EdgeField::NameOrIndex,
            "to_node" => EdgeField::ToNode,
            _ => EdgeField::Other,
        })
        .collect();
    for required in [
        NodeField::Type,
        NodeField::Name,
        NodeField::Id,
        NodeField::SelfSize,
        NodeField::EdgeCount,
    ] {
        if !node_fields.contains(&required) {
            return Err(bad(offset, format!("meta.node_fields lacks {required:?}")));
        }
    }
    for required in [EdgeField::Type, EdgeField::NameOrIndex, EdgeField::ToNode] {
        if !edge_fields.contains(&required) {
            return Err(bad(offset, format!("meta.edge_fields lacks {required:?}")));
        }
    }
    let node_type_field = node_fields
        .iter()
        .position(|f| *f == NodeField::Type)
        .unwrap_or(0);
    let edge_type_field = edge_fields
        .iter()
        .position(|f| *f == EdgeField::Type)
        .unwrap_or(0);
    let node_types = type_list(
        meta.get("node_types").unwrap_or(&Value::Null),
        node_type_field,
        offset,
        "meta.node_types",
    )?;
    let edge_types = type_list(
        meta.get("edge_types").unwrap_or(&Value::Null),
        edge_type_field,
        offset,
        "meta.edge_types",
    )?;
    if node_types.len() > 255 || edge_types.len() > 255 {
        return Err(bad(offset, "more than 255 node or edge types"));
    }

    let root_index = match v.get("root_index") {
        Some(n) if !n.is_null() => Some(
            n.as_u64()
                .ok_or_else(|| bad(offset, "root_index is not an integer"))?,
        ),
        _ => None,
    };

    Ok(Header {
        title: v
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        node_count: count(&v, "node_count", offset)?,
        edge_count: count(&v, "edge_count", offset)?,
        trace_function_count: v
            .get("trace_function_count")
            .and_then(Value::as_u64)
            .unwrap_or(0),
        extra_native_bytes: v
            .get("extra_native_bytes")
            .and_then(Value::as_u64)
            .unwrap_or(0),
        root_index,
        meta: Meta {
            node_fields,
            node_types,
            edge_fields,
            edge_types,
            location_fields: optional_strings(meta, "location_fields", offset)?,
            trace_function_info_fields: optional_strings(
                meta,
                "trace_function_info_fields",
                offset,
            )?,
            trace_node_fields: optional_strings(meta, "trace_node_fields", offset)?,
            sample_fields: optional_strings(meta, "sample_fields", offset)?,
        },
    })
}
