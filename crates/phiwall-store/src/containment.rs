//! Containment state: which keys, apps, sessions, sources and callers are contained, whether the
//! gateway is in safe mode, and which apps run a tightened PHI policy (issue 8).
//!
//! Writers are incident response (the in-process responder, `phiwall incidents contain`);
//! the reader is the gateway, which reloads when [`ContainmentStore::revision`] changes, so a
//! change made by another process takes effect at the gateway's next poll (250 ms).
//!
//! Invariants: an entry is applied at most once per (kind, target, incident) while active
//! (applying again returns the existing entry: actions are idempotent); every change bumps the
//! revision in the same transaction; targets are never PHI (key prefixes, app names, session
//! ids, client IPs, keyed references). Times are unix milliseconds passed in by the caller.

use crate::error::Error;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Mutex;

/// What is contained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContainmentKind {
    /// An API key (target: its prefix) is refused.
    SuspendKey,
    /// Every credential of an app (target: app name) is refused.
    SuspendApp,
    /// Requests carrying this session id are refused.
    QuarantineSession,
    /// Requests from this client address are refused.
    BlockSourceIp,
    /// Requests for this caller (target: keyed reference of the number) are refused.
    BlockCaller,
    /// The session must verify again before it is served.
    ReverifySession,
    /// The caller (keyed reference) must verify again before it is served.
    ReverifyCaller,
    /// The app's PHI policy is tightened: every PHI type masked on output, no token restore.
    TightenApp,
    /// The whole gateway releases no PHI at all (target empty).
    SafeMode,
}

impl ContainmentKind {
    /// Every kind.
    pub const ALL: [ContainmentKind; 9] = [
        ContainmentKind::SuspendKey,
        ContainmentKind::SuspendApp,
        ContainmentKind::QuarantineSession,
        ContainmentKind::BlockSourceIp,
        ContainmentKind::BlockCaller,
        ContainmentKind::ReverifySession,
        ContainmentKind::ReverifyCaller,
        ContainmentKind::TightenApp,
        ContainmentKind::SafeMode,
    ];

    /// Stable name (stored, printed, used in playbooks).
    pub const fn as_str(self) -> &'static str {
        match self {
            ContainmentKind::SuspendKey => "suspend_key",
            ContainmentKind::SuspendApp => "suspend_app",
            ContainmentKind::QuarantineSession => "quarantine_session",
            ContainmentKind::BlockSourceIp => "block_source_ip",
            ContainmentKind::BlockCaller => "block_caller",
            ContainmentKind::ReverifySession => "reverify_session",
            ContainmentKind::ReverifyCaller => "reverify_caller",
            ContainmentKind::TightenApp => "tighten_app",
            ContainmentKind::SafeMode => "safe_mode",
        }
    }

    /// Parse [`ContainmentKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One containment entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainmentEntry {
    /// Row id.
    pub id: i64,
    /// What is contained.
    pub kind: ContainmentKind,
    /// Key prefix, app, session id, IP or keyed reference; empty for safe mode.
    pub target: String,
    /// The incident that asked for it.
    pub incident: String,
    /// Why: a detection kind, `manual`, or a playbook rule name.
    pub reason: String,
    /// When applied, unix ms.
    pub created_at: i64,
    /// When it lapses on its own, unix ms; `None` until lifted.
    pub expires_at: Option<i64>,
    /// When lifted, unix ms.
    pub lifted_at: Option<i64>,
    /// Why lifted: `recovered`, `expired`, `manual`.
    pub lifted_reason: Option<String>,
}

impl ContainmentEntry {
    /// True when in force at `now` (ms).
    pub fn is_active(&self, now: i64) -> bool {
        self.lifted_at.is_none() && self.expires_at.is_none_or(|e| e > now)
    }
}

