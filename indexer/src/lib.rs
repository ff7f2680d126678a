//! OpenLedger's indexer: chain events into SQLite (default) or PostgreSQL.

pub mod api;
pub mod store;

pub use store::{Checkpoint, Store, StoreError};
