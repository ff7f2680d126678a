//! `openledger-oracle`: the attribution oracle's node and tools.
//!
//! - `run`: a committee node (compute, sign, exchange signatures, propose, accept);
//! - `epoch --to-block N`: compute the next epoch up to block N and print its root (no signing);
//! - `verify <epoch>`: recompute a posted epoch from public data; exit 0 if it matches, 1 if not;
//! - `explain <account> <epoch>`: why the account earned what it did.

use std::{io::IsTerminal, net::SocketAddr, path::PathBuf, process::ExitCode, time::Duration};

use alloy::{primitives::Address, signers::local::PrivateKeySigner};
use clap::{Args, Parser, Subcommand};
use eyre::{WrapErr, eyre};
use openledger_indexer::sync::{Rpc, RpcConfig, SyncConfig};
use openledger_oracle::{
    explain::explain,
    node::{Node, NodeConfig, Oracle, OracleConfig},
    pipeline::OracleParams,
    report::EpochReport,
    shard::ShardPlan,
};
use openledger_sdk::Deployment;

#[derive(Debug, Parser)]
#[command(
    name = "openledger-oracle",
    version,
    about = "OpenLedger's attribution oracle"
)]
struct Cli {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct Common {
    /// JSON-RPC endpoint (HTTP).
    #[arg(
        long,
        global = true,
        env = "ETH_RPC_URL",
        default_value = "http://127.0.0.1:8545"
    )]
    rpc_url: String,
    /// Deployment file; by default `deployments/<chainId>.json` for the node's chain.
    #[arg(long, global = true, env = "OPENLEDGER_DEPLOYMENT")]
    deployment: Option<PathBuf>,
    /// An existing indexer's database (`sqlite:...` or `postgres://...`). By default the oracle
    /// indexes the chain itself into `<data-dir>/index.sqlite`, trusting no one's database.
    #[arg(long, global = true, env = "OPENLEDGER_ORACLE_DATABASE_URL")]
    database_url: Option<String>,
    /// The content store's API (e.g. the indexer's `http://127.0.0.1:8080`). Without it,
    /// contents are read from the `contents` table of `--database-url`.
    #[arg(long, global = true, env = "OPENLEDGER_CONTENT_URL")]
    content_url: Option<String>,
    /// Embedded index, suffix-index cache and content cache.
    #[arg(
        long,
        global = true,
        env = "OPENLEDGER_ORACLE_DATA",
        default_value = "oracle-data"
    )]
    data_dir: PathBuf,
    /// Blocks below `head - finality_depth` are final.
    #[arg(long, global = true, default_value_t = 64)]
    finality_depth: u64,
    /// Epochs end on blocks `start - 1 + k·epoch_blocks`, so that nodes agree on ranges.
    #[arg(long, global = true, default_value_t = 300)]
    epoch_blocks: u64,
    /// JSON output for scripts.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a committee node.
    Run {
        #[command(flatten)]
        key: KeyArgs,
        /// Address the signature endpoint listens on.
        #[arg(
            long,
            env = "OPENLEDGER_ORACLE_LISTEN",
            default_value = "127.0.0.1:8090"
        )]
        listen: SocketAddr,
        /// Other nodes' base URLs (comma separated).
        #[arg(long, value_delimiter = ',')]
        peers: Vec<String>,
        /// Seconds between steps.
        #[arg(long, default_value_t = 5.0)]
        poll_interval: f64,
        /// Seconds each rank among the signers waits before proposing or accepting.
        #[arg(long, default_value_t = 5.0)]
        propose_stagger: f64,
    },
    /// Compute the next epoch up to a block and print its root and report hash (no signing).
    Epoch {
        /// Last block of the epoch.
        #[arg(long)]
        to_block: u64,
        /// Write the report here.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Recompute a posted epoch; exit 0 when root and report hash match, 1 when not.
    Verify {
        /// The epoch.
        epoch: u64,
    },
    /// Why an account earned what it did in an epoch.
    Explain {
        /// The account.
        account: Address,
        /// The epoch.
        epoch: u64,
        /// Read this report file instead of the posted one.
        #[arg(long)]
        report: Option<PathBuf>,
    },
}

/// The node's key, like the `openledger` CLI's.
#[derive(Debug, Args)]
struct KeyArgs {
    /// Hex private key (env OPENLEDGER_PRIVATE_KEY).
    #[arg(long, env = "OPENLEDGER_PRIVATE_KEY", hide_env_values = true)]
    private_key: Option<String>,
    /// Encrypted JSON keystore.
    #[arg(long, conflicts_with = "private_key")]
    keystore: Option<PathBuf>,
    /// Keystore password (env OPENLEDGER_KEYSTORE_PASSWORD).
    #[arg(long, env = "OPENLEDGER_KEYSTORE_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// File holding the keystore password (trailing newline ignored).
    #[arg(long, conflicts_with = "password")]
    password_file: Option<PathBuf>,
}

