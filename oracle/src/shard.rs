//! Immutable index shards on disk, memory-mapped, queried together (issue 15).
//!
//! A corpus that only grows should cost each epoch what is new, not everything ever accepted,
//! and should not have to fit in RAM. So the text and suffix array of a run of documents are
//! built once into a *shard* file, named by its content hash and never changed; a model's corpus
//! is a list of shards, and a query runs over every shard and merges (infini-gram's design).
//! Token ids come from one [`Vocabulary`] shared by the shards of a set, so a token means the
//! same word in every shard and a pattern is tokenised once.
//!
//! Positions are global `u64`s: shard `i` starts where shard `i - 1` ends, so a set of shards
//! can hold more than 2^32 tokens although each shard's own suffix array is `u32`. A set
//! answers every query of [`TextIndex`] exactly as one [`crate::index::SuffixIndex`] of the same
//! documents (property tests below), so attribution over shards is byte-identical.
//!
//! # What a shard holds, and what it does not
//! A shard holds what is expensive and fixed by the documents' text: their tokens (holes of
//! removed copies included) and the suffix array. Which cluster each document belongs to, and
//! which words are credited to an earlier holder, are renumbered by every epoch's clustering
//! (cluster ids follow canonical order, so a record accepted late shifts the ids after it):
//! they come with the set ([`DocumentTable`]), so a shard stays valid across those changes.
//!
//! # Which documents go into which shard
//! [`ShardSet::from_corpus`] cuts the corpus's documents into runs by their content (as
//! content-defined chunking does for bytes): after at least [`CutRule::min_tokens`], a document
//! ends its shard when a fixed hash of its tokens falls under a threshold proportional to its
//! length, and no shard grows past [`CutRule::max_tokens`] unless one document does. A cut
//! depends only on the documents since the previous cut, so documents appended to a corpus
//! change only its last shard, and a document inserted in the middle only the shard around it:
//! every other shard has the same id as before, and its file is reused rather than sorted again.
//!
//! The last shard is where appended records land, so [`ShardPlan::tail`] cuts the documents
//! after the last large cut again with a finer rule: an append re-sorts a shard of about 3
//! million tokens rather than one of about 24 million, and when the tail reaches a large cut its
//! small shards give way to one large shard (a compaction, paid once per large shard). Every
//! node cuts alike from the documents alone, although results do not depend on the cut.
//!
//! # File format (little endian; every section 4-byte aligned, so the map is read in place)
//! | bytes | field |
//! | --- | --- |
//! | 8 | magic `OLSHARD\0` |
//! | 4 | format version, 2 |
//! | 4 | zero |
//! | 32 | shard id: keccak256 of the documents (see [`ShardBuilder`]) |
//! | 8 | `n`, text length in tokens (a [`SEPARATOR`] after each document) |
//! | 8 | `d`, number of documents |
//! | 8 | `w`, word tokens (neither separators nor holes) |
//! | 4·n | the text (token ids) |
//! | 4·n | its suffix array (positions in the shard) |
//! | 4·d | start of each document in the text |
//! | 32 | keccak256 of all the bytes above |
//!
//! A file is used only if its magic, version, lengths, id and checksum match.

use std::{
    collections::{BTreeSet, HashMap},
    fs,
    io::{self, Write},
    ops::Range,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

use alloy::primitives::{B256, Keccak256};
use openledger_mmap::ReadOnlyMap;

use crate::{
    cluster::ClusterId,
    files::remove_if_present,
    index::{Corpus, find},
    sais,
    text::{SEPARATOR, Vocabulary},
    text_index::TextIndex,
};

#[cfg(not(target_endian = "little"))]
compile_error!("shard files are read in place as little-endian u32s");

const MAGIC: &[u8; 8] = b"OLSHARD\0";
const VERSION: u32 = 2;
const HEADER_LEN: usize = 8 + 4 + 4 + 32 + 8 + 8 + 8;
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
    /// The document table does not describe the shards' documents.
    #[error("document table: {0}")]
    Documents(&'static str),
}

/// Collects documents (already tokenised with the set's [`Vocabulary`]) into one shard.
///
/// The shard id is keccak256 over `"openledger-shard-v2"`, then per document its token count
/// (u32 LE) and its tokens (u32 LE): the same documents in the same order give the same id,
/// whichever node built it and whatever clusters they belong to this epoch.
#[derive(Debug)]
pub struct ShardBuilder {
    text: Vec<u32>,
    doc_starts: Vec<u32>,
    words: u64,
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
        hasher.update(b"openledger-shard-v2");
        Self {
            text: Vec::new(),
            doc_starts: Vec::new(),
            words: 0,
            hasher,
        }
    }

    /// Appends a document with token ids `tokens`; a [`SEPARATOR`] inside is a hole (a removed
    /// word, which matches nothing).
    pub fn push(&mut self, tokens: &[u32]) -> Result<(), ShardError> {
        let len = self.text.len() + tokens.len() + 1;
        if len >= u32::MAX as usize {
            return Err(ShardError::TooLarge(len));
        }
        self.hasher.update((tokens.len() as u32).to_le_bytes());
        self.hasher.update(bytemuck::cast_slice(tokens));
        self.doc_starts.push(self.text.len() as u32);
        self.words += tokens.iter().filter(|&&t| t != SEPARATOR).count() as u64;
        self.text.extend_from_slice(tokens);
        self.text.push(SEPARATOR);
        Ok(())
    }

    /// Text length so far, separators included.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// Whether no document was pushed.
    pub fn is_empty(&self) -> bool {
        self.doc_starts.is_empty()
    }

    /// The id the shard will have (see [`ShardBuilder`]).
    pub fn id(&self) -> B256 {
        self.hasher.clone().finalize()
    }

    /// Sorts the suffixes and writes the shard into `dir` as `<id>.olshard` (to a temporary
    /// file, synced, then renamed, so a crash never leaves a partial shard under its name); an
    /// intact file of that id already there is reused. Returns the opened shard and whether it
    /// was built (`false`: reused).
    pub fn write(self, dir: &Path, alphabet: usize) -> Result<(Shard, bool), ShardError> {
        let path = shard_path(dir, self.id());
        self.write_to(path, alphabet)
    }

    /// [`Self::write`], through `open`: a shard opened before (and whose file is still there)
    /// is reused without reading its file again.
    fn write_cached(
        self,
        dir: &Path,
        alphabet: usize,
        open: &OpenShards,
    ) -> Result<(Arc<Shard>, bool), ShardError> {
        let id = self.id();
        let path = shard_path(dir, id);
        if let Some(shard) = open.get(&id) {
            // Touching is also how a pruned file shows: then it is built again.
            if touch(&path).is_ok() {
                return Ok((shard, false));
            }
            open.forget(&id);
        }
        let (shard, built) = self.write_to(path, alphabet)?;
        let shard = Arc::new(shard);
        open.insert(shard.clone());
        Ok((shard, built))
    }

    fn write_to(self, path: PathBuf, alphabet: usize) -> Result<(Shard, bool), ShardError> {
        let id = self.id();
        let dir = path.parent().unwrap_or(Path::new("."));
        if let Ok(shard) = Shard::open(&path, Some(id)) {
            // Marks it used, for pruning; failing to is not worth failing the epoch.
            if let Err(e) = touch(&path) {
                tracing::warn!(path = %path.display(), error = %e, "could not mark a shard used");
            }
            return Ok((shard, false));
        }
        let io_err = |source| ShardError::Io {
            path: path.clone(),
            source,
        };
        let sa = suffix_array(&self.text, alphabet);
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
            header.extend_from_slice(&self.words.to_le_bytes());
            put(&mut out, &header).map_err(io_err)?;
            for section in [&self.text, &sa, &self.doc_starts] {
                for chunk in section.chunks(16 * 1024) {
                    put(&mut out, bytemuck::cast_slice(chunk)).map_err(io_err)?;
                }
            }
            out.write_all(sum.finalize().as_slice()).map_err(io_err)?;
            let file = out.into_inner().map_err(|e| io_err(e.into_error()))?;
            file.sync_all().map_err(io_err)?;
        }
        fs::rename(&tmp, &path).map_err(io_err)?;
        Ok((Shard::open(&path, Some(id))?, true))
    }
}

