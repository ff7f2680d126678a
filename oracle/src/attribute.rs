//! Attribution of one output to the clusters of the training corpus.
//!
//! In the manner of infini-gram and OLMoTrace, for each start position `i` of the output (token
//! ids from the corpus vocabulary; words the corpus lacks match nothing) the longest match
//! `L(i)` is found by narrowing a suffix-array range one token at a time. The span `[i, i + L(i))`
//! is kept when `L(i) >= min_span` and it is *maximal*: not contained in the span of an earlier
//! start (ends never decrease, so it suffices that its end is past every earlier end).
//!
//! # Common text is not evidence
//! A span is credited only if it is *distinctive*: `distinct = len - c >= min_distinct`, where
//! `c` is the length of the longest window inside the span that occurs at least
//! `common_occurrences` times in the corpus (boilerplate, stock phrases, frequent n-grams; the
//! whole span when it is itself that common). Without it, boilerplate plus a common word next to
//! it makes a minimum-length match with whichever record happens to continue the same way: on
//! Zipf-distributed text with shared 5-word phrases (`tests/quality.rs`), precision of the
//! credited contributors was 0.24 at `min_span` 6. It also closes a gaming route: records that
//! pair a frequent phrase with many continuations, to catch outputs by chance. Kept spans that
//! are not distinctive still end the spans they contain, and are not reported.
//!
//! # Overlaps: every output token counts once
//! Kept spans may overlap (`[0, 10)` and `[7, 15)` when the corpus has both but not `[0, 15)`).
//! A token covered by `c` spans is shared by them: each is credited `floor(10^6 / c)`
//! micro-tokens for it. A span's `credited` length is the sum over its tokens, `len × 10^6` when
//! it overlaps nothing. So text matched twice is not paid twice, and what the shared tokens are
//! worth goes to both sources that hold them, in equal parts.
//!
//! # Weight of a span (exact integers, the same on every machine)
//! `weight = floor(credited × log2(1 + N / occ))` in micro-units, where `credited` is the span's
//! credited length in micro-tokens (above), `N` the corpus's word-token count and `occ` the
//! span's occurrences in the corpus. The logarithm is computed in integers: `log2((N + occ) /
//! occ)` to 32 fractional bits by the bit-by-bit squaring method on 62-bit fixed point, truncating
//! at every step ([`log2_q32`]), then `weight = credited × log2_q32 >> 32`. Longer spans weigh
//! more, and a span that occurs everywhere tends to weight zero: rare, long matches are the
//! evidence.
//!
//! A span's weight is shared equally by the clusters whose document contains it: each gets
//! `floor(weight / clusters)` (the remainder, under one micro-unit per cluster, is not credited).
//! A cluster's weight is the sum of its shares. Every span is reported with its output range,
//! text, occurrence count, clusters and weight, so every cluster weight can be traced.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{
    cluster::ClusterId,
    text::{SEPARATOR, UNKNOWN},
    text_index::TextIndex,
};

/// Attribution parameters. Part of the epoch report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributionParams {
    /// Shortest span, in word tokens, that counts as evidence. Default 6: long enough that common
    /// phrases rarely qualify by chance, short enough to catch a copied clause.
    pub min_span: u32,
    /// A window occurring at least this many times in the corpus is common text. Default 8; 0
    /// turns the distinctiveness rule off.
    pub common_occurrences: u64,
    /// Fewest tokens a span must have beyond its longest common window. Default 3.
    pub min_distinct: u32,
    /// Prior art. Nonzero: a span is credited, word by word, to the first holders of its words at
    /// its earliest occurrence, a word being held by the earliest record holding a run of this
    /// many words covering it (see [`crate::prior_art`]). Default 12. At 6 (= `min_span`) no
    /// creditable piece could ever go to a later holder, but real text repeats 6 to 11-word runs by
    /// chance (stock phrases next to common words), and crediting those to whoever wrote them
    /// first took the Zipf-and-boilerplate quality harness's precision from 0.98 to 0.50 (8: 0.92,
    /// 12: 0.98). A span's earliest occurrence is credited anyway, so a shorter copied piece
    /// pays its original unless a copier's record continues it the way the output does (see
    /// `oracle/README.md`, *Known limits*). 0: rules `/2`, every span shared equally by the
    /// clusters containing it.
    pub prior_art_span: u32,
    /// A run of this many words that an earlier record of the corpus held is removed from every
    /// later record (holes that match nothing), so long copies add no occurrences to lower the
    /// weight of, or make "common", their original. Default 12: shorter runs recur by chance in
    /// real text (stock phrases next to common words), and removing them broke honest quotes
    /// apart (on the quality harness, 6 took the share of outputs within 0.05 L1 from 0.91 to
    /// 0.35). 0 removes nothing.
    pub copy_removal_span: u32,
    /// Edited quotes: a span continues past one substituted output token when its occurrence in
    /// the corpus continues with at least this many matching tokens after the substitution
    /// (repeatedly). Default 3; 0 turns bridging off.
    pub bridge_tail: u32,
}

