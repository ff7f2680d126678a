//! Suffix array over the raw bytes of a set of documents: counts any byte string.
//!
//! Attribution works on words (see [`crate::index`]); this index answers the question a byte-level
//! n-gram engine such as infini-gram answers, "how often does this exact string occur", for
//! strings that need not start or end on a word, and serves as the byte-for-byte comparison the
//! oracle's benchmark makes (`scripts/bench-oracle`, docs/BENCHMARKS.md).
//!
//! Documents are UTF-8 text, stored as their bytes each followed by `0xFF`, a byte UTF-8 never
//! uses, so no match crosses two documents. The text is not normalised: it counts exactly what
//! was given. The identity of a corpus, [`ByteIndex::hash`], is keccak256 over
//! `"openledger-bytes-v1"` then, per document, its byte length (u64 LE) and bytes. Saved files
//! use the format of [`crate::index`] (with this hash), so the same checks guard them.

use std::{ops::Range, path::Path};

use alloy::primitives::{B256, Keccak256};

use crate::{
    index::{self, IndexError, IndexSource},
    sais,
};

/// Follows every document; never part of UTF-8 text.
pub const DOCUMENT_END: u8 = 0xFF;

/// A byte text and its suffix array.
#[derive(Debug, Clone)]
pub struct ByteIndex {
    text: Vec<u8>,
    doc_starts: Vec<u32>,
    hash: B256,
    sa: Vec<u32>,
}

/// The documents joined, before sorting.
struct Text {
    bytes: Vec<u8>,
    doc_starts: Vec<u32>,
}

impl Text {
    fn join<S: AsRef<str>>(documents: impl IntoIterator<Item = S>) -> Result<Self, IndexError> {
        let mut bytes = Vec::new();
        let mut doc_starts = Vec::new();
        for doc in documents {
            let doc = doc.as_ref().as_bytes();
            doc_starts
                .push(u32::try_from(bytes.len()).map_err(|_| IndexError::TooLarge(bytes.len()))?);
            bytes.extend_from_slice(doc);
            bytes.push(DOCUMENT_END);
        }
        // Entries are u32, and u32::MAX marks free slots while sorting.
        if bytes.len() >= u32::MAX as usize {
            return Err(IndexError::TooLarge(bytes.len()));
        }
        bytes.shrink_to_fit();
        Ok(Self { bytes, doc_starts })
    }

    /// The corpus identity (see the module documentation).
    fn hash(&self) -> B256 {
        let mut hasher = Keccak256::new();
        hasher.update(b"openledger-bytes-v1");
        let ends = self
            .doc_starts
            .iter()
            .skip(1)
            .map(|&next| next as usize - 1);
        for (&start, end) in self
            .doc_starts
            .iter()
            .zip(ends.chain([self.bytes.len().saturating_sub(1)]))
        {
            let doc = &self.bytes[start as usize..end];
            hasher.update((doc.len() as u64).to_le_bytes());
            hasher.update(doc);
        }
        hasher.finalize()
    }

    /// Sorts, hashing in parallel meanwhile (hashing 100 MB takes about a second).
    fn sort(self) -> ByteIndex {
        let (hash, sa) = rayon::join(
            || self.hash(),
            || sais::suffix_array(self.bytes.as_slice(), 256),
        );
        self.with(hash, sa)
    }

    fn with(self, hash: B256, sa: Vec<u32>) -> ByteIndex {
        ByteIndex {
            text: self.bytes,
            doc_starts: self.doc_starts,
            hash,
            sa,
        }
    }
}

impl ByteIndex {
    /// Joins `documents` in the order given and sorts their suffixes (SA-IS over bytes).
    pub fn build<S: AsRef<str>>(
        documents: impl IntoIterator<Item = S>,
    ) -> Result<Self, IndexError> {
        Ok(Text::join(documents)?.sort())
    }

    /// Loads the suffix array from `path` when the file is intact and belongs to these documents;
    /// otherwise builds it and saves it there. Only I/O errors while saving are errors.
    pub fn load_or_build<S: AsRef<str>>(
        documents: impl IntoIterator<Item = S>,
        path: &Path,
    ) -> Result<(Self, IndexSource), IndexError> {
        let text = Text::join(documents)?;
        let hash = text.hash();
        if let Some(sa) = index::read_suffix_array(path, hash, text.bytes.len()) {
            return Ok((text.with(hash, sa), IndexSource::Loaded));
        }
        let sa = sais::suffix_array(text.bytes.as_slice(), 256);
        let index = text.with(hash, sa);
        index.save(path)?;
        Ok((index, IndexSource::Built))
    }

    /// Writes the suffix array to `path` (atomically, by rename).
    pub fn save(&self, path: &Path) -> Result<(), IndexError> {
        index::write_suffix_array(path, self.hash, &self.sa)
    }

    /// The corpus hash (see the module documentation).
    pub fn hash(&self) -> B256 {
        self.hash
    }

