//! Merkle trees in the OpenZeppelin `StandardMerkleTree` format, byte for byte.
//!
//! Every component shares this one implementation: the oracle builds an epoch's tree of
//! cumulative [`Claim`]s, the indexer stores and serves proofs, and the contracts verify them
//! with OpenZeppelin's `MerkleProof`. The layout, proofs, multiproofs and JSON dump are identical
//! to `@openzeppelin/merkle-tree` 1.0.8 (`StandardMerkleTree.of(values, types)` with its default
//! `sortLeaves: true`); `sdk/tests/merkle_reference.rs` checks that against the real package.
//!
//! The format, in short:
//! - a leaf is `keccak256(bytes.concat(keccak256(abi.encode(...value))))`;
//! - leaves are sorted by hash (stable, so equal hashes keep their input order) and stored in
//!   reverse at the end of a flat array of `2n - 1` nodes, a binary heap where node `i` has the
//!   children `2i + 1` and `2i + 2`;
//! - an inner node is `keccak256` of its two children, the smaller one first.
//!
//! Two layers:
//! - [`MerkleTree`]: the flat tree over already-hashed leaves (any leaf type can reuse it),
//!   single proofs, multiproofs and all proofs at once ([`ProofSet`]);
//! - [`StandardMerkleTree`]: values of a [`MerkleLeaf`] type, their order, lookup by value, and
//!   the `standard-v1` JSON dump; [`ClaimTree`] is the one over [`Claim`]s.
//!
//! Building and proving use every core (rayon): leaf hashing, the sort, each tree level and
//! proof generation run in parallel. See `docs/BENCHMARKS.md` for figures.

mod core;
mod standard;

pub use self::core::{
    MerkleTree, MultiProof, ProofSet, hash_pair, process_multi_proof, process_proof,
    verify_multi_proof, verify_proof,
};
pub use standard::{
    Claim, ClaimTree, IndexedValue, MerkleLeaf, STANDARD_FORMAT, StandardMerkleTree,
    StandardMerkleTreeData, standard_leaf_hash,
};

use alloy::primitives::{Address, B256};

/// Why a tree could not be built, loaded or proven from.
#[derive(Debug, thiserror::Error)]
pub enum MerkleError {
    /// A tree needs at least one leaf: the reference refuses empty trees, and so do the contracts
    /// (an empty root is never accepted).
    #[error("a Merkle tree needs at least one leaf")]
    EmptyTree,
    /// A value index past the end of the tree's values.
    #[error("value index {index} out of range for {len} values")]
    IndexOutOfRange {
        /// The index asked for.
        index: usize,
        /// How many values the tree holds.
        len: usize,
    },
    /// A tree index that does not name a leaf node.
    #[error("tree index {0} is not a leaf")]
    NotALeaf(usize),
    /// The same leaf asked for twice in one multiproof.
    #[error("cannot prove tree index {0} twice in one multiproof")]
    DuplicateIndex(usize),
    /// A multiproof whose leaves, proof and flags don't fit together.
    #[error("invalid multiproof: {0}")]
    InvalidMultiProof(&'static str),
    /// A value whose leaf hash is not in the tree.
    #[error("leaf {0} is not in the tree")]
    LeafNotFound(B256),
    /// No claim for this account and token.
    #[error("no claim for account {account} and token {token}")]
    ClaimNotFound {
        /// The account asked for.
        account: Address,
        /// The token asked for.
        token: Address,
    },
    /// A dump whose `format` is not `standard-v1`.
    #[error("unknown Merkle tree dump format {0:?}")]
    UnknownFormat(String),
    /// A dump of a different leaf type.
    #[error("leaf encoding {found:?} does not match the expected {expected:?}")]
    LeafEncodingMismatch {
        /// The encoding of the leaf type being loaded.
        expected: Vec<String>,
        /// The encoding the dump declares.
        found: Vec<String>,
    },
    /// A dump whose nodes or values are inconsistent.
    #[error("invalid Merkle tree: {0}")]
    InvalidTree(String),
    /// A dump that is not valid JSON for this leaf type.
    #[error("invalid Merkle tree JSON: {0}")]
    Json(#[from] serde_json::Error),
}