impl Default for AttributionParams {
    fn default() -> Self {
        Self {
            min_span: 6,
            common_occurrences: 8,
            min_distinct: 3,
            prior_art_span: 12,
            copy_removal_span: 12,
            bridge_tail: 3,
        }
    }
}

/// One maximal matching span of an output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// First output token of the span.
    pub start: u32,
    /// One past its last output token.
    pub end: u32,
    /// Its words, space separated (the output's words, substitutions included).
    pub text: String,
    /// Output positions inside the span where one word was substituted for the corpus's (edited
    /// quotes; see the module documentation).
    pub substitutions: Vec<u32>,
    /// Occurrences in the corpus of its first segment (up to the first substitution).
    pub occurrences: u64,
    /// Its tokens beyond its longest common window (see the module documentation).
    pub distinct: u32,
    /// Its length in micro-tokens after sharing the tokens it overlaps with other spans (see the
    /// module documentation): `(end - start) × 10^6` for a span that overlaps none.
    pub credited: u64,
    /// The clusters credited for it, sorted: under prior art, the first holders of its words at
    /// its earliest occurrence; without, every cluster containing it.
    pub clusters: Vec<ClusterId>,
    /// Its weight in micro-units (see the module documentation).
    pub weight: u128,
    /// What each of `clusters` gets, in the same order.
    pub shares: Vec<u128>,
}

/// Attribution of one output.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Attribution {
    /// Length of the output in tokens.
    pub output_tokens: u32,
    /// Output tokens inside at least one kept span.
    pub covered_tokens: u32,
    /// Kept spans, by start.
    pub spans: Vec<Span>,
    /// Weight per cluster (clusters with a positive weight only).
    pub weights: BTreeMap<ClusterId, u128>,
    /// Micro-tokens of the output credited to each cluster of `weights` (the span's `credited`
    /// divided like its weight): the coverage that scales the data share.
    pub coverage: BTreeMap<ClusterId, u64>,
    /// Sum of `weights`.
    pub total_weight: u128,
}

/// Attributes `output` (raw text, normalised and tokenised with the corpus vocabulary).
pub fn attribute<I: TextIndex>(index: &I, output: &str, params: &AttributionParams) -> Attribution {
    let tokens = index.vocabulary().tokenize(output);
    attribute_tokens(index, &tokens, params)
}

/// Most occurrences of a span's first segment tried as the place an edited quote continues.
const BRIDGE_CANDIDATES: usize = 16;

/// A kept span before crediting: output range, substitutions, first segment's SA range, and the
/// corpus position of the occurrence it is credited at.
struct Found<R> {
    start: usize,
    end: usize,
    substitutions: Vec<u32>,
    range: R,
    position: u64,
    distinct: u32,
}

/// Attributes an output given as token ids of the corpus vocabulary ([`UNKNOWN`] for others).
pub fn attribute_tokens<I: TextIndex>(
    index: &I,
    tokens: &[u32],
    params: &AttributionParams,
) -> Attribution {
    let found = find_spans(index, tokens, params);
    let vocab = index.vocabulary();
    let mut spans: Vec<Span> = found
        .iter()
        .map(|f| Span {
            start: f.start as u32,
            end: f.end as u32,
            text: tokens[f.start..f.end]
                .iter()
                .map(|&t| vocab.word(t).unwrap_or("?"))
                .collect::<Vec<_>>()
                .join(" "),
            substitutions: f.substitutions.clone(),
            occurrences: index.occurrences(&f.range),
            distinct: f.distinct,
            credited: 0,
            clusters: Vec::new(),
            weight: 0,
            shares: Vec::new(),
        })
        .collect();
    let covered_tokens = credit_overlaps(&mut spans, tokens.len());
    let mut weights: BTreeMap<ClusterId, u128> = BTreeMap::new();
    let mut coverage: BTreeMap<ClusterId, u64> = BTreeMap::new();
    for (span, f) in spans.iter_mut().zip(&found) {
        span.weight = span_weight(span.credited, span.occurrences, index.token_count());
        // Words credited to each cluster: under prior art, the first holders of the words at the
        // credited occurrence; without, one equal part per cluster containing the span.
        let parts: Vec<(ClusterId, u64)> = if params.prior_art_span > 0 {
            let mut counts: BTreeMap<ClusterId, u64> = BTreeMap::new();
            for k in 0..(f.end - f.start) as u32 {
                // A substituted word is the output's, not the corpus's: nobody is credited for it.
                if f.substitutions.contains(&(f.start as u32 + k)) {
                    continue;
                }
                if let Some(c) = index.credited_at(f.position + u64::from(k)) {
                    *counts.entry(c).or_default() += 1;
                }
            }
            counts.into_iter().collect()
        } else {
            index
                .clusters(&f.range)
                .into_iter()
                .map(|c| (c, 1))
                .collect()
        };
        let of: u64 = parts.iter().map(|p| p.1).sum::<u64>().max(1);
        for (cluster, n) in parts {
            let share = span.weight * u128::from(n) / u128::from(of);
            span.clusters.push(cluster);
            span.shares.push(share);
            if share == 0 {
                continue;
            }
            *weights.entry(cluster).or_default() += share;
            let micro = (u128::from(span.credited) * u128::from(n) / u128::from(of)) as u64;
            *coverage.entry(cluster).or_default() += micro;
        }
    }
    let total_weight = weights.values().sum();
    Attribution {
        output_tokens: u32::try_from(tokens.len()).unwrap_or(u32::MAX),
        covered_tokens,
        spans,
        weights,
        coverage,
        total_weight,
    }
}

