//! Verification attempt counters shared by every replica (issue 10).
//!
//! Caller verification counts failures per subject (a session, a caller number, a claimed
//! patient) in a sliding window, with a backoff after each failure and a lockout at a
//! maximum. With one counter per replica, a guesser behind round robin gets the maximum once
//! per replica; here every replica counts in the same Redis hash per subject:
//! `<prefix>va:<subject>` with fields `f` (failure times in the window, Unix seconds,
//! space-separated), `n` (next attempt allowed at) and `l` (locked until). Subjects arrive
//! already keyed (`<scope>:<hex of a keyed hash>`); nothing here sees a number, id or name.
//!
//! - Recording a failure is one Lua script over all the attempt's subjects, so the window
//!   trim, the count, the backoff and the lockout decision are atomic on the server: two
//!   replicas recording at once cannot both miss the lockout. The script is sent with
//!   `EVALSHA` and loaded when the server answers `NOSCRIPT` (the `redis` crate's
//!   `Script::invoke` does both). A key expires when it holds nothing left to remember
//!   (newest failure + window, backoff and lockout all passed).
//! - Checking reads `n` and `l` of every subject in one pipelined round trip; it writes
//!   nothing. Check and record are separate round trips (the match runs in between), so
//!   attempts racing on several replicas within one round trip can each pass the check: the
//!   overshoot is at most one attempt per replica racing, and only within the moment before
//!   the first failure's backoff is written.
//! - Time is the caller's clock (`now`, Unix seconds), not Redis `TIME`: the verifier's clock
//!   is injected so the limiter is deterministic in tests, and the lockout times it returns
//!   are turned into `Retry-After` by the same clock. Replica clock skew (NTP keeps it to
//!   milliseconds) shifts a backoff or lockout by at most the skew, on a scale of seconds to
//!   minutes.
//! - Calls are synchronous and bounded: the verifier is synchronous, and verification attempts
//!   are rare (only when a caller makes claims), so the caller blocks for at most
//!   `RedisOptions::timeout` (plus a small margin) per round trip. The Redis connection lives on
//!   a dedicated IO thread with its own current-thread runtime (as the PostgreSQL backend
//!   does): a `ConnectionManager` that reconnects by itself, every job bounded by the timeout
//!   on that thread, the caller waiting on a channel with `recv_timeout`. This keeps every
//!   step bounded, including a reconnect (redis-rs's blocking connection sends its setup
//!   commands before a read timeout can be set, so a hanging server would hang it), and works
//!   whether or not the caller runs inside a tokio runtime. Every failure is an `Err`; the
//!   verifier fails closed on it (this module has no fail-open mode). Errors and logs carry
//!   kinds only, never the URL.

use super::RedisOptions;
use crate::Error;
use ::redis::aio::ConnectionManager;
use futures_util::future::BoxFuture;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;

/// Durations are clamped to this (about 34,000 years) so the script's arithmetic stays exact.
const MAX_SECS: u64 = 1 << 40;

/// The limits a failure is recorded under (the maximum is per subject).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptLimits {
    /// Failures older than this are forgotten (seconds).
    pub window_secs: u64,
    /// First backoff after a failure (seconds).
    pub base_backoff_secs: u64,
    /// Backoff cap (seconds).
    pub max_backoff_secs: u64,
    /// Lockout duration (seconds).
    pub lockout_secs: u64,
}

/// One subject of a failed attempt.
#[derive(Debug, Clone, Copy)]
pub struct FailedSubject<'a> {
    /// `<scope>:<hex>` (a keyed hash; never plaintext).
    pub key: &'a str,
    /// Failures in the window that lock the subject.
    pub max: u32,
}

/// A lockout a recorded failure started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartedLockout {
    /// Index of the subject in the call.
    pub index: usize,
    /// Failures in the window when it began.
    pub failures: u32,
    /// Locked until (Unix seconds).
    pub locked_until: u64,
}

/// A subject's stored times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SubjectTimes {
    /// Next attempt allowed at (Unix seconds; 0 = no record).
    pub next_allowed: u64,
    /// Locked until (Unix seconds; 0 = never locked).
    pub locked_until: u64,
}

