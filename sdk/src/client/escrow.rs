//! The reward escrow: pay inferences (with approval or an EIP-2612 permit), roots, claims.

use alloy::{
    primitives::{Address, B256, Bytes, U256},
    providers::Provider,
    rpc::types::TransactionReceipt,
    signers::{Signer, local::PrivateKeySigner},
    sol,
    sol_types::{Eip712Domain, SolStruct},
};

use super::{OpenLedger, event, send};
use crate::{
    Error, RootUpdate,
    bindings::reward_escrow::RewardEscrow,
    merkle::{self, MerkleLeaf},
};

sol! {
    /// EIP-2612 permit message.
    #[derive(Debug)]
    struct Permit {
        address owner;
        address spender;
        uint256 value;
        uint256 nonce;
        uint256 deadline;
    }
}

/// An EIP-2612 permit signature, split as `permit` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PermitSignature {
    /// Expiry (unix seconds).
    pub deadline: U256,
    /// Recovery id (27 or 28).
    pub v: u8,
    /// r.
    pub r: B256,
    /// s.
    pub s: B256,
}

impl<P: Provider + Clone> OpenLedger<P> {
    /// Pays `amount` for an inference on `model_id` (through `agent_id`, 0 for none) whose output
    /// has content hash `output_hash` at `output_uri`. The sender must have approved the escrow;
    /// see [`Self::pay_inference_with_permit`] otherwise. Returns the inference id.
    pub async fn pay_inference(
        &self,
        model_id: U256,
        agent_id: U256,
        amount: U256,
        output_hash: B256,
        output_uri: &str,
    ) -> Result<U256, Error> {
        let escrow = self.escrow();
        self.require_allowance(*escrow.address(), amount).await?;
        let call = escrow.payInference(
            model_id,
            agent_id,
            amount,
            output_hash,
            output_uri.to_owned(),
        );
        let receipt = send(call).await?;
        Ok(event::<RewardEscrow::InferencePaid>(&receipt)?.inferenceId)
    }

    /// Signs an EIP-2612 permit letting the escrow pull `amount` from `owner` until `deadline`.
    pub async fn sign_permit(
        &self,
        owner: &PrivateKeySigner,
        amount: U256,
        deadline: u64,
    ) -> Result<PermitSignature, Error> {
        let token = self.token();
        // ERC-5267: the token says which domain it signs under.
        let d = token.eip712Domain().call().await?;
        let domain = Eip712Domain::new(
            Some(d.name.into()),
            Some(d.version.into()),
            Some(d.chainId),
            Some(d.verifyingContract),
            None,
        );
        let nonce = token.nonces(owner.address()).call().await?;
        let permit = Permit {
            owner: owner.address(),
            spender: self.deployment().contracts.reward_escrow,
            value: amount,
            nonce,
            deadline: U256::from(deadline),
        };
        let sig = owner
            .sign_hash(&permit.eip712_signing_hash(&domain))
            .await
            .map_err(|e| Error::Invalid(format!("permit signature failed: {e}")))?;
        Ok(PermitSignature {
            deadline: U256::from(deadline),
            v: 27 + u8::from(sig.v()),
            r: sig.r().into(),
            s: sig.s().into(),
        })
    }

    /// Pays an inference with a permit instead of a prior approval. Returns the inference id.
    pub async fn pay_inference_with_permit(
        &self,
        model_id: U256,
        agent_id: U256,
        amount: U256,
        output_hash: B256,
        output_uri: &str,
        permit: PermitSignature,
    ) -> Result<U256, Error> {
        let instance = self.escrow();
        let call = instance.payInferenceWithPermit(
            model_id,
            agent_id,
            amount,
            output_hash,
            output_uri.to_owned(),
            permit.deadline,
            permit.v,
            permit.r,
            permit.s,
        );
        let receipt = send(call).await?;
        Ok(event::<RewardEscrow::InferencePaid>(&receipt)?.inferenceId)
    }

    /// What `account` has claimed so far.
    pub async fn claimed(&self, account: Address) -> Result<U256, Error> {
        Ok(self.escrow().claimed(account).call().await?)
    }

    /// What `account` can still claim given its leaf's cumulative amount.
    pub async fn claimable(&self, account: Address, cumulative: U256) -> Result<U256, Error> {
        Ok(cumulative.saturating_sub(self.claimed(account).await?))
    }

    /// Claims for `account` (anyone may send it; the tokens go to `account`). Returns the
    /// amount paid. Checks the proof against the current root first, for a clear error.
    pub async fn claim(
        &self,
        account: Address,
        cumulative: U256,
        proof: &[B256],
    ) -> Result<U256, Error> {
        let escrow = self.escrow();
        let root = escrow.currentRoot().call().await?;
        let token = self.deployment().contracts.payment_token;
        if !merkle::verify_proof(
            root,
            merkle::Claim::new(account, token, cumulative).leaf_hash(),
            proof,
        ) {
            return Err(Error::ProofMismatch { account, root });
        }
        let receipt = send(escrow.claim(account, token, cumulative, proof.to_vec())).await?;
        Ok(event::<RewardEscrow::Claimed>(&receipt)?.amount)
    }

    /// Proposes a signed epoch root (signatures sorted by signer; see [`crate::sort_signatures`]).
    pub async fn propose_root(
        &self,
        update: &RootUpdate,
        signatures: Vec<Bytes>,
    ) -> Result<TransactionReceipt, Error> {
        send(self.escrow().proposeRoot(update.into(), signatures)).await
    }

    /// Makes the pending root current once its dispute window has passed (anyone).
    pub async fn accept_root(&self) -> Result<TransactionReceipt, Error> {
        send(self.escrow().acceptRoot()).await
    }

    /// Vetoes the pending root of `epoch` (guardian only).
    pub async fn veto_root(&self, epoch: u64) -> Result<TransactionReceipt, Error> {
        send(self.escrow().vetoRoot(epoch)).await
    }
}