/// The kept, distinctive spans of an output, by start (see the module documentation).
fn find_spans<I: TextIndex>(
    index: &I,
    tokens: &[u32],
    params: &AttributionParams,
) -> Vec<Found<I::Range>> {
    let min_span = params.min_span.max(1) as usize;
    let mut found = Vec::new();
    // End of the furthest span so far. Plain ends never decrease (a match from `i` minus its
    // first token is a match from `i + 1`), so a start whose match does not pass it is contained
    // in an earlier span, and the tokens up to it usually occur: the search resumes there.
    let mut max_end = 0usize;
    for start in 0..tokens.len() {
        let (mut range, mut len) = if max_end > start {
            (index.find(&tokens[start..max_end]), max_end - start)
        } else {
            (index.full_range(), 0)
        };
        if index.occurrences(&range) == 0 {
            // Past a substitution of an earlier span the tokens need not occur: start over.
            (range, len) = (index.full_range(), 0);
        }
        while start + len < tokens.len() && tokens[start + len] != UNKNOWN {
            let next = index.narrow(&range, len, tokens[start + len]);
            if index.occurrences(&next) == 0 {
                break;
            }
            range = next;
            len += 1;
        }
        if len == 0 {
            continue;
        }
        let (position, end, substitutions) = bridge(index, tokens, start, len, &range, params);
        if end <= max_end {
            continue;
        }
        max_end = end;
        if end - start < min_span {
            continue;
        }
        let common = longest_common_window(index, &tokens[start..end], params.common_occurrences);
        let distinct = (end - start - common) as u32;
        if distinct < params.min_distinct {
            continue;
        }
        found.push(Found {
            start,
            end,
            substitutions,
            range,
            position,
            distinct,
        });
    }
    found
}

/// Where the match of `len` tokens from output `start` (suffix-array `range`) is credited, and
/// how far it reaches with edited-quote bridging: `(corpus position, end, substitutions)`.
/// The credited occurrence is the earliest (the prior art); with bridging, of the first
/// [`BRIDGE_CANDIDATES`] occurrences the one reaching furthest (ties: the earliest).
fn bridge<I: TextIndex>(
    index: &I,
    tokens: &[u32],
    start: usize,
    len: usize,
    range: &I::Range,
    params: &AttributionParams,
) -> (u64, usize, Vec<u32>) {
    let tail = params.bridge_tail as usize;
    let candidates = (tail > 0 && start + len < tokens.len())
        .then(|| index.positions_upto(range, BRIDGE_CANDIDATES))
        .flatten();
    let Some(mut candidates) = candidates else {
        return (index.earliest(range).unwrap_or(0), start + len, Vec::new());
    };
    candidates.sort_unstable();
    let earliest = candidates.first().copied().unwrap_or(0);
    let word = |p: u64| index.token_at(p).filter(|&t| t != SEPARATOR);
    let mut best = (start + len, earliest, Vec::new());
    for &position in &candidates {
        let (mut m, mut subs) = (len, Vec::new());
        loop {
            let e = start + m;
            // The substituted pair: an output token and a corpus word, then the tail.
            if e + 1 >= tokens.len() || word(position + m as u64).is_none() {
                break;
            }
            let mut k = 0;
            while e + 1 + k < tokens.len()
                && tokens[e + 1 + k] != UNKNOWN
                && word(position + (m + 1 + k) as u64) == Some(tokens[e + 1 + k])
            {
                k += 1;
            }
            if k < tail {
                break;
            }
            subs.push(e as u32);
            m += 1 + k;
        }
        if start + m > best.0 {
            best = (start + m, position, subs);
        }
    }
    (best.1, best.0, best.2)
}

