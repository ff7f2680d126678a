//! The committee end to end on a real chain: three nodes (threshold two), each indexing the chain
//! itself, reach the same root and report byte for byte, propose it, accept it after the dispute
//! window; a contributor claims exactly its leaf; an output whose content was missing is carried
//! and paid in the next epoch once uploaded; `verify` (the binary, from public data alone)
//! accepts the posted epochs and rejects a tampered one; `explain` says why.
#![allow(clippy::unwrap_used)]

mod economy;

use std::{collections::BTreeMap, path::Path, process::Output};

use alloy::primitives::{Address, U256, keccak256};
use economy::{
    Net, assert_conserved, content_store, e18, economy, epochs, get, pay, start_committee,
    wait_for, words,
};
use openledger_oracle::{
    node::EpochSignature,
    report::{EpochReport, RoleEntry},
};
use openledger_sdk::{
    RootUpdate,
    client::ModelSpec,
    content_client::ContentClient,
    devnet::dev_key,
    escrow_domain,
    merkle::{Claim, ClaimTree},
    report::{Balance, ReportBalances},
    sort_signatures,
};

/// A record no other shares a sentence with.
const NEW_RECORD: &str = "Lighthouse keepers on the northern coast logged every passing vessel \
    in a leather ledger, noting the hour, the flag, the direction of travel and the state of the \
    sea. When fog rolled in they wound the clockwork that drove the great lens and sounded the \
    horn at fixed intervals, two long blasts each minute, until the air cleared. Their ledgers now \
    help historians trace shipping routes, storms and shipwrecks across two centuries.";

/// The shard files in `dir` with their inode numbers. Reusing a shard touches its modification
/// time (for pruning) but never rewrites it; a rebuilt one is a new file renamed into place.
fn shard_files(dir: &Path) -> BTreeMap<String, u64> {
    use std::os::unix::fs::MetadataExt;
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().extension().is_some_and(|x| x == "olshard"))
        .map(|e| {
            let inode = e.metadata().unwrap().ino();
            (e.file_name().to_string_lossy().into_owned(), inode)
        })
        .collect()
}