/// Record one failure on every subject, atomically. KEYS = subject hashes. ARGV: now, window,
/// base backoff, backoff cap, lockout (seconds), then the maximum of each key. Returns
/// {index (1-based), failures, locked_until} triples for the lockouts started.
const RECORD_FAILURE_LUA: &str = r"
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local base = tonumber(ARGV[3])
local cap = tonumber(ARGV[4])
local lockout = tonumber(ARGV[5])
local out = {}
for i = 1, #KEYS do
  local max = tonumber(ARGV[5 + i])
  local v = redis.call('HMGET', KEYS[i], 'f', 'l')
  local kept = {}
  if v[1] then
    for t in string.gmatch(v[1], '%d+') do
      local x = tonumber(t)
      if now - x < window then kept[#kept + 1] = x end
    end
  end
  kept[#kept + 1] = now
  local n = #kept
  local next_allowed = now + math.min(base * 2 ^ math.min(n - 1, 20), cap)
  local locked_until = tonumber(v[2] or '0') or 0
  if n >= max and locked_until <= now then
    locked_until = now + lockout
    -- A lockout consumes the failures that caused it.
    kept = {}
    out[#out + 1] = i
    out[#out + 1] = n
    out[#out + 1] = string.format('%d', locked_until)
  end
  local horizon = math.max(next_allowed, locked_until)
  local parts = {}
  for j = 1, #kept do
    parts[j] = string.format('%d', kept[j])
    horizon = math.max(horizon, kept[j] + window)
  end
  redis.call('HSET', KEYS[i], 'f', table.concat(parts, ' '),
    'n', string.format('%d', next_allowed), 'l', string.format('%d', locked_until))
  redis.call('EXPIRE', KEYS[i], string.format('%d', math.max(1, horizon - now + 1)))
end
return out
";

type Job = Box<dyn FnOnce(ConnectionManager) -> BoxFuture<'static, ()> + Send>;

/// The shared attempt counters (see the module docs). Share it behind an `Arc`; dropping the
/// last handle stops its IO thread.
pub struct RedisAttempts {
    jobs: mpsc::Sender<Job>,
    script: ::redis::Script,
    opts: RedisOptions,
    failures: AtomicU64,
    last_warn_secs: AtomicU64,
}

impl std::fmt::Debug for RedisAttempts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisAttempts").field("opts", &self.opts).finish()
    }
}

fn redis_error(e: &::redis::RedisError) -> Error {
    if e.is_timeout() {
        return Error::Timeout("redis attempt store");
    }
    // Kind and category only: never the text of a connection error (it can name the host).
    Error::Backend { backend: "redis", detail: format!("{:?}: {}", e.kind(), e.category()) }
}

fn unix_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Margin on top of the timeout for the hop to the IO thread and back.
const HANDOFF: Duration = Duration::from_millis(50);

impl RedisAttempts {
    /// Start the IO thread, connect (bounded by `max(timeout, 2 s)`) and load the script.
    /// Blocking: call it off the async runtime (`spawn_blocking`).
    pub fn connect(opts: RedisOptions) -> Result<Self, Error> {
        let client = ::redis::Client::open(opts.url.as_str()).map_err(|e| redis_error(&e))?;
        let script = ::redis::Script::new(RECORD_FAILURE_LUA);
        let connect_wait = opts.timeout.max(Duration::from_secs(2));
        let cfg = ::redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(connect_wait)
            .set_response_timeout(opts.timeout.max(Duration::from_millis(1)))
            .set_number_of_retries(1)
            .set_max_delay(200);
        let rt =
            tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| {
                Error::Backend { backend: "redis", detail: format!("runtime: {}", e.kind()) }
            })?;
        let (job_tx, mut job_rx) = mpsc::channel::<Job>(256);
        let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel::<Result<(), Error>>(1);
        let load = script.clone();
        std::thread::Builder::new()
            .name("phiwall-redis-attempts".into())
            .spawn(move || {
                rt.block_on(async move {
                    let connect = async {
                        let mut c = ::redis::aio::ConnectionManager::new_with_config(client, cfg)
                            .await
                            .map_err(|e| redis_error(&e))?;
                        load.prepare_invoke()
                            .load_async(&mut c)
                            .await
                            .map_err(|e| redis_error(&e))?;
                        Ok::<_, Error>(c)
                    };
                    let conn = match tokio::time::timeout(connect_wait, connect).await {
                        Ok(Ok(c)) => c,
                        Ok(Err(e)) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                        Err(_) => {
                            let _ = ready_tx.send(Err(Error::Timeout("connecting to redis")));
                            return;
                        }
                    };
                    let _ = ready_tx.send(Ok(()));
                    // Jobs one at a time, each bounded by the timeout; the loop ends when the
                    // last handle is dropped.
                    while let Some(job) = job_rx.recv().await {
                        job(conn.clone()).await;
                    }
                });
            })
            .map_err(|e| Error::Backend {
                backend: "redis",
                detail: format!("thread: {}", e.kind()),
            })?;
        match ready_rx.recv_timeout(connect_wait + Duration::from_secs(1)) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e),
            Err(_) => return Err(Error::Timeout("connecting to redis")),
        }
        Ok(RedisAttempts {
            jobs: job_tx,
            script,
            opts,
            failures: AtomicU64::new(0),
            last_warn_secs: AtomicU64::new(0),
        })
    }

    /// Run `f` on the IO thread and wait for its answer, bounded by the timeout.
    fn run<T, F, Fut>(&self, what: &'static str, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(ConnectionManager) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ::redis::RedisResult<T>> + Send + 'static,
    {
        let timeout = self.opts.timeout;
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let job: Job = Box::new(move |conn| {
            Box::pin(async move {
                let r = match tokio::time::timeout(timeout, f(conn)).await {
                    Ok(Ok(v)) => Ok(v),
                    Ok(Err(e)) => Err(redis_error(&e)),
                    Err(_) => Err(Error::Timeout("redis attempt store")),
                };
                let _ = tx.send(r);
            })
        });
        if self.jobs.try_send(job).is_err() {
            return Err(self.failed(what, Error::Timeout("redis attempt store queue full")));
        }
        match rx.recv_timeout(timeout + HANDOFF) {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(self.failed(what, e)),
            Err(_) => Err(self.failed(what, Error::Timeout("redis attempt store"))),
        }
    }

    /// Calls that could not get an answer (each refused by the verifier).
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    fn key(&self, subject: &str) -> String {
        format!("{}va:{subject}", self.opts.key_prefix)
    }

    fn failed(&self, what: &'static str, e: Error) -> Error {
        let n = self.failures.fetch_add(1, Ordering::Relaxed) + 1;
        let now = unix_secs();
        let last = self.last_warn_secs.swap(now, Ordering::Relaxed);
        if now.saturating_sub(last) >= 10 {
            tracing::warn!(
                what,
                error = %e,
                failures = n,
                "Shared verification attempt store unavailable; verification attempts are refused"
            );
        }
        e
    }

    /// The stored times of each subject, in order (one pipelined read; writes nothing).
    pub fn times(&self, subjects: &[&str]) -> Result<Vec<SubjectTimes>, Error> {
        if subjects.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = ::redis::pipe();
        for s in subjects {
            pipe.cmd("HMGET").arg(self.key(s)).arg("n").arg("l");
        }
        let rows: Vec<(Option<u64>, Option<u64>)> = self
            .run("reading attempt counters", move |mut c| async move {
                pipe.query_async(&mut c).await
            })?;
        if rows.len() != subjects.len() {
            return Err(self.failed(
                "reading attempt counters",
                Error::Backend { backend: "redis", detail: "unexpected reply length".into() },
            ));
        }
        Ok(rows
            .into_iter()
            .map(|(n, l)| SubjectTimes {
                next_allowed: n.unwrap_or(0),
                locked_until: l.unwrap_or(0),
            })
            .collect())
    }

    /// Count a failure at `now` on every subject (atomically); returns the lockouts started.
    pub fn record_failure(
        &self,
        subjects: &[FailedSubject<'_>],
        limits: AttemptLimits,
        now: u64,
    ) -> Result<Vec<StartedLockout>, Error> {
        if subjects.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = subjects.iter().map(|s| self.key(s.key)).collect();
        let maxes: Vec<u32> = subjects.iter().map(|s| s.max.max(1)).collect();
        let script = self.script.clone();
        let flat: Vec<u64> = self.run("recording a failed attempt", move |mut c| async move {
            let mut inv = script.prepare_invoke();
            inv.arg(now.min(MAX_SECS))
                .arg(limits.window_secs.clamp(1, MAX_SECS))
                .arg(limits.base_backoff_secs.min(MAX_SECS))
                .arg(limits.max_backoff_secs.min(MAX_SECS))
                .arg(limits.lockout_secs.min(MAX_SECS));
            for (k, m) in keys.iter().zip(&maxes) {
                inv.key(k).arg(*m);
            }
            inv.invoke_async(&mut c).await
        })?;
        let bad = || Error::Backend { backend: "redis", detail: "unexpected script reply".into() };
        if !flat.len().is_multiple_of(3) {
            return Err(self.failed("recording a failed attempt", bad()));
        }
        let mut out = Vec::with_capacity(flat.len() / 3);
        for t in flat.chunks_exact(3) {
            let index = usize::try_from(t[0]).unwrap_or(0);
            if index == 0 || index > subjects.len() {
                return Err(self.failed("recording a failed attempt", bad()));
            }
            out.push(StartedLockout {
                index: index - 1,
                failures: u32::try_from(t[1]).unwrap_or(u32::MAX),
                locked_until: t[2],
            });
        }
        Ok(out)
    }

    /// Forget these subjects.
    pub fn clear(&self, subjects: &[&str]) -> Result<(), Error> {
        if subjects.is_empty() {
            return Ok(());
        }
        let keys: Vec<String> = subjects.iter().map(|s| self.key(s)).collect();
        self.run("clearing attempt counters", move |mut c| async move {
            ::redis::cmd("DEL").arg(&keys).query_async::<i64>(&mut c).await.map(|_| ())
        })
    }
}
