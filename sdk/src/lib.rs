//! OpenLedger's Rust SDK.
//!
//! The one implementation of the primitives every component shares (see
//! `docs/ARCHITECTURE.md`): content hashing today; the Merkle tree, the RootUpdate EIP-712 type,
//! contract bindings and the typed client land on top of this crate.

pub mod content;
pub mod merkle;

pub use content::{ContentError, content_hash, verify_content};
