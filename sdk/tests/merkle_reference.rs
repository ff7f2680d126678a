//! The Rust Merkle tree against the real `@openzeppelin/merkle-tree` (run through node by
//! `scripts/lib/merkle-reference.js`): same values, same root, proofs, multiproofs and dump.
//!
//! Inputs are random but reproducible: the seed is printed, and `MERKLE_SEED=<n>` replays it.
#![allow(clippy::unwrap_used, clippy::needless_range_loop)]

use std::{
    io::Write,
    path::PathBuf,
    process::{Command, Stdio},
};

use alloy::primitives::{Address, B256, U256};
use openledger_sdk::merkle::{Claim, MerkleLeaf};
use openledger_sdk::merkle::{ClaimTree, MultiProof, StandardMerkleTreeData};
use serde::Deserialize;
use serde_json::{Value, json};

/// splitmix64: tiny, deterministic, good enough to spread test inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        for chunk in out.chunks_mut(8) {
            let word = self.next().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        out
    }

    fn address(&mut self) -> Address {
        match self.below(10) {
            0 => Address::ZERO,
            1 => Address::repeat_byte(0xff),
            _ => Address::from(self.bytes::<20>()),
        }
    }

    fn amount(&mut self) -> U256 {
        match self.below(6) {
            0 => U256::ZERO,
            1 => U256::MAX,
            2 => U256::from(self.next() % 1000),
            3 => U256::from(self.next()),
            _ => U256::from_be_bytes(self.bytes::<32>()),
        }
    }

    /// Claims over a few tokens, with some exact duplicates (the reference allows them).
    fn claims(&mut self, n: usize) -> Vec<Claim> {
        let tokens = [
            self.address(),
            self.address(),
            Address::from(self.bytes::<20>()),
        ];
        let mut out: Vec<Claim> = Vec::with_capacity(n);
        for _ in 0..n {
            if !out.is_empty() && self.below(20) == 0 {
                let copy = out[self.below(out.len())];
                out.push(copy);
            } else {
                out.push(Claim::new(
                    self.address(),
                    tokens[self.below(3)],
                    self.amount(),
                ));
            }
        }
        out
    }

    /// A random subset of `0..n`, in random order.
    fn subset(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        for i in 0..k.min(n) {
            let j = i + self.below(n - i);
            all.swap(i, j);
        }
        all.truncate(k.min(n));
        all
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reference {
    root: B256,
    proofs: Vec<Vec<B256>>,
    proofs_by_value: Vec<Vec<B256>>,
    multiproofs: Vec<Value>,
    multiproofs_verify: Vec<bool>,
    dump: Value,
    loaded_root: Option<B256>,
}

fn reference(input: &Value) -> Reference {
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/lib/merkle-reference.js");
    let mut child = Command::new("node")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node must be on PATH: the reference is the real @openzeppelin/merkle-tree");
    let body = serde_json::to_vec(input).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&body).unwrap());
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(
        out.status.success(),
        "reference failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn seed() -> u64 {
    let seed = std::env::var("MERKLE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x0e1e_d6e5_2026);
    println!("merkle reference seed: {seed} (replay with MERKLE_SEED={seed})");
    seed
}

fn check_against_reference(rng: &mut Rng, n: usize) {
    let values = rng.claims(n);
    let tree = ClaimTree::of(values.clone()).unwrap();

    let mut subsets = vec![vec![], vec![0], (0..n).collect::<Vec<_>>(), vec![n - 1, 0]];
    for k in [1, 2, 3, n / 2, n.saturating_sub(1)] {
        subsets.push(rng.subset(n, k.max(1)));
    }
    subsets.retain(|s| {
        let mut d = s.clone();
        d.sort_unstable();
        d.dedup();
        d.len() == s.len()
    });

    let ours_dump = serde_json::to_value(tree.dump()).unwrap();
    let r = reference(&json!({
        "values": values,
        "multiproofs": subsets,
        "load": ours_dump,
    }));

    assert_eq!(tree.root(), r.root, "root, n = {n}");
    // The reference loads (and validates) our dump to the same root.
    assert_eq!(
        r.loaded_root,
        Some(tree.root()),
        "reference load of our dump, n = {n}"
    );
    // Dumps are equal as JSON: node order, value order, tree indices, value formatting.
    assert_eq!(ours_dump, r.dump, "dump, n = {n}");

    let all = tree.all_proofs();
    assert_eq!(all.len(), n);
    for i in 0..n {
        let proof = tree.proof(i).unwrap();
        assert_eq!(proof, r.proofs[i], "proof of value {i}, n = {n}");
        assert_eq!(
            all.get(i).unwrap(),
            r.proofs[i].as_slice(),
            "all_proofs[{i}], n = {n}"
        );
        assert_eq!(
            tree.proof_of(&values[i]).unwrap(),
            r.proofs_by_value[i],
            "by value {i}"
        );
        assert!(tree.verify(&values[i], &proof));
    }

    for ((subset, theirs), verified) in subsets
        .iter()
        .zip(&r.multiproofs)
        .zip(&r.multiproofs_verify)
    {
        assert!(verified, "reference verifies its own multiproof");
        let ours = tree.multi_proof(subset).unwrap();
        assert_eq!(
            &serde_json::to_value(&ours).unwrap(),
            theirs,
            "multiproof {subset:?}, n = {n}"
        );
        let theirs: MultiProof<Claim> = serde_json::from_value(theirs.clone()).unwrap();
        assert!(
            tree.verify_multi(&theirs),
            "we verify the reference multiproof {subset:?}"
        );
        let hashed = MultiProof {
            leaves: theirs.leaves.iter().map(Claim::leaf_hash).collect(),
            proof: theirs.proof.clone(),
            proof_flags: theirs.proof_flags.clone(),
        };
        assert!(openledger_sdk::merkle::verify_multi_proof(
            tree.root(),
            &hashed
        ));
    }

    // We load the reference's dump to the same tree.
    let data: StandardMerkleTreeData<Claim> = serde_json::from_value(r.dump).unwrap();
    let loaded = ClaimTree::load(data).unwrap();
    assert_eq!(loaded.root(), tree.root());
    assert_eq!(loaded.tree_indices(), tree.tree_indices());
}

#[test]
fn matches_openzeppelin_merkle_tree() {
    let mut rng = Rng(seed());
    for n in [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 100, 1000] {
        check_against_reference(&mut rng, n);
    }
}

#[test]
fn all_duplicates_match_the_reference() {
    // Every value equal: the order of equal hashes and the "last copy wins" lookup decide
    // every proof.
    let mut rng = Rng(seed() ^ 1);
    let c = Claim::new(rng.address(), rng.address(), U256::MAX);
    let values = vec![c; 6];
    let tree = ClaimTree::of(values.clone()).unwrap();
    let r = reference(&json!({ "values": values, "multiproofs": [[0, 5], [2, 3, 4]] }));
    assert_eq!(tree.root(), r.root);
    for i in 0..values.len() {
        assert_eq!(tree.proof(i).unwrap(), r.proofs[i]);
        assert_eq!(tree.proof_of(&values[i]).unwrap(), r.proofs_by_value[i]);
    }
    assert_eq!(serde_json::to_value(tree.dump()).unwrap(), r.dump);
    for (subset, theirs) in [vec![0, 5], vec![2, 3, 4]].iter().zip(&r.multiproofs) {
        assert_eq!(
            &serde_json::to_value(tree.multi_proof(subset).unwrap()).unwrap(),
            theirs
        );
    }
}
