//! Integer fee split of paid inferences, and cumulative balances.
//!
//! # Rules (all amounts in token wei, integer arithmetic, floor division)
//! For one inference on model `M` with net amount `F` (the protocol fee is already taken
//! on-chain) and the split `(o, d, a)` recorded in its `InferencePaid` event:
//! 1. `owner = F·o/10_000`, `data = F·d/10_000`, `agent = F·a/10_000`; the dust
//!    `F - owner - data - agent` (at most 2 wei) goes to `M`'s owner ([`Role::SplitDust`]): the
//!    account that chose the split absorbs its rounding.
//! 2. **Royalty stack**, the rule of `ModelRegistry`: an amount `X` received as owner revenue by a
//!    model `N` pays each parent `p` the royalty `X·royaltyBps(N, p)/10_000`, which `p` receives as
//!    owner revenue and splits the same way, recursively, once per lineage path (a diamond pays a
//!    shared ancestor along each path); `N`'s owner keeps the rest. Starts with `X = owner` at `M`.
//! 3. **Agent share**: to the agent's account. With no agent (`agentId == 0`) it goes to `M`'s owner
//!    ([`Role::AgentlessShare`]), outside the royalty stack: royalties are a share of `owner`
//!    only, as the registry defines them, and the owner served the call itself.
//! 4. **Data share**: to the cluster owners by attribution weight: `data·w/W` each (floor), then
//!    the remaining wei (fewer than the number of owners) one each to the largest remainders
//!    `data·w mod W`, ties broken by the lower address ([`distribute`]).
//! 5. **Nothing attributed** (`W = 0`): the data share goes to
//!    [`SplitParams::unattributed_recipient`] ([`Role::Unattributed`]), meant to be the protocol
//!    treasury. Not to the model owner, who controls outputs and would otherwise gain by making
//!    them unattributable; not spread over the corpus, which would pay spam that no output uses;
//!    not carried forward, as an output that matches nothing will never match.
//! 6. **Unresolved** inferences are not split ([`split_unresolved`]): when the output cannot be
//!    fetched or checked, owner, royalties and agent are paid and the data share is carried
//!    forward; when the model is unknown, the whole net amount is carried. A [`Carried`] amount is
//!    settled by [`resolve_carried`] in the epoch that resolves it (invariant 5).
//!
//! Every split is checked to add up to its net amount to the wei (invariant 1) before it is
//! returned.

use std::collections::BTreeMap;

use alloy::primitives::{Address, U256, U512};
use openledger_sdk::client::LineageNode;
use serde::{Deserialize, Serialize};

use crate::cluster::ClusterId;

/// Basis points denominator.
pub const BPS: u16 = 10_000;
/// Most lineage edges a royalty walk may visit: `ModelRegistry.MAX_ANCESTORS`.
pub const MAX_ROYALTY_EDGES: usize = 64;

/// Why a split could not be computed.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SplitError {
    /// The three shares do not add up to 10,000 bps.
    #[error("split {0}/{1}/{2} does not add up to 10000 bps")]
    InvalidSplit(u16, u16, u16),
    /// A model of the lineage is missing.
    #[error("model {0} is not in the lineage")]
    UnknownModel(U256),
    /// A model's royalties add up to more than 10,000 bps.
    #[error("model {0} owes royalties of {1} bps")]
    RoyaltyTooHigh(U256, u32),
    /// The royalty walk visits more edges than the registry allows (or the lineage has a cycle).
    #[error("lineage of model {0} has more than {MAX_ROYALTY_EDGES} ancestor paths")]
    LineageTooLarge(U256),
    /// An amount or balance overflowed 256 bits.
    #[error("amount overflow")]
    Overflow,
    /// A cluster with weight has no owner.
    #[error("cluster {0:?} has no owner")]
    UnknownCluster(ClusterId),
    /// The carried amount does not match the payment it is resolved against.
    #[error("carried amount of inference {0} does not match its payment")]
    CarriedMismatch(U256),
    /// Internal: the allocations do not add up to the net amount.
    #[error("allocations of inference {0} do not add up to its net amount")]
    Conservation(U256),
}

/// A model's fee split in basis points, as recorded in `InferencePaid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeSplit {
    /// Model owner (royalty-bearing).
    pub owner_bps: u16,
    /// Data contributors.
    pub data_bps: u16,
    /// Agent.
    pub agent_bps: u16,
}

/// A parent of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParentLink {
    /// The parent model.
    pub model_id: U256,
    /// Its royalty, in bps of the child's owner revenue.
    pub royalty_bps: u16,
}

