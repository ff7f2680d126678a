//! Clustering of a datanet corpus: exact duplicates, then near duplicates.
//!
//! A record and its copies must count once, and belong to whoever had it accepted first
//! (invariant 4). Contributions are taken in canonical order, earliest [`OrderKey`] first (ties,
//! which the chain never produces, by contribution id), and:
//!
//! 1. **Exact duplicates**: records whose normalised text ([`crate::text::normalize`]) is equal
//!    (keccak256 of it) join the earliest such record.
//! 2. **Near duplicates**: each remaining record's word `shingle_size`-shingles (a record shorter
//!    than that is one shingle) are hashed to 64 bits; a MinHash signature of `permutations` values
//!    is cut into `bands` bands (LSH). A record is compared with the *representatives* (earliest
//!    members) of the clusters it shares a band with (the `max_candidates` sharing the most
//!    bands; a bucket holds at most `bucket_capacity` representatives), and joins the earliest of them whose **true** Jaccard similarity of shingle sets is
//!    at least `threshold_bps / 10_000`. Otherwise it starts a new cluster and becomes its
//!    representative.
//!
//! Each cluster is owned by the contributor of its representative, its earliest member. The
//! attribution index holds one text per cluster (the representative's), so copies add nothing.
//!
//! Why representatives ("leader" clustering) and not union-find over all similar pairs: with
//! union-find, a chain of bridging records, each within the threshold of the next, can merge a
//! later, genuinely distinct record of someone else into an earlier cluster and hand its credit to
//! that cluster's owner. Comparing with representatives only, a record joins a cluster only when it
//! is itself a near copy of that cluster's first record, so nobody's distinct record can be
//! captured, and the result does not depend on how candidate pairs are enumerated.
//!
//! Note on the threshold: one changed word breaks up to `shingle_size` shingles, so with 5-shingles
//! and 0.8, a 100-word record stays in its cluster with about two changed words; shorter records
//! tolerate fewer. Case, punctuation and spacing changes are folded by normalisation and make an
//! exact duplicate.
//!
//! Shingle hashes are 64-bit, so "true Jaccard" is exact up to a 64-bit hash collision between
//! distinct shingles (negligible at corpus sizes below billions of shingles).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use alloy::primitives::{Address, B256, U256, keccak256};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::text;

/// Where a contribution stands in the canonical order: the (block number, log index) of its
/// acceptance (or submission, as the caller decides). Earliest wins.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct OrderKey {
    /// Block number.
    pub block: u64,
    /// Log index within the block.
    pub log_index: u64,
}

impl OrderKey {
    /// The key of the log at `log_index` in block `block`.
    pub const fn new(block: u64, log_index: u64) -> Self {
        Self { block, log_index }
    }
}

/// One accepted contribution, with its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contribution {
    /// On-chain contribution id (unique).
    pub id: U256,
    /// Who submitted it.
    pub contributor: Address,
    /// Its place in the canonical order.
    pub order: OrderKey,
    /// Its text, raw or normalised (it is normalised here either way).
    pub text: String,
}

/// Index of a cluster in a [`Clustering`], given in canonical order of representatives.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct ClusterId(pub u32);

/// A record and its copies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cluster {
    /// Its id.
    pub id: ClusterId,
    /// The contributor of its representative: the only one it pays.
    pub owner: Address,
    /// Its earliest member.
    pub representative: U256,
    /// All members, the representative first, in canonical order.
    pub members: Vec<U256>,
    /// The representative's normalised text: what the attribution index holds for the cluster.
    pub text: String,
}