impl KeyArgs {
    fn signer(&self) -> eyre::Result<PrivateKeySigner> {
        if let Some(hex) = &self.private_key {
            return hex
                .trim()
                .parse()
                .map_err(|e| eyre!("--private-key is not a private key: {e}"));
        }
        let Some(path) = &self.keystore else {
            return Err(eyre!(
                "an oracle node signs: give --private-key (or OPENLEDGER_PRIVATE_KEY) or --keystore"
            ));
        };
        let password = match (&self.password, &self.password_file) {
            (Some(p), _) => p.clone(),
            (None, Some(f)) => std::fs::read_to_string(f)
                .wrap_err_with(|| format!("reading {}", f.display()))?
                .trim_end_matches(['\n', '\r'])
                .to_owned(),
            (None, None) => {
                return Err(eyre!(
                    "--keystore {} needs --password or --password-file",
                    path.display()
                ));
            }
        };
        PrivateKeySigner::decrypt_keystore(path, password)
            .map_err(|e| eyre!("cannot decrypt keystore {}: {e}", path.display()))
    }
}

impl Common {
    async fn deployment(&self) -> eyre::Result<Deployment> {
        let path = match &self.deployment {
            Some(p) => p.clone(),
            None => {
                let chain_id = Rpc::http(&self.rpc_url, RpcConfig::default(), Default::default())
                    .map_err(|e| eyre!(e))?
                    .chain_id()
                    .await
                    .wrap_err_with(|| format!("asking {} for its chain id", self.rpc_url))?;
                PathBuf::from(format!("deployments/{chain_id}.json"))
            }
        };
        Deployment::from_file(&path).wrap_err_with(|| format!("reading {}", path.display()))
    }

    async fn open(&self) -> eyre::Result<Oracle> {
        let deployment = self.deployment().await?;
        let config = OracleConfig {
            rpc_url: self.rpc_url.clone(),
            deployment,
            database_url: self.database_url.clone(),
            content_url: self.content_url.clone(),
            data_dir: self.data_dir.clone(),
            finality_depth: self.finality_depth,
            epoch_blocks: self.epoch_blocks,
            params: OracleParams::default(),
            shard_plan: ShardPlan::default(),
            sync: SyncConfig {
                finality_depth: self.finality_depth,
                progress: std::io::stderr().is_terminal(),
                ..SyncConfig::default()
            },
        };
        Oracle::open(config).await.wrap_err("opening the oracle")
    }
}

fn seconds(v: f64, what: &str) -> eyre::Result<Duration> {
    Duration::try_from_secs_f64(v).map_err(|_| eyre!("--{what} must be a non-negative number"))
}

