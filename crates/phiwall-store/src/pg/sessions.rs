//! Conversation sessions in PostgreSQL: the [`SessionStore`] of cluster mode, so a caller
//! verified through one replica stays verified when the next turn reaches another.
//!
//! Every call is one statement on the backend's IO thread (bounded by its operation timeout).
//! There is no cache: a session changes on every verification step, and a stale copy on one
//! replica could release PHI to a session another replica has just reset. An unreachable
//! database surfaces as an error, which the identity stage treats as "not verified".

use super::PgBackend;
use crate::error::Error;
use crate::sessions::{SessionRecord, SessionStore};
use sqlx::Row;
use std::sync::Arc;

/// Sessions in the `sessions` table.
pub struct PgSessionStore {
    backend: Arc<PgBackend>,
}

impl std::fmt::Debug for PgSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgSessionStore")
    }
}

impl PgSessionStore {
    /// Sessions over `backend` (its migrations created the table).
    pub fn open(backend: Arc<PgBackend>) -> Self {
        PgSessionStore { backend }
    }
}

impl SessionStore for PgSessionStore {
    fn get(&self, app: &str, id: &str, now: i64) -> Result<Option<SessionRecord>, Error> {
        let (app, id) = (app.to_string(), id.to_string());
        self.backend.run(move |pool| async move {
            let row = sqlx::query(
                "SELECT app, id, caller_ref, data, created_at, updated_at, expires_at
                 FROM sessions WHERE app = $1 AND id = $2 AND expires_at > $3",
            )
            .bind(&app)
            .bind(&id)
            .bind(now)
            .fetch_optional(&pool)
            .await?;
            row.map(|r| {
                Ok(SessionRecord {
                    app: r.try_get("app")?,
                    id: r.try_get("id")?,
                    caller_ref: r.try_get("caller_ref")?,
                    data: r.try_get("data")?,
                    created_at: r.try_get("created_at")?,
                    updated_at: r.try_get("updated_at")?,
                    expires_at: r.try_get("expires_at")?,
                })
            })
            .transpose()
        })
    }

    fn put(&self, record: &SessionRecord) -> Result<(), Error> {
        let r = record.clone();
        self.backend.run(move |pool| async move {
            sqlx::query(
                "INSERT INTO sessions (app, id, caller_ref, data, created_at, updated_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (app, id) DO UPDATE SET caller_ref = EXCLUDED.caller_ref,
                   data = EXCLUDED.data, updated_at = EXCLUDED.updated_at,
                   expires_at = EXCLUDED.expires_at",
            )
            .bind(&r.app)
            .bind(&r.id)
            .bind(&r.caller_ref)
            .bind(&r.data)
            .bind(r.created_at)
            .bind(r.updated_at)
            .bind(r.expires_at)
            .execute(&pool)
            .await?;
            Ok(())
        })
    }

    fn touch(&self, app: &str, id: &str, now: i64, expires_at: i64) -> Result<bool, Error> {
        let (app, id) = (app.to_string(), id.to_string());
        self.backend.run(move |pool| async move {
            let done = sqlx::query(
                "UPDATE sessions SET updated_at = $3, expires_at = $4
                 WHERE app = $1 AND id = $2 AND expires_at > $3",
            )
            .bind(&app)
            .bind(&id)
            .bind(now)
            .bind(expires_at)
            .execute(&pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    fn delete(&self, app: &str, id: &str) -> Result<bool, Error> {
        let (app, id) = (app.to_string(), id.to_string());
        self.backend.run(move |pool| async move {
            let done = sqlx::query("DELETE FROM sessions WHERE app = $1 AND id = $2")
                .bind(&app)
                .bind(&id)
                .execute(&pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    fn purge_expired(&self, now: i64) -> Result<usize, Error> {
        self.backend.run(move |pool| async move {
            let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(now)
                .execute(&pool)
                .await?;
            Ok(usize::try_from(done.rows_affected()).unwrap_or(usize::MAX))
        })
    }
}
