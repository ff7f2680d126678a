//! Attribution: maximal spans equal a naive scan; weights follow the documented formula and are
//! traceable to the spans.
#![allow(clippy::unwrap_used)]

mod common;

use openledger_oracle::{
    AttributionParams, ClusterId, Corpus, CorpusOptions, SuffixIndex, attribute,
    attribute::{MICRO, span_weight},
    attribute_tokens,
};
use proptest::prelude::*;

fn index_of(docs: &[String]) -> SuffixIndex {
    SuffixIndex::build(
        Corpus::build(
            docs.iter()
                .enumerate()
                .map(|(i, d)| (ClusterId(i as u32), d.as_str())),
        )
        .unwrap(),
    )
}

/// Rules `/2`: every document whole, no prior art, no bridging.
fn plain_index_of(docs: &[String]) -> SuffixIndex {
    let options = CorpusOptions::WHOLE;
    SuffixIndex::build(
        Corpus::build_with(
            docs.iter()
                .enumerate()
                .map(|(i, d)| (ClusterId(i as u32), d.as_str())),
            &options,
        )
        .unwrap(),
    )
}

const PLAIN: AttributionParams = AttributionParams {
    min_span: 1,
    common_occurrences: 0,
    min_distinct: 0,
    prior_art_span: 0,
    copy_removal_span: 0,
    bridge_tail: 0,
};

/// Longest prefix of `out[i..]` found in any document, by brute force.
fn naive_longest(docs: &[Vec<String>], out: &[String], i: usize) -> usize {
    let mut best = 0;
    for d in docs {
        for s in 0..d.len() {
            let mut l = 0;
            while i + l < out.len() && s + l < d.len() && d[s + l] == out[i + l] {
                l += 1;
            }
            best = best.max(l);
        }
    }
    best
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn maximal_spans_equal_a_naive_scan(
        docs in prop::collection::vec(prop::collection::vec(0u8..3, 0..30), 1..8),
        output in prop::collection::vec(0u8..4, 0..40),
        min_span in 1u32..5,
    ) {
        let name = |w: &u8| ["a", "b", "c", "zz"][*w as usize].to_owned();
        let docs: Vec<Vec<String>> = docs.iter().map(|d| d.iter().map(name).collect()).collect();
        let out: Vec<String> = output.iter().map(name).collect();
        let texts: Vec<String> = docs.iter().map(|d| d.join(" ")).collect();
        let index = plain_index_of(&texts);
        let a = attribute(&index, &out.join(" "), &AttributionParams { min_span, ..PLAIN });

        let mut expected = Vec::new();
        let mut max_end = 0;
        for i in 0..out.len() {
            let l = naive_longest(&docs, &out, i);
            if l >= min_span as usize && i + l > max_end {
                let span = &out[i..i + l];
                let mut occ = 0;
                let mut clusters = Vec::new();
                for (c, d) in docs.iter().enumerate() {
                    let hits = d.windows(l).filter(|w| *w == span).count();
                    occ += hits as u64;
                    if hits > 0 {
                        clusters.push(ClusterId(c as u32));
                    }
                }
                expected.push((i as u32, (i + l) as u32, span.join(" "), occ, clusters));
            }
            max_end = max_end.max(i + l);
        }
        let got: Vec<_> = a
            .spans
            .iter()
            .map(|s| (s.start, s.end, s.text.clone(), s.occurrences, s.clusters.clone()))
            .collect();
        prop_assert_eq!(got, expected);

        // Every cluster weight is the sum of its spans' shares.
        // Each output token is credited once, shared by the spans covering it.
        let cover: Vec<u64> = (0..out.len() as u32)
            .map(|t| a.spans.iter().filter(|s| s.start <= t && t < s.end).count() as u64)
            .collect();
        prop_assert_eq!(a.covered_tokens as usize, cover.iter().filter(|&&c| c > 0).count());
        let n = index.corpus().token_count();
        let mut sums = std::collections::BTreeMap::new();
        for s in &a.spans {
            let credited: u64 = (s.start..s.end).map(|t| MICRO / cover[t as usize]).sum();
            prop_assert_eq!(s.credited, credited);
            prop_assert_eq!(s.weight, span_weight(s.credited, s.occurrences, n));
            for (c, share) in s.clusters.iter().zip(&s.shares) {
                prop_assert_eq!(*share, s.weight / s.clusters.len() as u128);
                *sums.entry(*c).or_insert(0u128) += share;
            }
        }
        sums.retain(|_, w| *w > 0);
        prop_assert_eq!(&a.weights, &sums);
        prop_assert_eq!(a.total_weight, sums.values().sum::<u128>());
    }
}

