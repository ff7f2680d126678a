//! A word trigram model, trained on the accepted records of a model's datanets, that writes the
//! demo's inference outputs. Small and crude on purpose: what it writes is stitched from spans of
//! the records it was trained on, so the attribution the oracle finds is real, not planted.

use std::collections::BTreeMap;

/// A deterministic generator (SplitMix64): the same seed writes the same outputs on any machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// Trigram counts over words, with the sentence starts to begin from.
#[derive(Debug, Clone, Default)]
pub struct TrigramModel {
    next: BTreeMap<(String, String), BTreeMap<String, u32>>,
    starts: Vec<(String, String)>,
}

impl TrigramModel {
    /// Trains on `texts` (each a record).
    pub fn train<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut model = Self::default();
        for text in texts {
            let words: Vec<&str> = text.split_whitespace().collect();
            for (i, w) in words.windows(3).enumerate() {
                let key = (w[0].to_owned(), w[1].to_owned());
                if i == 0 || words[i - 1].ends_with('.') {
                    model.starts.push(key.clone());
                }
                *model
                    .next
                    .entry(key)
                    .or_default()
                    .entry(w[2].to_owned())
                    .or_default() += 1;
            }
        }
        model
    }

    /// Whether the model learned anything.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Writes about `words` words: it starts a sentence, follows the counts, and jumps to a new
    /// sentence start when the chain runs out.
    pub fn generate(&self, rng: &mut Rng, words: usize) -> String {
        let mut out: Vec<String> = Vec::with_capacity(words + 2);
        if self.starts.is_empty() {
            return String::new();
        }
        while out.len() < words {
            let (a, b) = &self.starts[rng.below(self.starts.len())];
            out.push(a.clone());
            out.push(b.clone());
            let (mut x, mut y) = (a.clone(), b.clone());
            while out.len() < words {
                let Some(choices) = self.next.get(&(x.clone(), y.clone())) else {
                    break;
                };
                let total: u32 = choices.values().sum();
                let mut pick = rng.below(total as usize) as u32;
                let mut chosen = None;
                for (word, count) in choices {
                    if pick < *count {
                        chosen = Some(word.clone());
                        break;
                    }
                    pick -= count;
                }
                let Some(z) = chosen else { break };
                out.push(z.clone());
                if z.ends_with('.') && out.len() >= words / 2 {
                    break;
                }
                (x, y) = (y, z);
            }
        }
        out.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_reuses_the_training_text() {
        let records = [
            "the quick brown fox jumps over the lazy dog near the river bank.",
            "a slow green turtle walks under the bright moon by the old mill.",
        ];
        let model = TrigramModel::train(records);
        let a = model.generate(&mut Rng::new(7), 30);
        let b = model.generate(&mut Rng::new(7), 30);
        assert_eq!(a, b);
        assert!(a.split_whitespace().count() >= 30);
        // Every trigram of the output that is not a sentence jump occurs in the training text.
        let joined = records.join(" ");
        let words: Vec<&str> = a.split_whitespace().collect();
        let found = words
            .windows(3)
            .filter(|w| joined.contains(&w.join(" ")))
            .count();
        assert!(found * 10 >= (words.len() - 2) * 7, "{a}");
        assert_ne!(model.generate(&mut Rng::new(8), 30), a);
    }

    #[test]
    fn an_empty_model_writes_nothing() {
        let model = TrigramModel::train([]);
        assert!(model.is_empty());
        assert_eq!(model.generate(&mut Rng::new(1), 10), "");
    }
}