async fn oracle_cli(net: &Net, content_url: &str, dir: &Path, args: &[&str]) -> Output {
    let deployment = net.deployment_file(dir);
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_openledger-oracle"))
        .args([
            "--rpc-url",
            &net.url,
            "--deployment",
            deployment.to_str().unwrap(),
            "--content-url",
            content_url,
            "--data-dir",
            dir.join("cli").to_str().unwrap(),
            "--finality-depth",
            "2",
            "--epoch-blocks",
            "1",
        ])
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .unwrap();
    eprintln!(
        "openledger-oracle {args:?}: {}\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The signature and report of `epoch` as every node serves them, once all three serve the
/// posted update. A node may first sign another range (a block mined while the committee agrees
/// or a state read just before the proposal landed; the same root can come with a range one
/// empty block longer); its watcher then recomputes the posted epoch and serves that. The two
/// requests can straddle such a re-signing, so only consistent pairs count.
async fn reports_of(net: &Net, urls: &[String], epoch: u64) -> Vec<(EpochSignature, Vec<u8>)> {
    let escrow = net.as_account(0).escrow();
    let posted = escrow.pendingRoot().call().await.unwrap();
    let posted_to = escrow.pendingToBlock().call().await.unwrap();
    wait_for(
        90,
        &format!("three nodes serving epoch {epoch}"),
        || async {
            let mut out = Vec::new();
            for url in urls {
                let (status, sig) = get(&format!("{url}/v1/epochs/{epoch}/signature")).await;
                let (rstatus, report) = get(&format!("{url}/v1/epochs/{epoch}/report")).await;
                if status != 200 || rstatus != 200 {
                    return None;
                }
                let sig: EpochSignature = serde_json::from_slice(&sig).unwrap();
                let consistent = keccak256(&report) == sig.report_hash;
                if sig.root != posted || sig.to_block != posted_to || !consistent {
                    return None;
                }
                out.push((sig, report));
            }
            Some(out)
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_committee_posts_roots_anyone_can_verify_and_claim_against() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            std::env::var("RUST_LOG").unwrap_or_else(|_| "openledger_oracle=info".into()),
        ))
        .with_test_writer()
        .try_init();
    let dir = tempfile::tempdir().unwrap();
    let net = Net::start().await;
    let (_content_db, content_url) = content_store(dir.path()).await;
    let content = ContentClient::new(&content_url);
    let eco = economy(&net, &content_url).await;
    let token = net.deployment.contracts.payment_token;
    net.mine(3).await;

    // Epoch 1: three independent nodes, threshold two.
    let nodes = start_committee(&net, &content_url, dir.path()).await;
    let urls: Vec<String> = nodes.iter().map(|n| n.url.clone()).collect();
    wait_for(120, "epoch 1 proposed", || async {
        (epochs(&net).await.0 >= 1).then_some(())
    })
    .await;
    let served = reports_of(&net, &urls, 1).await;
    let (first_sig, first_report) = &served[0];
    let signers: std::collections::BTreeSet<Address> =
        served.iter().map(|(s, _)| s.signer).collect();
    assert_eq!(signers.len(), 3, "three distinct signers");
    for (sig, report) in &served {
        assert_eq!(sig.digest, first_sig.digest, "same root update");
        assert_eq!(report, first_report, "byte-identical reports");
    }
    assert_eq!(keccak256(first_report), first_sig.report_hash);
    assert_eq!(
        content.get(first_sig.report_hash).await.unwrap(),
        *first_report,
        "the report is in the content store under its hash"
    );
    let escrow = net.as_account(0).escrow();
    assert_eq!(escrow.pendingRoot().call().await.unwrap(), first_sig.root);
    let report1 = EpochReport::from_json(first_report).unwrap();
    assert_conserved(&report1);
    assert_eq!(report1.carried.len(), 1);
    assert_eq!(report1.carried[0].inference_id, eco.withheld);
    let carried1 = report1.carried[0].amount;
    // Node 1 cuts one shard per record: what it indexed for epoch 1, to check below that epoch 2
    // reuses every file and indexes only the records that are new.
    let node1_indexes = dir.path().join("node1").join("indexes");
    let shards1 = shard_files(&node1_indexes);
    assert!(
        shards1.len() >= 7,
        "one shard per record of the base corpus: {shards1:?}"
    );

    // During the window: the withheld output is uploaded and a new inference is paid.
    let (_, withheld_output) = &eco.outputs[2];
    content.put(withheld_output.as_bytes()).await.unwrap();
    let o5 = format!(
        "{}. On another note, {}",
        words(&eco.records[8], 10..40),
        words(&eco.records[7], 5..30)
    );
    let i5 = pay(
        &net,
        &content,
        eco.base,
        U256::ZERO,
        U256::from(20) * e18(),
        &o5,
        true,
    )
    .await;
    // A second version of d1 with a new record of alice's (and the sybil's front-run record,
    // submitted after version 1), and a model trained on it that is paid for an output quoting
    // the new record: epoch 2 indexes a corpus that extends the base's by two records.
    let alice = net.as_account(2);
    let curator = net.as_account(1);
    let new_record = NEW_RECORD.split_whitespace().collect::<Vec<_>>().join(" ");
    content.put(new_record.as_bytes()).await.unwrap();
    let fresh = alice
        .contribute(eco.d1, new_record.as_bytes(), "ipfs://record")
        .await
        .unwrap();
    let last = u64::try_from(fresh).unwrap();
    curator
        .publish_version(eco.d1, keccak256(b"d1v2"), "ipfs://d1v2", 14, last)
        .await
        .unwrap();
    let base2 = curator
        .register_model(&ModelSpec {
            uri: "ipfs://base2".into(),
            datanets: vec![(eco.d1, 2)],
            parents: vec![],
            split: (5000, 4000, 1000),
        })
        .await
        .unwrap();
    let o7 = format!("From the new notes: {}", words(&new_record, 5..45));
    let i7 = pay(
        &net,
        &content,
        base2,
        U256::ZERO,
        U256::from(15) * e18(),
        &o7,
        true,
    )
    .await;
    net.mine(3).await;
    net.advance(61).await;
    wait_for(60, "epoch 1 accepted", || async {
        (epochs(&net).await.1 >= 1).then_some(())
    })
    .await;
    assert_eq!(escrow.currentRoot().call().await.unwrap(), first_sig.root);

    // Alice claims exactly her leaf.
    let balances = ReportBalances::from_json(first_report).unwrap();
    let tree = balances.verified_tree().unwrap();
    let (leaf, proof) = tree.claim_proof(eco.alice, token).unwrap();
    let before = alice.token_balance(eco.alice).await.unwrap();
    let paid = alice
        .claim(eco.alice, leaf.cumulative_amount, &proof)
        .await
        .unwrap();
    assert_eq!(paid, leaf.cumulative_amount);
    assert_eq!(
        alice.token_balance(eco.alice).await.unwrap() - before,
        leaf.cumulative_amount
    );

    // Epoch 2 settles inference 5 and resolves the carried one.
    wait_for(120, "epoch 2 proposed", || async {
        (epochs(&net).await.0 >= 2).then_some(())
    })
    .await;
    let served2 = reports_of(&net, &urls, 2).await;
    let report2 = EpochReport::from_json(&served2[0].1).unwrap();
    for (sig, r) in &served2 {
        assert_eq!(*r, served2[0].1, "{sig:?} serves another report");
    }
    assert_conserved(&report2);
    assert_eq!(report2.previous.as_ref().unwrap().epoch, 1);
    assert_eq!(report2.from_block, report1.to_block + 1);
    assert!(report2.carried.is_empty());
    assert_eq!(report2.resolved.len(), 1);
    let resolved = &report2.resolved[0];
    assert_eq!(resolved.inference_id, eco.withheld);
    assert_eq!(resolved.carried_since, Some(1));
    assert_eq!(
        resolved.settled, carried1,
        "the carried data share, to the wei"
    );
    let resolved_to: std::collections::BTreeSet<Address> = resolved
        .allocations
        .iter()
        .filter(|a| matches!(a.role, RoleEntry::Data { .. }))
        .map(|a| a.account)
        .collect();
    assert_eq!(
        resolved_to,
        std::collections::BTreeSet::from([eco.alice, eco.carol])
    );
    assert!(report2.inferences.iter().any(|e| e.inference_id == i5));
    // The grown corpus pays the new record's contributor for the output that quotes it.
    let e7 = report2
        .inferences
        .iter()
        .find(|e| e.inference_id == i7)
        .unwrap();
    let fresh_share = e7
        .allocations
        .iter()
        .find(|a| matches!(&a.role, RoleEntry::Data { clusters, .. } if clusters.contains(&fresh)))
        .unwrap_or_else(|| panic!("no data share for the new record: {e7:?}"));
    assert_eq!(fresh_share.account, eco.alice);
    // Node 1 kept every shard file of epoch 1 untouched and wrote one for each new record.
    let shards2 = shard_files(&node1_indexes);
    for (name, inode) in &shards1 {
        assert_eq!(
            shards2.get(name),
            Some(inode),
            "{name} was rebuilt or pruned"
        );
    }
    assert_eq!(
        shards2.len() - shards1.len(),
        2,
        "one new shard per new record: {shards2:?}"
    );
    // Cumulative balances never decrease.
    for b in &report1.balances {
        let now = report2
            .balances
            .iter()
            .find(|x| x.account == b.account)
            .unwrap();
        assert!(now.cumulative >= b.cumulative);
    }
    net.advance(61).await;
    wait_for(60, "epoch 2 accepted", || async {
        (epochs(&net).await.1 >= 2).then_some(())
    })
    .await;
    for n in nodes {
        n.stop.send(()).unwrap();
        n.task.await.unwrap().unwrap();
    }

    // Anyone can verify the posted epochs from public data (its own index, the content store).
    for epoch in ["1", "2"] {
        let out = oracle_cli(&net, &content_url, dir.path(), &["verify", epoch]).await;
        assert_eq!(out.status.code(), Some(0), "verify {epoch}");
        if epoch == "1" {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                text.contains("available now"),
                "the late output is noted: {text}"
            );
        }
    }
    let out = oracle_cli(
        &net,
        &content_url,
        dir.path(),
        &["explain", &eco.alice.to_string(), "1"],
    )
    .await;
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("inflates the gluten network"), "{text}");
    assert!(text.contains("data share"), "{text}");

    // Epoch 3 is posted by a committee gone bad: the honest report with 5 tokens moved from
    // carol to the sybil (same total, a valid tree). `verify` says no.
    let o6 = words(&eco.records[7], 40..70);
    pay(
        &net,
        &content,
        eco.base,
        U256::ZERO,
        U256::from(10) * e18(),
        &o6,
        true,
    )
    .await;
    net.mine(3).await;
    let to_block = (net.head().await - 2).to_string();
    let honest_path = dir.path().join("honest.json");
    let out = oracle_cli(
        &net,
        &content_url,
        dir.path(),
        &[
            "--json",
            "epoch",
            "--to-block",
            &to_block,
            "--out",
            honest_path.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["epoch"], 3);
    assert_eq!(summary["solvent"], true);
    let honest = EpochReport::from_json(&std::fs::read(&honest_path).unwrap()).unwrap();
    assert_conserved(&honest);
    let mut bad = honest.clone();
    let moved = U256::from(5) * e18();
    let carol = bad
        .balances
        .iter_mut()
        .find(|b| b.account == eco.carol)
        .unwrap();
    carol.cumulative -= moved;
    bad.balances.push(Balance {
        account: eco.sybil,
        cumulative: moved,
    });
    bad.balances.sort_by_key(|b| b.account);
    bad.root = ClaimTree::of(
        bad.balances
            .iter()
            .map(|b| Claim::new(b.account, token, b.cumulative))
            .collect(),
    )
    .unwrap()
    .root();
    let bad_json = bad.to_canonical_json().unwrap();
    let bad_hash = content.put(&bad_json).await.unwrap();
    let update = RootUpdate {
        epoch: 3,
        root: bad.root,
        totalCumulative: bad.total_cumulative,
        reportHash: bad_hash,
        fromBlock: bad.from_block,
        toBlock: bad.to_block,
    };
    let domain = escrow_domain(
        net.deployment.chain_id,
        net.deployment.contracts.reward_escrow,
    );
    let mut sigs = Vec::new();
    for k in [7, 8] {
        sigs.push(update.sign(&dev_key(k).unwrap(), &domain).await.unwrap());
    }
    net.as_account(0)
        .propose_root(&update, sort_signatures(&update, &domain, &sigs).unwrap())
        .await
        .unwrap();
    let out = oracle_cli(&net, &content_url, dir.path(), &["verify", "3"]).await;
    assert_eq!(out.status.code(), Some(1), "a tampered epoch is rejected");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("MISMATCH"), "{text}");
    assert!(
        text.contains(&eco.sybil.to_string()),
        "names the account: {text}"
    );
    let out = oracle_cli(&net, &content_url, dir.path(), &["--json", "verify", "3"]).await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["matches"], false);
    assert_eq!(
        v["computed_report_hash"],
        serde_json::to_value(alloy::primitives::keccak256(
            std::fs::read(&honest_path).unwrap()
        ))
        .unwrap()
    );

    // A committee node watching the dispute window flags the tampered root (and signs nothing).
    let watcher = openledger_oracle::node::Node::new(
        economy::oracle(&net, &content_url, &dir.path().join("watcher")).await,
        openledger_oracle::node::NodeConfig {
            signer: dev_key(9).unwrap(),
            rpc_url: net.url.clone(),
            peers: Vec::new(),
            poll_interval: std::time::Duration::from_millis(100),
            propose_stagger: std::time::Duration::ZERO,
        },
    )
    .unwrap();
    watcher.oracle().sync().await.unwrap();
    assert_eq!(
        watcher.tick().await.unwrap(),
        openledger_oracle::node::Tick::Watching {
            epoch: 3,
            agrees: false
        }
    );
}
