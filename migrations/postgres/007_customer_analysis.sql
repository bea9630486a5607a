-- Each customer's names as analysed (`monitor::analysed`), so that a
-- rescreen reads them instead of analysing every name again. Rows written
-- before have none and are analysed from their record.
ALTER TABLE customers ADD COLUMN analysis BYTEA;
