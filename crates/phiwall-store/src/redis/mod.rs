//! The Redis backend for cluster mode (issue 10): request and token limits shared by every
//! replica.
//!
//! The limiter is the same GCRA as [`crate::InMemoryLimiter`], run as one Lua script so the read,
//! the check and the write of the theoretical arrival time (TAT) are atomic on the server: many
//! replicas reserving from one quota at once cannot overspend it together. The script reads
//! the clock with `TIME` on the Redis server, so replicas with skewed clocks still share one
//! timeline (the caller's `now_nanos` is ignored). Keys expire when their TAT has passed (a
//! passed TAT carries no state), so Redis holds only active keys. The script is sent with
//! `EVALSHA` and loaded (`SCRIPT LOAD`) when the server answers `NOSCRIPT` (restart, failover).
//!
//! Every call is bounded by a timeout (default 50 ms). When Redis fails or is slow the
//! configured [`FailMode`] decides: `Closed` (the default) refuses with `Retry-After: 1`,
//! `Open` lets the request through and logs. Refunds are queued to a background task and never
//! block a request; a full queue drops the refund (the quota is then under-used, never
//! overspent).
//!
//! [`attempts`] keeps caller verification's attempt counters and lockouts here too (a sliding
//! window per subject, one Lua script per recorded failure).

pub mod attempts;
pub mod relay;

use crate::limits::{AllDecision, AllFuture, Bucket, Decision, LimitFuture, Quota, RateLimiter};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::mpsc;

/// What a limiter decides when Redis cannot answer in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailMode {
    /// Refuse the request (the safe default).
    #[default]
    Closed,
    /// Allow the request (availability over limits; logged).
    Open,
}

/// Connection settings.
#[derive(Clone)]
pub struct RedisOptions {
    /// `redis://[:password@]host:port/db` or `rediss://...` (a secret: never printed).
    pub url: String,
    /// Prefix of every key this backend writes (separates clusters and test runs).
    pub key_prefix: String,
    /// Bound on one check.
    pub timeout: Duration,
    /// Decision when Redis fails or times out.
    pub fail_mode: FailMode,
}

impl std::fmt::Debug for RedisOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisOptions")
            .field("url", &"[redacted]")
            .field("key_prefix", &self.key_prefix)
            .field("timeout", &self.timeout)
            .field("fail_mode", &self.fail_mode)
            .finish()
    }
}

impl RedisOptions {
    /// Defaults: prefix `phiwall:`, 50 ms timeout, fail closed.
    pub fn new(url: impl Into<String>) -> Self {
        RedisOptions {
            url: url.into(),
            key_prefix: "phiwall:".into(),
            timeout: Duration::from_millis(50),
            fail_mode: FailMode::Closed,
        }
    }
}

/// GCRA in one atomic step. KEYS[1] = TAT key. ARGV: interval (µs), tolerance (µs), cost,
/// mode (`check` or `refund`). Returns {allowed (1/0), wait µs}.
const GCRA_LUA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local increment = interval * tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if ARGV[4] == 'refund' then
  if tat > now then
    local back = tat - increment
    if back > now then
      redis.call('SET', KEYS[1], string.format('%.0f', back), 'PX', math.ceil((back - now) / 1000) + 1)
    else
      redis.call('DEL', KEYS[1])
    end
  end
  return {1, 0}
end
if increment > tolerance then
  return {0, 60000000}
end
if tat < now then tat = now end
local new_tat = tat + increment
local ahead = new_tat - now
if ahead > tolerance then
  return {0, ahead - tolerance}
end
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil(ahead / 1000) + 1)
return {1, 0}
";

/// GCRA over several keys in one atomic step, all or nothing. KEYS = TAT keys. ARGV[1] = cost,
/// then (interval µs, tolerance µs) per key. Returns {1, 0, 0} when every key allowed (each
/// then holds its new TAT) or {0, index (1-based), wait µs} for the first refusing key (no key
/// changed).
const GCRA_ALL_LUA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local cost = tonumber(ARGV[1])
local new = {}
for i = 1, #KEYS do
  local interval = tonumber(ARGV[2 * i])
  local tolerance = tonumber(ARGV[2 * i + 1])
  local increment = interval * cost
  if increment > tolerance then
    return {0, i, 60000000}
  end
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  if tat < now then tat = now end
  local new_tat = tat + increment
  local ahead = new_tat - now
  if ahead > tolerance then
    return {0, i, ahead - tolerance}
  end
  new[i] = new_tat
