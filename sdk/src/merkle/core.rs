//! The flat tree over already-hashed leaves: `@openzeppelin/merkle-tree`'s `core.js`.

use std::collections::VecDeque;

use alloy::primitives::B256;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::MerkleError;

/// Below this many nodes a level (or a batch of checks) stays on the calling thread: a hash
/// costs about 0.4 µs, so smaller batches don't pay for rayon's work splitting.
const PAR_MIN: usize = 1 << 11;

/// Leaves per rayon task when writing all proofs: large enough that the split bookkeeping is
/// negligible, small enough to balance two to a few dozen cores.
const PROOF_BLOCK: usize = 1 << 10;

/// keccak256 through `keccak-asm` (the CRYPTOGAMS assembly alloy uses under its `asm-keccak`
/// feature): about 15% faster per permutation than the `sha3` crate alloy uses by default, and
/// every hash here is a single permutation (inputs of 32, 64 or 96 bytes), so that is the cost.
#[inline]
pub(crate) fn keccak(data: &[u8]) -> B256 {
    B256::new(keccak_asm::Keccak256::digest(data).into())
}

/// The inner node over two children: keccak256 of the pair, the smaller first (OpenZeppelin's
/// `standardNodeHash`, `MerkleProof._hashPair` on-chain).
#[inline]
pub fn hash_pair(a: &B256, b: &B256) -> B256 {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(lo.as_slice());
    buf[32..].copy_from_slice(hi.as_slice());
    keccak(&buf)
}

/// Depth of heap node `i`: the root is 0; it is also the length of the proof of a leaf at `i`.
#[inline]
fn depth(i: usize) -> usize {
    (usize::BITS - 1 - (i + 1).leading_zeros()) as usize
}

#[inline]
fn sibling(i: usize) -> usize {
    // Left children are odd, right children even (the reference's `i - (-1) ** (i % 2)`).
    if i % 2 == 1 { i + 1 } else { i - 1 }
}

#[inline]
fn parent(i: usize) -> usize {
    (i - 1) / 2
}

/// A Merkle tree as a flat array of `2n - 1` nodes, the layout of `@openzeppelin/merkle-tree`:
/// node 0 is the root, node `i` has the children `2i + 1` and `2i + 2`, and the `n` leaves are
/// the last `n` nodes, leaf `k` (in the order given) at node `2n - 2 - k`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerkleTree {
    nodes: Vec<B256>,
}

impl MerkleTree {
    /// Builds the tree over leaf hashes in the order given (the reference's `makeMerkleTree`,
    /// i.e. `sortLeaves: false`).
    pub fn from_ordered_leaves(leaves: &[B256]) -> Result<Self, MerkleError> {
        let n = leaves.len();
        if n == 0 {
            return Err(MerkleError::EmptyTree);
        }
        let mut nodes = vec![B256::ZERO; 2 * n - 1];
        nodes[n - 1..]
            .iter_mut()
            .zip(leaves.iter().rev())
            .for_each(|(slot, leaf)| *slot = *leaf);
        hash_inner_nodes(&mut nodes, n);
        Ok(Self { nodes })
    }

    /// Builds the tree the way `StandardMerkleTree.of` does by default: leaves sorted by hash,
    /// stably (equal hashes keep their input order). Returns the tree and, for each input leaf in
    /// input order, its tree index (the reference's `values[i].treeIndex`).
    pub fn from_leaf_hashes(leaves: Vec<B256>) -> Result<(Self, Vec<usize>), MerkleError> {
        let n = leaves.len();
        if n == 0 {
            return Err(MerkleError::EmptyTree);
        }
        // Sorting (hash, input index) pairs unstably gives exactly the stable order by hash, and
        // lets rayon use its faster unstable parallel sort.
        let mut keyed: Vec<(B256, usize)> = leaves
            .into_par_iter()
            .enumerate()
            .map(|(i, h)| (h, i))
            .collect();
        keyed.par_sort_unstable();

        let len = 2 * n - 1;
        let mut nodes = vec![B256::ZERO; len];
        nodes[n - 1..]
            .par_iter_mut()
            .with_min_len(PAR_MIN)
            .zip(keyed.par_iter().rev())
            .for_each(|(slot, (hash, _))| *slot = *hash);
        let mut tree_indices = vec![0usize; n];
        for (k, &(_, input_index)) in keyed.iter().enumerate() {
            tree_indices[input_index] = len - 1 - k;
        }
        drop(keyed);
        hash_inner_nodes(&mut nodes, n);
        Ok((Self { nodes }, tree_indices))
    }

