//! API keys: `pw_<prefix>_<secret>` where the prefix (12 hex digits, 48 random bits) names the
//! key in lists and logs and the secret is 256 random bits (64 hex digits).
//!
//! Invariants: the plaintext exists only in the [`ApiKey`] returned once by [`create`] or
//! [`rotate`]; stores keep the SHA-256 of the whole key string and compare hashes in constant
//! time ([`subtle`]). A lookup by an unknown prefix still performs one comparison so the two
//! failure paths cost the same. Expiry and revocation are checked against the `now` passed in.

use crate::error::Error;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Mutex;
use subtle::ConstantTimeEq;

const PREFIX_HEX: usize = 12;
const SECRET_HEX: usize = 64;
const HEX: &[u8; 16] = b"0123456789abcdef";

/// A stored key's public description. Never holds the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyRecord {
    /// The identifying prefix (12 lowercase hex digits), unique.
    pub prefix: String,
    /// The app profile this key acts for.
    pub app: String,
    /// A human label (for example "phone agent prod").
    pub name: String,
    /// Creation time, unix seconds.
    pub created_at: i64,
    /// Expiry, unix seconds; `None` never expires.
    pub expires_at: Option<i64>,
    /// Revocation time, unix seconds; `None` while active.
    pub revoked_at: Option<i64>,
}

impl KeyRecord {
    /// True when the key may be used at `now`.
    pub fn is_active(&self, now: i64) -> bool {
        self.revoked_at.is_none_or(|r| r > now) && self.expires_at.is_none_or(|e| e > now)
    }
}

/// A freshly made key: the plaintext is shown to the operator once and then dropped.
pub struct ApiKey {
    plaintext: String,
    /// The stored description.
    pub record: KeyRecord,
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKey")
            .field("plaintext", &"[redacted]")
            .field("record", &self.record)
            .finish()
    }
}

impl ApiKey {
    /// The full key string, to be shown once.
    pub fn reveal(&self) -> &str {
        &self.plaintext
    }
}

/// Why a presented key was refused. Deliberately coarse for clients; precise for events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRejection {
    /// Not of the `pw_<prefix>_<secret>` shape.
    Malformed,
    /// No key with this prefix, or the secret does not match.
    Unknown,
    /// Past its expiry.
    Expired,
    /// Revoked.
    Revoked,
}

impl KeyRejection {
    /// A stable name for events and metrics.
    pub const fn as_str(self) -> &'static str {
        match self {
            KeyRejection::Malformed => "malformed",
            KeyRejection::Unknown => "unknown",
            KeyRejection::Expired => "expired",
            KeyRejection::Revoked => "revoked",
        }
    }
}

/// Where key records live. Implementations must be cheap to call from request paths.
pub trait KeyStore: Send + Sync {
    /// Store a new record with the hash of its key.
    fn insert(&self, record: &KeyRecord, hash: &[u8; 32]) -> Result<(), Error>;
    /// The record and hash for a prefix.
    fn lookup(&self, prefix: &str) -> Result<Option<(KeyRecord, [u8; 32])>, Error>;
    /// Every record, newest first.
    fn list(&self) -> Result<Vec<KeyRecord>, Error>;
    /// Set the revocation time (the earlier one wins if already set); false if unknown.
    fn revoke(&self, prefix: &str, at: i64) -> Result<bool, Error>;
    /// Check the backend is reachable (for readiness).
    fn ping(&self) -> Result<(), Error>;
}

/// SHA-256 of a key string.
pub fn hash_key(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

fn random_hex(n_hex: usize) -> Result<String, Error> {
    let mut buf = vec![0u8; n_hex.div_ceil(2)];
    getrandom::getrandom(&mut buf).map_err(|e| Error::Random(e.to_string()))?;
    let mut s = String::with_capacity(n_hex);
    for b in buf {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 15)]));
    }
    s.truncate(n_hex);
    Ok(s)
}

/// Split `pw_<prefix>_<secret>`; `None` unless both parts have the exact length and alphabet.
pub fn parse_key(key: &str) -> Option<&str> {
    let rest = key.strip_prefix("pw_")?;
    let (prefix, secret) = rest.split_once('_')?;
    let is_hex = |s: &str| s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    (prefix.len() == PREFIX_HEX && secret.len() == SECRET_HEX && is_hex(prefix) && is_hex(secret))
        .then_some(prefix)
}

fn validate_label(what: &'static str, s: &str) -> Result<(), Error> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid {
            what,
            expected: "1 to 64 characters of letters, digits, space, '-', '_' or '.'",
            found: format!("{} characters", s.chars().count()),
        })
    }
}

