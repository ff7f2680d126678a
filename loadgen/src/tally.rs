//! Counts the events a run produced, by contract and event name, from transaction receipts.

use std::collections::{BTreeMap, HashMap};

use alloy::{
    json_abi::JsonAbi,
    primitives::{Address, B256},
    rpc::types::{Log, TransactionReceipt},
};
use openledger_sdk::{
    Deployment,
    bindings::{AgentRegistry, DatanetRegistry, DevToken, ModelRegistry, RewardEscrow},
};
use serde::Serialize;

/// Which contract a log came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// One of the four OpenLedger contracts the indexer follows.
    Project(&'static str),
    /// The payment token (bond and fee transfers, approvals).
    Token,
}

/// Events seen so far.
#[derive(Debug, Clone)]
pub struct Tally {
    sources: HashMap<Address, (Source, HashMap<B256, String>)>,
    counts: BTreeMap<String, u64>,
    project: u64,
    token: u64,
    other: u64,
    transactions: u64,
    first_block: Option<u64>,
    last_block: Option<u64>,
}

/// What a run produced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// Events of DatanetRegistry, ModelRegistry, AgentRegistry and RewardEscrow.
    pub project_events: u64,
    /// Events of the payment token (transfers of bonds and fees, approvals).
    pub token_events: u64,
    /// Events of anything else (none expected).
    pub other_events: u64,
    /// `Contract.Event` to count, token events included.
    pub by_event: BTreeMap<String, u64>,
    /// Transactions sent.
    pub transactions: u64,
    /// First block holding one of them.
    pub first_block: u64,
    /// Last block holding one of them.
    pub last_block: u64,
}

fn names(abi: &JsonAbi) -> HashMap<B256, String> {
    abi.events()
        .filter(|e| !e.anonymous)
        .map(|e| (e.selector(), e.name.clone()))
        .collect()
}

impl Tally {
    /// A tally for the contracts of `deployment`.
    pub fn new(deployment: &Deployment) -> Self {
        let c = &deployment.contracts;
        let sources = HashMap::from([
            (
                c.datanet_registry,
                (
                    Source::Project("DatanetRegistry"),
                    names(&DatanetRegistry::abi::contract()),
                ),
            ),
            (
                c.model_registry,
                (
                    Source::Project("ModelRegistry"),
                    names(&ModelRegistry::abi::contract()),
                ),
            ),
            (
                c.agent_registry,
                (
                    Source::Project("AgentRegistry"),
                    names(&AgentRegistry::abi::contract()),
                ),
            ),
            (
                c.reward_escrow,
                (
                    Source::Project("RewardEscrow"),
                    names(&RewardEscrow::abi::contract()),
                ),
            ),
            (
                c.payment_token,
                (Source::Token, names(&DevToken::abi::contract())),
            ),
        ]);
        Self {
            sources,
            counts: BTreeMap::new(),
            project: 0,
            token: 0,
            other: 0,
            transactions: 0,
            first_block: None,
            last_block: None,
        }
    }

    /// Counts the events of one receipt.
    pub fn add(&mut self, receipt: &TransactionReceipt) {
        self.transactions += 1;
        self.add_logs(receipt.inner.logs());
    }

    /// Counts `logs` (from receipts or `eth_getLogs`).
    pub fn add_logs(&mut self, logs: &[Log]) {
        for log in logs {
            let topic = log.topics().first().copied().unwrap_or_default();
            match self.sources.get(&log.address()) {
                Some((source, events)) => {
                    let (contract, bucket) = match source {
                        Source::Project(name) => (*name, &mut self.project),
                        Source::Token => ("PaymentToken", &mut self.token),
                    };
                    *bucket += 1;
                    let event = events.get(&topic).map_or("unknown", String::as_str);
                    *self
                        .counts
                        .entry(format!("{contract}.{event}"))
                        .or_default() += 1;
                }
                None => self.other += 1,
            }
            if let Some(block) = log.block_number {
                self.first_block = Some(self.first_block.map_or(block, |b| b.min(block)));
                self.last_block = Some(self.last_block.map_or(block, |b| b.max(block)));
            }
        }
    }

    /// Events of the four OpenLedger contracts so far.
    pub fn project_events(&self) -> u64 {
        self.project
    }

    /// The totals.
    pub fn counts(&self) -> Counts {
        Counts {
            project_events: self.project,
            token_events: self.token,
            other_events: self.other,
            by_event: self.counts.clone(),
            transactions: self.transactions,
            first_block: self.first_block.unwrap_or_default(),
            last_block: self.last_block.unwrap_or_default(),
        }
    }
}
