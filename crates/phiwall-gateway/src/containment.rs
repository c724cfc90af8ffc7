//! Containment policy state (issue 8): suspended keys and apps, quarantined sessions, blocked
//! sources and callers, sessions and callers that must verify again, tightened apps and safe
//! mode, as incident response set them in the containment store.
//!
//! Freshness: the gateway keeps an in-memory snapshot and, on the request path, at most once
//! per [`POLL`] reads the store's revision counter (one indexed SQLite read); a changed
//! revision reloads the snapshot. So a `phiwall incidents contain` run from another process
//! takes effect within `POLL` plus one request, and the in-process responder calls
//! [`Containment::refresh_now`] for immediate effect. Expiry is checked against the clock on
//! every request, so a time-boxed entry lapses on time even between reloads.
//!
//! Failure: if the store cannot be read at a poll, the last snapshot stays in force (the
//! conservative choice: containment already applied is never dropped by an outage) and the
//! failure is logged; the gateway refuses to build when the store cannot be opened at all.
//!
//! Safe mode and tightened apps change the app policy a request runs under
//! ([`Containment::effective_policy`]): every PHI type is masked in responses and tokens are
//! not restored. The input policy is unchanged (what reaches the configured model is governed
//! by the app's own policy).

use crate::config::{AppPolicy, PhiAction};
use crate::error::ApiError;
use crate::server::Clock;
use phiwall_store::{ContainmentEntry, ContainmentKind, ContainmentStore};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How often the store's revision is checked.
pub const POLL: Duration = Duration::from_millis(250);

/// Why a request was refused by containment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainedReason {
    /// The API key is suspended.
    KeySuspended,
    /// The app is suspended.
    AppSuspended,
    /// The session is quarantined.
    SessionQuarantined,
    /// The client address is blocked.
    SourceBlocked,
    /// The caller is blocked.
    CallerBlocked,
    /// The session or caller must verify again.
    ReverificationRequired,
}

impl ContainedReason {
    /// Event reason class.
    pub const fn reason(self) -> &'static str {
        match self {
            ContainedReason::KeySuspended => "containment.key_suspended",
            ContainedReason::AppSuspended => "containment.app_suspended",
            ContainedReason::SessionQuarantined => "containment.session_quarantined",
            ContainedReason::SourceBlocked => "containment.source_blocked",
            ContainedReason::CallerBlocked => "containment.caller_blocked",
            ContainedReason::ReverificationRequired => "containment.reverification_required",
        }
    }

    /// OpenAI error code.
    pub const fn code(self) -> &'static str {
        match self {
            ContainedReason::ReverificationRequired => "reverification_required",
            _ => "principal_contained",
        }
    }

    /// Client message (no ids: the client knows who it is).
    pub const fn message(self) -> &'static str {
        match self {
            ContainedReason::KeySuspended => {
                "this API key is suspended by incident response; contact your security team"
            }
            ContainedReason::AppSuspended => {
                "this app is suspended by incident response; contact your security team"
            }
            ContainedReason::SessionQuarantined => {
                "this session is quarantined by incident response; start a new session"
            }
            ContainedReason::SourceBlocked => {
                "requests from this address are blocked by incident response"
            }
            ContainedReason::CallerBlocked => {
                "requests for this caller are blocked by incident response"
            }
            ContainedReason::ReverificationRequired => {
                "the caller must verify their identity again before this session continues"
            }
        }
    }
}

/// Who a request is, for the containment check.
#[derive(Debug, Clone, Copy, Default)]
pub struct Subject<'a> {
    /// API key prefix.
    pub key_prefix: Option<&'a str>,
    /// App profile.
    pub app: &'a str,
    /// Session id.
    pub session: Option<&'a str>,
    /// Client address.
    pub source_ip: Option<&'a str>,
    /// Keyed reference of the caller number.
    pub caller_ref: Option<&'a str>,
}

#[derive(Debug, Default)]
struct Snapshot {
    /// (kind, target) -> latest expiry (None: until lifted).
    entries: HashMap<(ContainmentKind, String), Option<i64>>,
    is_empty: bool,
}

impl Snapshot {
    fn build(list: &[ContainmentEntry]) -> Self {
        let mut entries: HashMap<(ContainmentKind, String), Option<i64>> = HashMap::new();
        for e in list {
            let slot = entries.entry((e.kind, e.target.clone())).or_insert(e.expires_at);
            *slot = match (*slot, e.expires_at) {
                (None, _) | (_, None) => None,
                (Some(a), Some(b)) => Some(a.max(b)),
            };
        }
        let is_empty = entries.is_empty();
        Snapshot { entries, is_empty }
    }

