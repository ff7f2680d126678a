//! Values over the flat tree: `@openzeppelin/merkle-tree`'s `StandardMerkleTree`.

use std::{fmt, str::FromStr, sync::OnceLock};

use alloy::primitives::{Address, B256, U256, map::B256Map};
use rayon::prelude::*;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de::DeserializeOwned};

use super::{
    MerkleError,
    core::{MerkleTree, MultiProof, ProofSet, keccak, process_multi_proof, verify_proof},
};

/// The `format` of a `StandardMerkleTree` JSON dump.
pub const STANDARD_FORMAT: &str = "standard-v1";

/// The standard leaf hash of an ABI-encoded value:
/// `keccak256(bytes.concat(keccak256(abi.encode(...))))`. Hashing twice keeps a leaf from ever
/// being mistaken for an inner node (a 64-byte preimage) in a second-preimage attack.
pub fn standard_leaf_hash(abi_encoded: &[u8]) -> B256 {
    keccak(keccak(abi_encoded).as_slice())
}

/// A value a [`StandardMerkleTree`] can hold.
///
/// Its serde form is its dump form: a JSON array with one element per entry of
/// [`Self::LEAF_ENCODING`], as `@openzeppelin/merkle-tree` stores `values[i].value`.
pub trait MerkleLeaf: Clone + Send + Sync + Serialize + DeserializeOwned {
    /// The Solidity types of the value, in order (the reference's `leafEncoding`).
    const LEAF_ENCODING: &'static [&'static str];

    /// [`standard_leaf_hash`] of `abi.encode` of the value.
    fn leaf_hash(&self) -> B256;
}

fn leaf_encoding<L: MerkleLeaf>() -> Vec<String> {
    L::LEAF_ENCODING.iter().map(|s| (*s).to_owned()).collect()
}

/// A value and where its leaf sits (the reference's `values[i]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexedValue<L> {
    /// The value.
    pub value: L,
    /// Its leaf's index in the flat node array.
    pub tree_index: usize,
}

/// A `StandardMerkleTree` JSON dump (`tree.dump()` / `StandardMerkleTree.load(data)` in the
/// reference): what the oracle stores and the indexer serves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StandardMerkleTreeData<L> {
    /// Always [`STANDARD_FORMAT`].
    pub format: String,
    /// The Solidity types of a value.
    pub leaf_encoding: Vec<String>,
    /// All nodes, root first, as 0x-prefixed lowercase hex.
    pub tree: Vec<B256>,
    /// The values in their original order.
    pub values: Vec<IndexedValue<L>>,
}

/// A Merkle tree of values, laid out, proven and dumped exactly as `@openzeppelin/merkle-tree`'s
/// `StandardMerkleTree.of(values, leafEncoding)` with default options.
///
/// Values keep their input order: "value index" below is a position in that order, "tree
/// index" a position in the flat node array.
pub struct StandardMerkleTree<L> {
    tree: MerkleTree,
    values: Vec<L>,
    tree_indices: Vec<usize>,
    /// Leaf hash to value index, built on the first lookup by value: a tree that is only built
    /// and dumped (the oracle's case) never pays for it.
    lookup: OnceLock<B256Map<usize>>,
}

impl<L: Clone> Clone for StandardMerkleTree<L> {
    fn clone(&self) -> Self {
        Self {
            tree: self.tree.clone(),
            values: self.values.clone(),
            tree_indices: self.tree_indices.clone(),
            lookup: self.lookup.clone(),
        }
    }
}

impl<L> fmt::Debug for StandardMerkleTree<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StandardMerkleTree")
            .field("root", &self.tree.root())
            .field("len", &self.values.len())
            .finish_non_exhaustive()
    }
}

impl<L: MerkleLeaf> StandardMerkleTree<L> {
    /// Builds the tree over `values` (the reference's `StandardMerkleTree.of`): leaves hashed
    /// and sorted in parallel. Duplicate values are allowed, as in the reference.
    pub fn of(values: Vec<L>) -> Result<Self, MerkleError> {
        let hashes: Vec<B256> = values
            .par_iter()
            .with_min_len(256)
            .map(L::leaf_hash)
            .collect();
        let (tree, tree_indices) = MerkleTree::from_leaf_hashes(hashes)?;
        Ok(Self {
            tree,
            values,
            tree_indices,
            lookup: OnceLock::new(),
        })
    }

