//! The JSON state machine behind [`super::Parser`]: top-level structure, the header, unknown
//! sections and the end of input here; the hot integer arrays in `ints`, strings in `text`.
//! Its whole state lives in the struct, which is what makes the result independent of how the
//! input is split into chunks.

mod ints;
mod text;

use super::header::{self, EdgeField, Header, NodeField};
use super::trace::{self, TraceNode};
use super::RawSnapshot;
use crate::columns::SizeColumn;
use crate::error::{Error, ErrorKind, Location, Result};
use crate::strings::StringTable;

/// The sections kept as flat integer arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum IntSection {
    Nodes,
    Edges,
    TraceFunctionInfos,
    Samples,
    Locations,
}

impl IntSection {
    fn name(self) -> &'static str {
        match self {
            IntSection::Nodes => "the nodes array",
            IntSection::Edges => "the edges array",
            IntSection::TraceFunctionInfos => "the trace_function_infos array",
            IntSection::Samples => "the samples array",
            IntSection::Locations => "the locations array",
        }
    }
}

/// Where the machine is. Each variant that spans bytes carries what it needs to resume.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    /// Before the opening `{`.
    Start,
    /// Inside a UTF-8 byte order mark, with this many of its three bytes read.
    Bom(u8),
    /// After `{` or `,` at the top level: a key (or `}` when `first`).
    KeyOrEnd {
        first: bool,
    },
    /// Inside a top-level key.
    Key {
        escaped: bool,
    },
    Colon,
    /// Capturing the `snapshot` object's bytes for the header parser.
    Header {
        depth: u32,
        in_string: bool,
        escaped: bool,
    },
    /// Before the `[` of an integer section.
    IntOpen(IntSection),
    IntArray(IntSection),
    StringsOpen,
    /// Inside the strings array, expecting a string (or `]` when `first`).
    StringOrEnd {
        first: bool,
    },
    /// Inside a string of the strings array.
    InString,
    /// After a string: `,` or `]`.
    StringCommaOrEnd,
    TraceTree,
    /// Skipping the value of an unknown key.
    Skip {
        depth: u32,
        in_string: bool,
        escaped: bool,
        started: bool,
    },
    /// After a top-level value: `,` or `}`.
    CommaOrEnd,
    /// After the final `}`: only whitespace may follow.
    Done,
}

impl State {
    pub(super) fn describe(self) -> &'static str {
        match self {
            State::Start | State::Bom(_) => "the opening brace",
            State::KeyOrEnd { .. } | State::Key { .. } | State::Colon | State::CommaOrEnd => {
                "the top-level object"
            }
            State::Header { .. } => "the snapshot header",
            State::IntOpen(s) | State::IntArray(s) => s.name(),
            State::StringsOpen
            | State::StringOrEnd { .. }
            | State::InString
            | State::StringCommaOrEnd => "the strings array",
            State::TraceTree => "the trace_tree array",
            State::Skip { .. } => "an unknown section",
            State::Done => "nothing",
        }
    }
}

/// Escape handling inside a string of the strings array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Escape {
    None,
    /// After a backslash.
    Backslash,
    /// Inside `\uXXXX`, with the digits read so far.
    Unicode {
        digits: u8,
        value: u16,
    },
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

/// The JSON state machine. Offsets in its errors count bytes of JSON text.
pub(super) struct Machine {
    /// Offset of the first byte of the next chunk.
    pub(super) pos: u64,
    pub(super) state: State,
    pub(super) key: Vec<u8>,
    pub(super) header_raw: Vec<u8>,
    pub(super) header_start: u64,
    pub(super) header: Option<Header>,
    pub(super) seen: [bool; 8],

    // Integer array state, kept across chunk boundaries.
    pub(super) acc: u64,
    pub(super) in_number: bool,
    pub(super) number_start: u64,
    pub(super) after_value: bool,
    pub(super) need_value: bool,
    pub(super) digits: u32,
    pub(super) field: usize,
    pub(super) records: u64,
    /// Set when an integer section starts, so the hot loop never looks at the header.
    pub(super) expected_records: u64,
    /// The header's count for the section, which the columns grow towards (`expected_records`
    /// is unknown to a parser resumed inside the edges; this is not).
    pub(super) claimed_records: u64,
    /// Records the section's columns have room for; reaching it calls `make_room`.
    pub(super) reserved_records: u64,
    pub(super) field_count: usize,
    pub(super) roles: Vec<NodeField>,
    pub(super) edge_roles: Vec<EdgeField>,
    pub(super) type_count: u64,
    pub(super) node_field_count: u64,
    pub(super) node_count: u64,

