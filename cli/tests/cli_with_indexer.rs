//! Claims through a real indexer: anvil with the project's contracts, `openledger-indexer`
//! indexing it into SQLite and serving its API on a loopback port, the report uploaded to the
//! content store, and roots proposed, accepted and vetoed with the `openledger` binary.
//!
//! What it proves: the SDK's `claim_with_api` and the CLI's `escrow claim --api` pay exactly the
//! leaf the oracles signed; every way the API cannot help (no root, report not uploaded, no
//! balance, unreachable, behind the chain) is a clear error before anything is sent; and the
//! root commands work end to end with the dev oracle keys (2 of 7, 8, 9) and the guardian.
#![allow(clippy::unwrap_used)]

use std::{path::PathBuf, time::Duration};

use alloy::{
    primitives::{Address, B256, U256, keccak256},
    providers::{DynProvider, Provider, ProviderBuilder},
};
use openledger_indexer::{
    Store,
    api::{self, ApiState},
    sync::{Indexer, RpcConfig, SyncConfig},
};
use openledger_sdk::{
    ApiClient, ApiError, Deployment, Error, OpenLedger,
    client::{DatanetPolicy, ModelSpec},
    content_client::ContentClient,
    deploy::deploy,
    devnet::{self, dev_key},
    merkle::ClaimTree,
    report::{Balance, REPORT_FORMAT, ReportBalances},
};
use serde_json::Value;

fn key_hex(i: u32) -> String {
    dev_key(i).unwrap().to_bytes().to_string()
}

fn addr(i: u32) -> Address {
    dev_key(i).unwrap().address()
}

fn e18(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18))
}

fn u(v: &Value) -> U256 {
    v.as_str().unwrap().parse().unwrap()
}

/// Anvil, the contracts, an indexer into SQLite and its API.
struct Net {
    _anvil: alloy::node_bindings::AnvilInstance,
    url: String,
    dir: tempfile::TempDir,
    deployment: Deployment,
    indexer: Indexer,
    api: String,
}

impl Net {
    async fn start() -> Self {
        let anvil = openledger_testkit::spawn_anvil().unwrap();
        let url = anvil.endpoint();
        let admin = devnet::wallet_provider(&url, dev_key(0).unwrap()).unwrap();
        let deployment = deploy(&admin, &devnet::default_local_config().unwrap())
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        deployment.save(dir.path()).unwrap();
        let db = format!("sqlite:{}", dir.path().join("index.sqlite").display());
        let store = Store::connect(&db).await.unwrap();
        let config = SyncConfig {
            finality_depth: 4,
            poll_interval: Duration::from_millis(50),
            progress: false,
            rpc: RpcConfig {
                request_timeout: Duration::from_secs(5),
                min_backoff: Duration::from_millis(10),
                max_backoff: Duration::from_millis(200),
                ..RpcConfig::default()
            },
            ..SyncConfig::default()
        };
        let indexer = Indexer::new(store.clone(), &url, &deployment, config)
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let api = format!("http://{}", listener.local_addr().unwrap());
        let router = api::router(ApiState::new(store.clone(), indexer.metrics()));
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self {
            _anvil: anvil,
            url,
            dir,
            deployment,
            indexer,
            api,
        }
    }

    fn client(&self, i: u32) -> OpenLedger<DynProvider> {
        devnet::client(&self.url, &self.deployment, dev_key(i).unwrap()).unwrap()
    }

    fn provider(&self) -> DynProvider {
        ProviderBuilder::new()
            .connect_http(self.url.parse().unwrap())
            .erased()
    }

    /// The head, then one block more: an epoch may only end below the block its root is
    /// proposed in, and the proposal is simulated at the latest block before it is sent.
    async fn epoch_end(&self) -> u64 {
        let p = self.provider();
        let head = p.get_block_number().await.unwrap();
        let _: Value = p.raw_request("evm_mine".into(), ()).await.unwrap();
        head
    }

    async fn advance(&self, seconds: u64) {
        let p = self.provider();
        let _: Value = p
            .raw_request("evm_increaseTime".into(), (seconds,))
            .await
            .unwrap();
        let _: Value = p.raw_request("evm_mine".into(), ()).await.unwrap();
    }

    async fn balance(&self, i: u32) -> U256 {
        self.client(0).token_balance(addr(i)).await.unwrap()
    }

    async fn catch_up(&self) {
        self.indexer.catch_up().await.unwrap();
    }

