//! Incident records for incident response (issue 8): one row per incident with an opaque JSON
//! body (the incident model lives in `phiwall-respond`), a correlation index (principal,
//! session, patient-reference keys with the last time each was seen), and a transactional
//! outbox of audit records waiting to be appended to the ledger.
//!
//! Invariants: a state change and the audit records that describe it commit in one
//! transaction ([`IncidentStore::transaction`]), so the ledger can never miss a transition that
//! the store kept: whoever holds a ledger writer drains the outbox
//! ([`IncidentStore::pending_outbox`], [`IncidentStore::mark_written`]).
//!
//! Two backends with the same behaviour: `incidents.sqlite3` in the data directory (embedded)
//! and PostgreSQL in cluster mode ([`crate::pg::incidents`]), shared by every replica.
//! Bodies and outbox records carry no PHI (ids, kinds, counts, keyed references); the caller
//! guarantees it and `phiwall-respond` tests it.

use crate::error::Error;
use crate::pg::incidents::{PgIncidentTx, PgIncidents};
use crate::pg::PgBackend;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// A stored incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentRow {
    /// Id, e.g. `INC-000042`.
    pub id: String,
    /// Lifecycle state name.
    pub status: String,
    /// Severity name.
    pub severity: String,
    /// Opened, unix ms.
    pub opened_at: i64,
    /// Last change, unix ms.
    pub updated_at: i64,
    /// The incident as JSON.
    pub body: String,
}

/// An audit record waiting for (or already in) the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    /// Order of creation.
    pub id: i64,
    /// Incident id.
    pub incident: String,
    /// Record time, unix ms.
    pub time: i64,
    /// The record (JSON).
    pub body: String,
    /// Ledger sequence number once appended.
    pub seq: Option<u64>,
}

/// The incident store: `incidents.sqlite3` in the data directory, or PostgreSQL in cluster mode.
pub struct IncidentStore {
    backend: Backend,
}

enum Backend {
    Sqlite(Mutex<Connection>),
    Pg(PgIncidents),
}

impl std::fmt::Debug for IncidentStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.backend {
            Backend::Sqlite(_) => "IncidentStore(sqlite)",
            Backend::Pg(_) => "IncidentStore(postgres)",
        })
    }
}

/// Operations inside one transaction.
pub struct IncidentTx<'a> {
    tx: TxBackend<'a>,
}

enum TxBackend<'a> {
    Sqlite(rusqlite::Transaction<'a>),
    Pg(PgIncidentTx),
}

fn row_to_incident(r: &rusqlite::Row<'_>) -> rusqlite::Result<IncidentRow> {
    Ok(IncidentRow {
        id: r.get(0)?,
        status: r.get(1)?,
        severity: r.get(2)?,
        opened_at: r.get(3)?,
        updated_at: r.get(4)?,
        body: r.get(5)?,
    })
}

