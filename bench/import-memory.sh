#!/usr/bin/env bash
# Peak memory of `import claude` over 150 MB of Claude Code task files, for
# each binary given (default: target/release/git-tasklist), measured with
# GNU time's "Maximum resident set size":
#   notes   600 files with a 250 KB description each: more text than one list
#           can hold (8 MiB), so the import must refuse; the question is what
#           it holds before it does
#   junk    10,000 files of 15 KB each, nearly all of it in fields an import
#           does not use (`activeForm`, an unknown field): the import succeeds
# Usage: bench/import-memory.sh [BINARY…]
set -euo pipefail
cd "$(dirname "$0")/.."
bins=("$@")
[ ${#bins[@]} -gt 0 ] || bins=(target/release/git-tasklist)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 HOME="$work/home"
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com
mkdir -p "$HOME" "$work/notes" "$work/junk"
python3 - "$work" <<'EOF'
import json, sys
work = sys.argv[1]
note = "n" * 250_000
for i in range(1, 601):
    with open(f"{work}/notes/{i}.json", "w") as f:
        json.dump({"id": str(i), "subject": f"Task {i}", "description": note,
                   "activeForm": f"Doing {i}", "status": "pending",
                   "blocks": [], "blockedBy": []}, f)
junk = "j" * 7_400
for i in range(1, 10_001):
    with open(f"{work}/junk/{i}.json", "w") as f:
        json.dump({"id": str(i), "subject": f"Task {i}", "description": "short",
                   "activeForm": junk, "futureField": {"blob": junk}, "status": "pending",
                   "blocks": [], "blockedBy": [str(i - 1)] if i > 1 else []}, f)
EOF
printf '%-40s %-6s %10s %8s %s\n' binary case "max RSS" seconds exit
for bin in "${bins[@]}"; do
  for case in notes junk; do
    repo="$work/repo-$case"
    rm -rf "$repo" && git init -q "$repo"
    size=$(du -sm "$work/$case" | cut -f1)
    set +e
    /usr/bin/time -v "$bin" --repo "$repo" import claude "$work/$case" \
      >/dev/null 2>"$work/time.txt"
    code=$?
    set -e
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
    printf '%-40s %-6s %7d MiB %8s %s  (%s MB of files)\n' \
      "$bin" "$case" $((rss / 1024)) "$wall" "$code" "$size"
  done
done
