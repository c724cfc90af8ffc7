//! The delivery loop of one sink, on its own thread: read a batch from the disk buffer, send
//! it through the sink's [`Transport`], acknowledge it in the buffer only when the receiver
//! acknowledged it, and otherwise retry with exponential backoff and full jitter
//! (`sleep = random(0, min(cap, base * 2^attempt))`) until it succeeds or the sink stops.
//!
//! Order: one batch in flight per sink, sent again until acknowledged, so records reach the
//! receiver in buffer order (duplicates only when a batch was delivered but its acknowledgement
//! was lost: at-least-once). A batch the receiver rejects as malformed (a 4xx other than
//! 401/403/408/429) is logged, counted in `phiwall_sink_rejected_total` and skipped, so one bad
//! record cannot stop delivery.

use super::buffer::DiskBuffer;
use crate::metrics::SinkStats;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Why a send failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// Try again later (network, 5xx, 429, 408, auth, missing acknowledgement).
    #[error("retryable: {0}")]
    Retry(String),
    /// The receiver refused the batch as malformed; retrying cannot help.
    #[error("rejected: {0}")]
    Reject(String),
}

/// What a successful send reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    /// Records of the batch the receiver refused individually as malformed (the rest landed).
    pub rejected: usize,
}

/// Sends batches of encoded records to one receiver. Messages in errors name statuses and
/// error kinds only, never record content or response bodies.
pub trait Transport: Send {
    /// Deliver `batch` (each element one encoded record, in order); `Ok` only once the receiver
    /// acknowledged it.
    fn send(&mut self, batch: &[&[u8]]) -> Result<Sent, SendError>;
}

/// Retry and batching settings.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// Most records per batch.
    pub batch_records: usize,
    /// Most bytes per batch (approximate: whole records).
    pub batch_bytes: u64,
    /// First backoff ceiling.
    pub backoff_base: Duration,
    /// Largest backoff ceiling.
    pub backoff_max: Duration,
    /// At shutdown, keep delivering for up to this long; the rest is sent after restart.
    pub shutdown_grace: Duration,
    /// When fewer than `batch_records` are waiting, wait up to this long for more before
    /// sending (fewer, larger batches and cursor writes).
    pub linger: Duration,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            batch_records: 500,
            batch_bytes: 1 << 20,
            backoff_base: Duration::from_millis(200),
            backoff_max: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(2),
            linger: Duration::from_millis(50),
        }
    }
}

/// Stop signal shared with the delivery thread.
#[derive(Default)]
pub struct Stop {
    is_stopping: AtomicBool,
    deadline: Mutex<Option<Instant>>,
    cv: Condvar,
}

impl Stop {
    /// Ask the loop to finish within `grace`.
    pub fn request(&self, grace: Duration) {
        if let Ok(mut d) = self.deadline.lock() {
            *d = Some(Instant::now() + grace);
        }
        self.is_stopping.store(true, Ordering::Release);
        self.cv.notify_all();
    }

    fn is_past_deadline(&self) -> bool {
        self.is_stopping.load(Ordering::Acquire)
            && self.deadline.lock().map(|d| d.is_none_or(|d| Instant::now() >= d)).unwrap_or(true)
    }

    /// Sleep up to `d`, waking early when a stop is requested. Returns false if past deadline.
    fn sleep(&self, d: Duration) -> bool {
        let Ok(g) = self.deadline.lock() else { return false };
        let until = Instant::now() + d;
        let mut g = g;
        loop {
            let now = Instant::now();
            let stop_at = *g;
            if let Some(s) = stop_at {
                if now >= s {
                    return false;
                }
            }
            if now >= until {
                return true;
            }
            let wake = stop_at.map_or(until, |s| s.min(until));
            match self.cv.wait_timeout(g, wake - now) {
                Ok((ng, _)) => g = ng,
                Err(_) => return false,
            }
        }
    }
}

