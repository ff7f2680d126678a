//! Deploys the whole system from the bindings' bytecode, as `contracts/script/Deploy.s.sol`
//! does, for tests and local devnets that want no forge process. Production deployments use the
//! Foundry script; both write the same [`Deployment`].

use alloy::{
    primitives::{Address, U256},
    providers::Provider,
};

use crate::{
    Deployment, Error,
    bindings::{AgentRegistry, DatanetRegistry, DevToken, ModelRegistry, RewardEscrow},
    deployment::{Contracts, OracleSet, Params},
};

/// What to deploy with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployConfig {
    /// Governance owner.
    pub owner: Address,
    /// May veto pending roots.
    pub guardian: Address,
    /// Receives protocol fees.
    pub treasury: Address,
    /// Protocol fee, basis points.
    pub protocol_fee_bps: u16,
    /// Seconds a root stays pending.
    pub dispute_window: u32,
    /// Oracle signers (any order; sorted here).
    pub signers: Vec<Address>,
    /// Signatures a root needs.
    pub threshold: u8,
    /// An existing payment token; `None` deploys the dev token (local chains only).
    pub payment_token: Option<Address>,
}

/// Deploys every contract from the provider's default sender and returns the deployment.
pub async fn deploy<P: Provider + Clone>(
    provider: &P,
    cfg: &DeployConfig,
) -> Result<Deployment, Error> {
    let chain_id = provider.get_chain_id().await?;
    let start_block = provider.get_block_number().await?;
    let (token, dev_token) = match cfg.payment_token {
        Some(token) => (token, false),
        None => (*DevToken::deploy(provider.clone()).await?.address(), true),
    };
    let datanets = DatanetRegistry::deploy(provider.clone(), token).await?;
    let models = ModelRegistry::deploy(provider.clone()).await?;
    let agents = AgentRegistry::deploy(provider.clone(), *models.address()).await?;
    let mut signers = cfg.signers.clone();
    signers.sort();
    let escrow = RewardEscrow::deploy(
        provider.clone(),
        token,
        *models.address(),
        *agents.address(),
        cfg.owner,
        cfg.guardian,
        cfg.treasury,
        cfg.protocol_fee_bps,
        cfg.dispute_window,
        signers.clone(),
        cfg.threshold,
    )
    .await?;
    let governance_delay: U256 = escrow.GOVERNANCE_DELAY().call().await?;
    Ok(Deployment {
        chain_id,
        start_block,
        contracts: Contracts {
            payment_token: token,
            datanet_registry: *datanets.address(),
            model_registry: *models.address(),
            agent_registry: *agents.address(),
            reward_escrow: *escrow.address(),
        },
        oracle: OracleSet {
            signers,
            threshold: cfg.threshold,
        },
        params: Params {
            protocol_fee_bps: cfg.protocol_fee_bps,
            dispute_window: u64::from(cfg.dispute_window),
            governance_delay: governance_delay.saturating_to(),
            owner: cfg.owner,
            guardian: cfg.guardian,
            treasury: cfg.treasury,
        },
        dev_token,
    })
}
