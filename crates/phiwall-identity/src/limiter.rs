//! Attempt limiter for verification: failures are counted per session, per caller number and
//! per target patient, so guessing one patient's birth date is caught whether it comes from one
//! session or is spread over many sessions and numbers.
//!
//! Each subject (a keyed hash, never a plaintext number or id) keeps its failure times inside a
//! sliding window. After a failure the next attempt must wait an exponential backoff
//! (`base * 2^(failures-1)`, capped); reaching the scope's maximum locks the subject for
//! `lockout_secs` and returns a [`LockoutEvent`] for the gateway to emit. Time only comes from
//! the [`Clock`] passed in, so tests are deterministic.
//!
//! Where the counts live is behind [`AttemptStore`] (issue 10): [`AttemptLimiter`] keeps them in
//! process memory (one gateway), and cluster mode plugs in a store shared by every replica so a
//! guesser spread over replicas behind round robin gets the same number of attempts as against
//! one. This crate holds no network code; a store that can fail returns
//! [`Error::AttemptStore`](crate::Error::AttemptStore) and the [`Verifier`](crate::Verifier)
//! fails closed.

use crate::directory::Digest;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Source of time in whole seconds since the Unix epoch.
pub trait Clock: Send + Sync {
    /// Now.
    fn now_secs(&self) -> u64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_secs(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

/// A clock tests move by hand.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicU64);

impl ManualClock {
    /// A clock at `secs`.
    pub fn new(secs: u64) -> Self {
        ManualClock(AtomicU64::new(secs))
    }
    /// Move forward.
    pub fn advance(&self, secs: u64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_secs(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now_secs(&self) -> u64 {
        (**self).now_secs()
    }
}

/// What a limit is counted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// One conversation.
    Session,
    /// The caller number reported by telephony (spoofable, but still worth limiting).
    CallerNumber,
    /// The patient being claimed (or the claimed name when it matches nobody).
    Patient,
}

impl Scope {
    /// The scope's name as serialized (`session`, `caller_number`, `patient`).
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Session => "session",
            Scope::CallerNumber => "caller_number",
            Scope::Patient => "patient",
        }
    }

    /// Whether a successful verification clears this subject's record. The patient's is kept:
    /// a guesser's failures against a patient must not be wiped by the real patient calling.
    pub fn is_cleared_by_success(self) -> bool {
        match self {
            Scope::Session | Scope::CallerNumber => true,
            Scope::Patient => false,
        }
    }
}

/// Limits. `Default` follows common call-centre practice: three tries per call, five per number
/// or per patient per hour, then a 15-minute lockout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimiterConfig {
    /// Failures per session before lockout.
    pub session_max: u32,
    /// Failures per caller number before lockout.
    pub caller_max: u32,
    /// Failures per target patient before lockout.
    pub patient_max: u32,
    /// Failures older than this are forgotten (seconds).
    pub window_secs: u64,
    /// First backoff after a failure (seconds).
    pub base_backoff_secs: u64,
    /// Backoff cap (seconds).
    pub max_backoff_secs: u64,
    /// Lockout duration (seconds).
    pub lockout_secs: u64,
}

impl LimiterConfig {
    /// Failures before lockout for `scope`.
    pub fn max_for(&self, scope: Scope) -> u32 {
        match scope {
            Scope::Session => self.session_max,
            Scope::CallerNumber => self.caller_max,
            Scope::Patient => self.patient_max,
        }
    }

    /// The backoff after the `n`th failure in the window: `base * 2^(n-1)`, capped.
    pub fn backoff_secs(&self, n: u32) -> u64 {
        let shift = n.saturating_sub(1).min(20);
        self.base_backoff_secs.saturating_mul(1u64 << shift).min(self.max_backoff_secs)
    }
}

impl Default for LimiterConfig {
    fn default() -> Self {
        LimiterConfig {
            session_max: 3,
            caller_max: 5,
            patient_max: 5,
            window_secs: 3600,
            base_backoff_secs: 2,
            max_backoff_secs: 60,
            lockout_secs: 900,
        }
    }
}

/// Emitted when a subject is locked out; the incident pipeline turns these into incidents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockoutEvent {
    /// Always `verification_lockout`.
    pub event: &'static str,
    /// What was locked.
    pub scope: Scope,
    /// Keyed hash of the subject (hex), never the plaintext.
    pub subject: String,
    /// Failures in the window when the lockout began.
    pub failures: u32,
    /// When (Unix seconds).
    pub at: u64,
    /// Locked until (Unix seconds).
    pub locked_until: u64,
}

/// Whether an attempt may proceed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Go ahead.
    Allowed,
    /// Too soon after a failure: retry after this many seconds.
    Backoff {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// Locked until this time.
    Locked {
        /// Unix seconds.
        until: u64,
    },
}

