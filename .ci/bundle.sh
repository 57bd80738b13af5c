#!/usr/bin/env bash
# The release bundle: `trunk build --release` (arguments are passed on), with two settings that
# take ~29 KB (6%) off the gzipped wasm and change no behaviour:
# - std is rebuilt with the bundle's profile (opt-level "z", LTO) instead of linking the
#   prebuilt std, which is optimised for speed (-8 KB);
# - panics are immediate aborts: a panic traps at once, so no panic message formatting,
#   locations or hook machinery is linked in (-21 KB). index.html's script catches the trap and
#   draws the error panel; the exported transcript replays the failure natively (sandbox-shell,
#   cargo test) with the full panic message.
# After trunk, .ci/postlink.mjs orders the wasm's functions for gzip (-3.3 KB) and gives its
# imported JS functions one- or two-letter names in the wasm and its JS glue (-2.8 KB: the names
# carried incompressible hashes).
# The first two are unstable flags of the pinned stable compiler, unlocked by RUSTC_BOOTSTRAP for this
# build only (tests and native builds never see them). -Zbuild-std needs the rust-src component
# (.ci/tools.sh adds it).
set -euo pipefail
export RUSTC_BOOTSTRAP=1
export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort"
trunk build --release --offline "$@"
dist=dist
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [ "${args[i]}" = --dist ]; then dist=${args[i + 1]}; fi
done
node .ci/postlink.mjs "$dist"
