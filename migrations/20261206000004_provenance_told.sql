-- Provenance, more of each order's journey: the shop's cursor the order was read at (NULL for a
-- retry from the quarantine), and when the shop took its acknowledgement.
ALTER TABLE provenance ADD COLUMN read_at_cursor TEXT;
ALTER TABLE provenance ADD COLUMN told_at TEXT;
