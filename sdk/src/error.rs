//! Contract reverts as typed errors: the custom error's name and its named fields, not hex.

use std::fmt;

use alloy::{
    dyn_abi::{DynSolValue, JsonAbiExt},
    json_abi::JsonAbi,
    primitives::Bytes,
    sol_types::{Panic, Revert, SolError},
};

use crate::bindings;

/// A revert decoded against the ABIs of every OpenLedger contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedRevert {
    /// The contract whose ABI declares the error (first match), or `"solidity"` for
    /// `Error(string)` / `Panic(uint256)`.
    pub contract: &'static str,
    /// The error's name, e.g. `ContentAlreadySubmitted`.
    pub name: String,
    /// The error's fields, in order, with their names and rendered values.
    pub fields: Vec<(String, String)>,
}

impl DecodedRevert {
    /// The value of field `name`, rendered.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Display for DecodedRevert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.name)?;
        for (i, (name, value)) in self.fields.iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            if name.is_empty() {
                write!(f, "{value}")?
            } else {
                write!(f, "{name}: {value}")?
            }
        }
        write!(f, ")")
    }
}

fn abis() -> [(&'static str, JsonAbi); 5] {
    [
        (
            "DatanetRegistry",
            bindings::DatanetRegistry::abi::contract(),
        ),
        ("ModelRegistry", bindings::ModelRegistry::abi::contract()),
        ("AgentRegistry", bindings::AgentRegistry::abi::contract()),
        ("RewardEscrow", bindings::RewardEscrow::abi::contract()),
        ("DevToken", bindings::DevToken::abi::contract()),
    ]
}

/// Decodes revert data returned by any OpenLedger contract.
pub fn decode_revert(data: &[u8]) -> Option<DecodedRevert> {
    let selector: [u8; 4] = data.get(..4)?.try_into().ok()?;
    if selector == Revert::SELECTOR {
        let r = Revert::abi_decode(data).ok()?;
        return Some(DecodedRevert {
            contract: "solidity",
            name: "Error".into(),
            fields: vec![("reason".into(), r.reason)],
        });
    }
    if selector == Panic::SELECTOR {
        let p = Panic::abi_decode(data).ok()?;
        return Some(DecodedRevert {
            contract: "solidity",
            name: "Panic".into(),
            fields: vec![("code".into(), p.code.to_string())],
        });
    }
    for (contract, abi) in abis() {
        for error in abi.errors() {
            if error.selector() != selector {
                continue;
            }
            let values = error.abi_decode_input(&data[4..]).ok()?;
            let fields = error
                .inputs
                .iter()
                .zip(values.iter())
                .map(|(param, value)| (param.name.clone(), render(value)))
                .collect();
            return Some(DecodedRevert {
                contract,
                name: error.name.clone(),
                fields,
            });
        }
    }
    None
}

fn render(value: &DynSolValue) -> String {
    match value {
        DynSolValue::Address(a) => a.to_checksum(None),
        DynSolValue::Bool(b) => b.to_string(),
        DynSolValue::Int(i, _) => i.to_string(),
        DynSolValue::Uint(u, _) => u.to_string(),
        DynSolValue::FixedBytes(w, size) => format!("0x{}", alloy::hex::encode(&w[..*size])),
        DynSolValue::Bytes(b) => Bytes::from(b.clone()).to_string(),
        DynSolValue::String(s) => format!("{s:?}"),
        DynSolValue::Array(items) | DynSolValue::FixedArray(items) | DynSolValue::Tuple(items) => {
            format!(
                "[{}]",
                items.iter().map(render).collect::<Vec<_>>().join(", ")
            )
        }
        other => format!("{other:?}"),
    }
}

/// SDK errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A contract reverted with a known error.
    #[error("{contract} reverted: {revert}", contract = .revert.contract)]
    Revert {
        /// The decoded error.
        revert: DecodedRevert,
    },
    /// A contract reverted with data no OpenLedger ABI declares.
    #[error("reverted with undecoded data {0}")]
    UnknownRevert(Bytes),
    /// A transaction was mined but failed (no revert data available from the receipt).
    #[error("transaction {0} failed on-chain")]
    TxFailed(alloy::primitives::TxHash),
    /// RPC or contract-call failure other than a revert.
    #[error(transparent)]
    Contract(alloy::contract::Error),
    /// Waiting for a receipt failed.
    #[error(transparent)]
    PendingTx(#[from] alloy::providers::PendingTransactionError),
    /// RPC transport failure.
    #[error(transparent)]
    Transport(#[from] alloy::transports::TransportError),
    /// Deployment file problems.
    #[error(transparent)]
    Deployment(#[from] crate::deployment::DeploymentError),
    /// The node is on another chain than the deployment.
    #[error("connected to chain {actual}, but the deployment is for chain {expected}")]
    WrongChain {
        /// Chain id of the deployment.
        expected: u64,
        /// Chain id the node reports.
        actual: u64,
    },
    /// An expected event was missing from a receipt.
    #[error("receipt of {tx} has no {event} event")]
    MissingEvent {
        /// Transaction hash.
        tx: alloy::primitives::TxHash,
        /// Event name.
        event: &'static str,
    },
    /// The sender has not approved enough of the payment token for `spender`.
    #[error(
        "allowance too low: {spender} may pull {allowance}, needs {needed} (approve first, or pay with a permit)"
    )]
    InsufficientAllowance {
        /// The contract that pulls the tokens.
        spender: alloy::primitives::Address,
        /// What it needs.
        needed: alloy::primitives::U256,
        /// What it may pull now.
        allowance: alloy::primitives::U256,
    },
    /// A claim's proof does not lead to the escrow's current root.
    #[error(
        "proof for {account} does not match the current root {root} (stale proof, or wrong amount)"
    )]
    ProofMismatch {
        /// The account claimed for.
        account: alloy::primitives::Address,
        /// The escrow's current root.
        root: alloy::primitives::B256,
    },
    /// The escrow has no current root: nothing can be claimed before an epoch root is accepted.
    #[error("the escrow has no current root yet: no epoch root has been accepted")]
    NoCurrentRoot,
    /// The indexer's API failed, or has no proof to give (see [`crate::api_client::ApiError`]).
    #[error(transparent)]
    Api(#[from] crate::api_client::ApiError),
    /// The API proved against another root than the escrow's current one. The API follows the
    /// chain with some delay, so right after a root is accepted it still serves the previous one.
    #[error(
        "the API's proof for {account} is for root {api_root} (epoch {api_epoch}), but the \
         escrow's current root is {chain_root} (epoch {chain_epoch}): the API has not caught up \
         with the chain, or indexes another deployment"
    )]
    StaleProof {
        /// The account claimed for.
        account: alloy::primitives::Address,
        /// The root the API proved against.
        api_root: alloy::primitives::B256,
        /// Its epoch.
        api_epoch: u64,
        /// The escrow's current root.
        chain_root: alloy::primitives::B256,
        /// Its epoch.
        chain_epoch: u64,
    },
    /// Anything else the caller asked that cannot be done.
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    /// The decoded revert, when this is one.
    pub fn revert(&self) -> Option<&DecodedRevert> {
        match self {
            Self::Revert { revert } => Some(revert),
            _ => None,
        }
    }

    /// Name of the custom error, when this is a revert.
    pub fn revert_name(&self) -> Option<&str> {
        self.revert().map(|r| r.name.as_str())
    }
}

