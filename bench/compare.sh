#!/usr/bin/env bash
# Two builds side by side on the bench's scenarios: each round runs the
# scenarios with BENCH_BIN set to one build, then the other (which goes first
# swaps every round), and the table puts every series' medians side by side
# with B ÷ A of their means. For a change's cost: build the commit before and
# the commit after, then compare them.
# Usage: bench/compare.sh NAME_A=/path/to/git-tasklist NAME_B=/path/to/git-tasklist [SCENARIO…]
#   ROUNDS=n (default 2); OUT=file (default bench/out/compare.txt).
# Each run's table goes to bench/out/compare-<name>-<round>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n '2,9p' "$0" >&2; exit 2; }
names=("${1%%=*}" "${2%%=*}")
bins=("${1#*=}" "${2#*=}")
orig=("$1" "$2")
shift 2
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(floor list verify mcp)
rounds=${ROUNDS:-2}
out=${OUT:-bench/out/compare.txt}
mkdir -p bench/out
for i in 0 1; do
  [[ ${names[$i]} =~ ^[A-Za-z0-9_]+$ ]] || { echo "name '${names[$i]}': letters, digits and _ only" >&2; exit 2; }
  [ -x "${bins[$i]}" ] || { echo "no binary ${bins[$i]}" >&2; exit 2; }
  # The bench runs `git tasklist` too: each build goes in a directory of its
  # own under the name git looks for.
  dir=target/compare/${names[$i]}
  mkdir -p "$dir"
  cp "${bins[$i]}" "$dir/git-tasklist"
  bins[$i]=$(realpath "$dir/git-tasklist")
done
{
  echo "git-tasklist compare: ${names[0]} = ${orig[0]#*=}, ${names[1]} = ${orig[1]#*=} (copied to ${bins[0]%/*}, ${bins[1]%/*})"
  echo "$(git rev-parse --short HEAD) harness, $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "scenarios: ${scenarios[*]}; rounds: $rounds"
} | tee "$out"
cargo bench -q --locked --bench cli --no-run 2>/dev/null || cargo bench --locked --bench cli --no-run
for ((r = 1; r <= rounds; r++)); do
  order=(0 1)
  ((r % 2)) || order=(1 0)
  for i in "${order[@]}"; do
    echo "== round $r: ${names[$i]}" >&2
    BENCH_BIN=${bins[$i]} cargo bench -q --locked --bench cli -- \
      "${scenarios[@]}" > "bench/out/compare-${names[$i]}-$r.txt" || true
  done
done
# Each table row: LABEL RUNS MEDIAN ms P90 ms MIN ms MAX ms.
awk -v rounds="$rounds" -v a="${names[0]}" -v b="${names[1]}" '
  FNR == 1 { n0 = split(FILENAME, parts, "-"); r = parts[n0] + 0; p = substr(FILENAME, length("bench/out/compare-") + 1); p = substr(p, 1, length(p) - length(parts[n0]) - 1) }
  $NF == "ms" && NF >= 9 {
    label = $1; for (i = 2; i <= NF - 9; i++) label = label " " $i
    if (!(label in seen)) { seen[label] = 1; order[++n] = label }
    median[label, p, r] = $(NF - 7)
  }
  END {
    printf "\n%-58s", "median ms"
    for (r = 1; r <= rounds; r++) printf " %9s", substr(a, 1, 8) r
    for (r = 1; r <= rounds; r++) printf " %9s", substr(b, 1, 8) r
    printf " %10s\n", "B/A"
    for (k = 1; k <= n; k++) {
      l = order[k]; sa = 0; sb = 0
      printf "%-58s", substr(l, 1, 58)
      for (r = 1; r <= rounds; r++) { printf " %9s", median[l, a, r]; sa += median[l, a, r] }
      for (r = 1; r <= rounds; r++) { printf " %9s", median[l, b, r]; sb += median[l, b, r] }
      if (sa > 0) printf " %10.3f", sb / sa
      printf "\n"
    }
  }' $(for ((r = 1; r <= rounds; r++)); do echo "bench/out/compare-${names[0]}-$r.txt" "bench/out/compare-${names[1]}-$r.txt"; done) | tee -a "$out"
echo >> "$out"
grep -H -E 'PASS|MISSED' $(for ((r = 1; r <= rounds; r++)); do echo "bench/out/compare-${names[0]}-$r.txt" "bench/out/compare-${names[1]}-$r.txt"; done) \
  | sed 's|^bench/out/||' | tee -a "$out" || true
