//! What the generator knows of the economy it is building, learnt from the events of its own
//! receipts (ids are never guessed).

use std::collections::HashMap;

use alloy::{
    primitives::{Address, U256},
    rpc::types::{Log, TransactionReceipt},
    sol_types::SolEvent,
};
use openledger_sdk::bindings::{
    AgentRegistry as A, DatanetRegistry as D, ModelRegistry as M, RewardEscrow as E,
};

/// A datanet and the contributions it still has to settle.
#[derive(Debug, Clone)]
pub struct Datanet {
    pub id: U256,
    /// Index of the owning actor.
    pub owner: usize,
    /// Index of the curating actor, once set.
    pub curator: Option<usize>,
    pub curated: bool,
    /// Curated contributions waiting for review: (id, contributor actor).
    pub pending: Vec<(U256, usize)>,
    /// Open-datanet contributions whose bond is still at risk: (id, contributor actor).
    pub at_risk: Vec<(U256, usize)>,
    /// How many of `at_risk` (from the start) were already screened for spam.
    pub screened: usize,
    pub accepted: u64,
    pub last_accepted: U256,
    pub accepted_at_last_version: u64,
    pub version: u64,
}

/// A model.
#[derive(Debug, Clone)]
pub struct Model {
    pub id: U256,
    pub owner: usize,
    pub ancestors: u16,
    pub deprecated: bool,
}

/// An agent.
#[derive(Debug, Clone)]
pub struct Agent {
    pub id: U256,
    pub owner: usize,
    pub model: U256,
    pub has_wallet: bool,
    /// Feedback not revoked yet: (index, client actor).
    pub feedback: Vec<(U256, usize)>,
}

/// Everything the generator tracks.
#[derive(Debug, Default)]
pub struct World {
    pub actors: Vec<Address>,
    actor_of: HashMap<Address, usize>,
    /// Next ERC-1271 wallet nonce of each actor in the AgentRegistry.
    pub wallet_nonce: Vec<u64>,
    pub datanets: Vec<Datanet>,
    datanet_of: HashMap<U256, usize>,
    pub models: Vec<Model>,
    model_of: HashMap<U256, usize>,
    pub agents: Vec<Agent>,
    agent_of: HashMap<U256, usize>,
    /// Inferences paid so far.
    pub inferences: u64,
}

impl World {
    /// A world of these actors (LoadGen instances).
    pub fn new(actors: Vec<Address>) -> Self {
        let actor_of = actors.iter().enumerate().map(|(i, a)| (*a, i)).collect();
        let wallet_nonce = vec![0; actors.len()];
        Self {
            actors,
            actor_of,
            wallet_nonce,
            ..Self::default()
        }
    }

    /// The actor at `address`, if it is one.
    pub fn actor(&self, address: Address) -> Option<usize> {
        self.actor_of.get(&address).copied()
    }

    /// Index of the model with this id.
    pub fn model_index(&self, id: U256) -> Option<usize> {
        self.model_of.get(&id).copied()
    }

    /// Indices of the models that take inferences, agents and children.
    pub fn active_models(&self) -> Vec<usize> {
        (0..self.models.len())
            .filter(|&i| !self.models[i].deprecated)
            .collect()
    }

    /// Learns from every event of `receipts`.
    pub fn apply(&mut self, receipts: &[TransactionReceipt]) {
        for receipt in receipts {
            for log in receipt.inner.logs() {
                self.apply_log(log);
            }
        }
    }

