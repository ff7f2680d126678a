//! Planted ground truth: outputs made of known records' spans among unrelated words. The
//! credited contributors match the truth (precision and recall at least 0.95) and the credited
//! shares are within 0.05 (L1) of the truth, also when the corpus holds copies by others.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use alloy::primitives::Address;
use common::{Rng, addr, contribution, word_list, words_of};
use openledger_oracle::{
    AttributionParams, ClusterParams, Corpus, CorpusOptions, SuffixIndex, attribute, cluster,
    weights_by_owner,
};

#[test]
fn credited_contributors_and_shares_match_the_planted_truth() {
    let mut rng = Rng(31337);
    let words = word_list(4000);
    let filler = [
        "the", "of", "and", "model", "answer", "data", "is", "a", "this", "with",
    ];
    let records: Vec<String> = (0..300)
        .map(|_| {
            let len = 60 + rng.below(80);
            common::record(&mut rng, &words, len)
        })
        .collect();
    let owner_of = |i: usize| addr((i % 60) as u64);
    let mut contributions: Vec<_> = records
        .iter()
        .enumerate()
        .map(|(i, r)| contribution(i as u64 + 1, owner_of(i), 10 + i as u64, r))
        .collect();
    // Later copies by other addresses must not take any credit.
    for k in 0..40u64 {
        let src = &records[(k * 7) as usize];
        contributions.push(contribution(
            1000 + k,
            addr(500 + k),
            1000 + k,
            &src.to_uppercase(),
        ));
    }
    let clustering = cluster(&contributions, &ClusterParams::default()).unwrap();
    assert_eq!(clustering.clusters.len(), 300);
    let index = SuffixIndex::build(Corpus::build(clustering.documents()).unwrap());
    let owners = clustering.owners();

    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    let mut worst_l1 = 0f64;
    for _ in 0..50 {
        let mut truth: BTreeMap<Address, f64> = BTreeMap::new();
        let mut parts = Vec::new();
        for _ in 0..1 + rng.below(4) {
            let r = rng.below(records.len());
            let len = 8 + rng.below(25);
            let n = records[r].split(' ').count();
            let start = rng.below(n - len);
            parts.push(words_of(&records[r], start..start + len));
            *truth.entry(owner_of(r)).or_default() += len as f64;
            let noise: Vec<&str> = (0..3 + rng.below(10))
                .map(|_| filler[rng.below(10)])
                .collect();
            parts.push(noise.join(" "));
        }
        let a = attribute(&index, &parts.join(". "), &AttributionParams::default());
        let credited = weights_by_owner(&a.weights, &owners).unwrap();
        let truth_set: BTreeSet<_> = truth.keys().copied().collect();
        let credited_set: BTreeSet<_> = credited.keys().copied().collect();
        tp += truth_set.intersection(&credited_set).count();
        fp += credited_set.difference(&truth_set).count();
        fn_ += truth_set.difference(&credited_set).count();
        let t_total: f64 = truth.values().sum();
        let c_total = a.total_weight as f64;
        let l1: f64 = truth_set
            .union(&credited_set)
            .map(|k| {
                let t = truth.get(k).copied().unwrap_or(0.0) / t_total;
                let c = credited.get(k).copied().unwrap_or(0) as f64 / c_total;
                (t - c).abs()
            })
            .sum();
        worst_l1 = worst_l1.max(l1);
    }
    let precision = tp as f64 / (tp + fp) as f64;
    let recall = tp as f64 / (tp + fn_) as f64;
    println!("precision {precision:.4}, recall {recall:.4}, worst L1 {worst_l1:.4}");
    assert!(precision >= 0.95, "precision {precision}");
    assert!(recall >= 0.95, "recall {recall}");
    assert!(worst_l1 <= 0.05, "worst L1 distance {worst_l1}");
}