    // String state.
    escape: Escape,
    high_surrogate: Option<u16>,

    pub(super) trace: trace::TraceTreeParser,

    pub(super) out: Columns,
}

#[derive(Default)]
pub(super) struct Columns {
    pub(super) node_type: Vec<u8>,
    pub(super) node_name: Vec<u32>,
    pub(super) node_id: Vec<u32>,
    pub(super) self_size: SizeColumn,
    pub(super) edge_count: Vec<u32>,
    pub(super) trace_node_id: Vec<u32>,
    pub(super) detachedness: Vec<u8>,
    pub(super) edge_type: Vec<u8>,
    pub(super) edge_name: Vec<u32>,
    pub(super) edge_to: Vec<u32>,
    pub(super) strings: StringTable,
    pub(super) trace_function_infos: Vec<u64>,
    pub(super) samples: Vec<u64>,
    pub(super) locations: Vec<u64>,
}

/// Writes one element in every page of `v`'s reserved but unused capacity, so that the pages
/// are really allocated.
fn touch_spare_capacity<T: Copy + Default>(v: &mut Vec<T>) {
    let step = (4096 / std::mem::size_of::<T>()).max(1);
    for slot in v.spare_capacity_mut().iter_mut().step_by(step) {
        slot.write(T::default());
    }
}

/// Makes `v`'s capacity at least `total` elements.
fn reserve_to<T>(v: &mut Vec<T>, total: u64, what: &str, offset: u64) -> Result<()> {
    reserve(v, total.saturating_sub(v.len() as u64), what, offset)
}

impl Columns {
    /// Room for `total` node records in every node column (`detachedness` only if the snapshot
    /// has that field, `trace_node_id` only once it is in use).
    pub(super) fn reserve_nodes(&mut self, total: u64, detachedness: bool, at: u64) -> Result<()> {
        reserve_to(&mut self.node_type, total, "nodes", at)?;
        reserve_to(&mut self.node_name, total, "nodes", at)?;
        reserve_to(&mut self.node_id, total, "nodes", at)?;
        let more = usize::try_from(total.saturating_sub(self.self_size.len() as u64))
            .map_err(|_| too_large("nodes", total, at))?;
        self.self_size
            .reserve(more)
            .map_err(|_| too_large("nodes", total, at))?;
        // One more than the node count: the column becomes the edge index in place.
        reserve_to(&mut self.edge_count, total.saturating_add(1), "nodes", at)?;
        if detachedness {
            reserve_to(&mut self.detachedness, total, "nodes", at)?;
        }
        if !self.trace_node_id.is_empty() {
            reserve_to(&mut self.trace_node_id, total, "nodes", at)?;
        }
        Ok(())
    }

    /// Room for `total` edge records.
    pub(super) fn reserve_edges(&mut self, total: u64, at: u64) -> Result<()> {
        reserve_to(&mut self.edge_type, total, "edges", at)?;
        reserve_to(&mut self.edge_name, total, "edges", at)?;
        reserve_to(&mut self.edge_to, total, "edges", at)
    }

    pub(super) fn touch_spare_edge_capacity(&mut self) {
        touch_spare_capacity(&mut self.edge_type);
        touch_spare_capacity(&mut self.edge_name);
        touch_spare_capacity(&mut self.edge_to);
    }

    pub(super) fn into_raw(self, header: Header, trace_tree: Vec<TraceNode>) -> RawSnapshot {
        RawSnapshot {
            header,
            node_type: self.node_type,
            node_name: self.node_name,
            node_id: self.node_id,
            self_size: self.self_size,
            edge_count: self.edge_count,
            trace_node_id: self.trace_node_id,
            detachedness: self.detachedness,
            edge_type: self.edge_type,
            edge_name: self.edge_name,
            edge_to: self.edge_to,
            strings: self.strings,
            trace_function_infos: self.trace_function_infos,
            trace_tree,
            samples: self.samples,
            locations: self.locations,
        }
    }
}

