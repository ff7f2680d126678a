//! Suffix-array index over a model's training corpus.
//!
//! # What is indexed
//! One document per cluster: the normalised text of the cluster's representative (its earliest
//! member, see [`crate::cluster`](mod@crate::cluster)). Copies, exact or near, are therefore not in the index at all:
//! they cannot multiply a span's occurrences, split its weight, or add clusters to it. Words
//! become token ids through the corpus [`Vocabulary`] (first appearance order), and every
//! document is followed by [`SEPARATOR`], so no match crosses two documents.
//!
//! # Identity of a corpus
//! [`Corpus::hash`] is keccak256 over `"openledger-corpus-v1"`, then for each document in order:
//! its cluster id (u32 LE), its word count (u32 LE) and each word as (byte length u32 LE, UTF-8
//! bytes). Same documents in the same order, same hash; the token ids follow from it.
//!
//! # On-disk format (little endian)
//! | bytes | field |
//! | --- | --- |
//! | 8 | magic `OLSAIDX\0` |
//! | 4 | format version, 1 |
//! | 32 | corpus hash |
//! | 8 | `n`, text length in tokens (separators included) |
//! | 4·n | the suffix array, one u32 per entry |
//! | 32 | keccak256 of all the bytes above |
//!
//! A file is used only if its magic, version, corpus hash, length and checksum all match and its
//! entries are a permutation of `0..n`; otherwise the array is rebuilt and the file replaced
//! (written beside it, then renamed, so a crash never leaves a half-written index in place).

use std::{
    cmp::Ordering,
    collections::BTreeSet,
    fs,
    io::{self, Read, Write},
    ops::Range,
    path::Path,
};

use alloy::primitives::{B256, Keccak256};

use rayon::prelude::*;

use crate::{
    cluster::ClusterId,
    prior_art::{self, PriorArt},
    sais,
    text::{self, SEPARATOR, Vocabulary},
};

const MAGIC: &[u8; 8] = b"OLSAIDX\0";
const VERSION: u32 = 1;
const HEADER_LEN: usize = 8 + 4 + 32 + 8;

/// Documents normalised at once while building a corpus.
const NORMALIZE_CHUNK: usize = 256;

/// Why an index could not be built, saved or loaded.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The corpus has more tokens (or words) than a `u32` can index.
    #[error("corpus too large: {0} tokens")]
    TooLarge(usize),
    /// Reading or writing the index file failed.
    #[error("index file: {0}")]
    Io(#[from] io::Error),
}

/// The documents of a training corpus as token sequences.
#[derive(Debug, Clone)]
pub struct Corpus {
    vocab: Vocabulary,
    text: Vec<u32>,
    doc_starts: Vec<u32>,
    doc_clusters: Vec<ClusterId>,
    /// `(start, end, origin)` text ranges credited to another cluster than their document's
    /// (held first by an earlier document), by start.
    foreign: Vec<(u32, u32, ClusterId)>,
    token_count: u64,
    hash: B256,
}

/// How [`Corpus::build_with`] applies prior art.
#[derive(Debug, Clone, Copy)]
pub struct CorpusOptions<'a> {
    /// Words per run for crediting: a document's word covered by a run of this many words that
    /// an earlier document holds is credited to the earliest such document's cluster. 0: every
    /// word is its document's (rules `/2`). Default: the attribution's `prior_art_span` (12).
    pub prior_art_span: u32,
    /// Words per run for removal: a document's words covered by a run of this many words that an
    /// earlier document of the corpus holds become holes, so long copies add no occurrences.
    /// 0 keeps every word. Default: the attribution's `copy_removal_span` (12).
    pub removal_span: u32,
    /// Prior art over a larger set of documents (the epoch's global clustering), computed for
    /// `prior_art_span`: used for crediting instead of the corpus's own documents, so text first
    /// held by a document outside the corpus is credited to it.
    pub global: Option<&'a PriorArt>,
}

impl CorpusOptions<'_> {
    /// Options for attribution parameters `params`, with global prior art `global`.
    pub fn for_params<'a>(
        params: &crate::attribute::AttributionParams,
        global: Option<&'a PriorArt>,
    ) -> CorpusOptions<'a> {
        CorpusOptions {
            prior_art_span: params.prior_art_span,
            removal_span: params.copy_removal_span,
            global,
        }
    }

    /// Rules `/2`: every document whole, every word its own.
    pub const WHOLE: CorpusOptions<'static> = CorpusOptions {
        prior_art_span: 0,
        removal_span: 0,
        global: None,
    };
}

