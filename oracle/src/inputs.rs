//! Everything an epoch needs, read from an indexer database up to the epoch's last block.
//!
//! Every query filters on `block_number <= to_block`, so reading the same epoch later, after the
//! chain has moved on, gives the same inputs (the blocks are final by then; the indexer's tables
//! equal the canonical chain, invariant 6). The SQL runs on SQLite and PostgreSQL alike through
//! [`Store`]'s pools, on the append-only event tables, never on the "current state" views, which
//! would leak later events into an earlier epoch.
//!
//! # Rules decided here
//! - **Owners at payment.** A model's owner revenue and royalties go to whoever owned each model
//!   of the lineage at the payment's (block, log index); an agent share goes to the agent's
//!   **owner** at payment (the ERC-721 holder, who registered and answers for the agent), not to
//!   its operational wallet, which the owner may rotate and which signs actions, not payouts.
//! - **Training corpus.** A model's corpus is, for itself and each ancestor, and each training set
//!   `(datanet, version)` it names: the contributions of that datanet with id at most the
//!   version's `lastContributionId`, accepted at or before the version was published, where the
//!   version was published before the model was registered (a model cannot have been trained on a
//!   version that did not exist yet; a version named before it exists gives nothing). So nobody
//!   can push an output into a model's corpus after seeing it. A contribution rejected by
//!   `to_block` is out of every corpus (a rejection is final and marks spam), but not out of
//!   prior art (below).
//! - **Prior art beyond acceptance.** Every contribution revealed by the end of the clustered
//!   prefix and not in it (pending, rejected, withdrawn, accepted only later) is read too, as prior
//!   art only ([`RecordRole::PriorArtOnly`]): otherwise a curator could reject a record and accept
//!   its own copy of the text.
//! - **Clustering is global.** All accepted contributions (any datanet) up to the latest
//!   acceptance any needed corpus contains are clustered together: a copy in another datanet is
//!   still a copy, and each cluster belongs to its earliest accepted submitter. Leader clustering
//!   is prefix-stable (a later record never changes earlier clusters), so clustering only that
//!   prefix gives the clusters of the full set.
//! - **Contents.** Outputs and records are fetched by hash and checked. An output missing or not
//!   matching leaves its inference unresolved (its data share is carried). A *record* missing or
//!   not matching is left out of clustering and corpora and listed in the report: if it made
//!   every inference of every model trained on it unresolved, anyone could freeze the data share
//!   of a whole datanet forever by getting a hash-only record accepted into an open datanet.
//! - **The base.** An epoch builds on the report of the previous accepted root (its balances and
//!   carried items), checked to back that root before use.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use alloy::primitives::{Address, B256, U256};
use openledger_indexer::Store;

use crate::{
    BlockRange, Carried, FeeSplit, Lineage, LineageModel, OrderKey, ParentLink, Payment,
    content::{ContentSourceError, Contents, Fetched},
    report::{CarriedEntry, PreviousReport},
    split::MAX_ROYALTY_EDGES,
};

/// Runs `$body` with `$pool` bound to the store's pool, whichever backend it is (the SQL text,
/// with `$n` placeholders, is the same for both).
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store {
            Store::Sqlite($pool) => $body,
            Store::Postgres($pool) => $body,
        }
    };
}

/// Why inputs could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Database error.
    #[error("reading the index: {0}")]
    Sql(#[from] sqlx::Error),
    /// Database error from the indexer's store.
    #[error("reading the index: {0}")]
    Store(#[from] openledger_indexer::StoreError),
    /// A stored value does not parse.
    #[error("malformed {column} {value:?} in the index")]
    Malformed {
        /// Column.
        column: &'static str,
        /// Value.
        value: String,
    },
    /// The index has not reached the epoch's last block.
    #[error("the index has reached block {indexed:?}, the epoch needs {needed}")]
    NotIndexed {
        /// Block needed.
        needed: u64,
        /// Indexed so far.
        indexed: Option<u64>,
    },
    /// The content store failed.
    #[error(transparent)]
    Content(#[from] ContentSourceError),
    /// The previous epoch's report is unusable.
    #[error("previous epoch {epoch}: {reason}")]
    Previous {
        /// Its epoch.
        epoch: u64,
        /// What is wrong.
        reason: String,
    },
    /// A carried inference is not in the index.
    #[error("carried inference {0} is not in the index")]
    CarriedUnknown(U256),
}

/// What identifies an epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpochHeader {
    /// Chain id.
    pub chain_id: u64,
    /// The escrow.
    pub escrow: Address,
    /// Its token.
    pub token: Address,
    /// The epoch number.
    pub epoch: u64,
    /// Its blocks.
    pub range: BlockRange,
}

/// Status of a posted root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootStatus {
    /// In its dispute window.
    Pending,
    /// Current (or was).
    Accepted,
    /// Vetoed by the guardian.
    Vetoed,
}

/// A root proposed on-chain, as indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedRoot {
    /// Epoch.
    pub epoch: u64,
    /// Merkle root.
    pub root: B256,
    /// Declared total.
    pub total_cumulative: U256,
    /// Hash of its report.
    pub report_hash: B256,
    /// First block.
    pub from_block: u64,
    /// Last block.
    pub to_block: u64,
    /// Status.
    pub status: RootStatus,
}

