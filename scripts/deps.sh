#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages obmen's build, tests and demo need, if any are missing.
# Usage: scripts/deps.sh [extra-package ...]
set -euo pipefail

packages=(unixodbc unixodbc-dev libsqliteodbc odbc-mariadb mariadb-server mariadb-client
          odbc-mdbtools mdbtools python3 python3-aiosmtpd systemd "$@")
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "obmen: these packages are missing and this is not a Debian/Ubuntu machine: ${missing[*]}" >&2
  echo "obmen: install the equivalents (unixODBC, SQLite ODBC, MariaDB ODBC and server, MDBTools ODBC) by hand." >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "obmen: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "obmen: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# policy-rc.d keeps the distribution's MariaDB service from starting: tests run their own.
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