impl Default for CorpusOptions<'_> {
    fn default() -> Self {
        Self::for_params(&crate::attribute::AttributionParams::default(), None)
    }
}

/// What the corpus hash writes for a hole (a word length never reaches it).
const HOLE: u32 = u32::MAX;

impl Corpus {
    /// Builds a corpus from `(cluster, text)` documents, in the order given (use
    /// [`crate::cluster::Clustering::documents`]), with the default prior-art rule
    /// ([`CorpusOptions::default`]: text a document holds from an earlier one of these documents
    /// is credited to it and removed, as runs of 12 words). Texts are normalised here; empty ones are hashed but add
    /// nothing to the index.
    pub fn build<'a>(
        documents: impl IntoIterator<Item = (ClusterId, &'a str)>,
    ) -> Result<Self, IndexError> {
        Self::build_with(documents, &CorpusOptions::default())
    }

    /// Builds a corpus under `options` (see the module documentation, *Prior art*).
    pub fn build_with<'a>(
        documents: impl IntoIterator<Item = (ClusterId, &'a str)>,
        options: &CorpusOptions<'_>,
    ) -> Result<Self, IndexError> {
        let mut vocab = Vocabulary::new();
        // Normalising is the costly part and independent per document: it runs in parallel a
        // chunk at a time (so only a chunk's normalised texts are held), the rest in order.
        let documents: Vec<(ClusterId, &str)> = documents.into_iter().collect();
        let normalized = documents.chunks(NORMALIZE_CHUNK).flat_map(|chunk| {
            chunk
                .par_iter()
                .map(|&(cluster, doc)| (cluster, text::normalize(doc)))
                .collect::<Vec<_>>()
        });
        // Token ids per document (words of the normalised text, in order).
        let mut docs: Vec<(ClusterId, Vec<u32>)> = Vec::with_capacity(documents.len());
        for (cluster, normalized) in normalized {
            let ids = normalized
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(|word| vocab.intern(word).ok_or(IndexError::TooLarge(vocab.len())))
                .collect::<Result<Vec<u32>, _>>()?;
            docs.push((cluster, ids));
        }
        let slices: Vec<&[u32]> = docs.iter().map(|(_, d)| d.as_slice()).collect();
        let removed = prior_art::held_runs(&slices, options.removal_span as usize);
        let credited: Vec<Vec<(u32, u32, ClusterId)>> = match options.global {
            Some(global) => docs
                .iter()
                .map(|(cluster, _)| {
                    global
                        .held(*cluster)
                        .iter()
                        .map(|r| (r.start, r.end, r.origin))
                        .collect()
                })
                .collect(),
            None => {
                // The same span finds the same runs, so the removal pass's are reused (each
                // pass is about a quarter of a corpus build).
                let own;
                let held = if options.prior_art_span == options.removal_span {
                    &removed
                } else {
                    own = prior_art::held_runs(&slices, options.prior_art_span as usize);
                    &own
                };
                held.iter()
                    .map(|runs| {
                        runs.iter()
                            .map(|&(s, e, origin)| (s, e, docs[origin].0))
                            .collect()
                    })
                    .collect()
            }
        };

        let mut text = Vec::new();
        let mut doc_starts = Vec::new();
        let mut doc_clusters = Vec::new();
        let mut foreign = Vec::new();
        let mut hasher = Keccak256::new();
        hasher.update(b"openledger-corpus-v2");
        hasher.update(options.prior_art_span.to_le_bytes());
        hasher.update(options.removal_span.to_le_bytes());
        for (((cluster, ids), held), credits) in docs.iter().zip(&removed).zip(&credited) {
            let count = u32::try_from(ids.len()).map_err(|_| IndexError::TooLarge(ids.len()))?;
            hasher.update(cluster.0.to_le_bytes());
            hasher.update(count.to_le_bytes());
            if ids.is_empty() {
                continue;
            }
            let start = u32::try_from(text.len()).map_err(|_| IndexError::TooLarge(text.len()))?;
            doc_starts.push(start);
            doc_clusters.push(*cluster);
            let mut runs = held.iter().peekable();
            for (t, &id) in ids.iter().enumerate() {
                while runs.peek().is_some_and(|r| r.1 as usize <= t) {
                    runs.next();
                }
                let is_held = runs.peek().is_some_and(|r| r.0 as usize <= t);
                if is_held {
                    // Held by an earlier document of this corpus: a hole, which matches nothing.
                    hasher.update(HOLE.to_le_bytes());
                    text.push(SEPARATOR);
                } else {
                    let word = vocab.word(id).unwrap_or("");
                    hasher.update((word.len() as u32).to_le_bytes());
                    hasher.update(word.as_bytes());
                    text.push(id);
                }
            }
            text.push(SEPARATOR);
            // Words an earlier document held first are credited to that document's cluster.
            let mut doc_credits = 0u32;
            for &(s, e, origin) in credits {
                let (s, e) = (s.min(count), e.min(count));
                if s < e && origin != *cluster {
                    foreign.push((start + s, start + e, origin));
                    doc_credits += 1;
                }
            }
            hasher.update(doc_credits.to_le_bytes());
            for &(s, e, origin) in &foreign[foreign.len() - doc_credits as usize..] {
                hasher.update((s - start).to_le_bytes());
                hasher.update((e - start).to_le_bytes());
                hasher.update(origin.0.to_le_bytes());
            }
        }
        // Entries and lengths are u32, and u32::MAX marks free slots while sorting.
        if text.len() >= u32::MAX as usize {
            return Err(IndexError::TooLarge(text.len()));
        }
        let token_count = text.iter().filter(|&&t| t != SEPARATOR).count() as u64;
        Ok(Self {
            vocab,
            text,
            doc_starts,
            doc_clusters,
            foreign,
            token_count,
            hash: hasher.finalize(),
        })
    }