/// A random duration in `[0, min(max, base * 2^attempt)]` (full jitter).
pub fn backoff(attempt: u32, base: Duration, max: Duration) -> Duration {
    let ceil = base.saturating_mul(1u32.checked_shl(attempt.min(20)).unwrap_or(u32::MAX)).min(max);
    let mut b = [0u8; 8];
    if getrandom::getrandom(&mut b).is_err() {
        return ceil / 2;
    }
    let r = u64::from_le_bytes(b) as f64 / u64::MAX as f64;
    ceil.mul_f64(r)
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Run until stopped: the body of the sink's delivery thread.
pub fn run(
    name: &str,
    buf: &DiskBuffer,
    transport: &mut dyn Transport,
    cfg: &DeliveryConfig,
    stats: &SinkStats,
    stop: &Stop,
) {
    loop {
        let stopping = stop.is_stopping.load(Ordering::Acquire);
        if stopping && (stop.is_past_deadline() || buf.pending().0 == 0) {
            return;
        }
        let pending = buf.pending().0;
        if !stopping && pending > 0 && pending < cfg.batch_records as u64 && !cfg.linger.is_zero() {
            buf.wait_for(cfg.batch_records as u64, cfg.linger);
        }
        let wait = if stopping { Duration::from_millis(10) } else { Duration::from_millis(200) };
        let batch = match buf.read_batch(cfg.batch_records, cfg.batch_bytes, wait) {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(sink = name, error = %e, "Sink buffer read failed");
                if !stop.sleep(Duration::from_secs(1)) {
                    return;
                }
                continue;
            }
        };
        update_gauges(buf, stats, batch.items.first().map(|i| i.appended_ms));
        if batch.items.is_empty() {
            continue;
        }
        let refs: Vec<&[u8]> = batch.items.iter().map(|i| i.data.as_slice()).collect();
        let mut attempt = 0u32;
        loop {
            match transport.send(&refs) {
                Ok(sent) => {
                    if sent.rejected > 0 {
                        stats.rejected.fetch_add(sent.rejected as u64, Ordering::Relaxed);
                        tracing::error!(
                            sink = name,
                            records = sent.rejected,
                            "Sink receiver rejected records; skipped"
                        );
                    }
                    let ok = refs.len().saturating_sub(sent.rejected) as u64;
                    stats.delivered.fetch_add(ok, Ordering::Relaxed);
                    stats.batches.fetch_add(1, Ordering::Relaxed);
                    if attempt > 0 {
                        tracing::info!(
                            sink = name,
                            attempts = attempt + 1,
                            "Sink delivery recovered"
                        );
                    }
                    break;
                }
                Err(SendError::Reject(why)) => {
                    stats.rejected.fetch_add(refs.len() as u64, Ordering::Relaxed);
                    tracing::error!(sink = name, records = refs.len(), reason = %why, "Sink receiver rejected a batch; skipped");
                    break;
                }
                Err(SendError::Retry(why)) => {
                    stats.failures.fetch_add(1, Ordering::Relaxed);
                    if attempt == 0 || attempt.is_multiple_of(10) {
                        tracing::warn!(sink = name, attempt, reason = %why, "Sink delivery failed; retrying");
                    }
                    let first = batch.items.first().map(|i| i.appended_ms);
                    update_gauges(buf, stats, first);
                    if !stop.sleep(backoff(attempt, cfg.backoff_base, cfg.backoff_max)) {
                        // Shutting down: the batch stays in the buffer for the next start.
                        let _ = buf.rewind();
                        return;
                    }
                    stats.retries.fetch_add(1, Ordering::Relaxed);
                    attempt = attempt.saturating_add(1);
                }
            }
        }
        if let Err(e) = buf.ack(&batch) {
            tracing::error!(sink = name, error = %e, "Sink buffer cursor write failed");
        }
        update_gauges(buf, stats, None);
    }
}

fn update_gauges(buf: &DiskBuffer, stats: &SinkStats, oldest_ms: Option<u64>) {
    let (records, bytes) = buf.pending();
    stats.buffered_records.store(records, Ordering::Relaxed);
    stats.buffered_bytes.store(bytes, Ordering::Relaxed);
    let lag = match oldest_ms {
        Some(t) => now_ms().saturating_sub(t),
        None if records == 0 => 0,
        None => stats.lag_ms.load(Ordering::Relaxed),
    };
    stats.lag_ms.store(lag, Ordering::Relaxed);
}

/// Shared handle used by [`super::BufferedSink`] to stop and join its thread.
pub struct Handle {
    pub(crate) stop: Arc<Stop>,
    pub(crate) thread: Option<std::thread::JoinHandle<()>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded_and_jittered() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(5);
        for a in 0..40 {
            let d = backoff(a, base, max);
            assert!(d <= max);
            assert!(d <= base * 2u32.pow(a.min(10)));
        }
        let samples: std::collections::BTreeSet<u128> =
            (0..20).map(|_| backoff(8, base, max).as_micros()).collect();
        assert!(samples.len() > 10, "jitter should vary");
    }
}