/// Length of the longest window of `span` occurring at least `common` times in the corpus.
/// From each start the window grows while it stays common (occurrences only fall as it grows);
/// frequent windows are short, so this costs a few range narrowings per token.
fn longest_common_window<I: TextIndex>(index: &I, span: &[u32], common: u64) -> usize {
    if common == 0 {
        return 0;
    }
    let mut best = 0;
    for start in 0..span.len() {
        if span.len() - start <= best {
            break;
        }
        let (mut range, mut len) = (index.full_range(), 0);
        while start + len < span.len() {
            let next = index.narrow(&range, len, span[start + len]);
            if index.occurrences(&next) < common {
                break;
            }
            range = next;
            len += 1;
        }
        best = best.max(len);
    }
    best
}

/// Micro-tokens per token.
pub const MICRO: u64 = 1_000_000;

/// Sets every span's `credited` length (spans sorted by start, ends increasing, as kept) and
/// returns the number of output tokens covered. Sweeps the output once: O(output + spans).
fn credit_overlaps(spans: &mut [Span], output_len: usize) -> u32 {
    // cover[t]: spans covering token t, from a difference array.
    let mut delta = vec![0i64; output_len + 1];
    for span in spans.iter() {
        delta[span.start as usize] += 1;
        delta[span.end as usize] -= 1;
    }
    let mut cover = Vec::with_capacity(output_len);
    let mut running = 0i64;
    for d in &delta[..output_len] {
        running += d;
        cover.push(running.max(0) as u64);
    }
    for span in spans.iter_mut() {
        span.credited = cover[span.start as usize..span.end as usize]
            .iter()
            .map(|&c| MICRO / c.max(1))
            .sum();
    }
    cover.iter().filter(|&&c| c > 0).count() as u32
}

/// `floor(credited × log2(1 + corpus_tokens / occurrences))` for a span credited `credited`
/// micro-tokens, in integers (see the module documentation). Zero when `occurrences` is zero.
pub fn span_weight(credited: u64, occurrences: u64, corpus_tokens: u64) -> u128 {
    if occurrences == 0 {
        return 0;
    }
    let rarity = log2_q32(corpus_tokens.saturating_add(occurrences), occurrences);
    (u128::from(credited) * u128::from(rarity)) >> 32
}

/// `log2(a / b)` for `a >= b > 0`, as a fixed-point number with 32 fractional bits, truncated
/// (bit-by-bit: normalise `a / b` into `[1, 2)` on 62-bit fixed point, then square 32 times,
/// taking a 1 bit and halving whenever the square reaches 2). Returns 0 when `a < b` or `b == 0`.
pub fn log2_q32(a: u64, b: u64) -> u64 {
    const ONE: u128 = 1 << 62;
    if b == 0 || a < b {
        return 0;
    }
    let (a, b) = (u128::from(a), u128::from(b));
    // Integer part k: b·2^k <= a < b·2^(k+1); k <= 63.
    let k = (127 - a.leading_zeros()) - (127 - b.leading_zeros());
    let k = if (b << k) > a { k - 1 } else { k };
    // y = a / (b·2^k) in [1, 2) on 62 fractional bits; a < 2^64 keeps every product in a u128.
    let mut y = if k <= 62 {
        (a << (62 - k)) / b
    } else {
        (a >> (k - 62)) / b
    };
    let mut fraction = 0u64;
    for _ in 0..32 {
        y = (y * y) >> 62;
        fraction <<= 1;
        if y >= 2 * ONE {
            y >>= 1;
            fraction |= 1;
        }
    }
    (u64::from(k) << 32) | fraction
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log2_matches_floating_point() {
        for (a, b) in [
            (1u64, 1u64),
            (2, 1),
            (3, 1),
            (10, 3),
            (1_000_001, 1),
            (7, 7),
        ] {
            let exact = (a as f64 / b as f64).log2();
            let got = log2_q32(a, b) as f64 / 4_294_967_296.0;
            assert!(
                (exact - got).abs() < 1e-8,
                "log2({a}/{b}) = {exact}, got {got}"
            );
        }
        assert_eq!(log2_q32(8, 1), 3 << 32);
        assert_eq!(log2_q32(1, 2), 0);
        assert_eq!(log2_q32(5, 0), 0);
    }

    #[test]
    fn weight_grows_with_length_and_rarity() {
        let n = 1_000_000;
        assert!(span_weight(10 * MICRO, 1, n) > span_weight(6 * MICRO, 1, n));
        assert!(span_weight(6 * MICRO, 1, n) > span_weight(6 * MICRO, 100, n));
        assert_eq!(span_weight(6 * MICRO, 0, n), 0);
        // log2(1 + 10^6) ≈ 19.93157: 6 tokens ≈ 119.589 × 10^6 micro-units.
        let w = span_weight(6 * MICRO, 1, n);
        assert!((119_589_000..119_590_000).contains(&w), "{w}");
    }
}
