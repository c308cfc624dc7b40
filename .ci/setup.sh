#!/usr/bin/env bash
# Installs every tool heaplens' build and tests need, skipping what is already present, so that a
# fresh machine with nothing but the package registries can run `make serve` and `make test`.
# A second run takes well under a second. Usage: .ci/setup.sh [native|web|browser|all|fuzz]
#   native   Rust toolchain checks and npm dev packages (the DevTools oracle): enough for the core,
#            the CLI and the parity tests.
#   web      native + the wasm32 target, Trunk, wasm-bindgen-cli (and wasm-opt from npm).
#   browser  web + Debian's Chromium for the end-to-end and wasm-bindgen tests, and Debian's
#            Firefox ESR for the offline file's test in Firefox.
#   fuzz     cargo-fuzz, for `make fuzz` (on stable Rust with `-s none`; no nightly needed).
#            Not part of `all`: `make test` only replays the saved fuzzing inputs.
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-all}
TRUNK_VERSION=0.21.14
CARGO_FUZZ_VERSION=0.13.2
# wasm-bindgen-cli must be exactly the wasm-bindgen the crate links against: read it from Cargo.toml.
BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' Cargo.toml)

log() { printf 'setup: %s\n' "$*" >&2; }

need_npm() {
  # `npm ci` is skipped when node_modules was installed from this very lockfile. (Comparing the
  # lockfile with node_modules/.package-lock.json does not work: the lockfile also lists the
  # optional packages of other platforms, such as esbuild's binaries, which npm does not install.)
  local stamp=node_modules/.heaplens-lockfile-sha256
  if [ "$(cat "$stamp" 2>/dev/null)" != "$(sha256sum < package-lock.json)" ]; then
    log "installing npm dev packages"
    PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
    sha256sum < package-lock.json > "$stamp"
  fi
}

need_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

need_trunk() {
  if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
    log "installing trunk $TRUNK_VERSION (several minutes, once)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi
}

need_bindgen() {
  # Without --locked: the CLI's own lockfile names a crate version the registry no longer has.
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $BINDGEN_VERSION" ]; then
    log "installing wasm-bindgen-cli $BINDGEN_VERSION (a few minutes, once)"
    cargo install wasm-bindgen-cli --version "$BINDGEN_VERSION"
  fi
}

need_cargo_fuzz() {
  if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
    log "installing cargo-fuzz $CARGO_FUZZ_VERSION (a few minutes, once)"
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
  fi
}

apt_updated=""
apt_install() {
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  if [ -z "$apt_updated" ]; then
    $sudo apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

need_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    log "installing Debian's chromium"
    apt_install chromium chromium-driver
  fi
}

need_firefox() {
  if [ ! -x /usr/bin/firefox-esr ]; then
    log "installing Debian's firefox-esr"
    apt_install firefox-esr
  fi
}

case "$what" in
  native) need_npm ;;
  web) need_npm; need_wasm_target; need_trunk; need_bindgen ;;
  browser|all) need_npm; need_wasm_target; need_trunk; need_bindgen; need_chromium; need_firefox ;;
  fuzz) need_cargo_fuzz ;;
  *) echo "usage: $0 [native|web|browser|all|fuzz]" >&2; exit 64 ;;
esac
