//! The HTTP server: state, routes, the request pipeline and the listeners.
//!
//! The pipeline for a model call runs in the order DESIGN.md draws, in one function
//! ([`State::model_call`]) so the order is visible in one place:
//!
//! 1. authenticate (API key or JWT; no anonymous path)
//! 2. limit requests (per key, then per app)
//! 3. read the body (content type, size, time, UTF-8, JSON depth, JSON syntax)
//!    3b. session (issue 5, `[identity]` only): whom the session is verified for; yields the
//!    disclosure rules the output stage applies ([`crate::identity`])
//! 4. policy (model, tools, messages, token caps) and token budget reservation
//! 5. inspect input (PHI, injection) -> the `Scanned` proof, transforms applied
//! 6. plant the canary, forward upstream (needs the proof)
//! 7. inspect output (streaming-aware), restore tokens where allowed
//! 8. emit one event
//!
//! Listeners are plain hyper connections (so TLS and timeouts are ours): header read timeout and
//! header size limits cut off slow or oversized clients; every connection task is tracked so
//! shutdown drains them.

use crate::audit::AuditLog;
use crate::auth::{Authenticator, JwtVerifier, PeerCertificate, Principal};
use crate::config::{AppPolicy, Config, ModelRoute, SIM_MODEL};
use crate::containment::{Containment, Subject};
use crate::error::ApiError;
use crate::injection::{DetectorInspector, InputInspector};
use crate::inspect::{self, Endpoint};
use crate::jwks::{JwksSource, KeySet};
use crate::output::{OutputGuard, TextStream};
use crate::upstream::Upstreams;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;
use futures_util::stream::{BoxStream, StreamExt};
use phiwall_scan::redact::{RedactionKey, Redactor};
use phiwall_scan::{Scanner, ScannerConfig};
use phiwall_store::{
    AllDecision, Bucket, InMemoryLimiter, KeyStore, Quota, RateLimiter, SqliteKeyStore,
};
use phiwall_watch::{
    Activity, BusConfig, Event, EventBus, JsonlSink, Metrics, Outcome, RecordSink, Severity,
    SpillConfig, Watch,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

#[path = "verify_api.rs"]
mod verify_api;

/// Time, injected so tests can control it.
pub trait Clock: Send + Sync {
    /// Unix seconds.
    fn unix_secs(&self) -> i64;
    /// Unix milliseconds.
    fn unix_millis(&self) -> i64;
    /// Monotonic nanoseconds since some fixed start.
    fn mono_nanos(&self) -> u64;
}

/// The system clock.
#[derive(Debug)]
pub struct SystemClock {
    start: Instant,
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock { start: Instant::now() }
    }
}

impl Clock for SystemClock {
    fn unix_secs(&self) -> i64 {
        self.unix_millis() / 1000
    }
    fn unix_millis(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }
    fn mono_nanos(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}

/// Errors from building or running the gateway.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GatewayError {
    /// A problem found while building (IO on secrets, JWKS, certificates, stores).
    #[error("{0}")]
    Build(String),
    /// A listener failed.
    #[error("listener: {0}")]
    Io(#[from] std::io::Error),
}

/// Optional parts a caller (CLI, tests) can supply.
#[derive(Default)]
pub struct BuildOptions {
    /// Key store; default: SQLite in the data directory.
    pub key_store: Option<Arc<dyn KeyStore>>,
    /// Extra sinks (events and detections); the JSONL file and the `[[sinks]]` are added.
    pub sinks: Vec<Box<dyn RecordSink>>,
    /// Clock; default: system.
    pub clock: Option<Arc<dyn Clock>>,
    /// Injection inspector; default: [`DetectorInspector`] (phiwall-scan's detector).
    pub injection: Option<Arc<dyn InputInspector>>,
    /// Rate limiter; default: in memory.
    pub limiter: Option<Arc<dyn RateLimiter>>,
    /// Ledger key provider; default: the `[audit] key` source (KMS/HSM providers plug in here).
    pub audit_key: Option<Arc<dyn phiwall_ledger::KeyProvider>>,
    /// What the admin API reports; default: [`phiwall_watch::MemorySecurityView`].
    pub security_view: Option<Arc<dyn phiwall_watch::SecurityView>>,
    /// Containment store (issue 8); default: SQLite in the data directory.
    pub containment: Option<Arc<dyn phiwall_store::ContainmentStore>>,
    /// Session store for `[identity]`; default: SQLite in the data directory.
    pub sessions: Option<Arc<dyn phiwall_store::SessionStore>>,
    /// Verification attempt store for `[identity]` (it carries its own limits); default: in
    /// memory with `[identity.limits]`. Cluster mode shares one in Redis.
    pub attempts: Option<Box<dyn phiwall_identity::AttemptStore>>,
}

/// Shared request state.
pub struct State {
    cfg: Config,
    apps: BTreeMap<String, Arc<AppPolicy>>,
    redactors: BTreeMap<String, Redactor>,
    auth: Authenticator,
    limiter: Arc<dyn RateLimiter>,
    streams: Mutex<HashMap<String, usize>>,
    scanner: Arc<Scanner>,
    injection: Arc<dyn InputInspector>,
    scan_cache: inspect::ScanCache,
    key: RedactionKey,
    upstreams: Upstreams,
    watch: Watch,
    audit: Arc<AuditLog>,
    clock: Arc<dyn Clock>,
    keys: Arc<dyn KeyStore>,
    admin: Arc<crate::admin::AdminState>,
    containment: Arc<Containment>,
    /// Caller verification and disclosure control (issue 5); `None` when `[identity]` is off.
    identity: Option<Arc<crate::identity::Identity>>,
}

/// A built gateway, ready to serve.
pub struct Gateway {
    state: Arc<State>,
    bus: EventBus,
    tls: Option<Arc<rustls::ServerConfig>>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway").field("tls", &self.tls.is_some()).finish()
    }
}

