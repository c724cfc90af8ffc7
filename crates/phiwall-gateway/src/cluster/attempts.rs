//! The verifier's attempt store in cluster mode (issue 10): phiwall-identity's
//! [`AttemptStore`] over the Redis counters of [`phiwall_store::redis::attempts`], so every
//! replica counts a session's, a caller number's and a patient's failed verifications in the
//! same place. This adapter lives here because the gateway is the one crate that sees both
//! sides: phiwall-identity holds no network code and phiwall-store knows nothing of identity.
//!
//! Subjects reach Redis as `<scope>:<hex>` of the keyed hash the verifier already uses, never
//! a number, id or name. Calls block the calling thread for at most the store's timeout
//! (`store.limiter_timeout_ms`) per round trip, two per attempt; verification attempts are
//! rare (only when a caller makes claims), and every failure is an `Err` the verifier turns
//! into a refusal (fail closed; `store.limiter_fail_mode = "open"` does not apply here: an
//! attempt that cannot be counted would be an unlimited guess at a patient's facts).

use phiwall_identity::{
    strictest_gate, AttemptStore, Digest, Gate, LimiterConfig, LockoutEvent, Scope,
};
use phiwall_store::redis::attempts::{AttemptLimits, FailedSubject, RedisAttempts};
use std::sync::Arc;

/// [`AttemptStore`] over the shared Redis counters, with the configured limits.
#[derive(Debug, Clone)]
pub struct SharedAttemptStore {
    inner: Arc<RedisAttempts>,
    limits: LimiterConfig,
}

impl SharedAttemptStore {
    /// A handle counting under `limits` (`[identity.limits]`) in `inner`. Handles over the
    /// same Redis share every count (that is the point).
    pub fn new(inner: Arc<RedisAttempts>, limits: LimiterConfig) -> Self {
        SharedAttemptStore { inner, limits }
    }
}

fn subject_key((scope, digest): &(Scope, Digest)) -> String {
    format!("{}:{}", scope.as_str(), digest.hex())
}

fn unavailable(e: &phiwall_store::Error) -> phiwall_identity::Error {
    // The store already logged the failure (kind only); the verifier needs only to refuse.
    phiwall_identity::Error::AttemptStore(match e {
        phiwall_store::Error::Timeout(_) => "timeout",
        _ => "backend",
    })
}

impl AttemptStore for SharedAttemptStore {
    fn check(
        &mut self,
        subjects: &[(Scope, Digest)],
        now: u64,
    ) -> Result<Gate, phiwall_identity::Error> {
        let keys: Vec<String> = subjects.iter().map(subject_key).collect();
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let times = self.inner.times(&refs).map_err(|e| unavailable(&e))?;
        Ok(strictest_gate(times.iter().map(|t| (t.next_allowed, t.locked_until)), now))
    }

    fn record_failure(
        &mut self,
        subjects: &[(Scope, Digest)],
        now: u64,
    ) -> Result<Vec<LockoutEvent>, phiwall_identity::Error> {
        let keys: Vec<String> = subjects.iter().map(subject_key).collect();
        let failed: Vec<FailedSubject<'_>> = subjects
            .iter()
            .zip(&keys)
            .map(|((scope, _), key)| FailedSubject { key, max: self.limits.max_for(*scope) })
            .collect();
        let l = &self.limits;
        let limits = AttemptLimits {
            window_secs: l.window_secs,
            base_backoff_secs: l.base_backoff_secs,
            max_backoff_secs: l.max_backoff_secs,
            lockout_secs: l.lockout_secs,
        };
        let started =
            self.inner.record_failure(&failed, limits, now).map_err(|e| unavailable(&e))?;
        Ok(started
            .into_iter()
            .filter_map(|s| {
                let (scope, digest) = subjects.get(s.index)?;
                Some(LockoutEvent {
                    event: "verification_lockout",
                    scope: *scope,
                    subject: digest.hex(),
                    failures: s.failures,
                    at: now,
                    locked_until: s.locked_until,
                })
            })
            .collect())
    }

    fn record_success(
        &mut self,
        subjects: &[(Scope, Digest)],
    ) -> Result<(), phiwall_identity::Error> {
        let keys: Vec<String> =
            subjects.iter().filter(|s| s.0.is_cleared_by_success()).map(subject_key).collect();
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        self.inner.clear(&refs).map_err(|e| unavailable(&e))
    }
}