/// Every root proposed so far, by epoch.
pub async fn posted_roots(store: &Store) -> Result<Vec<PostedRoot>, InputError> {
    type Row = (
        Option<i64>,
        String,
        String,
        String,
        Option<i64>,
        Option<i64>,
        String,
    );
    let rows: Vec<Row> = on_pool!(store, pool => {
        sqlx::query_as(
            "SELECT epoch, root, total_cumulative, report_hash, from_block, to_block, status \
             FROM roots ORDER BY epoch, proposed_block, proposed_log_index",
        )
        .fetch_all(pool)
        .await?
    });
    rows.into_iter()
        .filter_map(|(epoch, root, total, report, from, to, status)| {
            let (epoch, from, to) = (epoch?, from?, to?);
            Some((|| {
                Ok(PostedRoot {
                    epoch: uint(epoch, "epoch")?,
                    root: hash(&root, "root")?,
                    total_cumulative: amount(&total, "total_cumulative")?,
                    report_hash: hash(&report, "report_hash")?,
                    from_block: uint(from, "from_block")?,
                    to_block: uint(to, "to_block")?,
                    status: match status.as_str() {
                        "accepted" => RootStatus::Accepted,
                        "vetoed" => RootStatus::Vetoed,
                        _ => RootStatus::Pending,
                    },
                })
            })())
        })
        .collect()
}

/// The root an epoch numbered `epoch` builds on: the accepted root of the greatest epoch below it.
pub fn previous_root(roots: &[PostedRoot], epoch: u64) -> Option<&PostedRoot> {
    roots
        .iter()
        .filter(|r| r.epoch < epoch && r.status == RootStatus::Accepted)
        .max_by_key(|r| r.epoch)
}

/// The previous epoch, as the new one starts from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousEpoch {
    /// Its epoch.
    pub epoch: u64,
    /// Its report hash.
    pub report_hash: B256,
    /// Its root.
    pub root: B256,
    /// Its total.
    pub total_cumulative: U256,
    /// Its balances.
    pub balances: BTreeMap<Address, U256>,
}

/// An output as fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// The output text (bytes as UTF-8, invalid sequences replaced).
    Text(String),
    /// Not in the content store.
    Unavailable,
    /// The stored bytes do not match the hash.
    Mismatch,
}

impl From<Fetched> for Output {
    fn from(f: Fetched) -> Self {
        match f {
            Fetched::Bytes(b) => Self::Text(String::from_utf8_lossy(&b).into_owned()),
            Fetched::Missing => Self::Unavailable,
            Fetched::Mismatch => Self::Mismatch,
        }
    }
}

/// One paid inference with everything its split needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InferenceInput {
    /// Inference id.
    pub inference_id: U256,
    /// Where it was paid.
    pub key: OrderKey,
    /// The model.
    pub model_id: U256,
    /// The agent, 0 for none.
    pub agent_id: U256,
    /// Net fee.
    pub net: U256,
    /// Who paid it (a payer earns no data share from its own inference).
    pub payer: Address,
    /// The split in force at payment.
    pub split: FeeSplit,
    /// The agent's payee (its owner at payment), `None` without an agent.
    pub agent_payee: Option<Address>,
    /// The model's lineage with owners at payment; `None` when the model, an ancestor or the
    /// agent is unknown to the index.
    pub lineage: Option<Lineage>,
    /// keccak256 of the output.
    pub output_hash: B256,
    /// The output.
    pub output: Output,
}

impl InferenceInput {
    /// The payment the core splits.
    pub fn payment(&self) -> Payment {
        Payment {
            inference_id: self.inference_id,
            model_id: self.model_id,
            net: self.net,
            split: self.split,
            agent: self.agent_payee,
        }
    }
}

/// A carried item of the previous report with its inference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarriedInput {
    /// As the previous report lists it.
    pub entry: CarriedEntry,
    /// The inference.
    pub inference: InferenceInput,
}

impl CarriedInput {
    /// The core's view of the carried amount.
    pub fn carried(&self) -> Carried {
        Carried {
            inference_id: self.entry.inference_id,
            model_id: self.entry.model_id,
            amount: self.entry.amount,
            portion: self.entry.portion,
            reason: self.entry.reason,
        }
    }
}

/// A record the epoch reads: an accepted one (clustered, and in the corpora that name it), or
/// prior art only (see [`RecordRole`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordInput {
    /// Contribution id.
    pub id: U256,
    /// Submitter.
    pub contributor: Address,
    /// Its position in the submission order that owns text (its commit, when committed).
    pub order: OrderKey,
    /// Accepted, or prior art only.
    pub role: RecordRole,
    /// Its content hash.
    pub content_hash: B256,
    /// Its text, `None` when the content was unavailable or did not match.
    pub text: Option<String>,
}

/// What a record is to the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordRole {
    /// Accepted: clustered, indexed in the corpora that name it, earns for its text.
    Accepted,
    /// Revealed before the clustered prefix ends but not accepted in it (pending, rejected,
    /// withdrawn, or accepted later): never indexed, but text it held first is credited to its
    /// contributor wherever an accepted record holds a copy. Without this a curator could reject
    /// (or sit on) a contribution and accept its own copy of the text, which would then be first.
    PriorArtOnly,
}

/// Everything one epoch's computation reads. Pure data: [`crate::pipeline::compute_epoch`]
/// turns it into a report with no further I/O.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpochInputs {
    /// Chain, escrow, epoch, range.
    pub header: EpochHeader,
    /// The epoch built on.
    pub previous: Option<PreviousEpoch>,
    /// Receives unattributed data shares: the escrow's treasury as of `to_block`.
    pub treasury: Address,
    /// Net fees of every inference paid up to `to_block`.
    pub distributable: U256,
    /// Accepted records to cluster, then prior-art-only records, each by id.
    pub records: Vec<RecordInput>,
    /// The training corpus (contribution ids) of every model an inference needs.
    pub corpora: BTreeMap<U256, BTreeSet<U256>>,
    /// Inferences paid in the range, in chain order.
    pub inferences: Vec<InferenceInput>,
    /// The previous report's carried items, by inference id.
    pub carried: Vec<CarriedInput>,
}

