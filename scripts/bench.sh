#!/usr/bin/env bash
# Runs every benchmark in one go and rewrites docs/BENCHMARKS.md with their figures, the machine,
# the date and the command of each; each bench says whether its target was met. Run it beside a
# MariaDB (`make bench` does: scripts/with-mariadb.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/BENCHMARKS.md
tmp=$(mktemp)
log=$(mktemp)
trap 'rm -f "$tmp" "$log"' EXIT
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ *//' || echo unknown)
mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo 2>/dev/null || echo "? GiB")
{
  echo "# Benchmarks"
  echo
  echo "Written by \`make bench\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' with uncommitted changes')."
  echo "Machine: $(nproc) cores ($cpu), $mem, $(uname -sr). It is shared and noisy: each figure is"
  echo "a ratio or a median measured within one run, never a timed test. Earlier runs, with what was"
  echo "learnt from them: docs/BENCHMARKS-history.md."
} >"$tmp"
for bench in warehouse shopiko baselinker exchange daemon; do
  echo "obmen: cargo bench --bench $bench" >&2
  {
    echo
    echo "Command: \`bash scripts/with-mariadb.sh cargo bench --locked --bench $bench\`"
    echo
  } >>"$tmp"
  if ! "${CARGO:-cargo}" bench --locked --bench "$bench" >>"$tmp" 2>"$log"; then
    cat "$log" >&2
    echo "**This bench failed**: see its output above \`make bench\`." >>"$tmp"
    cp "$tmp" "$out"
    exit 1
  fi
done
cp "$tmp" "$out"
echo "obmen: wrote $out" >&2
grep -E "Target|target" "$out" >&2 || true
