//! Fee split: the royalty stack, agent and data rules, dust, unresolved inferences and
//! cumulative balances; conservation to the wei for random inputs.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;

use alloy::primitives::{Address, U256};
use common::addr;
use openledger_oracle::{
    FeeSplit, Lineage, LineageModel, ParentLink, Payment, Role, SplitError, SplitParams,
    UnresolvedReason, accumulate, distribute, resolve_carried, split::CarriedPortion,
    split_inference, split_unresolved,
};
use proptest::prelude::*;

const TREASURY: Address = Address::repeat_byte(0xee);
const PARAMS: SplitParams = SplitParams {
    unattributed_recipient: TREASURY,
};

fn model(id: u64, owner: u64, parents: &[(u64, u16)]) -> LineageModel {
    LineageModel {
        model_id: U256::from(id),
        owner: addr(owner),
        parents: parents
            .iter()
            .map(|&(p, bps)| ParentLink {
                model_id: U256::from(p),
                royalty_bps: bps,
            })
            .collect(),
    }
}

fn payment(model_id: u64, net: u64, split: (u16, u16, u16), agent: Option<Address>) -> Payment {
    Payment {
        inference_id: U256::from(77),
        model_id: U256::from(model_id),
        net: U256::from(net),
        split: FeeSplit {
            owner_bps: split.0,
            data_bps: split.1,
            agent_bps: split.2,
        },
        agent,
    }
}

fn totals_u64(split: &openledger_oracle::InferenceSplit) -> BTreeMap<Address, u64> {
    split
        .totals()
        .into_iter()
        .map(|(a, v)| (a, v.to::<u64>()))
        .collect()
}

#[test]
fn owner_data_agent_without_lineage() {
    let lineage = Lineage::new([model(1, 100, &[])]);
    let weights = BTreeMap::from([(addr(1), 3u128), (addr(2), 1u128)]);
    let s = split_inference(
        &payment(1, 10_000, (5000, 4000, 1000), Some(addr(9))),
        &lineage,
        &weights,
        &PARAMS,
    )
    .unwrap();
    let t = totals_u64(&s);
    assert_eq!(t[&addr(100)], 5000);
    assert_eq!(t[&addr(9)], 1000);
    assert_eq!(t[&addr(1)], 3000);
    assert_eq!(t[&addr(2)], 1000);
    assert_eq!(s.amount, U256::from(10_000));
}

#[test]
fn royalties_stack_up_a_chain_and_a_diamond() {
    // Chain: 3 -> 2 (10%) -> 1 (20%). Owner share 1000.
    let chain = Lineage::new([
        model(1, 1, &[]),
        model(2, 2, &[(1, 2000)]),
        model(3, 3, &[(2, 1000)]),
    ]);
    let s = split_inference(
        &payment(3, 1000, (10_000, 0, 0), None),
        &chain,
        &BTreeMap::new(),
        &PARAMS,
    )
    .unwrap();
    let t = totals_u64(&s);
    assert_eq!((t[&addr(3)], t[&addr(2)], t[&addr(1)]), (900, 80, 20));
    assert!(s.allocations.contains(&openledger_oracle::Allocation {
        account: addr(2),
        amount: U256::from(80),
        role: Role::Royalty {
            model_id: U256::from(2),
            child: U256::from(3)
        },
    }));

    // Diamond: 4 -> {2 (10%), 3 (10%)}, both -> 1 (50%): 1 is paid along both paths.
    let diamond = Lineage::new([
        model(1, 1, &[]),
        model(2, 2, &[(1, 5000)]),
        model(3, 3, &[(1, 5000)]),
        model(4, 4, &[(2, 1000), (3, 1000)]),
    ]);
    let s = split_inference(
        &payment(4, 1000, (10_000, 0, 0), None),
        &diamond,
        &BTreeMap::new(),
        &PARAMS,
    )
    .unwrap();
    let t = totals_u64(&s);
    assert_eq!(
        (t[&addr(4)], t[&addr(2)], t[&addr(3)], t[&addr(1)]),
        (800, 50, 50, 100)
    );
}