/// Clustering parameters. Part of the epoch report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterParams {
    /// Words per shingle. Default 5.
    pub shingle_size: u32,
    /// MinHash values per record. Default 128.
    pub permutations: u32,
    /// LSH bands; must divide `permutations`. Default 32 (4 rows each): a pair at Jaccard 0.8 is
    /// a candidate with probability 1 - (1 - 0.8^4)^32 > 0.9999999, one at 0.3 with about 0.23,
    /// and unrelated records (Jaccard near 0) almost never; every candidate is then checked exactly.
    pub bands: u32,
    /// Minimum true Jaccard similarity, in basis points, for a near duplicate. Default 8000.
    pub threshold_bps: u16,
    /// Seed of the MinHash permutations. Default `0x4f50_454e_4c45_4447` ("OPENLEDG").
    pub seed: u64,
    /// Most representatives a record is compared with exactly, those sharing the most bands
    /// with it. Default 64. Bounds the work per record when many distinct records look alike
    /// (templates, or a flood of records each just below the threshold), which would otherwise
    /// cost one exact comparison per pair; a true near duplicate shares far more bands than
    /// such look-alikes (about 13 of 32 at Jaccard 0.8, 4 at 0.6), so it stays in the list.
    pub max_candidates: u32,
    /// Most representatives an LSH bucket holds; later ones are not added to a full bucket
    /// (they stay findable through their other bands). Default 256. Bounds the cost of band
    /// values shared by many distinct records, such as a common header.
    pub bucket_capacity: u32,
}

impl Default for ClusterParams {
    fn default() -> Self {
        Self {
            shingle_size: 5,
            permutations: 128,
            bands: 32,
            threshold_bps: 8000,
            seed: 0x4f50_454e_4c45_4447,
            max_candidates: 64,
            bucket_capacity: 256,
        }
    }
}

/// Why a corpus could not be clustered.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ClusterError {
    /// The parameters are inconsistent.
    #[error("invalid cluster parameters: {0}")]
    InvalidParams(&'static str),
    /// Two contributions have the same id.
    #[error("contribution {0} appears twice")]
    DuplicateContribution(U256),
    /// More clusters than a `u32` can number.
    #[error("too many clusters")]
    TooManyClusters,
}

/// The clusters of a corpus and which cluster each contribution belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clustering {
    /// Clusters, by id (canonical order of their representatives).
    pub clusters: Vec<Cluster>,
    /// The cluster of every contribution.
    pub assignment: BTreeMap<U256, ClusterId>,
}

impl Clustering {
    /// The cluster with id `id`.
    pub fn get(&self, id: ClusterId) -> Option<&Cluster> {
        self.clusters.get(usize::try_from(id.0).ok()?)
    }

    /// The cluster of contribution `id`.
    pub fn cluster_of(&self, id: U256) -> Option<&Cluster> {
        self.get(*self.assignment.get(&id)?)
    }

    /// Owner of every cluster, for [`crate::split::weights_by_owner`].
    pub fn owners(&self) -> BTreeMap<ClusterId, Address> {
        self.clusters.iter().map(|c| (c.id, c.owner)).collect()
    }

    /// `(cluster, representative text)` of every cluster, in id order: the documents of the
    /// attribution corpus ([`crate::index::Corpus::build`]).
    pub fn documents(&self) -> impl Iterator<Item = (ClusterId, &str)> {
        self.clusters.iter().map(|c| (c.id, c.text.as_str()))
    }
}

