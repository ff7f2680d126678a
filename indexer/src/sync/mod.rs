//! Following the chain: backfill over adaptive `eth_getLogs` ranges, then the head, reorg-safe.
//!
//! Two regions, split at `head - finality_depth`:
//! - **final blocks** are backfilled in large ranges, fetched ahead of the database writes (a
//!   bounded pipeline), without looking at block headers except the last of each range;
//! - **recent blocks** are read header by header: each header must link to the one before it
//!   and to the last committed block, and each log must carry the hash of the header fetched for
//!   its block. A broken link means a reorg: the indexer walks its stored recent hashes down to
//!   the newest block the chain still has, deletes everything above it and re-ingests.
//!
//! Every batch (rows, recent block hashes, checkpoint) is one database transaction, so a crash at
//! any instant resumes exactly after the last committed block.

pub mod metrics;
pub mod rpc;

use std::{
    collections::BTreeMap,
    io::IsTerminal,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use alloy::{primitives::Address, rpc::types::Log};
use openledger_sdk::Deployment;
use tokio::sync::mpsc;

use self::rpc::{LogsError, RangeSizer};
pub use self::{
    metrics::{Metrics, Snapshot},
    rpc::{Fault, HeaderRef, Rpc, RpcConfig, RpcFailure},
};
use crate::{
    Checkpoint, Store, StoreError,
    schema::{Contract, DecodeError, Schema, SchemaError},
    store::{BlockRow, EventRow},
};

/// Settings of the sync loop.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// Blocks below `head - finality_depth` are treated as final (never reorged).
    pub finality_depth: u64,
    /// Pause between polls of the head once caught up.
    pub poll_interval: Duration,
    /// Most recent blocks read per step near the head.
    pub tip_batch: u64,
    /// Backfill ranges fetched ahead of the database writes.
    pub prefetch: usize,
    /// Show a progress bar while backfilling (only when stderr is a terminal).
    pub progress: bool,
    /// RPC retry and range settings.
    pub rpc: RpcConfig,
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            finality_depth: 64,
            poll_interval: Duration::from_secs(1),
            tip_batch: 256,
            prefetch: 4,
            progress: true,
            rpc: RpcConfig::default(),
        }
    }
}

/// Why syncing stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The RPC node failed.
    #[error(transparent)]
    Rpc(#[from] RpcFailure),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A log did not decode.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The event schema could not be built.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// The RPC URL serves another chain than the deployment's.
    #[error("the RPC node serves chain {found}, the deployment is for chain {expected}")]
    WrongChain {
        /// The deployment's chain id.
        expected: u64,
        /// The node's.
        found: u64,
    },
    /// No stored block is on the canonical chain any more.
    #[error(
        "the chain no longer has indexed block {block} ({hash}) nor any recent block stored with it: \
         a reorg deeper than the finality depth, or a database of another chain; re-index from scratch"
    )]
    ReorgTooDeep {
        /// The checkpoint block.
        block: u64,
        /// Its stored hash.
        hash: String,
    },
    /// A bad RPC URL or client setting.
    #[error("{0}")]
    Config(String),
}

impl SyncError {
    /// Errors that retrying later cannot fix.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            Self::Decode(_)
                | Self::Schema(_)
                | Self::WrongChain { .. }
                | Self::ReorgTooDeep { .. }
                | Self::Config(_)
                | Self::Rpc(RpcFailure::Permanent { .. })
        )
    }
}

/// What one sync step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing new: the index is at the head.
    CaughtUp {
        /// The head.
        head: u64,
    },
    /// Blocks up to `to` were committed.
    Progressed {
        /// Last committed block.
        to: u64,
    },
    /// A reorg was rolled back to block `fork`.
    RolledBack {
        /// The newest block both chains share.
        fork: u64,
    },
    /// The chain moved during the step; nothing was written.
    Retry,
}

/// Totals of a catch-up run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Events stored.
    pub events: u64,
    /// Blocks covered.
    pub blocks: u64,
    /// Wall time.
    pub seconds: f64,
    /// Counters at the end.
    pub metrics: Snapshot,
}

/// Follows one deployment's contracts into a store.
#[derive(Debug)]
pub struct Indexer {
    store: Store,
    schema: Arc<Schema>,
    rpc: Rpc,
    chain_id: u64,
    start_block: u64,
    addresses: Vec<Address>,
    contract_of: BTreeMap<Address, Contract>,
    config: SyncConfig,
    metrics: Metrics,
    sizer: Mutex<RangeSizer>,
}

