//! The epoch report: what an epoch settled, why, and the balances its root commits to.
//!
//! The report is the evidence behind a root. It is stored in the content store under its
//! keccak256 hash, which is the `reportHash` the committee signs, so anyone can fetch the report of
//! any posted root, rebuild the tree from its balances, and trace every wei to the spans that
//! earned it.
//!
//! # Format (`openledger-epoch-report/4`)
//! The top level is a superset of [`openledger_sdk::report::ReportBalances`] (format, chain id,
//! escrow, token, epoch, block range, root, total, balances sorted by account), so the indexer and
//! wallets read it unchanged, plus:
//! - `previous`: the epoch and report hash this one builds on (its balances are the starting point
//!   and its `carried` items are retried);
//! - `parameters`: clustering, attribution and split parameters and the rules version;
//! - `inputs`: counts and digests of what was read (inferences, records, corpora, records whose
//!   content was unavailable);
//! - `inferences`: every inference paid in the range, with its spans, clusters, allocations
//!   (account, amount, role) and what was carried;
//! - `resolved`: inferences carried from earlier epochs and settled in this one;
//! - `carried`: what is still held back, and why;
//! - `clusters`: every cluster a span cites (representative, owner, members);
//! - `accounts`: per account, what it earned in this epoch and its cumulative balance;
//! - `totals`: the conservation ledger of the epoch.
//!
//! # Canonical bytes
//! JSON with object keys sorted (byte order), no whitespace, no floating point. Every amount,
//! weight and on-chain id is a decimal string (JSON numbers lose precision above 2^53 in most
//! readers; alloy would write `U256` as hex); block numbers, counts and offsets are numbers.
//! Addresses and hashes are lowercase `0x` hex, as alloy writes them (a test pins it).

use std::collections::BTreeMap;

use alloy::primitives::{Address, B256, U256, keccak256};
use openledger_sdk::report::{Balance, REPORT_FORMAT, ReportBalances};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{AttributionParams, CarriedPortion, ClusterParams, UnresolvedReason, split::Coverage};

/// Version of the rules that turn inputs into a report (corpus restriction, payees, carrying,
/// dust). A change to any of them must bump it, so reports made under different rules never
/// look comparable.
pub const RULES_VERSION: &str = "openledger-oracle-rules/4";

/// A full epoch report. See the module documentation for the meaning of each part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpochReport {
    /// [`REPORT_FORMAT`].
    pub format: String,
    /// Chain id.
    pub chain_id: u64,
    /// The escrow the root is for.
    pub escrow: Address,
    /// The token of every amount.
    pub token: Address,
    /// The epoch.
    pub epoch: u64,
    /// First block of the epoch.
    pub from_block: u64,
    /// Last block of the epoch.
    pub to_block: u64,
    /// Merkle root of `balances`.
    pub root: B256,
    /// Sum of `balances`.
    #[serde(with = "dec::u256")]
    pub total_cumulative: U256,
    /// Cumulative balances, sorted by account.
    pub balances: Vec<Balance>,
    /// The report this one builds on.
    pub previous: Option<PreviousRef>,
    /// Parameters.
    pub parameters: ReportParams,
    /// What was read.
    pub inputs: InputSummary,
    /// Inferences paid in the range, in chain order.
    pub inferences: Vec<InferenceEntry>,
    /// Carried inferences settled in this epoch, by inference id.
    pub resolved: Vec<InferenceEntry>,
    /// Still held back, by inference id.
    pub carried: Vec<CarriedEntry>,
    /// Clusters cited by a span, by representative.
    pub clusters: Vec<ClusterEntry>,
    /// Per account: earned in this epoch and cumulative, by account.
    pub accounts: Vec<AccountEntry>,
    /// The conservation ledger.
    pub totals: EpochTotals,
}

/// The previous epoch a report builds on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousRef {
    /// Its epoch.
    pub epoch: u64,
    /// Its report hash.
    pub report_hash: B256,
    /// Its root.
    pub root: B256,
    /// Its total.
    #[serde(with = "dec::u256")]
    pub total_cumulative: U256,
}

/// Parameters of the computation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportParams {
    /// [`RULES_VERSION`].
    pub rules: String,
    /// Clustering.
    pub cluster: ClusterParamsEntry,
    /// Attribution.
    pub attribution: AttributionParams,
    /// Split.
    pub split: SplitParamsEntry,
}

