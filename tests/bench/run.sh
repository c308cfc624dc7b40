#!/usr/bin/env bash
# Benchmark (not a test): the heaplens CLI vs Chrome DevTools' heap snapshot worker
# (heap-snapshot-toolkit) on the same big, realistic snapshot, in one run.
#
#   tests/bench/run.sh          # ~500 MB snapshot
#   tests/bench/run.sh --big    # ~1.9 GB snapshot (DevTools needs ~6 GB of RAM for it)
#
# The snapshot is generated on first use by gen-snapshot.mjs into
# ${HEAPLENS_BENCH_CACHE:-$HOME/.cache/heaplens-bench} (outside the repo). The CLI is built with
# `cargo build --release` unless HEAPLENS_BIN names a binary to use instead. Both tools run under
# GNU time (wall seconds, peak RSS), after one `cat FILE > /dev/null` so that both read from a
# warm page cache. heaplens runs HEAPLENS_RUNS times (default 3) and its median run counts: on
# this VM, memory the host took back while the machine idled costs up to 6 us a page on first
# touch, so the first run after a pause is 20-30% slower at 1.9 GB (parsing alone spends 3 s in
# the kernel instead of 1 s). DevTools runs once (80 s at 1.9 GB, where that noise is small).
# Prints a table and writes the same to target/bench-result-<size>.json. Exits non-zero if
# generation, the build or either tool fails.
set -euo pipefail

usage() { sed -n '2,17s/^# \{0,1\}//p' "$0"; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }
log() { printf 'bench: %s\n' "$*" >&2; }

size=500M
for arg in "$@"; do
  case "$arg" in
    --big) size=1.9G ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $arg" ;;
  esac
done

# A relative HEAPLENS_BIN means relative to where we were started, not to the repo.
if [ -n "${HEAPLENS_BIN:-}" ] && [ -e "$HEAPLENS_BIN" ]; then HEAPLENS_BIN=$(realpath "$HEAPLENS_BIN"); fi
cd "$(dirname "$0")/../.."
repo=$PWD
TIME=/usr/bin/time
DEVTOOLS_HEAP_MB=16000

[ -x "$TIME" ] || die "GNU time not found at $TIME (apt-get install time)"
command -v node >/dev/null || die "node not found on PATH"
[ -f node_modules/heap-snapshot-toolkit/package.json ] ||
  die "node_modules/heap-snapshot-toolkit is missing: run .ci/setup.sh native (or npm ci)"

# --- the snapshot ----------------------------------------------------------------------------
cache=${HEAPLENS_BENCH_CACHE:-$HOME/.cache/heaplens-bench}
file=$cache/bench-$size.heapsnapshot
node tests/bench/gen-snapshot.mjs --size "$size" >&2 || die "generating $file failed"
[ -s "$file" ] || die "$file is missing or empty after generation"
file_bytes=$(stat -L -c %s "$file")
header=$(head -c 4096 "$file")
node_count=$(grep -o '"node_count":[0-9]*' <<<"$header" | head -n1 | cut -d: -f2 || true)
edge_count=$(grep -o '"edge_count":[0-9]*' <<<"$header" | head -n1 | cut -d: -f2 || true)
[ -n "$node_count" ] && [ -n "$edge_count" ] || die "$file has no node_count/edge_count in its header"

# --- the heaplens binary ---------------------------------------------------------------------
if [ -n "${HEAPLENS_BIN:-}" ]; then
  bin=$HEAPLENS_BIN
  [ -x "$bin" ] || die "HEAPLENS_BIN=$bin is not an executable file"
  log "using HEAPLENS_BIN=$bin (not building)"
else
  command -v cargo >/dev/null || die "cargo not found on PATH (or set HEAPLENS_BIN)"
  log "building: cargo build --release"
  cargo build --release >&2 || die "cargo build --release failed"
  bin=${CARGO_TARGET_DIR:-$repo/target}/release/heaplens
  [ -x "$bin" ] || die "cargo build --release succeeded but produced no $bin (is the CLI binary there yet?)"
fi

mkdir -p "$repo/target"
result_json=$repo/target/bench-result-$size.json
rm -f "$result_json"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/heaplens-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- timing ----------------------------------------------------------------------------------
# timed NAME WHAT CMD...: runs CMD under GNU time; sets <NAME>_rc, <NAME>_wall, <NAME>_rss_kib and
# <NAME>_load (the 1-minute load average just before: the machine may be busy with other work).
timed() {
  local name=$1 what=$2; shift 2
  local load rc=0 line
  load=$(cut -d' ' -f1 /proc/loadavg)
  log "running $name (load average $load): $what"
  "$TIME" -f '%e %M' -o "$tmp/$name.time" -- "$@" || rc=$?
  line=$(tail -n1 "$tmp/$name.time" 2>/dev/null || true)
  if [ "$rc" -ne 0 ]; then
    log "$name FAILED (exit $rc): $(head -n1 "$tmp/$name.time" 2>/dev/null || true)"
  fi
  printf -v "${name}_rc" '%s' "$rc"
  printf -v "${name}_wall" '%s' "${line%% *}"
  printf -v "${name}_rss_kib" '%s' "${line##* }"
  printf -v "${name}_load" '%s' "$load"
}

log "warming the page cache: cat $file > /dev/null"
cat "$file" > /dev/null

