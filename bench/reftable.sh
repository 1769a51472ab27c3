#!/usr/bin/env bash
# What the reftable ref format costs per command (issue 19): `update` on a
# reftable repository vs files vs the same commit through git plumbing
# (bench/plumbing-update.sh) on reftable; `list` and `show` on reftable vs files
# at 1,000 lists; MCP calls (tools/call show + update through one server) on
# reftable vs files. Release binary, separate processes, medians in ms.
#
# Usage: bench/reftable.sh [RUNS]   (default 60 runs per series; BIN=path to override)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-60}
bin=${BIN:-$PWD/target/release/git-tasklist}
[[ -x $bin ]] || cargo build --release --bin git-tasklist
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 TZ=UTC
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
unset GIT_DIR GIT_WORK_TREE
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# median of the per-run milliseconds read on stdin
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m}'; }
ms() { local s=$EPOCHREALTIME; "$@" >/dev/null; local e=$EPOCHREALTIME; echo "($e - $s) * 1000" | bc -l; }

repo() { # repo NAME REF_FORMAT
  git init -q --ref-format="$2" "$tmp/$1"
  (cd "$tmp/$1" && "$bin" create Bench --task t1 --task t2 | head -1)
}

declare -A med
for fmt in files reftable; do
  id=$(repo "u-$fmt" "$fmt")
  for i in $(seq "$runs"); do
    st=$([[ $((i % 2)) == 0 ]] && echo pending || echo in_progress)
    ms "$bin" --repo "$tmp/u-$fmt" -l "$id" update t1 --status "$st"
  done | median >"$tmp/m" && med[update-$fmt]=$(cat "$tmp/m")
done
id=$(repo p-reftable reftable)
for i in $(seq "$runs"); do
  st=$([[ $((i % 2)) == 0 ]] && echo pending || echo in_progress)
  ms bench/plumbing-update.sh "$tmp/p-reftable" "$id" t1 "$st"
done | median >"$tmp/m" && med[plumbing-reftable]=$(cat "$tmp/m")

for fmt in files reftable; do
  git init -q --ref-format="$fmt" "$tmp/l-$fmt"
  # 1,000 lists, each made by the tool's own create.
  first=$(cd "$tmp/l-$fmt" && "$bin" create List --task a --task b | head -1)
  for i in $(seq 999); do "$bin" --repo "$tmp/l-$fmt" create "List $i" --task a >/dev/null; done
  for _ in $(seq "$runs"); do ms "$bin" --repo "$tmp/l-$fmt" list; done | median >"$tmp/m"
  med[list1000-$fmt]=$(cat "$tmp/m")
  for _ in $(seq "$runs"); do ms "$bin" --repo "$tmp/l-$fmt" -l "$first" show; done | median >"$tmp/m"
  med[show1000-$fmt]=$(cat "$tmp/m")
done

# MCP: one server, 200 TaskUpdate calls on stdin (the server answers each
# before reading the next), wall time per call including the server's start.
calls=200
for fmt in files reftable; do
  id=$(repo "m-$fmt" "$fmt")
  {
    echo '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}'
    echo '{"jsonrpc":"2.0","method":"notifications/initialized"}'
    for i in $(seq "$calls"); do
      printf '{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"TaskUpdate","arguments":{"list":"%s","taskId":"t1","note":"n%d"}}}\n' "$i" "$id" "$i"
    done
  } >"$tmp/mcp-in"
  s=$EPOCHREALTIME
  : >"$tmp/mcp-out"
  # stdin stays open until every call is answered (EOF ends the server).
  { cat "$tmp/mcp-in"; while (($(wc -l <"$tmp/mcp-out") < calls + 1)); do sleep 0.01; done; } |
    TASKLIST_SESSION=bench "$bin" --repo "$tmp/m-$fmt" mcp >"$tmp/mcp-out"
  e=$EPOCHREALTIME
  med[mcp-$fmt]=$(echo "($e - $s) * 1000 / $calls" | bc -l | xargs printf '%.2f')
  n=$(git -C "$tmp/m-$fmt" rev-list --count "refs/tasklists/$id")
  [[ $n == $((calls + 1)) ]] || { echo "mcp on $fmt: $n commits, want $((calls + 1))" >&2; exit 1; }
done

printf '%-34s %10s %10s\n' "median ms ($runs runs)" files reftable
printf '%-34s %10s %10s\n' "update (process)" "${med[update-files]}" "${med[update-reftable]}"
printf '%-34s %10s %10s\n' "plumbing-update.sh (same commit)" "" "${med[plumbing-reftable]}"
printf '%-34s %10s %10s\n' "list, 1,000 lists" "${med[list1000-files]}" "${med[list1000-reftable]}"
printf '%-34s %10s %10s\n' "show, 1,000 lists" "${med[show1000-files]}" "${med[show1000-reftable]}"
printf '%-34s %10s %10s\n' "MCP TaskUpdate (per call, 200)" "${med[mcp-files]}" "${med[mcp-reftable]}"