#[test]
fn dust_agentless_and_unattributed_rules() {
    let lineage = Lineage::new([model(1, 1, &[])]);
    // 10001 × 3333 / 10000 = 3333.33 → 3333 twice, 3334 once; 1 wei of dust to the owner.
    let s = split_inference(
        &payment(1, 10_001, (3333, 3333, 3334), None),
        &lineage,
        &BTreeMap::new(),
        &PARAMS,
    )
    .unwrap();
    let roles: Vec<(Role, u64)> = s
        .allocations
        .iter()
        .map(|a| (a.role, a.amount.to::<u64>()))
        .collect();
    assert_eq!(
        roles,
        vec![
            (
                Role::Owner {
                    model_id: U256::from(1)
                },
                3333
            ),
            (Role::SplitDust, 1),
            (Role::AgentlessShare, 3334),
            (Role::Unattributed, 3333),
        ]
    );
    assert_eq!(s.allocations[3].account, TREASURY);
    // Zero weights count as nothing attributed.
    let zero = BTreeMap::from([(addr(5), 0u128)]);
    let s = split_inference(
        &payment(1, 100, (0, 10_000, 0), None),
        &lineage,
        &zero,
        &PARAMS,
    )
    .unwrap();
    assert_eq!(totals_u64(&s)[&TREASURY], 100);
}

#[test]
fn data_dust_goes_to_largest_remainders_then_lower_addresses() {
    // 10 wei over weights 1:1:1 → 3 each, 1 left, equal remainders: the lowest address.
    let w = BTreeMap::from([(addr(3), 1u128), (addr(1), 1), (addr(2), 1)]);
    let parts: BTreeMap<_, _> = distribute(U256::from(10), &w)
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(parts[&addr(1)], U256::from(4));
    assert_eq!(parts[&addr(2)], U256::from(3));
    // 10 wei over 1:2 → 3.33 and 6.67: the larger remainder (6.67) gets the extra wei.
    let w = BTreeMap::from([(addr(1), 1u128), (addr(2), 2)]);
    let parts: BTreeMap<_, _> = distribute(U256::from(10), &w)
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(
        (parts[&addr(1)], parts[&addr(2)]),
        (U256::from(3), U256::from(7))
    );
    assert!(
        distribute(U256::from(10), &BTreeMap::new())
            .unwrap()
            .is_empty()
    );
    // Huge amounts and weights do not overflow.
    let w = BTreeMap::from([(addr(1), u128::MAX), (addr(2), u128::MAX - 1)]);
    let parts = distribute(U256::MAX, &w).unwrap();
    assert_eq!(parts[0].1 + parts[1].1, U256::MAX);
}

#[test]
fn invalid_inputs_are_errors() {
    let lineage = Lineage::new([
        model(1, 1, &[(2, 6000), (3, 5000)]),
        model(2, 2, &[]),
        model(3, 3, &[]),
    ]);
    let none = BTreeMap::new();
    assert_eq!(
        split_inference(
            &payment(1, 10, (5000, 5000, 1), None),
            &lineage,
            &none,
            &PARAMS
        ),
        Err(SplitError::InvalidSplit(5000, 5000, 1))
    );
    assert_eq!(
        split_inference(
            &payment(9, 10, (10_000, 0, 0), None),
            &lineage,
            &none,
            &PARAMS
        ),
        Err(SplitError::UnknownModel(U256::from(9)))
    );
    assert_eq!(
        split_inference(
            &payment(1, 10, (10_000, 0, 0), None),
            &lineage,
            &none,
            &PARAMS
        ),
        Err(SplitError::RoyaltyTooHigh(U256::from(1), 11_000))
    );
    // 70 generations: more lineage paths than the registry allows.
    let long = Lineage::new(
        (1..=70u64)
            .map(|i| model(i, i, if i > 1 { &[(0, 100)][..] } else { &[] }))
            .map(|mut m| {
                if let Some(p) = m.parents.first_mut() {
                    p.model_id = m.model_id - U256::from(1);
                }
                m
            }),
    );
    assert_eq!(
        split_inference(
            &payment(70, 10, (10_000, 0, 0), None),
            &long,
            &none,
            &PARAMS
        ),
        Err(SplitError::LineageTooLarge(U256::from(6)))
    );
}

