//! Suffix array construction by induced sorting (SA-IS, Nong, Zhang and Chan 2009) in O(n) time,
//! over bytes or over an integer alphabet.
//!
//! The text is terminated by a virtual sentinel, smaller than every symbol and never stored: the
//! returned array holds the `n` real suffixes only. Symbols must be below the alphabet size `k`.
//!
//! # Memory
//! Besides the text and the `4n`-byte output, a level needs one bit per symbol for the types and
//! two `k`-entry bucket arrays. The reduced problem lives inside the output array, as in Yuta
//! Mori's sais: the LMS names are written into the free upper half, then packed at its end as the
//! reduced string, whose suffix array is sorted into the lower part. So a 100 MB byte text sorts
//! in about 100 + 400 MB plus the recursion's buckets, rather than several times the array. The
//! final seeding also holds one symbol per LMS suffix for a moment (30 MB at the top of a 100 MB
//! byte text).
//!
//! # Speed
//! Almost all the time goes to random reads of the text and random writes into the array. Three
//! things keep more of them in flight: the inducing scans gather a block's symbols before walking
//! it; the LMS positions are marked while inducing rather than looked up again; and the work that
//! splits without shared writes (comparing neighbouring LMS substrings, reading the seeds' first
//! symbols, mapping the reduced order back) runs in two halves on rayon. Measured in
//! docs/BENCHMARKS.md (`scripts/bench-oracle`), with what was tried and did not help.

/// Marks a free slot while inducing.
const EMPTY: u32 = u32::MAX;

/// Set on the entries found to be LMS positions while inducing (texts below 2^31 only).
const LMS_MARK: u32 = 1 << 31;

/// Suffix-array entries whose symbols are gathered at once while inducing (see [`induce`]).
const INDUCE_BLOCK: usize = 1024;

/// A text symbol: a byte, or a `u32` name (word id, or a reduced string's name).
pub(crate) trait Symbol: Copy + Ord + Send + Sync {
    fn index(self) -> usize;
}

impl Symbol for u8 {
    #[inline(always)]
    fn index(self) -> usize {
        usize::from(self)
    }
}

impl Symbol for u32 {
    #[inline(always)]
    fn index(self) -> usize {
        self as usize
    }
}

/// Suffix array of `s` (symbols below `k`); `s.len()` must be below `u32::MAX`.
pub(crate) fn suffix_array<T: Symbol>(s: &[T], k: usize) -> Vec<u32> {
    let mut sa = vec![EMPTY; s.len()];
    sais(s, k, &mut sa, true);
    sa
}

/// Suffix types, one bit each: set for S-type (smaller than the suffix after it).
struct Types(Vec<u64>);

impl Types {
    /// The last suffix is L-type, as the sentinel that follows it is smaller than everything.
    fn classify<T: Symbol>(s: &[T]) -> Self {
        let n = s.len();
        let mut bits = vec![0u64; n.div_ceil(64)];
        let mut next_is_s = false;
        for i in (0..n.saturating_sub(1)).rev() {
            let is_s = s[i] < s[i + 1] || (s[i] == s[i + 1] && next_is_s);
            if is_s {
                bits[i / 64] |= 1 << (i % 64);
            }
            next_is_s = is_s;
        }
        Self(bits)
    }

    #[inline(always)]
    fn is_s(&self, i: usize) -> bool {
        self.0[i / 64] >> (i % 64) & 1 == 1
    }

    /// Leftmost S-type: S-type with an L-type suffix before it.
    #[inline(always)]
    fn is_lms(&self, i: usize) -> bool {
        i > 0 && i < self.0.len() * 64 && self.is_s(i) && !self.is_s(i - 1)
    }
}

fn symbol_counts<T: Symbol>(s: &[T], k: usize) -> Vec<u32> {
    let mut counts = vec![0u32; k];
    for &c in s {
        counts[c.index()] += 1;
    }
    counts
}

