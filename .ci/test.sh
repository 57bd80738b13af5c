#!/usr/bin/env bash
# The whole suite, stage by stage, then one summary. Called by `make test` after the tools are
# installed. Each stage's output is shown as it runs and kept under target/test-logs/.
set -uo pipefail
logs=target/test-logs
mkdir -p "$logs"
passed=0; failed=0; broken=()

count_cargo() { # sums the "test result:" lines of cargo test / wasm-bindgen-test-runner output
  awk '/test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed;?$/) p += $i; if ($(i+1) ~ /^failed;?$/) f += $i } }
       END { printf "%d %d\n", p, f }' "$1"
}

run_stage() { # run_stage <name> <counter> <command...>
  local name=$1 counter=$2; shift 2
  echo "==> $name: $*"
  local start=$SECONDS
  "$@" 2>&1 | tee "$logs/$name.log"
  local status=${PIPESTATUS[0]}
  local p f
  read -r p f < <("$counter" "$logs/$name.log")
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$status" -ne 0 ]; then broken+=("$name (exit $status)"); [ "$f" -eq 0 ] && failed=$((failed + 1)); fi
  echo "==> $name: $p passed, $f failed, $((SECONDS - start)) s"
}

# Chromium, started by chromedriver for every wasm test binary, leaves an ~80 MB profile
# (org.chromium.Chromium.scoped_dir.*) in $TMPDIR each time: ~2 GB per run on a shared /tmp. The
# browser stages get their own TMPDIR under target/, emptied after each stage.
browser_tmp=$PWD/target/tmp-browser
# A browser whose driver was killed (wasm-bindgen-test-runner's timeout) keeps running with its
# blocked page and a core busy: after the stage, stop every process still using this stage's
# profiles (only ours: the path is under this checkout's target/).
reap_browsers() { pkill -f -- "$browser_tmp" 2>/dev/null; return 0; }
in_browser_tmp() { rm -rf "$browser_tmp"; mkdir -p "$browser_tmp"; TMPDIR=$browser_tmp "$@"; local s=$?; reap_browsers; rm -rf "$browser_tmp"; return $s; }

# The last `<stage>: N passed, M failed` line of the bundle (.ci/bundle-size.mjs) and e2e stages.
count_plain() { awk '/^[a-z0-9]+: [0-9]+ passed, [0-9]+ failed$/ { p = $2; f = $4 } END { printf "%d %d\n", p, f }' "$1"; }

run_stage native count_cargo cargo test --locked --no-fail-fast
run_stage wasm count_cargo in_browser_tmp wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver
run_stage bundle count_plain bash .ci/bundle.sh
run_stage e2e count_plain in_browser_tmp node tests/e2e/run.mjs

echo "==> disk: target/ holds $(du -sh target 2>/dev/null | cut -f1); $(df -h . | awk 'NR == 2 { print $4 " free on " $6 }')"
echo
if [ ${#broken[@]} -gt 0 ]; then echo "Stages that failed: ${broken[*]}"; fi
echo "Summary: $passed passed, $failed failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ ${#broken[@]} -eq 0 ]
