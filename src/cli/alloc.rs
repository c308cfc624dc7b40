//! The CLI's memory allocator: the system's, except that large blocks are mappings of their own
//! that are kept, once freed, for the next large allocation instead of going back to the kernel.
//!
//! Why: an analysis frees arrays of hundreds of MB that the next one allocates again (the
//! depth-first numbering's 20 bytes a node give way to the dominator tree and the retained
//! sizes). With the system allocator every such block is unmapped and mapped again, and each of
//! its pages faults in anew, so a run touches far more fresh memory than its peak; on a virtual
//! machine whose host backs memory lazily, fresh pages are what makes big runs slow and uneven
//! (README, Performance, has the figures). A recycled block costs nothing if it is the right
//! size, a `memset` if it must be zeroed, and `mremap` to fit otherwise, which gives surplus
//! pages back at once, so the peak resident memory stays what the program really holds.
//!
//! Linux only (it relies on `mremap`); elsewhere this is the system allocator.

use std::alloc::{GlobalAlloc, Layout, System};

/// Blocks of at least this size are mappings of their own. glibc's allocator maps anything above
/// 32 MiB separately anyway; recycling pays from a few MB up.
const LARGE: usize = 4 << 20;
/// At most this many freed blocks wait for reuse; beyond it the smallest one is unmapped.
const SLOTS: usize = 16;
const PAGE: usize = 4096;

pub struct Recycling;

#[cfg(target_os = "linux")]
mod pool {
    use super::{PAGE, SLOTS};
    use std::sync::Mutex;

    /// A freed mapping: its address and its length in bytes (a multiple of the page size).
    #[derive(Clone, Copy)]
    struct Block {
        ptr: usize,
        len: usize,
    }

    /// A fixed array, so that the allocator never allocates to keep its own books.
    static FREED: Mutex<[Option<Block>; SLOTS]> = Mutex::new([None; SLOTS]);

    pub fn round(size: usize) -> usize {
        size.div_ceil(PAGE) * PAGE
    }

    /// A mapping of `len` bytes, recycled if any freed one is waiting, and how many of its first
    /// bytes hold old data (none for a fresh mapping, which the kernel zeroes).
    pub fn take(len: usize) -> Option<(*mut u8, usize)> {
        let reused = {
            let mut freed = FREED.lock().unwrap_or_else(|e| e.into_inner());
            // The smallest block that is large enough, else the largest one, which grows.
            let fits = |b: &Block| b.len >= len;
            let pick = (0..SLOTS)
                .filter(|&i| freed[i].as_ref().is_some_and(fits))
                .min_by_key(|&i| freed[i].map_or(usize::MAX, |b| b.len))
                .or_else(|| {
                    (0..SLOTS)
                        .filter(|&i| freed[i].is_some())
                        .max_by_key(|&i| freed[i].map_or(0, |b| b.len))
                });
            pick.and_then(|i| freed[i].take())
        };
        match reused {
            Some(b) => match resize(b.ptr as *mut u8, b.len, len) {
                // Only the part that was already mapped holds old data.
                Some(ptr) => Some((ptr, b.len.min(len))),
                None => {
                    // Out of memory to grow it: the block waits for a smaller request.
                    give(b.ptr as *mut u8, b.len);
                    None
                }
            },
            None => fresh(len).map(|p| (p, 0)),
        }
    }

    /// Keeps a freed mapping for reuse; with no slot left, unmaps the smallest block.
    pub fn give(ptr: *mut u8, len: usize) {
        let mut evicted = Block {
            ptr: ptr as usize,
            len,
        };
        {
            let mut freed = FREED.lock().unwrap_or_else(|e| e.into_inner());
            // An empty slot counts as a block of length 0, so it is taken first.
            let smallest = (0..SLOTS)
                .min_by_key(|&i| freed[i].map_or(0, |b| b.len))
                .expect("SLOTS is not 0");
            if freed[smallest].map_or(0, |b| b.len) < len {
                match freed[smallest].replace(evicted) {
                    Some(b) => evicted = b,
                    None => return,
                }
            }
        }
        // SAFETY: the block is a mapping this module made and nothing refers to it any more.
        unsafe { libc::munmap(evicted.ptr as *mut libc::c_void, evicted.len) };
    }

    pub fn fresh(len: usize) -> Option<*mut u8> {
        // SAFETY: an anonymous private mapping has no preconditions.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        (p != libc::MAP_FAILED).then_some(p as *mut u8)
    }

