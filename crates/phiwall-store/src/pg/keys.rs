//! API keys in PostgreSQL: the [`KeyStore`] of cluster mode.
//!
//! Lookups read an in-process map of every key (prefix -> record and SHA-256), so the request
//! path never waits for the database; the map follows the change feed (`key:<prefix>`) and is
//! fully reloaded by the periodic reconcile. A replica whose view is stale fails closed
//! ([`Error::Stale`]). Writes commit the row and the notification in one transaction, then
//! update the local map at once, so the writing process sees its own change immediately.

use super::{notify, ChangeSubscriber, PgBackend};
use crate::error::Error;
use crate::keys::{KeyRecord, KeyStore};
use futures_util::future::BoxFuture;
use sqlx::{PgPool, Row};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

const KIND: &str = "key";
const COLUMNS: &str = "prefix, app, name, created_at, expires_at, revoked_at, hash";

type Entry = (KeyRecord, [u8; 32]);

#[derive(Default)]
struct KeyCache {
    map: RwLock<HashMap<String, Entry>>,
}

fn row_to_entry(r: &sqlx::postgres::PgRow) -> Result<Entry, sqlx::Error> {
    let hash: Vec<u8> = r.try_get("hash")?;
    let hash = <[u8; 32]>::try_from(hash.as_slice())
        .map_err(|_| sqlx::Error::Decode("api_keys.hash is not 32 bytes".into()))?;
    Ok((
        KeyRecord {
            prefix: r.try_get("prefix")?,
            app: r.try_get("app")?,
            name: r.try_get("name")?,
            created_at: r.try_get("created_at")?,
            expires_at: r.try_get("expires_at")?,
            revoked_at: r.try_get("revoked_at")?,
        },
        hash,
    ))
}

impl KeyCache {
    fn put(&self, e: Entry) {
        if let Ok(mut m) = self.map.write() {
            m.insert(e.0.prefix.clone(), e);
        }
    }
}

impl ChangeSubscriber for KeyCache {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn apply<'a>(
        &'a self,
        pool: &'a PgPool,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(async move {
            let row = sqlx::query(&format!("SELECT {COLUMNS} FROM api_keys WHERE prefix = $1"))
                .bind(reference)
                .fetch_optional(pool)
                .await?;
            match row {
                Some(r) => self.put(row_to_entry(&r)?),
                None => {
                    if let Ok(mut m) = self.map.write() {
                        m.remove(reference);
                    }
                }
            }
            Ok(())
        })
    }

    fn reconcile<'a>(&'a self, pool: &'a PgPool) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(async move {
            let rows =
                sqlx::query(&format!("SELECT {COLUMNS} FROM api_keys")).fetch_all(pool).await?;
            let mut fresh = HashMap::with_capacity(rows.len());
            for r in &rows {
                let e = row_to_entry(r)?;
                fresh.insert(e.0.prefix.clone(), e);
            }
            if let Ok(mut m) = self.map.write() {
                *m = fresh;
            }
            Ok(())
        })
    }
}

/// The cluster key store (see the module docs).
pub struct PgKeyStore {
    backend: Arc<PgBackend>,
    cache: Arc<KeyCache>,
}

impl std::fmt::Debug for PgKeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgKeyStore")
    }
}

impl PgKeyStore {
    /// Load every key and follow the change feed.
    pub fn open(backend: Arc<PgBackend>) -> Result<Self, Error> {
        let cache = Arc::new(KeyCache::default());
        backend.subscribe(cache.clone())?;
        Ok(PgKeyStore { backend, cache })
    }

    /// The backend (for health and shutdown).
    pub fn backend(&self) -> &Arc<PgBackend> {
        &self.backend
    }

    /// Number of cached keys.
    pub fn cached(&self) -> usize {
        self.cache.map.read().map(|m| m.len()).unwrap_or(0)
    }
}

impl KeyStore for PgKeyStore {
    fn insert(&self, record: &KeyRecord, hash: &[u8; 32]) -> Result<(), Error> {
        let rec = record.clone();
        let h = hash.to_vec();
        self.backend.run(move |pool| async move {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO api_keys (prefix, app, name, hash, created_at, expires_at, revoked_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&rec.prefix)
            .bind(&rec.app)
            .bind(&rec.name)
            .bind(&h)
            .bind(rec.created_at)
            .bind(rec.expires_at)
            .bind(rec.revoked_at)
            .execute(&mut *tx)
            .await?;
            notify(&mut tx, KIND, &rec.prefix).await?;
            tx.commit().await
        })?;
        self.cache.put((record.clone(), *hash));
        Ok(())
    }

    fn lookup(&self, prefix: &str) -> Result<Option<(KeyRecord, [u8; 32])>, Error> {
        if !self.backend.is_fresh() {
            return Err(Error::Stale);
        }
        let m = self.cache.map.read().map_err(|_| Error::Poisoned)?;
        Ok(m.get(prefix).cloned())
    }

    fn list(&self) -> Result<Vec<KeyRecord>, Error> {
        self.backend.run(|pool| async move {
            let rows = sqlx::query(&format!(
                "SELECT {COLUMNS} FROM api_keys ORDER BY created_at DESC, prefix"
            ))
            .fetch_all(&pool)
            .await?;
            rows.iter().map(|r| row_to_entry(r).map(|e| e.0)).collect()
        })
    }

    fn revoke(&self, prefix: &str, at: i64) -> Result<bool, Error> {
        let p = prefix.to_string();
        let entry = self.backend.run(move |pool| async move {
            let mut tx = pool.begin().await?;
            let row = sqlx::query(&format!(
                "UPDATE api_keys SET revoked_at = LEAST(COALESCE(revoked_at, $2), $2)
                 WHERE prefix = $1 RETURNING {COLUMNS}"
            ))
            .bind(&p)
            .bind(at)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = row else {
                tx.rollback().await?;
                return Ok(None);
            };
            let e = row_to_entry(&row)?;
            notify(&mut tx, KIND, &p).await?;
            tx.commit().await?;
            Ok(Some(e))
        })?;
        match entry {
            Some(e) => {
                self.cache.put(e);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn ping(&self) -> Result<(), Error> {
        if self.backend.is_fresh() {
            Ok(())
        } else {
            Err(Error::Stale)
        }
    }
}
