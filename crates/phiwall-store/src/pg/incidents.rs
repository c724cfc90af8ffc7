//! Incidents in PostgreSQL: the backend of [`crate::IncidentStore`] in cluster mode, so the
//! incident that the detector lease holder raises is listed, contained and closed from any
//! replica, and a replica that takes the lease over continues the same incidents.
//!
//! Same tables and rules as the embedded `incidents.sqlite3` (see [`crate::incidents`]), with
//! two additions for several writers:
//!
//! - every transaction first takes one transaction-scoped advisory lock, so incident
//!   transactions are serialized across replicas as SQLite's `BEGIN IMMEDIATE` serializes them
//!   across processes (two replicas can never both open an incident for one principal, and a
//!   close cannot overwrite a concurrent escalation);
//! - the outbox is drained by any replica into its own ledger chain: a replica claims pending
//!   records for [`CLAIM_MS`] (`FOR UPDATE SKIP LOCKED`), so two replicas do not append the same
//!   record, and a claim left by a replica that crashed expires. `replica` records which chain
//!   holds `seq`.
//!
//! A transaction spans several statements, each run on the backend's IO thread and bounded by
//! its operation timeout; the open transaction lives between them in [`PgIncidentTx`].

use super::PgBackend;
use crate::error::Error;
use crate::incidents::{newest_open, IncidentRow, OutboxRow};
use sqlx::{Postgres, Row, Transaction};
use std::sync::Arc;

/// How long a replica's claim on pending outbox records lasts.
pub const CLAIM_MS: i64 = 30_000;

/// The advisory lock key of incident transactions ("phiw" "inc1").
const TX_LOCK: i64 = 0x7068_6977_696e_6331;

const INC_COLS: &str = "id, status, severity, opened_at, updated_at, body";
const OUT_COLS: &str = "id, incident, time, body, seq";

/// Server time in unix ms (claims use one clock whatever the replicas' clocks say).
const NOW_MS: &str = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

fn row_to_incident(r: &sqlx::postgres::PgRow) -> Result<IncidentRow, sqlx::Error> {
    Ok(IncidentRow {
        id: r.try_get("id")?,
        status: r.try_get("status")?,
        severity: r.try_get("severity")?,
        opened_at: r.try_get("opened_at")?,
        updated_at: r.try_get("updated_at")?,
        body: r.try_get("body")?,
    })
}

fn row_to_outbox(r: &sqlx::postgres::PgRow) -> Result<OutboxRow, sqlx::Error> {
    let seq: Option<i64> = r.try_get("seq")?;
    Ok(OutboxRow {
        id: r.try_get("id")?,
        incident: r.try_get("incident")?,
        time: r.try_get("time")?,
        body: r.try_get("body")?,
        seq: seq.and_then(|s| u64::try_from(s).ok()),
    })
}

/// The incident tables over `backend`.
pub struct PgIncidents {
    backend: Arc<PgBackend>,
    replica: String,
}

impl std::fmt::Debug for PgIncidents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgIncidents").field("replica", &self.replica).finish()
    }
}

impl PgIncidents {
    /// Incidents over `backend` (its migrations created the tables); `replica` names this
    /// replica's ledger chain in the outbox.
    pub fn open(backend: Arc<PgBackend>, replica: impl Into<String>) -> Self {
        PgIncidents { backend, replica: replica.into() }
    }

    /// One incident.
    pub fn get(&self, id: &str) -> Result<Option<IncidentRow>, Error> {
        let id = id.to_string();
        self.backend.run(move |pool| async move {
            let q = format!("SELECT {INC_COLS} FROM incidents WHERE id = $1");
            let row = sqlx::query(&q).bind(id).fetch_optional(&pool).await?;
            row.as_ref().map(row_to_incident).transpose()
        })
    }

    /// Every incident, newest first.
    pub fn list(&self) -> Result<Vec<IncidentRow>, Error> {
        self.backend.run(move |pool| async move {
            let q = format!("SELECT {INC_COLS} FROM incidents ORDER BY opened_at DESC, id DESC");
            let rows = sqlx::query(&q).fetch_all(&pool).await?;
            rows.iter().map(row_to_incident).collect()
        })
    }

