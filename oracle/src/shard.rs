//! Immutable index shards on disk, memory-mapped, queried together (issue 15, first stage).
//!
//! A corpus that only grows should cost each epoch what is new, not everything ever accepted,
//! and should not have to fit in RAM. So the text and suffix array of a batch of records are
//! built once into a *shard* file, named by its content hash and never changed; a model's corpus
//! is a list of shards, and a query runs over every shard and merges (infini-gram's design).
//! Token ids come from one append-only [`Vocabulary`] shared by the shards of a set, so a token
//! means the same word in every shard and a pattern is tokenised once.
//!
//! Positions are global `u64`s: shard `i` starts where shard `i - 1` ends, so a set of shards
//! can hold more than 2^32 tokens although each shard's own suffix array is `u32`.
//!
//! Not wired into the epoch pipeline yet: [`crate::attribute`] still reads one in-memory
//! [`crate::index::SuffixIndex`].
//!
//! # File format (little endian; every section 4-byte aligned, so the map is read in place)
//! | bytes | field |
//! | --- | --- |
//! | 8 | magic `OLSHARD\0` |
//! | 4 | format version, 1 |
//! | 4 | zero |
//! | 32 | shard id: keccak256 of the documents (see [`ShardBuilder`]) |
//! | 8 | `n`, text length in tokens (a [`SEPARATOR`] after each document) |
//! | 8 | `d`, number of documents |
//! | 4·n | the text (token ids) |
//! | 4·n | its suffix array (positions in the shard) |
//! | 4·d | start of each document in the text |
//! | 4·d | cluster of each document |
//! | 32 | keccak256 of all the bytes above |
//!
//! A file is used only if its magic, version, lengths, id and checksum match.

use std::{
    fs,
    io::{self, Write},
    ops::Range,
    path::{Path, PathBuf},
};

use alloy::primitives::{B256, Keccak256};
use openledger_mmap::ReadOnlyMap;

use crate::{
    cluster::ClusterId,
    index::find,
    sais,
    text::{SEPARATOR, Vocabulary},
};

#[cfg(not(target_endian = "little"))]
compile_error!("shard files are read in place as little-endian u32s");

const MAGIC: &[u8; 8] = b"OLSHARD\0";
const VERSION: u32 = 1;
const HEADER_LEN: usize = 8 + 4 + 4 + 32 + 8 + 8;
const CHECKSUM_LEN: usize = 32;

/// Extension of shard files.
pub const SHARD_FILE_EXTENSION: &str = "olshard";

/// Why a shard could not be built, written or opened.
#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    /// A shard holds fewer than 2^32 tokens; split the batch.
    #[error("shard too large: {0} tokens")]
    TooLarge(usize),
    /// Reading or writing the file failed.
    #[error("shard file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
    /// The file is not an intact shard (or not the one asked for).
    #[error("shard file {path} is damaged or not a shard: {why}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What did not match.
        why: &'static str,
    },
}

/// Collects documents (already tokenised with the set's [`Vocabulary`]) into one shard.
///
/// The shard id is keccak256 over `"openledger-shard-v1"`, then per document its cluster id and
/// token count (u32 LE) and its tokens (u32 LE): the same documents in the same order with the
/// same ids give the same id, whichever node built it.
#[derive(Debug)]
pub struct ShardBuilder {
    text: Vec<u32>,
    doc_starts: Vec<u32>,
    doc_clusters: Vec<u32>,
    hasher: Keccak256,
}

impl Default for ShardBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ShardBuilder {
    /// An empty shard.
    pub fn new() -> Self {
        let mut hasher = Keccak256::new();
        hasher.update(b"openledger-shard-v1");
        Self {
            text: Vec::new(),
            doc_starts: Vec::new(),
            doc_clusters: Vec::new(),
            hasher,
        }
    }

