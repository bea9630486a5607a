-- List versions shared by every replica (see crate::snapshot::shared): the
-- raw files exactly as fetched, the version record (VersionMeta as JSON),
-- which version is current, and the lease of the one replica that may
-- fetch, validate and publish a list at a time.
CREATE TABLE list_versions (
    list_id TEXT NOT NULL,
    version TEXT NOT NULL,
    meta TEXT NOT NULL,
    published_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (list_id, version)
);
CREATE TABLE list_files (
    list_id TEXT NOT NULL,
    version TEXT NOT NULL,
    name TEXT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (list_id, version, name),
    FOREIGN KEY (list_id, version) REFERENCES list_versions (list_id, version)
);
CREATE TABLE list_state (
    list_id TEXT PRIMARY KEY,
    current_version TEXT,
    holder TEXT,
    token BIGINT NOT NULL DEFAULT 0,
    lease_until TIMESTAMPTZ,
    last_attempt TIMESTAMPTZ,
    last_success TIMESTAMPTZ,
    last_error TEXT,
    last_error_at TIMESTAMPTZ,
    FOREIGN KEY (list_id, current_version) REFERENCES list_versions (list_id, version)
);
