//! The epoch root update every oracle signs and the escrow verifies (EIP-712).
//!
//! The domain is bound to the chain id and the escrow's address, and the message to the epoch, so
//! a signature can be replayed neither on another chain, nor on another escrow, nor for another
//! epoch. The escrow wants signatures sorted by signer address, strictly increasing, so that no
//! signer counts twice: [`sort_signatures`] produces that order.

use alloy::{
    primitives::{Address, B256, Bytes, Signature, U256},
    signers::{Signer, local::PrivateKeySigner},
    sol,
    sol_types::{Eip712Domain, SolStruct, eip712_domain},
};

sol! {
    /// An epoch's Merkle root of cumulative balances, as signed by the oracle committee.
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct RootUpdate {
        uint64 epoch;
        bytes32 root;
        uint256 totalCumulative;
        bytes32 reportHash;
        uint64 fromBlock;
        uint64 toBlock;
    }
}

/// EIP-712 domain name of the RewardEscrow.
pub const ESCROW_DOMAIN_NAME: &str = "OpenLedger RewardEscrow";
/// EIP-712 domain version of the RewardEscrow.
pub const ESCROW_DOMAIN_VERSION: &str = "1";

/// Errors while signing or checking root updates.
#[derive(Debug, thiserror::Error)]
pub enum RootUpdateError {
    /// The signer backend failed.
    #[error("signing failed: {0}")]
    Sign(#[from] alloy::signers::Error),
    /// A signature does not recover to an address.
    #[error("invalid signature: {0}")]
    Recover(#[from] alloy::primitives::SignatureError),
    /// Two signatures recover to the same signer.
    #[error("signer {0} signed twice")]
    DuplicateSigner(Address),
}

/// The escrow's EIP-712 domain on `chain_id` at `escrow`.
pub fn escrow_domain(chain_id: u64, escrow: Address) -> Eip712Domain {
    eip712_domain! {
        name: ESCROW_DOMAIN_NAME,
        version: ESCROW_DOMAIN_VERSION,
        chain_id: chain_id,
        verifying_contract: escrow,
    }
}

impl RootUpdate {
    /// The digest signers sign (equals the escrow's `hashRootUpdate`).
    pub fn digest(&self, domain: &Eip712Domain) -> B256 {
        self.eip712_signing_hash(domain)
    }

    /// Signs this update for `domain`.
    pub async fn sign(
        &self,
        signer: &PrivateKeySigner,
        domain: &Eip712Domain,
    ) -> Result<Signature, RootUpdateError> {
        Ok(signer.sign_hash(&self.digest(domain)).await?)
    }

    /// The address that produced `signature` over this update in `domain`.
    pub fn recover(
        &self,
        domain: &Eip712Domain,
        signature: &Signature,
    ) -> Result<Address, RootUpdateError> {
        Ok(signature.recover_address_from_prehash(&self.digest(domain))?)
    }
}

/// A root update and its signatures, as a JSON file passed between the oracles that sign and
/// whoever sends `proposeRoot` (anyone may). Field names are the struct's; the total is a decimal
/// string like every amount in the project's JSON, so no tool rounds it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedRootUpdate {
    /// The epoch.
    pub epoch: u64,
    /// Merkle root of the cumulative balances.
    pub root: B256,
    /// Sum of the balances.
    #[serde(with = "crate::report::decimal")]
    pub total_cumulative: U256,
    /// keccak256 of the epoch report's bytes.
    pub report_hash: B256,
    /// First block of the epoch.
    pub from_block: u64,
    /// Last block of the epoch.
    pub to_block: u64,
    /// 65-byte `r || s || v` signatures over the update's EIP-712 digest, in any order.
    #[serde(default)]
    pub signatures: Vec<Bytes>,
}

impl SignedRootUpdate {
    /// `update` with no signatures yet.
    pub fn unsigned(update: &RootUpdate) -> Self {
        Self {
            epoch: update.epoch,
            root: update.root,
            total_cumulative: update.totalCumulative,
            report_hash: update.reportHash,
            from_block: update.fromBlock,
            to_block: update.toBlock,
            signatures: Vec::new(),
        }
    }

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

    /// Adds `signer`'s signature for `domain`.
    pub async fn sign(
        &mut self,
        signer: &PrivateKeySigner,
        domain: &Eip712Domain,
    ) -> Result<(), RootUpdateError> {
        let sig = self.update().sign(signer, domain).await?;
        self.signatures.push(Bytes::from(sig.as_bytes().to_vec()));
        Ok(())
    }