/// Contents a posted report says were unavailable when it was computed.
///
/// Availability is the only input that changes with time: an output uploaded after its epoch
/// was computed makes a later recomputation differ. To verify a posted epoch, the verifier
/// recomputes it with the report's own claims of unavailability applied ([`Self::apply`]) and
/// lists the claims it can now contradict. Trusting the claim is safe for outputs: an output
/// treated as unavailable only carries its data share (amount fixed by the rules) to a later
/// epoch, it never moves money to anyone. For records it is not harmless (an excluded record
/// earns nothing), which is why every contradicted claim is reported to the verifier's user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unavailable {
    /// Inferences whose output was unavailable or did not match, and which of the two.
    pub outputs: BTreeMap<U256, crate::UnresolvedReason>,
    /// Records left out.
    pub records: BTreeSet<U256>,
}

impl Unavailable {
    /// The claims of `report`.
    pub fn claimed_by(report: &crate::report::EpochReport) -> Self {
        use crate::UnresolvedReason::{OutputHashMismatch, OutputUnavailable};
        let mut outputs = BTreeMap::new();
        for e in &report.inferences {
            if let Some(r @ (OutputUnavailable | OutputHashMismatch)) = e.reason {
                outputs.insert(e.inference_id, r);
            }
        }
        for c in &report.carried {
            if matches!(c.reason, OutputUnavailable | OutputHashMismatch) {
                outputs.insert(c.inference_id, c.reason);
            }
        }
        Self {
            outputs,
            records: report.inputs.records_unavailable.iter().copied().collect(),
        }
    }

    /// Applies the claims to `inputs`; returns the claims the inputs contradict (contents that
    /// are available now).
    pub fn apply(&self, inputs: &mut EpochInputs) -> Vec<String> {
        let mut notes = Vec::new();
        let outputs = inputs
            .inferences
            .iter_mut()
            .chain(inputs.carried.iter_mut().map(|c| &mut c.inference));
        for inf in outputs {
            let Some(reason) = self.outputs.get(&inf.inference_id) else {
                continue;
            };
            if matches!(inf.output, Output::Text(_)) {
                notes.push(format!(
                    "the output of inference {} ({}) is available now; the report says it was not",
                    inf.inference_id, inf.output_hash
                ));
            }
            inf.output = match reason {
                crate::UnresolvedReason::OutputHashMismatch => Output::Mismatch,
                _ => Output::Unavailable,
            };
        }
        for r in &mut inputs.records {
            if self.records.contains(&r.id) && r.text.is_some() {
                notes.push(format!(
                    "record {} ({}) is available now; the report left it out as unavailable",
                    r.id, r.content_hash
                ));
                r.text = None;
            }
        }
        notes
    }
}

/// Reads an epoch's inputs. `previous` is the posted root it builds on ([`previous_root`]),
/// `default_treasury` the treasury if the index holds no `TreasuryUpdated` (never, for a full
/// index: the escrow's constructor emits one).
#[tracing::instrument(skip_all, fields(epoch = header.epoch, from = header.range.from_block, to = header.range.to_block))]
pub async fn load_inputs(
    store: &Store,
    contents: &Contents,
    header: EpochHeader,
    previous: Option<&PostedRoot>,
    default_treasury: Address,
) -> Result<EpochInputs, InputError> {
    let to_block = header.range.to_block;
    let indexed = store.checkpoint(header.chain_id).await?.map(|c| c.block);
    if indexed.is_none_or(|b| b < to_block) {
        return Err(InputError::NotIndexed {
            needed: to_block,
            indexed,
        });
    }
    let (previous, carried_entries, previous_pot) = match previous {
        Some(p) => {
            let (prev, carried, pot) = load_previous(contents, &header, p).await?;
            (Some(prev), carried, pot)
        }
        None => (None, Vec::new(), None),
    };
    // The pot grows by this range's fees: summing every fee ever paid, each epoch, would make an
    // epoch's cost grow with the chain's history.
    let distributable = match previous_pot {
        Some(pot) => pot
            .checked_add(net_fees(store, header.range.from_block, to_block).await?)
            .ok_or_else(|| malformed("net", "sum overflows"))?,
        None => net_fees(store, 0, to_block).await?,
    };

    let snapshot = ChainSnapshot::load(store, to_block).await?;
    let rows = inference_rows(store, header.range).await?;
    let mut carried_rows = Vec::new();
    for entry in &carried_entries {
        let row = inference_by_id(store, entry.inference_id, to_block)
            .await?
            .ok_or(InputError::CarriedUnknown(entry.inference_id))?;
        carried_rows.push(row);
    }

    let models: BTreeSet<U256> = rows
        .iter()
        .chain(&carried_rows)
        .map(|r| r.model_id)
        .collect();
    let corpora: BTreeMap<U256, BTreeSet<U256>> = models
        .iter()
        .map(|&m| (m, snapshot.training_corpus(m)))
        .collect();
    let record_ids = snapshot.records_to_cluster(corpora.values().flatten());
    let prior_art_ids = snapshot.prior_art_only(&record_ids);
    let roles = record_ids
        .iter()
        .map(|id| (*id, RecordRole::Accepted))
        .chain(
            prior_art_ids
                .iter()
                .map(|id| (*id, RecordRole::PriorArtOnly)),
        );
    let roles: Vec<(U256, RecordRole)> = roles.collect();

    let record_hashes: Vec<B256> = roles
        .iter()
        .filter_map(|(id, _)| snapshot.contributions.get(id).map(|c| c.content_hash))
        .collect();
    let output_hashes: Vec<B256> = rows
        .iter()
        .chain(&carried_rows)
        .map(|r| r.output_hash)
        .collect();
    let record_contents = contents.fetch_all(&record_hashes, 16).await?;
    let outputs = contents.fetch_all_transient(&output_hashes, 16).await?;

    let records = roles
        .iter()
        .zip(record_contents)
        .filter_map(|((id, role), fetched)| {
            let c = snapshot.contributions.get(id)?;
            Some(RecordInput {
                id: *id,
                contributor: c.contributor,
                // Submission order, not acceptance order: otherwise a copier could get ahead of
                // the original by having the copy accepted sooner in a faster datanet (found by
                // the demo's gamer). A committed record's position is its commit's
                // (commit-reveal: nobody who saw the reveal can get ahead of it).
                order: c.position,
                role: *role,
                content_hash: c.content_hash,
                text: fetched
                    .bytes()
                    .map(|b| String::from_utf8_lossy(b).into_owned()),
            })
        })
        .collect();

    let mut outputs = outputs.into_iter();
    let mut inference = |row: &InferenceRow| InferenceInput {
        inference_id: row.inference_id,
        key: row.key,
        model_id: row.model_id,
        agent_id: row.agent_id,
        net: row.net,
        payer: row.payer,
        split: row.split,
        agent_payee: snapshot.agent_owner(row.agent_id, row.key),
        lineage: snapshot.lineage_at(row, row.key),
        output_hash: row.output_hash,
        output: outputs.next().map_or(Output::Unavailable, Output::from),
    };
    let inferences: Vec<InferenceInput> = rows.iter().map(&mut inference).collect();
    let carried = carried_entries
        .into_iter()
        .zip(&carried_rows)
        .map(|(entry, row)| CarriedInput {
            entry,
            inference: inference(row),
        })
        .collect();

    Ok(EpochInputs {
        header,
        previous,
        treasury: snapshot.treasury.unwrap_or(default_treasury),
        distributable,
        records,
        corpora,
        inferences,
        carried,
    })
}

