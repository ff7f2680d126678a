//! A small seeded generator: the same seed builds the same chain.

/// SplitMix64. Not for secrets; plenty for choosing who contributes what.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x5EED_0F0F_E41E_D600)
    }

    /// 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        // Multiply-shift: unbiased enough for load shapes, and never loops.
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform index into a collection of `len` items (0 when empty).
    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// Splits `total` into a count for each of `n` buckets, each within about ±50% of the
    /// mean, summing to `total` exactly: participants are busy to different degrees.
    pub fn spread(&mut self, total: u64, n: usize) -> Vec<u64> {
        if n == 0 {
            return Vec::new();
        }
        let weights: Vec<u64> = (0..n).map(|_| self.range(50, 150)).collect();
        let sum: u64 = weights.iter().sum();
        let mut out: Vec<u64> = weights.iter().map(|w| total * w / sum).collect();
        let mut rest = total - out.iter().sum::<u64>();
        let mut i = 0;
        while rest > 0 {
            out[i % n] += 1;
            rest -= 1;
            i += 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_bounded_and_exact_spreads() {
        let (mut a, mut b) = (Rng::new(3), Rng::new(3));
        assert_eq!(a.next_u64(), b.next_u64());
        for _ in 0..1_000 {
            assert!(a.below(7) < 7);
            assert!((5..=9).contains(&a.range(5, 9)));
        }
        let parts = a.spread(1_001, 7);
        assert_eq!(parts.iter().sum::<u64>(), 1_001);
        assert!(parts.iter().all(|&p| p > 50), "{parts:?}");
    }
}
