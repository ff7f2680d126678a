//! The load generator of the indexer benchmark: deploys OpenLedger on a local chain and fills it
//! with hundreds of thousands of events of its four contracts, in the proportions a live
//! deployment would show (mostly contributions and their reviews, paid inferences and agent
//! actions; models, agents, versions, administration, roots and claims more rarely).
//!
//! Speed comes from batching: `contracts/src/dev/LoadGen.sol` instances (one per simulated
//! participant) each make a hundred calls to the real contracts per transaction, with gas and
//! nonces set locally so nothing is executed twice, and blocks mined on demand with eight such
//! transactions each (anvil's per-block cost grows with its state, see `chain.rs`). Run it
//! against an anvil started with a large block gas limit (`--gas-limit 1000000000`), or blocks
//! get fewer transactions. `scripts/bench-indexer` caches the resulting chain state.
//!
//! Local chains only: it mints the unrestricted dev token and signs with anvil's dev keys
//! (account 0 deploys and guards, account 1 drives the participants, 2 to 6 pay with permits,
//! 7 and 8 sign epoch roots).

mod chain;
mod generate;
mod rng;
mod tally;
mod world;

use alloy::primitives::{Address, B256};
pub use generate::generate;
use openledger_sdk::Deployment;
use serde::Serialize;
pub use tally::Counts;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The node (a local anvil).
    pub rpc_url: String,
    /// Events of the four OpenLedger contracts to produce, at least.
    pub events: u64,
    /// Simulated participants (LoadGen instances); at least 2.
    pub actors: usize,
    /// Calls per transaction (fewer when the block gas limit is small).
    pub calls_per_tx: usize,
    /// Transactions per block (fewer when the block gas limit is small).
    pub txs_per_block: usize,
    /// Seed: the same seed on a fresh chain builds the same chain.
    pub seed: u64,
    /// Empty blocks mined after each round, so the chain has quiet stretches as a real one does.
    pub empty_blocks: u64,
    /// Share of inferences paid by EOAs with an EIP-2612 permit, one transaction each.
    pub permit_share: f64,
    /// Propose epoch roots and claim against them at the end.
    pub roots: bool,
    /// Print progress to stderr.
    pub progress: bool,
}

impl Config {
    /// Defaults for `events` events on `rpc_url`.
    pub fn new(rpc_url: impl Into<String>, events: u64) -> Self {
        Self {
            rpc_url: rpc_url.into(),
            events,
            actors: 12,
            calls_per_tx: 100,
            txs_per_block: 8,
            seed: 1,
            empty_blocks: 2,
            permit_share: 0.02,
            roots: true,
            progress: false,
        }
    }
}

/// What a run produced.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Where the contracts are (also written to `--deployment-out`).
    pub deployment: Deployment,
    /// Events by contract and kind, transactions, block range.
    pub counts: Counts,
    /// The chain head when the run ended.
    pub head: u64,
    /// The participants' addresses (LoadGen instances).
    pub actors: Vec<Address>,
    /// Wall time of the whole run, deployment included.
    pub seconds: f64,
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum LoadgenError {
    /// The node refused or failed a request.
    #[error("RPC error: {0}")]
    Rpc(#[from] alloy::transports::TransportError),
    /// A contract call made before the batches (deployment, a read) failed.
    #[error(transparent)]
    Sdk(#[from] openledger_sdk::Error),
    /// A read through a binding failed.
    #[error("contract read failed: {0}")]
    Contract(#[from] alloy::contract::Error),
    /// A transaction reverted; `reason` names the failing call of the batch and its error.
    #[error("transaction {tx} ({what}) reverted: {reason}")]
    Reverted {
        /// The transaction.
        tx: B256,
        /// What it was doing.
        what: String,
        /// The decoded revert.
        reason: String,
    },
    /// A transaction was not included in any of several blocks mined after it.
    #[error(
        "transaction {0} was left out of {1} blocks in a row: is its gas above the block gas limit?"
    )]
    NoReceipt(B256, usize),
    /// Signing a permit failed.
    #[error("signing failed: {0}")]
    Sign(#[from] alloy::signers::Error),
    /// Signing or sorting a root update failed.
    #[error("root update: {0}")]
    Root(#[from] openledger_sdk::root_update::RootUpdateError),
    /// Building the claims tree failed.
    #[error("claims tree: {0}")]
    Merkle(#[from] openledger_sdk::merkle::MerkleError),
    /// Anything else that makes the run impossible.
    #[error("{0}")]
    Invalid(String),
}
