//! Cluster mode (issue 10): several identical gateway replicas sharing state.
//!
//! - API keys live in PostgreSQL; each replica serves lookups from an in-process cache that
//!   follows `LISTEN/NOTIFY` and a periodic reconcile ([`phiwall_store::pg`]), so the request
//!   path never waits for the database and a revocation reaches every replica in milliseconds.
//! - Request and token limits live in Redis (one atomic GCRA script per check,
//!   [`phiwall_store::redis`]), bounded by a timeout and failing closed by default.
//! - With `[identity]` on, caller verification's attempt counters and lockouts live in Redis
//!   too ([`attempts`]), so a guesser spread over replicas meets one limit; they always fail
//!   closed.
//! - Each replica writes its own audit chain in `<audit.dir>/<replica_id>` (no shared writer,
//!   no cross-replica lock on the request path) and publishes its latest signed checkpoint to
//!   PostgreSQL every second, plus a heartbeat with a fingerprint of the policy it runs; `phiwall
//!   log verify --cluster` checks every chain against those checkpoints ([`verify`]).
//!
//! [`Cluster::connect`] does the IO for a validated `[store] backend = "cluster"`; its
//! background tasks stop with [`Cluster::shutdown`].

pub mod attempts;
pub mod config;
pub mod detect;
pub mod verify;

use crate::config::Config;
use crate::server::{BuildOptions, GatewayError};
use config::{ClusterStoreConfig, ReplicaId, StoreConfig};
use phiwall_identity::LimiterConfig;
use phiwall_store::lease::{LeasePolicy, LeasedLimiter};
use phiwall_store::pg::ledger::CheckpointRow;
use phiwall_store::pg::{PgBackend, PgKeyStore, PgOptions};
use phiwall_store::redis::attempts::RedisAttempts;
use phiwall_store::redis::{FailMode, RedisLimiter, RedisOptions};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// How often a replica publishes its latest checkpoint.
const PUBLISH_EVERY: Duration = Duration::from_secs(1);
/// How often a replica sends its heartbeat.
const HEARTBEAT_EVERY: Duration = Duration::from_secs(5);

/// A replica's connections to the shared state and its background tasks.
pub struct Cluster {
    replica_id: String,
    backend: Arc<PgBackend>,
    keys: Arc<PgKeyStore>,
    limiter: Arc<RedisLimiter>,
    /// What the gateway checks: `limiter` with local leases for high-rate limits.
    leased: Arc<LeasedLimiter<RedisLimiter>>,
    /// Redis settings (the event relay opens its own connections).
    redis_opts: RedisOptions,
    /// Shared verification attempt counters and the `[identity.limits]` they count under;
    /// `None` when `[identity]` is off.
    attempts: Option<(Arc<RedisAttempts>, LimiterConfig)>,
    tracker: TaskTracker,
    cancel: CancellationToken,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster").field("replica_id", &self.replica_id).finish()
    }
}

fn unix_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Resolve the replica id (reads the environment for `env:VAR`).
pub fn resolve_replica_id(id: &ReplicaId) -> Result<String, String> {
    match id {
        ReplicaId::Literal(s) => Ok(s.clone()),
        ReplicaId::Env(v) => {
            let s = std::env::var(v)
                .map_err(|_| format!("store.replica_id: environment variable {v} is not set"))?;
            if config::is_valid_replica_id(&s) {
                Ok(s)
            } else {
                Err(format!(
                    "store.replica_id: {v} holds {} characters; expected 1 to 63 letters, digits, '-', '_' or '.'",
                    s.len()
                ))
            }
        }
    }
}

/// Connect to PostgreSQL only (the CLI: keys, cluster verification). Blocking.
pub fn connect_postgres(c: &ClusterStoreConfig) -> Result<Arc<PgBackend>, String> {
    let url = c.postgres_url.resolve().map_err(|e| format!("store.postgres_url: {e}"))?;
    let mut o = PgOptions::new(url.expose());
    o.reconcile_interval = c.reconcile_interval;
    o.max_stale = c.max_stale;
    PgBackend::connect(o).map_err(|e| format!("store.postgres_url ({}): {e}", c.postgres_url))
}

