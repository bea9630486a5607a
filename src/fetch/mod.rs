//! Downloading list files with conditional GET, retries and size caps.