    /// Resizes a mapping, moving it if it must grow and cannot in place; surplus pages of a
    /// shrinking one go back to the kernel.
    pub fn resize(ptr: *mut u8, old: usize, new: usize) -> Option<*mut u8> {
        if old == new {
            return Some(ptr);
        }
        // SAFETY: `ptr` and `old` describe a mapping this module made, owned by the caller.
        let p = unsafe { libc::mremap(ptr as *mut libc::c_void, old, new, libc::MREMAP_MAYMOVE) };
        (p != libc::MAP_FAILED).then_some(p as *mut u8)
    }
}

#[cfg(target_os = "linux")]
fn is_large(layout: &Layout) -> bool {
    layout.size() >= LARGE && layout.align() <= PAGE
}

#[cfg(target_os = "linux")]
unsafe impl GlobalAlloc for Recycling {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !is_large(&layout) {
            return System.alloc(layout);
        }
        pool::take(pool::round(layout.size())).map_or(std::ptr::null_mut(), |(p, _)| p)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !is_large(&layout) {
            return System.alloc_zeroed(layout);
        }
        match pool::take(pool::round(layout.size())) {
            Some((p, dirty)) => {
                // Writing zeros over pages already mapped is far cheaper than faulting in
                // fresh ones.
                std::ptr::write_bytes(p, 0, dirty);
                p
            }
            None => std::ptr::null_mut(),
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if !is_large(&layout) {
            return System.dealloc(ptr, layout);
        }
        pool::give(ptr, pool::round(layout.size()));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY (for the layouts built here): the caller guarantees `new_size`, rounded up to
        // the alignment, does not overflow, and the alignment is the old one.
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        match (is_large(&layout), is_large(&new_layout)) {
            (false, false) => System.realloc(ptr, layout, new_size),
            (true, true) => pool::resize(ptr, pool::round(layout.size()), pool::round(new_size))
                .unwrap_or(std::ptr::null_mut()),
            _ => {
                // Crossing the threshold: move to the other allocator.
                let new = self.alloc(new_layout);
                if !new.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                new
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
unsafe impl GlobalAlloc for Recycling {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        System.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        System.realloc(ptr, layout, new_size)
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    fn large(size: usize) -> Layout {
        Layout::from_size_align(size, 8).unwrap()
    }

    /// The point of the allocator: a large block freed is the next large block, without a fresh
    /// mapping. (Other tests run in parallel and use the same pool, so the block may also go to
    /// one of them; the test looks for its own block among a few tries.)
    #[test]
    fn a_freed_large_block_is_reused_and_zeroed_when_asked() {
        let a = Recycling;
        let layout = large(LARGE * 3);
        unsafe {
            let p = a.alloc(layout);
            assert!(!p.is_null());
            std::ptr::write_bytes(p, 0xAB, layout.size());
            a.dealloc(p, layout);
            let q = a.alloc_zeroed(layout);
            assert!(!q.is_null());
            let bytes = std::slice::from_raw_parts(q, layout.size());
            assert!(
                bytes.iter().all(|&b| b == 0),
                "a recycled block was not zeroed"
            );
            a.dealloc(q, layout);
        }
    }

    #[test]
    fn realloc_keeps_the_contents_across_the_threshold_both_ways() {
        let a = Recycling;
        unsafe {
            let small = large(1000);
            let p = a.alloc(small);
            for i in 0..1000 {
                *p.add(i) = i as u8;
            }
            let big = a.realloc(p, small, LARGE * 2);
            assert!(!big.is_null());
            let bigger = a.realloc(big, large(LARGE * 2), LARGE * 5);
            assert!(!bigger.is_null());
            *bigger.add(LARGE * 5 - 1) = 7;
            let back = a.realloc(bigger, large(LARGE * 5), 1000);
            assert!(!back.is_null());
            for i in 0..1000 {
                assert_eq!(*back.add(i), i as u8);
            }
            a.dealloc(back, small);
        }
    }

    #[test]
    fn more_freed_blocks_than_slots_are_unmapped_smallest_first() {
        let a = Recycling;
        unsafe {
            let layouts: Vec<Layout> = (1..=SLOTS + 4).map(|i| large(LARGE + i * PAGE)).collect();
            let blocks: Vec<*mut u8> = layouts.iter().map(|&l| a.alloc(l)).collect();
            for (&p, &l) in blocks.iter().zip(&layouts) {
                assert!(!p.is_null());
                *p.add(l.size() - 1) = 1;
                a.dealloc(p, l);
            }
            // Every block can still be had, recycled or fresh, at any size.
            for &l in layouts.iter().rev() {
                let p = a.alloc_zeroed(l);
                assert!(!p.is_null());
                assert_eq!(*p.add(l.size() - 1), 0);
                a.dealloc(p, l);
            }
        }
    }
}
