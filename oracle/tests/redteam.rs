//! The red-team catalogue: attacks on the reward rules, each a strategy that takes an honest
//! world of real text (contributors with records of Debian documentation, two datanets, two
//! models, paid outputs quoting the records among words of the models' own) and adds the
//! adversary's records, addresses or outputs. Every attack runs on many random worlds through
//! the whole pure pipeline ([`compute_epoch`]), once under the rules nodes sign with (`/4`) and
//! once under rules `/2` (equal split among holders, whole data share to any attribution), and
//! prints, over those worlds:
//!
//! - the adversary's **gain**: what its accounts earn in the attacked world minus what they earn
//!   in the honest one, as a fraction of the data share of the inferences paid;
//! - what honest contributors **keep**: their data earnings in the attacked world over those in
//!   the honest one.
//!
//! An attack fails the test when, under rules `/4`, its worst world's gain is above 5% or honest
//! contributors keep less than 95%. The attacks that rules `/2` lost to also assert that `/2`
//! still loses, so the catalogue is shown able to fail. Print the table with
//! `cargo nextest run --workspace -E 'binary(redteam)' --no-capture` (`docs/ATTRIBUTION.md`).
//! Attacks that need transactions (front-running, a curator's own copies, a minority of oracle
//! keys) run on anvil in `frontrun.rs` and `redteam_chain.rs`.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use alloy::primitives::{Address, U256, keccak256};
use openledger_oracle::{
    AttributionParams, BlockRange, FeeSplit, Lineage, LineageModel, OrderKey,
    inputs::{EpochHeader, EpochInputs, InferenceInput, Output, RecordInput, RecordRole},
    pipeline::{DataShareRule, OracleParams, compute_epoch},
    report::{EpochReport, RoleEntry},
    text::words,
};
use openledger_testkit::{real_paragraphs, rng::SplitMix64};

/// Random worlds per attack.
const WORLDS: u64 = 16;
/// Honest contributors per world and records per contributor.
const CONTRIBUTORS: u64 = 12;
const RECORDS_EACH: usize = 4;
const DATANET_A: u8 = 0;
const DATANET_B: u8 = 1;
const NET_FEE: u64 = 1_000_000_000;
const SPLIT: FeeSplit = FeeSplit {
    owner_bps: 5000,
    data_bps: 4000,
    agent_bps: 1000,
};

fn account(tag: u8, n: u64) -> Address {
    let mut bytes = [0u8; 20];
    bytes[0] = tag;
    bytes[12..].copy_from_slice(&n.to_be_bytes());
    Address::from(bytes)
}
fn honest(n: u64) -> Address {
    account(0x11, n)
}
fn adversary(n: u64) -> Address {
    account(0xad, n)
}
fn owner_of_model(model: u64) -> Address {
    account(0x0e, model)
}
const AGENT_PAYEE: Address = Address::repeat_byte(0xa9);
const PAYER: Address = Address::repeat_byte(0xba);
const TREASURY: Address = Address::repeat_byte(0x77);

#[derive(Clone)]
struct Record {
    contributor: Address,
    text: String,
    datanet: u8,
}

#[derive(Clone)]
struct Model {
    id: u64,
    datanets: Vec<u8>,
}

#[derive(Clone)]
struct Scenario {
    /// In submission order (ids follow it).
    records: Vec<Record>,
    models: Vec<Model>,
    /// (model id, output text).
    outputs: Vec<(u64, String)>,
    /// Records a curator rejected (indexes into `records`): read as prior art only.
    rejected: BTreeSet<usize>,
}

/// An honest world plus what the attacks draw on.
struct World {
    scenario: Scenario,
    /// Normalised words of every honest record, by index in `scenario.records`.
    record_words: Vec<Vec<String>>,
    /// Real prose in no record: the models' own words.
    unused: Vec<Vec<String>>,
    /// Other real prose in no record: the adversary's filler and own records (disjoint from the
    /// models' words, or the adversary would rightly be the first holder of what outputs say).
    adversary_prose: Vec<Vec<String>>,
    rng: SplitMix64,
}

