//! Proves the pipeline end to end: the pinned anvil starts through alloy and answers RPC.
#![allow(clippy::unwrap_used)]

use alloy::providers::{Provider, ProviderBuilder};

#[tokio::test]
async fn reads_chain_id_and_head_from_a_real_anvil() {
    let anvil = openledger_testkit::spawn_anvil().expect("anvil");
    let provider = ProviderBuilder::new().connect_http(anvil.endpoint_url());

    assert_eq!(provider.get_chain_id().await.expect("chain id"), 31337);
    assert_eq!(provider.get_block_number().await.expect("head"), 0);

    // Mining moves the head: the node is live, not a canned answer.
    let _: serde_json::Value = provider
        .raw_request("anvil_mine".into(), (3u64,))
        .await
        .expect("anvil_mine");
    assert_eq!(provider.get_block_number().await.expect("head"), 3);
    assert_eq!(provider.get_accounts().await.expect("accounts").len(), 10);
}
