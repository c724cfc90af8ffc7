//! The audit trail: every gateway event is appended to the encrypted, hash-chained ledger
//! (`phiwall-ledger`) before the request is answered.
//!
//! Invariants:
//! - Write-ahead: before a request goes to the upstream, its intent record (who, which app,
//!   model and session, the input findings and actions) is appended. A crash while the model
//!   works therefore still leaves a record that the request was sent.
//! - Fail closed (the default): a response leaves the gateway only after a record of it is
//!   durable under the configured fsync policy: by default the intent record, whose fsync runs
//!   while the upstream works; with `reply_waits_for = "outcome"` also the full record of the
//!   reply. Refusals (nothing forwarded) always wait for their full record. The wait is a tokio
//!   oneshot completed by the ledger's group-commit writer ([`Appender::on_durable`]), so no
//!   thread is parked per request and concurrent requests share one fsync.
//! - If the ledger cannot take or persist an event, a fail-closed gateway answers
//!   `503 audit_unavailable` instead of the real response, and logs the failure (kinds only).
//! - Fail open (`dangerous_audit_fail_open = true`) queues the event and answers at once; a
//!   failed write is logged and counted, never surfaced to the client.
//! - Streamed responses are recorded when the stream ends (the event is only complete then);
//!   their records are queued, not awaited, because the body has already been sent. A stream
//!   is refused up front with 503 if the ledger has already failed.
//! - Events never carry PHI values (kinds, counts, ids); the ledger encrypts them anyway.

use crate::config::{AuditConfig, AuditKeySource};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use phiwall_ledger::{
    Appender, FileKeyProvider, KeyProvider, LedgerConfig, SystemClock as LedgerClock,
};
use phiwall_watch::{Actor, Event};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Why the audit ledger could not be opened or written.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The ledger refused the event or failed to persist it.
    #[error("audit ledger: {0}")]
    Ledger(#[from] phiwall_ledger::Error),
    /// The event could not be encoded.
    #[error("audit event encoding: {0}")]
    Encode(#[from] serde_json::Error),
    /// The writer went away before reporting durability.
    #[error("audit ledger is not running")]
    Stopped,
}

/// What a fail-closed reply waits for before it leaves the gateway (`[audit] reply_waits_for`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReplyWaitsFor {
    /// The request's write-ahead intent record (default). Its fsync overlaps the upstream call,
    /// so it adds no latency while the model is slower than the disk. The full record of the
    /// reply follows in the next group commit; a crash in that window (under a millisecond)
    /// leaves the intent without its outcome.
    #[default]
    Intent,
    /// The intent and the full record of the reply: one more fsync wait on every reply.
    Outcome,
}

/// The ledger record `class` of write-ahead intents (API events carry `class_uid` 6003 instead).
pub const INTENT_CLASS: &str = "forward_intent";

/// The write-ahead record of a request about to be forwarded: what is known before the
/// upstream answers. Ids, names from configuration, kinds and counts only, like [`Event`].
#[derive(Serialize)]
struct Intent<'a> {
    class: &'static str,
    time: i64,
    request_id: &'a str,
    endpoint: &'static str,
    actor: &'a Actor,
    #[serde(skip_serializing_if = "Option::is_none")]
    app: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_ip: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    caller_ref: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    patient_refs: &'a [String],
    is_stream: bool,
    tokens_in: u64,
    findings: &'a BTreeMap<String, u32>,
    actions: &'a BTreeMap<String, u32>,
}

type DurableResult = Result<(), phiwall_ledger::Error>;

/// A request's intent record on its way to disk; [`AuditLog::intent_durable`] waits for it.
#[derive(Debug)]
pub struct PendingIntent {
    /// None when nothing is to be awaited (fail open) ...
    rx: Option<tokio::sync::oneshot::Receiver<DurableResult>>,
    /// ... or the append already failed (fail closed refuses the reply).
    has_failed: bool,
}

/// The gateway's handle on the ledger.
pub struct AuditLog {
    /// None when the ledger could not be opened: fail closed refuses every request.
    appender: Option<Arc<Appender>>,
    is_fail_open: bool,
    reply_waits_for: ReplyWaitsFor,
    /// Set after the first failure so later requests are refused without queuing.
    has_failed: AtomicBool,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog").field("is_fail_open", &self.is_fail_open).finish()
    }
}