    /// The corpus hash (see the module documentation).
    pub fn hash(&self) -> B256 {
        self.hash
    }

    /// Its vocabulary, to tokenise outputs.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocab
    }

    /// Number of word tokens, separators excluded: the `N` of the rarity formula.
    pub fn token_count(&self) -> u64 {
        self.token_count
    }

    /// Number of non-empty documents.
    pub fn document_count(&self) -> usize {
        self.doc_starts.len()
    }

    /// The token sequence, documents each followed by [`SEPARATOR`].
    pub fn tokens(&self) -> &[u32] {
        &self.text
    }

    /// The cluster of the document holding text position `position`.
    pub fn cluster_at(&self, position: u32) -> Option<ClusterId> {
        let doc = self.doc_starts.partition_point(|&s| s <= position);
        self.doc_clusters.get(doc.checked_sub(1)?).copied()
    }

    /// The cluster credited for the word at text position `position`: the first holder of that
    /// text (its document's cluster unless an earlier document held it first).
    pub fn credited_at(&self, position: u32) -> Option<ClusterId> {
        let run = self.foreign.partition_point(|r| r.0 <= position);
        match run.checked_sub(1).and_then(|r| self.foreign.get(r)) {
            Some(&(_, end, origin)) if position < end => Some(origin),
            _ => self.cluster_at(position),
        }
    }

    /// Start of each non-empty document in [`Self::tokens`].
    pub fn document_starts(&self) -> &[u32] {
        &self.doc_starts
    }

    /// Cluster of each non-empty document.
    pub fn document_clusters(&self) -> &[ClusterId] {
        &self.doc_clusters
    }

    /// `(start, end, origin)` text ranges credited to another cluster than their document's, by
    /// start.
    pub fn foreign_runs(&self) -> &[(u32, u32, ClusterId)] {
        &self.foreign
    }

    /// Number of word positions credited to another cluster than their document's.
    pub fn foreign_words(&self) -> u64 {
        self.foreign.iter().map(|r| u64::from(r.1 - r.0)).sum()
    }
}

/// Whether [`SuffixIndex::load_or_build`] reused the file or sorted anew.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexSource {
    /// The file matched the corpus and was loaded.
    Loaded,
    /// The array was built (no file, another corpus, or a damaged file) and saved.
    Built,
}

/// A corpus and its suffix array: counts and locates any token sequence.
#[derive(Debug, Clone)]
pub struct SuffixIndex {
    corpus: Corpus,
    sa: Vec<u32>,
}

impl SuffixIndex {
    /// Sorts the suffixes of `corpus` (SA-IS, linear time).
    pub fn build(corpus: Corpus) -> Self {
        let alphabet = corpus.vocab.len() + 1;
        let sa = sais::suffix_array(corpus.text.as_slice(), alphabet);
        Self { corpus, sa }
    }

    /// Loads the suffix array of `corpus` from `path` when the file is intact and belongs to this
    /// corpus; otherwise builds it and saves it there. Only I/O errors while saving are errors.
    pub fn load_or_build(corpus: Corpus, path: &Path) -> Result<(Self, IndexSource), IndexError> {
        if let Some(sa) = read_suffix_array(path, corpus.hash, corpus.text.len()) {
            // Marks it used, for [`prune_index_dir`]; failing to is not worth failing the load.
            if let Err(e) = touch(path) {
                tracing::warn!(path = %path.display(), error = %e, "could not mark an index used");
            }
            return Ok((Self { corpus, sa }, IndexSource::Loaded));
        }
        let index = Self::build(corpus);
        index.save(path)?;
        Ok((index, IndexSource::Built))
    }

