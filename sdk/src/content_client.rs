//! Client of the content store the indexer serves: put bytes, get them back by hash.
//!
//! Both directions are checked here, not just trusted: a put fails unless the store names the
//! bytes by the hash computed locally, and a get fails unless the bytes hash to what was asked.

use alloy::{primitives::B256, transports::http::reqwest};

use crate::{ContentError, content_hash, verify_content};

/// Errors talking to the content store.
#[derive(Debug, thiserror::Error)]
pub enum ContentStoreError {
    /// Transport failure.
    #[error("content store unreachable: {0}")]
    Http(#[from] reqwest::Error),
    /// The store answered with an error status.
    #[error("content store answered {status}: {message}")]
    Status {
        /// HTTP status.
        status: u16,
        /// The store's error message.
        message: String,
    },
    /// No content under this hash.
    #[error("no content stored under {0}")]
    NotFound(B256),
    /// Bytes and hash disagree.
    #[error(transparent)]
    Mismatch(#[from] ContentError),
    /// The store's answer was not what the protocol says.
    #[error("unexpected answer from the content store: {0}")]
    Protocol(String),
}

/// A content store client for the API at `base_url` (e.g. `http://127.0.0.1:8080`).
#[derive(Debug, Clone)]
pub struct ContentClient {
    http: reqwest::Client,
    base: String,
}

impl ContentClient {
    /// A client for the store at `base_url`.
    pub fn new(base_url: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: base_url.trim_end_matches('/').to_owned(),
        }
    }

    /// Stores `bytes` and returns their content hash (stores are idempotent: storing twice is fine).
    pub async fn put(&self, bytes: &[u8]) -> Result<B256, ContentStoreError> {
        let expected = content_hash(bytes);
        let resp = self
            .http
            .post(format!("{}/v1/content", self.base))
            .header("x-content-hash", expected.to_string())
            .body(bytes.to_vec())
            .send()
            .await?;
        let resp = check(resp).await?;
        let body: serde_json::Value = resp.json().await?;
        let hash = body
            .get("hash")
            .and_then(|h| h.as_str())
            .and_then(|h| h.parse::<B256>().ok())
            .ok_or_else(|| ContentStoreError::Protocol(format!("no hash in {body}")))?;
        if hash != expected {
            return Err(ContentError {
                expected,
                actual: hash,
            }
            .into());
        }
        Ok(hash)
    }

    /// Fetches the bytes named by `hash`, checked against it.
    pub async fn get(&self, hash: B256) -> Result<Vec<u8>, ContentStoreError> {
        let resp = self
            .http
            .get(format!("{}/v1/content/{hash}", self.base))
            .send()
            .await?;
        if resp.status() == reqwest::StatusCode::NOT_FOUND {
            return Err(ContentStoreError::NotFound(hash));
        }
        let bytes = check(resp).await?.bytes().await?.to_vec();
        verify_content(hash, &bytes)?;
        Ok(bytes)
    }
}

async fn check(resp: reqwest::Response) -> Result<reqwest::Response, ContentStoreError> {
    if resp.status().is_success() {
        return Ok(resp);
    }
    let status = resp.status().as_u16();
    let message = resp.text().await.unwrap_or_default();
    Err(ContentStoreError::Status { status, message })
}
