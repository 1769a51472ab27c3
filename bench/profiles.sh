#!/usr/bin/env bash
# What thin LTO (the release profile) costs against fat LTO with one codegen
# unit (the dist profile, and release before it), on this machine:
#   1. build times: each profile from scratch, in a target dir of its own
#      (target/profiles/<profile>, so nothing is shared), then again after the
#      library's lib.rs is touched (the rebuild a change costs)
#   2. the bench's scenarios (default: floor list verify mcp) on both binaries,
#      BENCH_BIN set to each, alternately for ROUNDS rounds (default 2; which
#      goes first swaps every round)
#   3. every series' median side by side, and dist ÷ release of their means
#      (bench/compare.sh)
# Figures go to bench/out/profiles.txt (and each run's table to
# bench/out/compare-<profile>-<round>.txt).
# Usage: bench/profiles.sh [SCENARIO…]   SKIP_BUILDS=1 reuses the binaries of
# an earlier run; ROUNDS=n.
set -euo pipefail
cd "$(dirname "$0")/.."
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(floor list verify mcp)
rounds=${ROUNDS:-2}
profiles=(release dist)
out=bench/out/profiles.txt
mkdir -p bench/out target/profiles
now() { date +%s.%N; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

{
  echo "git-tasklist profiles: $(git rev-parse --short HEAD), $(date -u +%FT%TZ), $(nproc) cores, $(rustc --version)"
  echo "scenarios: ${scenarios[*]}; rounds: $rounds"
} | tee "$out"
if [ -z "${SKIP_BUILDS:-}" ]; then
  for p in "${profiles[@]}"; do
    dir=target/profiles/$p
    rm -rf "$dir"
    l0=$(load) t0=$(now)
    CARGO_TARGET_DIR=$dir cargo build -q --locked --profile "$p" --bin git-tasklist
    t1=$(now)
    touch crates/git-tasklist-core/src/lib.rs
    CARGO_TARGET_DIR=$dir cargo build -q --locked --profile "$p" --bin git-tasklist
    t2=$(now)
    printf 'build %-8s from scratch %6.1f s, after touching the library %6.1f s (load %s before, %s after)\n' \
      "$p" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$l0" "$(load)" | tee -a "$out"
  done
fi
for p in "${profiles[@]}"; do
  bin=target/profiles/$p/$p/git-tasklist
  [ -x "$bin" ] || { echo "no $bin: run without SKIP_BUILDS" >&2; exit 1; }
  printf 'binary %-8s %s bytes\n' "$p" "$(stat -c %s "$bin")" | tee -a "$out"
done
OUT=bench/out/profiles-compare.txt ROUNDS=$rounds bench/compare.sh \
  release=target/profiles/release/release/git-tasklist dist=target/profiles/dist/dist/git-tasklist \
  "${scenarios[@]}"
cat bench/out/profiles-compare.txt >> "$out"
