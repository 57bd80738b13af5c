#!/usr/bin/env bash
# `make soak`: every swarm with SOAK_FACTOR (default 20) times the seeds CI runs, every seed run
# even after a failure; prints a table (swarm, runs, violations, failing seeds) from the summary
# line each swarm prints (tests/common/mod.rs). Exit status 1 if any seed failed.
set -uo pipefail
factor="${SOAK_FACTOR:-20}"
# test file, test name filter, the seeds CI runs (the tests' defaults)
swarms=(
  "engine_swarm swarm_acks_all_min_isr_2 2500"
  "engine_swarm swarm_compacted_topic 500"
  "engine_idempotence_swarm swarm_idempotent_producer 1000"
  "engine_idempotence_swarm swarm_without_idempotence 1000"
  "groups_swarm group_swarm_at_least_once 25"
)
log_dir="target/soak"
mkdir -p "$log_dir"
cargo test --locked --no-run --test engine_swarm --test engine_idempotence_swarm --test groups_swarm >/dev/null 2>&1 || { echo "soak: build failed"; exit 1; }
rows=()
status=0
for entry in "${swarms[@]}"; do
  read -r file filter ci <<<"$entry"
  count=$((ci * factor))
  log="$log_dir/$filter.log"
  start=$(date +%s)
  SWARM_COUNT=$count RUST_BACKTRACE=0 cargo test --locked --test "$file" "$filter" -- --nocapture >"$log" 2>&1 || status=1
  secs=$(( $(date +%s) - start ))
  line=$(grep -E '^SWARM ' "$log" | tail -1)
  if [ -z "$line" ]; then
    rows+=("$filter|$count|?|no summary (see $log)|$secs")
    status=1
    continue
  fi
  name=$(sed -E 's/^SWARM ([^ ]+) .*/\1/' <<<"$line")
  runs=$(sed -E 's/.* runs=([0-9]+).*/\1/' <<<"$line")
  bad=$(sed -E 's/.* violations=([0-9]+).*/\1/' <<<"$line")
  seeds=$(sed -E 's/.* seeds=(.*)$/\1/' <<<"$line")
  rows+=("$name|$runs|$bad|$seeds|$secs")
done
printf '| %-18s | %7s | %10s | %-24s | %7s |\n' swarm runs violations "failing seeds" seconds
printf '|%s|%s|%s|%s|%s|\n' "--------------------" "---------" "------------" "--------------------------" "---------"
for row in "${rows[@]}"; do
  IFS='|' read -r name runs bad seeds secs <<<"$row"
  printf '| %-18s | %7s | %10s | %-24s | %7s |\n' "$name" "$runs" "$bad" "$seeds" "$secs"
done
exit $status