    /// Takes a flat node array (a dump's `tree`) after checking that every inner node is the
    /// hash of its children (the reference's `isValidMerkleTree`).
    pub fn from_nodes(nodes: Vec<B256>) -> Result<Self, MerkleError> {
        if nodes.is_empty() {
            return Err(MerkleError::EmptyTree);
        }
        if nodes.len().is_multiple_of(2) {
            // The last node would be a left child without a right sibling.
            return Err(MerkleError::InvalidTree(format!(
                "{} nodes: a tree has an odd number of nodes",
                nodes.len()
            )));
        }
        let inner = nodes.len() / 2;
        let bad = (0..inner)
            .into_par_iter()
            .with_min_len(PAR_MIN)
            .find_first(|&i| nodes[i] != hash_pair(&nodes[2 * i + 1], &nodes[2 * i + 2]));
        if let Some(i) = bad {
            return Err(MerkleError::InvalidTree(format!(
                "node {i} is not the hash of its children"
            )));
        }
        Ok(Self { nodes })
    }

    /// The root.
    pub fn root(&self) -> B256 {
        self.nodes[0]
    }

    /// All `2n - 1` nodes, root first (a dump's `tree`).
    pub fn nodes(&self) -> &[B256] {
        &self.nodes
    }

    /// Consumes the tree, returning its nodes.
    pub fn into_nodes(self) -> Vec<B256> {
        self.nodes
    }

    /// Number of leaves, `n`.
    pub fn leaf_count(&self) -> usize {
        self.nodes.len().div_ceil(2)
    }

    /// Whether tree index `i` is a leaf node.
    pub fn is_leaf(&self, i: usize) -> bool {
        i < self.nodes.len() && 2 * i + 1 >= self.nodes.len()
    }

    fn check_leaf(&self, i: usize) -> Result<(), MerkleError> {
        if self.is_leaf(i) {
            Ok(())
        } else {
            Err(MerkleError::NotALeaf(i))
        }
    }

    /// The proof of the leaf at tree index `i`: its siblings from the leaf up (the reference's
    /// `getProof`), as `MerkleProof.verify` takes it.
    pub fn proof(&self, i: usize) -> Result<Vec<B256>, MerkleError> {
        self.check_leaf(i)?;
        let mut proof = vec![B256::ZERO; depth(i)];
        self.write_proof(i, &mut proof);
        Ok(proof)
    }

    /// Writes the siblings of node `i` into `out[..depth(i)]`; returns `depth(i)`.
    #[inline]
    fn write_proof(&self, mut i: usize, out: &mut [B256]) -> usize {
        let mut k = 0;
        while i > 0 {
            out[k] = self.nodes[sibling(i)];
            k += 1;
            i = parent(i);
        }
        k
    }

    /// The proofs of the leaves at `tree_indices`, in that order, in one flat buffer: one
    /// allocation instead of one `Vec` per proof, filled by all cores.
    pub fn proofs(&self, tree_indices: &[usize]) -> Result<ProofSet, MerkleError> {
        let bad = tree_indices
            .par_iter()
            .with_min_len(PAR_MIN)
            .find_first(|&&i| !self.is_leaf(i));
        if let Some(&i) = bad {
            return Err(MerkleError::NotALeaf(i));
        }
        Ok(self.proofs_of_leaves(tree_indices))
    }

    /// The proofs of every leaf, in leaf order (leaf `k` at tree index `2n - 2 - k`).
    pub fn all_proofs(&self) -> ProofSet {
        let len = self.nodes.len();
        let leaves: Vec<usize> = (0..self.leaf_count()).map(|k| len - 1 - k).collect();
        self.proofs_of_leaves(&leaves)
    }

