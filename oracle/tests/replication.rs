//! Replication robustness (invariant 4): copies and near copies of a record, from one address or
//! many, earn no more in total than the original (within 5%), earn their copiers nothing, and
//! leave the record with its first accepted submitter. The same harness fails when clustering is
//! disabled, so it does detect the problem it guards against.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use alloy::primitives::{Address, U256};
use common::{Dedup, Rng, addr, contribution, run, word_list, words_of};
use openledger_oracle::{ClusterParams, Contribution, cluster::jaccard_bps};

const NET: u64 = 1_000_000_000_000_000_000;
/// The record under attack: record 0, owned by contributor 0.
const VICTIM: u64 = 0;

struct World {
    records: Vec<String>,
    contributions: Vec<Contribution>,
    outputs: Vec<String>,
}

/// 30 distinct 100-word records from 10 contributors (record i by contributor i % 10, accepted at
/// block 10 + i), and two outputs made of spans of records 0, 5 and 12 among unrelated words.
fn world() -> World {
    let mut rng = Rng(2024);
    let words = word_list(3000);
    let records: Vec<String> = (0..30)
        .map(|_| common::record(&mut rng, &words, 100))
        .collect();
    let contributions = records
        .iter()
        .enumerate()
        .map(|(i, r)| contribution(i as u64 + 1, addr(i as u64 % 10), 10 + i as u64, r))
        .collect();
    let outputs = vec![
        format!(
            "In short: {}. Also {} and finally, {}.",
            words_of(&records[0], 10..40),
            words_of(&records[5], 50..70),
            words_of(&records[12], 0..25)
        ),
        format!(
            "Quite unrelated prose, then {} to end",
            words_of(&records[0], 60..75)
        ),
    ];
    World {
        records,
        contributions,
        outputs,
    }
}

/// `count` variants of the victim record made by `edit`, submitted after every original by
/// `submitter(k)`.
fn copies(
    w: &World,
    count: usize,
    submitter: impl Fn(usize) -> Address,
    edit: impl Fn(&str, usize) -> String,
) -> Vec<Contribution> {
    (0..count)
        .map(|k| {
            contribution(
                1000 + k as u64,
                submitter(k),
                500 + k as u64,
                &edit(&w.records[0], k),
            )
        })
        .collect()
}

fn change_words(text: &str, positions: &[usize], tag: usize) -> String {
    let mut words: Vec<String> = text.split(' ').map(str::to_owned).collect();
    for &p in positions {
        words[p] = format!("edit{tag}x{p}");
    }
    words.join(" ")
}

/// The harness verdict: what the victim and the copiers earn with the copies, against the victim's
/// pay without them.
fn verdict(w: &World, attack: &[Contribution], dedup: Dedup) -> Result<(), String> {
    let baseline = run(&w.contributions, &w.outputs, dedup, NET);
    let victim = addr(VICTIM);
    let base_pay = baseline.totals.get(&victim).copied().unwrap_or_default();
    if base_pay.is_zero() {
        return Err("the victim earns nothing even without copies".into());
    }
    let mut all = w.contributions.clone();
    all.extend_from_slice(attack);
    let attacked = run(&all, &w.outputs, dedup, NET);
    let copiers: BTreeSet<Address> = attack
        .iter()
        .map(|c| c.contributor)
        .filter(|&a| a != victim)
        .collect();
    let pay = |a: &Address| attacked.totals.get(a).copied().unwrap_or_default();
    let group: U256 = copiers.iter().map(pay).sum::<U256>() + pay(&victim);
    if group * U256::from(100) > base_pay * U256::from(105) {
        return Err(format!(
            "copies and original earn {group}, the original alone {base_pay}"
        ));
    }
    for c in &copiers {
        if !pay(c).is_zero() {
            return Err(format!("copier {c} earns {}", pay(c)));
        }
    }
    if pay(&victim) * U256::from(100) < base_pay * U256::from(95) {
        return Err(format!("the victim keeps {} of {base_pay}", pay(&victim)));
    }
    if let Dedup::Clusters(_) = dedup {
        let owner = attacked.clustering.cluster_of(U256::from(1)).unwrap().owner;
        if owner != victim {
            return Err(format!("the victim's record is owned by {owner}"));
        }
    }
    Ok(())
}

fn clustered() -> Dedup {
    Dedup::Clusters(ClusterParams::default())
}

#[test]
fn exact_copies_from_one_address_or_many() {
    let w = world();
    let one = copies(&w, 5, |_| addr(666), |r, _| r.to_owned());
    let many = copies(&w, 5, |k| addr(700 + k as u64), |r, _| r.to_owned());
    verdict(&w, &one, clustered()).unwrap();
    verdict(&w, &many, clustered()).unwrap();
}

#[test]
fn case_punctuation_and_whitespace_variants() {
    let w = world();
    let variants = copies(
        &w,
        6,
        |k| addr(700 + k as u64),
        |r, k| match k % 3 {
            0 => r.to_uppercase(),
            1 => r.replace(' ', ",   "),
            _ => format!("  \t{}!!\n", r.replace(' ', "\u{3000}")),
        },
    );
    verdict(&w, &variants, clustered()).unwrap();
}