/// Where the shard `id` lives in `dir`.
fn shard_path(dir: &Path, id: B256) -> PathBuf {
    dir.join(format!("{id:x}.{SHARD_FILE_EXTENSION}"))
}

/// The suffix array of `text`, whose ids are below `alphabet`. SA-IS keeps a bucket per
/// symbol, so a text much shorter than the alphabet (a small shard of a corpus with a large
/// vocabulary) is sorted over the ranks of its own distinct ids instead: ranks keep the ids'
/// order, so the array is the same.
fn suffix_array(text: &[u32], alphabet: usize) -> Vec<u32> {
    if alphabet <= 2 * text.len() + 1024 {
        return sais::suffix_array(text, alphabet.max(1));
    }
    let mut distinct = text.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let ranks: Vec<u32> = text
        .iter()
        .map(|t| distinct.partition_point(|d| d < t) as u32)
        .collect();
    sais::suffix_array(&ranks, distinct.len().max(1))
}

fn touch(path: &Path) -> io::Result<()> {
    fs::File::options()
        .append(true)
        .open(path)?
        .set_modified(std::time::SystemTime::now())
}

/// One shard file, mapped read-only.
#[derive(Debug)]
pub struct Shard {
    map: ReadOnlyMap,
    id: B256,
    path: PathBuf,
    n: usize,
    d: usize,
    words: u64,
    /// A one-hash Bloom filter of the text's adjacent token pairs, 8 bits per token (about 12%
    /// false positives at worst): long matches are found by narrowing token by token, and a
    /// pair a shard lacks ends its part of the search without one.
    pairs: Vec<u64>,
    /// Where the suffixes starting with each token are: the first step of every search, and
    /// whether the shard holds a token at all (most shards lack a rare one).
    buckets: Buckets,
}

/// Where each first token's suffixes are in a shard's suffix array (see [`Shard`]).
#[derive(Debug)]
enum Buckets {
    /// Token `t`'s suffixes are `starts[t]..starts[t + 1]`: a lookup. Used while the ids are
    /// dense (the largest at most half the text's length, so at most 2 bytes a token).
    Dense(Vec<u32>),
    /// The shard's distinct tokens, sorted, and where each one's suffixes start (one start
    /// more at the end): a binary search. For a shard whose ids are sparse, as a small shard
    /// of a corpus whose vocabulary is much larger than it (a dense table would be sized by the
    /// vocabulary, which junk records could make huge).
    Sparse { tokens: Vec<u32>, starts: Vec<u32> },
}

impl Buckets {
    fn of(text: &[u32]) -> Self {
        let largest = text.iter().max().map_or(0, |&m| m as usize);
        if largest <= text.len() / 2 {
            Self::dense(text, largest)
        } else {
            Self::sparse(text)
        }
    }

