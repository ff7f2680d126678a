//! Sends transactions as fast as a local node takes them: nonces kept locally, gas and fees set
//! explicitly (no estimation round trips, which would execute every batch twice), and blocks
//! mined on demand with several transactions each.
//!
//! Why not one block per transaction (anvil's automine): anvil recomputes the state root of its
//! whole in-memory state for every block, which costs about half a second per block once the
//! chain holds 200,000 events, so the block count dominates the generation time.

use std::collections::{HashMap, VecDeque};

use alloy::{
    eips::BlockId,
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, B256, Bytes},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::{TransactionReceipt, TransactionRequest},
    signers::local::PrivateKeySigner,
    sol_types::SolError,
};
use openledger_sdk::{bindings::LoadGen, decode_revert};

use crate::{LoadgenError, tally::Tally};

/// Blocks mined in a row without including a transaction sent before the run gives up.
const MAX_EMPTY_MINES: usize = 4;
/// Priority fee: anvil enforces a minimum tip by default.
const TIP: u128 = 1_000_000_000;

/// A transaction waiting for its receipt.
#[derive(Debug)]
struct InFlight {
    hash: B256,
    request: TransactionRequest,
    what: String,
}

/// The transaction pipe to one node.
#[derive(Debug)]
pub struct Chain {
    reader: DynProvider,
    signer: DynProvider,
    chain_id: u64,
    nonces: HashMap<Address, u64>,
    block_gas_limit: u64,
    max_fee: u128,
    sent_since_fee: usize,
    txs_per_block: usize,
    in_flight: VecDeque<InFlight>,
    done: Vec<TransactionReceipt>,
    tally: Option<Tally>,
}

impl Chain {
    /// Connects to `url`, able to send from every key of `keys`, mining a block every
    /// `txs_per_block` transactions (automine is switched off until [`Self::close`]).
    pub async fn connect(
        url: &str,
        keys: &[PrivateKeySigner],
        txs_per_block: usize,
    ) -> Result<Self, LoadgenError> {
        let url: alloy::transports::http::reqwest::Url = url
            .parse()
            .map_err(|e| LoadgenError::Invalid(format!("rpc url {url}: {e}")))?;
        let reader = ProviderBuilder::default()
            .connect_http(url.clone())
            .erased();
        let mut wallet = EthereumWallet::default();
        for key in keys {
            wallet.register_signer(key.clone());
        }
        let signer = ProviderBuilder::default()
            .wallet(wallet)
            .connect_http(url)
            .erased();
        let chain_id = reader.get_chain_id().await?;
        let mut nonces = HashMap::new();
        for key in keys {
            let nonce = reader
                .get_transaction_count(key.address())
                .pending()
                .await?;
            nonces.insert(key.address(), nonce);
        }
        let mut chain = Self {
            reader,
            signer,
            chain_id,
            nonces,
            block_gas_limit: 0,
            max_fee: 0,
            sent_since_fee: 0,
            txs_per_block: txs_per_block.max(1),
            in_flight: VecDeque::new(),
            done: Vec::new(),
            tally: None,
        };
        chain.refresh_fees().await?;
        chain
            .node("evm_setAutomine", serde_json::json!([false]))
            .await?;
        Ok(chain)
    }

    /// Gives the node its automine back.
    pub async fn close(&mut self) -> Result<(), LoadgenError> {
        self.node("evm_setAutomine", serde_json::json!([true]))
            .await
    }

    /// The read-only provider.
    pub fn reader(&self) -> &DynProvider {
        &self.reader
    }

    /// The chain id.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// Gas one transaction may budget: half the block gas limit (the EIP-1559 target, so the
    /// base fee does not climb block after block), at most 100M.
    pub fn max_tx_gas(&self) -> u64 {
        (self.block_gas_limit / 2).min(100_000_000)
    }

    /// Counts events from now on (receipts of transactions settled from now on).
    pub fn start_tally(&mut self, tally: Tally) {
        self.tally = Some(tally);
    }

    /// The tally, if started.
    pub fn tally(&self) -> Option<&Tally> {
        self.tally.as_ref()
    }

    async fn refresh_fees(&mut self) -> Result<(), LoadgenError> {
        let block = self
            .reader
            .get_block(BlockId::latest())
            .await?
            .ok_or_else(|| LoadgenError::Invalid("the node has no latest block".into()))?;
        self.block_gas_limit = block.header.gas_limit;
        let base = u128::from(block.header.base_fee_per_gas.unwrap_or_default());
        // Headroom for the base fee to move while a window of transactions is in flight.
        self.max_fee = base * 3 + TIP;
        self.sent_since_fee = 0;
        Ok(())
    }