/// The gate for subjects whose stored `(next_allowed, locked_until)` times are `entries`: a
/// lock beats a backoff, and the longest of each wins. Shared by every [`AttemptStore`].
pub fn strictest_gate(entries: impl IntoIterator<Item = (u64, u64)>, now: u64) -> Gate {
    let mut gate = Gate::Allowed;
    for (next_allowed, locked_until) in entries {
        if locked_until > now {
            let until = match gate {
                Gate::Locked { until } => until.max(locked_until),
                _ => locked_until,
            };
            gate = Gate::Locked { until };
        } else if next_allowed > now && !matches!(gate, Gate::Locked { .. }) {
            let wait = next_allowed - now;
            gate = match gate {
                Gate::Backoff { retry_after_secs } => {
                    Gate::Backoff { retry_after_secs: retry_after_secs.max(wait) }
                }
                _ => Gate::Backoff { retry_after_secs: wait },
            };
        }
    }
    gate
}

/// Where failure counts, backoffs and lockouts live. Subjects are keyed hashes (never plaintext)
/// with their scope; `now` is Unix seconds from the verifier's clock.
///
/// The contract every implementation keeps (tested against each in the gateway's
/// `tests/attempts.rs`):
/// - `check` changes nothing and answers with [`strictest_gate`] over the subjects' records.
/// - `record_failure` forgets failures older than `window_secs`, adds one at `now`, sets the
///   backoff from the count ([`LimiterConfig::backoff_secs`]) and, when the count reaches the
///   scope's maximum and the subject is not already locked, locks it for `lockout_secs`,
///   forgets its failures and returns a [`LockoutEvent`]. Per subject this is atomic, also
///   between processes sharing the store.
/// - `record_success` clears the subjects whose scope [`Scope::is_cleared_by_success`].
///
/// An `Err` means the store could not answer (for a shared store: timeout, connection); the
/// verifier then refuses the attempt rather than guess without counting.
pub trait AttemptStore: Send {
    /// May an attempt on all these subjects proceed now? The strictest answer wins.
    fn check(&mut self, subjects: &[(Scope, Digest)], now: u64) -> Result<Gate, crate::Error>;
    /// Count a failed attempt on every subject; returns the lockouts it started.
    fn record_failure(
        &mut self,
        subjects: &[(Scope, Digest)],
        now: u64,
    ) -> Result<Vec<LockoutEvent>, crate::Error>;
    /// A success clears the subjects [`Scope::is_cleared_by_success`] names.
    fn record_success(&mut self, subjects: &[(Scope, Digest)]) -> Result<(), crate::Error>;
}

#[derive(Debug, Clone, Default)]
struct Entry {
    failures: Vec<u64>,
    next_allowed: u64,
    locked_until: u64,
}

/// Every this many recorded failures, entries with nothing left to remember are dropped, so
/// memory follows the subjects of the last window rather than every subject ever seen.
const PRUNE_EVERY: u64 = 1024;

/// Per-subject failure counts in process memory.
#[derive(Debug, Clone, Default)]
pub struct AttemptLimiter {
    config: LimiterConfig,
    entries: HashMap<(Scope, Digest), Entry>,
    recorded: u64,
}

impl AttemptLimiter {
    /// A limiter with these limits.
    pub fn new(config: LimiterConfig) -> Self {
        AttemptLimiter { config, entries: HashMap::new(), recorded: 0 }
    }

    /// May an attempt on all these subjects proceed now? The strictest answer wins.
    pub fn check(&self, subjects: &[(Scope, Digest)], now: u64) -> Gate {
        strictest_gate(
            subjects
                .iter()
                .filter_map(|k| self.entries.get(k))
                .map(|e| (e.next_allowed, e.locked_until)),
            now,
        )
    }

    /// Count a failed attempt on every subject; returns the lockouts it started.
    pub fn record_failure(&mut self, subjects: &[(Scope, Digest)], now: u64) -> Vec<LockoutEvent> {
        self.recorded = self.recorded.wrapping_add(1);
        if self.recorded.is_multiple_of(PRUNE_EVERY) {
            // Invisible to callers: a dropped entry answers exactly as a missing one.
            self.prune(now);
        }
        let mut events = Vec::new();
        let window = self.config.window_secs;
        for k in subjects {
            let max = self.config.max_for(k.0);
            let e = self.entries.entry(*k).or_default();
            e.failures.retain(|t| now.saturating_sub(*t) < window);
            e.failures.push(now);
            let n = e.failures.len() as u32;
            e.next_allowed = now.saturating_add(self.config.backoff_secs(n));
            if n >= max && e.locked_until <= now {
                e.locked_until = now.saturating_add(self.config.lockout_secs);
                // A lockout consumes the failures that caused it: after it ends the subject
                // starts again from zero instead of being locked by the next single failure.
                e.failures.clear();
                events.push(LockoutEvent {
                    event: "verification_lockout",
                    scope: k.0,
                    subject: k.1.hex(),
                    failures: n,
                    at: now,
                    locked_until: e.locked_until,
                });
            }
        }
        events
    }

