//! Following a real anvil into real SQLite and PostgreSQL: every event lands decoded, the views
//! show current state, restarts neither duplicate nor skip, and the batching does not matter.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Net, dump, economy, indexer, sqlite_store};
use openledger_indexer::{Store, sync::Step};
use openledger_testkit::pg::TempDb;

async fn scalar_i64(store: &Store, sql: &'static str) -> i64 {
    match store {
        Store::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        Store::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

async fn scalar_text(store: &Store, sql: &'static str) -> String {
    match store {
        Store::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        Store::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

/// The views show what the economy did.
async fn check_views(store: &Store, eco: &common::Economy) {
    let alice = format!("{:#x}", eco.alice);
    assert_eq!(
        scalar_i64(store, "SELECT COUNT(*) FROM contributions").await,
        5
    );
    assert_eq!(
        scalar_i64(
            store,
            "SELECT COUNT(*) FROM contributions WHERE status = 'accepted'"
        )
        .await,
        3,
        "two curated acceptances and one open contribution"
    );
    assert_eq!(
        scalar_text(
            store,
            "SELECT status FROM contributions WHERE uri = 'ipfs://b1'"
        )
        .await,
        "rejected"
    );
    assert_eq!(
        scalar_text(
            store,
            "SELECT status FROM contributions WHERE uri = 'ipfs://b2'"
        )
        .await,
        "pending"
    );
    assert_eq!(
        scalar_i64(store, "SELECT accepted FROM datanets WHERE id = 1").await,
        2
    );
    assert_eq!(
        scalar_i64(store, "SELECT latest_version FROM datanets WHERE id = 1").await,
        1
    );
    // The split update replaced the registered split.
    assert_eq!(
        scalar_i64(store, "SELECT owner_bps FROM models WHERE id = 2").await,
        3000
    );
    assert_eq!(
        scalar_i64(store, "SELECT parent FROM model_parents WHERE child = 2").await,
        1
    );
    assert_eq!(
        scalar_text(store, "SELECT wallet FROM agents WHERE id = 1").await,
        format!("{:#x}", eco.agent_wallet)
    );
    assert_eq!(
        scalar_i64(store, "SELECT actions FROM agents WHERE id = 1").await,
        3
    );
    assert_eq!(
        scalar_i64(store, "SELECT COUNT(*) FROM inferences").await,
        2
    );
    assert_eq!(
        scalar_text(store, "SELECT status FROM roots").await,
        "accepted"
    );
    assert_eq!(scalar_i64(store, "SELECT epoch FROM current_root").await, 1);
    let claimed = match store {
        Store::Sqlite(p) => {
            sqlx::query_scalar::<_, String>("SELECT claimed FROM account_totals WHERE account = $1")
                .bind(&alice)
                .fetch_one(p)
                .await
                .unwrap()
        }
        Store::Postgres(p) => {
            sqlx::query_scalar::<_, String>("SELECT claimed FROM account_totals WHERE account = $1")
                .bind(&alice)
                .fetch_one(p)
                .await
                .unwrap()
        }
    };
    assert_eq!(claimed, eco.alice_earned.to_string());
}

#[tokio::test]
async fn sqlite_and_postgres_index_the_same_economy_identically() {
    let net = Net::start().await;
    let eco = economy(&net).await;
    let dir = tempfile::tempdir().unwrap();
    let sqlite = sqlite_store(&dir, "a.sqlite").await;
    let pg_db = TempDb::create().await.unwrap();
    let pg = Store::connect(pg_db.url()).await.unwrap();

    for store in [&sqlite, &pg] {
        let ix = indexer(&net, store, 4).await;
        let summary = ix.catch_up().await.unwrap();
        assert!(summary.events > 30, "{summary:?}");
        assert_eq!(summary.metrics.indexed, net.head().await);
        check_views(store, &eco).await;
    }
    let (a, b) = (dump(&sqlite).await, dump(&pg).await);
    assert!(!a.is_empty());
    assert_eq!(a, b, "both backends hold the same rows");
}

#[tokio::test]
async fn restarting_resumes_without_duplicates_and_batching_does_not_matter() {
    let net = Net::start().await;
    economy(&net).await;
    let dir = tempfile::tempdir().unwrap();

    // Reference: one indexer, default ranges.
    let reference = sqlite_store(&dir, "ref.sqlite").await;
    indexer(&net, &reference, 4).await.catch_up().await.unwrap();

    // Tiny ranges, stopped and restarted (a new indexer on the same file) after every step.
    let store = sqlite_store(&dir, "steps.sqlite").await;
    let mut config = common::config(4);
    config.rpc.initial_range = 1;
    config.rpc.max_range = 3;
    config.tip_batch = 2;
    let mut steps = 0;
    loop {
        let ix = openledger_indexer::sync::Indexer::new(
            store.clone(),
            &net.url,
            &net.deployment,
            config.clone(),
        )
        .await
        .unwrap();
        steps += 1;
        if let Step::CaughtUp { .. } = ix.step().await.unwrap() {
            break;
        }
    }
    assert!(
        steps >= 3,
        "backfill, tip steps and the final check: {steps}"
    );
    assert_eq!(dump(&store).await, dump(&reference).await);

    // More activity, then catching up again adds exactly the new events.
    let before: usize = dump(&store).await.iter().map(|(_, r)| r.len()).sum();
    net.as_account(2)
        .contribute(
            alloy::primitives::U256::from(99),
            b"late record",
            "ipfs://late",
        )
        .await
        .unwrap_err(); // datanet 99 does not exist: no event, nothing changes
    net.as_account(2)
        .contribute(
            alloy::primitives::U256::from(2),
            b"late record",
            "ipfs://late",
        )
        .await
        .unwrap();
    let ix = indexer(&net, &store, 4).await;
    let summary = ix.catch_up().await.unwrap();
    let after: usize = dump(&store).await.iter().map(|(_, r)| r.len()).sum();
    assert_eq!(after - before, summary.events as usize);
    assert!(summary.events >= 1);
    assert_eq!(
        ix.catch_up().await.unwrap().events,
        0,
        "nothing new, nothing written"
    );
}

#[tokio::test]
async fn a_deployment_of_another_chain_is_refused() {
    let net = Net::start().await;
    let mut other = net.deployment.clone();
    other.chain_id = 1;
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir, "x.sqlite").await;
    let err = openledger_indexer::sync::Indexer::new(store, &net.url, &other, common::config(4))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("serves chain 31337"), "{err}");
}

#[tokio::test]
async fn epoch_reports_are_loaded_checked_and_refused_when_they_do_not_match() {
    let net = Net::start().await;
    let eco = economy(&net).await;
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir, "r.sqlite").await;
    let ix = indexer(&net, &store, 4).await;
    // The report is not in the content store yet: nothing is earned, nothing breaks.
    ix.catch_up().await.unwrap();
    assert_eq!(
        scalar_i64(&store, "SELECT COUNT(*) FROM epoch_reports").await,
        0
    );
    let hash = openledger_sdk::content_hash(&eco.report_json).to_string();
    store.put_content(&hash, &eco.report_json).await.unwrap();
    ix.catch_up().await.unwrap();
    assert_eq!(
        scalar_text(&store, "SELECT status FROM epoch_reports").await,
        "loaded"
    );
    assert_eq!(
        scalar_i64(&store, "SELECT COUNT(*) FROM report_balances").await,
        2
    );
    let owner = format!("{:#x}", eco.agent_owner);
    let Store::Sqlite(pool) = &store else {
        unreachable!()
    };
    let (earned, claimed): (String, String) =
        sqlx::query_as("SELECT earned, claimed FROM account_totals WHERE account = $1")
            .bind(&owner)
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(
        (earned, claimed),
        (eco.owner_earned.to_string(), "0".to_owned())
    );

    // A second root whose "report" overstates a balance is refused with the reason.
    let mut forged = eco.report.clone();
    forged.balances[0].cumulative += alloy::primitives::U256::from(1);
    let bytes = serde_json::to_vec(&forged).unwrap();
    let forged_hash = openledger_sdk::content_hash(&bytes).to_string();
    store.put_content(&forged_hash, &bytes).await.unwrap();
    sqlx::query(
        "INSERT INTO escrow_root_proposed (block_number, log_index, tx_hash, epoch, root, \
         total_cumulative, report_hash, from_block, to_block, valid_at, signers) \
         VALUES (1000000, 0, '0x', 2, $1, '0', $2, 0, 0, 0, '[]')",
    )
    .bind(format!("{:#x}", eco.report.root))
    .bind(&forged_hash)
    .execute(pool)
    .await
    .unwrap();
    let pass = openledger_indexer::reports::load_reports(&store)
        .await
        .unwrap();
    assert_eq!((pass.loaded, pass.refused), (0, 1));
    let (status, error): (String, String) =
        sqlx::query_as("SELECT status, error FROM epoch_reports WHERE report_hash = $1")
            .bind(&forged_hash)
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(status, "invalid");
    assert!(
        error.contains("add up to") || error.contains("root"),
        "{error}"
    );
}
