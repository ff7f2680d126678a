//! A typed client over any alloy provider, for every wallet interaction with OpenLedger.
//!
//! Writes wait for the receipt, check its status, and return the ids the contracts emitted;
//! reverts come back as [`Error::Revert`] with the custom error's name and fields. The writes that
//! return an id have a `*_with_receipt` twin returning [`Sent`], for callers that also report the
//! transaction (the command line prints every transaction hash).

mod agents;
mod datanets;
mod escrow;
mod models;

use alloy::{
    contract::{CallBuilder, CallDecoder},
    network::Ethereum,
    primitives::{Address, TxHash, U256},
    providers::Provider,
    rpc::types::TransactionReceipt,
    sol_types::SolEvent,
};

pub use agents::{AgentWalletSet, agent_wallet_domain};
pub use datanets::{DatanetPolicy, contribution_commitment};
pub use escrow::{ApiClaim, ApiClaimable, PermitSignature};
pub use models::{LineageNode, ModelSpec, Relation};

use crate::{
    Deployment, Error,
    bindings::{AgentRegistry, DatanetRegistry, DevToken, ModelRegistry, RewardEscrow},
};

/// What a write produced (an id, an index, an amount), with the receipt of its transaction.
#[derive(Debug, Clone)]
pub struct Sent<T> {
    /// What the contract's event reported.
    pub value: T,
    /// The mined transaction's receipt.
    pub receipt: TransactionReceipt,
}

impl<T> Sent<T> {
    /// The transaction's hash.
    pub fn tx_hash(&self) -> TxHash {
        self.receipt.transaction_hash
    }
}

/// OpenLedger on one chain: a provider (with a wallet for writes) and the deployment.
#[derive(Debug, Clone)]
pub struct OpenLedger<P> {
    provider: P,
    deployment: Deployment,
    sender: Option<Address>,
}

impl<P: Provider + Clone> OpenLedger<P> {
    /// A client for `deployment` over `provider`; `sender` is the wallet address writes come
    /// from (`None` for a read-only client).
    pub fn new(provider: P, deployment: Deployment, sender: Option<Address>) -> Self {
        Self {
            provider,
            deployment,
            sender,
        }
    }

    /// Like [`Self::new`], after checking that the node serves the deployment's chain.
    pub async fn connect(
        provider: P,
        deployment: Deployment,
        sender: Option<Address>,
    ) -> Result<Self, Error> {
        let actual = provider.get_chain_id().await?;
        if actual != deployment.chain_id {
            return Err(Error::WrongChain {
                expected: deployment.chain_id,
                actual,
            });
        }
        Ok(Self::new(provider, deployment, sender))
    }

    /// The provider.
    pub fn provider(&self) -> &P {
        &self.provider
    }

    /// The deployment.
    pub fn deployment(&self) -> &Deployment {
        &self.deployment
    }

    /// The address writes are sent from.
    pub fn sender(&self) -> Result<Address, Error> {
        self.sender
            .ok_or_else(|| Error::Invalid("this client has no wallet: pass a key".into()))
    }

    /// Raw binding of the DatanetRegistry.
    pub fn datanet_registry(&self) -> DatanetRegistry::DatanetRegistryInstance<P> {
        DatanetRegistry::new(
            self.deployment.contracts.datanet_registry,
            self.provider.clone(),
        )
    }

    /// Raw binding of the ModelRegistry.
    pub fn model_registry(&self) -> ModelRegistry::ModelRegistryInstance<P> {
        ModelRegistry::new(
            self.deployment.contracts.model_registry,
            self.provider.clone(),
        )
    }

    /// Raw binding of the AgentRegistry.
    pub fn agent_registry(&self) -> AgentRegistry::AgentRegistryInstance<P> {
        AgentRegistry::new(
            self.deployment.contracts.agent_registry,
            self.provider.clone(),
        )
    }

    /// Raw binding of the RewardEscrow.
    pub fn escrow(&self) -> RewardEscrow::RewardEscrowInstance<P> {
        RewardEscrow::new(
            self.deployment.contracts.reward_escrow,
            self.provider.clone(),
        )
    }

