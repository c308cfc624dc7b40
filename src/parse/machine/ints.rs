//! Integer arrays (`nodes`, `edges`, and the small trace, sample and location arrays): the hot
//! loop of the parser. Digits are read eight at a time (SWAR) and values go straight into
//! columns, validated as they arrive.
//!
//! The node and edge columns are reserved in a few steps that end at the header's counts: first
//! room for at most [`FIRST_RESERVATION`] records, then, each time the records read fill the
//! room, [`GROWTH`] times what the input has proven (see [`next_reservation`]). A header that
//! claims a billion nodes in a file of a few bytes so costs what the file holds, not what it
//! claims, while a real snapshot's columns are moved only a few times, the last move straight
//! to the final size from an eighth of it.

use super::{is_ws, reserve, IntSection, Machine, State};
use crate::error::{Error, ErrorKind, Result};
use crate::parse::header::{EdgeField, NodeField};

impl Machine {
    pub(in crate::parse) fn begin_int_array(&mut self, section: IntSection, at: u64) -> Result<()> {
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
        self.claimed_records = u64::MAX;
        self.reserved_records = u64::MAX;
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
                let detachedness = header.meta.node_fields.contains(&NodeField::Detachedness);
                self.claimed_records = n;
                self.reserved_records = n.min(FIRST_RESERVATION);
                self.out
                    .reserve_nodes(self.reserved_records, detachedness, at)?;
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
                self.claimed_records = n;
                self.reserved_records = n.min(FIRST_RESERVATION);
                self.out.reserve_edges(self.reserved_records, at)?;
            }
            IntSection::TraceFunctionInfos => {
                // A small section: what the header announces is reserved up to a size that
                // costs nothing even when the announcement is false.
                let n = header
                    .trace_function_count
                    .saturating_mul(header.meta.trace_function_info_fields.len() as u64);
                reserve(
                    &mut self.out.trace_function_infos,
                    n.min(FIRST_RESERVATION),
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
    pub(super) fn int_array(
        &mut self,
        buf: &[u8],
        mut i: usize,
        base: u64,
        section: IntSection,
    ) -> Result<usize> {
        let len = buf.len();
        if !self.in_number && !self.after_value && self.field == 0 {
            i = self.records(buf, i, base, section)?;
        }
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
                self.emit(section, acc)?;
                continue;
            }
            if self.in_number {
                // The number ended exactly at the previous chunk's end.
                self.in_number = false;
                self.emit(section, self.acc)?;
            }
            match b {
                b',' if self.after_value => {
                    self.after_value = false;
                    self.need_value = true;
                    if self.field == 0 {
                        i = self.records(buf, i + 1, base, section)?;
                        continue;
                    }
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

    /// The fast path: whole records at once, as long as they have the layout V8 writes (numbers
    /// of at most ten digits, separated by `,`, records by `\n,`) and lie entirely in this chunk.
    /// A record is stored only once all of it has been read, and through the same checks as
    /// the byte-by-byte loop; anything else is left to that loop, which then starts from the
    /// very state it would have reached by itself. Called at the start of a record.
    fn records(&mut self, buf: &[u8], i: usize, base: u64, section: IntSection) -> Result<usize> {
        let each = |emit: fn(&mut Self, u64) -> Result<()>| {
            move |m: &mut Self, values: &[u64], starts: &[usize]| -> Result<bool> {
                for (&value, &start) in values.iter().zip(starts) {
                    m.number_start = base + start as u64;
                    emit(m, value)?;
                }
                Ok(true)
            }
        };
        let usual_edges =
            self.edge_roles == [EdgeField::Type, EdgeField::NameOrIndex, EdgeField::ToNode];
        match (section, usual_edges, self.node_field_count) {
            (IntSection::Nodes, _, _) => self.records_with(buf, i, each(Self::emit_node)),
            (IntSection::Edges, true, 7) => self.records_with(buf, i, Self::store_edge::<7>),
            (IntSection::Edges, true, 6) => self.records_with(buf, i, Self::store_edge::<6>),
            (IntSection::Edges, _, _) => self.records_with(buf, i, each(Self::emit_edge)),
            _ => Ok(i),
        }
    }

    /// Stores an edge record in the usual layout (type, name or index, target), with the
    /// target's field count known at compile time. A record that fails any check is left to the
    /// byte-by-byte loop, which reports it.
    #[inline(always)]
    fn store_edge<const NODE_FIELDS: u64>(&mut self, v: &[u64], _: &[usize]) -> Result<bool> {
        let (kind, name, to) = (v[0], v[1], v[2]);
        let ordinal = to / NODE_FIELDS;
        if self.records == self.reserved_records
            || kind >= self.type_count
            || name > u32::MAX as u64
            || to % NODE_FIELDS != 0
            || ordinal >= self.node_count
        {
            return Ok(false);
        }
        let o = &mut self.out;
        o.edge_type.push(kind as u8);
        o.edge_name.push(name as u32);
        o.edge_to.push(ordinal as u32);
        self.records += 1;
        Ok(true)
    }

    #[inline(always)]
    fn records_with(
        &mut self,
        buf: &[u8],
        mut i: usize,
        store: impl Fn(&mut Self, &[u64], &[usize]) -> Result<bool>,
    ) -> Result<usize> {
        const MAX_FIELDS: usize = 8;
        const MAX_DIGITS: usize = 10;
        let fields = self.field_count;
        if fields > MAX_FIELDS {
            return Ok(i);
        }
        // The longest record the fast path takes, with its separator and the eight bytes the
        // last word read may look at.
        let longest = fields * (MAX_DIGITS + 1) + 2 + 8;
        let mut values = [0u64; MAX_FIELDS];
        let mut starts = [0usize; MAX_FIELDS];
        'records: while i + longest <= buf.len() {
            let mut j = i;
            for f in 0..fields {
                if f > 0 {
                    if buf[j] != b',' {
                        break 'records;
                    }
                    j += 1;
                }
                let word = u64::from_le_bytes(buf[j..j + 8].try_into().expect("eight bytes"));
                let (mut value, count) = swar_digits(word);
                if count == 0 {
                    break 'records;
                }
                starts[f] = j;
                j += count as usize;
                if count == 8 {
                    while buf[j].is_ascii_digit() {
                        if j - starts[f] == MAX_DIGITS {
                            break 'records;
                        }
                        value = value * 10 + (buf[j] - b'0') as u64;
                        j += 1;
                    }
                }
                values[f] = value;
            }
            if !store(self, &values[..fields], &starts[..fields])? {
                break;
            }
            self.after_value = true;
            self.need_value = false;
            match (buf[j], buf[j + 1]) {
                (b',', _) => j += 1,
                (b'\n', b',') => j += 2,
                _ => return Ok(j),
            }
            self.after_value = false;
            self.need_value = true;
            i = j;
        }
        Ok(i)
    }

    /// Stores a complete number; a `,` or `]` must follow.
    #[inline(always)]
    fn emit(&mut self, section: IntSection, v: u64) -> Result<()> {
        match section {
            IntSection::Nodes => self.emit_node(v)?,
            IntSection::Edges => self.emit_edge(v)?,
            IntSection::TraceFunctionInfos => self.out.trace_function_infos.push(v),
            IntSection::Samples => self.out.samples.push(v),
            IntSection::Locations => self.out.locations.push(v),
        }
        self.after_value = true;
        self.need_value = false;
        Ok(())
    }

    /// A record may start only while the header's count allows one more, and once the columns
    /// have room for it.
    #[inline(always)]
    fn check_room(&mut self, section: IntSection) -> Result<()> {
        if self.field == 0 && self.records == self.reserved_records {
            self.make_room(section)?;
        }
        Ok(())
    }

    /// The columns are full: fails if the header's count is reached, else grows them.
    #[cold]
    #[inline(never)]
    fn make_room(&mut self, section: IntSection) -> Result<()> {
        let what = match section {
            IntSection::Nodes => "nodes",
            _ => "edges",
        };
        if self.records == self.expected_records {
            let expected = self.expected_records;
            return Err(Error::at_byte(
                self.number_start,
                ErrorKind::CountMismatch {
                    what,
                    expected,
                    found: expected + 1,
                },
            ));
        }
        let next = next_reservation(self.records, self.claimed_records);
        let at = self.number_start;
        match section {
            IntSection::Nodes => {
                let detachedness = self.out.detachedness.capacity() > 0;
                self.out.reserve_nodes(next, detachedness, at)?;
            }
            _ => self.out.reserve_edges(next, at)?,
        }
        debug_assert!(next > self.records, "the {what} columns must grow");
        self.reserved_records = next;
        Ok(())
    }

    /// Moves to the next field, and to the next record after the last field.
    #[inline(always)]
    fn next_field(&mut self) {
        self.field += 1;
        if self.field == self.field_count {
            self.field = 0;
            self.records += 1;
        }
    }

    #[inline(always)]
    fn emit_node(&mut self, v: u64) -> Result<()> {
        let at = self.number_start;
        let field = self.field;
        self.check_room(IntSection::Nodes)?;
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
                    reserve(&mut o.trace_node_id, self.reserved_records, "nodes", at)?;
                    o.trace_node_id.resize(self.records as usize, 0);
                }
                if !o.trace_node_id.is_empty() {
                    o.trace_node_id.push(small(v, "a trace node id")?);
                }
            }
            NodeField::Detachedness => o.detachedness.push((v & 3) as u8),
            NodeField::Other => {}
        }
        self.next_field();
        Ok(())
    }

