//! Local devnet helpers: anvil's well-known dev keys and clients for them.
//!
//! Anvil (and Hardhat) derive ten funded accounts from the public test mnemonic; their keys are
//! public knowledge, so these helpers are for local chains only.

use alloy::{
    network::EthereumWallet,
    primitives::Address,
    providers::{DynProvider, Provider, ProviderBuilder},
    signers::local::{MnemonicBuilder, PrivateKeySigner, coins_bip39::English},
};

use crate::{Deployment, Error, OpenLedger, deploy::DeployConfig};

/// The public test mnemonic anvil funds its accounts from.
pub const DEV_MNEMONIC: &str = "test test test test test test test test test test test junk";

/// Dev account `index` (0..10 are funded by anvil).
pub fn dev_key(index: u32) -> Result<PrivateKeySigner, Error> {
    MnemonicBuilder::<English>::default()
        .phrase(DEV_MNEMONIC)
        .index(index)
        .and_then(|b| b.build())
        .map_err(|e| Error::Invalid(format!("dev key {index}: {e}")))
}

/// The configuration `contracts/script/Deploy.s.sol` uses on a local chain by default:
/// account 0 governs, guards and receives fees; accounts 7, 8, 9 are the oracle committee (2 of 3);
/// 5% protocol fee; 60 s dispute window; the dev token.
pub fn default_local_config() -> Result<DeployConfig, Error> {
    let admin = dev_key(0)?.address();
    let signers = (7..10)
        .map(|i| dev_key(i).map(|k| k.address()))
        .collect::<Result<Vec<Address>, _>>()?;
    Ok(DeployConfig {
        owner: admin,
        guardian: admin,
        treasury: admin,
        protocol_fee_bps: 500,
        dispute_window: 60,
        signers,
        threshold: 2,
        payment_token: None,
    })
}

/// A provider that signs with `key`, erased to one concrete type.
///
/// Nonces come from the node (`pending`) for every transaction instead of a local cache, so a
/// transaction that failed before broadcast can never leave a gap.
pub fn wallet_provider(rpc_url: &str, key: PrivateKeySigner) -> Result<DynProvider, Error> {
    let url = rpc_url
        .parse()
        .map_err(|e| Error::Invalid(format!("rpc url {rpc_url}: {e}")))?;
    Ok(ProviderBuilder::default()
        .with_gas_estimation()
        .with_simple_nonce_management()
        .fetch_chain_id()
        .wallet(EthereumWallet::from(key))
        .connect_http(url)
        .erased())
}

/// A client for `deployment` sending from `key`.
pub fn client(
    rpc_url: &str,
    deployment: &Deployment,
    key: PrivateKeySigner,
) -> Result<OpenLedger<DynProvider>, Error> {
    let sender = key.address();
    Ok(OpenLedger::new(
        wallet_provider(rpc_url, key)?,
        deployment.clone(),
        Some(sender),
    ))
}
