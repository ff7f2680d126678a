//! The part of an epoch report every reader needs: which root it backs and the cumulative
//! balances the root commits to.
//!
//! The oracle writes the full report (inputs, parameters, attribution spans, splits) as canonical
//! JSON and stores it in the content store under its keccak256 hash, which is the `reportHash`
//! signed in the root update. Readers that only need balances (the indexer's proofs endpoint,
//! wallets) parse [`ReportBalances`]; serde ignores the other keys, so the oracle can add fields
//! without breaking them. Amounts are decimal strings, so JSON tools never round them.

use alloy::primitives::{Address, B256, U256};
use serde::{Deserialize, Serialize};

use crate::merkle::{Claim, ClaimTree, MerkleError};

/// The `format` value of the reports this version reads and writes (2: spans carry their
/// credited length after overlaps are shared).
pub const REPORT_FORMAT: &str = "openledger-epoch-report/4";

/// An account's cumulative balance in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    /// The account.
    pub account: Address,
    /// Everything it has earned up to this epoch, in the escrow's token.
    #[serde(with = "decimal")]
    pub cumulative: U256,
}

/// The header and balances of an epoch report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportBalances {
    /// [`REPORT_FORMAT`].
    pub format: String,
    /// Chain id.
    pub chain_id: u64,
    /// The escrow the root is posted to.
    pub escrow: Address,
    /// The token every balance is in.
    pub token: Address,
    /// The epoch.
    pub epoch: u64,
    /// First block of the epoch.
    pub from_block: u64,
    /// Last block of the epoch.
    pub to_block: u64,
    /// The Merkle root of the balances.
    pub root: B256,
    /// Sum of all balances.
    #[serde(with = "decimal")]
    pub total_cumulative: U256,
    /// Cumulative balances, sorted by account, each account once.
    pub balances: Vec<Balance>,
}

/// A report whose balances do not back its own claims.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Not JSON of the expected shape.
    #[error("invalid report JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// An unknown format.
    #[error("unknown report format {0:?}")]
    Format(String),
    /// Balances not sorted by account or an account twice.
    #[error("balances are not sorted by account with each account once")]
    Unsorted,
    /// The balances do not add up to `total_cumulative`.
    #[error("balances add up to {sum}, the report says {total}")]
    Total {
        /// The sum of the balances.
        sum: U256,
        /// `total_cumulative`.
        total: U256,
    },
    /// The tree of the balances has another root.
    #[error("the balances' tree has root {computed}, the report says {root}")]
    Root {
        /// The root of the balances' tree.
        computed: B256,
        /// `root`.
        root: B256,
    },
    /// The tree could not be built.
    #[error(transparent)]
    Merkle(#[from] MerkleError),
}

impl ReportBalances {
    /// Parses the balances part of a report's bytes.
    pub fn from_json(bytes: &[u8]) -> Result<Self, ReportError> {
        let report: Self = serde_json::from_slice(bytes)?;
        if report.format != REPORT_FORMAT {
            return Err(ReportError::Format(report.format));
        }
        Ok(report)
    }

    /// The claims of the tree: one per balance, in the escrow's token.
    pub fn claims(&self) -> Vec<Claim> {
        self.balances
            .iter()
            .map(|b| Claim::new(b.account, self.token, b.cumulative))
            .collect()
    }

    /// Builds the tree and checks it against the report: sorted unique accounts, the total, and
    /// the root. A report that passes backs every proof taken from the returned tree.
    pub fn verified_tree(&self) -> Result<ClaimTree, ReportError> {
        if self
            .balances
            .windows(2)
            .any(|w| w[0].account >= w[1].account)
        {
            return Err(ReportError::Unsorted);
        }
        let sum = self
            .balances
            .iter()
            .try_fold(U256::ZERO, |acc, b| acc.checked_add(b.cumulative))
            .unwrap_or(U256::MAX);
        if sum != self.total_cumulative {
            return Err(ReportError::Total {
                sum,
                total: self.total_cumulative,
            });
        }
        let tree = ClaimTree::of(self.claims())?;
        if tree.root() != self.root {
            return Err(ReportError::Root {
                computed: tree.root(),
                root: self.root,
            });
        }
        Ok(tree)
    }
}

/// Serde for `U256` as a decimal string.
pub mod decimal {
    use alloy::primitives::U256;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    /// Writes the decimal string.
    pub fn serialize<S: Serializer>(v: &U256, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    /// Reads a decimal string (no sign, no exponent, no hex).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<U256, D::Error> {
        let s = String::deserialize(d)?;
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(D::Error::custom(format!("{s:?} is not a decimal amount")));
        }
        U256::from_str_radix(&s, 10).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(balances: Vec<(u8, u64)>) -> ReportBalances {
        let balances: Vec<Balance> = balances
            .into_iter()
            .map(|(a, v)| Balance {
                account: Address::repeat_byte(a),
                cumulative: U256::from(v),
            })
            .collect();
        let token = Address::repeat_byte(0xee);
        let total = balances.iter().map(|b| b.cumulative).sum();
        let claims: Vec<Claim> = balances
            .iter()
            .map(|b| Claim::new(b.account, token, b.cumulative))
            .collect();
        ReportBalances {
            format: REPORT_FORMAT.into(),
            chain_id: 31337,
            escrow: Address::repeat_byte(0xaa),
            token,
            epoch: 1,
            from_block: 1,
            to_block: 10,
            root: ClaimTree::of(claims).unwrap().root(),
            total_cumulative: total,
            balances,
        }
    }

    #[test]
    fn round_trips_with_decimal_amounts_and_ignores_extra_keys() {
        let r = report(vec![(1, 5), (2, 7)]);
        let mut json: serde_json::Value = serde_json::to_value(&r).unwrap();
        assert_eq!(json["total_cumulative"], "12");
        json["inferences"] = serde_json::json!([{"id": 1}]);
        let back = ReportBalances::from_json(json.to_string().as_bytes()).unwrap();
        assert_eq!(back, r);
        assert!(back.verified_tree().is_ok());
    }

    #[test]
    fn refuses_reports_that_do_not_back_their_root() {
        let mut r = report(vec![(1, 5), (2, 7)]);
        r.total_cumulative = U256::from(13);
        assert!(matches!(r.verified_tree(), Err(ReportError::Total { .. })));
        let mut r = report(vec![(1, 5), (2, 7)]);
        r.balances[1].cumulative = U256::from(8);
        r.total_cumulative = U256::from(13);
        assert!(matches!(r.verified_tree(), Err(ReportError::Root { .. })));
        let mut r = report(vec![(2, 5), (1, 7)]);
        r.balances.swap(0, 1);
        r.balances.swap(0, 1);
        assert!(matches!(r.verified_tree(), Err(ReportError::Unsorted)));
        let bad = br#"{"format":"x"}"#;
        assert!(ReportBalances::from_json(bad).is_err());
        let hex_amount = serde_json::to_string(&report(vec![(1, 5)]))
            .unwrap()
            .replace("\"5\"", "\"0x5\"");
        assert!(ReportBalances::from_json(hex_amount.as_bytes()).is_err());
    }
}