/// Where containment lives. Cheap enough to poll from the request path.
pub trait ContainmentStore: Send + Sync {
    /// Apply (idempotent): returns the entry and whether it was new.
    fn apply(
        &self,
        kind: ContainmentKind,
        target: &str,
        incident: &str,
        reason: &str,
        now: i64,
        expires_at: Option<i64>,
    ) -> Result<(ContainmentEntry, bool), Error>;
    /// Lift one entry; false if unknown or already lifted.
    fn lift(&self, id: i64, now: i64, why: &str) -> Result<bool, Error>;
    /// Lift every active entry of an incident; returns what was lifted.
    fn lift_incident(
        &self,
        incident: &str,
        now: i64,
        why: &str,
    ) -> Result<Vec<ContainmentEntry>, Error>;
    /// Mark entries whose expiry has passed as lifted (`expired`); returns them.
    fn expire_due(&self, now: i64) -> Result<Vec<ContainmentEntry>, Error>;
    /// Entries in force at `now`.
    fn active(&self, now: i64) -> Result<Vec<ContainmentEntry>, Error>;
    /// Every entry of an incident, oldest first.
    fn for_incident(&self, incident: &str) -> Result<Vec<ContainmentEntry>, Error>;
    /// A counter bumped by every change.
    fn revision(&self) -> Result<u64, Error>;
}

/// The embedded store: `containment.sqlite3` in the data directory (WAL, so the gateway reads
/// while the CLI writes).
pub struct SqliteContainmentStore {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for SqliteContainmentStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteContainmentStore")
    }
}

const COLS: &str =
    "id, kind, target, incident, reason, created_at, expires_at, lifted_at, lifted_reason";

fn row_to_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<ContainmentEntry> {
    let kind: String = r.get(1)?;
    let kind = ContainmentKind::parse(&kind).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            1,
            rusqlite::types::Type::Text,
            format!("unknown containment kind `{kind}`").into(),
        )
    })?;
    Ok(ContainmentEntry {
        id: r.get(0)?,
        kind,
        target: r.get(2)?,
        incident: r.get(3)?,
        reason: r.get(4)?,
        created_at: r.get(5)?,
        expires_at: r.get(6)?,
        lifted_at: r.get(7)?,
        lifted_reason: r.get(8)?,
    })
}

impl SqliteContainmentStore {
    /// Open (creating if needed) `<data_dir>/containment.sqlite3`.
    pub fn open(data_dir: &Path) -> Result<Self, Error> {
        std::fs::create_dir_all(data_dir)
            .map_err(|source| Error::Io { path: data_dir.display().to_string(), source })?;
        Self::init(Connection::open(data_dir.join("containment.sqlite3"))?)
    }

    /// A private in-memory store (tests).
    pub fn in_memory() -> Result<Self, Error> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Self, Error> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS containment (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                kind TEXT NOT NULL,
                target TEXT NOT NULL,
                incident TEXT NOT NULL,
                reason TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                expires_at INTEGER,
                lifted_at INTEGER,
                lifted_reason TEXT
            );
            CREATE INDEX IF NOT EXISTS containment_live ON containment (lifted_at);
            CREATE INDEX IF NOT EXISTS containment_incident ON containment (incident);
            CREATE TABLE IF NOT EXISTS containment_meta (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                revision INTEGER NOT NULL
            );
            INSERT OR IGNORE INTO containment_meta (id, revision) VALUES (1, 0);",
        )?;
        Ok(SqliteContainmentStore { conn: Mutex::new(conn) })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T, Error>) -> Result<T, Error> {
        let mut conn = self.conn.lock().map_err(|_| Error::Poisoned)?;
        f(&mut conn)
    }
}

fn bump(tx: &rusqlite::Transaction<'_>) -> Result<(), Error> {
    tx.execute("UPDATE containment_meta SET revision = revision + 1 WHERE id = 1", [])?;
    Ok(())
}

pub(crate) fn validate_target(kind: ContainmentKind, target: &str) -> Result<(), Error> {
    let ok = if kind == ContainmentKind::SafeMode {
        target.is_empty()
    } else {
        !target.is_empty()
            && target.len() <= 128
            && target.bytes().all(|b| b.is_ascii_graphic() && b != b'\'' && b != b'"')
    };
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid {
            what: "containment target",
            expected: "an id of 1 to 128 printable ASCII characters (empty for safe mode)",
            found: format!("{} characters", target.chars().count()),
        })
    }
}