fn world(seed: u64) -> World {
    let mut rng = SplitMix64(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5eed);
    let mut paragraphs: Vec<Vec<String>> = real_paragraphs()
        .into_iter()
        .map(words)
        .filter(|w| w.len() >= 30)
        .collect();
    rng.shuffle(&mut paragraphs);
    let mut pool = paragraphs.into_iter();
    let mut records = Vec::new();
    let mut record_words = Vec::new();
    for _ in 0..RECORDS_EACH {
        for c in 0..CONTRIBUTORS {
            // Two paragraphs per record, so that a paragraph is a part of a record.
            let w: Vec<String> = pool
                .next()
                .unwrap()
                .into_iter()
                .chain(pool.next().unwrap())
                .collect();
            let datanet = if c < 9 { DATANET_A } else { DATANET_B };
            records.push(Record {
                contributor: honest(c),
                text: w.join(" "),
                datanet,
            });
            record_words.push(w);
        }
    }
    let mut unused: Vec<Vec<String>> = pool.collect();
    let adversary_prose = unused.split_off(unused.len() / 2);
    let models = vec![
        Model {
            id: 1,
            datanets: vec![DATANET_A],
        },
        Model {
            id: 2,
            datanets: vec![DATANET_B],
        },
    ];
    let mut w = World {
        scenario: Scenario {
            records,
            models,
            outputs: Vec::new(),
            rejected: BTreeSet::new(),
        },
        record_words,
        unused,
        adversary_prose,
        rng,
    };
    for i in 0..16 {
        let model = if i < 12 { 1 } else { 2 };
        let datanet = if model == 1 { DATANET_A } else { DATANET_B };
        let text = w.output_quoting(datanet);
        w.scenario.outputs.push((model, text));
    }
    w
}

impl World {
    fn below(&mut self, n: usize) -> usize {
        self.rng.below(n)
    }

    /// `len` consecutive words of the models' own (real prose in no record).
    fn filler(&mut self, len: usize) -> String {
        Self::prose(&mut self.rng, &self.unused, len)
    }

    /// `len` consecutive words of the adversary's own (real prose in no record).
    fn adversary_filler(&mut self, len: usize) -> String {
        Self::prose(&mut self.rng, &self.adversary_prose, len)
    }

    fn prose(rng: &mut SplitMix64, from: &[Vec<String>], len: usize) -> String {
        loop {
            let p = &from[rng.below(from.len())];
            if p.len() > len {
                let start = rng.below(p.len() - len);
                return p[start..start + len].join(" ");
            }
        }
    }

    /// A run of `len` words of honest record `r`.
    fn run_of(&mut self, r: usize, len: usize) -> String {
        let n = self.record_words[r].len();
        let len = len.min(n);
        let start = self.below(n - len + 1);
        self.record_words[r][start..start + len].join(" ")
    }

    fn honest_in(&self, datanet: u8) -> Vec<usize> {
        (0..self.record_words.len())
            .filter(|&r| self.scenario.records[r].datanet == datanet)
            .collect()
    }

    /// An output of a model trained on `datanet`: two or three quotes of its records, each after
    /// some words of the model's own.
    fn output_quoting(&mut self, datanet: u8) -> String {
        let candidates = self.honest_in(datanet);
        let mut parts = Vec::new();
        for _ in 0..2 + self.below(2) {
            let own = 5 + self.below(11);
            parts.push(self.filler(own));
            let r = candidates[self.below(candidates.len())];
            let len = 12 + self.below(19);
            parts.push(self.run_of(r, len));
        }
        parts.join(" ")
    }

    /// A record of the adversary's that copies `pieces` of honest records among filler.
    fn splice(&mut self, pieces: Vec<String>) -> String {
        let mut parts = Vec::new();
        for p in pieces {
            let own = 10 + self.below(21);
            parts.push(self.adversary_filler(own));
            parts.push(p);
        }
        let own = 10 + self.below(21);
        parts.push(self.adversary_filler(own));
        parts.join(" ")
    }
}

