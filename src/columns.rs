//! Flat storage shared by every layer: the self-size column, a fixed-size bit set, and the two
//! memory helpers the hot passes use (prefetch hints, and columns whose pages are already
//! written). A leaf module: it knows nothing of snapshots.

use rustc_hash::FxHashMap as HashMap;

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
/// zeroed pages and leaves their first touches (their page faults) to whoever writes them
/// first; storage made with this on the thread that has time to spare spares the critical
/// path. `black_box` keeps the optimizer from turning the writes back into a zeroed
/// allocation, and the contents are meant to be overwritten.
pub fn written_column(len: usize) -> Vec<u32> {
    let mut v = Vec::with_capacity(len);
    v.resize(len, std::hint::black_box(0u32));
    v
}

/// Self sizes: `u32` per node, with the rare sizes of 4 GiB and more kept aside so they never
/// wrap (a single ArrayBuffer backing store can exceed 4 GiB).
#[derive(Debug, Default, Clone)]
pub struct SizeColumn {
    small: Vec<u32>,
    big: HashMap<u32, u64>,
}

const BIG: u32 = u32::MAX;

impl SizeColumn {
    pub fn reserve(
        &mut self,
        n: usize,
    ) -> std::result::Result<(), std::collections::TryReserveError> {
        self.small.try_reserve_exact(n)
    }

    pub fn push(&mut self, v: u64) {
        if v >= BIG as u64 {
            self.big.insert(self.small.len() as u32, v);
            self.small.push(BIG);
        } else {
            self.small.push(v as u32);
        }
    }

    #[inline]
    pub fn get(&self, i: u32) -> u64 {
        let v = self.small[i as usize];
        if v == BIG {
            self.big.get(&i).copied().unwrap_or(BIG as u64)
        } else {
            v as u64
        }
    }

    pub fn set(&mut self, i: u32, v: u64) {
        if v >= BIG as u64 {
            self.big.insert(i, v);
            self.small[i as usize] = BIG;
        } else {
            if self.small[i as usize] == BIG {
                self.big.remove(&i);
            }
            self.small[i as usize] = v as u32;
        }
    }

    pub fn len(&self) -> usize {
        self.small.len()
    }

    pub fn is_empty(&self) -> bool {
        self.small.is_empty()
    }

    /// Heap bytes held, for the memory report.
    pub fn heap_bytes(&self) -> usize {
        4 * self.small.capacity() + 16 * self.big.capacity()
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

    #[inline]
    pub fn clear(&mut self, i: usize) {
        self.words[i >> 6] &= !(1 << (i & 63));
    }

    /// How many bits are set.
    pub fn count_ones(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn heap_bytes(&self) -> usize {
        self.words.capacity() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_of_4_gib_and_more_do_not_wrap() {
        let mut c = SizeColumn::default();
        c.push(7);
        c.push(5 << 32);
        assert_eq!(c.get(1), 5 << 32);
        c.set(1, 9);
        assert_eq!(c.get(1), 9);
        c.set(0, u32::MAX as u64);
        assert_eq!(c.get(0), u32::MAX as u64);
    }

    #[test]
    fn bits_set_and_clear() {
        let mut b = BitVec::new(130);
        b.set(0);
        b.set(129);
        assert!(b.get(129) && !b.get(128));
        assert_eq!(b.count_ones(), 2);
        b.clear(0);
        assert!(!b.get(0));
    }
}