fn decode_key(raw: &str) -> Vec<u8> {
    let t = raw.trim();
    if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
        return t
            .as_bytes()
            .chunks(2)
            .map(|p| (hex(p[0]) << 4) | hex(p.get(1).copied().unwrap_or(b'0')))
            .collect();
    }
    t.as_bytes().to_vec()
}

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    if getrandom::getrandom(&mut b).is_err() {
        // The request id only needs uniqueness; fall back to the clock.
        let n = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        return format!("{n:032x}");
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl Gateway {
    /// Build everything that needs IO: stores, secrets, JWKS, TLS, upstream clients, event bus.
    pub fn build(cfg: Config, opts: BuildOptions) -> Result<Self, GatewayError> {
        let b = |e: String| GatewayError::Build(e);
        let keys: Arc<dyn KeyStore> = match opts.key_store {
            Some(k) => k,
            None => Arc::new(SqliteKeyStore::open(&cfg.data_dir).map_err(|e| {
                b(format!("cannot open the key store in {}: {e}", cfg.data_dir.display()))
            })?),
        };
        let jwt = match &cfg.jwt {
            Some(j) => Some(match &j.jwks {
                JwksSource::File(path) => {
                    let text = std::fs::read_to_string(path)
                        .map_err(|e| b(format!("auth.jwt.jwks_file {}: {e}", path.display())))?;
                    JwtVerifier::from_jwks(j.clone(), &text)
                        .map_err(|e| b(format!("auth.jwt.jwks_file: {e}")))?
                }
                JwksSource::Url { url, refresh, min_gap } => {
                    let keys = KeySet::remote(url, *refresh, *min_gap)
                        .map_err(|e| b(format!("auth.jwt.jwks_url: {e}")))?;
                    JwtVerifier::with_keys(j.clone(), Arc::new(keys))
                }
            }),
            None => None,
        };
        let key = match &cfg.redaction_key {
            Some(r) => {
                let s = r.resolve().map_err(|e| b(format!("redaction.key: {e}")))?;
                RedactionKey::new(decode_key(s.expose())).map_err(|_| {
                    b("redaction.key: need at least 16 bytes (use 32 random bytes, hex)".into())
                })?
            }
            None => {
                let mut k = vec![0u8; 32];
                getrandom::getrandom(&mut k).map_err(|e| b(format!("random source: {e}")))?;
                RedactionKey::new(k).map_err(|_| b("redaction key".into()))?
            }
        };
        let scanner = Arc::new(
            Scanner::new(ScannerConfig::default()).map_err(|e| b(format!("scanner: {e}")))?,
        );
        let mut apps = BTreeMap::new();
        let mut redactors = BTreeMap::new();
        for (name, a) in &cfg.apps {
            redactors.insert(
                name.clone(),
                inspect::input_redactor(a, &key)
                    .map_err(|_| b(format!("apps.{name}.phi: redactor")))?,
            );
            apps.insert(name.clone(), Arc::new(a.clone()));
        }
        let upstreams = Upstreams::build(&cfg.upstreams).map_err(b)?;
        let tls = match &cfg.tls {
            Some(t) => Some(crate::tls::server_config(t).map_err(b)?),
            None => None,
        };
        let metrics = Arc::new(Metrics::default());
        let mut sinks = opts.sinks;
        if cfg.audit.is_jsonl_events {
            let path = cfg.data_dir.join("events.jsonl");
            sinks.push(Box::new(
                JsonlSink::open(&path)
                    .map_err(|e| b(format!("event file {}: {e}", path.display())))?,
            ));
        }
        let audit_key = match opts.audit_key {
            Some(k) => Ok(k),
            None => crate::audit::key_provider(&cfg.audit),
        };
        let audit = Arc::new(AuditLog::open_or_degraded(&cfg.audit, audit_key));
        let clock: Arc<dyn Clock> = opts.clock.unwrap_or_else(|| Arc::new(SystemClock::default()));
        let identity =
            build_identity(&cfg, scanner.clone(), opts.sessions, opts.attempts, clock.clone())
                .map_err(b)?;
        let containment_store: Arc<dyn phiwall_store::ContainmentStore> = match opts.containment {
            Some(c) => c,
            None => Arc::new(phiwall_store::SqliteContainmentStore::open(&cfg.data_dir).map_err(
                |e| {
                    b(format!(
                        "cannot open the containment store in {}: {e}",
                        cfg.data_dir.display()
                    ))
                },
            )?),
        };
        let containment = Arc::new(
            Containment::load(containment_store, clock.clone())
                .map_err(|e| b(format!("containment state: {e}")))?,
        );
        // SIEM sinks (issue 7): each encodes into its own disk buffer and delivers on its own
        // thread; the bus spills to disk rather than drop when its queue is full.
        for sc in &cfg.sinks {
            sinks.push(phiwall_watch::siem::config::build(sc, &cfg.data_dir, &metrics).map_err(b)?);
        }
        let bus_cfg = BusConfig {
            capacity: 4096,
            spill: Some(SpillConfig {
                path: cfg.data_dir.join("events-spill.bin"),
                max_bytes: 256 << 20,
            }),
        };
        let bus = EventBus::start_with(bus_cfg, sinks, metrics)
            .map_err(|e| b(format!("event bus: {e}")))?;
        let admin = Arc::new(
            crate::admin::AdminState::build(
                &cfg.admin,
                opts.security_view,
                bus.watch(),
                audit.clone(),
                clock.clone(),
            )
            .map_err(b)?,
        );
        let state = State {
            admin,
            identity,
            apps,
            redactors,
            auth: Authenticator { keys: keys.clone(), jwt, mtls: cfg.mtls_identities.clone() },
            limiter: opts.limiter.unwrap_or_else(|| Arc::new(InMemoryLimiter::default())),
            streams: Mutex::new(HashMap::new()),
            scanner,
            injection: match opts.injection {
                Some(i) => i,
                None => Arc::new(
                    DetectorInspector::new().map_err(|e| b(format!("injection detector: {e}")))?,
                ),
            },
            scan_cache: inspect::ScanCache::new(4096),
            key,
            upstreams,
            watch: bus.watch(),
            audit,
            clock,
            keys,
            containment,
            cfg,
        };
        Ok(Gateway { state: Arc::new(state), bus, tls })
    }

    /// The key store (to create keys before or while serving).
    pub fn key_store(&self) -> Arc<dyn KeyStore> {
        self.state.keys.clone()
    }

    /// Containment state (incident response refreshes it after a change).
    pub fn containment(&self) -> Arc<Containment> {
        self.state.containment.clone()
    }

    /// The audit ledger writer, when open (incident response appends its records through it).
    pub fn audit_appender(&self) -> Option<Arc<phiwall_ledger::Appender>> {
        self.state.audit.ledger_writer()
    }

    /// A sender onto the event bus (detections from anomaly detection go to the SIEM sinks).
    pub fn watch(&self) -> Watch {
        self.state.watch.clone()
    }

    /// The metrics registry.
    pub fn metrics(&self) -> Arc<Metrics> {
        self.state.watch.metrics().clone()
    }

    /// What the admin API reports (the view given in [`BuildOptions::security_view`]).
    pub fn security_view(&self) -> Arc<dyn phiwall_watch::SecurityView> {
        self.state.admin.view()
    }

    /// Whether TLS is on.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// The application router (also usable with `tower::ServiceExt::oneshot`).
    pub fn router(&self) -> Router {
        router(self.state.clone())
    }

    /// Serve until `shutdown` completes, then drain connections for the configured grace time.
    pub async fn serve(
        self,
        listener: TcpListener,
        metrics_listener: Option<TcpListener>,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), GatewayError> {
        let cancel = CancellationToken::new();
        let tracker = TaskTracker::new();
        let app = router(self.state.clone());
        let limits = self.state.cfg.limits.clone();
        if let Some(ml) = metrics_listener {
            let m = self.state.watch.metrics().clone();
            let mrouter =
                Router::new().route(
                    "/metrics",
                    get(move || {
                        let m = m.clone();
                        async move {
                            ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], m.render())
                        }
                    }),
                );
            tracker.spawn(accept_loop(
                ml,
                mrouter,
                None,
                limits.clone(),
                cancel.clone(),
                tracker.clone(),
            ));
        }
        if let Some(keys) = self.state.auth.jwt.as_ref().map(JwtVerifier::keys) {
            if keys.is_remote() {
                tracker.spawn(keys.clone().refresh_loop(cancel.clone()));
            }
        }
        let main =
            accept_loop(listener, app, self.tls.clone(), limits, cancel.clone(), tracker.clone());
        let c2 = cancel.clone();
        tracker.spawn(async move {
            shutdown.await;
            c2.cancel();
        });
        main.await;
        tracker.close();
        if tokio::time::timeout(self.state.cfg.shutdown_grace, tracker.wait()).await.is_err() {
            tracing::warn!("Shutdown grace period ended with connections still open");
        }
        let Gateway { state, bus, .. } = self;
        let audit = state.audit.clone();
        drop(state);
        tokio::task::spawn_blocking(move || audit.close()).await.ok();
        // Handlers hold Watch clones only while running; the bus drains what was queued.
        tokio::task::spawn_blocking(move || bus.shutdown()).await.ok();
        Ok(())
    }
}

