//! A real anvil with the project's contracts, a content store, and an economy on them whose
//! records are real prose and whose outputs reuse spans of those records.
//!
//! Accounts: 0 admin (treasury, guardian), 1 curator and base-model owner, 2 alice, 3 payer,
//! 4 agent and child-model owner, 6 carol, 7 8 9 the oracle committee (2 of 3), 10 a gamer,
//! 11 the gamer's sybil.
//!
//! Datanet 1 (open): alice's records 0, 1, 8; carol's 2, 3, 7; the gamer's 6 and a shouted copy
//! of it; the sybil's two near copies of 6, a copy of alice's 0 and spam (record 9, whose content
//! is never uploaded). Datanet 2 (curated): alice's 4, carol's 5 and the sybil's copy of alice's
//! record 1. Version 1 of each is published, then the base model is trained on datanet 1 v1 and
//! the child (a fine-tune, 10% royalty) on datanet 2 v1; an agent runs on the child.
#![allow(dead_code, clippy::unwrap_used)]

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use alloy::{
    primitives::{Address, B256, U256, keccak256},
    providers::{DynProvider, Provider, ProviderBuilder},
};
use openledger_indexer::{
    Store,
    api::{self, ApiState},
    sync::{Indexer, Metrics, RpcConfig, SyncConfig},
};
use openledger_oracle::{
    BlockRange,
    content::Contents,
    inputs::{EpochHeader, EpochInputs, load_inputs},
    node::{Node, NodeConfig, NodeError, Oracle, OracleConfig},
    pipeline::{ComputedEpoch, OracleParams, compute_epoch},
    report::{EpochReport, RoleEntry, Status},
    shard::{CutRule, ShardPlan},
};
use openledger_sdk::{
    Deployment, OpenLedger,
    client::{DatanetPolicy, ModelSpec, Relation},
    content_client::ContentClient,
    deploy::deploy,
    devnet::{self, dev_key},
};

pub const RECORDS: &str = include_str!("records.txt");

/// The ten record texts.
pub fn records() -> Vec<String> {
    RECORDS.split("\n\n").map(|r| r.trim().to_owned()).collect()
}

/// Words `range` of `text` (split on spaces), joined.
pub fn words(text: &str, range: std::ops::Range<usize>) -> String {
    text.split_whitespace().collect::<Vec<_>>()[range].join(" ")
}

/// `text` with the words at `positions` replaced.
pub fn edit(text: &str, positions: &[usize]) -> String {
    let mut w: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
    for &p in positions {
        w[p] = format!("altered{p}");
    }
    w.join(" ")
}

pub struct Net {
    pub anvil: alloy::node_bindings::AnvilInstance,
    pub url: String,
    pub deployment: Deployment,
}

impl Net {
    pub async fn start() -> Self {
        let anvil = openledger_testkit::spawn_anvil_with(&["--accounts", "12"]).unwrap();
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

    /// Writes the deployment file and returns its path.
    pub fn deployment_file(&self, dir: &Path) -> PathBuf {
        self.deployment.save(dir).unwrap()
    }
}

/// The content store (the indexer's API over a SQLite file) on a free port: (store, base URL).
pub async fn content_store(dir: &Path) -> (Store, String) {
    let store = Store::connect(&format!("sqlite:{}", dir.join("content.sqlite").display()))
        .await
        .unwrap();
    let url = serve(&store).await;
    (store, url)
}

/// The indexer's API over `store` on a free port: its base URL.
pub async fn serve(store: &Store) -> String {
    serve_state(ApiState::new(store.clone(), Metrics::default())).await
}

/// The API over `state` on a free port: its base URL.
pub async fn serve_state(state: ApiState) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, api::router(state)).await });
    format!("http://{addr}")
}

