#!/usr/bin/env bash
# Reproduces BENCHMARKS.md: builds falconry and the harness (crates/bench) in release mode,
# prepares the comparison tools, runs every case of issue 7 plus the emulator's own benchmark,
# and writes the report.
#
#   bench/run.sh                 full run (minutes); writes BENCHMARKS.md at the repository root
#   bench/run.sh --smoke         seconds-long sanity pass (debug build, tiny sizes, installs nothing);
#                                writes target/bench-smoke/BENCHMARKS.md unless --out is given;
#                                FALCONRY_BIN=path uses that falconry instead of building one
#   bench/run.sh --out FILE      write the report elsewhere
#   bench/run.sh --only 3,6      run only the cases whose title starts so (while working on them)
#   bench/run.sh --no-fresh      skip case 7 (bench/fresh.sh: a clean clone's first build and CI, ~10 min)
#
# Full run extras, each optional: wrk, hyperfine, valgrind and GNU time from apt (when run as root), FalconPy 1.6.6 in
# ./.venv or bench/.venv (created when missing). Without them the affected comparisons say "not run".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

smoke=0
out=""
only=""
fresh=1
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1 ;;
    --out) out="$2"; shift ;;
    --only) only="$2"; shift ;;
    --no-fresh) fresh=0 ;;
    *) echo "usage: bench/run.sh [--smoke] [--out FILE] [--only CASES] [--no-fresh]" >&2; exit 2 ;;
  esac
  shift
done

cargo=${CARGO:-cargo}
target_dir=${CARGO_TARGET_DIR:-$("$cargo" metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')}

falconry_bin=""
if [ "$smoke" = 1 ]; then
  profile=debug
  if [ -n "${FALCONRY_BIN:-}" ]; then
    # The test suite passes the binary `cargo test` built: building it again here could relink
    # target/debug/falconry (other features, other env) while other tests are starting it.
    falconry_bin=$FALCONRY_BIN
    "$cargo" build --quiet -p falconry-bench --bin bench
  else
    "$cargo" build --quiet --bin falconry --bin bench
  fi
  out=${out:-$target_dir/bench-smoke/BENCHMARKS.md}
else
  profile=release
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    missing=""
    command -v wrk >/dev/null || missing="$missing wrk"
    command -v hyperfine >/dev/null || missing="$missing hyperfine"
    command -v valgrind >/dev/null || missing="$missing valgrind"
    [ -x /usr/bin/time ] || missing="$missing time"
    if [ -n "$missing" ]; then
      apt-get update -qq && apt-get install -y -qq $missing >/dev/null || echo "bench: could not install$missing" >&2
    fi
  fi
  "$cargo" build --release --bin falconry --bin bench
  out=${out:-$root/BENCHMARKS.md}
fi
mkdir -p "$(dirname "$out")"

# FalconPy: reuse the CI venv or ours; only the full run creates one.
python=""
for venv in "$root/.venv" "$root/bench/.venv"; do
  if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import falconpy" 2>/dev/null; then
    python="$venv/bin/python"
    break
  fi
done
if [ -z "$python" ] && [ "$smoke" = 0 ]; then
  python3 -m venv "$root/bench/.venv" \
    && "$root/bench/.venv/bin/pip" install --quiet --disable-pip-version-check 'crowdstrike-falconpy==1.6.6' \
    && python="$root/bench/.venv/bin/python" \
    || echo "bench: FalconPy unavailable; its comparisons will say not run" >&2
fi

# Case 7 first, alone on the cores: the clean clone's first build and CI run (full run only).
fresh_tsv=""
if [ "$smoke" = 0 ] && [ "$fresh" = 1 ] && { [ -z "$only" ] || [[ ",$only," == *",7"* ]]; }; then
  fresh_tsv="$target_dir/bench-fresh.tsv"
  echo "bench: case 7. Fresh clone (bench/fresh.sh, about ten minutes)" >&2
  bench/fresh.sh "$fresh_tsv"
  # The clean clones' builds leave dirty pages being written back and a load average behind them:
  # let both settle (at most two minutes) so the other cases start on the quiet machine their
  # "load average before" claims.
  sync
  for _ in $(seq 24); do
    awk '{ exit !($1 < 0.5) }' /proc/loadavg && break
    sleep 5
  done
fi

args=(run --root "$root" --falconry "${falconry_bin:-$target_dir/$profile/falconry}" --out "$out")
[ -n "$python" ] && args+=(--python "$python")
command -v wrk >/dev/null && args+=(--wrk "$(command -v wrk)")
command -v hyperfine >/dev/null && args+=(--hyperfine "$(command -v hyperfine)")
# Case 2's cache and branch simulation: minutes under valgrind, so full runs only.
[ "$smoke" = 0 ] && command -v valgrind >/dev/null && args+=(--valgrind "$(command -v valgrind)")
[ "$smoke" = 1 ] && args+=(--smoke)
[ -n "$only" ] && args+=(--only "$only")
[ -n "$fresh_tsv" ] && args+=(--fresh "$fresh_tsv")
exec "$target_dir/$profile/bench" "${args[@]}"