/// The identity stage, when `[identity]` is configured (reads the directory and the key).
fn build_identity(
    cfg: &Config,
    scanner: Arc<Scanner>,
    sessions: Option<Arc<dyn phiwall_store::SessionStore>>,
    attempts: Option<Box<dyn phiwall_identity::AttemptStore>>,
    clock: Arc<dyn Clock>,
) -> Result<Option<Arc<crate::identity::Identity>>, String> {
    let Some(icfg) = &cfg.identity else { return Ok(None) };
    let sessions: Arc<dyn phiwall_store::SessionStore> = match sessions {
        Some(s) => s,
        None => Arc::new(phiwall_store::SqliteSessionStore::open(&cfg.data_dir).map_err(|e| {
            format!("cannot open the session store in {}: {e}", cfg.data_dir.display())
        })?),
    };
    Ok(Some(Arc::new(crate::identity::Identity::build(icfg, scanner, sessions, attempts, clock)?)))
}

async fn accept_loop(
    listener: TcpListener,
    app: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    limits: crate::config::LimitsConfig,
    cancel: CancellationToken,
    tracker: TaskTracker,
) {
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            () = cancel.cancelled() => return,
        };
        let (tcp, remote) = match accepted {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!(error = %e, "Accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        let app = app.clone();
        let acceptor = acceptor.clone();
        let cancel = cancel.clone();
        let header_timeout = limits.header_timeout;
        tracker.spawn(async move {
            match acceptor {
                Some(acc) => match tokio::time::timeout(header_timeout, acc.accept(tcp)).await {
                    Ok(Ok(stream)) => {
                        let peer = stream
                            .get_ref()
                            .1
                            .peer_certificates()
                            .and_then(|c| c.first())
                            .map(|c| PeerCertificate::from_der(c.as_ref()));
                        serve_conn(stream, app, peer, remote, header_timeout, cancel).await
                    }
                    Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
                    Err(_) => tracing::debug!("TLS handshake timed out"),
                },
                None => serve_conn(tcp, app, None, remote, header_timeout, cancel).await,
            }
        });
    }
}

async fn serve_conn<S>(
    stream: S,
    app: Router,
    peer: Option<PeerCertificate>,
    remote: SocketAddr,
    header_timeout: Duration,
    cancel: CancellationToken,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use tower::ServiceExt;
    let svc = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        let app = app.clone();
        let mut req = req.map(Body::new);
        if let Some(p) = &peer {
            req.extensions_mut().insert(p.clone());
        }
        req.extensions_mut().insert(ClientAddr(remote));
        async move { app.oneshot(req).await }
    });
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .max_buf_size(64 * 1024);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(64 * 1024)
        .max_concurrent_streams(256);
    let conn = builder.serve_connection(TokioIo::new(stream), svc);
    tokio::pin!(conn);
    tokio::select! {
        r = conn.as_mut() => {
            if let Err(e) = r {
                tracing::debug!(error = %e, "Connection ended with an error");
            }
        }
        () = cancel.cancelled() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

fn router(state: Arc<State>) -> Router {
    let s = state;
    Router::new()
        .route(
            "/v1/chat/completions",
            post({
                let s = s.clone();
                move |req: Request| {
                    let s = s.clone();
                    async move { s.handle(Endpoint::Chat, req).await }
                }
            }),
        )
        .route(
            "/v1/completions",
            post({
                let s = s.clone();
                move |req: Request| {
                    let s = s.clone();
                    async move { s.handle(Endpoint::Completions, req).await }
                }
            }),
        )
        .route(
            "/v1/embeddings",
            post({
                let s = s.clone();
                move |req: Request| {
                    let s = s.clone();
                    async move { s.handle(Endpoint::Embeddings, req).await }
                }
            }),
        )
        .route(
            "/v1/models",
            get({
                let s = s.clone();
                move |req: Request| {
                    let s = s.clone();
                    async move { s.models(req).await }
                }
            }),
        )
        .route(
            "/phiwall/v1/sessions/{id}/verify",
            post({
                let s = s.clone();
                move |axum::extract::Path(id): axum::extract::Path<String>, req: Request| {
                    let s = s.clone();
                    async move { s.verify_session(id, req).await }
                }
            }),
        )
        .route(
            "/phiwall/v1/sessions/{id}",
            axum::routing::delete({
                let s = s.clone();
                move |axum::extract::Path(id): axum::extract::Path<String>, req: Request| {
                    let s = s.clone();
                    async move { s.end_session(id, req).await }
                }
            }),
        )
        .route("/healthz", get(|| async { axum::Json(serde_json::json!({"status": "ok"})) }))
        .route(
            "/readyz",
            get({
                let s = s.clone();
                move || {
                    let s = s.clone();
                    async move { s.ready().await }
                }
            }),
        )
        .merge(crate::admin::routes(s.admin.clone()))
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .fallback(|| async { ApiError::NotFound })
}

/// Releases a concurrent-stream slot when dropped.
struct StreamSlot {
    state: Arc<State>,
    id: String,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        if let Ok(mut m) = self.state.streams.lock() {
            if let Some(n) = m.get_mut(&self.id) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    m.remove(&self.id);
                }
            }
        }
    }
}

