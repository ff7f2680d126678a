//! The demo's records: short factual paragraphs (`data/records.txt`, one per blank-line-separated
//! block), and the gamer's copies of them.

use crate::ngram::Rng;

/// The records shipped with the demo.
pub fn records() -> Vec<String> {
    include_str!("../data/records.txt")
        .split("\n\n")
        .map(|r| r.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|r| !r.is_empty())
        .collect()
}

/// A near copy of `record`, the edits a gamer makes to slip a duplicate past an exact-hash check:
/// the case of the first word, the punctuation, and one word appended. The 5-word shingles stay
/// above the clustering's Jaccard threshold (0.8) for the demo's records, which is what the
/// oracle must catch.
pub fn near_copy(record: &str, rng: &mut Rng) -> String {
    let mut words: Vec<String> = record
        .split_whitespace()
        .map(|w| w.trim_end_matches([',', '.']).to_owned())
        .collect();
    if let Some(first) = words.first_mut() {
        *first = first.to_uppercase();
    }
    let extras = ["indeed", "overall", "truly", "notably"];
    words.push(extras[rng.below(extras.len())].to_owned());
    words.join(" ")
}

/// Junk a spammer submits: no output will ever draw on it.
pub fn spam(rng: &mut Rng) -> String {
    (0..40)
        .map(|_| format!("zx{:x}", rng.next_u64() % 0xffff))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_distinct_paragraphs() {
        let r = records();
        assert_eq!(r.len(), 25);
        let mut sorted = r.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), r.len());
        assert!(r.iter().all(|p| p.split_whitespace().count() >= 30));
    }

    #[test]
    fn near_copies_differ_but_barely() {
        let r = &records()[0];
        let c = near_copy(r, &mut Rng::new(3));
        assert_ne!(&c, r);
        assert_eq!(
            c.split_whitespace().count(),
            r.split_whitespace().count() + 1
        );
        assert_ne!(c.to_lowercase(), r.to_lowercase());
    }
}
