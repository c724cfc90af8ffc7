//! Local leases over a shared limiter: fewer round trips for high-rate buckets.
//!
//! A shared limiter (Redis) answers every check with one network round trip. For a bucket
//! whose quota is large against one request's cost, a replica may instead reserve several
//! requests' worth of units at once in the shared limiter (a lease) and spend them locally.
//!
//! Invariants:
//! - **Never more than the quota.** Leased units are reserved in the shared limiter before any
//!   of them is spent, so all replicas together admit at most what the shared GCRA allows.
//! - **Exact for small quotas.** A lease is at most [`LeasePolicy::max_share`] of a minute's
//!   quota (default 1/6000, i.e. 10 ms of the steady rate) and is only taken when it covers at
//!   least two requests; a 100-requests-a-minute key is therefore checked in the shared
//!   limiter on every request, as without leases.
//! - **Bounded under-use.** Units leased and not spent before the lease expires are lost (not
//!   refunded: a refund racing other replicas' reservations could overspend). At most one lease
//!   per bucket pair is being fetched at a time per replica; requests arriving meanwhile are
//!   checked exactly, so the loss is at most one lease per pair and replica per expiry.
//! - A lease is spent only while every bucket of the check is the same (same keys and quotas)
//!   and its expiry has not passed; a refusal from the shared limiter falls back to an exact
//!   check of the request's own cost, so leases never refuse what an exact check would allow,
//!   and the pair is then checked exactly (no lease attempts) for one lease lifetime.

use crate::limits::{AllDecision, AllFuture, Bucket, Decision, LimitFuture, Quota, RateLimiter};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How large and how long-lived leases are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeasePolicy {
    /// A lease is at most `per_minute / max_share` units of every bucket (default 6000).
    pub max_share: u64,
    /// Lease lifetime, nanoseconds of the caller's clock (default 100 ms). 0 disables leases.
    pub ttl_nanos: u64,
}

impl Default for LeasePolicy {
    fn default() -> Self {
        LeasePolicy { max_share: 6000, ttl_nanos: 100_000_000 }
    }
}

impl LeasePolicy {
    /// How many requests of `cost` one lease over `buckets` covers; below 2 means no lease.
    fn requests_per_lease(&self, buckets: &[Bucket<'_>], cost: u64) -> u64 {
        if self.ttl_nanos == 0 || buckets.is_empty() || cost == 0 {
            return 0;
        }
        buckets
            .iter()
            .map(|b| (b.quota.per_minute.min(b.quota.burst) / self.max_share.max(1)) / cost)
            .min()
            .unwrap_or(0)
    }
}

#[derive(Debug, Default)]
struct Lease {
    units: u64,
    expires_nanos: u64,
    is_fetching: bool,
    /// After the shared limiter refused a lease: check exactly until then.
    exact_until_nanos: u64,
}

/// A [`RateLimiter`] that leases units from `inner` for its combined checks
/// ([`RateLimiter::check_all_async`], the gateway's request path). Single-bucket checks and
/// refunds go straight to `inner`.
pub struct LeasedLimiter<L: ?Sized> {
    inner: Arc<L>,
    policy: LeasePolicy,
    leases: Mutex<HashMap<String, Lease>>,
}

impl<L: ?Sized> std::fmt::Debug for LeasedLimiter<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeasedLimiter").field("policy", &self.policy).finish()
    }
}