    /// Appends a document of `cluster` with token ids `tokens` (no [`SEPARATOR`] in them).
    pub fn push(&mut self, cluster: ClusterId, tokens: &[u32]) -> Result<(), ShardError> {
        let len = self.text.len() + tokens.len() + 1;
        if len >= u32::MAX as usize {
            return Err(ShardError::TooLarge(len));
        }
        self.hasher.update(cluster.0.to_le_bytes());
        self.hasher.update((tokens.len() as u32).to_le_bytes());
        for t in tokens {
            self.hasher.update(t.to_le_bytes());
        }
        self.doc_starts.push(self.text.len() as u32);
        self.doc_clusters.push(cluster.0);
        self.text.extend_from_slice(tokens);
        self.text.push(SEPARATOR);
        Ok(())
    }

    /// Sorts the suffixes and writes the shard into `dir` as `<id>.olshard` (to a temporary
    /// file, synced, then renamed, so a crash never leaves a partial shard under its name); an
    /// intact file of that id already there is reused. Returns the opened shard.
    pub fn write(self, dir: &Path, alphabet: usize) -> Result<Shard, ShardError> {
        let id = self.hasher.finalize();
        let path = dir.join(format!("{id:x}.{SHARD_FILE_EXTENSION}"));
        if let Ok(shard) = Shard::open(&path, Some(id)) {
            return Ok(shard);
        }
        let io_err = |source| ShardError::Io {
            path: path.clone(),
            source,
        };
        let sa = sais::suffix_array(self.text.as_slice(), alphabet.max(1));
        fs::create_dir_all(dir).map_err(io_err)?;
        let tmp = crate::files::temp_beside(&path);
        {
            let file = fs::File::create(&tmp).map_err(io_err)?;
            let mut out = io::BufWriter::new(file);
            let mut sum = Keccak256::new();
            let mut put = |out: &mut io::BufWriter<fs::File>, bytes: &[u8]| {
                sum.update(bytes);
                out.write_all(bytes)
            };
            let mut header = Vec::with_capacity(HEADER_LEN);
            header.extend_from_slice(MAGIC);
            header.extend_from_slice(&VERSION.to_le_bytes());
            header.extend_from_slice(&0u32.to_le_bytes());
            header.extend_from_slice(id.as_slice());
            header.extend_from_slice(&(self.text.len() as u64).to_le_bytes());
            header.extend_from_slice(&(self.doc_starts.len() as u64).to_le_bytes());
            put(&mut out, &header).map_err(io_err)?;
            for section in [&self.text, &sa, &self.doc_starts, &self.doc_clusters] {
                for chunk in section.chunks(16 * 1024) {
                    put(&mut out, bytemuck::cast_slice(chunk)).map_err(io_err)?;
                }
            }
            out.write_all(sum.finalize().as_slice()).map_err(io_err)?;
            let file = out.into_inner().map_err(|e| io_err(e.into_error()))?;
            file.sync_all().map_err(io_err)?;
        }
        fs::rename(&tmp, &path).map_err(io_err)?;
        Shard::open(&path, Some(id))
    }
}

/// One shard file, mapped read-only.
#[derive(Debug)]
pub struct Shard {
    map: ReadOnlyMap,
    id: B256,
    path: PathBuf,
    n: usize,
    d: usize,
}

impl Shard {
    /// Opens and checks the shard at `path`; with `expected`, its id must be that.
    pub fn open(path: &Path, expected: Option<B256>) -> Result<Self, ShardError> {
        let corrupt = |why| ShardError::Corrupt {
            path: path.to_path_buf(),
            why,
        };
        let map = ReadOnlyMap::open(path).map_err(|source| ShardError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let bytes = map.bytes();
        if bytes.len() < HEADER_LEN + CHECKSUM_LEN || &bytes[..8] != MAGIC {
            return Err(corrupt("no shard header"));
        }
        let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or([0; 8]));
        if bytes[8..12] != VERSION.to_le_bytes() {
            return Err(corrupt("unknown format version"));
        }
        let id = B256::from_slice(&bytes[16..48]);
        if expected.is_some_and(|e| e != id) {
            return Err(corrupt("another shard's id"));
        }
        let (n, d) = (word(48) as usize, word(56) as usize);
        let body = n
            .checked_mul(8)
            .and_then(|t| d.checked_mul(8).and_then(|x| t.checked_add(x)));
        if body.and_then(|b| b.checked_add(HEADER_LEN + CHECKSUM_LEN)) != Some(bytes.len()) {
            return Err(corrupt("length does not match the header"));
        }
        let (content, sum) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
        let mut hasher = Keccak256::new();
        hasher.update(content);
        if hasher.finalize().as_slice() != sum {
            return Err(corrupt("checksum mismatch"));
        }
        Ok(Self {
            map,
            id,
            path: path.to_path_buf(),
            n,
            d,
        })
    }