    /// The indexed bytes: the documents, each followed by [`DOCUMENT_END`].
    pub fn text(&self) -> &[u8] {
        &self.text
    }

    /// Number of documents.
    pub fn document_count(&self) -> usize {
        self.doc_starts.len()
    }

    /// The suffix array: text positions in lexicographic order of their suffixes.
    pub fn suffix_array(&self) -> &[u32] {
        &self.sa
    }

    /// The suffix-array range of the occurrences of `pattern` (O(|pattern| + log n)).
    pub fn find(&self, pattern: &[u8]) -> Range<usize> {
        index::find(&self.text, &self.sa, pattern)
    }

    /// Number of occurrences of `pattern`, overlapping ones included.
    pub fn count(&self, pattern: &[u8]) -> u64 {
        self.find(pattern).len() as u64
    }

    /// The document holding text position `position`.
    pub fn document_at(&self, position: u32) -> Option<usize> {
        self.doc_starts
            .partition_point(|&s| s <= position)
            .checked_sub(1)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn naive_count(docs: &[String], pattern: &[u8]) -> u64 {
        docs.iter()
            .map(|d| {
                d.as_bytes()
                    .windows(pattern.len())
                    .filter(|w| *w == pattern)
                    .count() as u64
            })
            .sum()
    }

    #[test]
    fn counts_and_documents() {
        let index = ByteIndex::build(["abracadabra", "cadabra!", "é😀é"]).unwrap();
        assert_eq!(index.count(b"abra"), 3);
        assert_eq!(index.count(b"cadabra"), 2);
        assert_eq!(index.count(b"a!"), 1);
        assert_eq!(index.count(b"zz"), 0);
        // No match crosses a document's end.
        assert_eq!(index.count(b"a!"), 1);
        assert_eq!(index.count("!é".as_bytes()), 0);
        assert_eq!(index.count(b"bra!"), 1);
        assert_eq!(index.count(b"abracadabrac"), 0);
        assert_eq!(index.count("😀é".as_bytes()), 1);
        let docs: Vec<usize> = index
            .find(b"dabra")
            .map(|i| index.document_at(index.suffix_array()[i]).unwrap())
            .collect();
        let mut sorted = docs.clone();
        sorted.sort();
        assert_eq!(sorted, vec![0, 1]);
    }

    #[test]
    fn saved_index_reloads_and_damage_rebuilds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bytes.olsa");
        let docs = ["the quick brown fox", "jumps over the lazy dog"];
        let (built, source) = ByteIndex::load_or_build(docs, &path).unwrap();
        assert_eq!(source, IndexSource::Built);
        let (loaded, source) = ByteIndex::load_or_build(docs, &path).unwrap();
        assert_eq!(source, IndexSource::Loaded);
        assert_eq!(loaded.suffix_array(), built.suffix_array());
        // Other documents: the file is not theirs.
        let (_, source) = ByteIndex::load_or_build(["the quick brown fox"], &path).unwrap();
        assert_eq!(source, IndexSource::Built);
        // A flipped byte in the array fails the checksum.
        let mut bytes = std::fs::read(&path).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 1;
        std::fs::write(&path, bytes).unwrap();
        let (_, source) = ByteIndex::load_or_build(["the quick brown fox"], &path).unwrap();
        assert_eq!(source, IndexSource::Built);
    }

    /// The documented identity, computed from the documents themselves.
    fn documented_hash(docs: &[&str]) -> B256 {
        let mut hasher = Keccak256::new();
        hasher.update(b"openledger-bytes-v1");
        for doc in docs {
            hasher.update((doc.len() as u64).to_le_bytes());
            hasher.update(doc.as_bytes());
        }
        hasher.finalize()
    }

    #[test]
    fn hash_is_the_documented_one_however_the_index_is_made() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bytes.olsa");
        for docs in [
            &["ab", "c"][..],
            &["a", "bc"],
            &["", "", "abc"],
            &["abc"],
            &[],
        ] {
            let built = ByteIndex::build(docs).unwrap();
            assert_eq!(built.hash(), documented_hash(docs), "{docs:?}");
            let (made, _) = ByteIndex::load_or_build(docs, &path).unwrap();
            assert_eq!(made.hash(), built.hash());
            let (loaded, source) = ByteIndex::load_or_build(docs, &path).unwrap();
            assert_eq!((loaded.hash(), source), (built.hash(), IndexSource::Loaded));
        }
        // Where the documents end is part of the identity.
        assert_ne!(documented_hash(&["ab", "c"]), documented_hash(&["a", "bc"]));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn count_equals_naive(
            docs in prop::collection::vec("[ab ]{0,40}", 1..6),
            pattern in "[ab ]{1,5}",
        ) {
            let index = ByteIndex::build(&docs).unwrap();
            prop_assert_eq!(index.count(pattern.as_bytes()), naive_count(&docs, pattern.as_bytes()));
        }
    }
}
