//! Containment in PostgreSQL: the [`ContainmentStore`] of cluster mode, so a key suspended, a
//! source blocked or safe mode switched on by incident response (or `phiwall incidents
//! contain`) holds on every replica. Each replica's gateway polls [`ContainmentStore::revision`]
//! (one small query every 250 ms) and reloads the active entries when it moves, so a change
//! reaches every replica within about a quarter of a second.
//!
//! Same rules as the embedded store: idempotent apply per (kind, target, incident) while active,
//! every change bumps the revision in its own transaction, targets are never PHI. Concurrent
//! applies of the same entry from two replicas are serialized by a transaction-scoped advisory
//! lock on the entry's identity, so they cannot both insert.

use super::PgBackend;
use crate::containment::{validate_target, ContainmentEntry, ContainmentKind, ContainmentStore};
use crate::error::Error;
use sqlx::{Postgres, Row, Transaction};
use std::sync::Arc;

const COLS: &str =
    "id, kind, target, incident, reason, created_at, expires_at, lifted_at, lifted_reason";

/// Containment in the `containment` table.
pub struct PgContainmentStore {
    backend: Arc<PgBackend>,
}

impl std::fmt::Debug for PgContainmentStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgContainmentStore")
    }
}

impl PgContainmentStore {
    /// Containment over `backend` (its migrations created the tables).
    pub fn open(backend: Arc<PgBackend>) -> Self {
        PgContainmentStore { backend }
    }
}

fn row_to_entry(r: &sqlx::postgres::PgRow) -> Result<ContainmentEntry, sqlx::Error> {
    let kind: String = r.try_get("kind")?;
    let kind = ContainmentKind::parse(&kind)
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown containment kind `{kind}`").into()))?;
    Ok(ContainmentEntry {
        id: r.try_get("id")?,
        kind,
        target: r.try_get("target")?,
        incident: r.try_get("incident")?,
        reason: r.try_get("reason")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        lifted_at: r.try_get("lifted_at")?,
        lifted_reason: r.try_get("lifted_reason")?,
    })
}

async fn bump(tx: &mut Transaction<'_, Postgres>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE containment_revision SET revision = revision + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The entries an `UPDATE ... RETURNING` lifted, oldest first; bumps the revision when there
/// were any, and commits.
async fn finish_lift(
    mut tx: Transaction<'_, Postgres>,
    rows: &[sqlx::postgres::PgRow],
) -> Result<Vec<ContainmentEntry>, sqlx::Error> {
    let mut out = rows.iter().map(row_to_entry).collect::<Result<Vec<_>, _>>()?;
    out.sort_by_key(|e| e.id);
    if !out.is_empty() {
        bump(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(out)
}

impl ContainmentStore for PgContainmentStore {
    fn apply(
        &self,
        kind: ContainmentKind,
        target: &str,
        incident: &str,
        reason: &str,
        now: i64,
        expires_at: Option<i64>,
    ) -> Result<(ContainmentEntry, bool), Error> {
        validate_target(kind, target)?;
        let (target, incident, reason) =
            (target.to_string(), incident.to_string(), reason.to_string());
        self.backend.run(move |pool| async move {
            let mut tx = pool.begin().await?;
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(format!("containment:{}:{target}:{incident}", kind.as_str()))
                .execute(&mut *tx)
                .await?;
            let existing = sqlx::query(&format!(
                "SELECT {COLS} FROM containment WHERE kind = $1 AND target = $2
                 AND incident = $3 AND lifted_at IS NULL
                 AND (expires_at IS NULL OR expires_at > $4) ORDER BY id LIMIT 1"
            ))
            .bind(kind.as_str())
            .bind(&target)
            .bind(&incident)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(r) = existing {
                let e = row_to_entry(&r)?;
                tx.commit().await?;
                return Ok((e, false));
            }
            let row = sqlx::query(&format!(
                "INSERT INTO containment (kind, target, incident, reason, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLS}"
            ))
            .bind(kind.as_str())
            .bind(&target)
            .bind(&incident)
            .bind(&reason)
            .bind(now)
            .bind(expires_at)
            .fetch_one(&mut *tx)
            .await?;
            let e = row_to_entry(&row)?;
            bump(&mut tx).await?;
            tx.commit().await?;
            Ok((e, true))
        })
    }

    fn lift(&self, id: i64, now: i64, why: &str) -> Result<bool, Error> {
        let why = why.to_string();
        self.backend.run(move |pool| async move {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(
                "UPDATE containment SET lifted_at = $2, lifted_reason = $3
                 WHERE id = $1 AND lifted_at IS NULL",
            )
            .bind(id)
            .bind(now)
            .bind(&why)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n > 0 {
                bump(&mut tx).await?;
            }
            tx.commit().await?;
            Ok(n > 0)
        })
    }

    fn lift_incident(
        &self,
        incident: &str,
        now: i64,
        why: &str,
    ) -> Result<Vec<ContainmentEntry>, Error> {
        let (incident, why) = (incident.to_string(), why.to_string());
        self.backend.run(move |pool| async move {
            let mut tx = pool.begin().await?;
            let rows = sqlx::query(&format!(
                "UPDATE containment SET lifted_at = $2, lifted_reason = $3
                 WHERE incident = $1 AND lifted_at IS NULL RETURNING {COLS}"
            ))
            .bind(&incident)
            .bind(now)
            .bind(&why)
            .fetch_all(&mut *tx)
            .await?;
            finish_lift(tx, &rows).await
        })
    }

    fn expire_due(&self, now: i64) -> Result<Vec<ContainmentEntry>, Error> {
        self.backend.run(move |pool| async move {
            let mut tx = pool.begin().await?;
            // An entry lapses at its expiry, not when a replica noticed.
            let rows = sqlx::query(&format!(
                "UPDATE containment SET lifted_at = expires_at, lifted_reason = 'expired'
                 WHERE lifted_at IS NULL AND expires_at IS NOT NULL AND expires_at <= $1
                 RETURNING {COLS}"
            ))
            .bind(now)
            .fetch_all(&mut *tx)
            .await?;
            finish_lift(tx, &rows).await
        })
    }

    fn active(&self, now: i64) -> Result<Vec<ContainmentEntry>, Error> {
        self.backend.run(move |pool| async move {
            let rows = sqlx::query(&format!(
                "SELECT {COLS} FROM containment WHERE lifted_at IS NULL
                 AND (expires_at IS NULL OR expires_at > $1) ORDER BY id"
            ))
            .bind(now)
            .fetch_all(&pool)
            .await?;
            rows.iter().map(row_to_entry).collect()
        })
    }

    fn for_incident(&self, incident: &str) -> Result<Vec<ContainmentEntry>, Error> {
        let incident = incident.to_string();
        self.backend.run(move |pool| async move {
            let rows = sqlx::query(&format!(
                "SELECT {COLS} FROM containment WHERE incident = $1 ORDER BY id"
            ))
            .bind(&incident)
            .fetch_all(&pool)
            .await?;
            rows.iter().map(row_to_entry).collect()
        })
    }

    fn revision(&self) -> Result<u64, Error> {
        self.backend.run(|pool| async move {
            let r: i64 =
                sqlx::query_scalar("SELECT revision FROM containment_revision WHERE id = 1")
                    .fetch_one(&pool)
                    .await?;
            Ok(u64::try_from(r).unwrap_or(0))
        })
    }
}
