//! The oracle as a service: its sources, one-shot epochs and verification, and the committee node.
//!
//! [`Oracle`] holds what every command needs: the deployment, an indexer database (its own,
//! filled by an embedded [`Indexer`], so nodes never trust each other's databases; or an existing
//! indexer's, by URL), the content store, an RPC client and the index cache.
//!
//! [`Node`] is one committee member. Each poll it reads the escrow's state and:
//! 1. if a root is pending and in its dispute window, recomputes that epoch once (with the
//!    unavailability its report claims, see [`Unavailable`]): if it agrees it serves its own
//!    signature, otherwise it logs an error asking for a veto; past the window, it accepts the
//!    root (anyone may);
//! 2. else computes the next epoch: number `pendingEpoch + 1` (epochs increase over every
//!    proposal, vetoed ones included), blocks from the current root's `toBlock + 1` (or the
//!    deployment block) to the last final boundary ([`crate::aligned_epoch_range`]), built on the
//!    current root's report; an epoch that settles nothing is skipped (the next covers more);
//! 3. checks solvency against the escrow's `totalDistributable`, uploads the report to the
//!    content store, signs the root update, and serves the signature at
//!    `GET /v1/epochs/{epoch}/signature` (the report at `/v1/epochs/{epoch}/report`);
//! 4. fetches its peers' signatures, keeps those over the same update from current signers, and
//!    once it holds `threshold` of them, proposes. **Who proposes**: any node; each waits
//!    `rank × propose_stagger` (its rank among the signers) and re-reads the escrow first, so
//!    normally one proposal is sent; losing the race is not an error: after a failed proposal
//!    (or acceptance) the node re-reads the escrow and moves on if another node's landed.

use std::{
    collections::{BTreeMap, BTreeSet},
    future::Future,
    net::SocketAddr,
    path::PathBuf,
    sync::Arc,
    time::Duration,
};

