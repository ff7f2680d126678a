//! Agents: register, bind a wallet (with the wallet's EIP-712 signature), record actions,
//! give feedback.

use alloy::{
    primitives::{Address, B256, Bytes, U256},
    providers::Provider,
    rpc::types::TransactionReceipt,
    signers::{Signer, local::PrivateKeySigner},
    sol,
    sol_types::{Eip712Domain, SolStruct, eip712_domain},
};

use super::{OpenLedger, Sent, event, send};
use crate::{Error, bindings::agent_registry::AgentRegistry};

sol! {
    /// What an agent wallet signs to accept being bound to an agent.
    #[derive(Debug, PartialEq, Eq)]
    struct AgentWalletSet {
        uint256 agentId;
        address newWallet;
        address owner;
        uint256 nonce;
        uint256 deadline;
    }
}

/// The AgentRegistry's EIP-712 domain.
pub fn agent_wallet_domain(chain_id: u64, registry: Address) -> Eip712Domain {
    eip712_domain! {
        name: "OpenLedger AgentRegistry",
        version: "1",
        chain_id: chain_id,
        verifying_contract: registry,
    }
}

impl<P: Provider + Clone> OpenLedger<P> {
    /// Registers an agent running on `model_id`, owned by the sender; returns its id.
    pub async fn register_agent(
        &self,
        uri: &str,
        model_id: U256,
        metadata: &[(String, Vec<u8>)],
    ) -> Result<U256, Error> {
        Ok(self
            .register_agent_with_receipt(uri, model_id, metadata)
            .await?
            .value)
    }

    /// [`Self::register_agent`], with the receipt.
    pub async fn register_agent_with_receipt(
        &self,
        uri: &str,
        model_id: U256,
        metadata: &[(String, Vec<u8>)],
    ) -> Result<Sent<U256>, Error> {
        let entries = metadata
            .iter()
            .map(|(key, value)| AgentRegistry::MetadataEntry {
                key: key.clone(),
                value: Bytes::from(value.clone()),
            })
            .collect();
        let receipt = send(
            self.agent_registry()
                .register(uri.to_owned(), model_id, entries),
        )
        .await?;
        let value = event::<AgentRegistry::AgentRegistered>(&receipt)?.agentId;
        Ok(Sent { value, receipt })
    }

    /// The signature `wallet` gives to be bound to `agent_id` (owned by `owner`), valid until
    /// `deadline` (unix seconds, at most an hour ahead).
    pub async fn sign_agent_wallet(
        &self,
        wallet: &PrivateKeySigner,
        agent_id: U256,
        owner: Address,
        deadline: u64,
    ) -> Result<Bytes, Error> {
        let registry = self.agent_registry();
        let nonce = registry.walletNonce(wallet.address()).call().await?;
        let message = AgentWalletSet {
            agentId: agent_id,
            newWallet: wallet.address(),
            owner,
            nonce,
            deadline: U256::from(deadline),
        };
        let domain = agent_wallet_domain(self.deployment().chain_id, *registry.address());
        let sig = wallet
            .sign_hash(&message.eip712_signing_hash(&domain))
            .await
            .map_err(|e| Error::Invalid(format!("wallet signature failed: {e}")))?;
        Ok(Bytes::from(sig.as_bytes().to_vec()))
    }

    /// Binds `wallet` to `agent_id` with the wallet's signature (see [`Self::sign_agent_wallet`]).
    pub async fn set_agent_wallet(
        &self,
        agent_id: U256,
        wallet: Address,
        deadline: u64,
        signature: Bytes,
    ) -> Result<TransactionReceipt, Error> {
        let instance = self.agent_registry();
        let call = instance.setAgentWallet(agent_id, wallet, U256::from(deadline), signature);
        send(call).await
    }

    /// Records an action (the sender must be the agent's wallet); returns its index.
    pub async fn record_action(
        &self,
        agent_id: U256,
        action_hash: B256,
        uri: &str,
        outcome: u16,
    ) -> Result<U256, Error> {
        Ok(self
            .record_action_with_receipt(agent_id, action_hash, uri, outcome)
            .await?
            .value)
    }

    /// [`Self::record_action`], with the receipt.
    pub async fn record_action_with_receipt(
        &self,
        agent_id: U256,
        action_hash: B256,
        uri: &str,
        outcome: u16,
    ) -> Result<Sent<U256>, Error> {
        let instance = self.agent_registry();
        let call = instance.recordAction(agent_id, action_hash, uri.to_owned(), outcome);
        let receipt = send(call).await?;
        let value = event::<AgentRegistry::ActionRecorded>(&receipt)?.index;
        Ok(Sent { value, receipt })
    }

    /// Gives feedback on an agent (never from its owner or wallet); returns its index.
    #[allow(clippy::too_many_arguments)]
    pub async fn give_feedback(
        &self,
        agent_id: U256,
        value: i128,
        decimals: u8,
        tag1: B256,
        tag2: B256,
        uri: &str,
        feedback_hash: B256,
    ) -> Result<U256, Error> {
        Ok(self
            .give_feedback_with_receipt(agent_id, value, decimals, tag1, tag2, uri, feedback_hash)
            .await?
            .value)
    }

    /// [`Self::give_feedback`], with the receipt.
    #[allow(clippy::too_many_arguments)]
    pub async fn give_feedback_with_receipt(
        &self,
        agent_id: U256,
        value: i128,
        decimals: u8,
        tag1: B256,
        tag2: B256,
        uri: &str,
        feedback_hash: B256,
    ) -> Result<Sent<U256>, Error> {
        let instance = self.agent_registry();
        let call = instance.giveFeedback(
            agent_id,
            value,
            decimals,
            tag1,
            tag2,
            uri.to_owned(),
            feedback_hash,
        );
        let receipt = send(call).await?;
        let value = event::<AgentRegistry::FeedbackGiven>(&receipt)?.index;
        Ok(Sent { value, receipt })
    }

    /// Revokes feedback `index` on `agent_id`; only the client who gave it can, and only once.
    /// Revoked feedback stays on chain (and in the indexer) but no longer counts in summaries.
    pub async fn revoke_feedback(
        &self,
        agent_id: U256,
        index: U256,
    ) -> Result<TransactionReceipt, Error> {
        send(self.agent_registry().revokeFeedback(agent_id, index)).await
    }

    /// Whether feedback `index` on `agent_id` exists, who gave it and whether it is revoked.
    pub async fn feedback(
        &self,
        agent_id: U256,
        index: U256,
    ) -> Result<AgentRegistry::getFeedbackReturn, Error> {
        Ok(self
            .agent_registry()
            .getFeedback(agent_id, index)
            .call()
            .await?)
    }

    /// An agent's state.
    pub async fn agent(&self, agent_id: U256) -> Result<AgentRegistry::AgentView, Error> {
        Ok(self.agent_registry().getAgent(agent_id).call().await?)
    }

    /// An agent's recorded actions, oldest first, from `ActionRecorded` events.
    pub async fn agent_actions(
        &self,
        agent_id: U256,
    ) -> Result<Vec<AgentRegistry::ActionRecorded>, Error> {
        let logs = self
            .agent_registry()
            .ActionRecorded_filter()
            .topic1(agent_id)
            .from_block(self.deployment().start_block)
            .query()
            .await?;
        Ok(logs.into_iter().map(|(ev, _)| ev).collect())
    }
}
