//! `phiwall log verify --cluster`: verify every replica's audit chain against the checkpoints
//! the replicas published to PostgreSQL.
//!
//! A replica that published a checkpoint of N records must have a chain in
//! `<ledger_root>/<replica_id>` that verifies and contains that checkpoint (same root, same
//! signing key). A missing directory is a **missing chain**; a chain shorter than its
//! published checkpoint, or one whose history no longer reproduces it, was **rolled back** or
//! rewritten. Chains on disk that never published a checkpoint, and replicas whose heartbeat
//! names no chain, are reported as warnings.

use phiwall_ledger::{verify_dir, Checkpoint, VerifyOptions};
use phiwall_store::pg::ledger::CheckpointRow;
use phiwall_store::pg::PgBackend;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The verdict for one replica.
#[derive(Debug, Clone, Serialize)]
pub struct ReplicaVerdict {
    /// Replica id.
    pub replica_id: String,
    /// Its chain directory.
    pub dir: PathBuf,
    /// Records covered by its latest published checkpoint.
    pub published_tree_size: Option<u64>,
    /// Records found in its chain.
    pub records: Option<u64>,
    /// `ok`, `missing chain`, `rolled back`, `tampered`, or `unpublished` (warning only).
    pub status: &'static str,
    /// What was found.
    pub detail: String,
}

impl ReplicaVerdict {
    /// Whether this replica's chain passed (an unpublished chain is a warning, not a failure).
    pub fn is_ok(&self) -> bool {
        matches!(self.status, "ok" | "unpublished")
    }
}

fn to_checkpoint(r: &CheckpointRow) -> Option<Checkpoint> {
    Some(Checkpoint {
        tree_size: r.tree_size,
        root: r.root.as_slice().try_into().ok()?,
        chain_head: r.chain_head.as_slice().try_into().ok()?,
        time_micros: r.time_micros,
        public_key: r.public_key.as_slice().try_into().ok()?,
        signature: r.signature.as_slice().try_into().ok()?,
    })
}

/// Verify one chain against a published checkpoint.
pub fn verify_replica(root: &Path, row: &CheckpointRow) -> ReplicaVerdict {
    let dir = root.join(&row.replica_id);
    let mut v = ReplicaVerdict {
        replica_id: row.replica_id.clone(),
        dir: dir.clone(),
        published_tree_size: Some(row.tree_size),
        records: None,
        status: "ok",
        detail: String::new(),
    };
    if !dir.is_dir() {
        v.status = "missing chain";
        v.detail = format!(
            "no ledger directory for replica {}, which published a checkpoint of {} records",
            row.replica_id, row.tree_size
        );
        return v;
    }
    let Some(cp) = to_checkpoint(row) else {
        v.status = "tampered";
        v.detail = "the published checkpoint row has fields of the wrong length".into();
        return v;
    };
    if !cp.is_self_signed_valid() {
        v.status = "tampered";
        v.detail = "the published checkpoint's signature does not verify".into();
        return v;
    }
    match verify_dir(&dir, &VerifyOptions { kept_checkpoint: Some(cp), public_key: None }) {
        Err(e) => {
            v.status = "tampered";
            v.detail = format!("cannot verify: {e}");
        }
        Ok(report) => {
            v.records = Some(report.records);
            match &report.problem {
                None => {
                    v.detail = format!(
                        "{} records verified; consistent with the published checkpoint of {}",
                        report.records, row.tree_size
                    )
                }
                Some(p) => {
                    let is_rollback = report.records < row.tree_size
                        || matches!(
                            report.problem_kind,
                            Some("truncated" | "inconsistent with checkpoint")
                        );
                    v.status = if is_rollback { "rolled back" } else { "tampered" };
                    v.detail = format!("{p} (published checkpoint: {} records)", row.tree_size);
                }
            }
        }
    }
    v
}

/// Verify every chain under `root` against the checkpoints in PostgreSQL.
pub fn verify_cluster(backend: &PgBackend, root: &Path) -> Result<Vec<ReplicaVerdict>, String> {
    let rows = backend.latest_checkpoints().map_err(|e| format!("reading checkpoints: {e}"))?;
    let mut out: Vec<ReplicaVerdict> = rows.iter().map(|r| verify_replica(root, r)).collect();
    // Chains on disk that never published (a replica that died before its first checkpoint).
    if let Ok(entries) = std::fs::read_dir(root) {
        let mut extra: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().join("keyring.json").exists())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|name| !rows.iter().any(|r| &r.replica_id == name))
            .collect();
        extra.sort();
        for name in extra {
            let dir = root.join(&name);
            let report = verify_dir(&dir, &VerifyOptions::default());
            let (status, records, detail) = match report {
                Ok(r) if r.is_ok() => (
                    "unpublished",
                    Some(r.records),
                    format!("{} records verified, but no checkpoint was ever published", r.records),
                ),
                Ok(r) => (
                    "tampered",
                    Some(r.records),
                    r.problem.map(|p| p.to_string()).unwrap_or_default(),
                ),
                Err(e) => ("tampered", None, format!("cannot verify: {e}")),
            };
            out.push(ReplicaVerdict {
                replica_id: name,
                dir,
                published_tree_size: None,
                records,
                status,
                detail,
            });
        }
    }
    Ok(out)
}