#[test]
fn near_copies_with_a_few_changed_words() {
    let w = world();
    let params = ClusterParams::default();
    let edits: Vec<Vec<usize>> = vec![
        vec![3],
        vec![20],
        vec![97],
        vec![5, 80],
        vec![25, 65],
        vec![50],
    ];
    for e in &edits {
        let j = jaccard_bps(&w.records[0], &change_words(&w.records[0], e, 0), &params);
        assert!(j >= 8000, "edit {e:?}: Jaccard {j} bps");
    }
    let edit = |r: &str, k: usize| change_words(r, &edits[k % edits.len()], k);
    verdict(&w, &copies(&w, 6, |_| addr(666), edit), clustered()).unwrap();
    verdict(
        &w,
        &copies(&w, 6, |k| addr(700 + k as u64), edit),
        clustered(),
    )
    .unwrap();
    // Edited inside the spans the outputs use, and shouting: still the victim's.
    let inside = |r: &str, k: usize| change_words(r, &[15 + k, 62], k).to_uppercase();
    verdict(
        &w,
        &copies(&w, 4, |k| addr(800 + k as u64), inside),
        clustered(),
    )
    .unwrap();
}

#[test]
fn the_owner_resubmitting_gains_nothing() {
    let w = world();
    let own = copies(
        &w,
        5,
        |_| addr(VICTIM),
        |r, k| {
            if k % 2 == 0 {
                r.to_owned()
            } else {
                change_words(r, &[k * 10], k)
            }
        },
    );
    verdict(&w, &own, clustered()).unwrap();
}

#[test]
fn everything_at_once_and_spam() {
    let w = world();
    let mut attack = copies(&w, 3, |_| addr(666), |r, _| r.to_owned());
    attack.extend(copies(
        &w,
        3,
        |k| addr(710 + k as u64),
        |r, k| change_words(r, &[k + 1, 90 - k], k),
    ));
    attack.extend(copies(
        &w,
        3,
        |k| addr(720 + k as u64),
        |r, _| r.to_lowercase().replace(' ', " ; "),
    ));
    // Spam no output uses, from the same addresses.
    let mut rng = Rng(9);
    let words = word_list(3000);
    for k in 0..10u64 {
        attack.push(contribution(
            2000 + k,
            addr(666),
            900 + k,
            &common::record(&mut rng, &words, 80),
        ));
    }
    for (i, c) in attack.iter_mut().enumerate() {
        c.id = U256::from(1000 + i);
        c.order.block = 500 + i as u64;
    }
    verdict(&w, &attack, clustered()).unwrap();
}

#[test]
fn the_first_accepted_submitter_owns_the_record_whatever_the_input_order() {
    let w = world();
    // A copy listed first, with a smaller contribution id, but accepted later.
    let mut all = vec![contribution(0, addr(666), 400, &w.records[0])];
    all.extend(w.contributions.iter().cloned());
    let r = run(&all, &w.outputs, clustered(), NET);
    let owner = r.clustering.cluster_of(U256::from(0)).unwrap().owner;
    assert_eq!(owner, addr(VICTIM));
    assert!(!r.totals.contains_key(&addr(666)));

    // Accepted earlier (same block, lower log index than the original): then it is the first.
    let mut first = contribution(0, addr(666), 10, &w.records[0]);
    first.order.log_index = 0;
    let mut all = w.contributions.clone();
    all[0].order.log_index = 1;
    all.push(first);
    let r = run(&all, &w.outputs, clustered(), NET);
    assert_eq!(
        r.clustering.cluster_of(U256::from(1)).unwrap().owner,
        addr(666)
    );
}

#[test]
fn heavier_edits_are_distinct_records_that_never_multiply_pay() {
    // Ten changed words: below the near-duplicate threshold, so a separate cluster. Such a
    // record can only share spans with the original, never add weight.
    let w = world();
    let positions: Vec<usize> = (0..10).map(|i| i * 10 + 5).collect();
    let heavy = copies(
        &w,
        4,
        |k| addr(700 + k as u64),
        |r, k| change_words(r, &positions, k),
    );
    let j = jaccard_bps(&w.records[0], &heavy[0].text, &ClusterParams::default());
    assert!(j < 8000, "{j}");
    let base = run(&w.contributions, &w.outputs, clustered(), NET);
    let mut all = w.contributions.clone();
    all.extend(heavy.iter().cloned());
    let attacked = run(&all, &w.outputs, clustered(), NET);
    let group: U256 = (700..704)
        .map(|a| attacked.totals.get(&addr(a)).copied().unwrap_or_default())
        .sum::<U256>()
        + attacked.totals[&addr(VICTIM)];
    assert!(
        group <= base.totals[&addr(VICTIM)],
        "{group} > {}",
        base.totals[&addr(VICTIM)]
    );
}

#[test]
fn the_harness_fails_when_clustering_and_prior_art_are_disabled() {
    let w = world();
    let exact = copies(&w, 5, |k| addr(700 + k as u64), |r, _| r.to_owned());
    let err = verdict(&w, &exact, Dedup::Disabled).unwrap_err();
    assert!(
        err.contains("copier") || err.contains("victim keeps"),
        "{err}"
    );
    let near = copies(
        &w,
        5,
        |_| addr(666),
        |r, k| change_words(r, &[k * 7 + 1], k),
    );
    assert!(verdict(&w, &near, Dedup::Disabled).is_err());
    // And the same attacks pass with clustering on, and with prior art per span alone: two
    // independent lines of defence against copies.
    verdict(&w, &exact, clustered()).unwrap();
    verdict(&w, &near, clustered()).unwrap();
    verdict(&w, &exact, Dedup::PriorArtOnly).unwrap();
    verdict(&w, &near, Dedup::PriorArtOnly).unwrap();
}
