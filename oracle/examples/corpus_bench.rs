//! Benchmark of the oracle's indexes on a real text corpus (run by `scripts/bench-oracle`).
//!
//! ```text
//! corpus_bench bytes CORPUS.jsonl [--queries N] [--queries-out FILE] [--counts-out FILE]
//! corpus_bench words CORPUS.jsonl [--outputs N]
//! corpus_bench grow CORPUS.jsonl --dir DIR [--percent P] [--outputs N] [--queries N]
//! ```
//!
//! `CORPUS.jsonl` holds one `{"text": ...}` document per line (`scripts/lib/bench-corpus.py`).
//! Each mode is meant to run in its own process, so its peak memory (VmHWM) is its own:
//!
//! - `bytes`: the byte-level [`ByteIndex`] (what infini-gram builds without a tokenizer). Build
//!   time (joining and sorting), peak memory at the end of the build, saving; then count queries
//!   for N (default 10,000) random substrings of 8 to 64 bytes of the corpus, written as hex to
//!   `--queries-out` with their counts in `--counts-out`, so another engine can answer the same
//!   queries and be checked against these counts.
//! - `words`: what attribution uses. Clustering, the word corpus and its suffix array, then N
//!   (default 200) 500-token outputs, each made of corpus spans of 10 to 60 words between runs
//!   of 10 to 50 random corpus words, attributed one by one.
//!
//! - `grow`: two epochs of a growing corpus indexed into shards in `DIR` (emptied first) by one
//!   [`ShardStore`] with the default plan, as a node does: the first `100 - P` percent of the documents (default P = 1), then
//!   all of them. For each, the time of clustering, of the word corpus and of the shards, and
//!   the tokens sorted and reused; then, over the grown corpus, N (default 10,000) count queries
//!   and N (default 200) 500-token outputs attributed over the shards and over one index of the
//!   same text, whose answers must be equal.
//!
//! Prints one JSON object on stdout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    fs,
    io::{BufRead, BufReader, Write},
    time::{Duration, Instant},
};

use alloy::primitives::{Address, U256};
use openledger_oracle::{
    AttributionParams, ByteIndex, ClusterParams, Clustering, Contribution, Corpus, OrderKey,
    SuffixIndex, TextIndex, attribute, cluster,
    shard::{ShardSet, ShardStore},
    text::{SEPARATOR, Vocabulary},
};
use openledger_testkit::SplitMix64;
use serde_json::{Value, json};

/// The documents, read one line at a time so that only the index holds the whole text.
fn documents(path: &str) -> impl Iterator<Item = String> {
    let file = fs::File::open(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    BufReader::new(file).lines().map(|line| {
        let value: Value = serde_json::from_str(&line.unwrap()).unwrap();
        value["text"].as_str().expect("a text field").to_owned()
    })
}

fn peak_memory_mb() -> f64 {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Median, p99 and mean of `samples` (sorted here).
fn summary(samples: &mut [Duration], unit: fn(Duration) -> f64) -> Value {
    samples.sort();
    let at = |p: f64| unit(samples[((samples.len() - 1) as f64 * p).round() as usize]);
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    json!({"median": at(0.5), "p99": at(0.99), "mean": unit(mean)})
}

fn flag<T: std::str::FromStr>(args: &[String], name: &str) -> Option<T> {
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1)?.parse().ok()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(mode), Some(corpus)) = (args.first(), args.get(1)) else {
        eprintln!("usage: corpus_bench bytes|words CORPUS.jsonl [options]");
        std::process::exit(2);
    };
    let result = match mode.as_str() {
        "bytes" => bytes(corpus, &args),
        "words" => words(corpus, &args),
        "grow" => grow(corpus, &args),
        other => panic!("unknown mode {other}"),
    };
    println!("{result}");
}