fn row_to_outbox(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRow> {
    let seq: Option<i64> = r.get(4)?;
    Ok(OutboxRow {
        id: r.get(0)?,
        incident: r.get(1)?,
        time: r.get(2)?,
        body: r.get(3)?,
        seq: seq.and_then(|s| u64::try_from(s).ok()),
    })
}

const INC_COLS: &str = "id, status, severity, opened_at, updated_at, body";

/// The correlation rule both backends apply: per key, its most recently seen incident that is
/// not in `done_states`; across keys, the most recently seen of those. Each key's sightings
/// come as (incident, last seen, status), newest first.
pub(crate) fn newest_open(
    per_key: impl IntoIterator<Item = Vec<(String, i64, String)>>,
    done_states: &[&str],
) -> Option<String> {
    let mut best: Option<(i64, String)> = None;
    for sightings in per_key {
        let open =
            sightings.into_iter().find(|(_, _, status)| !done_states.contains(&status.as_str()));
        if let Some((incident, seen, _)) = open {
            if best.as_ref().is_none_or(|(t, _)| seen > *t) {
                best = Some((seen, incident));
            }
        }
    }
    best.map(|(_, incident)| incident)
}

impl IncidentTx<'_> {
    /// Allocate the next incident number (1, 2, ...).
    pub fn next_number(&self) -> Result<u64, Error> {
        let tx = match &self.tx {
            TxBackend::Sqlite(tx) => tx,
            TxBackend::Pg(p) => return p.next_number(),
        };
        tx.execute("UPDATE incident_meta SET next_number = next_number + 1 WHERE id = 1", [])?;
        let n: i64 =
            tx.query_row("SELECT next_number FROM incident_meta WHERE id = 1", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// One incident.
    pub fn get(&self, id: &str) -> Result<Option<IncidentRow>, Error> {
        let tx = match &self.tx {
            TxBackend::Sqlite(tx) => tx,
            TxBackend::Pg(p) => return p.get(id),
        };
        Ok(tx
            .query_row(
                &format!("SELECT {INC_COLS} FROM incidents WHERE id = ?1"),
                params![id],
                row_to_incident,
            )
            .optional()?)
    }

    /// Insert or replace an incident.
    pub fn put(&self, row: &IncidentRow) -> Result<(), Error> {
        let tx = match &self.tx {
            TxBackend::Sqlite(tx) => tx,
            TxBackend::Pg(p) => return p.put(row),
        };
        tx.execute(
            "INSERT INTO incidents (id, status, severity, opened_at, updated_at, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(id) DO UPDATE SET status = ?2, severity = ?3, updated_at = ?5, body = ?6",
            params![row.id, row.status, row.severity, row.opened_at, row.updated_at, row.body],
        )?;
        Ok(())
    }

    /// Record that `incident` was seen under correlation `key` at `time`.
    pub fn touch_key(&self, key: &str, incident: &str, time: i64) -> Result<(), Error> {
        let tx = match &self.tx {
            TxBackend::Sqlite(tx) => tx,
            TxBackend::Pg(p) => return p.touch_key(key, incident, time),
        };
        tx.execute(
            "INSERT INTO incident_keys (key, incident, last_seen) VALUES (?1, ?2, ?3)
             ON CONFLICT(key, incident) DO UPDATE SET last_seen = MAX(last_seen, ?3)",
            params![key, incident, time],
        )?;
        Ok(())
    }

    /// The most recently seen incident, not in one of `done_states`, that any of `keys` was
    /// seen under at or after `since`.
    pub fn find_open(
        &self,
        keys: &[String],
        since: i64,
        done_states: &[&str],
    ) -> Result<Option<String>, Error> {
        let tx = match &self.tx {
            TxBackend::Sqlite(tx) => tx,
            TxBackend::Pg(p) => return p.find_open(keys, since, done_states),
        };
        let mut st = tx.prepare_cached(
            "SELECT k.incident, k.last_seen, i.status FROM incident_keys k
             JOIN incidents i ON i.id = k.incident
             WHERE k.key = ?1 AND k.last_seen >= ?2 ORDER BY k.last_seen DESC",
        )?;
        let mut per_key = Vec::with_capacity(keys.len());
        for key in keys {
            let rows = st.query_map(params![key, since], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?))
            })?;
            per_key.push(rows.collect::<Result<Vec<_>, _>>()?);
        }
        Ok(newest_open(per_key, done_states))
    }

    /// Queue an audit record for the ledger; returns its outbox id.
    pub fn push_outbox(&self, incident: &str, time: i64, body: &str) -> Result<i64, Error> {
        let tx = match &self.tx {
            TxBackend::Sqlite(tx) => tx,
            TxBackend::Pg(p) => return p.push_outbox(incident, time, body),
        };
        tx.execute(
            "INSERT INTO incident_outbox (incident, time, body) VALUES (?1, ?2, ?3)",
            params![incident, time, body],
        )?;
        Ok(tx.last_insert_rowid())
    }

    fn commit(self) -> Result<(), Error> {
        match self.tx {
            TxBackend::Sqlite(tx) => Ok(tx.commit()?),
            TxBackend::Pg(p) => p.commit(),
        }
    }
}

impl IncidentStore {
    /// Open (creating if needed) `<data_dir>/incidents.sqlite3`.
    pub fn open(data_dir: &Path) -> Result<Self, Error> {
        std::fs::create_dir_all(data_dir)
            .map_err(|source| Error::Io { path: data_dir.display().to_string(), source })?;
        Self::init(Connection::open(data_dir.join("incidents.sqlite3"))?)
    }