use alloy::{
    primitives::{Address, B256, Bytes, Signature, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
};
use axum::{
    Json, Router,
    extract::{Path as UrlPath, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use openledger_indexer::{
    Store,
    sync::{Indexer, SyncConfig, SyncError},
};
use openledger_sdk::{
    Deployment, OpenLedger, RootUpdate, devnet, escrow_domain, report::ReportBalances,
    root_update::RootUpdateError, sort_signatures,
};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

use crate::{
    BlockRange, aligned_epoch_range,
    content::{ContentSourceError, Contents, Fetched},
    index::prune_index_dir,
    inputs::{
        EpochHeader, InputError, PostedRoot, Unavailable, load_inputs, posted_roots, previous_root,
    },
    pipeline::{ComputeError, ComputedEpoch, OracleParams, compute_epoch},
    report::{EpochReport, ReportFormatError, dec},
    shard::{ShardPlan, ShardStore},
};

/// Shard files a node keeps beyond those of the epoch just computed, as a multiple of the
/// largest live set of the last [`RECENT_EPOCHS`] computations: room for the shards of a pending
/// epoch's recomputation or a `verify` of an older epoch without rebuilding, and a bound on disk
/// use (that live set times `1 + SPARE_SHARDS`).
const SPARE_SHARDS: u64 = 1;

/// How many computations the pruning budget looks back over. A budget of the last epoch alone
/// let one quiet epoch (a single inference on a small model, or none) delete every other
/// model's shards, to be rebuilt by the next busy epoch.
const RECENT_EPOCHS: usize = 8;

/// The bytes of shard files used by the last [`RECENT_EPOCHS`] computations.
#[derive(Debug, Default)]
struct RecentUse(std::sync::Mutex<std::collections::VecDeque<u64>>);

impl RecentUse {
    /// Records a computation that used `bytes` of shards; returns the largest of the window.
    fn record(&self, bytes: u64) -> u64 {
        // A poisoned lock only means another computation panicked mid-push: the numbers in it
        // are still numbers.
        let mut recent = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if recent.len() == RECENT_EPOCHS {
            recent.pop_front();
        }
        recent.push_back(bytes);
        recent.iter().copied().max().unwrap_or(bytes)
    }
}

/// Errors of the service.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// Reading inputs failed.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Computing failed.
    #[error(transparent)]
    Compute(#[from] ComputeError),
    /// The content store failed.
    #[error(transparent)]
    Content(#[from] ContentSourceError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] openledger_indexer::StoreError),
    /// The embedded indexer failed.
    #[error("indexing: {0}")]
    Sync(#[from] SyncError),
    /// A chain call or transaction failed.
    #[error(transparent)]
    Chain(#[from] openledger_sdk::Error),
    /// A contract read failed.
    #[error("reading the escrow: {0}")]
    Read(#[from] alloy::contract::Error),
    /// RPC failure.
    #[error(transparent)]
    Transport(#[from] alloy::transports::TransportError),
    /// Signing failed.
    #[error(transparent)]
    Sign(#[from] RootUpdateError),
    /// A report does not parse.
    #[error(transparent)]
    Report(#[from] ReportFormatError),
    /// File or socket error.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// Something asked for cannot be done.
    #[error("{0}")]
    Invalid(String),
}

/// How to open an [`Oracle`].
#[derive(Debug, Clone)]
pub struct OracleConfig {
    /// JSON-RPC endpoint.
    pub rpc_url: String,
    /// The deployment.
    pub deployment: Deployment,
    /// An existing indexer's database; `None` to index into `data_dir/index.sqlite`.
    pub database_url: Option<String>,
    /// The content store's API; `None` to read the `contents` table of `database_url`.
    pub content_url: Option<String>,
    /// Index cache, content cache and embedded database.
    pub data_dir: PathBuf,
    /// Blocks below `head - finality_depth` are final.
    pub finality_depth: u64,
    /// Epoch boundaries every this many blocks.
    pub epoch_blocks: u64,
    /// Computation parameters.
    pub params: OracleParams,
    /// How corpora are cut into shards (results do not depend on it).
    pub shard_plan: ShardPlan,
    /// Settings of the embedded indexer.
    pub sync: SyncConfig,
}

/// Sources and settings shared by every command.
#[derive(Debug)]
pub struct Oracle {
    deployment: Deployment,
    store: Store,
    contents: Contents,
    indexer: Option<Arc<Indexer>>,
    client: OpenLedger<DynProvider>,
    provider: DynProvider,
    shards: ShardStore,
    recent_use: Arc<RecentUse>,
    params: OracleParams,
    finality_depth: u64,
    epoch_blocks: u64,
}

/// The escrow's state, read at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscrowState {
    /// Head block.
    pub head: u64,
    /// Its timestamp.
    pub timestamp: u64,
    /// Whether a root is pending (in or past its window, not accepted or vetoed).
    pub pending: bool,
    /// Epoch of the last proposed root (vetoed ones included).
    pub pending_epoch: u64,
    /// When the pending root may be accepted.
    pub pending_valid_at: u64,
    /// Epoch of the current root (0 before the first).
    pub current_epoch: u64,
    /// Its last block.
    pub current_to_block: u64,
    /// Signatures needed.
    pub threshold: u8,
    /// Current signers.
    pub signers: Vec<Address>,
    /// Net fees taken in so far.
    pub total_distributable: U256,
}

/// The outcome of verifying a posted epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// The epoch.
    pub epoch: u64,
    /// Posted root.
    pub posted_root: B256,
    /// Posted report hash.
    pub posted_report_hash: B256,
    /// Posted total.
    #[serde(with = "dec::u256")]
    pub posted_total: U256,
    /// Recomputed root (zero if nothing could be computed).
    pub computed_root: B256,
    /// Recomputed report hash.
    pub computed_report_hash: B256,
    /// Recomputed total.
    #[serde(with = "dec::u256")]
    pub computed_total: U256,
    /// Root, total and report hash all match.
    pub matches: bool,
    /// What differs, for people.
    pub differences: Vec<String>,
    /// Unavailability the posted report claims and current contents contradict (content
    /// uploaded after the epoch, or withheld by the committee): the epoch was recomputed with the
    /// claims applied; a contradicted *record* claim deserves a look.
    pub notes: Vec<String>,
}

/// Deletes the shards no recent epoch used (see [`SPARE_SHARDS`]). A failure is logged: the
/// next epoch retries.
fn prune(shards: &ShardStore, recent: &RecentUse, used: &BTreeSet<PathBuf>) {
    if !shards.dir.is_dir() {
        return;
    }
    let used_bytes: u64 = used
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let budget = recent.record(used_bytes);
    match shards.prune(used, budget.saturating_mul(SPARE_SHARDS)) {
        Ok(deleted) if !deleted.is_empty() => {
            tracing::info!(
                deleted = deleted.len(),
                used = used.len(),
                used_bytes,
                "pruned old index files"
            );
        }
        Ok(_) => {}
        Err(e) => {
            tracing::warn!(error = %e, dir = %shards.dir.display(), "could not prune old index files");
        }
    }
}

impl Oracle {
    /// Opens the sources; with no database URL, starts an embedded indexer (not yet synced).
    pub async fn open(config: OracleConfig) -> Result<Self, NodeError> {
        std::fs::create_dir_all(&config.data_dir)?;
        let (store, indexer) = match &config.database_url {
            Some(url) => (Store::connect(url).await?, None),
            None => {
                let url = format!("sqlite:{}", config.data_dir.join("index.sqlite").display());
                let store = Store::connect(&url).await?;
                let indexer = Indexer::new(
                    store.clone(),
                    &config.rpc_url,
                    &config.deployment,
                    config.sync.clone(),
                )
                .await?;
                (store, Some(Arc::new(indexer)))
            }
        };
        let contents = match (&config.content_url, &config.database_url) {
            (Some(url), _) => Contents::http(url),
            (None, Some(_)) => Contents::store(store.clone()),
            (None, None) => {
                return Err(NodeError::Invalid(
                    "give the content store's URL (--content-url): an oracle indexing the chain itself has no contents"
                        .into(),
                ));
            }
        }
        .with_cache(&config.data_dir.join("contents"))?;
        let shards = ShardStore::new(config.data_dir.join("indexes")).with_plan(config.shard_plan);
        // Once, at start: the single-index files that shards replaced are never read again.
        if shards.dir.is_dir() {
            prune_index_dir(&shards.dir, 0)?;
        }
        let url = config
            .rpc_url
            .parse()
            .map_err(|e| NodeError::Invalid(format!("RPC URL {}: {e}", config.rpc_url)))?;
        let provider = ProviderBuilder::new().connect_http(url).erased();
        let client = OpenLedger::connect(provider.clone(), config.deployment.clone(), None).await?;
        Ok(Self {
            deployment: config.deployment,
            store,
            contents,
            indexer,
            client,
            provider,
            shards,
            recent_use: Arc::default(),
            params: config.params,
            finality_depth: config.finality_depth,
            epoch_blocks: config.epoch_blocks,
        })
    }

    /// The deployment.
    pub fn deployment(&self) -> &Deployment {
        &self.deployment
    }

    /// The indexer database.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The content store.
    pub fn contents(&self) -> &Contents {
        &self.contents
    }

    /// Catches the embedded indexer up with the head (nothing with an external database).
    pub async fn sync(&self) -> Result<(), NodeError> {
        if let Some(indexer) = &self.indexer {
            let summary = indexer.catch_up().await?;
            tracing::debug!(
                events = summary.events,
                blocks = summary.blocks,
                "index caught up"
            );
        }
        Ok(())
    }

    /// Reads the escrow's state.
    pub async fn escrow_state(&self) -> Result<EscrowState, NodeError> {
        let escrow = self.client.escrow();
        let head = self.provider.get_block_number().await?;
        let block = self
            .provider
            .get_block_by_number(head.into())
            .await?
            .ok_or_else(|| NodeError::Invalid(format!("the node has no block {head}")))?;
        Ok(EscrowState {
            head,
            timestamp: block.header.timestamp,
            // PendingStatus: 0 None, 1 Pending, 2 Vetoed, 3 Accepted.
            pending: escrow.pendingStatus().call().await? == 1,
            pending_epoch: escrow.pendingEpoch().call().await?,
            pending_valid_at: escrow.pendingValidAt().call().await?,
            current_epoch: escrow.currentEpoch().call().await?,
            current_to_block: escrow.currentToBlock().call().await?,
            threshold: escrow.threshold().call().await?,
            signers: escrow.signers().call().await?,
            total_distributable: U256::from(escrow.totalDistributable().call().await?),
        })
    }

    fn header(&self, epoch: u64, range: BlockRange) -> EpochHeader {
        EpochHeader {
            chain_id: self.deployment.chain_id,
            escrow: self.deployment.contracts.reward_escrow,
            token: self.deployment.contracts.payment_token,
            epoch,
            range,
        }
    }

    /// Computes epoch `epoch` over `range` on top of `previous`.
    pub async fn compute(
        &self,
        epoch: u64,
        range: BlockRange,
        previous: Option<&PostedRoot>,
    ) -> Result<ComputedEpoch, NodeError> {
        Ok(self.compute_with(epoch, range, previous, None).await?.0)
    }

    /// Like [`Self::compute`], treating the contents `unavailable` names as unavailable (to
    /// recompute a posted epoch as it was computed; see [`Unavailable`]). Returns the claims the
    /// current contents contradict.
    pub async fn compute_with(
        &self,
        epoch: u64,
        range: BlockRange,
        previous: Option<&PostedRoot>,
        unavailable: Option<&Unavailable>,
    ) -> Result<(ComputedEpoch, Vec<String>), NodeError> {
        let mut inputs = load_inputs(
            &self.store,
            &self.contents,
            self.header(epoch, range),
            previous,
            self.deployment.params.treasury,
        )
        .await?;
        let notes = unavailable
            .map(|u| u.apply(&mut inputs))
            .unwrap_or_default();
        let (params, shards, recent) = (self.params, self.shards.clone(), self.recent_use.clone());
        let computed = tokio::task::spawn_blocking(move || {
            let computed = compute_epoch(&inputs, &params, Some(&shards))?;
            prune(&shards, &recent, &computed.indexing.shard_files);
            Ok::<_, ComputeError>(computed)
        })
        .await
        .map_err(|e| NodeError::Invalid(format!("epoch computation panicked: {e}")))??;
        Ok((computed, notes))
    }

    /// Recomputes a posted epoch as it was computed: with the unavailability its report claims,
    /// when the report is in the content store and parses. Returns the epoch, the posted report
    /// (if readable) and the claims now contradicted.
    pub async fn recompute_posted(
        &self,
        posted: &PostedRoot,
        previous: Option<&PostedRoot>,
    ) -> Result<(ComputedEpoch, Option<Vec<u8>>, Vec<String>), NodeError> {
        let bytes = self.contents.fetch(posted.report_hash).await?;
        let bytes = bytes.bytes().map(<[u8]>::to_vec);
        let claims = bytes
            .as_deref()
            .and_then(|b| EpochReport::from_json(b).ok())
            .map(|r| Unavailable::claimed_by(&r));
        let range = BlockRange {
            from_block: posted.from_block,
            to_block: posted.to_block,
        };
        let (computed, notes) = self
            .compute_with(posted.epoch, range, previous, claims.as_ref())
            .await?;
        Ok((computed, bytes, notes))
    }

    /// The epoch that would come next if it ended at `to_block`: its number (one more than any
    /// proposed), its range (after the last accepted root) and the root it builds on.
    pub async fn plan_next(
        &self,
        to_block: u64,
    ) -> Result<(u64, BlockRange, Option<PostedRoot>), NodeError> {
        let roots = posted_roots(&self.store).await?;
        let epoch = roots.iter().map(|r| r.epoch).max().unwrap_or(0) + 1;
        let previous = previous_root(&roots, epoch).cloned();
        let from_block = previous
            .as_ref()
            .map_or(self.deployment.start_block, |p| p.to_block + 1);
        if to_block < from_block {
            return Err(NodeError::Invalid(format!(
                "epoch {epoch} starts at block {from_block}; --to-block {to_block} is before it"
            )));
        }
        Ok((
            epoch,
            BlockRange {
                from_block,
                to_block,
            },
            previous,
        ))
    }

    /// The posted root of `epoch`.
    pub async fn posted(&self, epoch: u64) -> Result<PostedRoot, NodeError> {
        posted_roots(&self.store)
            .await?
            .into_iter()
            .rfind(|r| r.epoch == epoch)
            .ok_or_else(|| NodeError::Invalid(format!("no root was proposed for epoch {epoch}")))
    }

    /// The report of posted epoch `epoch`, from the content store.
    pub async fn posted_report(&self, epoch: u64) -> Result<EpochReport, NodeError> {
        let posted = self.posted(epoch).await?;
        match self.contents.fetch(posted.report_hash).await? {
            Fetched::Bytes(bytes) => Ok(EpochReport::from_json(&bytes)?),
            _ => Err(NodeError::Invalid(format!(
                "the report {} of epoch {epoch} is not in the content store",
                posted.report_hash
            ))),
        }
    }

    /// Recomputes posted epoch `epoch` from the index and the content store and compares.
    pub async fn verify(&self, epoch: u64) -> Result<Verification, NodeError> {
        let roots = posted_roots(&self.store).await?;
        let posted = roots
            .iter()
            .rfind(|r| r.epoch == epoch)
            .cloned()
            .ok_or_else(|| NodeError::Invalid(format!("no root was proposed for epoch {epoch}")))?;
        let previous = previous_root(&roots, epoch).cloned();
        let mut v = Verification {
            epoch,
            posted_root: posted.root,
            posted_report_hash: posted.report_hash,
            posted_total: posted.total_cumulative,
            computed_root: B256::ZERO,
            computed_report_hash: B256::ZERO,
            computed_total: U256::ZERO,
            matches: false,
            differences: Vec::new(),
            notes: Vec::new(),
        };
        let (computed, posted_bytes, notes) =
            match self.recompute_posted(&posted, previous.as_ref()).await {
                Ok(c) => c,
                Err(NodeError::Compute(e)) => {
                    v.differences
                        .push(format!("the posted epoch cannot be recomputed: {e}"));
                    return Ok(v);
                }
                Err(NodeError::Input(e @ InputError::Previous { .. })) => {
                    v.differences.push(e.to_string());
                    return Ok(v);
                }
                Err(e) => return Err(e),
            };
        v.notes = notes;
        v.computed_root = computed.update.root;
        v.computed_report_hash = computed.report_hash;
        v.computed_total = computed.update.totalCumulative;
        if v.computed_root != v.posted_root {
            v.differences.push(format!(
                "root: posted {}, recomputed {}",
                v.posted_root, v.computed_root
            ));
        }
        if v.computed_total != v.posted_total {
            v.differences.push(format!(
                "total: posted {}, recomputed {}",
                v.posted_total, v.computed_total
            ));
        }
        if v.computed_report_hash != v.posted_report_hash {
            v.differences.push(format!(
                "report hash: posted {}, recomputed {}",
                v.posted_report_hash, v.computed_report_hash
            ));
            match posted_bytes.as_deref().map(ReportBalances::from_json) {
                Some(Ok(theirs)) => {
                    let ours = computed.report.balance_map();
                    let theirs: BTreeMap<Address, U256> = theirs
                        .balances
                        .iter()
                        .map(|b| (b.account, b.cumulative))
                        .collect();
                    let accounts: BTreeSet<&Address> = ours.keys().chain(theirs.keys()).collect();
                    for a in accounts {
                        let (o, t) = (ours.get(a), theirs.get(a));
                        if o != t {
                            v.differences.push(format!(
                                "balance of {a}: posted {}, recomputed {}",
                                t.map_or("none".into(), U256::to_string),
                                o.map_or("none".into(), U256::to_string)
                            ));
                        }
                    }
                }
                Some(Err(e)) => v.differences.push(format!("the posted report: {e}")),
                None => v
                    .differences
                    .push("the posted report is not in the content store".into()),
            }
        }
        v.matches = v.differences.is_empty();
        Ok(v)
    }
}

/// A signature over an epoch's root update, as nodes serve and exchange it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpochSignature {
    /// Epoch.
    pub epoch: u64,
    /// Merkle root.
    pub root: B256,
    /// Total of the balances.
    #[serde(with = "dec::u256")]
    pub total_cumulative: U256,
    /// Hash of the report.
    pub report_hash: B256,
    /// First block.
    pub from_block: u64,
    /// Last block.
    pub to_block: u64,
    /// EIP-712 digest signed.
    pub digest: B256,
    /// Who signed.
    pub signer: Address,
    /// 65-byte `r || s || v`.
    pub signature: Bytes,
}

impl EpochSignature {
    /// The update signed.
    pub fn update(&self) -> RootUpdate {
        RootUpdate {
            epoch: self.epoch,
            root: self.root,
            totalCumulative: self.total_cumulative,
            reportHash: self.report_hash,
            fromBlock: self.from_block,
            toBlock: self.to_block,
        }
    }

    /// The signature, if it decodes.
    pub fn parsed(&self) -> Option<Signature> {
        Signature::from_raw(&self.signature).ok()
    }
}

/// How a node runs.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// This node's signing key (a committee member's).
    pub signer: PrivateKeySigner,
    /// JSON-RPC endpoint for transactions.
    pub rpc_url: String,
    /// Other nodes' base URLs.
    pub peers: Vec<String>,
    /// Pause between ticks.
    pub poll_interval: Duration,
    /// Wait per rank among the signers before proposing or accepting.
    pub propose_stagger: Duration,
}

/// What a tick did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tick {
    /// Nothing to do yet, and why.
    Waiting(String),
    /// Accepted the pending root of this epoch.
    Accepted(u64),
    /// Signed; holds this many matching signatures, fewer than needed.
    Signed {
        /// Epoch.
        epoch: u64,
        /// Matching signatures held.
        signatures: usize,
    },
    /// Proposed this epoch.
    Proposed(u64),
    /// Another node proposed (or accepted) first.
    AlreadyDone(u64),
    /// Recomputed the pending epoch during its dispute window.
    Watching {
        /// Epoch.
        epoch: u64,
        /// Whether this node computes the same root and report.
        agrees: bool,
    },
}

/// What the node serves.
#[derive(Debug, Default)]
struct Served {
    signatures: BTreeMap<u64, EpochSignature>,
    reports: BTreeMap<u64, Arc<Vec<u8>>>,
}

/// The computed epoch a node holds on to between ticks.
#[derive(Debug)]
struct Held {
    epoch: u64,
    range: BlockRange,
    previous: Option<B256>,
    computed: Arc<ComputedEpoch>,
    uploaded: bool,
}

/// One committee member.
#[derive(Debug)]
pub struct Node {
    oracle: Arc<Oracle>,
    config: NodeConfig,
    writer: OpenLedger<DynProvider>,
    http: reqwest::Client,
    served: Arc<RwLock<Served>>,
    held: tokio::sync::Mutex<Option<Held>>,
    /// The pending root last checked by the watcher, and whether this node agreed.
    watched: tokio::sync::Mutex<Option<(u64, B256, bool)>>,
}

impl Node {
    /// A node over `oracle` signing with `config.signer`.
    pub fn new(oracle: Oracle, config: NodeConfig) -> Result<Self, NodeError> {
        let writer = devnet::client(&config.rpc_url, oracle.deployment(), config.signer.clone())?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| NodeError::Invalid(format!("HTTP client: {e}")))?;
        Ok(Self {
            oracle: Arc::new(oracle),
            config,
            writer,
            http,
            served: Arc::default(),
            held: tokio::sync::Mutex::new(None),
            watched: tokio::sync::Mutex::new(None),
        })
    }

    /// This node's signer address.
    pub fn address(&self) -> Address {
        self.config.signer.address()
    }

    /// The oracle under the node.
    pub fn oracle(&self) -> &Oracle {
        &self.oracle
    }

    /// The HTTP API: signatures and reports.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/health", get(|| async { "ok" }))
            .route("/v1/epochs/{epoch}/signature", get(serve_signature))
            .route("/v1/epochs/{epoch}/report", get(serve_report))
            .with_state(self.served.clone())
    }

    /// Serves the API on `listener`, keeps the embedded index following the chain, and ticks
    /// every poll interval, until `shutdown` completes.
    pub async fn run(
        &self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), NodeError> {
        let addr: SocketAddr = listener.local_addr()?;
        tracing::info!(%addr, signer = %self.address(), "oracle node serving");
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let app = self.router();
        let mut rx = stop_rx.clone();
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.changed().await;
                })
                .await
        });
        let follower = self.oracle.indexer.clone().map(|indexer| {
            let mut rx = stop_rx.clone();
            tokio::spawn(async move {
                indexer
                    .run(async move {
                        let _ = rx.changed().await;
                    })
                    .await
            })
        });
        tokio::pin!(shutdown);
        let mut failure = None;
        loop {
            if follower
                .as_ref()
                .is_some_and(tokio::task::JoinHandle::is_finished)
            {
                failure = Some(NodeError::Invalid(
                    "the embedded indexer stopped; see the log for why".into(),
                ));
                break;
            }
            match self.tick().await {
                Ok(tick) => tracing::debug!(?tick, "tick"),
                Err(err) => tracing::warn!(%err, "tick failed; retrying"),
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = tokio::time::sleep(self.config.poll_interval) => {}
            }
        }
        let _ = stop_tx.send(true);
        if let Some(f) = follower {
            match f.await {
                Ok(Err(err)) => tracing::error!(%err, "indexing stopped"),
                Err(err) => tracing::error!(%err, "indexing task failed"),
                Ok(Ok(())) => {}
            }
        }
        server
            .await
            .map_err(|e| NodeError::Invalid(format!("server task: {e}")))??;
        failure.map_or(Ok(()), Err)
    }

    fn rank(&self, state: &EscrowState) -> u32 {
        let rank = state
            .signers
            .iter()
            .position(|s| *s == self.address())
            .unwrap_or(state.signers.len());
        u32::try_from(rank).unwrap_or(u32::MAX)
    }

    /// One step of the protocol (see the module documentation).
    #[tracing::instrument(skip(self), fields(node = %self.address()))]
    pub async fn tick(&self) -> Result<Tick, NodeError> {
        let oracle = &self.oracle;
        let state = oracle.escrow_state().await?;
        if state.pending {
            if state.timestamp < state.pending_valid_at {
                return self.watch_pending(&state).await;
            }
            tokio::time::sleep(self.config.propose_stagger * self.rank(&state)).await;
            if !oracle.escrow_state().await?.pending {
                return Ok(Tick::AlreadyDone(state.pending_epoch));
            }
            return match self.writer.accept_root().await {
                Ok(_) => {
                    tracing::info!(epoch = state.pending_epoch, "root accepted");
                    Ok(Tick::Accepted(state.pending_epoch))
                }
                // Another node's acceptance landed first (caught in simulation, or on-chain when
                // both were sent before either was mined).
                Err(e) if !oracle.escrow_state().await?.pending => {
                    tracing::debug!(%e, "another node accepted first");
                    Ok(Tick::AlreadyDone(state.pending_epoch))
                }
                Err(e) => Err(e.into()),
            };
        }

        let epoch = state.pending_epoch + 1;
        let previous_to = (state.current_epoch > 0).then_some(state.current_to_block);
        let deployment = oracle.deployment();
        let Some(range) = aligned_epoch_range(
            previous_to,
            deployment.start_block,
            state.head,
            oracle.finality_depth,
            oracle.epoch_blocks,
        ) else {
            return Ok(Tick::Waiting("no new final epoch boundary".into()));
        };
        if let Some(wait) = self.index_lag(range.to_block).await? {
            return Ok(Tick::Waiting(wait));
        }
        let roots = posted_roots(&oracle.store).await?;
        let previous = previous_root(&roots, epoch).cloned();
        if state.current_epoch > 0
            && previous.as_ref().map(|p| (p.epoch, p.to_block))
                != Some((state.current_epoch, state.current_to_block))
        {
            return Ok(Tick::Waiting(
                "the index has not seen the current root yet".into(),
            ));
        }
        let Some(computed) = self.computed(epoch, range, previous.as_ref()).await? else {
            return Ok(Tick::Waiting("nothing to commit yet".into()));
        };
        if !computed.settles_anything() {
            return Ok(Tick::Waiting(format!(
                "epoch {epoch} up to block {} settles nothing yet",
                range.to_block
            )));
        }
        if computed.update.totalCumulative > state.total_distributable {
            return Err(NodeError::Invalid(format!(
                "refusing to sign epoch {epoch}: total {} exceeds the escrow's distributable {}",
                computed.update.totalCumulative, state.total_distributable
            )));
        }
        let update = computed.update.clone();
        self.sign_and_serve(&computed).await?;
        let by_signer = self.collect_signatures(&update, &state).await;
        let needed = usize::from(state.threshold);
        if by_signer.len() < needed {
            return Ok(Tick::Signed {
                epoch,
                signatures: by_signer.len(),
            });
        }

        tokio::time::sleep(self.config.propose_stagger * self.rank(&state)).await;
        let now = oracle.escrow_state().await?;
        if now.pending_epoch >= epoch || now.pending {
            return Ok(Tick::AlreadyDone(epoch));
        }
        let domain = self.domain();
        let signatures: Vec<Signature> = by_signer.into_values().collect();
        let sorted = sort_signatures(&update, &domain, &signatures)?;
        match self.writer.propose_root(&update, sorted).await {
            Ok(receipt) => {
                tracing::info!(epoch, tx = %receipt.transaction_hash, "root proposed");
                Ok(Tick::Proposed(epoch))
            }
            // Another node's proposal landed first: `EpochNotIncreasing` or `RootPending` in
            // simulation, or a failed transaction when both were sent before either was mined.
            Err(e) if oracle.escrow_state().await?.pending_epoch >= epoch => {
                tracing::info!(epoch, %e, "another node proposed first");
                Ok(Tick::AlreadyDone(epoch))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// During a dispute window: recompute the pending epoch; serve a signature if it is ours
    /// too (so every honest node's view is published, including late ones), and raise the alarm
    /// if it is not (the guardian can still veto).
    async fn watch_pending(&self, state: &EscrowState) -> Result<Tick, NodeError> {
        let epoch = state.pending_epoch;
        let roots = posted_roots(&self.oracle.store).await?;
        let Some(pending) = roots.iter().rfind(|r| r.epoch == epoch).cloned() else {
            return Ok(Tick::Waiting(format!(
                "epoch {epoch} is pending; the index has not seen it yet"
            )));
        };
        if let Some(wait) = self.index_lag(pending.to_block).await? {
            return Ok(Tick::Waiting(wait));
        }
        let previous = previous_root(&roots, epoch).cloned();
        let agrees = match self
            .oracle
            .recompute_posted(&pending, previous.as_ref())
            .await
        {
            Ok((computed, _, notes)) => {
                let u = &computed.update;
                let agrees = u.root == pending.root
                    && u.reportHash == pending.report_hash
                    && u.totalCumulative == pending.total_cumulative;
                if agrees {
                    self.serve(&computed).await?;
                    for note in notes {
                        tracing::info!(epoch, %note, "pending epoch: content arrived late");
                    }
                } else {
                    tracing::error!(
                        epoch,
                        posted_root = %pending.root,
                        posted_report = %pending.report_hash,
                        our_root = %u.root,
                        our_report = %u.reportHash,
                        "the pending root differs from this node's computation: veto it"
                    );
                }
                agrees
            }
            Err(NodeError::Compute(_) | NodeError::Input(InputError::Previous { .. })) => {
                tracing::error!(epoch, "the pending epoch cannot be recomputed: veto it");
                false
            }
            Err(e) => return Err(e),
        };
        *self.watched.lock().await = Some((epoch, pending.root, agrees));
        Ok(Tick::Watching { epoch, agrees })
    }

    /// Why the index is not ready for an epoch ending at `to_block`, if it is not.
    async fn index_lag(&self, to_block: u64) -> Result<Option<String>, NodeError> {
        let chain_id = self.oracle.deployment().chain_id;
        let indexed = self
            .oracle
            .store
            .checkpoint(chain_id)
            .await?
            .map_or(0, |c| c.block);
        Ok((indexed < to_block)
            .then(|| format!("the index is at block {indexed}, the epoch ends at {to_block}")))
    }

    fn domain(&self) -> alloy::sol_types::Eip712Domain {
        let d = self.oracle.deployment();
        escrow_domain(d.chain_id, d.contracts.reward_escrow)
    }

    /// The epoch computed over `range` on top of `previous`: the held one unless a content it
    /// lacked can now be fetched (the only input that changes for a fixed range), recomputed
    /// otherwise. So a record withheld for good costs one probe per poll, not an epoch's
    /// computation. `None`: nothing to commit. The report is uploaded to the content store once
    /// per report hash.
    async fn computed(
        &self,
        epoch: u64,
        range: BlockRange,
        previous: Option<&PostedRoot>,
    ) -> Result<Option<Arc<ComputedEpoch>>, NodeError> {
        let mut held = self.held.lock().await;
        let previous_hash = previous.map(|p| p.report_hash);
        let reuse = match held.as_ref() {
            Some(h) if h.epoch == epoch && h.range == range && h.previous == previous_hash => {
                !self.any_arrived(&h.computed.missing_contents).await?
            }
            _ => false,
        };
        if !reuse {
            let computed = match self.oracle.compute(epoch, range, previous).await {
                Ok(c) => c,
                Err(NodeError::Compute(ComputeError::NothingToCommit)) => return Ok(None),
                Err(e) => return Err(e),
            };
            let uploaded = held
                .as_ref()
                .is_some_and(|h| h.uploaded && h.computed.report_hash == computed.report_hash);
            *held = Some(Held {
                epoch,
                range,
                previous: previous_hash,
                computed: Arc::new(computed),
                uploaded,
            });
        }
        let Some(h) = held.as_mut() else {
            return Ok(None);
        };
        if !h.uploaded && h.computed.settles_anything() {
            let hash = self.oracle.contents.put(&h.computed.json).await?;
            if hash != h.computed.report_hash {
                return Err(NodeError::Invalid(format!(
                    "the content store named the report {hash}, expected {}",
                    h.computed.report_hash
                )));
            }
            h.uploaded = true;
        }
        Ok(Some(h.computed.clone()))
    }

    /// Whether any of `missing` can be fetched now (it is then in the content cache for the
    /// recomputation).
    async fn any_arrived(&self, missing: &BTreeSet<B256>) -> Result<bool, NodeError> {
        if missing.is_empty() {
            return Ok(false);
        }
        let hashes: Vec<B256> = missing.iter().copied().collect();
        let fetched = self.oracle.contents.fetch_all(&hashes, 16).await?;
        let arrived = fetched.iter().filter(|f| f.bytes().is_some()).count();
        if arrived > 0 {
            tracing::info!(
                arrived,
                missing = hashes.len(),
                "missing contents arrived: recomputing"
            );
        }
        Ok(arrived > 0)
    }

    /// Serves (signs once, keeps) the signature and the report of an epoch computed elsewhere
    /// than [`Self::computed`] (the watcher's recomputation).
    async fn serve(&self, computed: &ComputedEpoch) -> Result<EpochSignature, NodeError> {
        self.sign_and_serve(computed).await
    }

    /// Signs the epoch's update (once per digest) and serves the signature and the report.
    async fn sign_and_serve(&self, computed: &ComputedEpoch) -> Result<EpochSignature, NodeError> {
        let update = &computed.update;
        let epoch = update.epoch;
        let domain = self.domain();
        let digest = update.digest(&domain);
        let mut served = self.served.write().await;
        if let Some(s) = served.signatures.get(&epoch).filter(|s| s.digest == digest) {
            return Ok(s.clone());
        }
        let signature = update.sign(&self.config.signer, &domain).await?;
        let s = EpochSignature {
            epoch,
            root: update.root,
            total_cumulative: update.totalCumulative,
            report_hash: update.reportHash,
            from_block: update.fromBlock,
            to_block: update.toBlock,
            digest,
            signer: self.address(),
            signature: Bytes::from(signature.as_bytes().to_vec()),
        };
        served.signatures.insert(epoch, s.clone());
        served
            .reports
            .insert(epoch, Arc::new(computed.json.clone()));
        tracing::info!(epoch, root = %update.root, report = %update.reportHash, "signed");
        Ok(s)
    }

    /// This node's signature and every peer's over the same update by a current signer.
    async fn collect_signatures(
        &self,
        update: &RootUpdate,
        state: &EscrowState,
    ) -> BTreeMap<Address, Signature> {
        let domain = self.domain();
        let mut by_signer: BTreeMap<Address, Signature> = BTreeMap::new();
        if let Some(own) = self.served.read().await.signatures.get(&update.epoch)
            && own.update() == *update
            && let Some(sig) = own.parsed()
        {
            by_signer.insert(own.signer, sig);
        }
        for peer in &self.config.peers {
            match self.peer_signature(peer, update.epoch).await {
                Ok(Some(theirs)) => {
                    if theirs.update() != *update {
                        tracing::debug!(%peer, epoch = update.epoch, theirs = %theirs.digest, "peer signed another update");
                        continue;
                    }
                    let Some(sig) = theirs.parsed() else { continue };
                    match update.recover(&domain, &sig) {
                        Ok(signer)
                            if signer == theirs.signer && state.signers.contains(&signer) =>
                        {
                            by_signer.insert(signer, sig);
                        }
                        _ => {
                            tracing::warn!(%peer, epoch = update.epoch, "peer signature does not check out")
                        }
                    }
                }
                Ok(None) => {}
                Err(err) => tracing::debug!(%peer, %err, "peer unreachable"),
            }
        }
        by_signer
    }

    async fn peer_signature(
        &self,
        peer: &str,
        epoch: u64,
    ) -> Result<Option<EpochSignature>, NodeError> {
        let url = format!("{}/v1/epochs/{epoch}/signature", peer.trim_end_matches('/'));
        let resp = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(|e| NodeError::Invalid(format!("{url}: {e}")))?;
        if resp.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !resp.status().is_success() {
            return Err(NodeError::Invalid(format!(
                "{url}: status {}",
                resp.status()
            )));
        }
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| NodeError::Invalid(format!("{url}: {e}")))?;
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| NodeError::Invalid(format!("{url}: {e}")))
    }
}

