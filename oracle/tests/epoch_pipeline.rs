//! One epoch of the real economy, from the chain (indexed by the oracle itself) and the content
//! store to a report: who is paid, why, what is carried, and that it all adds up.
#![allow(clippy::unwrap_used)]

mod economy;

use std::collections::{BTreeMap, BTreeSet};

use alloy::primitives::{Address, U256};
use economy::{Net, assert_conserved, content_store, data_earned, e18, economy, oracle, words};
use openledger_oracle::{
    CarriedPortion, UnresolvedReason,
    explain::explain,
    inputs::{EpochHeader, load_inputs},
    pipeline::{OracleParams, compute_epoch},
    report::{EpochReport, RoleEntry, Status},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_epoch_of_the_economy_pays_the_right_accounts_and_adds_up() {
    let dir = tempfile::tempdir().unwrap();
    let net = Net::start().await;
    let (_content_db, content_url) = content_store(dir.path()).await;
    let eco = economy(&net, &content_url).await;
    net.mine(3).await;

    let oracle = oracle(&net, &content_url, &dir.path().join("a")).await;
    oracle.sync().await.unwrap();
    let to_block = net.head().await - 2;
    let (epoch, range, previous) = oracle.plan_next(to_block).await.unwrap();
    assert_eq!((epoch, range.from_block), (1, net.deployment.start_block));
    assert!(previous.is_none());
    let computed = oracle.compute(epoch, range, None).await.unwrap();
    let r = &computed.report;
    assert_conserved(r);
    assert_eq!(r.inferences.len(), 4);

    let by_id: BTreeMap<U256, _> = r.inferences.iter().map(|e| (e.inference_id, e)).collect();
    let net_of = |fee: U256| fee - fee * U256::from(500) / U256::from(10_000);

    // 1: base model, no agent, spans of alice's record 0 and carol's record 2.
    let (i1, o1) = &eco.outputs[0];
    let e1 = by_id[i1];
    assert_eq!(e1.status, Status::Resolved);
    let data1: BTreeSet<Address> = e1
        .allocations
        .iter()
        .filter(|a| matches!(a.role, RoleEntry::Data { .. }))
        .map(|a| a.account)
        .collect();
    assert_eq!(data1, BTreeSet::from([eco.alice, eco.carol]));
    assert!(
        e1.spans
            .iter()
            .any(|s| s.text.contains("inflates the gluten network")),
        "{:?}",
        e1.spans
    );
    assert!(o1.contains("inflates the gluten network"));
    // The agentless agent share goes to the model owner.
    assert!(
        e1.allocations
            .iter()
            .any(|a| a.account == eco.curator && matches!(a.role, RoleEntry::AgentlessShare))
    );

    // 2: the child through the agent: agent share to the agent's owner, a royalty to the base
    // model's owner, data to alice (record 4), the gamer (record 6) and carol (record 5).
    let (i2, _) = &eco.outputs[1];
    let e2 = by_id[i2];
    let roles: Vec<(Address, &RoleEntry)> = e2
        .allocations
        .iter()
        .map(|a| (a.account, &a.role))
        .collect();
    assert!(roles.iter().any(|(a, r)| *a == eco.agent_owner
        && matches!(r, RoleEntry::Agent { agent_id } if *agent_id == eco.agent)));
    assert!(roles.iter().any(|(a, r)| *a == eco.curator
        && matches!(r, RoleEntry::Royalty { model_id, child } if *model_id == eco.base && *child == eco.child)));
    let data2: BTreeSet<Address> = e2
        .allocations
        .iter()
        .filter(|a| matches!(a.role, RoleEntry::Data { .. }))
        .map(|a| a.account)
        .collect();
    assert_eq!(data2, BTreeSet::from([eco.alice, eco.carol, eco.gamer]));

    // 3: output withheld: owner paid, data share carried.
    let e3 = by_id[&eco.withheld];
    assert_eq!(e3.status, Status::Unresolved);
    assert_eq!(e3.reason, Some(UnresolvedReason::OutputUnavailable));
    let net3 = net_of(U256::from(80) * e18());
    assert_eq!(e3.carried, net3 * U256::from(4000) / U256::from(10_000));
    assert_eq!(r.carried.len(), 1);
    assert_eq!(r.carried[0].inference_id, eco.withheld);
    assert_eq!(r.carried[0].portion, CarriedPortion::DataShare);
    assert_eq!(r.carried[0].since_epoch, 1);

    // 4: matches nothing: the data share goes to the treasury.
    let e4 = by_id[&eco.unrelated];
    assert!(e4.spans.is_empty());
    assert!(
        e4.allocations
            .iter()
            .any(|a| a.account == eco.treasury && matches!(a.role, RoleEntry::Unattributed))
    );

    // Copies earn their submitters nothing; the front-run record is not in any corpus; the spam
    // record's content was never uploaded and is reported as unavailable.
    assert!(r.balances.iter().all(|b| b.account != eco.sybil));
    assert_eq!(r.inputs.records_unavailable, vec![eco.spam]);
    let cluster0 = r
        .clusters
        .iter()
        .find(|c| c.representative == eco.alice_record0)
        .unwrap();
    assert_eq!(cluster0.owner, eco.alice);
    assert!(
        cluster0.members.len() >= 2,
        "alice's record 0 and the sybil's copy"
    );

    // The report is what the indexer reads, and backs its root.
    let balances = openledger_sdk::report::ReportBalances::from_json(&computed.json).unwrap();
    assert_eq!(
        balances.verified_tree().unwrap().root(),
        computed.update.root
    );
    assert_eq!(EpochReport::from_json(&computed.json).unwrap(), *r);

    // Explain: alice's data share of inference 1 comes from her spans.
    let why = explain(r, eco.alice);
    let item = why
        .allocations
        .iter()
        .find(|a| a.inference_id == *i1 && matches!(a.role, RoleEntry::Data { .. }))
        .unwrap();
    assert!(item.spans.iter().any(|s| s.text.contains("gluten")));
    assert_eq!(why.cumulative, why.earned);
    assert!(
        why.to_string().contains("inflates the gluten network"),
        "{why}"
    );

    // A second oracle, indexing the chain on its own, gets the same bytes; so does a rerun that
    // loads the cached suffix indexes.
    let other = economy::oracle(&net, &content_url, &dir.path().join("b")).await;
    other.sync().await.unwrap();
    let again = other.compute(epoch, range, None).await.unwrap();
    assert_eq!(again.json, computed.json);
    let cached = oracle.compute(epoch, range, None).await.unwrap();
    assert_eq!(cached.json, computed.json);
    assert_eq!(
        std::fs::read_dir(dir.path().join("a/indexes"))
            .unwrap()
            .count(),
        r.inputs.corpora.len()
    );
    let _ = words;
}

/// Invariant 4 on the real pipeline: the gamer's copies and near copies of its record, from its
/// own address and a sybil's, and the sybil's copies of alice's records, earn the group no more
/// than the gamer's record alone would (within 5%), and the sybil nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_and_near_copies_earn_no_more_than_one_honest_copy() {
    let dir = tempfile::tempdir().unwrap();
    let net = Net::start().await;
    let (_content_db, content_url) = content_store(dir.path()).await;
    let eco = economy(&net, &content_url).await;
    let content = openledger_sdk::content_client::ContentClient::new(&content_url);
    // An output that draws on the gamer's record only, so its share is all about record 6.
    let o = format!(
        "Fertile ground: {} and so on.",
        words(&eco.records[6], 0..60)
    );
    economy::pay(
        &net,
        &content,
        eco.base,
        U256::ZERO,
        U256::from(40) * e18(),
        &o,
        true,
    )
    .await;
    net.mine(3).await;

    let oracle = oracle(&net, &content_url, &dir.path().join("o")).await;
    oracle.sync().await.unwrap();
    let (epoch, range, _) = oracle.plan_next(net.head().await - 2).await.unwrap();
    let d = &net.deployment;
    let header = EpochHeader {
        chain_id: d.chain_id,
        escrow: d.contracts.reward_escrow,
        token: d.contracts.payment_token,
        epoch,
        range,
    };
    let inputs = load_inputs(
        oracle.store(),
        oracle.contents(),
        header,
        None,
        d.params.treasury,
    )
    .await
    .unwrap();
    let near = openledger_oracle::cluster::jaccard_bps(
        &eco.records[6],
        &economy::edit(&eco.records[6], &[15, 70]),
        &Default::default(),
    );
    assert!(near >= 8000, "the two-word edit is a near copy: {near} bps");

    let with_copies = compute_epoch(&inputs, &OracleParams::default(), None).unwrap();
    // The counterfactual: the same chain without the group's copies (its original stays).
    let mut honest = inputs.clone();
    let copies: BTreeSet<U256> = eco.copies.iter().copied().collect();
    honest.records.retain(|r| !copies.contains(&r.id));
    for corpus in honest.corpora.values_mut() {
        corpus.retain(|id| !copies.contains(id));
    }
    let without = compute_epoch(&honest, &OracleParams::default(), None).unwrap();
    assert_conserved(&with_copies.report);
    assert_conserved(&without.report);

    let group = |r: &EpochReport| data_earned(r, eco.gamer) + data_earned(r, eco.sybil);
    let (gamed, fair) = (group(&with_copies.report), group(&without.report));
    eprintln!("gamer group with copies {gamed}, with one copy {fair}");
    assert!(!fair.is_zero(), "the gamer's record is used");
    assert!(
        gamed * U256::from(100) <= fair * U256::from(105),
        "copies earn {gamed}, one copy {fair}"
    );
    assert!(data_earned(&with_copies.report, eco.sybil).is_zero());
    // Alice keeps what her records earn despite the sybil's copies of them.
    let alice = |r: &EpochReport| data_earned(r, eco.alice);
    assert!(
        alice(&with_copies.report) * U256::from(100) >= alice(&without.report) * U256::from(95)
    );
}
