//! The audit trail's hash chain: each record carries the SHA-256 of the one
//! before it and its own, over a fixed layout of its fields. Any backend
//! links records with [`link`]; [`Verifier`] walks a trail in sequence order
//! and names the first record that was changed, deleted or moved.

use super::store::AuditRecord;
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of a record: SHA-256 over its fields, each on its own line.
pub fn hash(
    prev_hash: &str,
    seq: i64,
    at: &str,
    kind: &str,
    actor: &str,
    subject: Option<&str>,
    payload: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [
        prev_hash,
        &seq.to_string(),
        at,
        kind,
        actor,
        subject.unwrap_or(""),
        payload,
    ] {
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// The record's own hash, recomputed from its fields.
pub fn recompute(r: &AuditRecord) -> String {
    hash(
        &r.prev_hash,
        r.seq,
        &r.at,
        &r.kind,
        &r.actor,
        r.subject.as_deref(),
        &r.payload,
    )
}

/// Builds the record that follows `prev` (`None`: the first).
pub fn link(
    prev: Option<(i64, &str)>,
    at: String,
    kind: &str,
    actor: &str,
    subject: Option<&str>,
    payload: String,
) -> AuditRecord {
    let (seq, prev_hash) = match prev {
        Some((s, h)) => (s + 1, h.to_string()),
        None => (1, GENESIS.to_string()),
    };
    let hash = hash(&prev_hash, seq, &at, kind, actor, subject, &payload);
    AuditRecord {
        seq,
        at,
        kind: kind.to_string(),
        actor: actor.to_string(),
        subject: subject.map(str::to_string),
        payload,
        prev_hash,
        hash,
    }
}

/// What a verification found.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct VerifyReport {
    pub records: u64,
    /// The last record checked: `seq` and hash (a checkpoint to keep).
    pub last_seq: i64,
    pub last_hash: String,
    /// The first problem, naming the record; `None` when the chain holds.
    pub problem: Option<String>,
}

/// Checks records fed in sequence order.
#[derive(Debug, Default)]
pub struct Verifier {
    report: VerifyReport,
}

impl Verifier {
    pub fn new() -> Verifier {
        Verifier {
            report: VerifyReport {
                last_hash: GENESIS.to_string(),
                ..VerifyReport::default()
            },
        }
    }

    /// Checks the next record; returns false once a problem is found.
    pub fn check(&mut self, r: &AuditRecord) -> bool {
        if self.report.problem.is_some() {
            return false;
        }
        let expected_seq = self.report.last_seq + 1;
        let describe = |r: &AuditRecord| format!("record {} ({} at {})", r.seq, r.kind, r.at);
        let problem = if r.seq != expected_seq {
            if r.seq > expected_seq {
                Some(format!(
                    "records {expected_seq} to {} are missing (deleted) before {}",
                    r.seq - 1,
                    describe(r)
                ))
            } else {
                Some(format!(
                    "{} is out of order after record {}",
                    describe(r),
                    self.report.last_seq
                ))
            }
        } else if recompute(r) != r.hash {
            Some(format!(
                "{} was changed: its content does not match its hash",
                describe(r)
            ))
        } else if r.prev_hash != self.report.last_hash {
            Some(format!(
                "{} does not follow record {}: a record before it was changed, removed or moved",
                describe(r),
                self.report.last_seq
            ))
        } else {
            None
        };
        if let Some(p) = problem {
            self.report.problem = Some(p);
            return false;
        }
        self.report.records += 1;
        self.report.last_seq = r.seq;
        self.report.last_hash = r.hash.clone();
        true
    }

    pub fn finish(self) -> VerifyReport {
        self.report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Vec<AuditRecord> {
        let mut out: Vec<AuditRecord> = Vec::new();
        for i in 0..n {
            let prev = out.last().map(|r| (r.seq, r.hash.as_str()));
            let r = link(
                prev,
                format!("2026-01-01T00:00:0{i}Z"),
                "customer.upserted",
                "crm",
                Some("customer:c1"),
                format!("{{\"n\":{i}}}"),
            );
            out.push(r);
        }
        out
    }

    fn verify(records: &[AuditRecord]) -> VerifyReport {
        let mut v = Verifier::new();
        for r in records {
            if !v.check(r) {
                break;
            }
        }
        v.finish()
    }

    #[test]
    fn an_intact_chain_verifies() {
        let r = verify(&chain(5));
        assert_eq!(r.problem, None);
        assert_eq!(r.records, 5);
    }

    #[test]
    fn changes_deletions_and_moves_are_named() {
        let mut changed = chain(5);
        changed[2].payload = "{\"n\":9}".into();
        let p = verify(&changed).problem.expect("problem");
        assert!(p.starts_with("record 3 ") && p.contains("changed"), "{p}");

        let mut deleted = chain(5);
        deleted.remove(3);
        let p = verify(&deleted).problem.expect("problem");
        assert!(p.contains("records 4 to 4 are missing"), "{p}");

        let mut deleted_last_renumbered = chain(5);
        deleted_last_renumbered.remove(1);
        for r in deleted_last_renumbered.iter_mut().skip(1) {
            r.seq -= 1;
        }
        let p = verify(&deleted_last_renumbered).problem.expect("problem");
        assert!(p.starts_with("record 2 "), "{p}");

        let mut moved = chain(5);
        moved.swap(1, 2);
        let p = verify(&moved).problem.expect("problem");
        assert!(
            p.contains("record 3") && p.contains("out of order") || p.contains("record 3 "),
            "{p}"
        );
    }
}
