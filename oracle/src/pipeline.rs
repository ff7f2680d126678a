//! One epoch, from inputs to a signed-ready report: pure and deterministic.
//!
//! [`compute_epoch`] clusters the records, builds (or loads) the suffix index of each corpus an
//! output is attributed against, attributes and splits every inference paid in the range,
//! settles the carried items whose output is now available, accumulates the balances, builds the
//! Merkle tree and writes the report. The only side effect is the index cache, whose files are
//! checked against the corpus before use, so the result depends on the inputs alone: two nodes,
//! or `verify` years later, get the same bytes.
//!
//! Before anything is returned the epoch's ledger is checked to the wei (see
//! [`crate::report::EpochTotals`]) and against the pot (`total_cumulative` plus what is still
//! carried never exceeds the net fees paid up to `to_block`); a failed check is an error, so a
//! node never signs an epoch that does not add up.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::PathBuf,
};

use alloy::primitives::{Address, B256, Keccak256, U256};
use openledger_sdk::{
    RootUpdate,
    merkle::{Claim, ClaimTree, MerkleError},
    report::{Balance, REPORT_FORMAT, ReportBalances},
};

use crate::{
    Attribution, AttributionParams, ClusterError, ClusterId, ClusterParams, Clustering,
    Contribution, Corpus, IndexError, InferenceSplit, Lineage, OrderKey, Role, SplitError,
    SplitParams, SuffixIndex, UnresolvedReason, attribute,
    attribute::MICRO,
    cluster,
    index::CorpusOptions,
    inputs::{EpochInputs, InferenceInput, Output, RecordInput, RecordRole},
    prior_art::PriorArt,
    report::{
        AccountEntry, AllocationEntry, CarriedEntry, ClusterEntry, CorpusEntry, EpochReport,
        EpochTotals, InferenceEntry, InputSummary, PreviousRef, RULES_VERSION, ReportFormatError,
        ReportParams, RoleEntry, SpanEntry, SplitParamsEntry, Status, report_hash,
    },
    resolve_carried,
    shard::{ShardError, ShardSet, ShardStore, ShardWork},
    split::{AttributedClaim, Coverage},
    split_inference, split_unresolved, weights_by_owner,
};

/// The oracle's parameters (the split's recipient of unattributed shares comes from the chain).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OracleParams {
    /// Clustering.
    pub cluster: ClusterParams,
    /// Attribution.
    pub attribution: AttributionParams,
    /// How an attributed output's data share is paid.
    pub data_share: DataShareRule,
}

/// How the data share of an attributed output is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataShareRule {
    /// Rules `/3`: the part of the data share paid by weight is the output's coverage (its tokens
    /// credited to records), the rest goes to the unattributed recipient, and the accounts that
    /// control the output (owners of its lineage, the agent's payee) earn none of it.
    #[default]
    Coverage,
    /// Rules `/2`: any attribution takes the whole data share, split by weight among every
    /// account credited, output controllers included. Kept to measure what rules `/3` changed
    /// (the red-team catalogue prints both); a node signs with [`Self::Coverage`].
    Whole,
}

/// Why an epoch could not be computed. None of these is about one inference: those are carried.
#[derive(Debug, thiserror::Error)]
pub enum ComputeError {
    /// Clustering failed.
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    /// An index could not be built or stored.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// A shard could not be built, stored or opened.
    #[error(transparent)]
    Shard(#[from] ShardError),
    /// A split failed.
    #[error(transparent)]
    Split(#[from] SplitError),
    /// The report could not be written.
    #[error(transparent)]
    Report(#[from] ReportFormatError),
    /// The tree could not be built.
    #[error(transparent)]
    Merkle(#[from] MerkleError),
    /// The report's balances do not back its own root (a bug; never signed).
    #[error("the report does not back its root: {0}")]
    SelfCheck(String),
    /// The ledger does not add up (a bug; never signed).
    #[error("conservation violated: {0}")]
    Conservation(String),
    /// More would be owed than was ever paid in.
    #[error(
        "insolvent: total {total} plus carried {carried} exceeds the {distributable} paid in up to the epoch's last block"
    )]
    Insolvent {
        /// `total_cumulative`.
        total: U256,
        /// Still carried.
        carried: U256,
        /// Net fees paid up to `to_block`.
        distributable: U256,
    },
    /// No account has a balance yet: there is no root to commit to.
    #[error("nothing to commit: no account has a balance")]
    NothingToCommit,
}

/// A computed epoch.
#[derive(Debug, Clone)]
pub struct ComputedEpoch {
    /// The report.
    pub report: EpochReport,
    /// Its canonical bytes.
    pub json: Vec<u8>,
    /// keccak256 of `json`.
    pub report_hash: B256,
    /// What the committee signs.
    pub update: RootUpdate,
    /// The claims tree of the balances.
    pub tree: ClaimTree,
    /// Content hashes that were unavailable or did not match (outputs and records): the only
    /// inputs that can change for the same block range. Recomputing gives the same report until
    /// one of them can be fetched.
    pub missing_contents: BTreeSet<B256>,
    /// What indexing the corpora cost (not part of the report: it depends on the node's files).
    pub indexing: Indexing,
}

/// The shard work of an epoch, and the files it used (for pruning).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Indexing {
    /// Shards built and reused, over every corpus.
    pub work: ShardWork,
    /// Every shard file the epoch's corpora are made of.
    pub shard_files: BTreeSet<PathBuf>,
}

impl ComputedEpoch {
    /// Whether the epoch settles anything (an inference paid in it, or a carried one resolved).
    /// Committees skip epochs that do not: the next one simply covers more blocks.
    pub fn settles_anything(&self) -> bool {
        !self.report.inferences.is_empty() || !self.report.resolved.is_empty()
    }

