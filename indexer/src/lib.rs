//! OpenLedger's indexer: chain events into SQLite (default) or PostgreSQL.

pub mod api;
pub mod reports;
pub mod schema;
pub mod store;
pub mod sync;

pub use store::{Checkpoint, Store, StoreError};