fn bytes(path: &str, args: &[String]) -> Value {
    let queries: usize = flag(args, "--queries").unwrap_or(10_000);
    let t = Instant::now();
    let index = ByteIndex::build(documents(path)).unwrap();
    let build = t.elapsed();
    let build_peak = peak_memory_mb();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bytes.olsa");
    let t = Instant::now();
    index.save(&file).unwrap();
    let save = t.elapsed();
    let file_bytes = fs::metadata(&file).unwrap().len();

    let text = index.text();
    let mut rng = SplitMix64(7);
    let mut patterns = Vec::with_capacity(queries);
    while patterns.len() < queries {
        let len = 8 + rng.below(57);
        let start = rng.below(text.len() - len);
        let window = &text[start..start + len];
        if !window.contains(&openledger_oracle::byte_index::DOCUMENT_END) {
            patterns.push(window.to_vec());
        }
    }
    // One pass untimed, so the first timed queries do not pay for page faults.
    for p in patterns.iter().take(1000) {
        std::hint::black_box(index.count(p));
    }
    let mut latencies = Vec::with_capacity(queries);
    let mut counts = Vec::with_capacity(queries);
    for p in &patterns {
        let t = Instant::now();
        let count = std::hint::black_box(index.count(p));
        latencies.push(t.elapsed());
        counts.push(count);
    }
    if let Some(out) = flag::<String>(args, "--queries-out") {
        let mut f = std::io::BufWriter::new(fs::File::create(out).unwrap());
        for p in &patterns {
            let hex: String = p.iter().map(|b| format!("{b:02x}")).collect();
            writeln!(f, "{hex}").unwrap();
        }
    }
    if let Some(out) = flag::<String>(args, "--counts-out") {
        let mut f = std::io::BufWriter::new(fs::File::create(out).unwrap());
        for c in &counts {
            writeln!(f, "{c}").unwrap();
        }
    }
    json!({
        "mode": "bytes",
        "corpus_bytes": text.len() - index.document_count(),
        "documents": index.document_count(),
        "corpus_hash": index.hash().to_string(),
        "build_seconds": build.as_secs_f64(),
        "build_peak_rss_mb": build_peak,
        "save_seconds": save.as_secs_f64(),
        "index_file_bytes": file_bytes,
        "queries": queries,
        "count_us": summary(&mut latencies, micros),
        "total_count": counts.iter().sum::<u64>(),
    })
}

fn words(path: &str, args: &[String]) -> Value {
    let output_count: usize = flag(args, "--outputs").unwrap_or(200);
    let contributions = contributions(documents(path).collect());
    let t = Instant::now();
    let clustering = cluster(&contributions, &ClusterParams::default()).unwrap();
    let t_cluster = t.elapsed();
    drop(contributions);
    let t = Instant::now();
    let corpus = Corpus::build(clustering.documents()).unwrap();
    let t_corpus = t.elapsed();
    let t = Instant::now();
    let index = SuffixIndex::build(corpus);
    let t_sa = t.elapsed();
    let build_peak = peak_memory_mb();

    let vocab = index.corpus().vocabulary();
    let outputs = outputs(&clustering, vocab, output_count);
    let params = AttributionParams::default();
    let mut latencies = Vec::with_capacity(outputs.len());
    let mut spans = 0usize;
    let all = Instant::now();
    for o in &outputs {
        let t = Instant::now();
        spans += attribute(&index, o, &params).spans.len();
        latencies.push(t.elapsed());
    }
    let elapsed = all.elapsed();
    json!({
        "mode": "words",
        "documents": clustering.assignment.len(),
        "clusters": clustering.clusters.len(),
        "tokens": index.corpus().token_count(),
        "distinct_words": vocab.len(),
        "cluster_seconds": t_cluster.as_secs_f64(),
        "corpus_seconds": t_corpus.as_secs_f64(),
        "suffix_array_seconds": t_sa.as_secs_f64(),
        "build_peak_rss_mb": build_peak,
        "outputs": outputs.len(),
        "attribution_ms": summary(&mut latencies, millis),
        "output_tokens_per_second": (outputs.len() * 500) as f64 / elapsed.as_secs_f64(),
        "spans_per_output": spans as f64 / outputs.len() as f64,
    })
}

/// The documents as contributions in file order, each its own contributor among 251.
fn contributions(docs: Vec<String>) -> Vec<Contribution> {
    docs.into_iter()
        .enumerate()
        .map(|(i, text)| Contribution {
            id: U256::from(i),
            contributor: Address::with_last_byte((i % 251) as u8),
            order: OrderKey::new(i as u64, 0),
            text,
        })
        .collect()
}

/// `count` outputs of 500 words: spans of 10 to 60 words of random clusters between runs of 10
/// to 50 random corpus words.
fn outputs(clustering: &Clustering, vocab: &Vocabulary, count: usize) -> Vec<String> {
    let mut rng = SplitMix64(11);
    (0..count)
        .map(|_| {
            let mut words: Vec<&str> = Vec::new();
            while words.len() < 500 {
                let c = &clustering.clusters[rng.below(clustering.clusters.len())];
                let w: Vec<&str> = c.text.split_whitespace().collect();
                let len = (10 + rng.below(50)).min(w.len());
                let start = rng.below(w.len() - len + 1);
                words.extend(&w[start..start + len]);
                for _ in 0..10 + rng.below(40) {
                    let id = 1 + rng.below(vocab.len() - 1) as u32;
                    words.extend(vocab.word(id));
                }
            }
            words.truncate(500);
            words.join(" ")
        })
        .collect()
}