end
for i = 1, #KEYS do
  local ahead = new[i] - now
  redis.call('SET', KEYS[i], string.format('%.0f', new[i]), 'PX', math.ceil(ahead / 1000) + 1)
end
return {1, 0, 0}
";

#[derive(Debug, PartialEq, Eq)]
struct Refund {
    key: String,
    interval_us: u64,
    tolerance_us: u64,
    units: u64,
}

/// Refunds queued before the worker drops new ones (the quota is then under-used).
const REFUND_QUEUE: usize = 16_384;

/// How long the refund worker gathers refunds before it sends them. Every answered chat request
/// refunds the tokens it reserved but did not use, to the key's and the app's bucket; one
/// script call per refund cost two Redis round trips per request (more Redis CPU than the
/// checks themselves once leases took those off the request path). Summed per bucket, a window
/// costs one call per bucket: at most 50 a second per bucket, whatever the request rate. A
/// refund reaches the shared bucket at most this much later (quota briefly under-used, never
/// overspent).
const REFUND_WINDOW: Duration = Duration::from_millis(20);

/// `first` and every refund already queued, summed per bucket (key and quota). Summing is exact:
/// the script subtracts each refund from the TAT and stops at `now`, so one call with the sum
/// leaves the TAT where the calls one by one would.
fn coalesce_refunds(first: Refund, rx: &mut mpsc::Receiver<Refund>) -> Vec<Refund> {
    let mut sums: HashMap<(String, u64, u64), u64> = HashMap::new();
    let mut add = |r: Refund| {
        let units = sums.entry((r.key, r.interval_us, r.tolerance_us)).or_insert(0);
        *units = units.saturating_add(r.units);
    };
    add(first);
    while let Ok(r) = rx.try_recv() {
        add(r);
    }
    sums.into_iter()
        .map(|((key, interval_us, tolerance_us), units)| Refund {
            key,
            interval_us,
            tolerance_us,
            units,
        })
        .collect()
}

/// The shared limiter (see the module docs). Build it inside a tokio runtime; its refund
/// worker runs there until the limiter is dropped.
pub struct RedisLimiter {
    conn: ::redis::aio::ConnectionManager,
    script: ::redis::Script,
    script_all: ::redis::Script,
    opts: RedisOptions,
    refunds: mpsc::Sender<Refund>,
    _worker: Mutex<tokio::task::JoinSet<()>>,
    failures: AtomicU64,
    last_warn_secs: AtomicU64,
}

impl std::fmt::Debug for RedisLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLimiter").field("opts", &self.opts).finish()
    }
}

fn redis_error(e: &::redis::RedisError) -> crate::Error {
    // Kind and category only: a connection error's text can name the host, never the password,
    // but keep it short.
    crate::Error::Backend { backend: "redis", detail: format!("{:?}: {}", e.kind(), e.category()) }
}

fn quota_us(quota: Quota) -> (u64, u64) {
    let interval = u64::try_from(quota.interval_nanos() / 1000).unwrap_or(u64::MAX).max(1);
    (interval, interval.saturating_mul(quota.burst.max(1)))
}