fn json_too_deep(b: &[u8], max: usize) -> bool {
    let (mut depth, mut in_str, mut esc) = (0usize, false, false);
    for &c in b {
        if in_str {
            if esc {
                esc = false;
            } else if c == b'\\' {
                esc = true;
            } else if c == b'"' {
                in_str = false;
            }
            continue;
        }
        match c {
            b'"' => in_str = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Bodies a little over the limit are read and discarded up to this size so the client gets a
/// clean 413 instead of a reset connection; beyond it the connection is cut off.
const DRAIN_LIMIT: usize = 8 * 1024 * 1024;

async fn read_body(mut body: Body, max: usize) -> Result<Bytes, ApiError> {
    use http_body_util::BodyExt;
    let mut buf: Vec<u8> = Vec::new();
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let frame =
            frame.map_err(|_| ApiError::InvalidRequest("the request body could not be read"))?;
        if let Ok(data) = frame.into_data() {
            total = total.saturating_add(data.len());
            if total > max {
                if total > DRAIN_LIMIT.max(max) {
                    break;
                }
                continue;
            }
            buf.extend_from_slice(&data);
        }
    }
    if total > max {
        return Err(ApiError::PayloadTooLarge);
    }
    Ok(Bytes::from(buf))
}

/// The TCP peer of a connection (the client system: an agent backend, a browser, a proxy).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub SocketAddr);

fn session_id(h: &HeaderMap) -> Option<String> {
    crate::session::from_headers(h).ok().flatten()
}

fn with_request_id(mut r: Response, rid: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(rid) {
        r.headers_mut().insert("x-request-id", v);
    }
    r
}

fn fill_error(ev: &mut Event, e: &ApiError) {
    let m = e.meta();
    ev.status = e.status().as_u16();
    ev.reason = Some(m.reason);
    ev.outcome = if ev.status >= 500 { Outcome::Failure } else { Outcome::Denied };
    ev.raise(match m.level {
        crate::error::Level::Debug => Severity::Low,
        crate::error::Level::Info => Severity::Medium,
        crate::error::Level::Warn => Severity::High,
        crate::error::Level::Error => Severity::Critical,
    });
}

/// What the client was told when a reply was withheld for want of an audit record.
fn mark_unaudited(ev: &mut Event) {
    ev.status = 503;
    ev.outcome = Outcome::Failure;
    ev.reason = Some("audit.unavailable");
}

fn elapsed_us(t: Instant) -> u64 {
    u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX)
}

impl State {
    fn now_nanos(&self) -> u64 {
        self.clock.mono_nanos()
    }

    /// A key's limit and its app's limit, reserved together or not at all. Async so a shared
    /// limiter (Redis, cluster mode) answers both with one bounded round trip.
    async fn limit_key_and_app(
        &self,
        ids: [&str; 2],
        per_minute: [u64; 2],
        cost: u64,
        scopes: [&'static str; 2],
    ) -> Result<(), ApiError> {
        let buckets = [
            Bucket { key: ids[0], quota: Quota::per_minute(per_minute[0]) },
            Bucket { key: ids[1], quota: Quota::per_minute(per_minute[1]) },
        ];
        match self.limiter.check_all_async(&buckets, cost, self.now_nanos()).await {
            AllDecision::Allow => Ok(()),
            AllDecision::Deny { bucket, retry_after } => Err(ApiError::RateLimited {
                scope: scopes.get(bucket).copied().unwrap_or(scopes[0]),
                retry_after,
            }),
        }
    }

    async fn authenticate(
        &self,
        headers: &HeaderMap,
        peer: Option<&PeerCertificate>,
        ev: &mut Event,
    ) -> Result<(Principal, Arc<AppPolicy>), ApiError> {
        let auth_header = headers.get(header::AUTHORIZATION).map(|v| v.as_bytes());
        let keys_seen = self.auth.jwt.as_ref().map_or(0, |j| j.keys().generation());
        let mut result = self.auth.authenticate(auth_header, peer, self.clock.unix_secs());
        if matches!(result, Err(ApiError::BadToken("unknown_key") | ApiError::JwksUnavailable)) {
            // The provider may have rotated its keys: fetch them again (rate limited) and retry.
            if let Some(keys) = self.auth.jwt.as_ref().map(JwtVerifier::keys) {
                match keys.refresh_after(keys_seen).await {
                    Ok(true) => {
                        result = self.auth.authenticate(auth_header, peer, self.clock.unix_secs());
                    }
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "JWKS fetch failed"),
                }
            }
        }
        let p = match result {
            Ok(p) => p,
            Err(e) => {
                // A refused key that has the exact key shape keeps its (hex, non-secret) prefix on
                // the event, so anomaly detection can count distinct keys tried per source.
                ev.actor.key_prefix = auth_header
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| h.strip_prefix("Bearer "))
                    .and_then(|k| phiwall_store::keys::parse_key(k.trim()))
                    .map(str::to_string);
                return Err(e);
            }
        };
        ev.actor.auth = p.method;
        ev.actor.key_prefix = p.key_prefix.clone();
        ev.actor.subject_ref = p.subject_ref.clone();
        let app = self.apps.get(&p.app).cloned().ok_or(ApiError::UnknownApp)?;
        ev.app = Some(app.name.clone());
        // Incident response: refuse contained principals; safe mode tightens the policy.
        self.containment.check(&Subject {
            key_prefix: p.key_prefix.as_deref(),
            app: &app.name,
            session: ev.session.as_deref(),
            source_ip: ev.source_ip.as_deref(),
            caller_ref: ev.caller_ref.as_deref(),
        })?;
        let (app, tightened) = self.containment.effective_policy(app);
        if let Some(a) = tightened {
            ev.count_action(a, 1);
        }
        let key_id = p.limit_id();
        self.limit_key_and_app(
            [&format!("r:{key_id}"), &format!("r:app:{}", app.name)],
            [app.key_requests_per_minute, app.requests_per_minute],
            1,
            ["key.requests", "app.requests"],
        )
        .await?;
        Ok((p, app))
    }

    async fn handle(self: Arc<Self>, endpoint: Endpoint, req: Request) -> Response {
        let started = Instant::now();
        let rid = format!("req_{}", random_hex(12));
        let mut ev =
            Event::new(Activity::Create, self.clock.unix_millis(), rid.clone(), endpoint.name());
        ev.session = session_id(req.headers());
        ev.source_ip = req.extensions().get::<ClientAddr>().map(|a| a.0.ip().to_string());
        if !self.audit.is_writable() {
            ev.status = 503;
            ev.outcome = Outcome::Failure;
            ev.reason = Some("audit.unavailable");
            ev.duration_us = elapsed_us(started);
            self.watch.emit(ev);
            return with_request_id(crate::audit::unavailable_response(), &rid);
        }
        match self.clone().model_call(endpoint, req, &mut ev, started).await {
            Ok(r) => with_request_id(r, &rid),
            Err(e) => {
                fill_error(&mut ev, &e);
                ev.duration_us = elapsed_us(started);
                let r = self.audited(ev, e.into_response()).await;
                with_request_id(r, &rid)
            }
        }
    }

    /// The pipeline (see the module docs for the order).
    async fn model_call(
        self: Arc<Self>,
        endpoint: Endpoint,
        req: Request,
        ev: &mut Event,
        started: Instant,
    ) -> Result<Response, ApiError> {
        let (parts, body) = req.into_parts();
        // 1-2. Authenticate and count the request.
        let (principal, app) = self
            .authenticate(&parts.headers, parts.extensions.get::<PeerCertificate>(), ev)
            .await?;

        // 3. Read the body.
        let limits = &self.cfg.limits;
        let ct =
            parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        if !ct.trim_start().to_ascii_lowercase().starts_with("application/json") {
            return Err(ApiError::UnsupportedMediaType);
        }
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > DRAIN_LIMIT as u64) {
            // Far too large: answer now; the connection is closed with the body unread.
            return Err(ApiError::PayloadTooLarge);
        }
        let bytes =
            match tokio::time::timeout(limits.body_timeout, read_body(body, limits.max_body_bytes))
                .await
            {
                Err(_) => return Err(ApiError::RequestTimeout),
                Ok(r) => r?,
            };
        let text = std::str::from_utf8(&bytes).map_err(|_| ApiError::InvalidUtf8)?;
        if json_too_deep(text.as_bytes(), limits.max_json_depth) {
            return Err(ApiError::TooDeep);
        }
        let mut body: Value = serde_json::from_str(text)
            .map_err(|e| ApiError::InvalidJson { line: e.line(), column: e.column() })?;

        // 3b. Session (issue 5): whom the session is verified for, on the caller's own words.
        let disclosure = match &self.identity {
            Some(id) => {
                id.session_stage(&principal, &parts.headers, &body, ev, self.clock.unix_secs())?
            }
            None => None,
        };
        if self.identity.is_some() {
            // Incident response again, with the session and caller the session stage resolved.
            self.containment.check(&Subject {
                session: ev.session.as_deref(),
                caller_ref: ev.caller_ref.as_deref(),
                ..Subject::default()
            })?;
        }

        // 4. Policy and token budget.
        let pol = inspect::check_policy(endpoint, &mut body, &app, limits.max_messages)?;
        ev.model = Some(pol.model.clone());
        ev.is_stream = pol.is_stream;
        ev.tokens_in = pol.tokens_in;
        let cost = pol.tokens_in.saturating_add(pol.tokens_out).max(1);
        let key_id = principal.limit_id();
        self.limit_key_and_app(
            [&format!("t:{key_id}"), &format!("t:app:{}", app.name)],
            [app.key_tokens_per_minute, app.tokens_per_minute],
            cost,
            ["key.tokens", "app.tokens"],
        )
        .await?;
        let route: ModelRoute =
            self.cfg.models.get(&pol.model).cloned().ok_or(ApiError::ModelNotAllowed)?;

        // 5. Inspect input.
        let redactor = self.redactors.get(&app.name).ok_or(ApiError::Internal)?;
        // Which directory patients the request names (keyed references only), for the
        // anomaly engine's distinct-patient rules.
        let mut named: Vec<String> = Vec::new();
        let mut name_subjects = |kind: phiwall_scan::PhiType, value: &str| {
            if let Some(id) = &self.identity {
                for r in id.input_subjects(kind, value) {
                    if !named.contains(&r) {
                        named.push(r);
                    }
                }
            }
        };
        let subjects: Option<inspect::SubjectSink<'_>> =
            if self.identity.is_some() { Some(&mut name_subjects) } else { None };
        let inspected = inspect::inspect_input_with(
            endpoint,
            &mut body,
            &app,
            &self.scanner,
            self.injection.as_ref(),
            redactor,
            Some(&self.scan_cache),
            subjects,
        );
        for r in named {
            if !ev.patient_refs.contains(&r) {
                ev.patient_refs.push(r);
            }
        }
        let inspected = inspected.inspect_err(|e| {
            if let ApiError::PhiBlocked(types) = e {
                for t in types {
                    ev.count_finding(format!("input.phi.{t}"), 1);
                }
            }
            if *e == ApiError::InjectionBlocked {
                ev.count_finding("input.injection", 1);
            }
        })?;
        for (k, n) in &inspected.findings {
            ev.count_finding(k.clone(), *n);
        }
        for (k, n) in &inspected.actions {
            ev.count_action(k.clone(), *n);
        }
        // A fingerprint of token classes (never text) for the model-extraction rule.
        ev.request_shape = inspect::last_user_text(&body)
            .map(|t| phiwall_watch::anomaly::shape::request_shape(&t));

        // 6. Canary, route, forward.
        let canary = if app.canary && endpoint == Endpoint::Chat {
            let c = format!("phiwall-canary-{}", random_hex(8));
            inspect::plant_canary(&mut body, &c).then_some(c)
        } else {
            None
        };
        if route.upstream_model != pol.model {
            if let Some(o) = body.as_object_mut() {
                o.insert("model".into(), Value::String(route.upstream_model.clone()));
            }
        }
        let slot = if pol.is_stream { Some(self.acquire_stream(&key_id)?) } else { None };
        let out_bytes = Bytes::from(serde_json::to_vec(&body).map_err(|_| ApiError::Internal)?);
        // Write-ahead: the intent record's fsync runs while the upstream works.
        let intent = self.audit.forward_intent(ev, self.clock.unix_millis());
        let up_started = Instant::now();
        let resp =
            self.upstreams.send(&inspected.scanned, &route.upstream, endpoint, out_bytes).await;
        let resp = match resp {
            Ok(r) => r,
            Err(e) => {
                ev.upstream_us = elapsed_us(up_started);
                return Err(e);
            }
        };
        let mut guard = OutputGuard::new(
            app.clone(),
            self.scanner.clone(),
            &self.key,
            inspected.tokens,
            canary,
            &inspected.system_text,
        )?;
        if let Some(d) = disclosure {
            guard.set_disclosure(d);
        }

        // 7. Output.
        if resp.is_sse && pol.is_stream {
            // No byte of the stream leaves before the intent record is durable.
            if !self.audit.intent_durable(intent, &ev.request_id).await {
                return Ok(self.refuse_unaudited(ev, started));
            }
            let st = SseState {
                state: self.clone(),
                upstream: resp.body,
                buf: Vec::new(),
                guard,
                texts: BTreeMap::new(),
                tool_args: BTreeMap::new(),
                endpoint,
                ev: Some(std::mem::replace(
                    ev,
                    Event::new(Activity::Create, 0, String::new(), endpoint.name()),
                )),
                started,
                up_started,
                done: false,
                _slot: slot,
            };
            let body = Body::from_stream(futures_util::stream::unfold(st, |mut st| async move {
                st.next_bytes().await.map(|b| (Ok::<Bytes, std::convert::Infallible>(b), st))
            }));
            let mut r = Response::new(body);
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            return Ok(r);
        }
        let mut collected = Vec::new();
        let mut s = resp.body;
        while let Some(chunk) = s.next().await {
            let chunk = chunk?;
            if collected.len() + chunk.len() > 32 * 1024 * 1024 {
                return Err(ApiError::UpstreamUnavailable);
            }
            collected.extend_from_slice(&chunk);
        }
        ev.upstream_us = elapsed_us(up_started);
        let mut out: Value =
            serde_json::from_slice(&collected).map_err(|_| ApiError::UpstreamUnavailable)?;
        if endpoint != Endpoint::Embeddings {
            check_choices(&mut out, &mut guard, endpoint)
                .inspect_err(|_| merge_guard(ev, &guard))?;
        }
        merge_guard(ev, &guard);
        if let Some(n) = out.pointer("/usage/completion_tokens").and_then(Value::as_u64) {
            ev.tokens_out = n;
            let unused = pol.tokens_out.saturating_sub(n);
            if unused > 0 {
                self.limiter.refund(
                    &format!("t:{key_id}"),
                    Quota::per_minute(app.key_tokens_per_minute),
                    unused,
                    self.now_nanos(),
                );
                self.limiter.refund(
                    &format!("t:app:{}", app.name),
                    Quota::per_minute(app.tokens_per_minute),
                    unused,
                    self.now_nanos(),
                );
            }
        }
        if route.upstream_model != pol.model {
            if let Some(o) = out.as_object_mut() {
                o.insert("model".into(), Value::String(pol.model.clone()));
            }
        }
        if !self.audit.intent_durable(intent, &ev.request_id).await {
            return Ok(self.refuse_unaudited(ev, started));
        }
        ev.status = resp.status;
        ev.duration_us = elapsed_us(started);
        let done =
            std::mem::replace(ev, Event::new(Activity::Create, 0, String::new(), endpoint.name()));
        let status = StatusCode::from_u16(resp.status).unwrap_or(StatusCode::OK);
        let reply = (status, axum::Json(out)).into_response();
        Ok(if self.audit.record_outcome(&done).await {
            self.watch.emit(done);
            reply
        } else {
            self.refused_unaudited(done)
        })
    }

    /// The reply of a forwarded request whose intent record could not be made durable: the
    /// generic 503, and the event (queued; the ledger has failed) marked as such.
    fn refuse_unaudited(&self, ev: &mut Event, started: Instant) -> Response {
        ev.duration_us = elapsed_us(started);
        let endpoint = ev.endpoint;
        let mut ev =
            std::mem::replace(ev, Event::new(Activity::Create, 0, String::new(), endpoint));
        mark_unaudited(&mut ev);
        self.audit.record_nowait(&ev);
        self.watch.emit(ev);
        crate::audit::unavailable_response()
    }

    /// The generic 503 for a reply whose audit record could not be written; emits `ev` as such.
    fn refused_unaudited(&self, mut ev: Event) -> Response {
        mark_unaudited(&mut ev);
        self.watch.emit(ev);
        crate::audit::unavailable_response()
    }

    fn acquire_stream(self: &Arc<Self>, id: &str) -> Result<StreamSlot, ApiError> {
        let mut m = self.streams.lock().map_err(|_| ApiError::Internal)?;
        let n = m.entry(id.to_string()).or_insert(0);
        if *n >= self.cfg.limits.max_concurrent_streams {
            return Err(ApiError::TooManyStreams);
        }
        *n += 1;
        Ok(StreamSlot { state: self.clone(), id: id.to_string() })
    }

    async fn models(self: Arc<Self>, req: Request) -> Response {
        let started = Instant::now();
        let rid = format!("req_{}", random_hex(12));
        let mut ev = Event::new(Activity::Read, self.clock.unix_millis(), rid.clone(), "models");
        let r = match self
            .authenticate(req.headers(), req.extensions().get::<PeerCertificate>(), &mut ev)
            .await
        {
            Ok((_, app)) => {
                let data: Vec<Value> = app
                    .models
                    .iter()
                    .filter(|m| self.cfg.models.contains_key(*m))
                    .map(|m| serde_json::json!({"id": m, "object": "model", "created": 0, "owned_by": if m == SIM_MODEL { "phiwall" } else { "upstream" }}))
                    .collect();
                axum::Json(serde_json::json!({"object": "list", "data": data})).into_response()
            }
            Err(e) => {
                fill_error(&mut ev, &e);
                e.into_response()
            }
        };
        ev.duration_us = elapsed_us(started);
        let r = self.audited(ev, r).await;
        with_request_id(r, &rid)
    }

    /// Record `ev` in the ledger (durably when fail-closed), emit it to the bus, and return
    /// `resp`, or the generic 503 when a fail-closed gateway could not write the record.
    async fn audited(&self, ev: Event, resp: Response) -> Response {
        // `record` is true in fail-open mode even when the write failed (it logs that).
        if self.audit.record(&ev).await {
            self.watch.emit(ev);
            resp
        } else {
            self.refused_unaudited(ev)
        }
    }

    /// Emit and queue for the ledger without waiting (streamed responses).
    fn emit_nowait(&self, ev: Event) {
        self.audit.record_nowait(&ev);
        self.watch.emit(ev);
    }

    async fn ready(self: Arc<Self>) -> Response {
        let store_ok = self.keys.ping().is_ok();
        let up_ok = self.upstreams.ready().await;
        // A gateway that cannot verify any JWT yet is not ready (keys from a file always are).
        let jwks_ok = self.auth.jwt.as_ref().is_none_or(|j| !j.keys().current().is_empty());
        let code = if store_ok && up_ok && jwks_ok {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        };
        let body = serde_json::json!({"store": store_ok, "upstreams": up_ok, "jwks": jwks_ok});
        (code, axum::Json(body)).into_response()
    }
}