    /// `openledger --rpc-url .. --deployments .. [--private-key dev key i] args..`, run without
    /// blocking the runtime that serves the API.
    fn cmd(&self, key: Option<u32>, args: &[&str]) -> tokio::process::Command {
        let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_openledger"));
        c.env_remove("OPENLEDGER_PRIVATE_KEY")
            .env_remove("PRIVATE_KEY")
            .env_remove("ETH_RPC_URL")
            .env_remove("OPENLEDGER_API_URL")
            .env_remove("OPENLEDGER_ORACLE_KEYS")
            .args(["--rpc-url", &self.url, "--deployments"])
            .arg(self.dir.path());
        if let Some(i) = key {
            c.args(["--private-key", &key_hex(i)]);
        }
        c.args(args);
        c
    }

    async fn ok_cmd(&self, mut c: tokio::process::Command, what: &str) -> Value {
        let out = c.arg("--json").output().await.unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{what} failed: {stderr}");
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{what}: stdout is not JSON ({e}): {:?}", out.stdout))
    }

    /// Runs with `--json`, expects success, returns the JSON object.
    async fn ok(&self, key: Option<u32>, args: &[&str]) -> Value {
        self.ok_cmd(self.cmd(key, args), &format!("{args:?}")).await
    }

    /// Runs in text mode, expects failure on one line of stderr, returns it.
    async fn fails(&self, key: Option<u32>, args: &[&str]) -> String {
        let out = self.cmd(key, args).output().await.unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(out.stdout.is_empty(), "{args:?} printed on stdout");
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
        eprint!("{args:?}\n  {stderr}");
        stderr
    }

    /// `v["tx"]` is a transaction mined successfully on the chain.
    async fn assert_mined(&self, v: &Value) {
        let hash: B256 = v["tx"]
            .as_str()
            .unwrap_or_else(|| panic!("no tx in {v}"))
            .parse()
            .unwrap();
        let receipt = self
            .provider()
            .get_transaction_receipt(hash)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{hash} is not mined"));
        assert!(receipt.status(), "{hash} failed");
    }

    /// Writes an epoch report of `balances` for blocks `from..=to` and returns it, its path and
    /// its bytes (whose keccak256 the oracles sign as the report hash).
    fn report(
        &self,
        epoch: u64,
        from: u64,
        to: u64,
        balances: &[(u32, U256)],
    ) -> (ReportBalances, PathBuf, Vec<u8>) {
        let d = &self.deployment;
        let mut balances: Vec<Balance> = balances
            .iter()
            .map(|&(i, cumulative)| Balance {
                account: addr(i),
                cumulative,
            })
            .collect();
        balances.sort_by_key(|b| b.account);
        let mut r = ReportBalances {
            format: REPORT_FORMAT.into(),
            chain_id: d.chain_id,
            escrow: d.contracts.reward_escrow,
            token: d.contracts.payment_token,
            epoch,
            from_block: from,
            to_block: to,
            root: B256::ZERO,
            total_cumulative: balances.iter().map(|b| b.cumulative).sum(),
            balances,
        };
        r.root = ClaimTree::of(r.claims()).unwrap().root();
        let bytes = serde_json::to_vec(&r).unwrap();
        let path = self.dir.path().join(format!("report-{epoch}.json"));
        std::fs::write(&path, &bytes).unwrap();
        (r, path, bytes)
    }
}

/// Payments so the escrow holds rewards: 2 x 100 tokens on a model, 190 distributable.
async fn economy(net: &Net) {
    let admin = net.client(0);
    admin.mint_dev_tokens(addr(3), e18(1000)).await.unwrap();
    let owner = net.client(1);
    let datanet = owner
        .create_datanet(
            "ipfs://d",
            DatanetPolicy {
                bond: 0,
                curated: false,
                review_period: 60,
            },
            None,
        )
        .await
        .unwrap();
    net.client(2)
        .contribute(datanet, b"alice's record", "ipfs://a")
        .await
        .unwrap();
    let model = net
        .client(4)
        .register_model(&ModelSpec {
            uri: "ipfs://m".into(),
            datanets: vec![],
            parents: vec![],
            split: (5000, 4000, 1000),
        })
        .await
        .unwrap();
    let payer = net.client(3);
    payer
        .approve(net.deployment.contracts.reward_escrow, e18(200))
        .await
        .unwrap();
    for i in 0..2u8 {
        payer
            .pay_inference(model, U256::ZERO, e18(100), keccak256([i]), "")
            .await
            .unwrap();
    }
}

