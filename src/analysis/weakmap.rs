//! WeakMap ephemeron edge names.
//!
//! V8 names the two internal edges that keep a WeakMap value alive (one from the key, one from
//! the table) `N / part of key (K @id) -> value (V @id) pair in WeakMap (table @id)`. DevTools
//! recognizes them with the regular expression
//! `^\d+( \/ part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(\d+)\))$`;
//! [`parse`] decides the same language by hand (no regex engine in the core), and the cache
//! makes each distinct name cost one parse.

use crate::strings::StringTable;

/// A recognized ephemeron edge name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ephemeron {
    /// Byte offset where the part shared by the key's and the table's edge starts (everything
    /// after the leading number).
    pub shared_from: usize,
    /// The table's object id, or `None` when it does not fit a `u32` (then it matches no node).
    pub table_id: Option<u32>,
}

fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// Consumes ASCII digits at the start of `s`; returns how many.
fn digits(s: &[u8]) -> usize {
    s.iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len())
}

pub fn parse(name: &str) -> Option<Ephemeron> {
    let b = name.as_bytes();
    let lead = digits(b);
    if lead == 0 {
        return None;
    }
    // `.` in the pattern does not match line terminators, and every other part is fixed text
    // or digits, so any line terminator rules the name out.
    if name.contains(is_line_terminator) {
        return None;
    }
    let rest = &b[lead..];
    const HEAD: &[u8] = b" / part of key (";
    if !rest.starts_with(HEAD) {
        return None;
    }
    // The tail: ` pair in WeakMap (table @<digits>)` at the very end.
    let body = rest.strip_suffix(b")")?;
    let table_digits = body
        .iter()
        .rev()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(body.len());
    if table_digits == 0 {
        return None;
    }
    let table_start = body.len() - table_digits;
    const TAIL: &[u8] = b") pair in WeakMap (table @";
    let middle = body[..table_start].strip_suffix(TAIL)?;
    let middle = middle.get(HEAD.len()..)?;
    // `middle` must be `X @<digits>) -> value (Y @<digits>`, X and Y arbitrary. Its end is
    // ` @<digits>`; before that, some ` @<digits>) -> value (` must occur.
    let end_digits = middle
        .iter()
        .rev()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(middle.len());
    if end_digits == 0 {
        return None;
    }
    let value_part = middle[..middle.len() - end_digits].strip_suffix(b" @")?;
    let limit = value_part.len();
    const ARROW: &[u8] = b") -> value (";
    let mut found = false;
    let mut i = 0;
    while i + 2 <= limit {
        if &value_part[i..i + 2] == b" @" {
            let d = digits(&value_part[i + 2..]);
            let after = i + 2 + d;
            if d > 0 && value_part[after..].starts_with(ARROW) && after + ARROW.len() <= limit {
                found = true;
                break;
            }
        }
        i += 1;
    }
    if !found {
        return None;
    }
    let table = &body[table_start..];
    let table_id = std::str::from_utf8(table)
        .ok()
        .and_then(|t| t.parse::<u32>().ok());
    Some(Ephemeron {
        shared_from: lead,
        table_id,
    })
}

/// Caches [`parse`] per string index.
pub struct Cache {
    state: Vec<u8>,
    parsed: rustc_hash::FxHashMap<u32, Ephemeron>,
}

const UNKNOWN: u8 = 0;
const NO: u8 = 1;
const YES: u8 = 2;

impl Cache {
    pub fn new(string_count: usize) -> Cache {
        Cache {
            state: vec![UNKNOWN; string_count],
            parsed: Default::default(),
        }
    }

    pub fn get(&mut self, strings: &StringTable, index: u32) -> Option<Ephemeron> {
        match self.state.get(index as usize).copied() {
            Some(NO) | None => None,
            Some(YES) => self.parsed.get(&index).copied(),
            _ => {
                let result = parse(strings.get(index));
                self.state[index as usize] = if result.is_some() { YES } else { NO };
                if let Some(r) = result {
                    self.parsed.insert(index, r);
                }
                result
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_ephemeron_names_like_the_devtools_regex() {
        let cases: &[(&str, Option<u32>)] = &[
            ("1 / part of key (Object @123) -> value (Object @456) pair in WeakMap (table @789)", Some(789)),
            ("42 / part of key (a @1) -> value (b @2) pair in WeakMap (table @3)", Some(3)),
            // Arbitrary text in the key and value names, including the delimiters themselves.
            ("5 / part of key (x @9) -> value ( @8) pair @7) -> value (z @6) pair in WeakMap (table @10)", Some(10)),
            ("7 / part of key ( @1) -> value ( @2) pair in WeakMap (table @3)", Some(3)),
            ("part of key (a @1) -> value (b @2) pair in WeakMap (table @3)", None),
            ("1 / part of key (a @1) -> value (b @2) pair in WeakMap (table @)", None),
            ("1 / part of key (a @x) -> value (b @2) pair in WeakMap (table @3)", None),
            ("1 / part of key (a\n @1) -> value (b @2) pair in WeakMap (table @3)", None),
            ("1 / part of key (a @1) -> value (b @2) pair in WeakMap (table @3))", None),
            ("elements", None),
        ];
        for (name, table) in cases {
            assert_eq!(parse(name).map(|e| e.table_id.unwrap()), *table, "{name}");
        }
        let e =
            parse("12 / part of key (a @1) -> value (b @2) pair in WeakMap (table @3)").unwrap();
        assert_eq!(e.shared_from, 2);
    }
}