/// Build the key provider `cfg.key` names. The development default creates a 0600 KEK file in
/// the data directory on first start; a configured file must already exist with mode 0600.
pub fn key_provider(cfg: &AuditConfig) -> Result<Arc<dyn KeyProvider>, AuditError> {
    Ok(match &cfg.key {
        AuditKeySource::File(p) => Arc::new(FileKeyProvider::open(p)?),
        AuditKeySource::Env(v) => Arc::new(phiwall_ledger::EnvKeyProvider::from_env(v)?),
        AuditKeySource::DevDefault(p) => Arc::new(open_or_create(p)?),
    })
}

fn open_or_create(p: &Path) -> Result<FileKeyProvider, phiwall_ledger::Error> {
    if p.exists() {
        FileKeyProvider::open(p)
    } else {
        tracing::warn!(
            path = %p.display(),
            "Created a ledger key file in the data directory (development default); in production \
             set audit.key to a file outside the data directory or to a KMS-backed provider"
        );
        FileKeyProvider::create(p)
    }
}

impl AuditLog {
    /// Open the ledger, or keep running without one when it cannot be opened: a fail-closed
    /// gateway then refuses every request with 503 (so the outage is visible to clients and
    /// health checks) and a fail-open one answers with a logged warning.
    pub fn open_or_degraded(
        cfg: &AuditConfig,
        provider: Result<Arc<dyn KeyProvider>, AuditError>,
    ) -> Self {
        match provider.and_then(|p| Self::open(cfg, p)) {
            Ok(l) => l,
            Err(e) => {
                tracing::error!(
                    error = %e,
                    fail_open = cfg.is_fail_open,
                    "Audit ledger unavailable at startup; requests will be {}",
                    if cfg.is_fail_open { "answered without an audit record" } else { "refused" }
                );
                Self {
                    appender: None,
                    is_fail_open: cfg.is_fail_open,
                    reply_waits_for: cfg.reply_waits_for,
                    has_failed: AtomicBool::new(true),
                }
            }
        }
    }

    /// Open the ledger `cfg` describes with `provider`'s keys (recovering a torn tail).
    pub fn open(cfg: &AuditConfig, provider: Arc<dyn KeyProvider>) -> Result<Self, AuditError> {
        let mut lc = LedgerConfig::new(&cfg.dir);
        lc.fsync = cfg.fsync;
        lc.checkpoint_every_records = cfg.checkpoint_every_records;
        lc.checkpoint_interval_micros = cfg.checkpoint_interval_secs.saturating_mul(1_000_000);
        let appender = Appender::open(lc, provider, Arc::new(LedgerClock))?;
        if cfg.is_fail_open {
            tracing::warn!(
                "audit.dangerous_audit_fail_open is set: requests are answered even when their \
                 audit record cannot be written"
            );
        }
        Ok(Self {
            appender: Some(Arc::new(appender)),
            is_fail_open: cfg.is_fail_open,
            reply_waits_for: cfg.reply_waits_for,
            has_failed: AtomicBool::new(false),
        })
    }

    /// The ledger writer, when open (incident response appends its records through it).
    pub fn ledger_writer(&self) -> Option<Arc<Appender>> {
        self.appender.clone()
    }

    /// Whether requests are answered without waiting for the ledger.
    pub fn is_fail_open(&self) -> bool {
        self.is_fail_open
    }

    /// Whether a request may start: false once the ledger failed in fail-closed mode.
    pub fn is_writable(&self) -> bool {
        self.is_fail_open || !self.has_failed.load(Ordering::Relaxed)
    }

    fn note_failure(&self, e: &AuditError, request_id: &str) {
        if !self.has_failed.swap(true, Ordering::Relaxed) {
            tracing::error!(error = %e, "Audit ledger write failed");
        }
        tracing::error!(
            request_id,
            fail_open = self.is_fail_open,
            "Audit record not written; request {}",
            if self.is_fail_open { "answered anyway" } else { "refused" }
        );
    }

    fn appender(&self) -> Result<&Appender, AuditError> {
        self.appender.as_deref().ok_or(AuditError::Stopped)
    }

