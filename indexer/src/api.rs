//! The HTTP API (axum). So far: health and the content store; the chain-data endpoints build on
//! the same router and error type.

use alloy::primitives::B256;
use axum::{
    Json, Router,
    body::Bytes,
    extract::{DefaultBodyLimit, Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use openledger_sdk::content_hash;
use serde_json::json;

use crate::Store;

/// Largest content accepted by default (8 MiB): records and outputs are text, reports are JSON.
pub const DEFAULT_MAX_CONTENT_BYTES: usize = 8 * 1024 * 1024;

/// Shared state of the handlers.
#[derive(Debug, Clone)]
pub struct ApiState {
    /// The database.
    pub store: Store,
}

/// The API router over `store`, refusing content larger than `max_content_bytes`.
pub fn router(store: Store, max_content_bytes: usize) -> Router {
    Router::new()
        .route("/health", get(|| async { Json(json!({ "status": "ok" })) }))
        .route(
            "/v1/content",
            post(put_content).layer(DefaultBodyLimit::max(max_content_bytes)),
        )
        .route("/v1/content/{hash}", get(get_content))
        .with_state(ApiState { store })
}

/// An API error: a status and a JSON body `{"error": {"code", "message"}}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": { "code": self.code, "message": self.message } });
        (self.status, Json(body)).into_response()
    }
}

impl From<crate::StoreError> for ApiError {
    fn from(err: crate::StoreError) -> Self {
        // Storage failures are ours, not the caller's: log the detail, answer generically.
        tracing::error!(%err, "store error");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: "storage error".into(),
        }
    }
}

async fn put_content(
    State(state): State<ApiState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    if body.is_empty() {
        return Err(ApiError::bad_request(
            "empty_content",
            "content must not be empty",
        ));
    }
    let hash = content_hash(&body);
    // The uploader may say which hash it expects; bytes damaged in transit are then refused.
    if let Some(expected) = headers.get("x-content-hash") {
        let expected = expected
            .to_str()
            .ok()
            .and_then(|h| h.parse::<B256>().ok())
            .ok_or_else(|| {
                ApiError::bad_request("invalid_hash", "x-content-hash is not a 32-byte hex hash")
            })?;
        if expected != hash {
            return Err(ApiError::bad_request(
                "hash_mismatch",
                format!("bytes hash to {hash}, not {expected}"),
            ));
        }
    }
    let created = state.store.put_content(&hash.to_string(), &body).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(json!({ "hash": hash, "size": body.len() }))))
}

async fn get_content(
    State(state): State<ApiState>,
    Path(hash): Path<String>,
) -> Result<Response, ApiError> {
    let hash = hash.parse::<B256>().map_err(|_| {
        ApiError::bad_request(
            "invalid_hash",
            format!("{hash:?} is not a 32-byte hex hash"),
        )
    })?;
    match state.store.get_content(&hash.to_string()).await? {
        Some(bytes) => {
            Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
        }
        None => Err(ApiError {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: format!("no content stored under {hash}"),
        }),
    }
}