#[test]
fn unresolved_inferences_carry_their_data_share_forward() {
    let lineage = Lineage::new([model(1, 1, &[]), model(2, 2, &[(1, 1000)])]);
    let p = payment(2, 1_000_003, (6000, 3000, 1000), Some(addr(50)));
    let weights = BTreeMap::from([(addr(7), 5u128), (addr(8), 2u128)]);
    let full = split_inference(&p, &lineage, &weights, &PARAMS).unwrap();

    let (paid, carried) =
        split_unresolved(&p, &lineage, UnresolvedReason::OutputUnavailable).unwrap();
    assert_eq!(carried.portion, CarriedPortion::DataShare);
    assert_eq!(paid.amount + carried.amount, p.net);
    assert!(
        paid.allocations
            .iter()
            .all(|a| !matches!(a.role, Role::Data { .. }))
    );
    let later = resolve_carried(&carried, &p, &lineage, &weights, &PARAMS).unwrap();
    assert_eq!(later.amount, carried.amount);
    // Paying now and settling later gives each account exactly what one split would have.
    let both = openledger_oracle::split::totals([&paid, &later]).unwrap();
    assert_eq!(both, full.totals());

    let (paid, carried) = split_unresolved(&p, &lineage, UnresolvedReason::UnknownModel).unwrap();
    assert!(paid.allocations.is_empty());
    assert_eq!(
        (carried.amount, carried.portion),
        (p.net, CarriedPortion::Net)
    );
    assert_eq!(
        resolve_carried(&carried, &p, &lineage, &weights, &PARAMS).unwrap(),
        full
    );

    let mut other = p.clone();
    other.net += U256::from(1);
    assert!(resolve_carried(&carried, &other, &lineage, &weights, &PARAMS).is_err());
}

#[test]
fn cumulative_balances_only_grow() {
    let previous = BTreeMap::from([(addr(1), U256::from(5)), (addr(2), U256::from(7))]);
    let earned = BTreeMap::from([(addr(2), U256::from(1)), (addr(3), U256::from(4))]);
    let next = accumulate(&previous, &earned).unwrap();
    assert_eq!(
        next,
        BTreeMap::from([
            (addr(1), U256::from(5)),
            (addr(2), U256::from(8)),
            (addr(3), U256::from(4))
        ])
    );
    let overflow = BTreeMap::from([(addr(1), U256::MAX)]);
    assert_eq!(accumulate(&previous, &overflow), Err(SplitError::Overflow));
}

/// A random acyclic lineage: parents have smaller ids, royalties sum to at most 100%, and the
/// ancestor path count stays within the registry's 64, as the contract enforces.
fn lineage_strategy() -> impl Strategy<Value = Lineage> {
    prop::collection::vec(
        (
            prop::collection::vec((any::<u16>(), 0u16..=10_000), 0..4),
            0u64..5,
        ),
        1..10,
    )
    .prop_map(|models| {
        let mut paths: Vec<usize> = Vec::new();
        let mut out = Vec::new();
        for (i, (parents, owner)) in models.into_iter().enumerate() {
            let mut links: Vec<(u64, u16)> = Vec::new();
            let (mut total, mut count) = (0u32, 0usize);
            for (pick, bps) in parents {
                if i == 0 {
                    break;
                }
                let p = usize::from(pick) % i;
                let bps = bps.min((10_000 - total) as u16);
                if links.iter().any(|&(q, _)| q == p as u64 + 1) || count + paths[p] + 1 > 64 {
                    continue;
                }
                total += u32::from(bps);
                count += paths[p] + 1;
                links.push((p as u64 + 1, bps));
            }
            paths.push(count);
            out.push(model(i as u64 + 1, owner, &links));
        }
        Lineage::new(out)
    })
}

