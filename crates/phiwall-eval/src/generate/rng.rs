//! A small deterministic PRNG (SplitMix64). Our own, so a seed gives the same corpus on every
//! platform and every dependency version; statistical quality only needs to be good enough to
//! vary templates.

/// SplitMix64 state.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x6a09_e667_f3bc_c908)
    }

    /// The generator for record `index` of a corpus with `seed`: records do not depend on how
    /// many are generated.
    pub fn for_record(seed: u64, index: u64) -> Self {
        let mut r = Rng::new(seed);
        r.0 ^= index.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let _ = r.next_u64();
        r
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        if hi <= lo {
            return lo;
        }
        lo + (self.next_u64() % (u64::from(hi - lo) + 1)) as u32
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// One element of a non-empty slice (`""`-like default when empty).
    pub fn pick<T: Copy + Default>(&mut self, xs: &[T]) -> T {
        xs.get(self.below(xs.len())).copied().unwrap_or_default()
    }

    /// `n` random decimal digits.
    pub fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + (self.below(10) as u8))).collect()
    }

    /// `n` random upper-case letters.
    pub fn letters(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'A' + (self.below(26) as u8))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_in_range() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        let mut r = Rng::for_record(1, 2);
        for _ in 0..1000 {
            assert!(r.below(5) < 5);
            let x = r.range(3, 6);
            assert!((3..=6).contains(&x));
        }
        assert_eq!(r.below(0), 0);
        let _ = r.range(0, u32::MAX); // no overflow at the full range
        assert_eq!(r.range(5, 5), 5);
        assert_eq!(r.digits(4).len(), 4);
        assert_ne!(Rng::for_record(1, 2).next_u64(), Rng::for_record(1, 3).next_u64());
    }
}