    /// The payment token (an ERC-20 with permit; the dev token's ABI covers what is used here).
    pub fn token(&self) -> DevToken::DevTokenInstance<P> {
        DevToken::new(
            self.deployment.contracts.payment_token,
            self.provider.clone(),
        )
    }

    /// Payment-token balance of `account`.
    pub async fn token_balance(&self, account: Address) -> Result<U256, Error> {
        Ok(self.token().balanceOf(account).call().await?)
    }

    /// Payment-token allowance from the sender to `spender`.
    pub async fn allowance(&self, spender: Address) -> Result<U256, Error> {
        Ok(self
            .token()
            .allowance(self.sender()?, spender)
            .call()
            .await?)
    }

    /// Approves `spender` for `amount` of the payment token.
    pub async fn approve(
        &self,
        spender: Address,
        amount: U256,
    ) -> Result<TransactionReceipt, Error> {
        send(self.token().approve(spender, amount)).await
    }

    /// Mints dev tokens (local chains only: refused when the deployment's token is not the dev token).
    pub async fn mint_dev_tokens(
        &self,
        to: Address,
        amount: U256,
    ) -> Result<TransactionReceipt, Error> {
        if !self.deployment.dev_token {
            return Err(Error::Invalid(
                "the payment token is not the dev token: cannot mint".into(),
            ));
        }
        send(self.token().mint(to, amount)).await
    }

    /// Fails with [`Error::InsufficientAllowance`] unless the sender allows `spender` `needed`.
    async fn require_allowance(&self, spender: Address, needed: U256) -> Result<(), Error> {
        if needed.is_zero() {
            return Ok(());
        }
        let allowance = self.allowance(spender).await?;
        if allowance < needed {
            return Err(Error::InsufficientAllowance {
                spender,
                needed,
                allowance,
            });
        }
        Ok(())
    }
}

/// Sends a contract call, waits for its receipt and checks it succeeded.
pub(crate) async fn send<P, D>(
    call: CallBuilder<P, D, Ethereum>,
) -> Result<TransactionReceipt, Error>
where
    P: Provider,
    D: CallDecoder,
{
    // Simulate first: a revert then surfaces as a named error before any filler runs. Some nonce
    // managers (alloy's default cached one) consume a nonce even when gas estimation fails,
    // leaving a gap that every later transaction from the same provider would wait behind.
    call.call_raw().await?;
    let receipt = call.send().await?.get_receipt().await?;
    if !receipt.status() {
        return Err(Error::TxFailed(receipt.transaction_hash));
    }
    Ok(receipt)
}

/// [`send`] for a call that may only succeed in a block after the latest (a reveal right after
/// its commit): simulated and its gas estimated against the pending block, since against the
/// latest one `block.number` is still the commit's and the call would look like a revert.
pub(crate) async fn send_after_latest<P, D>(
    call: CallBuilder<P, D, Ethereum>,
) -> Result<TransactionReceipt, Error>
where
    P: Provider,
    D: CallDecoder,
{
    let call = call.block(alloy::eips::BlockId::pending());
    call.call_raw().await?;
    let gas = call.estimate_gas().await?;
    let receipt = call.gas(gas).send().await?.get_receipt().await?;
    if !receipt.status() {
        return Err(Error::TxFailed(receipt.transaction_hash));
    }
    Ok(receipt)
}

/// All events of type `E` in `receipt`.
pub fn events<E: SolEvent>(receipt: &TransactionReceipt) -> Vec<E> {
    receipt
        .inner
        .logs()
        .iter()
        .filter_map(|log| log.log_decode::<E>().ok())
        .map(|log| log.inner.data)
        .collect()
}

/// The first event of type `E` in `receipt`, or [`Error::MissingEvent`].
pub fn event<E: SolEvent>(receipt: &TransactionReceipt) -> Result<E, Error> {
    events::<E>(receipt)
        .into_iter()
        .next()
        .ok_or(Error::MissingEvent {
            tx: receipt.transaction_hash,
            event: E::SIGNATURE,
        })
}