/// The lease key: every bucket's key and quota, so a changed quota starts a new lease.
fn lease_key(buckets: &[Bucket<'_>]) -> String {
    let mut k = String::new();
    for b in buckets {
        k.push_str(b.key);
        k.push('\u{1f}');
        k.push_str(&b.quota.per_minute.to_string());
        k.push('/');
        k.push_str(&b.quota.burst.to_string());
        k.push('\u{1e}');
    }
    k
}

impl<L: RateLimiter + ?Sized> LeasedLimiter<L> {
    /// Lease from `inner` under `policy`.
    pub fn new(inner: Arc<L>, policy: LeasePolicy) -> Self {
        LeasedLimiter { inner, policy, leases: Mutex::new(HashMap::new()) }
    }

    /// Spend `cost` from a live lease, or claim the right to fetch one. `Err(true)`: fetch a
    /// lease; `Err(false)`: another request is fetching, check exactly.
    fn take_local(&self, key: &str, cost: u64, now: u64) -> Result<(), bool> {
        let Ok(mut leases) = self.leases.lock() else { return Err(false) };
        let lease = leases.entry(key.to_string()).or_default();
        if now < lease.expires_nanos && lease.units >= cost {
            lease.units -= cost;
            return Ok(());
        }
        if lease.is_fetching || now < lease.exact_until_nanos {
            return Err(false);
        }
        lease.is_fetching = true;
        lease.units = 0;
        Err(true)
    }

    fn settle_fetch(&self, key: &str, units: Option<u64>, now: u64) {
        let Ok(mut leases) = self.leases.lock() else { return };
        match units {
            Some(u) => {
                let l = leases.entry(key.to_string()).or_default();
                l.units = u;
                l.expires_nanos = now.saturating_add(self.policy.ttl_nanos);
                l.is_fetching = false;
            }
            None => {
                let l = leases.entry(key.to_string()).or_default();
                l.units = 0;
                l.is_fetching = false;
                l.exact_until_nanos = now.saturating_add(self.policy.ttl_nanos);
            }
        }
        // Drop expired leases now and then so keys that went quiet do not accumulate.
        if leases.len() > 4096 {
            leases
                .retain(|_, l| l.is_fetching || now < l.expires_nanos || now < l.exact_until_nanos);
        }
    }
}

impl<L: RateLimiter + ?Sized> RateLimiter for LeasedLimiter<L> {
    fn check(&self, key: &str, quota: Quota, cost: u64, now_nanos: u64) -> Decision {
        self.inner.check(key, quota, cost, now_nanos)
    }

    fn refund(&self, key: &str, quota: Quota, units: u64, now_nanos: u64) {
        self.inner.refund(key, quota, units, now_nanos);
    }

    fn check_async<'a>(
        &'a self,
        key: &'a str,
        quota: Quota,
        cost: u64,
        now_nanos: u64,
    ) -> LimitFuture<'a> {
        self.inner.check_async(key, quota, cost, now_nanos)
    }

    fn check_all_async<'a>(
        &'a self,
        buckets: &'a [Bucket<'a>],
        cost: u64,
        now_nanos: u64,
    ) -> AllFuture<'a> {
        Box::pin(async move {
            let n = self.policy.requests_per_lease(buckets, cost);
            if n < 2 {
                return self.inner.check_all_async(buckets, cost, now_nanos).await;
            }
            let key = lease_key(buckets);
            match self.take_local(&key, cost, now_nanos) {
                Ok(()) => AllDecision::Allow,
                Err(false) => self.inner.check_all_async(buckets, cost, now_nanos).await,
                Err(true) => {
                    let units = cost.saturating_mul(n);
                    match self.inner.check_all_async(buckets, units, now_nanos).await {
                        AllDecision::Allow => {
                            self.settle_fetch(&key, Some(units - cost), now_nanos);
                            AllDecision::Allow
                        }
                        AllDecision::Deny { .. } => {
                            // Near the limit: no lease, and the request's own cost decides.
                            self.settle_fetch(&key, None, now_nanos);
                            self.inner.check_all_async(buckets, cost, now_nanos).await
                        }
                    }
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::limits::InMemoryLimiter;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// The in-memory GCRA standing in for Redis, counting the round trips it answers.
    #[derive(Default)]
    struct Shared {
        gcra: InMemoryLimiter,
        calls: AtomicU64,
    }

    impl RateLimiter for Shared {
        fn check(&self, key: &str, quota: Quota, cost: u64, now: u64) -> Decision {
            self.calls.fetch_add(1, Ordering::Relaxed);
            self.gcra.check(key, quota, cost, now)
        }
        fn refund(&self, key: &str, quota: Quota, units: u64, now: u64) {
            self.gcra.refund(key, quota, units, now);
        }
    }

    fn buckets(per_minute: u64) -> [Bucket<'static>; 2] {
        [
            Bucket { key: "r:key1", quota: Quota::per_minute(per_minute) },
            Bucket { key: "r:app:a", quota: Quota::per_minute(per_minute * 10) },
        ]
    }

    fn run(
        replicas: &[LeasedLimiter<Shared>],
        b: &[Bucket<'_>],
        requests: usize,
        now: u64,
    ) -> usize {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let mut allowed = 0;
            for i in 0..requests {
                let r = &replicas[i % replicas.len()];
                if r.check_all_async(b, 1, now).await == AllDecision::Allow {
                    allowed += 1;
                }
            }
            allowed
        })
    }

    #[test]
    fn small_quotas_are_checked_exactly_every_time() {
        let shared = Arc::new(Shared::default());
        let replicas: Vec<_> =
            (0..3).map(|_| LeasedLimiter::new(shared.clone(), LeasePolicy::default())).collect();
        let b = buckets(100);
        assert_eq!(run(&replicas, &b, 150, 1_000), 100);
        // Every request (two buckets each) reached the shared limiter.
        assert!(shared.calls.load(Ordering::Relaxed) >= 150);
    }

    #[test]
    fn large_quotas_lease_and_never_admit_more_than_the_quota() {
        let shared = Arc::new(Shared::default());
        let replicas: Vec<_> =
            (0..3).map(|_| LeasedLimiter::new(shared.clone(), LeasePolicy::default())).collect();
        // 600,000 a minute: a lease covers 100 requests.
        let b = buckets(600_000);
        let mut allowed = run(&replicas, &b, 300_000, 5_000);
        assert_eq!(allowed, 300_000);
        let calls = shared.calls.load(Ordering::Relaxed);
        // One lease (two buckets) per 100 requests.
        assert!(calls <= 2 * 300_000 / 100 + 6, "round trips {calls}");
        allowed += run(&replicas, &b, 400_000, 5_000);
        assert!(allowed <= 600_000, "{allowed}");
        // Leases lost at most one lease per replica: everything else was admitted.
        assert!(allowed >= 600_000 - 3 * 100, "{allowed}");
    }

    #[test]
    fn an_expired_lease_is_not_spent() {
        let shared = Arc::new(Shared::default());
        let policy = LeasePolicy { max_share: 6000, ttl_nanos: 1_000 };
        let r = [LeasedLimiter::new(shared.clone(), policy)];
        let b = buckets(600_000);
        assert_eq!(run(&r, &b, 1, 10), 1);
        let before = shared.calls.load(Ordering::Relaxed);
        assert_eq!(run(&r, &b, 1, 500), 1, "within the lease");
        assert_eq!(shared.calls.load(Ordering::Relaxed), before, "served locally");
        assert_eq!(run(&r, &b, 1, 2_000), 1, "after expiry");
        assert!(shared.calls.load(Ordering::Relaxed) > before, "a new lease was fetched");
    }

    #[test]
    fn near_the_limit_a_refused_lease_falls_back_to_the_exact_cost() {
        let shared = Arc::new(Shared::default());
        let r = [LeasedLimiter::new(shared.clone(), LeasePolicy::default())];
        let b = buckets(600_000);
        // Leave 50 units in the key bucket: a 100-request lease no longer fits.
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let d = rt.block_on(shared.check_all_async(&b[..1], 599_950, 0));
        assert_eq!(d, AllDecision::Allow);
        assert_eq!(run(&r, &b, 60, 0), 50);
    }

    proptest::proptest! {
        /// Whatever the interleaving of replicas, costs and clock steps, the replicas together
        /// admit no more units than the shared GCRA allows an exact checker: the burst plus
        /// the steady rate over the time that passed.
        #[test]
        fn replicas_never_admit_more_than_the_shared_quota(
            per_minute in 12_000u64..120_000,
            steps in proptest::collection::vec((0usize..3, 1u64..40, 0u64..2_000_000), 1..3000),
        ) {
            let shared = Arc::new(Shared::default());
            let replicas: Vec<_> = (0..3)
                .map(|_| LeasedLimiter::new(shared.clone(), LeasePolicy::default()))
                .collect();
            let b = [Bucket { key: "t:key", quota: Quota::per_minute(per_minute) }];
            let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
            let mut now = 1_000u64;
            let mut admitted = 0u64;
            for (r, cost, step) in steps {
                now += step;
                if rt.block_on(replicas[r].check_all_async(&b, cost, now)) == AllDecision::Allow {
                    admitted += cost;
                }
            }
            let elapsed_nanos = u128::from(now - 1_000);
            let refill = elapsed_nanos / Quota::per_minute(per_minute).interval_nanos();
            let bound = u128::from(per_minute) + refill + 1;
            proptest::prop_assert!(u128::from(admitted) <= bound, "{admitted} > {bound}");
        }
    }

    #[test]
    fn a_disabled_policy_never_leases() {
        let shared = Arc::new(Shared::default());
        let policy = LeasePolicy { max_share: 6000, ttl_nanos: 0 };
        let r = [LeasedLimiter::new(shared.clone(), policy)];
        assert_eq!(run(&r, &buckets(600_000), 10, 0), 10);
        assert_eq!(shared.calls.load(Ordering::Relaxed), 20);
    }
}