    fn dense(text: &[u32], largest: usize) -> Self {
        let mut starts = vec![0u32; largest + 2];
        for &t in text {
            starts[t as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        Self::Dense(starts)
    }

    fn sparse(text: &[u32]) -> Self {
        let mut sorted = text.to_vec();
        sorted.sort_unstable();
        let (mut tokens, mut starts) = (Vec::new(), Vec::new());
        for (i, &t) in sorted.iter().enumerate() {
            if tokens.last() != Some(&t) {
                tokens.push(t);
                starts.push(i as u32);
            }
        }
        starts.push(sorted.len() as u32);
        Self::Sparse { tokens, starts }
    }

    /// The suffixes starting with `token` (empty when the shard lacks it).
    fn of_token(&self, token: u32) -> Range<usize> {
        let (lo, hi) = match self {
            Self::Dense(starts) => {
                let t = token as usize;
                (starts.get(t), starts.get(t + 1))
            }
            Self::Sparse { tokens, starts } => match tokens.binary_search(&token) {
                Ok(i) => (starts.get(i), starts.get(i + 1)),
                Err(_) => (None, None),
            },
        };
        match (lo, hi) {
            (Some(&a), Some(&b)) => a as usize..b as usize,
            _ => 0..0,
        }
    }
}

/// Bit of the pair `(a, b)` in a filter of `words` 64-bit words (a power of two).
fn pair_bit(a: u32, b: u32, words: usize) -> usize {
    let h = ((u64::from(a) << 32) | u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let bits = (words * 64).max(1) as u64;
    // `bits` is a power of two: the top bits of the product are its best mixed.
    (h >> (64 - bits.trailing_zeros().max(1))) as usize & (bits as usize - 1)
}

/// The adjacent pairs of `text` as a Bloom filter (see [`Shard`]).
fn pair_filter(text: &[u32]) -> Vec<u64> {
    let words = (text.len() * 8 / 64).max(1).next_power_of_two();
    let mut filter = vec![0u64; words];
    for w in text.windows(2) {
        let bit = pair_bit(w[0], w[1], words);
        filter[bit / 64] |= 1 << (bit % 64);
    }
    filter
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
        let (n, d, words) = (word(48) as usize, word(56) as usize, word(64));
        let body = n
            .checked_mul(8)
            .and_then(|t| d.checked_mul(4).and_then(|x| t.checked_add(x)));
        if body.and_then(|b| b.checked_add(HEADER_LEN + CHECKSUM_LEN)) != Some(bytes.len()) {
            return Err(corrupt("length does not match the header"));
        }
        if words > n as u64 || n >= u32::MAX as usize {
            return Err(corrupt("counts do not match the header"));
        }
        let (content, sum) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
        let mut hasher = Keccak256::new();
        hasher.update(content);
        if hasher.finalize().as_slice() != sum {
            return Err(corrupt("checksum mismatch"));
        }
        let mut shard = Self {
            map,
            id,
            path: path.to_path_buf(),
            n,
            d,
            words,
            pairs: Vec::new(),
            buckets: Buckets::Dense(Vec::new()),
        };
        shard.pairs = pair_filter(shard.text());
        shard.buckets = Buckets::of(shard.text());
        Ok(shard)
    }

    /// The suffixes that start with `token`: a range of the suffix array, found without a
    /// search.
    pub fn bucket(&self, token: u32) -> Range<usize> {
        self.buckets.of_token(token)
    }

    /// The suffixes that start with `pattern`.
    pub fn find(&self, pattern: &[u32]) -> Range<usize> {
        let Some(&first) = pattern.first() else {
            return 0..self.n;
        };
        if !self.may_hold(pattern) {
            return 0..0;
        }
        let bucket = self.bucket(first);
        let sa = self.suffix_array().get(bucket.clone()).unwrap_or(&[]);
        let within = find(self.text(), sa, pattern);
        canonical(bucket.start + within.start..bucket.start + within.end)
    }

    /// Whether `a` followed by `b` may occur in the shard (`false`: it does not).
    pub fn may_hold_pair(&self, a: u32, b: u32) -> bool {
        let bit = pair_bit(a, b, self.pairs.len());
        self.pairs
            .get(bit / 64)
            .is_some_and(|w| w >> (bit % 64) & 1 == 1)
    }

    /// Whether `pattern` may occur in the shard (`false`: it does not).
    fn may_hold(&self, pattern: &[u32]) -> bool {
        pattern.iter().all(|&t| self.holds(t))
            && pattern.windows(2).all(|w| self.may_hold_pair(w[0], w[1]))
    }

    /// Whether `token` occurs in the shard: a query with a token the shard lacks is empty
    /// without a search, which is most shards for a long match.
    pub fn holds(&self, token: u32) -> bool {
        !self.bucket(token).is_empty()
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

    /// Start of each document in [`Self::text`].
    pub fn document_starts(&self) -> &[u32] {
        self.section(2 * self.n, self.d)
    }

    /// Number of documents.
    pub fn document_count(&self) -> usize {
        self.d
    }

    /// Word tokens, separators and holes excluded.
    pub fn word_count(&self) -> u64 {
        self.words
    }

    /// Text length in tokens, separators included.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether the shard holds no document.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The document (index in this shard) holding shard position `position`.
    fn document_at(&self, position: u32) -> Option<usize> {
        self.document_starts()
            .partition_point(|&s| s <= position)
            .checked_sub(1)
    }
}

/// What each document of a [`ShardSet`] is this epoch: its cluster, and the runs of its words
/// credited to an earlier holder (see the module documentation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentTable {
    /// Cluster of each document, in corpus order (over every shard).
    pub clusters: Vec<ClusterId>,
    /// `(start, end, origin)`: global positions `[start, end)` credited to `origin` rather than
    /// their document's cluster, sorted by start and disjoint.
    pub foreign: Vec<(u64, u64, ClusterId)>,
}

/// One rule for cutting a run of documents into shards (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CutRule {
    /// No cut before a shard holds this many tokens (bounds the number of shards).
    pub min_tokens: usize,
    /// Past `min_tokens`, a document of `len` tokens ends its shard with probability
    /// `len / spread_tokens` (by a fixed hash of its tokens): shards average about
    /// `min_tokens + spread_tokens`.
    pub spread_tokens: usize,
    /// No shard grows past this many tokens unless one document does (bounds the work that a
    /// change to one document costs, and each shard's `u32` positions).
    pub max_tokens: usize,
}

impl CutRule {
    /// Whether `doc` ends a shard that holds `len` tokens with it.
    fn cuts_after(&self, doc: &[u32], len: usize) -> bool {
        if len < self.min_tokens {
            return false;
        }
        // A fixed hash (not the process-seeded one of maps): every node cuts alike.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &t in doc {
            h = (h ^ u64::from(t)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        h ^= h >> 29;
        h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h ^= h >> 32;
        h % (self.spread_tokens.max(1) as u64) < doc.len() as u64 + 1
    }

    /// Cuts documents `range` (tokens by `doc`) into runs, in order, and says whether the last
    /// run is open (no cut ended it: documents appended later would join it).
    fn cut<'a>(
        &self,
        range: Range<usize>,
        doc: &impl Fn(usize) -> &'a [u32],
    ) -> (Vec<Range<usize>>, bool) {
        let mut runs = Vec::new();
        let (mut start, mut len) = (range.start, 0usize);
        for i in range.clone() {
            let d = doc(i);
            // Each document is followed by one separator.
            if len > 0 && len + d.len() + 1 > self.max_tokens {
                runs.push(start..i);
                (start, len) = (i, 0);
            }
            len += d.len() + 1;
            if self.cuts_after(d, len) {
                runs.push(start..i + 1);
                (start, len) = (i + 1, 0);
            }
        }
        let open = start < range.end;
        if open {
            runs.push(start..range.end);
        }
        (runs, open)
    }
}

/// How [`ShardSet::from_corpus`] cuts documents into shards (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardPlan {
    /// How the corpus is cut.
    pub shards: CutRule,
    /// How the documents after the last cut of `shards` are cut again, finer. That tail is where
    /// appended records land: cut by `shards` alone it is one shard, re-sorted whole (millions
    /// of tokens) for every record appended; cut finer, an append re-sorts only the small shard
    /// it joins, and once the tail grows past a cut of `shards` its small shards give way to one
    /// large one (an amortised compaction).
    pub tail: Option<CutRule>,
}

