//! The indexer behind a proxy that injects the faults real providers produce (errors, rate
//! limits, timeouts, cut-off answers, resets, log range and result limits worded like Alchemy,
//! Infura, QuickNode, Ankr, reth and geth): no event lost, none duplicated.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{Net, dump, economy, indexer, sqlite_store};
use openledger_indexer::sync::Indexer;
use openledger_testkit::rpc_proxy::{Fault, FaultKind, FaultPlan, LogLimits, RpcProxy};

#[tokio::test(flavor = "multi_thread")]
async fn faults_and_provider_limits_lose_and_duplicate_nothing() {
    let net = Net::start().await;
    let eco = economy(&net).await;
    let bob = net.as_account(8);
    for i in 0..40u32 {
        bob.contribute(eco.open, format!("fault record {i}").as_bytes(), "ipfs://f")
            .await
            .unwrap();
    }

    let plan = FaultPlan::seeded(7)
        .with(Fault::new(FaultKind::InternalError, 0.08))
        .with(Fault::new(FaultKind::RpcRateLimit, 0.05))
        .with(Fault::new(FaultKind::HttpRateLimit, 0.05))
        .with(Fault::new(FaultKind::Truncated, 0.05))
        .with(Fault::new(FaultKind::ConnectionReset, 0.05))
        .with(Fault::new(
            FaultKind::Timeout {
                hold: Duration::from_secs(3),
            },
            0.02,
        ))
        .with_log_limits(LogLimits::block_range(7).and_max_logs(5));
    let proxy = RpcProxy::start(net.url.parse().unwrap(), plan)
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir, "faulty.sqlite").await;
    let mut config = common::config(4);
    config.rpc.request_timeout = Duration::from_millis(500);
    config.rpc.max_attempts = 30;
    config.rpc.initial_range = 50;
    let ix = Indexer::new(store.clone(), proxy.url().as_str(), &net.deployment, config)
        .await
        .unwrap();
    ix.catch_up().await.unwrap();

    let stats = proxy.stats();
    let f = stats.faults;
    assert!(
        f.internal_error > 0
            && f.rpc_rate_limit + f.http_rate_limit > 0
            && f.truncated > 0
            && f.connection_reset > 0
            && f.block_range_exceeded + f.too_many_logs > 0,
        "every kind of fault happened: {f:?}"
    );
    let m = ix.metrics().snapshot();
    assert!(
        m.rpc_errors.iter().sum::<u64>() >= f.total() / 2,
        "{m:?} vs {f:?}"
    );
    assert_eq!(
        m.rpc_errors[3], 0,
        "no fault was mistaken for a permanent one"
    );

    let clean = sqlite_store(&dir, "clean.sqlite").await;
    indexer(&net, &clean, 4).await.catch_up().await.unwrap();
    assert_eq!(dump(&store).await, dump(&clean).await);
}
