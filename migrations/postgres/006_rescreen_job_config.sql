-- A rescreen asked for on one replica (`POST /v1/monitor/rescreen`) is a
-- job of its own; the other replicas serving the same list versions under
-- the same matcher configuration find it and work its chunks too, and
-- finish it if the replica that asked dies. The configuration is recorded
-- with the job so that a replica matching differently never joins it.
-- Jobs from before this column have none and are never joined.
ALTER TABLE rescreen_jobs ADD COLUMN config_hash TEXT;
CREATE INDEX rescreen_jobs_running ON rescreen_jobs (id) WHERE status = 'running';
