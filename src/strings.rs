//! The snapshot's string table: every string's UTF-8 bytes in a few large buffers plus one small
//! index entry per string.
//!
//! The `strings` section can be most of a multi-GB file, and V8 (hence DevTools) cannot hold it as
//! one JS string. Here it is never one allocation either: bytes go into chunks of at most
//! `CHUNK_BYTES`, so no single buffer approaches wasm32's 2 GiB allocation limit, and a string
//! never straddles two chunks, so every string is one contiguous `&str`.

/// The size at which a chunk is closed and a new one started. A single string longer than this
/// gets a chunk of its own.
const CHUNK_BYTES: usize = 64 << 20;

#[derive(Debug, Clone, Copy)]
struct Span {
    chunk: u32,
    start: u32,
    len: u32,
}

/// Strings as UTF-8. Invariant: every sealed span is valid UTF-8 (checked by [`StringTable::end`]),
/// which is what lets [`StringTable::get`] skip re-validation on the hot paths.
#[derive(Debug, Default)]
pub struct StringTable {
    chunks: Vec<Vec<u8>>,
    spans: Vec<Span>,
    /// Where the string being built started in the last chunk, if one is open.
    open: Option<usize>,
}

impl StringTable {
    pub fn new() -> StringTable {
        StringTable::default()
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Returns string `index`. Indexes are validated when the snapshot is built, so an index out
    /// of range here is a bug in heaplens, not bad input; it returns "" rather than panicking.
    pub fn get(&self, index: u32) -> &str {
        match self.spans.get(index as usize) {
            Some(s) => {
                let bytes = &self.chunks[s.chunk as usize][s.start as usize..][..s.len as usize];
                // SAFETY: `end` validated (or lossily repaired) every sealed span as UTF-8, and
                // sealed spans are never modified afterwards.
                unsafe { std::str::from_utf8_unchecked(bytes) }
            }
            None => "",
        }
    }

    /// Appends a whole string and returns its index.
    pub fn push(&mut self, s: &str) -> u32 {
        self.begin();
        self.extend(s.as_bytes());
        self.end()
    }

    /// Starts a string that will be appended piece by piece with [`extend`](Self::extend), so
    /// the parser can copy string contents straight from its input chunks, even when a multi-byte
    /// character is split between two of them.
    pub(crate) fn begin(&mut self) {
        debug_assert!(self.open.is_none());
        match self.chunks.last() {
            // The first chunk grows by doubling, so a small snapshot stays small; once it is
            // full, later chunks are reserved at full size at once.
            None => self.chunks.push(Vec::new()),
            Some(c) if c.len() >= CHUNK_BYTES => self.chunks.push(Vec::with_capacity(CHUNK_BYTES)),
            Some(_) => {}
        }
        self.open = Some(self.chunks.last().map_or(0, |c| c.len()));
    }

    pub(crate) fn extend(&mut self, piece: &[u8]) {
        let Some(start) = self.open else { return };
        let chunk = self.chunks.last_mut().expect("begin pushes a chunk");
        // Keep a string inside one chunk: if this piece would push a partly built string past
        // the chunk limit, move the partial string to a fresh chunk first.
        if start > 0 && chunk.len() + piece.len() > CHUNK_BYTES {
            let partial = chunk[start..].to_vec();
            chunk.truncate(start);
            chunk.shrink_to_fit();
            let mut fresh = Vec::with_capacity(CHUNK_BYTES.max(partial.len() + piece.len()));
            fresh.extend_from_slice(&partial);
            self.chunks.push(fresh);
            self.open = Some(0);
        }
        self.chunks
            .last_mut()
            .expect("a chunk is open")
            .extend_from_slice(piece);
    }

    /// Seals the string being built and returns its index. Invalid UTF-8 (possible only when the
    /// input held raw non-UTF-8 bytes) is replaced by U+FFFD rather than rejected, like a browser
    /// decoding the file would.
    pub(crate) fn end(&mut self) -> u32 {
        let start = self.open.take().expect("end without begin");
        let chunk_index = self.chunks.len() - 1;
        let chunk = &mut self.chunks[chunk_index];
        if !chunk[start..].is_ascii() && std::str::from_utf8(&chunk[start..]).is_err() {
            let repaired = String::from_utf8_lossy(&chunk[start..]).into_owned();
            chunk.truncate(start);
            self.open = Some(start);
            self.extend(repaired.as_bytes());
            return self.end();
        }
        let len = chunk.len() - start;
        let index = self.spans.len() as u32;
        self.spans.push(Span {
            chunk: chunk_index as u32,
            start: start as u32,
            len: len as u32,
        });
        index
    }

    /// Total bytes held, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        self.chunks.iter().map(|c| c.capacity()).sum::<usize>()
            + self.spans.capacity() * std::mem::size_of::<Span>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_built_piecewise_read_back_whole() {
        let mut t = StringTable::new();
        assert_eq!(t.push("<dummy>"), 0);
        t.begin();
        t.extend(b"ab");
        let e_acute = "\u{e9}".as_bytes();
        t.extend(&e_acute[..1]);
        t.extend(&e_acute[1..]);
        assert_eq!(t.end(), 1);
        assert_eq!(t.get(0), "<dummy>");
        assert_eq!(t.get(1), "ab\u{e9}");
        assert_eq!(t.get(7), "");
    }

    #[test]
    fn invalid_utf8_is_repaired_not_rejected() {
        let mut t = StringTable::new();
        t.begin();
        t.extend(b"a\xffb");
        let i = t.end();
        assert_eq!(t.get(i), "a\u{fffd}b");
    }
}
