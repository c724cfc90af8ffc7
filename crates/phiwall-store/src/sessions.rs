//! Conversation sessions (issue 5): what the gateway remembers about one call or chat between
//! requests, scoped to the app that created it and forgotten after an idle TTL.
//!
//! Invariants:
//! - A session is addressed by `(app, id)`: an app can neither read nor overwrite another app's
//!   session of the same id.
//! - Records hold opaque ids and keyed references only. `caller_ref` is a keyed hash of the
//!   caller number (never the number) and `data` is JSON the gateway builds from keyed
//!   references (verified patient, representative, attempt fingerprints). The store does not
//!   look inside `data`; the gateway's tests check that no directory plaintext reaches the file.
//! - Expiry is checked on read against the `now` passed in, so an expired row is never returned
//!   even before [`SessionStore::purge_expired`] removes it.

use crate::error::Error;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::Mutex;

/// One stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// The app profile that owns it.
    pub app: String,
    /// The client's session id (opaque, sanitized by the gateway).
    pub id: String,
    /// Keyed reference (hex) of the caller number reported by telephony, when any.
    pub caller_ref: Option<String>,
    /// Gateway state as JSON (keyed references only).
    pub data: String,
    /// Creation time, unix seconds.
    pub created_at: i64,
    /// Last update, unix seconds.
    pub updated_at: i64,
    /// Expiry, unix seconds.
    pub expires_at: i64,
}

/// Where sessions live. Implementations must be cheap to call from request paths.
pub trait SessionStore: Send + Sync {
    /// The live session `(app, id)` at `now`, if any.
    fn get(&self, app: &str, id: &str, now: i64) -> Result<Option<SessionRecord>, Error>;
    /// Insert or replace `(record.app, record.id)`.
    fn put(&self, record: &SessionRecord) -> Result<(), Error>;
    /// Move a live session's expiry without touching its data (a request that only used the
    /// session must not write back a copy read before a concurrent change); false when there
    /// is no live session.
    fn touch(&self, app: &str, id: &str, now: i64, expires_at: i64) -> Result<bool, Error>;
    /// Remove a session; false when there was none.
    fn delete(&self, app: &str, id: &str) -> Result<bool, Error>;
    /// Remove every session expired at `now`; returns how many.
    fn purge_expired(&self, now: i64) -> Result<usize, Error>;
}

/// The embedded session store: `sessions.sqlite3` in the data directory (WAL mode).
pub struct SqliteSessionStore {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for SqliteSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteSessionStore")
    }
}

impl SqliteSessionStore {
    /// Open (creating if needed) `<data_dir>/sessions.sqlite3`.
    pub fn open(data_dir: &Path) -> Result<Self, Error> {
        std::fs::create_dir_all(data_dir)
            .map_err(|source| Error::Io { path: data_dir.display().to_string(), source })?;
        Self::init(Connection::open(data_dir.join("sessions.sqlite3"))?)
    }

    /// A private in-memory store (tests).
    pub fn in_memory() -> Result<Self, Error> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Self, Error> {
        conn.busy_timeout(std::time::Duration::from_secs(2))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // Deleted rows are overwritten, not left in free pages (session data is sensitive
        // metadata even as keyed references).
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS sessions (
                app TEXT NOT NULL,
                id TEXT NOT NULL,
                caller_ref TEXT,
                data TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                PRIMARY KEY (app, id)
            );
            CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at);",
        )?;
        Ok(SqliteSessionStore { conn: Mutex::new(conn) })
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> Result<T, Error>) -> Result<T, Error> {
        let conn = self.conn.lock().map_err(|_| Error::Poisoned)?;
        f(&conn)
    }
}

impl SessionStore for SqliteSessionStore {
    fn get(&self, app: &str, id: &str, now: i64) -> Result<Option<SessionRecord>, Error> {
        self.with(|c| {
            let mut st = c.prepare_cached(
                "SELECT app, id, caller_ref, data, created_at, updated_at, expires_at
                 FROM sessions WHERE app = ?1 AND id = ?2 AND expires_at > ?3",
            )?;
            Ok(st
                .query_row(params![app, id, now], |r| {
                    Ok(SessionRecord {
                        app: r.get(0)?,
                        id: r.get(1)?,
                        caller_ref: r.get(2)?,
                        data: r.get(3)?,
                        created_at: r.get(4)?,
                        updated_at: r.get(5)?,
                        expires_at: r.get(6)?,
                    })
                })
                .optional()?)
        })
    }

    fn put(&self, r: &SessionRecord) -> Result<(), Error> {
        self.with(|c| {
            c.prepare_cached(
                "INSERT INTO sessions (app, id, caller_ref, data, created_at, updated_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (app, id) DO UPDATE SET caller_ref = excluded.caller_ref,
                   data = excluded.data, updated_at = excluded.updated_at,
                   expires_at = excluded.expires_at",
            )?
            .execute(params![
                r.app,
                r.id,
                r.caller_ref,
                r.data,
                r.created_at,
                r.updated_at,
                r.expires_at
            ])?;
            Ok(())
        })
    }

    fn touch(&self, app: &str, id: &str, now: i64, expires_at: i64) -> Result<bool, Error> {
        self.with(|c| {
            Ok(c.prepare_cached(
                "UPDATE sessions SET updated_at = ?3, expires_at = ?4
                 WHERE app = ?1 AND id = ?2 AND expires_at > ?3",
            )?
            .execute(params![app, id, now, expires_at])?
                > 0)
        })
    }

    fn delete(&self, app: &str, id: &str) -> Result<bool, Error> {
        self.with(|c| {
            Ok(c.execute("DELETE FROM sessions WHERE app = ?1 AND id = ?2", params![app, id])? > 0)
        })
    }

    fn purge_expired(&self, now: i64) -> Result<usize, Error> {
        self.with(|c| Ok(c.execute("DELETE FROM sessions WHERE expires_at <= ?1", params![now])?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(app: &str, id: &str, data: &str, expires_at: i64) -> SessionRecord {
        SessionRecord {
            app: app.into(),
            id: id.into(),
            caller_ref: Some("00ff".into()),
            data: data.into(),
            created_at: 10,
            updated_at: 10,
            expires_at,
        }
    }

    // The behaviour every backend shares (scoping, expiry, touch, purge, upsert) is the
    // session contract in `tests/contract.rs`, run against SQLite and PostgreSQL.

    #[test]
    fn file_store_persists() {
        let dir = tempfile::tempdir().unwrap();
        SqliteSessionStore::open(dir.path()).unwrap().put(&rec("a", "s", "{}", i64::MAX)).unwrap();
        let s = SqliteSessionStore::open(dir.path()).unwrap();
        assert!(s.get("a", "s", 1).unwrap().is_some());
    }
}