#[test]
fn spans_of_planted_records_credit_their_clusters() {
    let mut rng = common::Rng(42);
    let words = common::word_list(2000);
    let docs: Vec<String> = (0..20)
        .map(|_| common::record(&mut rng, &words, 60))
        .collect();
    let index = index_of(&docs);
    let output = format!(
        "Well: {} — and also, {}! Then unrelated words follow here.",
        common::words_of(&docs[3], 10..30).to_uppercase(),
        common::words_of(&docs[7], 0..8)
    );
    let a = attribute(&index, &output, &AttributionParams::default());
    assert_eq!(a.spans.len(), 2, "{:#?}", a.spans);
    assert_eq!(a.spans[0].text, common::words_of(&docs[3], 10..30));
    assert_eq!(a.spans[0].clusters, vec![ClusterId(3)]);
    assert_eq!(a.spans[1].clusters, vec![ClusterId(7)]);
    assert_eq!(a.spans[0].occurrences, 1);
    let keys: Vec<_> = a.weights.keys().copied().collect();
    assert_eq!(keys, vec![ClusterId(3), ClusterId(7)]);
    // Same rarity, so weights are in the ratio of the lengths, 20 : 8.
    let (w3, w7) = (a.weights[&ClusterId(3)], a.weights[&ClusterId(7)]);
    assert!((w3 * 8).abs_diff(w7 * 20) <= 20 * 8, "{w3} {w7}");
}

#[test]
fn short_matches_and_unknown_words_do_not_count() {
    let docs = vec!["alpha beta gamma delta epsilon zeta eta theta".to_owned()];
    let index = index_of(&docs);
    let p = AttributionParams::default();
    assert!(
        attribute(&index, "alpha beta gamma delta epsilon", &p)
            .spans
            .is_empty()
    );
    assert_eq!(
        attribute(&index, "alpha beta gamma delta epsilon zeta", &p)
            .spans
            .len(),
        1
    );
    // An unknown word in the middle breaks the match.
    assert!(
        attribute(&index, "alpha beta gamma XX delta epsilon zeta", &p)
            .spans
            .is_empty()
    );
    let empty = attribute(&index, "", &p);
    assert_eq!(empty.total_weight, 0);
    assert_eq!(attribute_tokens(&index, &[], &p), empty);
}