fn merge_guard(ev: &mut Event, g: &OutputGuard) {
    for (k, n) in &g.findings {
        ev.count_finding(k.clone(), *n);
    }
    for (k, n) in &g.actions {
        ev.count_action(k.clone(), *n);
    }
    for r in g.patient_refs() {
        if !ev.patient_refs.contains(r) {
            ev.patient_refs.push(r.clone());
        }
    }
    crate::identity::raise_for_findings(ev);
}

/// Check the text of every choice of a non-streamed response in place.
fn check_choices(
    out: &mut Value,
    guard: &mut OutputGuard,
    endpoint: Endpoint,
) -> Result<(), ApiError> {
    let Some(choices) = out.get_mut("choices").and_then(Value::as_array_mut) else {
        return Ok(());
    };
    for c in choices {
        let field = match endpoint {
            Endpoint::Chat => c.pointer_mut("/message/content"),
            Endpoint::Completions => c.get_mut("text"),
            Endpoint::Embeddings => None,
        };
        if let Some(Value::String(s)) = field {
            *s = guard.check_full(s)?;
        }
        if let Some(Value::Array(calls)) = c.pointer_mut("/message/tool_calls") {
            for call in calls {
                if let Some(Value::String(a)) = call.pointer_mut("/function/arguments") {
                    *a = crate::tool_args::check_tool_arguments(guard, a)?;
                }
            }
        }
        // The legacy single `function_call` (requests with `functions`).
        if let Some(Value::String(a)) = c.pointer_mut("/message/function_call/arguments") {
            *a = crate::tool_args::check_tool_arguments(guard, a)?;
        }
    }
    Ok(())
}