fn not_found(what: String) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(serde_json::json!({"error": {"code": "not_found", "message": what}})),
    )
        .into_response()
}

async fn serve_signature(
    State(served): State<Arc<RwLock<Served>>>,
    UrlPath(epoch): UrlPath<u64>,
) -> Response {
    match served.read().await.signatures.get(&epoch) {
        Some(s) => Json(s.clone()).into_response(),
        None => not_found(format!("no signature for epoch {epoch}")),
    }
}

async fn serve_report(
    State(served): State<Arc<RwLock<Served>>>,
    UrlPath(epoch): UrlPath<u64>,
) -> Response {
    match served.read().await.reports.get(&epoch) {
        Some(r) => (
            [(header::CONTENT_TYPE, "application/json")],
            r.as_ref().clone(),
        )
            .into_response(),
        None => not_found(format!("no report for epoch {epoch}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pruning_budget_is_the_largest_use_of_recent_epochs() {
        let recent = RecentUse::default();
        assert_eq!(recent.record(100), 100);
        // A quiet epoch keeps the budget of the busy one before it.
        assert_eq!(recent.record(0), 100);
        for _ in 2..RECENT_EPOCHS {
            assert_eq!(recent.record(5), 100);
        }
        // The busy epoch has left the window.
        assert_eq!(recent.record(5), 5);
        assert_eq!(recent.record(7), 7);
    }
}
