//! The red-team attacks that need transactions, on anvil with the project's contracts, a real
//! indexer and content store (the pure-pipeline attacks are in `redteam.rs`; front-running a
//! contribution is in `frontrun.rs`):
//!
//! - **A curator's own copies.** The curator of a curated datanet sees Alice's pending record,
//!   rejects it (or sits on it), and accepts a copy of her text submitted from an address of its
//!   own, behind a sentence of its own so the hash differs. The copy is the only accepted record
//!   holding the text, so rules that look at accepted records alone would pay the copy. The oracle
//!   reads every revealed record as prior art: the copy earns nothing and Alice is paid for her
//!   text wherever the copy carries it.
//! - **A minority of oracle keys.** One key of the 2-of-3 committee signs a root that moves what
//!   the report owes to an account of its own. The escrow refuses it however the signatures are
//!   arranged (one alone, twice, with a key outside the set); the honest root, signed by two, is
//!   accepted and the attacker cannot claim. With two keys gone bad, the guardian's veto in the
//!   dispute window stops the root.
#![allow(clippy::unwrap_used)]

mod economy;

use alloy::primitives::{Address, B256, Bytes, Signature, U256, keccak256};
use economy::{Net, content_store, data_earned, e18, epoch_now, fund_payer, pay};
use openledger_oracle::pipeline::{ComputedEpoch, OracleParams};
use openledger_sdk::{
    RootUpdate,
    client::{DatanetPolicy, ModelSpec},
    content_client::ContentClient,
    devnet::dev_key,
    escrow_domain,
    merkle::{Claim, ClaimTree},
    sort_signatures,
};

const ALICE_TEXT: &str = "a cast iron pan is seasoned by wiping a thin film of flaxseed oil over \
    the warm metal and baking it upside down for an hour at the highest heat the oven reaches \
    then letting it cool inside with the door closed";
const CURATOR_OWN: &str = "kitchen notes collected by the datanet's own editors this spring";

const CURATOR: u32 = 1;
const ALICE: u32 = 2;
const MODEL_OWNER: u32 = 4;
const SYBIL: u32 = 10;

/// What the curator does with Alice's record before accepting its own copy.
#[derive(Debug, Clone, Copy)]
enum Curator {
    Rejects,
    SitsOnIt,
}

