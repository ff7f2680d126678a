//! Suffix array construction by induced sorting (SA-IS, Nong, Zhang and Chan 2009), over an
//! integer alphabet, in O(n) time.
//!
//! The text is terminated by a virtual sentinel, smaller than every symbol and never stored: the
//! returned array holds the `n` real suffixes only. Symbols must be below the alphabet size `k`.

/// Marks a free slot while inducing.
const EMPTY: u32 = u32::MAX;

/// Suffix array of `s` (symbols below `k`); `s.len()` must be below `u32::MAX`.
pub(crate) fn suffix_array(s: &[u32], k: usize) -> Vec<u32> {
    let mut sa = vec![EMPTY; s.len()];
    sais(s, k, &mut sa);
    sa
}

/// Start of every bucket (exclusive prefix sums of the symbol counts).
fn bucket_heads(counts: &[u32]) -> Vec<u32> {
    let mut sum = 0u32;
    counts
        .iter()
        .map(|&c| {
            let head = sum;
            sum += c;
            head
        })
        .collect()
}

/// One past the end of every bucket (inclusive prefix sums).
fn bucket_tails(counts: &[u32]) -> Vec<u32> {
    let mut sum = 0u32;
    counts
        .iter()
        .map(|&c| {
            sum += c;
            sum
        })
        .collect()
}

/// `stype[i]`: suffix `i` is S-type (smaller than suffix `i + 1`). The last suffix is L-type, as
/// the sentinel that follows it is smaller than everything.
fn classify(s: &[u32]) -> Vec<bool> {
    let n = s.len();
    let mut stype = vec![false; n];
    for i in (0..n.saturating_sub(1)).rev() {
        stype[i] = s[i] < s[i + 1] || (s[i] == s[i + 1] && stype[i + 1]);
    }
    stype
}

fn is_lms(stype: &[bool], i: usize) -> bool {
    i > 0 && i < stype.len() && stype[i] && !stype[i - 1]
}

fn sais(s: &[u32], k: usize, sa: &mut [u32]) {
    let n = s.len();
    match n {
        0 => return,
        1 => {
            sa[0] = 0;
            return;
        }
        _ => {}
    }
    let stype = classify(s);
    let mut counts = vec![0u32; k];
    for &c in s {
        counts[c as usize] += 1;
    }

    // 1. Sort the LMS substrings: seed the LMS positions at their buckets' ends and induce.
    sa.fill(EMPTY);
    let mut tails = bucket_tails(&counts);
    for (i, &symbol) in s.iter().enumerate().skip(1) {
        if is_lms(&stype, i) {
            let c = symbol as usize;
            tails[c] -= 1;
            sa[tails[c] as usize] = i as u32;
        }
    }
    induce(s, sa, &stype, &counts);

    // 2. Name the sorted LMS substrings; equal substrings share a name.
    let mut m = 0;
    for i in 0..n {
        let p = sa[i];
        if p != EMPTY && is_lms(&stype, p as usize) {
            sa[m] = p;
            m += 1;
        }
    }
    // LMS positions are at least two apart, so `p / 2` is a unique slot.
    let mut names = vec![EMPTY; n / 2 + 1];
    let mut name_count = 0u32;
    let mut previous: Option<usize> = None;
    for &p in &sa[..m] {
        let p = p as usize;
        if previous.is_none_or(|q| !lms_substrings_equal(s, &stype, q, p)) {
            name_count += 1;
        }
        names[p / 2] = name_count - 1;
        previous = Some(p);
    }
    let lms_positions: Vec<u32> = (1..n)
        .filter(|&i| is_lms(&stype, i))
        .map(|i| i as u32)
        .collect();
    let reduced: Vec<u32> = lms_positions
        .iter()
        .map(|&p| names[p as usize / 2])
        .collect();
    drop(names);

    // 3. Sort the LMS suffixes: recursively when names repeat, directly otherwise.
    let mut reduced_sa = vec![EMPTY; m];
    if (name_count as usize) < m {
        sais(&reduced, name_count as usize, &mut reduced_sa);
    } else {
        for (i, &name) in reduced.iter().enumerate() {
            reduced_sa[name as usize] = i as u32;
        }
    }
    drop(reduced);

    // 4. Seed the sorted LMS suffixes at their buckets' ends (last first) and induce the rest.
    sa.fill(EMPTY);
    let mut tails = bucket_tails(&counts);
    for &j in reduced_sa.iter().rev() {
        let p = lms_positions[j as usize];
        let c = s[p as usize] as usize;
        tails[c] -= 1;
        sa[tails[c] as usize] = p;
    }
    induce(s, sa, &stype, &counts);
}

