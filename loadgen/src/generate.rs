//! The generator: deploys OpenLedger, then builds its economy round by round.
//!
//! A round is a sequence of phases (contributions, reviews, versions, models, agents, wallets,
//! activity), each sent as batched `LoadGen.run` transactions and settled before the next, so
//! that later phases can use the ids the earlier ones produced. The proportions follow what an
//! indexer of a live OpenLedger would see most: contributions and their reviews, paid
//! inferences and agent actions; models, agents and their administration are rarer. After the
//! rounds, time is moved past every review deadline so bonds are released and unreviewed
//! contributions withdrawn, and three epoch roots are proposed (two accepted with claims
//! against them, one vetoed).

use std::{collections::VecDeque, time::Instant};

use alloy::{
    primitives::{Address, B256, Bytes, U256, keccak256},
    providers::Provider,
    signers::{Signer, local::PrivateKeySigner},
    sol,
    sol_types::{Eip712Domain, SolCall, SolStruct},
};
use openledger_sdk::{
    Deployment, RootUpdate,
    bindings::{
        AgentRegistry as A, DatanetRegistry as D, DevToken as T, LoadGen, ModelRegistry as M,
        RewardEscrow as E, model_registry::IModelRegistry::FeeSplit,
    },
    client::{AgentWalletSet, agent_wallet_domain},
    deploy::deploy,
    devnet::{default_local_config, dev_key, wallet_provider},
    escrow_domain,
    merkle::{Claim, ClaimTree},
    sort_signatures,
};
use serde_json::json;

use crate::{Config, LoadgenError, Report, chain::Chain, rng::Rng, tally::Tally, world::World};

sol! {
    /// EIP-2612 permit message (the standard struct the payment token signs).
    struct Permit {
        address owner;
        address spender;
        uint256 value;
        uint256 nonce;
        uint256 deadline;
    }
}

/// Gas budgets per call: generous upper bounds (about twice what the calls cost), since an
/// unused budget costs nothing and an exhausted one fails the batch.
mod gas {
    pub const TX_BASE: u64 = 60_000;
    pub const PER_CALL: u64 = 12_000;
    pub const MINT_OR_APPROVE: u64 = 80_000;
    pub const CREATE_DATANET: u64 = 250_000;
    pub const ADMIN: u64 = 120_000;
    pub const SUBMIT: u64 = 250_000;
    pub const ACCEPT_EACH: u64 = 60_000;
    pub const REJECT_EACH: u64 = 40_000;
    pub const BATCH_BASE: u64 = 80_000;
    pub const VERSION: u64 = 180_000;
    pub const MODEL: u64 = 320_000;
    pub const MODEL_PARENT: u64 = 90_000;
    pub const MODEL_SET: u64 = 70_000;
    pub const AGENT: u64 = 280_000;
    pub const AGENT_METADATA: u64 = 80_000;
    pub const BIND: u64 = 160_000;
    pub const ACTION: u64 = 90_000;
    pub const FEEDBACK: u64 = 160_000;
    pub const REVOKE: u64 = 60_000;
    pub const INFERENCE: u64 = 160_000;
    pub const PERMIT_TX: u64 = 300_000;
    pub const WITHDRAW: u64 = 90_000;
    pub const RELEASE_EACH: u64 = 40_000;
    pub const LOADGEN_DEPLOY: u64 = 1_500_000;
    pub const ROOT: u64 = 400_000;
    pub const CLAIM_EACH: u64 = 130_000;
}

/// Largest batch the registries accept for reviews and releases.
const MAX_BATCH: usize = 200;
/// Largest `claimMany` batch.
const MAX_CLAIMS: usize = 64;
/// One token (18 decimals).
const TOKEN: u128 = 1_000_000_000_000_000_000;
/// Time moved forward at the end: past every review deadline (at most 7 days here).
const SETTLEMENT_JUMP: u64 = 8 * 24 * 3600;

/// One call an actor makes.
#[derive(Debug)]
struct Planned {
    target: Address,
    data: Bytes,
    gas: u64,
}

/// The calls of one phase, per actor.
#[derive(Debug)]
struct Phase {
    name: &'static str,
    calls: Vec<Vec<Planned>>,
}

impl Phase {
    fn new(name: &'static str, actors: usize) -> Self {
        Self {
            name,
            calls: (0..actors).map(|_| Vec::new()).collect(),
        }
    }

    fn push<C: SolCall>(&mut self, actor: usize, target: Address, call: C, gas: u64) {
        self.calls[actor].push(Planned {
            target,
            data: call.abi_encode().into(),
            gas,
        });
    }

    fn is_empty(&self) -> bool {
        self.calls.iter().all(Vec::is_empty)
    }
}

/// Builds the chain.
struct Generator<'a> {
    cfg: &'a Config,
    chain: Chain,
    world: World,
    rng: Rng,
    d: Deployment,
    operator: Address,
    guardian: Address,
    payers: Vec<PrivateKeySigner>,
    permit_nonces: Vec<U256>,
    token_domain: Option<Eip712Domain>,
    serial: u64,
    started: Instant,
    last_report: Instant,
}