    /// Sends a transaction from `from` (one of the connected keys) and keeps going; `to` `None`
    /// creates a contract. `what` names it in errors.
    pub async fn send(
        &mut self,
        from: Address,
        to: Option<Address>,
        input: Bytes,
        gas: u64,
        what: impl Into<String>,
    ) -> Result<(), LoadgenError> {
        if self.sent_since_fee >= self.txs_per_block {
            self.refresh_fees().await?;
        }
        let nonce = self
            .nonces
            .get_mut(&from)
            .ok_or_else(|| LoadgenError::Invalid(format!("no key for {from}")))?;
        let mut request = TransactionRequest::default()
            .with_from(from)
            .with_input(input)
            .with_nonce(*nonce)
            .with_chain_id(self.chain_id)
            .with_gas_limit(gas)
            .with_max_fee_per_gas(self.max_fee)
            .with_max_priority_fee_per_gas(TIP);
        request = match to {
            Some(to) => request.with_to(to),
            None => request.into_create(),
        };
        *nonce += 1;
        self.sent_since_fee += 1;
        let hash = *self
            .signer
            .send_transaction(request.clone())
            .await?
            .tx_hash();
        self.in_flight.push_back(InFlight {
            hash,
            request,
            what: what.into(),
        });
        if self.in_flight.len() >= self.txs_per_block {
            self.mine().await?;
        }
        Ok(())
    }

    /// Mines what was sent and returns the receipts of everything sent since the last call, in
    /// chain order.
    pub async fn settle(&mut self) -> Result<Vec<TransactionReceipt>, LoadgenError> {
        self.mine().await?;
        self.refresh_fees().await?;
        let mut done = std::mem::take(&mut self.done);
        done.sort_by_key(|r| (r.block_number, r.transaction_index));
        Ok(done)
    }

    /// Mines blocks until every transaction in flight is in one (a small block gas limit may
    /// leave some for the next block).
    async fn mine(&mut self) -> Result<(), LoadgenError> {
        let mut empty = 0;
        while !self.in_flight.is_empty() {
            self.node("evm_mine", serde_json::json!([])).await?;
            let mut waiting = VecDeque::new();
            let before = self.in_flight.len();
            while let Some(sent) = self.in_flight.pop_front() {
                match self.reader.get_transaction_receipt(sent.hash).await? {
                    Some(receipt) => self.record(&sent, receipt).await?,
                    None => waiting.push_back(sent),
                }
            }
            self.in_flight = waiting;
            if self.in_flight.len() == before {
                empty += 1;
                if empty >= MAX_EMPTY_MINES {
                    let hash = self.in_flight.front().map(|s| s.hash).unwrap_or_default();
                    return Err(LoadgenError::NoReceipt(hash, MAX_EMPTY_MINES));
                }
            }
        }
        Ok(())
    }

    async fn record(
        &mut self,
        sent: &InFlight,
        receipt: TransactionReceipt,
    ) -> Result<(), LoadgenError> {
        if !receipt.status() {
            return Err(self.explain_failure(sent, &receipt).await);
        }
        if let Some(tally) = &mut self.tally {
            tally.add(&receipt);
        }
        self.done.push(receipt);
        Ok(())
    }

    /// Replays a failed transaction on the state it ran on (one transaction per block) to say
    /// which call reverted and why.
    async fn explain_failure(&self, sent: &InFlight, receipt: &TransactionReceipt) -> LoadgenError {
        let mut replay = sent.request.clone();
        replay.max_fee_per_gas = None;
        replay.max_priority_fee_per_gas = None;
        replay.nonce = None;
        let parent = receipt.block_number.unwrap_or(1).saturating_sub(1);
        let mut reason = String::new();
        // On the parent block's state; on the latest one when the node keeps no history
        // (`anvil --prune-history`), which usually fails the same way.
        for block in [BlockId::number(parent), BlockId::latest()] {
            reason = match self.reader.call(replay.clone()).block(block).await {
                Ok(_) => "out of gas, or reverted only in its block (the replay succeeded)".into(),
                Err(err) => match err.as_error_resp().and_then(|e| e.as_revert_data()) {
                    Some(data) => return self.reverted(sent, describe_revert(&data)),
                    None => err.to_string(),
                },
            };
        }
        self.reverted(sent, reason)
    }

    fn reverted(&self, sent: &InFlight, reason: String) -> LoadgenError {
        LoadgenError::Reverted {
            tx: sent.hash,
            what: sent.what.clone(),
            reason,
        }
    }

    /// Calls a node method that changes the chain but is no transaction (`anvil_mine`,
    /// `evm_increaseTime`...).
    pub async fn node(
        &mut self,
        method: &'static str,
        params: serde_json::Value,
    ) -> Result<(), LoadgenError> {
        let _: serde_json::Value = self.reader.raw_request(method.into(), params).await?;
        Ok(())
    }

    /// The latest block's timestamp.
    pub async fn now(&self) -> Result<u64, LoadgenError> {
        let block = self
            .reader
            .get_block(BlockId::latest())
            .await?
            .ok_or_else(|| LoadgenError::Invalid("the node has no latest block".into()))?;
        Ok(block.header.timestamp)
    }
}

/// Names the failing call of a `LoadGen.run` batch and its error, or any other revert.
fn describe_revert(data: &[u8]) -> String {
    if let Ok(failed) = LoadGen::CallFailed::abi_decode(data) {
        let inner = decode_revert(&failed.reason)
            .map_or_else(|| format!("{}", failed.reason), |r| r.to_string());
        return format!("call {} of the batch: {inner}", failed.index);
    }
    decode_revert(data).map_or_else(
        || Bytes::copy_from_slice(data).to_string(),
        |r| r.to_string(),
    )
}