/// Streaming response state: upstream bytes in, checked SSE bytes out.
struct SseState {
    state: Arc<State>,
    upstream: BoxStream<'static, Result<Bytes, ApiError>>,
    buf: Vec<u8>,
    guard: OutputGuard,
    texts: BTreeMap<u64, TextStream>,
    /// Held-back tool-call argument text per (choice, tool call) while tokens are restored.
    tool_args: BTreeMap<(u64, u64), String>,
    endpoint: Endpoint,
    ev: Option<Event>,
    started: Instant,
    up_started: Instant,
    done: bool,
    _slot: Option<StreamSlot>,
}

impl Drop for SseState {
    fn drop(&mut self) {
        // The client went away before the end: still one event per request.
        if let Some(mut ev) = self.ev.take() {
            merge_guard(&mut ev, &self.guard);
            ev.outcome = Outcome::Failure;
            ev.reason = Some("stream.client_closed");
            ev.duration_us = elapsed_us(self.started);
            self.state.emit_nowait(ev);
        }
    }
}

/// Key of the legacy `function_call` (one per choice) among held tool-call arguments.
const LEGACY_FUNCTION_CALL: u64 = u64::MAX;

/// Merge released call fields into a delta (tool-call entries are appended).
fn merge_delta(
    delta: &mut serde_json::Map<String, Value>,
    released: serde_json::Map<String, Value>,
) {
    for (k, v) in released {
        match (delta.get_mut(&k), v) {
            (Some(Value::Array(have)), Value::Array(more)) => have.extend(more),
            (_, v) => {
                delta.insert(k, v);
            }
        }
    }
}