    fn section(&self, start: usize, len: usize) -> &[u32] {
        let bytes = &self.map.bytes()[HEADER_LEN + 4 * start..HEADER_LEN + 4 * (start + len)];
        // The map is page aligned and every section starts at a multiple of 4.
        bytemuck::try_cast_slice(bytes).unwrap_or(&[])
    }

    /// The shard id (see [`ShardBuilder`]).
    pub fn id(&self) -> B256 {
        self.id
    }

    /// Its file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The text: token ids, a [`SEPARATOR`] after each document.
    pub fn text(&self) -> &[u32] {
        self.section(0, self.n)
    }

    /// The suffix array of [`Self::text`].
    pub fn suffix_array(&self) -> &[u32] {
        self.section(self.n, self.n)
    }

    fn doc_starts(&self) -> &[u32] {
        self.section(2 * self.n, self.d)
    }

    fn doc_clusters(&self) -> &[u32] {
        self.section(2 * self.n + self.d, self.d)
    }

    /// Number of documents.
    pub fn document_count(&self) -> usize {
        self.d
    }

    /// Text length in tokens, separators included.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether the shard holds no document.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The cluster of the document holding shard position `position`.
    pub fn cluster_at(&self, position: u32) -> Option<ClusterId> {
        let doc = self.doc_starts().partition_point(|&s| s <= position);
        self.doc_clusters()
            .get(doc.checked_sub(1)?)
            .map(|&c| ClusterId(c))
    }
}

/// Suffix-array ranges of a pattern, one per shard of a [`ShardSet`].
pub type Ranges = Vec<Range<usize>>;

/// The shards of one corpus in order, with the vocabulary their token ids come from.
#[derive(Debug)]
pub struct ShardSet {
    vocab: Vocabulary,
    shards: Vec<Shard>,
    /// Global position of each shard's first token.
    bases: Vec<u64>,
    token_count: u64,
}

impl ShardSet {
    /// A set over `shards` (in corpus order), whose token ids are `vocab`'s.
    pub fn new(vocab: Vocabulary, shards: Vec<Shard>) -> Self {
        let mut bases = Vec::with_capacity(shards.len());
        let mut next = 0u64;
        let mut token_count = 0u64;
        for s in &shards {
            bases.push(next);
            next += s.len() as u64;
            token_count += (s.len() - s.document_count()) as u64;
        }
        Self {
            vocab,
            shards,
            bases,
            token_count,
        }
    }