impl Default for ShardPlan {
    /// About 24 million tokens (100 MB of text) a shard: a 5 GB corpus is some 50 shards. The
    /// tail in shards of about 3 million tokens: 4 on average, at most some 20.
    fn default() -> Self {
        Self {
            shards: CutRule {
                min_tokens: 8 << 20,
                spread_tokens: 16 << 20,
                max_tokens: 64 << 20,
            },
            tail: Some(CutRule {
                min_tokens: 1 << 20,
                spread_tokens: 2 << 20,
                max_tokens: 8 << 20,
            }),
        }
    }
}

impl ShardPlan {
    /// Cut by `rule` alone, with no finer tail.
    pub fn single(rule: CutRule) -> Self {
        Self {
            shards: rule,
            tail: None,
        }
    }

    /// The runs of documents `0..count` (tokens by `doc`) that make shards, in order.
    fn runs<'a>(&self, count: usize, doc: impl Fn(usize) -> &'a [u32]) -> Vec<Range<usize>> {
        let (mut runs, open) = self.shards.cut(0..count, &doc);
        // Only an open run is the tail: a closed one is a large shard that appends never touch,
        // and cutting it finer would only have the next append sort it again as one shard.
        if let Some(tail) = &self.tail
            && open
            && let Some(last) = runs.pop()
        {
            runs.extend(tail.cut(last, &doc).0);
        }
        runs
    }
}

/// What [`ShardSet::from_corpus`] sorted and what it found already on disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShardWork {
    /// Shards built (suffixes sorted and written).
    pub built: usize,
    /// Tokens of the shards built.
    pub built_tokens: u64,
    /// Shards whose file was already there.
    pub reused: usize,
    /// Tokens of the shards reused.
    pub reused_tokens: u64,
}

impl ShardWork {
    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &Self) {
        self.built += other.built;
        self.built_tokens += other.built_tokens;
        self.reused += other.reused;
        self.reused_tokens += other.reused_tokens;
    }
}

/// Where a node keeps shard files between epochs, and how it cuts corpora into shards.
///
/// Results never depend on the plan (a set answers as one index however it is cut): two nodes
/// with different plans sign the same reports.
#[derive(Debug, Clone)]
pub struct ShardStore {
    /// The directory of `*.olshard` files.
    pub dir: PathBuf,
    /// How corpora are cut.
    pub plan: ShardPlan,
    /// The shards opened so far (clones share them).
    open: OpenShards,
}

/// Shards a process has opened, by id: opening reads the whole file (its checksum) and builds
/// the shard's filters, which a node would otherwise repeat for every reused shard every epoch.
/// Holds only files still on disk ([`ShardStore::prune`] forgets what it deletes).
#[derive(Debug, Clone, Default)]
struct OpenShards(Arc<Mutex<HashMap<B256, Arc<Shard>>>>);

impl OpenShards {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<B256, Arc<Shard>>> {
        // A panic elsewhere cannot leave the map half-changed: every change is one call.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn get(&self, id: &B256) -> Option<Arc<Shard>> {
        self.lock().get(id).cloned()
    }

    fn insert(&self, shard: Arc<Shard>) {
        self.lock().insert(shard.id(), shard);
    }

    fn forget(&self, id: &B256) {
        self.lock().remove(id);
    }

    fn forget_paths(&self, deleted: &[PathBuf]) {
        self.lock()
            .retain(|_, s| !deleted.iter().any(|d| d == s.path()));
    }

    fn len(&self) -> usize {
        self.lock().len()
    }
}

impl ShardStore {
    /// A store in `dir` with the default plan.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            plan: ShardPlan::default(),
            open: OpenShards::default(),
        }
    }

    /// The shards of `corpus` cut by the store's plan (see [`ShardSet::from_corpus`]); shards
    /// this store opened before are reused without reading their files again.
    pub fn index(&self, corpus: &Corpus) -> Result<(ShardSet, ShardWork), ShardError> {
        ShardSet::index(corpus, &self.dir, &self.plan, &self.open)
    }

    /// How many shards the store holds open.
    pub fn open_count(&self) -> usize {
        self.open.len()
    }

    /// The same store cutting by `plan`.
    pub fn with_plan(self, plan: ShardPlan) -> Self {
        Self { plan, ..self }
    }

    /// Deletes shard files that are not in `used` and do not fit in `spare_bytes`, most
    /// recently used kept first (a reused shard is touched, see [`ShardBuilder::write`]), and
    /// temporary files left more than an hour ago by an interrupted write. Disk use after it is
    /// the used shards plus at most `spare_bytes`. Returns the files deleted.
    pub fn prune(&self, used: &BTreeSet<PathBuf>, spare_bytes: u64) -> io::Result<Vec<PathBuf>> {
        let mut unused = Vec::new();
        let mut deleted = Vec::new();
        let now = std::time::SystemTime::now();
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            let path = entry.path();
            let meta = entry.metadata()?;
            let modified = meta.modified()?;
            let is_shard = path.extension().is_some_and(|e| e == SHARD_FILE_EXTENSION);
            let stale_tmp = path.extension().is_some_and(|e| e == "tmp")
                && now
                    .duration_since(modified)
                    .is_ok_and(|age| age.as_secs() > 3600);
            if stale_tmp {
                if remove_if_present(&path)? {
                    deleted.push(path);
                }
            } else if is_shard && !used.contains(&path) {
                unused.push((modified, path, meta.len()));
            }
        }
        // Most recent first; ties by name, so the choice does not depend on directory order.
        unused.sort_by(|a, b| (b.0, &b.1).cmp(&(a.0, &a.1)));
        let mut kept = 0u64;
        for (_, path, len) in unused {
            if kept + len <= spare_bytes {
                kept += len;
            } else if remove_if_present(&path)? {
                deleted.push(path);
            }
        }
        // Memory only: a shard whose file is gone is rebuilt anyway (see `write_cached`).
        self.open.forget_paths(&deleted);
        Ok(deleted)
    }
}