    fn has(&self, kind: ContainmentKind, target: &str, now_ms: i64) -> bool {
        // Avoid allocating a key for the common case of no containment at all.
        if self.is_empty {
            return false;
        }
        self.entries
            .get(&(kind, target.to_string()))
            .is_some_and(|exp| exp.is_none_or(|e| e > now_ms))
    }
}

/// The gateway's view of containment.
pub struct Containment {
    store: Option<Arc<dyn ContainmentStore>>,
    snap: RwLock<Arc<Snapshot>>,
    revision: AtomicU64,
    next_check: AtomicU64,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Containment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Containment").field("revision", &self.revision).finish()
    }
}

impl Containment {
    /// Load the current state from `store`.
    pub fn load(
        store: Arc<dyn ContainmentStore>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, phiwall_store::Error> {
        let revision = store.revision()?;
        let snap = Snapshot::build(&store.active(clock.unix_millis())?);
        Ok(Containment {
            store: Some(store),
            snap: RwLock::new(Arc::new(snap)),
            revision: AtomicU64::new(revision),
            next_check: AtomicU64::new(clock.mono_nanos().saturating_add(poll_nanos())),
            clock,
        })
    }

    /// The store this state follows (`None` when containment is disabled).
    pub fn store(&self) -> Option<Arc<dyn ContainmentStore>> {
        self.store.clone()
    }

    /// No containment store: nothing is ever contained (tests that do not need it).
    pub fn disabled(clock: Arc<dyn Clock>) -> Self {
        Containment {
            store: None,
            snap: RwLock::new(Arc::new(Snapshot::default())),
            revision: AtomicU64::new(0),
            next_check: AtomicU64::new(u64::MAX),
            clock,
        }
    }

    /// Reload now (the in-process responder calls this after it changed the store).
    pub fn refresh_now(&self) {
        if let Some(store) = &self.store {
            match store.revision().and_then(|r| Ok((r, store.active(self.clock.unix_millis())?))) {
                Ok((rev, list)) => {
                    let snap = Arc::new(Snapshot::build(&list));
                    if let Ok(mut g) = self.snap.write() {
                        *g = snap;
                    }
                    self.revision.store(rev, Ordering::Release);
                }
                Err(e) => {
                    tracing::error!(error = %e, "Containment state could not be reloaded; keeping the last one")
                }
            }
        }
    }

    fn current(&self) -> Arc<Snapshot> {
        let now = self.clock.mono_nanos();
        let due = self.next_check.load(Ordering::Acquire);
        if now >= due
            && self
                .next_check
                .compare_exchange(
                    due,
                    now.saturating_add(poll_nanos()),
                    Ordering::AcqRel,
                    Ordering::Relaxed,
                )
                .is_ok()
        {
            if let Some(store) = &self.store {
                match store.revision() {
                    Ok(r) if r != self.revision.load(Ordering::Acquire) => self.refresh_now(),
                    Ok(_) => {}
                    Err(e) => {
                        tracing::error!(error = %e, "Containment revision could not be read; keeping the last state")
                    }
                }
            }
        }
        self.snap.read().map(|g| g.clone()).unwrap_or_default()
    }

    /// Refuse a contained subject.
    pub fn check(&self, s: &Subject<'_>) -> Result<(), ApiError> {
        let snap = self.current();
        if snap.is_empty {
            return Ok(());
        }
        let now = self.clock.unix_millis();
        let hit = |k: ContainmentKind, v: Option<&str>| v.is_some_and(|v| snap.has(k, v, now));
        let reason = if hit(ContainmentKind::SuspendKey, s.key_prefix) {
            ContainedReason::KeySuspended
        } else if snap.has(ContainmentKind::SuspendApp, s.app, now) {
            ContainedReason::AppSuspended
        } else if hit(ContainmentKind::QuarantineSession, s.session) {
            ContainedReason::SessionQuarantined
        } else if hit(ContainmentKind::BlockSourceIp, s.source_ip) {
            ContainedReason::SourceBlocked
        } else if hit(ContainmentKind::BlockCaller, s.caller_ref) {
            ContainedReason::CallerBlocked
        } else if hit(ContainmentKind::ReverifySession, s.session)
            || hit(ContainmentKind::ReverifyCaller, s.caller_ref)
        {
            ContainedReason::ReverificationRequired
        } else {
            return Ok(());
        };
        Err(ApiError::Contained(reason))
    }

    /// Whether safe mode is on.
    pub fn is_safe_mode(&self) -> bool {
        self.current().has(ContainmentKind::SafeMode, "", self.clock.unix_millis())
    }

    /// The policy a request of `app` runs under: a tightened copy in safe mode or when the app
    /// is tightened (every PHI type masked in responses, no token restore), plus the action
    /// name for the event.
    pub fn effective_policy(&self, app: Arc<AppPolicy>) -> (Arc<AppPolicy>, Option<&'static str>) {
        let snap = self.current();
        if snap.is_empty {
            return (app, None);
        }
        let now = self.clock.unix_millis();
        let why = if snap.has(ContainmentKind::SafeMode, "", now) {
            "containment.safe_mode"
        } else if snap.has(ContainmentKind::TightenApp, &app.name, now) {
            "containment.tightened"
        } else {
            return (app, None);
        };
        let mut p = (*app).clone();
        p.output_phi = [PhiAction::Mask; phiwall_scan::ALL_PHI_TYPES.len()];
        p.restore_tokens = false;
        (Arc::new(p), Some(why))
    }
}

fn poll_nanos() -> u64 {
    u64::try_from(POLL.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use phiwall_store::SqliteContainmentStore;
    use std::sync::atomic::AtomicI64;

    #[derive(Default)]
    struct TestClock {
        ms: AtomicI64,
        mono: AtomicU64,
    }
    impl Clock for TestClock {
        fn unix_secs(&self) -> i64 {
            self.unix_millis() / 1000
        }
        fn unix_millis(&self) -> i64 {
            self.ms.load(Ordering::SeqCst)
        }
        fn mono_nanos(&self) -> u64 {
            self.mono.load(Ordering::SeqCst)
        }
    }

    fn subject<'a>(key: &'a str, session: &'a str) -> Subject<'a> {
        Subject {
            key_prefix: Some(key),
            app: "dev",
            session: Some(session),
            source_ip: Some("10.0.0.1"),
            caller_ref: None,
        }
    }

    #[test]
    fn refuses_contained_and_polls_for_changes() {
        let store: Arc<dyn ContainmentStore> =
            Arc::new(SqliteContainmentStore::in_memory().unwrap());
        let clock = Arc::new(TestClock::default());
        clock.ms.store(1_000, Ordering::SeqCst);
        let c = Containment::load(store.clone(), clock.clone()).unwrap();
        assert!(c.check(&subject("aaaaaaaaaaaa", "s1")).is_ok());
        store
            .apply(ContainmentKind::SuspendKey, "aaaaaaaaaaaa", "INC-1", "x", 1_000, Some(5_000))
            .unwrap();
        // Not yet polled: still allowed.
        assert!(c.check(&subject("aaaaaaaaaaaa", "s1")).is_ok());
        clock.mono.fetch_add(poll_nanos(), Ordering::SeqCst);
        let e = c.check(&subject("aaaaaaaaaaaa", "s1")).unwrap_err();
        assert_eq!(e, ApiError::Contained(ContainedReason::KeySuspended));
        assert_eq!(e.status().as_u16(), 403);
        assert_eq!(e.body()["error"]["code"], "principal_contained");
        assert_eq!(e.meta().reason, "containment.key_suspended");
        assert!(c.check(&subject("bbbbbbbbbbbb", "s1")).is_ok());
        // Expiry is checked per request.
        clock.ms.store(5_000, Ordering::SeqCst);
        assert!(c.check(&subject("aaaaaaaaaaaa", "s1")).is_ok());
    }

    #[test]
    fn safe_mode_masks_every_output_type() {
        let store: Arc<dyn ContainmentStore> =
            Arc::new(SqliteContainmentStore::in_memory().unwrap());
        let clock = Arc::new(TestClock::default());
        store.apply(ContainmentKind::ReverifySession, "s9", "INC-2", "x", 0, None).unwrap();
        store.apply(ContainmentKind::SafeMode, "", "INC-2", "x", 0, None).unwrap();
        let c = Containment::load(store, clock).unwrap();
        let e = c.check(&subject("cccccccccccc", "s9")).unwrap_err();
        assert_eq!(e.body()["error"]["code"], "reverification_required");
        assert!(c.is_safe_mode());
        let raw = crate::config::RawConfig::builtin_default().validate().unwrap();
        let app = Arc::new(raw.apps.values().next().unwrap().clone());
        let (p, why) = c.effective_policy(app);
        assert_eq!(why, Some("containment.safe_mode"));
        assert!(p.output_phi.iter().all(|a| *a == PhiAction::Mask));
        assert!(!p.restore_tokens);
    }
}
