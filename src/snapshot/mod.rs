//! Raw snapshots and list versions on disk, with validation before a version
//! may replace the last good one.