    /// The signatures as `proposeRoot` wants them (see [`sort_signatures`]): each parsed,
    /// recovered, sorted by signer, none twice.
    pub fn sorted_signatures(&self, domain: &Eip712Domain) -> Result<Vec<Bytes>, RootUpdateError> {
        let sigs = self
            .signatures
            .iter()
            .map(|b| Signature::try_from(b.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        sort_signatures(&self.update(), domain, &sigs)
    }

    /// Who signed, in the escrow's order.
    pub fn signers(&self, domain: &Eip712Domain) -> Result<Vec<Address>, RootUpdateError> {
        let update = self.update();
        let mut signers = self
            .signatures
            .iter()
            .map(|b| update.recover(domain, &Signature::try_from(b.as_ref())?))
            .collect::<Result<Vec<_>, _>>()?;
        signers.sort();
        Ok(signers)
    }
}

/// The same update as the escrow binding's struct (the type `proposeRoot` and `hashRootUpdate` take).
impl From<&RootUpdate> for crate::bindings::reward_escrow::RewardEscrow::RootUpdate {
    fn from(u: &RootUpdate) -> Self {
        Self {
            epoch: u.epoch,
            root: u.root,
            totalCumulative: u.totalCumulative,
            reportHash: u.reportHash,
            fromBlock: u.fromBlock,
            toBlock: u.toBlock,
        }
    }
}

/// Orders signatures as the escrow requires (by recovered signer, strictly increasing) and
/// encodes them as 65-byte `r || s || v` blobs. Refuses two signatures from one signer.
pub fn sort_signatures(
    update: &RootUpdate,
    domain: &Eip712Domain,
    signatures: &[Signature],
) -> Result<Vec<Bytes>, RootUpdateError> {
    let mut by_signer = signatures
        .iter()
        .map(|sig| Ok((update.recover(domain, sig)?, sig)))
        .collect::<Result<Vec<_>, RootUpdateError>>()?;
    by_signer.sort_by_key(|(signer, _)| *signer);
    if let Some(pair) = by_signer.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(RootUpdateError::DuplicateSigner(pair[0].0));
    }
    Ok(by_signer
        .into_iter()
        .map(|(_, sig)| Bytes::from(sig.as_bytes().to_vec()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::{U256, address, b256, keccak256};

    fn update() -> RootUpdate {
        RootUpdate {
            epoch: 3,
            root: b256!("1111111111111111111111111111111111111111111111111111111111111111"),
            totalCumulative: U256::from(1_000u64),
            reportHash: B256::ZERO,
            fromBlock: 10,
            toBlock: 20,
        }
    }

    #[test]
    fn type_string_is_the_one_in_architecture() {
        assert_eq!(
            RootUpdate::eip712_encode_type(),
            "RootUpdate(uint64 epoch,bytes32 root,uint256 totalCumulative,bytes32 reportHash,uint64 fromBlock,uint64 toBlock)"
        );
        assert_eq!(
            update().eip712_type_hash(),
            keccak256(RootUpdate::eip712_encode_type().as_bytes())
        );
    }

    #[tokio::test]
    async fn sign_recover_and_sort() {
        let domain = escrow_domain(31337, address!("00000000000000000000000000000000000000e5"));
        let keys: Vec<PrivateKeySigner> = (0..3).map(|_| PrivateKeySigner::random()).collect();
        let u = update();
        let mut sigs = Vec::new();
        for k in &keys {
            let sig = u.sign(k, &domain).await.unwrap();
            assert_eq!(u.recover(&domain, &sig).unwrap(), k.address());
            sigs.push(sig);
        }
        let sorted = sort_signatures(&u, &domain, &sigs).unwrap();
        let signers: Vec<Address> = sorted
            .iter()
            .map(|b| {
                u.recover(&domain, &Signature::try_from(b.as_ref()).unwrap())
                    .unwrap()
            })
            .collect();
        assert!(signers.windows(2).all(|w| w[0] < w[1]));

        // Another chain, another escrow or another epoch recovers someone else.
        let sig = &sigs[0];
        let other_chain = escrow_domain(1, address!("00000000000000000000000000000000000000e5"));
        assert_ne!(u.recover(&other_chain, sig).unwrap(), keys[0].address());
        let mut later = u.clone();
        later.epoch += 1;
        assert_ne!(later.recover(&domain, sig).unwrap(), keys[0].address());

        // Through the JSON file: the same sorted signatures, in whatever order they were added.
        let mut file = SignedRootUpdate::unsigned(&u);
        for k in keys.iter().rev() {
            file.sign(k, &domain).await.unwrap();
        }
        let json = serde_json::to_string(&file).unwrap();
        assert!(json.contains("\"totalCumulative\":\"1000\""), "{json}");
        let back: SignedRootUpdate = serde_json::from_str(&json).unwrap();
        assert_eq!(back.update(), u);
        assert_eq!(back.sorted_signatures(&domain).unwrap(), sorted);
        assert_eq!(back.signers(&domain).unwrap(), signers);

        let dup = sort_signatures(&u, &domain, &[sigs[1], sigs[1]]).unwrap_err();
        assert!(matches!(dup, RootUpdateError::DuplicateSigner(a) if a == keys[1].address()));
    }
}
