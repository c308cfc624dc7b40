//! Typed errors. Every failure on bad input says what is wrong and where: the byte offset in the
//! (decompressed) input for syntax errors, or the node or edge ordinal for graph errors found
//! after parsing. The edges turn these into one-line messages; nothing here panics on input data.

use std::fmt;

/// Where in the input a problem was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// Byte offset into the JSON text.
    Byte(u64),
    /// Byte offset into the decompressed JSON text of a gzip-compressed input.
    DecompressedByte(u64),
    /// The node with this ordinal (its position in `nodes`, counting from 0).
    Node(u32),
    /// The edge with this ordinal (its position in `edges`, counting from 0).
    Edge(u32),
    /// The problem concerns the whole file (for example, it ended too early).
    File,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input is empty.
    Empty,
    /// The input ended in the middle of the named construct.
    UnexpectedEnd { inside: &'static str },
    /// A byte that cannot appear here; `expected` says what could.
    UnexpectedByte { found: u8, expected: &'static str },
    /// Valid JSON (so far) that is not a heap snapshot, or misses a required part.
    NotASnapshot(String),
    /// The `snapshot` header is malformed or lacks a required field.
    BadHeader(String),
    /// A number does not fit the field it is stored in.
    NumberTooLarge { field: &'static str },
    /// An array holds more or fewer values than the header announced.
    CountMismatch {
        what: &'static str,
        expected: u64,
        found: u64,
    },
    /// A node's type index is not in `meta.node_types`.
    BadNodeType(u64),
    /// An edge's type index is not in `meta.edge_types`.
    BadEdgeType(u64),
    /// An edge's `to_node` is not the offset of a node.
    BadEdgeTarget(u64),
    /// A name refers past the end of `strings`.
    StringIndexOutOfRange { index: u32, strings: u32 },
    /// A string holds an invalid escape sequence.
    BadEscape,
    /// The gzip stream is corrupt.
    Gzip(String),
    /// The snapshot is larger than this build can hold (for example, more than 2^32 edges).
    TooLarge(String),
}

/// An error from parsing or building a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub location: Location,
}

impl Error {
    pub(crate) fn at_byte(offset: u64, kind: ErrorKind) -> Error {
        Error {
            kind,
            location: Location::Byte(offset),
        }
    }

    pub(crate) fn at(location: Location, kind: ErrorKind) -> Error {
        Error { kind, location }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Empty => f.write_str("the input is empty")?,
            ErrorKind::UnexpectedEnd { inside } => write!(
                f,
                "the input ends too early, inside {inside} (truncated file?)"
            )?,
            ErrorKind::UnexpectedByte { found, expected } => {
                if found.is_ascii_graphic() {
                    write!(f, "unexpected '{}', expected {expected}", *found as char)?
                } else {
                    write!(f, "unexpected byte 0x{found:02x}, expected {expected}")?
                }
            }
            ErrorKind::NotASnapshot(why) => write!(f, "not a V8 heap snapshot: {why}")?,
            ErrorKind::BadHeader(why) => write!(f, "bad snapshot header: {why}")?,
            ErrorKind::NumberTooLarge { field } => write!(f, "number too large for {field}")?,
            ErrorKind::CountMismatch {
                what,
                expected,
                found,
            } => write!(
                f,
                "{what}: the header says {expected}, the file has {found}"
            )?,
            ErrorKind::BadNodeType(t) => write!(f, "node type {t} is not in meta.node_types")?,
            ErrorKind::BadEdgeType(t) => write!(f, "edge type {t} is not in meta.edge_types")?,
            ErrorKind::BadEdgeTarget(t) => write!(f, "edge target {t} does not point at a node")?,
            ErrorKind::StringIndexOutOfRange { index, strings } => write!(
                f,
                "string index {index} is out of range (the strings section has {strings})"
            )?,
            ErrorKind::BadEscape => f.write_str("invalid escape sequence in a string")?,
            ErrorKind::Gzip(why) => write!(f, "corrupt gzip data: {why}")?,
            ErrorKind::TooLarge(why) => write!(f, "snapshot too large: {why}")?,
        }
        match self.location {
            Location::Byte(b) => write!(f, " (at byte {b})"),
            Location::DecompressedByte(b) => write!(f, " (at byte {b} of the decompressed data)"),
            Location::Node(n) => write!(f, " (at node {n})"),
            Location::Edge(e) => write!(f, " (at edge {e})"),
            Location::File => Ok(()),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