#[test]
fn a_span_in_two_clusters_goes_to_its_first_holder_at_full_weight() {
    let shared = "one two three four five six seven eight nine ten eleven twelve thirteen";
    let docs = vec![
        format!("{shared} alpha beta"),
        format!("gamma {shared}"),
        "unrelated filler text that pads the corpus a little".to_owned(),
    ];
    let n_without_copy = {
        let index = index_of(&[docs[0].clone(), docs[2].clone()]);
        index.corpus().token_count()
    };
    let index = index_of(&docs);
    let a = attribute(&index, shared, &AttributionParams::default());
    assert_eq!(a.spans.len(), 1);
    // The later copy is a hole in the index: one occurrence, the first holder's.
    assert_eq!(a.spans[0].occurrences, 1);
    assert_eq!(a.spans[0].clusters, vec![ClusterId(0)]);
    assert_eq!(
        a.weights.keys().copied().collect::<Vec<_>>(),
        vec![ClusterId(0)]
    );
    let n = index.corpus().token_count();
    assert_eq!(
        n,
        n_without_copy + 1,
        "only the copier's own word is indexed"
    );
    assert_eq!(a.spans[0].weight, span_weight(13 * MICRO, 1, n));

    // Rules /2 (no prior art): shared equally, and the copy lowers the weight.
    let plain = plain_index_of(&docs);
    let p = AttributionParams {
        prior_art_span: 0,
        bridge_tail: 0,
        ..AttributionParams::default()
    };
    let b = attribute(&plain, shared, &p);
    assert_eq!(b.spans[0].occurrences, 2);
    assert_eq!(b.weights[&ClusterId(0)], b.weights[&ClusterId(1)]);
    let n = plain.corpus().token_count();
    assert_eq!(b.spans[0].weight, span_weight(13 * MICRO, 2, n));

    // A shorter copy (below prior_art_span) stays in the index but earns nothing.
    let short = "one two three four five six seven";
    let docs = vec![format!("{short} alpha"), format!("gamma {short}")];
    let a = attribute(&index_of(&docs), short, &AttributionParams::default());
    assert_eq!(a.spans[0].occurrences, 2);
    assert_eq!(a.spans[0].clusters, vec![ClusterId(0)]);
}

#[test]
fn an_edited_quote_is_one_span_across_the_substituted_word() {
    let docs = vec![
        "k1 k2 k3 k4 k5 k6 k7 k8 k9 k10 k11 k12".to_owned(),
        "unrelated words of another record here".to_owned(),
    ];
    let index = index_of(&docs);
    // k5 replaced: the tail k6..k9 (four words) is below min_span alone.
    let out = "k1 k2 k3 k4 EDIT k6 k7 k8 k9 then other words";
    let a = attribute(&index, out, &AttributionParams::default());
    let ranges: Vec<_> = a.spans.iter().map(|s| (s.start, s.end)).collect();
    assert_eq!(ranges, vec![(0, 9)], "{:#?}", a.spans);
    assert_eq!(a.spans[0].substitutions, vec![4]);
    assert_eq!(a.spans[0].clusters, vec![ClusterId(0)]);
    // Without bridging the quote is two fragments of 4: nothing is credited.
    let off = AttributionParams {
        bridge_tail: 0,
        ..AttributionParams::default()
    };
    assert!(attribute(&index, out, &off).spans.is_empty());
    // A single matching word after the substitution is no bridge.
    let a = attribute(
        &index,
        "k1 k2 k3 k4 k5 k6 k7 EDIT k9 zz",
        &AttributionParams::default(),
    );
    assert_eq!(
        a.spans.iter().map(|s| (s.start, s.end)).collect::<Vec<_>>(),
        vec![(0, 7)]
    );
}