    #[inline(always)]
    fn emit_edge(&mut self, v: u64) -> Result<()> {
        let at = self.number_start;
        let field = self.field;
        self.check_room(IntSection::Edges)?;
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
        self.next_field();
        Ok(())
    }

    pub(super) fn end_int_array(&mut self, section: IntSection, at: u64) -> Result<()> {
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
}

/// Records the node and edge columns have room for before the input has proven any.
const FIRST_RESERVATION: u64 = 1 << 16;
/// How many times the records read so far the columns may grow to at once.
const GROWTH: u64 = 8;

/// The room to make when `records` records fill the columns and the header claims `claimed`:
/// at most [`GROWTH`] times `records`, and the claim itself as soon as that is within reach. The
/// step before the claim is at most an eighth of it, so moving a real snapshot's columns to
/// their final size leaves little behind. Past the claim (a parser resumed inside the edges,
/// which cannot count against the header), the columns double.
fn next_reservation(records: u64, claimed: u64) -> u64 {
    if records >= claimed {
        records.saturating_mul(2).max(records + 1)
    } else if records.saturating_mul(GROWTH) >= claimed {
        claimed
    } else {
        (records * GROWTH)
            .min(claimed.div_ceil(GROWTH))
            .max(records + 1)
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

#[cfg(test)]
mod reservation_tests {
    use super::{next_reservation, FIRST_RESERVATION, GROWTH};

    /// The reservations a section goes through while a file really holds what its header claims.
    fn steps(claimed: u64) -> Vec<u64> {
        let mut room = vec![claimed.min(FIRST_RESERVATION)];
        while *room.last().unwrap() < claimed {
            room.push(next_reservation(*room.last().unwrap(), claimed));
        }
        room
    }

    #[test]
    fn columns_grow_only_by_what_the_input_proved_and_end_at_the_claim() {
        for claimed in [
            0,
            1,
            1000,
            FIRST_RESERVATION,
            FIRST_RESERVATION + 1,
            4_100_000,
            20_000_000,
            75_000_000,
            u32::MAX as u64,
        ] {
            let room = steps(claimed);
            assert_eq!(*room.last().unwrap(), claimed, "{claimed}: {room:?}");
            for pair in room.windows(2) {
                // Each step is made when the previous room is full: the records read prove it.
                assert!(
                    pair[1] > pair[0] && pair[1] <= pair[0] * GROWTH,
                    "{claimed}: {room:?}"
                );
            }
            if room.len() > 1 {
                // The last move leaves behind at most an eighth of the final columns.
                assert!(
                    room[room.len() - 2] <= claimed.div_ceil(GROWTH).max(FIRST_RESERVATION),
                    "{claimed}: {room:?}"
                );
            }
            assert!(room.len() <= 7, "{claimed}: {room:?}");
        }
    }

    #[test]
    fn past_the_claim_columns_keep_growing() {
        assert_eq!(next_reservation(100, 100), 200);
        assert_eq!(next_reservation(0, 0), 1);
    }
}