/// Clusters `contributions` (any order: the result depends only on the set).
pub fn cluster(
    contributions: &[Contribution],
    params: &ClusterParams,
) -> Result<Clustering, ClusterError> {
    validate(params)?;
    let mut order: Vec<usize> = (0..contributions.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&contributions[a], &contributions[b]);
        (a.order, a.id).cmp(&(b.order, b.id))
    });
    let mut seen = BTreeSet::new();
    for c in contributions {
        if !seen.insert(c.id) {
            return Err(ClusterError::DuplicateContribution(c.id));
        }
    }

    // Normalised texts, in canonical order.
    let docs: Vec<String> = order
        .par_iter()
        .map(|&i| text::normalize(&contributions[i].text))
        .collect();

    // 1. Exact duplicates: the first record with a given normalised text leads its group.
    let mut first_with_text: HashMap<B256, usize, foldhash::fast::RandomState> = HashMap::default();
    let mut exact_leader = vec![0usize; docs.len()];
    let mut leaders = Vec::new();
    for (pos, normalized) in docs.iter().enumerate() {
        let hash = keccak256(normalized.as_bytes());
        let leader = *first_with_text.entry(hash).or_insert(pos);
        exact_leader[pos] = leader;
        if leader == pos {
            leaders.push(pos);
        }
    }

    // 2. Near duplicates among the leaders, against cluster representatives.
    let salts = permutation_salts(params);
    let prepared: Vec<(Vec<u64>, Vec<u64>)> = leaders
        .par_iter()
        .map(|&pos| {
            let shingles = shingle_set(&docs[pos], params.shingle_size);
            let bands = band_keys(&shingles, &salts, params.bands);
            (shingles, bands)
        })
        .collect();

    let mut cluster_of_pos: Vec<u32> = vec![u32::MAX; docs.len()];
    let mut representatives: Vec<usize> = Vec::new(); // by cluster id: index into `leaders`
    let mut buckets = Buckets::new(params.bucket_capacity);
    for (li, &pos) in leaders.iter().enumerate() {
        let (shingles, bands) = &prepared[li];
        // Candidates: representatives sharing a band, most shared bands first (the MinHash
        // estimate of similarity), at most `max_candidates`; the earliest that passes the exact
        // check wins.
        let mut shared: BTreeMap<u32, u32> = BTreeMap::new();
        for &key in bands {
            buckets.visit(key, |cid| *shared.entry(cid).or_default() += 1);
        }
        let mut ranked: Vec<(u32, u32)> = shared.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(params.max_candidates as usize);
        let joined = ranked
            .into_iter()
            .map(|(cid, _)| cid)
            .filter(|&cid| {
                let rep = representatives[cid as usize];
                similar(shingles, &prepared[rep].0, params.threshold_bps)
            })
            .min();
        let cid = match joined {
            Some(cid) => cid,
            None => {
                let cid = u32::try_from(representatives.len())
                    .map_err(|_| ClusterError::TooManyClusters)?;
                representatives.push(li);
                for &key in bands {
                    buckets.insert(key, cid);
                }
                cid
            }
        };
        cluster_of_pos[pos] = cid;
    }

    let mut clusters: Vec<Cluster> = representatives
        .iter()
        .zip(0u32..)
        .map(|(&li, cid)| {
            let pos = leaders[li];
            let c = &contributions[order[pos]];
            Cluster {
                id: ClusterId(cid),
                owner: c.contributor,
                representative: c.id,
                members: Vec::new(),
                text: docs[pos].clone(),
            }
        })
        .collect();
    let mut assignment = BTreeMap::new();
    for pos in 0..docs.len() {
        let cid = cluster_of_pos[exact_leader[pos]];
        let id = contributions[order[pos]].id;
        clusters[cid as usize].members.push(id);
        assignment.insert(id, ClusterId(cid));
    }
    Ok(Clustering {
        clusters,
        assignment,
    })
}

/// LSH buckets: band key → cluster ids, as linked lists in one vector (most buckets hold one
/// representative, so a vector per bucket would be millions of tiny allocations).
/// A full bucket takes no more representatives, so a band value shared by many records
/// (boilerplate) costs a bounded walk.
struct Buckets {
    /// Band key → (first entry, entries in the bucket).
    heads: HashMap<u64, (u32, u32), foldhash::fast::RandomState>,
    /// (cluster id, index of the next entry of the same bucket or `u32::MAX`).
    entries: Vec<(u32, u32)>,
    capacity: u32,
}

impl Buckets {
    fn new(capacity: u32) -> Self {
        Self {
            heads: HashMap::default(),
            entries: Vec::new(),
            capacity,
        }
    }

    fn insert(&mut self, key: u64, cid: u32) {
        let index = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        let head = self.heads.entry(key).or_insert((u32::MAX, 0));
        if head.1 >= self.capacity {
            return;
        }
        self.entries.push((cid, head.0));
        *head = (index, head.1 + 1);
    }

    fn visit(&self, key: u64, mut f: impl FnMut(u32)) {
        let mut at = self.heads.get(&key).map_or(u32::MAX, |h| h.0);
        while let Some(&(cid, next)) = self.entries.get(at as usize) {
            f(cid);
            at = next;
        }
    }
}

