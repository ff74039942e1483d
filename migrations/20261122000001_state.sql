-- obmen's own state: one database per home (state.db). Never edit a migration after it lands;
-- add a new one.

-- One row per exchange run: what it did and how it ended.
CREATE TABLE runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    server        TEXT    NOT NULL,
    started_at    TEXT    NOT NULL,
    ended_at      TEXT,
    dry_run       INTEGER NOT NULL DEFAULT 0,
    -- running | ok | partial | failed
    outcome       TEXT    NOT NULL DEFAULT 'running',
    -- the run's summary as JSON (counts and errors)
    summary       TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX runs_server ON runs (server, id);

-- Shop orders that could not be imported, with the reason and the order as received.
CREATE TABLE quarantine (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    server        TEXT    NOT NULL,
    order_id      TEXT    NOT NULL,
    order_number  TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    payload       TEXT    NOT NULL,
    first_seen    TEXT    NOT NULL,
    last_seen     TEXT    NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 1,
    -- open | resolved | dropped
    state         TEXT    NOT NULL DEFAULT 'open',
    UNIQUE (server, order_id)
);

-- What was last sent to the shop, per item, so that later exports send only what changed.
CREATE TABLE export_fingerprints (
    server        TEXT    NOT NULL,
    -- product | customer | stock
    kind          TEXT    NOT NULL,
    item          TEXT    NOT NULL,
    fingerprint   TEXT    NOT NULL,
    sent_at       TEXT    NOT NULL,
    PRIMARY KEY (server, kind, item)
);

-- Records joined across the two systems: a Warehouse Pro good or partner and its shop key.
CREATE TABLE links (
    server        TEXT    NOT NULL,
    -- good | partner
    kind          TEXT    NOT NULL,
    warehouse_id  INTEGER NOT NULL,
    shop_key      TEXT    NOT NULL,
    linked_at     TEXT    NOT NULL,
    PRIMARY KEY (server, kind, warehouse_id),
    UNIQUE (server, kind, shop_key)
);

-- Where a listing was last read up to (e.g. the orders cursor).
CREATE TABLE cursors (
    server        TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    value         TEXT    NOT NULL,
    PRIMARY KEY (server, name)
);