/// [`ClusterParams`] with the seed as a decimal string (it exceeds 2^53).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterParamsEntry {
    /// Words per shingle.
    pub shingle_size: u32,
    /// MinHash values.
    pub permutations: u32,
    /// LSH bands.
    pub bands: u32,
    /// Near-duplicate threshold, basis points of Jaccard similarity.
    pub threshold_bps: u16,
    /// MinHash seed.
    #[serde(with = "dec::u64_str")]
    pub seed: u64,
    /// Most exact comparisons per record.
    pub max_candidates: u32,
    /// Most representatives per LSH bucket.
    pub bucket_capacity: u32,
}

impl From<ClusterParams> for ClusterParamsEntry {
    fn from(p: ClusterParams) -> Self {
        Self {
            shingle_size: p.shingle_size,
            permutations: p.permutations,
            bands: p.bands,
            threshold_bps: p.threshold_bps,
            seed: p.seed,
            max_candidates: p.max_candidates,
            bucket_capacity: p.bucket_capacity,
        }
    }
}

impl From<ClusterParamsEntry> for ClusterParams {
    fn from(p: ClusterParamsEntry) -> Self {
        Self {
            shingle_size: p.shingle_size,
            permutations: p.permutations,
            bands: p.bands,
            threshold_bps: p.threshold_bps,
            seed: p.seed,
            max_candidates: p.max_candidates,
            bucket_capacity: p.bucket_capacity,
        }
    }
}

/// Split parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitParamsEntry {
    /// Receives the data share of outputs nothing was attributed to: the escrow's treasury as of
    /// the epoch's last block.
    pub unattributed_recipient: Address,
    /// How an attributed output's data share is paid.
    pub data_share: crate::pipeline::DataShareRule,
}

/// Counts and digests of the inputs, so two reports can be compared input by input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputSummary {
    /// Inferences paid in the range.
    pub inferences: u64,
    /// keccak256 over `(inference id, output hash, output state)` of each, in chain order.
    pub inferences_digest: B256,
    /// Accepted records clustered (content available).
    pub records: u64,
    /// Records revealed before the clustered prefix ends but not accepted in it, read as prior
    /// art only (content available).
    pub prior_art_records: u64,
    /// keccak256 over `(contribution id, content hash, role)` of each record read (clustered, then
    /// prior art only), by id.
    pub records_digest: B256,
    /// Records (accepted or prior art only) left out because their content was unavailable or
    /// did not match.
    #[serde(with = "dec::u256_vec")]
    pub records_unavailable: Vec<U256>,
    /// The attribution corpora used.
    pub corpora: Vec<CorpusEntry>,
    /// Net fees of every inference paid up to `to_block`: the pot this and every earlier epoch
    /// divide (`total_cumulative` plus what is carried never exceeds it).
    #[serde(with = "dec::u256")]
    pub distributable: U256,
}

/// One attribution corpus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpusEntry {
    /// Its hash (`Corpus::hash`), also the name of its index file.
    pub corpus_hash: B256,
    /// The models attributed against it.
    #[serde(with = "dec::u256_vec")]
    pub models: Vec<U256>,
    /// Documents (clusters).
    pub documents: u64,
    /// Word tokens.
    pub tokens: u64,
}

/// Whether an inference was attributed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Attributed and fully split.
    Resolved,
    /// Not attributed; something was carried.
    Unresolved,
}

/// One inference, as settled (or partly settled) in this epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InferenceEntry {
    /// Inference id.
    #[serde(with = "dec::u256")]
    pub inference_id: U256,
    /// Block of its payment.
    pub block_number: u64,
    /// Log index of its payment.
    pub log_index: u64,
    /// The model paid for.
    #[serde(with = "dec::u256")]
    pub model_id: U256,
    /// The agent that made the call, 0 for none.
    #[serde(with = "dec::u256")]
    pub agent_id: U256,
    /// Net fee (after the protocol fee).
    #[serde(with = "dec::u256")]
    pub net: U256,
    /// keccak256 of the output.
    pub output_hash: B256,
    /// Resolved or not.
    pub status: Status,
    /// Why not, when unresolved.
    pub reason: Option<UnresolvedReason>,
    /// The corpus the output was attributed against.
    pub corpus_hash: Option<B256>,
    /// Output length in word tokens.
    pub output_tokens: u32,
    /// Output tokens inside at least one span.
    pub covered_tokens: u32,
    /// Micro-tokens of the output credited to the accounts paid by weight (`covered`) and the
    /// measure of the output they are a part of (`eligible`: the output less what was credited to
    /// accounts that control it): the data share paid by weight is `data × covered / eligible`.
    pub coverage: Option<Coverage>,
    /// Sum of the credited cluster weights.
    #[serde(with = "dec::u128_str")]
    pub total_weight: u128,
    /// Maximal matching spans, by start.
    pub spans: Vec<SpanEntry>,
    /// What was paid in this epoch.
    pub allocations: Vec<AllocationEntry>,
    /// Sum of `allocations`.
    #[serde(with = "dec::u256")]
    pub settled: U256,
    /// Held back (0 when resolved).
    #[serde(with = "dec::u256")]
    pub carried: U256,
    /// For a resolved carried item: the epoch it was first carried in.
    pub carried_since: Option<u64>,
}

