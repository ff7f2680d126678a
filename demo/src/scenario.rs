//! The demo's economy, played with real transactions through the SDK: who does what, in order.
//!
//! Cast (anvil dev accounts; 7, 8 and 9 are the oracle committee):
//! 0 admin (treasury, guardian), 1 datanet owner and curator, 2 alice, 3 bob, 4 carol (honest
//! contributors), 5 gamer (copies and near copies of others' records), 6 spammer, 10 base model
//! owner (who also contributes a record of its own and has every base output quote it), 11
//! fine-tuner (child model), 12 agent owner, 13 agent wallet, 14 payer, 15 client giving feedback,
//! 16 mosaic copier (records spliced from sentences of several others' records).

use std::collections::BTreeMap;

use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, B256, U256, keccak256},
    providers::{DynProvider, Provider},
};
use openledger_sdk::{
    Deployment, Error, OpenLedger,
    client::{DatanetPolicy, ModelSpec, Relation},
    content_client::ContentClient,
    devnet::{self, dev_key},
};

use crate::{
    corpus::{near_copy, records, spam},
    ngram::{Rng, TrigramModel},
};

/// Why the scenario stopped.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// A transaction or read failed.
    #[error(transparent)]
    Chain(#[from] Error),
    /// The content store refused or was unreachable.
    #[error("content store: {0}")]
    Content(#[from] openledger_sdk::content_client::ContentStoreError),
    /// The node answered without a latest block.
    #[error("the node has no latest block")]
    NoLatestBlock,
}

/// A role in the demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Protocol admin and treasury.
    Treasury,
    /// Datanet owner and curator.
    Curator,
    /// An honest contributor.
    Contributor,
    /// Submits copies and near copies of others' records.
    Gamer,
    /// Splices sentences of several others' records into records of its own.
    MosaicCopier,
    /// Submits junk.
    Spammer,
    /// Owner of the base model.
    BaseModelOwner,
    /// Owner of the fine-tuned child model.
    FineTuner,
    /// Owner of the agent.
    AgentOwner,
    /// Pays for inferences.
    Payer,
}

impl Role {
    /// A short label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Self::Treasury => "treasury",
            Self::Curator => "curator",
            Self::Contributor => "contributor",
            Self::Gamer => "gamer",
            Self::MosaicCopier => "mosaic copier",
            Self::Spammer => "spammer",
            Self::BaseModelOwner => "base model owner",
            Self::FineTuner => "fine-tuner",
            Self::AgentOwner => "agent owner",
            Self::Payer => "payer",
        }
    }
}

/// The accounts of the cast, with their roles and names.
pub fn cast() -> Result<Vec<(u32, &'static str, Role)>, Error> {
    Ok(vec![
        (0, "admin", Role::Treasury),
        (1, "curator", Role::Curator),
        (2, "alice", Role::Contributor),
        (3, "bob", Role::Contributor),
        (4, "carol", Role::Contributor),
        (5, "gamer", Role::Gamer),
        (6, "spammer", Role::Spammer),
        (16, "mosaicist", Role::MosaicCopier),
        (10, "base-owner", Role::BaseModelOwner),
        (11, "fine-tuner", Role::FineTuner),
        (12, "agent-owner", Role::AgentOwner),
        (14, "payer", Role::Payer),
    ])
}

/// Settings of a run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Inferences paid per phase (the demo runs two phases, one epoch each).
    pub inferences_per_phase: usize,
    /// Fee per inference, in token units (18 decimals).
    pub fee_tokens: u64,
    /// Words per output.
    pub output_words: usize,
    /// Seed of every random choice.
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            inferences_per_phase: 150,
            fee_tokens: 10,
            output_words: 60,
            seed: 2026,
        }
    }
}