/// Fetches the previous report and checks it backs its root before anything is built on it.
async fn load_previous(
    contents: &Contents,
    header: &EpochHeader,
    root: &PostedRoot,
) -> Result<(PreviousEpoch, Vec<CarriedEntry>, Option<U256>), InputError> {
    let fail = |reason: String| InputError::Previous {
        epoch: root.epoch,
        reason,
    };
    if header.range.from_block != root.to_block.saturating_add(1) {
        return Err(fail(format!(
            "it ends at block {}, the new epoch starts at {}",
            root.to_block, header.range.from_block
        )));
    }
    let bytes = match contents.fetch(root.report_hash).await? {
        Fetched::Bytes(b) => b,
        Fetched::Missing => {
            return Err(fail(format!(
                "report {} is not in the content store",
                root.report_hash
            )));
        }
        Fetched::Mismatch => {
            return Err(fail(format!(
                "the content store's report {} does not match its hash",
                root.report_hash
            )));
        }
    };
    let report = PreviousReport::from_json(&bytes).map_err(|e| fail(e.to_string()))?;
    let b = &report.balances;
    b.verified_tree().map_err(|e| fail(e.to_string()))?;
    if b.root != root.root
        || b.epoch != root.epoch
        || b.total_cumulative != root.total_cumulative
        || b.chain_id != header.chain_id
        || b.escrow != header.escrow
        || b.token != header.token
    {
        return Err(fail(
            "its report does not describe the posted root (root, epoch, total, chain, escrow or token differ)"
                .into(),
        ));
    }
    let mut carried = report.carried;
    carried.sort_by_key(|c| c.inference_id);
    Ok((
        PreviousEpoch {
            epoch: root.epoch,
            report_hash: root.report_hash,
            root: root.root,
            total_cumulative: root.total_cumulative,
            balances: b
                .balances
                .iter()
                .map(|b| (b.account, b.cumulative))
                .collect(),
        },
        carried,
        report.distributable,
    ))
}

/// Sum of the net fees of the inferences paid in blocks `from..=to`.
async fn net_fees(store: &Store, from: u64, to: u64) -> Result<U256, InputError> {
    let (from, to) = (int(from)?, int(to)?);
    let nets: Vec<String> = on_pool!(store, pool => {
        sqlx::query_scalar(
            "SELECT net FROM escrow_inference_paid WHERE block_number >= $1 AND block_number <= $2",
        )
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await?
    });
    nets.iter().try_fold(U256::ZERO, |sum, net| {
        sum.checked_add(amount(net, "net")?)
            .ok_or_else(|| malformed("net", "sum overflows"))
    })
}

/// An `InferencePaid` row.
#[derive(Debug, Clone, PartialEq, Eq)]
struct InferenceRow {
    inference_id: U256,
    model_id: U256,
    agent_id: U256,
    net: U256,
    payer: Address,
    output_hash: B256,
    split: FeeSplit,
    key: OrderKey,
}

type InferenceTuple = (
    Option<i64>,
    Option<i64>,
    Option<i64>,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
);

const INFERENCE_COLUMNS: &str = "inference_id, model_id, agent_id, net, payer, output_hash, \
     owner_bps, data_bps, agent_bps, block_number, log_index";

fn inference_row(t: InferenceTuple) -> Result<Option<InferenceRow>, InputError> {
    let (id, model, agent, net, payer, output, o, d, a, block, log) = t;
    let (Some(id), Some(model), Some(agent)) = (id, model, agent) else {
        return Ok(None);
    };
    let bps = |v: i64, column| {
        u16::try_from(v).map_err(|_| InputError::Malformed {
            column,
            value: v.to_string(),
        })
    };
    Ok(Some(InferenceRow {
        inference_id: id_of(id, "inference_id")?,
        model_id: id_of(model, "model_id")?,
        agent_id: id_of(agent, "agent_id")?,
        net: amount(&net, "net")?,
        payer: address(&payer, "payer")?,
        output_hash: hash(&output, "output_hash")?,
        split: FeeSplit {
            owner_bps: bps(o, "owner_bps")?,
            data_bps: bps(d, "data_bps")?,
            agent_bps: bps(a, "agent_bps")?,
        },
        key: key(block, log)?,
    }))
}

