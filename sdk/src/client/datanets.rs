//! Datanets: create, contribute, review, publish, read.

use alloy::{
    primitives::{Address, B256, U256, keccak256},
    providers::Provider,
    rpc::types::TransactionReceipt,
};

use super::{OpenLedger, Sent, event, send, send_after_latest};
use crate::{Error, bindings::datanet_registry::DatanetRegistry, content_hash};

/// A datanet's policy, as set at creation or later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatanetPolicy {
    /// Bond each contribution posts, in payment-token wei.
    pub bond: u128,
    /// Curated (curators accept) or open (accepted at once, bond at risk for the review period).
    pub curated: bool,
    /// Seconds a contribution stays reviewable.
    pub review_period: u64,
}

impl From<DatanetPolicy> for DatanetRegistry::Policy {
    fn from(p: DatanetPolicy) -> Self {
        Self {
            bond: p.bond,
            curated: p.curated,
            reviewPeriod: p.review_period,
        }
    }
}

/// The commitment `DatanetRegistry.commitContribution` expects:
/// `keccak256(abi.encode(contentHash, contributor, salt))`.
pub fn contribution_commitment(content_hash: B256, contributor: Address, salt: B256) -> B256 {
    let mut words = [0u8; 96];
    words[..32].copy_from_slice(content_hash.as_slice());
    words[44..64].copy_from_slice(contributor.as_slice());
    words[64..].copy_from_slice(salt.as_slice());
    keccak256(words)
}

impl<P: Provider + Clone> OpenLedger<P> {
    /// Creates a datanet owned by the sender; returns its id.
    pub async fn create_datanet(
        &self,
        uri: &str,
        policy: DatanetPolicy,
        treasury: Option<Address>,
    ) -> Result<U256, Error> {
        Ok(self
            .create_datanet_with_receipt(uri, policy, treasury)
            .await?
            .value)
    }

    /// [`Self::create_datanet`], with the receipt.
    pub async fn create_datanet_with_receipt(
        &self,
        uri: &str,
        policy: DatanetPolicy,
        treasury: Option<Address>,
    ) -> Result<Sent<U256>, Error> {
        let instance = self.datanet_registry();
        let call = instance.createDatanet(
            uri.to_owned(),
            policy.into(),
            treasury.unwrap_or(Address::ZERO),
        );
        let receipt = send(call).await?;
        let value = event::<DatanetRegistry::DatanetCreated>(&receipt)?.datanetId;
        Ok(Sent { value, receipt })
    }

    /// Adds or removes a curator.
    pub async fn set_curator(
        &self,
        datanet_id: U256,
        curator: Address,
        enabled: bool,
    ) -> Result<TransactionReceipt, Error> {
        send(
            self.datanet_registry()
                .setCurator(datanet_id, curator, enabled),
        )
        .await
    }

    /// Submits the record `bytes` (hashed here) stored at `uri`; posts the datanet's bond, which
    /// the sender must have approved. Returns the contribution id.
    pub async fn contribute(
        &self,
        datanet_id: U256,
        bytes: &[u8],
        uri: &str,
    ) -> Result<U256, Error> {
        let size =
            u64::try_from(bytes.len()).map_err(|_| Error::Invalid("record too large".into()))?;
        self.contribute_hash(datanet_id, content_hash(bytes), uri, size)
            .await
    }

    /// Submits a contribution by content hash; see [`Self::contribute`].
    pub async fn contribute_hash(
        &self,
        datanet_id: U256,
        content_hash: B256,
        uri: &str,
        size: u64,
    ) -> Result<U256, Error> {
        Ok(self
            .contribute_hash_with_receipt(datanet_id, content_hash, uri, size)
            .await?
            .value)
    }

    /// [`Self::contribute_hash`], with the receipt.
    pub async fn contribute_hash_with_receipt(
        &self,
        datanet_id: U256,
        content_hash: B256,
        uri: &str,
        size: u64,
    ) -> Result<Sent<U256>, Error> {
        let registry = self.datanet_registry();
        let datanet = registry.getDatanet(datanet_id).call().await?;
        self.require_allowance(*registry.address(), U256::from(datanet.policy.bond))
            .await?;
        let receipt =
            send(registry.submitContribution(datanet_id, content_hash, uri.to_owned(), size))
                .await?;
        let value = event::<DatanetRegistry::ContributionSubmitted>(&receipt)?.contributionId;
        Ok(Sent { value, receipt })
    }

    /// Commit-reveal: contributes `bytes` so that nobody who sees the contribution can get ahead
    /// of it. Commits to it with `salt` (reserving the record's id, its position), then reveals
    /// it in a later block, posting the bond at the reveal. `salt` must be secret and random (32
    /// bytes from the OS), or a watcher could test guesses of the content against the
    /// commitment. Two transactions; [`Self::contribute`] is one and front-runnable. Returns the
    /// contribution id.
    pub async fn contribute_committed(
        &self,
        datanet_id: U256,
        bytes: &[u8],
        uri: &str,
        salt: B256,
    ) -> Result<U256, Error> {
        let size =
            u64::try_from(bytes.len()).map_err(|_| Error::Invalid("record too large".into()))?;
        let hash = content_hash(bytes);
        let sender = self.sender()?;
        let id = self
            .commit_contribution(contribution_commitment(hash, sender, salt))
            .await?;
        // The commit is mined, so this transaction lands in a later block, as the reveal needs.
        self.reveal_contribution(id, datanet_id, hash, uri, size, salt)
            .await?;
        Ok(id)
    }

