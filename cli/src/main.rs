//! `openledger`: the command line over the SDK.

use alloy::providers::{Provider, ProviderBuilder};
use clap::{Parser, Subcommand};
use eyre::WrapErr;

#[derive(Debug, Parser)]
#[command(
    name = "openledger",
    version,
    about = "OpenLedger from the command line"
)]
struct Cli {
    /// JSON output for scripts instead of text for people.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Chain id and head block of an RPC endpoint.
    ChainInfo {
        /// JSON-RPC endpoint.
        #[arg(long, env = "ETH_RPC_URL", default_value = "http://127.0.0.1:8545")]
        rpc_url: String,
    },
    /// keccak256 content hash of a file, as a datanet contribution names it.
    Hash {
        /// File to hash.
        path: std::path::PathBuf,
    },
}

#[tokio::main]
async fn main() -> eyre::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::ChainInfo { rpc_url } => {
            let url = rpc_url
                .parse()
                .wrap_err_with(|| format!("invalid --rpc-url {rpc_url}"))?;
            let provider = ProviderBuilder::new().connect_http(url);
            let chain_id = provider
                .get_chain_id()
                .await
                .wrap_err_with(|| format!("no answer from {rpc_url}"))?;
            let head = provider.get_block_number().await?;
            if cli.json {
                println!(
                    "{}",
                    serde_json::json!({ "chainId": chain_id, "head": head })
                );
            } else {
                println!("chain id {chain_id}, head block {head}");
            }
        }
        Command::Hash { path } => {
            let bytes =
                std::fs::read(&path).wrap_err_with(|| format!("cannot read {}", path.display()))?;
            let hash = openledger_sdk::content_hash(&bytes);
            if cli.json {
                println!(
                    "{}",
                    serde_json::json!({ "contentHash": hash, "size": bytes.len() })
                );
            } else {
                println!("{hash}  {} ({} bytes)", path.display(), bytes.len());
            }
        }
    }
    Ok(())
}
