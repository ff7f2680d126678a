//! Planted ground truth: outputs made of known records' spans among unrelated words. The
//! credited contributors match the truth (precision and recall at least 0.95) and the credited
//! shares are within 0.05 (L1) of the truth, also when the corpus holds copies by others.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use alloy::primitives::Address;
use common::{Rng, addr, contribution, word_list, words_of};
use openledger_oracle::{
    AttributionParams, ClusterParams, Corpus, SuffixIndex, attribute, cluster, weights_by_owner,
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
