//! The PostgreSQL backend for cluster mode (issue 10): shared state for several gateway
//! replicas.
//!
//! Design (why the store traits can stay synchronous):
//! - A [`PgBackend`] owns one IO thread running a current-thread tokio runtime, a small sqlx
//!   pool and one `LISTEN` connection. Nothing of it runs on the caller's runtime, so the same
//!   backend serves the async gateway and the synchronous CLI.
//! - Reads on the request path (key lookups) come from an in-process cache and never wait for
//!   the database. The cache is kept fresh by `LISTEN phiwall_changes` (a writer commits its row
//!   and a `pg_notify` in one transaction, so every replica hears about a revocation within
//!   milliseconds) and by a periodic full reconcile (the safety net for a lost notification, a
//!   reconnect, or a write made by hand). While the listener is down the reconcile runs every
//!   second, so propagation stays within about a second.
//! - If the backend cannot confirm its view for `max_stale` (no successful reconcile), lookups
//!   fail closed with [`Error::Stale`]: a replica cut off from PostgreSQL refuses requests rather
//!   than honour a key that may have been revoked meanwhile.
//! - Writes (create, revoke, list: operator paths) are jobs sent to the IO thread and waited
//!   for with a bounded timeout ([`PgBackend::run`] blocking, [`PgBackend::run_async`] async).
//! - Migrations are embedded in the binary ([`migrations`]) and run at connect by sqlx's
//!   migrator, which holds a PostgreSQL advisory lock so replicas starting together apply them
//!   once.
//!
//! Adding a backend for another store (sessions, incidents, containment): add a migration file,
//! a module with the queries (like [`keys`]), and, when replicas must see changes quickly, a
//! [`ChangeSubscriber`] whose `kind` names the rows it caches; writers call
//! [`notify`] with that kind inside their transaction. Nothing else changes.

pub mod containment;
pub mod incidents;
pub mod keys;
pub mod ledger;
pub mod migrations;
pub mod sessions;

use crate::error::Error;
use futures_util::future::BoxFuture;
use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::sync::{mpsc, watch, Notify};

pub use containment::PgContainmentStore;
pub use keys::PgKeyStore;
pub use sessions::PgSessionStore;

/// The channel every change notification is sent on. Payload: `kind:reference`.
pub const CHANNEL: &str = "phiwall_changes";

/// Connection and freshness settings.
#[derive(Clone)]
pub struct PgOptions {
    /// `postgres://user:password@host:port/db` (a secret: never printed).
    pub url: String,
    /// Pool size for jobs (the listener has its own connection).
    pub max_connections: u32,
    /// Bound on one job (query, transaction) and on connecting.
    pub op_timeout: Duration,
    /// Full reconcile period while the listener is up.
    pub reconcile_interval: Duration,
    /// Lookups fail closed when the last successful reconcile is older than this.
    pub max_stale: Duration,
}

impl std::fmt::Debug for PgOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgOptions")
            .field("url", &"[redacted]")
            .field("max_connections", &self.max_connections)
            .field("op_timeout", &self.op_timeout)
            .field("reconcile_interval", &self.reconcile_interval)
            .field("max_stale", &self.max_stale)
            .finish()
    }
}

impl PgOptions {
    /// Defaults: 4 connections, 2 s per operation, reconcile every 10 s, stale after 30 s.
    pub fn new(url: impl Into<String>) -> Self {
        PgOptions {
            url: url.into(),
            max_connections: 4,
            op_timeout: Duration::from_secs(2),
            reconcile_interval: Duration::from_secs(10),
            max_stale: Duration::from_secs(30),
        }
    }
}

/// A cache of rows that follows the change feed.
pub trait ChangeSubscriber: Send + Sync {
    /// The change kind it follows (the part of the payload before `:`).
    fn kind(&self) -> &'static str;
    /// One row named by `reference` changed: re-read it.
    fn apply<'a>(
        &'a self,
        pool: &'a PgPool,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<(), sqlx::Error>>;
    /// Re-read everything (start, reconnect, periodic safety net).
    fn reconcile<'a>(&'a self, pool: &'a PgPool) -> BoxFuture<'a, Result<(), sqlx::Error>>;
}

type Job = Box<dyn FnOnce(PgPool) -> BoxFuture<'static, ()> + Send>;

struct Shared {
    subscribers: RwLock<Vec<Arc<dyn ChangeSubscriber>>>,
    is_listening: AtomicBool,
    last_reconcile_ms: AtomicU64,
    reconcile_now: Notify,
    notifications: AtomicU64,
}

fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// A connection to PostgreSQL with its own IO thread (see the module docs).
pub struct PgBackend {
    jobs: mpsc::Sender<Job>,
    shared: Arc<Shared>,
    opts: PgOptions,
    stop: watch::Sender<bool>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl std::fmt::Debug for PgBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgBackend")
            .field("is_listening", &self.shared.is_listening.load(Ordering::Relaxed))
            .finish()
    }
}