    /// A success clears these subjects (the session and caller number, not the patient: a
    /// guesser's failures against a patient must not be wiped by the real patient calling).
    pub fn record_success(&mut self, subjects: &[(Scope, Digest)]) {
        for k in subjects {
            if k.0.is_cleared_by_success() {
                self.entries.remove(k);
            }
        }
    }

    /// Drop entries with nothing left to remember (also done every `PRUNE_EVERY` failures).
    pub fn prune(&mut self, now: u64) {
        let window = self.config.window_secs;
        self.entries.retain(|_, e| {
            e.failures.retain(|t| now.saturating_sub(*t) < window);
            !e.failures.is_empty() || e.locked_until > now || e.next_allowed > now
        });
    }

    /// Number of remembered subjects.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The in-memory store: one process's counts (embedded mode, tests).
impl AttemptStore for AttemptLimiter {
    fn check(&mut self, subjects: &[(Scope, Digest)], now: u64) -> Result<Gate, crate::Error> {
        Ok(AttemptLimiter::check(self, subjects, now))
    }

    fn record_failure(
        &mut self,
        subjects: &[(Scope, Digest)],
        now: u64,
    ) -> Result<Vec<LockoutEvent>, crate::Error> {
        Ok(AttemptLimiter::record_failure(self, subjects, now))
    }

    fn record_success(&mut self, subjects: &[(Scope, Digest)]) -> Result<(), crate::Error> {
        AttemptLimiter::record_success(self, subjects);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(b: u8) -> Digest {
        Digest([b; 16])
    }

    #[test]
    fn backoff_then_lockout_then_release() {
        let mut l = AttemptLimiter::new(LimiterConfig::default());
        let s = [(Scope::Session, d(1))];
        let mut t = 1000;
        assert_eq!(l.check(&s, t), Gate::Allowed);
        assert!(l.record_failure(&s, t).is_empty());
        assert_eq!(l.check(&s, t), Gate::Backoff { retry_after_secs: 2 });
        t += 2;
        assert_eq!(l.check(&s, t), Gate::Allowed);
        assert!(l.record_failure(&s, t).is_empty());
        assert_eq!(l.check(&s, t + 1), Gate::Backoff { retry_after_secs: 3 });
        t += 4;
        let ev = l.record_failure(&s, t);
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].scope, Scope::Session);
        assert_eq!(ev[0].failures, 3);
        assert_eq!(ev[0].subject, d(1).hex());
        assert_eq!(l.check(&s, t + 899), Gate::Locked { until: t + 900 });
        assert_eq!(l.check(&s, t + 900), Gate::Allowed);
    }

    #[test]
    fn window_forgets_old_failures() {
        let mut l = AttemptLimiter::new(LimiterConfig::default());
        let s = [(Scope::Patient, d(2))];
        for i in 0..4 {
            assert!(
                l.record_failure(&s, 1000 + i * 1000).is_empty(),
                "failure {i} should not lock"
            );
        }
        l.prune(100_000);
        assert!(l.is_empty());
    }

    #[test]
    fn strictest_subject_wins_and_success_keeps_patient_count() {
        let mut l =
            AttemptLimiter::new(LimiterConfig { patient_max: 2, ..LimiterConfig::default() });
        let p = (Scope::Patient, d(3));
        let a = [(Scope::Session, d(4)), p];
        let b = [(Scope::Session, d(5)), p];
        l.record_failure(&a, 10);
        l.record_success(&a);
        let ev = l.record_failure(&b, 100);
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].scope, Scope::Patient);
        assert_eq!(l.check(&[(Scope::Session, d(6)), p], 101), Gate::Locked { until: 1000 });
        assert_eq!(l.check(&[(Scope::Session, d(6))], 101), Gate::Allowed);
    }

    #[test]
    fn memory_follows_the_window_not_every_subject_ever_seen() {
        let mut l = AttemptLimiter::new(LimiterConfig::default());
        for i in 0..10_000u64 {
            let b = (i % 251) as u8;
            let s = [(
                Scope::Session,
                Digest([b, (i / 251) as u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            )];
            l.record_failure(&s, 1000 + i * 10);
        }
        // One failure every 10 s with a 1-hour window: about 360 subjects are live.
        assert!(l.len() < 1500, "{}", l.len());
    }

    #[test]
    fn manual_clock_moves() {
        let c = ManualClock::new(5);
        c.advance(10);
        assert_eq!(c.now_secs(), 15);
        assert!(SystemClock.now_secs() > 1_600_000_000);
    }
}