async fn inference_rows(store: &Store, range: BlockRange) -> Result<Vec<InferenceRow>, InputError> {
    let (from, to) = (int(range.from_block)?, int(range.to_block)?);
    let sql = format!(
        "SELECT {INFERENCE_COLUMNS} FROM escrow_inference_paid \
         WHERE block_number >= $1 AND block_number <= $2 ORDER BY block_number, log_index"
    );
    let rows: Vec<InferenceTuple> = on_pool!(store, pool => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(from).bind(to).fetch_all(pool).await?
    });
    let mut out = Vec::new();
    for t in rows {
        out.extend(inference_row(t)?);
    }
    Ok(out)
}

async fn inference_by_id(
    store: &Store,
    id: U256,
    to_block: u64,
) -> Result<Option<InferenceRow>, InputError> {
    let Ok(id) = i64::try_from(id) else {
        return Ok(None);
    };
    let sql = format!(
        "SELECT {INFERENCE_COLUMNS} FROM escrow_inference_paid \
         WHERE inference_id = $1 AND block_number <= $2 ORDER BY block_number, log_index LIMIT 1"
    );
    let to = int(to_block)?;
    let row: Option<InferenceTuple> = on_pool!(store, pool => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).bind(to).fetch_optional(pool).await?
    });
    Ok(match row {
        Some(t) => inference_row(t)?,
        None => None,
    })
}

/// Two nullable ids, a value and the log position.
type Row5 = (Option<i64>, Option<i64>, i64, i64, i64);
/// Three nullable ids and the log position.
type Ids3Row = (Option<i64>, Option<i64>, Option<i64>, i64, i64);

/// A contribution as of `to_block`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContributionRow {
    /// Its datanet.
    pub datanet_id: U256,
    /// Submitter.
    pub contributor: Address,
    /// Content hash.
    pub content_hash: B256,
    /// Submission (for a committed contribution, its reveal).
    pub submitted: OrderKey,
    /// Its position in the submission order that owns text: its commit when it was committed
    /// (`ContributionCommitted`), its submission otherwise.
    pub position: OrderKey,
    /// Acceptance (submission, for an open datanet).
    pub accepted: Option<OrderKey>,
    /// Rejection.
    pub rejected: Option<OrderKey>,
}

/// A published datanet version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionRow {
    /// Its publication.
    pub published: OrderKey,
    /// Last contribution id it covers.
    pub last_contribution_id: U256,
}

/// A training set a model names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrainingSetRow {
    /// The `TrainedOn` event (emitted at registration).
    pub named: OrderKey,
    /// Datanet.
    pub datanet_id: U256,
    /// Version.
    pub version: u64,
}

/// The registry state the resolution rules read, as of one block. Pure data, so the rules are
/// unit-tested without a database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainSnapshot {
    /// Models: registration and first owner.
    pub models: BTreeMap<U256, (OrderKey, Address)>,
    /// Model transfers, in chain order.
    pub model_transfers: BTreeMap<U256, Vec<(OrderKey, Address)>>,
    /// Parents of each model, in registry order.
    pub parents: BTreeMap<U256, Vec<ParentLink>>,
    /// Training sets of each model.
    pub training_sets: BTreeMap<U256, Vec<TrainingSetRow>>,
    /// Agents: registration and first owner.
    pub agents: BTreeMap<U256, (OrderKey, Address)>,
    /// Agent transfers, in chain order.
    pub agent_transfers: BTreeMap<U256, Vec<(OrderKey, Address)>>,
    /// Datanet versions.
    pub versions: BTreeMap<(U256, u64), VersionRow>,
    /// Contributions.
    pub contributions: BTreeMap<U256, ContributionRow>,
    /// The escrow's treasury.
    pub treasury: Option<Address>,
}

