//! Deterministic test data: a seeded generator, a synthetic word list, records and contributions.
#![allow(dead_code, clippy::unwrap_used)]

use alloy::primitives::{Address, U256};
use openledger_oracle::{Contribution, OrderKey};

/// The seeded generator of the test data.
pub use openledger_testkit::SplitMix64 as Rng;

/// `n` distinct pronounceable words ("bakotu", ...), deterministic.
pub fn word_list(n: usize) -> Vec<String> {
    const SYLLABLES: [&str; 20] = [
        "ba", "ko", "tu", "me", "ri", "sa", "no", "li", "da", "ve", "zu", "pe", "gi", "ho", "ma",
        "te", "wo", "fi", "ru", "ca",
    ];
    let mut out = Vec::with_capacity(n);
    let mut i = 0usize;
    while out.len() < n {
        let mut x = i;
        let mut w = String::new();
        loop {
            w.push_str(SYLLABLES[x % 20]);
            x /= 20;
            if x == 0 {
                break;
            }
        }
        // Three syllables at least, so that no generated word is a common English word.
        while w.len() < 6 {
            w.push_str("xa");
        }
        out.push(w);
        i += 1;
    }
    out
}

/// A record of `len` words drawn uniformly from `words`.
pub fn record(rng: &mut Rng, words: &[String], len: usize) -> String {
    (0..len)
        .map(|_| words[rng.below(words.len())].as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// An address from a small number.
pub fn addr(n: u64) -> Address {
    let mut bytes = [0u8; 20];
    bytes[12..].copy_from_slice(&(n + 1).to_be_bytes());
    Address::from(bytes)
}

pub fn contribution(id: u64, who: Address, block: u64, text: &str) -> Contribution {
    Contribution {
        id: U256::from(id),
        contributor: who,
        order: OrderKey::new(block, id % 7),
        text: text.to_owned(),
    }
}

/// The `range` of words of `text`, joined.
pub fn words_of(text: &str, range: std::ops::Range<usize>) -> String {
    text.split(' ').collect::<Vec<_>>()[range].join(" ")
}

use std::collections::BTreeMap;

use openledger_oracle::{
    Attribution, AttributionParams, ClusterId, ClusterParams, Clustering, Corpus, CorpusOptions,
    FeeSplit, InferenceSplit, Lineage, LineageModel, Payment, SplitParams, SuffixIndex, attribute,
    cluster, split_inference, weights_by_owner,
};

pub const MODEL_OWNER: u64 = 900;
pub const AGENT: u64 = 901;
pub const TREASURY: u64 = 902;

/// Everything one run of the pure pipeline produces for one corpus and some outputs.
#[derive(Debug, serde::Serialize)]
pub struct Run {
    pub clustering: Clustering,
    pub corpus_hash: alloy::primitives::B256,
    pub attributions: Vec<Attribution>,
    pub splits: Vec<InferenceSplit>,
    pub totals: BTreeMap<Address, U256>,
}

/// How the corpus is turned into documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dedup {
    /// The oracle's clustering.
    Clusters(ClusterParams),
    /// No clustering: every contribution is its own document and owns itself; prior art per
    /// span still credits each piece of text to its first holder.
    PriorArtOnly,
    /// Ablation: no clustering and no prior art (rules `/2`: every holder of a span shares it).
    Disabled,
}

/// Clusters, indexes, attributes every output and splits a fee of `net` for each
/// (split 50% owner, 40% data, 10% agent).
pub fn run(contributions: &[Contribution], outputs: &[String], dedup: Dedup, net: u64) -> Run {
    let (clustering, owners, corpus) = match dedup {
        Dedup::Clusters(params) => {
            let clustering = cluster(contributions, &params).unwrap();
            let corpus = Corpus::build(clustering.documents()).unwrap();
            let owners = clustering.owners();
            (clustering, owners, corpus)
        }
        Dedup::PriorArtOnly | Dedup::Disabled => {
            let mut sorted: Vec<&Contribution> = contributions.iter().collect();
            sorted.sort_by_key(|c| (c.order, c.id));
            let options = if dedup == Dedup::Disabled {
                CorpusOptions::WHOLE
            } else {
                CorpusOptions::default()
            };
            let corpus = Corpus::build_with(
                sorted
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (ClusterId(i as u32), c.text.as_str())),
                &options,
            )
            .unwrap();
            let owners = sorted
                .iter()
                .enumerate()
                .map(|(i, c)| (ClusterId(i as u32), c.contributor))
                .collect();
            let empty = Clustering {
                clusters: Vec::new(),
                assignment: BTreeMap::new(),
            };
            (empty, owners, corpus)
        }
    };
    let corpus_hash = corpus.hash();
    let index = SuffixIndex::build(corpus);
    let lineage = Lineage::new([LineageModel {
        model_id: U256::from(1),
        owner: addr(MODEL_OWNER),
        parents: Vec::new(),
    }]);
    let params = SplitParams {
        unattributed_recipient: addr(TREASURY),
    };
    let mut attributions = Vec::new();
    let mut splits = Vec::new();
    for (i, output) in outputs.iter().enumerate() {
        let rules = if dedup == Dedup::Disabled {
            AttributionParams {
                prior_art_span: 0,
                copy_removal_span: 0,
                ..AttributionParams::default()
            }
        } else {
            AttributionParams::default()
        };
        let a = attribute(&index, output, &rules);
        let weights = weights_by_owner(&a.weights, &owners).unwrap();
        let payment = Payment {
            inference_id: U256::from(i + 1),
            model_id: U256::from(1),
            net: U256::from(net),
            split: FeeSplit {
                owner_bps: 5000,
                data_bps: 4000,
                agent_bps: 1000,
            },
            agent: Some(addr(AGENT)),
        };
        splits.push(split_inference(&payment, &lineage, &weights, &params).unwrap());
        attributions.push(a);
    }
    let totals = openledger_oracle::split::totals(&splits).unwrap();
    Run {
        clustering,
        corpus_hash,
        attributions,
        splits,
        totals,
    }
}