pub(super) const SECTION_NODES: usize = 0;
pub(super) const SECTION_EDGES: usize = 1;
pub(super) const SECTION_STRINGS: usize = 2;
pub(super) const SECTION_TRACE_INFOS: usize = 3;
pub(super) const SECTION_TRACE_TREE: usize = 4;
pub(super) const SECTION_SAMPLES: usize = 5;
pub(super) const SECTION_LOCATIONS: usize = 6;
pub(super) const SECTION_HEADER: usize = 7;

/// The largest header accepted; real ones are a few KB.
const MAX_HEADER_BYTES: usize = 16 << 20;

fn reserve<T>(v: &mut Vec<T>, n: u64, what: &str, offset: u64) -> Result<()> {
    let n = usize::try_from(n).map_err(|_| too_large(what, n, offset))?;
    v.try_reserve_exact(n)
        .map_err(|_| too_large(what, n as u64, offset))
}

fn too_large(what: &str, n: u64, offset: u64) -> Error {
    Error::at_byte(
        offset,
        ErrorKind::TooLarge(format!("cannot allocate {n} {what}")),
    )
}

impl Machine {
    pub(super) fn new() -> Machine {
        Machine {
            pos: 0,
            state: State::Start,
            key: Vec::new(),
            header_raw: Vec::new(),
            header_start: 0,
            header: None,
            seen: [false; 8],
            acc: 0,
            in_number: false,
            number_start: 0,
            after_value: false,
            need_value: false,
            digits: 0,
            field: 0,
            records: 0,
            expected_records: 0,
            claimed_records: 0,
            reserved_records: 0,
            field_count: 1,
            roles: Vec::new(),
            edge_roles: Vec::new(),
            type_count: 0,
            node_field_count: 1,
            node_count: 0,
            escape: Escape::None,
            high_surrogate: None,
            trace: trace::TraceTreeParser::default(),
            out: Columns::default(),
        }
    }

    fn unexpected(&self, offset: u64, found: u8, expected: &'static str) -> Error {
        Error::at_byte(offset, ErrorKind::UnexpectedByte { found, expected })
    }

    pub(super) fn feed(&mut self, buf: &[u8]) -> Result<()> {
        let base = self.pos;
        let mut i = 0;
        while i < buf.len() {
            i = match self.state {
                State::IntArray(section) => self.int_array(buf, i, base, section)?,
                State::InString => self.in_string(buf, i, base)?,
                State::Header { .. } => self.header_bytes(buf, i, base)?,
                State::Skip { .. } => self.skip(buf, i, base)?,
                State::TraceTree => {
                    let (next, done) = self.trace.feed(buf, i, base)?;
                    if done {
                        self.state = State::CommaOrEnd;
                    }
                    next
                }
                State::Key { .. } => self.key_bytes(buf, i, base)?,
                _ => {
                    self.structural(buf[i], base + i as u64)?;
                    i + 1
                }
            };
        }
        self.pos = base + buf.len() as u64;
        Ok(())
    }

