//! Reads the epoch report of every proposed root from the content store, checks it against the
//! root, and stores its balances so the API can serve proofs.
//!
//! A report may be uploaded after its root is proposed, so missing ones are simply retried on
//! the next pass. A report that does not back its root (wrong root, epoch or total, unsorted
//! balances, not a report) is recorded as invalid with the reason and never served.

use openledger_sdk::report::ReportBalances;

use crate::{Store, StoreError};

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportPass {
    /// Reports loaded.
    pub loaded: usize,
    /// Reports refused as invalid.
    pub refused: usize,
    /// Reports not in the content store yet.
    pub missing: usize,
}

/// Loads every pending report that the content store holds.
pub async fn load_reports(store: &Store) -> Result<ReportPass, StoreError> {
    let mut pass = ReportPass::default();
    for pending in store.pending_reports().await? {
        let Some(bytes) = store.get_content(&pending.report_hash).await? else {
            pass.missing += 1;
            continue;
        };
        match check(&bytes, &pending) {
            Ok(report) => {
                store.save_report(&pending.report_hash, &report).await?;
                pass.loaded += 1;
                tracing::info!(
                    epoch = report.epoch,
                    accounts = report.balances.len(),
                    "epoch report loaded"
                );
            }
            Err(reason) => {
                tracing::warn!(report = %pending.report_hash, %reason, "epoch report refused");
                store.refuse_report(&pending.report_hash, &reason).await?;
                pass.refused += 1;
            }
        }
    }
    Ok(pass)
}

fn check(bytes: &[u8], pending: &crate::store::PendingReport) -> Result<ReportBalances, String> {
    let report = ReportBalances::from_json(bytes).map_err(|e| e.to_string())?;
    report.verified_tree().map_err(|e| e.to_string())?;
    let root = format!("{:#x}", report.root);
    if root != pending.root {
        return Err(format!(
            "report root {root} is not the proposed root {}",
            pending.root
        ));
    }
    if i64::try_from(report.epoch).ok() != Some(pending.epoch) {
        return Err(format!(
            "report epoch {} is not the proposed epoch {}",
            report.epoch, pending.epoch
        ));
    }
    Ok(report)
}
