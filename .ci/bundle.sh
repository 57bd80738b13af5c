#!/usr/bin/env bash
# The release bundle in dist/ (arguments are passed on to trunk): `trunk build --release` on the
# pinned stable compiler with its ordinary flags; trunk runs wasm-bindgen and wasm-opt (-Oz,
# index.html's data-wasm-opt). Crates come from the fetch in .ci/tools.sh, hence --offline.
# Then the load budget: the whole download (wasm + JS + CSS, gzipped) within 800 KB.
set -euo pipefail
trunk build --release --offline "$@"
dist=dist
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [ "${args[i]}" = --dist ]; then dist=${args[i + 1]}; fi
done
node .ci/bundle-size.mjs "$dist"