    /// [`Self::proofs`] for indices already known to be leaves.
    pub(crate) fn proofs_of_leaves(&self, tree_indices: &[usize]) -> ProofSet {
        let mut offsets = Vec::with_capacity(tree_indices.len() + 1);
        let mut total = 0usize;
        offsets.push(0);
        for &i in tree_indices {
            total += depth(i);
            offsets.push(total);
        }
        let mut siblings = vec![B256::ZERO; total];

        // Cut the buffer into one disjoint region per block of leaves, then fill the regions in
        // parallel: no locking, no per-proof allocation.
        let mut regions = Vec::with_capacity(tree_indices.len().div_ceil(PROOF_BLOCK));
        let mut rest: &mut [B256] = &mut siblings;
        for (b, block) in tree_indices.chunks(PROOF_BLOCK).enumerate() {
            let start = b * PROOF_BLOCK;
            let size = offsets[start + block.len()] - offsets[start];
            let (region, tail) = std::mem::take(&mut rest).split_at_mut(size);
            rest = tail;
            regions.push((block, region));
        }
        regions.into_par_iter().for_each(|(block, region)| {
            let mut at = 0;
            for &i in block {
                at += self.write_proof(i, &mut region[at..]);
            }
        });
        ProofSet { offsets, siblings }
    }

    /// A multiproof of the leaves at `tree_indices` (the reference's `getMultiProof`): the
    /// leaves come back in decreasing tree index order, which is the order
    /// `MerkleProof.multiProofVerify` expects.
    pub fn multi_proof(&self, tree_indices: &[usize]) -> Result<MultiProof<B256>, MerkleError> {
        let indices = self.multi_proof_indices(tree_indices)?;
        let (proof, proof_flags) = self.multi_proof_path(&indices);
        let leaves = indices.iter().map(|&i| self.nodes[i]).collect();
        Ok(MultiProof {
            leaves,
            proof,
            proof_flags,
        })
    }

    /// Validated tree indices of a multiproof, sorted in decreasing order.
    pub(crate) fn multi_proof_indices(
        &self,
        tree_indices: &[usize],
    ) -> Result<Vec<usize>, MerkleError> {
        for &i in tree_indices {
            self.check_leaf(i)?;
        }
        let mut indices = tree_indices.to_vec();
        indices.sort_unstable_by(|a, b| b.cmp(a));
        if let Some(w) = indices.windows(2).find(|w| w[0] == w[1]) {
            return Err(MerkleError::DuplicateIndex(w[0]));
        }
        Ok(indices)
    }

    /// The proof and flags of a multiproof over `indices` (validated, decreasing).
    pub(crate) fn multi_proof_path(&self, indices: &[usize]) -> (Vec<B256>, Vec<bool>) {
        let mut queue: VecDeque<usize> = indices.iter().copied().collect();
        let mut proof = Vec::new();
        let mut flags = Vec::new();
        while let Some(&j) = queue.front() {
            if j == 0 {
                break;
            }
            queue.pop_front();
            let s = sibling(j);
            if queue.front() == Some(&s) {
                // Both children are known: the parent is computed, no proof node needed.
                flags.push(true);
                queue.pop_front();
            } else {
                flags.push(false);
                proof.push(self.nodes[s]);
            }
            queue.push_back(parent(j));
        }
        if indices.is_empty() {
            // Proving nothing: the proof is the root itself, as in the reference.
            proof.push(self.nodes[0]);
        }
        (proof, flags)
    }
}

/// Hashes every inner node, deepest heap level first; the nodes of one level only depend on
/// the level below, so each level is hashed in parallel.
fn hash_inner_nodes(nodes: &mut [B256], leaf_count: usize) {
    if leaf_count < 2 {
        return;
    }
    let last_inner = leaf_count - 2;
    let mut level = depth(last_inner);
    loop {
        let lo = (1usize << level) - 1;
        let hi = ((1usize << (level + 1)) - 2).min(last_inner);
        // Children of `lo..=hi` are `2lo+1..=2hi+2`, all past the split point.
        let (head, tail) = nodes.split_at_mut(2 * lo + 1);
        let parents = &mut head[lo..=hi];
        let children = &tail[..2 * parents.len()];
        if parents.len() >= PAR_MIN {
            parents
                .par_iter_mut()
                .with_min_len(PAR_MIN / 4)
                .zip(children.par_chunks_exact(2))
                .for_each(|(p, c)| *p = hash_pair(&c[0], &c[1]));
        } else {
            parents
                .iter_mut()
                .zip(children.chunks_exact(2))
                .for_each(|(p, c)| *p = hash_pair(&c[0], &c[1]));
        }
        if level == 0 {
            break;
        }
        level -= 1;
    }
}

