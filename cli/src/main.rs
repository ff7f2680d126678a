//! `openledger`: the command line over the SDK.

mod args;
mod hints;
mod parse;
mod run;

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let cli = args::Cli::parse();
    match run::run(&cli).await {
        Ok(out) => {
            if cli.json {
                println!("{}", out.json);
            } else {
                println!("{}", out.text);
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("{}", hints::render(&cli.command, &err));
            ExitCode::FAILURE
        }
    }
}
