#!/usr/bin/env bash
# The write-path scenarios (i: update vs show, k: MCP vs processes) on three
# file systems, one after the other with the same binary:
#   disk   the default temp dir ($TMPDIR or /tmp) — on this project's VMs an
#          ext4 without a journal, where every new file costs a scan past the
#          inodes freed in the last minutes (ext4's recently_deleted check)
#   ext4j  a 2 GiB ext4 image with a journal, loop-mounted (root only; skipped
#          otherwise) — what most Linux machines have
#   tmpfs  /dev/shm — no disk cost at all: our own work alone
# Figures go to bench/out/fs-<name>.txt. Usage: bench/filesystems.sh [SCENARIO…]
set -euo pipefail
cd "$(dirname "$0")/.."
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(floor mcp)
mkdir -p bench/out
cargo bench --bench cli --no-run -q 2>/dev/null || cargo bench --bench cli --no-run
run() {
  local name=$1 dir=$2
  echo "== $name: $dir" >&2
  TMPDIR=$dir cargo bench -q --bench cli -- "${scenarios[@]}" | tee "bench/out/fs-$name.txt" || true
}
run disk "${TMPDIR:-/tmp}"
mnt=""
if [ "$(id -u)" = 0 ] && command -v mkfs.ext4 >/dev/null; then
  img=$(mktemp /tmp/git-tasklist-ext4j.XXXXXX.img)
  mnt=$(mktemp -d /tmp/git-tasklist-ext4j.XXXXXX)
  truncate -s 2G "$img" && mkfs.ext4 -q -F "$img"
  if mount -o loop "$img" "$mnt" 2>/dev/null; then
    trap 'umount "$mnt" 2>/dev/null; rm -rf "$mnt" "$img"' EXIT
    run ext4j "$mnt"
  else
    echo "== ext4j: cannot loop-mount here; skipped" >&2
    rm -rf "$mnt" "$img"
  fi
else
  echo "== ext4j: needs root and mkfs.ext4; skipped" >&2
fi
[ -d /dev/shm ] && run tmpfs /dev/shm
