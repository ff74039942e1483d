#!/usr/bin/env bash
# Makes tests/fixtures/state-BEFORE-TAGS.db: obmen's own state.db as an obmen of one kind wrote it
# (run reports untagged), for the test that every later obmen still reads it
# (tests/it/compat.rs). Run once, with the binary of the obmen whose state it keeps:
#   OBMEN=/path/to/that/obmen bash scripts/make-state-fixture.sh tests/fixtures/state-3ec4912.db
# It makes a SQLite Warehouse Pro database, starts a Shopiko simulator on loopback, and runs a
# server four times: an import and export, a dry run, a run with nothing new, and a run with
# the shop down (failed), the orders of more than two pieces a line set aside; then it keeps
# state.db alone, checkpointed.
set -euo pipefail
OBMEN="${OBMEN:?set OBMEN to the obmen binary whose state.db to keep}"
OUT="${1:?the fixture file to write}"
H="$(mktemp -d)"
trap 'kill "${SIM:-}" 2>/dev/null || true; rm -rf "$H"' EXIT
"$OBMEN" --home "$H" warehouse init --connection "Driver=SQLite3;Database=$H/wh.db;" --demo-data 30 >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$OBMEN" shopiko-sim --listen "127.0.0.1:$PORT" --api-id 7 --key fixture-key --seed-orders 5 --seed-products 10 >"$H/sim.log" 2>&1 &
SIM=$!
for _ in $(seq 50); do curl -s "http://127.0.0.1:$PORT/_sim/stats" >/dev/null && break; sleep 0.1; done
mkdir -p "$H/servers"
cat >"$H/servers/Shop.toml" <<TOML
name = "Shop"
kind = "WarehousePro Import Export Shopiko"

[database]
dialect = "sqlite"
connection = "Driver=SQLite3;Database=$H/wh.db;"

[rules]
object = "Централен Склад"
export_goods = true
# Orders with a line of more than two pieces are set aside: the quarantine keeps their payloads.
max_quantity = 2

[shopiko]
url = "http://127.0.0.1:$PORT"
api_id = "7"
key = "fixture-key"
TOML
chmod 600 "$H/servers/Shop.toml"
"$OBMEN" --home "$H" run Shop --import --export >/dev/null || true
"$OBMEN" --home "$H" run Shop --import --dry-run >/dev/null || true
"$OBMEN" --home "$H" run Shop --import >/dev/null || true
kill "$SIM"; wait "$SIM" 2>/dev/null || true
"$OBMEN" --home "$H" run Shop --import >/dev/null 2>&1 || true
python3 - "$H/state.db" "$OUT" <<'PY'
import sqlite3, sys, os
src, out = sys.argv[1], sys.argv[2]
if os.path.exists(out):
    os.remove(out)
c = sqlite3.connect(src)
c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
c.execute("VACUUM INTO ?", (out,))
print(out, os.path.getsize(out), "bytes;", c.execute("SELECT COUNT(*) FROM runs").fetchone()[0], "runs;", c.execute("SELECT COUNT(*) FROM quarantine").fetchone()[0], "set aside")
PY