/// A span of an output found in the corpus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpanEntry {
    /// First output token.
    pub start: u32,
    /// One past the last.
    pub end: u32,
    /// Its words.
    pub text: String,
    /// Output positions where one word was substituted (edited quotes).
    pub substitutions: Vec<u32>,
    /// Occurrences in the corpus (of its first segment).
    pub occurrences: u64,
    /// Its tokens beyond its longest common window (at least `min_distinct`).
    pub distinct: u32,
    /// Its length in micro-tokens after sharing tokens with overlapping spans: the `credited` of
    /// `weight = credited × log2(1 + N/occurrences)`.
    pub credited: u64,
    /// The clusters credited for it (the first holders of its words), by representative
    /// contribution id.
    #[serde(with = "dec::u256_vec")]
    pub clusters: Vec<U256>,
    /// Weight (micro-units).
    #[serde(with = "dec::u128_str")]
    pub weight: u128,
    /// Each cluster's share of it, in the order of `clusters`.
    #[serde(with = "dec::u128_vec")]
    pub shares: Vec<u128>,
}

/// An amount paid to an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationEntry {
    /// Who.
    pub account: Address,
    /// How much.
    #[serde(with = "dec::u256")]
    pub amount: U256,
    /// Why.
    pub role: RoleEntry,
}

/// Why an account was paid (the core's [`crate::Role`], ids in decimal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RoleEntry {
    /// Owner revenue the paid model keeps after royalties.
    Owner {
        /// The model.
        #[serde(with = "dec::u256")]
        model_id: U256,
    },
    /// Owner revenue an ancestor keeps from royalties paid by `child`.
    Royalty {
        /// The ancestor.
        #[serde(with = "dec::u256")]
        model_id: U256,
        /// The child that paid it.
        #[serde(with = "dec::u256")]
        child: U256,
    },
    /// Rounding dust of the three-way split (to the paid model's owner).
    SplitDust,
    /// The agent share, to the agent's owner at payment.
    Agent {
        /// The agent.
        #[serde(with = "dec::u256")]
        agent_id: U256,
    },
    /// The agent share of an agentless call (to the paid model's owner).
    AgentlessShare,
    /// Data share by attribution weight.
    Data {
        /// The account's total weight in this output.
        #[serde(with = "dec::u128_str")]
        weight: u128,
        /// The account's clusters that earned it, by representative.
        #[serde(with = "dec::u256_vec")]
        clusters: Vec<U256>,
    },
    /// Data share of an output nothing was attributed to (to the treasury).
    Unattributed,
}

/// An amount held back until its inference resolves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarriedEntry {
    /// Inference id.
    #[serde(with = "dec::u256")]
    pub inference_id: U256,
    /// Its model.
    #[serde(with = "dec::u256")]
    pub model_id: U256,
    /// Amount held back.
    #[serde(with = "dec::u256")]
    pub amount: U256,
    /// Data share or whole net.
    pub portion: CarriedPortion,
    /// Why, as of this epoch.
    pub reason: UnresolvedReason,
    /// The epoch it was first carried in.
    pub since_epoch: u64,
}

/// A cluster of records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterEntry {
    /// Its earliest accepted record, which names it.
    #[serde(with = "dec::u256")]
    pub representative: U256,
    /// The representative's contributor: the only account it pays.
    pub owner: Address,
    /// Every member (copies included), in canonical order.
    #[serde(with = "dec::u256_vec")]
    pub members: Vec<U256>,
}