/// Deploys OpenLedger on the (local) chain at `cfg.rpc_url` and fills it with at least
/// `cfg.events` events of its four contracts.
pub async fn generate(cfg: &Config) -> Result<Report, LoadgenError> {
    let started = Instant::now();
    let deployer = dev_key(0)?;
    let provider = wallet_provider(&cfg.rpc_url, deployer.clone())?;
    let chain_id = provider.get_chain_id().await?;
    if chain_id != 31_337 && chain_id != 1_337 {
        return Err(LoadgenError::Invalid(format!(
            "chain {chain_id} is not a local chain (31337 or 1337): the generator mints the \
             unrestricted dev token and uses anvil's dev keys"
        )));
    }
    let d = deploy(&provider, &default_local_config()?).await?;
    let operator = dev_key(1)?;
    let payers = (2..7).map(dev_key).collect::<Result<Vec<_>, _>>()?;
    let mut keys = vec![operator.clone(), deployer.clone()];
    keys.extend(payers.iter().cloned());
    let mut chain = Chain::connect(&cfg.rpc_url, &keys, cfg.txs_per_block).await?;
    let mut tally = Tally::new(&d);
    // The deployment's own events (escrow parameters, signer set...).
    let filter = alloy::rpc::types::Filter::new()
        .from_block(d.start_block)
        .address(vec![
            d.contracts.datanet_registry,
            d.contracts.model_registry,
            d.contracts.agent_registry,
            d.contracts.reward_escrow,
            d.contracts.payment_token,
        ]);
    tally.add_logs(&chain.reader().get_logs(&filter).await?);
    chain.start_tally(tally);
    let now = Instant::now();
    let mut g = Generator {
        cfg,
        chain,
        world: World::default(),
        rng: Rng::new(cfg.seed),
        d,
        operator: operator.address(),
        guardian: deployer.address(),
        permit_nonces: vec![U256::ZERO; payers.len()],
        payers,
        token_domain: None,
        serial: 0,
        started: now,
        last_report: now,
    };
    let outcome = g.run().await;
    // Automine back on, even after a failure: the node is someone's devnet.
    let restored = g.chain.close().await;
    outcome?;
    restored?;
    let head = g.chain.reader().get_block_number().await?;
    let counts = g.chain.tally().map(Tally::counts).unwrap_or_default();
    Ok(Report {
        deployment: g.d.clone(),
        counts,
        head,
        actors: g.world.actors.clone(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

impl Generator<'_> {
    async fn run(&mut self) -> Result<(), LoadgenError> {
        self.deploy_actors().await?;
        self.setup().await?;
        let target = self.cfg.events;
        let rounds = (target / 15_000).clamp(3, 60);
        let budget = target.div_ceil(rounds);
        let mut round = 0u64;
        // The settlement adds roughly a tenth: stop the rounds a little short of the target.
        while self.events() < target * 88 / 100 {
            let before = self.events();
            self.round(round, budget).await?;
            round += 1;
            if self.events() == before {
                return Err(LoadgenError::Invalid("a round produced no event".into()));
            }
        }
        self.settlement().await?;
        if self.cfg.roots {
            self.roots().await?;
        }
        while self.events() < target {
            let missing = target - self.events();
            // Only activity: it needs no deadline, and is most of a live chain anyway.
            self.activity(missing + missing / 20 + 1, true).await?;
        }
        self.report(true);
        Ok(())
    }

    fn events(&self) -> u64 {
        self.chain.tally().map_or(0, Tally::project_events)
    }

    fn report(&mut self, last: bool) {
        if !self.cfg.progress || (!last && self.last_report.elapsed().as_secs() < 2) {
            return;
        }
        self.last_report = Instant::now();
        let events = self.events();
        let secs = self.started.elapsed().as_secs_f64();
        eprintln!(
            "loadgen: {events} / {} events, {} transactions, {:.0} s ({:.0} events/s)",
            self.cfg.events,
            self.chain.tally().map_or(0, |t| t.counts().transactions),
            secs,
            events as f64 / secs.max(0.001)
        );
    }

    fn actors(&self) -> usize {
        self.world.actors.len()
    }

    /// A value never produced before in this run (content hashes, action hashes...).
    fn unique(&mut self, what: &str) -> B256 {
        self.serial += 1;
        keccak256(format!("{what}/{}/{}", self.cfg.seed, self.serial))
    }

    /// A CIDv1-looking URI for `hash`.
    fn uri(hash: &B256) -> String {
        format!("ipfs://bafkrei{}", &alloy::hex::encode(hash)[..46])
    }

    /// Sends `phase` as batched `LoadGen.run` transactions, actors taking turns, then settles
    /// and learns from the receipts.
    async fn flush(&mut self, phase: Phase) -> Result<(), LoadgenError> {
        let max_gas = self.chain.max_tx_gas();
        let mut queues: Vec<VecDeque<Vec<Planned>>> = Vec::new();
        for calls in phase.calls {
            let mut chunks = VecDeque::new();
            let (mut chunk, mut used) = (Vec::new(), gas::TX_BASE);
            for call in calls {
                let cost = cost(&call);
                if !chunk.is_empty()
                    && (chunk.len() >= self.cfg.calls_per_tx || used + cost > max_gas)
                {
                    chunks.push_back(std::mem::take(&mut chunk));
                    used = gas::TX_BASE;
                }
                used += cost;
                chunk.push(call);
            }
            if !chunk.is_empty() {
                chunks.push_back(chunk);
            }
            queues.push(chunks);
        }
        loop {
            let mut sent = false;
            for (actor, queue) in queues.iter_mut().enumerate() {
                let Some(chunk) = queue.pop_front() else {
                    continue;
                };
                sent = true;
                let gas = gas::TX_BASE + chunk.iter().map(cost).sum::<u64>();
                let calls = chunk
                    .into_iter()
                    .map(|p| LoadGen::Call {
                        target: p.target,
                        data: p.data,
                    })
                    .collect();
                let input = LoadGen::runCall { calls }.abi_encode();
                let to = self.world.actors[actor];
                self.chain
                    .send(
                        self.operator,
                        Some(to),
                        input.into(),
                        gas,
                        format!("{} of actor {actor}", phase.name),
                    )
                    .await?;
                self.report(false);
            }
            if !sent {
                break;
            }
        }
        self.settle().await
    }

    async fn settle(&mut self) -> Result<(), LoadgenError> {
        let receipts = self.chain.settle().await?;
        self.world.apply(&receipts);
        self.report(false);
        Ok(())
    }

    /// A transaction from the operator itself (not through an actor).
    async fn direct<C: SolCall>(
        &mut self,
        from: Address,
        to: Address,
        call: C,
        gas: u64,
        what: &str,
    ) -> Result<(), LoadgenError> {
        self.chain
            .send(from, Some(to), call.abi_encode().into(), gas, what)
            .await
    }

    async fn deploy_actors(&mut self) -> Result<(), LoadgenError> {
        for _ in 0..self.cfg.actors.max(2) {
            self.chain
                .send(
                    self.operator,
                    None,
                    LoadGen::BYTECODE.clone(),
                    gas::LOADGEN_DEPLOY,
                    "LoadGen deployment",
                )
                .await?;
        }
        let receipts = self.chain.settle().await?;
        let actors = receipts
            .iter()
            .map(|r| {
                r.contract_address.ok_or_else(|| {
                    LoadgenError::Invalid("LoadGen deployment made no contract".into())
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.world = World::new(actors);
        Ok(())
    }

    /// Tokens and allowances, then the datanets and their curators.
    async fn setup(&mut self) -> Result<(), LoadgenError> {
        let c = self.d.contracts;
        let n = self.actors();
        let mut phase = Phase::new("setup", n);
        for a in 0..n {
            let me = self.world.actors[a];
            phase.push(
                a,
                c.payment_token,
                T::mintCall {
                    to: me,
                    amount: U256::from(TOKEN) * U256::from(1_000_000_000_000u64),
                },
                gas::MINT_OR_APPROVE,
            );
            for spender in [c.datanet_registry, c.reward_escrow] {
                phase.push(
                    a,
                    c.payment_token,
                    T::approveCall {
                        spender,
                        value: U256::MAX,
                    },
                    gas::MINT_OR_APPROVE,
                );
            }
        }
        for payer in self.payers.iter().map(PrivateKeySigner::address) {
            phase.push(
                0,
                c.payment_token,
                T::mintCall {
                    to: payer,
                    amount: U256::from(TOKEN) * U256::from(1_000_000_000u64),
                },
                gas::MINT_OR_APPROVE,
            );
        }
        self.flush(phase).await?;

        // Datanets: half curated (bond 1, a week of review), half open (bond 0.1, a day).
        let datanets = (2 * n).max(4);
        let mut phase = Phase::new("datanets", n);
        for i in 0..datanets {
            let curated = i % 2 == 0;
            let policy = D::Policy {
                bond: if curated { TOKEN } else { TOKEN / 10 },
                curated,
                reviewPeriod: if curated { 7 * 24 * 3600 } else { 24 * 3600 },
            };
            let uri = format!("ipfs://datanet/{i}/manifest.json");
            phase.push(
                i % n,
                c.datanet_registry,
                D::createDatanetCall {
                    uri,
                    policy,
                    treasury: Address::ZERO,
                },
                gas::CREATE_DATANET,
            );
        }
        self.flush(phase).await?;

        let mut phase = Phase::new("curators", n);
        for k in 0..self.world.datanets.len() {
            let (id, owner) = (self.world.datanets[k].id, self.world.datanets[k].owner);
            let curator = (owner + 1 + self.rng.index(n - 1)) % n;
            let account = self.world.actors[curator];
            phase.push(
                owner,
                c.datanet_registry,
                D::setCuratorCall {
                    datanetId: id,
                    curator: account,
                    enabled: true,
                },
                gas::ADMIN,
            );
            if self.rng.chance(0.3) {
                let uri = format!("ipfs://datanet/{id}/manifest-v2.json");
                phase.push(
                    owner,
                    c.datanet_registry,
                    D::setMetadataURICall { datanetId: id, uri },
                    gas::ADMIN,
                );
            }
        }
        self.flush(phase).await
    }

    async fn round(&mut self, round: u64, budget: u64) -> Result<(), LoadgenError> {
        self.contributions(budget * 30 / 100).await?;
        self.reviews().await?;
        self.versions().await?;
        self.models(round, budget).await?;
        self.agents(budget).await?;
        self.activity(budget * 50 / 100, false).await?;
        if self.cfg.empty_blocks > 0 {
            self.chain
                .node("anvil_mine", json!([self.cfg.empty_blocks]))
                .await?;
        }
        Ok(())
    }

    async fn contributions(&mut self, count: u64) -> Result<(), LoadgenError> {
        let n = self.actors();
        let registry = self.d.contracts.datanet_registry;
        let mut phase = Phase::new("contributions", n);
        for (actor, k) in self.rng.spread(count, n).into_iter().enumerate() {
            for _ in 0..k {
                let datanet = self.world.datanets[self.rng.index(self.world.datanets.len())].id;
                let hash = self.unique("contribution");
                let call = D::submitContributionCall {
                    datanetId: datanet,
                    contentHash: hash,
                    uri: Self::uri(&hash),
                    size: self.rng.range(200, 4_000_000),
                };
                phase.push(actor, registry, call, gas::SUBMIT);
            }
        }
        self.flush(phase).await
    }

    /// Curated datanets review what is pending: 80% accepted, 15% rejected, 5% left (withdrawn
    /// at the end); open datanets reject a little spam.
    async fn reviews(&mut self) -> Result<(), LoadgenError> {
        let registry = self.d.contracts.datanet_registry;
        let mut phase = Phase::new("reviews", self.actors());
        for k in 0..self.world.datanets.len() {
            let datanet = &mut self.world.datanets[k];
            let reviewer = match datanet.curator {
                Some(curator) if self.rng.chance(0.7) => curator,
                _ => datanet.owner,
            };
            let (mut accept, mut reject) = (Vec::new(), Vec::new());
            if datanet.curated {
                let mut keep = Vec::new();
                for (id, contributor) in std::mem::take(&mut datanet.pending) {
                    let roll = self.rng.below(100);
                    if roll < 80 {
                        accept.push(id);
                    } else if roll < 95 {
                        reject.push(id);
                    } else {
                        keep.push((id, contributor));
                    }
                }
                datanet.pending = keep;
            } else {
                // Each open contribution is screened once, when it is new: 4% turn out spam.
                let fresh = datanet
                    .at_risk
                    .split_off(datanet.screened.min(datanet.at_risk.len()));
                for (id, contributor) in fresh {
                    if self.rng.chance(0.04) {
                        reject.push(id);
                    } else {
                        datanet.at_risk.push((id, contributor));
                    }
                }
                datanet.screened = datanet.at_risk.len();
            }
            let id = datanet.id;
            for ids in accept.chunks(MAX_BATCH) {
                let call = D::acceptContributionsCall {
                    datanetId: id,
                    contributionIds: ids.to_vec(),
                };
                phase.push(
                    reviewer,
                    registry,
                    call,
                    gas::BATCH_BASE + gas::ACCEPT_EACH * ids.len() as u64,
                );
            }
            for ids in reject.chunks(MAX_BATCH) {
                let reason = keccak256(if self.rng.chance(0.5) {
                    "spam"
                } else {
                    "duplicate"
                });
                let call = D::rejectContributionsCall {
                    datanetId: id,
                    contributionIds: ids.to_vec(),
                    reason,
                };
                phase.push(
                    reviewer,
                    registry,
                    call,
                    gas::BATCH_BASE + gas::REJECT_EACH * ids.len() as u64,
                );
            }
        }
        if phase.is_empty() {
            return Ok(());
        }
        self.flush(phase).await
    }

    /// Each datanet with new accepted contributions publishes a version; now and then a policy
    /// changes (the bond and review period, never the curated flag).
    async fn versions(&mut self) -> Result<(), LoadgenError> {
        let registry = self.d.contracts.datanet_registry;
        let mut phase = Phase::new("versions", self.actors());
        for k in 0..self.world.datanets.len() {
            let datanet = self.world.datanets[k].clone();
            if datanet.accepted > datanet.accepted_at_last_version && datanet.accepted > 0 {
                let publisher = datanet
                    .curator
                    .filter(|_| self.rng.chance(0.5))
                    .unwrap_or(datanet.owner);
                let commitment = keccak256(format!(
                    "{}/{}/{}",
                    datanet.id,
                    datanet.version + 1,
                    datanet.accepted
                ));
                let call = D::publishVersionCall {
                    datanetId: datanet.id,
                    commitment,
                    uri: format!(
                        "ipfs://datanet/{}/v{}.json",
                        datanet.id,
                        datanet.version + 1
                    ),
                    acceptedCount: datanet.accepted,
                    lastContributionId: u64::try_from(datanet.last_accepted).unwrap_or(u64::MAX),
                };
                phase.push(publisher, registry, call, gas::VERSION);
            }
            if self.rng.chance(0.05) {
                let policy = D::Policy {
                    bond: if datanet.curated {
                        TOKEN * u128::from(self.rng.range(1, 3))
                    } else {
                        TOKEN / 10
                    },
                    curated: datanet.curated,
                    reviewPeriod: if datanet.curated {
                        7 * 24 * 3600
                    } else {
                        24 * 3600
                    },
                };
                phase.push(
                    datanet.owner,
                    registry,
                    D::setPolicyCall {
                        datanetId: datanet.id,
                        policy,
                    },
                    gas::ADMIN,
                );
            }
        }
        if phase.is_empty() {
            return Ok(());
        }
        self.flush(phase).await
    }

    fn split(&mut self) -> FeeSplit {
        let owner = self.rng.range(3_000, 7_000) as u16;
        let agent = self.rng.range(500, 2_000) as u16;
        FeeSplit {
            ownerBps: owner,
            dataBps: 10_000 - owner - agent,
            agentBps: agent,
        }
    }

    /// New models (most fine-tuned from others, trained on published datanet versions), a few
    /// split and metadata changes, and a deprecation every third round.
    async fn models(&mut self, round: u64, budget: u64) -> Result<(), LoadgenError> {
        let n = self.actors();
        let registry = self.d.contracts.model_registry;
        let mut phase = Phase::new("models", n);
        let versioned: Vec<(U256, u64)> = self
            .world
            .datanets
            .iter()
            .filter(|d| d.version > 0)
            .map(|d| (d.id, d.version))
            .collect();
        let mut used_as_parent = std::collections::HashSet::new();
        for i in 0..(budget * 3 / 1_000).max(2) {
            let owner = self.rng.index(n);
            let mut datanets = Vec::new();
            if !versioned.is_empty() {
                let mut pool = versioned.clone();
                for _ in 0..self.rng.range(1, 4).min(pool.len() as u64) {
                    let (id, latest) = pool.swap_remove(self.rng.index(pool.len()));
                    datanets.push(M::TrainingSet {
                        datanetId: id,
                        version: self.rng.range(1, latest),
                    });
                }
            }
            let mut parents = Vec::new();
            let mut pool = self.world.active_models();
            if !pool.is_empty() && self.rng.chance(0.75) {
                let mut ancestors = 0u64;
                for _ in 0..self.rng.range(1, 3) {
                    if pool.is_empty() {
                        break;
                    }
                    let parent = &self.world.models[pool.swap_remove(self.rng.index(pool.len()))];
                    let add = u64::from(parent.ancestors) + 1;
                    if ancestors + add > 64 {
                        continue;
                    }
                    ancestors += add;
                    used_as_parent.insert(parent.id);
                    parents.push(M::Parent {
                        modelId: parent.id,
                        relation: self.rng.below(4) as u8,
                        royaltyBps: self.rng.range(100, 2_500) as u16,
                    });
                }
            }
            let uri = format!("ipfs://model/{round}/{i}/{}", self.serial);
            let g = gas::MODEL
                + gas::MODEL_PARENT * parents.len() as u64
                + gas::MODEL_SET * datanets.len() as u64;
            let split = self.split();
            phase.push(
                owner,
                registry,
                M::registerCall {
                    uri,
                    datanets,
                    parents,
                    split,
                },
                g,
            );
        }
        let active = self.world.active_models();
        for _ in 0..(budget / 5_000).max(1) {
            if active.is_empty() {
                break;
            }
            let model = self.world.models[active[self.rng.index(active.len())]].clone();
            let split = self.split();
            phase.push(
                model.owner,
                registry,
                M::setFeeSplitCall {
                    modelId: model.id,
                    split,
                },
                gas::ADMIN,
            );
            if self.rng.chance(0.5) {
                let uri = format!("ipfs://model/{}/card-{}.json", model.id, self.serial);
                phase.push(
                    model.owner,
                    registry,
                    M::setMetadataURICall {
                        modelId: model.id,
                        uri,
                    },
                    gas::ADMIN,
                );
            }
        }
        // Batches of different actors are mined in any order: never deprecate a model that a
        // registration of this phase names as a parent.
        let candidates: Vec<usize> = active
            .iter()
            .copied()
            .filter(|&m| !used_as_parent.contains(&self.world.models[m].id))
            .collect();
        if round % 3 == 2 && active.len() > 8 && !candidates.is_empty() {
            let model = self.world.models[candidates[self.rng.index(candidates.len())]].clone();
            phase.push(
                model.owner,
                registry,
                M::deprecateCall { modelId: model.id },
                gas::ADMIN,
            );
        }
        self.flush(phase).await
    }

    /// New agents on active models (with metadata), agents of deprecated models moved to live
    /// ones, a few URI and metadata updates; then every new agent gets its owner as wallet.
    async fn agents(&mut self, budget: u64) -> Result<(), LoadgenError> {
        let n = self.actors();
        let registry = self.d.contracts.agent_registry;
        let active = self.world.active_models();
        if active.is_empty() {
            return Ok(());
        }
        let mut phase = Phase::new("agents", n);
        for i in 0..(budget * 25 / 10_000).max(2) {
            let owner = self.rng.index(n);
            let model = self.world.models[active[self.rng.index(active.len())]].id;
            let keys = ["endpoint", "version", "capabilities"];
            let metadata = (0..self.rng.range(1, 3) as usize)
                .map(|k| A::MetadataEntry {
                    key: keys[k].to_owned(),
                    value: Bytes::from(
                        format!("{}:{i}:{}", keys[k], self.rng.below(1_000)).into_bytes(),
                    ),
                })
                .collect::<Vec<_>>();
            let g = gas::AGENT + gas::AGENT_METADATA * metadata.len() as u64;
            let uri = format!("https://agents.example/{}/{i}.json", self.serial);
            phase.push(
                owner,
                registry,
                A::registerCall {
                    uri,
                    modelId: model,
                    metadata,
                },
                g,
            );
        }
        for k in 0..self.world.agents.len() {
            let agent = self.world.agents[k].clone();
            let on_deprecated = self
                .world
                .model_index(agent.model)
                .is_some_and(|m| self.world.models[m].deprecated);
            if on_deprecated {
                let model = self.world.models[active[self.rng.index(active.len())]].id;
                phase.push(
                    agent.owner,
                    registry,
                    A::setModelCall {
                        agentId: agent.id,
                        modelId: model,
                    },
                    gas::ADMIN,
                );
            } else if self.rng.chance(0.02) {
                let uri = format!("https://agents.example/{}/v{}.json", agent.id, self.serial);
                phase.push(
                    agent.owner,
                    registry,
                    A::setAgentURICall {
                        agentId: agent.id,
                        uri,
                    },
                    gas::ADMIN,
                );
            } else if self.rng.chance(0.02) {
                let value = Bytes::from(format!("v{}", self.rng.below(100)).into_bytes());
                phase.push(
                    agent.owner,
                    registry,
                    A::setMetadataCall {
                        agentId: agent.id,
                        key: "version".into(),
                        value,
                    },
                    gas::ADMIN,
                );
            }
        }
        self.flush(phase).await?;

        // Wallets: each actor is its own agents' wallet (ERC-1271, see LoadGen.sol).
        let deadline = self.chain.now().await? + 1_800;
        let domain = agent_wallet_domain(self.chain.chain_id(), registry);
        let mut nonces = self.world.wallet_nonce.clone();
        let mut phase = Phase::new("wallets", n);
        for agent in self.world.agents.iter().filter(|a| !a.has_wallet) {
            let me = self.world.actors[agent.owner];
            let digest = AgentWalletSet {
                agentId: agent.id,
                newWallet: me,
                owner: me,
                nonce: U256::from(nonces[agent.owner]),
                deadline: U256::from(deadline),
            }
            .eip712_signing_hash(&domain);
            nonces[agent.owner] += 1;
            let call = LoadGen::bindAsWalletCall {
                agents: registry,
                agentId: agent.id,
                deadline: U256::from(deadline),
                digest,
            };
            // The actor calls itself: `run` forwards to `bindAsWallet`, which only it and the
            // operator may call.
            phase.push(agent.owner, me, call, gas::BIND);
        }
        if phase.is_empty() {
            return Ok(());
        }
        self.flush(phase).await
    }

    /// Agent actions (40%), paid inferences (50%, a share of them by EOAs with permits) and
    /// feedback (10%, a few revoked), interleaved. `only_busy` leaves out feedback (top-ups).
    async fn activity(&mut self, budget: u64, only_busy: bool) -> Result<(), LoadgenError> {
        let n = self.actors();
        let c = self.d.contracts;
        let mut phase = Phase::new("activity", n);
        let agents: Vec<usize> = (0..self.world.agents.len())
            .filter(|&k| self.world.agents[k].has_wallet)
            .collect();
        let active = self.world.active_models();
        if active.is_empty() {
            return Err(LoadgenError::Invalid(
                "no active model to pay inferences on".into(),
            ));
        }

        let actions = if agents.is_empty() {
            0
        } else {
            budget * 40 / 100
        };
        for (slot, k) in self
            .rng
            .spread(actions, agents.len())
            .into_iter()
            .enumerate()
        {
            let agent = self.world.agents[agents[slot]].clone();
            for _ in 0..k {
                let hash = self.unique("action");
                let call = A::recordActionCall {
                    agentId: agent.id,
                    actionHash: hash,
                    uri: Self::uri(&hash),
                    outcome: self.rng.below(4) as u16,
                };
                phase.push(agent.owner, c.agent_registry, call, gas::ACTION);
            }
        }

        if !only_busy && !self.world.agents.is_empty() {
            for _ in 0..budget * 10 / 100 {
                let agent = self.world.agents[self.rng.index(self.world.agents.len())].clone();
                let client = (agent.owner + 1 + self.rng.index(n - 1)) % n;
                let hash = self.unique("feedback");
                let tags = ["quality", "latency", "accuracy", "safety"];
                let call = A::giveFeedbackCall {
                    agentId: agent.id,
                    value: self.rng.below(201) as i128 - 100,
                    valueDecimals: if self.rng.chance(0.5) { 0 } else { 2 },
                    tag1: keccak256(tags[self.rng.index(tags.len())]),
                    tag2: B256::ZERO,
                    uri: Self::uri(&hash),
                    feedbackHash: hash,
                };
                phase.push(client, c.agent_registry, call, gas::FEEDBACK);
            }
            for _ in 0..budget / 100 {
                let k = self.rng.index(self.world.agents.len());
                let agent = &mut self.world.agents[k];
                if agent.feedback.is_empty() {
                    continue;
                }
                let (index, client) = agent
                    .feedback
                    .swap_remove(self.rng.index(agent.feedback.len()));
                let call = A::revokeFeedbackCall {
                    agentId: agent.id,
                    index,
                };
                phase.push(client, c.agent_registry, call, gas::REVOKE);
            }
        }

        let inferences = budget * 50 / 100;
        let by_permit = (inferences as f64 * self.cfg.permit_share) as u64;
        for _ in 0..inferences - by_permit {
            let payer = self.rng.index(n);
            let (model, agent, amount, hash) = self.inference_terms(&agents, &active);
            let call = E::payInferenceCall {
                modelId: model,
                agentId: agent,
                amount,
                outputHash: hash,
                outputUri: Self::uri(&hash),
            };
            phase.push(payer, c.reward_escrow, call, gas::INFERENCE);
        }
        for calls in &mut phase.calls {
            // Interleave kinds, as a live chain would.
            for i in (1..calls.len()).rev() {
                calls.swap(i, self.rng.index(i + 1));
            }
        }
        for i in 0..by_permit {
            self.pay_with_permit(i as usize % self.payers.len(), &agents, &active)
                .await?;
        }
        self.flush(phase).await
    }

    /// (model, agent, amount, output hash) of one inference: through an agent 70% of the time.
    fn inference_terms(&mut self, agents: &[usize], active: &[usize]) -> (U256, U256, U256, B256) {
        let hash = self.unique("output");
        let amount = U256::from(self.rng.range(1_000, 1_000_000)) * U256::from(TOKEN / 1_000_000);
        if !agents.is_empty() && self.rng.chance(0.7) {
            let agent = &self.world.agents[agents[self.rng.index(agents.len())]];
            let live = self
                .world
                .model_index(agent.model)
                .is_some_and(|m| !self.world.models[m].deprecated);
            if live {
                return (agent.model, agent.id, amount, hash);
            }
        }
        let model = self.world.models[active[self.rng.index(active.len())]].id;
        (model, U256::ZERO, amount, hash)
    }

    /// An inference paid by an EOA in one transaction with an EIP-2612 permit (contracts cannot
    /// sign permits, so these come from dev accounts).
    async fn pay_with_permit(
        &mut self,
        payer: usize,
        agents: &[usize],
        active: &[usize],
    ) -> Result<(), LoadgenError> {
        let c = self.d.contracts;
        let domain = match &self.token_domain {
            Some(domain) => domain.clone(),
            None => {
                let token = T::new(c.payment_token, self.chain.reader().clone());
                let d = token.eip712Domain().call().await?;
                let domain = Eip712Domain::new(
                    Some(d.name.into()),
                    Some(d.version.into()),
                    Some(d.chainId),
                    Some(d.verifyingContract),
                    None,
                );
                self.token_domain = Some(domain.clone());
                domain
            }
        };
        let (model, agent, amount, hash) = self.inference_terms(agents, active);
        let key = self.payers[payer].clone();
        let deadline = U256::from(self.chain.now().await? + 3_600);
        let permit = Permit {
            owner: key.address(),
            spender: c.reward_escrow,
            value: amount,
            nonce: self.permit_nonces[payer],
            deadline,
        };
        self.permit_nonces[payer] += U256::from(1);
        let sig = key.sign_hash(&permit.eip712_signing_hash(&domain)).await?;
        let call = E::payInferenceWithPermitCall {
            modelId: model,
            agentId: agent,
            amount,
            outputHash: hash,
            outputUri: Self::uri(&hash),
            deadline,
            v: 27 + u8::from(sig.v()),
            r: sig.r().into(),
            s: sig.s().into(),
        };
        self.direct(
            key.address(),
            c.reward_escrow,
            call,
            gas::PERMIT_TX,
            "inference with permit",
        )
        .await
    }

    /// Past every deadline: unreviewed contributions withdrawn, most open-datanet bonds
    /// released, protocol fees swept to the treasury.
    async fn settlement(&mut self) -> Result<(), LoadgenError> {
        self.chain
            .node("evm_increaseTime", json!([SETTLEMENT_JUMP]))
            .await?;
        self.chain.node("evm_mine", json!([])).await?;
        let registry = self.d.contracts.datanet_registry;
        let n = self.actors();
        let mut phase = Phase::new("settlement", n);
        let mut releases: Vec<Vec<U256>> = vec![Vec::new(); n];
        for k in 0..self.world.datanets.len() {
            for (id, contributor) in std::mem::take(&mut self.world.datanets[k].pending) {
                phase.push(
                    contributor,
                    registry,
                    D::withdrawContributionCall { contributionId: id },
                    gas::WITHDRAW,
                );
            }
            for (id, contributor) in std::mem::take(&mut self.world.datanets[k].at_risk) {
                if self.rng.chance(0.75) {
                    releases[contributor].push(id);
                }
            }
        }
        for (actor, ids) in releases.iter().enumerate() {
            for ids in ids.chunks(MAX_BATCH) {
                let call = D::releaseBondsCall {
                    contributionIds: ids.to_vec(),
                };
                phase.push(
                    actor,
                    registry,
                    call,
                    gas::BATCH_BASE + gas::RELEASE_EACH * ids.len() as u64,
                );
            }
        }
        if !phase.is_empty() {
            self.flush(phase).await?;
        }
        let escrow = self.d.contracts.reward_escrow;
        self.direct(
            self.operator,
            escrow,
            E::withdrawProtocolFeesCall {},
            gas::ADMIN,
            "protocol fees",
        )
        .await?;
        self.settle().await
    }

    /// Three epochs: two roots accepted with claims against each, a third vetoed by the
    /// guardian.
    async fn roots(&mut self) -> Result<(), LoadgenError> {
        let c = self.d.contracts;
        let escrow = E::new(c.reward_escrow, self.chain.reader().clone());
        let distributable = U256::from(escrow.totalDistributable().call().await?);
        let mut accounts: Vec<Address> = self.world.actors.clone();
        accounts.extend(self.payers.iter().map(PrivateKeySigner::address));
        for i in 0..40u64 {
            accounts.push(Address::from_word(keccak256(format!(
                "loadgen claimant {i}"
            ))));
        }
        let weights: Vec<U256> = accounts
            .iter()
            .map(|_| U256::from(self.rng.range(1, 100)))
            .collect();
        let weight_sum = weights.iter().fold(U256::ZERO, |a, b| a + b);
        let domain = escrow_domain(self.chain.chain_id(), c.reward_escrow);
        let signers = [dev_key(7)?, dev_key(8)?];
        let mut cumulative = vec![U256::ZERO; accounts.len()];
        let mut from_block = self.d.start_block;
        for (epoch, share) in [(1u64, 40u64), (2, 75), (3, 90)] {
            let pot = distributable * U256::from(share) / U256::from(100);
            for (amount, weight) in cumulative.iter_mut().zip(&weights) {
                *amount = (*amount).max(pot * weight / weight_sum);
            }
            let tree = ClaimTree::of(
                accounts
                    .iter()
                    .zip(&cumulative)
                    .map(|(a, v)| Claim::new(*a, c.payment_token, *v))
                    .collect(),
            )?;
            let to_block = self
                .chain
                .reader()
                .get_block_number()
                .await?
                .saturating_sub(1);
            let update = RootUpdate {
                epoch,
                root: tree.root(),
                totalCumulative: cumulative.iter().fold(U256::ZERO, |a, b| a + b),
                reportHash: keccak256(format!("loadgen epoch {epoch}")),
                fromBlock: from_block,
                toBlock: to_block,
            };
            let mut signatures = Vec::new();
            for key in &signers {
                signatures.push(update.sign(key, &domain).await?);
            }
            let signatures = sort_signatures(&update, &domain, &signatures)?;
            let propose = E::proposeRootCall {
                u: (&update).into(),
                signatures,
            };
            self.direct(
                self.operator,
                c.reward_escrow,
                propose,
                gas::ROOT,
                "root proposal",
            )
            .await?;
            self.settle().await?;
            if epoch == 3 {
                let veto = E::vetoRootCall { epoch };
                self.direct(
                    self.guardian,
                    c.reward_escrow,
                    veto,
                    gas::ADMIN,
                    "root veto",
                )
                .await?;
                return self.settle().await;
            }
            self.chain
                .node(
                    "evm_increaseTime",
                    json!([self.d.params.dispute_window + 1]),
                )
                .await?;
            self.chain.node("evm_mine", json!([])).await?;
            self.direct(
                self.operator,
                c.reward_escrow,
                E::acceptRootCall {},
                gas::ADMIN,
                "root acceptance",
            )
            .await?;
            self.settle().await?;
            // Epoch 1: the first half claims; epoch 2: everyone (the first half its increase).
            let claimants = if epoch == 1 {
                accounts.len() / 2
            } else {
                accounts.len()
            };
            let mut claims = Vec::new();
            for i in 0..claimants {
                claims.push(E::Claim {
                    account: accounts[i],
                    token: c.payment_token,
                    cumulativeAmount: cumulative[i],
                    proof: tree.proof(i)?,
                });
            }
            for batch in claims.chunks(MAX_CLAIMS) {
                let call = E::claimManyCall {
                    claims: batch.to_vec(),
                };
                let g = gas::BATCH_BASE + gas::CLAIM_EACH * batch.len() as u64;
                self.direct(self.operator, c.reward_escrow, call, g, "claims")
                    .await?;
            }
            self.settle().await?;
            from_block = to_block + 1;
        }
        Ok(())
    }
}

fn cost(call: &Planned) -> u64 {
    // Execution budget, the batch loop, and calldata (16 gas a byte, with the ABI framing).
    call.gas + gas::PER_CALL + 16 * (call.data.len() as u64 + 128)
}