fn find_event_end(buf: &[u8]) -> Option<(usize, usize)> {
    let a = buf.windows(2).position(|w| w == b"\n\n").map(|p| (p, 2));
    let b = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| (p, 4));
    match (a, b) {
        (Some(x), Some(y)) => Some(if x.0 <= y.0 { x } else { y }),
        (x, y) => x.or(y),
    }
}

impl SseState {
    fn finish_event(&mut self, err: Option<&ApiError>) {
        if let Some(mut ev) = self.ev.take() {
            merge_guard(&mut ev, &self.guard);
            ev.upstream_us = elapsed_us(self.up_started);
            ev.duration_us = elapsed_us(self.started);
            if let Some(e) = err {
                fill_error(&mut ev, e);
            }
            self.state.emit_nowait(ev);
        }
    }

    fn error_bytes(&mut self, e: &ApiError) -> Bytes {
        self.done = true;
        self.finish_event(Some(e));
        Bytes::from(format!("data: {}\n\n", e.body()))
    }

    async fn next_bytes(&mut self) -> Option<Bytes> {
        if self.done {
            return None;
        }
        loop {
            if let Some((pos, sep)) = find_event_end(&self.buf) {
                let raw: Vec<u8> = self.buf.drain(..pos + sep).collect();
                let event = raw.get(..pos).unwrap_or_default();
                match self.transform_event(event) {
                    Ok(Some(b)) => return Some(b),
                    Ok(None) => continue,
                    Err(e) => return Some(self.error_bytes(&e)),
                }
            }
            match self.upstream.next().await {
                Some(Ok(chunk)) => {
                    self.buf.extend_from_slice(&chunk);
                    if self.buf.len() > 4 * 1024 * 1024 {
                        return Some(self.error_bytes(&ApiError::UpstreamUnavailable));
                    }
                }
                Some(Err(e)) => return Some(self.error_bytes(&e)),
                None => {
                    // Upstream ended without [DONE]: release what is held, checked.
                    self.done = true;
                    let tail = match self.flush_all() {
                        Ok(t) => t,
                        Err(e) => return Some(self.error_bytes(&e)),
                    };
                    self.finish_event(None);
                    return if tail.is_empty() { None } else { Some(Bytes::from(tail)) };
                }
            }
        }
    }

    /// Synthesized chunks carrying held-back text of every open choice.
    fn flush_all(&mut self) -> Result<String, ApiError> {
        let mut out = String::new();
        let idx: Vec<u64> = self.texts.keys().copied().collect();
        for i in idx {
            let rest = match self.texts.get_mut(&i) {
                Some(st) => self.guard.finish(st)?,
                None => continue,
            };
            self.texts.remove(&i);
            if rest.is_empty() {
                continue;
            }
            let chunk = match self.endpoint {
                Endpoint::Completions => {
                    serde_json::json!({"object": "text_completion", "choices": [{"index": i, "text": rest, "finish_reason": null}]})
                }
                Endpoint::Chat | Endpoint::Embeddings => {
                    serde_json::json!({"object": "chat.completion.chunk", "choices": [{"index": i, "delta": {"content": rest}, "finish_reason": null}]})
                }
            };
            out.push_str(&format!("data: {chunk}\n\n"));
        }
        // Tool calls of choices that never sent a finish reason.
        let idx: BTreeSet<u64> = self.tool_args.keys().map(|(i, _)| *i).collect();
        for i in idx {
            let delta = self.release_tool_args(i)?;
            if delta.is_empty() {
                continue;
            }
            let chunk = serde_json::json!({"object": "chat.completion.chunk", "choices": [{"index": i, "delta": delta, "finish_reason": null}]});
            out.push_str(&format!("data: {chunk}\n\n"));
        }
        Ok(out)
    }

    /// Hold streamed tool-call arguments until the choice ends: a tool call is checked whole
    /// (see [`crate::tool_args`]), then its arguments go out as one delta. Argument pieces are
    /// removed from the deltas that carried them; a tool-call entry left with nothing but its
    /// index is dropped.
    fn hold_tool_args(&mut self, c: &mut Value, idx: u64) -> Result<(), ApiError> {
        // The legacy single `function_call` (clients still sending `functions`).
        if let Some(Value::String(a)) = c.pointer_mut("/delta/function_call/arguments") {
            let piece = std::mem::take(a);
            self.hold_piece((idx, LEGACY_FUNCTION_CALL), &piece)?;
        }
        if let Some(d) = c.get_mut("delta").and_then(Value::as_object_mut) {
            let only_empty_args = d
                .get("function_call")
                .and_then(Value::as_object)
                .is_some_and(|f| f.iter().all(|(k, v)| k == "arguments" && v.as_str() == Some("")));
            if only_empty_args {
                d.remove("function_call");
            }
        }
        let Some(Value::Array(calls)) = c.pointer_mut("/delta/tool_calls") else {
            return Ok(());
        };
        let mut pieces = Vec::new();
        for call in calls.iter_mut() {
            let j = call.get("index").and_then(Value::as_u64).unwrap_or(0);
            if let Some(Value::String(a)) = call.pointer_mut("/function/arguments") {
                pieces.push((j, std::mem::take(a)));
            }
        }
        calls.retain(|call| {
            let Some(o) = call.as_object() else { return true };
            o.iter().any(|(k, v)| match k.as_str() {
                "index" => false,
                "function" => v.as_object().is_none_or(|f| {
                    f.iter().any(|(fk, fv)| fk != "arguments" || fv.as_str() != Some(""))
                }),
                _ => true,
            })
        });
        if calls.is_empty() {
            if let Some(d) = c.get_mut("delta").and_then(Value::as_object_mut) {
                d.remove("tool_calls");
            }
        }
        for (j, piece) in pieces {
            self.hold_piece((idx, j), &piece)?;
        }
        Ok(())
    }