    /// Whether some input was unavailable (an output or a record): recomputing later may give
    /// another report.
    pub fn has_unavailable_inputs(&self) -> bool {
        !self.report.carried.is_empty() || !self.report.inputs.records_unavailable.is_empty()
    }
}

/// A corpus and its index (`None` for an empty corpus, which matches nothing).
#[derive(Debug)]
struct ModelIndex {
    corpus_hash: B256,
    documents: u64,
    tokens: u64,
    index: Option<CorpusIndex>,
    models: BTreeSet<U256>,
}

/// One index of a corpus in memory, or its shards on disk: both answer alike.
#[derive(Debug)]
enum CorpusIndex {
    Memory(SuffixIndex),
    Shards(ShardSet),
}

impl CorpusIndex {
    fn attribute(&self, text: &str, params: &AttributionParams) -> Attribution {
        match self {
            Self::Memory(index) => attribute(index, text, params),
            Self::Shards(set) => attribute(set, text, params),
        }
    }
}

/// Computes an epoch. With `shards`, corpora are indexed into shard files there, and shards an
/// earlier epoch (or another corpus) built are reused; without it each corpus is indexed in
/// memory. The report is the same either way.
#[tracing::instrument(skip_all, fields(epoch = inputs.header.epoch))]
pub fn compute_epoch(
    inputs: &EpochInputs,
    params: &OracleParams,
    shards: Option<&ShardStore>,
) -> Result<ComputedEpoch, ComputeError> {
    let header = inputs.header;
    let contributions: Vec<Contribution> = inputs
        .records
        .iter()
        .filter(|r| r.role == RecordRole::Accepted)
        .filter_map(|r| {
            Some(Contribution {
                id: r.id,
                contributor: r.contributor,
                order: r.order,
                text: r.text.clone()?,
            })
        })
        .collect();
    let records_unavailable: Vec<U256> = inputs
        .records
        .iter()
        .filter(|r| r.text.is_none())
        .map(|r| r.id)
        .collect();
    let clustering = cluster(&contributions, &params.cluster)?;
    let earlier = PriorArtOnly::of(inputs, &clustering)?;
    let mut owners = clustering.owners();
    owners.extend(earlier.owners());
    // Prior art over every accepted record of every datanet (a copy of part of a record in a
    // datanet the model trains on still credits the original in a datanet it does not), and
    // every record revealed earlier but not accepted.
    let prior_art = PriorArt::compute(
        earlier.documents(inputs, &clustering),
        params.attribution.prior_art_span,
    );
    tracing::debug!(
        records = contributions.len(),
        clusters = clustering.clusters.len(),
        "clustered"
    );

    // Indexes, only for the models an available output is attributed against.
    let needed: BTreeSet<U256> = inputs
        .inferences
        .iter()
        .chain(inputs.carried.iter().map(|c| &c.inference))
        .filter(|i| i.lineage.is_some() && matches!(i.output, Output::Text(_)))
        .map(|i| i.model_id)
        .collect();
    let mut indexes: Vec<ModelIndex> = Vec::new();
    let mut index_of_clusters: BTreeMap<Vec<ClusterId>, usize> = BTreeMap::new();
    let mut index_of_model: BTreeMap<U256, usize> = BTreeMap::new();
    let mut indexing = Indexing::default();
    for &model in &needed {
        let clusters: BTreeSet<ClusterId> = inputs
            .corpora
            .get(&model)
            .into_iter()
            .flatten()
            .filter_map(|id| clustering.assignment.get(id).copied())
            .collect();
        let clusters: Vec<ClusterId> = clusters.into_iter().collect();
        let slot = match index_of_clusters.get(&clusters) {
            Some(&slot) => slot,
            None => {
                let options = CorpusOptions::for_params(&params.attribution, Some(&prior_art));
                let built = build_index(&clustering, &clusters, &options, shards, &mut indexing)?;
                indexes.push(built);
                index_of_clusters.insert(clusters, indexes.len() - 1);
                indexes.len() - 1
            }
        };
        indexes[slot].models.insert(model);
        index_of_model.insert(model, slot);
    }

    let split_params = SplitParams {
        unattributed_recipient: inputs.treasury,
    };
    let ctx = Context {
        clustering: &clustering,
        earlier: &earlier,
        owners: &owners,
        indexes: &indexes,
        index_of_model: &index_of_model,
        attribution: &params.attribution,
        data_share: params.data_share,
        split: &split_params,
    };

    let mut inferences = Vec::new();
    let mut carried: Vec<CarriedEntry> = Vec::new();
    let mut splits: Vec<InferenceSplit> = Vec::new();
    let (mut paid_net, mut newly_carried) = (U256::ZERO, U256::ZERO);
    for inf in &inputs.inferences {
        paid_net = add(paid_net, inf.net)?;
        let (entry, split, held) = ctx.settle_new(inf, header.epoch)?;
        if let Some(held) = held {
            newly_carried = add(newly_carried, held.amount)?;
            carried.push(held);
        }
        inferences.push(entry);
        splits.push(split);
    }

    let mut resolved = Vec::new();
    let (mut carried_in, mut resolved_sum) = (U256::ZERO, U256::ZERO);
    for item in &inputs.carried {
        carried_in = add(carried_in, item.entry.amount)?;
        match ctx.settle_carried(item)? {
            Settled::Resolved(entry, split) => {
                resolved_sum = add(resolved_sum, split.amount)?;
                resolved.push(*entry);
                splits.push(split);
            }
            Settled::StillCarried(entry) => carried.push(entry),
        }
    }
    carried.sort_by_key(|c| c.inference_id);

    let earned = crate::split::totals(&splits)?;
    let previous_balances = inputs
        .previous
        .as_ref()
        .map(|p| p.balances.clone())
        .unwrap_or_default();
    let cumulative = crate::accumulate(&previous_balances, &earned)?;
    let mut total_cumulative = U256::ZERO;
    for v in cumulative.values() {
        total_cumulative = add(total_cumulative, *v)?;
    }
    let mut allocated = U256::ZERO;
    for v in earned.values() {
        allocated = add(allocated, *v)?;
    }
    let carried_out = carried
        .iter()
        .try_fold(U256::ZERO, |acc, c| acc.checked_add(c.amount))
        .ok_or(SplitError::Overflow)?;
    let previous_total = inputs
        .previous
        .as_ref()
        .map_or(U256::ZERO, |p| p.total_cumulative);
    let totals = EpochTotals {
        paid_net,
        carried_in,
        resolved: resolved_sum,
        newly_carried,
        carried_out,
        allocated,
        previous_total,
        total_cumulative,
    };
    check_ledger(&totals)?;
    let owed = add(total_cumulative, carried_out)?;
    if owed > inputs.distributable {
        return Err(ComputeError::Insolvent {
            total: total_cumulative,
            carried: carried_out,
            distributable: inputs.distributable,
        });
    }
    if cumulative.is_empty() {
        return Err(ComputeError::NothingToCommit);
    }

    let balances: Vec<Balance> = cumulative
        .iter()
        .map(|(&account, &cumulative)| Balance {
            account,
            cumulative,
        })
        .collect();
    let tree = ClaimTree::of(
        balances
            .iter()
            .map(|b| Claim::new(b.account, header.token, b.cumulative))
            .collect(),
    )?;

    let mut cited: BTreeSet<ClusterId> = BTreeSet::new();
    for entry in inferences.iter().chain(&resolved) {
        for span in &entry.spans {
            cited.extend(span.clusters.iter().filter_map(|rep| {
                clustering
                    .assignment
                    .get(rep)
                    .copied()
                    .filter(|cid| {
                        clustering
                            .get(*cid)
                            .is_some_and(|c| c.representative == *rep)
                    })
                    .or_else(|| earlier.cluster_of(*rep))
            }));
        }
    }
    // A prior-art-only record is cited as a cluster of one, so the report names its owner.
    let mut clusters: Vec<ClusterEntry> = cited
        .iter()
        .filter_map(|cid| match clustering.get(*cid) {
            Some(c) => Some(ClusterEntry {
                representative: c.representative,
                owner: c.owner,
                members: c.members.clone(),
            }),
            None => earlier.record(*cid).map(|(id, owner)| ClusterEntry {
                representative: id,
                owner,
                members: vec![id],
            }),
        })
        .collect();
    clusters.sort_by_key(|c| c.representative);

    let report = EpochReport {
        format: REPORT_FORMAT.to_owned(),
        chain_id: header.chain_id,
        escrow: header.escrow,
        token: header.token,
        epoch: header.epoch,
        from_block: header.range.from_block,
        to_block: header.range.to_block,
        root: tree.root(),
        total_cumulative,
        balances,
        previous: inputs.previous.as_ref().map(|p| PreviousRef {
            epoch: p.epoch,
            report_hash: p.report_hash,
            root: p.root,
            total_cumulative: p.total_cumulative,
        }),
        parameters: ReportParams {
            rules: RULES_VERSION.to_owned(),
            cluster: params.cluster.into(),
            attribution: params.attribution,
            split: SplitParamsEntry {
                unattributed_recipient: inputs.treasury,
                data_share: params.data_share,
            },
        },
        inputs: InputSummary {
            inferences: inputs.inferences.len() as u64,
            inferences_digest: inferences_digest(&inputs.inferences),
            records: contributions.len() as u64,
            prior_art_records: earlier.len() as u64,
            records_digest: records_digest(inputs),
            records_unavailable,
            corpora: indexes
                .iter()
                .map(|i| CorpusEntry {
                    corpus_hash: i.corpus_hash,
                    models: i.models.iter().copied().collect(),
                    documents: i.documents,
                    tokens: i.tokens,
                })
                .collect(),
            distributable: inputs.distributable,
        },
        inferences,
        resolved,
        carried,
        clusters,
        accounts: earned
            .iter()
            .map(|(&account, &earned)| AccountEntry {
                account,
                earned,
                cumulative: cumulative.get(&account).copied().unwrap_or_default(),
            })
            .collect(),
        totals,
    };
    let json = report.to_canonical_json()?;
    // What every reader of the report will do first: it must parse as balances and back its root.
    let check =
        ReportBalances::from_json(&json).map_err(|e| ComputeError::SelfCheck(e.to_string()))?;
    let rebuilt = check
        .verified_tree()
        .map_err(|e| ComputeError::SelfCheck(e.to_string()))?;
    if rebuilt.root() != report.root {
        return Err(ComputeError::SelfCheck("root differs after parsing".into()));
    }
    let report_hash = report_hash(&json);
    let update = RootUpdate {
        epoch: header.epoch,
        root: report.root,
        totalCumulative: total_cumulative,
        reportHash: report_hash,
        fromBlock: header.range.from_block,
        toBlock: header.range.to_block,
    };
    tracing::info!(
        root = %report.root,
        %report_hash,
        inferences = report.inferences.len(),
        resolved = report.resolved.len(),
        carried = report.carried.len(),
        accounts = report.balances.len(),
        "epoch computed"
    );
    let outputs = inputs
        .inferences
        .iter()
        .chain(inputs.carried.iter().map(|c| &c.inference));
    let missing_contents = outputs
        .filter(|i| !matches!(i.output, Output::Text(_)))
        .map(|i| i.output_hash)
        .chain(
            inputs
                .records
                .iter()
                .filter(|r| r.text.is_none())
                .map(|r| r.content_hash),
        )
        .collect();
    Ok(ComputedEpoch {
        report,
        json,
        report_hash,
        update,
        tree,
        missing_contents,
        indexing,
    })
}

/// Records revealed earlier but not accepted ([`RecordRole::PriorArtOnly`]) with their text, each
/// numbered as a cluster of its own after the clustering's clusters, so that prior art can name
/// it as the origin of held text and the split pays its contributor.
#[derive(Debug, Default)]
struct PriorArtOnly {
    /// First id: the clustering's cluster count.
    base: u32,
    /// `(contribution id, contributor, position)`, in canonical order (position, then id).
    records: Vec<(U256, Address, OrderKey)>,
    /// Index into `records` of each contribution id.
    by_id: BTreeMap<U256, u32>,
}

impl PriorArtOnly {
    fn of(inputs: &EpochInputs, clustering: &Clustering) -> Result<Self, ComputeError> {
        let base =
            u32::try_from(clustering.clusters.len()).map_err(|_| ClusterError::TooManyClusters)?;
        let mut records: Vec<(U256, Address, OrderKey)> = inputs
            .records
            .iter()
            .filter(|r| r.role == RecordRole::PriorArtOnly && r.text.is_some())
            .map(|r| (r.id, r.contributor, r.order))
            .collect();
        records.sort_by_key(|&(id, _, order)| (order, id));
        u32::try_from(records.len())
            .ok()
            .and_then(|n| n.checked_add(base))
            .ok_or(ClusterError::TooManyClusters)?;
        let by_id = records
            .iter()
            .enumerate()
            .map(|(i, r)| (r.0, i as u32))
            .collect();
        Ok(Self {
            base,
            records,
            by_id,
        })
    }

