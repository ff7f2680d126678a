//! Prior art: which cluster held each piece of text first.
//!
//! Whole-record copies are caught by clustering; copies of *parts* of records (a sentence, a
//! paragraph, spliced with other words into a record that is near no single original) are not.
//! This module finds them at the word level. Documents are taken in canonical order (cluster id
//! order, which is submission order of the representatives). Every run of `span` consecutive
//! words (a *`span`-gram*) belongs to the first document that contains it. A word of a later
//! document is **held** when some `span`-gram covering it occurred in an earlier document; its
//! **origin** is the earliest such document among the `span`-grams covering it. Repeats inside one
//! document are not held (a record repeating itself copies nobody).
//!
//! With `span` equal to the attribution's `min_span`, a matched span of at least `min_span` words
//! that an earlier record held is, word for word, held text: so text that is removed from the
//! index where it is held (see [`crate::index::Corpus::build_with`]) can never be credited to a
//! later holder, nor raise the occurrence count that lowers its first holder's weight.
//!
//! `span`-grams are keyed by a 64-bit hash of their token ids and checked against the tokens of the
//! first occurrence, so a hash collision can only make a `span`-gram look new (deterministically,
//! the same on every machine), never make two different texts look equal.

use std::collections::{BTreeMap, HashMap};

use crate::{cluster::ClusterId, text::Vocabulary};

/// A run of held words of one document: words `start..end` (word positions in the document's
/// normalised text), whose earliest holder is `origin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldRun {
    /// First held word.
    pub start: u32,
    /// One past the last.
    pub end: u32,
    /// The earliest document holding them.
    pub origin: ClusterId,
}

/// Held runs of every document that has any, over a set of documents (usually every cluster of
/// the epoch's global clustering, so a copy in a datanet a model is not trained on still points
/// at its original).
#[derive(Debug, Clone, Default)]
pub struct PriorArt {
    span: u32,
    held: BTreeMap<ClusterId, Vec<HeldRun>>,
}

impl PriorArt {
    /// Prior art among `documents` (`(cluster, normalised text)`, in canonical order, as
    /// [`crate::cluster::Clustering::documents`] gives them) for `span`-grams. `span == 0` finds
    /// nothing.
    pub fn compute<'a>(
        documents: impl IntoIterator<Item = (ClusterId, &'a str)>,
        span: u32,
    ) -> Self {
        let mut vocab = Vocabulary::new();
        let mut clusters = Vec::new();
        let mut docs: Vec<Vec<u32>> = Vec::new();
        for (cluster, text) in documents {
            let normalized = crate::text::normalize(text);
            let ids = normalized
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(|w| vocab.intern(w).unwrap_or(u32::MAX))
                .collect();
            clusters.push(cluster);
            docs.push(ids);
        }
        let slices: Vec<&[u32]> = docs.iter().map(Vec::as_slice).collect();
        let held = held_runs(&slices, span as usize)
            .into_iter()
            .enumerate()
            .filter(|(_, runs)| !runs.is_empty())
            .map(|(d, runs)| {
                let runs = runs
                    .into_iter()
                    .map(|(start, end, origin)| HeldRun {
                        start,
                        end,
                        origin: clusters[origin],
                    })
                    .collect();
                (clusters[d], runs)
            })
            .collect();
        Self { span, held }
    }

    /// The `span` it was computed for.
    pub fn span(&self) -> u32 {
        self.span
    }

    /// The held runs of `cluster`'s document, by start (empty when it holds nothing earlier).
    pub fn held(&self, cluster: ClusterId) -> &[HeldRun] {
        self.held.get(&cluster).map_or(&[], Vec::as_slice)
    }

    /// Number of words held, over all documents.
    pub fn held_words(&self) -> u64 {
        self.held
            .values()
            .flatten()
            .map(|r| u64::from(r.end - r.start))
            .sum()
    }
}