/// Suffix-array ranges of a pattern, one per shard of a [`ShardSet`].
pub type Ranges = Vec<Range<usize>>;

/// The shards of one corpus in order, with the vocabulary their token ids come from and what
/// their documents are this epoch.
#[derive(Debug)]
pub struct ShardSet {
    vocab: Vocabulary,
    shards: Vec<Arc<Shard>>,
    /// Global position of each shard's first token.
    bases: Vec<u64>,
    /// Global index of each shard's first document.
    doc_bases: Vec<usize>,
    documents: DocumentTable,
    token_count: u64,
}

impl ShardSet {
    /// A set over `shards` (in corpus order), whose token ids are `vocab`'s and whose documents
    /// are `documents`.
    pub fn new(
        vocab: Vocabulary,
        shards: Vec<Arc<Shard>>,
        documents: DocumentTable,
    ) -> Result<Self, ShardError> {
        let mut bases = Vec::with_capacity(shards.len());
        let mut doc_bases = Vec::with_capacity(shards.len());
        let (mut next, mut docs, mut token_count) = (0u64, 0usize, 0u64);
        for s in &shards {
            bases.push(next);
            doc_bases.push(docs);
            next += s.len() as u64;
            docs += s.document_count();
            token_count += s.word_count();
        }
        if documents.clusters.len() != docs {
            return Err(ShardError::Documents(
                "one cluster per document of the shards",
            ));
        }
        let ordered = documents.foreign.windows(2).all(|w| w[0].1 <= w[1].0);
        if !ordered || documents.foreign.iter().any(|r| r.0 >= r.1 || r.1 > next) {
            return Err(ShardError::Documents(
                "credited runs sorted, disjoint and inside the text",
            ));
        }
        Ok(Self {
            vocab,
            shards,
            bases,
            doc_bases,
            documents,
            token_count,
        })
    }

    /// The shards of `corpus`, cut by `plan` (see the module documentation), built into `dir`
    /// or reused from it, with the corpus's clusters and credited runs.
    pub fn from_corpus(
        corpus: &Corpus,
        dir: &Path,
        plan: &ShardPlan,
    ) -> Result<(Self, ShardWork), ShardError> {
        Self::index(corpus, dir, plan, &OpenShards::default())
    }

    fn index(
        corpus: &Corpus,
        dir: &Path,
        plan: &ShardPlan,
        open: &OpenShards,
    ) -> Result<(Self, ShardWork), ShardError> {
        let (text, starts) = (corpus.tokens(), corpus.document_starts());
        let alphabet = corpus.vocabulary().len() + 1;
        let doc = |i: usize| {
            // Each document is followed by one separator, the last one included.
            let end = starts.get(i + 1).map_or(text.len(), |&s| s as usize) - 1;
            &text[starts[i] as usize..end]
        };
        let mut shards = Vec::new();
        let mut work = ShardWork::default();
        for run in plan.runs(starts.len(), doc) {
            let mut builder = ShardBuilder::new();
            for i in run {
                builder.push(doc(i))?;
            }
            let (shard, built) = builder.write_cached(dir, alphabet, open)?;
            let tokens = shard.len() as u64;
            if built {
                work.built += 1;
                work.built_tokens += tokens;
            } else {
                work.reused += 1;
                work.reused_tokens += tokens;
            }
            shards.push(shard);
        }
        let documents = DocumentTable {
            clusters: corpus.document_clusters().to_vec(),
            foreign: corpus
                .foreign_runs()
                .iter()
                .map(|&(s, e, c)| (u64::from(s), u64::from(e), c))
                .collect(),
        };
        let set = Self::new(corpus.vocabulary().clone(), shards, documents)?;
        Ok((set, work))
    }