    fn len(&self) -> usize {
        self.records.len()
    }

    fn cluster_of(&self, id: U256) -> Option<ClusterId> {
        self.by_id.get(&id).map(|i| ClusterId(self.base + i))
    }

    /// `(contribution id, contributor)` of the record numbered `cid`.
    fn record(&self, cid: ClusterId) -> Option<(U256, Address)> {
        let i = usize::try_from(cid.0.checked_sub(self.base)?).ok()?;
        self.records.get(i).map(|r| (r.0, r.1))
    }

    fn owners(&self) -> impl Iterator<Item = (ClusterId, Address)> + '_ {
        self.records
            .iter()
            .enumerate()
            .map(|(i, r)| (ClusterId(self.base + i as u32), r.1))
    }

    /// Every cluster's representative and every prior-art-only record, merged in canonical
    /// order (position, then id): the documents prior art is computed over.
    fn documents<'a>(
        &'a self,
        inputs: &'a EpochInputs,
        clustering: &'a Clustering,
    ) -> Vec<(ClusterId, &'a str)> {
        let records: BTreeMap<U256, &RecordInput> =
            inputs.records.iter().map(|r| (r.id, r)).collect();
        let mut docs: Vec<((OrderKey, U256), ClusterId, &'a str)> = clustering
            .clusters
            .iter()
            .filter_map(|c| {
                let order = records.get(&c.representative)?.order;
                Some(((order, c.representative), c.id, c.text.as_str()))
            })
            .collect();
        docs.extend(self.records.iter().enumerate().filter_map(|(i, r)| {
            let text = records.get(&r.0)?.text.as_deref()?;
            Some(((r.2, r.0), ClusterId(self.base + i as u32), text))
        }));
        // Stable, and the clusters are already in canonical order among themselves.
        docs.sort_by_key(|d| d.0);
        docs.into_iter().map(|(_, cid, text)| (cid, text)).collect()
    }
}

