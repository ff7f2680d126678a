//! Builds a claims tree and all its proofs, and times each step (see docs/BENCHMARKS.md).
//!
//! `cargo run --release -p openledger-sdk --example merkle_bench -- [LEAVES] [--single-thread] [--no-json]`
//! (default 1,000,000 leaves, all cores).

use std::time::{Duration, Instant};

use alloy::primitives::{Address, B256, U256, keccak256};
use openledger_sdk::merkle::{Claim, ClaimTree, MerkleLeaf, MerkleTree, hash_pair};
use rayon::prelude::*;

/// splitmix64, so every run hashes the same leaves.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn claims(n: usize) -> Vec<Claim> {
    let mut s = 42u64;
    let token = Address::repeat_byte(0x7e);
    (0..n)
        .map(|_| {
            let mut a = [0u8; 20];
            for chunk in a.chunks_mut(8) {
                chunk.copy_from_slice(&splitmix(&mut s).to_le_bytes()[..chunk.len()]);
            }
            Claim::new(Address::from(a), token, U256::from(splitmix(&mut s)))
        })
        .collect()
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn timed<T>(label: &str, f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let out = f();
    let d = t.elapsed();
    println!("{label:<36} {:>9.3} s", secs(d));
    (out, d)
}

fn run(n: usize, json: bool) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    println!(
        "leaves: {n}, rayon threads: {}",
        rayon::current_num_threads()
    );
    let values = claims(n);

    // The headline figure: values in, tree out (leaf hashing, sort, levels).
    let input = values.clone();
    let (tree, build) = timed("build (ClaimTree::of)", || ClaimTree::of(input));
    let tree = tree?;
    let (all, all_proofs) = timed("all proofs (flat ProofSet)", || tree.all_proofs());
    println!(
        "  {} proofs, {} siblings, {:.1} MiB",
        all.len(),
        all.total_siblings(),
        (all.total_siblings() * 32) as f64 / (1 << 20) as f64
    );

    // Where the build time goes.
    let (hashes, _) = timed("  of which: leaf hashing", || {
        values
            .par_iter()
            .map(Claim::leaf_hash)
            .collect::<Vec<B256>>()
    });
    timed("  of which: sort + levels", || {
        MerkleTree::from_leaf_hashes(hashes)
    })
    .0?;

    // One proof at a time, on one thread: what a server answering one claimant pays.
    let sample = 100_000.min(n);
    let step = (n / sample).max(1);
    let (_, one_by_one) = timed("single proofs, one thread (sample)", || {
        let mut acc = 0usize;
        for k in 0..sample {
            acc += tree.proof(k * step).map(|p| p.len()).unwrap_or(0);
        }
        acc
    });
    println!(
        "  per proof: {:.3} µs over {sample} proofs",
        secs(one_by_one) * 1e6 / sample as f64
    );

    // Spot-check correctness: a bench that proves garbage proves nothing.
    let bad = (0..1000.min(n))
        .map(|k| k * (n / 1000.min(n)))
        .filter(|&i| all.get(i).is_none_or(|p| !tree.verify(&values[i], p)))
        .count();
    println!(
        "spot check: {} of {} proofs verify",
        1000.min(n) - bad,
        1000.min(n)
    );
    if bad > 0 {
        return Err("proofs did not verify".into());
    }

    if json {
        let (json, _) = timed("dump to JSON", || tree.to_json());
        let json = json?;
        println!("  {:.1} MiB of JSON", json.len() as f64 / (1 << 20) as f64);
        let (loaded, _) = timed("load from JSON (validates every node)", || {
            ClaimTree::from_json(&json)
        });
        if loaded?.root() != tree.root() {
            return Err("loaded root differs".into());
        }
    }

    // keccak of one 64-byte block: keccak-asm (ours) against alloy's default (sha3 crate).
    let k = 1_000_000;
    let (a, b) = (keccak256("a"), keccak256("b"));
    let (x, t_asm) = timed("1M node hashes, keccak-asm", || {
        (0..k).fold(a, |acc, _| hash_pair(&acc, &b))
    });
    let (y, t_alloy) = timed("1M node hashes, alloy keccak256", || {
        (0..k).fold(a, |acc, _| {
            let (lo, hi) = if acc <= b { (acc, b) } else { (b, acc) };
            keccak256([lo.as_slice(), hi.as_slice()].concat())
        })
    });
    if x != y {
        return Err("keccak implementations disagree".into());
    }
    println!("  keccak-asm speed-up: {:.2}x", secs(t_alloy) / secs(t_asm));

    println!(
        "SUMMARY leaves={n} threads={} build_s={:.3} all_proofs_s={:.3} per_proof_us={:.3} root={}",
        rayon::current_num_threads(),
        secs(build),
        secs(all_proofs),
        secs(one_by_one) * 1e6 / sample as f64,
        tree.root()
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n = args
        .iter()
        .find_map(|a| a.replace('_', "").parse().ok())
        .unwrap_or(1_000_000);
    // `--no-json` leaves out the JSON round trip, so peak RSS is that of the tree and proofs.
    let json = !args.iter().any(|a| a == "--no-json");
    if args.iter().any(|a| a == "--single-thread") {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()?
            .install(|| run(n, json))
    } else {
        run(n, json)
    }
}