impl ContainmentStore for SqliteContainmentStore {
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
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let existing = tx
                .query_row(
                    &format!(
                        "SELECT {COLS} FROM containment WHERE kind = ?1 AND target = ?2
                         AND incident = ?3 AND lifted_at IS NULL
                         AND (expires_at IS NULL OR expires_at > ?4) ORDER BY id LIMIT 1"
                    ),
                    params![kind.as_str(), target, incident, now],
                    row_to_entry,
                )
                .optional()?;
            if let Some(e) = existing {
                return Ok((e, false));
            }
            tx.execute(
                "INSERT INTO containment (kind, target, incident, reason, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![kind.as_str(), target, incident, reason, now, expires_at],
            )?;
            let id = tx.last_insert_rowid();
            bump(&tx)?;
            tx.commit()?;
            Ok((
                ContainmentEntry {
                    id,
                    kind,
                    target: target.to_string(),
                    incident: incident.to_string(),
                    reason: reason.to_string(),
                    created_at: now,
                    expires_at,
                    lifted_at: None,
                    lifted_reason: None,
                },
                true,
            ))
        })
    }

    fn lift(&self, id: i64, now: i64, why: &str) -> Result<bool, Error> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let n = tx.execute(
                "UPDATE containment SET lifted_at = ?2, lifted_reason = ?3
                 WHERE id = ?1 AND lifted_at IS NULL",
                params![id, now, why],
            )?;
            if n > 0 {
                bump(&tx)?;
            }
            tx.commit()?;
            Ok(n > 0)
        })
    }

    fn lift_incident(
        &self,
        incident: &str,
        now: i64,
        why: &str,
    ) -> Result<Vec<ContainmentEntry>, Error> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let mut out = {
                let mut st = tx.prepare(&format!(
                    "SELECT {COLS} FROM containment WHERE incident = ?1 AND lifted_at IS NULL
                     ORDER BY id"
                ))?;
                let rows = st.query_map(params![incident], row_to_entry)?;
                rows.collect::<Result<Vec<_>, _>>()?
            };
            tx.execute(
                "UPDATE containment SET lifted_at = ?2, lifted_reason = ?3
                 WHERE incident = ?1 AND lifted_at IS NULL",
                params![incident, now, why],
            )?;
            if !out.is_empty() {
                bump(&tx)?;
            }
            tx.commit()?;
            for e in &mut out {
                e.lifted_at = Some(now);
                e.lifted_reason = Some(why.to_string());
            }
            Ok(out)
        })
    }

    fn expire_due(&self, now: i64) -> Result<Vec<ContainmentEntry>, Error> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let mut out = {
                let mut st = tx.prepare(&format!(
                    "SELECT {COLS} FROM containment WHERE lifted_at IS NULL
                     AND expires_at IS NOT NULL AND expires_at <= ?1 ORDER BY id"
                ))?;
                let rows = st.query_map(params![now], row_to_entry)?;
                rows.collect::<Result<Vec<_>, _>>()?
            };
            for e in &mut out {
                // The entry lapsed at its expiry, not when we noticed.
                let at = e.expires_at.unwrap_or(now);
                tx.execute(
                    "UPDATE containment SET lifted_at = ?2, lifted_reason = 'expired'
                     WHERE id = ?1",
                    params![e.id, at],
                )?;
                e.lifted_at = Some(at);
                e.lifted_reason = Some("expired".into());
            }
            if !out.is_empty() {
                bump(&tx)?;
            }
            tx.commit()?;
            Ok(out)
        })
    }

    fn active(&self, now: i64) -> Result<Vec<ContainmentEntry>, Error> {
        self.with(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {COLS} FROM containment WHERE lifted_at IS NULL
                 AND (expires_at IS NULL OR expires_at > ?1) ORDER BY id"
            ))?;
            let rows = st.query_map(params![now], row_to_entry)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    fn for_incident(&self, incident: &str) -> Result<Vec<ContainmentEntry>, Error> {
        self.with(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {COLS} FROM containment WHERE incident = ?1 ORDER BY id"
            ))?;
            let rows = st.query_map(params![incident], row_to_entry)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    fn revision(&self) -> Result<u64, Error> {
        self.with(|c| {
            let r: i64 =
                c.query_row("SELECT revision FROM containment_meta WHERE id = 1", [], |r| {
                    r.get(0)
                })?;
            Ok(u64::try_from(r).unwrap_or(0))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Idempotent apply, expiry, lifting and target validation are the containment contract
    // in `tests/contract.rs`, run against SQLite and PostgreSQL.

    #[test]
    fn survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = SqliteContainmentStore::open(dir.path()).unwrap();
            s.apply(ContainmentKind::SuspendApp, "billing", "INC-2", "x", 5, None).unwrap();
        }
        let s = SqliteContainmentStore::open(dir.path()).unwrap();
        assert_eq!(s.active(6).unwrap()[0].target, "billing");
        assert!(s.revision().unwrap() >= 1);
    }
}