    /// One byte of structure between values.
    fn structural(&mut self, b: u8, at: u64) -> Result<()> {
        if is_ws(b) {
            return Ok(());
        }
        match self.state {
            State::Start => {
                if b == b'{' {
                    self.state = State::KeyOrEnd { first: true };
                } else if at == 0 && b == 0xEF {
                    // Tolerate a UTF-8 byte order mark; its other two bytes follow.
                    self.state = State::Bom(1);
                } else {
                    return Err(self.unexpected(at, b, "'{' (a heap snapshot is a JSON object)"));
                }
            }
            State::Bom(n) => {
                let expected = if n == 1 { 0xBB } else { 0xBF };
                if b != expected {
                    return Err(self.unexpected(at, b, "'{' (a heap snapshot is a JSON object)"));
                }
                self.state = if n == 1 { State::Bom(2) } else { State::Start };
            }
            State::KeyOrEnd { first } => match b {
                b'"' => {
                    self.key.clear();
                    self.state = State::Key { escaped: false };
                }
                b'}' if first => self.state = State::Done,
                _ => return Err(self.unexpected(at, b, "a key")),
            },
            State::Colon => {
                if b != b':' {
                    return Err(self.unexpected(at, b, "':'"));
                }
                self.start_value(at)?;
            }
            State::CommaOrEnd => match b {
                b',' => self.state = State::KeyOrEnd { first: false },
                b'}' => self.state = State::Done,
                _ => return Err(self.unexpected(at, b, "',' or '}'")),
            },
            State::IntOpen(section) => {
                if b != b'[' {
                    return Err(self.unexpected(at, b, "'[' (an array of integers)"));
                }
                self.begin_int_array(section, at)?;
                self.state = State::IntArray(section);
            }
            State::StringsOpen => {
                if b != b'[' {
                    return Err(self.unexpected(at, b, "'[' (the strings array)"));
                }
                self.state = State::StringOrEnd { first: true };
            }
            State::StringOrEnd { first } => match b {
                b'"' => {
                    self.out.strings.begin();
                    self.escape = Escape::None;
                    self.high_surrogate = None;
                    self.state = State::InString;
                }
                b']' if first => self.state = State::CommaOrEnd,
                _ => return Err(self.unexpected(at, b, "a string")),
            },
            State::StringCommaOrEnd => match b {
                b',' => self.state = State::StringOrEnd { first: false },
                b']' => self.state = State::CommaOrEnd,
                _ => return Err(self.unexpected(at, b, "',' or ']' in the strings array")),
            },
            State::Done => {
                return Err(self.unexpected(at, b, "nothing after the end of the snapshot"));
            }
            State::IntArray(_)
            | State::InString
            | State::Header { .. }
            | State::Skip { .. }
            | State::TraceTree
            | State::Key { .. } => unreachable!("handled by the chunk loop"),
        }
        Ok(())
    }

    fn key_bytes(&mut self, buf: &[u8], mut i: usize, base: u64) -> Result<usize> {
        while i < buf.len() {
            let b = buf[i];
            i += 1;
            let State::Key { escaped } = self.state else {
                unreachable!()
            };
            if escaped {
                self.state = State::Key { escaped: false };
            } else if b == b'\\' {
                self.state = State::Key { escaped: true };
                continue;
            } else if b == b'"' {
                self.state = State::Colon;
                return Ok(i);
            }
            // Keys that matter are short; a long unknown key need not be kept whole.
            if self.key.len() < 64 {
                self.key.push(b);
            }
            let _ = base;
        }
        Ok(i)
    }

    /// Dispatches on the key just read.
    fn start_value(&mut self, at: u64) -> Result<()> {
        let section = match self.key.as_slice() {
            b"snapshot" => Some(SECTION_HEADER),
            b"nodes" => Some(SECTION_NODES),
            b"edges" => Some(SECTION_EDGES),
            b"strings" => Some(SECTION_STRINGS),
            b"trace_function_infos" => Some(SECTION_TRACE_INFOS),
            b"trace_tree" => Some(SECTION_TRACE_TREE),
            b"samples" => Some(SECTION_SAMPLES),
            b"locations" => Some(SECTION_LOCATIONS),
            _ => None,
        };
        let Some(section) = section else {
            // Unknown sections (Chromium writes `scopes` and others) are skipped, whatever
            // their shape.
            self.state = State::Skip {
                depth: 0,
                in_string: false,
                escaped: false,
                started: false,
            };
            return Ok(());
        };
        if self.seen[section] {
            let name = String::from_utf8_lossy(&self.key).into_owned();
            return Err(Error::at_byte(
                at,
                ErrorKind::NotASnapshot(format!("the \"{name}\" section appears twice")),
            ));
        }
        self.seen[section] = true;
        if section != SECTION_HEADER && section != SECTION_STRINGS && self.header.is_none() {
            let name = String::from_utf8_lossy(&self.key).into_owned();
            return Err(Error::at_byte(
                at,
                ErrorKind::NotASnapshot(format!(
                    "the \"{name}\" section comes before the \"snapshot\" header"
                )),
            ));
        }
        self.state = match section {
            SECTION_HEADER => {
                self.header_raw.clear();
                self.header_start = at + 1;
                State::Header {
                    depth: 0,
                    in_string: false,
                    escaped: false,
                }
            }
            SECTION_NODES => State::IntOpen(IntSection::Nodes),
            SECTION_EDGES => State::IntOpen(IntSection::Edges),
            SECTION_STRINGS => State::StringsOpen,
            SECTION_TRACE_INFOS => State::IntOpen(IntSection::TraceFunctionInfos),
            SECTION_TRACE_TREE => State::TraceTree,
            SECTION_SAMPLES => State::IntOpen(IntSection::Samples),
            _ => State::IntOpen(IntSection::Locations),
        };
        Ok(())
    }