/// An account's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountEntry {
    /// The account.
    pub account: Address,
    /// Earned in this epoch.
    #[serde(with = "dec::u256")]
    pub earned: U256,
    /// Cumulative balance (its leaf).
    #[serde(with = "dec::u256")]
    pub cumulative: U256,
}

/// The epoch's conservation ledger. The checks (all exact):
/// `allocated = paid_net - newly_carried + resolved`, `carried_out = carried_in - resolved +
/// newly_carried`, `total_cumulative = previous_total + allocated`,
/// `total_cumulative + carried_out <= distributable`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpochTotals {
    /// Net fees of the inferences paid in the range.
    #[serde(with = "dec::u256")]
    pub paid_net: U256,
    /// Carried into the epoch (the previous report's `carried`).
    #[serde(with = "dec::u256")]
    pub carried_in: U256,
    /// Of that, settled now.
    #[serde(with = "dec::u256")]
    pub resolved: U256,
    /// Held back from this epoch's inferences.
    #[serde(with = "dec::u256")]
    pub newly_carried: U256,
    /// Carried out of the epoch.
    #[serde(with = "dec::u256")]
    pub carried_out: U256,
    /// Allocated in this epoch.
    #[serde(with = "dec::u256")]
    pub allocated: U256,
    /// The previous report's total.
    #[serde(with = "dec::u256")]
    pub previous_total: U256,
    /// This report's total.
    #[serde(with = "dec::u256")]
    pub total_cumulative: U256,
}

/// Why report bytes were refused.
#[derive(Debug, thiserror::Error)]
pub enum ReportFormatError {
    /// Not JSON of the expected shape.
    #[error("invalid epoch report: {0}")]
    Json(#[from] serde_json::Error),
    /// Another format.
    #[error("unknown report format {0:?}")]
    Format(String),
}

impl EpochReport {
    /// The canonical bytes (see the module documentation).
    pub fn to_canonical_json(&self) -> Result<Vec<u8>, ReportFormatError> {
        canonical_json(self)
    }

    /// Parses report bytes.
    pub fn from_json(bytes: &[u8]) -> Result<Self, ReportFormatError> {
        let report: Self = serde_json::from_slice(bytes)?;
        if report.format != REPORT_FORMAT {
            return Err(ReportFormatError::Format(report.format));
        }
        Ok(report)
    }

    /// The balances as a map.
    pub fn balance_map(&self) -> BTreeMap<Address, U256> {
        self.balances
            .iter()
            .map(|b| (b.account, b.cumulative))
            .collect()
    }

    /// The header and balances, as the indexer reads them.
    pub fn balances_part(&self) -> ReportBalances {
        ReportBalances {
            format: self.format.clone(),
            chain_id: self.chain_id,
            escrow: self.escrow,
            token: self.token,
            epoch: self.epoch,
            from_block: self.from_block,
            to_block: self.to_block,
            root: self.root,
            total_cumulative: self.total_cumulative,
            balances: self.balances.clone(),
        }
    }
}

/// The report hash of canonical report bytes: keccak256, as the content store names them.
pub fn report_hash(bytes: &[u8]) -> B256 {
    keccak256(bytes)
}

/// What a report built on needs from its predecessor: balances (any report of the format),
/// carried items (absent from reports that carry nothing or were not written by this oracle) and
/// the pot as of its last block (`inputs.distributable`, likewise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousReport {
    /// Header and balances.
    pub balances: ReportBalances,
    /// Carried items.
    pub carried: Vec<CarriedEntry>,
    /// Net fees of every inference paid up to its last block.
    pub distributable: Option<U256>,
}

impl PreviousReport {
    /// Parses the parts of a report a successor needs.
    pub fn from_json(bytes: &[u8]) -> Result<Self, ReportFormatError> {
        #[derive(Deserialize)]
        struct Pot {
            #[serde(with = "dec::u256")]
            distributable: U256,
        }
        #[derive(Deserialize)]
        struct Successor {
            #[serde(default)]
            carried: Vec<CarriedEntry>,
            inputs: Option<Pot>,
        }
        let balances = ReportBalances::from_json(bytes)
            .map_err(|e| ReportFormatError::Format(e.to_string()))?;
        let Successor { carried, inputs } = serde_json::from_slice(bytes)?;
        Ok(Self {
            balances,
            carried,
            distributable: inputs.map(|i| i.distributable),
        })
    }
}

