//! Injected time. The ledger asks a [`Clock`] whenever it needs "now" (event times when the
//! caller supplies none, checkpoint times and intervals, key creation times) so tests are
//! deterministic.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of wall-clock time in microseconds since the Unix epoch.
pub trait Clock: Send + Sync {
    /// Now.
    fn now_micros(&self) -> u64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_micros(&self) -> u64 {
        // A clock before 1970 reads as 0 rather than failing the audit write.
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
    }
}

/// A clock tests move by hand.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicU64);

impl ManualClock {
    /// A clock reading `micros`.
    pub fn new(micros: u64) -> Self {
        Self(AtomicU64::new(micros))
    }
    /// Move forward.
    pub fn advance(&self, micros: u64) {
        self.0.fetch_add(micros, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_micros(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks() {
        assert!(SystemClock.now_micros() > 1_600_000_000_000_000);
        let c = ManualClock::new(5);
        c.advance(10);
        assert_eq!(c.now_micros(), 15);
    }
}