/// Many proofs in one flat buffer; proof `k` is `siblings[offsets[k]..offsets[k + 1]]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProofSet {
    offsets: Vec<usize>,
    siblings: Vec<B256>,
}

impl ProofSet {
    /// Number of proofs.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Whether the set holds no proof.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Proof `k`, if there is one.
    pub fn get(&self, k: usize) -> Option<&[B256]> {
        let start = *self.offsets.get(k)?;
        let end = *self.offsets.get(k + 1)?;
        self.siblings.get(start..end)
    }

    /// The proofs in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[B256]> + '_ {
        self.offsets.windows(2).map(|w| &self.siblings[w[0]..w[1]])
    }

    /// Total number of sibling hashes over all proofs.
    pub fn total_siblings(&self) -> usize {
        self.siblings.len()
    }
}

/// A multiproof (the reference's `{ leaves, proof, proofFlags }`), over leaf hashes
/// (`MultiProof<B256>`) or values (`MultiProof<Claim>`, as `StandardMerkleTree` returns it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MultiProof<T> {
    /// The proven leaves, in decreasing tree index order.
    pub leaves: Vec<T>,
    /// The sibling hashes not computable from the leaves.
    pub proof: Vec<B256>,
    /// For each hashing step, whether the second operand comes from the leaves and computed
    /// hashes (`true`) or from `proof` (`false`).
    pub proof_flags: Vec<bool>,
}

/// The root a proof leads to from `leaf` (the reference's `processProof`).
pub fn process_proof(leaf: B256, proof: &[B256]) -> B256 {
    proof
        .iter()
        .fold(leaf, |acc, sibling| hash_pair(&acc, sibling))
}

/// Whether `proof` proves `leaf` (a leaf hash) under `root`.
pub fn verify_proof(root: B256, leaf: B256, proof: &[B256]) -> bool {
    process_proof(leaf, proof) == root
}

/// The root a multiproof leads to (the reference's `processMultiProof`, and so OpenZeppelin's
/// `MerkleProof.processMultiProof`): leaves and computed hashes are consumed as a queue.
pub fn process_multi_proof(
    leaves: &[B256],
    proof: &[B256],
    proof_flags: &[bool],
) -> Result<B256, MerkleError> {
    let from_proof = proof_flags.iter().filter(|f| !**f).count();
    if proof.len() < from_proof {
        return Err(MerkleError::InvalidMultiProof(
            "fewer proof nodes than false flags",
        ));
    }
    if leaves.len() + proof.len() != proof_flags.len() + 1 {
        return Err(MerkleError::InvalidMultiProof(
            "leaves + proof must be one more than the flags",
        ));
    }
    let mut queue: VecDeque<B256> = VecDeque::with_capacity(leaves.len() + proof_flags.len());
    queue.extend(leaves.iter().copied());
    let mut proof = proof.iter().copied();
    for &flag in proof_flags {
        let a = queue.pop_front();
        let b = if flag {
            queue.pop_front()
        } else {
            proof.next()
        };
        match (a, b) {
            (Some(a), Some(b)) => queue.push_back(hash_pair(&a, &b)),
            _ => return Err(MerkleError::InvalidMultiProof("ran out of hashes")),
        }
    }
    if queue.len() + proof.len() != 1 {
        return Err(MerkleError::InvalidMultiProof(
            "does not reduce to a single root",
        ));
    }
    queue
        .pop_back()
        .or_else(|| proof.next())
        .ok_or(MerkleError::InvalidMultiProof(
            "does not reduce to a single root",
        ))
}