    /// Claim up to `limit` records no ledger holds yet and no other replica claimed, oldest
    /// first.
    pub fn pending_outbox(&self, limit: usize) -> Result<Vec<OutboxRow>, Error> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.backend.run(move |pool| async move {
            let q = format!(
                "UPDATE incident_outbox SET claimed_until = {NOW_MS} + $2
                 WHERE id IN (
                     SELECT id FROM incident_outbox
                     WHERE seq IS NULL AND (claimed_until IS NULL OR claimed_until < {NOW_MS})
                     ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
                 RETURNING {OUT_COLS}"
            );
            let rows = sqlx::query(&q).bind(limit).bind(CLAIM_MS).fetch_all(&pool).await?;
            let mut out = rows.iter().map(row_to_outbox).collect::<Result<Vec<_>, _>>()?;
            out.sort_by_key(|r| r.id);
            Ok(out)
        })
    }

    /// Every record of an incident, in order.
    pub fn outbox_for(&self, incident: &str) -> Result<Vec<OutboxRow>, Error> {
        let incident = incident.to_string();
        self.backend.run(move |pool| async move {
            let q =
                format!("SELECT {OUT_COLS} FROM incident_outbox WHERE incident = $1 ORDER BY id");
            let rows = sqlx::query(&q).bind(incident).fetch_all(&pool).await?;
            rows.iter().map(row_to_outbox).collect()
        })
    }

    /// Note the ledger sequence numbers (in this replica's chain) of appended records.
    pub fn mark_written(&self, written: &[(i64, u64)]) -> Result<(), Error> {
        let written: Vec<(i64, i64)> = written
            .iter()
            .map(|(id, seq)| (*id, i64::try_from(*seq).unwrap_or(i64::MAX)))
            .collect();
        let replica = self.replica.clone();
        self.backend.run(move |pool| async move {
            let mut tx = pool.begin().await?;
            for (id, seq) in written {
                sqlx::query(
                    "UPDATE incident_outbox SET seq = $2, replica = $3, claimed_until = NULL
                     WHERE id = $1",
                )
                .bind(id)
                .bind(seq)
                .bind(&replica)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await
        })
    }

    /// Begin a transaction holding the incident lock.
    pub fn begin(&self) -> Result<PgIncidentTx, Error> {
        let tx = self.backend.run(move |pool| async move {
            let mut tx = pool.begin().await?;
            sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(TX_LOCK).execute(&mut *tx).await?;
            Ok(tx)
        })?;
        Ok(PgIncidentTx {
            backend: self.backend.clone(),
            tx: Arc::new(tokio::sync::Mutex::new(Some(tx))),
        })
    }
}

type SharedTx = Arc<tokio::sync::Mutex<Option<Transaction<'static, Postgres>>>>;

/// An open incident transaction (see the module docs). Dropped without [`PgIncidentTx::commit`]
/// it rolls back.
pub struct PgIncidentTx {
    backend: Arc<PgBackend>,
    tx: SharedTx,
}

impl std::fmt::Debug for PgIncidentTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgIncidentTx")
    }
}

/// The transaction a statement runs in; an error once it was committed or rolled back.
fn open_tx<'a>(
    guard: &'a mut Option<Transaction<'static, Postgres>>,
) -> Result<&'a mut Transaction<'static, Postgres>, sqlx::Error> {
    guard.as_mut().ok_or_else(|| sqlx::Error::Protocol("incident transaction already ended".into()))
}

