//! Merkle proofs of the current root, so a wallet can claim with one request.
//!
//! The tree of a root is rebuilt from its report's balances (`report_balances`, filled by the
//! report loader) and checked against the root before any proof leaves: a report that does not
//! back the root on chain must never produce a proof that would revert. Building a large tree
//! costs tens of milliseconds (about 70 ms at 100k leaves), so the tree of the current root is
//! kept, with an account index, until another root becomes current.

use std::{collections::HashMap, sync::Arc};

use alloy::primitives::{Address, B256};
use openledger_sdk::merkle::{Claim, ClaimTree};
use tokio::sync::Mutex;

use super::{
    data::amount,
    db::{Param, fetch_all, fetch_optional},
    error::ApiError,
    types::Proof,
};
use crate::Store;

/// The tree of one root, with its account index.
#[derive(Debug)]
struct Built {
    report_hash: String,
    root: B256,
    epoch: i64,
    token: Address,
    tree: ClaimTree,
    index: HashMap<Address, usize>,
}

/// The proofs of the current root, built once per root.
#[derive(Debug, Default)]
pub struct ProofCache {
    // An async mutex held while building: concurrent first requests for a new root wait for one
    // build instead of each building the same tree.
    slot: Mutex<Option<Arc<Built>>>,
}

#[derive(sqlx::FromRow)]
struct CurrentRoot {
    epoch: Option<i64>,
    root: String,
    report_hash: String,
}

#[derive(sqlx::FromRow)]
struct ReportRow {
    status: String,
    error: Option<String>,
    token: Option<String>,
}

#[derive(sqlx::FromRow)]
struct BalanceRow {
    account: String,
    cumulative: String,
}

fn corrupt(what: &str, detail: impl std::fmt::Display) -> ApiError {
    ApiError::internal(what, detail)
}

impl ProofCache {
    /// The proof of `account` (lowercase hex) in the current root.
    pub async fn proof(&self, store: &Store, account: &str) -> Result<Proof, ApiError> {
        let address: Address = account
            .parse()
            .map_err(|_| ApiError::bad_request("invalid_address", "not an address"))?;
        let built = self.current(store).await?;
        let i = *built.index.get(&address).ok_or_else(|| {
            ApiError::not_found(
                "no_balance",
                format!(
                    "{account} has no balance in the current root (epoch {})",
                    built.epoch
                ),
            )
        })?;
        let claim = built
            .tree
            .value(i)
            .map_err(|e| corrupt("proof lookup", e))?;
        let proof = built.tree.proof(i).map_err(|e| corrupt("proof", e))?;
        Ok(Proof {
            account: account.to_owned(),
            token: format!("{:#x}", built.token),
            cumulative: claim.cumulative_amount.to_string(),
            epoch: built.epoch,
            root: built.root.to_string(),
            report_hash: built.report_hash.clone(),
            proof: proof.iter().map(ToString::to_string).collect(),
        })
    }

    /// The tree of the current root, built now if the cached one is of another root.
    async fn current(&self, store: &Store) -> Result<Arc<Built>, ApiError> {
        let current: CurrentRoot = fetch_optional(
            store,
            "SELECT epoch, root, report_hash FROM current_root".to_owned(),
            &[],
        )
        .await?
        .ok_or_else(|| ApiError::not_found("no_current_root", "no epoch root is accepted yet"))?;
        let root: B256 = current
            .root
            .parse()
            .map_err(|e| corrupt("corrupt root in storage", e))?;
        let mut slot = self.slot.lock().await;
        if let Some(built) = slot.as_ref()
            && built.root == root
            && built.report_hash == current.report_hash
        {
            return Ok(Arc::clone(built));
        }
        let built = Arc::new(build(store, current, root).await?);
        *slot = Some(Arc::clone(&built));
        Ok(built)
    }
}

async fn build(store: &Store, current: CurrentRoot, root: B256) -> Result<Built, ApiError> {
    let not_loaded = |why: String| {
        ApiError::not_found(
            "report_not_loaded",
            format!(
                "the report {} of the current root is {why}",
                current.report_hash
            ),
        )
    };
    let report: ReportRow = fetch_optional(
        store,
        "SELECT status, error, token FROM epoch_reports WHERE report_hash = $1".to_owned(),
        &[Param::Text(current.report_hash.clone())],
    )
    .await?
    .ok_or_else(|| not_loaded("not loaded yet".into()))?;
    if report.status != "loaded" {
        return Err(not_loaded(format!(
            "{}: {}",
            report.status,
            report.error.as_deref().unwrap_or("no reason recorded")
        )));
    }
    let token: Address = report
        .token
        .as_deref()
        .unwrap_or_default()
        .parse()
        .map_err(|e| corrupt("corrupt report token in storage", e))?;
    let rows: Vec<BalanceRow> = fetch_all(
        store,
        "SELECT account, cumulative FROM report_balances WHERE report_hash = $1".to_owned(),
        &[Param::Text(current.report_hash.clone())],
    )
    .await?;
    let claims = rows
        .iter()
        .map(|r| {
            let account: Address = r
                .account
                .parse()
                .map_err(|e| corrupt("corrupt balance account in storage", e))?;
            Ok(Claim::new(account, token, amount(&r.cumulative)?))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let epoch = current.epoch.unwrap_or_default();
    // Hashing a large tree is CPU work: keep it off the async workers.
    let tree = tokio::task::spawn_blocking(move || ClaimTree::of(claims))
        .await
        .map_err(|e| corrupt("tree build", e))?
        .map_err(|e| not_loaded(format!("unusable ({e})")))?;
    if tree.root() != root {
        // The loader checks reports against their root, so this means a corrupt table.
        return Err(corrupt(
            "report balances do not match the current root",
            format!("built {} for {root}", tree.root()),
        ));
    }
    let index = tree
        .values()
        .iter()
        .enumerate()
        .map(|(i, c)| (c.account, i))
        .collect();
    tracing::info!(%root, epoch, leaves = tree.len(), "built the proof tree of the current root");
    Ok(Built {
        report_hash: current.report_hash,
        root,
        epoch,
        token,
        tree,
        index,
    })
}
