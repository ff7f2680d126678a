//! Deterministic test data: a seeded generator, a synthetic word list, records and contributions.
#![allow(dead_code, clippy::unwrap_used)]

use alloy::primitives::{Address, U256};
use openledger_oracle::{Contribution, OrderKey};

/// SplitMix64: a tiny seeded generator, the same on every machine.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// `n` distinct pronounceable words ("bakotu", ...), deterministic.
pub fn word_list(n: usize) -> Vec<String> {
    const SYLLABLES: [&str; 20] = [
        "ba", "ko", "tu", "me", "ri", "sa", "no", "li", "da", "ve", "zu", "pe", "gi", "ho", "ma",
        "te", "wo", "fi", "ru", "ca",
    ];
    let mut out = Vec::with_capacity(n);
    let mut i = 0usize;
    while out.len() < n {
        let mut x = i;
        let mut w = String::new();
        loop {
            w.push_str(SYLLABLES[x % 20]);
            x /= 20;
            if x == 0 {
                break;
            }
        }
        // Three syllables at least, so that no generated word is a common English word.
        while w.len() < 6 {
            w.push_str("xa");
        }
        out.push(w);
        i += 1;
    }
    out
}

/// A record of `len` words drawn uniformly from `words`.
pub fn record(rng: &mut Rng, words: &[String], len: usize) -> String {
    (0..len)
        .map(|_| words[rng.below(words.len())].as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// An address from a small number.
pub fn addr(n: u64) -> Address {
    let mut bytes = [0u8; 20];
    bytes[12..].copy_from_slice(&(n + 1).to_be_bytes());
    Address::from(bytes)
}

pub fn contribution(id: u64, who: Address, block: u64, text: &str) -> Contribution {
    Contribution {
        id: U256::from(id),
        contributor: who,
        order: OrderKey::new(block, id % 7),
        text: text.to_owned(),
    }
}

/// The `range` of words of `text`, joined.
pub fn words_of(text: &str, range: std::ops::Range<usize>) -> String {
    text.split(' ').collect::<Vec<_>>()[range].join(" ")
}
