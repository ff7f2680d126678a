//! Reorgs made with anvil, while the indexer runs and while it is stopped: afterwards the tables
//! equal those of a fresh index of the canonical chain.
#![allow(clippy::unwrap_used)]

mod common;

use alloy::primitives::U256;
use common::{Net, dump, economy, indexer, sqlite_store};
use openledger_indexer::{
    Store,
    sync::{Step, SyncError},
};
use openledger_testkit::pg::TempDb;
use serde_json::json;

/// A fresh index of the chain as it is now.
async fn fresh(net: &Net, dir: &tempfile::TempDir, name: &str) -> Vec<(String, Vec<String>)> {
    let store = sqlite_store(dir, name).await;
    indexer(net, &store, 64).await.catch_up().await.unwrap();
    dump(&store).await
}

async fn contribute(net: &Net, account: u32, datanet: u64, bytes: &[u8]) {
    net.as_account(account)
        .contribute(U256::from(datanet), bytes, "ipfs://x")
        .await
        .unwrap();
}

async fn live_reorg_is_rolled_back(store: &Store) {
    let net = Net::start().await;
    economy(&net).await;
    let dir = tempfile::tempdir().unwrap();
    let ix = indexer(&net, store, 64).await;
    ix.catch_up().await.unwrap();
    let before = dump(store).await;

    // Replace the last 6 blocks (root acceptance, claim and more) with a fork holding other
    // transactions: alice's contribution to the open datanet exists only on the new branch.
    let head = net.head().await;
    net.rpc("anvil_reorg", json!([6, []])).await;
    contribute(&net, 2, 2, b"only on the new branch").await;
    assert!(net.head().await <= head + 1);

    let step = ix.step().await.unwrap();
    assert!(
        matches!(step, Step::RolledBack { fork } if fork == head - 6),
        "{step:?}"
    );
    ix.catch_up().await.unwrap();
    assert_eq!(ix.metrics().snapshot().reorgs, 1);
    let after = dump(store).await;
    assert_ne!(after, before, "the orphaned events are gone");
    assert_eq!(after, fresh(&net, &dir, "fresh.sqlite").await);
}

#[tokio::test]
async fn live_reorg_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    live_reorg_is_rolled_back(&sqlite_store(&dir, "live.sqlite").await).await;
}

#[tokio::test]
async fn live_reorg_postgres() {
    let db = TempDb::create().await.unwrap();
    live_reorg_is_rolled_back(&Store::connect(db.url()).await.unwrap()).await;
}

#[tokio::test]
async fn reorg_while_stopped_by_snapshot_and_revert() {
    let net = Net::start().await;
    economy(&net).await;
    let snapshot = net.rpc("evm_snapshot", json!([])).await;
    for i in 0..5u8 {
        contribute(&net, 8, 2, &[b'a', i]).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir, "stopped.sqlite").await;
    indexer(&net, &store, 64).await.catch_up().await.unwrap();
    let before = dump(&store).await;

    // While no indexer runs: back to the snapshot, and a different, longer history.
    assert_eq!(net.rpc("evm_revert", json!([snapshot])).await, json!(true));
    for i in 0..8u8 {
        contribute(&net, 2, 2, &[b'b', i]).await;
    }

    // A new process on the same database notices at start-up.
    let ix = indexer(&net, &store, 64).await;
    let summary = ix.catch_up().await.unwrap();
    assert_eq!(summary.metrics.reorgs, 1);
    let after = dump(&store).await;
    assert_ne!(after, before);
    assert_eq!(after, fresh(&net, &dir, "fresh.sqlite").await);
}

#[tokio::test]
async fn a_reorg_below_the_finality_depth_is_reported_not_papered_over() {
    let net = Net::start().await;
    economy(&net).await;
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir, "deep.sqlite").await;
    // Finality depth 2: only the last couple of block hashes are kept.
    let ix = indexer(&net, &store, 2).await;
    ix.catch_up().await.unwrap();
    net.rpc("anvil_reorg", json!([12, []])).await;
    let err = ix.catch_up().await.unwrap_err();
    assert!(matches!(err, SyncError::ReorgTooDeep { .. }), "{err}");
    assert!(err.is_fatal());
    assert!(err.to_string().contains("re-index"), "{err}");
}
