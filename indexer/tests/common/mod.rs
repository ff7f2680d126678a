//! A real anvil with the project's contracts and a small economy on it, shared by the indexer's
//! integration tests: datanets (curated and open), contributions accepted, rejected and pending,
//! a base model and a fine-tune, an agent with a wallet, actions and feedback, paid inferences,
//! an accepted epoch root whose report is in the content store, and a claim.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alloy::{
    primitives::{Address, B256, U256, keccak256},
    providers::{DynProvider, Provider, ProviderBuilder},
};
use openledger_indexer::{
    Store,
    sync::{Indexer, RpcConfig, SyncConfig},
};
use openledger_sdk::{
    Deployment, OpenLedger, RootUpdate,
    client::{DatanetPolicy, ModelSpec, Relation},
    deploy::deploy,
    devnet::{self, dev_key},
    escrow_domain,
    merkle::ClaimTree,
    report::{Balance, REPORT_FORMAT, ReportBalances},
    sort_signatures,
};

pub struct Net {
    pub anvil: alloy::node_bindings::AnvilInstance,
    pub url: String,
    pub deployment: Deployment,
}

impl Net {
    pub async fn start() -> Self {
        let anvil = openledger_testkit::spawn_anvil().unwrap();
        let url = anvil.endpoint();
        let admin = devnet::wallet_provider(&url, dev_key(0).unwrap()).unwrap();
        let deployment = deploy(&admin, &devnet::default_local_config().unwrap())
            .await
            .unwrap();
        Self {
            anvil,
            url,
            deployment,
        }
    }

    pub fn as_account(&self, index: u32) -> OpenLedger<DynProvider> {
        devnet::client(&self.url, &self.deployment, dev_key(index).unwrap()).unwrap()
    }

    pub fn address(&self, index: u32) -> Address {
        dev_key(index).unwrap().address()
    }

    pub fn raw(&self) -> impl Provider {
        ProviderBuilder::new().connect_http(self.url.parse().unwrap())
    }

    pub async fn rpc(&self, method: &'static str, params: serde_json::Value) -> serde_json::Value {
        self.raw()
            .raw_request(method.into(), params)
            .await
            .unwrap_or_else(|e| panic!("{method}: {e}"))
    }

    pub async fn advance(&self, seconds: u64) {
        self.rpc("evm_increaseTime", serde_json::json!([seconds]))
            .await;
        self.mine(1).await;
    }

    pub async fn mine(&self, blocks: u64) {
        self.rpc("anvil_mine", serde_json::json!([format!("{blocks:#x}")]))
            .await;
    }

    pub async fn head(&self) -> u64 {
        self.raw().get_block_number().await.unwrap()
    }
}

/// Test sync settings: a small finality depth so tests exercise both regions.
pub fn config(finality_depth: u64) -> SyncConfig {
    SyncConfig {
        finality_depth,
        poll_interval: Duration::from_millis(50),
        progress: false,
        rpc: RpcConfig {
            request_timeout: Duration::from_secs(5),
            min_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(200),
            ..RpcConfig::default()
        },
        ..SyncConfig::default()
    }
}

pub async fn indexer(net: &Net, store: &Store, finality_depth: u64) -> Indexer {
    Indexer::new(
        store.clone(),
        &net.url,
        &net.deployment,
        config(finality_depth),
    )
    .await
    .unwrap()
}

pub async fn sqlite_store(dir: &tempfile::TempDir, name: &str) -> Store {
    let url = format!("sqlite:{}", dir.path().join(name).display());
    Store::connect(&url).await.unwrap()
}