/// One model of a lineage: its owner (at payment time) and parents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineageModel {
    /// The model.
    pub model_id: U256,
    /// Who receives its owner revenue.
    pub owner: Address,
    /// Its parents, in registry order.
    pub parents: Vec<ParentLink>,
}

/// The models reachable from a paid model (itself included), by id.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Lineage {
    /// Models by id.
    pub models: BTreeMap<U256, LineageModel>,
}

impl Lineage {
    /// A lineage from its models.
    pub fn new(models: impl IntoIterator<Item = LineageModel>) -> Self {
        Self {
            models: models.into_iter().map(|m| (m.model_id, m)).collect(),
        }
    }
}

impl From<&[LineageNode]> for Lineage {
    /// From the SDK's lineage walk (`OpenLedger::lineage`).
    fn from(nodes: &[LineageNode]) -> Self {
        Self::new(nodes.iter().map(|n| {
            LineageModel {
                model_id: n.model_id,
                owner: n.owner,
                parents: n
                    .parents
                    .iter()
                    .map(|&(model_id, _, royalty_bps)| ParentLink {
                        model_id,
                        royalty_bps,
                    })
                    .collect(),
            }
        }))
    }
}

/// One paid inference, as the `InferencePaid` event records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// Inference id.
    pub inference_id: U256,
    /// The model paid for.
    pub model_id: U256,
    /// Amount to split: the payment minus the protocol fee.
    pub net: U256,
    /// The split in force at payment.
    pub split: FeeSplit,
    /// The agent's payout account, `None` when the call was made without an agent.
    pub agent: Option<Address>,
}

/// Split parameters. Part of the epoch report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitParams {
    /// Receives the data share of an inference nothing was attributed to (the protocol treasury).
    pub unattributed_recipient: Address,
}

/// Why an account receives an allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Role {
    /// Owner revenue `model_id` keeps after paying its parents' royalties.
    Owner {
        /// The model.
        model_id: U256,
    },
    /// Owner revenue an ancestor keeps from royalties received from `child`, after paying its own
    /// parents.
    Royalty {
        /// The ancestor.
        model_id: U256,
        /// The child that paid it.
        child: U256,
    },
    /// Rounding dust of the three-way split, to the paid model's owner.
    SplitDust,
    /// The agent share.
    Agent,
    /// The agent share of an agentless call, to the paid model's owner.
    AgentlessShare,
    /// Data share, by attribution weight.
    Data {
        /// The owner's total attribution weight.
        weight: u128,
    },
    /// Data share of an output nothing was attributed to.
    Unattributed,
}

/// An amount paid to an account, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    /// Who.
    pub account: Address,
    /// How much (wei), never zero.
    pub amount: U256,
    /// Why.
    pub role: Role,
}

/// The allocations of one inference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InferenceSplit {
    /// Inference id.
    pub inference_id: U256,
    /// What the allocations add up to (the net amount, or the part of it settled now).
    pub amount: U256,
    /// Allocations, in rule order.
    pub allocations: Vec<Allocation>,
}

impl InferenceSplit {
    /// Total per account.
    pub fn totals(&self) -> BTreeMap<Address, U256> {
        let mut out = BTreeMap::new();
        for a in &self.allocations {
            // Cannot overflow: the allocations add up to `amount`.
            let entry: &mut U256 = out.entry(a.account).or_default();
            *entry = entry.saturating_add(a.amount);
        }
        out
    }

    fn checked(self) -> Result<Self, SplitError> {
        let mut sum = U256::ZERO;
        for a in &self.allocations {
            sum = sum.checked_add(a.amount).ok_or(SplitError::Overflow)?;
        }
        if sum == self.amount {
            Ok(self)
        } else {
            Err(SplitError::Conservation(self.inference_id))
        }
    }
}

/// Why an inference could not be attributed this epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnresolvedReason {
    /// The output is not in the content store (yet).
    OutputUnavailable,
    /// The stored bytes do not match the output hash.
    OutputHashMismatch,
    /// The model (or one of its ancestors) is unknown.
    UnknownModel,
}

/// Which part of a payment is carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CarriedPortion {
    /// The data share; owner, royalties and agent were paid.
    DataShare,
    /// The whole net amount; nothing was paid.
    Net,
}

/// An amount held back from an unresolved inference until it resolves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Carried {
    /// Inference id.
    pub inference_id: U256,
    /// Its model.
    pub model_id: U256,
    /// Amount held back.
    pub amount: U256,
    /// What it is.
    pub portion: CarriedPortion,
    /// Why.
    pub reason: UnresolvedReason,
}