impl Indexer {
    /// An indexer of `deployment` over the HTTP RPC at `rpc_url`; checks the chain id.
    pub async fn new(
        store: Store,
        rpc_url: &str,
        deployment: &Deployment,
        config: SyncConfig,
    ) -> Result<Self, SyncError> {
        let metrics = Metrics::default();
        let rpc =
            Rpc::http(rpc_url, config.rpc.clone(), metrics.clone()).map_err(SyncError::Config)?;
        let found = rpc.chain_id().await?;
        if found != deployment.chain_id {
            return Err(SyncError::WrongChain {
                expected: deployment.chain_id,
                found,
            });
        }
        let c = &deployment.contracts;
        let contract_of: BTreeMap<Address, Contract> = [
            (c.datanet_registry, Contract::Datanet),
            (c.model_registry, Contract::Model),
            (c.agent_registry, Contract::Agent),
            (c.reward_escrow, Contract::Escrow),
        ]
        .into_iter()
        .collect();
        let sizer = RangeSizer::new(config.rpc.initial_range, config.rpc.max_range);
        Ok(Self {
            store,
            schema: Arc::new(Schema::new()?),
            rpc,
            chain_id: deployment.chain_id,
            start_block: deployment.start_block,
            addresses: contract_of.keys().copied().collect(),
            contract_of,
            config,
            metrics,
            sizer: Mutex::new(sizer),
        })
    }

    /// The metrics this indexer updates.
    pub fn metrics(&self) -> Metrics {
        self.metrics.clone()
    }

    /// The event schema.
    pub fn schema(&self) -> Arc<Schema> {
        self.schema.clone()
    }

    /// Syncs until the head is reached, then returns what was done.
    pub async fn catch_up(&self) -> Result<Summary, SyncError> {
        let started = Instant::now();
        let before = self.metrics.snapshot();
        loop {
            if let Step::CaughtUp { .. } = self.step().await? {
                break;
            }
        }
        self.metrics.set_caught_up(true);
        crate::reports::load_reports(&self.store).await?;
        let after = self.metrics.snapshot();
        Ok(Summary {
            events: after.events - before.events,
            blocks: after.blocks - before.blocks,
            seconds: started.elapsed().as_secs_f64(),
            metrics: after,
        })
    }

