//! Proofs of the current root: what the API returns verifies against the root on chain and
//! claims on chain; the tree is cached per root and replaced when another root becomes current.
#![allow(clippy::unwrap_used)]

mod api_fixture;
mod common;

use std::time::Instant;

use alloy::primitives::{Address, B256, U256};
use alloy::transports::http::reqwest;
use api_fixture::{Bind, err, exec, fixture, load_report_json, ok};
use openledger_indexer::sync::Metrics;
use openledger_sdk::{
    merkle::{Claim, ClaimTree},
    report::{Balance, REPORT_FORMAT, ReportBalances},
};
use serde_json::Value;

fn proof_of(v: &Value) -> Vec<B256> {
    v["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().parse().unwrap())
        .collect()
}

#[tokio::test]
async fn the_api_proof_claims_on_chain_for_the_agent_owner() {
    let f = fixture(false).await;
    let owner = f.eco.agent_owner;
    let path = format!("/v1/accounts/{owner:#x}/proof");
    let escrow = f.net.as_account(4).escrow();
    let onchain_root = escrow.currentRoot().call().await.unwrap();
    let token = f.net.deployment.contracts.payment_token;

    let mut answers = Vec::new();
    for s in f.both() {
        // Before the report is loaded the API says so instead of guessing.
        err(&s.base, &path, 404, "report_not_loaded").await;
        // The oracle uploads the report; the indexer's loader checks and stores it.
        let up = reqwest::Client::new()
            .post(format!("{}/v1/content", s.base))
            .body(f.eco.report_json.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(up.status().as_u16(), 201);
        common::indexer(&f.net, &s.store, 4)
            .await
            .catch_up()
            .await
            .unwrap();
        let p = ok(&s.base, &path).await;
        assert_eq!(p["account"], format!("{owner:#x}"));
        assert_eq!(p["token"], format!("{token:#x}"));
        assert_eq!(p["epoch"], 1);
        assert_eq!(p["root"], onchain_root.to_string());
        assert_eq!(p["cumulative"], f.eco.owner_earned.to_string());
        let leaf = Claim::new(owner, token, f.eco.owner_earned);
        assert!(ClaimTree::verify_against(
            onchain_root,
            &leaf,
            &proof_of(&p)
        ));
        // Mixed-case input, same answer.
        let upper = format!("0x{}", hex_upper(owner));
        assert_eq!(ok(&s.base, &format!("/v1/accounts/{upper}/proof")).await, p);
        // Accounts without a balance in the root, and malformed addresses.
        err(
            &s.base,
            &format!("/v1/accounts/{:#x}/proof", f.eco.bob),
            404,
            "no_balance",
        )
        .await;
        err(&s.base, "/v1/accounts/0x1/proof", 400, "invalid_address").await;
        answers.push(p);
    }
    assert_eq!(answers[0], answers[1], "both backends prove the same");

    // The owner has not claimed: the proof from the API pays out on chain.
    let before = f.net.as_account(4).token_balance(owner).await.unwrap();
    let paid = f
        .net
        .as_account(4)
        .claim(owner, f.eco.owner_earned, &proof_of(&answers[0]))
        .await
        .unwrap();
    assert_eq!(paid, f.eco.owner_earned);
    let after = f.net.as_account(4).token_balance(owner).await.unwrap();
    assert_eq!(after - before, f.eco.owner_earned);

    // Indexed, the claim shows in the account's totals.
    for s in f.both() {
        common::indexer(&f.net, &s.store, 4)
            .await
            .catch_up()
            .await
            .unwrap();
        let a = ok(&s.base, &format!("/v1/accounts/{owner:#x}")).await;
        assert_eq!(a["claimed"], f.eco.owner_earned.to_string());
        assert_eq!(a["claimable"], "0");
    }
}

fn hex_upper(a: Address) -> String {
    format!("{a:x}").to_uppercase()
}

/// A report of `n` accounts for `epoch`, its JSON and its hash.
fn synthetic_report(n: u32, epoch: u64, bump: u64) -> (ReportBalances, Vec<u8>) {
    let token = Address::repeat_byte(0xee);
    let mut balances: Vec<Balance> = (1..=n)
        .map(|i| {
            let mut a = [0u8; 20];
            a[16..].copy_from_slice(&i.to_be_bytes());
            Balance {
                account: Address::from(a),
                cumulative: U256::from(u64::from(i) * 1000 + bump),
            }
        })
        .collect();
    balances.sort_by_key(|b| b.account);
    let total = balances.iter().map(|b| b.cumulative).sum();
    let mut r = ReportBalances {
        format: REPORT_FORMAT.into(),
        chain_id: 31337,
        escrow: Address::repeat_byte(0xaa),
        token,
        epoch,
        from_block: 1,
        to_block: 10,
        root: B256::ZERO,
        total_cumulative: total,
        balances,
    };
    r.root = ClaimTree::of(r.claims()).unwrap().root();
    let json = serde_json::to_vec(&r).unwrap();
    (r, json)
}

/// Writes the proposal and acceptance events of a root at `block`, as the indexer would.
async fn accept_root(
    store: &openledger_indexer::Store,
    r: &ReportBalances,
    json: &[u8],
    block: i64,
) {
    let hash = alloy::primitives::keccak256(json).to_string();
    let epoch = i64::try_from(r.epoch).unwrap();
    let root = r.root.to_string();
    let total = r.total_cumulative.to_string();
    exec(
        store,
        "INSERT INTO escrow_root_proposed (block_number, log_index, tx_hash, block_timestamp, epoch, \
         root, total_cumulative, report_hash, from_block, to_block, valid_at, signers) \
         VALUES ($1, 0, '0x01', 0, $2, $3, $4, $5, 1, 10, 0, '[]')",
        &[
            Bind::Int(block),
            Bind::Int(epoch),
            Bind::Text(&root),
            Bind::Text(&total),
            Bind::Text(&hash),
        ],
    )
    .await;
    exec(
        store,
        "INSERT INTO escrow_root_accepted (block_number, log_index, tx_hash, block_timestamp, epoch, \
         root, total_cumulative, to_block) VALUES ($1, 0, '0x02', 0, $2, $3, $4, 10)",
        &[
            Bind::Int(block + 1),
            Bind::Int(epoch),
            Bind::Text(&root),
            Bind::Text(&total),
        ],
    )
    .await;
}

#[tokio::test]
async fn large_trees_are_built_once_per_root_and_replaced_when_the_root_changes() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::sqlite_store(&dir, "proofs.sqlite").await;
    let s = api_fixture::serve(store.clone(), Metrics::default()).await;
    let n = 20_000;
    let (r1, j1) = synthetic_report(n, 1, 0);
    load_report_json(&store, &j1).await;
    accept_root(&store, &r1, &j1, 100).await;

    let account = |i: u32| {
        let mut a = [0u8; 20];
        a[16..].copy_from_slice(&i.to_be_bytes());
        Address::from(a)
    };
    let t = Instant::now();
    let first = ok(&s.base, &format!("/v1/accounts/{:#x}/proof", account(7))).await;
    let cold = t.elapsed();
    let t = Instant::now();
    for i in [1, 7, 19_999, n] {
        let p = ok(&s.base, &format!("/v1/accounts/{:#x}/proof", account(i))).await;
        let leaf = Claim::new(account(i), r1.token, U256::from(u64::from(i) * 1000));
        assert!(
            ClaimTree::verify_against(r1.root, &leaf, &proof_of(&p)),
            "{i}"
        );
        assert_eq!(p["epoch"], 1);
    }
    let warm = t.elapsed() / 4;
    println!("{n} leaves: first proof {cold:?} (builds the tree), then {warm:?} each");
    assert_eq!(
        first,
        ok(&s.base, &format!("/v1/accounts/{:#x}/proof", account(7))).await
    );

    // A new root becomes current: proofs follow it, not the cached tree.
    let (r2, j2) = synthetic_report(n, 2, 5);
    load_report_json(&store, &j2).await;
    accept_root(&store, &r2, &j2, 200).await;
    let p = ok(&s.base, &format!("/v1/accounts/{:#x}/proof", account(7))).await;
    assert_eq!(p["epoch"], 2);
    assert_eq!(p["root"], r2.root.to_string());
    assert_eq!(p["cumulative"], "7005");
    let leaf = Claim::new(account(7), r2.token, U256::from(7005));
    assert!(ClaimTree::verify_against(r2.root, &leaf, &proof_of(&p)));
    err(
        &s.base,
        &format!("/v1/accounts/{:#x}/proof", account(n + 1)),
        404,
        "no_balance",
    )
    .await;
}