#[tokio::main]
async fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    if std::io::stderr().is_terminal() {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    } else {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> eyre::Result<ExitCode> {
    let common = &cli.common;
    match &cli.command {
        Command::Run {
            key,
            listen,
            peers,
            poll_interval,
            propose_stagger,
        } => {
            let signer = key.signer()?;
            let oracle = common.open().await?;
            let node = Node::new(
                oracle,
                NodeConfig {
                    signer,
                    rpc_url: common.rpc_url.clone(),
                    peers: peers.clone(),
                    poll_interval: seconds(*poll_interval, "poll-interval")?,
                    propose_stagger: seconds(*propose_stagger, "propose-stagger")?,
                },
            )?;
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .wrap_err_with(|| format!("binding {listen}"))?;
            node.run(listener, shutdown_signal()).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Epoch { to_block, out } => {
            let oracle = common.open().await?;
            oracle.sync().await?;
            let (epoch, range, previous) = oracle.plan_next(*to_block).await?;
            let computed = oracle.compute(epoch, range, previous.as_ref()).await?;
            if let Some(path) = out {
                std::fs::write(path, &computed.json)
                    .wrap_err_with(|| format!("writing {}", path.display()))?;
            }
            let r = &computed.report;
            // What the escrow will check at proposal: the total within what it has taken in.
            let distributable = oracle.escrow_state().await?.total_distributable;
            let solvent = r.total_cumulative <= distributable;
            let summary = serde_json::json!({
                "epoch": epoch,
                "from_block": range.from_block,
                "to_block": range.to_block,
                "root": computed.update.root,
                "report_hash": computed.report_hash,
                "total_cumulative": r.total_cumulative.to_string(),
                "accounts": r.balances.len(),
                "inferences": r.inferences.len(),
                "resolved": r.resolved.len(),
                "carried": r.carried.len(),
                "previous_epoch": previous.as_ref().map(|p| p.epoch),
                "solvent": solvent,
                "total_distributable": distributable.to_string(),
            });
            if common.json {
                println!("{summary}");
            } else {
                println!(
                    "epoch {epoch} (blocks {}..={}): root {} report {}\n  total {} over {} accounts; {} inferences paid, {} resolved, {} carried",
                    range.from_block,
                    range.to_block,
                    computed.update.root,
                    computed.report_hash,
                    r.total_cumulative,
                    r.balances.len(),
                    r.inferences.len(),
                    r.resolved.len(),
                    r.carried.len()
                );
                if !solvent {
                    println!(
                        "  INSOLVENT: the escrow has taken in {distributable}; no node would sign this"
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { epoch } => {
            let oracle = common.open().await?;
            oracle.sync().await?;
            let v = oracle.verify(*epoch).await?;
            if common.json {
                println!("{}", serde_json::to_string(&v)?);
            } else {
                if v.matches {
                    println!(
                        "epoch {epoch}: OK, root {} and report {} recomputed from public data",
                        v.posted_root, v.posted_report_hash
                    );
                } else {
                    println!("epoch {epoch}: MISMATCH");
                    for d in &v.differences {
                        println!("  {d}");
                    }
                }
                for n in &v.notes {
                    println!("  note: {n}");
                }
            }
            Ok(if v.matches {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Explain {
            account,
            epoch,
            report,
        } => {
            let report = match report {
                Some(path) => EpochReport::from_json(
                    &std::fs::read(path).wrap_err_with(|| format!("reading {}", path.display()))?,
                )?,
                None => {
                    let oracle = common.open().await?;
                    oracle.sync().await?;
                    oracle.posted_report(*epoch).await?
                }
            };
            if report.epoch != *epoch {
                return Err(eyre!(
                    "the report is of epoch {}, not {epoch}",
                    report.epoch
                ));
            }
            let e = explain(&report, *account);
            if common.json {
                println!("{}", serde_json::to_string(&e)?);
            } else {
                print!("{e}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Ctrl-C at a terminal, SIGTERM from a service manager.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::path::Path;

    /// Keys come as hex with or without `0x` (the demo passes `key.to_bytes().to_string()`).
    #[test]
    fn private_keys_parse_with_or_without_prefix() {
        let key = openledger_sdk::devnet::dev_key(7).unwrap();
        let hex = key.to_bytes().to_string();
        for text in [hex.clone(), hex.trim_start_matches("0x").to_owned()] {
            let args = KeyArgs {
                private_key: Some(text),
                keystore: None,
                password: None,
                password_file: None,
            };
            assert_eq!(args.signer().unwrap().address(), key.address());
        }
    }

    /// A keystore opens with its password, from the flag or a file (trailing newline ignored);
    /// a wrong or missing password is a clear error naming the file.
    #[test]
    fn keystores_open_with_their_password_only() {
        let dir = tempfile::tempdir().unwrap();
        let key = openledger_sdk::devnet::dev_key(5).unwrap();
        PrivateKeySigner::encrypt_keystore(
            dir.path(),
            &mut rand::thread_rng(),
            key.to_bytes(),
            "correct horse",
            Some("node.json"),
        )
        .unwrap();
        let keystore = dir.path().join("node.json");
        let password_file = dir.path().join("password");
        std::fs::write(&password_file, "correct horse\n").unwrap();
        let args = |password: Option<&str>, file: Option<&Path>| KeyArgs {
            private_key: None,
            keystore: Some(keystore.clone()),
            password: password.map(str::to_owned),
            password_file: file.map(Path::to_path_buf),
        };
        let by_flag = args(Some("correct horse"), None).signer().unwrap();
        assert_eq!(by_flag.address(), key.address());
        let by_file = args(None, Some(&password_file)).signer().unwrap();
        assert_eq!(by_file.address(), key.address());

        let wrong = args(Some("battery staple"), None).signer().unwrap_err();
        assert!(
            wrong.to_string().contains("cannot decrypt keystore")
                && wrong.to_string().contains("node.json"),
            "{wrong}"
        );
        let missing = args(None, None).signer().unwrap_err();
        assert!(
            missing.to_string().contains("needs --password"),
            "{missing}"
        );
        let none = KeyArgs {
            private_key: None,
            keystore: None,
            password: None,
            password_file: None,
        };
        assert!(
            none.signer()
                .unwrap_err()
                .to_string()
                .contains("--keystore")
        );
    }
}