/// What the set-up created, for the inference phases and the final table.
#[derive(Debug, Clone)]
pub struct World {
    /// Curated datanet of science records.
    pub science: U256,
    /// Curated datanet of engineering records.
    pub engineering: U256,
    /// Base model (trained on science).
    pub base: U256,
    /// Fine-tune of the base (trained on engineering too), paying it a royalty.
    pub child: U256,
    /// Agent running on the child model.
    pub agent: U256,
    /// Accepted record texts per datanet, for training the text models.
    pub accepted: BTreeMap<U256, Vec<String>>,
    /// The words of its own record the base model's owner appends to every base output.
    pub owner_quote: String,
    /// Names by address.
    pub names: BTreeMap<Address, (&'static str, Role)>,
}

/// One participant's connection.
fn as_account(rpc: &str, d: &Deployment, index: u32) -> Result<OpenLedger<DynProvider>, Error> {
    devnet::client(rpc, d, dev_key(index)?)
}

/// Address of dev account `index`.
pub fn address(index: u32) -> Result<Address, Error> {
    Ok(dev_key(index)?.address())
}

fn e18(tokens: u64) -> U256 {
    U256::from(tokens) * U256::from(10u64).pow(U256::from(18))
}

/// Datanets, contributions (honest, gamed, spam), curation, versions, models and the agent.
pub async fn set_up(
    rpc: &str,
    d: &Deployment,
    content: &ContentClient,
    say: &dyn Fn(String),
) -> Result<World, ScenarioError> {
    let admin = as_account(rpc, d, 0)?;
    let curator = as_account(rpc, d, 1)?;
    for i in [2, 3, 4, 5, 6, 10, 14, 16] {
        admin.mint_dev_tokens(address(i)?, e18(100_000)).await?;
    }
    let policy = DatanetPolicy {
        bond: 10u128.pow(18),
        curated: true,
        review_period: 3600,
    };
    let science = curator
        .create_datanet("ipfs://datanet/science", policy, None)
        .await?;
    let engineering = curator
        .create_datanet("ipfs://datanet/engineering", policy, None)
        .await?;
    say(format!(
        "curator created datanets {science} (science) and {engineering} (engineering), bond 1 token, curated"
    ));

    // Records alternate between the datanets; contributors take turns.
    let all = records();
    let honest = [2u32, 3, 4];
    let mut rng = Rng::new(0x5eed);
    let mut pending: BTreeMap<U256, Vec<(U256, String, bool)>> = BTreeMap::new();
    let mut first_owner: Vec<(U256, String)> = Vec::new();
    for (i, text) in all.iter().enumerate() {
        let datanet = if i % 2 == 0 { science } else { engineering };
        let who = honest[i % honest.len()];
        let c = as_account(rpc, d, who)?;
        c.approve(d.contracts.datanet_registry, e18(1_000)).await?;
        content.put(text.as_bytes()).await?;
        let id = c
            .contribute(datanet, text.as_bytes(), &format!("ipfs://record/{i}"))
            .await?;
        pending
            .entry(datanet)
            .or_default()
            .push((id, text.clone(), true));
        first_owner.push((datanet, text.clone()));
    }
    say(format!(
        "alice, bob and carol contributed {} records",
        all.len()
    ));

    // The gamer resubmits six records: three near copies in the same datanet (an exact copy
    // would be refused there), three exact copies into the other datanet.
    let gamer = as_account(rpc, d, 5)?;
    gamer
        .approve(d.contracts.datanet_registry, e18(1_000))
        .await?;
    for (k, (datanet, text)) in first_owner.iter().take(6).enumerate() {
        let (target, copy) = if k % 2 == 0 {
            (*datanet, near_copy(text, &mut rng))
        } else {
            let other = if *datanet == science {
                engineering
            } else {
                science
            };
            (other, text.clone())
        };
        content.put(copy.as_bytes()).await?;
        let id = gamer
            .contribute(target, copy.as_bytes(), &format!("ipfs://gamer/{k}"))
            .await?;
        pending.entry(target).or_default().push((id, copy, true));
    }
    say(
        "the gamer resubmitted 6 records: 3 near copies, 3 exact copies in the other datanet"
            .into(),
    );

    // The mosaic copier splices four long sentences of four different records into each of its
    // records: no near copy of any one, so clustering does not see them; prior art does.
    let mosaicist = as_account(rpc, d, 16)?;
    mosaicist
        .approve(d.contracts.datanet_registry, e18(1_000))
        .await?;
    let sentences: Vec<String> = all
        .iter()
        .step_by(2) // the science records
        .filter_map(|r| {
            r.split(". ")
                .find(|s| s.split_whitespace().count() >= 14)
                .map(|s| format!("{}.", s.trim_end_matches('.')))
        })
        .collect();
    for k in 0..3 {
        let mosaic: Vec<&str> = (0..4)
            .map(|j| sentences[(k + 3 * j) % sentences.len()].as_str())
            .collect();
        let text = mosaic.join(" ");
        content.put(text.as_bytes()).await?;
        let id = mosaicist
            .contribute(science, text.as_bytes(), &format!("ipfs://mosaic/{k}"))
            .await?;
        pending.entry(science).or_default().push((id, text, true));
    }
    say(
        "the mosaic copier submitted 3 records spliced from sentences of 12 others' records".into(),
    );

    // The base model's owner contributes a record of its own, then has every output of its
    // model quote it, hoping to divert the data share to itself.
    let owner_record = "Our laboratory notebook records that a well calibrated thermometer \
        placed in the geometric centre of the loaf reads ninety six degrees when the crumb has \
        set, which is the reading every base model answer should end with for completeness.";
    let base_owner = as_account(rpc, d, 10)?;
    base_owner
        .approve(d.contracts.datanet_registry, e18(1_000))
        .await?;
    content.put(owner_record.as_bytes()).await?;
    let id = base_owner
        .contribute(science, owner_record.as_bytes(), "ipfs://owner-record")
        .await?;
    pending
        .entry(science)
        .or_default()
        .push((id, owner_record.to_owned(), true));
    let owner_quote = owner_record
        .split_whitespace()
        .take(22)
        .collect::<Vec<_>>()
        .join(" ");
    say(
        "the base model's owner contributed a record of its own (its outputs will quote it)".into(),
    );

    let spammer = as_account(rpc, d, 6)?;
    spammer
        .approve(d.contracts.datanet_registry, e18(1_000))
        .await?;
    for k in 0..3 {
        let junk = spam(&mut rng);
        content.put(junk.as_bytes()).await?;
        let id = spammer
            .contribute(science, junk.as_bytes(), &format!("ipfs://spam/{k}"))
            .await?;
        pending.entry(science).or_default().push((id, junk, false));
    }
    say("the spammer submitted 3 junk records".into());

    // The curator accepts what reads like a record (the copies pass a human eye) and rejects
    // the junk, which slashes its bonds.
    let mut accepted: BTreeMap<U256, Vec<String>> = BTreeMap::new();
    for (datanet, items) in &pending {
        let ok: Vec<U256> = items
            .iter()
            .filter(|(_, _, good)| *good)
            .map(|(id, ..)| *id)
            .collect();
        let bad: Vec<U256> = items
            .iter()
            .filter(|(_, _, good)| !*good)
            .map(|(id, ..)| *id)
            .collect();
        curator.accept_contributions(*datanet, &ok).await?;
        if !bad.is_empty() {
            curator
                .reject_contributions(*datanet, &bad, keccak256(b"spam"))
                .await?;
        }
        let texts: Vec<String> = items
            .iter()
            .filter(|(_, _, good)| *good)
            .map(|(_, t, _)| t.clone())
            .collect();
        let last = ok.iter().max().copied().unwrap_or_default();
        curator
            .publish_version(
                *datanet,
                keccak256(texts.join("\n").as_bytes()),
                &format!("ipfs://datanet/{datanet}/v1"),
                ok.len() as u64,
                u64::try_from(last).unwrap_or(u64::MAX),
            )
            .await?;
        accepted.insert(*datanet, texts);
    }
    say("the curator accepted the records (copies included: they look fine), rejected the spam, and published version 1 of both datanets".into());

    let base = as_account(rpc, d, 10)?
        .register_model(&ModelSpec {
            uri: "ipfs://model/base".into(),
            datanets: vec![(science, 1)],
            parents: vec![],
            split: (5000, 4000, 1000),
        })
        .await?;
    let child = as_account(rpc, d, 11)?
        .register_model(&ModelSpec {
            uri: "ipfs://model/child".into(),
            datanets: vec![(engineering, 1)],
            parents: vec![(base, Relation::FineTune, 2000)],
            split: (4000, 5000, 1000),
        })
        .await?;
    say(format!(
        "base model {base} (science; owner 50% / data 40% / agent 10%) and its fine-tune {child} (engineering; pays the base 20% of its owner revenue)"
    ));

    let agent_owner = as_account(rpc, d, 12)?;
    let agent = agent_owner
        .register_agent("ipfs://agent/helper", child, &[])
        .await?;
    let wallet = dev_key(13)?;
    let deadline = chain_time(&agent_owner).await? + 3600;
    let sig = agent_owner
        .sign_agent_wallet(&wallet, agent, address(12)?, deadline)
        .await?;
    agent_owner
        .set_agent_wallet(agent, wallet.address(), deadline, sig)
        .await?;
    say(format!(
        "agent {agent} runs on model {child}, its wallet bound by its own signature"
    ));

    let mut names = BTreeMap::new();
    for (i, name, role) in cast()? {
        names.insert(address(i)?, (name, role));
    }
    Ok(World {
        science,
        engineering,
        base,
        child,
        agent,
        accepted,
        owner_quote,
        names,
    })
}

/// The latest block's timestamp: what the registry checks a deadline against (this machine's
/// clock can run a second ahead of anvil's, which made a deadline of an hour from it too far).
async fn chain_time(client: &OpenLedger<DynProvider>) -> Result<u64, ScenarioError> {
    let block = client
        .provider()
        .get_block_by_number(BlockNumberOrTag::Latest)
        .await
        .map_err(Error::from)?
        .ok_or(ScenarioError::NoLatestBlock)?;
    Ok(block.header.timestamp)
}

/// Pays `n` inferences, their outputs written by a trigram model trained on the paid model's
/// corpus (its datanets and its ancestors'), uploaded to the content store first. Calls on the
/// child model go through the agent, which records each as an action; a client rates the agent.
pub async fn pay_inferences(
    rpc: &str,
    d: &Deployment,
    content: &ContentClient,
    world: &World,
    settings: &Settings,
    phase: u64,
    say: &dyn Fn(String),
) -> Result<(), ScenarioError> {
    let payer = as_account(rpc, d, 14)?;
    let wallet = as_account(rpc, d, 13)?;
    let fee = e18(settings.fee_tokens);
    let total = fee * U256::from(settings.inferences_per_phase);
    payer.approve(d.contracts.reward_escrow, total).await?;
    let base_texts = world
        .accepted
        .get(&world.science)
        .cloned()
        .unwrap_or_default();
    let mut child_texts = base_texts.clone();
    child_texts.extend(
        world
            .accepted
            .get(&world.engineering)
            .cloned()
            .unwrap_or_default(),
    );
    let base_model = TrigramModel::train(base_texts.iter().map(String::as_str));
    let child_model = TrigramModel::train(child_texts.iter().map(String::as_str));
    let mut rng = Rng::new(settings.seed ^ phase.wrapping_mul(0x9e37_79b9));
    for i in 0..settings.inferences_per_phase {
        let on_child = i % 3 != 0;
        let (model_id, agent_id, text_model) = if on_child {
            (world.child, world.agent, &child_model)
        } else {
            (world.base, U256::ZERO, &base_model)
        };
        let mut output = text_model.generate(&mut rng, settings.output_words);
        if !on_child {
            // The base model's owner has its outputs quote its own record.
            output.push(' ');
            output.push_str(&world.owner_quote);
        }
        let hash = content.put(output.as_bytes()).await?;
        payer
            .pay_inference(
                model_id,
                agent_id,
                fee,
                hash,
                &format!("ipfs://output/{phase}/{i}"),
            )
            .await?;
        if on_child {
            wallet
                .record_action(world.agent, hash, &format!("ipfs://action/{phase}/{i}"), 1)
                .await?;
        }
    }
    as_account(rpc, d, 15)?
        .give_feedback(
            world.agent,
            4,
            0,
            keccak256(b"helpful"),
            B256::ZERO,
            "ipfs://feedback",
            B256::ZERO,
        )
        .await?;
    say(format!(
        "phase {phase}: {} inferences paid ({} tokens each), outputs written by trigram models trained on each model's datanets",
        settings.inferences_per_phase, settings.fee_tokens
    ));
    Ok(())
}
