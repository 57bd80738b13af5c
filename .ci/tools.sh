#!/usr/bin/env bash
# Installs every tool `make serve` and `make test` need, skipping each one that is already present
# at the pinned version, so a second run spends no time installing. Versions are pinned in the
# Makefile (the one place) and passed in through the environment. Tools go to ~/.cargo/bin whatever
# CARGO_HOME says (CI points CARGO_HOME at an empty folder to prove the build needs no old cache).
# Last, every crate the builds need is fetched from Cargo.lock into CARGO_HOME, so the `--offline`
# builds after it (trunk) resolve from this run's fetch alone.
set -euo pipefail

: "${TRUNK_VERSION:?}" "${WASM_BINDGEN_VERSION:?}" "${WASM_PACK_VERSION:?}" "${BINARYEN_VERSION:?}"
: "${PLAYWRIGHT_VERSION:?}"
want_browser="${WANT_BROWSER:-1}"

export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '[tools] %s\n' "$*"; }
has_version() { # has_version <command> <text its --version output must contain>
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -qF "$2"
}

# The compiler pinned in rust-toolchain.toml, with its wasm32 target and components (a no-op when
# they are present).
rustup toolchain install --no-self-update >/dev/null

if ! has_version trunk "trunk $TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (about 10 minutes on 2 cores, once)"
  cargo install --root "$HOME/.cargo" "trunk@$TRUNK_VERSION" --locked
fi

if ! has_version wasm-bindgen "wasm-bindgen $WASM_BINDGEN_VERSION" \
   || ! has_version wasm-bindgen-test-runner "$WASM_BINDGEN_VERSION"; then
  # Not --locked: wasm-bindgen-cli's lock file pins a dependency that no longer builds.
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (the version in Cargo.lock)"
  cargo install --root "$HOME/.cargo" "wasm-bindgen-cli@$WASM_BINDGEN_VERSION" --force
fi

if ! has_version wasm-pack "wasm-pack $WASM_PACK_VERSION"; then
  say "installing wasm-pack $WASM_PACK_VERSION"
  cargo install --root "$HOME/.cargo" "wasm-pack@$WASM_PACK_VERSION" --locked
fi

# wasm-opt (binaryen) and playwright-core come from the npm registry, into ./node_modules.
if ! { [ -x node_modules/.bin/wasm-opt ] && node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; } \
   || [ ! -f node_modules/playwright-core/package.json ] \
   || ! grep -q "\"version\": \"$PLAYWRIGHT_VERSION\"" node_modules/playwright-core/package.json; then
  say "installing binaryen@$BINARYEN_VERSION and playwright-core@$PLAYWRIGHT_VERSION from npm"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "$want_browser" = 1 ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; }; then
  say "installing Debian's chromium and chromium-driver"
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium chromium-driver >/dev/null
fi
say "fetching the crates in Cargo.lock"
cargo fetch --locked --quiet
say "all tools present"