/// Held runs `(start, end, origin document index)` of each of `docs` (token ids, in canonical
/// order) for `span`-grams; see the module documentation. O(total tokens × span).
pub(crate) fn held_runs(docs: &[&[u32]], span: usize) -> Vec<Vec<(u32, u32, usize)>> {
    let mut out = vec![Vec::new(); docs.len()];
    if span == 0 {
        return out;
    }
    // First occurrence of each span-gram: (document, offset).
    let mut first: HashMap<u64, (u32, u32), foldhash::fast::RandomState> = HashMap::default();
    for (d, doc) in docs.iter().enumerate() {
        if doc.len() < span {
            continue;
        }
        // origin[t]: earliest earlier document holding a span-gram that covers word t.
        let mut origin: Vec<usize> = vec![usize::MAX; doc.len()];
        let mut any = false;
        for j in 0..=doc.len() - span {
            let gram = &doc[j..j + span];
            let key = gram_key(gram);
            match first.get(&key) {
                Some(&(fd, fo)) => {
                    let fd = fd as usize;
                    let same = docs
                        .get(fd)
                        .and_then(|f| f.get(fo as usize..fo as usize + span))
                        == Some(gram);
                    if fd < d && same {
                        any = true;
                        for o in &mut origin[j..j + span] {
                            *o = (*o).min(fd);
                        }
                    }
                }
                None => {
                    first.insert(key, (d as u32, j as u32));
                }
            }
        }
        if !any {
            continue;
        }
        let mut t = 0;
        while t < origin.len() {
            if origin[t] == usize::MAX {
                t += 1;
                continue;
            }
            let start = t;
            while t < origin.len() && origin[t] == origin[start] {
                t += 1;
            }
            out[d].push((start as u32, t as u32, origin[start]));
        }
    }
    out
}

/// A 64-bit key of a span-gram (FNV-1a over the ids' bytes, then a final mix): fixed, so the
/// same on every machine, and cheap.
fn gram_key(gram: &[u32]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &id in gram {
        for b in id.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(s: &str) -> Vec<u32> {
        s.split(' ').map(|w| w.parse().unwrap()).collect()
    }

    #[test]
    fn later_copies_of_parts_are_held_by_the_first_holder() {
        let a = ids("1 2 3 4 5 6 7 8");
        let b = ids("9 9 3 4 5 6 7 10");
        let c = ids("11 2 3 4 5 6 7 8 12");
        let runs = held_runs(&[&a, &b, &c], 4);
        assert!(runs[0].is_empty());
        // b holds 3..7 of a (five words), as words 2..7.
        assert_eq!(runs[1], vec![(2, 7, 0)]);
        // c holds 2..8 of a: every span-gram of it first occurred in a (not b).
        assert_eq!(runs[2], vec![(1, 8, 0)]);
    }

    #[test]
    fn short_shared_phrases_and_self_repeats_are_not_held() {
        let a = ids("1 2 3 4 5 1 2 3 4 5");
        let b = ids("7 1 2 3 8 9");
        let runs = held_runs(&[&a, &b], 4);
        assert!(
            runs[0].is_empty(),
            "a repeat inside a document copies nobody"
        );
        assert!(runs[1].is_empty(), "three shared words are not a 4-gram");
        assert!(held_runs(&[&a, &a], 0).iter().all(Vec::is_empty));
    }

    #[test]
    fn a_word_covered_by_two_origins_goes_to_the_earliest() {
        let a = ids("1 2 3 4");
        let b = ids("3 4 5 6");
        let c = ids("1 2 3 4 5 6");
        let runs = held_runs(&[&a, &b, &c], 4);
        // c's words 0..4 are a's 4-gram; words 2..6 are b's; 2 and 3 are covered by both.
        assert_eq!(runs[2], vec![(0, 4, 0), (4, 6, 1)]);
    }

    #[test]
    fn prior_art_names_clusters() {
        let p = PriorArt::compute(
            [
                (ClusterId(0), "The quick brown fox jumps over the lazy dog"),
                (ClusterId(1), "honestly, the quick brown fox jumps over it"),
            ],
            5,
        );
        assert_eq!(
            p.held(ClusterId(1)),
            &[HeldRun {
                start: 1,
                end: 7,
                origin: ClusterId(0)
            }]
        );
        assert_eq!(p.held_words(), 6);
    }
}