runs=${HEAPLENS_RUNS:-3}
h_walls=() h_rsses=() heaplens_rc=0
for i in $(seq "$runs"); do
  timed heaplens "$bin summary $file --json > /dev/null (run $i of $runs)" sh -c 'exec "$1" summary "$2" --json > /dev/null' sh "$bin" "$file"
  [ "$heaplens_rc" -eq 0 ] || break
  h_walls+=("$heaplens_wall") h_rsses+=("$heaplens_rss_kib")
done
timed devtools "node --max-old-space-size=$DEVTOOLS_HEAP_MB tests/bench/devtools-run.mjs $file" sh -c 'exec node --max-old-space-size="$1" tests/bench/devtools-run.mjs "$2" > "$3"' \
  sh "$DEVTOOLS_HEAP_MB" "$file" "$tmp/devtools.out"
devtools_out=$(cat "$tmp/devtools.out" 2>/dev/null || true)

# --- report ----------------------------------------------------------------------------------
B_SIZE=$size B_FILE=$file B_FILE_BYTES=$file_bytes B_NODES=$node_count B_EDGES=$edge_count \
B_BIN=$bin B_OUT=$result_json B_DEVTOOLS_OUT=$devtools_out B_CPUS=$(nproc) \
B_H_RC=$heaplens_rc B_H_WALLS="${h_walls[*]}" B_H_RSSES="${h_rsses[*]}" B_H_LOAD=$heaplens_load \
B_D_RC=$devtools_rc B_D_WALL=$devtools_wall B_D_RSS=$devtools_rss_kib B_D_LOAD=$devtools_load \
node --input-type=commonjs - <<'EOF'
const e = process.env
const fileBytes = Number(e.B_FILE_BYTES)
const run = (rc, wall, rssKiB, load) => Number(rc) === 0
  ? { ok: true, wall_s: Number(wall), peak_rss_bytes: Number(rssKiB) * 1024, load_avg_1m: Number(load) }
  : { ok: false, exit_code: Number(rc), load_avg_1m: Number(load) }
// heaplens' median run by wall time, with every run kept in the result.
const hRuns = e.B_H_WALLS.split(' ').filter(Boolean).map((w, i) =>
  ({ wall_s: Number(w), peak_rss_kib: Number(e.B_H_RSSES.split(' ')[i]) }))
const median = [...hRuns].sort((a, b) => a.wall_s - b.wall_s)[(hRuns.length - 1) >> 1]
const h = run(e.B_H_RC, median?.wall_s, median?.peak_rss_kib, e.B_H_LOAD)
if (h.ok) h.runs = hRuns.map((r) => ({ wall_s: r.wall_s, peak_rss_bytes: r.peak_rss_kib * 1024 }))
const d = run(e.B_D_RC, e.B_D_WALL, e.B_D_RSS, e.B_D_LOAD)
for (const r of [h, d]) if (r.ok) r.rss_per_file_byte = r.peak_rss_bytes / fileBytes
let devtoolsOutput = null
try { devtoolsOutput = JSON.parse(e.B_DEVTOOLS_OUT) } catch {}
const result = {
  size: e.B_SIZE,
  file: e.B_FILE,
  file_bytes: fileBytes,
  node_count: Number(e.B_NODES),
  edge_count: Number(e.B_EDGES),
  cpus: Number(e.B_CPUS),
  node_version: process.version,
  heaplens_bin: e.B_BIN,
  heaplens: h,
  devtools: { ...d, output: devtoolsOutput },
  speed_ratio: h.ok && d.ok && h.wall_s > 0 ? d.wall_s / h.wall_s : null,
  memory_ratio: h.ok && d.ok && h.peak_rss_bytes > 0 ? d.peak_rss_bytes / h.peak_rss_bytes : null,
}
const mb = (b) => (b / 1e6).toFixed(0)
console.log(`\nsnapshot: ${result.file}`)
console.log(`          ${mb(fileBytes)} MB, ${result.node_count} nodes, ${result.edge_count} edges, ${result.cpus} CPUs`)
console.log('tool        wall s   peak RSS MB   RSS/file   load avg')
if (h.ok) console.log(`heaplens runs: ${h.runs.map((r) => r.wall_s.toFixed(2)).join(', ')} s (median below)`)
for (const [name, r] of [['heaplens', h], ['devtools', d]]) {
  console.log(r.ok
    ? `${name.padEnd(10)} ${r.wall_s.toFixed(2).padStart(7)}   ${mb(r.peak_rss_bytes).padStart(11)}   ${r.rss_per_file_byte.toFixed(2).padStart(8)}   ${r.load_avg_1m.toFixed(2)}`
    : `${name.padEnd(10)} FAILED (exit ${r.exit_code})`)
}
const x = (v) => v === null ? 'n/a' : v.toFixed(2) + 'x'
if (h.ok && d.ok) {
  console.log(`speed ratio  (devtools wall / heaplens wall): ${x(result.speed_ratio)}`)
  console.log(`memory ratio (devtools RSS / heaplens RSS):   ${x(result.memory_ratio)}`)
  require('node:fs').writeFileSync(e.B_OUT, JSON.stringify(result, null, 2) + '\n')
  console.log(`wrote ${e.B_OUT}`)
}
EOF

[ "$heaplens_rc" -eq 0 ] || die "heaplens summary failed (exit $heaplens_rc)"
[ "$devtools_rc" -eq 0 ] || die "devtools-run.mjs failed (exit $devtools_rc)"