fn add(a: U256, b: U256) -> Result<U256, ComputeError> {
    a.checked_add(b)
        .ok_or(ComputeError::Split(SplitError::Overflow))
}

/// The ledger identities of [`EpochTotals`].
fn check_ledger(t: &EpochTotals) -> Result<(), ComputeError> {
    let fail = |what: &str| Err(ComputeError::Conservation(format!("{what}: {t:?}")));
    let expected_allocated = t
        .paid_net
        .checked_add(t.resolved)
        .and_then(|v| v.checked_sub(t.newly_carried));
    if expected_allocated != Some(t.allocated) {
        return fail("allocated != paid_net - newly_carried + resolved");
    }
    let expected_out = t
        .carried_in
        .checked_add(t.newly_carried)
        .and_then(|v| v.checked_sub(t.resolved));
    if expected_out != Some(t.carried_out) {
        return fail("carried_out != carried_in - resolved + newly_carried");
    }
    if t.previous_total.checked_add(t.allocated) != Some(t.total_cumulative) {
        return fail("total_cumulative != previous_total + allocated");
    }
    Ok(())
}

fn build_index(
    clustering: &Clustering,
    clusters: &[ClusterId],
    options: &CorpusOptions<'_>,
    store: Option<&ShardStore>,
    indexing: &mut Indexing,
) -> Result<ModelIndex, ComputeError> {
    let corpus = Corpus::build_with(
        clusters
            .iter()
            .filter_map(|cid| clustering.get(*cid).map(|c| (*cid, c.text.as_str()))),
        options,
    )?;
    let corpus_hash = corpus.hash();
    let documents = corpus.document_count() as u64;
    let tokens = corpus.token_count();
    let index = if documents == 0 {
        None
    } else if let Some(store) = store {
        let (set, work) = store.index(&corpus)?;
        tracing::debug!(%corpus_hash, ?work, documents, tokens, "shards ready");
        indexing.work.add(&work);
        indexing
            .shard_files
            .extend(set.shards().iter().map(|s| s.path().to_path_buf()));
        Some(CorpusIndex::Shards(set))
    } else {
        Some(CorpusIndex::Memory(SuffixIndex::build(corpus)))
    };
    Ok(ModelIndex {
        corpus_hash,
        documents,
        tokens,
        index,
        models: BTreeSet::new(),
    })
}

enum Settled {
    Resolved(Box<InferenceEntry>, InferenceSplit),
    StillCarried(CarriedEntry),
}

/// What settling needs, borrowed.
struct Context<'a> {
    clustering: &'a Clustering,
    earlier: &'a PriorArtOnly,
    owners: &'a BTreeMap<ClusterId, Address>,
    indexes: &'a [ModelIndex],
    index_of_model: &'a BTreeMap<U256, usize>,
    attribution: &'a AttributionParams,
    data_share: DataShareRule,
    split: &'a SplitParams,
}

