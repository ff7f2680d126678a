//! The web app in a real browser against a real chain: Debian's chromium driven by
//! puppeteer-core (`app/test/e2e.mjs`), anvil with the project's contracts, a live indexer serving
//! the API and the app, and the oracle committee posting the epoch root. A contributor
//! contributes through the page (upload, bond approval, commit, reveal), the curator accepts it
//! through the page, the committee's root becomes current, and the contributor claims through the
//! page; every step's on-chain result is checked here. Then the error paths: a wallet on another
//! chain, a reverted transaction named by its custom error, no wallet, and a 375-px screen.
//! Screenshots land in `target/app-screenshots/`.

#![allow(clippy::unwrap_used)]

mod economy;

use std::{path::Path, process::Stdio};

use alloy::primitives::{U256, keccak256};
use economy::{
    Net, e18, epochs, fund_payer, pay, records, serve_state, start_committee, sync_config,
    wait_for, words,
};
use openledger_indexer::{
    Store,
    api::{ApiState, AppConfig},
    sync::Indexer,
};
use openledger_oracle::text::normalize;
use openledger_sdk::{
    client::{DatanetPolicy, ModelSpec, Relation},
    content_client::ContentClient,
};
use serde_json::Value;

/// Runs one phase of the browser script and returns its JSON line.
async fn browser(phase: &str, app: &str, net: &Net, vars: &[(&str, String)]) -> Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let shots = root.join("target/app-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let mut cmd = tokio::process::Command::new("node");
    cmd.arg(root.join("app/test/e2e.mjs"))
        .env("PHASE", phase)
        .env("APP_URL", format!("{app}/app/"))
        .env("RPC_URL", &net.url)
        .env("SCREENSHOTS", &shots)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().await.expect("node runs");
    assert!(
        out.status.success(),
        "browser phase {phase} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("phase {phase} printed no JSON ({e}): {stdout}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wallet_user_contributes_gets_accepted_and_claims_through_the_app() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            std::env::var("RUST_LOG").unwrap_or_else(|_| "openledger_oracle=info".into()),
        ))
        .with_test_writer()
        .try_init();
    let net = Net::start().await;
    let dir = tempfile::tempdir().unwrap();
    // One store: the live index, the content store and the API the app reads.
    let store = Store::connect(&format!(
        "sqlite:{}",
        dir.path().join("app.sqlite").display()
    ))
    .await
    .unwrap();
    let indexer = Indexer::new(store.clone(), &net.url, &net.deployment, sync_config())
        .await
        .unwrap();
    let metrics = indexer.metrics();
    tokio::spawn(async move { indexer.run(std::future::pending::<()>()).await });
    let app = serve_state(
        ApiState::new(store.clone(), metrics).with_app(AppConfig::new(
            &net.deployment,
            &net.url,
            "anvil",
        )),
    )
    .await;

    let admin = net.as_account(0);
    let curator = net.as_account(1);
    let alice = net.address(2);
    let bond = 10u128.pow(18);
    let datanet = curator
        .create_datanet(
            "ipfs://handbook",
            DatanetPolicy {
                bond,
                curated: true,
                review_period: 3600,
            },
            None,
        )
        .await
        .unwrap();
    admin
        .mint_dev_tokens(alice, U256::from(5) * e18())
        .await
        .unwrap();
    let text = records()[0].clone();
    let vars = |account: u32| {
        vec![
            ("ACCOUNT", format!("{:#x}", net.address(account))),
            ("DATANET", datanet.to_string()),
            ("TEXT", text.clone()),
        ]
    };

    // Contribute through the page: upload, approve the bond, commit, reveal.
    let got = browser("contribute", &app, &net, &vars(2)).await;
    let id = U256::from(got["id"].as_u64().unwrap());
    let c = curator.contribution(id).await.unwrap();
    assert_eq!(c.contributor, alice);
    assert_eq!(c.contentHash, keccak256(text.as_bytes()));
    assert_eq!(c.status, 1, "pending");
    assert_eq!(c.bond, bond, "the bond was approved and taken");
    assert_eq!(
        curator.token_balance(alice).await.unwrap(),
        U256::from(4) * e18()
    );

    // The curator sees the text in its queue and accepts it through the page.
    let mut v = vars(1);
    v.push(("CONTRIBUTION", id.to_string()));
    let got = browser("curate", &app, &net, &v).await;
    assert_eq!(got["shownText"].as_str().unwrap().trim(), text.trim());
    assert_eq!(
        curator.contribution(id).await.unwrap().status,
        2,
        "accepted"
    );
    assert_eq!(
        curator.token_balance(alice).await.unwrap(),
        U256::from(5) * e18(),
        "bond refunded on acceptance"
    );

    // A model on the datanet's first version, an agent, one paid output quoting Alice.
    let last = u64::try_from(id).unwrap();
    curator
        .publish_version(datanet, keccak256(b"v1"), "ipfs://v1", 1, last)
        .await
        .unwrap();
    let model = curator
        .register_model(&ModelSpec {
            uri: "ipfs://model".into(),
            datanets: vec![(datanet, 1)],
            parents: vec![],
            split: (5000, 4000, 1000),
        })
        .await
        .unwrap();
    // A fine-tune of it, so the lineage picture has an edge and a royalty.
    curator
        .register_model(&ModelSpec {
            uri: "ipfs://model-tuned".into(),
            datanets: vec![(datanet, 1)],
            parents: vec![(model, Relation::FineTune, 1500)],
            split: (6000, 3000, 1000),
        })
        .await
        .unwrap();
    let agent = net
        .as_account(4)
        .register_agent("ipfs://agent", model, &[])
        .await
        .unwrap();
    fund_payer(&net).await;
    // Error paths and the phone layout.
    let mut v = vars(2);
    v.push(("MODEL", model.to_string()));
    v.push(("AGENT", agent.to_string()));
    let got = browser("errors", &app, &net, &v).await;
    let wrong = got["wrongNetwork"].as_str().unwrap();
    assert!(
        wrong.contains("chain 1") && wrong.contains("anvil"),
        "{wrong}"
    );
    let revert = got["revert"].as_str().unwrap();
    assert!(revert.contains("ContentAlreadySubmitted"), "{revert}");
    assert!(got["noWallet"].as_str().unwrap().contains("No wallet"));
    for (page, audit) in got["access"].as_object().unwrap() {
        assert!(audit["controls"].as_u64().unwrap() > 0, "{page}: {audit}");
        assert_eq!(audit["unlabelled"], Value::Array(vec![]), "{page}");
        assert_eq!(audit["unreached"], Value::Array(vec![]), "{page}");
    }
    for (page, overflow) in got["overflow"].as_object().unwrap() {
        assert!(
            overflow.as_i64().unwrap() <= 0,
            "{page} scrolls sideways at 375 px by {overflow} px"
        );
    }
    let content = ContentClient::new(&app);
    let output = format!("In short: {}. That is all.", words(&text, 0..60));
    pay(
        &net,
        &content,
        model,
        agent,
        U256::from(100) * e18(),
        &output,
        true,
    )
    .await;
    // The inference must be `finality_depth` blocks deep before an epoch can include it.
    net.mine(3).await;

    // The committee posts epoch 1; after the dispute window it becomes current.
    let nodes = start_committee(&net, &app, dir.path()).await;
    wait_for(120, "epoch 1 proposed", || async {
        (epochs(&net).await.0 >= 1).then_some(())
    })
    .await;
    net.advance(61).await;
    wait_for(120, "epoch 1 accepted", || async {
        (epochs(&net).await.1 >= 1).then_some(())
    })
    .await;
    for n in nodes {
        let _ = n.stop.send(());
    }
    let proof: Value = wait_for(60, "the indexer serves Alice's proof", || async {
        let r = reqwest::get(format!("{app}/v1/accounts/{alice:#x}/proof"))
            .await
            .ok()?;
        if !r.status().is_success() {
            return None;
        }
        r.json().await.ok()
    })
    .await;
    let leaf: U256 = proof["cumulative"].as_str().unwrap().parse().unwrap();
    assert!(leaf > U256::ZERO, "Alice earned a data share");

    // Claim through the page: the balance rises by exactly the leaf.
    let before = curator.token_balance(alice).await.unwrap();
    let got = browser("claim", &app, &net, &vars(2)).await;
    assert_eq!(curator.token_balance(alice).await.unwrap() - before, leaf);
    assert_eq!(curator.escrow().claimed(alice).call().await.unwrap(), leaf);
    assert!(got["message"].as_str().unwrap().starts_with("Claimed"));
    let why: Vec<String> = serde_json::from_value(got["why"].clone()).unwrap();
    // A client (Alice, who is not the agent's operator) gives feedback through the page.
    let mut v = vars(2);
    v.push(("MODEL", model.to_string()));
    v.push(("AGENT", agent.to_string()));
    let got_after = browser("after", &app, &net, &v).await;
    let registry = curator.agent_registry();
    assert_eq!(
        registry.feedbackCount(agent).call().await.unwrap(),
        U256::from(1)
    );
    let fb = registry
        .getFeedback(agent, U256::ZERO)
        .call()
        .await
        .unwrap();
    assert_eq!((fb.client, fb.revoked), (alice, false));
    let shown = got_after["epochs"].as_str().unwrap();
    assert!(
        shown.contains("accepted"),
        "the epochs page shows epoch 1 accepted: {shown}"
    );

    // Spans are shown in the index's normalised form (lower case, words only).
    let alice_words = normalize(&text);
    assert!(
        why.iter()
            .any(|s| s.split_whitespace().count() >= 8 && alice_words.contains(s.trim())),
        "'why did I earn this' shows a span of Alice's text: {why:?}"
    );

    // A contribution whose reveal the wallet declined is finished on the next visit.
    let second = records()[1].clone();
    let v = vec![
        ("ACCOUNT", format!("{alice:#x}")),
        ("DATANET", datanet.to_string()),
        ("TEXT", second.clone()),
    ];
    let got = browser("resume", &app, &net, &v).await;
    assert!(got["declined"].as_str().unwrap().contains("declined"));
    let c = curator
        .contribution(U256::from(got["id"].as_u64().unwrap()))
        .await
        .unwrap();
    assert_eq!(
        (c.contributor, c.contentHash, c.status),
        (alice, keccak256(second.as_bytes()), 1),
        "revealed and pending"
    );
    assert_eq!(
        got["left"].as_str().unwrap(),
        "{}",
        "the salt is forgotten once revealed"
    );
}