impl RedisLimiter {
    /// Connect (bounded by `max(timeout, 2 s)`), load the script and start the refund worker.
    pub async fn connect(opts: RedisOptions) -> Result<Self, crate::Error> {
        let client = ::redis::Client::open(opts.url.as_str()).map_err(|e| redis_error(&e))?;
        let cfg = ::redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(opts.timeout.max(Duration::from_secs(2)))
            .set_response_timeout(opts.timeout.max(Duration::from_millis(10)))
            .set_number_of_retries(2)
            .set_max_delay(500);
        let connect = ::redis::aio::ConnectionManager::new_with_config(client, cfg);
        let mut conn =
            match tokio::time::timeout(opts.timeout.max(Duration::from_secs(2)), connect).await {
                Ok(Ok(c)) => c,
                Ok(Err(e)) => return Err(redis_error(&e)),
                Err(_) => return Err(crate::Error::Timeout("connecting to redis")),
            };
        let script = ::redis::Script::new(GCRA_LUA);
        script.prepare_invoke().load_async(&mut conn).await.map_err(|e| redis_error(&e))?;
        let script_all = ::redis::Script::new(GCRA_ALL_LUA);
        script_all.prepare_invoke().load_async(&mut conn).await.map_err(|e| redis_error(&e))?;
        let (tx, mut rx) = mpsc::channel::<Refund>(REFUND_QUEUE);
        let mut worker = tokio::task::JoinSet::new();
        let mut wconn = conn.clone();
        let wscript = script.clone();
        worker.spawn(async move {
            while let Some(first) = rx.recv().await {
                // Let the window's refunds gather, then send one script call per bucket.
                tokio::time::sleep(REFUND_WINDOW).await;
                for r in coalesce_refunds(first, &mut rx) {
                    let _: Result<Vec<i64>, _> = wscript
                        .key(&r.key)
                        .arg(r.interval_us)
                        .arg(r.tolerance_us)
                        .arg(r.units)
                        .arg("refund")
                        .invoke_async(&mut wconn)
                        .await;
                }
            }
        });
        Ok(RedisLimiter {
            conn,
            script,
            script_all,
            opts,
            refunds: tx,
            _worker: Mutex::new(worker),
            failures: AtomicU64::new(0),
            last_warn_secs: AtomicU64::new(0),
        })
    }

    /// Checks that could not reach Redis in time (each decided by the fail mode).
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    /// Round trip to Redis (for readiness).
    pub async fn ping(&self) -> Result<(), crate::Error> {
        let mut c = self.conn.clone();
        let r = tokio::time::timeout(
            self.opts.timeout.max(Duration::from_millis(200)),
            ::redis::cmd("PING").query_async::<String>(&mut c),
        )
        .await;
        match r {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(redis_error(&e)),
            Err(_) => Err(crate::Error::Timeout("redis ping")),
        }
    }

    fn failure_decision(&self, what: &str) -> Decision {
        self.failures.fetch_add(1, Ordering::Relaxed);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let last = self.last_warn_secs.swap(now, Ordering::Relaxed);
        if now.saturating_sub(last) >= 10 {
            tracing::warn!(
                what,
                fail_mode = ?self.opts.fail_mode,
                failures = self.failures(),
                "Shared rate limiter unavailable; applying the configured failure decision"
            );
        }
        match self.opts.fail_mode {
            FailMode::Closed => Decision::Deny { retry_after: Duration::from_secs(1) },
            FailMode::Open => Decision::Allow,
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}rl:{key}", self.opts.key_prefix)
    }

    async fn check_inner(&self, key: &str, quota: Quota, cost: u64) -> Decision {
        let (interval, tolerance) = quota_us(quota);
        let mut conn = self.conn.clone();
        let mut inv = self.script.key(self.key(key));
        inv.arg(interval).arg(tolerance).arg(cost).arg("check");
        let fut = inv.invoke_async::<Vec<i64>>(&mut conn);
        match tokio::time::timeout(self.opts.timeout, fut).await {
            Ok(Ok(v)) => match v.as_slice() {
                [1, _] => Decision::Allow,
                [0, wait] => Decision::Deny {
                    retry_after: Duration::from_micros(u64::try_from(*wait).unwrap_or(0)),
                },
                _ => self.failure_decision("unexpected script reply"),
            },
            Ok(Err(_)) => self.failure_decision("redis error"),
            Err(_) => self.failure_decision("redis timeout"),
        }
    }
}