    /// The shared vocabulary, to tokenise outputs.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocab
    }

    /// The shards, in order.
    pub fn shards(&self) -> &[Shard] {
        &self.shards
    }

    /// Word tokens over all shards, separators excluded.
    pub fn token_count(&self) -> u64 {
        self.token_count
    }

    /// Every suffix of every shard.
    pub fn full_range(&self) -> Ranges {
        self.shards.iter().map(|s| 0..s.len()).collect()
    }

    /// The ranges of the suffixes starting with `pattern`.
    pub fn find(&self, pattern: &[u32]) -> Ranges {
        self.shards
            .iter()
            .map(|s| find(s.text(), s.suffix_array(), pattern))
            .collect()
    }

    /// Occurrences of `pattern` over all shards.
    pub fn count(&self, pattern: &[u32]) -> u64 {
        total(&self.find(pattern))
    }

    /// Narrows `ranges`, whose suffixes share their first `depth` tokens, to those whose next
    /// token is `token` (per shard, two binary searches).
    pub fn narrow(&self, ranges: &[Range<usize>], depth: usize, token: u32) -> Ranges {
        self.shards
            .iter()
            .zip(ranges)
            .map(|(s, range)| {
                let (text, sa) = (s.text(), s.suffix_array());
                let Some(slice) = sa.get(range.clone()) else {
                    return 0..0;
                };
                let at = |p: u32| text.get(p as usize + depth).copied();
                let lo = slice.partition_point(|&p| at(p) < Some(token));
                let hi = slice.partition_point(|&p| at(p) <= Some(token));
                range.start + lo..range.start + hi
            })
            .collect()
    }

    /// Global positions of the occurrences in `ranges`, shard by shard.
    pub fn positions<'a>(&'a self, ranges: &'a [Range<usize>]) -> impl Iterator<Item = u64> + 'a {
        self.shards
            .iter()
            .zip(&self.bases)
            .zip(ranges)
            .flat_map(|((s, &base), range)| {
                s.suffix_array()
                    .get(range.clone())
                    .unwrap_or(&[])
                    .iter()
                    .map(move |&p| base + u64::from(p))
            })
    }

    /// The shard holding global position `position` and the position within it.
    fn locate(&self, position: u64) -> Option<(&Shard, u32)> {
        let i = self
            .bases
            .partition_point(|&b| b <= position)
            .checked_sub(1)?;
        let local = u32::try_from(position - self.bases[i]).ok()?;
        let shard = self.shards.get(i)?;
        ((local as usize) < shard.len()).then_some((shard, local))
    }

    /// The token at global position `position`.
    pub fn token_at(&self, position: u64) -> Option<u32> {
        let (shard, local) = self.locate(position)?;
        shard.text().get(local as usize).copied()
    }

    /// The cluster of the document holding global position `position`.
    pub fn cluster_at(&self, position: u64) -> Option<ClusterId> {
        let (shard, local) = self.locate(position)?;
        shard.cluster_at(local)
    }
}