impl Context<'_> {
    fn representative(&self, cid: ClusterId) -> U256 {
        self.clustering
            .get(cid)
            .map(|c| c.representative)
            .or_else(|| self.earlier.record(cid).map(|(id, _)| id))
            .unwrap_or(U256::MAX)
    }

    /// Attribution of an output against its model's corpus, and the corpus hash.
    fn attribute(&self, model: U256, text: &str) -> (Attribution, Option<B256>) {
        let Some(index) = self
            .index_of_model
            .get(&model)
            .and_then(|&i| self.indexes.get(i))
        else {
            return (Attribution::default(), None);
        };
        let attribution = match &index.index {
            Some(index) => index.attribute(text, self.attribution),
            None => Attribution {
                output_tokens: u32::try_from(crate::text::words(text).len()).unwrap_or(u32::MAX),
                ..Attribution::default()
            },
        };
        (attribution, Some(index.corpus_hash))
    }

    fn entry(
        &self,
        inf: &InferenceInput,
        attribution: Option<(&Attribution, Option<B256>)>,
        coverage: Option<Coverage>,
        split: &InferenceSplit,
        reason: Option<UnresolvedReason>,
        carried: U256,
    ) -> InferenceEntry {
        let (spans, total_weight, output_tokens, covered_tokens, corpus_hash) = match attribution {
            Some((a, corpus)) => (
                a.spans
                    .iter()
                    .map(|s| SpanEntry {
                        start: s.start,
                        end: s.end,
                        text: s.text.clone(),
                        substitutions: s.substitutions.clone(),
                        occurrences: s.occurrences,
                        distinct: s.distinct,
                        credited: s.credited,
                        clusters: s.clusters.iter().map(|c| self.representative(*c)).collect(),
                        weight: s.weight,
                        shares: s.shares.clone(),
                    })
                    .collect(),
                a.total_weight,
                a.output_tokens,
                a.covered_tokens,
                corpus,
            ),
            None => (Vec::new(), 0, 0, 0, None),
        };
        let allocations = split
            .allocations
            .iter()
            .map(|a| AllocationEntry {
                account: a.account,
                amount: a.amount,
                role: match a.role {
                    Role::Owner { model_id } => RoleEntry::Owner { model_id },
                    Role::Royalty { model_id, child } => RoleEntry::Royalty { model_id, child },
                    Role::SplitDust => RoleEntry::SplitDust,
                    Role::Agent => RoleEntry::Agent {
                        agent_id: inf.agent_id,
                    },
                    Role::AgentlessShare => RoleEntry::AgentlessShare,
                    Role::Data { weight } => RoleEntry::Data {
                        weight,
                        clusters: attribution
                            .map(|(attr, _)| {
                                let mut reps: Vec<U256> = attr
                                    .weights
                                    .keys()
                                    .filter(|cid| self.owners.get(cid) == Some(&a.account))
                                    .map(|cid| self.representative(*cid))
                                    .collect();
                                reps.sort();
                                reps
                            })
                            .unwrap_or_default(),
                    },
                    Role::Unattributed => RoleEntry::Unattributed,
                },
            })
            .collect();
        InferenceEntry {
            inference_id: inf.inference_id,
            block_number: inf.key.block,
            log_index: inf.key.log_index,
            model_id: inf.model_id,
            agent_id: inf.agent_id,
            net: inf.net,
            output_hash: inf.output_hash,
            status: if reason.is_some() {
                Status::Unresolved
            } else {
                Status::Resolved
            },
            reason,
            corpus_hash,
            output_tokens,
            covered_tokens,
            coverage,
            total_weight,
            spans,
            allocations,
            settled: split.amount,
            carried,
            carried_since: None,
        }
    }

    /// The data claim of an attributed output: weights per cluster owner and the coverage that
    /// scales the part paid by weight. Accounts that control the inference's output (the owner of
    /// every model of its lineage, the agent's payee and the payer) earn no data share from it: their
    /// clusters' weight is dropped and the micro-tokens credited to them leave the coverage's
    /// measure too, so quoting one's own record neither pays nor dilutes anyone else.
    fn claim(
        &self,
        inf: &InferenceInput,
        lineage: &Lineage,
        attribution: &Attribution,
    ) -> Result<AttributedClaim, ComputeError> {
        if self.data_share == DataShareRule::Whole {
            return Ok(AttributedClaim {
                weights: weights_by_owner(&attribution.weights, self.owners)?,
                coverage: None,
            });
        }
        let related: BTreeSet<Address> = lineage
            .models
            .values()
            .map(|m| m.owner)
            .chain(inf.agent_payee)
            .chain([inf.payer])
            .collect();
        let mut weights = weights_by_owner(&attribution.weights, self.owners)?;
        weights.retain(|account, _| !related.contains(account));
        let (mut covered, mut excluded) = (0u64, 0u64);
        for (cluster, &micro) in &attribution.coverage {
            match self.owners.get(cluster) {
                Some(owner) if related.contains(owner) => excluded += micro,
                _ => covered += micro,
            }
        }
        let eligible = (u64::from(attribution.output_tokens) * MICRO).saturating_sub(excluded);
        Ok(AttributedClaim {
            weights,
            coverage: Some(Coverage { covered, eligible }),
        })
    }

    /// Why `inf` cannot be attributed now, if it cannot.
    fn blocker(inf: &InferenceInput) -> Option<(UnresolvedReason, Option<&Lineage>)> {
        match (&inf.lineage, &inf.output) {
            (None, _) => Some((UnresolvedReason::UnknownModel, None)),
            (Some(l), Output::Unavailable) => Some((UnresolvedReason::OutputUnavailable, Some(l))),
            (Some(l), Output::Mismatch) => Some((UnresolvedReason::OutputHashMismatch, Some(l))),
            (Some(_), Output::Text(_)) => None,
        }
    }

    /// Settles an inference paid in the epoch: split in full, or partly with the rest carried.
    fn settle_new(
        &self,
        inf: &InferenceInput,
        epoch: u64,
    ) -> Result<(InferenceEntry, InferenceSplit, Option<CarriedEntry>), ComputeError> {
        let payment = inf.payment();
        let unresolved = |reason, lineage: Option<&Lineage>| {
            let empty = Lineage::default();
            let (split, held) = split_unresolved(&payment, lineage.unwrap_or(&empty), reason)?;
            let entry = self.entry(inf, None, None, &split, Some(reason), held.amount);
            let held = CarriedEntry {
                inference_id: held.inference_id,
                model_id: held.model_id,
                amount: held.amount,
                portion: held.portion,
                reason: held.reason,
                since_epoch: epoch,
            };
            Ok::<_, ComputeError>((entry, split, Some(held)))
        };
        if let Some((reason, lineage)) = Self::blocker(inf) {
            return unresolved(reason, lineage);
        }
        let (Some(lineage), Output::Text(text)) = (&inf.lineage, &inf.output) else {
            return unresolved(UnresolvedReason::UnknownModel, None);
        };
        let (attribution, corpus) = self.attribute(inf.model_id, text);
        let weights = self.claim(inf, lineage, &attribution)?;
        match split_inference(&payment, lineage, &weights, self.split) {
            Ok(split) => {
                let entry = self.entry(
                    inf,
                    Some((&attribution, corpus)),
                    weights.coverage,
                    &split,
                    None,
                    U256::ZERO,
                );
                Ok((entry, split, None))
            }
            Err(SplitError::UnknownModel(_)) => unresolved(UnresolvedReason::UnknownModel, None),
            Err(e) => Err(e.into()),
        }
    }

    /// Settles a carried item if its inference can now be attributed; otherwise carries it on
    /// with the current reason.
    fn settle_carried(&self, item: &crate::inputs::CarriedInput) -> Result<Settled, ComputeError> {
        let inf = &item.inference;
        let still = |reason| {
            Ok(Settled::StillCarried(CarriedEntry {
                reason,
                ..item.entry.clone()
            }))
        };
        if let Some((reason, _)) = Self::blocker(inf) {
            return still(reason);
        }
        let (Some(lineage), Output::Text(text)) = (&inf.lineage, &inf.output) else {
            return still(UnresolvedReason::UnknownModel);
        };
        let (attribution, corpus) = self.attribute(inf.model_id, text);
        let weights = self.claim(inf, lineage, &attribution)?;
        let split = match resolve_carried(
            &item.carried(),
            &inf.payment(),
            lineage,
            &weights,
            self.split,
        ) {
            Ok(split) => split,
            Err(SplitError::UnknownModel(_)) => return still(UnresolvedReason::UnknownModel),
            Err(e) => return Err(e.into()),
        };
        let mut entry = self.entry(
            inf,
            Some((&attribution, corpus)),
            weights.coverage,
            &split,
            None,
            U256::ZERO,
        );
        entry.carried_since = Some(item.entry.since_epoch);
        Ok(Settled::Resolved(Box::new(entry), split))
    }
}