impl ChainSnapshot {
    /// Reads the snapshot at `to_block`.
    pub async fn load(store: &Store, to_block: u64) -> Result<Self, InputError> {
        let to = int(to_block)?;
        let mut s = Self::default();

        let rows: Vec<(Option<i64>, String, i64, i64)> = on_pool!(store, pool => {
            sqlx::query_as(
                "SELECT model_id, owner, block_number, log_index FROM model_registered \
                 WHERE block_number <= $1",
            )
            .bind(to)
            .fetch_all(pool)
            .await?
        });
        for (id, owner, b, l) in rows {
            if let Some(id) = id {
                s.models.insert(
                    id_of(id, "model_id")?,
                    (key(b, l)?, address(&owner, "owner")?),
                );
            }
        }

        for (table, target) in [
            ("model_transfer", &mut s.model_transfers),
            ("agent_transfer", &mut s.agent_transfers),
        ] {
            let sql = format!(
                "SELECT token_id, to_address, block_number, log_index FROM {table} \
                 WHERE block_number <= $1 ORDER BY block_number, log_index"
            );
            let rows: Vec<(Option<i64>, String, i64, i64)> = on_pool!(store, pool => {
                sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(to).fetch_all(pool).await?
            });
            for (id, owner, b, l) in rows {
                if let Some(id) = id {
                    target
                        .entry(id_of(id, "token_id")?)
                        .or_default()
                        .push((key(b, l)?, address(&owner, "to_address")?));
                }
            }
        }

        let rows: Vec<Row5> = on_pool!(store, pool => {
            sqlx::query_as(
                "SELECT child, parent, royalty_bps, block_number, log_index FROM model_parent_linked \
                 WHERE block_number <= $1 ORDER BY block_number, log_index",
            )
            .bind(to)
            .fetch_all(pool)
            .await?
        });
        for (child, parent, bps, _, _) in rows {
            if let (Some(child), Some(parent)) = (child, parent) {
                s.parents
                    .entry(id_of(child, "child")?)
                    .or_default()
                    .push(ParentLink {
                        model_id: id_of(parent, "parent")?,
                        royalty_bps: u16::try_from(bps).map_err(|_| InputError::Malformed {
                            column: "royalty_bps",
                            value: bps.to_string(),
                        })?,
                    });
            }
        }

        let rows: Vec<Ids3Row> = on_pool!(store, pool => {
            sqlx::query_as(
                "SELECT model_id, datanet_id, version, block_number, log_index FROM model_trained_on \
                 WHERE block_number <= $1 ORDER BY block_number, log_index",
            )
            .bind(to)
            .fetch_all(pool)
            .await?
        });
        for (model, datanet, version, b, l) in rows {
            // A datanet id or version too large for the index names nothing that exists.
            if let (Some(model), Some(datanet), Some(version)) = (model, datanet, version) {
                s.training_sets
                    .entry(id_of(model, "model_id")?)
                    .or_default()
                    .push(TrainingSetRow {
                        named: key(b, l)?,
                        datanet_id: id_of(datanet, "datanet_id")?,
                        version: uint(version, "version")?,
                    });
            }
        }

        let rows: Vec<(Option<i64>, String, i64, i64)> = on_pool!(store, pool => {
            sqlx::query_as(
                "SELECT agent_id, owner, block_number, log_index FROM agent_registered \
                 WHERE block_number <= $1",
            )
            .bind(to)
            .fetch_all(pool)
            .await?
        });
        for (id, owner, b, l) in rows {
            if let Some(id) = id {
                s.agents.insert(
                    id_of(id, "agent_id")?,
                    (key(b, l)?, address(&owner, "owner")?),
                );
            }
        }

        let rows: Vec<Ids3Row> = on_pool!(store, pool => {
            sqlx::query_as(
                "SELECT datanet_id, version, last_contribution_id, block_number, log_index \
                 FROM datanet_version_published WHERE block_number <= $1",
            )
            .bind(to)
            .fetch_all(pool)
            .await?
        });
        for (datanet, version, last, b, l) in rows {
            if let (Some(datanet), Some(version), Some(last)) = (datanet, version, last) {
                s.versions.insert(
                    (id_of(datanet, "datanet_id")?, uint(version, "version")?),
                    VersionRow {
                        published: key(b, l)?,
                        last_contribution_id: id_of(last, "last_contribution_id")?,
                    },
                );
            }
        }

        type Submitted = (Option<i64>, Option<i64>, String, String, i64, i64, i64);
        let rows: Vec<Submitted> = on_pool!(store, pool => {
            sqlx::query_as(
                "SELECT contribution_id, datanet_id, contributor, content_hash, status, \
                 block_number, log_index FROM datanet_contribution_submitted WHERE block_number <= $1",
            )
            .bind(to)
            .fetch_all(pool)
            .await?
        });
        for (id, datanet, contributor, content, status, b, l) in rows {
            if let (Some(id), Some(datanet)) = (id, datanet) {
                let submitted = key(b, l)?;
                s.contributions.insert(
                    id_of(id, "contribution_id")?,
                    ContributionRow {
                        datanet_id: id_of(datanet, "datanet_id")?,
                        contributor: address(&contributor, "contributor")?,
                        content_hash: hash(&content, "content_hash")?,
                        submitted,
                        position: submitted,
                        // Status 2 (Accepted) at submission: an open datanet accepts at once.
                        accepted: (status == 2).then_some(submitted),
                        rejected: None,
                    },
                );
            }
        }
        let commits: Vec<(Option<i64>, i64, i64)> = on_pool!(store, pool => {
            sqlx::query_as(
                "SELECT contribution_id, block_number, log_index FROM datanet_contribution_committed \
                 WHERE block_number <= $1",
            )
            .bind(to)
            .fetch_all(pool)
            .await?
        });
        for (id, b, l) in commits {
            let Some(id) = id else { continue };
            if let Some(c) = s.contributions.get_mut(&id_of(id, "contribution_id")?) {
                c.position = key(b, l)?;
            }
        }
        for (table, accepted) in [
            ("datanet_contribution_accepted", true),
            ("datanet_contribution_rejected", false),
        ] {
            let sql = format!(
                "SELECT contribution_id, block_number, log_index FROM {table} \
                 WHERE block_number <= $1 ORDER BY block_number, log_index"
            );
            let rows: Vec<(Option<i64>, i64, i64)> = on_pool!(store, pool => {
                sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(to).fetch_all(pool).await?
            });
            for (id, b, l) in rows {
                let Some(id) = id else { continue };
                if let Some(c) = s.contributions.get_mut(&id_of(id, "contribution_id")?) {
                    let k = Some(key(b, l)?);
                    if accepted {
                        c.accepted = c.accepted.or(k);
                    } else {
                        c.rejected = c.rejected.or(k);
                    }
                }
            }
        }

        let treasury: Option<String> = on_pool!(store, pool => {
            sqlx::query_scalar(
                "SELECT new_treasury FROM escrow_treasury_updated WHERE block_number <= $1 \
                 ORDER BY block_number DESC, log_index DESC LIMIT 1",
            )
            .bind(to)
            .fetch_optional(pool)
            .await?
        });
        s.treasury = treasury.map(|t| address(&t, "new_treasury")).transpose()?;

        Ok(s)
    }

    /// Owner of model `id` at `at`.
    pub fn model_owner(&self, id: U256, at: OrderKey) -> Option<Address> {
        let (registered, first) = *self.models.get(&id)?;
        (registered <= at).then(|| owner_at(first, self.model_transfers.get(&id), at))
    }

    /// The agent share's payee: agent `id`'s owner at `at`; `None` for agent 0 or an unknown one.
    pub fn agent_owner(&self, id: U256, at: OrderKey) -> Option<Address> {
        let (registered, first) = *self.agents.get(&id)?;
        (registered <= at).then(|| owner_at(first, self.agent_transfers.get(&id), at))
    }

