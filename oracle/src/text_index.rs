//! What attribution asks of an index of a corpus, so it runs alike over one in-memory
//! [`SuffixIndex`] and over a set of on-disk shards ([`crate::shard::ShardSet`]).
//!
//! Positions are global `u64`s in corpus order: documents in the order the corpus gave them,
//! each followed by a [`crate::text::SEPARATOR`]. The earliest position of a pattern is its
//! earliest occurrence in that order, which is what prior art credits.

use std::ops::Range;

use crate::{cluster::ClusterId, index::SuffixIndex, text::Vocabulary};

/// Counting and locating token sequences of a corpus (see the module documentation).
pub trait TextIndex {
    /// A set of suffixes sharing a prefix: one suffix-array range, or one per shard.
    type Range: Clone;

    /// The vocabulary the corpus's token ids come from, to tokenise outputs.
    fn vocabulary(&self) -> &Vocabulary;

    /// Word tokens, separators and holes excluded: the `N` of the rarity formula.
    fn token_count(&self) -> u64;

    /// Every suffix: the range to [`Self::narrow`] from.
    fn full_range(&self) -> Self::Range;

    /// The suffixes starting with `pattern` (none when it does not occur).
    fn find(&self, pattern: &[u32]) -> Self::Range;

    /// Narrows `range`, whose suffixes share their first `depth` tokens, to those whose next
    /// token is `token`.
    fn narrow(&self, range: &Self::Range, depth: usize, token: u32) -> Self::Range;

    /// Number of suffixes in `range`.
    fn occurrences(&self, range: &Self::Range) -> u64;

    /// Positions of the suffixes in `range` when there are at most `limit`, in no set order.
    fn positions_upto(&self, range: &Self::Range, limit: usize) -> Option<Vec<u64>>;

    /// The earliest position in `range`.
    fn earliest(&self, range: &Self::Range) -> Option<u64>;

    /// The token at `position` (`None` past the end).
    fn token_at(&self, position: u64) -> Option<u32>;

    /// The cluster credited for the word at `position`: the first holder of that text.
    fn credited_at(&self, position: u64) -> Option<ClusterId>;

    /// The clusters whose document holds a suffix of `range`, sorted, each once.
    fn clusters(&self, range: &Self::Range) -> Vec<ClusterId>;
}

impl TextIndex for SuffixIndex {
    type Range = Range<usize>;

    fn vocabulary(&self) -> &Vocabulary {
        self.corpus().vocabulary()
    }

    fn token_count(&self) -> u64 {
        self.corpus().token_count()
    }

    fn full_range(&self) -> Range<usize> {
        SuffixIndex::full_range(self)
    }

    fn find(&self, pattern: &[u32]) -> Range<usize> {
        SuffixIndex::find(self, pattern)
    }

    fn narrow(&self, range: &Range<usize>, depth: usize, token: u32) -> Range<usize> {
        SuffixIndex::narrow(self, range.clone(), depth, token)
    }

    fn occurrences(&self, range: &Range<usize>) -> u64 {
        range.len() as u64
    }

    fn positions_upto(&self, range: &Range<usize>, limit: usize) -> Option<Vec<u64>> {
        let positions = self.positions(range.clone());
        (positions.len() <= limit).then(|| positions.iter().map(|&p| u64::from(p)).collect())
    }

    fn earliest(&self, range: &Range<usize>) -> Option<u64> {
        self.positions(range.clone())
            .iter()
            .min()
            .map(|&p| p.into())
    }

    fn token_at(&self, position: u64) -> Option<u32> {
        let at = usize::try_from(position).ok()?;
        self.corpus().tokens().get(at).copied()
    }

    fn credited_at(&self, position: u64) -> Option<ClusterId> {
        self.corpus().credited_at(u32::try_from(position).ok()?)
    }

    fn clusters(&self, range: &Range<usize>) -> Vec<ClusterId> {
        SuffixIndex::clusters(self, range.clone())
    }
}
