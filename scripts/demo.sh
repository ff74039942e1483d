#!/usr/bin/env bash
# Prepares a ready demo home: a SQLite Warehouse Pro database with Cyrillic goods, partners and
# stock, and one configured server of the kind "WarehousePro Import Export Shopiko".
# An existing demo home is kept as it is (make clean-demo starts over).
set -euo pipefail
: "${DEMO_HOME:?}" "${OBMEN:?}"
export OBMEN_HOME="$DEMO_HOME"
db="$DEMO_HOME/warehouse.db"
conn="Driver=SQLite3;Database=$db;"

mkdir -p "$DEMO_HOME"
chmod 700 "$DEMO_HOME"
if [ ! -f "$db" ]; then
  "$OBMEN" warehouse init --connection "$conn" --demo-data 500
fi
if [ ! -f "$DEMO_HOME/shopiko.key" ]; then
  (umask 077; od -An -tx1 -N20 /dev/urandom | tr -d ' \n' > "$DEMO_HOME/shopiko.key")
fi
if [ ! -f "$DEMO_HOME/servers/Shopiko.toml" ]; then
  # Paths relative to the home: a copied home is whole.
  "$OBMEN" server new Shopiko --kind "WarehousePro Import Export Shopiko" \
    --set database.dialect=sqlite \
    --set "database.connection=Driver=SQLite3;Database=warehouse.db;" \
    --set "rules.object=Централен Склад" \
    --set shopiko.url=http://127.0.0.1:8940/api \
    --set shopiko.api_id=3267435611954348033 \
    --set "shopiko.key_file=shopiko.key"
fi
echo
"$OBMEN" server list
echo
"$OBMEN" server show Shopiko --lang "${OBMEN_LANG:-bg}"
cat <<TXT

The demo home is $DEMO_HOME
  Warehouse Pro database (SQLite):  $db
  server files:                     $DEMO_HOME/servers/
  shop key (0600):                  $DEMO_HOME/shopiko.key
Try the exchange against the Shopiko simulator:
  export OBMEN_HOME=$DEMO_HOME
  $OBMEN shopiko-sim --api-id 3267435611954348033 --key-file $DEMO_HOME/shopiko.key --seed-orders 20 --seed-products 100 &
  $OBMEN check Shopiko
  $OBMEN run Shopiko --dry-run
  $OBMEN run Shopiko
TXT