/// Splits a resolved inference. `weights` are attribution weights per cluster owner
/// ([`weights_by_owner`]).
///
/// [`SplitError::UnknownModel`] means the lineage lacks the model or an ancestor: report the
/// inference with [`split_unresolved`] and [`UnresolvedReason::UnknownModel`] instead.
pub fn split_inference(
    payment: &Payment,
    lineage: &Lineage,
    weights: &impl DataClaim,
    params: &SplitParams,
) -> Result<InferenceSplit, SplitError> {
    let (mut allocations, data) = pay_non_data(payment, lineage)?;
    allocations.extend(data_allocations(data, weights, params)?);
    InferenceSplit {
        inference_id: payment.inference_id,
        amount: payment.net,
        allocations,
    }
    .checked()
}

/// Splits what can be paid of an unresolved inference and says what is carried. `lineage` is
/// ignored for [`UnresolvedReason::UnknownModel`].
pub fn split_unresolved(
    payment: &Payment,
    lineage: &Lineage,
    reason: UnresolvedReason,
) -> Result<(InferenceSplit, Carried), SplitError> {
    let (allocations, carried, portion) = match reason {
        UnresolvedReason::UnknownModel => (Vec::new(), payment.net, CarriedPortion::Net),
        _ => {
            let (allocations, data) = pay_non_data(payment, lineage)?;
            (allocations, data, CarriedPortion::DataShare)
        }
    };
    let paid = payment
        .net
        .checked_sub(carried)
        .ok_or(SplitError::Overflow)?;
    let split = InferenceSplit {
        inference_id: payment.inference_id,
        amount: paid,
        allocations,
    }
    .checked()?;
    Ok((
        split,
        Carried {
            inference_id: payment.inference_id,
            model_id: payment.model_id,
            amount: carried,
            portion,
            reason,
        },
    ))
}

/// Settles a carried amount once its inference resolves: the data share by `weights`, or, for a
/// carried net amount, the whole split of `payment`.
pub fn resolve_carried(
    carried: &Carried,
    payment: &Payment,
    lineage: &Lineage,
    weights: &impl DataClaim,
    params: &SplitParams,
) -> Result<InferenceSplit, SplitError> {
    if carried.inference_id != payment.inference_id {
        return Err(SplitError::CarriedMismatch(carried.inference_id));
    }
    match carried.portion {
        CarriedPortion::Net => {
            if carried.amount != payment.net {
                return Err(SplitError::CarriedMismatch(carried.inference_id));
            }
            split_inference(payment, lineage, weights, params)
        }
        CarriedPortion::DataShare => {
            let (_, data) = three_way(payment)?;
            if carried.amount != data.1 {
                return Err(SplitError::CarriedMismatch(carried.inference_id));
            }
            InferenceSplit {
                inference_id: payment.inference_id,
                amount: carried.amount,
                allocations: data_allocations(carried.amount, weights, params)?,
            }
            .checked()
        }
    }
}

/// `(dust, (owner, data, agent))` of the three-way split.
fn three_way(payment: &Payment) -> Result<(U256, (U256, U256, U256)), SplitError> {
    let FeeSplit {
        owner_bps,
        data_bps,
        agent_bps,
    } = payment.split;
    if u32::from(owner_bps) + u32::from(data_bps) + u32::from(agent_bps) != u32::from(BPS) {
        return Err(SplitError::InvalidSplit(owner_bps, data_bps, agent_bps));
    }
    let part = |bps: u16| mul_div(payment.net, U256::from(bps), U256::from(BPS));
    let (owner, data, agent) = (part(owner_bps)?, part(data_bps)?, part(agent_bps)?);
    let dust = payment
        .net
        .checked_sub(owner + data + agent)
        .ok_or(SplitError::Overflow)?;
    Ok((dust, (owner, data, agent)))
}

/// Owner, royalties, agent and dust allocations; returns them and the data share.
fn pay_non_data(
    payment: &Payment,
    lineage: &Lineage,
) -> Result<(Vec<Allocation>, U256), SplitError> {
    let (dust, (owner, data, agent)) = three_way(payment)?;
    let model = lineage
        .models
        .get(&payment.model_id)
        .ok_or(SplitError::UnknownModel(payment.model_id))?;
    let mut allocations = Vec::new();
    let mut edges = 0;
    royalty_stack(
        lineage,
        payment.model_id,
        None,
        owner,
        &mut edges,
        &mut allocations,
    )?;
    push(&mut allocations, model.owner, dust, Role::SplitDust);
    match payment.agent {
        Some(account) => push(&mut allocations, account, agent, Role::Agent),
        None => push(&mut allocations, model.owner, agent, Role::AgentlessShare),
    }
    Ok((allocations, data))
}

