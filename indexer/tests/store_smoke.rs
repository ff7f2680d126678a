//! Both backends, real servers: migrations apply and a checkpoint round-trips identically.
#![allow(clippy::unwrap_used)]

use openledger_indexer::{Checkpoint, Store, StoreError};
use openledger_testkit::pg::TempDb;

async fn round_trip(store: &Store) {
    assert_eq!(store.checkpoint(31337).await.unwrap(), None);
    let first = Checkpoint {
        block: 7,
        block_hash: "0xaa".into(),
    };
    store.set_checkpoint(31337, &first).await.unwrap();
    let second = Checkpoint {
        block: 9,
        block_hash: "0xbb".into(),
    };
    store.set_checkpoint(31337, &second).await.unwrap();
    assert_eq!(store.checkpoint(31337).await.unwrap(), Some(second));
    // Checkpoints are per chain.
    assert_eq!(store.checkpoint(1).await.unwrap(), None);
    // Values that do not fit a signed 64-bit column are refused, not wrapped.
    let huge = Checkpoint {
        block: u64::MAX,
        block_hash: "0xcc".into(),
    };
    assert!(matches!(
        store.set_checkpoint(1, &huge).await,
        Err(StoreError::OutOfRange("block"))
    ));
}

#[tokio::test]
async fn sqlite_checkpoint_round_trip_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("index.sqlite").display());
    round_trip(&Store::connect(&url).await.unwrap()).await;
    // Reopening re-runs migrations idempotently and sees the committed checkpoint.
    let reopened = Store::connect(&url).await.unwrap();
    assert_eq!(
        reopened.checkpoint(31337).await.unwrap().map(|c| c.block),
        Some(9)
    );
}

#[tokio::test]
async fn postgres_checkpoint_round_trip() {
    let db = TempDb::create()
        .await
        .expect("PostgreSQL is required for this test");
    round_trip(&Store::connect(db.url()).await.unwrap()).await;
    let reopened = Store::connect(db.url()).await.unwrap();
    assert_eq!(
        reopened.checkpoint(31337).await.unwrap().map(|c| c.block),
        Some(9)
    );
}

#[tokio::test]
async fn unknown_scheme_is_a_clear_error() {
    let err = Store::connect("mysql://localhost/x").await.unwrap_err();
    assert!(
        err.to_string().contains("unsupported database URL"),
        "{err}"
    );
}
