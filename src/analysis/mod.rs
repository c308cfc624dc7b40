//! The analyses DevTools runs on a loaded snapshot, in DevTools' order, each as a plain function
//! over the graph's columns. All traversals are iterative with explicit worklists: a chain of a
//! million objects must not overflow a stack, in wasm least of all.
//!
//! Where DevTools' result depends on traversal order (distances through WeakMap ephemerons), the
//! traversal order is DevTools' own.

pub mod classes;
pub mod distances;
pub mod dom_state;
pub mod dominators;
pub mod flags;
pub mod interfaces;
pub mod shallow;
pub mod statistics;
pub mod weakmap;

/// Asks the CPU to start loading `value`'s cache line. A hint only: no effect on results, and
/// nothing at all on targets without a prefetch instruction.
#[inline(always)]
pub(crate) fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetching is a hint that never faults, and SSE is part of x86_64's baseline.
    #[allow(unused_unsafe)]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            (value as *const T).cast::<i8>(),
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// A column of `len` elements whose every element has been written. `vec![0; len]` only maps
/// zeroed pages and leaves their first touches (their page faults, a tenth of a second a GB at
/// best, over a second on some virtual machines) to whoever writes them first; storage made
/// with this on the thread that has time to spare spares the critical path. `black_box` keeps
/// the optimizer from turning the writes back into a zeroed allocation, and the contents are
/// meant to be overwritten.
pub fn written_column(len: usize) -> Vec<u32> {
    let mut v = Vec::with_capacity(len);
    v.resize(len, std::hint::black_box(0u32));
    v
}

/// For walks whose worklist is a queue (where order does not matter, or is breadth-first):
/// starts loading what expanding the nodes `far` and `near` places ahead will read. The farther
/// one's edge range first; the nearer one's first edge target and type, its range being in cache
/// by then.
#[inline]
pub(crate) fn prefetch_queued(g: &crate::graph::Graph, far: Option<u32>, near: Option<u32>) {
    if let Some(far) = far {
        prefetch(&g.first_edge[far as usize]);
    }
    if let Some(near) = near {
        let first = g.first_edge[near as usize] as usize;
        if first < g.edge_to.len() {
            prefetch(&g.edge_to[first]);
            prefetch(&g.edge_type[first]);
        }
    }
}

/// A fixed-size bit set.
#[derive(Debug, Clone)]
pub struct BitVec {
    words: Vec<u64>,
}

impl BitVec {
    pub fn new(len: usize) -> BitVec {
        BitVec {
            words: vec![0; len.div_ceil(64)],
        }
    }

    #[inline]
    pub fn get(&self, i: usize) -> bool {
        self.words[i >> 6] & (1 << (i & 63)) != 0
    }

    /// Asks the CPU to start loading the word that holds bit `i` (see [`prefetch`]).
    #[inline]
    pub fn prefetch(&self, i: usize) {
        if let Some(word) = self.words.get(i >> 6) {
            prefetch(word);
        }
    }

    #[inline]
    pub fn set(&mut self, i: usize) {
        self.words[i >> 6] |= 1 << (i & 63);
    }

    pub fn heap_bytes(&self) -> usize {
        self.words.capacity() * 8
    }
}

/// JavaScript's `parseInt(s, 10)`: leading whitespace, an optional sign, then as many decimal
/// digits as there are. `None` stands for NaN. DevTools applies it to edge names.
pub fn js_parse_int(s: &str) -> Option<f64> {
    let t = s.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let end = digits
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    if end == 0 {
        return None;
    }
    let mut v = 0f64;
    for b in digits[..end].bytes() {
        v = v * 10.0 + (b - b'0') as f64;
    }
    Some(if negative { -v } else { v })
}

/// JavaScript's string order (UTF-16 code units), which differs from Rust's (code points) only
/// when characters above U+FFFF meet characters in U+E000..U+FFFF.
pub fn js_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

/// JavaScript's `string.length`: UTF-16 code units.
pub fn js_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().map(char::len_utf16).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_int_follows_javascript() {
        assert_eq!(js_parse_int("12"), Some(12.0));
        assert_eq!(js_parse_int("  7abc"), Some(7.0));
        assert_eq!(js_parse_int("-4"), Some(-4.0));
        assert_eq!(js_parse_int("map"), None);
        assert_eq!(js_parse_int(""), None);
    }

    #[test]
    fn string_order_is_utf16() {
        use std::cmp::Ordering;
        // U+FF5E sorts after U+1F600 in code points but before it in UTF-16 code units.
        assert_eq!(js_cmp("\u{1F600}", "\u{FF5E}"), Ordering::Less);
        assert_eq!(js_cmp("a", "b"), Ordering::Less);
        assert_eq!(js_len("a\u{1F600}"), 3);
    }
}
