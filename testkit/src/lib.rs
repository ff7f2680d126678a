//! Test-only helpers shared by the workspace's integration tests.
//!
//! Integration tests here run against real components: the anvil binary pinned in
//! `package.json` (installed by `scripts/setup`) and a real PostgreSQL server. This crate finds
//! them and fails with a message that says how to get them, instead of silently skipping.
//! [`rpc_proxy`] puts the faults of real RPC providers between a client and that anvil.

use std::path::PathBuf;

pub mod pg;
pub mod rng;
pub mod rpc_proxy;

pub use rng::SplitMix64;

/// Errors from locating or starting test infrastructure.
#[derive(Debug, thiserror::Error)]
pub enum TestkitError {
    /// The pinned anvil binary is not installed.
    #[error("anvil not found at {0}: run scripts/setup (or set ANVIL_BIN)")]
    AnvilMissing(PathBuf),
    /// PostgreSQL did not answer.
    #[error(
        "PostgreSQL at {url} is unreachable ({source}); scripts/test starts one, or set OPENLEDGER_TEST_PG_URL"
    )]
    Postgres {
        /// The admin URL tried.
        url: String,
        /// The driver error.
        source: sqlx::Error,
    },
    /// A statement against the admin database failed.
    #[error("PostgreSQL admin statement failed: {0}")]
    Sql(#[from] sqlx::Error),
}

/// The repository root (two levels above this crate's manifest).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// Path of the pinned anvil binary: `$ANVIL_BIN`, else the one `npm ci` put in `node_modules`.
pub fn anvil_bin() -> Result<PathBuf, TestkitError> {
    let path = std::env::var_os("ANVIL_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            workspace_root().join("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil")
        });
    if path.is_file() {
        Ok(path)
    } else {
        Err(TestkitError::AnvilMissing(path))
    }
}

/// A fresh anvil (chain id 31337, ten funded dev accounts) on a free port.
///
/// The process is killed when the returned handle is dropped.
pub fn spawn_anvil() -> Result<alloy::node_bindings::AnvilInstance, TestkitError> {
    spawn_anvil_with(&[])
}

/// Like [`spawn_anvil`], with extra command-line arguments (e.g. `["--gas-limit", "1000000000"]`
/// for the load generator, whose transactions emit hundreds of events each).
pub fn spawn_anvil_with(
    args: &[&str],
) -> Result<alloy::node_bindings::AnvilInstance, TestkitError> {
    let bin = anvil_bin()?;
    Ok(alloy::node_bindings::Anvil::at(bin).args(args).spawn())
}

/// 900 paragraphs of real English prose (Debian package documentation; see `data/README.md`),
/// whitespace folded, in a fixed order: real text for tests that must not depend on the machine.
pub fn real_paragraphs() -> Vec<&'static str> {
    include_str!("../data/real-paragraphs.txt")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}
