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
//!   quota (default 1/600, i.e. 100 ms of the steady rate) and is only taken when that covers
//!   at least two requests; a 100-requests-a-minute key is therefore checked in the shared
//!   limiter on every request, as without leases.
//! - **Sized by use.** Within that cap a pair's lease starts at 8 requests, doubles when half
//!   of it is spent in under half its lifetime and halves when it expired with more than half
//!   unspent, so a quiet replica reserves (and may lose) little and a busy one asks rarely.
//! - **Bounded under-use.** Units leased and not spent before the lease expires are lost (not
//!   refunded: a refund racing other replicas' reservations could overspend). A replica holds
//!   at most one lease's worth of units per bucket pair, so the loss is at most one lease per
//!   pair and replica per expiry.
//! - **Topped up before it runs out.** When a live lease falls below half its size, or enters
//!   the second half of its lifetime, the request that notices it reserves the units spent so
//!   far (after paying its own cost from the lease) while the others keep spending; the top-up
//!   restarts the lifetime. Half a lifetime (50 ms by default) is the time a top-up has to
//!   come back: on a saturated replica a reply from Redis waits behind the CPU work queued
//!   before it, tens of milliseconds at 100 requests in flight. A busy replica therefore
//!   rarely finds its lease empty: without top-ups every expiry sent the requests arriving
//!   during the next fetch to the shared limiter one by one (measured: about half of all
//!   requests at 96 in flight; with top-ups about 4%). At most one fetch per bucket pair is in
//!   flight per replica; requests that find no live lease meanwhile are checked exactly.
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
    /// A lease is at most `per_minute / max_share` units of every bucket (default 600: 100 ms
    /// of the steady rate). Within that cap a lease's size follows what the replica spends.
    pub max_share: u64,
    /// Lease lifetime, nanoseconds of the caller's clock (default 100 ms). 0 disables leases.
    pub ttl_nanos: u64,
}

impl Default for LeasePolicy {
    fn default() -> Self {
        LeasePolicy { max_share: 600, ttl_nanos: 100_000_000 }
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
    /// Units this lease is kept at: doubled when half of it is spent in under half its
    /// lifetime, halved when it expired with more than half unspent (0: not sized yet).
    size: u64,
    expires_nanos: u64,
    is_fetching: bool,
    /// After the shared limiter refused a lease: check exactly until then.
    exact_until_nanos: u64,
    /// After a refused (or failed) top-up: no other top-up before then.
    next_top_up_nanos: u64,
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

    /// Spend `cost` from a live lease (and claim a top-up when it runs low or old), claim the
    /// right to fetch a new lease, or say the request must be checked exactly. `cap` is the
    /// largest lease at this request's cost (`cost` times the requests a lease may cover).
    fn take_local(&self, key: &str, cost: u64, cap: u64, now: u64) -> Take {
        let Ok(mut leases) = self.leases.lock() else { return Take::Exact };
        let lease = leases.entry(key.to_string()).or_default();
        let floor = cost.saturating_mul(2).min(cap);
        if lease.size == 0 {
            lease.size = cost.saturating_mul(INITIAL_REQUESTS);
        }
        lease.size = lease.size.clamp(floor, cap);
        if now < lease.expires_nanos && lease.units >= cost {
            lease.units -= cost;
            if !lease.is_fetching
                && now >= lease.exact_until_nanos
                && now >= lease.next_top_up_nanos
            {
                let low = lease.units < lease.size / 2;
                let aging = now >= lease.expires_nanos.saturating_sub(self.policy.ttl_nanos / 2);
                if low && !aging {
                    lease.size = lease.size.saturating_mul(2).min(cap);
                }
                // Aging with most of it left: no top-up; the lease runs out its lifetime and
                // the next fetch is smaller.
                let deficit = lease.size.saturating_sub(lease.units);
                if (low || aging) && deficit >= floor {
                    lease.is_fetching = true;
                    return Take::SpentAndTopUp(deficit);
                }
            }
            return Take::Spent;
        }
        if lease.is_fetching || now < lease.exact_until_nanos {
            return Take::Exact;
        }
        if lease.units > lease.size / 2 {
            // The last lease expired mostly unspent: this replica needs less.
            lease.size = (lease.size / 2).max(floor);
        }
        lease.is_fetching = true;
        lease.units = 0;
        Take::Fetch(lease.size)
    }

    /// Record a fetch's outcome (see [`Fetched`]).
    fn settle_fetch(&self, key: &str, outcome: Fetched, now: u64) {
        let Ok(mut leases) = self.leases.lock() else { return };
        let l = leases.entry(key.to_string()).or_default();
        l.is_fetching = false;
        match outcome {
            Fetched::Reserved(u) => {
                let kept = if now < l.expires_nanos { l.units } else { 0 };
                l.units = kept.saturating_add(u);
                l.expires_nanos = now.saturating_add(self.policy.ttl_nanos);
            }
            Fetched::Refused => l.exact_until_nanos = now.saturating_add(self.policy.ttl_nanos),
            Fetched::TopUpRefused => {
                l.next_top_up_nanos = now.saturating_add(self.policy.ttl_nanos / 10);
            }
        }
        // Drop expired leases now and then so keys that went quiet do not accumulate.
        if leases.len() > 4096 {
            leases
                .retain(|_, l| l.is_fetching || now < l.expires_nanos || now < l.exact_until_nanos);
        }
    }
}

/// What a fetch from the shared limiter came back with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fetched {
    /// These units were reserved at the request's `now` and join the lease (what is left of a
    /// live lease stays; an expired one's remainder is lost).
    Reserved(u64),
    /// A new lease was refused: the pair is checked exactly for one lease lifetime.
    Refused,
    /// A top-up was refused, or Redis did not answer in time (the same answer under the
    /// closed fail mode): the live lease is spent as it is, with no other top-up for a tenth
    /// of a lifetime; when it runs out, the next fetch decides. Not exact mode: a slow reply
    /// on a saturated replica would otherwise send every request to Redis for a lifetime.
    TopUpRefused,
}

