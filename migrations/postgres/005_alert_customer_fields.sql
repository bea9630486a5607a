-- The analyst console's queue filtered by the customer's segment or risk
-- rating at 1,000,000 customers (issue 14): the filter read the customers
-- table for every candidate alert. Each alert now carries its customer's
-- segment and risk level, kept in step by every write that changes them (a
-- customer's upsert and rating, an alert's insert, erasure), so the filter
-- is an indexed column of the alert.
ALTER TABLE alerts ADD COLUMN segment TEXT, ADD COLUMN risk_level TEXT;
UPDATE alerts SET segment = c.segment, risk_level = c.risk_level
    FROM customers c WHERE c.id = alerts.customer_id;
-- The queue reads current alerts only (partial indexes). A page of one
-- status: status then id or score; with created_at included, the counts per
-- status and the age filter are answered from the index. A page of every
-- status, or of several: id alone, read in order rather than sorted.
CREATE INDEX alerts_queue_status ON alerts (status, id) INCLUDE (created_at, list) WHERE is_current;
CREATE INDEX alerts_queue_status_score ON alerts (status, score, id) WHERE is_current;
CREATE INDEX alerts_queue_score ON alerts (score, id) WHERE is_current;
CREATE INDEX alerts_queue_segment ON alerts (segment, status, id) INCLUDE (created_at) WHERE is_current;
CREATE INDEX alerts_queue_segment_score ON alerts (segment, status, score, id) WHERE is_current;
CREATE INDEX alerts_queue_segment_id ON alerts (segment, id) WHERE is_current;
CREATE INDEX alerts_queue_risk ON alerts (risk_level, status, id) INCLUDE (created_at) WHERE is_current;
CREATE INDEX alerts_queue_risk_score ON alerts (risk_level, status, score, id) WHERE is_current;
CREATE INDEX alerts_queue_risk_id ON alerts (risk_level, id) WHERE is_current;
ANALYZE alerts;