    /// Writes the suffix array to `path` in the module's format (atomically, by rename).
    pub fn save(&self, path: &Path) -> Result<(), IndexError> {
        write_suffix_array(path, self.corpus.hash, &self.sa)
    }

    /// The indexed corpus.
    pub fn corpus(&self) -> &Corpus {
        &self.corpus
    }

    /// The suffix array: text positions in lexicographic order of their suffixes.
    pub fn suffix_array(&self) -> &[u32] {
        &self.sa
    }

    /// Token at `depth` in the suffix at `position`, `None` past the end (sorts first).
    fn token_at(&self, position: u32, depth: usize) -> Option<u32> {
        self.corpus.text.get(position as usize + depth).copied()
    }

    /// All suffixes: the range to [`SuffixIndex::narrow`] from.
    pub fn full_range(&self) -> Range<usize> {
        0..self.sa.len()
    }

    /// Narrows `range`, whose suffixes all share their first `depth` tokens, to those whose next
    /// token is `token`. Two binary searches: extending a match by one token costs O(log n).
    pub fn narrow(&self, range: Range<usize>, depth: usize, token: u32) -> Range<usize> {
        let Some(slice) = self.sa.get(range.clone()) else {
            return 0..0;
        };
        let lo = slice.partition_point(|&p| self.token_at(p, depth) < Some(token));
        let hi = slice.partition_point(|&p| self.token_at(p, depth) <= Some(token));
        range.start + lo..range.start + hi
    }

    /// The suffix-array range of the suffixes starting with `pattern` (empty when it does not
    /// occur; the full array for an empty pattern).
    ///
    /// Two binary searches over whole-pattern comparisons; each comparison starts after the
    /// prefix that the pattern is known to share with both bounds (Manber and Myers), so a
    /// search costs about O(|pattern| + log n) token comparisons rather than O(|pattern| log n).
    pub fn find(&self, pattern: &[u32]) -> Range<usize> {
        find(&self.corpus.text, &self.sa, pattern)
    }

    /// Number of occurrences of `pattern` in the corpus.
    pub fn count(&self, pattern: &[u32]) -> u64 {
        self.find(pattern).len() as u64
    }

    /// Text positions of the occurrences in `range` (a range from [`SuffixIndex::find`]).
    pub fn positions(&self, range: Range<usize>) -> &[u32] {
        self.sa.get(range).unwrap_or(&[])
    }

    /// The clusters whose document holds an occurrence in `range`, sorted, each once.
    pub fn clusters(&self, range: Range<usize>) -> Vec<ClusterId> {
        let set: BTreeSet<ClusterId> = self
            .positions(range)
            .iter()
            .filter_map(|&p| self.corpus.cluster_at(p))
            .collect();
        set.into_iter().collect()
    }
}

/// Extension of saved index files.
pub const INDEX_FILE_EXTENSION: &str = "olsa";

fn touch(path: &Path) -> io::Result<()> {
    fs::File::options()
        .append(true)
        .open(path)?
        .set_modified(std::time::SystemTime::now())
}

/// Deletes all but the `keep` most recently used index files (`*.olsa`, by modification time,
/// which loading refreshes) in `dir`; returns the deleted paths. A corpus changes whenever a
/// record is accepted, and each version's file would otherwise stay forever; a deleted index is
/// rebuilt from public data if it is needed again. Other files are left alone.
pub fn prune_index_dir(dir: &Path, keep: usize) -> io::Result<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if path.extension().is_some_and(|e| e == INDEX_FILE_EXTENSION) {
            files.push((entry.metadata()?.modified()?, path));
        }
    }
    // Most recent first; ties by name, so the choice does not depend on directory order.
    files.sort_by(|a, b| b.cmp(a));
    let mut deleted = Vec::new();
    for (_, path) in files.into_iter().skip(keep) {
        if crate::files::remove_if_present(&path)? {
            deleted.push(path);
        }
    }
    Ok(deleted)
}

