//! The streaming parser: bytes in, flat columns out.
//!
//! [`Parser`] is push-based: call [`Parser::feed`] with chunks of any size, then
//! [`Parser::finish`]. It is a byte-level state machine whose whole state lives in the struct, so
//! the result is identical however the input is split (a test feeds fixtures one byte at a time).
//! Nothing buffers the file or a section: numbers go straight into columns allocated once at
//! their final size from the header's counts, and strings go straight into the
//! [`StringTable`]'s chunks. Input starting with the gzip magic bytes is decompressed on the fly.

mod header;
mod trace;

pub use header::{EdgeField, Header, Meta, NodeField};
pub use trace::TraceNode;

use crate::error::{Error, ErrorKind, Location, Result};
use crate::graph::SizeColumn;
use crate::strings::StringTable;
use std::io::Write;

/// Everything a snapshot file holds, as parsed and validated for syntax and counts. Graph-level
/// checks (string indexes, edge counts adding up) happen in [`crate::graph::Graph::build`].
#[derive(Debug)]
pub struct RawSnapshot {
    pub header: Header,
    pub node_type: Vec<u8>,
    pub node_name: Vec<u32>,
    pub node_id: Vec<u32>,
    pub self_size: SizeColumn,
    pub edge_count: Vec<u32>,
    /// Empty when the snapshot has no `trace_node_id` field or every value is 0 (allocation
    /// tracking was off), which saves 4 bytes a node in the common case.
    pub trace_node_id: Vec<u32>,
    /// Empty when the snapshot has no `detachedness` field (older V8).
    pub detachedness: Vec<u8>,
    pub edge_type: Vec<u8>,
    pub edge_name: Vec<u32>,
    /// Edge targets as node ordinals (the file stores ordinal × node field count).
    pub edge_to: Vec<u32>,
    pub strings: StringTable,
    pub trace_function_infos: Vec<u64>,
    pub trace_tree: Vec<TraceNode>,
    pub samples: Vec<u64>,
    pub locations: Vec<u64>,
}

/// The sections kept as flat integer arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IntSection {
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
enum State {
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
    fn describe(self) -> &'static str {
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
struct Machine {
    /// Offset of the first byte of the next chunk.
    pos: u64,
    state: State,
    key: Vec<u8>,
    header_raw: Vec<u8>,
    header_start: u64,
    header: Option<Header>,
    seen: [bool; 8],

    // Integer array state, kept across chunk boundaries.
    acc: u64,
    in_number: bool,
    number_start: u64,
    after_value: bool,
    need_value: bool,
    digits: u32,
    field: usize,
    records: u64,
    /// Set when an integer section starts, so the hot loop never looks at the header.
    expected_records: u64,
    field_count: usize,
    roles: Vec<NodeField>,
    edge_roles: Vec<EdgeField>,
    type_count: u64,
    node_field_count: u64,
    node_count: u64,

    // String state.
    escape: Escape,
    high_surrogate: Option<u16>,

    trace: trace::TraceTreeParser,