impl RedisLimiter {
    async fn check_all_inner(&self, buckets: &[Bucket<'_>], cost: u64) -> AllDecision {
        let as_all = |d: Decision| match d {
            Decision::Allow => AllDecision::Allow,
            Decision::Deny { retry_after } => AllDecision::Deny { bucket: 0, retry_after },
        };
        if buckets.is_empty() {
            return AllDecision::Allow;
        }
        let mut conn = self.conn.clone();
        let mut inv = self.script_all.prepare_invoke();
        inv.arg(cost);
        for b in buckets {
            let (interval, tolerance) = quota_us(b.quota);
            inv.key(self.key(b.key)).arg(interval).arg(tolerance);
        }
        let fut = inv.invoke_async::<Vec<i64>>(&mut conn);
        match tokio::time::timeout(self.opts.timeout, fut).await {
            Ok(Ok(v)) => match v.as_slice() {
                [1, _, _] => AllDecision::Allow,
                [0, i, wait] => match usize::try_from(*i) {
                    Ok(i) if (1..=buckets.len()).contains(&i) => AllDecision::Deny {
                        bucket: i - 1,
                        retry_after: Duration::from_micros(u64::try_from(*wait).unwrap_or(0)),
                    },
                    _ => as_all(self.failure_decision("unexpected script reply")),
                },
                _ => as_all(self.failure_decision("unexpected script reply")),
            },
            Ok(Err(_)) => as_all(self.failure_decision("redis error")),
            Err(_) => as_all(self.failure_decision("redis timeout")),
        }
    }
}

impl RateLimiter for RedisLimiter {
    /// Synchronous callers cannot wait for the network here: they get the failure decision.
    fn check(&self, _key: &str, _quota: Quota, _cost: u64, _now_nanos: u64) -> Decision {
        self.failure_decision("synchronous check on a shared limiter")
    }

    fn refund(&self, key: &str, quota: Quota, units: u64, _now_nanos: u64) {
        let (interval_us, tolerance_us) = quota_us(quota);
        // A full queue drops the refund: the quota is under-used, never overspent.
        let _ =
            self.refunds.try_send(Refund { key: self.key(key), interval_us, tolerance_us, units });
    }

    fn check_async<'a>(
        &'a self,
        key: &'a str,
        quota: Quota,
        cost: u64,
        _now_nanos: u64,
    ) -> LimitFuture<'a> {
        Box::pin(self.check_inner(key, quota, cost))
    }

    /// One round trip for every bucket (one atomic script).
    fn check_all_async<'a>(
        &'a self,
        buckets: &'a [Bucket<'a>],
        cost: u64,
        _now_nanos: u64,
    ) -> AllFuture<'a> {
        Box::pin(self.check_all_inner(buckets, cost))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refund(key: &str, interval_us: u64, units: u64) -> Refund {
        Refund { key: key.into(), interval_us, tolerance_us: interval_us * 10, units }
    }

    #[tokio::test]
    async fn queued_refunds_are_summed_per_bucket() {
        let (tx, mut rx) = mpsc::channel(16);
        for r in [refund("t:k1", 10, 5), refund("t:app:a", 20, 7), refund("t:k1", 10, 3)] {
            tx.send(r).await.unwrap_or_else(|_| unreachable!());
        }
        // Same key under another quota (the config changed): a bucket of its own.
        tx.send(refund("t:k1", 30, 1)).await.unwrap_or_else(|_| unreachable!());
        let mut got = coalesce_refunds(refund("t:k1", 10, 2), &mut rx);
        got.sort_by(|a, b| (&a.key, a.interval_us).cmp(&(&b.key, b.interval_us)));
        assert_eq!(
            got,
            vec![refund("t:app:a", 20, 7), refund("t:k1", 10, 10), refund("t:k1", 30, 1)]
        );
        assert!(rx.try_recv().is_err(), "the queue is drained");
    }

    #[tokio::test]
    async fn summed_units_saturate() {
        let (tx, mut rx) = mpsc::channel(4);
        tx.send(refund("r:k", 1, u64::MAX)).await.unwrap_or_else(|_| unreachable!());
        let got = coalesce_refunds(refund("r:k", 1, 9), &mut rx);
        assert_eq!(got, vec![refund("r:k", 1, u64::MAX)]);
    }
}
