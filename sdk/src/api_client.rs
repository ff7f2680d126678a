//! Client of the indexer's REST API for what a wallet needs: an account's Merkle proof in the
//! current root, and its reward totals.
//!
//! The API is a convenience, not an authority: whatever it returns is checked against the chain
//! before it is used (see [`crate::OpenLedger::claim_with_api`]). The 404s of the proof endpoint
//! are distinct variants here, because each asks the user for something different: wait for a
//! root, wait for (or upload) its report, or accept that the account earned nothing yet.

use std::time::Duration;

use alloy::{
    primitives::{Address, B256, U256},
    transports::http::reqwest,
};
use serde::Deserialize;

use crate::report::decimal;

/// Errors talking to the indexer's API.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Nothing answered at the URL (connection refused, DNS, timeout...). The transport error is
    /// the source, not part of the message, so error reports that print the chain say it once.
    #[error("the API at {api} is unreachable")]
    Unreachable {
        /// The API's base URL.
        api: String,
        /// The transport error.
        source: reqwest::Error,
    },
    /// The escrow has no accepted root yet, so nobody can claim.
    #[error("the API has no current root: {message}")]
    NoCurrentRoot {
        /// The API's message.
        message: String,
    },
    /// The current root's report is not in the indexer (not uploaded yet, or refused).
    #[error("the API cannot prove against the current root: {message}")]
    ReportNotLoaded {
        /// The API's message (says whether it is missing or was refused, and why).
        message: String,
    },
    /// The account has no leaf in the current root.
    #[error("no balance to prove: {message}")]
    NoBalance {
        /// The account asked about.
        account: Address,
        /// The API's message.
        message: String,
    },
    /// The API knows nothing of the account (never contributed, earned or claimed).
    #[error("the API knows nothing of {account}: {message}")]
    UnknownAccount {
        /// The account asked about.
        account: Address,
        /// The API's message.
        message: String,
    },
    /// Any other error answer.
    #[error("the API answered {status} ({code}): {message}")]
    Status {
        /// HTTP status.
        status: u16,
        /// The API's error code (`internal`, `invalid_address`, ...), or empty.
        code: String,
        /// The API's message, or the body.
        message: String,
    },
    /// A success answer that does not have the documented shape.
    #[error("unexpected answer from the API at {url}: {detail}")]
    Protocol {
        /// The URL asked.
        url: String,
        /// What was wrong with it.
        detail: String,
    },
}

/// An account's leaf in the current root and its proof: the arguments of
/// `RewardEscrow.claim(account, token, cumulative, proof)` (`GET /v1/accounts/{address}/proof`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AccountProof {
    /// The account.
    pub account: Address,
    /// The token of the leaf.
    pub token: Address,
    /// Everything the account has earned up to the root's epoch.
    #[serde(with = "decimal")]
    pub cumulative: U256,
    /// The root's epoch.
    pub epoch: u64,
    /// The root the proof leads to: the API's current root, which may lag the chain's.
    pub root: B256,
    /// Hash of the epoch report behind the root.
    pub report_hash: B256,
    /// Sibling hashes from the leaf up.
    pub proof: Vec<B256>,
}

/// An account's contributions and rewards as the indexer sees them (`GET /v1/accounts/{address}`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AccountTotals {
    /// The account.
    pub account: Address,
    /// Contributions submitted.
    pub submitted: u64,
    /// Of which accepted.
    pub accepted: u64,
    /// Rejected.
    pub rejected: u64,
    /// Pending.
    pub pending: u64,
    /// Withdrawn.
    pub withdrawn: u64,
    /// Cumulative balance in the current root (0 while its report is not loaded).
    #[serde(with = "decimal")]
    pub earned: U256,
    /// Claimed so far, as indexed.
    #[serde(with = "decimal")]
    pub claimed: U256,
    /// `earned - claimed`.
    #[serde(with = "decimal")]
    pub claimable: U256,
    /// Whether the current root's report is loaded, i.e. whether `earned` is known.
    pub report_loaded: bool,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    code: String,
    message: String,
}

/// A client of the indexer's API at `base_url` (e.g. `http://127.0.0.1:8080`).
#[derive(Debug, Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: String,
}

impl ApiClient {
    /// A client for the API at `base_url`. Requests time out after 30 s (5 s to connect), so a
    /// wrong URL fails instead of hanging a command line.
    pub fn new(base_url: &str) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .build()
            // Only fails when the TLS backend cannot start; a default client then still works
            // for plain HTTP, and a request will report the problem.
            .unwrap_or_default();
        Self {
            http,
            base: base_url.trim_end_matches('/').to_owned(),
        }
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The proof of `account`'s leaf in the API's current root.
    pub async fn proof(&self, account: Address) -> Result<AccountProof, ApiError> {
        self.get(&format!("/v1/accounts/{account:#x}/proof"), account)
            .await
    }

    /// `account`'s contributions and rewards as indexed.
    pub async fn account(&self, account: Address) -> Result<AccountTotals, ApiError> {
        self.get(&format!("/v1/accounts/{account:#x}"), account)
            .await
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        account: Address,
    ) -> Result<T, ApiError> {
        let url = format!("{}{path}", self.base);
        let unreachable = |source| ApiError::Unreachable {
            api: self.base.clone(),
            source,
        };
        let resp = self.http.get(&url).send().await.map_err(unreachable)?;
        let status = resp.status();
        let body = resp.bytes().await.map_err(unreachable)?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| ApiError::Protocol {
                url: url.clone(),
                detail: e.to_string(),
            });
        }
        let (code, message) = match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(b) => (b.error.code, b.error.message),
            Err(_) => (String::new(), String::from_utf8_lossy(&body).into_owned()),
        };
        Err(match (status.as_u16(), code.as_str()) {
            (404, "no_current_root") => ApiError::NoCurrentRoot { message },
            (404, "report_not_loaded") => ApiError::ReportNotLoaded { message },
            (404, "no_balance") => ApiError::NoBalance { account, message },
            (404, "not_found") => ApiError::UnknownAccount { account, message },
            (status, _) => ApiError::Status {
                status,
                code,
                message,
            },
        })
    }
}