    fn apply_log(&mut self, log: &Log) {
        let Some(topic) = log.topics().first().copied() else {
            return;
        };
        match topic {
            D::DatanetCreated::SIGNATURE_HASH => {
                if let Ok(e) = log.log_decode::<D::DatanetCreated>() {
                    let e = e.inner.data;
                    if let Some(owner) = self.actor(e.owner) {
                        self.datanet_of.insert(e.datanetId, self.datanets.len());
                        self.datanets.push(Datanet {
                            id: e.datanetId,
                            owner,
                            curator: None,
                            curated: e.curated,
                            pending: Vec::new(),
                            at_risk: Vec::new(),
                            screened: 0,
                            accepted: 0,
                            last_accepted: U256::ZERO,
                            accepted_at_last_version: 0,
                            version: 0,
                        });
                    }
                }
            }
            D::CuratorSet::SIGNATURE_HASH => {
                if let Ok(e) = log.log_decode::<D::CuratorSet>() {
                    let e = e.inner.data;
                    if let (Some(&d), Some(c)) =
                        (self.datanet_of.get(&e.datanetId), self.actor(e.curator))
                    {
                        self.datanets[d].curator = e.enabled.then_some(c);
                    }
                }
            }
            D::ContributionSubmitted::SIGNATURE_HASH => {
                if let Ok(e) = log.log_decode::<D::ContributionSubmitted>() {
                    let e = e.inner.data;
                    if let (Some(&d), Some(c)) =
                        (self.datanet_of.get(&e.datanetId), self.actor(e.contributor))
                    {
                        let datanet = &mut self.datanets[d];
                        if datanet.curated {
                            datanet.pending.push((e.contributionId, c));
                        } else {
                            datanet.at_risk.push((e.contributionId, c));
                            datanet.accepted += 1;
                            datanet.last_accepted = datanet.last_accepted.max(e.contributionId);
                        }
                    }
                }
            }
            D::ContributionAccepted::SIGNATURE_HASH => {
                if let Ok(e) = log.log_decode::<D::ContributionAccepted>() {
                    let e = e.inner.data;
                    if let Some(&d) = self.datanet_of.get(&e.datanetId) {
                        let datanet = &mut self.datanets[d];
                        datanet.accepted += 1;
                        datanet.last_accepted = datanet.last_accepted.max(e.contributionId);
                    }
                }
            }
            D::VersionPublished::SIGNATURE_HASH => {
                if let Ok(e) = log.log_decode::<D::VersionPublished>() {
                    let e = e.inner.data;
                    if let Some(&d) = self.datanet_of.get(&e.datanetId) {
                        let datanet = &mut self.datanets[d];
                        datanet.version = e.version;
                        datanet.accepted_at_last_version = e.acceptedCount;
                    }
                }
            }
            M::ModelRegistered::SIGNATURE_HASH => {
                if let Ok(e) = log.log_decode::<M::ModelRegistered>() {
                    let e = e.inner.data;
                    if let Some(owner) = self.actor(e.owner) {
                        self.model_of.insert(e.modelId, self.models.len());
                        self.models.push(Model {
                            id: e.modelId,
                            owner,
                            ancestors: e.ancestorCount,
                            deprecated: false,
                        });
                    }
                }
            }
            M::ModelDeprecated::SIGNATURE_HASH => {
                if let Ok(e) = log.log_decode::<M::ModelDeprecated>()
                    && let Some(&m) = self.model_of.get(&e.inner.data.modelId)
                {
                    self.models[m].deprecated = true;
                }
            }
            A::AgentRegistered::SIGNATURE_HASH => {
                if let Ok(e) = log.log_decode::<A::AgentRegistered>() {
                    let e = e.inner.data;
                    if let Some(owner) = self.actor(e.owner) {
                        self.agent_of.insert(e.agentId, self.agents.len());
                        self.agents.push(Agent {
                            id: e.agentId,
                            owner,
                            model: e.modelId,
                            has_wallet: false,
                            feedback: Vec::new(),
                        });
                    }
                }
            }
            A::AgentModelChanged::SIGNATURE_HASH => {
                if let Ok(e) = log.log_decode::<A::AgentModelChanged>()
                    && let Some(&a) = self.agent_of.get(&e.inner.data.agentId)
                {
                    self.agents[a].model = e.inner.data.newModelId;
                }
            }
            A::AgentWalletSet::SIGNATURE_HASH => {
                if let Ok(e) = log.log_decode::<A::AgentWalletSet>() {
                    let e = e.inner.data;
                    if let (Some(&a), Some(w)) =
                        (self.agent_of.get(&e.agentId), self.actor(e.wallet))
                    {
                        self.agents[a].has_wallet = true;
                        let next = u64::try_from(e.nonce).unwrap_or(u64::MAX - 1) + 1;
                        self.wallet_nonce[w] = self.wallet_nonce[w].max(next);
                    }
                }
            }
            A::FeedbackGiven::SIGNATURE_HASH => {
                if let Ok(e) = log.log_decode::<A::FeedbackGiven>() {
                    let e = e.inner.data;
                    if let (Some(&a), Some(c)) =
                        (self.agent_of.get(&e.agentId), self.actor(e.client))
                    {
                        self.agents[a].feedback.push((e.index, c));
                    }
                }
            }
            E::InferencePaid::SIGNATURE_HASH => self.inferences += 1,
            _ => {}
        }
    }
}
