//! An epoch's inputs read from SQLite and from PostgreSQL are equal, give byte-identical reports,
//! and do not change when the chain moves on (owners, treasury, new records and payments after
//! the epoch's last block are invisible to it).
#![allow(clippy::unwrap_used)]

mod economy;

use alloy::primitives::{Address, U256};
use economy::{Net, content_store, e18, economy, index, oracle_config, pay, words};
use openledger_indexer::Store;
use openledger_oracle::{
    BlockRange,
    content::Contents,
    inputs::{EpochHeader, EpochInputs, PostedRoot, RootStatus, load_inputs},
    node::Oracle,
    pipeline::{OracleParams, compute_epoch},
};
use openledger_sdk::content_client::ContentClient;
use openledger_testkit::pg::TempDb;

async fn inputs(store: &Store, contents: &Contents, header: EpochHeader, net: &Net) -> EpochInputs {
    load_inputs(
        store,
        contents,
        header,
        None,
        net.deployment.params.treasury,
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inputs_agree_across_backends_and_stay_fixed_after_the_epoch() {
    let dir = tempfile::tempdir().unwrap();
    let net = Net::start().await;
    let (_content_db, content_url) = content_store(dir.path()).await;
    let eco = economy(&net, &content_url).await;
    net.mine(3).await;

    let sqlite = Store::connect(&format!("sqlite:{}", dir.path().join("i.sqlite").display()))
        .await
        .unwrap();
    let pg = TempDb::create().await.unwrap();
    let postgres = Store::connect(pg.url()).await.unwrap();
    index(&net, &sqlite).await;
    index(&net, &postgres).await;

    let d = &net.deployment;
    let header = EpochHeader {
        chain_id: d.chain_id,
        escrow: d.contracts.reward_escrow,
        token: d.contracts.payment_token,
        epoch: 1,
        range: BlockRange {
            from_block: d.start_block,
            to_block: net.head().await - 2,
        },
    };
    let contents = Contents::http(&content_url);
    let a = inputs(&sqlite, &contents, header, &net).await;
    let b = inputs(&postgres, &contents, header, &net).await;
    assert_eq!(a, b, "SQLite and PostgreSQL give the same inputs");
    assert_eq!(a.inferences.len(), 4);
    assert_eq!(a.treasury, eco.treasury);
    let report = compute_epoch(&a, &OracleParams::default(), None).unwrap();
    assert_eq!(
        compute_epoch(&b, &OracleParams::default(), None)
            .unwrap()
            .json,
        report.json
    );

    // The oracle over an existing indexer's Postgres database (`--database-url`) agrees.
    let over_pg = Oracle::open(oracle_config(
        &net,
        Some(&content_url),
        Some(pg.url()),
        &dir.path().join("pg-oracle"),
    ))
    .await
    .unwrap();
    let c = over_pg.compute(1, header.range, None).await.unwrap();
    assert_eq!(c.json, report.json);

    // The chain moves on: the base model and the agent change hands, the treasury changes, a
    // new record is accepted and a version published, and another inference is paid.
    let new_owner = Address::repeat_byte(0x42);
    let send = |call: alloy::rpc::types::TransactionReceipt| assert!(call.status());
    send(
        net.as_account(1)
            .model_registry()
            .transferFrom(eco.curator, new_owner, eco.base)
            .send()
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap(),
    );
    send(
        net.as_account(4)
            .agent_registry()
            .transferFrom(eco.agent_owner, new_owner, eco.agent)
            .send()
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap(),
    );
    send(
        net.as_account(0)
            .escrow()
            .setTreasury(new_owner)
            .send()
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap(),
    );
    let later = net
        .as_account(6)
        .contribute(
            eco.d1,
            economy::edit(&eco.records[9], &[3]).as_bytes(),
            "ipfs://late",
        )
        .await
        .unwrap();
    net.as_account(1)
        .publish_version(
            eco.d1,
            alloy::primitives::keccak256(b"d1v2"),
            "ipfs://d1v2",
            14,
            u64::try_from(later).unwrap(),
        )
        .await
        .unwrap();
    let content = ContentClient::new(&content_url);
    let o = words(&eco.records[2], 0..40);
    pay(
        &net,
        &content,
        eco.base,
        U256::ZERO,
        U256::from(3) * e18(),
        &o,
        true,
    )
    .await;
    net.mine(3).await;
    index(&net, &sqlite).await;
    index(&net, &postgres).await;

    for store in [&sqlite, &postgres] {
        let again = inputs(store, &contents, header, &net).await;
        assert_eq!(
            again, a,
            "inputs as of the epoch's last block do not change"
        );
    }
    // A later epoch does see the new owner and treasury.
    let next = EpochHeader {
        epoch: 2,
        range: BlockRange {
            from_block: header.range.to_block + 1,
            to_block: net.head().await - 2,
        },
        ..header
    };
    let later_inputs = load_inputs(&sqlite, &contents, next, None, d.params.treasury)
        .await
        .unwrap();
    assert_eq!(later_inputs.treasury, new_owner);
    // Built on epoch 1's report, the pot is that report's plus this range's fees: the same as
    // summing every fee from the start, on both backends.
    let hash = ContentClient::new(&content_url)
        .put(&report.json)
        .await
        .unwrap();
    assert_eq!(hash, report.report_hash);
    let posted = PostedRoot {
        epoch: 1,
        root: report.update.root,
        total_cumulative: report.update.totalCumulative,
        report_hash: report.report_hash,
        from_block: header.range.from_block,
        to_block: header.range.to_block,
        status: RootStatus::Accepted,
    };
    for store in [&sqlite, &postgres] {
        let on_previous = load_inputs(store, &contents, next, Some(&posted), d.params.treasury)
            .await
            .unwrap();
        assert_eq!(on_previous.distributable, later_inputs.distributable);
        assert_eq!(
            on_previous.distributable,
            a.distributable
                + U256::from(3) * e18() * U256::from(10_000 - d.params.protocol_fee_bps)
                    / U256::from(10_000),
            "epoch 1's pot and the one inference paid since"
        );
    }
    assert_eq!(later_inputs.inferences.len(), 1);
    let lineage = later_inputs.inferences[0].lineage.as_ref().unwrap();
    assert_eq!(lineage.models[&eco.base].owner, new_owner);
}