/// One epoch of `grow`: clustering, word corpus, shards.
fn grow_epoch(
    contributions: &[Contribution],
    store: &ShardStore,
) -> (Value, Clustering, Corpus, ShardSet) {
    let t = Instant::now();
    let clustering = cluster(contributions, &ClusterParams::default()).unwrap();
    let t_cluster = t.elapsed();
    let t = Instant::now();
    let corpus = Corpus::build(clustering.documents()).unwrap();
    let t_corpus = t.elapsed();
    let t = Instant::now();
    let (set, work) = store.index(&corpus).unwrap();
    let t_shards = t.elapsed();
    let sizes: Vec<usize> = set.shards().iter().map(|s| s.len()).collect();
    let report = json!({
        "documents": contributions.len(),
        "tokens": corpus.token_count(),
        "cluster_seconds": t_cluster.as_secs_f64(),
        "corpus_seconds": t_corpus.as_secs_f64(),
        "shards_seconds": t_shards.as_secs_f64(),
        "shards": sizes,
        "built": work.built,
        "built_tokens": work.built_tokens,
        "reused": work.reused,
        "reused_tokens": work.reused_tokens,
    });
    (report, clustering, corpus, set)
}

fn grow(path: &str, args: &[String]) -> Value {
    let dir: String = flag(args, "--dir").expect("--dir DIR");
    let percent: f64 = flag(args, "--percent").unwrap_or(1.0);
    let output_count: usize = flag(args, "--outputs").unwrap_or(200);
    let query_count: usize = flag(args, "--queries").unwrap_or(10_000);
    let dir = std::path::PathBuf::from(dir);
    let _ = fs::remove_dir_all(&dir);
    let all = contributions(documents(path).collect());
    let first = ((all.len() as f64) * (1.0 - percent / 100.0)).round() as usize;
    // One store for both epochs, as a node keeps: the second reuses the shards the first
    // opened.
    let store = ShardStore::new(&dir);
    let (before, ..) = grow_epoch(&all[..first], &store);
    let (after, clustering, corpus, set) = grow_epoch(&all, &store);
    let t = Instant::now();
    let one = SuffixIndex::build(corpus);
    let t_one = t.elapsed();

    // Count queries: 1 to 8 tokens from random places of the text, holes and separators (both
    // SEPARATOR) excluded, asked of both indexes.
    let mut rng = SplitMix64(5);
    let text = one.corpus().tokens();
    let mut patterns = Vec::with_capacity(query_count);
    while patterns.len() < query_count {
        let len = 1 + rng.below(8);
        let at = rng.below(text.len() - len);
        let p = &text[at..at + len];
        if !p.contains(&SEPARATOR) {
            patterns.push(p.to_vec());
        }
    }
    // Each index is warmed by one untimed pass first (the shards' pages are mapped on first
    // touch; a serving node has them mapped).
    let count = |index: &dyn Fn(&[u32]) -> u64| {
        for p in &patterns {
            std::hint::black_box(index(p));
        }
        let mut latencies = Vec::with_capacity(patterns.len());
        let counts: Vec<u64> = patterns
            .iter()
            .map(|p| {
                let t = Instant::now();
                let c = index(p);
                latencies.push(t.elapsed());
                c
            })
            .collect();
        (counts, summary(&mut latencies, micros))
    };
    let (shard_counts, shard_count_us) = count(&|p| set.occurrences(&set.find(p)));
    let (one_counts, one_count_us) = count(&|p| one.occurrences(&one.find(p)));
    assert_eq!(shard_counts, one_counts, "shards and one index count alike");

    let outputs = outputs(&clustering, one.corpus().vocabulary(), output_count);
    let params = AttributionParams::default();
    for o in &outputs {
        std::hint::black_box((attribute(&set, o, &params), attribute(&one, o, &params)));
    }
    let mut over_shards = Vec::with_capacity(outputs.len());
    let mut over_one = Vec::with_capacity(outputs.len());
    for o in &outputs {
        let t = Instant::now();
        let a = attribute(&set, o, &params);
        over_shards.push(t.elapsed());
        let t = Instant::now();
        let b = attribute(&one, o, &params);
        over_one.push(t.elapsed());
        assert_eq!(a, b, "shards and one index attribute alike");
    }
    let sorted = |v: &Value| v["built_tokens"].as_u64().unwrap_or(0);
    json!({
        "mode": "grow",
        "percent": percent,
        "first": before,
        "second": after,
        "second_over_first_sorted_tokens": sorted(&after) as f64 / sorted(&before).max(1) as f64,
        "one_index_suffix_array_seconds": t_one.as_secs_f64(),
        "peak_rss_mb": peak_memory_mb(),
        "count_us": {"shards": shard_count_us, "one_index": one_count_us},
        "attribution_ms": {"shards": summary(&mut over_shards, millis), "one_index": summary(&mut over_one, millis)},
    })
}
