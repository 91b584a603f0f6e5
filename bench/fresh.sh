#!/usr/bin/env bash
# The first run on a fresh machine, measured from a clean clone (issue 15, target 6):
#   1. `git clone` of this repository's HEAD into a scratch folder, with an empty CARGO_HOME, so
#      every crate is downloaded and compiled as on a machine that never built falconry (the Rust
#      toolchain itself is taken as installed);
#   2. the README's first command, `cargo run --release -- run playbooks/triage.rhai`, timed (wall,
#      and CPU when GNU time is installed);
#   3. the size of the release binary it built, and how much of it is debug information;
#   4. a second clean clone with another empty CARGO_HOME, and `.ci/run` in it, timed.
#
#   bench/fresh.sh OUT.tsv      writes one `key<TAB>value` line per figure
#
# Takes about ten minutes on the 2-core machine; bench/run.sh runs it before the other cases so
# nothing else competes for the cores.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${1:?usage: bench/fresh.sh OUT.tsv}
mkdir -p "$(dirname "$out")"
: >"$out"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/falconry-fresh.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

record() { printf '%s\t%s\n' "$1" "$2" >>"$out"; }
now() { date +%s.%N; }

# Cargo must not reuse this checkout's target folder or the shared crate cache.
unset CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR
toolchain_home=${CARGO_HOME:-$HOME/.cargo}
export RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
export PATH="$toolchain_home/bin:$PATH"

record commit "$(git rev-parse --short HEAD)"
record dirty "$(git status --porcelain --untracked-files=no | wc -l)"

# 1-3: the README's first command.
git clone --quiet "$root" "$scratch/first"
export CARGO_HOME="$scratch/cargo-home-first"
mkdir -p "$CARGO_HOME"
readme_cmd=$(sed -n '1,20p' "$scratch/first/README.md" | grep -m1 -o 'cargo run --release -- run [^ #`]*')
record first_command "$readme_cmd"
# The CPU time (user + system, every process cargo started) says how much of the wall time was
# waiting on the cores: issue 28 asks for it beside the wall time. GNU time when present.
timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -f '%U %S' -o "$scratch/first.cpu")
start=$(now)
(cd "$scratch/first" && "${timer[@]}" $readme_cmd >"$scratch/first.log" 2>&1) || {
  record first_run_failed "$(tail -5 "$scratch/first.log" | tr '\n\t' '  ')"
}
record first_run_secs "$(echo "$(now) - $start" | bc)"
if [ -s "$scratch/first.cpu" ]; then
  record first_run_cpu_secs "$(awk 'END {print $1 + $2}' "$scratch/first.cpu")"
fi
bin="$scratch/first/target/release/falconry"
if [ -x "$bin" ]; then
  record binary_bytes "$(stat -c %s "$bin")"
  # Sections whose name starts with .debug: what `strip --strip-debug` would remove.
  record debug_bytes "$(size -A "$bin" | awk '$1 ~ /^\.debug/ {s += $2} END {print s + 0}')"
  # The symbol names backtraces print (not listed by `size -A`).
  symtab=0
  for hex in $(readelf -S -W "$bin" | sed 's/\[ */[/' | awk '$2 == ".symtab" || $2 == ".strtab" {print $6}'); do
    symtab=$((symtab + 16#$hex))
  done
  record symtab_bytes "$symtab"
  record code_bytes "$(size -A "$bin" | awk '$1 == ".text" {print $2}')"
fi
rm -rf "$scratch/first" "$CARGO_HOME"

# 4: CI on a clean clone, crates downloaded afresh too.
git clone --quiet "$root" "$scratch/ci"
export CARGO_HOME="$scratch/cargo-home-ci"
mkdir -p "$CARGO_HOME"
# What .ci/run would otherwise install; said in the report when it was already there.
[ -x /usr/bin/chromium ] && record chromium_preinstalled 1
start=$(now)
if (cd "$scratch/ci" && .ci/run >"$scratch/ci.log" 2>&1); then
  record ci_ok 1
else
  record ci_ok 0
  record ci_failed "$(tail -5 "$scratch/ci.log" | tr '\n\t' '  ')"
  # The whole log beside the figures: the scratch folder goes, and five lines rarely say why.
  cp "$scratch/ci.log" "$out.ci.log"
  record ci_log "$out.ci.log"
fi
record ci_secs "$(echo "$(now) - $start" | bc)"
record ci_tests "$(grep -Eo 'test result: ok\. [0-9]+ passed' "$scratch/ci.log" | awk '{s += $4} END {print s + 0}')"
