//! Ledger bookkeeping for cluster mode: each replica publishes its latest signed checkpoint and
//! a heartbeat; `phiwall log verify --cluster` reads them back to find a missing or rolled-back
//! replica chain. The rows hold raw bytes: this crate does not depend on the ledger crate.

use super::PgBackend;
use crate::error::Error;
use sqlx::Row;

/// One signed checkpoint of one replica's chain, as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointRow {
    /// The replica that wrote the chain.
    pub replica_id: String,
    /// Records covered.
    pub tree_size: u64,
    /// Merkle root.
    pub root: Vec<u8>,
    /// Last record hash.
    pub chain_head: Vec<u8>,
    /// Signing time, microseconds.
    pub time_micros: u64,
    /// Ed25519 public key.
    pub public_key: Vec<u8>,
    /// Ed25519 signature.
    pub signature: Vec<u8>,
}

/// A replica's heartbeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaRow {
    /// Replica id.
    pub replica_id: String,
    /// SHA-256 (hex) of the configuration it runs (detects policy drift between replicas).
    pub config_sha256: String,
    /// First start, unix seconds.
    pub started_at: i64,
    /// Last heartbeat, unix seconds.
    pub last_seen: i64,
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl PgBackend {
    /// Record a checkpoint (idempotent per replica and tree size).
    pub async fn record_checkpoint(&self, c: CheckpointRow, now: i64) -> Result<(), Error> {
        self.run_async(move |pool| async move {
            sqlx::query(
                "INSERT INTO ledger_checkpoints
                 (replica_id, tree_size, root, chain_head, time_micros, public_key, signature, recorded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (replica_id, tree_size) DO NOTHING",
            )
            .bind(&c.replica_id)
            .bind(to_i64(c.tree_size))
            .bind(&c.root)
            .bind(&c.chain_head)
            .bind(to_i64(c.time_micros))
            .bind(&c.public_key)
            .bind(&c.signature)
            .bind(now)
            .execute(&pool)
            .await?;
            Ok(())
        })
        .await
    }

    /// The latest (largest) checkpoint of every replica that ever published one.
    pub fn latest_checkpoints(&self) -> Result<Vec<CheckpointRow>, Error> {
        self.run(|pool| async move {
            let rows = sqlx::query(
                "SELECT DISTINCT ON (replica_id) replica_id, tree_size, root, chain_head,
                        time_micros, public_key, signature
                 FROM ledger_checkpoints ORDER BY replica_id, tree_size DESC",
            )
            .fetch_all(&pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(CheckpointRow {
                        replica_id: r.try_get("replica_id")?,
                        tree_size: u64::try_from(r.try_get::<i64, _>("tree_size")?).unwrap_or(0),
                        root: r.try_get("root")?,
                        chain_head: r.try_get("chain_head")?,
                        time_micros: u64::try_from(r.try_get::<i64, _>("time_micros")?)
                            .unwrap_or(0),
                        public_key: r.try_get("public_key")?,
                        signature: r.try_get("signature")?,
                    })
                })
                .collect()
        })
    }

    /// Upsert this replica's heartbeat.
    pub async fn heartbeat(
        &self,
        replica_id: String,
        config_sha256: String,
        now: i64,
    ) -> Result<(), Error> {
        self.run_async(move |pool| async move {
            sqlx::query(
                "INSERT INTO replicas (replica_id, config_sha256, started_at, last_seen)
                 VALUES ($1, $2, $3, $3)
                 ON CONFLICT (replica_id) DO UPDATE
                 SET config_sha256 = EXCLUDED.config_sha256, last_seen = EXCLUDED.last_seen",
            )
            .bind(&replica_id)
            .bind(&config_sha256)
            .bind(now)
            .execute(&pool)
            .await?;
            Ok(())
        })
        .await
    }

    /// Every replica that ever sent a heartbeat.
    pub fn replicas(&self) -> Result<Vec<ReplicaRow>, Error> {
        self.run(|pool| async move {
            let rows = sqlx::query(
                "SELECT replica_id, config_sha256, started_at, last_seen FROM replicas
                 ORDER BY replica_id",
            )
            .fetch_all(&pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(ReplicaRow {
                        replica_id: r.try_get("replica_id")?,
                        config_sha256: r.try_get("config_sha256")?,
                        started_at: r.try_get("started_at")?,
                        last_seen: r.try_get("last_seen")?,
                    })
                })
                .collect()
        })
    }
}
