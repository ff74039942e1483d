-- Whether the shop was told an order is set aside (BaseLinker: moved to the error status). The
-- quarantine is tried again each run; the shop is told once, not on every try, since each telling
-- costs a request of the token's limited budget. Entries set aside before this column existed
-- count as told: they were told when set aside.
ALTER TABLE quarantine ADD COLUMN shop_told INTEGER NOT NULL DEFAULT 1;