    out: Columns,
}

#[derive(Default)]
struct Columns {
    node_type: Vec<u8>,
    node_name: Vec<u32>,
    node_id: Vec<u32>,
    self_size: SizeColumn,
    edge_count: Vec<u32>,
    trace_node_id: Vec<u32>,
    detachedness: Vec<u8>,
    edge_type: Vec<u8>,
    edge_name: Vec<u32>,
    edge_to: Vec<u32>,
    strings: StringTable,
    trace_function_infos: Vec<u64>,
    samples: Vec<u64>,
    locations: Vec<u64>,
}

impl Columns {
    fn into_raw(self, header: Header, trace_tree: Vec<TraceNode>) -> RawSnapshot {
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

const SECTION_NODES: usize = 0;
const SECTION_EDGES: usize = 1;
const SECTION_STRINGS: usize = 2;
const SECTION_TRACE_INFOS: usize = 3;
const SECTION_TRACE_TREE: usize = 4;
const SECTION_SAMPLES: usize = 5;
const SECTION_LOCATIONS: usize = 6;
const SECTION_HEADER: usize = 7;

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
    fn new() -> Machine {
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

    fn feed(&mut self, buf: &[u8]) -> Result<()> {
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

    fn begin_int_array(&mut self, section: IntSection, at: u64) -> Result<()> {
        self.acc = 0;
        self.in_number = false;
        self.after_value = false;
        self.need_value = false;
        self.field = 0;
        self.records = 0;
        let header = self.header.as_ref().expect("checked in start_value");
        self.node_field_count = header.meta.node_fields.len() as u64;
        self.node_count = header.node_count;
        self.expected_records = u64::MAX;
        self.field_count = 1;
        match section {
            IntSection::Nodes => {
                self.roles = header.meta.node_fields.clone();
                self.field_count = self.roles.len();
                self.expected_records = header.node_count;
                self.type_count = header.meta.node_types.len() as u64;
                let n = header.node_count;
                if n > u32::MAX as u64 {
                    return Err(Error::at_byte(
                        at,
                        ErrorKind::TooLarge(format!("{n} nodes (at most 2^32)")),
                    ));
                }
                let fields = &header.meta.node_fields;
                let o = &mut self.out;
                reserve(&mut o.node_type, n, "nodes", at)?;
                reserve(&mut o.node_name, n, "nodes", at)?;
                reserve(&mut o.node_id, n, "nodes", at)?;
                o.self_size
                    .reserve(n as usize)
                    .map_err(|_| too_large("nodes", n, at))?;
                // One more than the node count: the column becomes the edge index in place.
                reserve(&mut o.edge_count, n + 1, "nodes", at)?;
                if fields.contains(&NodeField::Detachedness) {
                    reserve(&mut o.detachedness, n, "nodes", at)?;
                }
            }
            IntSection::Edges => {
                self.edge_roles = header.meta.edge_fields.clone();
                self.field_count = self.edge_roles.len();
                self.expected_records = header.edge_count;
                self.type_count = header.meta.edge_types.len() as u64;
                let n = header.edge_count;
                if n >= u32::MAX as u64 {
                    return Err(Error::at_byte(
                        at,
                        ErrorKind::TooLarge(format!("{n} edges (at most 2^32 - 1)")),
                    ));
                }
                let o = &mut self.out;
                reserve(&mut o.edge_type, n, "edges", at)?;
                reserve(&mut o.edge_name, n, "edges", at)?;
                reserve(&mut o.edge_to, n, "edges", at)?;
            }
            IntSection::TraceFunctionInfos => {
                let n = header
                    .trace_function_count
                    .saturating_mul(header.meta.trace_function_info_fields.len() as u64);
                reserve(
                    &mut self.out.trace_function_infos,
                    n.min(1 << 24),
                    "trace function infos",
                    at,
                )?;
            }
            IntSection::Samples | IntSection::Locations => {}
        }
        Ok(())
    }

    /// The hot loop: integers separated by commas, straight into columns. Digits are read in an
    /// inner loop that keeps the value in a register; the state is saved only when a chunk
    /// ends inside a number.
    fn int_array(
        &mut self,
        buf: &[u8],
        mut i: usize,
        base: u64,
        section: IntSection,
    ) -> Result<usize> {
        let len = buf.len();
        while i < len {
            let b = buf[i];
            if b.is_ascii_digit() {
                if !self.in_number {
                    if self.after_value {
                        return Err(self.unexpected(base + i as u64, b, "',' or ']'"));
                    }
                    self.in_number = true;
                    self.number_start = base + i as u64;
                    self.acc = 0;
                    self.digits = 0;
                }
                let mut acc = self.acc;
                let mut digits = self.digits;
                // Fast path: up to eight digits at once, when they are all in this chunk.
                if digits == 0 && i + 8 <= len {
                    let word = u64::from_le_bytes(buf[i..i + 8].try_into().expect("eight bytes"));
                    let (value, count) = swar_digits(word);
                    acc = value;
                    digits = count;
                    i += count as usize;
                }
                while i < len {
                    let d = buf[i].wrapping_sub(b'0');
                    if d >= 10 {
                        break;
                    }
                    // Nineteen digits always fit a u64; only longer numbers need checking.
                    if digits >= 19 {
                        acc = match acc.checked_mul(10).and_then(|a| a.checked_add(d as u64)) {
                            Some(a) => a,
                            None => {
                                return Err(Error::at_byte(
                                    self.number_start,
                                    ErrorKind::NumberTooLarge {
                                        field: section.name(),
                                    },
                                ))
                            }
                        };
                    } else {
                        acc = acc * 10 + d as u64;
                    }
                    digits += 1;
                    i += 1;
                }
                if i == len {
                    self.acc = acc;
                    self.digits = digits;
                    return Ok(i);
                }
                self.in_number = false;
                match section {
                    IntSection::Nodes => self.emit_node(acc)?,
                    IntSection::Edges => self.emit_edge(acc)?,
                    IntSection::TraceFunctionInfos => self.out.trace_function_infos.push(acc),
                    IntSection::Samples => self.out.samples.push(acc),
                    IntSection::Locations => self.out.locations.push(acc),
                }
                self.after_value = true;
                self.need_value = false;
                continue;
            }
            if self.in_number {
                // The number ended exactly at the previous chunk's end.
                self.in_number = false;
                let acc = self.acc;
                match section {
                    IntSection::Nodes => self.emit_node(acc)?,
                    IntSection::Edges => self.emit_edge(acc)?,
                    IntSection::TraceFunctionInfos => self.out.trace_function_infos.push(acc),
                    IntSection::Samples => self.out.samples.push(acc),
                    IntSection::Locations => self.out.locations.push(acc),
                }
                self.after_value = true;
                self.need_value = false;
            }
            match b {
                b',' if self.after_value => {
                    self.after_value = false;
                    self.need_value = true;
                }
                b']' if !self.need_value => {
                    self.end_int_array(section, base + i as u64)?;
                    self.state = State::CommaOrEnd;
                    return Ok(i + 1);
                }
                _ if is_ws(b) => {}
                b'-' => {
                    return Err(self.unexpected(base + i as u64, b, "a non-negative integer"));
                }
                _ => {
                    let expected = if self.after_value {
                        "',' or ']'"
                    } else {
                        "an integer"
                    };
                    return Err(self.unexpected(base + i as u64, b, expected));
                }
            }
            i += 1;
        }
        Ok(i)
    }

    #[inline(always)]
    fn emit_node(&mut self, v: u64) -> Result<()> {
        let at = self.number_start;
        let field = self.field;
        if field == 0 && self.records == self.expected_records {
            let expected = self.expected_records;
            return Err(Error::at_byte(
                at,
                ErrorKind::CountMismatch {
                    what: "nodes",
                    expected,
                    found: expected + 1,
                },
            ));
        }
        let o = &mut self.out;
        let small = |v: u64, field: &'static str| -> Result<u32> {
            u32::try_from(v).map_err(|_| Error::at_byte(at, ErrorKind::NumberTooLarge { field }))
        };
        match self.roles[field] {
            NodeField::Type => {
                if v >= self.type_count {
                    return Err(Error::at_byte(at, ErrorKind::BadNodeType(v)));
                }
                o.node_type.push(v as u8);
            }
            NodeField::Name => o.node_name.push(small(v, "a node name")?),
            NodeField::Id => o.node_id.push(small(v, "a node id")?),
            NodeField::SelfSize => o.self_size.push(v),
            NodeField::EdgeCount => o.edge_count.push(small(v, "a node's edge count")?),
            NodeField::TraceNodeId => {
                // Allocated at the first non-zero id, with the zeros before it filled in.
                if v != 0 && o.trace_node_id.is_empty() {
                    reserve(&mut o.trace_node_id, self.expected_records, "nodes", at)?;
                    o.trace_node_id.resize(self.records as usize, 0);
                }
                if !o.trace_node_id.is_empty() {
                    o.trace_node_id.push(small(v, "a trace node id")?);
                }
            }
            NodeField::Detachedness => o.detachedness.push((v & 3) as u8),
            NodeField::Other => {}
        }
        self.field = field + 1;
        if self.field == self.field_count {
            self.field = 0;
            self.records += 1;
        }
        Ok(())
    }

    #[inline(always)]
    fn emit_edge(&mut self, v: u64) -> Result<()> {
        let at = self.number_start;
        let field = self.field;
        if field == 0 && self.records == self.expected_records {
            let expected = self.expected_records;
            return Err(Error::at_byte(
                at,
                ErrorKind::CountMismatch {
                    what: "edges",
                    expected,
                    found: expected + 1,
                },
            ));
        }
        let o = &mut self.out;
        match self.edge_roles[field] {
            EdgeField::Type => {
                if v >= self.type_count {
                    return Err(Error::at_byte(at, ErrorKind::BadEdgeType(v)));
                }
                o.edge_type.push(v as u8);
            }
            EdgeField::NameOrIndex => o.edge_name.push(u32::try_from(v).map_err(|_| {
                Error::at_byte(
                    at,
                    ErrorKind::NumberTooLarge {
                        field: "an edge name",
                    },
                )
            })?),
            EdgeField::ToNode => {
                // Division by the usual field counts compiles to multiplications.
                let (ordinal, rest) = match self.node_field_count {
                    7 => (v / 7, v % 7),
                    6 => (v / 6, v % 6),
                    n => (v / n, v % n),
                };
                if rest != 0 || ordinal >= self.node_count {
                    return Err(Error::at_byte(at, ErrorKind::BadEdgeTarget(v)));
                }
                o.edge_to.push(ordinal as u32);
            }
            EdgeField::Other => {}
        }
        self.field = field + 1;
        if self.field == self.field_count {
            self.field = 0;
            self.records += 1;
        }
        Ok(())
    }

    fn end_int_array(&mut self, section: IntSection, at: u64) -> Result<()> {
        let header = self.header.as_ref().expect("checked in start_value");
        let (what, expected) = match section {
            IntSection::Nodes => ("nodes", header.node_count),
            IntSection::Edges => ("edges", header.edge_count),
            _ => return Ok(()),
        };
        // A parser resumed inside the edges array (see `Parser::resume_in_edges`) does not know
        // how many edges precede it; `Parser::join` checks the total instead.
        let unknown = self.expected_records == u64::MAX;
        if self.field != 0 || (!unknown && self.records != expected) {
            return Err(Error::at_byte(
                at,
                ErrorKind::CountMismatch {
                    what,
                    expected,
                    found: self.records,
                },
            ));
        }
        Ok(())
    }

    /// String contents: runs without quotes or backslashes are copied in one go.
    fn in_string(&mut self, buf: &[u8], mut i: usize, base: u64) -> Result<usize> {
        while i < buf.len() {
            if self.escape == Escape::None {
                let rest = &buf[i..];
                match memchr::memchr2(b'"', b'\\', rest) {
                    None => {
                        self.flush_surrogate_if(!rest.is_empty());
                        self.out.strings.extend(rest);
                        return Ok(buf.len());
                    }
                    Some(n) => {
                        self.flush_surrogate_if(n > 0);
                        self.out.strings.extend(&rest[..n]);
                        i += n;
                        if buf[i] == b'"' {
                            self.flush_surrogate_if(true);
                            self.out.strings.end();
                            self.state = State::StringCommaOrEnd;
                            return Ok(i + 1);
                        }
                        self.escape = Escape::Backslash;
                        i += 1;
                        continue;
                    }
                }
            }
            let b = buf[i];
            let at = base + i as u64;
            i += 1;
            match self.escape {
                Escape::Backslash => {
                    let plain = match b {
                        b'"' => b'"',
                        b'\\' => b'\\',
                        b'/' => b'/',
                        b'b' => 8,
                        b'f' => 12,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'u' => {
                            self.escape = Escape::Unicode {
                                digits: 0,
                                value: 0,
                            };
                            continue;
                        }
                        _ => return Err(Error::at_byte(at, ErrorKind::BadEscape)),
                    };
                    self.flush_surrogate_if(true);
                    self.out.strings.extend(&[plain]);
                    self.escape = Escape::None;
                }
                Escape::Unicode { digits, value } => {
                    let d = match b {
                        b'0'..=b'9' => b - b'0',
                        b'a'..=b'f' => b - b'a' + 10,
                        b'A'..=b'F' => b - b'A' + 10,
                        _ => return Err(Error::at_byte(at, ErrorKind::BadEscape)),
                    };
                    let value = (value << 4) | d as u16;
                    if digits == 3 {
                        self.escape = Escape::None;
                        self.code_unit(value);
                    } else {
                        self.escape = Escape::Unicode {
                            digits: digits + 1,
                            value,
                        };
                    }
                }
                Escape::None => unreachable!(),
            }
        }
        Ok(i)
    }

    /// Appends a UTF-16 code unit from a `\uXXXX` escape, pairing surrogates. Lone surrogates,
    /// which real snapshots do contain, become U+FFFD instead of failing the load.
    fn code_unit(&mut self, unit: u16) {
        let mut utf8 = [0u8; 4];
        if let Some(high) = self.high_surrogate.take() {
            if (0xDC00..0xE000).contains(&unit) {
                let c = 0x10000 + (((high as u32) - 0xD800) << 10) + (unit as u32 - 0xDC00);
                let c = char::from_u32(c).unwrap_or('\u{FFFD}');
                self.out.strings.extend(c.encode_utf8(&mut utf8).as_bytes());
                return;
            }
            self.out
                .strings
                .extend('\u{FFFD}'.encode_utf8(&mut utf8).as_bytes());
        }
        if (0xD800..0xDC00).contains(&unit) {
            self.high_surrogate = Some(unit);
            return;
        }
        let c = char::from_u32(unit as u32).unwrap_or('\u{FFFD}');
        self.out.strings.extend(c.encode_utf8(&mut utf8).as_bytes());
    }

    /// A pending high surrogate not followed by a low one is a lone surrogate.
    fn flush_surrogate_if(&mut self, condition: bool) {
        if condition && self.high_surrogate.take().is_some() {
            self.out.strings.extend("\u{FFFD}".as_bytes());
        }
    }

    fn finish(mut self) -> Result<RawSnapshot> {
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

/// Reads the run of ASCII digits at the start of `word` (eight input bytes, little-endian),
/// returning its value and length (1 to 8), with a few multiplications instead of a loop.
#[inline(always)]
fn swar_digits(word: u64) -> (u64, u32) {
    const LOW: u64 = 0x0101_0101_0101_0101;
    // Digits become 0..=9; every other byte is 10 or more, or has its high bit set.
    let x = word ^ (0x30 * LOW);
    // A byte's high bit is set here exactly when it is not a digit. Carries from a non-digit
    // byte only reach later bytes, which do not matter: the first non-digit ends the number.
    let non_digit = (x.wrapping_add(0x76 * LOW) | x) & (0x80 * LOW);
    let count = if non_digit == 0 {
        8
    } else {
        non_digit.trailing_zeros() / 8
    };
    if count == 0 {
        return (0, 0);
    }
    // Align the digits to the top bytes; the zero bytes shifted in act as leading zeros.
    let mut v = x << (64 - 8 * count);
    v = (v & 0x0F0F_0F0F_0F0F_0F0F).wrapping_mul(2561) >> 8;
    v = (v & 0x00FF_00FF_00FF_00FF).wrapping_mul(6_553_601) >> 16;
    v = (v & 0x0000_FFFF_0000_FFFF).wrapping_mul(42_949_672_960_001) >> 32;
    (v, count)
}

/// Feeds decompressed bytes to the machine; remembers the machine's error, since the decoder
/// only passes on an `io::Error`.
struct Sink {
    machine: Machine,
    error: Option<Error>,
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.error.is_some() {
            return Err(std::io::Error::other("parse error"));
        }
        match self.machine.feed(buf) {
            Ok(()) => Ok(buf.len()),
            Err(e) => {
                self.error = Some(e);
                Err(std::io::Error::other("parse error"))
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// One parser exists per file, so the machine is kept inline rather than boxed.
#[allow(clippy::large_enum_variant)]
enum Mode {
    /// Waiting for the first two bytes, to tell gzip from JSON.
    Sniff(Vec<u8>),
    Plain(Machine),
    Gzip(Box<flate2::write::MultiGzDecoder<Sink>>),
    /// After an error: the parser refuses further input.
    Failed(Error),
}

/// The push parser. See the module documentation.
pub struct Parser {
    mode: Mode,
    fed: u64,
}

impl Default for Parser {
    fn default() -> Self {
        Parser::new()
    }
}

impl Parser {
    pub fn new() -> Parser {
        Parser {
            mode: Mode::Sniff(Vec::new()),
            fed: 0,
        }
    }

    /// Bytes fed so far (compressed bytes, for gzip input): the numerator of a progress bar.
    pub fn bytes_fed(&self) -> u64 {
        self.fed
    }

    /// Feeds the next chunk. After an error, every later call returns the same error.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<()> {
        self.fed += chunk.len() as u64;
        let result = self.feed_inner(chunk);
        if let Err(e) = &result {
            self.mode = Mode::Failed(e.clone());
        }
        result
    }

    fn feed_inner(&mut self, chunk: &[u8]) -> Result<()> {
        match &mut self.mode {
            Mode::Sniff(head) => {
                head.extend_from_slice(chunk);
                if head.len() < 2 {
                    return Ok(());
                }
                let head = std::mem::take(head);
                self.mode = if head[0] == 0x1f && head[1] == 0x8b {
                    let sink = Sink {
                        machine: Machine::new(),
                        error: None,
                    };
                    Mode::Gzip(Box::new(flate2::write::MultiGzDecoder::new(sink)))
                } else {
                    Mode::Plain(Machine::new())
                };
                self.feed_inner(&head)
            }
            Mode::Plain(m) => m.feed(chunk),
            Mode::Gzip(decoder) => match decoder.write_all(chunk) {
                Ok(()) => Ok(()),
                Err(e) => Err(gzip_error(decoder.get_mut(), e, self.fed)),
            },
            Mode::Failed(e) => Err(e.clone()),
        }
    }

    /// Ends the input and returns the parsed snapshot.
    pub fn finish(self) -> Result<RawSnapshot> {
        match self.mode {
            Mode::Sniff(head) => {
                if head.is_empty() {
                    return Err(Error::at(Location::File, ErrorKind::Empty));
                }
                let mut m = Machine::new();
                m.feed(&head)?;
                m.finish()
            }
            Mode::Plain(m) => m.finish(),
            Mode::Gzip(mut decoder) => {
                if let Err(e) = decoder.try_finish() {
                    let sink = decoder.get_mut();
                    // A truncated .gz file: say where the JSON inside it stops, which says more
                    // than the decompressor's "unexpected end of file".
                    if sink.error.is_none() && sink.machine.state != State::Done {
                        let m = &sink.machine;
                        return Err(decompressed(Error::at_byte(
                            m.pos,
                            ErrorKind::UnexpectedEnd {
                                inside: m.state.describe(),
                            },
                        )));
                    }
                    return Err(gzip_error(sink, e, self.fed));
                }
                let sink = decoder
                    .finish()
                    .map_err(|e| Error::at(Location::File, ErrorKind::Gzip(e.to_string())))?;
                sink.machine.finish().map_err(decompressed)
            }
            Mode::Failed(e) => Err(e),
        }
    }
}

impl Parser {
    /// The header, once the parser has read it (plain JSON input only).
    pub fn header(&self) -> Option<&Header> {
        match &self.mode {
            Mode::Plain(m) => m.header.as_ref(),
            _ => None,
        }
    }

    /// A parser for the rest of an input from byte `offset`, which must be a record boundary
    /// inside the edges array (the `,` that starts an edge record), given the header that the
    /// parser of the first part read. Inputs with random access (files) can so be parsed in two
    /// halves at once; [`Parser::join`] puts the halves together.
    pub fn resume_in_edges(header: Header, offset: u64) -> Result<Parser> {
        let mut m = Machine::new();
        m.pos = offset;
        m.header = Some(header);
        m.seen[SECTION_HEADER] = true;
        m.seen[SECTION_NODES] = true;
        m.seen[SECTION_EDGES] = true;
        m.begin_int_array(IntSection::Edges, offset)?;
        m.expected_records = u64::MAX;
        m.after_value = true;
        m.state = State::IntArray(IntSection::Edges);
        Ok(Parser {
            mode: Mode::Plain(m),
            fed: 0,
        })
    }

    /// Joins a parser that read an input up to a record boundary inside the edges array with the
    /// [`resume_in_edges`](Parser::resume_in_edges) parser that read the rest.
    pub fn join(first: Parser, second: Parser) -> Result<RawSnapshot> {
        let (Mode::Plain(mut a), Mode::Plain(b)) = (first.mode, second.mode) else {
            return Err(Error::at(
                Location::File,
                ErrorKind::NotASnapshot("cannot join these parsers".into()),
            ));
        };
        let at_boundary = a.state == State::IntArray(IntSection::Edges)
            && !a.in_number
            && a.after_value
            && a.field == 0;
        if !at_boundary {
            return Err(Error::at_byte(
                a.pos,
                ErrorKind::UnexpectedEnd {
                    inside: a.state.describe(),
                },
            ));
        }
        let mut rest = b.finish()?;
        let header = a
            .header
            .take()
            .expect("a parser inside the edges array has read the header");
        let found = a.records + rest.edge_type.len() as u64;
        if found != header.edge_count {
            return Err(Error::at(
                Location::File,
                ErrorKind::CountMismatch {
                    what: "edges",
                    expected: header.edge_count,
                    found,
                },
            ));
        }
        // The first half holds the nodes and the first edges; the second, the other edges and
        // every later section.
        let mut raw = a.out.into_raw(header, rest.trace_tree);
        raw.edge_type.append(&mut rest.edge_type);
        raw.edge_name.append(&mut rest.edge_name);
        raw.edge_to.append(&mut rest.edge_to);
        raw.strings = rest.strings;
        raw.trace_function_infos = rest.trace_function_infos;
        raw.samples = rest.samples;
        raw.locations = rest.locations;
        Ok(raw)
    }
}

/// Offsets inside gzip input count decompressed bytes; say so.
fn decompressed(mut e: Error) -> Error {
    if let Location::Byte(b) = e.location {
        e.location = Location::DecompressedByte(b);
    }
    e
}

/// `fed` is how many compressed bytes had been fed: where the corruption was noticed.
fn gzip_error(sink: &mut Sink, e: std::io::Error, fed: u64) -> Error {
    match sink.error.take() {
        Some(parse) => decompressed(parse),
        None => Error::at_byte(fed, ErrorKind::Gzip(e.to_string())),
    }
}

/// Parses a whole snapshot held in memory (tests and small inputs).
pub fn parse_bytes(bytes: &[u8]) -> Result<RawSnapshot> {
    let mut p = Parser::new();
    p.feed(bytes)?;
    p.finish()
}

#[cfg(test)]
mod swar_tests {
    use super::swar_digits;

    #[test]
    fn swar_reads_leading_digit_runs() {
        let cases: &[(&[u8; 8], u64, u32)] = &[
            (b"12345678", 12345678, 8),
            (b"1,2,3,4,", 1, 1),
            (b"0\n,12345", 0, 1),
            (b"9876543]", 9876543, 7),
            (b"42\xff\xff\xff\xff\xff\xff", 42, 2),
            (b"00000007", 7, 8),
            (b",1234567", 0, 0),
            (b"99999999", 99999999, 8),
            (b"123:4567", 123, 3),
            (b"123/4567", 123, 3),
        ];
        for (bytes, value, count) in cases {
            assert_eq!(
                swar_digits(u64::from_le_bytes(**bytes)),
                (*value, *count),
                "{:?}",
                bytes
            );
        }
    }
}