/// Writes the start of every bucket (exclusive prefix sums of the counts) into `bucket`.
fn bucket_heads(counts: &[u32], bucket: &mut [u32]) {
    let mut sum = 0u32;
    for (b, &c) in bucket.iter_mut().zip(counts) {
        *b = sum;
        sum += c;
    }
}

/// Writes one past the end of every bucket (inclusive prefix sums) into `bucket`.
fn bucket_tails(counts: &[u32], bucket: &mut [u32]) {
    let mut sum = 0u32;
    for (b, &c) in bucket.iter_mut().zip(counts) {
        sum += c;
        *b = sum;
    }
}

/// Sorts into `sa`. `allow_marks: false` finds LMS entries by their types at every level (what
/// texts of 2^31 symbols or more need), so tests can check that path on small texts.
fn sais<T: Symbol>(s: &[T], k: usize, sa: &mut [u32], allow_marks: bool) {
    let n = s.len();
    match n {
        0 => return,
        1 => {
            sa[0] = 0;
            return;
        }
        _ => {}
    }
    let types = Types::classify(s);
    let counts = symbol_counts(s, k);
    let mut bucket = vec![0u32; k];

    // 1. Sort the LMS substrings: seed the LMS positions at their buckets' ends and induce.
    sa.fill(EMPTY);
    bucket_tails(&counts, &mut bucket);
    for (i, symbol) in s.iter().enumerate().skip(1) {
        if types.is_lms(i) {
            let c = symbol.index();
            bucket[c] -= 1;
            sa[bucket[c] as usize] = i as u32;
        }
    }
    // Below 2^31 the inducing marks the LMS entries itself, saving a type lookup per suffix.
    let marked = allow_marks && n < LMS_MARK as usize;
    induce(s, sa, &counts, &mut bucket, marked);

    // 2. Pack the sorted LMS positions into sa[..m]; name them in sa[m..], at `m + p / 2` (LMS
    //    positions are at least two apart, and `m + p / 2 < n`, see below), equal substrings
    //    sharing a name.
    let mut m = 0;
    for i in 0..n {
        let p = sa[i];
        let lms = if marked {
            p != EMPTY && p & LMS_MARK != 0
        } else {
            p != EMPTY && types.is_lms(p as usize)
        };
        if lms {
            sa[m] = p & !LMS_MARK;
            m += 1;
        }
    }
    // The last position is never LMS, so LMS positions lie in 1..=n-2, at most (n-1)/2 of them,
    // and m + p/2 <= (n-1)/2 + (n-2)/2 < n.
    //
    // Each LMS substring's length (to the next LMS position, inclusive) goes to its slot first:
    // two LMS substrings are equal exactly when their lengths and symbols are (equal symbols
    // over equal lengths imply equal types, each ending on an LMS position), so naming needs no
    // type lookups. The last one runs into the sentinel and equals nothing: its length, which
    // counts the sentinel, overruns the text.
    sa[m..].fill(EMPTY);
    let mut next = n + 1;
    for p in (1..n).rev() {
        if types.is_lms(p) {
            sa[m + p / 2] = (next - p) as u32;
            next = p + 1;
        }
    }
    let name_count = if marked {
        name_flagged(s, sa, m)
    } else {
        name_in_order(s, sa, m)
    };
    // The reduced string (names in text order) goes to the end of the array.
    let mut j = n;
    for i in (m..n).rev() {
        if sa[i] != EMPTY {
            j -= 1;
            sa[j] = sa[i];
        }
    }

    // 3. Sort the LMS suffixes into sa[..m]: recursively when names repeat, directly otherwise.
    //    This level's buckets are freed meanwhile (a reduced level's can be as large as its
    //    text) and counted again after.
    drop((counts, bucket));
    {
        let (head, reduced) = sa.split_at_mut(n - m);
        let reduced_sa = &mut head[..m];
        if (name_count as usize) < m {
            sais(&*reduced, name_count as usize, reduced_sa, allow_marks);
        } else {
            for (i, &name) in reduced.iter().enumerate() {
                reduced_sa[name as usize] = i as u32;
            }
        }
        // The reduced string has served: replace it by the LMS positions, and map the reduced
        // suffix array's entries (indexes into the reduced string) back to text positions.
        let mut j = 0;
        for i in 1..n {
            if types.is_lms(i) {
                reduced[j] = i as u32;
                j += 1;
            }
        }
        let positions = &*reduced;
        in_halves(reduced_sa, m / 2, |_, part| {
            for entry in part {
                *entry = positions[*entry as usize];
            }
        });
    }

    // 4. Seed the sorted LMS suffixes at their buckets' ends (last first) and induce the rest.
    //    Walking down, the slot written is never below the one read, so nothing is overwritten.
    let counts = symbol_counts(s, k);
    let mut bucket = vec![0u32; k];
    // Their first symbols are read first, on two threads: the reads are random over the text.
    let mut heads = vec![s[0]; m];
    in_halves(&mut heads, m / 2, |offset, part| {
        for (head, &p) in part.iter_mut().zip(&sa[offset..]) {
            *head = s[p as usize];
        }
    });
    sa[m..].fill(EMPTY);
    bucket_tails(&counts, &mut bucket);
    for i in (0..m).rev() {
        let p = sa[i];
        sa[i] = EMPTY;
        let c = heads[i].index();
        bucket[c] -= 1;
        sa[bucket[c] as usize] = p;
    }
    drop(heads);
    induce(s, sa, &counts, &mut bucket, false);
}

