//! `deployments/<chainId>.json`: where the contracts of one chain live.
//!
//! Written by `contracts/script/Deploy.s.sol` (and by [`crate::deploy`] in tests), read by every
//! component to find the contracts and the block to start indexing from.

use std::path::{Path, PathBuf};

use alloy::primitives::Address;
use serde::{Deserialize, Serialize};

/// One chain's deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// Chain id the contracts live on.
    pub chain_id: u64,
    /// A block at or before the first contract's creation: indexing from here misses nothing.
    pub start_block: u64,
    /// Contract addresses.
    pub contracts: Contracts,
    /// The oracle committee at deployment.
    pub oracle: OracleSet,
    /// Escrow parameters at deployment.
    pub params: Params,
    /// Whether the payment token is the unrestricted-mint development token (local chains only).
    #[serde(default)]
    pub dev_token: bool,
}

/// Contract addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contracts {
    /// The ERC-20 fees and bonds are paid in.
    pub payment_token: Address,
    /// DatanetRegistry.
    pub datanet_registry: Address,
    /// ModelRegistry.
    pub model_registry: Address,
    /// AgentRegistry.
    pub agent_registry: Address,
    /// RewardEscrow.
    pub reward_escrow: Address,
}

/// Oracle signers and the number of signatures a root needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OracleSet {
    /// Signers, ascending.
    pub signers: Vec<Address>,
    /// M of N.
    pub threshold: u8,
}

/// Escrow parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Params {
    /// Protocol fee in basis points of each inference fee.
    pub protocol_fee_bps: u16,
    /// Seconds a proposed root waits before it can become current.
    pub dispute_window: u64,
    /// Seconds between proposing and executing a governance change.
    pub governance_delay: u64,
    /// Governance.
    pub owner: Address,
    /// May veto a pending root.
    pub guardian: Address,
    /// Receives protocol fees.
    pub treasury: Address,
}

/// Errors loading a deployment file.
#[derive(Debug, thiserror::Error)]
pub enum DeploymentError {
    /// No file for this chain.
    #[error(
        "no deployment for chain {chain_id} at {path}: deploy first (scripts/deploy) or pass --deployments"
    )]
    Missing {
        /// The chain asked for.
        chain_id: u64,
        /// Where we looked.
        path: PathBuf,
    },
    /// Unreadable file.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Malformed JSON.
    #[error("malformed deployment file {path}: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The parse error.
        source: serde_json::Error,
    },
    /// The file says another chain than its name or the node does.
    #[error("{path} is for chain {found}, expected chain {expected}")]
    WrongChain {
        /// The file.
        path: PathBuf,
        /// The chain expected.
        expected: u64,
        /// The chain in the file.
        found: u64,
    },
}

impl Deployment {
    /// Path of chain `chain_id`'s file under `dir`.
    pub fn path(dir: &Path, chain_id: u64) -> PathBuf {
        dir.join(format!("{chain_id}.json"))
    }

    /// Reads `dir/<chain_id>.json` and checks it is for that chain.
    pub fn load(dir: &Path, chain_id: u64) -> Result<Self, DeploymentError> {
        let path = Self::path(dir, chain_id);
        if !path.exists() {
            return Err(DeploymentError::Missing { chain_id, path });
        }
        let deployment = Self::from_file(&path)?;
        if deployment.chain_id != chain_id {
            return Err(DeploymentError::WrongChain {
                path,
                expected: chain_id,
                found: deployment.chain_id,
            });
        }
        Ok(deployment)
    }

    /// Reads a deployment file.
    pub fn from_file(path: &Path) -> Result<Self, DeploymentError> {
        let bytes = std::fs::read(path).map_err(|source| DeploymentError::Io {
            path: path.to_owned(),
            source,
        })?;
        serde_json::from_slice(&bytes).map_err(|source| DeploymentError::Json {
            path: path.to_owned(),
            source,
        })
    }

    /// Writes this deployment as pretty JSON to `dir/<chain_id>.json`.
    pub fn save(&self, dir: &Path) -> Result<PathBuf, DeploymentError> {
        let path = Self::path(dir, self.chain_id);
        let io = |source| DeploymentError::Io {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let json = serde_json::to_vec_pretty(self).map_err(|source| DeploymentError::Json {
            path: path.clone(),
            source,
        })?;
        std::fs::write(&path, json).map_err(io)?;
        Ok(path)
    }
}
