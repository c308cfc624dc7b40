//! The resource bounds of issue 13, checked by every target on every input: one run may take at
//! most a second per 4 KB of input (a longer run is a hang), and may ask the allocator for at most
//! 64 bytes per input byte plus a fixed 16 MiB at any moment (more is a memory blow-up).
//!
//! Time is the CPU time of the process (every thread of the run), not the wall clock: on a
//! machine shared with other work a run of a few milliseconds can wait a second for a core, and
//! that is no hang. A run that never returns is left to libFuzzer's wall-clock `-timeout` (and
//! to the replay test's watchdog).
//!
//! Memory is counted by [`Counting`], the global allocator of the fuzz binaries and of the replay
//! test, as bytes *requested*: that is what a WebAssembly build pays for (linear memory grows to
//! fit every allocation and never shrinks), whether or not the pages are ever written. libFuzzer's
//! own `-malloc_limit_mb` cannot see Rust's allocations without a sanitizer runtime, which stable
//! Rust (`-s none`) does not have, hence this allocator; `-rss_limit_mb` stays on as a backstop.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Duration;

/// Bytes a run may hold per byte of its input.
pub const BYTES_PER_INPUT_BYTE: usize = 64;
/// Bytes a run may hold whatever its input: thread stacks' bookkeeping, the gzip decoder's
/// window, the first chunk of the string table and other costs that do not grow with the input.
pub const FIXED_BYTES: usize = 16 << 20;
/// CPU time a run may take per started 4 KB of input.
pub const TIME_PER_4KB: Duration = Duration::from_secs(1);
/// A single request above this is refused (the allocation fails) instead of being served, so that
/// a blow-up is reported rather than exhausting the machine. It is far above every bound checked
/// here, so a refusal is always also reported as a blow-up.
const REFUSE_ABOVE: usize = 1 << 30;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, counting the bytes live and the peak since the last [`Budget::start`].
pub struct Counting;

impl Counting {
    fn request(size: usize) {
        let live = LIVE.fetch_add(size, Relaxed) + size;
        PEAK.fetch_max(live, Relaxed);
    }

    fn release(size: usize) {
        LIVE.fetch_sub(size, Relaxed);
    }
}

// SAFETY: every call is passed on to `System` unchanged (or refused with a null pointer, which
// the `GlobalAlloc` contract allows); the counters never affect what is returned.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Counting::request(layout.size());
        let p = if layout.size() > REFUSE_ABOVE {
            std::ptr::null_mut()
        } else {
            System.alloc(layout)
        };
        if p.is_null() {
            Counting::release(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Counting::request(layout.size());
        let p = if layout.size() > REFUSE_ABOVE {
            std::ptr::null_mut()
        } else {
            System.alloc_zeroed(layout)
        };
        if p.is_null() {
            Counting::release(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        Counting::release(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // While a block moves, the old and the new one are both held.
        Counting::request(new_size);
        let p = if new_size > REFUSE_ABOVE {
            std::ptr::null_mut()
        } else {
            System.realloc(ptr, layout, new_size)
        };
        if p.is_null() {
            Counting::release(new_size);
        } else {
            Counting::release(layout.size());
        }
        p
    }
}

/// CPU time used by the whole process so far.
fn cpu_time() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec it is given.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "the process CPU clock is unavailable");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// One run's limits: started before the code under test runs, checked after.
pub struct Budget {
    base: usize,
    started: Duration,
}

impl Budget {
    /// Starts counting. Panics if [`Counting`] is not the global allocator, since every memory
    /// check would then pass without measuring anything.
    pub fn start() -> Budget {
        let before = LIVE.load(Relaxed);
        let probe = std::hint::black_box(vec![0u8; 4096]);
        let installed = LIVE.load(Relaxed) >= before + probe.len();
        drop(probe);
        assert!(
            installed,
            "limits::Counting must be the #[global_allocator] of every binary that runs a target"
        );
        let base = LIVE.load(Relaxed);
        PEAK.store(base, Relaxed);
        Budget {
            base,
            started: cpu_time(),
        }
    }

    /// Panics if the run since [`Budget::start`] took too long or held too much for an input of
    /// `input_len` bytes.
    pub fn check(self, input_len: usize) {
        let used = cpu_time().saturating_sub(self.started);
        let allowed_time = TIME_PER_4KB * input_len.div_ceil(4096).max(1) as u32;
        assert!(
            used <= allowed_time,
            "hang: the run took {used:?} of CPU time on {input_len} bytes (at most {allowed_time:?})"
        );
        let peak = PEAK.load(Relaxed).saturating_sub(self.base);
        let allowed_bytes = BYTES_PER_INPUT_BYTE * input_len + FIXED_BYTES;
        assert!(
            peak <= allowed_bytes,
            "memory blow-up: the run held {peak} bytes at its peak on {input_len} bytes of input \
             (at most {allowed_bytes})"
        );
    }
}