/// Whether the LMS substrings at `p` and `q`, of lengths `len` and `q_len`, differ.
#[inline(always)]
fn lms_substrings_differ<T: Symbol>(
    s: &[T],
    (p, len): (usize, u32),
    (q, q_len): (usize, u32),
) -> bool {
    let (len, n) = (len as usize, s.len());
    !(len == q_len as usize && p + len <= n && q + len <= n && s[p..p + len] == s[q..q + len])
}

/// Names the sorted LMS substrings in `sa[..m]` one after the other: each slot `m + p / 2`
/// holding a length gets its name instead. Returns the number of names.
fn name_in_order<T: Symbol>(s: &[T], sa: &mut [u32], m: usize) -> u32 {
    let mut name_count = 0u32;
    let mut previous: Option<(usize, u32)> = None;
    for i in 0..m {
        let p = sa[i] as usize;
        let len = sa[m + p / 2];
        let differs = previous.is_none_or(|q| lms_substrings_differ(s, (p, len), q));
        name_count += u32::from(differs);
        sa[m + p / 2] = name_count - 1;
        previous = Some((p, len));
    }
    name_count
}

/// Set on a sorted LMS position whose substring differs from the one before it.
const NEW_NAME: u32 = 1 << 31;

/// [`name_in_order`] for texts below 2^31: the comparisons of neighbours, which read the text at
/// random, run on two threads and leave [`NEW_NAME`] on the entries, then one pass counts.
fn name_flagged<T: Symbol>(s: &[T], sa: &mut [u32], m: usize) -> u32 {
    let (sorted, lengths) = sa.split_at_mut(m);
    let lengths = &*lengths;
    let mid = m / 2;
    let before_mid = mid.checked_sub(1).map(|i| sorted[i]);
    let with_length = |p: u32| (p as usize, lengths[p as usize / 2]);
    in_halves(sorted, mid, |offset, part| {
        let mut previous = if offset == 0 { None } else { before_mid };
        for entry in part {
            let p = *entry;
            if previous.is_none_or(|q| lms_substrings_differ(s, with_length(p), with_length(q))) {
                *entry |= NEW_NAME;
            }
            previous = Some(p);
        }
    });
    let mut name_count = 0u32;
    for i in 0..m {
        let entry = sa[i];
        let p = (entry & !NEW_NAME) as usize;
        name_count += u32::from(entry & NEW_NAME != 0);
        sa[m + p / 2] = name_count - 1;
    }
    name_count
}

/// Below this many entries, work that could be split runs on the calling thread. Tests split
/// small inputs too, so that the two-thread paths are the ones they check.
const PARALLEL_MIN: usize = if cfg!(test) { 16 } else { 1 << 16 };

