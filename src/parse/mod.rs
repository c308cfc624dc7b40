//! The streaming parser: bytes in, flat columns out.
//!
//! [`Parser`] is push-based: call [`Parser::feed`] with chunks of any size, then
//! [`Parser::finish`]. It is a byte-level state machine whose whole state lives in the struct, so
//! the result is identical however the input is split (a test feeds fixtures one byte at a time).
//! Nothing buffers the file or a section: numbers go straight into columns that grow to their
//! final size from the header's counts in a few steps, each backed by what the input has proven
//! (so a lying header costs what the file holds), and strings go straight into the
//! [`StringTable`]'s chunks. Input starting with the gzip magic bytes is decompressed on the fly.

mod header;
mod machine;
mod trace;

pub use header::{EdgeField, Header, Meta, NodeField};
pub use trace::TraceNode;

use crate::columns::SizeColumn;
use crate::error::{Error, ErrorKind, Location, Result};
use crate::strings::StringTable;
use machine::{IntSection, Machine, State, SECTION_EDGES, SECTION_HEADER, SECTION_NODES};
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

    /// Called on the parser of the first part once it has read its part, while the other part
    /// is still being parsed: touches the memory that [`Parser::join`] will copy the other
    /// part's edges into. Memory is only really allocated when first written, page by page,
    /// and taking those page faults here, on an otherwise idle thread, keeps them out of the
    /// join, which both threads wait for. Harmless on any other parser.
    pub fn prepare_join(&mut self) {
        if let Mode::Plain(m) = &mut self.mode {
            m.out.touch_spare_edge_capacity();
        }
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
