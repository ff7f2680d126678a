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

use crate::{cluster::ClusterId, index::SuffixIndex, text::UNKNOWN};

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
}

impl Default for AttributionParams {
    fn default() -> Self {
        Self {
            min_span: 6,
            common_occurrences: 8,
            min_distinct: 3,
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
    /// Its words, space separated.
    pub text: String,
    /// Its occurrences in the corpus.
    pub occurrences: u64,
    /// Its tokens beyond its longest common window (see the module documentation).
    pub distinct: u32,
    /// Its length in micro-tokens after sharing the tokens it overlaps with other spans (see the
    /// module documentation): `(end - start) × 10^6` for a span that overlaps none.
    pub credited: u64,
    /// The clusters containing it, sorted.
    pub clusters: Vec<ClusterId>,
    /// Its weight in micro-units (see the module documentation).
    pub weight: u128,
    /// What each of its clusters gets: `weight / clusters.len()`, floor.
    pub share: u128,
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
    /// Sum of `weights`.
    pub total_weight: u128,
}

/// Attributes `output` (raw text, normalised and tokenised with the corpus vocabulary).
pub fn attribute(index: &SuffixIndex, output: &str, params: &AttributionParams) -> Attribution {
    let tokens = index.corpus().vocabulary().tokenize(output);
    attribute_tokens(index, &tokens, params)
}

/// Attributes an output given as token ids of the corpus vocabulary ([`UNKNOWN`] for others).
pub fn attribute_tokens(
    index: &SuffixIndex,
    tokens: &[u32],
    params: &AttributionParams,
) -> Attribution {
    let corpus = index.corpus();
    let vocab = corpus.vocabulary();
    let min_span = params.min_span.max(1) as usize;
    let mut spans = Vec::new();
    // End of the furthest match so far. Ends never decrease (a match from `i` minus its first
    // token is a match from `i + 1`), so a start whose match does not pass it is contained in an
    // earlier span, and the tokens up to it are known to occur: the search resumes there.
    let mut max_end = 0usize;
    for start in 0..tokens.len() {
        let (mut range, mut len) = if max_end > start {
            (index.find(&tokens[start..max_end]), max_end - start)
        } else {
            (index.full_range(), 0)
        };
        if range.is_empty() {
            // Cannot happen (a suffix of a match occurs); start over rather than trust it.
            (range, len) = (index.full_range(), 0);
        }
        while start + len < tokens.len() && tokens[start + len] != UNKNOWN {
            let next = index.narrow(range.clone(), len, tokens[start + len]);
            if next.is_empty() {
                break;
            }
            range = next;
            len += 1;
        }
        let end = start + len;
        if end <= max_end {
            continue;
        }
        max_end = end;
        if len < min_span {
            continue;
        }
        let common = longest_common_window(index, &tokens[start..end], params.common_occurrences);
        let distinct = (len - common) as u32;
        if distinct < params.min_distinct {
            continue;
        }
        let occurrences = range.len() as u64;
        let clusters = index.clusters(range);
        let text = tokens[start..end]
            .iter()
            .map(|&t| vocab.word(t).unwrap_or(""))
            .collect::<Vec<_>>()
            .join(" ");
        spans.push(Span {
            start: start as u32,
            end: end as u32,
            text,
            occurrences,
            distinct,
            credited: 0,
            clusters,
            weight: 0,
            share: 0,
        });
    }
    let covered_tokens = credit_overlaps(&mut spans, tokens.len());
    for span in &mut spans {
        span.weight = span_weight(span.credited, span.occurrences, corpus.token_count());
        span.share = span.weight / span.clusters.len().max(1) as u128;
    }
    let mut weights: BTreeMap<ClusterId, u128> = BTreeMap::new();
    for span in &spans {
        if span.share == 0 {
            continue;
        }
        for &cluster in &span.clusters {
            *weights.entry(cluster).or_default() += span.share;
        }
    }
    let total_weight = weights.values().sum();
    Attribution {
        output_tokens: u32::try_from(tokens.len()).unwrap_or(u32::MAX),
        covered_tokens,
        spans,
        weights,
        total_weight,
    }
}

/// Length of the longest window of `span` occurring at least `common` times in the corpus.
/// From each start the window grows while it stays common (occurrences only fall as it grows);
/// frequent windows are short, so this costs a few range narrowings per token.
fn longest_common_window(index: &SuffixIndex, span: &[u32], common: u64) -> usize {
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
            let next = index.narrow(range.clone(), len, span[start + len]);
            if (next.len() as u64) < common {
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
