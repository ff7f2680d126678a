//! Models: register with lineage and splits, update, deprecate, read the lineage.

use std::collections::{BTreeMap, VecDeque};

use alloy::{
    primitives::{Address, U256},
    providers::Provider,
    rpc::types::TransactionReceipt,
};

use super::{OpenLedger, Sent, event, send};
use crate::{
    Error,
    bindings::model_registry::{IModelRegistry::FeeSplit, ModelRegistry},
};

/// How a model derives from a parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relation {
    /// Trained further from the parent's weights.
    FineTune,
    /// An adapter (e.g. LoRA) on top of the parent.
    Adapter,
    /// A merge of several parents.
    Merge,
    /// A quantized copy.
    Quantized,
}

impl Relation {
    fn code(self) -> u8 {
        match self {
            Self::FineTune => 0,
            Self::Adapter => 1,
            Self::Merge => 2,
            Self::Quantized => 3,
        }
    }

    /// The relation with on-chain code `code`.
    pub fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => Self::FineTune,
            1 => Self::Adapter,
            2 => Self::Merge,
            3 => Self::Quantized,
            _ => return None,
        })
    }
}

impl std::str::FromStr for Relation {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Ok(match s {
            "fine-tune" | "finetune" => Self::FineTune,
            "adapter" => Self::Adapter,
            "merge" => Self::Merge,
            "quantized" => Self::Quantized,
            other => {
                return Err(Error::Invalid(format!(
                    "unknown relation {other:?}: fine-tune, adapter, merge or quantized"
                )));
            }
        })
    }
}

/// Everything a model registration names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModelSpec {
    /// Metadata URI.
    pub uri: String,
    /// Datanets (id, version) it was trained on.
    pub datanets: Vec<(U256, u64)>,
    /// Parents: (model id, relation, royalty in basis points of this model's owner revenue).
    pub parents: Vec<(U256, Relation, u16)>,
    /// Fee split in basis points: (owner, data contributors, agent), summing to 10,000.
    pub split: (u16, u16, u16),
}

/// One model in a lineage walk.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LineageNode {
    /// The model.
    pub model_id: U256,
    /// Its owner.
    pub owner: Address,
    /// Whether it is deprecated.
    pub deprecated: bool,
    /// Steps from the model the walk started at (0 for itself).
    pub depth: u32,
    /// Its parents: (model id, relation, royalty bps).
    pub parents: Vec<(U256, Relation, u16)>,
}

impl<P: Provider + Clone> OpenLedger<P> {
    /// Registers a model owned by the sender; returns its id.
    pub async fn register_model(&self, spec: &ModelSpec) -> Result<U256, Error> {
        Ok(self.register_model_with_receipt(spec).await?.value)
    }

    /// [`Self::register_model`], with the receipt.
    pub async fn register_model_with_receipt(&self, spec: &ModelSpec) -> Result<Sent<U256>, Error> {
        let datanets = spec
            .datanets
            .iter()
            .map(|&(datanet_id, version)| ModelRegistry::TrainingSet {
                datanetId: datanet_id,
                version,
            })
            .collect();
        let parents = spec
            .parents
            .iter()
            .map(|&(model_id, relation, royalty_bps)| ModelRegistry::Parent {
                modelId: model_id,
                relation: relation.code(),
                royaltyBps: royalty_bps,
            })
            .collect();
        let split = FeeSplit {
            ownerBps: spec.split.0,
            dataBps: spec.split.1,
            agentBps: spec.split.2,
        };
        let receipt =
            send(
                self.model_registry()
                    .register(spec.uri.clone(), datanets, parents, split),
            )
            .await?;
        let value = event::<ModelRegistry::ModelRegistered>(&receipt)?.modelId;
        Ok(Sent { value, receipt })
    }

    /// Changes a model's metadata URI.
    pub async fn set_model_uri(
        &self,
        model_id: U256,
        uri: &str,
    ) -> Result<TransactionReceipt, Error> {
        send(
            self.model_registry()
                .setMetadataURI(model_id, uri.to_owned()),
        )
        .await
    }

    /// Changes a model's fee split, from this block on.
    pub async fn set_fee_split(
        &self,
        model_id: U256,
        (owner, data, agent): (u16, u16, u16),
    ) -> Result<TransactionReceipt, Error> {
        let split = FeeSplit {
            ownerBps: owner,
            dataBps: data,
            agentBps: agent,
        };
        send(self.model_registry().setFeeSplit(model_id, split)).await
    }

    /// Deprecates a model (irreversible: it accepts no more inferences).
    pub async fn deprecate_model(&self, model_id: U256) -> Result<TransactionReceipt, Error> {
        send(self.model_registry().deprecate(model_id)).await
    }

    /// A model's state.
    pub async fn model(&self, model_id: U256) -> Result<ModelRegistry::ModelView, Error> {
        Ok(self.model_registry().getModel(model_id).call().await?)
    }

    /// The model and all its ancestors, breadth first, each once (at its shortest depth).
    /// Bounded: the registry caps ancestors at 64.
    pub async fn lineage(&self, model_id: U256) -> Result<Vec<LineageNode>, Error> {
        let mut seen: BTreeMap<U256, ()> = BTreeMap::new();
        let mut queue = VecDeque::from([(model_id, 0u32)]);
        let mut out = Vec::new();
        while let Some((id, depth)) = queue.pop_front() {
            if seen.insert(id, ()).is_some() {
                continue;
            }
            let m = self.model(id).await?;
            let parents = m
                .parents
                .iter()
                .map(|p| {
                    let relation = Relation::from_code(p.relation).ok_or_else(|| {
                        Error::Invalid(format!("model {id}: unknown relation code {}", p.relation))
                    })?;
                    Ok((p.modelId, relation, p.royaltyBps))
                })
                .collect::<Result<Vec<_>, Error>>()?;
            for &(parent, _, _) in &parents {
                queue.push_back((parent, depth + 1));
            }
            out.push(LineageNode {
                model_id: id,
                owner: m.owner,
                deprecated: m.deprecated,
                depth,
                parents,
            });
        }
        Ok(out)
    }
}