    /// Reserves the next contribution id for `commitment` (see [`contribution_commitment`]).
    pub async fn commit_contribution(&self, commitment: B256) -> Result<U256, Error> {
        Ok(self
            .commit_contribution_with_receipt(commitment)
            .await?
            .value)
    }

    /// [`Self::commit_contribution`], with the receipt.
    pub async fn commit_contribution_with_receipt(
        &self,
        commitment: B256,
    ) -> Result<Sent<U256>, Error> {
        let receipt = send(self.datanet_registry().commitContribution(commitment)).await?;
        let value = event::<DatanetRegistry::ContributionCommitted>(&receipt)?.contributionId;
        Ok(Sent { value, receipt })
    }

    /// Reveals a committed contribution (a block or more after its commit, within a day),
    /// posting the datanet's bond, which the sender must have approved.
    pub async fn reveal_contribution(
        &self,
        contribution_id: U256,
        datanet_id: U256,
        content_hash: B256,
        uri: &str,
        size: u64,
        salt: B256,
    ) -> Result<TransactionReceipt, Error> {
        let registry = self.datanet_registry();
        let datanet = registry.getDatanet(datanet_id).call().await?;
        self.require_allowance(*registry.address(), U256::from(datanet.policy.bond))
            .await?;
        send_after_latest(registry.revealContribution(
            contribution_id,
            datanet_id,
            content_hash,
            uri.to_owned(),
            size,
            salt,
        ))
        .await
    }

    /// Accepts contributions (curator or owner); refunds their bonds.
    pub async fn accept_contributions(
        &self,
        datanet_id: U256,
        ids: &[U256],
    ) -> Result<TransactionReceipt, Error> {
        send(
            self.datanet_registry()
                .acceptContributions(datanet_id, ids.to_vec()),
        )
        .await
    }

    /// Rejects contributions (curator or owner); slashes their bonds to the datanet's treasury.
    pub async fn reject_contributions(
        &self,
        datanet_id: U256,
        ids: &[U256],
        reason: B256,
    ) -> Result<TransactionReceipt, Error> {
        send(
            self.datanet_registry()
                .rejectContributions(datanet_id, ids.to_vec(), reason),
        )
        .await
    }

    /// Withdraws an unreviewed contribution past its review deadline, with its bond.
    pub async fn withdraw_contribution(&self, id: U256) -> Result<TransactionReceipt, Error> {
        send(self.datanet_registry().withdrawContribution(id)).await
    }

    /// Takes back the bond of an open-policy contribution once its review period is over.
    pub async fn release_bond(&self, id: U256) -> Result<TransactionReceipt, Error> {
        send(self.datanet_registry().releaseBond(id)).await
    }

    /// Publishes a version of a datanet; returns the version number.
    pub async fn publish_version(
        &self,
        datanet_id: U256,
        commitment: B256,
        uri: &str,
        accepted_count: u64,
        last_contribution_id: u64,
    ) -> Result<u64, Error> {
        Ok(self
            .publish_version_with_receipt(
                datanet_id,
                commitment,
                uri,
                accepted_count,
                last_contribution_id,
            )
            .await?
            .value)
    }

    /// [`Self::publish_version`], with the receipt.
    pub async fn publish_version_with_receipt(
        &self,
        datanet_id: U256,
        commitment: B256,
        uri: &str,
        accepted_count: u64,
        last_contribution_id: u64,
    ) -> Result<Sent<u64>, Error> {
        let instance = self.datanet_registry();
        let call = instance.publishVersion(
            datanet_id,
            commitment,
            uri.to_owned(),
            accepted_count,
            last_contribution_id,
        );
        let receipt = send(call).await?;
        let value = event::<DatanetRegistry::VersionPublished>(&receipt)?.version;
        Ok(Sent { value, receipt })
    }

    /// A datanet's state.
    pub async fn datanet(&self, id: U256) -> Result<DatanetRegistry::Datanet, Error> {
        Ok(self.datanet_registry().getDatanet(id).call().await?)
    }

    /// A contribution's state.
    pub async fn contribution(&self, id: U256) -> Result<DatanetRegistry::Contribution, Error> {
        Ok(self.datanet_registry().getContribution(id).call().await?)
    }

    /// Every contribution of a datanet, from its `ContributionSubmitted` events (ids ascending).
    pub async fn contributions_of(
        &self,
        datanet_id: U256,
    ) -> Result<Vec<(U256, DatanetRegistry::Contribution)>, Error> {
        let logs = self
            .datanet_registry()
            .ContributionSubmitted_filter()
            .topic2(datanet_id)
            .from_block(self.deployment().start_block)
            .query()
            .await?;
        let mut out = Vec::with_capacity(logs.len());
        for (ev, _) in logs {
            out.push((
                ev.contributionId,
                self.contribution(ev.contributionId).await?,
            ));
        }
        Ok(out)
    }
}