fn inferences_digest(inferences: &[InferenceInput]) -> B256 {
    let mut h = Keccak256::new();
    h.update(b"openledger-inferences-v2");
    for i in inferences {
        h.update(i.inference_id.to_be_bytes::<32>());
        h.update(i.payer);
        h.update(i.output_hash);
        h.update([match i.output {
            Output::Text(_) => 0u8,
            Output::Unavailable => 1,
            Output::Mismatch => 2,
        }]);
    }
    h.finalize()
}

fn records_digest(inputs: &EpochInputs) -> B256 {
    let mut h = Keccak256::new();
    h.update(b"openledger-records-v2");
    for r in inputs.records.iter().filter(|r| r.text.is_some()) {
        h.update(r.id.to_be_bytes::<32>());
        h.update(r.content_hash);
        h.update([match r.role {
            RecordRole::Accepted => 0u8,
            RecordRole::PriorArtOnly => 1,
        }]);
    }
    h.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        BlockRange, CarriedPortion, FeeSplit, LineageModel, OrderKey,
        inputs::{CarriedInput, EpochHeader, PreviousEpoch, RecordInput, RecordRole},
        shard::{CutRule, ShardPlan},
    };

    const TEXT_A: &str = "the quick brown fox jumps over the lazy dog while the farmer sleeps under an old oak tree near the river bank";
    const TEXT_B: &str = "distributed ledgers record every payment so anyone can audit who was paid for which piece of work and when it happened";

    fn a(n: u8) -> Address {
        Address::repeat_byte(n)
    }

    fn inference(id: u64, output: Output, net: u64) -> InferenceInput {
        InferenceInput {
            inference_id: U256::from(id),
            key: OrderKey::new(10 + id, 0),
            model_id: U256::from(1),
            agent_id: U256::from(1),
            net: U256::from(net),
            split: FeeSplit {
                owner_bps: 5000,
                data_bps: 4000,
                agent_bps: 1000,
            },
            payer: a(0xba),
            agent_payee: Some(a(0xa9)),
            lineage: Some(Lineage::new([LineageModel {
                model_id: U256::from(1),
                owner: a(0x01),
                parents: Vec::new(),
            }])),
            output_hash: B256::repeat_byte(id as u8),
            output,
        }
    }

    fn inputs(inferences: Vec<InferenceInput>) -> EpochInputs {
        let records = vec![
            RecordInput {
                id: U256::from(1),
                contributor: a(0xc1),
                order: OrderKey::new(2, 0),
                role: RecordRole::Accepted,
                content_hash: B256::repeat_byte(0xd1),
                text: Some(TEXT_A.into()),
            },
            RecordInput {
                id: U256::from(2),
                contributor: a(0xc2),
                order: OrderKey::new(3, 0),
                role: RecordRole::Accepted,
                content_hash: B256::repeat_byte(0xd2),
                text: Some(TEXT_B.into()),
            },
        ];
        let distributable = inferences.iter().map(|i| i.net).sum();
        EpochInputs {
            header: EpochHeader {
                chain_id: 31337,
                escrow: a(0xe5),
                token: a(0xee),
                epoch: 1,
                range: BlockRange {
                    from_block: 1,
                    to_block: 100,
                },
            },
            previous: None,
            treasury: a(0x77),
            distributable,
            records,
            corpora: BTreeMap::from([(
                U256::from(1),
                BTreeSet::from([U256::from(1), U256::from(2)]),
            )]),
            inferences,
            carried: Vec::new(),
        }
    }

    #[test]
    fn an_epoch_adds_up_and_its_report_backs_its_root() {
        let out = format!("as they say {} and more", &TEXT_A[..60]);
        let epoch = compute_epoch(
            &inputs(vec![
                inference(1, Output::Text(out), 1_000_003),
                inference(2, Output::Unavailable, 999),
            ]),
            &OracleParams::default(),
            None,
        )
        .unwrap();
        let r = &epoch.report;
        assert_eq!(r.totals.paid_net, U256::from(1_001_002u64));
        // Inference 2's data share (40% of 999, floor) is carried.
        assert_eq!(r.carried.len(), 1);
        assert_eq!(r.carried[0].amount, U256::from(399));
        assert_eq!(r.carried[0].portion, CarriedPortion::DataShare);
        assert_eq!(r.totals.total_cumulative, U256::from(1_001_002u64 - 399));
        // The one content that could still arrive is named, so a node knows what to wait for.
        assert_eq!(
            epoch.missing_contents,
            BTreeSet::from([B256::repeat_byte(2)])
        );
        // A withheld record is named too (and a complete epoch names nothing).
        let mut withheld = inputs(vec![inference(1, Output::Text("x".into()), 1_000)]);
        withheld.records[1].text = None;
        let params = OracleParams::default();
        let partial = compute_epoch(&withheld, &params, None).unwrap();
        assert_eq!(
            partial.missing_contents,
            BTreeSet::from([B256::repeat_byte(0xd2)])
        );
        withheld.records[1].text = Some(TEXT_B.into());
        let complete = compute_epoch(&withheld, &params, None).unwrap();
        assert!(complete.missing_contents.is_empty());
        let data: Vec<&AllocationEntry> = r.inferences[0]
            .allocations
            .iter()
            .filter(|a| matches!(a.role, RoleEntry::Data { .. }))
            .collect();
        assert_eq!(data.len(), 1);
        assert_eq!(data[0].account, a(0xc1));
        let parsed = EpochReport::from_json(&epoch.json).unwrap();
        assert_eq!(parsed, *r);
        assert_eq!(
            epoch.update.reportHash,
            alloy::primitives::keccak256(&epoch.json)
        );
    }

    fn data_paid(r: &EpochReport, i: usize) -> BTreeMap<Address, U256> {
        let mut out = BTreeMap::new();
        for al in &r.inferences[i].allocations {
            if matches!(al.role, RoleEntry::Data { .. } | RoleEntry::Unattributed) {
                *out.entry(al.account).or_insert(U256::ZERO) += al.amount;
            }
        }
        out
    }

    #[test]
    fn text_first_revealed_by_an_unaccepted_record_pays_its_contributor_not_the_copy() {
        // A curator rejects record 1 and accepts its own copy (record 3, a later position, not
        // in the same cluster as anything accepted): the copy's text is still record 1's.
        let mut inp = inputs(vec![inference(
            1,
            Output::Text(format!("so {} it is", &TEXT_A[..80])),
            1_000_000,
        )]);
        inp.records[0].role = RecordRole::PriorArtOnly;
        inp.records.push(RecordInput {
            id: U256::from(3),
            contributor: a(0xcc),
            order: OrderKey::new(5, 0),
            role: RecordRole::Accepted,
            content_hash: B256::repeat_byte(0xd3),
            text: Some(format!("copied here {TEXT_A}")),
        });
        inp.corpora = BTreeMap::from([(
            U256::from(1),
            BTreeSet::from([U256::from(2), U256::from(3)]),
        )]);
        let epoch = compute_epoch(&inp, &OracleParams::default(), None).unwrap();
        let paid = data_paid(&epoch.report, 0);
        assert!(paid.get(&a(0xc1)).is_some_and(|v| !v.is_zero()), "{paid:?}");
        assert!(!paid.contains_key(&a(0xcc)), "{paid:?}");
        // The report names the unaccepted record as a cluster of one, and counts it.
        assert!(
            epoch
                .report
                .clusters
                .iter()
                .any(|c| c.representative == U256::from(1)
                    && c.owner == a(0xc1)
                    && c.members == vec![U256::from(1)])
        );
        assert_eq!(epoch.report.inputs.prior_art_records, 1);
        assert_eq!(epoch.report.inputs.records, 2);

        // Revealed after the copy, it is nobody's prior art: the copy is first.
        inp.records[0].order = OrderKey::new(6, 0);
        let later = compute_epoch(&inp, &OracleParams::default(), None).unwrap();
        let paid = data_paid(&later.report, 0);
        assert!(paid.get(&a(0xcc)).is_some_and(|v| !v.is_zero()), "{paid:?}");
        assert!(!paid.contains_key(&a(0xc1)), "{paid:?}");
    }

    #[test]
    fn the_data_share_scales_with_coverage_and_the_rest_goes_to_the_treasury() {
        let quote = TEXT_A.split(' ').take(10).collect::<Vec<_>>().join(" ");
        // Ten quoted words and ten words of the model's own: half the output is covered.
        let out = format!("{quote} zz1 zz2 zz3 zz4 zz5 zz6 zz7 zz8 zz9 zz10");
        let epoch = compute_epoch(
            &inputs(vec![inference(1, Output::Text(out), 1_000_000)]),
            &OracleParams::default(),
            None,
        )
        .unwrap();
        let paid = data_paid(&epoch.report, 0);
        // Data share 40% of 1,000,000; half of it to the quoted contributor, half unattributed.
        assert_eq!(paid[&a(0xc1)], U256::from(200_000));
        assert_eq!(paid[&a(0x77)], U256::from(200_000));
        let coverage = epoch.report.inferences[0].coverage.unwrap();
        assert_eq!(
            (coverage.covered, coverage.eligible),
            (10 * MICRO, 20 * MICRO)
        );
    }

    #[test]
    fn an_output_controller_earns_no_data_share_and_dilutes_nobody() {
        let quote_a = TEXT_A.split(' ').take(10).collect::<Vec<_>>().join(" ");
        let quote_b = TEXT_B.split(' ').take(10).collect::<Vec<_>>().join(" ");
        let honest = compute_epoch(
            &inputs(vec![inference(1, Output::Text(quote_a.clone()), 1_000_000)]),
            &OracleParams::default(),
            None,
        )
        .unwrap();
        // Record 2's contributor is the model owner (then the agent's payee), who appends a
        // quote of its own record to the output.
        let attacked = |who: Address, agent: bool| {
            let mut i = inputs(vec![inference(
                1,
                Output::Text(format!("{quote_a} {quote_b}")),
                1_000_000,
            )]);
            i.records[1].contributor = who;
            if agent {
                i.inferences[0].agent_payee = Some(who);
            }
            compute_epoch(&i, &OracleParams::default(), None).unwrap()
        };
        for (who, agent) in [(a(0x01), false), (a(0xa9), true)] {
            let epoch = attacked(who, agent);
            let paid = data_paid(&epoch.report, 0);
            assert!(!paid.contains_key(&who), "{paid:?}");
            assert_eq!(
                paid,
                data_paid(&honest.report, 0),
                "the honest contributor keeps all"
            );
        }
        // The same record from an unrelated address is an ordinary contributor.
        let epoch = attacked(a(0xc2), false);
        assert!(data_paid(&epoch.report, 0).contains_key(&a(0xc2)));
    }

    #[test]
    fn a_carried_item_resolves_to_the_same_total_as_one_split() {
        let out = format!("{} then {}", &TEXT_B[..70], &TEXT_A[20..90]);
        let first = compute_epoch(
            &inputs(vec![inference(1, Output::Unavailable, 1_000_000)]),
            &OracleParams::default(),
            None,
        )
        .unwrap();
        let mut next = inputs(Vec::new());
        next.header.epoch = 2;
        next.header.range = BlockRange {
            from_block: 101,
            to_block: 200,
        };
        next.distributable = U256::from(1_000_000);
        next.previous = Some(PreviousEpoch {
            epoch: 1,
            report_hash: first.report_hash,
            root: first.report.root,
            total_cumulative: first.report.total_cumulative,
            balances: first.report.balance_map(),
        });
        next.carried = vec![CarriedInput {
            entry: first.report.carried[0].clone(),
            inference: inference(1, Output::Text(out.clone()), 1_000_000),
        }];
        let second = compute_epoch(&next, &OracleParams::default(), None).unwrap();
        assert!(second.report.carried.is_empty());
        assert_eq!(second.report.resolved.len(), 1);
        assert_eq!(second.report.resolved[0].carried_since, Some(1));
        assert_eq!(second.report.total_cumulative, U256::from(1_000_000));

        // The same inference settled at once gives the same balances.
        let once = compute_epoch(
            &inputs(vec![inference(1, Output::Text(out), 1_000_000)]),
            &OracleParams::default(),
            None,
        )
        .unwrap();
        assert_eq!(once.report.balances, second.report.balances);
    }

    #[test]
    fn owing_more_than_was_paid_in_is_refused() {
        let mut i = inputs(vec![inference(1, Output::Unavailable, 1_000)]);
        i.distributable = U256::from(999);
        assert!(matches!(
            compute_epoch(&i, &OracleParams::default(), None),
            Err(ComputeError::Insolvent { .. })
        ));
        let empty = inputs(Vec::new());
        assert!(matches!(
            compute_epoch(&empty, &OracleParams::default(), None),
            Err(ComputeError::NothingToCommit)
        ));
    }

    #[test]
    fn shards_give_the_report_of_one_index_and_are_reused() {
        let dir = tempfile::tempdir().unwrap();
        let out = format!("as they say {} and more", &TEXT_A[..60]);
        let i = inputs(vec![inference(1, Output::Text(out), 1_000_003)]);
        let params = OracleParams::default();
        let memory = compute_epoch(&i, &params, None).unwrap();
        assert_eq!(memory.indexing, Indexing::default());
        let one_per_document = ShardPlan::single(CutRule {
            min_tokens: 1,
            spread_tokens: 1,
            max_tokens: 1,
        });
        for (name, plan) in [
            ("default", ShardPlan::default()),
            ("small", one_per_document),
        ] {
            let store = ShardStore::new(dir.path().join(name)).with_plan(plan);
            let first = compute_epoch(&i, &params, Some(&store)).unwrap();
            let again = compute_epoch(&i, &params, Some(&store)).unwrap();
            assert_eq!(first.json, memory.json, "{name}");
            assert_eq!(again.json, memory.json, "{name}");
            let (built, reused) = (first.indexing.work, again.indexing.work);
            assert!(built.built >= 1 && built.reused == 0, "{name}: {built:?}");
            assert_eq!((reused.built, reused.reused), (0, built.built), "{name}");
            assert_eq!(reused.reused_tokens, built.built_tokens, "{name}");
            assert_eq!(again.indexing.shard_files, first.indexing.shard_files);
            let files = std::fs::read_dir(&store.dir).unwrap().count();
            assert_eq!(files, first.indexing.shard_files.len(), "{name}");
        }
        let small = std::fs::read_dir(dir.path().join("small")).unwrap().count();
        assert!(small > 1, "one shard per document: {small}");
    }
}
