//! Why an account earned what it did in an epoch, read from the epoch's report alone.
//!
//! Everything needed is in the report: each allocation names its account and role; a data
//! allocation names the account's clusters, and the spans of the output cite clusters, so the
//! texts that earned the account its share are the spans citing one of its clusters.

use std::fmt;

use alloy::primitives::{Address, U256};
use serde::Serialize;

use crate::report::{ClusterEntry, EpochReport, InferenceEntry, RoleEntry, SpanEntry, Status, dec};

/// One reason an account was paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExplainedAllocation {
    /// The inference.
    #[serde(with = "dec::u256")]
    pub inference_id: U256,
    /// `"paid"` (an inference of this epoch) or `"resolved"` (carried from an earlier one).
    pub settlement: &'static str,
    /// The model paid for.
    #[serde(with = "dec::u256")]
    pub model_id: U256,
    /// The inference's net fee.
    #[serde(with = "dec::u256")]
    pub net: U256,
    /// The amount.
    #[serde(with = "dec::u256")]
    pub amount: U256,
    /// Why.
    pub role: RoleEntry,
    /// For a data share: the output's total weight.
    #[serde(with = "dec::u128_str")]
    pub output_weight: u128,
    /// For a data share: the spans citing the account's clusters.
    pub spans: Vec<SpanEntry>,
}

/// Why an account earned what it did in one epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The account.
    pub account: Address,
    /// The epoch.
    pub epoch: u64,
    /// Earned in the epoch.
    #[serde(with = "dec::u256")]
    pub earned: U256,
    /// Cumulative balance after the epoch.
    #[serde(with = "dec::u256")]
    pub cumulative: U256,
    /// Every allocation to the account.
    pub allocations: Vec<ExplainedAllocation>,
    /// The account's clusters cited in the epoch.
    pub clusters: Vec<ClusterEntry>,
    /// Unresolved inferences whose data share is carried (the account may earn from them
    /// later): inference ids.
    #[serde(with = "dec::u256_vec")]
    pub pending: Vec<U256>,
}

/// Explains `account`'s earnings in `report`.
pub fn explain(report: &EpochReport, account: Address) -> Explanation {
    let mut allocations = Vec::new();
    let groups: [(&'static str, &[InferenceEntry]); 2] =
        [("paid", &report.inferences), ("resolved", &report.resolved)];
    for (settlement, entries) in groups {
        for entry in entries {
            for a in entry.allocations.iter().filter(|a| a.account == account) {
                let spans = match &a.role {
                    RoleEntry::Data { clusters, .. } => entry
                        .spans
                        .iter()
                        .filter(|s| s.clusters.iter().any(|c| clusters.contains(c)))
                        .cloned()
                        .collect(),
                    _ => Vec::new(),
                };
                allocations.push(ExplainedAllocation {
                    inference_id: entry.inference_id,
                    settlement,
                    model_id: entry.model_id,
                    net: entry.net,
                    amount: a.amount,
                    role: a.role.clone(),
                    output_weight: entry.total_weight,
                    spans,
                });
            }
        }
    }
    let figures = report.accounts.iter().find(|a| a.account == account);
    let cumulative = report
        .balances
        .iter()
        .find(|b| b.account == account)
        .map_or(U256::ZERO, |b| b.cumulative);
    Explanation {
        account,
        epoch: report.epoch,
        earned: figures.map_or(U256::ZERO, |f| f.earned),
        cumulative,
        allocations,
        clusters: report
            .clusters
            .iter()
            .filter(|c| c.owner == account)
            .cloned()
            .collect(),
        pending: report
            .inferences
            .iter()
            .filter(|e| e.status == Status::Unresolved)
            .map(|e| e.inference_id)
            .collect(),
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} in epoch {}: earned {} (cumulative {})",
            self.account, self.epoch, self.earned, self.cumulative
        )?;
        if self.allocations.is_empty() {
            writeln!(f, "  nothing allocated to this account in this epoch")?;
        }
        for a in &self.allocations {
            let role = match &a.role {
                RoleEntry::Owner { model_id } => format!("owner of model {model_id}"),
                RoleEntry::Royalty { model_id, child } => {
                    format!("royalty as owner of model {model_id}, from model {child}")
                }
                RoleEntry::SplitDust => "rounding dust of the split".into(),
                RoleEntry::Agent { agent_id } => {
                    format!("agent share, as owner of agent {agent_id}")
                }
                RoleEntry::AgentlessShare => "agent share of an agentless call".into(),
                RoleEntry::Data { weight, clusters } => format!(
                    "data share: weight {weight} of {} from records {}",
                    a.output_weight,
                    clusters
                        .iter()
                        .map(U256::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                RoleEntry::Unattributed => "data share of an unattributed output".into(),
            };
            writeln!(
                f,
                "  inference {} ({}, model {}, net {}): {} — {role}",
                a.inference_id, a.settlement, a.model_id, a.net, a.amount
            )?;
            for s in &a.spans {
                writeln!(
                    f,
                    "      words {}..{}, {} occurrence(s), weight {} (shares {}): \"{}\"",
                    s.start,
                    s.end,
                    s.occurrences,
                    s.weight,
                    s.shares
                        .iter()
                        .map(u128::to_string)
                        .collect::<Vec<_>>()
                        .join(" + "),
                    s.text
                )?;
            }
        }
        for c in &self.clusters {
            if c.members.len() > 1 {
                writeln!(
                    f,
                    "  record {} represents {} submissions ({}); its copies earn nothing",
                    c.representative,
                    c.members.len(),
                    c.members
                        .iter()
                        .map(U256::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )?;
            }
        }
        if !self.pending.is_empty() {
            writeln!(
                f,
                "  unresolved this epoch (data shares carried): inferences {}",
                self.pending
                    .iter()
                    .map(U256::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )?;
        }
        Ok(())
    }
}