    /// Queue `event` without waiting (outcomes after a durable intent, streams, drops).
    /// Failures are logged. Deferred: nobody waits for it, so it rides in the ledger's next
    /// batch instead of waking the writer (bounded by the ledger's `deferred_max_micros`).
    pub fn record_nowait(&self, event: &Event) {
        let r = serde_json::to_vec(event)
            .map_err(AuditError::from)
            .and_then(|b| self.appender()?.append_deferred(&b).map_err(AuditError::from));
        if let Err(e) = r {
            self.note_failure(&e, &event.request_id);
        }
    }

    /// Append `event`; in fail-closed mode wait until it is durable. Returns whether the
    /// response may be sent.
    pub async fn record(&self, event: &Event) -> bool {
        if self.is_fail_open {
            self.record_nowait(event);
            return true;
        }
        match self.record_durable(event).await {
            Ok(()) => true,
            Err(e) => {
                self.note_failure(&e, &event.request_id);
                false
            }
        }
    }

    async fn record_durable(&self, event: &Event) -> Result<(), AuditError> {
        let rx = self.append_notify(&serde_json::to_vec(event)?)?;
        rx.await.map_err(|_| AuditError::Stopped)??;
        Ok(())
    }

    /// Append `bytes` and return a receiver completed when they are durable.
    fn append_notify(
        &self,
        bytes: &[u8],
    ) -> Result<tokio::sync::oneshot::Receiver<DurableResult>, AuditError> {
        let appender = self.appender()?;
        let seq = appender.append(bytes)?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        appender.on_durable(
            seq,
            Box::new(move |r| {
                // The receiver is gone only if the request future was dropped.
                let _ = tx.send(r);
            }),
        )?;
        Ok(rx)
    }

    /// Append the write-ahead intent of a request about to be forwarded (the fields of `ev`
    /// known now). Call right before the upstream call and await [`Self::intent_durable`]
    /// before the first byte of the reply leaves.
    pub fn forward_intent(&self, ev: &Event, time_ms: i64) -> PendingIntent {
        let intent = Intent {
            class: INTENT_CLASS,
            time: time_ms,
            request_id: &ev.request_id,
            endpoint: ev.endpoint,
            actor: &ev.actor,
            app: ev.app.as_deref(),
            model: ev.model.as_deref(),
            session: ev.session.as_deref(),
            source_ip: ev.source_ip.as_deref(),
            caller_ref: ev.caller_ref.as_deref(),
            patient_refs: &ev.patient_refs,
            is_stream: ev.is_stream,
            tokens_in: ev.tokens_in,
            findings: &ev.findings,
            actions: &ev.actions,
        };
        let appended = serde_json::to_vec(&intent).map_err(AuditError::from).and_then(|b| {
            if self.is_fail_open {
                self.appender()?.append(&b)?;
                Ok(None)
            } else {
                self.append_notify(&b).map(Some)
            }
        });
        match appended {
            Ok(rx) => PendingIntent { rx, has_failed: false },
            Err(e) => {
                self.note_failure(&e, &ev.request_id);
                PendingIntent { rx: None, has_failed: !self.is_fail_open }
            }
        }
    }

    /// Wait until the intent is durable. Returns whether the reply may be sent.
    pub async fn intent_durable(&self, pending: PendingIntent, request_id: &str) -> bool {
        if pending.has_failed {
            return false;
        }
        let Some(rx) = pending.rx else { return true };
        let r = match rx.await {
            Ok(r) => r.map_err(AuditError::from),
            Err(_) => Err(AuditError::Stopped),
        };
        match r {
            Ok(()) => true,
            Err(e) => {
                self.note_failure(&e, request_id);
                self.is_fail_open
            }
        }
    }

    /// Record the full event of a forwarded request whose intent is durable: awaited with
    /// `reply_waits_for = "outcome"`, queued otherwise. Returns whether the reply may be sent.
    pub async fn record_outcome(&self, event: &Event) -> bool {
        match self.reply_waits_for {
            ReplyWaitsFor::Outcome => self.record(event).await,
            ReplyWaitsFor::Intent => {
                self.record_nowait(event);
                true
            }
        }
    }