fn push(allocations: &mut Vec<Allocation>, account: Address, amount: U256, role: Role) {
    if !amount.is_zero() {
        allocations.push(Allocation {
            account,
            amount,
            role,
        });
    }
}

/// Pays `received` as owner revenue of `model_id` (from `child`, if a royalty): royalties up
/// each parent, depth first in registry order, the rest to its owner.
fn royalty_stack(
    lineage: &Lineage,
    model_id: U256,
    child: Option<U256>,
    received: U256,
    edges: &mut usize,
    out: &mut Vec<Allocation>,
) -> Result<(), SplitError> {
    let model = lineage
        .models
        .get(&model_id)
        .ok_or(SplitError::UnknownModel(model_id))?;
    let total_bps: u32 = model.parents.iter().map(|p| u32::from(p.royalty_bps)).sum();
    if total_bps > u32::from(BPS) {
        return Err(SplitError::RoyaltyTooHigh(model_id, total_bps));
    }
    let role = match child {
        None => Role::Owner { model_id },
        Some(child) => Role::Royalty { model_id, child },
    };
    let index = out.len();
    let mut kept = received;
    for parent in &model.parents {
        *edges += 1;
        if *edges > MAX_ROYALTY_EDGES {
            return Err(SplitError::LineageTooLarge(model_id));
        }
        let royalty = mul_div(received, U256::from(parent.royalty_bps), U256::from(BPS))?;
        kept = kept.checked_sub(royalty).ok_or(SplitError::Overflow)?;
        royalty_stack(
            lineage,
            parent.model_id,
            Some(model_id),
            royalty,
            edges,
            out,
        )?;
    }
    if !kept.is_zero() {
        out.insert(
            index,
            Allocation {
                account: model.owner,
                amount: kept,
                role,
            },
        );
    }
    Ok(())
}

/// What an inference's data share is divided by: weights per account and the coverage that
/// scales the part paid by weight. A bare weight map is a claim at full coverage.
pub trait DataClaim {
    /// Attribution weight per account.
    fn weights(&self) -> &BTreeMap<Address, u128>;
    /// The coverage scaling the part paid by weight.
    fn coverage(&self) -> Coverage {
        Coverage::FULL
    }
}

impl DataClaim for BTreeMap<Address, u128> {
    fn weights(&self) -> &BTreeMap<Address, u128> {
        self
    }
}

/// Of an output's `eligible` micro-tokens, `covered` were credited to the accounts paid by weight.
/// The data share paid by weight is `data × covered / eligible` (floor; all of it when
/// `covered >= eligible`), the rest goes to the unattributed recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Micro-tokens credited to the accounts paid.
    pub covered: u64,
    /// Micro-tokens the share is measured against.
    pub eligible: u64,
}

impl Coverage {
    /// The whole data share is paid by weight.
    pub const FULL: Self = Self {
        covered: 1,
        eligible: 1,
    };
}

/// Weights and coverage of one attributed output ([`DataClaim`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttributedClaim {
    /// Attribution weight per account.
    pub weights: BTreeMap<Address, u128>,
    /// Its coverage.
    pub coverage: Option<Coverage>,
}

impl DataClaim for AttributedClaim {
    fn weights(&self) -> &BTreeMap<Address, u128> {
        &self.weights
    }
    fn coverage(&self) -> Coverage {
        self.coverage.unwrap_or(Coverage::FULL)
    }
}

/// The data share's allocations: the covered part by weight, the rest (all of it when nothing
/// was attributed) to the unattributed recipient.
fn data_allocations(
    data: U256,
    claim: &impl DataClaim,
    params: &SplitParams,
) -> Result<Vec<Allocation>, SplitError> {
    let weights = claim.weights();
    let Coverage { covered, eligible } = claim.coverage();
    let by_weight = if weights.values().all(|&w| w == 0) {
        U256::ZERO
    } else if covered >= eligible {
        data
    } else {
        mul_div(data, U256::from(covered), U256::from(eligible))?
    };
    let mut out = Vec::new();
    for (account, amount) in distribute(by_weight, weights)? {
        let weight = weights.get(&account).copied().unwrap_or(0);
        push(&mut out, account, amount, Role::Data { weight });
    }
    let rest = data.checked_sub(by_weight).ok_or(SplitError::Overflow)?;
    push(
        &mut out,
        params.unattributed_recipient,
        rest,
        Role::Unattributed,
    );
    Ok(out)
}

