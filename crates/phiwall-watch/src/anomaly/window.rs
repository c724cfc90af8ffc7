//! Sliding windows with bounded memory, driven by event time only.
//!
//! [`Window`] sums K channels over a window split into [`BUCKETS`] buckets (the oldest bucket
//! leaves whole, so the window is exact to one bucket width). [`DistinctWindow`] counts distinct
//! 64-bit item hashes seen within a window and holds at most `cap` items: past the cap the oldest
//! is dropped, so the count saturates at `cap` (set well above every threshold).

use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};

/// Buckets per window.
pub const BUCKETS: usize = 30;

/// A deterministic 64-bit hash of an identifier (SipHash with fixed keys; only used to count
/// distinct items, never stored in output).
pub fn item_hash(s: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// K sums over a sliding window.
#[derive(Debug, Clone)]
pub struct Window<const K: usize> {
    width_ms: i64,
    slots: [(i64, [f64; K]); BUCKETS],
}

impl<const K: usize> Window<K> {
    /// A window of `window_secs` seconds (at least one second).
    pub fn new(window_secs: u64) -> Self {
        let ms = i64::try_from(window_secs.max(1)).unwrap_or(3600).saturating_mul(1000);
        let width_ms = (ms / BUCKETS as i64).max(1);
        Window { width_ms, slots: [(i64::MIN, [0.0; K]); BUCKETS] }
    }

    fn bucket(&self, now_ms: i64) -> i64 {
        now_ms.div_euclid(self.width_ms)
    }

    /// Add `v` at `now_ms`.
    pub fn add(&mut self, now_ms: i64, v: [f64; K]) {
        let b = self.bucket(now_ms);
        let slot = &mut self.slots[b.rem_euclid(BUCKETS as i64) as usize];
        if slot.0 != b {
            *slot = (b, [0.0; K]);
        }
        for (s, x) in slot.1.iter_mut().zip(v) {
            *s += x;
        }
    }

    /// The sums over the window ending at `now_ms`.
    pub fn sum(&self, now_ms: i64) -> [f64; K] {
        let b = self.bucket(now_ms);
        let oldest = b - BUCKETS as i64 + 1;
        let mut out = [0.0; K];
        for (sb, vals) in &self.slots {
            if *sb >= oldest && *sb <= b {
                for (o, x) in out.iter_mut().zip(vals) {
                    *o += x;
                }
            }
        }
        out
    }
}

/// Distinct items seen within a sliding window, bounded.
#[derive(Debug, Clone)]
pub struct DistinctWindow {
    window_ms: i64,
    cap: usize,
    last_seen: HashMap<u64, i64>,
    order: VecDeque<(i64, u64)>,
}

impl DistinctWindow {
    /// Count distinct items over `window_secs`, holding at most `cap`.
    pub fn new(window_secs: u64, cap: usize) -> Self {
        DistinctWindow {
            window_ms: i64::try_from(window_secs).unwrap_or(86_400).saturating_mul(1000),
            cap: cap.max(1),
            last_seen: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// Record `item` at `now_ms`; returns whether it was new within the window.
    pub fn add(&mut self, now_ms: i64, item: u64) -> bool {
        self.expire(now_ms);
        let is_new = self.last_seen.insert(item, now_ms).is_none();
        self.order.push_back((now_ms, item));
        while self.last_seen.len() > self.cap {
            self.pop_oldest();
        }
        if self.order.len() > self.cap.saturating_mul(4) {
            self.compact();
        }
        is_new
    }

    /// Distinct items within the window ending at `now_ms`.
    pub fn count(&mut self, now_ms: i64) -> usize {
        self.expire(now_ms);
        self.last_seen.len()
    }

    /// Items tracked (for memory accounting).
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether nothing is tracked.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    fn pop_oldest(&mut self) {
        while let Some((t, item)) = self.order.pop_front() {
            if self.last_seen.get(&item) == Some(&t) {
                self.last_seen.remove(&item);
                return;
            }
        }
    }

    fn expire(&mut self, now_ms: i64) {
        let horizon = now_ms.saturating_sub(self.window_ms);
        while let Some(&(t, item)) = self.order.front() {
            if t > horizon {
                break;
            }
            self.order.pop_front();
            if self.last_seen.get(&item) == Some(&t) {
                self.last_seen.remove(&item);
            }
        }
    }

    fn compact(&mut self) {
        let seen = &self.last_seen;
        self.order.retain(|(t, item)| seen.get(item) == Some(t));
    }
}

/// A small ring of the most recent values (request ids, patient refs), newest last.
#[derive(Debug, Clone)]
pub struct Recent<T> {
    cap: usize,
    items: VecDeque<T>,
}

impl<T: PartialEq + Clone> Recent<T> {
    /// Keep at most `cap` values.
    pub fn new(cap: usize) -> Self {
        Recent { cap, items: VecDeque::new() }
    }

    /// Push `v` (moving it to the newest end if present).
    pub fn push(&mut self, v: T) {
        if self.cap == 0 {
            return;
        }
        if let Some(i) = self.items.iter().position(|x| *x == v) {
            self.items.remove(i);
        }
        if self.items.len() >= self.cap {
            self.items.pop_front();
        }
        self.items.push_back(v);
    }

    /// Push `v` known not to be present (request ids): no search.
    pub fn push_new(&mut self, v: T) {
        if self.cap == 0 {
            return;
        }
        if self.items.len() >= self.cap {
            self.items.pop_front();
        }
        self.items.push_back(v);
    }

    /// Whether the newest value is `v`.
    pub fn is_newest(&self, v: &T) -> bool {
        self.items.back() == Some(v)
    }

    /// The values, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.items.iter()
    }

    /// How many values are held.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether none are held.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Newest first, at most `n`.
    pub fn newest(&self, n: usize) -> Vec<T> {
        self.items.iter().rev().take(n).cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_slides() {
        let mut w: Window<2> = Window::new(60);
        w.add(0, [1.0, 10.0]);
        w.add(30_000, [1.0, 0.0]);
        assert_eq!(w.sum(30_000), [2.0, 10.0]);
        assert_eq!(w.sum(61_000), [1.0, 0.0]);
        assert_eq!(w.sum(200_000), [0.0, 0.0]);
        w.add(-5_000, [1.0, 0.0]);
        assert_eq!(w.sum(-5_000), [1.0, 0.0]);
    }

    #[test]
    fn distinct_counts_expire_and_cap() {
        let mut d = DistinctWindow::new(60, 4);
        assert!(d.add(0, 1));
        assert!(!d.add(1_000, 1));
        d.add(2_000, 2);
        assert_eq!(d.count(2_000), 2);
        assert_eq!(d.count(61_500), 1);
        for i in 10..100 {
            d.add(70_000, i);
        }
        assert_eq!(d.count(70_000), 4);
        for i in 0..10_000 {
            d.add(70_000 + i, 5);
        }
        assert!(d.len() <= 16);
    }

    #[test]
    fn recent_is_bounded_and_dedups() {
        let mut r = Recent::new(3);
        for v in [1, 2, 3, 2, 4] {
            r.push(v);
        }
        assert_eq!(r.newest(10), vec![4, 2, 3]);
    }
}
