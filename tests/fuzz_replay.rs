//! Every input the fuzzers saved, replayed as a plain test with no fuzzing engine: the minimized
//! corpus of each target (`fuzz/corpus/<target>/`) and every past crash, hang or blow-up
//! (`fuzz/regressions/<target>/`, each file named after the bug it found). Each input goes through
//! the very body the fuzz binary runs, with the same checks and the same time and memory limits,
//! so a fixed bug stays fixed. See "Fuzzing" in README.md.

#[path = "../fuzz/src/lib.rs"]
mod fuzz;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

// The memory limit is measured by counting allocations, so this binary counts them too.
#[global_allocator]
static ALLOCATOR: fuzz::limits::Counting = fuzz::limits::Counting;

/// The allocation counter is global: one replay at a time, or each would be charged for the
/// other's memory.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// An input still running after this long is past any limit the targets check (they check
/// after the run), so the watchdog names it and stops the test binary instead of letting
/// `make test` hang.
const STUCK: Duration = Duration::from_secs(60);

/// The input being replayed and when it started.
static CURRENT: Mutex<Option<(PathBuf, Instant)>> = Mutex::new(None);

fn start_watchdog() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        std::thread::spawn(|| loop {
            std::thread::sleep(Duration::from_secs(1));
            let current = CURRENT.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((path, started)) = &*current {
                if started.elapsed() > STUCK {
                    eprintln!("hang: {} has run for over {STUCK:?}", path.display());
                    std::process::abort();
                }
            }
        });
    });
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `dir`, by name (none if it does not exist).
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("readable directory").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

fn replay(target: &str) {
    let (_, body) = fuzz::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .unwrap_or_else(|| panic!("no fuzz target {target} in fuzz/src/lib.rs"));
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let corpus = inputs(&fuzz_dir().join("corpus").join(target));
    assert!(
        !corpus.is_empty(),
        "fuzz/corpus/{target}/ is empty: nothing would be replayed"
    );
    let regressions = inputs(&fuzz_dir().join("regressions").join(target));
    start_watchdog();
    let mut failures = Vec::new();
    for path in corpus.iter().chain(&regressions) {
        let data = std::fs::read(path).expect("readable input");
        *CURRENT.lock().unwrap_or_else(|e| e.into_inner()) = Some((path.clone(), Instant::now()));
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| body(&data))) {
            failures.push(format!("{}: {}", path.display(), panic_message(&*panic)));
        }
        *CURRENT.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
    assert!(
        failures.is_empty(),
        "{} of {} saved inputs of the {target} target fail:\n{}",
        failures.len(),
        corpus.len() + regressions.len(),
        failures.join("\n")
    );
}

#[test]
fn parse_target_passes_every_saved_input() {
    replay("parse");
}

#[test]
fn query_target_passes_every_saved_input() {
    replay("query");
}

/// A target added to the fuzz crate but not to `fuzz::TARGETS` (or the other way round) would
/// never be replayed; every target also needs a test above.
#[test]
fn every_fuzz_binary_is_a_replayed_target() {
    let mut binaries: Vec<String> = inputs(&fuzz_dir().join("fuzz_targets"))
        .iter()
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_owned()))
        .collect();
    binaries.sort();
    let mut listed: Vec<String> = fuzz::TARGETS.iter().map(|(n, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(binaries, listed, "fuzz/fuzz_targets/ against fuzz::TARGETS");
    let this_file = include_str!("fuzz_replay.rs");
    for name in &listed {
        assert!(
            this_file.contains(&format!("replay(\"{name}\")")),
            "tests/fuzz_replay.rs has no test replaying the {name} target"
        );
    }
}