/// Create and store a key for `app`. `ttl_secs` of `None` never expires.
pub fn create(
    store: &dyn KeyStore,
    app: &str,
    name: &str,
    ttl_secs: Option<i64>,
    now: i64,
) -> Result<ApiKey, Error> {
    validate_label("app", app)?;
    validate_label("name", name)?;
    if let Some(t) = ttl_secs {
        if t <= 0 {
            return Err(Error::Invalid {
                what: "ttl",
                expected: "a positive number of seconds",
                found: t.to_string(),
            });
        }
    }
    let prefix = random_hex(PREFIX_HEX)?;
    let secret = random_hex(SECRET_HEX)?;
    let plaintext = format!("pw_{prefix}_{secret}");
    let record = KeyRecord {
        prefix,
        app: app.to_string(),
        name: name.to_string(),
        created_at: now,
        expires_at: ttl_secs.map(|t| now.saturating_add(t)),
        revoked_at: None,
    };
    store.insert(&record, &hash_key(&plaintext))?;
    Ok(ApiKey { plaintext, record })
}

/// Replace a key: a new key for the same app and name; the old one stops working after
/// `grace_secs` (0 revokes it now) so clients can switch without downtime.
pub fn rotate(
    store: &dyn KeyStore,
    prefix: &str,
    grace_secs: i64,
    now: i64,
) -> Result<ApiKey, Error> {
    let (old, _) = store.lookup(prefix)?.ok_or_else(|| Error::NotFound(prefix.to_string()))?;
    let ttl = old.expires_at.map(|e| e.saturating_sub(old.created_at).max(1));
    let new = create(store, &old.app, &old.name, ttl, now)?;
    store.revoke(prefix, now.saturating_add(grace_secs.max(0)))?;
    Ok(new)
}

/// Verify a presented key string. The comparison of hashes is constant-time.
pub fn verify(store: &dyn KeyStore, presented: &str, now: i64) -> Result<KeyRecord, VerifyError> {
    let Some(prefix) = parse_key(presented) else {
        return Err(VerifyError::Rejected(KeyRejection::Malformed));
    };
    let hash = hash_key(presented);
    match store.lookup(prefix).map_err(VerifyError::Store)? {
        None => {
            // Same work as the found path so response time does not reveal valid prefixes.
            let _ = hash.ct_eq(&[0u8; 32]);
            Err(VerifyError::Rejected(KeyRejection::Unknown))
        }
        Some((record, stored)) => {
            if !bool::from(hash.ct_eq(&stored)) {
                return Err(VerifyError::Rejected(KeyRejection::Unknown));
            }
            if record.revoked_at.is_some_and(|r| r <= now) {
                return Err(VerifyError::Rejected(KeyRejection::Revoked));
            }
            if record.expires_at.is_some_and(|e| e <= now) {
                return Err(VerifyError::Rejected(KeyRejection::Expired));
            }
            Ok(record)
        }
    }
}

/// Why [`verify`] failed: the key was refused, or the store could not answer.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The key was refused.
    #[error("api key rejected: {}", .0.as_str())]
    Rejected(KeyRejection),
    /// The store failed (callers fail closed).
    #[error(transparent)]
    Store(Error),
}

/// The embedded key store: one SQLite file (`keys.sqlite3`) in the data directory, WAL mode so
/// the CLI can add or revoke keys while the gateway runs.
pub struct SqliteKeyStore {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for SqliteKeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteKeyStore")
    }
}

impl SqliteKeyStore {
    /// Open (creating if needed) `<data_dir>/keys.sqlite3`.
    pub fn open(data_dir: &Path) -> Result<Self, Error> {
        std::fs::create_dir_all(data_dir)
            .map_err(|source| Error::Io { path: data_dir.display().to_string(), source })?;
        let conn = Connection::open(data_dir.join("keys.sqlite3"))?;
        Self::init(conn)
    }

    /// A private in-memory store (tests, demos).
    pub fn in_memory() -> Result<Self, Error> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Self, Error> {
        conn.busy_timeout(std::time::Duration::from_secs(2))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS api_keys (
                prefix TEXT PRIMARY KEY,
                app TEXT NOT NULL,
                name TEXT NOT NULL,
                hash BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                expires_at INTEGER,
                revoked_at INTEGER
            );",
        )?;
        Ok(SqliteKeyStore { conn: Mutex::new(conn) })
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> Result<T, Error>) -> Result<T, Error> {
        let conn = self.conn.lock().map_err(|_| Error::Poisoned)?;
        f(&conn)
    }
}

fn row_to_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<KeyRecord> {
    Ok(KeyRecord {
        prefix: r.get(0)?,
        app: r.get(1)?,
        name: r.get(2)?,
        created_at: r.get(3)?,
        expires_at: r.get(4)?,
        revoked_at: r.get(5)?,
    })
}