/// Induces L-type suffixes left to right from the seeds, then S-type suffixes right to left.
fn induce(s: &[u32], sa: &mut [u32], stype: &[bool], counts: &[u32]) {
    let n = s.len();
    let mut heads = bucket_heads(counts);
    // The suffix before the virtual sentinel comes first in its bucket.
    let c = s[n - 1] as usize;
    sa[heads[c] as usize] = (n - 1) as u32;
    heads[c] += 1;
    for i in 0..n {
        let p = sa[i];
        if p != EMPTY && p > 0 {
            let j = (p - 1) as usize;
            if !stype[j] {
                let c = s[j] as usize;
                sa[heads[c] as usize] = j as u32;
                heads[c] += 1;
            }
        }
    }
    let mut tails = bucket_tails(counts);
    for i in (0..n).rev() {
        let p = sa[i];
        if p != EMPTY && p > 0 {
            let j = (p - 1) as usize;
            if stype[j] {
                let c = s[j] as usize;
                tails[c] -= 1;
                sa[tails[c] as usize] = j as u32;
            }
        }
    }
}

/// Whether the LMS substrings starting at `p` and `q` (each running to the next LMS position,
/// inclusive) are equal in symbols and types. One that reaches the sentinel equals nothing.
fn lms_substrings_equal(s: &[u32], stype: &[bool], p: usize, q: usize) -> bool {
    let n = s.len();
    let mut d = 0;
    loop {
        if p + d >= n || q + d >= n {
            return false;
        }
        if s[p + d] != s[q + d] || stype[p + d] != stype[q + d] {
            return false;
        }
        if d > 0 {
            let (lp, lq) = (is_lms(stype, p + d), is_lms(stype, q + d));
            if lp && lq {
                return true;
            }
            if lp != lq {
                return false;
            }
        }
        d += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn naive(s: &[u32]) -> Vec<u32> {
        let mut sa: Vec<u32> = (0..s.len() as u32).collect();
        sa.sort_by(|&a, &b| s[a as usize..].cmp(&s[b as usize..]));
        sa
    }

    #[test]
    fn classic_examples() {
        let banana: Vec<u32> = b"banana".iter().map(|&b| u32::from(b)).collect();
        assert_eq!(suffix_array(&banana, 256), vec![5, 3, 1, 0, 4, 2]);
        let mississippi: Vec<u32> = b"mississippi".iter().map(|&b| u32::from(b)).collect();
        assert_eq!(suffix_array(&mississippi, 256), naive(&mississippi));
        assert_eq!(suffix_array(&[], 1), Vec::<u32>::new());
        assert_eq!(suffix_array(&[0], 1), vec![0]);
        assert_eq!(suffix_array(&[3, 3, 3, 3], 4), vec![3, 2, 1, 0]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn equals_naive_sort(s in prop::collection::vec(0u32..4, 0..300)) {
            prop_assert_eq!(suffix_array(&s, 4), naive(&s));
        }

        #[test]
        fn equals_naive_sort_large_alphabet(s in prop::collection::vec(0u32..1000, 0..300)) {
            prop_assert_eq!(suffix_array(&s, 1000), naive(&s));
        }
    }

    #[test]
    fn periodic_texts_recurse_deeply() {
        let s: Vec<u32> = (0..5000).map(|i| [1, 2, 1, 1, 2][i % 5]).collect();
        assert_eq!(suffix_array(&s, 3), naive(&s));
        let fib = {
            let (mut a, mut b) = (vec![1u32], vec![1u32, 2]);
            while b.len() < 4000 {
                let next = [b.clone(), a].concat();
                a = b;
                b = next;
            }
            b
        };
        assert_eq!(suffix_array(&fib, 3), naive(&fib));
    }
}
