//! OpenLedger's attribution oracle.
//!
//! Per epoch it reads indexed chain data and contents, attributes every paid inference, splits
//! the fees, and signs a Merkle root of cumulative balances. Epoch ranges come first: everything
//! else is computed over one.

pub mod epoch;

pub use epoch::{BlockRange, next_epoch_range};