    /// The root.
    pub fn root(&self) -> B256 {
        self.tree.root()
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Always false: an empty tree cannot be built.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The values, in their original order.
    pub fn values(&self) -> &[L] {
        &self.values
    }

    /// The value at `value_index`.
    pub fn value(&self, value_index: usize) -> Result<&L, MerkleError> {
        self.values
            .get(value_index)
            .ok_or(self.out_of_range(value_index))
    }

    /// The flat tree.
    pub fn tree(&self) -> &MerkleTree {
        &self.tree
    }

    /// The tree index of each value, in value order (the reference's `values[i].treeIndex`).
    pub fn tree_indices(&self) -> &[usize] {
        &self.tree_indices
    }

    /// The tree index of the value at `value_index`.
    pub fn tree_index(&self, value_index: usize) -> Result<usize, MerkleError> {
        self.tree_indices
            .get(value_index)
            .copied()
            .ok_or(self.out_of_range(value_index))
    }

    fn out_of_range(&self, index: usize) -> MerkleError {
        MerkleError::IndexOutOfRange {
            index,
            len: self.values.len(),
        }
    }

    fn hash_lookup(&self) -> &B256Map<usize> {
        self.lookup.get_or_init(|| {
            let mut map = B256Map::with_capacity_and_hasher(self.len(), Default::default());
            // Later duplicates overwrite earlier ones, as in the reference's `hashLookup`.
            for (value_index, &t) in self.tree_indices.iter().enumerate() {
                map.insert(self.tree.nodes()[t], value_index);
            }
            map
        })
    }

    /// The value index of `leaf` (of its last copy if it occurs more than once, as the
    /// reference's `leafLookup`).
    pub fn leaf_lookup(&self, leaf: &L) -> Result<usize, MerkleError> {
        let hash = leaf.leaf_hash();
        self.hash_lookup()
            .get(&hash)
            .copied()
            .ok_or(MerkleError::LeafNotFound(hash))
    }

    /// The proof of the value at `value_index` (the reference's `getProof(index)`).
    pub fn proof(&self, value_index: usize) -> Result<Vec<B256>, MerkleError> {
        self.tree.proof(self.tree_index(value_index)?)
    }

    /// The proof of `leaf`, found by its hash (the reference's `getProof(value)`).
    pub fn proof_of(&self, leaf: &L) -> Result<Vec<B256>, MerkleError> {
        self.proof(self.leaf_lookup(leaf)?)
    }

    /// Every value's proof, in value order, in one flat buffer built on all cores.
    pub fn all_proofs(&self) -> ProofSet {
        self.tree.proofs_of_leaves(&self.tree_indices)
    }

    /// A multiproof of the values at `value_indices` (the reference's `getMultiProof`): the
    /// leaves come back as values, in decreasing tree index order.
    pub fn multi_proof(&self, value_indices: &[usize]) -> Result<MultiProof<L>, MerkleError> {
        let tree_indices = value_indices
            .iter()
            .map(|&v| self.tree_index(v))
            .collect::<Result<Vec<_>, _>>()?;
        let indices = self.tree.multi_proof_indices(&tree_indices)?;
        let (proof, proof_flags) = self.tree.multi_proof_path(&indices);
        let lookup = self.hash_lookup();
        let leaves = indices
            .iter()
            .map(|&t| {
                let hash = self.tree.nodes()[t];
                lookup
                    .get(&hash)
                    .map(|&v| self.values[v].clone())
                    .ok_or(MerkleError::LeafNotFound(hash))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(MultiProof {
            leaves,
            proof,
            proof_flags,
        })
    }

    /// Whether `proof` proves `leaf` under this tree's root.
    pub fn verify(&self, leaf: &L, proof: &[B256]) -> bool {
        Self::verify_against(self.root(), leaf, proof)
    }

    /// Whether `proof` proves `leaf` under `root`, without a tree (the reference's static
    /// `StandardMerkleTree.verify`).
    pub fn verify_against(root: B256, leaf: &L, proof: &[B256]) -> bool {
        verify_proof(root, leaf.leaf_hash(), proof)
    }

    /// Whether a multiproof proves its values under this tree's root.
    pub fn verify_multi(&self, multi_proof: &MultiProof<L>) -> bool {
        Self::verify_multi_against(self.root(), multi_proof)
    }

    /// Whether a multiproof proves its values under `root`; a malformed one proves nothing (the
    /// reference's static `StandardMerkleTree.verifyMultiProof`).
    pub fn verify_multi_against(root: B256, multi_proof: &MultiProof<L>) -> bool {
        let leaves: Vec<B256> = multi_proof.leaves.iter().map(L::leaf_hash).collect();
        process_multi_proof(&leaves, &multi_proof.proof, &multi_proof.proof_flags)
            .is_ok_and(|r| r == root)
    }

    /// The dump (the reference's `tree.dump()`).
    pub fn dump(&self) -> StandardMerkleTreeData<L> {
        StandardMerkleTreeData {
            format: STANDARD_FORMAT.to_owned(),
            leaf_encoding: leaf_encoding::<L>(),
            tree: self.tree.nodes().to_vec(),
            values: self
                .values
                .iter()
                .zip(&self.tree_indices)
                .map(|(value, &tree_index)| IndexedValue {
                    value: value.clone(),
                    tree_index,
                })
                .collect(),
        }
    }

    /// Loads a dump after checking it (the reference's `StandardMerkleTree.load`): the format,
    /// the leaf encoding, every inner node, and that each value's leaf hash sits at its tree
    /// index, which must be a leaf.
    pub fn load(data: StandardMerkleTreeData<L>) -> Result<Self, MerkleError> {
        if data.format != STANDARD_FORMAT {
            return Err(MerkleError::UnknownFormat(data.format));
        }
        let expected = leaf_encoding::<L>();
        if data.leaf_encoding != expected {
            return Err(MerkleError::LeafEncodingMismatch {
                expected,
                found: data.leaf_encoding,
            });
        }
        if data.values.is_empty() {
            return Err(MerkleError::EmptyTree);
        }
        let tree = MerkleTree::from_nodes(data.tree)?;
        let bad = data
            .values
            .par_iter()
            .with_min_len(256)
            .position_first(|v| {
                !tree.is_leaf(v.tree_index) || tree.nodes()[v.tree_index] != v.value.leaf_hash()
            });
        if let Some(i) = bad {
            return Err(MerkleError::InvalidTree(format!(
                "value {i} does not match the leaf at its tree index"
            )));
        }
        let (values, tree_indices) = data
            .values
            .into_iter()
            .map(|v| (v.value, v.tree_index))
            .unzip();
        Ok(Self {
            tree,
            values,
            tree_indices,
            lookup: OnceLock::new(),
        })
    }

    /// The dump as JSON.
    pub fn to_json(&self) -> Result<String, MerkleError> {
        Ok(serde_json::to_string(&self.dump())?)
    }

    /// Loads a JSON dump (see [`Self::load`]).
    pub fn from_json(json: &str) -> Result<Self, MerkleError> {
        Self::load(serde_json::from_str(json)?)
    }
}

/// A leaf of the claims tree: everything `account` has ever earned in `token`.
///
/// In a dump a claim is `[account, token, cumulativeAmount]`: EIP-55 checksummed addresses and
/// the amount as a decimal string (the epoch report's convention). Loading also accepts
/// addresses in any case and amounts as `0x` hex strings or JSON integers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Claim {
    /// The claimant.
    pub account: Address,
    /// The ERC-20 the amount is in.
    pub token: Address,
    /// Everything the account has ever earned in the token, in its smallest unit.
    pub cumulative_amount: U256,
}

impl Claim {
    /// A claim.
    pub const fn new(account: Address, token: Address, cumulative_amount: U256) -> Self {
        Self {
            account,
            token,
            cumulative_amount,
        }
    }

    /// `abi.encode(account, token, cumulativeAmount)`, written straight into a fixed buffer:
    /// the same bytes as `SolValue::abi_encode`, without its allocation on a hot path.
    pub fn abi_encode(&self) -> [u8; 96] {
        let mut buf = [0u8; 96];
        buf[12..32].copy_from_slice(self.account.as_slice());
        buf[44..64].copy_from_slice(self.token.as_slice());
        buf[64..96].copy_from_slice(&self.cumulative_amount.to_be_bytes::<32>());
        buf
    }
}

impl MerkleLeaf for Claim {
    const LEAF_ENCODING: &'static [&'static str] = &["address", "address", "uint256"];

    fn leaf_hash(&self) -> B256 {
        standard_leaf_hash(&self.abi_encode())
    }
}

impl Serialize for Claim {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (
            self.account.to_checksum(None),
            self.token.to_checksum(None),
            self.cumulative_amount.to_string(),
        )
            .serialize(serializer)
    }
}

