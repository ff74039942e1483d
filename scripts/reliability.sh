#!/usr/bin/env bash
# `make reliability`: the reliability suite's full pass (tests/it/reliability/) against a throwaway
# MariaDB and the simulator, one case at a time; then its table, and the figures section of
# docs/RELIABILITY.md rewritten from it. OBMEN_RELIABILITY_SEED replays or varies the random
# moments. Run it beside a MariaDB (the Makefile does: scripts/with-mariadb.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=target/tmp/reliability.jsonl
mkdir -p target/tmp
rm -f "$rows"
# The code the figures are of: the commit, marked where the tree had changes besides.
OBMEN_COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' with uncommitted changes')"
export OBMEN_COMMIT
set +e
OBMEN_RELIABILITY=full "${CARGO:-cargo}" test --locked --test it reliability:: -- --test-threads=1
status=$?
set -e
python3 scripts/reliability-table.py "$rows" docs/RELIABILITY.md
exit $status
