//! The crate's error type. Messages name what failed, never a key's secret part or a
//! connection URL.

/// An error from a store backend.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The SQLite backend failed.
    #[error("key store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The data directory could not be created or opened.
    #[error("data directory {path}: {source}")]
    Io {
        /// The path that failed.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The operating system's random source failed.
    #[error("random source unavailable: {0}")]
    Random(String),
    /// A named record does not exist.
    #[error("no key with prefix `{0}`")]
    NotFound(String),
    /// An argument was invalid (expected vs found).
    #[error("invalid {what}: expected {expected}, found {found}")]
    Invalid {
        /// Which argument.
        what: &'static str,
        /// What was expected.
        expected: &'static str,
        /// What was found (never a secret).
        found: String,
    },
    /// A lock was poisoned by a panicking thread.
    #[error("key store lock poisoned")]
    Poisoned,
    /// A cluster backend (PostgreSQL, Redis) failed; the detail never holds a URL or secret.
    #[error("{backend}: {detail}")]
    Backend {
        /// `postgres` or `redis`.
        backend: &'static str,
        /// What failed.
        detail: String,
    },
    /// A cluster backend did not answer in time.
    #[error("timed out: {0}")]
    Timeout(&'static str),
    /// The cached view could not be confirmed recently enough: callers fail closed.
    #[error("shared state is stale: the database has not confirmed it for too long")]
    Stale,
}
