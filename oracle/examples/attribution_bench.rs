//! Benchmark of the attribution core on a synthetic corpus.
//!
//! `cargo run --release -p openledger-oracle --example attribution_bench -- [TOKENS] [OUTPUTS]`
//!
//! Builds a corpus of about TOKENS word tokens (default 1,000,000): 100-word records whose words
//! follow a Zipf law over a 50,000-word vocabulary, 5% of them copies (exact or one word changed).
//! Measures clustering, the suffix-array build (SA-IS), saving and loading the index file,
//! count-query latency for random 1 to 8-token patterns taken from the corpus, and attribution of
//! OUTPUTS (default 200) 500-token outputs made of corpus spans among random words. Prints peak
//! memory (VmHWM) at the end.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use alloy::primitives::{Address, U256};
use openledger_oracle::{
    AttributionParams, ClusterParams, Contribution, Corpus, OrderKey, SuffixIndex, attribute,
    cluster,
};
use openledger_testkit::SplitMix64;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let target_tokens: usize = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let output_count: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(200);
    let mut rng = SplitMix64(1);

    // Zipf(1) over 50k words.
    let vocab: Vec<String> = (0..50_000).map(|i| format!("w{i:x}")).collect();
    let mut cdf = Vec::with_capacity(vocab.len());
    let mut acc = 0f64;
    for r in 1..=vocab.len() {
        acc += 1.0 / r as f64;
        cdf.push(acc);
    }
    let zipf = |rng: &mut SplitMix64| {
        let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * acc;
        cdf.partition_point(|&c| c < u).min(vocab.len() - 1)
    };

    let records = target_tokens / 100;
    let mut texts: Vec<String> = Vec::with_capacity(records);
    let mut contributions = Vec::with_capacity(records);
    for i in 0..records {
        let text = if i > 100 && i % 20 == 0 {
            let src = texts[rng.below(texts.len())].clone();
            if i % 40 == 0 {
                src
            } else {
                src.replacen(' ', " changed ", 1)
            }
        } else {
            (0..100)
                .map(|_| vocab[zipf(&mut rng)].as_str())
                .collect::<Vec<_>>()
                .join(" ")
        };
        contributions.push(Contribution {
            id: U256::from(i),
            contributor: Address::with_last_byte((i % 251) as u8),
            order: OrderKey::new(i as u64, 0),
            text: text.clone(),
        });
        texts.push(text);
    }

    let t = Instant::now();
    let clustering = cluster(&contributions, &ClusterParams::default()).unwrap();
    let t_cluster = t.elapsed();
    let t = Instant::now();
    let corpus = Corpus::build(clustering.documents()).unwrap();
    let t_corpus = t.elapsed();
    let tokens = corpus.token_count();
    let t = Instant::now();
    let index = SuffixIndex::build(corpus.clone());
    let t_sa = t.elapsed();
    let dir = std::env::temp_dir().join(format!("olsa-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("index.olsa");
    let t = Instant::now();
    index.save(&path).unwrap();
    let t_save = t.elapsed();
    let t = Instant::now();
    let (loaded, source) = SuffixIndex::load_or_build(corpus, &path).unwrap();
    let t_load = t.elapsed();
    assert_eq!(source, openledger_oracle::IndexSource::Loaded);
    let file_bytes = std::fs::metadata(&path).unwrap().len();
    std::fs::remove_dir_all(&dir).ok();

    // Count queries: patterns of 1 to 8 tokens cut from the corpus.
    let text = loaded.corpus().tokens();
    let mut counts = Vec::new();
    let mut total_hits = 0u64;
    for _ in 0..20_000 {
        let len = 1 + rng.below(8);
        let start = rng.below(text.len() - len);
        let pattern = &text[start..start + len];
        let t = Instant::now();
        total_hits += loaded.count(pattern);
        counts.push(t.elapsed());
    }
    counts.sort();

    // 500-token outputs: spans of 10 to 60 words from random clusters, then random words.
    let outputs: Vec<String> = (0..output_count)
        .map(|_| {
            let mut words: Vec<String> = Vec::new();
            while words.len() < 500 {
                let c = &clustering.clusters[rng.below(clustering.clusters.len())];
                let w: Vec<&str> = c.text.split(' ').collect();
                let len = (10 + rng.below(50)).min(w.len());
                let start = rng.below(w.len() - len + 1);
                words.extend(w[start..start + len].iter().map(|s| s.to_string()));
                for _ in 0..10 + rng.below(40) {
                    words.push(vocab[zipf(&mut rng)].clone());
                }
            }
            words.truncate(500);
            words.join(" ")
        })
        .collect();
    let params = AttributionParams::default();
    let mut latencies = Vec::new();
    let mut spans = 0usize;
    let t_all = Instant::now();
    for o in &outputs {
        let t = Instant::now();
        let a = attribute(&loaded, o, &params);
        latencies.push(t.elapsed());
        spans += a.spans.len();
    }
    let t_attr = t_all.elapsed();
    latencies.sort();

    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.to_owned())
        })
        .unwrap_or_default();
    println!(
        "corpus: {records} records, {} clusters, {tokens} tokens, {} distinct words",
        clustering.clusters.len(),
        loaded.corpus().vocabulary().len()
    );
    println!("cluster (normalise, MinHash-LSH, Jaccard): {t_cluster:?}");
    println!("corpus build (tokenise, hash): {t_corpus:?}");
    println!(
        "suffix array (SA-IS): {t_sa:?}  ({:.1} M tokens/s)",
        tokens as f64 / t_sa.as_secs_f64() / 1e6
    );
    println!(
        "save: {t_save:?}, load (checksum + permutation check): {t_load:?}, file {file_bytes} bytes"
    );
    println!(
        "count queries (1-8 tokens, 20k): median {:?}, p99 {:?} ({} hits)",
        percentile(&counts, 0.5),
        percentile(&counts, 0.99),
        total_hits
    );
    println!(
        "attribution of {} 500-token outputs: median {:?}, p99 {:?}, {:.0} output tokens/s, {:.1} spans/output",
        outputs.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        (outputs.len() * 500) as f64 / t_attr.as_secs_f64(),
        spans as f64 / outputs.len() as f64
    );
    println!("peak memory: {peak}");
}
