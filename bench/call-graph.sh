#!/usr/bin/env bash
# Writes src/call-graph.txt, the order `build.rs` asks the linker to place falconry's functions in
# (issue 28): which function calls which, how often, while falconry runs the playbooks of
# bench/run.sh's cases 2 and 3 under callgrind (each against `bench sim`, the emulator as the
# cases run it):
#   - 2,000 `get_policies` calls whose answers are dropped, and 2,000 whose answers are kept;
#   - `ps` on 1,000 hosts through one batch (`rtr::batch`), and through `rtr::each`.
#
#   bench/call-graph.sh
#
# Re-run it when the code on those paths changed much or the dependencies were updated: a
# function renamed, or a crate rebuilt under another hash, keeps its place in the compiler's order
# (the linker skips names it does not find; `bench/run.sh` reports how many it found). Needs
# valgrind. Takes about three minutes on the 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
command -v valgrind >/dev/null || {
  echo "bench/call-graph.sh: needs valgrind (apt-get install valgrind)" >&2
  exit 1
}
cargo build --release -p falconry -p falconry-bench
scratch=$(mktemp -d "${TMPDIR:-/tmp}/falconry-call-graph.XXXXXX")
sim=
trap '[ -n "$sim" ] && kill "$sim" 2>/dev/null; rm -rf "$scratch"' EXIT

# `profile NAME SCENARIO PLAYBOOK ARGS...`: one workload under callgrind, on a fresh emulator.
profile() {
  local name=$1 scenario=$2 playbook=$3
  shift 3
  target/release/bench sim "$root/$scenario" >"$scratch/url" &
  sim=$!
  for _ in $(seq 100); do [ -s "$scratch/url" ] && break; sleep 0.1; done
  # With the case and the audit log, as a user runs it (the case folder goes to the scratch folder).
  (cd "$scratch" && FALCON_BASE_URL=$(head -1 url) FALCON_CLIENT_ID=falconry-sim \
    FALCON_CLIENT_SECRET=falconry-sim-secret XDG_DATA_HOME="$scratch/data" \
    valgrind --tool=callgrind --demangle=no --callgrind-out-file="$name.out" \
    "$root/target/release/falconry" run --json "$root/$playbook" "$@" >/dev/null 2>"$name.log") || {
    tail -20 "$scratch/$name.log" >&2
    exit 1
  }
  kill "$sim"
  wait "$sim" 2>/dev/null || true
  sim=
  rm -f "$scratch/url"
}

profile unread bench/scenarios/overhead.toml bench/playbooks/get_policies.rhai --arg calls=2000
profile kept bench/scenarios/overhead.toml bench/playbooks/get_policies_kept.rhai --arg calls=2000
profile batch bench/scenarios/fanout.toml bench/playbooks/fanout_batch.rhai
profile each bench/scenarios/fanout.toml bench/playbooks/fanout_each.rhai --arg concurrency=64

target/release/bench call-graph src/call-graph.txt falconry "$scratch"/*.out