    /// Follows the chain until `shutdown` completes. Transient failures are logged and retried
    /// after a pause; fatal ones end the loop.
    pub async fn run(
        &self,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> Result<(), SyncError> {
        tokio::pin!(shutdown);
        let mut failures = 0u32;
        loop {
            let pause = match self.step().await {
                Ok(Step::CaughtUp { .. }) => {
                    failures = 0;
                    self.metrics.set_caught_up(true);
                    if let Err(err) = crate::reports::load_reports(&self.store).await {
                        tracing::error!(%err, "loading epoch reports failed; retrying next poll");
                    }
                    self.config.poll_interval
                }
                Ok(_) => {
                    failures = 0;
                    Duration::ZERO
                }
                Err(err) if err.is_fatal() => return Err(err),
                Err(err) => {
                    failures += 1;
                    let pause = self.config.poll_interval.saturating_mul(failures.min(30));
                    tracing::error!(%err, ?pause, "sync step failed; retrying");
                    pause
                }
            };
            tokio::select! {
                () = &mut shutdown => return Ok(()),
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// One step: check the last committed block is still canonical, then index the next range.
    #[tracing::instrument(skip(self), level = "debug")]
    pub async fn step(&self) -> Result<Step, SyncError> {
        let head = self.rpc.head().await?;
        self.metrics.set_head(head);
        let cp = self.store.checkpoint(self.chain_id).await?;
        if let Some(cp) = &cp {
            let canonical = self.rpc.header(cp.block).await?;
            if canonical.map(|h| format!("{:#x}", h.hash)).as_deref()
                != Some(cp.block_hash.as_str())
            {
                return self.roll_back(head, cp).await;
            }
        }
        let next = cp.as_ref().map_or(self.start_block, |c| c.block + 1);
        if next > head {
            return Ok(Step::CaughtUp { head });
        }
        let finalized = head.saturating_sub(self.config.finality_depth);
        if next <= finalized {
            self.backfill(next, finalized, head).await
        } else {
            self.follow_tip(next, head, cp.as_ref()).await
        }
    }

    /// Finds the newest stored block the chain still has and deletes everything above it.
    async fn roll_back(&self, head: u64, cp: &Checkpoint) -> Result<Step, SyncError> {
        for stored in self.store.recent_blocks().await? {
            if stored.number > head {
                continue;
            }
            let canonical = self.rpc.header(stored.number).await?;
            if canonical.map(|h| format!("{:#x}", h.hash)).as_deref() == Some(stored.hash.as_str())
            {
                let fork = Checkpoint {
                    block: stored.number,
                    block_hash: stored.hash,
                };
                let removed = self
                    .store
                    .rollback_to(&self.schema, self.chain_id, &fork)
                    .await?;
                self.metrics.rolled_back(fork.block, removed);
                tracing::warn!(
                    from = cp.block,
                    to = fork.block,
                    removed,
                    "reorg: rolled back to the newest block still canonical"
                );
                return Ok(Step::RolledBack { fork: fork.block });
            }
        }
        Err(SyncError::ReorgTooDeep {
            block: cp.block,
            hash: cp.block_hash.clone(),
        })
    }

    /// Final blocks `[from, to]`: ranges fetched ahead while earlier ones are written.
    async fn backfill(&self, from: u64, to: u64, head: u64) -> Result<Step, SyncError> {
        let bar = self.progress_bar(from, to);
        let (tx, mut rx) = mpsc::channel::<Result<(u64, u64, Vec<Log>, HeaderRef), SyncError>>(
            self.config.prefetch.max(1),
        );
        let producer = async move {
            let mut start = from;
            while start <= to {
                let size = self.sizer.lock().map(|s| s.size()).unwrap_or(1);
                let end = start.saturating_add(size - 1).min(to);
                let item = match self.rpc.logs_exact(&self.addresses, start, end).await {
                    Ok(logs) => {
                        if let Ok(mut s) = self.sizer.lock() {
                            s.grow();
                        }
                        match self.rpc.header(end).await {
                            Ok(Some(h)) => Ok((start, end, logs, h)),
                            Ok(None) => Err(SyncError::Config(format!(
                                "the node has no block {end} below its head {head}"
                            ))),
                            Err(e) => Err(e.into()),
                        }
                    }
                    Err(LogsError::TooLarge(fault)) => {
                        if let Ok(mut s) = self.sizer.lock() {
                            s.shrink(start, end - start + 1, &fault);
                        }
                        continue;
                    }
                    Err(LogsError::Failed(e)) => Err(e.into()),
                };
                let failed = item.is_err();
                if tx.send(item).await.is_err() || failed {
                    break;
                }
                start = end + 1;
            }
        };
        let consumer = async {
            let mut last = None;
            while let Some(item) = rx.recv().await {
                let (start, end, logs, header) = item?;
                let started = Instant::now();
                let rows = self.decode(&logs)?;
                let t_decode = started.elapsed();
                self.metrics.decode_time(t_decode);
                let cp = Checkpoint {
                    block: end,
                    block_hash: format!("{:#x}", header.hash),
                };
                let block = BlockRow {
                    number: end,
                    hash: cp.block_hash.clone(),
                    parent_hash: format!("{:#x}", header.parent_hash),
                };
                let t_db = Instant::now();
                self.store
                    .commit_batch(&self.schema, self.chain_id, &rows, &[block], &cp, Some(end))
                    .await?;
                self.metrics.db_time(t_db.elapsed());
                self.metrics
                    .committed(end, end - start + 1, rows.len() as u64, started.elapsed());
                if let Some(bar) = &bar {
                    bar.inc(end - start + 1);
                    bar.set_message(format!("{} events", self.metrics.snapshot().events));
                }
                last = Some(end);
            }
            Ok::<_, SyncError>(last)
        };
        let ((), last) = tokio::join!(producer, consumer);
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        Ok(match last? {
            Some(to) => Step::Progressed { to },
            None => Step::Retry,
        })
    }

    /// Recent blocks: header by header, each linked to the last, then their logs.
    async fn follow_tip(
        &self,
        from: u64,
        head: u64,
        cp: Option<&Checkpoint>,
    ) -> Result<Step, SyncError> {
        let mut to = head.min(from.saturating_add(self.config.tip_batch - 1));
        let logs = loop {
            match self.rpc.logs_exact(&self.addresses, from, to).await {
                Ok(logs) => break logs,
                Err(LogsError::TooLarge(fault)) => {
                    let mut s = RangeSizer::new(to - from + 1, to - from + 1);
                    s.shrink(from, to - from + 1, &fault);
                    to = from + s.size() - 1;
                }
                Err(LogsError::Failed(e)) => return Err(e.into()),
            }
        };
        // Headers after the logs: if the chain moved in between, a log's block hash will not
        // match its header and the step is retried.
        let mut headers = Vec::with_capacity((to - from + 1) as usize);
        for chunk_start in (from..=to).step_by(16) {
            let chunk_end = (chunk_start + 15).min(to);
            let fetched = futures::future::try_join_all(
                (chunk_start..=chunk_end).map(|n| self.rpc.header(n)),
            )
            .await?;
            for h in fetched {
                match h {
                    Some(h) => headers.push(h),
                    None => return Ok(Step::Retry),
                }
            }
        }
        if let (Some(cp), Some(first)) = (cp, headers.first())
            && cp.block + 1 == first.number
            && format!("{:#x}", first.parent_hash) != cp.block_hash
        {
            return self.roll_back(head, cp).await;
        }
        if headers.windows(2).any(|w| w[1].parent_hash != w[0].hash) {
            return Ok(Step::Retry);
        }
        for log in &logs {
            let Some(n) = log.block_number else { continue };
            let expected = n.checked_sub(from).and_then(|i| headers.get(i as usize));
            if expected.map(|h| h.hash) != log.block_hash {
                return Ok(Step::Retry);
            }
        }
        let started = Instant::now();
        let rows = self.decode(&logs)?;
        self.metrics.decode_time(started.elapsed());
        let Some(last) = headers.last() else {
            return Ok(Step::Retry);
        };
        let cp = Checkpoint {
            block: last.number,
            block_hash: format!("{:#x}", last.hash),
        };
        let blocks: Vec<BlockRow> = headers
            .iter()
            .map(|h| BlockRow {
                number: h.number,
                hash: format!("{:#x}", h.hash),
                parent_hash: format!("{:#x}", h.parent_hash),
            })
            .collect();
        let prune = head.saturating_sub(self.config.finality_depth).min(from);
        let t_db = Instant::now();
        self.store
            .commit_batch(
                &self.schema,
                self.chain_id,
                &rows,
                &blocks,
                &cp,
                Some(prune),
            )
            .await?;
        self.metrics.db_time(t_db.elapsed());
        self.metrics.committed(
            cp.block,
            to - from + 1,
            rows.len() as u64,
            started.elapsed(),
        );
        Ok(Step::Progressed { to: cp.block })
    }

    /// Decodes logs of the followed contracts into rows; logs of unknown events are skipped.
    fn decode(&self, logs: &[Log]) -> Result<Vec<EventRow>, SyncError> {
        let mut rows = Vec::with_capacity(logs.len());
        for log in logs {
            if log.removed {
                continue;
            }
            let Some(&contract) = self.contract_of.get(&log.address()) else {
                continue;
            };
            let topics = log.topics();
            let Some(&topic0) = topics.first() else {
                continue;
            };
            let Some((table, spec)) = self.schema.table_for(contract, topic0) else {
                tracing::warn!(?contract, %topic0, "log of an event missing from the ABI; skipped");
                continue;
            };
            let values = spec.decode(topics, &log.data().data)?;
            let (Some(block_number), Some(log_index), Some(tx_hash)) =
                (log.block_number, log.log_index, log.transaction_hash)
            else {
                return Err(
                    DecodeError(format!("{}: log without a block position", spec.name)).into(),
                );
            };
            rows.push(EventRow {
                table,
                block_number,
                log_index,
                tx_hash: format!("{tx_hash:#x}"),
                block_timestamp: log.block_timestamp,
                values,
            });
        }
        Ok(rows)
    }

    fn progress_bar(&self, from: u64, to: u64) -> Option<indicatif::ProgressBar> {
        // Small ranges finish before a bar is worth drawing.
        if !self.config.progress || !std::io::stderr().is_terminal() || to - from < 10_000 {
            return None;
        }
        let bar = indicatif::ProgressBar::new(to - from + 1);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} backfill [{bar:40}] {pos}/{len} blocks, {per_sec}, ETA {eta} ({msg})",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        Some(bar)
    }
}