/// The suffix-array range of the suffixes of `text` starting with `pattern` (see
/// [`SuffixIndex::find`]); a suffix that ends before the pattern does sorts before it.
///
/// Two binary searches over whole-pattern comparisons; each comparison starts after the prefix
/// that the pattern is known to share with both bounds (Manber and Myers).
pub(crate) fn find<T: Ord + Copy>(text: &[T], sa: &[u32], pattern: &[T]) -> Range<usize> {
    // Compares the first `pattern.len()` symbols of the suffix at `position` with `pattern`,
    // knowing the first `depth` are equal; returns the order and the common prefix length.
    let compare = |position: u32, mut depth: usize| -> (Ordering, usize) {
        let suffix = text.get(position as usize..).unwrap_or(&[]);
        while let Some(&wanted) = pattern.get(depth) {
            match suffix.get(depth) {
                None => return (Ordering::Less, depth),
                Some(&symbol) if symbol == wanted => depth += 1,
                Some(&symbol) => return (symbol.cmp(&wanted), depth),
            }
        }
        (Ordering::Equal, depth)
    };
    let n = sa.len();
    // First suffix whose prefix is not below the pattern.
    let (mut lo, mut hi, mut left_lcp, mut right_lcp) = (0, n, 0, 0);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let (order, lcp) = compare(sa[mid], left_lcp.min(right_lcp));
        if order == Ordering::Less {
            lo = mid + 1;
            left_lcp = lcp;
        } else {
            hi = mid;
            right_lcp = lcp;
        }
    }
    let start = lo;
    // First suffix whose prefix is above the pattern.
    let (mut hi, mut left_lcp, mut right_lcp) = (n, 0, 0);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let (order, lcp) = compare(sa[mid], left_lcp.min(right_lcp));
        if order == Ordering::Greater {
            hi = mid;
            right_lcp = lcp;
        } else {
            lo = mid + 1;
            left_lcp = lcp;
        }
    }
    start..lo
}

/// Writes `sa` to `path` in the module's format for the corpus `hash`: to a file beside it,
/// synced, then renamed over it. Streamed through a buffer and the checksum's hasher, so the
/// array is not copied.
pub(crate) fn write_suffix_array(path: &Path, hash: B256, sa: &[u32]) -> Result<(), IndexError> {
    let tmp = &crate::files::temp_beside(path);
    {
        let mut out = HashingWriter {
            inner: io::BufWriter::new(fs::File::create(tmp)?),
            hasher: Keccak256::new(),
        };
        out.write_all(MAGIC)?;
        out.write_all(&VERSION.to_le_bytes())?;
        out.write_all(hash.as_slice())?;
        out.write_all(&(sa.len() as u64).to_le_bytes())?;
        let mut bytes = Vec::with_capacity(4 * 16 * 1024);
        for chunk in sa.chunks(16 * 1024) {
            bytes.clear();
            bytes.extend(chunk.iter().flat_map(|e| e.to_le_bytes()));
            out.write_all(&bytes)?;
        }
        let HashingWriter { mut inner, hasher } = out;
        inner.write_all(hasher.finalize().as_slice())?;
        let file = inner.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
    }
    fs::rename(tmp, path)?;
    Ok(())
}

/// Writes through to `inner` and hashes what it writes.
struct HashingWriter<W> {
    inner: W,
    hasher: Keccak256,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The suffix array stored at `path`, if the file is intact and holds the `n` entries of the
/// corpus `hash`. Read in chunks, so memory holds the array once (plus a bit per entry).
pub(crate) fn read_suffix_array(path: &Path, hash: B256, n: usize) -> Option<Vec<u32>> {
    let file = fs::File::open(path).ok()?;
    if file.metadata().ok()?.len() != (HEADER_LEN + 4 * n + 32) as u64 {
        return None;
    }
    let mut input = io::BufReader::new(file);
    let mut hasher = Keccak256::new();
    let mut header = [0u8; HEADER_LEN];
    input.read_exact(&mut header).ok()?;
    hasher.update(header);
    if &header[..8] != MAGIC
        || header[8..12] != VERSION.to_le_bytes()
        || header[12..44] != hash[..]
        || header[44..52] != (n as u64).to_le_bytes()
    {
        return None;
    }
    let mut sa = Vec::with_capacity(n);
    let mut seen = vec![0u64; n.div_ceil(64)];
    let mut buf = vec![0u8; 64 * 1024];
    while sa.len() < n {
        let len = (4 * (n - sa.len())).min(buf.len());
        input.read_exact(&mut buf[..len]).ok()?;
        hasher.update(&buf[..len]);
        for c in buf[..len].chunks_exact(4) {
            let p = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
            let (word, bit) = (p as usize / 64, 1u64 << (p % 64));
            if p as usize >= n || *seen.get(word)? & bit != 0 {
                return None;
            }
            seen[word] |= bit;
            sa.push(p);
        }
    }
    let mut checksum = [0u8; 32];
    input.read_exact(&mut checksum).ok()?;
    (hasher.finalize()[..] == checksum).then_some(sa)
}