/// Sync settings for tests: finality 2, quick polls.
pub fn sync_config() -> SyncConfig {
    SyncConfig {
        finality_depth: 2,
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

/// Indexes the chain into `store` up to the head.
pub async fn index(net: &Net, store: &Store) {
    Indexer::new(store.clone(), &net.url, &net.deployment, sync_config())
        .await
        .unwrap()
        .catch_up()
        .await
        .unwrap();
}

/// An oracle with its own embedded index under `dir`.
pub async fn oracle(net: &Net, content_url: &str, dir: &Path) -> Oracle {
    Oracle::open(oracle_config(net, Some(content_url), None, dir))
        .await
        .unwrap()
}

pub fn oracle_config(
    net: &Net,
    content_url: Option<&str>,
    database_url: Option<&str>,
    dir: &Path,
) -> OracleConfig {
    OracleConfig {
        rpc_url: net.url.clone(),
        deployment: net.deployment.clone(),
        database_url: database_url.map(str::to_owned),
        content_url: content_url.map(str::to_owned),
        data_dir: dir.to_path_buf(),
        finality_depth: 2,
        epoch_blocks: 1,
        params: OracleParams::default(),
        shard_plan: ShardPlan::default(),
        sync: sync_config(),
    }
}

/// How committee node `i` cuts corpora into shards: node 0 keeps each corpus in one shard (the
/// default plan), node 1 cuts one shard per record, node 2 a few records a shard. Their reports
/// agreeing byte for byte shows that a report does not depend on the cut.
pub fn committee_plan(i: usize) -> ShardPlan {
    match i {
        0 => ShardPlan::default(),
        1 => ShardPlan::single(CutRule {
            min_tokens: 1,
            spread_tokens: 1,
            max_tokens: 1,
        }),
        _ => ShardPlan {
            shards: CutRule {
                min_tokens: 256,
                spread_tokens: 512,
                max_tokens: 2048,
            },
            tail: Some(CutRule {
                min_tokens: 32,
                spread_tokens: 64,
                max_tokens: 256,
            }),
        },
    }
}

/// What [`economy`] created.
#[derive(Debug, Clone)]
pub struct Economy {
    pub records: Vec<String>,
    pub d1: U256,
    pub d2: U256,
    pub base: U256,
    pub child: U256,
    pub agent: U256,
    pub alice: Address,
    pub carol: Address,
    pub gamer: Address,
    pub sybil: Address,
    pub curator: Address,
    pub agent_owner: Address,
    pub treasury: Address,
    /// Contribution ids of the gamer group's copies (not its original, record 6).
    pub copies: Vec<U256>,
    /// The gamer's original.
    pub gamer_original: U256,
    /// Alice's record 0.
    pub alice_record0: U256,
    /// The contribution whose content is never uploaded.
    pub spam: U256,
    /// Outputs by inference id.
    pub outputs: Vec<(U256, String)>,
    /// The inference whose output is withheld.
    pub withheld: U256,
    /// The inference whose output matches nothing.
    pub unrelated: U256,
}

pub fn e18() -> U256 {
    U256::from(10u64).pow(U256::from(18))
}

/// Pays an inference on `model` through `agent` for `output` and (when `upload`) stores the
/// output in the content store.
pub async fn pay(
    net: &Net,
    content: &ContentClient,
    model: U256,
    agent: U256,
    fee: U256,
    output: &str,
    upload: bool,
) -> U256 {
    let payer = net.as_account(3);
    let hash = keccak256(output.as_bytes());
    if upload {
        assert_eq!(content.put(output.as_bytes()).await.unwrap(), hash);
    }
    payer
        .pay_inference(model, agent, fee, hash, &format!("ipfs://{hash}"))
        .await
        .unwrap()
}

/// Gives the payer (account 3) 1,000 tokens approved to the escrow.
pub async fn fund_payer(net: &Net) {
    let amount = U256::from(1000) * e18();
    net.as_account(0)
        .mint_dev_tokens(net.address(3), amount)
        .await
        .unwrap();
    net.as_account(3)
        .approve(net.deployment.contracts.reward_escrow, amount)
        .await
        .unwrap();
}

/// Epoch 1 over everything up to one block below the head, computed the way every node does:
/// the chain indexed into a SQLite file under `dir`, inputs read from it and the content store,
/// the pure pipeline. Returns the index and the inputs too, so a test can check what was read.
pub async fn epoch_now(
    net: &Net,
    dir: &Path,
    content_url: &str,
    params: &OracleParams,
) -> (Store, EpochInputs, ComputedEpoch) {
    let store = Store::connect(&format!("sqlite:{}", dir.join("i.sqlite").display()))
        .await
        .unwrap();
    index(net, &store).await;
    let d = &net.deployment;
    let header = EpochHeader {
        chain_id: d.chain_id,
        escrow: d.contracts.reward_escrow,
        token: d.contracts.payment_token,
        epoch: 1,
        range: BlockRange {
            from_block: d.start_block,
            to_block: net.head().await - 1,
        },
    };
    let inputs = load_inputs(
        &store,
        &Contents::http(content_url),
        header,
        None,
        d.params.treasury,
    )
    .await
    .unwrap();
    let epoch = compute_epoch(&inputs, params, None).unwrap();
    (store, inputs, epoch)
}

/// Builds the economy of the module documentation and pays four inferences: on the base model
/// (no agent) an output reusing alice's record 0 and carol's 2; on the child through the agent one
/// reusing alice's 4, the gamer's 6 and carol's 5; on the base one reusing carol's 3 and alice's 1
/// whose output is **not** uploaded; and on the base one matching nothing. Then the sybil tries to
/// front-run: it submits the first output as a record (accepted after the version: ignored).
pub async fn economy(net: &Net, content_url: &str) -> Economy {
    let content = ContentClient::new(content_url);
    let records = records();
    let admin = net.as_account(0);
    let curator = net.as_account(1);
    let alice = net.as_account(2);
    let payer = net.as_account(3);
    let agent_owner = net.as_account(4);
    let carol = net.as_account(6);
    let gamer = net.as_account(10);
    let sybil = net.as_account(11);
    admin
        .mint_dev_tokens(net.address(3), U256::from(10_000) * e18())
        .await
        .unwrap();

    let open = DatanetPolicy {
        bond: 0,
        curated: false,
        review_period: 3600,
    };
    let d1 = curator
        .create_datanet("ipfs://d1", open, None)
        .await
        .unwrap();
    let d2 = curator
        .create_datanet(
            "ipfs://d2",
            DatanetPolicy {
                curated: true,
                ..open
            },
            None,
        )
        .await
        .unwrap();

    let submit = |who: &OpenLedger<DynProvider>, datanet: U256, text: String, upload: bool| {
        let who = who.clone();
        let content = content.clone();
        async move {
            if upload {
                content.put(text.as_bytes()).await.unwrap();
            }
            who.contribute(datanet, text.as_bytes(), "ipfs://record")
                .await
                .unwrap()
        }
    };
    let r = &records;
    let alice_record0 = submit(&alice, d1, r[0].clone(), true).await;
    submit(&alice, d1, r[1].clone(), true).await;
    submit(&carol, d1, r[2].clone(), true).await;
    submit(&carol, d1, r[3].clone(), true).await;
    let gamer_original = submit(&gamer, d1, r[6].clone(), true).await;
    submit(&carol, d1, r[7].clone(), true).await;
    submit(&alice, d1, r[8].clone(), true).await;
    let mut copies = vec![
        submit(&gamer, d1, r[6].to_uppercase().replace(", ", " ,, "), true).await,
        submit(&sybil, d1, edit(&r[6], &[40]), true).await,
        submit(&sybil, d1, edit(&r[6], &[15, 70]), true).await,
        submit(&sybil, d1, r[0].to_lowercase(), true).await,
    ];
    let spam = submit(&sybil, d1, r[9].clone(), false).await;
    copies.push(spam);
    let a4 = submit(&alice, d2, r[4].clone(), true).await;
    let c5 = submit(&carol, d2, r[5].clone(), true).await;
    let s1 = submit(&sybil, d2, r[1].replace('.', " !"), true).await;
    copies.push(s1);
    curator
        .accept_contributions(d2, &[a4, c5, s1])
        .await
        .unwrap();
    let last1 = u64::try_from(spam).unwrap();
    curator
        .publish_version(d1, keccak256(b"d1v1"), "ipfs://d1v1", 12, last1)
        .await
        .unwrap();
    curator
        .publish_version(
            d2,
            keccak256(b"d2v1"),
            "ipfs://d2v1",
            3,
            u64::try_from(s1).unwrap(),
        )
        .await
        .unwrap();

    let base = curator
        .register_model(&ModelSpec {
            uri: "ipfs://base".into(),
            datanets: vec![(d1, 1)],
            parents: vec![],
            split: (5000, 4000, 1000),
        })
        .await
        .unwrap();
    let child = agent_owner
        .register_model(&ModelSpec {
            uri: "ipfs://child".into(),
            datanets: vec![(d2, 1)],
            parents: vec![(base, Relation::FineTune, 1000)],
            split: (4000, 5000, 1000),
        })
        .await
        .unwrap();
    let agent = agent_owner
        .register_agent("ipfs://agent", child, &[])
        .await
        .unwrap();

    payer
        .approve(
            net.deployment.contracts.reward_escrow,
            U256::from(10_000) * e18(),
        )
        .await
        .unwrap();
    let o1 = format!(
        "Here is what I found. {}. In other words, {}. Hope that helps!",
        words(&r[0], 10..40),
        words(&r[2], 30..55)
    );
    let o2 = format!(
        "Summary: {} Meanwhile, on farms: {} And at sea, {}",
        words(&r[4], 0..30),
        words(&r[6], 20..50),
        words(&r[5], 60..85)
    );
    let o3 = format!(
        "Notes: {} Also worth knowing: {}",
        words(&r[3], 5..35),
        words(&r[1], 40..60)
    );
    let o4 = "Tomorrow looks mild with a westerly breeze, occasional sunshine and perhaps a short \
              shower around teatime, so take an umbrella just in case."
        .to_owned();
    let fee1 = U256::from(100) * e18() + U256::from(7);
    let i1 = pay(net, &content, base, U256::ZERO, fee1, &o1, true).await;
    let i2 = pay(
        net,
        &content,
        child,
        agent,
        U256::from(250) * e18(),
        &o2,
        true,
    )
    .await;
    let i3 = pay(
        net,
        &content,
        base,
        U256::ZERO,
        U256::from(80) * e18(),
        &o3,
        false,
    )
    .await;
    let i4 = pay(
        net,
        &content,
        base,
        U256::ZERO,
        U256::from(33) * e18(),
        &o4,
        true,
    )
    .await;
    // Front-running: the first output, submitted as a record after it was paid for.
    submit(&sybil, d1, o1.clone(), true).await;

    Economy {
        records: records.clone(),
        d1,
        d2,
        base,
        child,
        agent,
        alice: net.address(2),
        carol: net.address(6),
        gamer: net.address(10),
        sybil: net.address(11),
        curator: net.address(1),
        agent_owner: net.address(4),
        treasury: net.address(0),
        copies,
        gamer_original,
        alice_record0,
        spam,
        outputs: vec![(i1, o1), (i2, o2), (i3, o3), (i4, o4)],
        withheld: i3,
        unrelated: i4,
    }
}

/// Conservation to the wei, inference by inference and for the epoch.
pub fn assert_conserved(r: &EpochReport) {
    let mut allocated = U256::ZERO;
    for e in r.inferences.iter().chain(&r.resolved) {
        let sum: U256 = e.allocations.iter().map(|a| a.amount).sum();
        assert_eq!(sum, e.settled, "inference {}", e.inference_id);
        allocated += sum;
    }
    for e in &r.inferences {
        assert_eq!(e.settled + e.carried, e.net, "inference {}", e.inference_id);
        assert_eq!(e.status == Status::Unresolved, !e.carried.is_zero());
    }
    assert_eq!(allocated, r.totals.allocated);
    let paid: U256 = r.inferences.iter().map(|e| e.net).sum();
    let carried: U256 = r.carried.iter().map(|c| c.amount).sum();
    let resolved: U256 = r.resolved.iter().map(|e| e.settled).sum();
    assert_eq!(paid, r.totals.paid_net);
    assert_eq!(carried, r.totals.carried_out);
    assert_eq!(resolved, r.totals.resolved);
    assert_eq!(
        r.totals.allocated,
        r.totals.paid_net + r.totals.resolved - r.totals.newly_carried
    );
    let total: U256 = r.balances.iter().map(|b| b.cumulative).sum();
    assert_eq!(total, r.total_cumulative);
    assert_eq!(
        r.total_cumulative,
        r.totals.previous_total + r.totals.allocated
    );
    assert!(r.total_cumulative + carried <= r.inputs.distributable);
    let earned: U256 = r.accounts.iter().map(|a| a.earned).sum();
    assert_eq!(earned, r.totals.allocated);
}

/// Data-share earnings of `account` in a report.
pub fn data_earned(r: &EpochReport, account: Address) -> U256 {
    r.inferences
        .iter()
        .chain(&r.resolved)
        .flat_map(|e| &e.allocations)
        .filter(|a| a.account == account && matches!(a.role, RoleEntry::Data { .. }))
        .map(|a| a.amount)
        .sum()
}

/// Waits until `check` returns `Some`, polling every 100 ms, at most `secs` seconds.
pub async fn wait_for<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A committee node running in this process.
pub struct RunningNode {
    pub url: String,
    pub address: Address,
    pub stop: tokio::sync::oneshot::Sender<()>,
    pub task: tokio::task::JoinHandle<Result<(), NodeError>>,
}

/// Starts the committee (keys 7, 8, 9), each with its own embedded index under `dir`. No
/// proposal stagger: the nodes race to propose and accept, and the losers must take it calmly.
pub async fn start_committee(net: &Net, content_url: &str, dir: &Path) -> Vec<RunningNode> {
    let mut listeners = Vec::new();
    for _ in 0..3 {
        listeners.push(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap());
    }
    let urls: Vec<String> = listeners
        .iter()
        .map(|l| format!("http://{}", l.local_addr().unwrap()))
        .collect();
    let mut nodes = Vec::new();
    for (i, listener) in listeners.into_iter().enumerate() {
        let key = dev_key(7 + i as u32).unwrap();
        let address = key.address();
        let config = OracleConfig {
            shard_plan: committee_plan(i),
            ..oracle_config(net, Some(content_url), None, &dir.join(format!("node{i}")))
        };
        let oracle = Oracle::open(config).await.unwrap();
        let node = Node::new(
            oracle,
            NodeConfig {
                signer: key,
                rpc_url: net.url.clone(),
                peers: urls
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, u)| u.clone())
                    .collect(),
                poll_interval: Duration::from_millis(200),
                propose_stagger: Duration::ZERO,
            },
        )
        .unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            node.run(listener, async move {
                let _ = stopped.await;
            })
            .await
        });
        nodes.push(RunningNode {
            url: urls[i].clone(),
            address,
            stop,
            task,
        });
    }
    nodes
}

/// GET `url` → (status, body).
pub async fn get(url: &str) -> (u16, Vec<u8>) {
    let resp = alloy::transports::http::reqwest::get(url).await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.bytes().await.unwrap().to_vec())
}

/// The escrow's pending and current epochs.
pub async fn epochs(net: &Net) -> (u64, u64) {
    let escrow = net.as_account(0).escrow();
    (
        escrow.pendingEpoch().call().await.unwrap(),
        escrow.currentEpoch().call().await.unwrap(),
    )
}

/// A hash as the content store names it.
pub fn hex(h: B256) -> String {
    format!("{h:#x}")
}