/// The first lease of a bucket pair covers this many requests; it grows from there.
const INITIAL_REQUESTS: u64 = 8;

/// What [`LeasedLimiter::take_local`] decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Take {
    /// Paid from the lease.
    Spent,
    /// Paid from the lease, which is low or old: this request reserves this many units more
    /// (after answering from the lease, so the others keep spending meanwhile).
    SpentAndTopUp(u64),
    /// No live lease: this request fetches one of this many units, its own cost included.
    Fetch(u64),
    /// Another request is fetching, or the pair is near its limit: check exactly.
    Exact,
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
            match self.take_local(&key, cost, cost.saturating_mul(n), now_nanos) {
                Take::Spent => AllDecision::Allow,
                Take::SpentAndTopUp(units) => {
                    // The request is already paid for; the top-up only refills the lease.
                    let got = match self.inner.check_all_async(buckets, units, now_nanos).await {
                        AllDecision::Allow => Fetched::Reserved(units),
                        AllDecision::Deny { .. } => Fetched::TopUpRefused,
                    };
                    self.settle_fetch(&key, got, now_nanos);
                    AllDecision::Allow
                }
                Take::Exact => self.inner.check_all_async(buckets, cost, now_nanos).await,
                Take::Fetch(full) => {
                    match self.inner.check_all_async(buckets, full, now_nanos).await {
                        AllDecision::Allow => {
                            self.settle_fetch(&key, Fetched::Reserved(full - cost), now_nanos);
                            AllDecision::Allow
                        }
                        AllDecision::Deny { .. } => {
                            // Near the limit: no lease, and the request's own cost decides.
                            self.settle_fetch(&key, Fetched::Refused, now_nanos);
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
        costs: Mutex<Vec<u64>>,
    }

    impl RateLimiter for Shared {
        fn check(&self, key: &str, quota: Quota, cost: u64, now: u64) -> Decision {
            self.calls.fetch_add(1, Ordering::Relaxed);
            self.costs.lock().unwrap().push(cost);
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
        // 600,000 a minute: a lease grows from 8 to at most 1,000 requests.
        let b = buckets(600_000);
        let mut allowed = run(&replicas, &b, 300_000, 5_000);
        assert_eq!(allowed, 300_000);
        let calls = shared.calls.load(Ordering::Relaxed);
        // Grown to 1,000, a lease is topped up (two buckets) when half of it is spent; the
        // growth from 8 costs each replica 7 more.
        assert!(calls <= 2 * (300_000 / 500 + 3 * 8), "round trips {calls}");
        allowed += run(&replicas, &b, 400_000, 5_000);
        assert!(allowed <= 600_000, "{allowed}");
        // Leases lost at most one lease per replica: everything else was admitted.
        assert!(allowed >= 600_000 - 3 * 1_000, "{allowed}");
    }

    /// A shared limiter whose combined checks take a scheduling round (as a network round trip
    /// does), so requests running together see a fetch in flight.
    struct Slow(Shared);

    impl RateLimiter for Slow {
        fn check(&self, key: &str, quota: Quota, cost: u64, now: u64) -> Decision {
            self.0.check(key, quota, cost, now)
        }
        fn refund(&self, key: &str, quota: Quota, units: u64, now: u64) {
            self.0.refund(key, quota, units, now);
        }
        fn check_all_async<'a>(
            &'a self,
            buckets: &'a [Bucket<'a>],
            cost: u64,
            now: u64,
        ) -> AllFuture<'a> {
            Box::pin(async move {
                tokio::task::yield_now().await;
                self.0.check_all_async(buckets, cost, now).await
            })
        }
    }

    #[test]
    fn a_busy_lease_is_topped_up_before_it_expires() {
        let shared = Arc::new(Slow(Shared::default()));
        let r = LeasedLimiter::new(shared.clone(), LeasePolicy::default());
        // 600,000 a minute: a lease covers up to 1,000 requests and lives 100 ms. Four
        // requests in flight every 10 ms spend 40 per lifetime.
        let b = buckets(600_000);
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let mut admitted = 0u64;
        for tick in 0..200u64 {
            let now = 1_000 + tick * 10_000_000;
            let batch = (0..4).map(|_| r.check_all_async(&b, 1, now));
            let decisions = rt.block_on(futures_util::future::join_all(batch));
            admitted += decisions.iter().filter(|d| **d == AllDecision::Allow).count() as u64;
        }
        assert_eq!(admitted, 800);
        let costs = shared.0.costs.lock().unwrap().clone();
        // Exact checks only while the lease was still growing: at the first fetch (3 requests,
        // two buckets each) and at most a few times after it. Without top-ups every expiry
        // sent three requests to the shared limiter alone (about 120 bucket checks here).
        let exact = costs.iter().filter(|&&c| c == 1).count();
        assert!(exact <= 12, "{exact} bucket checks of single requests: {costs:?}");
        // Sized by use: what is reserved but not spent stays within a few ticks' spending,
        // far below the 1,000 cap.
        let reserved: u64 = costs.iter().step_by(2).sum();
        assert!(reserved - admitted <= 64, "reserved {reserved}, admitted {admitted}");
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

    #[test]
    fn a_refused_top_up_keeps_spending_the_live_lease() {
        let shared = Arc::new(Shared::default());
        let r = [LeasedLimiter::new(shared.clone(), LeasePolicy::default())];
        let b = buckets(600_000);
        // The first request fetches a lease of 8; then the key bucket is spent to the last unit.
        assert_eq!(run(&r, &b, 1, 0), 1);
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        assert_eq!(rt.block_on(shared.check_all_async(&b[..1], 599_992, 0)), AllDecision::Allow);
        let before = shared.calls.load(Ordering::Relaxed);
        // The 7 leased units are still spent; one top-up was tried (and refused) on the way.
        assert_eq!(run(&r, &b, 7, 0), 7);
        let tried = shared.calls.load(Ordering::Relaxed) - before;
        assert!((1..=2).contains(&tried), "{tried} calls for one refused top-up");
        // Then the lease is empty, a new one is refused and the exact check refuses too.
        assert_eq!(run(&r, &b, 1, 0), 0);
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
