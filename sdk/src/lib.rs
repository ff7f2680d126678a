//! OpenLedger's Rust SDK.
//!
//! The one implementation of what every component shares (see `docs/ARCHITECTURE.md`):
//! - [`bindings`]: contract bindings generated from the project's Solidity at build time;
//! - [`deployment`]: the `deployments/<chainId>.json` format;
//! - [`root_update`]: the EIP-712 epoch root update oracles sign;
//! - [`merkle`]: the OpenZeppelin-compatible Merkle tree of cumulative claims;
//! - [`report`]: the balances part of an epoch report, checked against its root;
//! - [`content`]: content hashing, and [`content_client`] for the content store;
//! - [`api_client`]: the indexer's API, for proofs and reward totals;
//! - [`error`]: contract reverts decoded into named errors.

pub mod api_client;
pub mod bindings;
pub mod client;
pub mod content;
pub mod content_client;
pub mod deploy;
pub mod deployment;
pub mod devnet;
pub mod error;
pub mod merkle;
pub mod report;
pub mod root_update;

pub use api_client::{AccountProof, AccountTotals, ApiClient, ApiError};
pub use client::OpenLedger;
pub use content::{ContentError, content_hash, verify_content};
pub use deployment::{Deployment, DeploymentError};
pub use error::{DecodedRevert, Error, decode_revert};
pub use root_update::{RootUpdate, SignedRootUpdate, escrow_domain, sort_signatures};
