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
set +e
OBMEN_RELIABILITY=full "${CARGO:-cargo}" test --locked --test it reliability:: -- --test-threads=1
status=$?
set -e
python3 scripts/reliability-table.py "$rows" docs/RELIABILITY.md
exit $status
