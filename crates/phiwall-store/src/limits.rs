//! Rate limits: a [`RateLimiter`] trait and an in-memory GCRA (generic cell rate algorithm)
//! implementation.
//!
//! GCRA keeps one number per key, the theoretical arrival time (TAT). A quota of `rate` units
//! per minute with a burst of `burst` units has emission interval `T = 60 s / rate`. A request
//! costing `n` units moves the TAT to `max(TAT, now) + n*T`; it is allowed when the new TAT is
//! at most `burst*T` ahead of now, else refused with the wait until it would fit. Because the
//! TAT is updated under the lock in the same step as the check, concurrent requests reserve
//! their cost up front and cannot overspend together. [`RateLimiter::refund`] gives back units
//! a request reserved but did not use (tokens estimated above the real count).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// A per-minute quota. `rate == 0` means "no limit" is NOT expressible: callers omit the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Units per minute (requests or tokens). At least 1.
    pub per_minute: u64,
    /// Units that may be used at once after idling. At least 1.
    pub burst: u64,
}

impl Quota {
    /// A quota whose burst equals its per-minute rate.
    pub const fn per_minute(per_minute: u64) -> Self {
        Quota { per_minute, burst: per_minute }
    }

    /// Nanoseconds between two units at the steady rate (GCRA's emission interval), at least
    /// 1: a zero interval (quotas above 60 billion a minute) would make the tolerance zero, and
    /// then two threads whose clock readings arrive out of order refuse each other.
    pub fn interval_nanos(self) -> u128 {
        (60_000_000_000u128 / u128::from(self.per_minute.max(1))).max(1)
    }
}

/// The answer of a limiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Allowed; the cost has been reserved.
    Allow,
    /// Refused; nothing was reserved. Try again after this long.
    Deny {
        /// Wait before retrying (at least one second when rounded up by callers).
        retry_after: Duration,
    },
}

/// The future [`RateLimiter::check_async`] returns.
pub type LimitFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Decision> + Send + 'a>>;

/// One bucket of a combined check ([`RateLimiter::check_all_async`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket<'a> {
    /// The limiter key.
    pub key: &'a str,
    /// Its quota.
    pub quota: Quota,
}

/// The answer of a combined check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllDecision {
    /// Every bucket allowed; the cost is reserved in each.
    Allow,
    /// A bucket refused; nothing was reserved in any.
    Deny {
        /// Index of the first refusing bucket.
        bucket: usize,
        /// Wait before retrying.
        retry_after: Duration,
    },
}

/// The future [`RateLimiter::check_all_async`] returns.
pub type AllFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = AllDecision> + Send + 'a>>;

/// Counts units per key. `now_nanos` is a monotonic clock reading from the caller.
///
/// Async callers (the gateway) use [`RateLimiter::check_async`]: in-process limiters answer it
/// with their synchronous `check`; a shared limiter (Redis, issue 10) answers it with one
/// bounded network round trip and answers the synchronous `check` with its configured failure
/// decision, because blocking a thread on the network is not allowed on a request path.
pub trait RateLimiter: Send + Sync {
    /// Check and, if allowed, reserve `cost` units of `quota` for `key`.
    fn check(&self, key: &str, quota: Quota, cost: u64, now_nanos: u64) -> Decision;
    /// Return `units` reserved earlier but not used (best effort: never blocks).
    fn refund(&self, key: &str, quota: Quota, units: u64, now_nanos: u64);
    /// [`RateLimiter::check`] for async callers; shared limiters override it.
    fn check_async<'a>(
        &'a self,
        key: &'a str,
        quota: Quota,
        cost: u64,
        now_nanos: u64,
    ) -> LimitFuture<'a> {
        let d = self.check(key, quota, cost, now_nanos);
        Box::pin(std::future::ready(d))
    }
    /// Reserve `cost` in every bucket, or in none (a key's and its app's limits are checked
    /// together). The default checks one by one and refunds the earlier buckets when a later
    /// one refuses; a shared limiter overrides it with one round trip.
    fn check_all_async<'a>(
        &'a self,
        buckets: &'a [Bucket<'a>],
        cost: u64,
        now_nanos: u64,
    ) -> AllFuture<'a> {
        Box::pin(async move {
            for (i, b) in buckets.iter().enumerate() {
                if let Decision::Deny { retry_after } =
                    self.check_async(b.key, b.quota, cost, now_nanos).await
                {
                    for done in &buckets[..i] {
                        self.refund(done.key, done.quota, cost, now_nanos);
                    }
                    return AllDecision::Deny { bucket: i, retry_after };
                }
            }
            AllDecision::Allow
        })
    }
}

/// In-process GCRA limiter, sharded to keep lock hold times short under load.
pub struct InMemoryLimiter {
    shards: Vec<Mutex<HashMap<String, u128>>>,
}

impl std::fmt::Debug for InMemoryLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InMemoryLimiter")
    }
}

const SHARDS: usize = 16;
/// Above this many keys in a shard, entries whose TAT has passed are dropped (they carry no
/// state: a passed TAT equals a fresh key).
const PRUNE_AT: usize = 4096;

