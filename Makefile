# heaplens task runner. The two commands that matter (see README.md):
#   make serve   install what is missing, build, serve the page on http://127.0.0.1:8080
#   make test    install what is missing, run every test
# Every target installs its own tools through .ci/setup.sh, which skips what is present.

SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: all build test test-native test-wasm test-e2e serve dist bench bench-big bench-web bench-strings fixtures fuzz fuzz-cmin clean

all: build

build:
	.ci/setup.sh native
	cargo build --release

# Native tests first (fast, most of the checking), then the binding in a real browser worker,
# then the page end to end.
test: test-native test-wasm test-e2e

test-native:
	.ci/setup.sh native
	cargo test --release

test-wasm:
	.ci/setup.sh browser
	cargo fetch
	CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --no-default-features --test wasm_binding

test-e2e: dist
	.ci/setup.sh browser
	cargo build --release
	node --test tests/e2e/

# The static site in dist/, then its service worker's list of files and version (dist/sw.js), then
# the one-file offline build (dist/heaplens-offline.html), which fails the build if over budget.
dist:
	.ci/setup.sh web
	cargo fetch
	trunk build index.html --release --offline
	node .ci/sw-manifest.mjs dist
	node .ci/offline.mjs dist

serve: dist
	node tests/e2e/serve.mjs dist 127.0.0.1 8080

# Benchmarks are not tests: they take minutes and gigabytes. See README.md, Performance.
bench:
	tests/bench/run.sh

bench-big:
	tests/bench/run.sh --big

# A 733 MB snapshot whose strings exceed V8's string length limit: DevTools' worker fails on it
# ("Invalid string length"); heaplens loads it.
bench-strings:
	.ci/setup.sh native
	cargo build --release
	f=$$(node tests/bench/gen-strings-snapshot.mjs | cut -d' ' -f1); \
	/usr/bin/time -f 'heaplens: %e s, peak RSS %M KiB' target/release/heaplens summary "$$f" --top 5; \
	node --max-old-space-size=16000 tests/bench/devtools-run.mjs "$$f" 2>&1 | grep -m1 Error || true

bench-web: dist
	cargo build --release
	node tests/bench/web-bench.mjs $(FILE)

# Coverage-guided fuzzing (not part of `make test`, which replays the saved inputs instead): every
# target for FUZZ_SECONDS (default 60) each; fails on any crash, hang or memory blow-up. See
# README.md, Fuzzing.
fuzz:
	.ci/setup.sh fuzz
	fuzz/run.sh

# Folds the inputs `make fuzz` found (fuzz/work/) into the committed corpora, minimized: the
# fewest and smallest inputs that cover every edge (-use_counters=0: hit counts do not count).
fuzz-cmin:
	.ci/setup.sh fuzz
	for t in $$(cargo fuzz list); do \
	  mkdir -p fuzz/work/$$t; \
	  find fuzz/work/$$t -type f -exec cp -n {} fuzz/corpus/$$t/ \; ; \
	  cargo fuzz cmin -s none $$t fuzz/corpus/$$t -- -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
	    -use_counters=0 && rm -rf fuzz/work/$$t || exit 1; \
	done

# Regenerates the committed fixtures and DevTools' expected results (see tests/fixtures/README.md).
fixtures:
	.ci/setup.sh browser
	node tests/fixtures/gen/node-fixtures.mjs
	node tests/fixtures/gen/chromium-fixture.mjs
	node tests/fixtures/gen/hung-clique.mjs
	node tests/fixtures/gen/timeline-fixtures.mjs
	node tests/fixtures/gen/report-fixtures.mjs
	node tests/fixtures/gen/report-chromium.mjs
	node tests/fixtures/gen/series-fixtures.mjs
	node tests/fixtures/gen/chromium-series.mjs
	node tests/oracle/devtools-expected.mjs
	node tests/oracle/views-expected.mjs
	node tests/oracle/ignore-expected.mjs
	node tests/oracle/allocations-expected.mjs
	node tests/oracle/filters-expected.mjs
	node tests/oracle/diff-expected.mjs tests/fixtures/node-empty.heapsnapshot.gz tests/fixtures/node-leak.heapsnapshot.gz
	node tests/oracle/diff-expected.mjs tests/fixtures/node-classes.heapsnapshot.gz tests/fixtures/node-tracked.heapsnapshot.gz

clean:
	cargo clean
	rm -rf dist