    /// The lineage of the row's model with owners at `at`; `None` when any model (or the named
    /// agent) is unknown or the lineage exceeds the registry's bound.
    fn lineage_at(&self, row: &InferenceRow, at: OrderKey) -> Option<Lineage> {
        if !row.agent_id.is_zero() {
            self.agent_owner(row.agent_id, at)?;
        }
        self.lineage(row.model_id, at)
    }

    /// The lineage of `model` (itself and every ancestor) with owners at `at`.
    pub fn lineage(&self, model: U256, at: OrderKey) -> Option<Lineage> {
        let mut models = Vec::new();
        for id in self.ancestry(model)? {
            models.push(LineageModel {
                model_id: id,
                owner: self.model_owner(id, at)?,
                parents: self.parents.get(&id).cloned().unwrap_or_default(),
            });
        }
        Some(Lineage::new(models))
    }

    /// `model` and its ancestors (each once, breadth first); `None` if one is unknown or there
    /// are more than the registry allows.
    fn ancestry(&self, model: U256) -> Option<Vec<U256>> {
        let mut seen = BTreeSet::new();
        let mut queue = VecDeque::from([model]);
        let mut out = Vec::new();
        while let Some(id) = queue.pop_front() {
            if !seen.insert(id) {
                continue;
            }
            if !self.models.contains_key(&id) || out.len() > MAX_ROYALTY_EDGES {
                return None;
            }
            out.push(id);
            for p in self.parents.get(&id).into_iter().flatten() {
                queue.push_back(p.model_id);
            }
        }
        Some(out)
    }

    /// When contribution `id` was accepted, if it was and was not rejected by the snapshot's block.
    pub fn accepted_at(&self, id: U256) -> Option<OrderKey> {
        let c = self.contributions.get(&id)?;
        if c.rejected.is_some() {
            return None;
        }
        c.accepted
    }

    /// The training corpus of `model` (see the module documentation): contribution ids.
    pub fn training_corpus(&self, model: U256) -> BTreeSet<U256> {
        let mut out = BTreeSet::new();
        let models = self.ancestry(model).unwrap_or_else(|| {
            // Unknown ancestors: the model's own sets and those of every known ancestor still
            // count (the inference is unresolved anyway; this only keeps the rule total).
            vec![model]
        });
        for m in models {
            for set in self.training_sets.get(&m).into_iter().flatten() {
                let Some(version) = self.versions.get(&(set.datanet_id, set.version)) else {
                    continue;
                };
                if version.published > set.named {
                    continue;
                }
                out.extend(
                    self.contributions
                        .range(..=version.last_contribution_id)
                        .filter(|(id, c)| {
                            c.datanet_id == set.datanet_id
                                && self
                                    .accepted_at(**id)
                                    .is_some_and(|k| k <= version.published)
                        })
                        .map(|(id, _)| *id),
                );
            }
        }
        out
    }

    /// Every accepted record up to the latest acceptance among `corpus` (the prefix whose
    /// clustering decides the clusters of `corpus`), by id.
    pub fn records_to_cluster<'a>(&self, corpus: impl Iterator<Item = &'a U256>) -> Vec<U256> {
        let Some(last) = corpus.filter_map(|id| self.accepted_at(*id)).max() else {
            return Vec::new();
        };
        self.contributions
            .keys()
            .filter(|id| self.accepted_at(**id).is_some_and(|k| k <= last))
            .copied()
            .collect()
    }

    /// Every contribution revealed by the end of the clustered prefix `clustered` (as
    /// [`Self::records_to_cluster`] gives it) that is not in it: pending, rejected, withdrawn, or
    /// accepted only later. Their text is prior art (see [`RecordRole::PriorArtOnly`]); one
    /// revealed after the prefix ends cannot be earlier than any record of it.
    pub fn prior_art_only(&self, clustered: &[U256]) -> Vec<U256> {
        let Some(last) = clustered
            .iter()
            .filter_map(|id| self.accepted_at(*id))
            .max()
        else {
            return Vec::new();
        };
        let clustered: BTreeSet<&U256> = clustered.iter().collect();
        self.contributions
            .iter()
            .filter(|(id, c)| {
                !clustered.contains(id) && c.submitted <= last && c.content_hash != B256::ZERO
            })
            .map(|(id, _)| *id)
            .collect()
    }
}

fn owner_at(first: Address, transfers: Option<&Vec<(OrderKey, Address)>>, at: OrderKey) -> Address {
    transfers
        .into_iter()
        .flatten()
        .take_while(|(k, _)| *k <= at)
        .last()
        .map_or(first, |(_, a)| *a)
}

fn malformed(column: &'static str, value: impl ToString) -> InputError {
    InputError::Malformed {
        column,
        value: value.to_string(),
    }
}

fn int(v: u64) -> Result<i64, InputError> {
    i64::try_from(v).map_err(|_| malformed("block_number", v))
}

fn uint(v: i64, column: &'static str) -> Result<u64, InputError> {
    u64::try_from(v).map_err(|_| malformed(column, v))
}

fn id_of(v: i64, column: &'static str) -> Result<U256, InputError> {
    Ok(U256::from(uint(v, column)?))
}

fn key(block: i64, log: i64) -> Result<OrderKey, InputError> {
    Ok(OrderKey::new(
        uint(block, "block_number")?,
        uint(log, "log_index")?,
    ))
}

fn amount(v: &str, column: &'static str) -> Result<U256, InputError> {
    U256::from_str_radix(v, 10).map_err(|_| malformed(column, v))
}

fn hash(v: &str, column: &'static str) -> Result<B256, InputError> {
    v.parse().map_err(|_| malformed(column, v))
}

