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

/// Interpolated trigram probabilities over the same whitespace words [`TrigramModel`] writes
/// with, for scoring text (Jelinek-Mercer: 0.6 trigram, 0.3 bigram, 0.1 add-one unigram; a
/// weight whose context was never seen goes to the lower orders), so that an unseen
/// continuation costs a finite amount. The fidelity test scores outputs with it, with and
/// without each contributor's records.
#[derive(Debug, Clone, Default)]
pub struct TrigramScorer {
    tri: BTreeMap<(String, String, String), u32>,
    tri_ctx: BTreeMap<(String, String), u32>,
    bi: BTreeMap<(String, String), u32>,
    bi_ctx: BTreeMap<String, u32>,
    uni: BTreeMap<String, u32>,
    total: u64,
}

impl TrigramScorer {
    /// Counts `texts` (each a record).
    pub fn train<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut m = Self::default();
        for text in texts {
            let w: Vec<&str> = text.split_whitespace().collect();
            for (i, word) in w.iter().enumerate() {
                *m.uni.entry((*word).to_owned()).or_default() += 1;
                m.total += 1;
                if i >= 1 {
                    *m.bi_ctx.entry(w[i - 1].to_owned()).or_default() += 1;
                    *m.bi
                        .entry((w[i - 1].to_owned(), (*word).to_owned()))
                        .or_default() += 1;
                }
                if i >= 2 {
                    let ctx = (w[i - 2].to_owned(), w[i - 1].to_owned());
                    *m.tri_ctx.entry(ctx.clone()).or_default() += 1;
                    *m.tri.entry((ctx.0, ctx.1, (*word).to_owned())).or_default() += 1;
                }
            }
        }
        m
    }

    /// P(`z` | `x` `y`).
    pub fn probability(&self, x: &str, y: &str, z: &str) -> f64 {
        let vocab = self.uni.len() as f64 + 1.0; // one slot for every unseen word
        let uni =
            (f64::from(self.uni.get(z).copied().unwrap_or(0)) + 1.0) / (self.total as f64 + vocab);
        let (mut p, mut weight) = (0.1 * uni, 0.1);
        if let Some(&c) = self.bi_ctx.get(y) {
            let n = self
                .bi
                .get(&(y.to_owned(), z.to_owned()))
                .copied()
                .unwrap_or(0);
            p += 0.3 * f64::from(n) / f64::from(c);
            weight += 0.3;
        }
        if let Some(&c) = self.tri_ctx.get(&(x.to_owned(), y.to_owned())) {
            let n = self
                .tri
                .get(&(x.to_owned(), y.to_owned(), z.to_owned()))
                .copied()
                .unwrap_or(0);
            p += 0.6 * f64::from(n) / f64::from(c);
            weight += 0.6;
        }
        p / weight
    }

    /// Natural log-likelihood of `text`'s words after its first two.
    pub fn log_likelihood(&self, text: &str) -> f64 {
        let w: Vec<&str> = text.split_whitespace().collect();
        w.windows(3)
            .map(|t| self.probability(t[0], t[1], t[2]).ln())
            .sum()
    }

    /// Every word seen in training (the vocabulary the probabilities range over, besides the
    /// one slot for unseen words).
    pub fn vocabulary(&self) -> impl Iterator<Item = &str> {
        self.uni.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_probabilities_and_prefer_the_training_text() {
        let records = [
            "the quick brown fox jumps over the lazy dog near the river bank.",
            "a slow green turtle walks under the bright moon by the old mill.",
        ];
        let s = TrigramScorer::train(records);
        for (x, y) in [("the", "quick"), ("the", "bright"), ("unseen", "context")] {
            // Over the vocabulary plus the unseen slot, the distribution sums to one.
            let seen: f64 = s.vocabulary().map(|z| s.probability(x, y, z)).sum();
            let unseen = s.probability(x, y, "never-seen-word");
            assert!(
                (seen + unseen - 1.0).abs() < 1e-9,
                "{x} {y}: {}",
                seen + unseen
            );
        }
        let own = s.log_likelihood(records[0]);
        let shuffled = "the river fox the over bank brown near jumps quick lazy dog the.";
        assert!(own > s.log_likelihood(shuffled));
        assert!(own.is_finite() && s.log_likelihood("zz yy xx ww").is_finite());
    }

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
