//! The indexer binary killed with SIGKILL at random instants during a backfill, then restarted:
//! the final tables equal those of an uninterrupted run, row for row, on SQLite and Postgres.
#![allow(clippy::unwrap_used)]

mod common;

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use common::{Net, dump, economy, indexer, sqlite_store};
use openledger_indexer::Store;
use openledger_testkit::pg::TempDb;

/// A chain with a few hundred blocks of events: the economy, then many open contributions.
async fn busy_chain() -> Net {
    let net = Net::start().await;
    let eco = economy(&net).await;
    let bob = net.as_account(8);
    for i in 0..400u32 {
        bob.contribute(eco.open, format!("crash record {i}").as_bytes(), "ipfs://c")
            .await
            .unwrap();
    }
    net
}

/// Runs `openledger-indexer backfill` with one-block ranges, killing it after a random delay,
/// until one run finishes on its own. Returns how many runs were killed.
fn backfill_with_kills(rpc_url: &str, deployment: &std::path::Path, database_url: &str) -> u32 {
    let mut seed = u64::from(std::process::id()) ^ 0x9e37_79b9_7f4a_7c15;
    let mut kills = 0;
    let started = Instant::now();
    loop {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "backfill never finished"
        );
        let mut child = Command::new(env!("CARGO_BIN_EXE_openledger-indexer"))
            .args([
                "backfill",
                "--rpc-url",
                rpc_url,
                "--database-url",
                database_url,
            ])
            .arg("--deployment")
            .arg(deployment)
            .args([
                "--finality-depth",
                "4",
                "--initial-range",
                "1",
                "--max-range",
                "1",
            ])
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // xorshift: a different kill instant each run, reproducible from the seed.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        // Short enough that a fast machine (SQLite backfills a block in about a millisecond)
        // still kills the first runs mid-way; each run resumes, so the loop always ends.
        let delay = Duration::from_millis(10 + seed % 40);
        let deadline = Instant::now() + delay;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "backfill failed: {status}");
                return kills;
            }
            if Instant::now() >= deadline {
                child.kill().unwrap(); // SIGKILL: no destructor, no flush, no goodbye
                child.wait().unwrap();
                kills += 1;
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

async fn crash_and_compare(database_url: String, crashed: Store) {
    let net = busy_chain().await;
    let dir = tempfile::tempdir().unwrap();
    let deployment = net.deployment.save(dir.path()).unwrap();
    let rpc_url = net.url.clone();
    let kills = tokio::task::spawn_blocking(move || {
        backfill_with_kills(&rpc_url, &deployment, &database_url)
    })
    .await
    .unwrap();
    assert!(
        kills >= 2,
        "only {kills} kills: the backfill finished too fast to test anything"
    );

    let clean = sqlite_store(&dir, "clean.sqlite").await;
    indexer(&net, &clean, 4).await.catch_up().await.unwrap();
    let rows: usize = dump(&clean).await.iter().map(|(_, r)| r.len()).sum();
    assert!(rows > 400);
    assert_eq!(
        dump(&crashed).await,
        dump(&clean).await,
        "after {kills} kills"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_during_backfill_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("crashed.sqlite").display());
    // Migrate first so the dump below can open the same file the killed processes wrote.
    let store = Store::connect(&url).await.unwrap();
    crash_and_compare(url, store).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_during_backfill_postgres() {
    let db = TempDb::create().await.unwrap();
    let store = Store::connect(db.url()).await.unwrap();
    crash_and_compare(db.url().to_owned(), store).await;
}
