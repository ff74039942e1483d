#!/usr/bin/env bash
# Runs a command beside a throwaway MariaDB server on loopback, then stops the server by its PID,
# whether the command passed or failed. No systemd, no system data directory is touched.
#
# The command sees:
#   OBMEN_TEST_MYSQL  an ODBC connection string (no database chosen) for a user that may create databases
#   OBMEN_TEST_MDB    a real Access .mdb file (Monitor.mdb from Debian's mrtg-contrib), if it could be fetched
#
# Usage: scripts/with-mariadb.sh COMMAND [ARG ...]
set -euo pipefail

work=$(mktemp -d "${TMPDIR:-/tmp}/obmen-mariadb.XXXXXX")
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# A free port on loopback, chosen by the kernel.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

mariadb-install-db --no-defaults --datadir="$work/data" --auth-root-authentication-method=socket \
  --skip-test-db >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; exit 1; }
mariadbd --no-defaults --datadir="$work/data" --socket="$work/sock" --port="$port" \
  --bind-address=127.0.0.1 --user=root --pid-file="$work/pid" --log-error="$work/error.log" \
  --innodb-buffer-pool-size=512M --innodb-flush-log-at-trx-commit=2 --max-connections=500 \
  --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci &
pid=$!

for _ in $(seq 1 300); do
  if mariadb-admin --no-defaults --socket="$work/sock" -uroot ping >/dev/null 2>&1; then break; fi
  kill -0 "$pid" 2>/dev/null || { cat "$work/error.log" >&2; echo "obmen: MariaDB did not start" >&2; exit 1; }
  sleep 0.1
done
mariadb --no-defaults --socket="$work/sock" -uroot <<SQL
CREATE USER 'obmen'@'127.0.0.1' IDENTIFIED BY 'obmen-test';
GRANT ALL PRIVILEGES ON *.* TO 'obmen'@'127.0.0.1' WITH GRANT OPTION;
SQL
echo "obmen: throwaway MariaDB on 127.0.0.1:$port (pid $pid)" >&2
export OBMEN_TEST_MYSQL="Driver={MariaDB Unicode};Server=127.0.0.1;Port=$port;Uid=obmen;Pwd=obmen-test;"

# A real Access database for the read-only path: Debian's mrtg-contrib ships Monitor.mdb.
mdb_dir="${OBMEN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/obmen-test}"
if [ -z "${OBMEN_TEST_MDB:-}" ]; then
  found=$(find "$mdb_dir" -name Monitor.mdb 2>/dev/null | head -n1 || true)
  if [ -z "$found" ] && command -v apt-get >/dev/null; then
    mkdir -p "$mdb_dir/deb"
    fetch() { (cd "$mdb_dir/deb" && apt-get download mrtg-contrib >/dev/null 2>&1 && dpkg-deb -x mrtg-contrib_*.deb "$mdb_dir/x"); }
    # Without package lists apt cannot download: refresh them once, then try again.
    fetch || { apt-get update -qq >/dev/null 2>&1 || true; fetch; } || echo "obmen: could not fetch mrtg-contrib (for Monitor.mdb)" >&2
    found=$(find "$mdb_dir" -name 'Monitor.mdb*' 2>/dev/null | head -n1 || true)
    case "$found" in *.gz) gunzip -kf "$found"; found="${found%.gz}";; esac
  fi
  [ -n "$found" ] && export OBMEN_TEST_MDB="$found"
fi

set +e
"$@"
status=$?
set -e
exit $status