fn address(v: &str, column: &'static str) -> Result<Address, InputError> {
    v.parse().map_err(|_| malformed(column, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(block: u64) -> OrderKey {
        OrderKey::new(block, 0)
    }

    fn contribution(datanet: u64, submitted: u64, accepted: Option<u64>) -> ContributionRow {
        ContributionRow {
            datanet_id: U256::from(datanet),
            contributor: Address::repeat_byte(datanet as u8),
            content_hash: B256::repeat_byte(1),
            submitted: k(submitted),
            position: k(submitted),
            accepted: accepted.map(k),
            rejected: None,
        }
    }

    /// Datanet 1: contributions 1 (accepted at 10), 2 (accepted at 30, after the version),
    /// 4 (accepted at 12 but after the version's last id), 5 (rejected later); datanet 2:
    /// contribution 3. Version (1, 1) published at 20 with last id 3; model 1 (registered at 25)
    /// names it; model 2 names version (1, 2), published at 40, after its registration at 35.
    fn snapshot() -> ChainSnapshot {
        let mut s = ChainSnapshot::default();
        s.contributions
            .insert(U256::from(1), contribution(1, 5, Some(10)));
        s.contributions
            .insert(U256::from(2), contribution(1, 6, Some(30)));
        s.contributions
            .insert(U256::from(3), contribution(2, 7, Some(8)));
        s.contributions
            .insert(U256::from(4), contribution(1, 11, Some(12)));
        let mut rejected = contribution(1, 2, Some(3));
        rejected.rejected = Some(k(50));
        s.contributions.insert(U256::ZERO, rejected);
        s.versions.insert(
            (U256::from(1), 1),
            VersionRow {
                published: k(20),
                last_contribution_id: U256::from(3),
            },
        );
        s.versions.insert(
            (U256::from(1), 2),
            VersionRow {
                published: k(40),
                last_contribution_id: U256::from(4),
            },
        );
        s.models
            .insert(U256::from(1), (k(25), Address::repeat_byte(0xa1)));
        s.models
            .insert(U256::from(2), (k(35), Address::repeat_byte(0xa2)));
        s.training_sets.insert(
            U256::from(1),
            vec![TrainingSetRow {
                named: k(25),
                datanet_id: U256::from(1),
                version: 1,
            }],
        );
        s.training_sets.insert(
            U256::from(2),
            vec![TrainingSetRow {
                named: k(35),
                datanet_id: U256::from(1),
                version: 2,
            }],
        );
        s
    }

    #[test]
    fn corpus_is_the_version_as_published_before_the_model() {
        let s = snapshot();
        // 1 only: 2 was accepted after the version, 3 is another datanet, 4 is beyond the last
        // id, 0 was rejected.
        assert_eq!(
            s.training_corpus(U256::from(1)),
            BTreeSet::from([U256::from(1)])
        );
        // Version 2 was published after model 2 was registered: nothing.
        assert!(s.training_corpus(U256::from(2)).is_empty());
    }

    #[test]
    fn ancestors_add_their_corpora_and_owners_follow_transfers() {
        let mut s = snapshot();
        s.models
            .insert(U256::from(3), (k(60), Address::repeat_byte(0xa3)));
        s.parents.insert(
            U256::from(3),
            vec![ParentLink {
                model_id: U256::from(1),
                royalty_bps: 1000,
            }],
        );
        s.model_transfers.insert(
            U256::from(1),
            vec![
                (k(25), Address::repeat_byte(0xa1)),
                (k(70), Address::repeat_byte(0xb1)),
            ],
        );
        assert_eq!(
            s.training_corpus(U256::from(3)),
            BTreeSet::from([U256::from(1)])
        );
        let before = s.lineage(U256::from(3), k(65)).unwrap();
        assert_eq!(
            before.models[&U256::from(1)].owner,
            Address::repeat_byte(0xa1)
        );
        let after = s.lineage(U256::from(3), k(75)).unwrap();
        assert_eq!(
            after.models[&U256::from(1)].owner,
            Address::repeat_byte(0xb1)
        );
        assert!(s.lineage(U256::from(9), k(75)).is_none());
    }

    #[test]
    fn the_clustered_prefix_ends_at_the_latest_corpus_acceptance() {
        let s = snapshot();
        let corpus = s.training_corpus(U256::from(1));
        // Accepted at or before block 10 (contribution 1's acceptance): 1 and 3 (at 8); not the
        // rejected one.
        assert_eq!(
            s.records_to_cluster(corpus.iter()),
            vec![U256::from(1), U256::from(3)]
        );
    }

    #[test]
    fn prior_art_only_is_what_was_revealed_by_the_prefix_end_and_not_clustered() {
        let mut s = snapshot();
        // Pending since block 9, and one revealed at 60, after the prefix ends (at 10).
        s.contributions
            .insert(U256::from(6), contribution(1, 9, None));
        s.contributions
            .insert(U256::from(7), contribution(1, 60, None));
        let clustered = s.records_to_cluster(s.training_corpus(U256::from(1)).iter());
        // 0 (rejected), 2 (accepted only at 30), 6 (pending); not 4 (revealed at 11), not 7.
        assert_eq!(
            s.prior_art_only(&clustered),
            vec![U256::ZERO, U256::from(2), U256::from(6)]
        );
        assert!(s.prior_art_only(&[]).is_empty());
    }

    #[test]
    fn agent_payee_is_the_owner_at_payment() {
        let mut s = ChainSnapshot::default();
        s.agents
            .insert(U256::from(1), (k(5), Address::repeat_byte(1)));
        s.agent_transfers.insert(
            U256::from(1),
            vec![
                (k(5), Address::repeat_byte(1)),
                (k(9), Address::repeat_byte(2)),
            ],
        );
        assert_eq!(s.agent_owner(U256::from(1), k(4)), None);
        assert_eq!(
            s.agent_owner(U256::from(1), k(8)),
            Some(Address::repeat_byte(1))
        );
        assert_eq!(
            s.agent_owner(U256::from(1), k(9)),
            Some(Address::repeat_byte(2))
        );
        assert_eq!(s.agent_owner(U256::ZERO, k(9)), None);
    }
}
