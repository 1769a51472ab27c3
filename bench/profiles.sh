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
# Figures go to bench/out/profiles.txt (and each run's table to
# bench/out/profile-<profile>-<round>.txt).
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
cargo bench -q --locked --bench cli --no-run 2>/dev/null || cargo bench --locked --bench cli --no-run
for ((r = 1; r <= rounds; r++)); do
  order=("${profiles[@]}")
  ((r % 2)) || order=("${profiles[1]}" "${profiles[0]}")
  for p in "${order[@]}"; do
    echo "== round $r: $p" >&2
    BENCH_BIN=$PWD/target/profiles/$p/$p/git-tasklist cargo bench -q --locked --bench cli -- \
      "${scenarios[@]}" > "bench/out/profile-$p-$r.txt" || true
  done
done
# Each table row: LABEL RUNS MEDIAN ms P90 ms MIN ms MAX ms.
awk -v rounds="$rounds" '
  FNR == 1 { split(FILENAME, parts, "-"); p = parts[2]; r = parts[3] + 0 }
  $NF == "ms" && NF >= 9 {
    label = $1; for (i = 2; i <= NF - 9; i++) label = label " " $i
    if (!(label in seen)) { seen[label] = 1; order[++n] = label }
    median[label, p, r] = $(NF - 7)
  }
  END {
    printf "\n%-58s", "median ms"
    for (r = 1; r <= rounds; r++) printf " %9s", "release" r
    for (r = 1; r <= rounds; r++) printf " %9s", "dist" r
    printf " %12s\n", "dist/release"
    for (k = 1; k <= n; k++) {
      l = order[k]; a = 0; b = 0
      printf "%-58s", substr(l, 1, 58)
      for (r = 1; r <= rounds; r++) { printf " %9s", median[l, "release", r]; a += median[l, "release", r] }
      for (r = 1; r <= rounds; r++) { printf " %9s", median[l, "dist", r]; b += median[l, "dist", r] }
      if (a > 0) printf " %12.3f", b / a
      printf "\n"
    }
  }' $(for ((r = 1; r <= rounds; r++)); do echo bench/out/profile-release-$r.txt bench/out/profile-dist-$r.txt; done) | tee -a "$out"
echo >> "$out"
grep -H -E 'PASS|MISSED' bench/out/profile-*.txt | sed 's|^bench/out/||' | tee -a "$out" || true