    /// Drain, sync, sign a final checkpoint. Called once at shutdown.
    pub fn close(&self) {
        let Some(a) = &self.appender else { return };
        if let Err(e) = a.checkpoint() {
            tracing::error!(error = %e, "Audit ledger final checkpoint failed");
        }
    }
}

/// The generic refusal a fail-closed gateway sends when the audit record cannot be written.
pub fn unavailable_response() -> Response {
    let body = serde_json::json!({"error": {
        "message": "the audit log is unavailable; the request was not answered",
        "type": "server_error",
        "code": "audit_unavailable",
        "param": null,
    }});
    (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use phiwall_watch::Activity;

    fn cfg(dir: &Path, fail_open: bool) -> AuditConfig {
        AuditConfig {
            dir: dir.join("ledger"),
            key: AuditKeySource::DevDefault(dir.join("ledger.kek")),
            fsync: phiwall_ledger::FsyncPolicy::Always,
            checkpoint_every_records: 10_000,
            checkpoint_interval_secs: 60,
            is_fail_open: fail_open,
            reply_waits_for: ReplyWaitsFor::Intent,
            is_jsonl_events: false,
        }
    }

    #[tokio::test]
    async fn dev_default_creates_a_0600_key_and_records_durably() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let c = cfg(d.path(), false);
        let log = AuditLog::open(&c, key_provider(&c).unwrap()).unwrap();
        let mode = std::fs::metadata(d.path().join("ledger.kek")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let ev = Event::new(Activity::Create, 1, "req_1".into(), "chat.completions");
        assert!(log.record(&ev).await);
        assert_eq!(log.appender.as_ref().unwrap().durable_len().unwrap(), 1);
        // A second start reuses the key file.
        log.close();
        drop(log);
        let log = AuditLog::open(&c, key_provider(&c).unwrap()).unwrap();
        assert!(log.record(&ev).await);
        assert_eq!(log.appender.as_ref().unwrap().durable_len().unwrap(), 2);
    }

    #[tokio::test]
    async fn intent_is_durable_first_and_the_outcome_waits_only_when_configured() {
        for mode in [ReplyWaitsFor::Intent, ReplyWaitsFor::Outcome] {
            let d = tempfile::tempdir().unwrap();
            let mut c = cfg(d.path(), false);
            c.reply_waits_for = mode;
            let log = AuditLog::open(&c, key_provider(&c).unwrap()).unwrap();
            let mut ev = Event::new(Activity::Create, 1, "req_1".into(), "chat.completions");
            ev.app = Some("scheduling".into());
            ev.count_finding("input.phi.NAME", 1);
            let pending = log.forward_intent(&ev, 1);
            assert!(log.intent_durable(pending, "req_1").await);
            let a = log.appender.as_ref().unwrap();
            assert!(a.durable_len().unwrap() >= 1);
            assert!(log.record_outcome(&ev).await);
            if mode == ReplyWaitsFor::Outcome {
                assert_eq!(a.durable_len().unwrap(), 2, "the outcome was awaited");
            }
            a.sync().unwrap();
            assert_eq!(a.durable_len().unwrap(), 2);
        }
    }

    #[tokio::test]
    async fn a_failed_ledger_refuses_the_reply_after_the_intent() {
        let d = tempfile::tempdir().unwrap();
        let c = cfg(d.path(), false);
        let degraded = AuditLog::open_or_degraded(
            &c,
            Err(AuditError::Stopped), // the ledger could not be opened
        );
        let ev = Event::new(Activity::Create, 1, "req_1".into(), "chat.completions");
        let pending = degraded.forward_intent(&ev, 1);
        assert!(!degraded.intent_durable(pending, "req_1").await, "fail closed");
        let open = AuditLog::open_or_degraded(&cfg(d.path(), true), Err(AuditError::Stopped));
        let pending = open.forward_intent(&ev, 1);
        assert!(open.intent_durable(pending, "req_1").await, "fail open answers");
    }

    #[test]
    fn world_readable_configured_key_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("k");
        FileKeyProvider::create(&p).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut c = cfg(d.path(), false);
        c.key = AuditKeySource::File(p);
        assert!(key_provider(&c).is_err());
    }

    #[test]
    fn refusal_is_openai_shaped() {
        let r = unavailable_response();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}