impl KeyStore for SqliteKeyStore {
    fn insert(&self, record: &KeyRecord, hash: &[u8; 32]) -> Result<(), Error> {
        self.with(|c| {
            c.execute(
                "INSERT INTO api_keys (prefix, app, name, hash, created_at, expires_at, revoked_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    record.prefix,
                    record.app,
                    record.name,
                    &hash[..],
                    record.created_at,
                    record.expires_at,
                    record.revoked_at
                ],
            )?;
            Ok(())
        })
    }

    fn lookup(&self, prefix: &str) -> Result<Option<(KeyRecord, [u8; 32])>, Error> {
        self.with(|c| {
            let mut st = c.prepare_cached(
                "SELECT prefix, app, name, created_at, expires_at, revoked_at, hash
                 FROM api_keys WHERE prefix = ?1",
            )?;
            let row = st
                .query_row(params![prefix], |r| {
                    let rec = row_to_record(r)?;
                    let h: Vec<u8> = r.get(6)?;
                    Ok((rec, h))
                })
                .optional()?;
            Ok(row.and_then(|(rec, h)| <[u8; 32]>::try_from(h.as_slice()).ok().map(|h| (rec, h))))
        })
    }

    fn list(&self) -> Result<Vec<KeyRecord>, Error> {
        self.with(|c| {
            let mut st = c.prepare_cached(
                "SELECT prefix, app, name, created_at, expires_at, revoked_at
                 FROM api_keys ORDER BY created_at DESC, prefix",
            )?;
            let rows = st.query_map([], row_to_record)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    fn revoke(&self, prefix: &str, at: i64) -> Result<bool, Error> {
        self.with(|c| {
            let n = c.execute(
                "UPDATE api_keys SET revoked_at = MIN(COALESCE(revoked_at, ?2), ?2)
                 WHERE prefix = ?1",
                params![prefix, at],
            )?;
            Ok(n > 0)
        })
    }

    fn ping(&self) -> Result<(), Error> {
        self.with(|c| {
            c.query_row("SELECT 1", [], |_| Ok(()))?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> SqliteKeyStore {
        SqliteKeyStore::in_memory().unwrap()
    }

    #[test]
    fn create_then_verify() {
        let s = store();
        let k = create(&s, "scheduling", "dev", None, 100).unwrap();
        assert!(k.reveal().starts_with("pw_"));
        assert_eq!(k.reveal().len(), 3 + 12 + 1 + 64);
        let rec = verify(&s, k.reveal(), 200).unwrap();
        assert_eq!(rec.app, "scheduling");
        assert!(!format!("{k:?}").contains(&k.reveal()[16..]));
    }

    #[test]
    fn wrong_secret_is_unknown() {
        let s = store();
        let k = create(&s, "a", "n", None, 0).unwrap();
        let mut bad = k.reveal().to_string();
        let last = bad.pop().unwrap();
        bad.push(if last == '0' { '1' } else { '0' });
        assert!(matches!(verify(&s, &bad, 1), Err(VerifyError::Rejected(KeyRejection::Unknown))));
    }

    #[test]
    fn malformed_keys() {
        let s = store();
        for k in [
            "",
            "pw_",
            "sk-abc",
            "pw_abc_def",
            &format!("pw_{}_{}", "A".repeat(12), "0".repeat(64)),
        ] {
            assert!(matches!(
                verify(&s, k, 0),
                Err(VerifyError::Rejected(KeyRejection::Malformed))
            ));
        }
        let unknown = format!("pw_{}_{}", "0".repeat(12), "0".repeat(64));
        assert!(matches!(
            verify(&s, &unknown, 0),
            Err(VerifyError::Rejected(KeyRejection::Unknown))
        ));
    }

    #[test]
    fn expiry_and_revocation() {
        let s = store();
        let k = create(&s, "a", "n", Some(60), 1000).unwrap();
        assert!(verify(&s, k.reveal(), 1059).is_ok());
        assert!(matches!(
            verify(&s, k.reveal(), 1060),
            Err(VerifyError::Rejected(KeyRejection::Expired))
        ));
        let k2 = create(&s, "a", "n", None, 1000).unwrap();
        assert!(s.revoke(&k2.record.prefix, 1010).unwrap());
        assert!(verify(&s, k2.reveal(), 1009).is_ok());
        assert!(matches!(
            verify(&s, k2.reveal(), 1010),
            Err(VerifyError::Rejected(KeyRejection::Revoked))
        ));
        assert!(!s.revoke("000000000000", 1).unwrap());
    }

    #[test]
    fn rotate_with_grace() {
        let s = store();
        let old = create(&s, "a", "n", None, 0).unwrap();
        let new = rotate(&s, &old.record.prefix, 30, 100).unwrap();
        assert_ne!(new.record.prefix, old.record.prefix);
        assert!(verify(&s, old.reveal(), 129).is_ok());
        assert!(verify(&s, old.reveal(), 130).is_err());
        assert!(verify(&s, new.reveal(), 130).is_ok());
        assert!(rotate(&s, "ffffffffffff", 0, 1).is_err());
        assert_eq!(s.list().unwrap().len(), 2);
    }

    #[test]
    fn labels_are_validated() {
        let s = store();
        assert!(create(&s, "", "n", None, 0).is_err());
        assert!(create(&s, "a;drop", "n", None, 0).is_err());
        assert!(create(&s, "a", "n", Some(0), 0).is_err());
    }

    #[test]
    fn file_store_persists() {
        let dir = tempfile::tempdir().unwrap();
        let plaintext = {
            let s = SqliteKeyStore::open(dir.path()).unwrap();
            create(&s, "a", "n", None, 0).unwrap().reveal().to_string()
        };
        let s = SqliteKeyStore::open(dir.path()).unwrap();
        assert!(verify(&s, &plaintext, 1).is_ok());
        s.ping().unwrap();
    }
}
