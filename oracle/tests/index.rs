//! Suffix index: counts and clusters equal a naive scan; persistence round-trips and is rebuilt
//! when the corpus or the file changes.
#![allow(clippy::unwrap_used)]

mod common;

use openledger_oracle::{ClusterId, Corpus, CorpusOptions, IndexSource, SuffixIndex};
use proptest::prelude::*;

fn docs_strategy() -> impl Strategy<Value = Vec<Vec<u8>>> {
    // Small alphabet ("a".."d") so that repeats and long matches are common.
    prop::collection::vec(prop::collection::vec(0u8..4, 0..25), 0..12)
}

fn texts(docs: &[Vec<u8>]) -> Vec<String> {
    docs.iter()
        .map(|d| {
            d.iter()
                .map(|&w| ["a", "b", "c", "d"][w as usize])
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Every document whole (no prior art), so counts equal a naive scan of the texts.
fn build(docs: &[String]) -> SuffixIndex {
    let options = CorpusOptions::WHOLE;
    let corpus = Corpus::build_with(
        docs.iter()
            .enumerate()
            .map(|(i, d)| (ClusterId(i as u32 * 3 + 1), d.as_str())),
        &options,
    )
    .unwrap();
    SuffixIndex::build(corpus)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn counts_and_clusters_equal_a_naive_scan(
        docs in docs_strategy(),
        pattern in prop::collection::vec(0u8..4, 1..5),
    ) {
        let docs = texts(&docs);
        let index = build(&docs);
        let words: Vec<String> = texts(&[pattern])[0].split(' ').map(str::to_owned).collect();
        let tokens: Vec<u32> = index.corpus().vocabulary().tokenize(&words.join(" "));
        let mut naive_count = 0u64;
        let mut naive_clusters = Vec::new();
        for (i, d) in docs.iter().enumerate() {
            let dw: Vec<&str> = d.split_whitespace().collect();
            let hits = dw.windows(words.len()).filter(|w| *w == words.as_slice()).count();
            naive_count += hits as u64;
            if hits > 0 {
                naive_clusters.push(ClusterId(i as u32 * 3 + 1));
            }
        }
        prop_assert_eq!(index.count(&tokens), naive_count);
        prop_assert_eq!(index.clusters(index.find(&tokens)), naive_clusters);
    }

    #[test]
    fn suffix_array_is_sorted(docs in docs_strategy()) {
        let index = build(&texts(&docs));
        let text = index.corpus().tokens();
        let sa = index.suffix_array();
        prop_assert_eq!(sa.len(), text.len());
        for pair in sa.windows(2) {
            prop_assert!(text[pair[0] as usize..] < text[pair[1] as usize..]);
        }
    }
}

#[test]
fn no_match_crosses_documents() {
    let index = build(&["a b c".to_owned(), "d e f".to_owned()]);
    let v = index.corpus().vocabulary();
    assert_eq!(index.count(&v.tokenize("b c")), 1);
    assert_eq!(index.count(&v.tokenize("c d")), 0);
    assert_eq!(index.count(&v.tokenize("zzz")), 0);
    assert_eq!(index.corpus().token_count(), 6);
    // A range from elsewhere is not a panic.
    assert!(index.narrow(5..100, 0, 1).is_empty());
    assert!(index.clusters(50..60).is_empty());
}

#[test]
fn persisted_index_is_reused_and_rebuilt_when_the_corpus_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model-1.olsa");
    let mut rng = common::Rng(7);
    let words = common::word_list(300);
    let mut docs: Vec<String> = (0..50)
        .map(|_| common::record(&mut rng, &words, 40))
        .collect();
    let corpus = |docs: &[String]| {
        Corpus::build(
            docs.iter()
                .enumerate()
                .map(|(i, d)| (ClusterId(i as u32), d.as_str())),
        )
        .unwrap()
    };

    let (first, source) = SuffixIndex::load_or_build(corpus(&docs), &path).unwrap();
    assert_eq!(source, IndexSource::Built);
    let (second, source) = SuffixIndex::load_or_build(corpus(&docs), &path).unwrap();
    assert_eq!(source, IndexSource::Loaded);
    assert_eq!(first.suffix_array(), second.suffix_array());

    // One changed word: another hash, so the file is not used.
    docs[10] = docs[10].replacen(' ', " changed ", 1);
    let changed = corpus(&docs);
    assert_ne!(changed.hash(), first.corpus().hash());
    let (third, source) = SuffixIndex::load_or_build(changed.clone(), &path).unwrap();
    assert_eq!(source, IndexSource::Built);
    assert_eq!(
        third.suffix_array(),
        SuffixIndex::build(changed).suffix_array()
    );

    // The same documents under other cluster ids are another corpus too.
    let renumbered = Corpus::build(
        docs.iter()
            .enumerate()
            .map(|(i, d)| (ClusterId(i as u32 + 1), d.as_str())),
    )
    .unwrap();
    assert_ne!(renumbered.hash(), third.corpus().hash());
}

#[test]
fn damaged_files_are_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("idx");
    let docs = ["one two three four".to_owned(), "two three five".to_owned()];
    let corpus = || {
        Corpus::build(
            docs.iter()
                .enumerate()
                .map(|(i, d)| (ClusterId(i as u32), d.as_str())),
        )
    };
    let (built, _) = SuffixIndex::load_or_build(corpus().unwrap(), &path).unwrap();
    let good = std::fs::read(&path).unwrap();
    // Header: magic 8, version 4, hash 32, length 8; then the entries, then the checksum.
    assert_eq!(
        good.len(),
        8 + 4 + 32 + 8 + 4 * built.suffix_array().len() + 32
    );
    assert_eq!(&good[..8], b"OLSAIDX\0");

    for damage in [
        |b: &mut Vec<u8>| b[60] ^= 1,              // an entry
        |b: &mut Vec<u8>| b[0] = b'X',             // the magic
        |b: &mut Vec<u8>| b.truncate(b.len() - 5), // truncated
        |b: &mut Vec<u8>| {
            let n = b.len();
            b[n - 1] ^= 0x80 // the checksum
        },
    ] {
        let mut bytes = good.clone();
        damage(&mut bytes);
        std::fs::write(&path, &bytes).unwrap();
        let (index, source) = SuffixIndex::load_or_build(corpus().unwrap(), &path).unwrap();
        assert_eq!(source, IndexSource::Built);
        assert_eq!(index.suffix_array(), built.suffix_array());
        assert_eq!(std::fs::read(&path).unwrap(), good, "the file is repaired");
    }
}

#[test]
fn empty_corpus() {
    let index = SuffixIndex::build(Corpus::build(std::iter::empty()).unwrap());
    assert_eq!(index.count(&[1, 2]), 0);
    assert!(index.suffix_array().is_empty());
    let with_empty_doc = Corpus::build([(ClusterId(0), "...")]).unwrap();
    assert_eq!(with_empty_doc.document_count(), 0);
}

#[test]
fn pruning_keeps_the_most_recently_used_indexes() {
    use std::time::{Duration, SystemTime};
    let dir = tempfile::tempdir().unwrap();
    let corpus = |text: &str| Corpus::build([(ClusterId(0), text)]).unwrap();
    let path = |corpus: &Corpus| dir.path().join(format!("{:x}.olsa", corpus.hash()));
    let age = |p: &std::path::Path, hours: u64| {
        let then = SystemTime::now() - Duration::from_secs(hours * 3600);
        std::fs::File::options()
            .append(true)
            .open(p)
            .unwrap()
            .set_modified(then)
            .unwrap();
    };
    let texts = [
        "one two three",
        "four five six",
        "seven eight nine",
        "ten eleven",
    ];
    for (hours, text) in [30, 20, 10, 5].into_iter().zip(texts) {
        let c = corpus(text);
        let p = path(&c);
        SuffixIndex::load_or_build(c, &p).unwrap();
        age(&p, hours);
    }
    std::fs::write(dir.path().join("notes.txt"), "not an index").unwrap();

    // Loading the oldest marks it used: it is now the most recent.
    let (_, source) =
        SuffixIndex::load_or_build(corpus(texts[0]), &path(&corpus(texts[0]))).unwrap();
    assert_eq!(source, IndexSource::Loaded);

    let mut deleted = openledger_oracle::index::prune_index_dir(dir.path(), 2).unwrap();
    deleted.sort();
    let mut expected = vec![path(&corpus(texts[1])), path(&corpus(texts[2]))];
    expected.sort();
    assert_eq!(deleted, expected);
    for kept in [texts[0], texts[3]] {
        assert!(path(&corpus(kept)).exists(), "{kept}");
    }
    assert!(dir.path().join("notes.txt").exists());
    // A pruned index is simply built again.
    let (_, source) =
        SuffixIndex::load_or_build(corpus(texts[1]), &path(&corpus(texts[1]))).unwrap();
    assert_eq!(source, IndexSource::Built);
    let none = openledger_oracle::index::prune_index_dir(dir.path(), 3).unwrap();
    assert!(none.is_empty(), "{none:?}");
}