#[test]
fn copied_parts_spliced_into_a_later_record_credit_the_original() {
    let w = |p: &str, r: std::ops::Range<u32>| {
        r.map(|i| format!("{p}{i:02}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let original = w("w", 1..20);
    let other = w("v", 1..20);
    // The mosaic: a sentence of each original spliced with the copier's words, joined so that
    // an output quoting both sentences with one word between them runs through the mosaic.
    let mosaic = format!(
        "m1 m2 {} m3 {} m4 m5 m6 m7 m8 m9",
        w("w", 3..16),
        w("v", 2..15)
    );
    let docs = vec![original, other, mosaic];
    let index = index_of(&docs);
    let out = format!("so {} and {} ok", w("w", 3..16), w("v", 2..15));
    let a = attribute(&index, &out, &AttributionParams::default());
    // The copied sentences are holes in the mosaic, so nothing bridges through its "m3": two
    // spans, each its original's.
    let clusters: Vec<_> = a.spans.iter().map(|s| s.clusters.clone()).collect();
    assert_eq!(
        clusters,
        vec![vec![ClusterId(0)], vec![ClusterId(1)]],
        "{:#?}",
        a.spans
    );
    assert!(!a.weights.contains_key(&ClusterId(2)));
    // The copier's own words still earn for it.
    let own = attribute(&index, "m4 m5 m6 m7 m8 m9", &AttributionParams::default());
    assert_eq!(
        own.weights.keys().copied().collect::<Vec<_>>(),
        vec![ClusterId(2)]
    );
}

/// A later document made only of runs of earlier documents changes no attribution.
fn with_copies(docs: &[Vec<u8>], picks: &[(usize, usize, usize)]) -> Vec<Vec<u8>> {
    let mut out = docs.to_vec();
    for &(d, s, l) in picks {
        let src = &docs[d % docs.len()];
        if src.is_empty() {
            continue;
        }
        let s = s % src.len();
        let l = (12 + l).min(src.len() - s);
        if l < 12 {
            continue;
        }
        let mut copy = vec![200u8];
        copy.extend_from_slice(&src[s..s + l]);
        out.push(copy);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    /// Appending later records made of copied runs of earlier ones (plus a word of the copier's)
    /// neither credits them nor changes anything an earlier record is credited.
    #[test]
    fn later_copies_change_no_earlier_credit(
        docs in prop::collection::vec(prop::collection::vec(0u8..12, 12..40), 1..6),
        picks in prop::collection::vec((0usize..6, 0usize..40, 0usize..20), 0..6),
        output in prop::collection::vec(0u8..12, 0..60),
    ) {
        let text = |d: &[u8]| d.iter().map(|w| format!("t{w}")).collect::<Vec<_>>().join(" ");
        let originals: Vec<String> = docs.iter().map(|d| text(d)).collect();
        let copied: Vec<String> = with_copies(&docs, &picks).iter().map(|d| text(d)).collect();
        let out = text(&output);
        let p = AttributionParams { common_occurrences: 0, min_distinct: 0, ..AttributionParams::default() };
        let before = attribute(&index_of(&originals), &out, &p);
        let after = attribute(&index_of(&copied), &out, &p);
        let credited = |a: &openledger_oracle::Attribution| {
            a.spans.iter().map(|s| (s.start, s.end, s.clusters.clone(), s.occurrences)).collect::<Vec<_>>()
        };
        prop_assert_eq!(credited(&before), credited(&after));
        prop_assert_eq!(&before.weights.keys().collect::<Vec<_>>(), &after.weights.keys().collect::<Vec<_>>());
    }
}

#[test]
fn overlapping_spans_share_their_common_tokens() {
    // The output runs from the first record into the second through three words both hold, and
    // the corpus has no single document with all of it: two maximal spans, overlapping by three.
    let docs = vec![
        "a1 b1 c1 d1 e1 f1 g1 h1".to_owned(),
        "f1 g1 h1 i1 j1 k1 l1 m1".to_owned(),
    ];
    let index = index_of(&docs);
    let a = attribute(
        &index,
        "a1 b1 c1 d1 e1 f1 g1 h1 i1 j1 k1 l1 m1",
        &AttributionParams::default(),
    );
    let ranges: Vec<_> = a.spans.iter().map(|s| (s.start, s.end)).collect();
    assert_eq!(ranges, vec![(0, 8), (5, 13)]);
    assert_eq!(a.covered_tokens, 13);
    // Five own tokens each, and half of the three shared ones: 13 tokens credited, not 16.
    assert_eq!(a.spans[0].credited, 5 * MICRO + 3 * MICRO / 2);
    assert_eq!(a.spans[1].credited, 5 * MICRO + 3 * MICRO / 2);
    assert_eq!(a.weights[&ClusterId(0)], a.weights[&ClusterId(1)]);
    let n = index.corpus().token_count();
    assert_eq!(a.spans[0].weight, span_weight(a.spans[0].credited, 1, n));
}

#[test]
fn params_serialise_for_the_report() {
    let json = serde_json::to_string(&AttributionParams::default()).unwrap();
    assert_eq!(
        json,
        r#"{"min_span":6,"common_occurrences":8,"min_distinct":3,"prior_art_span":12,"copy_removal_span":12,"bridge_tail":3}"#
    );
}

#[test]
fn a_long_copied_output_is_one_span() {
    let mut rng = common::Rng(3);
    let words = common::word_list(500);
    let docs: Vec<String> = (0..5)
        .map(|_| common::record(&mut rng, &words, 2000))
        .collect();
    let index = index_of(&docs);
    let output = format!(
        "{} and then {}",
        docs[2],
        common::words_of(&docs[4], 100..300)
    );
    let a = attribute(&index, &output, &AttributionParams::default());
    let ranges: Vec<(u32, u32)> = a.spans.iter().map(|s| (s.start, s.end)).collect();
    // "and", "then" are not in the corpus, so they separate the two copied passages.
    assert_eq!(ranges, vec![(0, 2000), (2002, 2202)]);
    assert_eq!(a.spans[0].clusters, vec![ClusterId(2)]);
}

/// Occurrences of `window` in the documents, by brute force.
fn naive_occurrences(docs: &[Vec<String>], window: &[String]) -> usize {
    docs.iter()
        .map(|d| d.windows(window.len()).filter(|w| *w == window).count())
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// `distinct` is the span's length minus its longest window occurring at least
    /// `common_occurrences` times, by brute force.
    #[test]
    fn distinct_length_equals_a_naive_count(
        docs in prop::collection::vec(prop::collection::vec(0u8..3, 0..30), 1..8),
        output in prop::collection::vec(0u8..3, 0..40),
        common in 1u64..6,
    ) {
        let name = |w: &u8| ["a", "b", "c"][*w as usize].to_owned();
        let docs: Vec<Vec<String>> = docs.iter().map(|d| d.iter().map(name).collect()).collect();
        let out: Vec<String> = output.iter().map(name).collect();
        let texts: Vec<String> = docs.iter().map(|d| d.join(" ")).collect();
        let index = plain_index_of(&texts);
        let params = AttributionParams { common_occurrences: common, ..PLAIN };
        let a = attribute(&index, &out.join(" "), &params);
        for s in &a.spans {
            let span = &out[s.start as usize..s.end as usize];
            let longest_common = (0..span.len())
                .flat_map(|i| (i + 1..=span.len()).map(move |j| (i, j)))
                .filter(|&(i, j)| naive_occurrences(&docs, &span[i..j]) as u64 >= common)
                .map(|(i, j)| j - i)
                .max()
                .unwrap_or(0);
            prop_assert_eq!(s.distinct as usize, span.len() - longest_common);
        }
    }
}

#[test]
fn boilerplate_and_a_common_continuation_are_not_evidence() {
    // A licence line in ten records; one of them continues it with "see notes".
    let line = "released under the terms of this licence";
    let mut docs: Vec<String> = (0..10)
        .map(|i| format!("record{i} alpha{i} beta{i} {line} gamma{i} delta{i}"))
        .collect();
    docs.push(format!("{line} see notes for the rare eclipse details"));
    let index = index_of(&docs);
    let p = AttributionParams::default();
    // The line plus "see notes": nine tokens, a single occurrence, but only two beyond the
    // common line: no credit.
    let a = attribute(&index, &format!("{line} see notes"), &p);
    assert!(a.spans.is_empty(), "{:?}", a.spans);
    assert_eq!(a.total_weight, 0);
    // Quoting what the record adds to the line is evidence, credited to that record alone.
    let a = attribute(&index, &format!("{line} see notes for the rare"), &p);
    assert_eq!(a.spans.len(), 1);
    assert_eq!(a.spans[0].distinct, 5);
    assert_eq!(
        a.weights.keys().copied().collect::<Vec<_>>(),
        vec![ClusterId(10)]
    );
    // The rule off (common_occurrences 0): the nine-token match counts.
    let off = AttributionParams {
        common_occurrences: 0,
        ..p
    };
    let a = attribute(&index, &format!("{line} see notes"), &off);
    assert_eq!(a.spans.len(), 1);
    assert_eq!(a.spans[0].distinct, 9);
}