    fn header_bytes(&mut self, buf: &[u8], mut i: usize, base: u64) -> Result<usize> {
        let State::Header {
            mut depth,
            mut in_string,
            mut escaped,
        } = self.state
        else {
            unreachable!()
        };
        let start = i;
        let mut finished = false;
        while i < buf.len() {
            let b = buf[i];
            let at = base + i as u64;
            i += 1;
            if in_string {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                }
                continue;
            }
            match b {
                b'"' if depth > 0 => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' if depth > 0 => {
                    depth -= 1;
                    if depth == 0 {
                        finished = true;
                        break;
                    }
                }
                _ if depth == 0 && is_ws(b) => {}
                _ if depth == 0 => {
                    return Err(self.unexpected(at, b, "'{' (the snapshot header object)"))
                }
                _ => {}
            }
        }
        self.header_raw.extend_from_slice(&buf[start..i]);
        if self.header_raw.len() > MAX_HEADER_BYTES {
            return Err(Error::at_byte(
                self.header_start,
                ErrorKind::BadHeader("larger than 16 MiB".into()),
            ));
        }
        if finished {
            let header = header::parse_header(&self.header_raw, self.header_start)?;
            self.header_raw = Vec::new();
            self.header = Some(header);
            self.state = State::CommaOrEnd;
        } else {
            self.state = State::Header {
                depth,
                in_string,
                escaped,
            };
        }
        Ok(i)
    }

    fn skip(&mut self, buf: &[u8], mut i: usize, base: u64) -> Result<usize> {
        let State::Skip {
            mut depth,
            mut in_string,
            mut escaped,
            mut started,
        } = self.state
        else {
            unreachable!()
        };
        while i < buf.len() {
            let b = buf[i];
            if in_string {
                i += 1;
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                    if depth == 0 {
                        self.state = State::CommaOrEnd;
                        return Ok(i);
                    }
                }
                continue;
            }
            if !started {
                if is_ws(b) {
                    i += 1;
                    continue;
                }
                started = true;
                match b {
                    b'{' | b'[' => depth = 1,
                    b'"' => in_string = true,
                    _ => {}
                }
                if depth > 0 || in_string {
                    i += 1;
                    continue;
                }
            }
            if depth == 0 {
                // A scalar (number, true, false, null): it ends at the next delimiter, which the
                // top-level state then reads.
                if b == b',' || b == b'}' || is_ws(b) {
                    self.state = State::CommaOrEnd;
                    return Ok(i);
                }
                if !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.')) {
                    return Err(self.unexpected(base + i as u64, b, "a JSON value"));
                }
                i += 1;
                continue;
            }
            i += 1;
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        self.state = State::CommaOrEnd;
                        return Ok(i);
                    }
                }
                _ => {}
            }
        }
        self.state = State::Skip {
            depth,
            in_string,
            escaped,
            started,
        };
        Ok(i)
    }

    pub(super) fn finish(mut self) -> Result<RawSnapshot> {
        if self.pos == 0 {
            return Err(Error::at(Location::File, ErrorKind::Empty));
        }
        if self.state != State::Done {
            return Err(Error::at_byte(
                self.pos,
                ErrorKind::UnexpectedEnd {
                    inside: self.state.describe(),
                },
            ));
        }
        let Some(header) = self.header.take() else {
            return Err(Error::at(
                Location::File,
                ErrorKind::NotASnapshot("no \"snapshot\" header".into()),
            ));
        };
        for (section, name) in [
            (SECTION_NODES, "nodes"),
            (SECTION_EDGES, "edges"),
            (SECTION_STRINGS, "strings"),
        ] {
            if !self.seen[section] {
                return Err(Error::at(
                    Location::File,
                    ErrorKind::NotASnapshot(format!("no \"{name}\" section")),
                ));
            }
        }
        let trace_tree = self.trace.into_nodes();
        Ok(self.out.into_raw(header, trace_tree))
    }
}
