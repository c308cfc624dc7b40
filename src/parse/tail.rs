//! The second half of a split parse as bytes, so that it can travel between Web Workers.
//!
//! A browser has no threads to share, so the page's worker parses the first half of a large
//! file while a helper worker parses the second ([`super::Parser::resume_in_edges`]); the helper
//! encodes what it parsed (the rest of the edges and every later section) with [`encode`], sends
//! the bytes, and the main worker [`decode`]s them for [`super::Parser::join_tail`]. Plain
//! little-endian columns with lengths; decoding checks every length, so bad bytes are an error,
//! never a panic.

use super::{Header, RawSnapshot, TraceNode};
use crate::error::{Error, ErrorKind, Location, Result};
use crate::graph::SizeColumn;
use crate::strings::StringTable;

const MAGIC: &[u8; 8] = b"HLTAIL01";

fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_u32s(out: &mut Vec<u8>, values: &[u32]) {
    put_u64(out, values.len() as u64);
    out.reserve(values.len() * 4);
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

fn put_u64s(out: &mut Vec<u8>, values: &[u64]) {
    put_u64(out, values.len() as u64);
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

/// Encodes the parts of a resumed parser's result that [`super::Parser::join_tail`] uses.
pub fn encode(rest: &RawSnapshot) -> Vec<u8> {
    let strings_bytes: usize = (0..rest.strings.len() as u32)
        .map(|i| rest.strings.get(i).len())
        .sum();
    let mut out =
        Vec::with_capacity(64 + rest.edge_type.len() * 9 + strings_bytes + rest.strings.len() * 4);
    out.extend_from_slice(MAGIC);
    put_u64(&mut out, rest.edge_type.len() as u64);
    out.extend_from_slice(&rest.edge_type);
    put_u32s(&mut out, &rest.edge_name);
    put_u32s(&mut out, &rest.edge_to);
    let lengths: Vec<u32> = (0..rest.strings.len() as u32)
        .map(|i| rest.strings.get(i).len() as u32)
        .collect();
    put_u32s(&mut out, &lengths);
    for i in 0..rest.strings.len() as u32 {
        out.extend_from_slice(rest.strings.get(i).as_bytes());
    }
    put_u64s(&mut out, &rest.trace_function_infos);
    put_u64(&mut out, rest.trace_tree.len() as u64);
    for t in &rest.trace_tree {
        for v in [
            t.id as u64,
            t.function_info_index as u64,
            t.count as u64,
            t.size,
            t.parent as u64,
        ] {
            put_u64(&mut out, v);
        }
    }
    put_u64s(&mut out, &rest.samples);
    put_u64s(&mut out, &rest.locations);
    out
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

fn corrupt() -> Error {
    Error::at(
        Location::File,
        ErrorKind::NotASnapshot("a corrupt second half from the helper worker".into()),
    )
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(corrupt)?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().map_err(|_| corrupt())?,
        ))
    }

    fn len(&mut self, width: usize) -> Result<usize> {
        let n = usize::try_from(self.u64()?).map_err(|_| corrupt())?;
        // A length can never exceed what is left: refuse before allocating.
        if n.checked_mul(width)
            .is_none_or(|b| b > self.bytes.len() - self.at)
        {
            return Err(corrupt());
        }
        Ok(n)
    }

    fn u32s(&mut self) -> Result<Vec<u32>> {
        let n = self.len(4)?;
        Ok(self
            .take(n * 4)?
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    fn u64s(&mut self) -> Result<Vec<u64>> {
        let n = self.len(8)?;
        let raw = self.take(n * 8)?;
        Ok(raw
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("eight bytes")))
            .collect())
    }
}

/// Decodes [`encode`]'s bytes into a [`RawSnapshot`] with no nodes, for
/// [`super::Parser::join_tail`]. `header` is the main parser's (the tail does not carry one).
pub fn decode(bytes: &[u8], header: Header) -> Result<RawSnapshot> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(8)? != MAGIC {
        return Err(corrupt());
    }
    let edges = r.len(1)?;
    let edge_type = r.take(edges)?.to_vec();
    let edge_name = r.u32s()?;
    let edge_to = r.u32s()?;
    if edge_name.len() != edges || edge_to.len() != edges {
        return Err(corrupt());
    }
    let lengths = r.u32s()?;
    let mut strings = StringTable::new();
    for len in lengths {
        let text = std::str::from_utf8(r.take(len as usize)?).map_err(|_| corrupt())?;
        strings.push(text);
    }
    let trace_function_infos = r.u64s()?;
    let trace_nodes = r.len(40)?;
    let mut trace_tree = Vec::with_capacity(trace_nodes);
    for _ in 0..trace_nodes {
        let clamp = |v: u64| v.min(u32::MAX as u64) as u32;
        let (id, fi, count, size, parent) = (r.u64()?, r.u64()?, r.u64()?, r.u64()?, r.u64()?);
        trace_tree.push(TraceNode {
            id: clamp(id),
            function_info_index: clamp(fi),
            count: clamp(count),
            size,
            parent: clamp(parent),
        });
    }
    let samples = r.u64s()?;
    let locations = r.u64s()?;
    Ok(RawSnapshot {
        header,
        node_type: Vec::new(),
        node_name: Vec::new(),
        node_id: Vec::new(),
        self_size: SizeColumn::default(),
        edge_count: Vec::new(),
        trace_node_id: Vec::new(),
        detachedness: Vec::new(),
        edge_type,
        edge_name,
        edge_to,
        strings,
        trace_function_infos,
        trace_tree,
        samples,
        locations,
    })
}
