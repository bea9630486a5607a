-- Replicas catch up with each other's customer writes: every write of a
-- customer's record takes the next change number. Write transactions hold
-- the audit chain's lock from start to commit, so change numbers commit in
-- order: a replica that has read every change up to N has missed none
-- below it. A deleted customer needs no number: its record is gone, and a
-- replica reading customers by ordinal no longer finds it.
CREATE SEQUENCE customer_changes;
ALTER TABLE customers ADD COLUMN change_seq BIGINT NOT NULL DEFAULT nextval('customer_changes');
CREATE INDEX customers_change ON customers (change_seq);
