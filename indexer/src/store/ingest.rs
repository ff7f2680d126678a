//! Writing decoded events, recent block hashes and the checkpoint in one transaction, and
//! rolling all of them back to a fork point in another.

use sqlx::QueryBuilder;

use super::{Checkpoint, Store, StoreError, to_i64};
use crate::schema::{COMMON_COLUMNS, Schema, SqlType, Value};

/// One decoded log, ready to insert into its event table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    /// Position of the table in [`Schema::tables`].
    pub table: usize,
    /// Block number.
    pub block_number: u64,
    /// Log index within the block.
    pub log_index: u64,
    /// Transaction hash, lowercase hex.
    pub tx_hash: String,
    /// Block timestamp, when the node reports it with the log.
    pub block_timestamp: Option<u64>,
    /// One value per event parameter.
    pub values: Vec<Value>,
}

/// A recent (not yet final) block, kept to detect reorgs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockRow {
    /// Block number.
    pub number: u64,
    /// Block hash, lowercase hex.
    pub hash: String,
    /// Parent hash, lowercase hex.
    pub parent_hash: String,
}

/// Bound parameters per statement: below SQLite's 32766 and PostgreSQL's 65535.
const MAX_PARAMS: usize = 30_000;

impl Store {
    /// Commits `rows`, `blocks` and the new checkpoint atomically: after a crash either all of
    /// them are there or none, so indexing resumes exactly after the last committed checkpoint.
    /// Block hashes below `prune_below` are forgotten (those blocks are final).
    pub async fn commit_batch(
        &self,
        schema: &Schema,
        chain_id: u64,
        rows: &[EventRow],
        blocks: &[BlockRow],
        checkpoint: &Checkpoint,
        prune_below: Option<u64>,
    ) -> Result<(), StoreError> {
        let chain = to_i64(chain_id, "chain_id")?;
        let cp_block = to_i64(checkpoint.block, "block")?;
        // Group by table, keeping chain order inside each table.
        let mut by_table: Vec<Vec<&EventRow>> = vec![Vec::new(); schema.tables().len()];
        for row in rows {
            by_table
                .get_mut(row.table)
                .ok_or(StoreError::OutOfRange("table"))?
                .push(row);
        }
        let mut prepared = Vec::new();
        for (i, rows) in by_table.iter().enumerate().filter(|(_, r)| !r.is_empty()) {
            let table = &schema.tables()[i];
            let width = COMMON_COLUMNS.len() + table.columns.len();
            let prefix = format!(
                "INSERT INTO {} ({}, {}) ",
                table.name,
                COMMON_COLUMNS.join(", "),
                table
                    .columns
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for chunk in rows.chunks((MAX_PARAMS / width).max(1)) {
                let mut converted = Vec::with_capacity(chunk.len());
                for r in chunk {
                    converted.push((
                        to_i64(r.block_number, "block_number")?,
                        to_i64(r.log_index, "log_index")?,
                        r.block_timestamp
                            .map(|t| to_i64(t, "block_timestamp"))
                            .transpose()?,
                        *r,
                    ));
                }
                prepared.push((prefix.clone(), converted));
            }
        }
        let mut block_rows = Vec::with_capacity(blocks.len());
        for b in blocks {
            block_rows.push((to_i64(b.number, "number")?, b));
        }
        let prune = prune_below.map(|p| to_i64(p, "block")).transpose()?;

        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for (prefix, chunk) in &prepared {
                let mut qb = QueryBuilder::new(prefix.as_str());
                qb.push_values(chunk, |mut b, (number, index, ts, row)| {
                    b.push_bind(*number)
                        .push_bind(*index)
                        .push_bind(row.tx_hash.clone())
                        .push_bind(*ts);
                    for v in &row.values {
                        match v {
                            Value::Int(x) => b.push_bind(*x),
                            Value::Text(s) => b.push_bind(s.clone()),
                            Value::Bool(x) => b.push_bind(*x),
                        };
                    }
                });
                qb.build().execute(&mut *tx).await?;
            }
            if !block_rows.is_empty() {
                let mut qb = QueryBuilder::new("INSERT INTO blocks (number, hash, parent_hash) ");
                qb.push_values(&block_rows, |mut b, (number, row)| {
                    b.push_bind(*number)
                        .push_bind(row.hash.clone())
                        .push_bind(row.parent_hash.clone());
                });
                qb.push(
                    " ON CONFLICT (number) DO UPDATE SET hash = excluded.hash, \
                     parent_hash = excluded.parent_hash",
                );
                qb.build().execute(&mut *tx).await?;
            }
            if let Some(p) = prune {
                sqlx::query("DELETE FROM blocks WHERE number < $1")
                    .bind(p)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(checkpoint_upsert!())
                .bind(chain)
                .bind(cp_block)
                .bind(checkpoint.block_hash.as_str())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Deletes every row above `fork.block` (events and block hashes) and moves the checkpoint
    /// back to `fork`, in one transaction. Returns how many event rows were removed.
    pub async fn rollback_to(
        &self,
        schema: &Schema,
        chain_id: u64,
        fork: &Checkpoint,
    ) -> Result<u64, StoreError> {
        let chain = to_i64(chain_id, "chain_id")?;
        let block = to_i64(fork.block, "block")?;
        let deletes: Vec<String> = schema
            .tables()
            .iter()
            .map(|t| format!("DELETE FROM {} WHERE block_number > $1", t.name))
            .collect();
        let removed = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut removed = 0;
            for sql in &deletes {
                removed += sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                    .bind(block)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
            sqlx::query("DELETE FROM blocks WHERE number > $1")
                .bind(block)
                .execute(&mut *tx)
                .await?;
            sqlx::query(checkpoint_upsert!())
                .bind(chain)
                .bind(block)
                .bind(fork.block_hash.as_str())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            removed
        });
        Ok(removed)
    }

    /// The stored hashes of recent blocks, newest first.
    pub async fn recent_blocks(&self) -> Result<Vec<BlockRow>, StoreError> {
        let rows: Vec<(i64, String, String)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT number, hash, parent_hash FROM blocks ORDER BY number DESC")
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(n, hash, parent_hash)| {
                Ok(BlockRow {
                    number: u64::try_from(n).map_err(|_| StoreError::OutOfRange("number"))?,
                    hash,
                    parent_hash,
                })
            })
            .collect()
    }

    /// Every row of `table` in chain order, each as its text form: for comparing two indexes
    /// row for row in tests and tools.
    pub async fn dump_table(
        &self,
        schema: &Schema,
        table: &str,
    ) -> Result<Vec<String>, StoreError> {
        let t = schema.table(table).ok_or(StoreError::OutOfRange("table"))?;
        // Booleans print as 1/0 in SQLite and true/false in PostgreSQL: normalise them.
        let cols: Vec<String> = COMMON_COLUMNS
            .iter()
            .map(|c| format!("COALESCE(CAST({c} AS TEXT), 'NULL')"))
            .chain(t.columns.iter().map(|c| match c.encoding.sql_type() {
                SqlType::Bool => format!("CASE WHEN {} THEN 'true' ELSE 'false' END", c.name),
                _ => format!("COALESCE(CAST({} AS TEXT), 'NULL')", c.name),
            }))
            .collect();
        let concat = cols.join(" || '|' || ");
        let sql = format!(
            "SELECT {concat} FROM {} ORDER BY block_number, log_index",
            t.name
        );
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
                .fetch_all(pool)
                .await?
        }))
    }
}
