//! The typed client against the project's contracts on a real anvil: every wallet interaction of
//! a contributor's, a model owner's, an agent's and a payer's path, and the typed errors.
#![allow(clippy::unwrap_used)]

use std::time::{SystemTime, UNIX_EPOCH};

use alloy::{
    primitives::{Address, B256, U256, keccak256},
    providers::{DynProvider, Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
    sol_types::SolValue,
};
use openledger_sdk::{
    Deployment, Error, OpenLedger, RootUpdate,
    client::{DatanetPolicy, ModelSpec, Relation},
    deploy::deploy,
    devnet::{self, dev_key},
    escrow_domain, sort_signatures,
};

struct Net {
    _anvil: alloy::node_bindings::AnvilInstance,
    url: String,
    deployment: Deployment,
}

impl Net {
    async fn start() -> Self {
        let anvil = openledger_testkit::spawn_anvil().unwrap();
        let url = anvil.endpoint();
        let admin = devnet::wallet_provider(&url, dev_key(0).unwrap()).unwrap();
        let deployment = deploy(&admin, &devnet::default_local_config().unwrap())
            .await
            .unwrap();
        Self {
            _anvil: anvil,
            url,
            deployment,
        }
    }

    fn as_account(&self, index: u32) -> OpenLedger<DynProvider> {
        devnet::client(&self.url, &self.deployment, dev_key(index).unwrap()).unwrap()
    }

    async fn advance(&self, seconds: u64) {
        let p = ProviderBuilder::new().connect_http(self.url.parse().unwrap());
        let _: serde_json::Value = p
            .raw_request("evm_increaseTime".into(), (seconds,))
            .await
            .unwrap();
        let _: serde_json::Value = p.raw_request("evm_mine".into(), ()).await.unwrap();
    }
}

fn leaf(account: Address, token: Address, amount: U256) -> B256 {
    keccak256(keccak256((account, token, amount).abi_encode()))
}

fn hash_pair(a: B256, b: B256) -> B256 {
    let (x, y) = if a <= b { (a, b) } else { (b, a) };
    keccak256([x.as_slice(), y.as_slice()].concat())
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn rust_deploy_matches_the_forge_scripts_committed_deployment() {
    // Both paths deploy the same contracts in the same order from account 0 on a fresh anvil,
    // so their files must agree field for field: the two deployers cannot drift apart.
    let net = Net::start().await;
    let committed =
        Deployment::from_file(&openledger_testkit::workspace_root().join("deployments/31337.json"))
            .unwrap();
    assert_eq!(net.deployment, committed);
}

#[tokio::test]
async fn contributor_model_agent_payer_and_claim_path() {
    let net = Net::start().await;
    let d = &net.deployment;
    let admin = net.as_account(0);
    let curator_owner = net.as_account(1);
    let alice = net.as_account(2);
    let payer = net.as_account(3);
    let agent_owner = net.as_account(4);
    let client_reviewer = net.as_account(6);
    let agent_wallet_key = dev_key(5).unwrap();
    let agent_wallet = net.as_account(5);
    let e18 = U256::from(10u64).pow(U256::from(18));

    for who in [&alice, &payer] {
        admin
            .mint_dev_tokens(who.sender().unwrap(), U256::from(1000) * e18)
            .await
            .unwrap();
    }

    // Datanet with a bond, curated.
    let policy = DatanetPolicy {
        bond: 10u128.pow(18),
        curated: true,
        review_period: 3600,
    };
    let datanet = curator_owner
        .create_datanet("ipfs://datanet", policy, None)
        .await
        .unwrap();
    assert_eq!(datanet, U256::from(1));

    // Without approval the SDK says so before sending.
    let err = alice
        .contribute(datanet, b"record one", "ipfs://r1")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InsufficientAllowance { .. }), "{err}");
    alice
        .approve(d.contracts.datanet_registry, U256::from(10) * e18)
        .await
        .unwrap();
    let before = alice.token_balance(alice.sender().unwrap()).await.unwrap();
    let c1 = alice
        .contribute(datanet, b"record one", "ipfs://r1")
        .await
        .unwrap();
    assert_eq!(
        alice.token_balance(alice.sender().unwrap()).await.unwrap(),
        before - e18
    );

    // The same content twice comes back as the named custom error with its fields.
    let err = alice
        .contribute(datanet, b"record one", "ipfs://again")
        .await
        .unwrap_err();
    let revert = err
        .revert()
        .unwrap_or_else(|| panic!("expected a revert, got {err}"));
    assert_eq!(revert.name, "ContentAlreadySubmitted");
    assert_eq!(revert.field("contributionId"), Some("1"));

    curator_owner
        .accept_contributions(datanet, &[c1])
        .await
        .unwrap();
    assert_eq!(
        alice.token_balance(alice.sender().unwrap()).await.unwrap(),
        before
    );
    let c = alice.contribution(c1).await.unwrap();
    assert_eq!(c.contentHash, keccak256(b"record one"));
    assert_eq!(alice.contributions_of(datanet).await.unwrap().len(), 1);
    let v = curator_owner
        .publish_version(datanet, keccak256(b"set"), "ipfs://v1", 1, 1)
        .await
        .unwrap();
    assert_eq!(v, 1);

    // Base model and a fine-tuned child paying it 10% royalty.
    let base = curator_owner
        .register_model(&ModelSpec {
            uri: "ipfs://base".into(),
            datanets: vec![(datanet, 1)],
            parents: vec![],
            split: (5000, 4000, 1000),
        })
        .await
        .unwrap();
    let child = agent_owner
        .register_model(&ModelSpec {
            uri: "ipfs://child".into(),
            datanets: vec![],
            parents: vec![(base, Relation::FineTune, 1000)],
            split: (4000, 5000, 1000),
        })
        .await
        .unwrap();
    let lineage = agent_owner.lineage(child).await.unwrap();
    assert_eq!(
        lineage
            .iter()
            .map(|n| (n.model_id, n.depth))
            .collect::<Vec<_>>(),
        [(child, 0), (base, 1)]
    );
    assert_eq!(lineage[0].parents, vec![(base, Relation::FineTune, 1000)]);

    // Agent with a wallet bound by the wallet's own signature.
    let agent = agent_owner
        .register_agent("ipfs://agent", child, &[])
        .await
        .unwrap();
    let owner_addr = agent_owner.sender().unwrap();
    // One deadline for the signature and the call: two reads of the clock can straddle a second.
    let deadline = now() + 600;
    let sig = agent_owner
        .sign_agent_wallet(&agent_wallet_key, agent, owner_addr, deadline)
        .await
        .unwrap();
    agent_owner
        .set_agent_wallet(agent, agent_wallet_key.address(), deadline, sig)
        .await
        .unwrap();
    assert_eq!(
        agent_owner.agent(agent).await.unwrap().wallet,
        agent_wallet_key.address()
    );
    // A signature by someone else is refused by the registry, by name.
    let forged = agent_owner
        .sign_agent_wallet(&PrivateKeySigner::random(), agent, owner_addr, now() + 600)
        .await
        .unwrap();
    let err = agent_owner
        .set_agent_wallet(agent, agent_wallet_key.address(), now() + 600, forged)
        .await
        .unwrap_err();
    assert_eq!(err.revert_name(), Some("InvalidWalletSignature"));

    let idx = agent_wallet
        .record_action(agent, keccak256(b"act"), "ipfs://a", 1)
        .await
        .unwrap();
    assert_eq!(idx, U256::ZERO);
    assert_eq!(agent_wallet.agent_actions(agent).await.unwrap().len(), 1);
    let err = agent_owner
        .give_feedback(agent, 5, 0, B256::ZERO, B256::ZERO, "", B256::ZERO)
        .await
        .unwrap_err();
    assert_eq!(err.revert_name(), Some("SelfFeedback"));
    let given = client_reviewer
        .give_feedback_with_receipt(agent, 5, 0, B256::ZERO, B256::ZERO, "", B256::ZERO)
        .await
        .unwrap();
    assert_eq!(given.value, U256::ZERO);
    assert_eq!(given.tx_hash(), given.receipt.transaction_hash);
    // Only its client revokes it, once; the refusals are named before anything is sent.
    let err = agent_owner
        .revoke_feedback(agent, given.value)
        .await
        .unwrap_err();
    assert_eq!(err.revert_name(), Some("NotFeedbackClient"));
    let receipt = client_reviewer
        .revoke_feedback(agent, given.value)
        .await
        .unwrap();
    assert!(receipt.status());
    let f = client_reviewer.feedback(agent, given.value).await.unwrap();
    assert!(f.revoked);
    let err = client_reviewer
        .revoke_feedback(agent, given.value)
        .await
        .unwrap_err();
    assert_eq!(err.revert_name(), Some("FeedbackAlreadyRevoked"));

    // Pay two inferences: one approved, one by permit.
    let fee = U256::from(100) * e18;
    let err = payer
        .pay_inference(child, agent, fee, keccak256(b"out"), "ipfs://o")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InsufficientAllowance { .. }));
    payer.approve(d.contracts.reward_escrow, fee).await.unwrap();
    let i1 = payer
        .pay_inference(child, agent, fee, keccak256(b"out"), "ipfs://o")
        .await
        .unwrap();
    let permit = payer
        .sign_permit(&dev_key(3).unwrap(), fee, now() + 600)
        .await
        .unwrap();
    let i2 = payer
        .pay_inference_with_permit(child, agent, fee, keccak256(b"out2"), "ipfs://o2", permit)
        .await
        .unwrap();
    assert_eq!((i1, i2), (U256::from(1), U256::from(2)));

    // The escrow keeps 5%; the 190 net are distributable. Root: alice 100, agent owner 90.
    let token = d.contracts.payment_token;
    let (a_amt, o_amt) = (U256::from(100) * e18, U256::from(90) * e18);
    let (la, lo) = (
        leaf(alice.sender().unwrap(), token, a_amt),
        leaf(owner_addr, token, o_amt),
    );
    let root = hash_pair(la, lo);
    let update = RootUpdate {
        epoch: 1,
        root,
        totalCumulative: a_amt + o_amt,
        reportHash: keccak256(b"report"),
        fromBlock: 0,
        toBlock: admin.provider().get_block_number().await.unwrap() - 1,
    };
    let domain = escrow_domain(d.chain_id, d.contracts.reward_escrow);
    let mut sigs = Vec::new();
    for k in [dev_key(9).unwrap(), dev_key(7).unwrap()] {
        sigs.push(update.sign(&k, &domain).await.unwrap());
    }
    // The contract hashes the update exactly as the SDK does.
    let onchain = admin
        .escrow()
        .hashRootUpdate((&update).into())
        .call()
        .await
        .unwrap();
    assert_eq!(onchain, update.digest(&domain));
    // One signature is below the threshold of two.
    let one = sort_signatures(&update, &domain, &sigs[..1]).unwrap();
    let err = payer.propose_root(&update, one).await.unwrap_err();
    assert_eq!(err.revert_name(), Some("NotEnoughSignatures"));
    payer
        .propose_root(&update, sort_signatures(&update, &domain, &sigs).unwrap())
        .await
        .unwrap();
    let err = payer.accept_root().await.unwrap_err();
    assert_eq!(err.revert_name(), Some("DisputeWindowOpen"));
    net.advance(61).await;
    payer.accept_root().await.unwrap();

    // Claims: a wrong amount is caught before sending; anyone may claim for alice.
    let err = payer
        .claim(alice.sender().unwrap(), a_amt + U256::from(1), &[lo])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ProofMismatch { .. }), "{err}");
    let bal = alice.token_balance(alice.sender().unwrap()).await.unwrap();
    assert_eq!(
        payer
            .claim(alice.sender().unwrap(), a_amt, &[lo])
            .await
            .unwrap(),
        a_amt
    );
    assert_eq!(
        alice.token_balance(alice.sender().unwrap()).await.unwrap(),
        bal + a_amt
    );
    assert_eq!(
        alice
            .claimable(alice.sender().unwrap(), a_amt)
            .await
            .unwrap(),
        U256::ZERO
    );
    let err = payer
        .claim(alice.sender().unwrap(), a_amt, &[lo])
        .await
        .unwrap_err();
    assert_eq!(err.revert_name(), Some("NothingToClaim"));
    assert_eq!(
        agent_owner.claim(owner_addr, o_amt, &[la]).await.unwrap(),
        o_amt
    );
}

#[tokio::test]
async fn wrong_chain_and_missing_deployment_are_clear() {
    let net = Net::start().await;
    let mut other = net.deployment.clone();
    other.chain_id = 1;
    let p = devnet::wallet_provider(&net.url, dev_key(0).unwrap()).unwrap();
    let err = OpenLedger::connect(p, other, None).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::WrongChain {
                expected: 1,
                actual: 31337
            }
        ),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let err = Deployment::load(dir.path(), 31337).unwrap_err();
    assert!(
        err.to_string().contains("no deployment for chain 31337"),
        "{err}"
    );
}
