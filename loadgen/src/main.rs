//! `loadgen`: deploys OpenLedger on a local anvil and fills it with events for the indexer
//! benchmark. See the library's documentation and `scripts/bench-indexer`.

use std::{path::PathBuf, process::ExitCode};

use clap::Parser;
use openledger_loadgen::{Config, Report, generate};

/// Deploys OpenLedger on a local chain and generates at least N events of its contracts.
#[derive(Debug, Parser)]
#[command(name = "loadgen", version)]
struct Args {
    /// The node: a local anvil, ideally started with `--gas-limit 1000000000`.
    #[arg(long, env = "ETH_RPC_URL", default_value = "http://127.0.0.1:8545")]
    rpc_url: String,
    /// Events of the four OpenLedger contracts to produce, at least.
    #[arg(long, default_value_t = 200_000)]
    events: u64,
    /// Where to write the deployment JSON (the indexer's `--deployment`).
    #[arg(long)]
    deployment_out: PathBuf,
    /// Where to write the full report as JSON (counts by event, blocks, time).
    #[arg(long)]
    report_out: Option<PathBuf>,
    /// Simulated participants (LoadGen contracts).
    #[arg(long, default_value_t = 12)]
    actors: usize,
    /// Calls batched into one transaction.
    #[arg(long, default_value_t = 100)]
    calls_per_tx: usize,
    /// Transactions per block (blocks are mined on demand).
    #[arg(long, default_value_t = 8)]
    txs_per_block: usize,
    /// Seed of the choices (who contributes where, amounts...).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Empty blocks mined after each round (each costs anvil a state root: keep it small).
    #[arg(long, default_value_t = 2)]
    empty_blocks: u64,
    /// Share of inferences paid by EOAs with a permit (one transaction each).
    #[arg(long, default_value_t = 0.02)]
    permit_share: f64,
    /// Skip the epoch roots and claims at the end.
    #[arg(long)]
    no_roots: bool,
    /// No progress lines on stderr.
    #[arg(long, short)]
    quiet: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let cfg = Config {
        rpc_url: args.rpc_url.clone(),
        events: args.events,
        actors: args.actors.max(2),
        calls_per_tx: args.calls_per_tx.max(1),
        txs_per_block: args.txs_per_block.max(1),
        seed: args.seed,
        empty_blocks: args.empty_blocks,
        permit_share: args.permit_share.clamp(0.0, 1.0),
        roots: !args.no_roots,
        progress: !args.quiet,
    };
    match run(&args, &cfg).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("loadgen: error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args, cfg: &Config) -> Result<(), String> {
    let report = generate(cfg).await.map_err(|e| e.to_string())?;
    let deployment = serde_json::to_string_pretty(&report.deployment).map_err(|e| e.to_string())?;
    std::fs::write(&args.deployment_out, deployment + "\n")
        .map_err(|e| format!("writing {}: {e}", args.deployment_out.display()))?;
    if let Some(path) = &args.report_out {
        let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        std::fs::write(path, json + "\n")
            .map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    print_summary(args, &report);
    Ok(())
}

fn print_summary(args: &Args, report: &Report) {
    let c = &report.counts;
    println!(
        "deployment: {} (chain {}, start block {})",
        args.deployment_out.display(),
        report.deployment.chain_id,
        report.deployment.start_block
    );
    println!(
        "events: {} of the OpenLedger contracts (+{} of the payment token) in {} transactions, blocks {}..={} (head {})",
        c.project_events, c.token_events, c.transactions, c.first_block, c.last_block, report.head
    );
    let width = c.by_event.keys().map(String::len).max().unwrap_or(0);
    for (event, n) in &c.by_event {
        println!("  {event:<width$}  {n:>9}");
    }
    println!(
        "generated in {:.1} s ({:.0} events/s)",
        report.seconds,
        c.project_events as f64 / report.seconds.max(0.001)
    );
    // Last line: machine-readable.
    println!(
        "{}",
        serde_json::json!({
            "events": c.project_events,
            "tokenEvents": c.token_events,
            "transactions": c.transactions,
            "firstBlock": c.first_block,
            "lastBlock": c.last_block,
            "head": report.head,
            "seconds": report.seconds,
        })
    );
}