impl Default for InMemoryLimiter {
    fn default() -> Self {
        InMemoryLimiter { shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect() }
    }
}

impl InMemoryLimiter {
    fn shard(&self, key: &str) -> Option<&Mutex<HashMap<String, u128>>> {
        // FNV-1a: cheap and good enough to spread keys over shards.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in key.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.shards.get((h % SHARDS as u64) as usize)
    }
}

impl RateLimiter for InMemoryLimiter {
    fn check(&self, key: &str, quota: Quota, cost: u64, now_nanos: u64) -> Decision {
        let now = u128::from(now_nanos);
        let t = quota.interval_nanos();
        let tolerance = t.saturating_mul(u128::from(quota.burst.max(1)));
        let increment = t.saturating_mul(u128::from(cost));
        if increment > tolerance {
            // Can never fit: refuse with a full window so clients back off.
            return Decision::Deny { retry_after: Duration::from_secs(60) };
        }
        let Some(shard) = self.shard(key) else {
            return Decision::Deny { retry_after: Duration::from_secs(1) };
        };
        let Ok(mut map) = shard.lock() else {
            // A poisoned lock means a bug elsewhere: fail closed.
            return Decision::Deny { retry_after: Duration::from_secs(1) };
        };
        if map.len() >= PRUNE_AT {
            map.retain(|_, tat| *tat > now);
        }
        let tat = map.get(key).copied().unwrap_or(now).max(now);
        let new_tat = tat.saturating_add(increment);
        let ahead = new_tat - now;
        if ahead > tolerance {
            let wait = ahead - tolerance;
            let nanos = u64::try_from(wait).unwrap_or(u64::MAX);
            return Decision::Deny { retry_after: Duration::from_nanos(nanos) };
        }
        map.insert(key.to_string(), new_tat);
        Decision::Allow
    }

    fn refund(&self, key: &str, quota: Quota, units: u64, now_nanos: u64) {
        let back = quota.interval_nanos().saturating_mul(u128::from(units));
        let Some(shard) = self.shard(key) else { return };
        let Ok(mut map) = shard.lock() else { return };
        if let Some(tat) = map.get_mut(key) {
            *tat = tat.saturating_sub(back).max(u128::from(now_nanos));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000_000;

    #[test]
    fn burst_then_refuse_then_recover() {
        let l = InMemoryLimiter::default();
        let q = Quota { per_minute: 60, burst: 3 };
        for _ in 0..3 {
            assert_eq!(l.check("k", q, 1, 0), Decision::Allow);
        }
        match l.check("k", q, 1, 0) {
            Decision::Deny { retry_after } => assert_eq!(retry_after, Duration::from_secs(1)),
            Decision::Allow => panic!("fourth request within the burst must be refused"),
        }
        assert_eq!(l.check("k", q, 1, S), Decision::Allow);
        assert_ne!(l.check("k", q, 1, S), Decision::Allow);
        // Other keys are independent.
        assert_eq!(l.check("other", q, 1, 0), Decision::Allow);
    }

    #[test]
    fn cost_larger_than_burst_never_fits() {
        let l = InMemoryLimiter::default();
        let q = Quota::per_minute(100);
        assert!(matches!(l.check("k", q, 101, 0), Decision::Deny { .. }));
        assert_eq!(l.check("k", q, 100, 0), Decision::Allow);
        assert!(matches!(l.check("k", q, 1, 0), Decision::Deny { .. }));
    }

    #[test]
    fn huge_quotas_never_refuse_out_of_order_clock_readings() {
        let l = InMemoryLimiter::default();
        let q = Quota::per_minute(100_000_000_000);
        // Threads read the clock, then take the lock: a later reading may be applied first.
        assert_eq!(l.check("t", q, 500, 1_000_000), Decision::Allow);
        assert_eq!(l.check("t", q, 500, 999_000), Decision::Allow);
        assert_eq!(l.check("t", q, 500, 1_000_500), Decision::Allow);
    }

    #[test]
    fn refund_gives_units_back() {
        let l = InMemoryLimiter::default();
        let q = Quota::per_minute(10);
        assert_eq!(l.check("k", q, 10, 0), Decision::Allow);
        assert!(matches!(l.check("k", q, 5, 0), Decision::Deny { .. }));
        l.refund("k", q, 5, 0);
        assert_eq!(l.check("k", q, 5, 0), Decision::Allow);
    }

    #[test]
    fn concurrent_reservations_do_not_overspend() {
        let l = std::sync::Arc::new(InMemoryLimiter::default());
        let q = Quota::per_minute(1000);
        let allowed = std::sync::atomic::AtomicU64::new(0);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for _ in 0..50 {
                        if l.check("k", q, 7, 0) == Decision::Allow {
                            allowed.fetch_add(7, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        let used = allowed.load(std::sync::atomic::Ordering::Relaxed);
        assert!(used <= 1000 && used > 1000 - 7, "used {used}");
    }
}
