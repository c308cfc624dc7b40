#!/usr/bin/env bash
# `make fuzz`: runs every fuzz target for FUZZ_SECONDS seconds (default 60) each, one after the
# other on one core, and fails if any of them found a crash, a hang or a memory blow-up.
# FUZZ_TARGETS="parse" limits the run to some targets. New interesting inputs go to
# fuzz/work/<target>/ (not committed; `make fuzz-cmin` folds them into fuzz/corpus/<target>/),
# failing inputs to fuzz/artifacts/<target>/. See "Fuzzing" in README.md.
#
# The limits are issue 13's, on inputs of at most 4 KB (-max_len=4096): the targets themselves
# (fuzz/src/limits.rs) fail a run that takes more than a second of CPU time (the wall clock
# says little on a machine shared with other work) or holds more than 64 bytes per input byte
# plus 16 MiB (libFuzzer's -malloc_limit_mb needs a sanitizer runtime that stable Rust does not
# have). libFuzzer's wall-clock -timeout=10 catches a run that never returns, and -rss_limit_mb
# the process as a whole.
# Builds keep debug assertions and overflow checks on (cargo fuzz's default without -O).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-$(cargo fuzz list)}
failed=()
for target in $targets; do
  case "$target" in
    parse) dict=(-dict=fuzz/snapshot.dict) ;;
    *) dict=() ;;
  esac
  corpora=("fuzz/work/$target" "fuzz/corpus/$target")
  [ -d "fuzz/regressions/$target" ] && corpora+=("fuzz/regressions/$target")
  mkdir -p "fuzz/work/$target"
  echo "fuzz: $target for $seconds s" >&2
  if ! cargo fuzz run -s none "$target" "${corpora[@]}" -- \
      -max_len=4096 -timeout=10 -rss_limit_mb=1024 -max_total_time="$seconds" \
      -print_final_stats=1 "${dict[@]}"; then
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failures in: ${failed[*]} (inputs in fuzz/artifacts/<target>/)" >&2
  exit 1
fi
