//! Epoch reports read from the content store: the balances behind each proposed root.

use sqlx::QueryBuilder;

use super::{Store, StoreError};
use openledger_sdk::report::ReportBalances;

/// A proposed root whose report has not been read yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingReport {
    /// The report's content hash, as proposed on-chain.
    pub report_hash: String,
    /// The proposed epoch.
    pub epoch: i64,
    /// The proposed root.
    pub root: String,
}

impl Store {
    /// Proposed roots whose report was neither loaded nor refused yet.
    pub async fn pending_reports(&self) -> Result<Vec<PendingReport>, StoreError> {
        let rows: Vec<(String, i64, String)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT p.report_hash, COALESCE(p.epoch, -1), p.root FROM escrow_root_proposed p \
                 WHERE NOT EXISTS (SELECT 1 FROM epoch_reports r WHERE r.report_hash = p.report_hash) \
                 ORDER BY p.block_number, p.log_index",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(report_hash, epoch, root)| PendingReport {
                report_hash,
                epoch,
                root,
            })
            .collect())
    }

    /// Stores a checked report and its balances in one transaction.
    pub async fn save_report(
        &self,
        report_hash: &str,
        report: &ReportBalances,
    ) -> Result<(), StoreError> {
        let epoch = super::to_i64(report.epoch, "epoch")?;
        let accounts =
            i64::try_from(report.balances.len()).map_err(|_| StoreError::OutOfRange("accounts"))?;
        let rows: Vec<(String, String)> = report
            .balances
            .iter()
            .map(|b| (format!("{:#x}", b.account), b.cumulative.to_string()))
            .collect();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO epoch_reports (report_hash, status, epoch, root, token, total_cumulative, accounts) \
                 VALUES ($1, 'loaded', $2, $3, $4, $5, $6) ON CONFLICT (report_hash) DO NOTHING",
            )
            .bind(report_hash)
            .bind(epoch)
            .bind(format!("{:#x}", report.root))
            .bind(format!("{:#x}", report.token))
            .bind(report.total_cumulative.to_string())
            .bind(accounts)
            .execute(&mut *tx)
            .await?;
            for chunk in rows.chunks(10_000) {
                let mut qb = QueryBuilder::new("INSERT INTO report_balances (report_hash, account, cumulative) ");
                qb.push_values(chunk, |mut b, (account, cumulative)| {
                    b.push_bind(report_hash.to_owned())
                        .push_bind(account.clone())
                        .push_bind(cumulative.clone());
                });
                qb.push(" ON CONFLICT (report_hash, account) DO NOTHING");
                qb.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Records that the report under `report_hash` was refused, and why, so it is not re-read.
    pub async fn refuse_report(&self, report_hash: &str, error: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO epoch_reports (report_hash, status, error) VALUES ($1, 'invalid', $2) \
                 ON CONFLICT (report_hash) DO NOTHING",
            )
            .bind(report_hash)
            .bind(error)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