/// A fingerprint of the policy a replica runs (apps and model routes), to spot drift.
pub fn policy_fingerprint(cfg: &Config) -> String {
    let d = Sha256::digest(format!("{:?}{:?}", cfg.apps, cfg.models).as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

impl Cluster {
    /// For `[store] backend = "cluster"`: connect to PostgreSQL (running migrations) and Redis,
    /// point the audit ledger at `<audit.dir>/<replica_id>`, and start publishing checkpoints
    /// and heartbeats. `None` for the embedded backend. Call inside a tokio runtime.
    pub async fn connect(cfg: &mut Config) -> Result<Option<Self>, GatewayError> {
        let StoreConfig::Cluster(c) = cfg.store.clone() else { return Ok(None) };
        let b = GatewayError::Build;
        let replica_id = resolve_replica_id(&c.replica_id).map_err(b)?;
        let pg_cfg = c.clone();
        let (backend, keys) = tokio::task::spawn_blocking(move || {
            let backend = connect_postgres(&pg_cfg)?;
            let keys = PgKeyStore::open(backend.clone())
                .map_err(|e| format!("store.postgres_url: loading keys: {e}"))?;
            Ok::<_, String>((backend, keys))
        })
        .await
        .map_err(|_| b("store: connect task failed".into()))?
        .map_err(b)?;
        let redis_url = c.redis_url.resolve().map_err(|e| b(format!("store.redis_url: {e}")))?;
        let mut ro = RedisOptions::new(redis_url.expose());
        ro.key_prefix = c.redis_key_prefix.clone();
        ro.timeout = c.limiter_timeout;
        ro.fail_mode = if c.is_limiter_fail_open { FailMode::Open } else { FailMode::Closed };
        let redis_opts_for_relay = ro.clone();
        let limiter = RedisLimiter::connect(ro.clone())
            .await
            .map_err(|e| b(format!("store.redis_url ({}): {e}", c.redis_url)))?;
        let limiter = Arc::new(limiter);
        let leased = Arc::new(LeasedLimiter::new(
            limiter.clone(),
            LeasePolicy {
                ttl_nanos: u64::try_from(c.limiter_lease.as_nanos()).unwrap_or(u64::MAX),
                ..LeasePolicy::default()
            },
        ));
        if c.is_limiter_fail_open {
            tracing::warn!(
                "store.limiter_fail_mode is open: requests pass unlimited while Redis cannot answer (verification attempts are still refused)"
            );
        }
        let attempts = match &cfg.identity {
            None => None,
            Some(icfg) => {
                let limits = icfg.limits.clone();
                let a = tokio::task::spawn_blocking(move || RedisAttempts::connect(ro))
                    .await
                    .map_err(|_| b("store: connect task failed".into()))?
                    .map_err(|e| {
                        b(format!("store.redis_url ({}): attempt counters: {e}", c.redis_url))
                    })?;
                Some((Arc::new(a), limits))
            }
        };
        cfg.audit.dir = cfg.audit.dir.join(&replica_id);
        let cluster = Cluster {
            replica_id,
            backend,
            keys: Arc::new(keys),
            limiter,
            leased,
            redis_opts: redis_opts_for_relay,
            attempts,
            tracker: TaskTracker::new(),
            cancel: CancellationToken::new(),
        };
        cluster.start_tasks(cfg.audit.dir.clone(), policy_fingerprint(cfg));
        tracing::info!(replica = %cluster.replica_id, "Cluster mode: keys, sessions and containment in PostgreSQL, limits in Redis");
        Ok(Some(cluster))
    }

    fn start_tasks(&self, ledger_dir: PathBuf, fingerprint: String) {
        let (backend, cancel, id) =
            (self.backend.clone(), self.cancel.clone(), self.replica_id.clone());
        self.tracker.spawn(async move {
            let mut last_published = None;
            loop {
                publish_checkpoint(&backend, &id, &ledger_dir, &mut last_published).await;
                tokio::select! {
                    () = tokio::time::sleep(PUBLISH_EVERY) => {}
                    () = cancel.cancelled() => break,
                }
            }
            // A last publication after the final checkpoint the gateway signs at shutdown is
            // done by `shutdown`.
        });
        let (backend, cancel, id) =
            (self.backend.clone(), self.cancel.clone(), self.replica_id.clone());
        self.tracker.spawn(async move {
            loop {
                if let Err(e) =
                    backend.heartbeat(id.clone(), fingerprint.clone(), unix_secs()).await
                {
                    tracing::warn!(error = %e, "Cluster heartbeat failed");
                }
                tokio::select! {
                    () = tokio::time::sleep(HEARTBEAT_EVERY) => {}
                    () = cancel.cancelled() => break,
                }
            }
        });
    }

    /// Relay this replica's events to the cluster's event stream and, when `detector` (the
    /// anomaly engine's sink) is given, compete for the detector lease ([`detect`]). Returns the
    /// sink to put on the gateway's bus instead of the detector itself.
    pub async fn detection(
        &self,
        detector: Option<Box<dyn phiwall_watch::RecordSink>>,
    ) -> Result<Box<dyn phiwall_watch::RecordSink>, GatewayError> {
        let stream = phiwall_store::redis::relay::EventStream::connect(
            &self.redis_opts,
            &self.replica_id,
            detect::STREAM_LEN,
        )
        .await
        .map_err(|e| GatewayError::Build(format!("store.redis_url: event relay: {e}")))?;
        Ok(Box::new(detect::start(stream, detector, &self.tracker, &self.cancel)))
    }

    /// The replica id.
    pub fn replica_id(&self) -> &str {
        &self.replica_id
    }

    /// The shared key store.
    pub fn key_store(&self) -> Arc<PgKeyStore> {
        self.keys.clone()
    }

    /// The shared limiter.
    pub fn limiter(&self) -> Arc<RedisLimiter> {
        self.limiter.clone()
    }

    /// The PostgreSQL backend.
    pub fn backend(&self) -> Arc<PgBackend> {
        self.backend.clone()
    }

    /// Build options that plug the shared stores into [`crate::Gateway::build`].
    pub fn build_options(&self) -> BuildOptions {
        BuildOptions {
            key_store: Some(self.keys.clone()),
            limiter: Some(self.leased.clone()),
            sessions: Some(Arc::new(phiwall_store::pg::PgSessionStore::open(self.backend.clone()))),
            containment: Some(Arc::new(phiwall_store::pg::PgContainmentStore::open(
                self.backend.clone(),
            ))),
            attempts: self.attempts.as_ref().map(|(a, limits)| {
                Box::new(attempts::SharedAttemptStore::new(a.clone(), limits.clone()))
                    as Box<dyn phiwall_identity::AttemptStore>
            }),
            ..BuildOptions::default()
        }
    }

    /// Publish the latest checkpoint once more (after the gateway's final one) and stop.
    pub async fn shutdown(self, ledger_dir: Option<PathBuf>) {
        self.cancel.cancel();
        self.tracker.close();
        self.tracker.wait().await;
        if let Some(dir) = ledger_dir {
            publish_checkpoint(&self.backend, &self.replica_id, &dir, &mut None).await;
        }
        let backend = self.backend.clone();
        drop(self);
        let _ = tokio::task::spawn_blocking(move || backend.shutdown()).await;
    }
}

/// Read the newest checkpoint of `dir` and record it in PostgreSQL if it is new.
async fn publish_checkpoint(
    backend: &PgBackend,
    replica_id: &str,
    dir: &std::path::Path,
    last: &mut Option<u64>,
) {
    let d = dir.to_path_buf();
    let latest = tokio::task::spawn_blocking(move || {
        phiwall_ledger::store::read_checkpoints(&d).ok().and_then(|(c, _)| c.last().cloned())
    })
    .await
    .ok()
    .flatten();
    let Some(c) = latest else { return };
    if *last == Some(c.tree_size) {
        return;
    }
    let row = CheckpointRow {
        replica_id: replica_id.to_string(),
        tree_size: c.tree_size,
        root: c.root.to_vec(),
        chain_head: c.chain_head.to_vec(),
        time_micros: c.time_micros,
        public_key: c.public_key.to_vec(),
        signature: c.signature.to_vec(),
    };
    match backend.record_checkpoint(row, unix_secs()).await {
        Ok(()) => *last = Some(c.tree_size),
        Err(e) => tracing::warn!(error = %e, "Publishing the ledger checkpoint failed"),
    }
}
