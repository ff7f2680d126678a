//! `openledger-indexer`: follow a deployment's contracts into SQLite or PostgreSQL and serve the
//! API (`run`), or catch up once and print throughput figures (`backfill`).

use std::{io::IsTerminal, net::SocketAddr, path::PathBuf, process::ExitCode, time::Duration};

use clap::{Args, Parser, Subcommand};
use eyre::{WrapErr, eyre};
use openledger_indexer::{
    Store, api,
    sync::{Indexer, RpcConfig, SyncConfig},
};
use openledger_sdk::Deployment;

#[derive(Debug, Parser)]
#[command(name = "openledger-indexer", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Follow the chain and serve REST, GraphQL, health and metrics.
    Run {
        #[command(flatten)]
        common: Common,
        /// Address the API listens on.
        #[arg(long, env = "OPENLEDGER_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Largest content upload accepted, in bytes.
        #[arg(long, default_value_t = api::DEFAULT_MAX_CONTENT_BYTES)]
        max_content_bytes: usize,
        /// RPC URL the web app gives wallets for this chain (default: --rpc-url).
        #[arg(long, env = "OPENLEDGER_APP_RPC_URL")]
        app_rpc_url: Option<String>,
        /// Name of the chain shown by the web app and offered to wallets.
        #[arg(long, default_value = "OpenLedger devnet")]
        chain_name: String,
    },
    /// Catch up to the head once, then print a JSON summary (events, seconds, where time went).
    Backfill {
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Debug, Args)]
struct Common {
    /// JSON-RPC endpoint (HTTP).
    #[arg(long, env = "ETH_RPC_URL", default_value = "http://127.0.0.1:8545")]
    rpc_url: String,
    /// `sqlite:path` (created if missing) or `postgres://...`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite:openledger.sqlite")]
    database_url: String,
    /// Deployment file; by default `deployments/<chainId>.json` for the node's chain.
    #[arg(long, env = "OPENLEDGER_DEPLOYMENT")]
    deployment: Option<PathBuf>,
    /// Blocks below `head - finality_depth` are treated as final.
    #[arg(long, default_value_t = 64)]
    finality_depth: u64,
    /// Seconds between head polls once caught up.
    #[arg(long, default_value_t = 1.0)]
    poll_interval: f64,
    /// First `eth_getLogs` range in blocks (adapts to the provider).
    #[arg(long, default_value_t = 2_000)]
    initial_range: u64,
    /// Largest `eth_getLogs` range in blocks.
    #[arg(long, default_value_t = 100_000)]
    max_range: u64,
    /// Timeout of one RPC request, in seconds.
    #[arg(long, default_value_t = 30.0)]
    request_timeout: f64,
}

impl Common {
    fn config(&self) -> eyre::Result<SyncConfig> {
        let secs = |v: f64, what: &str| {
            Duration::try_from_secs_f64(v).map_err(|_| eyre!("--{what} must be a positive number"))
        };
        Ok(SyncConfig {
            finality_depth: self.finality_depth,
            poll_interval: secs(self.poll_interval, "poll-interval")?,
            rpc: RpcConfig {
                request_timeout: secs(self.request_timeout, "request-timeout")?,
                initial_range: self.initial_range,
                max_range: self.max_range,
                ..RpcConfig::default()
            },
            ..SyncConfig::default()
        })
    }

    async fn deployment(&self) -> eyre::Result<Deployment> {
        let path = match &self.deployment {
            Some(p) => p.clone(),
            None => {
                let chain_id = openledger_indexer::sync::Rpc::http(
                    &self.rpc_url,
                    RpcConfig::default(),
                    Default::default(),
                )
                .map_err(|e| eyre!(e))?
                .chain_id()
                .await
                .wrap_err_with(|| format!("asking {} for its chain id", self.rpc_url))?;
                PathBuf::from(format!("deployments/{chain_id}.json"))
            }
        };
        Deployment::from_file(&path).wrap_err_with(|| format!("reading {}", path.display()))
    }

    async fn open(&self) -> eyre::Result<(Store, Indexer, Deployment)> {
        let deployment = self.deployment().await?;
        let store = Store::connect(&self.database_url)
            .await
            .wrap_err_with(|| format!("opening {}", self.database_url))?;
        let indexer = Indexer::new(store.clone(), &self.rpc_url, &deployment, self.config()?)
            .await
            .wrap_err("starting the indexer")?;
        Ok((store, indexer, deployment))
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Humans at a terminal get readable lines; services get JSON for their log pipeline.
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
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> eyre::Result<()> {
    match cli.command {
        Command::Backfill { common } => {
            let (_, indexer, _) = common.open().await?;
            let s = indexer.catch_up().await?;
            let m = s.metrics;
            let summary = serde_json::json!({
                "events": s.events,
                "blocks": s.blocks,
                "seconds": s.seconds,
                "events_per_second": if s.seconds > 0.0 { s.events as f64 / s.seconds } else { 0.0 },
                "rpc_seconds": m.rpc_seconds,
                "decode_seconds": m.decode_seconds,
                "db_seconds": m.db_seconds,
                "head": m.head,
                "rpc_errors": m.rpc_errors.iter().sum::<u64>(),
            });
            println!("{summary}");
            Ok(())
        }
        Command::Run {
            common,
            listen,
            max_content_bytes,
            app_rpc_url,
            chain_name,
        } => {
            let (store, indexer, deployment) = common.open().await?;
            let app_rpc = app_rpc_url.as_deref().unwrap_or(&common.rpc_url);
            let state = api::ApiState::new(store, indexer.metrics())
                .with_max_content_bytes(max_content_bytes)
                .with_app(api::AppConfig::new(&deployment, app_rpc, &chain_name));
            let app = api::router(state);
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .wrap_err_with(|| format!("binding {listen}"))?;
            tracing::info!(%listen, app = %format!("http://{listen}/app/"), "API listening");
            let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
            let server = async {
                let mut rx = stop_rx.clone();
                axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = rx.changed().await;
                    })
                    .await
                    .wrap_err("API server")
            };
            let follower = async {
                let mut rx = stop_rx.clone();
                indexer
                    .run(async move {
                        let _ = rx.changed().await;
                    })
                    .await
                    .wrap_err("indexing")
            };
            let signal = async {
                shutdown_signal().await;
                tracing::info!("shutting down");
                let _ = stop_tx.send(true);
                Ok::<(), eyre::Report>(())
            };
            // The first of indexing or serving to fail stops the process; Ctrl-C stops both.
            tokio::try_join!(server, follower, signal)?;
            Ok(())
        }
    }
}

/// Ctrl-C at a terminal, SIGTERM from a service manager or container runtime.
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