/// What an attack did to a world: the attacked scenario, the honest one to compare with (the
/// world's own unless the attack changes what honest play would be), and the adversary's accounts.
struct Attacked {
    baseline: Scenario,
    attacked: Scenario,
    adversary: BTreeSet<Address>,
    /// For an attack no rule can stop, the bound the rules must hold it to instead of 5%.
    bound: Option<f64>,
}

fn with_records(w: &World, records: Vec<Record>, adversary: BTreeSet<Address>) -> Attacked {
    let mut attacked = w.scenario.clone();
    attacked.records.extend(records);
    Attacked {
        baseline: w.scenario.clone(),
        attacked,
        adversary,
        bound: None,
    }
}

fn inputs(s: &Scenario) -> EpochInputs {
    let records: Vec<RecordInput> = s
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| RecordInput {
            id: U256::from(i + 1),
            contributor: r.contributor,
            order: OrderKey::new(10 + i as u64, 0),
            role: if s.rejected.contains(&i) {
                RecordRole::PriorArtOnly
            } else {
                RecordRole::Accepted
            },
            content_hash: keccak256(r.text.as_bytes()),
            text: Some(r.text.clone()),
        })
        .collect();
    let corpora = s
        .models
        .iter()
        .map(|m| {
            let ids = s
                .records
                .iter()
                .enumerate()
                .filter(|(i, r)| m.datanets.contains(&r.datanet) && !s.rejected.contains(i))
                .map(|(i, _)| U256::from(i + 1))
                .collect::<BTreeSet<_>>();
            (U256::from(m.id), ids)
        })
        .collect();
    let first_block = 10 + s.records.len() as u64;
    let inferences: Vec<InferenceInput> = s
        .outputs
        .iter()
        .enumerate()
        .map(|(i, (model, text))| InferenceInput {
            inference_id: U256::from(i + 1),
            key: OrderKey::new(first_block + i as u64, 0),
            model_id: U256::from(*model),
            agent_id: U256::from(1),
            net: U256::from(NET_FEE),
            split: SPLIT,
            payer: PAYER,
            agent_payee: Some(AGENT_PAYEE),
            lineage: Some(Lineage::new([LineageModel {
                model_id: U256::from(*model),
                owner: owner_of_model(*model),
                parents: Vec::new(),
            }])),
            output_hash: keccak256(text.as_bytes()),
            output: Output::Text(text.clone()),
        })
        .collect();
    EpochInputs {
        header: EpochHeader {
            chain_id: 31337,
            escrow: Address::repeat_byte(0xe5),
            token: Address::repeat_byte(0xee),
            epoch: 1,
            range: BlockRange {
                from_block: 1,
                to_block: first_block + s.outputs.len() as u64,
            },
        },
        previous: None,
        treasury: TREASURY,
        distributable: U256::from(NET_FEE) * U256::from(inferences.len()),
        records,
        corpora,
        inferences,
        carried: Vec::new(),
    }
}

/// Every account's earnings in an epoch, and the data-role earnings alone.
struct Earnings {
    all: BTreeMap<Address, U256>,
    data: BTreeMap<Address, U256>,
    data_pot: U256,
}

fn earnings(s: &Scenario, params: &OracleParams) -> Earnings {
    let epoch = compute_epoch(&inputs(s), params, None).unwrap();
    let r: &EpochReport = &epoch.report;
    let mut e = Earnings {
        all: BTreeMap::new(),
        data: BTreeMap::new(),
        data_pot: U256::ZERO,
    };
    for inf in &r.inferences {
        e.data_pot += inf.net * U256::from(SPLIT.data_bps) / U256::from(10_000);
        for a in &inf.allocations {
            *e.all.entry(a.account).or_default() += a.amount;
            if matches!(a.role, RoleEntry::Data { .. }) {
                *e.data.entry(a.account).or_default() += a.amount;
            }
        }
    }
    e
}

