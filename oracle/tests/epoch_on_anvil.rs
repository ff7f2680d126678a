//! Epoch ranges computed from a live chain's head.
#![allow(clippy::unwrap_used)]

use alloy::providers::{Provider, ProviderBuilder};
use openledger_oracle::{BlockRange, next_epoch_range};

#[tokio::test]
async fn ranges_follow_the_real_head_minus_finality() {
    let anvil = openledger_testkit::spawn_anvil().expect("anvil");
    let provider = ProviderBuilder::new().connect_http(anvil.endpoint_url());
    let mine = |n: u64| {
        let provider = provider.clone();
        async move {
            let _: serde_json::Value = provider
                .raw_request("anvil_mine".into(), (n,))
                .await
                .expect("mine");
        }
    };

    mine(4).await;
    let head = provider.get_block_number().await.unwrap();
    assert_eq!(
        next_epoch_range(None, 1, head, 5),
        None,
        "head 4 has no final block at depth 5"
    );

    mine(16).await;
    let head = provider.get_block_number().await.unwrap();
    let first = next_epoch_range(None, 1, head, 5).unwrap();
    assert_eq!(
        first,
        BlockRange {
            from_block: 1,
            to_block: 15
        }
    );

    mine(10).await;
    let head = provider.get_block_number().await.unwrap();
    let second = next_epoch_range(Some(first.to_block), 1, head, 5).unwrap();
    assert_eq!(
        second,
        BlockRange {
            from_block: 16,
            to_block: 25
        }
    );
}