/// Harder data than the test above, closer to real text:
/// - words follow a Zipf law (a few words are everywhere, so short phrases recur by chance);
/// - records carry boilerplate: 5-word phrases shared by many contributors' records;
/// - contributors resubmit their own records with a word changed (clustered, no extra credit);
/// - outputs quote records with a word changed inside 30% of the quotes (two shorter matches,
///   one possibly below the minimum span), between runs of Zipf words and boilerplate.
///
/// The truth of an output is the words it quotes from each contributor's records. Measured on
/// 200 outputs: precision and recall of the credited contributors, and the L1 distance between
/// credited and true shares (mean and worst).
///
/// With the distinctiveness rule (`common_occurrences`, `min_distinct`) the targets
/// hold: precision 0.96, recall 1.0, mean L1 0.035. Output by output, 74% are within 0.05 and
/// the worst is 0.41: a quote split by an edited word loses a fragment shorter than `min_span`
/// (the truth counts it), a match runs on past the quote into common words the record also has,
/// and chance matches of the prose between quotes credit someone else. Parameters do not change
/// that picture (`QUALITY_SWEEP` over `min_span` 5–8, `common_occurrences` 4–16, `min_distinct`
/// 3–5): the best share within 0.05 was 0.77 (min_span 5, worst 0.33, precision 0.960); larger
/// `min_distinct` or `min_span` raise precision and lose recall and L1. The ablation shows the rule is what holds
/// them: without it, boilerplate plus a common word next to it makes 6-word matches the truth
/// does not contain, and precision falls to 0.24 (mean L1 0.196).
#[test]
fn planted_truth_on_zipf_text_with_boilerplate_and_edited_quotes() {
    // QUALITY_SWEEP="6,8,3;6,8,4" (min_span, common_occurrences, min_distinct; ...) prints the
    // measures for other parameters, for tuning.
    if let Ok(sweep) = std::env::var("QUALITY_SWEEP") {
        for spec in sweep.split(';') {
            let v: Vec<u64> = spec.split(',').map(|x| x.trim().parse().unwrap()).collect();
            let params = AttributionParams {
                min_span: v[0] as u32,
                common_occurrences: v[1],
                min_distinct: v[2] as u32,
                prior_art_span: v.get(3).map_or(6, |&x| x as u32),
                copy_removal_span: v.get(4).map_or(12, |&x| x as u32),
                bridge_tail: v.get(5).map_or(3, |&x| x as u32),
            };
            println!("{spec}: {:?}", zipf_boilerplate_quality(params));
        }
    }
    let with_rule = zipf_boilerplate_quality(AttributionParams::default());
    println!("default parameters: {with_rule:?}");
    assert!(with_rule.precision >= 0.95, "{with_rule:?}");
    assert!(with_rule.recall >= 0.95, "{with_rule:?}");
    assert!(with_rule.mean_l1 <= 0.05, "{with_rule:?}");
    // Not a target of the issue: a guard against regressions (0.74 when written).
    assert!(with_rule.within_005 >= 0.7, "{with_rule:?}");
    let without = zipf_boilerplate_quality(AttributionParams {
        common_occurrences: 0,
        ..AttributionParams::default()
    });
    println!("without the distinctiveness rule: {without:?}");
    assert!(
        without.precision < 0.95 && without.mean_l1 > 0.05,
        "the ablation should fail: {without:?}"
    );
    assert!(
        with_rule.worst_l1 < without.worst_l1,
        "{with_rule:?} {without:?}"
    );
}

#[derive(Debug)]
struct Quality {
    precision: f64,
    recall: f64,
    mean_l1: f64,
    worst_l1: f64,
    /// Share of the outputs whose L1 distance is at most 0.05.
    within_005: f64,
}