fn sum(map: &BTreeMap<Address, U256>, who: impl Fn(&Address) -> bool) -> f64 {
    let total: U256 = map
        .iter()
        .filter(|(a, _)| who(a))
        .map(|(_, v)| *v)
        .fold(U256::ZERO, |x, y| x + y);
    as_f64(total)
}

fn as_f64(v: U256) -> f64 {
    u128::try_from(v).unwrap() as f64
}

/// Gain and keep of one attacked world under one rule set.
fn measure(a: &Attacked, params: &OracleParams) -> (f64, f64) {
    let base = earnings(&a.baseline, params);
    let att = earnings(&a.attacked, params);
    let is_adv = |x: &Address| a.adversary.contains(x);
    let gain = (sum(&att.all, is_adv) - sum(&base.all, is_adv)) / as_f64(att.data_pot);
    let honest_contributor = |x: &Address| x.0[0] == 0x11;
    let kept = sum(&att.data, honest_contributor) / sum(&base.data, honest_contributor);
    (gain, kept)
}

fn rules_2() -> OracleParams {
    OracleParams {
        attribution: AttributionParams {
            prior_art_span: 0,
            copy_removal_span: 0,
            bridge_tail: 0,
            ..AttributionParams::default()
        },
        data_share: DataShareRule::Whole,
        ..OracleParams::default()
    }
}

/// Worst gain and worst keep over the worlds, under rules `/4` and `/2`.
struct Figures {
    now: (f64, f64),
    before: (f64, f64),
}

fn run(name: &str, attack: impl Fn(&mut World) -> Attacked) -> Figures {
    let mut now = (f64::MIN, f64::MAX);
    let mut before = (f64::MIN, f64::MAX);
    let mut bound: Option<f64> = None;
    for seed in 0..WORLDS {
        let mut w = world(seed);
        let a = attack(&mut w);
        if let Some(b) = a.bound {
            // Checked world by world: the gain never exceeds that world's bound.
            let (gain, kept) = measure(&a, &OracleParams::default());
            assert!(
                gain <= b + 0.005,
                "{name}: gain {gain:.3} above its bound {b:.3}"
            );
            assert!(
                kept >= 1.0 - b - 0.01,
                "{name}: kept {kept:.3} below 1 - {b:.3}"
            );
            bound = Some(bound.map_or(b, |x: f64| x.max(b)));
        }
        for (params, worst) in [
            (OracleParams::default(), &mut now),
            (rules_2(), &mut before),
        ] {
            let (gain, kept) = measure(&a, &params);
            worst.0 = worst.0.max(gain);
            worst.1 = worst.1.min(kept);
        }
    }
    println!(
        "| {name} | {:+.1}% | {:.1}% | {:+.1}% | {:.1}% |",
        100.0 * before.0,
        100.0 * before.1,
        100.0 * now.0,
        100.0 * now.1
    );
    let f = Figures { now, before };
    if let Some(b) = bound {
        println!(
            "|   (bounded by the quoted share of the outputs: at most {:.1}%) | | | | |",
            100.0 * b
        );
        return f;
    }
    assert!(
        f.now.0 <= 0.05,
        "{name}: the adversary gains {:.1}% of the data share",
        100.0 * f.now.0
    );
    assert!(
        f.now.1 >= 0.95,
        "{name}: honest contributors keep only {:.1}%",
        100.0 * f.now.1
    );
    f
}

/// Rules `/2` lost to this attack: the catalogue can tell.
fn assert_rules_2_lost(f: &Figures) {
    assert!(
        f.before.0 > 0.05 || f.before.1 < 0.95,
        "rules /2 did not lose: gain {:.3}, kept {:.3}",
        f.before.0,
        f.before.1
    );
}

/// Picks `n` distinct honest records.
fn pick(w: &mut World, n: usize) -> Vec<usize> {
    let mut all: Vec<usize> = (0..w.record_words.len()).collect();
    w.rng.shuffle(&mut all);
    all.truncate(n);
    all
}