/// Runs `work(offset, part)` on `items[..mid]` and `items[mid..]`, in parallel (rayon) when there are
/// at least [`PARALLEL_MIN`] items, otherwise one after the other.
fn in_halves<E: Send>(items: &mut [E], mid: usize, work: impl Fn(usize, &mut [E]) + Sync) {
    let (first, second) = items.split_at_mut(mid);
    if first.len() + second.len() < PARALLEL_MIN {
        work(0, first);
        work(mid, second);
        return;
    }
    rayon::join(|| work(0, first), || work(mid, second));
}

/// Induces L-type suffixes left to right from the seeds, then S-type suffixes right to left.
///
/// Types are read from the symbols rather than the bit vector, which saves a random access per
/// suffix. While inducing L-types, the array holds only L-types and LMS seeds, so the suffix
/// `j = p - 1` before an entry `p` is L-type exactly when `s[j] >= s[p]` (an LMS `p` has an
/// L-type `j` with `s[j] > s[p]`). While inducing S-types right to left, the entry at `i` is
/// S-type exactly when `i` is at or above its bucket's S-type front (the S-types of a bucket are
/// written from its end down, each before the scan reaches it), so `j` is S-type when
/// `s[j] < s[p]`, or `s[j] == s[p]` and `p` is.
///
/// With `mark_lms`, an S-type entry whose predecessor is L-type (so an LMS position) gets
/// [`LMS_MARK`] once it has been read: the caller then finds the LMS positions, in sorted order,
/// without looking up types.
fn induce<T: Symbol>(s: &[T], sa: &mut [u32], counts: &[u32], bucket: &mut [u32], mark_lms: bool) {
    let n = s.len();
    // Each block's symbols are gathered before it is walked: the gathering loop has no branch
    // that depends on a load, so the processor keeps many of these cache misses (random reads
    // across the text) in flight at once, where the walk below waits for each in turn. An entry
    // the walk has overwritten since (an induced suffix landing inside the block) no longer
    // matches its gathered position and is read again.
    let mut gathered = vec![(EMPTY, s[0], s[0]); INDUCE_BLOCK];
    let gather = |gathered: &mut [(u32, T, T)], entries: &[u32]| {
        for (slot, &p) in gathered.iter_mut().zip(entries) {
            let j = if p != EMPTY && p > 0 {
                p as usize - 1
            } else {
                0
            };
            *slot = (p, s[j], s[j + 1]);
        }
    };
    let symbols = |gathered: &[(u32, T, T)], at: usize, p: u32| {
        let (q, c0, c1) = gathered[at];
        if q == p {
            (c0, c1)
        } else {
            (s[p as usize - 1], s[p as usize])
        }
    };

    bucket_heads(counts, bucket);
    // The suffix before the virtual sentinel comes first in its bucket.
    let c = s[n - 1].index();
    sa[bucket[c] as usize] = (n - 1) as u32;
    bucket[c] += 1;
    for start in (0..n).step_by(INDUCE_BLOCK) {
        let end = (start + INDUCE_BLOCK).min(n);
        gather(&mut gathered, &sa[start..end]);
        for i in start..end {
            let p = sa[i];
            if p != EMPTY && p > 0 {
                let j = p - 1;
                let (c0, c1) = symbols(&gathered, i - start, p);
                if c0 >= c1 {
                    let c = c0.index();
                    sa[bucket[c] as usize] = j;
                    bucket[c] += 1;
                }
            }
        }
    }
    bucket_tails(counts, bucket);
    for start in (0..n).step_by(INDUCE_BLOCK).rev() {
        let end = (start + INDUCE_BLOCK).min(n);
        gather(&mut gathered, &sa[start..end]);
        for i in (start..end).rev() {
            let p = sa[i];
            if p != EMPTY && p > 0 {
                let j = p - 1;
                let (c0, c1) = symbols(&gathered, i - start, p);
                if c0 < c1 || (c0 == c1 && i as u32 >= bucket[c1.index()]) {
                    let c = c0.index();
                    bucket[c] -= 1;
                    sa[bucket[c] as usize] = j;
                } else if mark_lms && c0 > c1 && i as u32 >= bucket[c1.index()] {
                    sa[i] = p | LMS_MARK;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn naive(s: &[u32]) -> Vec<u32> {
        let mut sa: Vec<u32> = (0..s.len() as u32).collect();
        sa.sort_by(|&a, &b| s[a as usize..].cmp(&s[b as usize..]));
        sa
    }

    #[test]
    fn classic_examples() {
        let banana: Vec<u32> = b"banana".iter().map(|&b| u32::from(b)).collect();
        assert_eq!(suffix_array(&banana, 256), vec![5, 3, 1, 0, 4, 2]);
        let mississippi: Vec<u32> = b"mississippi".iter().map(|&b| u32::from(b)).collect();
        assert_eq!(suffix_array(&mississippi, 256), naive(&mississippi));
        assert_eq!(suffix_array::<u32>(&[], 1), Vec::<u32>::new());
        assert_eq!(suffix_array(&[0u32], 1), vec![0]);
        assert_eq!(suffix_array(&[3u32, 3, 3, 3], 4), vec![3, 2, 1, 0]);
    }

    fn naive_bytes(s: &[u8]) -> Vec<u32> {
        let mut sa: Vec<u32> = (0..s.len() as u32).collect();
        sa.sort_by(|&a, &b| s[a as usize..].cmp(&s[b as usize..]));
        sa
    }

    fn unmarked<T: Symbol>(s: &[T], k: usize) -> Vec<u32> {
        let mut sa = vec![EMPTY; s.len()];
        sais(s, k, &mut sa, false);
        sa
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn without_marks_equals_naive_sort(s in prop::collection::vec(0u8..4, 0..300)) {
            prop_assert_eq!(unmarked(&s, 256), naive_bytes(&s));
        }

        #[test]
        fn texts_of_several_induce_blocks_equal_naive_sort(
            s in prop::collection::vec(0u8..3, INDUCE_BLOCK..4 * INDUCE_BLOCK),
        ) {
            prop_assert_eq!(suffix_array(&s, 256), naive_bytes(&s));
            prop_assert_eq!(unmarked(&s, 256), naive_bytes(&s));
        }

        #[test]
        fn bytes_equal_naive_sort(s in prop::collection::vec(0u8..4, 0..300)) {
            prop_assert_eq!(suffix_array(&s, 256), naive_bytes(&s));
        }

        #[test]
        fn any_bytes_equal_naive_sort(s in prop::collection::vec(any::<u8>(), 0..300)) {
            prop_assert_eq!(suffix_array(&s, 256), naive_bytes(&s));
        }

        #[test]
        fn equals_naive_sort(s in prop::collection::vec(0u32..4, 0..300)) {
            prop_assert_eq!(suffix_array(&s, 4), naive(&s));
        }

        #[test]
        fn equals_naive_sort_large_alphabet(s in prop::collection::vec(0u32..1000, 0..300)) {
            prop_assert_eq!(suffix_array(&s, 1000), naive(&s));
        }
    }

    #[test]
    fn periodic_texts_recurse_deeply() {
        let s: Vec<u32> = (0..5000).map(|i| [1, 2, 1, 1, 2][i % 5]).collect();
        assert_eq!(suffix_array(&s, 3), naive(&s));
        let fib = {
            let (mut a, mut b) = (vec![1u32], vec![1u32, 2]);
            while b.len() < 4000 {
                let next = [b.clone(), a].concat();
                a = b;
                b = next;
            }
            b
        };
        assert_eq!(suffix_array(&fib, 3), naive(&fib));
        let bytes: Vec<u8> = fib.iter().map(|&c| c as u8).collect();
        assert_eq!(suffix_array(&bytes, 256), naive_bytes(&bytes));
        // Lengths around the bit-vector's word boundaries.
        for n in [63, 64, 65, 127, 128, 129] {
            let text: Vec<u8> = (0..n).map(|i| b"abaab"[i % 5]).collect();
            assert_eq!(suffix_array(&text, 256), naive_bytes(&text));
        }
    }
}