fn zipf_boilerplate_quality(params: AttributionParams) -> Quality {
    let mut rng = Rng(2718);
    let words = word_list(8000);
    // Zipf(1) over the word list.
    let cdf: Vec<f64> = (1..=words.len())
        .scan(0.0, |acc, r| {
            *acc += 1.0 / r as f64;
            Some(*acc)
        })
        .collect();
    let total = cdf[cdf.len() - 1];
    let zipf = |rng: &mut Rng| -> &str {
        let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * total;
        &words[cdf.partition_point(|&c| c < u).min(words.len() - 1)]
    };
    let boilerplate: Vec<String> = (0..12)
        .map(|_| (0..5).map(|_| zipf(&mut rng)).collect::<Vec<_>>().join(" "))
        .collect();
    let prose = |rng: &mut Rng, len: usize| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        while out.len() < len {
            if rng.below(15) == 0 {
                out.extend(
                    boilerplate[rng.below(boilerplate.len())]
                        .split(' ')
                        .map(str::to_owned),
                );
            } else {
                out.push(zipf(rng).to_owned());
            }
        }
        out
    };
    let records: Vec<Vec<String>> = (0..400)
        .map(|_| {
            let len = 60 + rng.below(100);
            prose(&mut rng, len)
        })
        .collect();
    let owner_of = |i: usize| addr((i % 80) as u64);
    let mut contributions: Vec<_> = records
        .iter()
        .enumerate()
        .map(|(i, r)| contribution(i as u64 + 1, owner_of(i), 10 + i as u64, &r.join(" ")))
        .collect();
    // Resubmissions by the same owner, one word changed.
    for k in 0..60usize {
        let src = (k * 13) % records.len();
        let mut edited = records[src].clone();
        let at = rng.below(edited.len());
        edited[at] = "resubmitted".to_owned();
        contributions.push(contribution(
            2000 + k as u64,
            owner_of(src),
            2000 + k as u64,
            &edited.join(" "),
        ));
    }
    let clustering = cluster(&contributions, &ClusterParams::default()).unwrap();
    assert_eq!(
        clustering.clusters.len(),
        records.len(),
        "resubmissions join their originals"
    );
    let options = CorpusOptions::for_params(&params, None);
    let index = SuffixIndex::build(Corpus::build_with(clustering.documents(), &options).unwrap());
    let owners = clustering.owners();

    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    let (mut sum_l1, mut worst_l1, mut within) = (0f64, 0f64, 0usize);
    let outputs = 200;
    for _ in 0..outputs {
        let mut truth: BTreeMap<Address, f64> = BTreeMap::new();
        let mut output: Vec<String> = Vec::new();
        for _ in 0..1 + rng.below(4) {
            let r = rng.below(records.len());
            let len = 12 + rng.below(30);
            let start = rng.below(records[r].len() - len);
            let mut quote = records[r][start..start + len].to_vec();
            let mut quoted = len;
            if rng.below(10) < 3 {
                let at = 3 + rng.below(len - 6);
                quote[at] = "paraphrased".to_owned();
                quoted -= 1;
            }
            output.extend(quote);
            *truth.entry(owner_of(r)).or_default() += quoted as f64;
            let gap = 5 + rng.below(20);
            output.extend(prose(&mut rng, gap));
        }
        let a = attribute(&index, &output.join(" "), &params);
        let credited = weights_by_owner(&a.weights, &owners).unwrap();
        let truth_set: BTreeSet<_> = truth.keys().copied().collect();
        let credited_set: BTreeSet<_> = credited.keys().copied().collect();
        tp += truth_set.intersection(&credited_set).count();
        fp += credited_set.difference(&truth_set).count();
        fn_ += truth_set.difference(&credited_set).count();
        let t_total: f64 = truth.values().sum();
        let c_total = (a.total_weight as f64).max(1.0);
        let l1: f64 = truth_set
            .union(&credited_set)
            .map(|k| {
                let t = truth.get(k).copied().unwrap_or(0.0) / t_total;
                let c = credited.get(k).copied().unwrap_or(0) as f64 / c_total;
                (t - c).abs()
            })
            .sum();
        sum_l1 += l1;
        worst_l1 = worst_l1.max(l1);
        within += usize::from(l1 <= 0.05);
    }
    Quality {
        within_005: within as f64 / outputs as f64,
        precision: tp as f64 / (tp + fp) as f64,
        recall: tp as f64 / (tp + fn_) as f64,
        mean_l1: sum_l1 / outputs as f64,
        worst_l1,
    }
}