/// The royalty stack computed independently, in u128, for the reference.
fn reference_stack(l: &Lineage, id: U256, x: u128, out: &mut BTreeMap<Address, u128>) {
    let m = &l.models[&id];
    let mut kept = x;
    for p in &m.parents {
        let bps = u128::from(p.royalty_bps);
        let r = x / 10_000 * bps + x % 10_000 * bps / 10_000;
        kept -= r;
        reference_stack(l, p.model_id, r, out);
    }
    *out.entry(m.owner).or_default() += kept;
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_split_conserves_the_net_amount(
        lineage in lineage_strategy(),
        pick in any::<u16>(),
        net in any::<u128>(),
        owner_bps in 0u16..=10_000,
        data_frac in 0u16..=10_000,
        agent in prop::option::of(0u64..3),
        weights in prop::collection::btree_map(0u64..8, any::<u64>(), 0..6),
    ) {
        let model_id = (pick as usize % lineage.models.len()) as u64 + 1;
        let data_bps = ((10_000 - owner_bps) as u32 * data_frac as u32 / 10_000) as u16;
        let split = (owner_bps, data_bps, 10_000 - owner_bps - data_bps);
        let p = payment(model_id, 0, split, agent.map(|a| addr(a + 1000)));
        let p = Payment { net: U256::from(net), ..p };
        let weights: BTreeMap<Address, u128> =
            weights.into_iter().map(|(a, w)| (addr(a + 500), u128::from(w))).collect();
        let s = split_inference(&p, &lineage, &weights, &PARAMS).unwrap();
        let sum = s.allocations.iter().fold(U256::ZERO, |acc, a| acc + a.amount);
        prop_assert_eq!(sum, p.net);
        prop_assert!(s.allocations.iter().all(|a| !a.amount.is_zero()));

        // The owner side equals an independent computation of the royalty stack.
        let owner_share = net / 10_000 * u128::from(owner_bps)
            + net % 10_000 * u128::from(owner_bps) / 10_000;
        let mut expected = BTreeMap::new();
        reference_stack(&lineage, U256::from(model_id), owner_share, &mut expected);
        let mut got: BTreeMap<Address, u128> = BTreeMap::new();
        for a in &s.allocations {
            if matches!(a.role, Role::Owner { .. } | Role::Royalty { .. }) {
                *got.entry(a.account).or_default() += a.amount.to::<u128>();
            }
        }
        expected.retain(|_, v| *v > 0);
        prop_assert_eq!(got, expected);

        // Unresolved: what is paid plus what is carried is the net amount, and settling later
        // gives every account the same total as one split.
        let (paid, carried) = split_unresolved(&p, &lineage, UnresolvedReason::OutputHashMismatch).unwrap();
        prop_assert_eq!(paid.amount + carried.amount, p.net);
        let later = resolve_carried(&carried, &p, &lineage, &weights, &PARAMS).unwrap();
        prop_assert_eq!(openledger_oracle::split::totals([&paid, &later]).unwrap(), s.totals());

        // Deterministic.
        prop_assert_eq!(split_inference(&p, &lineage, &weights, &PARAMS).unwrap(), s);
    }

    #[test]
    fn distribute_is_exact_and_within_one_wei_of_proportional(
        amount in any::<u128>(),
        weights in prop::collection::btree_map(0u64..20, any::<u64>(), 1..10),
    ) {
        let weights: BTreeMap<Address, u128> =
            weights.into_iter().map(|(a, w)| (addr(a), u128::from(w))).collect();
        let total: u128 = weights.values().sum();
        let parts = distribute(U256::from(amount), &weights).unwrap();
        if total == 0 {
            prop_assert!(parts.is_empty());
        } else {
            let sum = parts.iter().fold(U256::ZERO, |acc, (_, v)| acc + v);
            prop_assert_eq!(sum, U256::from(amount));
            for (a, v) in &parts {
                let exact_floor = U256::from(amount) * U256::from(weights[a]) / U256::from(total);
                prop_assert!(*v == exact_floor || *v == exact_floor + U256::from(1));
            }
        }
    }
}