impl From<alloy::contract::Error> for Error {
    fn from(err: alloy::contract::Error) -> Self {
        match err.as_revert_data() {
            Some(data) => match decode_revert(&data) {
                Some(revert) => Self::Revert { revert },
                None => Self::UnknownRevert(data),
            },
            None => Self::Contract(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::{
        primitives::{Address, U256, b256},
        sol_types::SolError,
    };

    #[test]
    fn decodes_a_custom_error_with_named_fields() {
        let err = bindings::datanet_registry::DatanetRegistry::ContentAlreadySubmitted {
            datanetId: U256::from(4),
            contentHash: b256!("00000000000000000000000000000000000000000000000000000000000000ab"),
            contributionId: U256::from(9),
        };
        let decoded = decode_revert(&err.abi_encode()).unwrap();
        assert_eq!(decoded.contract, "DatanetRegistry");
        assert_eq!(decoded.name, "ContentAlreadySubmitted");
        assert_eq!(decoded.field("datanetId"), Some("4"));
        assert_eq!(decoded.field("contributionId"), Some("9"));
        assert!(
            decoded
                .to_string()
                .starts_with("ContentAlreadySubmitted(datanetId: 4")
        );
    }

    #[test]
    fn decodes_solidity_builtins_and_refuses_garbage() {
        let r = Revert::from("nope").abi_encode();
        assert_eq!(decode_revert(&r).unwrap().field("reason"), Some("nope"));
        assert!(decode_revert(&[0xde, 0xad, 0xbe, 0xef]).is_none());
        assert!(decode_revert(&[1, 2]).is_none());
        let _ = Address::ZERO;
    }
}
