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
//! - [`prior_art`]: which cluster held each run of words first, so copies of parts of records
//!   (sentences spliced into new records) credit the original;
//! - [`index`]: a suffix array over a model's corpus (one document per cluster, text held by an
//!   earlier document removed), persisted and reused while the corpus is unchanged;
//! - [`byte_index`]: the same suffix array over raw bytes, to count any byte string (the
//!   benchmark's comparison with byte-level n-gram engines);
//! - [`attribute`](mod@attribute): maximal matching spans of an output, weighted by length and rarity, shared
//!   by the clusters containing them;
//! - [`split`]: the integer split of each fee (owner, royalty stack, agent, data by weight),
//!   unresolved inferences carried forward, and cumulative balances.
//!
//! Around that core, the epoch pipeline (issue 6, stages 1 and 6 to 8):
//!
//! - [`content`]: contents by hash from the content store, checked;
//! - [`inputs`]: an epoch's inputs from an indexer database, as of the epoch's last block;
//! - [`pipeline`]: inputs to report, root and root update, checked to the wei;
//! - [`report`]: the epoch report and its canonical JSON;
//! - [`explain`]: why an account earned what it did;
//! - [`node`]: the committee node (compute, sign, exchange signatures, propose, accept).
//!
//! See `oracle/README.md` for the rules in one place.

pub mod attribute;
pub mod byte_index;
pub mod cluster;
pub mod content;
pub mod epoch;
pub mod explain;
mod files;
pub mod index;
pub mod inputs;
pub mod node;
pub mod pipeline;
pub mod prior_art;
pub mod report;
mod sais;
pub mod shard;
pub mod split;
pub mod text;
pub mod text_index;

pub use attribute::{Attribution, AttributionParams, Span, attribute, attribute_tokens};
pub use byte_index::ByteIndex;
pub use cluster::{
    Cluster, ClusterError, ClusterId, ClusterParams, Clustering, Contribution, OrderKey, cluster,
};
pub use epoch::{BlockRange, aligned_epoch_range, next_epoch_range};
pub use index::{Corpus, CorpusOptions, IndexError, IndexSource, SuffixIndex};
pub use prior_art::{HeldRun, PriorArt};
pub use split::{
    Allocation, Carried, CarriedPortion, FeeSplit, InferenceSplit, Lineage, LineageModel,
    ParentLink, Payment, Role, SplitError, SplitParams, UnresolvedReason, accumulate, distribute,
    resolve_carried, split_inference, split_unresolved, weights_by_owner,
};
pub use text_index::TextIndex;