/// Serialises `value` as canonical JSON: object keys sorted, no whitespace.
pub fn canonical_json<T: Serialize>(value: &T) -> Result<Vec<u8>, ReportFormatError> {
    let value = serde_json::to_value(value)?;
    let mut out = Vec::new();
    write_canonical(&value, &mut out)?;
    Ok(out)
}

fn write_canonical(value: &Value, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push(b'{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut *out, key)?;
                out.push(b':');
                if let Some(v) = map.get(key) {
                    write_canonical(v, out)?;
                }
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(v, out)?;
            }
            out.push(b']');
        }
        other => serde_json::to_writer(&mut *out, other)?,
    }
    Ok(())
}

/// Serde helpers: integers as decimal strings.
pub mod dec {
    use alloy::primitives::U256;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    fn parse_digits<E: Error>(s: &str) -> Result<&str, E> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(E::custom(format!("{s:?} is not a decimal integer")));
        }
        Ok(s)
    }

    /// `U256` as a decimal string.
    pub mod u256 {
        pub use openledger_sdk::report::decimal::{deserialize, serialize};
    }

    /// `Vec<U256>` as decimal strings.
    pub mod u256_vec {
        use super::*;

        /// Writes the strings.
        pub fn serialize<S: Serializer>(v: &[U256], s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(v.iter().map(|x| x.to_string()))
        }

        /// Reads the strings.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<U256>, D::Error> {
            Vec::<String>::deserialize(d)?
                .iter()
                .map(|s| {
                    U256::from_str_radix(parse_digits::<D::Error>(s)?, 10).map_err(D::Error::custom)
                })
                .collect()
        }
    }

    /// `u128` as a decimal string.
    pub mod u128_str {
        use super::*;

        /// Writes the string.
        pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&v.to_string())
        }

        /// Reads the string.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
            let s = String::deserialize(d)?;
            parse_digits::<D::Error>(&s)?
                .parse()
                .map_err(D::Error::custom)
        }
    }

    /// `Vec<u128>` as decimal strings.
    pub mod u128_vec {
        use super::*;

        /// Writes the strings.
        pub fn serialize<S: Serializer>(v: &[u128], s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(v.iter().map(|x| x.to_string()))
        }

        /// Reads the strings.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u128>, D::Error> {
            Vec::<String>::deserialize(d)?
                .iter()
                .map(|s| {
                    parse_digits::<D::Error>(s)?
                        .parse()
                        .map_err(D::Error::custom)
                })
                .collect()
        }
    }

    /// `u64` as a decimal string.
    pub mod u64_str {
        use super::*;

        /// Writes the string.
        pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&v.to_string())
        }

        /// Reads the string.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
            let s = String::deserialize(d)?;
            parse_digits::<D::Error>(&s)?
                .parse()
                .map_err(D::Error::custom)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let v = serde_json::json!({"b": 1, "a": {"d": [ {"z": 1, "y": "x"} ], "c": null}});
        let bytes = canonical_json(&v).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            r#"{"a":{"c":null,"d":[{"y":"x","z":1}]},"b":1}"#
        );
    }

    #[test]
    fn roles_round_trip_with_decimal_ids() {
        let roles = vec![
            RoleEntry::Owner {
                model_id: U256::from(12),
            },
            RoleEntry::Data {
                weight: u128::MAX,
                clusters: vec![U256::from(3), U256::MAX],
            },
            RoleEntry::SplitDust,
        ];
        let json = String::from_utf8(canonical_json(&roles).unwrap()).unwrap();
        assert!(json.contains(r#""model_id":"12""#), "{json}");
        assert!(json.contains(&format!("\"{}\"", u128::MAX)), "{json}");
        let back: Vec<RoleEntry> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, roles);
    }
}

#[cfg(test)]
mod address_form {
    /// Pins the text form of addresses and hashes: a change in how alloy writes them would change
    /// every report hash, so it must fail here first.
    #[test]
    fn addresses_and_hashes_are_lowercase_hex() {
        let a: alloy::primitives::Address = "0x976EA74026E726554dB657fA54763abd0C3a0aa9"
            .parse()
            .unwrap();
        let h = alloy::primitives::B256::repeat_byte(0xab);
        let json = String::from_utf8(super::canonical_json(&(a, h)).unwrap()).unwrap();
        assert_eq!(
            json,
            format!(
                "[\"0x976ea74026e726554db657fa54763abd0c3a0aa9\",\"0x{}\"]",
                "ab".repeat(32)
            )
        );
    }
}