/// Returns the data share earned by Alice, the curator and its sybil from one output quoting
/// Alice's text, and the number of prior-art-only records the epoch read.
async fn curator_copies(curator_does: Curator) -> (U256, U256, U256, u64) {
    let dir = tempfile::tempdir().unwrap();
    let net = Net::start().await;
    let (_content_db, content_url) = content_store(dir.path()).await;
    let content = ContentClient::new(&content_url);
    let curator = net.as_account(CURATOR);
    let curated = DatanetPolicy {
        bond: 0,
        curated: true,
        review_period: 3600,
    };
    let datanet = curator
        .create_datanet("ipfs://kitchen", curated, None)
        .await
        .unwrap();
    let copy = format!("{CURATOR_OWN} {ALICE_TEXT}");
    content.put(ALICE_TEXT.as_bytes()).await.unwrap();
    content.put(copy.as_bytes()).await.unwrap();

    let alice_id = net
        .as_account(ALICE)
        .contribute(datanet, ALICE_TEXT.as_bytes(), "ipfs://alice")
        .await
        .unwrap();
    if let Curator::Rejects = curator_does {
        curator
            .reject_contributions(datanet, &[alice_id], B256::repeat_byte(1))
            .await
            .unwrap();
    }
    let copy_id = net
        .as_account(SYBIL)
        .contribute(datanet, copy.as_bytes(), "ipfs://copy")
        .await
        .unwrap();
    curator
        .accept_contributions(datanet, &[copy_id])
        .await
        .unwrap();
    curator
        .publish_version(
            datanet,
            keccak256(b"v1"),
            "ipfs://v1",
            1,
            copy_id.to::<u64>(),
        )
        .await
        .unwrap();
    let model = net
        .as_account(MODEL_OWNER)
        .register_model(&ModelSpec {
            uri: "ipfs://m".into(),
            datanets: vec![(datanet, 1)],
            parents: vec![],
            split: (5000, 4000, 1000),
        })
        .await
        .unwrap();
    fund_payer(&net).await;
    let output = format!("from what I know, {ALICE_TEXT}");
    pay(&net, &content, model, U256::ZERO, e18(), &output, true).await;
    net.mine(3).await;

    let (_, inputs, epoch) =
        epoch_now(&net, dir.path(), &content_url, &OracleParams::default()).await;
    assert_eq!(
        inputs
            .corpora
            .get(&model)
            .map(|c| c.iter().copied().collect::<Vec<_>>()),
        Some(vec![copy_id]),
        "the model is trained on the copy alone"
    );
    let r = &epoch.report;
    (
        data_earned(r, net.address(ALICE)),
        data_earned(r, net.address(CURATOR)),
        data_earned(r, net.address(SYBIL)),
        r.inputs.prior_art_records,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_curator_who_rejects_a_record_and_accepts_its_own_copy_earns_nothing() {
    let (alice, curator, sybil, prior_art) = curator_copies(Curator::Rejects).await;
    println!("| a curator rejects a record, accepts its copy | alice {alice} | copy {sybil} |");
    assert_eq!(prior_art, 1, "the rejected record is read as prior art");
    assert!(alice > U256::ZERO, "alice is paid for her text");
    assert_eq!(sybil, U256::ZERO, "the copy earns nothing");
    assert_eq!(curator, U256::ZERO);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_curator_who_sits_on_a_record_and_accepts_its_own_copy_earns_nothing() {
    let (alice, curator, sybil, prior_art) = curator_copies(Curator::SitsOnIt).await;
    assert_eq!(prior_art, 1, "the pending record is read as prior art");
    assert!(alice > U256::ZERO, "alice is paid for her text");
    assert_eq!(sybil, U256::ZERO, "the copy earns nothing");
    assert_eq!(curator, U256::ZERO);
}

/// The dev keys of the committee (2 of 3) and one outside it.
const COMMITTEE: [u32; 3] = [7, 8, 9];
const OUTSIDER: u32 = 5;

async fn sign(update: &RootUpdate, net: &Net, keys: &[u32]) -> Vec<Signature> {
    let domain = escrow_domain(
        net.deployment.chain_id,
        net.deployment.contracts.reward_escrow,
    );
    let mut sigs = Vec::new();
    for &k in keys {
        sigs.push(update.sign(&dev_key(k).unwrap(), &domain).await.unwrap());
    }
    sigs
}

/// Signatures as sent, in the order given (not sorted by signer).
fn raw(sigs: &[&Signature]) -> Vec<Bytes> {
    sigs.iter()
        .map(|s| Bytes::from(s.as_bytes().to_vec()))
        .collect()
}

/// The thief's claim sent to the escrow as is (the SDK would refuse it before sending: it checks
/// the proof against the current root first).
async fn direct_claim(
    net: &Net,
    account: Address,
    token: Address,
    amount: U256,
    proof: Vec<B256>,
) -> Result<U256, openledger_sdk::Error> {
    net.as_account(OUTSIDER)
        .escrow()
        .claim(account, token, amount, proof)
        .call()
        .await
        .map_err(openledger_sdk::Error::from)
}

/// The error name of a reverted call (the SDK decodes custom errors from the ABIs).
fn reverted<T: std::fmt::Debug>(r: Result<T, openledger_sdk::Error>) -> String {
    r.expect_err("the call must revert").to_string()
}

/// A chain where one paid output quotes Alice's one record, and its honest epoch.
async fn one_paid_output(dir: &std::path::Path) -> (Net, ComputedEpoch) {
    let net = Net::start().await;
    let (_content_db, content_url) = content_store(dir).await;
    let content = ContentClient::new(&content_url);
    let curator = net.as_account(CURATOR);
    let open = DatanetPolicy {
        bond: 0,
        curated: false,
        review_period: 3600,
    };
    let datanet = curator
        .create_datanet("ipfs://d", open, None)
        .await
        .unwrap();
    content.put(ALICE_TEXT.as_bytes()).await.unwrap();
    let id = net
        .as_account(ALICE)
        .contribute(datanet, ALICE_TEXT.as_bytes(), "ipfs://alice")
        .await
        .unwrap();
    curator
        .publish_version(datanet, keccak256(b"v1"), "ipfs://v1", 1, id.to::<u64>())
        .await
        .unwrap();
    let model = net
        .as_account(MODEL_OWNER)
        .register_model(&ModelSpec {
            uri: "ipfs://m".into(),
            datanets: vec![(datanet, 1)],
            parents: vec![],
            split: (5000, 4000, 1000),
        })
        .await
        .unwrap();
    fund_payer(&net).await;
    let output = format!("from what I know, {ALICE_TEXT}");
    pay(&net, &content, model, U256::ZERO, e18(), &output, true).await;
    net.mine(3).await;
    let (_, _, honest) = epoch_now(&net, dir, &content_url, &OracleParams::default()).await;
    (net, honest)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_minority_of_oracle_keys_cannot_move_a_wei() {
    let dir = tempfile::tempdir().unwrap();
    let (net, honest) = one_paid_output(dir.path()).await;
    let token = net.deployment.contracts.payment_token;
    let alice = net.address(ALICE);
    let alice_owed = honest
        .report
        .balances
        .iter()
        .find(|b| b.account == alice)
        .unwrap()
        .cumulative;
    assert!(alice_owed > U256::ZERO);

    // The rogue key's root: everything the report owes goes to its own account (same total).
    let thief: Address = dev_key(OUTSIDER).unwrap().address();
    let total = honest.report.total_cumulative;
    let bad_tree = ClaimTree::of(vec![Claim::new(thief, token, total)]).unwrap();
    let bad = RootUpdate {
        root: bad_tree.root(),
        ..honest.update.clone()
    };
    let escrow = net.as_account(0);
    let (rogue, second) = (COMMITTEE[0], COMMITTEE[1]);
    let one = sign(&bad, &net, &[rogue]).await;
    let err = reverted(escrow.propose_root(&bad, raw(&[&one[0]])).await);
    assert!(err.contains("NotEnoughSignatures"), "{err}");
    let err = reverted(escrow.propose_root(&bad, raw(&[&one[0], &one[0]])).await);
    assert!(err.contains("SignaturesNotSorted"), "{err}");
    let with_outsider = sign(&bad, &net, &[rogue, OUTSIDER]).await;
    let domain = escrow_domain(
        net.deployment.chain_id,
        net.deployment.contracts.reward_escrow,
    );
    let sorted = sort_signatures(&bad, &domain, &with_outsider).unwrap();
    let err = reverted(escrow.propose_root(&bad, sorted).await);
    assert!(err.contains("NotASigner"), "{err}");
    // A signature over the honest update does not carry over to the bad one.
    let honest_by_second = sign(&honest.update, &net, &[second]).await;
    let mixed = sort_signatures(&bad, &domain, &[one[0], honest_by_second[0]]).unwrap();
    let err = reverted(escrow.propose_root(&bad, mixed).await);
    assert!(err.contains("NotASigner"), "{err}");

    // The honest majority posts the honest root; after the window Alice claims, the thief cannot.
    let sigs = sign(&honest.update, &net, &[rogue, second]).await;
    escrow
        .propose_root(
            &honest.update,
            sort_signatures(&honest.update, &domain, &sigs).unwrap(),
        )
        .await
        .unwrap();
    net.advance(61).await;
    escrow.accept_root().await.unwrap();
    let (leaf, proof) = bad_tree.claim_proof(thief, token).unwrap();
    let err = reverted(direct_claim(&net, thief, token, leaf.cumulative_amount, proof).await);
    assert!(err.contains("InvalidProof"), "{err}");
    let (leaf, proof) = honest.tree.claim_proof(alice, token).unwrap();
    let before = escrow.token_balance(alice).await.unwrap();
    escrow
        .claim(alice, leaf.cumulative_amount, &proof)
        .await
        .unwrap();
    assert_eq!(
        escrow.token_balance(alice).await.unwrap() - before,
        alice_owed
    );
    assert_eq!(escrow.token_balance(thief).await.unwrap(), U256::ZERO);
    println!("| a minority of oracle keys signs a wrong root | thief gains 0 |");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_majority_gone_bad_is_stopped_by_the_guardian_veto() {
    let dir = tempfile::tempdir().unwrap();
    let (net, honest) = one_paid_output(dir.path()).await;
    let token = net.deployment.contracts.payment_token;
    let thief: Address = dev_key(OUTSIDER).unwrap().address();
    let bad_tree = ClaimTree::of(vec![Claim::new(
        thief,
        token,
        honest.report.total_cumulative,
    )])
    .unwrap();
    let bad = RootUpdate {
        root: bad_tree.root(),
        ..honest.update.clone()
    };
    let domain = escrow_domain(
        net.deployment.chain_id,
        net.deployment.contracts.reward_escrow,
    );
    let sigs = sign(&bad, &net, &COMMITTEE[..2]).await;
    let escrow = net.as_account(0);
    escrow
        .propose_root(&bad, sort_signatures(&bad, &domain, &sigs).unwrap())
        .await
        .unwrap();
    // Account 0 is the guardian: it vetoes within the window (a watching node flags the root,
    // see `committee.rs`), and the root never becomes claimable.
    escrow.veto_root(bad.epoch).await.unwrap();
    net.advance(61).await;
    let err = reverted(escrow.accept_root().await);
    assert!(err.contains("NoPendingRoot"), "{err}");
    let (leaf, proof) = bad_tree.claim_proof(thief, token).unwrap();
    let err = reverted(direct_claim(&net, thief, token, leaf.cumulative_amount, proof).await);
    assert!(err.contains("NoRoot"), "{err}");
    assert_eq!(escrow.token_balance(thief).await.unwrap(), U256::ZERO);
}
