//! OpenLedger's attribution oracle.
//!
//! Per epoch it reads indexed chain data and contents, attributes every paid inference, splits
//! the fees, and signs a Merkle root of cumulative balances. This crate holds the pure core of
//! that pipeline, with no chain, database or network access, so every number can be recomputed
//! and checked by anyone:
//!
//! - [`epoch`]: the block range an epoch covers;
//! - [`text`]: normalisation and tokenisation of records and outputs;
//! - [`cluster`](mod@cluster): exact and near-duplicate clustering of a corpus, each cluster owned by its
//!   earliest submitter;
//! - [`index`]: a suffix array over a model's corpus (one document per cluster), persisted and
//!   reused while the corpus is unchanged;
//! - [`attribute`](mod@attribute): maximal matching spans of an output, weighted by length and rarity, shared
//!   by the clusters containing them;
//! - [`split`]: the integer split of each fee (owner, royalty stack, agent, data by weight),
//!   unresolved inferences carried forward, and cumulative balances.
//!
//! See `oracle/README.md` for the rules in one place.

pub mod attribute;
pub mod cluster;
pub mod epoch;
pub mod index;
mod sais;
pub mod split;
pub mod text;

pub use attribute::{Attribution, AttributionParams, Span, attribute, attribute_tokens};
pub use cluster::{
    Cluster, ClusterError, ClusterId, ClusterParams, Clustering, Contribution, OrderKey, cluster,
};
pub use epoch::{BlockRange, next_epoch_range};
pub use index::{Corpus, IndexError, IndexSource, SuffixIndex};
pub use split::{
    Allocation, Carried, CarriedPortion, FeeSplit, InferenceSplit, Lineage, LineageModel,
    ParentLink, Payment, Role, SplitError, SplitParams, UnresolvedReason, accumulate, distribute,
    resolve_carried, split_inference, split_unresolved, weights_by_owner,
};