#[test]
fn exact_copies() {
    let f = run("exact copies of 40% of the records", |w| {
        let records = pick(w, 19)
            .into_iter()
            .map(|r| Record {
                contributor: adversary(0),
                ..w.scenario.records[r].clone()
            })
            .collect();
        with_records(w, records, BTreeSet::from([adversary(0)]))
    });
    // Whole copies were already clustered with their originals under rules /2.
    assert!(f.before.0 <= 0.05);
}

#[test]
fn near_copies() {
    run("near copies (one word in 15 replaced)", |w| {
        let mut records = Vec::new();
        for r in pick(w, 19) {
            let mut ws = w.record_words[r].clone();
            for i in (0..ws.len()).step_by(15) {
                ws[i] = format!("zq{}", w.below(1000));
            }
            records.push(Record {
                contributor: adversary(0),
                text: ws.join(" "),
                datanet: w.scenario.records[r].datanet,
            });
        }
        with_records(w, records, BTreeSet::from([adversary(0)]))
    });
}

#[test]
fn sentence_copies_with_filler() {
    let f = run("a 20-40 word run of one record, with filler", |w| {
        let mut records = Vec::new();
        for r in pick(w, 30) {
            let len = 20 + w.below(21);
            let piece = w.run_of(r, len);
            let text = w.splice(vec![piece]);
            records.push(Record {
                contributor: adversary(0),
                text,
                datanet: w.scenario.records[r].datanet,
            });
        }
        with_records(w, records, BTreeSet::from([adversary(0)]))
    });
    assert_rules_2_lost(&f);
}

#[test]
fn paragraph_copies_with_filler() {
    let f = run("one paragraph of a record, with filler", |w| {
        let mut records = Vec::new();
        for r in pick(w, 30) {
            let first = w.below(2) == 0;
            let ws = &w.record_words[r];
            let half = ws.len() / 2;
            let piece = if first {
                ws[..half].join(" ")
            } else {
                ws[half..].join(" ")
            };
            let text = w.splice(vec![piece]);
            records.push(Record {
                contributor: adversary(0),
                text,
                datanet: w.scenario.records[r].datanet,
            });
        }
        with_records(w, records, BTreeSet::from([adversary(0)]))
    });
    assert_rules_2_lost(&f);
}

/// Mosaics: runs of four records of different contributors spliced with filler, `n` of them,
/// the k-th by `who(k)` into `datanet(k)`; and the copied runs.
fn mosaics_and_pieces(
    w: &mut World,
    n: u64,
    who: impl Fn(u64) -> Address,
    datanet: impl Fn(u64) -> u8,
) -> (Vec<Record>, Vec<String>) {
    let mut records = Vec::new();
    let mut copied = Vec::new();
    for k in 0..n {
        let pieces: Vec<String> = pick(w, 4)
            .into_iter()
            .map(|r| {
                let len = 15 + w.below(16);
                w.run_of(r, len)
            })
            .collect();
        copied.extend(pieces.iter().cloned());
        let text = w.splice(pieces);
        records.push(Record {
            contributor: who(k),
            text,
            datanet: datanet(k),
        });
    }
    (records, copied)
}

fn mosaics(
    w: &mut World,
    n: u64,
    who: impl Fn(u64) -> Address,
    datanet: impl Fn(u64) -> u8,
) -> Vec<Record> {
    mosaics_and_pieces(w, n, who, datanet).0
}

#[test]
fn mosaic_copies() {
    let f = run("mosaics of runs of four records, with filler", |w| {
        let records = mosaics(w, 50, |_| adversary(0), |k| (k % 2) as u8);
        with_records(w, records, BTreeSet::from([adversary(0)]))
    });
    assert_rules_2_lost(&f);
}