    /// The shared vocabulary, to tokenise outputs.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocab
    }

    /// The shards, in order.
    pub fn shards(&self) -> &[Arc<Shard>] {
        &self.shards
    }

    /// Word tokens over all shards, separators and holes excluded.
    pub fn token_count(&self) -> u64 {
        self.token_count
    }

    /// Every suffix of every shard.
    pub fn full_range(&self) -> Ranges {
        self.shards.iter().map(|s| 0..s.len()).collect()
    }

    /// The ranges of the suffixes starting with `pattern`.
    pub fn find(&self, pattern: &[u32]) -> Ranges {
        self.shards.iter().map(|s| s.find(pattern)).collect()
    }

    /// Occurrences of `pattern` over all shards.
    pub fn count(&self, pattern: &[u32]) -> u64 {
        total(&self.find(pattern))
    }

    /// Narrows `ranges`, whose suffixes share their first `depth` tokens, to those whose next
    /// token is `token` (per shard, two binary searches; an empty range, a token or pair the
    /// shard lacks and the first token cost none).
    pub fn narrow(&self, ranges: &[Range<usize>], depth: usize, token: u32) -> Ranges {
        self.shards
            .iter()
            .zip(ranges)
            .map(|(s, range)| {
                if range.is_empty() {
                    return 0..0;
                }
                if depth == 0 {
                    // The suffixes starting with `token` are its bucket: no search.
                    let b = s.bucket(token);
                    let (start, end) = (b.start.max(range.start), b.end.min(range.end));
                    return canonical(start..end);
                }
                if !s.holds(token) {
                    return 0..0;
                }
                let (text, sa) = (s.text(), s.suffix_array());
                let Some(slice) = sa.get(range.clone()) else {
                    return 0..0;
                };
                // Every suffix of the range has the same token before `depth`.
                let before = slice
                    .first()
                    .and_then(|&p| text.get(p as usize + depth - 1));
                if before.is_some_and(|&b| !s.may_hold_pair(b, token)) {
                    return 0..0;
                }
                let at = |p: u32| text.get(p as usize + depth).copied();
                let lo = slice.partition_point(|&p| at(p) < Some(token));
                let hi = slice.partition_point(|&p| at(p) <= Some(token));
                canonical(range.start + lo..range.start + hi)
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

    /// The shard (its index) holding global position `position` and the position within it.
    fn locate(&self, position: u64) -> Option<(usize, u32)> {
        let i = self
            .bases
            .partition_point(|&b| b <= position)
            .checked_sub(1)?;
        let local = u32::try_from(position - self.bases[i]).ok()?;
        let shard = self.shards.get(i)?;
        ((local as usize) < shard.len()).then_some((i, local))
    }

    /// The token at global position `position`.
    pub fn token_at(&self, position: u64) -> Option<u32> {
        let (i, local) = self.locate(position)?;
        self.shards[i].text().get(local as usize).copied()
    }

    /// The cluster of the document holding global position `position`.
    pub fn cluster_at(&self, position: u64) -> Option<ClusterId> {
        let (i, local) = self.locate(position)?;
        let doc = self.shards[i].document_at(local)?;
        self.documents
            .clusters
            .get(self.doc_bases[i] + doc)
            .copied()
    }

    /// The cluster credited for the word at global position `position`: the first holder of
    /// that text (its document's cluster unless an earlier document held it first).
    pub fn credited_at(&self, position: u64) -> Option<ClusterId> {
        let foreign = &self.documents.foreign;
        let run = foreign.partition_point(|r| r.0 <= position);
        match run.checked_sub(1).and_then(|r| foreign.get(r)) {
            Some(&(_, end, origin)) if position < end => Some(origin),
            _ => self.cluster_at(position),
        }
    }
}

/// `range`, or `0..0` when it is empty: every way of finding nothing gives the same range.
fn canonical(range: Range<usize>) -> Range<usize> {
    if range.is_empty() { 0..0 } else { range }
}

/// Number of suffixes in `ranges`.
pub fn total(ranges: &[Range<usize>]) -> u64 {
    ranges.iter().map(|r| r.len() as u64).sum()
}

impl TextIndex for ShardSet {
    type Range = Ranges;

    fn vocabulary(&self) -> &Vocabulary {
        &self.vocab
    }

    fn token_count(&self) -> u64 {
        self.token_count
    }

    fn full_range(&self) -> Ranges {
        ShardSet::full_range(self)
    }

    fn find(&self, pattern: &[u32]) -> Ranges {
        ShardSet::find(self, pattern)
    }

    fn narrow(&self, range: &Ranges, depth: usize, token: u32) -> Ranges {
        ShardSet::narrow(self, range, depth, token)
    }

    fn occurrences(&self, range: &Ranges) -> u64 {
        total(range)
    }

    fn positions_upto(&self, range: &Ranges, limit: usize) -> Option<Vec<u64>> {
        (total(range) <= limit as u64).then(|| self.positions(range).collect())
    }

    fn earliest(&self, range: &Ranges) -> Option<u64> {
        // Shards are in corpus order: the earliest occurrence is in the first shard holding one.
        let (i, r) = range.iter().enumerate().find(|(_, r)| !r.is_empty())?;
        let sa = self.shards.get(i)?.suffix_array().get(r.clone())?;
        sa.iter().min().map(|&p| self.bases[i] + u64::from(p))
    }

    fn token_at(&self, position: u64) -> Option<u32> {
        ShardSet::token_at(self, position)
    }

    fn credited_at(&self, position: u64) -> Option<ClusterId> {
        ShardSet::credited_at(self, position)
    }

    fn clusters(&self, range: &Ranges) -> Vec<ClusterId> {
        let set: BTreeSet<ClusterId> = self
            .positions(range)
            .filter_map(|p| self.cluster_at(p))
            .collect();
        set.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;
    use crate::{
        attribute::{AttributionParams, attribute},
        index::{CorpusOptions, SuffixIndex},
    };

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

    fn corpus_of(texts: &[String], options: &CorpusOptions<'_>) -> Corpus {
        Corpus::build_with(
            texts
                .iter()
                .enumerate()
                .map(|(i, t)| (ClusterId(i as u32), t.as_str())),
            options,
        )
        .unwrap()
    }

    /// The corpus's documents split into shards before each document index in `cuts`.
    fn split(dir: &Path, corpus: &Corpus, cuts: &[usize]) -> ShardSet {
        let (text, starts) = (corpus.tokens(), corpus.document_starts());
        let alphabet = corpus.vocabulary().len() + 1;
        let mut shards = Vec::new();
        let mut builder = ShardBuilder::new();
        for (i, &start) in starts.iter().enumerate() {
            if cuts.contains(&i) && !builder.is_empty() {
                shards.push(Arc::new(
                    std::mem::take(&mut builder).write(dir, alphabet).unwrap().0,
                ));
            }
            let end = starts.get(i + 1).map_or(text.len(), |&s| s as usize) - 1;
            builder.push(&text[start as usize..end]).unwrap();
        }
        shards.push(Arc::new(builder.write(dir, alphabet).unwrap().0));
        let documents = DocumentTable {
            clusters: corpus.document_clusters().to_vec(),
            foreign: corpus
                .foreign_runs()
                .iter()
                .map(|&(s, e, c)| (u64::from(s), u64::from(e), c))
                .collect(),
        };
        ShardSet::new(corpus.vocabulary().clone(), shards, documents).unwrap()
    }

    fn shard_set(dir: &Path, texts: &[String], cuts: &[usize]) -> ShardSet {
        split(dir, &corpus_of(texts, &CorpusOptions::WHOLE), cuts)
    }

    fn whole(texts: &[String]) -> SuffixIndex {
        SuffixIndex::build(corpus_of(texts, &CorpusOptions::WHOLE))
    }

    /// Prior art, copy removal, bridging and the common-text rule all at lengths that random
    /// documents over seven words reach.
    const SMALL: AttributionParams = AttributionParams {
        min_span: 2,
        common_occurrences: 3,
        min_distinct: 1,
        prior_art_span: 3,
        copy_removal_span: 4,
        bridge_tail: 1,
    };

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

        /// Attribution over any split into shards is attribution over one index, report for
        /// report: prior art (earliest occurrence, credited runs), holes, bridging, rarity.
        #[test]
        fn attribution_over_shards_is_attribution_over_one_index(
            words in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 1..10),
            cuts in prop::collection::vec(0usize..10, 0..4),
            outputs in prop::collection::vec(prop::collection::vec(any::<u8>(), 1..30), 1..6),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let texts = docs(&words);
            let options = CorpusOptions::for_params(&SMALL, None);
            let corpus = corpus_of(&texts, &options);
            let set = split(dir.path(), &corpus, &cuts);
            let one = SuffixIndex::build(corpus);
            // Outputs: random words, and documents themselves (long matches, copies).
            for output in docs(&outputs).iter().chain(&texts) {
                prop_assert_eq!(attribute(&set, output, &SMALL), attribute(&one, output, &SMALL));
            }
        }
    }

    /// Appending documents leaves every shard but the last as it was, and inserting one in the
    /// middle leaves the shards before it; either way the set answers as one index.
    #[test]
    fn shards_of_a_growing_corpus_are_reused() {
        let dir = tempfile::tempdir().unwrap();
        let plan = ShardPlan::single(CutRule {
            min_tokens: 40,
            spread_tokens: 30,
            max_tokens: 120,
        });
        let mut texts: Vec<String> = (0..60u32)
            .map(|i| {
                let words = (0..12).map(|k| format!("w{}", (i * 7 + k * k) % 23));
                format!("d{i} {}", words.collect::<Vec<_>>().join(" "))
            })
            .collect();
        let build = |texts: &[String]| {
            let corpus = corpus_of(texts, &CorpusOptions::WHOLE);
            let (set, work) = ShardSet::from_corpus(&corpus, dir.path(), &plan).unwrap();
            let one = SuffixIndex::build(corpus);
            for t in texts.iter().step_by(7) {
                assert_eq!(attribute(&set, t, &SMALL), attribute(&one, t, &SMALL));
            }
            (set, work)
        };
        let (first, work) = build(&texts);
        let n = first.shards().len();
        assert!(n >= 5, "{n} shards");
        assert_eq!((work.built, work.reused), (n, 0));
        assert!(
            first
                .shards()
                .iter()
                .all(|s| s.len() <= plan.shards.max_tokens)
        );

        let (same, work) = build(&texts);
        assert_eq!((work.built, work.reused), (0, n));
        let ids = |s: &ShardSet| s.shards().iter().map(|s| s.id()).collect::<Vec<_>>();
        assert_eq!(ids(&same), ids(&first));

        texts.push("w1 w2 w3 w4 w5 w6".into());
        let (grown, work) = build(&texts);
        assert_eq!(ids(&grown)[..n - 1], ids(&first)[..n - 1]);
        assert_eq!(work.built, 1, "only the last shard is new");
        assert!(work.built_tokens <= plan.shards.max_tokens as u64);

        // The vocabulary is in order of first appearance, so the inserted document uses only
        // words seen before it: a new word would renumber the words after it.
        texts.insert(30, "w3 w1 w4 w1 w5".into());
        let (inserted, work) = build(&texts);
        let before = first
            .shards()
            .iter()
            .zip(&first.doc_bases)
            .take_while(|(s, b)| *b + s.document_count() <= 30)
            .count();
        assert_eq!(ids(&inserted)[..before], ids(&first)[..before]);
        assert!(work.built < inserted.shards().len(), "{work:?}");
    }

    /// Records appended one at a time, as epochs see them: with a finer tail, each append
    /// re-sorts only the small shard it joins (and now and then the tail becomes one large
    /// shard), far fewer tokens than re-sorting the whole last shard every time.
    #[test]
    fn a_finer_tail_makes_appends_cheap() {
        let dir = tempfile::tempdir().unwrap();
        let shards = CutRule {
            min_tokens: 600,
            spread_tokens: 600,
            max_tokens: 2400,
        };
        let tail = CutRule {
            min_tokens: 40,
            spread_tokens: 40,
            max_tokens: 160,
        };
        let texts: Vec<String> = (0..400u32)
            .map(|i| {
                let words = (0..12).map(|k| format!("w{}", (i * 7 + k * k) % 23));
                format!("d{i} {}", words.collect::<Vec<_>>().join(" "))
            })
            .collect();
        let appended_work = |plan: ShardPlan, name: &str| {
            let dir = dir.path().join(name);
            let mut built = 0;
            for n in 300..=texts.len() {
                let corpus = corpus_of(&texts[..n], &CorpusOptions::WHOLE);
                let (set, work) = ShardSet::from_corpus(&corpus, &dir, &plan).unwrap();
                if n > 300 {
                    built += work.built_tokens;
                    assert!(work.built <= 2, "{n}: {work:?}");
                }
                if n % 20 == 0 {
                    let one = SuffixIndex::build(corpus);
                    for t in texts[..n].iter().step_by(37) {
                        assert_eq!(attribute(&set, t, &SMALL), attribute(&one, t, &SMALL));
                    }
                }
            }
            built
        };
        let with_tail = appended_work(
            ShardPlan {
                shards,
                tail: Some(tail),
            },
            "tail",
        );
        let without = appended_work(ShardPlan::single(shards), "single");
        // 100 appends of 14 tokens: 1,400 tokens new.
        assert!(
            with_tail * 4 < without,
            "{with_tail} against {without} tokens sorted"
        );
        assert!(with_tail < 100 * 160 + 4 * 2400, "{with_tail}");
    }

    /// Only the open end of the large cut is cut finer: when the last document ends a large
    /// shard, that shard is built as one (the next append would sort it as one anyway).
    #[test]
    fn a_closed_large_shard_is_not_cut_again() {
        let shards = CutRule {
            min_tokens: 60,
            spread_tokens: 60,
            max_tokens: 240,
        };
        let plan = ShardPlan {
            shards,
            tail: Some(CutRule {
                min_tokens: 4,
                spread_tokens: 4,
                max_tokens: 16,
            }),
        };
        let docs: Vec<Vec<u32>> = (0..200u32)
            .map(|i| (0..1 + i % 7).map(|k| i * 31 + k).collect())
            .collect();
        let doc = |i: usize| docs[i].as_slice();
        let mut closed_ends = 0;
        for n in 1..=docs.len() {
            let (large, open) = shards.cut(0..n, &doc);
            let runs = plan.runs(n, doc);
            let closed = large.len() - usize::from(open);
            assert_eq!(runs[..closed], large[..closed], "{n}");
            if open {
                assert!(runs.len() > closed, "{n}");
                assert_eq!(runs[closed].start, large[closed].start, "{n}");
                assert_eq!(runs.last().map(|r| r.end), Some(n), "{n}");
            } else {
                closed_ends += 1;
                assert_eq!(runs, large, "{n}: a closed shard cut again");
            }
        }
        assert!(closed_ends > 0, "no prefix ends a large shard");
    }

    /// A store keeps the shards it opened: the next epoch reuses them without reading their
    /// files, rebuilds one whose file went away, and forgets what pruning deletes.
    #[test]
    fn a_store_reuses_the_shards_it_opened() {
        let dir = tempfile::tempdir().unwrap();
        let store = ShardStore::new(dir.path()).with_plan(ShardPlan::single(CutRule {
            min_tokens: 1,
            spread_tokens: 1,
            max_tokens: 1,
        }));
        let texts: Vec<String> = (0..5).map(|i| format!("document {i} of five")).collect();
        let corpus = corpus_of(&texts, &CorpusOptions::WHOLE);
        let (first, work) = store.index(&corpus).unwrap();
        assert_eq!((work.built, work.reused, store.open_count()), (5, 0, 5));
        let (again, work) = store.index(&corpus).unwrap();
        assert_eq!((work.built, work.reused, store.open_count()), (0, 5, 5));
        assert!(
            Arc::ptr_eq(&first.shards()[2], &again.shards()[2]),
            "the same open shard"
        );

        let gone = first.shards()[2].path().to_path_buf();
        fs::remove_file(&gone).unwrap();
        let (rebuilt, work) = store.index(&corpus).unwrap();
        assert_eq!((work.built, work.reused), (1, 4));
        assert!(gone.exists());
        assert!(!Arc::ptr_eq(&first.shards()[2], &rebuilt.shards()[2]));

        let deleted = store.prune(&BTreeSet::new(), 0).unwrap();
        assert_eq!((deleted.len(), store.open_count()), (5, 0));
    }

    proptest! {
        /// Both ways of finding a first token's suffixes agree with counting them.
        #[test]
        fn dense_and_sparse_buckets_agree(text in prop::collection::vec(0u32..40, 0..200)) {
            let largest = text.iter().max().map_or(0, |&m| m as usize);
            let (dense, sparse) = (Buckets::dense(&text, largest), Buckets::sparse(&text));
            let mut before = 0;
            for t in 0..45u32 {
                let n = text.iter().filter(|&&x| x == t).count();
                let expected = if n == 0 { 0..0 } else { before..before + n };
                prop_assert_eq!(canonical(dense.of_token(t)), expected.clone());
                prop_assert_eq!(sparse.of_token(t), expected);
                before += n;
            }
        }
    }

    proptest! {
        /// Sorting over ranks gives the suffix array of the ids themselves.
        #[test]
        fn a_large_alphabet_sorts_over_ranks(
            text in prop::collection::vec(0u32..6, 1..80),
            scale in 1u32..100_000,
        ) {
            // Spread ids far apart, keeping their order and the separator at 0.
            let spread: Vec<u32> = text.iter().map(|&t| t * scale).collect();
            let alphabet = 5 * scale as usize + 1;
            let expected = sais::suffix_array(&text, 6);
            prop_assert_eq!(suffix_array(&spread, alphabet), expected);
        }
    }

    #[test]
    fn pruning_keeps_the_used_shards_and_the_most_recent_that_fit() {
        let dir = tempfile::tempdir().unwrap();
        let store = ShardStore::new(dir.path());
        let write = |text: &str, age_secs: u64| {
            let corpus = corpus_of(&[text.to_owned()], &CorpusOptions::WHOLE);
            let (set, _) = ShardSet::from_corpus(&corpus, &store.dir, &store.plan).unwrap();
            let path = set.shards()[0].path().to_path_buf();
            let when = std::time::SystemTime::now() - std::time::Duration::from_secs(age_secs);
            fs::File::options()
                .append(true)
                .open(&path)
                .unwrap()
                .set_modified(when)
                .unwrap();
            (path.clone(), fs::metadata(&path).unwrap().len())
        };
        // Oldest first: `used` is the oldest of all, and is kept whatever its age.
        let (used, _) = write("the oldest shard of all, but in use", 500);
        let (old, _) = write("an old shard nobody uses any more", 400);
        let (recent, recent_len) = write("a recent shard nobody uses now", 300);
        let (newest, newest_len) = write("the newest shard, unused", 200);
        let stale = dir.path().join("crashed.olshard.1.1.tmp");
        fs::write(&stale, b"half a shard").unwrap();
        let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3700);
        fs::File::options()
            .append(true)
            .open(&stale)
            .unwrap()
            .set_modified(an_hour_ago)
            .unwrap();
        let fresh = dir.path().join("writing.olshard.2.2.tmp");
        fs::write(&fresh, b"being written").unwrap();
        let unrelated = dir.path().join("notes.txt");
        fs::write(&unrelated, b"not ours").unwrap();

        let in_use = BTreeSet::from([used.clone()]);
        let mut deleted = store.prune(&in_use, newest_len + recent_len).unwrap();
        deleted.sort();
        let mut expected = vec![old.clone(), stale];
        expected.sort();
        assert_eq!(deleted, expected);
        for kept in [&used, &recent, &newest, &fresh, &unrelated] {
            assert!(kept.exists(), "{}", kept.display());
        }
        // With no room to spare, only what is used stays.
        let deleted = store.prune(&in_use, 0).unwrap();
        assert_eq!(deleted, vec![newest, recent]);
        assert!(used.exists() && Shard::open(&used, None).is_ok());
    }

    #[test]
    fn a_document_table_must_describe_the_shards() {
        let dir = tempfile::tempdir().unwrap();
        let set = shard_set(dir.path(), &docs(&[vec![1, 2, 3], vec![2, 3]]), &[1]);
        let table = |clusters: u32, foreign| DocumentTable {
            clusters: (0..clusters).map(ClusterId).collect(),
            foreign,
        };
        let again = |t| ShardSet::new(set.vocabulary().clone(), set.shards().to_vec(), t);
        assert!(again(table(2, vec![])).is_ok());
        assert!(matches!(
            again(table(3, vec![])),
            Err(ShardError::Documents(_))
        ));
        for foreign in [
            vec![(1, 1, ClusterId(0))],
            vec![(0, 3, ClusterId(0)), (2, 4, ClusterId(1))],
            vec![(5, 99, ClusterId(0))],
        ] {
            assert!(matches!(
                again(table(2, foreign)),
                Err(ShardError::Documents(_))
            ));
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