/// sqlx errors as text that never carries the connection URL.
pub(crate) fn pg_error(e: &sqlx::Error) -> Error {
    let msg = match e {
        sqlx::Error::Configuration(_) => "invalid connection settings".to_string(),
        sqlx::Error::Database(d) => {
            format!("database error {}: {}", d.code().unwrap_or_default(), d.message())
        }
        sqlx::Error::Io(io) => format!("connection: {io}"),
        sqlx::Error::PoolTimedOut => "no connection available in time".to_string(),
        sqlx::Error::PoolClosed => "connection pool closed".to_string(),
        other => other.to_string(),
    };
    Error::Backend { backend: "postgres", detail: msg }
}

impl PgBackend {
    /// Connect, run the embedded migrations (under sqlx's advisory lock) and start the change
    /// listener. Blocks until connected or `op_timeout` (times 5 for migrations) has passed.
    pub fn connect(opts: PgOptions) -> Result<Arc<Self>, Error> {
        let (job_tx, job_rx) = mpsc::channel::<Job>(1024);
        let (stop_tx, stop_rx) = watch::channel(false);
        let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel::<Result<(), Error>>(1);
        let shared = Arc::new(Shared {
            subscribers: RwLock::new(Vec::new()),
            is_listening: AtomicBool::new(false),
            last_reconcile_ms: AtomicU64::new(0),
            reconcile_now: Notify::new(),
            notifications: AtomicU64::new(0),
        });
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Backend { backend: "postgres", detail: format!("runtime: {e}") })?;
        let thread_shared = shared.clone();
        let thread_opts = opts.clone();
        let thread = std::thread::Builder::new()
            .name("phiwall-pg".into())
            .spawn(move || {
                rt.block_on(io_main(thread_opts, thread_shared, job_rx, stop_rx, ready_tx));
            })
            .map_err(|e| Error::Backend { backend: "postgres", detail: format!("thread: {e}") })?;
        let wait = opts.op_timeout.saturating_mul(5);
        let backend = PgBackend {
            jobs: job_tx,
            shared,
            opts,
            stop: stop_tx,
            thread: Mutex::new(Some(thread)),
        };
        match ready_rx.recv_timeout(wait) {
            Ok(Ok(())) => Ok(Arc::new(backend)),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(Error::Timeout("connecting to postgres")),
        }
    }

    /// Register a cache that follows the change feed and load it once now.
    pub fn subscribe(&self, sub: Arc<dyn ChangeSubscriber>) -> Result<(), Error> {
        let s = sub.clone();
        self.run(move |pool| async move { s.reconcile(&pool).await })?;
        self.shared.subscribers.write().map_err(|_| Error::Poisoned)?.push(sub);
        Ok(())
    }

    /// Whether cached views may be trusted: the last full reconcile is younger than
    /// `max_stale`.
    pub fn is_fresh(&self) -> bool {
        let last = self.shared.last_reconcile_ms.load(Ordering::Acquire);
        let max = u64::try_from(self.opts.max_stale.as_millis()).unwrap_or(u64::MAX);
        unix_ms().saturating_sub(last) < max
    }

    /// Whether the `LISTEN` connection is up (else changes arrive by the 1 s reconcile).
    pub fn is_listening(&self) -> bool {
        self.shared.is_listening.load(Ordering::Relaxed)
    }

    /// Notifications received so far (for tests and metrics).
    pub fn notifications_received(&self) -> u64 {
        self.shared.notifications.load(Ordering::Relaxed)
    }

    fn job<T, F, Fut>(&self, f: F, reply: impl FnOnce(Result<T, Error>) + Send + 'static) -> Job
    where
        T: Send + 'static,
        F: FnOnce(PgPool) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<T, sqlx::Error>> + Send + 'static,
    {
        let timeout = self.opts.op_timeout;
        Box::new(move |pool| {
            Box::pin(async move {
                let r = match tokio::time::timeout(timeout, f(pool)).await {
                    Ok(Ok(v)) => Ok(v),
                    Ok(Err(e)) => Err(pg_error(&e)),
                    Err(_) => Err(Error::Timeout("postgres operation")),
                };
                reply(r);
            })
        })
    }

    /// Run `f` on the IO thread and wait (bounded) for its result. Never call it on a request
    /// path: it blocks the calling thread for up to the operation timeout.
    pub fn run<T, F, Fut>(&self, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(PgPool) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<T, sqlx::Error>> + Send + 'static,
    {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let job = self.job(f, move |r| {
            let _ = tx.send(r);
        });
        self.jobs.try_send(job).map_err(|_| Error::Timeout("postgres queue full or stopped"))?;
        rx.recv_timeout(self.opts.op_timeout + Duration::from_secs(1))
            .map_err(|_| Error::Timeout("postgres operation"))?
    }

    /// Run `f` on the IO thread and await its result (bounded by the operation timeout).
    pub async fn run_async<T, F, Fut>(&self, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(PgPool) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<T, sqlx::Error>> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job = self.job(f, move |r| {
            let _ = tx.send(r);
        });
        self.jobs.try_send(job).map_err(|_| Error::Timeout("postgres queue full or stopped"))?;
        match tokio::time::timeout(self.opts.op_timeout + Duration::from_secs(1), rx).await {
            Ok(Ok(r)) => r,
            _ => Err(Error::Timeout("postgres operation")),
        }
    }

    /// Stop the IO thread (also done on drop).
    pub fn shutdown(&self) {
        let _ = self.stop.send(true);
        let handle = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(h) = handle {
            // The IO thread never calls back into this struct, so joining cannot deadlock;
            // but never join from the IO thread itself.
            if h.thread().id() != std::thread::current().id() {
                let _ = h.join();
            }
        }
    }
}

impl Drop for PgBackend {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Send a change notification inside the caller's transaction (delivered at commit).
pub async fn notify(
    conn: &mut sqlx::PgConnection,
    kind: &str,
    reference: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(format!("{kind}:{reference}"))
        .execute(conn)
        .await?;
    Ok(())
}

async fn io_main(
    opts: PgOptions,
    shared: Arc<Shared>,
    mut jobs: mpsc::Receiver<Job>,
    mut stop: watch::Receiver<bool>,
    ready: std::sync::mpsc::SyncSender<Result<(), Error>>,
) {
    let connect = async {
        let pool = PgPoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .acquire_timeout(opts.op_timeout)
            .connect(&opts.url)
            .await
            .map_err(|e| pg_error(&e))?;
        migrations::run(&pool).await?;
        Ok::<_, Error>(pool)
    };
    let pool = match tokio::time::timeout(opts.op_timeout.saturating_mul(5), connect).await {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => {
            let _ = ready.send(Err(e));
            return;
        }
        Err(_) => {
            let _ = ready.send(Err(Error::Timeout("connecting to postgres")));
            return;
        }
    };
    shared.last_reconcile_ms.store(unix_ms(), Ordering::Release);
    let mut tasks = tokio::task::JoinSet::new();
    tasks.spawn(listen_loop(pool.clone(), shared.clone()));
    tasks.spawn(reconcile_loop(pool.clone(), shared.clone(), opts.reconcile_interval));
    let _ = ready.send(Ok(()));
    loop {
        tokio::select! {
            job = jobs.recv() => match job {
                Some(j) => {
                    tasks.spawn(j(pool.clone()));
                }
                None => break,
            },
            _ = stop.changed() => break,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
        }
    }
    tasks.shutdown().await;
    pool.close().await;
}

async fn dispatch(pool: &PgPool, shared: &Shared, payload: &str) {
    let Some((kind, reference)) = payload.split_once(':') else { return };
    let subs: Vec<Arc<dyn ChangeSubscriber>> =
        shared.subscribers.read().map(|s| s.clone()).unwrap_or_default();
    for s in subs.iter().filter(|s| s.kind() == kind) {
        if s.apply(pool, reference).await.is_err() {
            // Could not re-read the row: the full reconcile catches up.
            shared.reconcile_now.notify_one();
        }
    }
}

async fn listen_loop(pool: PgPool, shared: Arc<Shared>) {
    loop {
        if let Ok(mut l) = PgListener::connect_with(&pool).await {
            if l.listen(CHANNEL).await.is_ok() {
                shared.is_listening.store(true, Ordering::Relaxed);
                // Changes made while we were not listening.
                shared.reconcile_now.notify_one();
                loop {
                    match l.try_recv().await {
                        Ok(Some(n)) => {
                            shared.notifications.fetch_add(1, Ordering::Relaxed);
                            dispatch(&pool, &shared, n.payload()).await;
                        }
                        Ok(None) => {
                            // The connection dropped and will be re-established on the next
                            // call; notifications in between are lost, so reconcile.
                            shared.reconcile_now.notify_one();
                        }
                        Err(e) => {
                            tracing::warn!(error = %pg_error(&e), "Change listener lost its connection");
                            break;
                        }
                    }
                }
            }
        }
        shared.is_listening.store(false, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn reconcile_loop(pool: PgPool, shared: Arc<Shared>, interval: Duration) {
    loop {
        let wait = if shared.is_listening.load(Ordering::Relaxed) {
            interval
        } else {
            Duration::from_secs(1).min(interval)
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = shared.reconcile_now.notified() => {}
        }
        let subs: Vec<Arc<dyn ChangeSubscriber>> =
            shared.subscribers.read().map(|s| s.clone()).unwrap_or_default();
        let mut is_ok = true;
        for s in &subs {
            if let Err(e) = s.reconcile(&pool).await {
                is_ok = false;
                tracing::warn!(kind = s.kind(), error = %pg_error(&e), "Reconcile failed");
            }
        }
        if subs.is_empty() {
            is_ok = sqlx::query("SELECT 1").execute(&pool).await.is_ok();
        }
        if is_ok {
            shared.last_reconcile_ms.store(unix_ms(), Ordering::Release);
        }
    }
}