#[test]
fn mosaic_copies_across_datanets() {
    // The copier puts mosaics of datanet A's records into datanet B, a model trains on B only and
    // its outputs quote the copied text. Compared with the same outputs of a model that trained
    // on the originals.
    let f = run(
        "mosaics of datanet A in datanet B, quoted by B's model",
        |w| {
            let (copies, copied) = mosaics_and_pieces(w, 25, |_| adversary(0), |_| DATANET_B);
            let mut outputs = Vec::new();
            for _ in 0..8 {
                let mut parts = Vec::new();
                for _ in 0..2 {
                    let own = 5 + w.below(11);
                    parts.push(w.filler(own));
                    // A quote of the copied text: most of one run a mosaic holds.
                    let piece: Vec<&str> = copied[w.below(copied.len())].split(' ').collect();
                    let len = 12.max(piece.len() - w.below(4));
                    let start = w.below(piece.len() - len + 1);
                    parts.push(piece[start..start + len].join(" "));
                }
                outputs.push((2, parts.join(" ")));
            }
            let mut baseline = w.scenario.clone();
            baseline.outputs.extend(outputs.clone());
            baseline.models[1].datanets.push(DATANET_A);
            let mut attacked = w.scenario.clone();
            attacked.records.extend(copies);
            attacked.outputs.extend(outputs);
            Attacked {
                baseline,
                attacked,
                adversary: BTreeSet::from([adversary(0)]),
                bound: None,
            }
        },
    );
    assert_rules_2_lost(&f);
}

#[test]
fn many_sybil_addresses() {
    let f = run("mosaics from 40 Sybil addresses", |w| {
        let records = mosaics(w, 40, adversary, |k| (k % 2) as u8);
        with_records(w, records, (0..40).map(adversary).collect())
    });
    assert_rules_2_lost(&f);
}

#[test]
fn frequent_phrases_with_many_continuations() {
    // Stuffing: the corpus's most frequent 4-word phrases, each followed by every continuation
    // the corpus has for it (6 more words: short of any held run), packed into records. Each
    // piece is earlier text, and the extra occurrences could make honest spans "common".
    run("frequent phrases, each with every continuation", |w| {
        let mut counts: BTreeMap<&[String], u32> = BTreeMap::new();
        for ws in &w.record_words {
            for g in ws.windows(4) {
                *counts.entry(g).or_default() += 1;
            }
        }
        let mut frequent: Vec<(&[String], u32)> = counts.into_iter().collect();
        frequent.sort_by_key(|g| std::cmp::Reverse(g.1));
        let top: BTreeSet<&[String]> = frequent.iter().take(40).map(|(g, _)| *g).collect();
        let mut pieces = Vec::new();
        for ws in &w.record_words {
            for i in 0..ws.len().saturating_sub(10) {
                if top.contains(&ws[i..i + 4]) {
                    pieces.push(ws[i..i + 10].join(" "));
                }
            }
        }
        let records = pieces
            .chunks(8)
            .enumerate()
            .map(|(k, c)| Record {
                contributor: adversary(k as u64 % 10),
                text: c.join(" . "),
                datanet: (k % 2) as u8,
            })
            .collect();
        with_records(w, records, (0..10).map(adversary).collect())
    });
}

/// The output controller `who` holds a record of real prose of its own (submitted before any
/// honest record) in datanet A and appends a 15-25 word quote of it to every output of model 1.
fn self_attribution(w: &mut World, who: Address) -> Attacked {
    let own: Vec<String> = w.adversary_prose.pop().unwrap();
    let mut attacked = w.scenario.clone();
    attacked.records.insert(
        0,
        Record {
            contributor: who,
            text: own.join(" "),
            datanet: DATANET_A,
        },
    );
    // What the quotes take of the outputs: the coverage rule pays the adversary at most this share
    // of each output's data share.
    let mut appended = 0.0;
    for (model, text) in &mut attacked.outputs {
        if *model == 1 {
            let len = 15 + w.rng.below(11);
            let start = w.rng.below(own.len() - len);
            let before = words(text).len();
            text.push(' ');
            text.push_str(&own[start..start + len].join(" "));
            appended += len as f64 / (before + len) as f64;
        }
    }
    let bound = appended / attacked.outputs.len() as f64;
    let related = [owner_of_model(1), AGENT_PAYEE, PAYER].contains(&who);
    Attacked {
        baseline: w.scenario.clone(),
        attacked,
        adversary: BTreeSet::from([who]),
        bound: (!related).then_some(bound),
    }
}