impl PgIncidentTx {
    /// Allocate the next incident number (1, 2, ...).
    pub fn next_number(&self) -> Result<u64, Error> {
        let tx = self.tx.clone();
        let n: i64 = self.backend.run(move |_| async move {
            let mut g = tx.lock().await;
            let t = open_tx(&mut g)?;
            let row = sqlx::query(
                "UPDATE incident_meta SET next_number = next_number + 1 WHERE id = 1
                 RETURNING next_number",
            )
            .fetch_one(&mut **t)
            .await?;
            row.try_get(0)
        })?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// One incident.
    pub fn get(&self, id: &str) -> Result<Option<IncidentRow>, Error> {
        let (tx, id) = (self.tx.clone(), id.to_string());
        self.backend.run(move |_| async move {
            let mut g = tx.lock().await;
            let t = open_tx(&mut g)?;
            let q = format!("SELECT {INC_COLS} FROM incidents WHERE id = $1");
            let row = sqlx::query(&q).bind(id).fetch_optional(&mut **t).await?;
            row.as_ref().map(row_to_incident).transpose()
        })
    }

    /// Insert or replace an incident.
    pub fn put(&self, row: &IncidentRow) -> Result<(), Error> {
        let (tx, row) = (self.tx.clone(), row.clone());
        self.backend.run(move |_| async move {
            let mut g = tx.lock().await;
            let t = open_tx(&mut g)?;
            sqlx::query(
                "INSERT INTO incidents (id, status, severity, opened_at, updated_at, body)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (id) DO UPDATE SET status = $2, severity = $3, updated_at = $5,
                     body = $6",
            )
            .bind(row.id)
            .bind(row.status)
            .bind(row.severity)
            .bind(row.opened_at)
            .bind(row.updated_at)
            .bind(row.body)
            .execute(&mut **t)
            .await?;
            Ok(())
        })
    }

    /// Record that `incident` was seen under correlation `key` at `time`.
    pub fn touch_key(&self, key: &str, incident: &str, time: i64) -> Result<(), Error> {
        let (tx, key, incident) = (self.tx.clone(), key.to_string(), incident.to_string());
        self.backend.run(move |_| async move {
            let mut g = tx.lock().await;
            let t = open_tx(&mut g)?;
            sqlx::query(
                "INSERT INTO incident_keys (key, incident, last_seen) VALUES ($1, $2, $3)
                 ON CONFLICT (key, incident)
                 DO UPDATE SET last_seen = GREATEST(incident_keys.last_seen, $3)",
            )
            .bind(key)
            .bind(incident)
            .bind(time)
            .execute(&mut **t)
            .await?;
            Ok(())
        })
    }

    /// The most recently seen incident, not in one of `done_states`, that any of `keys` was
    /// seen under at or after `since` (the rule of `incidents::newest_open`, shared with SQLite).
    pub fn find_open(
        &self,
        keys: &[String],
        since: i64,
        done_states: &[&str],
    ) -> Result<Option<String>, Error> {
        let (tx, keys) = (self.tx.clone(), keys.to_vec());
        let done: Vec<String> = done_states.iter().map(|s| (*s).to_string()).collect();
        self.backend.run(move |_| async move {
            let mut g = tx.lock().await;
            let t = open_tx(&mut g)?;
            let mut per_key = Vec::with_capacity(keys.len());
            for key in keys {
                let rows = sqlx::query(
                    "SELECT k.incident, k.last_seen, i.status FROM incident_keys k
                     JOIN incidents i ON i.id = k.incident
                     WHERE k.key = $1 AND k.last_seen >= $2 ORDER BY k.last_seen DESC",
                )
                .bind(key)
                .bind(since)
                .fetch_all(&mut **t)
                .await?;
                let sightings = rows
                    .iter()
                    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
                    .collect::<Result<Vec<(String, i64, String)>, sqlx::Error>>()?;
                per_key.push(sightings);
            }
            let done: Vec<&str> = done.iter().map(String::as_str).collect();
            Ok(newest_open(per_key, &done))
        })
    }

    /// Queue an audit record for the ledger; returns its outbox id.
    pub fn push_outbox(&self, incident: &str, time: i64, body: &str) -> Result<i64, Error> {
        let (tx, incident, body) = (self.tx.clone(), incident.to_string(), body.to_string());
        self.backend.run(move |_| async move {
            let mut g = tx.lock().await;
            let t = open_tx(&mut g)?;
            let row = sqlx::query(
                "INSERT INTO incident_outbox (incident, time, body) VALUES ($1, $2, $3)
                 RETURNING id",
            )
            .bind(incident)
            .bind(time)
            .bind(body)
            .fetch_one(&mut **t)
            .await?;
            row.try_get(0)
        })
    }

    /// Commit (releases the incident lock).
    pub fn commit(self) -> Result<(), Error> {
        let tx = self.tx.clone();
        self.backend.run(move |_| async move {
            match tx.lock().await.take() {
                Some(t) => t.commit().await,
                None => Err(sqlx::Error::Protocol("incident transaction already ended".into())),
            }
        })
    }
}

impl Drop for PgIncidentTx {
    fn drop(&mut self) {
        // Not committed: roll back on the IO thread (also releases the lock). If the backend is
        // gone the connection closes, which rolls back too.
        let tx = self.tx.clone();
        let _ = self.backend.run(move |_| async move {
            if let Some(t) = tx.lock().await.take() {
                t.rollback().await?;
            }
            Ok(())
        });
    }
}