    /// A private in-memory store (tests).
    pub fn in_memory() -> Result<Self, Error> {
        Self::init(Connection::open_in_memory()?)
    }

    /// The cluster's store in PostgreSQL (the backend's migrations created the tables);
    /// `replica` names this replica's ledger chain, where it appends outbox records.
    pub fn postgres(backend: Arc<PgBackend>, replica: impl Into<String>) -> Self {
        IncidentStore { backend: Backend::Pg(PgIncidents::open(backend, replica)) }
    }

    fn init(conn: Connection) -> Result<Self, Error> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS incidents (
                id TEXT PRIMARY KEY,
                status TEXT NOT NULL,
                severity TEXT NOT NULL,
                opened_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                body TEXT NOT NULL
            );
            CREATE TABLE IF NOT EXISTS incident_keys (
                key TEXT NOT NULL,
                incident TEXT NOT NULL,
                last_seen INTEGER NOT NULL,
                PRIMARY KEY (key, incident)
            );
            CREATE TABLE IF NOT EXISTS incident_outbox (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                incident TEXT NOT NULL,
                time INTEGER NOT NULL,
                body TEXT NOT NULL,
                seq INTEGER
            );
            CREATE INDEX IF NOT EXISTS incident_outbox_pending ON incident_outbox (seq);
            CREATE TABLE IF NOT EXISTS incident_meta (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                next_number INTEGER NOT NULL
            );
            INSERT OR IGNORE INTO incident_meta (id, next_number) VALUES (1, 0);",
        )?;
        Ok(IncidentStore { backend: Backend::Sqlite(Mutex::new(conn)) })
    }

    /// Whether this is the shared (PostgreSQL) store of cluster mode.
    pub fn is_shared(&self) -> bool {
        matches!(self.backend, Backend::Pg(_))
    }

    fn with<T>(
        &self,
        sqlite: impl FnOnce(&mut Connection) -> Result<T, Error>,
        pg: impl FnOnce(&PgIncidents) -> Result<T, Error>,
    ) -> Result<T, Error> {
        match &self.backend {
            Backend::Sqlite(conn) => {
                let mut conn = conn.lock().map_err(|_| Error::Poisoned)?;
                sqlite(&mut conn)
            }
            Backend::Pg(p) => pg(p),
        }
    }

    /// Run `f` in one write transaction, committed only when `f` returns `Ok`. Writers are
    /// serialized: SQLite's `BEGIN IMMEDIATE` across processes, a transaction-scoped advisory
    /// lock across replicas.
    pub fn transaction<T, E>(&self, f: impl FnOnce(&IncidentTx<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<Error>,
    {
        match &self.backend {
            Backend::Sqlite(conn) => {
                let mut conn = conn.lock().map_err(|_| Error::Poisoned)?;
                let tx = conn
                    .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                    .map_err(Error::from)?;
                let itx = IncidentTx { tx: TxBackend::Sqlite(tx) };
                let out = f(&itx)?;
                itx.commit()?;
                Ok(out)
            }
            Backend::Pg(p) => {
                let itx = IncidentTx { tx: TxBackend::Pg(p.begin()?) };
                let out = f(&itx)?;
                itx.commit()?;
                Ok(out)
            }
        }
    }

    /// One incident.
    pub fn get(&self, id: &str) -> Result<Option<IncidentRow>, Error> {
        self.with(
            |c| {
                Ok(c.query_row(
                    &format!("SELECT {INC_COLS} FROM incidents WHERE id = ?1"),
                    params![id],
                    row_to_incident,
                )
                .optional()?)
            },
            |p| p.get(id),
        )
    }

    /// Every incident, newest first.
    pub fn list(&self) -> Result<Vec<IncidentRow>, Error> {
        self.with(
            |c| {
                let mut st = c.prepare_cached(&format!(
                    "SELECT {INC_COLS} FROM incidents ORDER BY opened_at DESC, id DESC"
                ))?;
                let rows = st.query_map([], row_to_incident)?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            },
            PgIncidents::list,
        )
    }

    /// Records not yet in a ledger, oldest first (at most `limit`). In cluster mode they are
    /// claimed for this replica for a while, so no other replica appends them too.
    pub fn pending_outbox(&self, limit: usize) -> Result<Vec<OutboxRow>, Error> {
        self.with(
            |c| {
                let mut st = c.prepare_cached(
                    "SELECT id, incident, time, body, seq FROM incident_outbox
                     WHERE seq IS NULL ORDER BY id LIMIT ?1",
                )?;
                let rows =
                    st.query_map(params![i64::try_from(limit).unwrap_or(i64::MAX)], row_to_outbox)?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            },
            |p| p.pending_outbox(limit),
        )
    }

    /// Every record of an incident, in order.
    pub fn outbox_for(&self, incident: &str) -> Result<Vec<OutboxRow>, Error> {
        self.with(
            |c| {
                let mut st = c.prepare_cached(
                    "SELECT id, incident, time, body, seq FROM incident_outbox
                     WHERE incident = ?1 ORDER BY id",
                )?;
                let rows = st.query_map(params![incident], row_to_outbox)?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            },
            |p| p.outbox_for(incident),
        )
    }

    /// Note the ledger sequence numbers of appended records.
    pub fn mark_written(&self, written: &[(i64, u64)]) -> Result<(), Error> {
        self.with(
            |c| {
                let tx = c.transaction()?;
                {
                    let mut st =
                        tx.prepare_cached("UPDATE incident_outbox SET seq = ?2 WHERE id = ?1")?;
                    for (id, seq) in written {
                        st.execute(params![id, i64::try_from(*seq).unwrap_or(i64::MAX)])?;
                    }
                }
                tx.commit()?;
                Ok(())
            },
            |p| p.mark_written(written),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, status: &str) -> IncidentRow {
        IncidentRow {
            id: id.into(),
            status: status.into(),
            severity: "high".into(),
            opened_at: 1,
            updated_at: 1,
            body: "{}".into(),
        }
    }

    #[test]
    fn transaction_commits_state_and_outbox_together() {
        let s = IncidentStore::in_memory().unwrap();
        let n = s
            .transaction(|tx| -> Result<u64, Error> {
                let n = tx.next_number()?;
                tx.put(&row("INC-1", "detected"))?;
                tx.touch_key("key:abc", "INC-1", 100)?;
                tx.push_outbox("INC-1", 100, "{\"kind\":\"incident.opened\"}")?;
                Ok(n)
            })
            .unwrap();
        assert_eq!(n, 1);
        let failed: Result<(), Error> = s.transaction(|tx| {
            tx.put(&row("INC-2", "detected"))?;
            tx.push_outbox("INC-2", 100, "{}")?;
            Err(Error::Poisoned)
        });
        assert!(failed.is_err());
        assert!(s.get("INC-2").unwrap().is_none());
        assert_eq!(s.pending_outbox(10).unwrap().len(), 1);
        let p = s.pending_outbox(10).unwrap();
        s.mark_written(&[(p[0].id, 7)]).unwrap();
        assert!(s.pending_outbox(10).unwrap().is_empty());
        assert_eq!(s.outbox_for("INC-1").unwrap()[0].seq, Some(7));
    }

    #[test]
    fn find_open_skips_done_and_old() {
        let s = IncidentStore::in_memory().unwrap();
        s.transaction(|tx| -> Result<(), Error> {
            tx.put(&row("INC-1", "closed"))?;
            tx.touch_key("key:abc", "INC-1", 500)?;
            tx.put(&row("INC-2", "contained"))?;
            tx.touch_key("key:abc", "INC-2", 400)?;
            tx.put(&row("INC-3", "detected"))?;
            tx.touch_key("ip:1.2.3.4", "INC-3", 100)?;
            Ok(())
        })
        .unwrap();
        let done = ["closed", "recovered"];
        s.transaction(|tx| -> Result<(), Error> {
            let keys = vec!["key:abc".to_string()];
            assert_eq!(tx.find_open(&keys, 0, &done)?.as_deref(), Some("INC-2"));
            let keys = vec!["ip:1.2.3.4".to_string()];
            assert_eq!(tx.find_open(&keys, 200, &done)?, None);
            assert_eq!(tx.find_open(&keys, 100, &done)?.as_deref(), Some("INC-3"));
            Ok(())
        })
        .unwrap();
        assert_eq!(s.list().unwrap().len(), 3);
    }
}