#[test]
fn self_attribution_by_the_model_owner() {
    let f = run("model owner quotes its own record in every output", |w| {
        self_attribution(w, owner_of_model(1))
    });
    assert_rules_2_lost(&f);
}

#[test]
fn self_attribution_by_the_agent() {
    let f = run("agent quotes its owner's record in every output", |w| {
        self_attribution(w, AGENT_PAYEE)
    });
    assert_rules_2_lost(&f);
}

#[test]
fn self_attribution_by_the_payer() {
    // A payer steering outputs (with a colluding model) towards its own record.
    let f = run("payer has outputs quote its own record", |w| {
        self_attribution(w, PAYER)
    });
    assert_rules_2_lost(&f);
}

/// No rule can tell a quote an output controller chose for its Sybil from a quote the model
/// chose: the coverage rule bounds what it diverts by what the quotes take of the outputs it
/// sells (users see those words), and rules `/2` gave it its weight's share of everything.
#[test]
fn self_attribution_through_a_sybil_address() {
    run("model owner quotes a Sybil's record in every output", |w| {
        self_attribution(w, adversary(7))
    });
}

#[test]
fn spam_in_an_open_datanet() {
    // Word salad over the corpus vocabulary from many addresses: bonds aside, it must earn nothing
    // and take nothing.
    run("200 word-salad records from 50 addresses", |w| {
        let vocab: Vec<String> = w.record_words.iter().flatten().cloned().collect();
        let mut records = Vec::new();
        for k in 0..200u64 {
            let len = 40 + w.below(60);
            let text: Vec<&str> = (0..len)
                .map(|_| vocab[w.below(vocab.len())].as_str())
                .collect();
            records.push(Record {
                contributor: adversary(k % 50),
                text: text.join(" "),
                datanet: (k % 2) as u8,
            });
        }
        with_records(w, records, (0..50).map(adversary).collect())
    });
}

/// A curator of datanet A rejects honest records of it (the ones the outputs quote most) and
/// accepts its own copies of them, each behind a sentence of its own so the content hash differs
/// (the registry refuses a second record with the same hash). Measured against the honest world,
/// where the records were accepted: the copies must not earn, and the rejected contributors are
/// still paid for their text wherever an accepted copy holds it.
fn curator_copies(w: &mut World, rejections: usize) -> Attacked {
    let quoted = |w: &World, r: usize| {
        let words = &w.record_words[r];
        w.scenario
            .outputs
            .iter()
            .filter(|(_, o)| words.windows(12).any(|g| o.contains(&g.join(" "))))
            .count()
    };
    let mut in_a = w.honest_in(DATANET_A);
    in_a.sort_by_key(|&r| std::cmp::Reverse(quoted(w, r)));
    in_a.truncate(rejections);
    let mut attacked = w.scenario.clone();
    for &r in &in_a {
        attacked.rejected.insert(r);
        let lead = w.adversary_filler(8);
        attacked.records.push(Record {
            contributor: adversary(0),
            text: format!("{lead} {}", w.record_words[r].join(" ")),
            datanet: DATANET_A,
        });
    }
    Attacked {
        baseline: w.scenario.clone(),
        attacked,
        adversary: BTreeSet::from([adversary(0)]),
        bound: None,
    }
}

#[test]
fn a_curator_rejecting_records_and_accepting_its_own_copies() {
    let f = run(
        "a curator rejects 6 records and accepts its own copies",
        |w| curator_copies(w, 6),
    );
    assert_rules_2_lost(&f);
}

#[test]
fn the_worlds_are_real_and_paid() {
    // The honest world pays its contributors most of the data share: the attacks above are
    // measured against something.
    let w = world(0);
    let e = earnings(&w.scenario, &OracleParams::default());
    let honest_data = sum(&e.data, |x| x.0[0] == 0x11);
    let share = honest_data / as_f64(e.data_pot);
    assert!((0.5..1.0).contains(&share), "honest share {share}");
}
