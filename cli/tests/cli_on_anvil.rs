//! Every subcommand through the built binary, against contracts deployed on a fresh anvil:
//! JSON outputs, on-chain effects, and the error messages people see.
#![allow(clippy::unwrap_used)]

use std::{path::Path, process::Command};

use alloy::{
    primitives::{Address, B256, U256, keccak256},
    providers::{DynProvider, Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
    sol_types::SolValue,
};
use openledger_sdk::{
    Deployment, OpenLedger, RootUpdate,
    deploy::deploy,
    devnet::{self, dev_key},
    escrow_domain, sort_signatures,
};
use serde_json::Value;

struct Net {
    _anvil: alloy::node_bindings::AnvilInstance,
    url: String,
    dir: tempfile::TempDir,
    deployment: Deployment,
}

fn key_hex(i: u32) -> String {
    dev_key(i).unwrap().to_bytes().to_string()
}

fn addr(i: u32) -> Address {
    dev_key(i).unwrap().address()
}

/// An address as JSON output spells it (lowercase hex).
fn ja(a: Address) -> Value {
    Value::String(format!("{a:#x}"))
}

fn e18(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18))
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
        Self {
            _anvil: anvil,
            url,
            dir,
            deployment,
        }
    }

    /// `openledger --rpc-url .. --deployments .. [--private-key dev key i] args..`
    fn cmd(&self, key: Option<u32>, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_openledger"));
        c.env_remove("OPENLEDGER_PRIVATE_KEY")
            .env_remove("PRIVATE_KEY")
            .env_remove("ETH_RPC_URL")
            .args(["--rpc-url", &self.url, "--deployments"])
            .arg(self.dir.path());
        if let Some(i) = key {
            c.args(["--private-key", &key_hex(i)]);
        }
        c.args(args);
        c
    }

    /// Runs with `--json`, expects success, returns the JSON object.
    fn ok(&self, key: Option<u32>, args: &[&str]) -> Value {
        let out = self.cmd(key, args).arg("--json").output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?} failed: {stderr}");
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: stdout is not JSON ({e}): {:?}", out.stdout))
    }

    /// Runs in text mode, expects failure, returns stderr.
    fn fails(&self, key: Option<u32>, args: &[&str]) -> String {
        let out = self.cmd(key, args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(
            out.stdout.is_empty(),
            "{args:?} printed on stdout on failure"
        );
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
        stderr
    }

    fn client(&self, i: u32) -> OpenLedger<DynProvider> {
        devnet::client(&self.url, &self.deployment, dev_key(i).unwrap()).unwrap()
    }

    async fn advance(&self, seconds: u64) {
        let p = ProviderBuilder::new().connect_http(self.url.parse().unwrap());
        let _: Value = p
            .raw_request("evm_increaseTime".into(), (seconds,))
            .await
            .unwrap();
        let _: Value = p.raw_request("evm_mine".into(), ()).await.unwrap();
    }

    async fn balance(&self, i: u32) -> U256 {
        self.client(0).token_balance(addr(i)).await.unwrap()
    }

    /// `v["tx"]` is a transaction mined successfully on the chain.
    async fn assert_mined(&self, v: &Value) {
        let hash: B256 = v["tx"]
            .as_str()
            .unwrap_or_else(|| panic!("no tx in {v}"))
            .parse()
            .unwrap();
        let receipt = self
            .client(0)
            .provider()
            .get_transaction_receipt(hash)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{hash} is not mined"));
        assert!(receipt.status(), "{hash} failed");
    }
}

