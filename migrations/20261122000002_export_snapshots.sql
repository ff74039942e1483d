-- What the last export found and sent, per server, as one document: the stock levels of every
-- good at the object and the signature of the goods they were read with (see
-- kinds::warehouse_pro_shopiko::export). One row, read and written whole: a later export compares
-- 100,000 quantities against it without reading 100,000 rows.
CREATE TABLE export_snapshots (
    server TEXT NOT NULL,
    kind TEXT NOT NULL,
    data BLOB NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (server, kind)
);
