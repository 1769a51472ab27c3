#!/usr/bin/env bash
# Builds a demo repository with a few task lists and takes docs/board.png of
# its board (and of one list's page, docs/board-list.png) with headless Chromium: bash docs/board-demo.sh [BINARY]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-$here/../target/debug/git-tasklist}"
tmp="$(mktemp -d)"
trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 HOME="$tmp"
export GIT_AUTHOR_NAME="Ada Agent" GIT_AUTHOR_EMAIL=ada@example.com
export GIT_COMMITTER_NAME="Ada Agent" GIT_COMMITTER_EMAIL=ada@example.com
git init -q -b main "$tmp/repo" && cd "$tmp/repo"
t() { "$bin" "$@" >/dev/null; }
mig=$("$bin" create --template migration "Database migration" | head -1)
t -l "$mig" --session claude-7f3a start database-migration
t -l "$mig" --session claude-7f3a done database-migration --note "schema v12 applied on staging"
t -l "$mig" --session claude-7f3a start application-migration
t -l "$mig" --session claude-7f3a handoff --note "models done; queries in src/db/ next"
api=$("$bin" create "Public API v2" --task design="Design the endpoints" --task auth="Token auth" \
  --task rate="Rate limiting" --task docs="API reference" --task sdk="Client SDK" | head -1)
t -l "$api" add sdk-tests --title "SDK tests" --depends-on sdk
t -l "$api" --session codex-19 done design
t -l "$api" --session codex-19 done auth
t -l "$api" --session codex-19 start rate
t -l "$api" block docs --reason "waiting for the design review on Thursday"
t -l "$api" --session codex-19 handoff --note "Rate limiting is half done: token bucket in src/limit.rs, tests next"
fix=$("$bin" create "Flaky CI" --task repro="Reproduce the timeout" --task fix="Fix the race" --task guard="Add a regression test" | head -1)
t -l "$fix" --session claude-2b9c done repro
t -l "$fix" --session claude-2b9c start fix --note "the lock file outlives the test"
old=$("$bin" create "Release 1.4" --task notes --task tag --task announce | head -1)
for task in notes tag announce; do t -l "$old" done "$task"; done
t archive "$old"
git init -q --bare "$tmp/origin.git" && git remote add origin "$tmp/origin.git"
t sync && t sync
t -l "$fix" --session claude-2b9c update fix --note "the lock file outlives the test; fixed in 3f2c1e"
"$bin" serve --port 0 > "$tmp/url" & server=$!
for _ in $(seq 50); do [ -s "$tmp/url" ] && break; sleep 0.1; done
url="$(sed 's/.* on //' "$tmp/url")"
shot() {
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$tmp/profile" --hide-scrollbars --window-size=1280,800 \
    --screenshot="$here/$1" "$2" 2>/dev/null
  echo "wrote $here/$1"
}
shot board.png "$url"
shot board-list.png "${url}list/$api"