/// Every event table's rows, in chain order, as text: two indexes are equal iff these are.
pub async fn dump(store: &Store) -> Vec<(String, Vec<String>)> {
    let schema = openledger_indexer::schema::Schema::new().unwrap();
    let mut out = Vec::new();
    for t in schema.tables() {
        let rows = store.dump_table(&schema, &t.name).await.unwrap();
        if !rows.is_empty() {
            out.push((t.name.clone(), rows));
        }
    }
    out
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub fn e18() -> U256 {
    U256::from(10u64).pow(U256::from(18))
}

/// What [`economy`] created.
#[derive(Debug, Clone)]
pub struct Economy {
    pub curated: U256,
    pub open: U256,
    pub alice: Address,
    pub bob: Address,
    pub base: U256,
    pub child: U256,
    pub agent: U256,
    pub agent_owner: Address,
    pub agent_wallet: Address,
    pub report_json: Vec<u8>,
    pub report: ReportBalances,
    pub alice_earned: U256,
    pub owner_earned: U256,
}

/// Builds the economy described in the module docs. Accounts: 0 admin, 1 datanet owner and
/// curator, 2 alice, 3 payer, 4 agent owner, 5 agent wallet, 6 feedback client, 8 bob.
pub async fn economy(net: &Net) -> Economy {
    let d = &net.deployment;
    let admin = net.as_account(0);
    let curator = net.as_account(1);
    let alice = net.as_account(2);
    let payer = net.as_account(3);
    let agent_owner = net.as_account(4);
    let agent_wallet = net.as_account(5);
    let reviewer = net.as_account(6);
    let bob = net.as_account(8);
    let e18 = e18();
    for who in [2, 3, 8] {
        admin
            .mint_dev_tokens(net.address(who), U256::from(1000) * e18)
            .await
            .unwrap();
    }
    let curated = curator
        .create_datanet(
            "ipfs://curated",
            DatanetPolicy {
                bond: 10u128.pow(18),
                curated: true,
                review_period: 3600,
            },
            None,
        )
        .await
        .unwrap();
    let open = curator
        .create_datanet(
            "ipfs://open",
            DatanetPolicy {
                bond: 0,
                curated: false,
                review_period: 3600,
            },
            None,
        )
        .await
        .unwrap();
    for who in [&alice, &bob] {
        who.approve(d.contracts.datanet_registry, U256::from(100) * e18)
            .await
            .unwrap();
    }
    let a1 = alice
        .contribute(curated, b"alice record one", "ipfs://a1")
        .await
        .unwrap();
    let a2 = alice
        .contribute(curated, b"alice record two", "ipfs://a2")
        .await
        .unwrap();
    let b1 = bob
        .contribute(curated, b"bob spam", "ipfs://b1")
        .await
        .unwrap();
    let _b2 = bob
        .contribute(curated, b"bob pending", "ipfs://b2")
        .await
        .unwrap();
    let _o1 = bob
        .contribute(open, b"open record", "ipfs://o1")
        .await
        .unwrap();
    curator
        .accept_contributions(curated, &[a1, a2])
        .await
        .unwrap();
    curator
        .reject_contributions(curated, &[b1], keccak256(b"spam"))
        .await
        .unwrap();
    curator
        .publish_version(curated, keccak256(b"v1"), "ipfs://v1", 2, 2)
        .await
        .unwrap();

    let base = curator
        .register_model(&ModelSpec {
            uri: "ipfs://base".into(),
            datanets: vec![(curated, 1)],
            parents: vec![],
            split: (5000, 4000, 1000),
        })
        .await
        .unwrap();
    let child = agent_owner
        .register_model(&ModelSpec {
            uri: "ipfs://child".into(),
            datanets: vec![(open, 1)],
            parents: vec![(base, Relation::FineTune, 1000)],
            split: (4000, 5000, 1000),
        })
        .await
        .unwrap();
    agent_owner
        .set_fee_split(child, (3000, 6000, 1000))
        .await
        .unwrap();

    let agent = agent_owner
        .register_agent("ipfs://agent", child, &[])
        .await
        .unwrap();
    let owner_addr = net.address(4);
    let wallet_key = dev_key(5).unwrap();
    // One deadline for the signature and the call: two reads of the clock can straddle a second.
    let deadline = now() + 600;
    let sig = agent_owner
        .sign_agent_wallet(&wallet_key, agent, owner_addr, deadline)
        .await
        .unwrap();
    agent_owner
        .set_agent_wallet(agent, wallet_key.address(), deadline, sig)
        .await
        .unwrap();
    for i in 0..3u8 {
        agent_wallet
            .record_action(
                agent,
                keccak256([i]),
                &format!("ipfs://act{i}"),
                u16::from(i),
            )
            .await
            .unwrap();
    }
    reviewer
        .give_feedback(
            agent,
            5,
            0,
            keccak256(b"quality"),
            B256::ZERO,
            "ipfs://fb",
            B256::ZERO,
        )
        .await
        .unwrap();

    let fee = U256::from(100) * e18;
    payer
        .approve(d.contracts.reward_escrow, U256::from(2) * fee)
        .await
        .unwrap();
    payer
        .pay_inference(child, agent, fee, keccak256(b"out1"), "ipfs://out1")
        .await
        .unwrap();
    payer
        .pay_inference(base, U256::ZERO, fee, keccak256(b"out2"), "ipfs://out2")
        .await
        .unwrap();

    // An epoch root over two balances, with its report as the oracle would publish it.
    let token = d.contracts.payment_token;
    let (alice_earned, owner_earned) = (U256::from(60) * e18, U256::from(40) * e18);
    let mut balances = vec![
        Balance {
            account: net.address(2),
            cumulative: alice_earned,
        },
        Balance {
            account: owner_addr,
            cumulative: owner_earned,
        },
    ];
    balances.sort_by_key(|b| b.account);
    let to_block = net.head().await;
    net.mine(1).await;
    let mut report = ReportBalances {
        format: REPORT_FORMAT.into(),
        chain_id: d.chain_id,
        escrow: d.contracts.reward_escrow,
        token,
        epoch: 1,
        from_block: d.start_block,
        to_block,
        root: B256::ZERO,
        total_cumulative: alice_earned + owner_earned,
        balances,
    };
    report.root = ClaimTree::of(report.claims()).unwrap().root();
    let report_json = serde_json::to_vec(&report).unwrap();
    let update = RootUpdate {
        epoch: 1,
        root: report.root,
        totalCumulative: report.total_cumulative,
        reportHash: keccak256(&report_json),
        fromBlock: report.from_block,
        toBlock: to_block,
    };
    let domain = escrow_domain(d.chain_id, d.contracts.reward_escrow);
    let mut sigs = Vec::new();
    for k in [dev_key(7).unwrap(), dev_key(8).unwrap()] {
        sigs.push(update.sign(&k, &domain).await.unwrap());
    }
    payer
        .propose_root(&update, sort_signatures(&update, &domain, &sigs).unwrap())
        .await
        .unwrap();
    net.advance(61).await;
    payer.accept_root().await.unwrap();
    let tree = ClaimTree::of(report.claims()).unwrap();
    let proof = tree.claim_proof(net.address(2), token).unwrap();
    alice
        .claim(net.address(2), alice_earned, &proof.1)
        .await
        .unwrap();

    Economy {
        curated,
        open,
        alice: net.address(2),
        bob: net.address(8),
        base,
        child,
        agent,
        agent_owner: owner_addr,
        agent_wallet: wallet_key.address(),
        report_json,
        report,
        alice_earned,
        owner_earned,
    }
}
