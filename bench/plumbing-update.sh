#!/usr/bin/env bash
# Baseline for the `update` benchmark: the same change as
#   git tasklist update TASK --status STATUS
# done with git plumbing only (no git-tasklist, no porcelain that touches HEAD):
#   rev-parse → cat-file → awk → hash-object → ls-tree → mktree → commit-tree → update-ref (CAS)
#
# Usage: bench/plumbing-update.sh REPO REF TASK STATUS
#   REPO    repository path (work tree or bare)
#   REF     refs/tasklists/<list-id> (a bare <list-id> is taken to be under refs/tasklists/)
#   TASK    task id in that list
#   STATUS  pending | in_progress | completed | blocked | cancelled ('-' is read as '_')
#
# What it does like the tool: sets the task's `status` and `updated`, bumps the
# top-level `updated`, drops the task's `owner` when the new status is pending or
# in_progress (no session here), keeps every other tree entry, writes one commit
# whose parent is the old tip with the tool's subject and `Tasklist:`/`Op:`
# trailers, and moves the ref with a compare-and-swap on the old tip.
# It refuses a completed → other change (the reopen guard, exit 4) and exits 0
# without a commit when the status is already set. Not modelled: sequential /
# depends_on checks, sessions, notes.
set -euo pipefail
export TZ=UTC

[[ $# -eq 4 ]] || { echo "usage: $0 REPO REF TASK STATUS" >&2; exit 2; }
repo=$1 ref=$2 task=$3 status=${4,,}
status=${status//-/_}
[[ $ref == refs/* ]] || ref="refs/tasklists/$ref"
case $status in
pending | in_progress | completed | blocked | cancelled) ;;
*) echo "unknown status '$4'" >&2; exit 1 ;;
esac

git=(git -C "$repo")
old=$("${git[@]}" rev-parse --verify -q "$ref^{commit}") || { echo "no list at $ref" >&2; exit 3; }
printf -v now '%(%Y-%m-%dT%H:%M:%SZ)T' -1 # bash builtin, no process (TZ=UTC above)

# One awk pass: the first output line is "<old status>\t<title>", the rest is
# the new tasklist.toml. Top-level keys come before the first [table] header.
out=$("${git[@]}" cat-file blob "$old:tasklist.toml" | awk -v task="$task" -v st="$status" -v now="$now" '
  function flush() {
    if (n == 0) return
    if (hit) {
      for (i = 1; i <= n; i++) {
        if (buf[i] ~ /^status = /) { old = buf[i]; sub(/^status = "/, "", old); sub(/"$/, "", old); buf[i] = "status = \"" st "\"" }
        else if (buf[i] ~ /^updated = /) buf[i] = "updated = " now
        else if (buf[i] ~ /^owner = / && (st == "pending" || st == "in_progress")) buf[i] = "\001"
      }
    }
    for (i = 1; i <= n; i++) if (buf[i] != "\001") body = body buf[i] "\n"
    n = 0; hit = 0
  }
  BEGIN { top = 1; found = 0 }
  /^\[/ { flush(); top = 0 }
  top && /^updated = / { $0 = "updated = " now }
  top && /^title = / { title = $0; sub(/^title = "/, "", title); sub(/"$/, "", title) }
  !top { buf[++n] = $0; if ($0 == "id = \"" task "\"" && intasks) { hit = 1; found = 1 } ; if ($0 ~ /^\[/) intasks = ($0 == "[[tasks]]"); next }
  { body = body $0 "\n" }
  END { flush(); if (!found) exit 3; printf "%s\t%s\n%s", old, title, body }
') || { rc=$?; [[ $rc -eq 3 ]] && echo "no task '$task' in $ref" >&2; exit "$rc"; }

meta=${out%%$'\n'*}
body=${out#*$'\n'}
was=${meta%%$'\t'*}
title=${meta#*$'\t'}
if [[ $was == "$status" ]]; then
  echo "$task unchanged ($status)"
  exit 0
fi
if [[ $was == completed ]]; then
  echo "Task '$task' is completed; pass --reopen to change it to $status" >&2
  exit 4
fi

blob=$(printf '%s\n' "$body" | "${git[@]}" hash-object -w --stdin)
entries=""
while IFS= read -r line; do
  [[ $line == *$'\t'tasklist.toml ]] || entries+="$line"$'\n'
done <<<"$("${git[@]}" ls-tree "$old")"
tree=$(printf '%s100644 blob %s\ttasklist.toml\n' "$entries" "$blob" | "${git[@]}" mktree)
list_id=${ref##*/}
commit=$("${git[@]}" commit-tree "$tree" -p "$old" \
  -m "$title: $task $was → $status" \
  -m "Tasklist: $list_id"$'\n'"Op: set-status")
"${git[@]}" update-ref -m "tasklist: set-status" "$ref" "$commit" "$old"
echo "$task: $was → $status"
