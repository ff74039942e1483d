-- Provenance: every shop order as the shop sent it, kept unchanged with its SHA-256, the run that
-- received it and the document it became. A row is written before the order's document is, so a
-- crash between the two leaves the payload kept; an order the shop sends again changed (an edit
-- and a retry) is a second row, the first kept. `obmen audit provenance` checks the import log
-- against it. Rows are deleted only by the retention sweep, never before their document is older
-- than the configured years.
CREATE TABLE provenance (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    server        TEXT    NOT NULL,
    -- the import log's source (the shop account) the order came from
    source        TEXT    NOT NULL,
    order_id      TEXT    NOT NULL,
    order_number  TEXT    NOT NULL,
    sha256        TEXT    NOT NULL,
    payload       TEXT    NOT NULL,
    run_id        INTEGER,
    received_at   TEXT    NOT NULL,
    -- the document it became, once written
    document      TEXT,
    imported_at   TEXT,
    UNIQUE (server, order_id, sha256)
);
CREATE INDEX provenance_number ON provenance (server, order_number);

-- Kept unchanged: obmen never rewrites what it received.
CREATE TRIGGER provenance_unchanged BEFORE UPDATE OF source, order_id, order_number, sha256, payload, run_id, received_at ON provenance
BEGIN
    SELECT RAISE(ABORT, 'provenance is kept unchanged');
END;
