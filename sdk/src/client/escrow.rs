//! The reward escrow: pay inferences (with approval or an EIP-2612 permit), roots, claims.

use alloy::{
    primitives::{Address, B256, Bytes, U256},
    providers::Provider,
    rpc::types::TransactionReceipt,
    signers::{Signer, local::PrivateKeySigner},
    sol,
    sol_types::{Eip712Domain, SolStruct},
};

use super::{OpenLedger, Sent, event, send};
use crate::{
    AccountProof, ApiClient, ApiError, Error, RootUpdate,
    bindings::reward_escrow::RewardEscrow,
    escrow_domain,
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

/// A claim paid with a proof from the indexer's API.
#[derive(Debug, Clone)]
pub struct ApiClaim {
    /// The proof the API gave, checked against the chain before sending.
    pub proof: AccountProof,
    /// What the claim paid (the leaf's cumulative amount minus what was claimed before).
    pub paid: U256,
    /// The claim's receipt.
    pub receipt: TransactionReceipt,
}

/// What an account can claim, from its leaf as the API proves it and its claims on chain.
#[derive(Debug, Clone)]
pub struct ApiClaimable {
    /// The API's proof of the account's leaf.
    pub proof: AccountProof,
    /// What the account has claimed so far, on chain.
    pub claimed: U256,
    /// `proof.cumulative - claimed`.
    pub claimable: U256,
    /// Whether the API's root is the escrow's current root. When it is not, the API is behind the
    /// chain and `claimable` describes the API's (older) root.
    pub root_is_current: bool,
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
        Ok(self
            .pay_inference_with_receipt(model_id, agent_id, amount, output_hash, output_uri)
            .await?
            .value)
    }

    /// [`Self::pay_inference`], with the receipt.
    pub async fn pay_inference_with_receipt(
        &self,
        model_id: U256,
        agent_id: U256,
        amount: U256,
        output_hash: B256,
        output_uri: &str,
    ) -> Result<Sent<U256>, Error> {
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
        let value = event::<RewardEscrow::InferencePaid>(&receipt)?.inferenceId;
        Ok(Sent { value, receipt })
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
        Ok(self
            .pay_inference_with_permit_and_receipt(
                model_id,
                agent_id,
                amount,
                output_hash,
                output_uri,
                permit,
            )
            .await?
            .value)
    }

    /// [`Self::pay_inference_with_permit`], with the receipt.
    pub async fn pay_inference_with_permit_and_receipt(
        &self,
        model_id: U256,
        agent_id: U256,
        amount: U256,
        output_hash: B256,
        output_uri: &str,
        permit: PermitSignature,
    ) -> Result<Sent<U256>, Error> {
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
        let value = event::<RewardEscrow::InferencePaid>(&receipt)?.inferenceId;
        Ok(Sent { value, receipt })
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
    /// amount paid. Checks that a root is current and the proof leads to it first, for a clear
    /// error ([`Error::NoCurrentRoot`], [`Error::ProofMismatch`]) instead of a revert.
    pub async fn claim(
        &self,
        account: Address,
        cumulative: U256,
        proof: &[B256],
    ) -> Result<U256, Error> {
        Ok(self
            .claim_with_receipt(account, cumulative, proof)
            .await?
            .value)
    }

    /// [`Self::claim`], with the receipt.
    pub async fn claim_with_receipt(
        &self,
        account: Address,
        cumulative: U256,
        proof: &[B256],
    ) -> Result<Sent<U256>, Error> {
        let escrow = self.escrow();
        let root = escrow.currentRoot().call().await?;
        if root.is_zero() {
            return Err(Error::NoCurrentRoot);
        }
        let token = self.deployment().contracts.payment_token;
        if !merkle::verify_proof(
            root,
            merkle::Claim::new(account, token, cumulative).leaf_hash(),
            proof,
        ) {
            return Err(Error::ProofMismatch { account, root });
        }
        let receipt = send(escrow.claim(account, token, cumulative, proof.to_vec())).await?;
        let value = event::<RewardEscrow::Claimed>(&receipt)?.amount;
        Ok(Sent { value, receipt })
    }

    /// Fetches `account`'s proof from the indexer's API and checks it is the escrow's: the same
    /// account and token, and the root the escrow holds now. The API follows the chain with a
    /// delay, so a proof for the previous root is [`Error::StaleProof`], not a revert.
    pub async fn proof_from_api(
        &self,
        api: &ApiClient,
        account: Address,
    ) -> Result<AccountProof, Error> {
        let proof = api.proof(account).await?;
        self.check_api_proof(api, account, &proof).await?;
        Ok(proof)
    }

    async fn check_api_proof(
        &self,
        api: &ApiClient,
        account: Address,
        proof: &AccountProof,
    ) -> Result<(), Error> {
        let token = self.deployment().contracts.payment_token;
        if proof.account != account || proof.token != token {
            return Err(ApiError::Protocol {
                url: api.base_url().to_owned(),
                detail: format!(
                    "asked for {account} in token {token}, got a proof for {} in token {} \
                     (is the API indexing this deployment?)",
                    proof.account, proof.token
                ),
            }
            .into());
        }
        let escrow = self.escrow();
        let chain_root = escrow.currentRoot().call().await?;
        if chain_root.is_zero() {
            return Err(Error::NoCurrentRoot);
        }
        if proof.root != chain_root {
            return Err(Error::StaleProof {
                account,
                api_root: proof.root,
                api_epoch: proof.epoch,
                chain_root,
                chain_epoch: escrow.currentEpoch().call().await?,
            });
        }
        Ok(())
    }

    /// Claims for `account` with the proof the indexer's API serves at `api`: fetched, checked
    /// against the escrow's current root (see [`Self::proof_from_api`]) and against the leaf
    /// (as [`Self::claim`] does), then sent. Nothing is signed unless the proof would pay.
    pub async fn claim_with_api(
        &self,
        api: &ApiClient,
        account: Address,
    ) -> Result<ApiClaim, Error> {
        let proof = self.proof_from_api(api, account).await?;
        let sent = self
            .claim_with_receipt(account, proof.cumulative, &proof.proof)
            .await?;
        Ok(ApiClaim {
            proof,
            paid: sent.value,
            receipt: sent.receipt,
        })
    }

    /// What `account` can still claim: its leaf from the API's proof, minus its claims on chain.
    /// Unlike [`Self::claim_with_api`], a proof for an older root is reported (with
    /// `root_is_current: false`), not refused: it still says what the account had earned.
    pub async fn claimable_with_api(
        &self,
        api: &ApiClient,
        account: Address,
    ) -> Result<ApiClaimable, Error> {
        let proof = api.proof(account).await?;
        let root_is_current = match self.check_api_proof(api, account, &proof).await {
            Ok(()) => true,
            Err(Error::StaleProof { .. }) => false,
            Err(e) => return Err(e),
        };
        let claimed = self.claimed(account).await?;
        Ok(ApiClaimable {
            claimable: proof.cumulative.saturating_sub(claimed),
            proof,
            claimed,
            root_is_current,
        })
    }

    /// The EIP-712 domain root updates for this deployment's escrow are signed in.
    pub fn root_update_domain(&self) -> Eip712Domain {
        escrow_domain(
            self.deployment().chain_id,
            self.deployment().contracts.reward_escrow,
        )
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