fn validate(p: &ClusterParams) -> Result<(), ClusterError> {
    if p.shingle_size == 0 {
        return Err(ClusterError::InvalidParams("shingle_size must be positive"));
    }
    if p.permutations == 0 || p.bands == 0 || !p.permutations.is_multiple_of(p.bands) {
        return Err(ClusterError::InvalidParams(
            "bands must be positive and divide permutations",
        ));
    }
    if p.max_candidates == 0 {
        return Err(ClusterError::InvalidParams(
            "max_candidates must be positive",
        ));
    }
    if p.threshold_bps == 0 || p.threshold_bps > 10_000 {
        return Err(ClusterError::InvalidParams(
            "threshold_bps must be in 1..=10000",
        ));
    }
    Ok(())
}

/// SplitMix64's finaliser: a bijection of `u64` with good avalanche. Every hash here is built
/// from it, so they are the same on every machine (unlike `std`'s randomly keyed hashers).
pub(crate) const fn mix64(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// 64-bit FNV-1a of a word, finalised with [`mix64`].
fn word_hash(word: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in word.as_bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix64(h)
}

/// Sorted, deduplicated hashes of the word `k`-shingles of a normalised text (one shingle of all
/// words when there are fewer than `k`; none for an empty record).
fn shingle_set(normalized: &str, k: u32) -> Vec<u64> {
    let hashes: Vec<u64> = normalized
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(word_hash)
        .collect();
    let k = (k as usize).min(hashes.len()).max(1);
    let mut out: Vec<u64> = hashes
        .windows(k)
        .map(|win| {
            win.iter().fold(0x9e37_79b9_7f4a_7c15u64, |h, &w| {
                mix64(h.rotate_left(23) ^ w)
            })
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The MinHash permutations: `x ↦ a·x + b (mod 2^64)` with `a` odd, a bijection of the
/// (already mixed) shingle hashes; `(a, b)` drawn from `seed` with [`mix64`].
fn permutation_salts(p: &ClusterParams) -> Vec<(u64, u64)> {
    (0..u64::from(p.permutations))
        .map(|i| {
            let x = p.seed.wrapping_add(i.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            (mix64(x) | 1, mix64(x ^ 0x5555_5555_5555_5555))
        })
        .collect()
}

/// LSH band keys of a shingle set: each band's MinHash rows hashed together.
fn band_keys(shingles: &[u64], salts: &[(u64, u64)], bands: u32) -> Vec<u64> {
    if shingles.is_empty() {
        return Vec::new();
    }
    let mut signature = vec![u64::MAX; salts.len()];
    for &s in shingles {
        for (min, &(a, b)) in signature.iter_mut().zip(salts) {
            *min = (*min).min(a.wrapping_mul(s).wrapping_add(b));
        }
    }
    // Each key covers its band's rows and the band's number, so bands never share buckets.
    let rows = signature.len() / bands as usize;
    (0u64..)
        .zip(signature.chunks(rows.max(1)))
        .map(|(band, rows)| rows.iter().fold(mix64(band), |h, &v| mix64(h ^ v)))
        .collect()
}

/// Jaccard similarity of two sorted shingle sets, as (intersection, union).
pub(crate) fn jaccard_counts(a: &[u64], b: &[u64]) -> (u64, u64) {
    let (mut i, mut j, mut inter) = (0, 0, 0u64);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = (a.len() + b.len()) as u64 - inter;
    (inter, union)
}

fn similar(a: &[u64], b: &[u64], threshold_bps: u16) -> bool {
    let (inter, union) = jaccard_counts(a, b);
    union > 0 && u128::from(inter) * 10_000 >= u128::from(threshold_bps) * u128::from(union)
}

/// Jaccard similarity (in basis points, floor) of the shingle sets of two texts under `params`:
/// the number the clustering compares with `threshold_bps`, exposed for reports and tests.
pub fn jaccard_bps(a: &str, b: &str, params: &ClusterParams) -> u16 {
    let sa = shingle_set(&text::normalize(a), params.shingle_size);
    let sb = shingle_set(&text::normalize(b), params.shingle_size);
    let (inter, union) = jaccard_counts(&sa, &sb);
    if union == 0 {
        return 10_000;
    }
    u16::try_from(inter * 10_000 / union).unwrap_or(10_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contribution(id: u64, who: u8, block: u64, text: &str) -> Contribution {
        Contribution {
            id: U256::from(id),
            contributor: Address::repeat_byte(who),
            order: OrderKey::new(block, 0),
            text: text.to_owned(),
        }
    }

    fn long_text(seed: u64, n: usize) -> String {
        (0..n)
            .map(|i| format!("w{}", mix64(seed * 1000 + i as u64) % 5000))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn exact_duplicates_join_the_earliest() {
        let a = long_text(1, 40);
        let shouted = a.to_uppercase().replace(' ', " ,  ");
        let cs = vec![
            contribution(3, 3, 30, &shouted),
            contribution(1, 1, 10, &a),
            contribution(2, 2, 20, &long_text(2, 40)),
        ];
        let c = cluster(&cs, &ClusterParams::default()).unwrap();
        assert_eq!(c.clusters.len(), 2);
        let first = c.cluster_of(U256::from(3)).unwrap();
        assert_eq!(first.owner, Address::repeat_byte(1));
        assert_eq!(first.members, vec![U256::from(1), U256::from(3)]);
        assert_eq!(first.id, ClusterId(0));
    }

    #[test]
    fn near_duplicates_join_and_distinct_records_do_not() {
        let base = long_text(7, 100);
        let mut edited: Vec<String> = base.split(' ').map(str::to_owned).collect();
        edited[20] = "changed".into();
        edited[70] = "words".into();
        let edited = edited.join(" ");
        let params = ClusterParams::default();
        assert!(jaccard_bps(&base, &edited, &params) >= 8000);
        let cs = vec![
            contribution(1, 1, 10, &base),
            contribution(2, 2, 20, &edited),
            contribution(3, 3, 30, &long_text(8, 100)),
        ];
        let c = cluster(&cs, &params).unwrap();
        assert_eq!(c.clusters.len(), 2);
        assert_eq!(c.assignment[&U256::from(2)], ClusterId(0));
        assert_eq!(c.assignment[&U256::from(3)], ClusterId(1));
        assert_eq!(c.clusters[0].text, text::normalize(&base));
    }

    #[test]
    fn lsh_finds_every_near_duplicate_at_the_threshold() {
        // 300 records, each followed by a copy with two changed words (Jaccard 0.80 to 0.90):
        // every copy must meet its original in some band and join it.
        let params = ClusterParams::default();
        let mut cs = Vec::new();
        let mut lowest = 10_000;
        for i in 0..300u64 {
            let base = long_text(1000 + i, 100);
            let mut edited: Vec<String> = base.split(' ').map(str::to_owned).collect();
            let (a, b) = (5 + (i as usize % 40), 50 + (i as usize * 7 % 45));
            edited[a] = format!("p{i}");
            edited[b] = format!("q{i}");
            let edited = edited.join(" ");
            lowest = lowest.min(jaccard_bps(&base, &edited, &params));
            cs.push(contribution(2 * i, 1, 2 * i, &base));
            cs.push(contribution(2 * i + 1, 2, 2 * i + 1, &edited));
        }
        assert!(lowest >= 8000, "{lowest}");
        let c = cluster(&cs, &params).unwrap();
        assert_eq!(c.clusters.len(), 300);
        assert!(
            c.clusters
                .iter()
                .all(|k| k.owner == Address::repeat_byte(1))
        );
    }

    #[test]
    fn a_flood_of_look_alikes_stays_distinct_and_bounded() {
        // 400 records that each share about 60% of their shingles with a template (and so with
        // each other): candidates everywhere, none a near duplicate.
        let template: Vec<String> = long_text(77, 100).split(' ').map(str::to_owned).collect();
        let params = ClusterParams::default();
        let cs: Vec<Contribution> = (0..400u64)
            .map(|i| {
                let mut w = template.clone();
                for k in 0..4 {
                    w[(i as usize * 13 + k * 25) % 100] = format!("v{i}x{k}");
                }
                contribution(i, (i % 200) as u8, i, &w.join(" "))
            })
            .collect();
        let j = jaccard_bps(&cs[0].text, &cs[1].text, &params);
        assert!((4000..8000).contains(&j), "{j}");
        let c = cluster(&cs, &params).unwrap();
        assert!(c.clusters.len() > 300, "{}", c.clusters.len());
        // Every merge is a real near duplicate of its representative.
        for k in &c.clusters {
            let rep = &cs[k.representative.to::<usize>()].text;
            for m in &k.members {
                assert!(jaccard_bps(rep, &cs[m.to::<usize>()].text, &params) >= 8000);
            }
        }
    }

    #[test]
    fn boilerplate_shared_by_many_records_does_not_hide_near_duplicates() {
        // 1500 records with the same 60-word header and 40 words of their own, then a near copy
        // (one changed word) of every 10th: the copies must still find their originals although
        // many bands are driven by the shared header.
        let header = long_text(5, 60);
        let params = ClusterParams::default();
        let record = |i: u64| format!("{header} {}", long_text(10_000 + i, 40));
        let mut cs: Vec<Contribution> = (0..1500)
            .map(|i| contribution(i, 1, i, &record(i)))
            .collect();
        for i in (0..1500).step_by(10) {
            let mut w: Vec<String> = record(i).split(' ').map(str::to_owned).collect();
            w[80] = "changed".into();
            cs.push(contribution(10_000 + i, 2, 10_000 + i, &w.join(" ")));
        }
        let c = cluster(&cs, &params).unwrap();
        for i in (0..1500).step_by(10) {
            assert_eq!(
                c.assignment[&U256::from(10_000 + i)],
                c.assignment[&U256::from(i)],
                "copy of {i}"
            );
        }
        assert!(
            c.clusters
                .iter()
                .all(|k| k.owner == Address::repeat_byte(1))
        );
    }

    #[test]
    fn a_bridge_cannot_capture_a_distinct_record() {
        // a ~ bridge ~ b, but a and b are below the threshold: b keeps its own cluster.
        let a: Vec<String> = long_text(11, 60).split(' ').map(str::to_owned).collect();
        let mut b = a.clone();
        for i in [5, 15, 25, 35, 45, 55] {
            b[i] = format!("x{i}");
        }
        let mut bridge = a.clone();
        for i in [5, 25, 45] {
            bridge[i] = format!("x{i}");
        }
        let (a, b, bridge) = (a.join(" "), b.join(" "), bridge.join(" "));
        let p = ClusterParams {
            threshold_bps: 5000,
            ..ClusterParams::default()
        };
        assert!(
            jaccard_bps(&a, &b, &p) < 5000,
            "{}",
            jaccard_bps(&a, &b, &p)
        );
        assert!(jaccard_bps(&a, &bridge, &p) >= 5000);
        let cs = vec![
            contribution(1, 1, 1, &a),
            contribution(2, 2, 2, &b),
            contribution(3, 1, 3, &bridge),
        ];
        let c = cluster(&cs, &p).unwrap();
        assert_eq!(
            c.cluster_of(U256::from(2)).unwrap().owner,
            Address::repeat_byte(2)
        );
        assert_eq!(c.assignment[&U256::from(3)], c.assignment[&U256::from(1)]);
    }

    #[test]
    fn short_and_empty_records() {
        let cs = vec![
            contribution(1, 1, 1, "hello"),
            contribution(2, 2, 2, "Hello!"),
            contribution(3, 3, 3, "..."),
            contribution(4, 4, 4, ""),
            contribution(5, 5, 5, "hello there"),
        ];
        let c = cluster(&cs, &ClusterParams::default()).unwrap();
        assert_eq!(c.clusters.len(), 3);
        assert_eq!(c.assignment[&U256::from(2)], ClusterId(0));
        assert_eq!(c.assignment[&U256::from(4)], ClusterId(1));
        assert_eq!(c.clusters[1].text, "");
    }

    #[test]
    fn rejects_bad_input() {
        let cs = vec![contribution(1, 1, 1, "a"), contribution(1, 2, 2, "b")];
        assert_eq!(
            cluster(&cs, &ClusterParams::default()),
            Err(ClusterError::DuplicateContribution(U256::from(1)))
        );
        let bad = ClusterParams {
            bands: 3,
            ..ClusterParams::default()
        };
        assert!(matches!(
            cluster(&[], &bad),
            Err(ClusterError::InvalidParams(_))
        ));
    }
}