    fn hold_piece(&mut self, key: (u64, u64), piece: &str) -> Result<(), ApiError> {
        let buf = self.tool_args.entry(key).or_default();
        if buf.len() + piece.len() > crate::tool_args::MAX_TOOL_ARGUMENTS_BYTES {
            return Err(ApiError::OutputBlocked("tool_arguments_too_large"));
        }
        buf.push_str(piece);
        Ok(())
    }

    /// The checked arguments of every call held for choice `idx`, as delta fields to merge:
    /// `tool_calls` entries, and `function_call` for the legacy form.
    fn release_tool_args(&mut self, idx: u64) -> Result<serde_json::Map<String, Value>, ApiError> {
        let held: Vec<(u64, String)> = self
            .tool_args
            .iter()
            .filter(|((i, _), _)| *i == idx)
            .map(|((_, j), v)| (*j, v.clone()))
            .collect();
        self.tool_args.retain(|(i, _), _| *i != idx);
        let mut calls = Vec::with_capacity(held.len());
        let mut out = serde_json::Map::new();
        for (j, args) in held {
            let checked = crate::tool_args::check_tool_arguments(&mut self.guard, &args)?;
            if j == LEGACY_FUNCTION_CALL {
                out.insert("function_call".into(), serde_json::json!({"arguments": checked}));
            } else {
                calls.push(serde_json::json!({"index": j, "function": {"arguments": checked}}));
            }
        }
        if !calls.is_empty() {
            out.insert("tool_calls".into(), Value::Array(calls));
        }
        Ok(out)
    }

    fn transform_event(&mut self, event: &[u8]) -> Result<Option<Bytes>, ApiError> {
        let text = std::str::from_utf8(event).map_err(|_| ApiError::UpstreamUnavailable)?;
        let mut data = String::new();
        let mut other = String::new();
        for line in text.lines() {
            if let Some(d) = line.strip_prefix("data:") {
                if !data.is_empty() {
                    data.push('\n');
                }
                data.push_str(d.strip_prefix(' ').unwrap_or(d));
            } else if !line.is_empty() {
                other.push_str(line);
                other.push('\n');
            }
        }
        if data.is_empty() {
            // Comments and keep-alives carry no model text.
            return Ok((!other.is_empty()).then(|| Bytes::from(format!("{other}\n"))));
        }
        if data.trim() == "[DONE]" {
            let mut out = self.flush_all()?;
            out.push_str("data: [DONE]\n\n");
            self.done = true;
            self.finish_event(None);
            return Ok(Some(Bytes::from(out)));
        }
        let mut v: Value =
            serde_json::from_str(&data).map_err(|_| ApiError::UpstreamUnavailable)?;
        if v.get("error").is_some() {
            // An upstream error mid-stream: replace with our own generic one.
            return Err(ApiError::UpstreamUnavailable);
        }
        if let Some(n) = v.pointer("/usage/completion_tokens").and_then(Value::as_u64) {
            if let Some(ev) = self.ev.as_mut() {
                ev.tokens_out = n;
            }
        }
        let mut is_empty_delta = true;
        if let Some(choices) = v.get_mut("choices").and_then(Value::as_array_mut) {
            for c in choices.iter_mut() {
                let idx = c.get("index").and_then(Value::as_u64).unwrap_or(0);
                let is_finished = c.get("finish_reason").is_some_and(|f| !f.is_null());
                let field = match self.endpoint {
                    Endpoint::Completions => c.get_mut("text"),
                    Endpoint::Chat | Endpoint::Embeddings => c.pointer_mut("/delta/content"),
                };
                let st = self.texts.entry(idx).or_default();
                let mut released = match field {
                    Some(Value::String(s)) => self.guard.push(st, s)?,
                    _ => String::new(),
                };
                if is_finished {
                    released.push_str(&self.guard.finish(st)?);
                    self.texts.remove(&idx);
                }
                if self.endpoint == Endpoint::Chat {
                    self.hold_tool_args(c, idx)?;
                    if is_finished {
                        let released = self.release_tool_args(idx)?;
                        if let Some(d) = c.get_mut("delta").and_then(Value::as_object_mut) {
                            merge_delta(d, released);
                        }
                    }
                }
                let delta_has_other = match self.endpoint {
                    Endpoint::Completions => false,
                    Endpoint::Chat | Endpoint::Embeddings => c
                        .get("delta")
                        .and_then(Value::as_object)
                        .is_some_and(|d| d.keys().any(|k| k != "content")),
                };
                if !released.is_empty() || is_finished || delta_has_other {
                    is_empty_delta = false;
                }
                let slot = match self.endpoint {
                    Endpoint::Completions => c.get_mut("text"),
                    Endpoint::Chat | Endpoint::Embeddings => c.pointer_mut("/delta/content"),
                };
                match slot {
                    Some(s) => *s = Value::String(released),
                    None if !released.is_empty() => {
                        if let Some(d) = c.get_mut("delta").and_then(Value::as_object_mut) {
                            d.insert("content".into(), Value::String(released));
                        }
                    }
                    None => {}
                }
            }
            if choices.is_empty() {
                is_empty_delta = false;
            }
        } else {
            is_empty_delta = false;
        }
        if is_empty_delta {
            return Ok(None);
        }
        Ok(Some(Bytes::from(format!("{other}data: {v}\n\n"))))
    }
}

/// Bind a listener.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, GatewayError> {
    Ok(TcpListener::bind(addr).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_check_ignores_brackets_in_strings() {
        assert!(!json_too_deep(br#"{"a": "[[[[[[[[[["}"#, 3));
        assert!(json_too_deep(b"[[[[1]]]]", 3));
        assert!(!json_too_deep(b"[[[1]]]", 3));
        assert!(!json_too_deep(br#"{"a": "\"[[[[[["}"#, 2));
    }

    #[test]
    fn sse_event_boundaries() {
        assert_eq!(find_event_end(b"data: x\n\ndata: y"), Some((7, 2)));
        assert_eq!(find_event_end(b"data: x\r\n\r\n"), Some((7, 4)));
        assert_eq!(find_event_end(b"data: x\n"), None);
    }

    #[test]
    fn session_ids_are_sanitized() {
        let mut h = HeaderMap::new();
        h.insert("x-session-id", HeaderValue::from_static("abc-123"));
        assert_eq!(session_id(&h).as_deref(), Some("abc-123"));
        h.insert("x-session-id", HeaderValue::from_static("has space"));
        assert_eq!(session_id(&h), None);
    }
}
