//! Storage behind one type for both backends, chosen by the database URL.
//!
//! SQLite is the embedded default (a file, nothing to install); PostgreSQL is for deployments.
//! Each backend keeps its own migrations because their DDL differs (integer widths, upserts).

use std::str::FromStr;

use sqlx::{
    PgPool, SqlitePool,
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

/// Runs `$body` with `$pool` bound to whichever pool `$store` holds. The body is compiled once
/// per backend, so one SQL text (with `$1` placeholders, which both drivers accept) serves both.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store {
            $crate::store::Store::Sqlite($pool) => $body,
            $crate::store::Store::Postgres($pool) => $body,
        }
    };
}

/// Upserts the checkpoint row on any connection (pool or transaction) of either backend.
macro_rules! checkpoint_upsert {
    () => {
        concat!(
            "INSERT INTO checkpoints (chain_id, block, block_hash) VALUES ($1, $2, $3) ",
            "ON CONFLICT (chain_id) DO UPDATE SET block = excluded.block, ",
            "block_hash = excluded.block_hash"
        )
    };
}

mod ingest;
mod reports;

pub use ingest::{BlockRow, EventRow};
pub use reports::PendingReport;

/// Storage errors.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no supported backend.
    #[error("unsupported database URL {0:?}: expected sqlite:... or postgres://...")]
    UnsupportedUrl(String),
    /// A value does not fit the column type.
    #[error("value out of range for column {0}")]
    OutOfRange(&'static str),
    /// Driver or query error.
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
    /// A migration failed.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// The last block indexed for a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Block number.
    pub block: u64,
    /// Its hash, hex with 0x prefix, to detect a reorg below the checkpoint on restart.
    pub block_hash: String,
}

/// A connection pool to either backend, migrated on connect.
#[derive(Debug, Clone)]
pub enum Store {
    /// Embedded SQLite file (WAL mode).
    Sqlite(SqlitePool),
    /// PostgreSQL server.
    Postgres(PgPool),
}

impl Store {
    /// Connects to `url` (`sqlite:path`, `sqlite::memory:` or `postgres://...`) and runs migrations.
    #[tracing::instrument(skip_all, fields(backend))]
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let store = if url.starts_with("sqlite:") {
            tracing::Span::current().record("backend", "sqlite");
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(opts)
                .await?;
            sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
            Self::Sqlite(pool)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            tracing::Span::current().record("backend", "postgres");
            let pool = PgPoolOptions::new().max_connections(8).connect(url).await?;
            sqlx::migrate!("./migrations/postgres").run(&pool).await?;
            Self::Postgres(pool)
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        tracing::debug!("store ready");
        Ok(store)
    }

    /// The checkpoint of `chain_id`, if indexing ever started.
    pub async fn checkpoint(&self, chain_id: u64) -> Result<Option<Checkpoint>, StoreError> {
        let chain = to_i64(chain_id, "chain_id")?;
        let row: Option<(i64, String)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT block, block_hash FROM checkpoints WHERE chain_id = $1")
                .bind(chain)
                .fetch_optional(pool)
                .await?
        });
        row.map(|(block, block_hash)| {
            let block = u64::try_from(block).map_err(|_| StoreError::OutOfRange("block"))?;
            Ok(Checkpoint { block, block_hash })
        })
        .transpose()
    }

    /// Records `checkpoint` for `chain_id`, replacing the previous one.
    pub async fn set_checkpoint(&self, chain_id: u64, cp: &Checkpoint) -> Result<(), StoreError> {
        let (chain, block) = (to_i64(chain_id, "chain_id")?, to_i64(cp.block, "block")?);
        on_pool!(self, pool => {
            sqlx::query(checkpoint_upsert!())
                .bind(chain)
                .bind(block)
                .bind(cp.block_hash.as_str())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Stores `bytes` under `hash` (which the caller has checked); returns false when they were
    /// already stored (content addressing makes the second write a no-op).
    pub async fn put_content(&self, hash: &str, bytes: &[u8]) -> Result<bool, StoreError> {
        let size = i64::try_from(bytes.len()).map_err(|_| StoreError::OutOfRange("size"))?;
        let done = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO contents (hash, size, bytes) VALUES ($1, $2, $3) ON CONFLICT (hash) DO NOTHING",
            )
            .bind(hash)
            .bind(size)
            .bind(bytes)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// The bytes stored under `hash`, if any.
    pub async fn get_content(&self, hash: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT bytes FROM contents WHERE hash = $1")
                .bind(hash)
                .fetch_optional(pool)
                .await?
        }))
    }
}

pub(crate) fn to_i64(v: u64, column: &'static str) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::OutOfRange(column))
}