fn api_error(e: Error) -> ApiError {
    match e {
        Error::Api(a) => a,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn claims_with_the_indexer_api_proof() {
    let net = Net::start().await;
    economy(&net).await;
    let api = ApiClient::new(&net.api);
    let content = ContentClient::new(&net.api);
    let alice = net.client(2);
    let (a2, a4, a9) = (
        addr(2).to_string(),
        addr(4).to_string(),
        addr(9).to_string(),
    );
    let start = net.deployment.start_block;

    // No root yet: the API says so, the SDK and the CLI pass it on.
    net.catch_up().await;
    let e = api_error(alice.claim_with_api(&api, addr(2)).await.unwrap_err());
    assert!(matches!(e, ApiError::NoCurrentRoot { .. }), "{e:?}");
    let err = net
        .fails(Some(2), &["escrow", "claim", "--api", &net.api])
        .await;
    assert!(
        err.contains("the API has no current root") && err.contains("accept-root"),
        "{err}"
    );
    // A proof by hand before any root: no root, not a mismatch.
    let err = net
        .fails(
            Some(2),
            &[
                "escrow",
                "claim",
                "--amount",
                "1",
                "--proof",
                &B256::ZERO.to_string(),
            ],
        )
        .await;
    assert!(
        err.contains("no current root yet") && err.contains("accept-root"),
        "{err}"
    );
    let e = alice.claim(addr(2), U256::ONE, &[]).await.unwrap_err();
    assert!(matches!(e, Error::NoCurrentRoot), "{e:?}");
    // Neither --api nor a proof: what to give.
    let err = net.fails(Some(2), &["escrow", "claim"]).await;
    assert!(
        err.contains("--api") && err.contains("OPENLEDGER_API_URL"),
        "{err}"
    );

    // Epoch 1, proposed by anyone (account 3) with two of the three dev oracle keys, from the
    // report file: alice (2) 60, the model owner (4) 40.
    let to1 = net.epoch_end().await;
    let (r1, path1, bytes1) = net.report(1, start, to1, &[(2, e18(60)), (4, e18(40))]);
    let path1 = path1.to_str().unwrap();
    let oracles = format!("{},{}", key_hex(8), key_hex(7));
    let v = net
        .ok(
            Some(3),
            &[
                "escrow",
                "propose-root",
                "--report",
                path1,
                "--oracle-key",
                &oracles,
            ],
        )
        .await;
    net.assert_mined(&v).await;
    assert_eq!(v["epoch"], 1);
    assert_eq!(v["root"], r1.root.to_string());
    assert_eq!(v["reportHash"], keccak256(&bytes1).to_string());
    assert_eq!(u(&v["totalCumulative"]), e18(100));
    let mut expected = vec![addr(7), addr(8)];
    expected.sort();
    let signers: Vec<Address> = serde_json::from_value(v["signers"].clone()).unwrap();
    assert_eq!(signers, expected);
    // Too early to accept: the hint says until when.
    let err = net.fails(Some(3), &["escrow", "accept-root"]).await;
    assert!(
        err.contains("DisputeWindowOpen") && err.contains("accept the root after it"),
        "{err}"
    );
    net.advance(61).await;
    let v = net.ok(Some(3), &["escrow", "accept-root"]).await;
    net.assert_mined(&v).await;
    assert_eq!(v["epoch"], 1);
    assert_eq!(v["root"], r1.root.to_string());

    // Indexed, but the report is not in the content store yet.
    net.catch_up().await;
    let e = api_error(alice.claim_with_api(&api, addr(2)).await.unwrap_err());
    assert!(matches!(e, ApiError::ReportNotLoaded { .. }), "{e:?}");
    let err = net
        .fails(Some(2), &["escrow", "claim", "--api", &net.api])
        .await;
    assert!(
        err.contains("cannot prove") && err.contains("content store"),
        "{err}"
    );

    // The oracle uploads it (POST /v1/content); the indexer loads it.
    assert_eq!(content.put(&bytes1).await.unwrap(), keccak256(&bytes1));
    net.catch_up().await;

    // The SDK claims with the API's proof: the balance grows by exactly the leaf.
    let before = net.balance(2).await;
    let claim = alice.claim_with_api(&api, addr(2)).await.unwrap();
    assert_eq!(claim.paid, e18(60));
    assert_eq!(claim.proof.cumulative, e18(60));
    assert_eq!(claim.proof.epoch, 1);
    assert_eq!(claim.proof.root, r1.root);
    assert!(claim.receipt.status());
    assert_eq!(net.balance(2).await - before, e18(60));
    // Claimed in full: the contract's refusal, named, before anything is signed.
    let e = alice.claim_with_api(&api, addr(2)).await.unwrap_err();
    assert_eq!(e.revert_name(), Some("NothingToClaim"), "{e}");

    // The CLI: the model owner's claimable from the API, then a claim sent for it by account 6,
    // with the API from the environment.
    let v = net
        .ok(None, &["escrow", "claimable", &a4, "--api", &net.api])
        .await;
    assert_eq!(u(&v["claimable"]), e18(40));
    assert_eq!(u(&v["cumulative"]), e18(40));
    assert_eq!(v["rootIsCurrent"], true);
    let before = net.balance(4).await;
    let mut c = net.cmd(Some(6), &["escrow", "claim", "--account", &a4]);
    c.env("OPENLEDGER_API_URL", &net.api);
    let v = net.ok_cmd(c, "claim --account a4 (api from env)").await;
    net.assert_mined(&v).await;
    assert_eq!(u(&v["paid"]), e18(40));
    assert_eq!(u(&v["cumulative"]), e18(40));
    assert_eq!(v["epoch"], 1);
    assert_eq!(net.balance(4).await - before, e18(40));
    let v = net
        .ok(None, &["escrow", "claimable", &a4, "--api", &net.api])
        .await;
    assert_eq!(u(&v["claimable"]), U256::ZERO);
    // The API's account totals agree once the claims are indexed.
    net.catch_up().await;
    let totals = api.account(addr(4)).await.unwrap();
    assert_eq!(
        (totals.earned, totals.claimed, totals.claimable),
        (e18(40), e18(40), U256::ZERO)
    );
    assert!(totals.report_loaded);
    let e = api.account(addr(9)).await.unwrap_err();
    assert!(matches!(e, ApiError::UnknownAccount { .. }), "{e:?}");

    // No balance in the root: clear errors from the SDK and the CLI; claimable is zero.
    let e = api_error(
        net.client(9)
            .claim_with_api(&api, addr(9))
            .await
            .unwrap_err(),
    );
    assert!(matches!(e, ApiError::NoBalance { account, .. } if account == addr(9)));
    let err = net
        .fails(Some(9), &["escrow", "claim", "--api", &net.api])
        .await;
    assert!(
        err.contains("no balance to prove") && err.contains("nothing to claim"),
        "{err}"
    );
    let v = net
        .ok(None, &["escrow", "claimable", &a9, "--api", &net.api])
        .await;
    assert_eq!(v["claimable"], "0");
    assert_eq!(v["inCurrentRoot"], false);

    // Nothing listening: unreachable, with the flag to check.
    let dead = "http://127.0.0.1:9";
    let e = api_error(
        alice
            .claim_with_api(&ApiClient::new(dead), addr(2))
            .await
            .unwrap_err(),
    );
    assert!(matches!(e, ApiError::Unreachable { .. }), "{e:?}");
    let err = net
        .fails(Some(2), &["escrow", "claim", "--api", dead])
        .await;
    assert!(
        err.contains("unreachable") && err.contains("is the indexer running"),
        "{err}"
    );
    let err = net
        .fails(None, &["escrow", "claimable", &a2, "--api", "ftp://x"])
        .await;
    assert!(err.contains("invalid --api"), "{err}");

    // Epoch 2: oracle 7 signs into a file (no sender key needed), oracle 9 adds its signature and
    // account 3 sends it. Alice's cumulative grows to 70.
    let to2 = net.epoch_end().await;
    let (r2, path2, bytes2) = net.report(2, to1 + 1, to2, &[(2, e18(70)), (4, e18(45))]);
    let signed = net.dir.path().join("signed-2.json");
    let signed = signed.to_str().unwrap();
    let v = net
        .ok(
            None,
            &[
                "escrow",
                "propose-root",
                "--report",
                path2.to_str().unwrap(),
                "--oracle-key",
                &key_hex(7),
                "--out",
                signed,
            ],
        )
        .await;
    assert_eq!(v["signers"], serde_json::json!([addr(7)]));
    // One signature is below the 2-of-3 threshold: the contract's refusal, with a hint.
    let err = net
        .fails(Some(3), &["escrow", "propose-root", "--file", signed])
        .await;
    assert!(
        err.contains("NotEnoughSignatures") && err.contains("needs 2 oracle signatures"),
        "{err}"
    );
    let v = net
        .ok(
            Some(3),
            &[
                "escrow",
                "propose-root",
                "--file",
                signed,
                "--oracle-key",
                &key_hex(9),
            ],
        )
        .await;
    net.assert_mined(&v).await;
    assert_eq!(v["epoch"], 2);
    net.advance(61).await;
    net.ok(Some(0), &["escrow", "accept-root"]).await;

    // The chain is at epoch 2, the API still at epoch 1: a proof for another root is refused
    // before sending, and claimable says the API is behind.
    let e = alice.claim_with_api(&api, addr(2)).await.unwrap_err();
    match e {
        Error::StaleProof {
            api_epoch,
            chain_epoch,
            api_root,
            chain_root,
            ..
        } => {
            assert_eq!((api_epoch, chain_epoch), (1, 2));
            assert_eq!((api_root, chain_root), (r1.root, r2.root));
        }
        other => panic!("expected StaleProof, got {other:?}"),
    }
    let err = net
        .fails(Some(2), &["escrow", "claim", "--api", &net.api])
        .await;
    assert!(
        err.contains("epoch 1") && err.contains("epoch 2") && err.contains("not caught up"),
        "{err}"
    );
    let v = net
        .ok(None, &["escrow", "claimable", &a2, "--api", &net.api])
        .await;
    assert_eq!(v["rootIsCurrent"], false);
    assert_eq!(v["epoch"], 1);
    // Caught up (and the report uploaded), alice claims the 10 more she earned.
    content.put(&bytes2).await.unwrap();
    net.catch_up().await;
    // This time in text, as a person reads it.
    let before = net.balance(2).await;
    let out = net
        .cmd(Some(2), &["escrow", "claim", "--api", &net.api])
        .output()
        .await
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(&format!(
            "claimed 10000000000000000000 wei (10 tokens) for {} (epoch 2 root",
            addr(2)
        )) && text.contains("; tx 0x"),
        "{text}"
    );
    assert_eq!(net.balance(2).await - before, e18(10));
    // The API's answer saved as it is is a --proof-file (its `cumulative` is the amount).
    let answer = alloy::transports::http::reqwest::get(format!(
        "{}/v1/accounts/{:#x}/proof",
        net.api,
        addr(4)
    ))
    .await
    .unwrap()
    .bytes()
    .await
    .unwrap();
    let file = net.dir.path().join("proof-4.json");
    std::fs::write(&file, &answer).unwrap();
    let before = net.balance(4).await;
    let v = net
        .ok(
            Some(4),
            &["escrow", "claim", "--proof-file", file.to_str().unwrap()],
        )
        .await;
    assert_eq!(u(&v["paid"]), e18(5));
    assert_eq!(net.balance(4).await - before, e18(5));

    // Epoch 3 from flags, vetoed by the guardian (account 0) and nobody else.
    let to3 = net.epoch_end().await;
    let (r3, _, bytes3) = net.report(3, to2 + 1, to3, &[(2, e18(80)), (4, e18(45))]);
    let (root3, hash3, total3) = (
        r3.root.to_string(),
        keccak256(&bytes3).to_string(),
        r3.total_cumulative.to_string(),
    );
    let (from3, to3) = ((to2 + 1).to_string(), to3.to_string());
    let mut c = net.cmd(
        Some(3),
        &[
            "escrow",
            "propose-root",
            "--epoch",
            "3",
            "--root",
            &root3,
            "--total",
            &total3,
            "--report-hash",
            &hash3,
            "--from-block",
            &from3,
            "--to-block",
            &to3,
        ],
    );
    c.env(
        "OPENLEDGER_ORACLE_KEYS",
        format!("{},{}", key_hex(8), key_hex(9)),
    );
    let v = net.ok_cmd(c, "propose-root epoch 3 from flags").await;
    assert_eq!(v["epoch"], 3);
    assert_eq!(v["reportHash"], hash3);
    let err = net.fails(Some(3), &["escrow", "veto-root", "3"]).await;
    assert!(
        err.contains("NotGuardian") && err.contains("only the escrow's guardian"),
        "{err}"
    );
    let err = net.fails(Some(0), &["escrow", "veto-root", "2"]).await;
    assert!(err.contains("no root of that epoch is pending"), "{err}");
    let v = net.ok(Some(0), &["escrow", "veto-root", "3"]).await;
    net.assert_mined(&v).await;
    assert_eq!(v["epoch"], 3);
    assert_eq!(v["root"], root3);
    assert_eq!(v["guardian"], Value::String(format!("{:#x}", addr(0))));
    let err = net.fails(Some(3), &["escrow", "accept-root"]).await;
    assert!(
        err.contains("NoPendingRoot") && err.contains("propose one first"),
        "{err}"
    );
    // The vetoed root never became current: epoch 2's stays.
    let escrow = net.client(0).escrow();
    assert_eq!(escrow.currentRoot().call().await.unwrap(), r2.root);
    assert_eq!(escrow.currentEpoch().call().await.unwrap(), 2);
}