/// Divides `amount` by `weights` (largest remainder): `amount·w/W` each, floor, then one more wei
/// to each of the largest remainders `amount·w mod W` (ties: lower address first) until the sum is
/// exact. Zero weights get nothing; an empty result means the total weight is zero. Entries may
/// be zero.
pub fn distribute(
    amount: U256,
    weights: &BTreeMap<Address, u128>,
) -> Result<Vec<(Address, U256)>, SplitError> {
    let total: U256 = weights
        .values()
        .try_fold(U256::ZERO, |acc, &w| acc.checked_add(U256::from(w)))
        .ok_or(SplitError::Overflow)?;
    if total.is_zero() {
        return Ok(Vec::new());
    }
    let total_wide = widen(total);
    let mut parts: Vec<(Address, U256, U512)> = Vec::new();
    let mut given = U256::ZERO;
    for (&account, &w) in weights {
        if w == 0 {
            continue;
        }
        let product = widen(amount) * widen(U256::from(w));
        let (quotient, remainder) = product.div_rem(total_wide);
        let quotient = narrow(quotient).ok_or(SplitError::Overflow)?;
        given = given.checked_add(quotient).ok_or(SplitError::Overflow)?;
        parts.push((account, quotient, remainder));
    }
    let mut leftover = amount.checked_sub(given).ok_or(SplitError::Overflow)?;
    let mut by_remainder: Vec<usize> = (0..parts.len()).collect();
    by_remainder.sort_by(|&a, &b| {
        parts[b]
            .2
            .cmp(&parts[a].2)
            .then(parts[a].0.cmp(&parts[b].0))
    });
    for i in by_remainder {
        if leftover.is_zero() {
            break;
        }
        parts[i].1 += U256::from(1);
        leftover -= U256::from(1);
    }
    if !leftover.is_zero() {
        return Err(SplitError::Overflow);
    }
    Ok(parts.into_iter().map(|(a, q, _)| (a, q)).collect())
}

/// Sums cluster weights per owner (a contributor owning several clusters gets their sum).
pub fn weights_by_owner(
    weights: &BTreeMap<ClusterId, u128>,
    owners: &BTreeMap<ClusterId, Address>,
) -> Result<BTreeMap<Address, u128>, SplitError> {
    let mut out: BTreeMap<Address, u128> = BTreeMap::new();
    for (cluster, &w) in weights {
        let owner = owners
            .get(cluster)
            .ok_or(SplitError::UnknownCluster(*cluster))?;
        let entry = out.entry(*owner).or_default();
        *entry = entry.checked_add(w).ok_or(SplitError::Overflow)?;
    }
    Ok(out)
}

/// Per-account totals of many splits.
pub fn totals<'a>(
    splits: impl IntoIterator<Item = &'a InferenceSplit>,
) -> Result<BTreeMap<Address, U256>, SplitError> {
    let mut out: BTreeMap<Address, U256> = BTreeMap::new();
    for split in splits {
        for a in &split.allocations {
            let entry = out.entry(a.account).or_default();
            *entry = entry.checked_add(a.amount).ok_or(SplitError::Overflow)?;
        }
    }
    Ok(out)
}

/// New cumulative balances: `previous` plus this epoch's `earned`. Balances only grow
/// (invariant 2): every account of `previous` is kept, and amounts are added, never subtracted.
pub fn accumulate(
    previous: &BTreeMap<Address, U256>,
    earned: &BTreeMap<Address, U256>,
) -> Result<BTreeMap<Address, U256>, SplitError> {
    let mut out = previous.clone();
    for (&account, &amount) in earned {
        let entry = out.entry(account).or_default();
        *entry = entry.checked_add(amount).ok_or(SplitError::Overflow)?;
    }
    Ok(out)
}

/// `floor(x·y/z)` without intermediate overflow; errors when the result exceeds 256 bits.
fn mul_div(x: U256, y: U256, z: U256) -> Result<U256, SplitError> {
    if z.is_zero() {
        return Err(SplitError::Overflow);
    }
    narrow((widen(x) * widen(y)) / widen(z)).ok_or(SplitError::Overflow)
}

fn widen(x: U256) -> U512 {
    let l = x.as_limbs();
    U512::from_limbs([l[0], l[1], l[2], l[3], 0, 0, 0, 0])
}

fn narrow(x: U512) -> Option<U256> {
    let l = x.as_limbs();
    (l[4..].iter().all(|&w| w == 0)).then(|| U256::from_limbs([l[0], l[1], l[2], l[3]]))
}