/// Number of suffixes in `ranges`.
pub fn total(ranges: &[Range<usize>]) -> u64 {
    ranges.iter().map(|r| r.len() as u64).sum()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;
    use crate::index::{Corpus, CorpusOptions, SuffixIndex};

    /// Documents as words over a small alphabet, so patterns repeat across documents.
    fn docs(words: &[Vec<u8>]) -> Vec<String> {
        words
            .iter()
            .map(|d| {
                d.iter()
                    .map(|w| format!("w{}", w % 7))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    /// The documents split into shards at `cuts`, tokenised with one vocabulary.
    fn shard_set(dir: &Path, texts: &[String], cuts: &[usize]) -> ShardSet {
        let mut vocab = Vocabulary::new();
        let tokenised: Vec<Vec<u32>> = texts
            .iter()
            .map(|t| {
                crate::text::words(t)
                    .iter()
                    .map(|w| vocab.intern(w).unwrap())
                    .collect()
            })
            .collect();
        let mut shards = Vec::new();
        let mut builder = ShardBuilder::new();
        for (i, doc) in tokenised.iter().enumerate() {
            if cuts.contains(&i) && i > 0 {
                let done = std::mem::take(&mut builder);
                shards.push(done.write(dir, vocab.len() + 1).unwrap());
            }
            if !doc.is_empty() {
                builder.push(ClusterId(i as u32), doc).unwrap();
            }
        }
        shards.push(builder.write(dir, vocab.len() + 1).unwrap());
        ShardSet::new(vocab, shards)
    }

    fn whole(texts: &[String]) -> SuffixIndex {
        let corpus = Corpus::build_with(
            texts
                .iter()
                .enumerate()
                .map(|(i, t)| (ClusterId(i as u32), t.as_str())),
            &CorpusOptions::WHOLE,
        )
        .unwrap();
        SuffixIndex::build(corpus)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Over any split into shards: every pattern's count, its occurrences' clusters and the
        /// words at them are those of one index of the same documents.
        #[test]
        fn shards_answer_as_one_index(
            words in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..30), 1..12),
            cuts in prop::collection::vec(0usize..12, 0..4),
            patterns in prop::collection::vec(prop::collection::vec(any::<u8>(), 1..5), 1..20),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let texts = docs(&words);
            let set = shard_set(dir.path(), &texts, &cuts);
            let one = whole(&texts);
            prop_assert_eq!(set.token_count(), one.corpus().token_count());
            for p in docs(&patterns) {
                let in_set = set.vocabulary().tokenize(&p);
                let in_one = one.corpus().vocabulary().tokenize(&p);
                let ranges = set.find(&in_set);
                prop_assert_eq!(total(&ranges), one.count(&in_one), "{}", p);
                let mut clusters: Vec<u32> =
                    set.positions(&ranges).map(|g| set.cluster_at(g).unwrap().0).collect();
                let mut expected: Vec<u32> = one
                    .positions(one.find(&in_one))
                    .iter()
                    .map(|&q| one.corpus().cluster_at(q).unwrap().0)
                    .collect();
                clusters.sort_unstable();
                expected.sort_unstable();
                prop_assert_eq!(clusters, expected);
                // Narrowing token by token reaches the same ranges as finding at once.
                let mut r = set.full_range();
                for (depth, &t) in in_set.iter().enumerate() {
                    r = set.narrow(&r, depth, t);
                }
                prop_assert_eq!(&r, &ranges);
                for g in set.positions(&ranges) {
                    prop_assert_eq!(set.token_at(g), in_set.first().copied());
                }
            }
        }
    }

    #[test]
    fn a_shard_is_written_once_and_damage_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let texts = docs(&[vec![1, 2, 3, 1, 2], vec![2, 3, 4]]);
        let set = shard_set(dir.path(), &texts, &[]);
        let shard = &set.shards()[0];
        let path = shard.path().to_path_buf();
        assert_eq!(
            path.file_name().unwrap().to_string_lossy(),
            format!("{:x}.{SHARD_FILE_EXTENSION}", shard.id())
        );
        // The same documents again: the same id, the file reused.
        let again = shard_set(dir.path(), &texts, &[]);
        assert_eq!(again.shards()[0].id(), shard.id());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

        let good = std::fs::read(&path).unwrap();
        let mut flipped = good.clone();
        flipped[HEADER_LEN + 5] ^= 1;
        let bad = dir.path().join("bad.olshard");
        std::fs::write(&bad, &flipped).unwrap();
        assert!(matches!(
            Shard::open(&bad, None),
            Err(ShardError::Corrupt {
                why: "checksum mismatch",
                ..
            })
        ));
        std::fs::write(&bad, &good[..good.len() - 4]).unwrap();
        assert!(matches!(
            Shard::open(&bad, None),
            Err(ShardError::Corrupt { .. })
        ));
        std::fs::write(&bad, &good).unwrap();
        assert!(matches!(
            Shard::open(&bad, Some(B256::ZERO)),
            Err(ShardError::Corrupt {
                why: "another shard's id",
                ..
            })
        ));
        assert!(Shard::open(&bad, Some(shard.id())).is_ok());
    }

    #[test]
    fn global_positions_pass_two_to_the_32() {
        // Bases are u64: a set whose first shard ended past 2^32 maps positions into the second.
        let dir = tempfile::tempdir().unwrap();
        let texts = docs(&[vec![1, 2], vec![3, 4, 5]]);
        let mut set = shard_set(dir.path(), &texts, &[1]);
        let offset = (1u64 << 32) + 7;
        set.bases[1] += offset;
        let ranges = set.find(&set.vocabulary().tokenize("w3 w4"));
        let at: Vec<u64> = set.positions(&ranges).collect();
        assert_eq!(at, vec![offset + 3]);
        assert_eq!(set.cluster_at(at[0]), Some(ClusterId(1)));
        assert_eq!(set.token_at(at[0]), set.vocabulary().get("w3"));
        assert_eq!(set.token_at(offset + 1), None, "between the shards");
    }
}
