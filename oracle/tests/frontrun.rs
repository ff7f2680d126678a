//! Front-running a contribution seen in the mempool, on anvil with transactions ordered by hand.
//! Alice contributes with commit-reveal; a watcher who sees her reveal gets a copy of her text
//! mined first (one step, spliced with words of its own so that it is no near-duplicate). The
//! oracle reads Alice's position from her commit, credits her text to her, and the watcher earns
//! nothing from the paid output quoting it. With the one-step path the watcher would have been first:
//! that is shown too, so the test can tell the two apart.
#![allow(clippy::unwrap_used)]

mod economy;

use std::collections::BTreeSet;

use alloy::primitives::{Address, U256, keccak256};
use economy::{Net, content_store, epoch_now, fund_payer, pay, serve};
use openledger_oracle::{pipeline::OracleParams, report::RoleEntry};
use openledger_sdk::{
    client::{DatanetPolicy, ModelSpec},
    content_client::ContentClient,
};

const ALICE_TEXT: &str = "the sourdough starter doubles within six hours at room temperature when fed \
    equal weights of rye flour and water and it smells faintly of green apples before it peaks";
const WATCHER_OWN: &str = "a collection of baking notes gathered from several community kitchens \
    over the winter months";

/// Alice's record through `commit_reveal` or one step, with the watcher's copy mined between
/// Alice's commit and her reveal (or just before her one-step submission). Returns the data
/// share each earns from an output quoting Alice's text.
async fn race(commit_reveal: bool) -> (U256, U256) {
    let dir = tempfile::tempdir().unwrap();
    let net = Net::start().await;
    let (_content_db, content_url) = content_store(dir.path()).await;
    let content = ContentClient::new(&content_url);
    let curator = net.as_account(1);
    let alice = net.as_account(2);
    let watcher = net.as_account(9);
    let open = DatanetPolicy {
        bond: 0,
        curated: false,
        review_period: 3600,
    };
    let datanet = curator
        .create_datanet("ipfs://d", open, None)
        .await
        .unwrap();
    let copy = format!("{WATCHER_OWN} {ALICE_TEXT} {WATCHER_OWN}");
    content.put(ALICE_TEXT.as_bytes()).await.unwrap();
    content.put(copy.as_bytes()).await.unwrap();

    let salt = keccak256(b"alice's secret salt");
    let alice_id = if commit_reveal {
        let hash = keccak256(ALICE_TEXT.as_bytes());
        let commitment =
            openledger_sdk::client::contribution_commitment(hash, net.address(2), salt);
        let id = alice.commit_contribution(commitment).await.unwrap();
        // The watcher sees the reveal in the mempool and gets its copy in first.
        watcher
            .contribute(datanet, copy.as_bytes(), "ipfs://copy")
            .await
            .unwrap();
        let size = ALICE_TEXT.len() as u64;
        alice
            .reveal_contribution(id, datanet, hash, "ipfs://alice", size, salt)
            .await
            .unwrap();
        id
    } else {
        watcher
            .contribute(datanet, copy.as_bytes(), "ipfs://copy")
            .await
            .unwrap();
        alice
            .contribute(datanet, ALICE_TEXT.as_bytes(), "ipfs://alice")
            .await
            .unwrap()
    };
    // A version of both records and a model trained on it, so that the oracle reads them.
    let last = alice_id.max(U256::from(2)).to::<u64>();
    curator
        .publish_version(datanet, keccak256(b"v1"), "ipfs://v1", 2, last)
        .await
        .unwrap();
    let model = curator
        .register_model(&ModelSpec {
            uri: "ipfs://m".into(),
            datanets: vec![(datanet, 1)],
            parents: vec![],
            split: (5000, 4000, 1000),
        })
        .await
        .unwrap();
    let output = format!("as the notes say {ALICE_TEXT}");
    fund_payer(&net).await;
    pay(
        &net,
        &content,
        model,
        U256::ZERO,
        U256::from(10u64).pow(U256::from(18)),
        &output,
        true,
    )
    .await;
    net.mine(3).await;
    let (index, inputs, epoch) =
        epoch_now(&net, dir.path(), &content_url, &OracleParams::default()).await;
    assert_eq!(
        inputs.records.len(),
        2,
        "both records are read from the chain"
    );
    let alice_record = inputs.records.iter().find(|r| r.id == alice_id).unwrap();
    let copy_record = inputs.records.iter().find(|r| r.id != alice_id).unwrap();
    assert_eq!(
        commit_reveal,
        alice_record.order < copy_record.order,
        "Alice is first exactly when she committed"
    );

    // The model trained on both, and the paid output quotes Alice's text.
    assert_eq!(
        inputs.corpora.get(&model),
        Some(&inputs.records.iter().map(|r| r.id).collect::<BTreeSet<_>>())
    );
    assert_eq!(inputs.inferences.len(), 1);
    // The API says where a committed contribution stands in the order: its commit.
    let api = serve(&index).await;
    let shown: serde_json::Value = reqwest::get(format!("{api}/v1/contributions/{alice_id}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    if commit_reveal {
        let (commit, reveal) = (
            shown["committed_block"].as_u64().unwrap(),
            shown["submitted_block"].as_u64().unwrap(),
        );
        assert!(commit < reveal, "{shown}");
        assert!(shown["committed_tx"].is_string(), "{shown}");
    } else {
        assert!(shown["committed_block"].is_null(), "{shown}");
    }
    let earned = |who: Address| {
        epoch.report.inferences[0]
            .allocations
            .iter()
            .filter(|a| a.account == who && matches!(a.role, RoleEntry::Data { .. }))
            .map(|a| a.amount)
            .fold(U256::ZERO, |x, y| x + y)
    };
    (earned(net.address(2)), earned(net.address(9)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watcher_who_front_runs_a_reveal_earns_nothing() {
    let (alice, watcher) = race(true).await;
    assert!(alice > U256::ZERO);
    assert_eq!(watcher, U256::ZERO, "the front-runner earns nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watcher_who_front_runs_a_one_step_contribution_takes_the_text() {
    // The one-step path is front-runnable (documented): the watcher's copy is first.
    let (alice, watcher) = race(false).await;
    assert!(watcher > alice, "alice {alice}, watcher {watcher}");
}
