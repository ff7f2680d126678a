//! The generator on a real anvil: every kind of event shows up, the counts match what the chain
//! returns, the same seed builds the same chain, and a stock anvil (30M gas blocks) works too.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use alloy::{
    providers::{Provider, ProviderBuilder},
    rpc::types::Filter,
    sol_types::SolEvent,
};
use openledger_loadgen::{Config, Report, generate};
use openledger_sdk::{bindings::RewardEscrow, devnet::dev_key};
use openledger_testkit::{spawn_anvil, spawn_anvil_with};

async fn run(
    gas_limit: Option<&str>,
    events: u64,
    seed: u64,
) -> (Report, alloy::node_bindings::AnvilInstance) {
    let anvil = match gas_limit {
        Some(limit) => spawn_anvil_with(&["--gas-limit", limit]).unwrap(),
        None => spawn_anvil().unwrap(),
    };
    let mut cfg = Config::new(anvil.endpoint(), events);
    cfg.seed = seed;
    let report = generate(&cfg).await.unwrap();
    (report, anvil)
}

#[tokio::test]
async fn every_kind_of_event_in_the_counted_numbers() {
    let (report, anvil) = run(Some("1000000000"), 2_000, 7).await;
    let c = &report.counts;
    assert!(c.project_events >= 2_000, "{c:?}");
    assert_eq!(c.other_events, 0);
    for kind in [
        "DatanetRegistry.DatanetCreated",
        "DatanetRegistry.CuratorSet",
        "DatanetRegistry.ContributionSubmitted",
        "DatanetRegistry.ContributionAccepted",
        "DatanetRegistry.ContributionRejected",
        "DatanetRegistry.ContributionWithdrawn",
        "DatanetRegistry.BondReleased",
        "DatanetRegistry.VersionPublished",
        "ModelRegistry.ModelRegistered",
        "ModelRegistry.ParentLinked",
        "ModelRegistry.TrainedOn",
        "ModelRegistry.FeeSplitUpdated",
        "AgentRegistry.AgentRegistered",
        "AgentRegistry.MetadataSet",
        "AgentRegistry.AgentWalletSet",
        "AgentRegistry.ActionRecorded",
        "AgentRegistry.FeedbackGiven",
        "AgentRegistry.FeedbackRevoked",
        "RewardEscrow.InferencePaid",
        "RewardEscrow.ProtocolFeesWithdrawn",
        "RewardEscrow.RootProposed",
        "RewardEscrow.RootAccepted",
        "RewardEscrow.RootVetoed",
        "RewardEscrow.Claimed",
        "PaymentToken.Transfer",
    ] {
        assert!(
            c.by_event.get(kind).copied().unwrap_or(0) > 0,
            "no {kind}: {c:?}"
        );
    }
    // Mostly contributions, inferences and actions.
    let busy: u64 = [
        "DatanetRegistry.ContributionSubmitted",
        "RewardEscrow.InferencePaid",
        "AgentRegistry.ActionRecorded",
    ]
    .iter()
    .map(|k| c.by_event[*k])
    .sum();
    assert!(busy * 100 / c.project_events >= 60, "{c:?}");

    // The chain agrees with the tally.
    let d = &report.deployment;
    let provider = ProviderBuilder::new().connect_http(anvil.endpoint_url());
    let logs = provider
        .get_logs(
            &Filter::new()
                .from_block(d.start_block)
                .to_block(report.head)
                .address(vec![
                    d.contracts.datanet_registry,
                    d.contracts.model_registry,
                    d.contracts.agent_registry,
                    d.contracts.reward_escrow,
                ]),
        )
        .await
        .unwrap();
    assert_eq!(logs.len() as u64, c.project_events);
    assert!(logs.iter().all(|l| l.block_number.unwrap() <= c.last_block));

    // Some inferences were paid with permits by the dev accounts, the rest by the actors.
    let payers: Vec<_> = logs
        .iter()
        .filter_map(|l| l.log_decode::<RewardEscrow::InferencePaid>().ok())
        .map(|l| l.inner.data.payer)
        .collect();
    assert_eq!(
        payers.len() as u64,
        c.by_event["RewardEscrow.InferencePaid"]
    );
    let permit_payer = dev_key(2).unwrap().address();
    assert!(payers.contains(&permit_payer));
    assert!(payers.iter().any(|p| report.actors.contains(p)));
    assert_eq!(
        logs.iter()
            .filter(|l| l.topic0() == Some(&RewardEscrow::RootVetoed::SIGNATURE_HASH))
            .count(),
        1
    );
}

#[tokio::test]
async fn same_seed_same_chain_and_stock_anvil_works() {
    let counts = |r: &Report| -> BTreeMap<String, u64> { r.counts.by_event.clone() };
    // A stock anvil: 30M gas blocks, so batches are cut smaller.
    let (a, _anvil_a) = run(None, 1_000, 3).await;
    let (b, _anvil_b) = run(None, 1_000, 3).await;
    assert_eq!(counts(&a), counts(&b));
    assert_eq!(a.deployment, b.deployment);
    let (c, _anvil_c) = run(None, 1_000, 4).await;
    assert_ne!(counts(&a), counts(&c));
}

#[tokio::test]
async fn the_command_writes_the_deployment_and_ends_with_json() {
    let anvil = spawn_anvil_with(&["--gas-limit", "1000000000"]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let deployment = dir.path().join("deployment.json");
    let report = dir.path().join("report.json");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .args([
            "--rpc-url",
            &anvil.endpoint(),
            "--events",
            "600",
            "--quiet",
            "--no-roots",
        ])
        .arg("--deployment-out")
        .arg(&deployment)
        .arg("--report-out")
        .arg(&report)
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let last: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert!(last["events"].as_u64().unwrap() >= 600, "{stdout}");
    assert!(last["lastBlock"].as_u64().unwrap() <= last["head"].as_u64().unwrap());
    let d = openledger_sdk::Deployment::from_file(&deployment).unwrap();
    assert_eq!(d.chain_id, 31_337);
    let full: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(full["counts"]["projectEvents"], last["events"]);
    assert!(
        full["counts"]["byEvent"]
            .get("RewardEscrow.RootProposed")
            .is_none()
    );
}
