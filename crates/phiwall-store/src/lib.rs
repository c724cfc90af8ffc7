//! State behind traits for phiwall: API keys, rate-limit counters, conversation sessions,
//! incidents and containment.
//!
//! What this crate does: generate, hash, store, verify, revoke and rotate API keys
//! ([`keys`]), count requests and tokens per key and per app ([`limits`]), and keep
//! per-app conversation sessions with a TTL ([`sessions`]). The embedded
//! default keeps keys in one SQLite file in the data directory and counters in memory; incident
//! records ([`incidents`]) and containment state ([`containment`]) live in their own SQLite files
//! so the gateway and the CLI share them across processes and restarts. Cluster mode keeps keys
//! in PostgreSQL ([`pg`], cached in process and kept fresh by LISTEN/NOTIFY) and counters in
//! Redis ([`redis`], an atomic GCRA script; verification attempt counters in
//! [`redis::attempts`]), behind the same traits; sessions, incidents and
//! containment get PostgreSQL backends the same way (docs/cluster.md).
//!
//! What it does not do: HTTP, policy or logging of request content. Time comes in as arguments
//! (`now` in unix seconds or monotonic nanoseconds) so behaviour is deterministic in tests.

#![forbid(unsafe_code)]

pub mod containment;
mod error;
pub mod incidents;
pub mod keys;
pub mod lease;
pub mod limits;
pub mod pg;
pub mod redis;
pub mod sessions;
pub mod testing;

pub use containment::{
    ContainmentEntry, ContainmentKind, ContainmentStore, SqliteContainmentStore,
};
pub use error::Error;
pub use incidents::{IncidentRow, IncidentStore, IncidentTx, OutboxRow};
pub use keys::{ApiKey, KeyRecord, KeyRejection, KeyStore, SqliteKeyStore, VerifyError};
pub use limits::{
    AllDecision, AllFuture, Bucket, Decision, InMemoryLimiter, LimitFuture, Quota, RateLimiter,
};
pub use sessions::{SessionRecord, SessionStore, SqliteSessionStore};