fn u(v: &Value) -> U256 {
    v.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn datanet_and_token_commands() {
    let net = Net::start().await;
    let alice = addr(2).to_string();

    // token mint / balance (by address and by key).
    let v = net.ok(Some(0), &["token", "mint", &alice, "100ether"]);
    assert_eq!(u(&v["amount"]), e18(100));
    let v = net.ok(None, &["token", "balance", &alice]);
    assert_eq!(u(&v["balance"]), e18(100));
    let v = net.ok(Some(2), &["token", "balance"]);
    assert_eq!(v["account"], ja(addr(2)));

    // A write without a key says which flags to use.
    let err = net.fails(None, &["datanet", "create", "--uri", "ipfs://d"]);
    assert!(
        err.contains("--private-key") && err.contains("OPENLEDGER_PRIVATE_KEY"),
        "{err}"
    );

    // Curated datanet with a 1-token bond and a 60 s review period.
    let v = net.ok(
        Some(1),
        &[
            "datanet",
            "create",
            "--uri",
            "ipfs://d",
            "--bond",
            "1ether",
            "--curated",
            "--review-period",
            "60",
        ],
    );
    assert_eq!(v["datanetId"], 1);
    net.assert_mined(&v).await;
    let v = net.ok(Some(1), &["datanet", "curator", "1", &addr(6).to_string()]);
    assert_eq!(v["enabled"], true);

    // Contribute without an allowance: the hint names --approve.
    let file = net.dir.path().join("record.txt");
    std::fs::write(&file, b"record one").unwrap();
    let f = file.to_str().unwrap();
    let err = net.fails(
        Some(2),
        &[
            "datanet",
            "contribute",
            "1",
            "--file",
            f,
            "--uri",
            "ipfs://r1",
        ],
    );
    assert!(
        err.contains("allowance too low") && err.contains("--approve"),
        "{err}"
    );
    let v = net.ok(
        Some(2),
        &[
            "datanet",
            "contribute",
            "1",
            "--file",
            f,
            "--uri",
            "ipfs://r1",
            "--approve",
        ],
    );
    assert_eq!(v["contributionId"], 1);
    net.assert_mined(&v).await;
    assert_ne!(v["tx"], v["approveTx"]);
    assert_eq!(v["contentHash"], keccak256(b"record one").to_string());
    assert_eq!(v["size"], 10);
    assert!(v["approveTx"].is_string());
    assert_eq!(net.balance(2).await, e18(99));

    // token approve (alias) then contributions by hash + size.
    let v = net.ok(Some(2), &["token", "approve", "datanets", "10ether"]);
    assert_eq!(v["spender"], ja(net.deployment.contracts.datanet_registry));
    let h2 = keccak256(b"two").to_string();
    let v = net.ok(
        Some(2),
        &["datanet", "contribute", "1", "--hash", &h2, "--size", "3"],
    );
    assert_eq!(v["contributionId"], 2);
    assert!(v["approveTx"].is_null());
    let h3 = keccak256(b"three").to_string();
    net.ok(
        Some(2),
        &["datanet", "contribute", "1", "--hash", &h3, "--size", "5"],
    );
    // The same content again: the revert's name and fields, plus a hint.
    let err = net.fails(
        Some(2),
        &["datanet", "contribute", "1", "--hash", &h2, "--size", "3"],
    );
    assert!(
        err.contains("ContentAlreadySubmitted(") && err.contains("contributionId: 2"),
        "{err}"
    );

    // Review by the curator: accept 1, reject 2 (bond slashed to the owner's treasury).
    let v = net.ok(Some(6), &["datanet", "accept", "1", "1"]);
    assert_eq!(v["accepted"], serde_json::json!([1]));
    let v = net.ok(
        Some(6),
        &["datanet", "reject", "1", "2", "--reason", "spam"],
    );
    assert_eq!(v["reason"], keccak256(b"spam").to_string());
    assert_eq!(net.balance(1).await, e18(1));
    // Not a curator.
    let err = net.fails(Some(3), &["datanet", "accept", "1", "3"]);
    assert!(err.contains("NotCurator"), "{err}");

    // Contribution 3 stays pending past its deadline: its contributor withdraws it.
    net.advance(61).await;
    let before = net.balance(2).await;
    net.ok(Some(2), &["datanet", "withdraw", "3"]);
    assert_eq!(net.balance(2).await, before + e18(1));

    let v = net.ok(None, &["datanet", "contributions", "1"]);
    let statuses: Vec<&str> = v["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["accepted", "rejected", "withdrawn"]);
    assert_eq!(v["contributions"][0]["contributor"], ja(addr(2)));

    let commitment = keccak256(b"v1").to_string();
    let v = net.ok(
        Some(1),
        &[
            "datanet",
            "publish",
            "1",
            "--commitment",
            &commitment,
            "--uri",
            "ipfs://v1",
            "--accepted-count",
            "1",
            "--last-contribution",
            "3",
        ],
    );
    assert_eq!(v["version"], 1);
    net.assert_mined(&v).await;
    let v = net.ok(None, &["datanet", "show", "1"]);
    assert_eq!(v["latestVersion"], 1);
    assert_eq!(v["owner"], ja(addr(1)));
    assert_eq!(u(&v["bond"]), e18(1));
    assert_eq!(v["curated"], true);

    // Open datanet: accepted at once; the bond comes back after the review period. In text, the
    // id comes with the transaction hash.
    let out = net
        .cmd(
            Some(1),
            &[
                "datanet",
                "create",
                "--uri",
                "ipfs://open",
                "--bond",
                "2ether",
                "--review-period",
                "60",
            ],
        )
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("created datanet 2 (tx 0x"), "{text}");
    let v = net.ok(
        Some(2),
        &["datanet", "contribute", "2", "--file", f, "--approve"],
    );
    assert_eq!(v["contributionId"], 4);
    let err = net.fails(Some(2), &["datanet", "release-bond", "4"]);
    assert!(err.contains("ReviewPeriodNotOver"), "{err}");
    net.advance(61).await;
    let before = net.balance(2).await;
    net.ok(Some(2), &["datanet", "release-bond", "4"]);
    assert_eq!(net.balance(2).await, before + e18(2));

    // Human output is text.
    let out = net.cmd(None, &["datanet", "show", "2"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("datanet 2\n") && text.contains("2 tokens"),
        "{text}"
    );

    // Commit-reveal: two transactions in two blocks, the id reserved by the commit.
    let committed = net.dir.path().join("committed.txt");
    std::fs::write(&committed, b"a record nobody can front-run").unwrap();
    let v = net.ok(
        Some(2),
        &[
            "datanet",
            "contribute",
            "2",
            "--file",
            committed.to_str().unwrap(),
            "--commit-reveal",
            "--approve",
        ],
    );
    assert_eq!(v["contributionId"], 5);
    net.assert_mined(&v).await;
    assert!(v["commitBlock"].as_u64().unwrap() < v["revealBlock"].as_u64().unwrap());
    assert_ne!(v["commitTx"], v["tx"]);
    let hash = keccak256(b"a record nobody can front-run");
    let salt: B256 = v["salt"].as_str().unwrap().parse().unwrap();
    assert_ne!(salt, B256::ZERO);
    assert_eq!(
        v["commitment"],
        openledger_sdk::client::contribution_commitment(hash, addr(2), salt).to_string()
    );
    let registry = net.client(0).datanet_registry();
    assert_eq!(
        registry
            .contributionOf(U256::from(2), hash)
            .call()
            .await
            .unwrap(),
        U256::from(5)
    );
    // Without an allowance for the bond nothing is committed.
    let fresh = net.dir.path().join("fresh.txt");
    std::fs::write(&fresh, b"fresh").unwrap();
    let err = net.fails(
        Some(3),
        &[
            "datanet",
            "contribute",
            "2",
            "--file",
            fresh.to_str().unwrap(),
            "--commit-reveal",
        ],
    );
    assert!(err.contains("allowance too low"), "{err}");

    // A salt given by hand is used as is; the same content again is refused at the reveal.
    let err = net.fails(
        Some(2),
        &[
            "datanet",
            "contribute",
            "2",
            "--file",
            committed.to_str().unwrap(),
            "--commit-reveal",
            "--salt",
            &B256::repeat_byte(7).to_string(),
            "--approve",
        ],
    );
    assert!(err.contains("ContentAlreadySubmitted("), "{err}");
    // Removing the curator.
    let v = net.ok(
        Some(1),
        &["datanet", "curator", "1", &addr(6).to_string(), "--remove"],
    );
    assert_eq!(v["enabled"], false);
}

fn leaf(account: Address, token: Address, amount: U256) -> B256 {
    keccak256(keccak256((account, token, amount).abi_encode()))
}

fn hash_pair(a: B256, b: B256) -> B256 {
    let (x, y) = if a <= b { (a, b) } else { (b, a) };
    keccak256([x.as_slice(), y.as_slice()].concat())
}

#[tokio::test]
async fn model_agent_and_escrow_commands() {
    let net = Net::start().await;
    // Models: a base and a fine-tuned child paying it 10%.
    let v = net.ok(
        Some(1),
        &[
            "model",
            "register",
            "--uri",
            "ipfs://base",
            "--split",
            "5000,4000,1000",
        ],
    );
    assert_eq!(v["modelId"], 1);
    net.assert_mined(&v).await;
    let v = net.ok(
        Some(4),
        &[
            "model",
            "register",
            "--uri",
            "ipfs://child",
            "--parent",
            "1:fine-tune:1000",
        ],
    );
    assert_eq!(v["modelId"], 2);
    net.ok(Some(4), &["model", "set-uri", "2", "ipfs://child2"]);
    net.ok(Some(4), &["model", "set-split", "2", "4000,5000,1000"]);
    let err = net.fails(Some(4), &["model", "set-split", "2", "4000,5000,2000"]);
    assert!(
        err.contains("InvalidSplit") && err.contains("10000"),
        "{err}"
    );
    let v = net.ok(None, &["model", "show", "2"]);
    assert_eq!(v["uri"], "ipfs://child2");
    assert_eq!(v["split"]["dataBps"], 5000);
    assert_eq!(v["parents"][0]["relation"], "fine-tune");
    assert_eq!(v["parents"][0]["royaltyBps"], 1000);
    let v = net.ok(None, &["model", "lineage", "2"]);
    let walk: Vec<(u64, u64)> = v["lineage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["modelId"].as_u64().unwrap(), n["depth"].as_u64().unwrap()))
        .collect();
    assert_eq!(walk, [(2, 0), (1, 1)]);
    // Unknown model, read and write.
    let err = net.fails(None, &["model", "show", "99"]);
    assert!(
        err.contains("model 99 does not exist or is deprecated"),
        "{err}"
    );
    let err = net.fails(
        Some(4),
        &["agent", "register", "--uri", "a", "--model", "99"],
    );
    assert!(
        err.contains("ModelNotActive") && err.contains("model 99 does not exist"),
        "{err}"
    );

    // Agent on the child, wallet = dev key 5 (signs), owner = dev key 4 (sends).
    let v = net.ok(
        Some(4),
        &[
            "agent",
            "register",
            "--uri",
            "ipfs://agent",
            "--model",
            "2",
            "--meta",
            "kind=chat",
        ],
    );
    assert_eq!(v["agentId"], 1);
    net.assert_mined(&v).await;
    let v = net.ok(
        Some(4),
        &["agent", "set-wallet", "1", "--wallet-key", &key_hex(5)],
    );
    assert_eq!(v["wallet"], ja(addr(5)));
    let err = net.fails(Some(4), &["agent", "record-action", "1", "--hash", "act"]);
    assert!(err.contains("NotAgentWallet"), "{err}");
    let v = net.ok(
        Some(5),
        &[
            "agent",
            "record-action",
            "1",
            "--hash",
            "act",
            "--uri",
            "ipfs://a",
            "--outcome",
            "1",
        ],
    );
    assert_eq!(v["index"], 0);
    net.assert_mined(&v).await;
    assert_eq!(v["actionHash"], keccak256(b"act").to_string());
    let v = net.ok(None, &["agent", "actions", "1"]);
    assert_eq!(v["actions"][0]["outcome"], 1);
    assert_eq!(v["actions"][0]["wallet"], ja(addr(5)));
    let err = net.fails(Some(4), &["agent", "feedback", "1", "--value", "5"]);
    assert!(err.contains("SelfFeedback"), "{err}");
    let v = net.ok(
        Some(6),
        &[
            "agent",
            "feedback",
            "1",
            "--value",
            "-3",
            "--decimals",
            "1",
            "--tag1",
            "quality",
        ],
    );
    assert_eq!(v["index"], 0);
    net.assert_mined(&v).await;
    // Revoking: only by the client who gave it, once, and only feedback that exists.
    let err = net.fails(Some(3), &["agent", "revoke-feedback", "1", "0"]);
    assert!(
        err.contains("NotFeedbackClient") && err.contains("only the client who gave"),
        "{err}"
    );
    let err = net.fails(Some(6), &["agent", "revoke-feedback", "1", "7"]);
    assert!(
        err.contains("UnknownFeedback") && err.contains("no feedback with that index"),
        "{err}"
    );
    let v = net.ok(Some(6), &["agent", "revoke-feedback", "1", "0"]);
    net.assert_mined(&v).await;
    assert_eq!(v["revoked"], true);
    let f = net
        .client(0)
        .feedback(U256::from(1), U256::ZERO)
        .await
        .unwrap();
    assert!(f.revoked && f.client == addr(6));
    let err = net.fails(Some(6), &["agent", "revoke-feedback", "1", "0"]);
    assert!(err.contains("FeedbackAlreadyRevoked"), "{err}");
    let v = net.ok(None, &["agent", "show", "1"]);
    assert_eq!(v["wallet"], ja(addr(5)));
    assert_eq!(v["modelId"], 2);
    assert_eq!(v["actionCount"], 1);
    assert_eq!(v["feedbackCount"], 1);

    // Escrow: pay without approval (hint), with a permit, then approved.
    net.ok(
        Some(0),
        &["token", "mint", &addr(3).to_string(), "1000ether"],
    );
    let out_hash = keccak256(b"out").to_string();
    let pay_args = [
        "escrow",
        "pay",
        "--model",
        "2",
        "--agent",
        "1",
        "--amount",
        "100ether",
        "--output-hash",
        &out_hash,
    ];
    let pay = |extra: &[&'static str]| {
        let mut a: Vec<&str> = pay_args.to_vec();
        a.extend_from_slice(extra);
        a
    };
    let err = net.fails(Some(3), &pay(&[]));
    assert!(
        err.contains("openledger token approve") && err.contains("--permit"),
        "{err}"
    );
    let v = net.ok(Some(3), &pay(&["--permit"]));
    assert_eq!(v["inferenceId"], 1);
    net.assert_mined(&v).await;
    assert_eq!(net.balance(3).await, e18(900));
    net.ok(Some(3), &["token", "approve", "escrow", "100ether"]);
    let v = net.ok(Some(3), &pay(&[]));
    assert_eq!(v["inferenceId"], 2);
    net.assert_mined(&v).await;
    // Unknown model, by permit (so the contract is the one refusing).
    let err = net.fails(
        Some(3),
        &[
            "escrow",
            "pay",
            "--model",
            "99",
            "--amount",
            "1",
            "--output-hash",
            &out_hash,
            "--permit",
        ],
    );
    assert!(
        err.contains("model 99 does not exist or is deprecated"),
        "{err}"
    );
    // Deprecate the base model; paying for it is refused with the same hint.
    let v = net.ok(Some(1), &["model", "deprecate", "1"]);
    assert_eq!(v["deprecated"], true);
    assert_eq!(net.ok(None, &["model", "show", "1"])["deprecated"], true);
    let err = net.fails(
        Some(3),
        &[
            "escrow",
            "pay",
            "--model",
            "1",
            "--amount",
            "1",
            "--output-hash",
            &out_hash,
            "--permit",
        ],
    );
    assert!(
        err.contains("model 1 does not exist or is deprecated"),
        "{err}"
    );

    // A root (signed by the oracle dev keys): alice (2) 100, agent owner (4) 90.
    let d = &net.deployment;
    let token = d.contracts.payment_token;
    let (a_amt, o_amt) = (e18(100), e18(90));
    let (la, lo) = (leaf(addr(2), token, a_amt), leaf(addr(4), token, o_amt));
    let admin = net.client(0);
    let update = RootUpdate {
        epoch: 1,
        root: hash_pair(la, lo),
        totalCumulative: a_amt + o_amt,
        reportHash: keccak256(b"report"),
        fromBlock: 0,
        toBlock: admin.provider().get_block_number().await.unwrap() - 1,
    };
    let domain = escrow_domain(d.chain_id, d.contracts.reward_escrow);
    let mut sigs = Vec::new();
    for k in [dev_key(7).unwrap(), dev_key(8).unwrap()] {
        sigs.push(update.sign(&k, &domain).await.unwrap());
    }
    admin
        .propose_root(&update, sort_signatures(&update, &domain, &sigs).unwrap())
        .await
        .unwrap();
    net.advance(61).await;
    admin.accept_root().await.unwrap();

    let alice = addr(2).to_string();
    let v = net.ok(
        None,
        &["escrow", "claimable", &alice, "--amount", "100ether"],
    );
    assert_eq!(u(&v["claimable"]), a_amt);
    // Wrong amount: the proof does not match.
    let err = net.fails(
        Some(3),
        &[
            "escrow",
            "claim",
            "--account",
            &alice,
            "--amount",
            "101ether",
            "--proof",
            &lo.to_string(),
        ],
    );
    assert!(err.contains("fetch a fresh proof"), "{err}");
    let before = net.balance(2).await;
    let v = net.ok(
        Some(3),
        &[
            "escrow",
            "claim",
            "--account",
            &alice,
            "--amount",
            "100ether",
            "--proof",
            &lo.to_string(),
        ],
    );
    assert_eq!(u(&v["paid"]), a_amt);
    net.assert_mined(&v).await;
    assert_eq!(net.balance(2).await, before + a_amt);
    let v = net.ok(None, &["escrow", "claimed", &alice]);
    assert_eq!(u(&v["claimed"]), a_amt);
    let v = net.ok(
        None,
        &["escrow", "claimable", &alice, "--amount", "100ether"],
    );
    assert_eq!(u(&v["claimable"]), U256::ZERO);
    // The agent owner claims for itself from a proof file (amount inside).
    let proof_file = net.dir.path().join("proof.json");
    std::fs::write(
        &proof_file,
        serde_json::json!({ "amount": o_amt.to_string(), "proof": [la.to_string()] }).to_string(),
    )
    .unwrap();
    let v = net.ok(
        Some(4),
        &[
            "escrow",
            "claim",
            "--proof-file",
            proof_file.to_str().unwrap(),
        ],
    );
    assert_eq!(v["account"], ja(addr(4)));
    assert_eq!(u(&v["paid"]), o_amt);
}

fn write_keystore(dir: &Path, key: &PrivateKeySigner, password: &str) -> std::path::PathBuf {
    let mut rng = rand::thread_rng();
    PrivateKeySigner::encrypt_keystore(dir, &mut rng, key.to_bytes(), password, Some("ks.json"))
        .unwrap();
    dir.join("ks.json")
}

#[tokio::test]
async fn deployments_keys_and_keystores() {
    let net = Net::start().await;
    // No deployment file for this chain: where we looked, and deploy first.
    let empty = tempfile::tempdir().unwrap();
    let out = net
        .cmd(
            None,
            &["token", "balance", &addr(1).to_string(), "--deployments"],
        )
        .arg(empty.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("no deployment for chain 31337")
            && err.contains(&empty.path().join("31337.json").display().to_string())
            && err.contains("deploy"),
        "{err}"
    );
    // A file named for this chain that is for another: wrong chain.
    let mut other = net.deployment.clone();
    other.chain_id = 1;
    let wrong = tempfile::tempdir().unwrap();
    std::fs::write(
        wrong.path().join("31337.json"),
        serde_json::to_vec(&other).unwrap(),
    )
    .unwrap();
    let out = net
        .cmd(Some(1), &["datanet", "show", "1", "--deployments"])
        .arg(wrong.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("wrong chain") && err.contains("expected chain 31337"),
        "{err}"
    );

    // Keystores: a wrong password fails clearly; the right one (from a file) signs.
    let ks_dir = tempfile::tempdir().unwrap();
    let ks = write_keystore(ks_dir.path(), &dev_key(2).unwrap(), "hunter2");
    let ks = ks.to_str().unwrap();
    let err = net.fails(
        None,
        &["token", "balance", "--keystore", ks, "--password", "nope"],
    );
    assert!(
        err.contains("cannot decrypt keystore") && err.contains("wrong password"),
        "{err}"
    );
    let err = net.fails(None, &["token", "balance", "--keystore", ks]);
    assert!(err.contains("--password"), "{err}");
    let pw = ks_dir.path().join("pw");
    std::fs::write(&pw, "hunter2\n").unwrap();
    let pw = pw.to_str().unwrap();
    let v = net.ok(
        None,
        &["token", "balance", "--keystore", ks, "--password-file", pw],
    );
    assert_eq!(v["account"], ja(addr(2)));
    let v = net.ok(
        None,
        &[
            "token",
            "approve",
            "escrow",
            "5",
            "--keystore",
            ks,
            "--password-file",
            pw,
        ],
    );
    assert!(v["tx"].is_string());
    assert_eq!(
        net.client(2)
            .allowance(net.deployment.contracts.reward_escrow)
            .await
            .unwrap(),
        U256::from(5)
    );

    // The key from the environment (PRIVATE_KEY fallback), and a minting refusal by the token.
    let out = net
        .cmd(None, &["token", "approve", "datanets", "7", "--json"])
        .env("PRIVATE_KEY", key_hex(3))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        net.client(3)
            .allowance(net.deployment.contracts.datanet_registry)
            .await
            .unwrap(),
        U256::from(7)
    );
    // Bad input is refused before anything is sent.
    let err = net.fails(Some(1), &["token", "mint", &addr(1).to_string(), "lots"]);
    assert!(err.contains("invalid amount"), "{err}");
    // Unreachable node.
    let out = Command::new(env!("CARGO_BIN_EXE_openledger"))
        .args([
            "token",
            "balance",
            &addr(1).to_string(),
            "--rpc-url",
            "http://127.0.0.1:9",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("no answer from"));
}
