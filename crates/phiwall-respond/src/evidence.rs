//! Evidence snapshots: the ledger records of an incident's time range, with RFC 9162 inclusion
//! proofs against the newest signed checkpoint that covers them (or against the current tree,
//! flagged unsigned, when no checkpoint covers the range yet).
//!
//! The snapshot names records by sequence number and leaf hash only; it needs no key and
//! holds no event content, so it can be handed to an auditor or insurer as is. Anyone can
//! re-check each proof with `phiwall log prove` or any RFC 9162 implementation.

use crate::error::{Error, Result};
use crate::incident::Incident;
use phiwall_ledger::prove::InclusionProof;
use phiwall_ledger::store::{read_checkpoints, LedgerReader};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// At most this many inclusion proofs per snapshot (first, last and evenly spaced between).
pub const MAX_PROOFS: usize = 1_000;

/// What a snapshot wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The file.
    pub path: PathBuf,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// Records in the range.
    pub records: u64,
    /// Proofs included.
    pub proofs: usize,
    /// Whether the proofs are against a signed checkpoint.
    pub is_signed: bool,
}

#[derive(Serialize)]
struct SnapshotFile {
    format: &'static str,
    incident: String,
    created_at_ms: i64,
    window_ms: [i64; 2],
    first_seq: Option<u64>,
    last_seq: Option<u64>,
    records: u64,
    tree_size: u64,
    is_signed: bool,
    checkpoint: Option<phiwall_ledger::checkpoint::CheckpointJson>,
    proofs: Vec<phiwall_ledger::prove::InclusionProofJson>,
}

fn pick(n: usize, max: usize) -> Vec<usize> {
    if n <= max {
        return (0..n).collect();
    }
    let mut v: Vec<usize> = (0..max).map(|i| i * (n - 1) / (max - 1).max(1)).collect();
    v.dedup();
    v
}

/// Write the snapshot of `inc` (records from its activity start to `now`) into `out_dir`.
pub fn snapshot(ledger_dir: &Path, out_dir: &Path, inc: &Incident, now: i64) -> Result<Snapshot> {
    let reader = LedgerReader::open(ledger_dir)?;
    let from_us = u64::try_from(inc.activity_start.max(0)).unwrap_or(0).saturating_mul(1_000);
    let to_us = u64::try_from(now.max(inc.last_seen).max(0)).unwrap_or(0).saturating_mul(1_000);
    let seqs: Vec<u64> = reader
        .records()
        .filter(|(_, r)| r.time_micros >= from_us && r.time_micros <= to_us)
        .map(|(_, r)| r.seq)
        .collect();
    let tree = reader.merkle_tree();
    let (cps, _) = read_checkpoints(ledger_dir)?;
    let last = seqs.last().copied();
    let cp = cps
        .iter()
        .rev()
        .find(|c| last.is_some_and(|l| c.tree_size > l) && c.tree_size <= tree.len());
    let tree_size = cp.map_or(tree.len(), |c| c.tree_size);
    let mut proofs = Vec::new();
    for i in pick(seqs.len(), MAX_PROOFS) {
        if let Some(&seq) = seqs.get(i) {
            let p = InclusionProof::build(&tree, seq, tree_size)?;
            if let Some(c) = cp {
                if !p.verify_against(c) {
                    return Err(Error::Invalid {
                        what: "ledger",
                        expected: "records that match the signed checkpoint",
                        found: format!("seq {seq} does not; run `phiwall log verify`"),
                    });
                }
            }
            proofs.push(p.to_json());
        }
    }
    let file = SnapshotFile {
        format: "phiwall-evidence-v1",
        incident: inc.id.clone(),
        created_at_ms: now,
        window_ms: [inc.activity_start, now.max(inc.last_seen)],
        first_seq: seqs.first().copied(),
        last_seq: last,
        records: seqs.len() as u64,
        tree_size,
        is_signed: cp.is_some(),
        checkpoint: cp.map(|c| c.to_json()),
        proofs,
    };
    let bytes = serde_json::to_vec_pretty(&file)?;
    std::fs::create_dir_all(out_dir)
        .map_err(|e| Error::Io { path: out_dir.display().to_string(), source: e })?;
    let path = out_dir.join(format!("{}-{now}.json", inc.id));
    std::fs::write(&path, &bytes)
        .map_err(|e| Error::Io { path: path.display().to_string(), source: e })?;
    Ok(Snapshot {
        path,
        sha256: crate::record::text_hash_bytes(&bytes),
        records: seqs.len() as u64,
        proofs: file.proofs.len(),
        is_signed: file.is_signed,
    })
}

#[cfg(test)]
mod tests {
    use super::pick;

    #[test]
    fn sampling_keeps_ends() {
        assert_eq!(pick(3, 10), vec![0, 1, 2]);
        let p = pick(10_000, 5);
        assert_eq!(p.first(), Some(&0));
        assert_eq!(p.last(), Some(&9_999));
        assert_eq!(p.len(), 5);
    }
}