/// An amount as a decimal or `0x` hex string, or a JSON integer.
#[derive(Deserialize)]
#[serde(untagged)]
enum AmountRepr {
    Text(String),
    Int(u64),
}

impl<'de> Deserialize<'de> for Claim {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (account, token, amount) = <(Address, Address, AmountRepr)>::deserialize(deserializer)?;
        let cumulative_amount = match amount {
            AmountRepr::Int(v) => U256::from(v),
            AmountRepr::Text(s) => U256::from_str(&s).map_err(serde::de::Error::custom)?,
        };
        Ok(Self {
            account,
            token,
            cumulative_amount,
        })
    }
}

/// The claims tree: one leaf per (account, token), as the oracle builds it and `RewardEscrow`
/// verifies it.
pub type ClaimTree = StandardMerkleTree<Claim>;

impl StandardMerkleTree<Claim> {
    /// The value index of the first claim of `account` in `token`, scanning all cores (about a
    /// millisecond at a million claims). A server answering many look-ups should build its own
    /// map from [`Self::values`] once.
    pub fn find_claim(&self, account: Address, token: Address) -> Option<usize> {
        self.values
            .par_iter()
            .with_min_len(4096)
            .position_first(|c| c.account == account && c.token == token)
    }

    /// The claim of `account` in `token` and its proof: what a claimant submits on-chain.
    pub fn claim_proof(
        &self,
        account: Address,
        token: Address,
    ) -> Result<(Claim, Vec<B256>), MerkleError> {
        let i = self
            .find_claim(account, token)
            .ok_or(MerkleError::ClaimNotFound { account, token })?;
        Ok((self.values[i], self.proof(i)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::{
        primitives::{address, keccak256},
        sol_types::SolValue,
    };

    fn claim(i: u64) -> Claim {
        Claim::new(
            Address::with_last_byte(i as u8),
            address!("0x00000000000000000000000000000000000000aa"),
            U256::from(i * 1000),
        )
    }

    #[test]
    fn leaf_hash_is_double_keccak_of_abi_encode() {
        let c = Claim::new(
            address!("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
            address!("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"),
            U256::MAX,
        );
        let encoded = (c.account, c.token, c.cumulative_amount).abi_encode();
        assert_eq!(c.abi_encode().as_slice(), encoded.as_slice());
        assert_eq!(c.leaf_hash(), keccak256(keccak256(&encoded)));
    }

    #[test]
    fn single_value_tree() {
        let tree = ClaimTree::of(vec![claim(1)]).unwrap();
        assert_eq!(tree.root(), claim(1).leaf_hash());
        assert!(tree.proof(0).unwrap().is_empty());
        assert!(tree.verify(&claim(1), &[]));
        assert!(!tree.verify(&claim(2), &[]));
        assert_eq!(tree.tree_indices(), &[0]);
    }

    #[test]
    fn empty_and_out_of_range() {
        assert!(matches!(ClaimTree::of(vec![]), Err(MerkleError::EmptyTree)));
        let tree = ClaimTree::of((0..3).map(claim).collect()).unwrap();
        assert!(matches!(
            tree.proof(3),
            Err(MerkleError::IndexOutOfRange { index: 3, len: 3 })
        ));
        assert!(matches!(
            tree.multi_proof(&[0, 5]),
            Err(MerkleError::IndexOutOfRange { .. })
        ));
        assert!(matches!(
            tree.proof_of(&claim(9)),
            Err(MerkleError::LeafNotFound(_))
        ));
    }

    #[test]
    fn proofs_verify_and_reject_wrong_values() {
        let values: Vec<Claim> = (0..11).map(claim).collect();
        let tree = ClaimTree::of(values.clone()).unwrap();
        let all = tree.all_proofs();
        for (i, v) in values.iter().enumerate() {
            let proof = tree.proof(i).unwrap();
            assert_eq!(all.get(i).unwrap(), proof.as_slice());
            assert_eq!(tree.proof_of(v).unwrap(), proof);
            assert!(tree.verify(v, &proof));
            let mut more = *v;
            more.cumulative_amount += U256::from(1);
            assert!(
                !tree.verify(&more, &proof),
                "inflated amount must not verify"
            );
            let mut tampered = proof.clone();
            tampered[0].0[0] ^= 0x80;
            assert!(!tree.verify(v, &tampered));
        }
        let mp = tree.multi_proof(&[3, 0, 10]).unwrap();
        assert!(tree.verify_multi(&mp));
        let mut bad = mp.clone();
        bad.leaves[1].cumulative_amount = U256::from(1);
        assert!(!tree.verify_multi(&bad));
    }

    #[test]
    fn claim_lookup_by_account() {
        let values: Vec<Claim> = (0..20).map(claim).collect();
        let tree = ClaimTree::of(values.clone()).unwrap();
        let (c, proof) = tree
            .claim_proof(values[7].account, values[7].token)
            .unwrap();
        assert_eq!(c, values[7]);
        assert!(ClaimTree::verify_against(tree.root(), &c, &proof));
        assert!(matches!(
            tree.claim_proof(values[7].account, Address::ZERO),
            Err(MerkleError::ClaimNotFound { .. })
        ));
    }

    #[test]
    fn dump_round_trips_and_load_checks() {
        let mut values: Vec<Claim> = (0..9).map(claim).collect();
        values.push(values[2]);
        let tree = ClaimTree::of(values).unwrap();
        let json = tree.to_json().unwrap();
        assert!(json.starts_with(
            r#"{"format":"standard-v1","leafEncoding":["address","address","uint256"],"tree":["0x"#
        ));
        let loaded = ClaimTree::from_json(&json).unwrap();
        assert_eq!(loaded.root(), tree.root());
        assert_eq!(loaded.values(), tree.values());
        assert_eq!(loaded.tree_indices(), tree.tree_indices());

        let mut data = tree.dump();
        data.values[0].value.cumulative_amount = U256::from(1);
        assert!(matches!(
            ClaimTree::load(data),
            Err(MerkleError::InvalidTree(_))
        ));
        let mut data = tree.dump();
        data.values[0].tree_index = 0;
        assert!(matches!(
            ClaimTree::load(data),
            Err(MerkleError::InvalidTree(_))
        ));
        let mut data = tree.dump();
        data.format = "standard-v2".into();
        assert!(matches!(
            ClaimTree::load(data),
            Err(MerkleError::UnknownFormat(_))
        ));
        let mut data = tree.dump();
        data.leaf_encoding.pop();
        assert!(matches!(
            ClaimTree::load(data),
            Err(MerkleError::LeafEncodingMismatch { .. })
        ));
    }

    #[test]
    fn claim_json_forms() {
        let c: Claim = serde_json::from_str(
            r#"["0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed","0x0000000000000000000000000000000000000001","0x10"]"#,
        )
        .unwrap();
        assert_eq!(c.cumulative_amount, U256::from(16));
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed","0x0000000000000000000000000000000000000001","16"]"#
        );
        let c: Claim = serde_json::from_str(
            r#"["0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed","0x0000000000000000000000000000000000000001",42]"#,
        )
        .unwrap();
        assert_eq!(c.cumulative_amount, U256::from(42));
        assert!(serde_json::from_str::<Claim>(r#"["0x01","0x02","1"]"#).is_err());
    }
}
