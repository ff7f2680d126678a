//! Throw-away PostgreSQL databases, one per test, so tests run in parallel without sharing rows.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection};

use crate::TestkitError;

/// Default admin URL: the server the project's machines run (trust auth).
pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Prefix of every database this module creates; `scripts/test` drops leftovers by it.
pub const DB_PREFIX: &str = "openledger_test_";

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The admin URL from `OPENLEDGER_TEST_PG_URL`, else [`DEFAULT_ADMIN_URL`].
pub fn admin_url() -> String {
    std::env::var("OPENLEDGER_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned())
}

/// A database created for one test and dropped when this value is dropped.
#[derive(Debug)]
pub struct TempDb {
    name: String,
    url: String,
    admin: String,
}

impl TempDb {
    /// Creates an empty database with a unique name.
    pub async fn create() -> Result<Self, TestkitError> {
        let admin = admin_url();
        let mut conn =
            PgConnection::connect(&admin)
                .await
                .map_err(|source| TestkitError::Postgres {
                    url: admin.clone(),
                    source,
                })?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let name = format!(
            "{DB_PREFIX}{}_{}_{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        // Identifiers cannot be bound; `name` is built above from digits and a fixed prefix.
        conn.execute(AssertSqlSafe(format!(r#"CREATE DATABASE "{name}""#)))
            .await?;
        conn.close().await?;
        let url = match admin.rsplit_once('/') {
            Some((server, _db)) => format!("{server}/{name}"),
            None => format!("{admin}/{name}"),
        };
        Ok(Self { name, url, admin })
    }

    /// Connection URL of this database.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        // Drop runs inside the test's runtime, which may not block: use a thread with its own.
        let (admin, name) = (self.admin.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                if let Ok(mut conn) = PgConnection::connect(&admin).await {
                    let _ = conn
                        .execute(AssertSqlSafe(format!(
                            r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#
                        )))
                        .await;
                }
            });
        })
        .join();
    }
}
