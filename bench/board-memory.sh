#!/usr/bin/env bash
# Peak memory of the board under 100 parallel loads of one large list's page,
# for each binary given (default: target/release/git-tasklist): a list of
# 30,000 tasks (every status, notes, owners) is planted with git plumbing,
# `serve --port 0` started, and 100 clients GET /list/<id> at once (fresh
# connections, full bodies read, each checked to hold the last task). The
# server's VmHWM (peak RSS) from /proc/<pid>/status is printed with the wall
# time of the 100 loads; the same for the page's fragment (what the page's
# script fetches on every change) and its JSON.
# Usage: bench/board-memory.sh [BINARY…]
set -euo pipefail
cd "$(dirname "$0")/.."
bins=("$@")
[ ${#bins[@]} -gt 0 ] || bins=(target/release/git-tasklist)
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 HOME="$work/home" TZ=UTC
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com
mkdir -p "$HOME"
repo="$work/repo"
git init -q -b main "$repo"
id=$("${bins[0]}" --repo "$repo" create "Big list" --task seed | head -1)
python3 - "$id" >"$work/tasklist.toml" <<'EOF'
import sys
id = sys.argv[1]
statuses = ["completed", "in_progress", "pending", "blocked", "cancelled"]
print(f'format = 1\nid = "{id}"\ntitle = "Big list"\ncreated = 2026-01-01T00:00:00Z\nupdated = 2026-01-01T00:00:00Z')
for i in range(1, 30_001):
    s = statuses[i % 5]
    print(f'\n[[tasks]]\nid = "task-{i}"\ntitle = "Task number {i} of the big list"\nstatus = "{s}"\nupdated = 2026-01-01T00:00:00Z')
    if s == "in_progress":
        print(f'owner = "session-{i % 7}"')
    if i > 1 and i % 3 == 0:
        print(f'depends_on = ["task-{i - 1}"]')
    print(f'note = "A note about task {i}: what was done and what is left"')
EOF
blob=$(git -C "$repo" hash-object -w "$work/tasklist.toml")
tip=$(git -C "$repo" rev-parse "refs/tasklists/$id")
tree=$(printf '100644 blob %s\ttasklist.toml\n' "$blob" | git -C "$repo" mktree)
commit=$(git -C "$repo" commit-tree -p "$tip" -m "Plant 30,000 tasks" "$tree")
git -C "$repo" update-ref "refs/tasklists/$id" "$commit" "$tip"
"${bins[0]}" --repo "$repo" show -l "$id" --json >/dev/null
printf '%-28s %-26s %12s %12s %8s\n' binary page "RSS before" "peak RSS" seconds
for bin in "${bins[@]}"; do
  for page in "/list/$id" "/list/$id?fragment=1" "/api/list/$id"; do
    # A fresh server for each page, so each peak is that page's alone.
    "$bin" --repo "$repo" serve --port 0 >"$work/url" 2>/dev/null &
    pid=$!
    for _ in $(seq 100); do grep -q http "$work/url" 2>/dev/null && break; sleep 0.05; done
    addr=$(sed -n 's|.*http://\([^/]*\)/.*|\1|p' "$work/url")
    before=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    start=$(date +%s.%N)
    python3 - "$addr" "$page" <<'EOF2'
import http.client, sys, threading
addr, page = sys.argv[1], sys.argv[2]
host, port = addr.rsplit(":", 1)
failures = []
barrier = threading.Barrier(100)
def load():
    c = http.client.HTTPConnection(host, int(port), timeout=600)
    barrier.wait()
    c.request("GET", page, headers={"Host": addr})
    r = c.getresponse()
    body = r.read()
    if r.status != 200 or b"task-30000" not in body:
        failures.append(r.status)
threads = [threading.Thread(target=load) for _ in range(100)]
for t in threads: t.start()
for t in threads: t.join()
if failures:
    sys.exit(f"{len(failures)} loads failed: {failures[:5]}")
EOF2
    end=$(date +%s.%N)
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
    printf '%-28s %-26s %8d MiB %8d MiB %8.2f\n' "$bin" "${page%%$id*}<id>${page#*$id}" \
      $((before / 1024)) $((hwm / 1024)) "$(echo "$end - $start" | bc)"
    kill "$pid" && wait "$pid" 2>/dev/null || true
    pid=""
  done
done