/// Whether a multiproof over leaf hashes proves them under `root`; a malformed multiproof
/// proves nothing.
pub fn verify_multi_proof(root: B256, multi_proof: &MultiProof<B256>) -> bool {
    process_multi_proof(
        &multi_proof.leaves,
        &multi_proof.proof,
        &multi_proof.proof_flags,
    )
    .is_ok_and(|r| r == root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::keccak256;

    fn leaves(n: usize) -> Vec<B256> {
        (0..n as u64).map(|i| keccak256(i.to_be_bytes())).collect()
    }

    #[test]
    fn keccak_matches_alloy() {
        for len in [0usize, 1, 32, 64, 96, 135, 136, 137, 300] {
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            assert_eq!(keccak(&data), keccak256(&data), "len {len}");
        }
    }

    #[test]
    fn pair_hash_is_order_independent() {
        let [a, b] = [keccak256("a"), keccak256("b")];
        assert_eq!(hash_pair(&a, &b), hash_pair(&b, &a));
        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
        assert_eq!(
            hash_pair(&a, &b),
            keccak256([lo.as_slice(), hi.as_slice()].concat())
        );
    }

    #[test]
    fn empty_tree_is_refused() {
        assert!(matches!(
            MerkleTree::from_leaf_hashes(vec![]),
            Err(MerkleError::EmptyTree)
        ));
        assert!(matches!(
            MerkleTree::from_ordered_leaves(&[]),
            Err(MerkleError::EmptyTree)
        ));
        assert!(matches!(
            MerkleTree::from_nodes(vec![]),
            Err(MerkleError::EmptyTree)
        ));
    }

    #[test]
    fn one_leaf_is_its_own_root_with_an_empty_proof() {
        let leaf = keccak256("only");
        let (tree, idx) = MerkleTree::from_leaf_hashes(vec![leaf]).unwrap();
        assert_eq!(tree.root(), leaf);
        assert_eq!(idx, vec![0]);
        assert!(tree.proof(0).unwrap().is_empty());
        assert!(verify_proof(leaf, leaf, &[]));
    }

    #[test]
    fn every_proof_verifies_for_many_sizes() {
        for n in [1, 2, 3, 4, 5, 7, 8, 9, 31, 33, 100, 5000] {
            let ls = leaves(n);
            let (tree, idx) = MerkleTree::from_leaf_hashes(ls.clone()).unwrap();
            let all = tree.proofs(&idx).unwrap();
            assert_eq!(all.len(), n);
            for (k, (&t, proof)) in idx.iter().zip(all.iter()).enumerate() {
                assert_eq!(proof, tree.proof(t).unwrap().as_slice());
                assert!(verify_proof(tree.root(), ls[k], proof), "n {n} leaf {k}");
            }
            assert_eq!(MerkleTree::from_nodes(tree.nodes().to_vec()).unwrap(), tree);
        }
    }

    #[test]
    fn parallel_levels_match_a_sequential_build() {
        // Large enough that several levels take the parallel path.
        let ls = leaves(20_000);
        let tree = MerkleTree::from_ordered_leaves(&ls).unwrap();
        let mut nodes = vec![B256::ZERO; 2 * ls.len() - 1];
        let len = nodes.len();
        for (k, l) in ls.iter().enumerate() {
            nodes[len - 1 - k] = *l;
        }
        for i in (0..len - ls.len()).rev() {
            nodes[i] = hash_pair(&nodes[2 * i + 1], &nodes[2 * i + 2]);
        }
        assert_eq!(tree.nodes(), nodes.as_slice());
    }

    #[test]
    fn leaves_are_sorted_stably() {
        let mut ls = leaves(10);
        ls.push(ls[3]);
        let (tree, idx) = MerkleTree::from_leaf_hashes(ls.clone()).unwrap();
        let len = tree.nodes().len();
        let leaf_part: Vec<B256> = tree.nodes()[len - ls.len()..]
            .iter()
            .rev()
            .copied()
            .collect();
        assert!(leaf_part.windows(2).all(|w| w[0] <= w[1]));
        // Equal hashes keep input order: the first copy sits at the higher tree index.
        assert!(idx[3] > idx[10]);
        for (k, &t) in idx.iter().enumerate() {
            assert_eq!(tree.nodes()[t], ls[k]);
        }
    }

    #[test]
    fn verify_rejects_wrong_leaf_proof_or_sibling() {
        let ls = leaves(9);
        let (tree, idx) = MerkleTree::from_leaf_hashes(ls.clone()).unwrap();
        let proof = tree.proof(idx[4]).unwrap();
        assert!(verify_proof(tree.root(), ls[4], &proof));
        // Wrong leaf.
        assert!(!verify_proof(tree.root(), ls[5], &proof));
        // Another leaf's proof.
        assert!(!verify_proof(
            tree.root(),
            ls[4],
            &tree.proof(idx[5]).unwrap()
        ));
        // Tampered sibling, at every position.
        for k in 0..proof.len() {
            let mut bad = proof.clone();
            bad[k].0[31] ^= 1;
            assert!(!verify_proof(tree.root(), ls[4], &bad), "sibling {k}");
        }
        // Truncated proof, wrong root.
        assert!(!verify_proof(tree.root(), ls[4], &proof[..proof.len() - 1]));
        assert!(!verify_proof(keccak256("other"), ls[4], &proof));
    }

    #[test]
    fn proof_of_an_inner_node_is_refused() {
        let (tree, _) = MerkleTree::from_leaf_hashes(leaves(4)).unwrap();
        assert!(matches!(tree.proof(0), Err(MerkleError::NotALeaf(0))));
        assert!(matches!(tree.proof(7), Err(MerkleError::NotALeaf(7))));
        assert!(matches!(
            tree.proofs(&[3, 2]),
            Err(MerkleError::NotALeaf(2))
        ));
    }

    #[test]
    fn multiproofs_verify_and_reject_tampering() {
        let ls = leaves(13);
        let (tree, idx) = MerkleTree::from_leaf_hashes(ls).unwrap();
        let subsets: [&[usize]; 5] = [&[], &[0], &[0, 1], &[12, 3, 7, 5], &[0, 1, 2, 3, 4, 5, 6]];
        for s in subsets {
            let t: Vec<usize> = s.iter().map(|&k| idx[k]).collect();
            let mp = tree.multi_proof(&t).unwrap();
            assert!(verify_multi_proof(tree.root(), &mp), "{s:?}");
            if !mp.proof.is_empty() {
                let mut bad = mp.clone();
                bad.proof[0].0[0] ^= 1;
                assert!(!verify_multi_proof(tree.root(), &bad));
            }
            if !mp.leaves.is_empty() {
                let mut bad = mp.clone();
                bad.leaves[0].0[0] ^= 1;
                assert!(!verify_multi_proof(tree.root(), &bad));
            }
        }
        let all: Vec<usize> = idx.clone();
        let mp = tree.multi_proof(&all).unwrap();
        assert!(mp.proof.is_empty() && mp.proof_flags.iter().all(|f| *f));
        assert!(verify_multi_proof(tree.root(), &mp));
    }

    #[test]
    fn malformed_multiproofs_are_errors() {
        let (tree, idx) = MerkleTree::from_leaf_hashes(leaves(8)).unwrap();
        assert!(matches!(
            tree.multi_proof(&[idx[1], idx[1]]),
            Err(MerkleError::DuplicateIndex(_))
        ));
        assert!(matches!(
            tree.multi_proof(&[1]),
            Err(MerkleError::NotALeaf(1))
        ));
        let mp = tree.multi_proof(&[idx[1], idx[6]]).unwrap();
        let mut extra_flag = mp.proof_flags.clone();
        extra_flag.push(true);
        assert!(matches!(
            process_multi_proof(&mp.leaves, &mp.proof, &extra_flag),
            Err(MerkleError::InvalidMultiProof(_))
        ));
        let all_false = vec![false; mp.proof_flags.len()];
        assert!(matches!(
            process_multi_proof(&mp.leaves, &mp.proof, &all_false),
            Err(MerkleError::InvalidMultiProof(_))
        ));
        assert!(process_multi_proof(&[], &[], &[]).is_err());
        // Proving nothing: the proof is the root.
        assert_eq!(
            process_multi_proof(&[], &[tree.root()], &[]).unwrap(),
            tree.root()
        );
    }

    #[test]
    fn tampered_nodes_are_refused_on_load() {
        let (tree, _) = MerkleTree::from_leaf_hashes(leaves(6)).unwrap();
        let mut nodes = tree.into_nodes();
        nodes[7].0[5] ^= 1;
        assert!(matches!(
            MerkleTree::from_nodes(nodes.clone()),
            Err(MerkleError::InvalidTree(_))
        ));
        nodes.pop();
        assert!(matches!(
            MerkleTree::from_nodes(nodes),
            Err(MerkleError::InvalidTree(_))
        ));
    }
}
