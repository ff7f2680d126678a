//! The HTTP API (axum): REST under `/v1`, GraphQL at `/graphql`, the OpenAPI document at
//! `/openapi.json`, the content store, and the operational endpoints (`/health`, `/ready`,
//! `/metrics`), and the web app at `/app`.
//!
//! REST and GraphQL read through the same query layer ([`db`], [`data`]) and row types
//! ([`types`]), so both answer the same rows in the same order with the same cursors' meaning;
//! errors are one type ([`ApiError`]) rendered as `{"error": {"code", "message"}}`.

use std::sync::Arc;

use alloy::primitives::B256;
use axum::{
    Json, Router,
    body::Bytes,
    extract::{DefaultBodyLimit, Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use openledger_sdk::content_hash;
use serde_json::json;
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{Store, sync::Metrics};

mod app;
pub mod data;
pub mod db;
mod error;
pub mod graphql;
mod proof;
pub mod rest;
pub mod types;

pub use app::AppConfig;
pub use error::{ApiError, ErrorBody, ErrorDetail};

/// Largest content accepted by default (8 MiB): records and outputs are text, reports are JSON.
pub const DEFAULT_MAX_CONTENT_BYTES: usize = 8 * 1024 * 1024;

/// Shared state of the handlers. Cheap to clone: pools and caches are shared.
#[derive(Debug, Clone)]
pub struct ApiState {
    /// The database.
    pub store: Store,
    /// The sync loop's counters, for `/ready` and `/metrics`.
    pub metrics: Metrics,
    /// Largest content upload accepted (413 beyond).
    pub max_content_bytes: usize,
    /// Merkle trees of the current root, built once per root.
    proofs: Arc<proof::ProofCache>,
    /// The chain and contracts the web app at `/app` talks to (none: `/app/config.json` is 404).
    app: Option<AppConfig>,
}

impl ApiState {
    /// State over `store` and `metrics`, with the default content size limit.
    pub fn new(store: Store, metrics: Metrics) -> Self {
        Self {
            store,
            metrics,
            max_content_bytes: DEFAULT_MAX_CONTENT_BYTES,
            proofs: Arc::default(),
            app: None,
        }
    }

    /// The same state serving the web app for `app`.
    pub fn with_app(mut self, app: AppConfig) -> Self {
        self.app = Some(app);
        self
    }

    /// The same state with another content size limit.
    pub fn with_max_content_bytes(mut self, max: usize) -> Self {
        self.max_content_bytes = max;
        self
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "OpenLedger indexer API",
        description = "Chain data of the OpenLedger contracts (datanets, contributions, models, \
agents, inferences, roots, claims), Merkle proofs of the current root, and the content store. \
Lists are keyset-paginated: pass `next_cursor` back as `cursor`. Amounts are decimal strings; \
addresses are lowercase hex. Errors are `{\"error\": {\"code\", \"message\"}}`."
    ),
    components(schemas(
        ErrorBody,
        ErrorDetail,
        db::Order,
        rest::ContributionStatus,
        rest::RootStatus
    ))
)]
struct ApiDoc;

/// The API router.
pub fn router(state: ApiState) -> Router {
    let (api, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health))
        .routes(routes!(ready))
        .routes(routes!(metrics))
        .routes(routes!(get_content))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(put_content))
                .layer(DefaultBodyLimit::max(state.max_content_bytes)),
        )
        .merge(rest::routes())
        .split_for_parts();
    let openapi = Arc::new(openapi);
    let schema = graphql::schema(state.clone());
    api.route(
        "/openapi.json",
        get(move || {
            let doc = Arc::clone(&openapi);
            async move { Json(doc) }
        }),
    )
    .merge(graphql::routes(schema))
    .merge(app::routes())
    .fallback(no_route)
    .method_not_allowed_fallback(wrong_method)
    .with_state(state)
}

// Unknown paths and methods answer in the API's JSON error shape too, so a client has one
// error format to parse whatever it got wrong.
async fn no_route() -> ApiError {
    ApiError::not_found("no_route", "no such endpoint; see /openapi.json")
}

async fn wrong_method() -> ApiError {
    ApiError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        code: "method_not_allowed",
        message: "this endpoint does not take this method; see /openapi.json".into(),
    }
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/health", tag = "operations",
    responses((status = 200, description = "{\"status\": \"ok\"}")))]
async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: 200 once the indexer has caught up with the chain head, 503 while it backfills,
/// so a load balancer does not send readers to an index that is hours behind.
#[utoipa::path(get, path = "/ready", tag = "operations",
    responses((status = 200, description = "caught up"), (status = 503, description = "backfilling")))]
async fn ready(State(s): State<ApiState>) -> (StatusCode, Json<serde_json::Value>) {
    let snap = s.metrics.snapshot();
    let status = if snap.caught_up {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "ready": snap.caught_up,
        "head_block": snap.head,
        "indexed_block": snap.indexed,
    });
    (status, Json(body))
}

/// Prometheus metrics of the sync loop (text exposition format).
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text", content_type = "text/plain")))]
async fn metrics(State(s): State<ApiState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        s.metrics.render(),
    )
        .into_response()
}

/// Stores bytes under their keccak256 hash (201 when new, 200 when already stored).
#[utoipa::path(post, path = "/v1/content", tag = "content",
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    params(("x-content-hash" = Option<String>, Header,
        description = "The hash the uploader expects; a mismatch is refused")),
    responses((status = 201, description = "stored: {hash, size}"),
        (status = 200, description = "already stored: {hash, size}"),
        (status = 400, body = ErrorBody), (status = 413, description = "too large")))]
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

/// The bytes stored under a hash.
#[utoipa::path(get, path = "/v1/content/{hash}", tag = "content",
    params(("hash" = String, Path, description = "0x keccak256 hash")),
    responses((status = 200, description = "the bytes", content_type = "application/octet-stream"),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
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
        None => Err(ApiError::not_found(
            "not_found",
            format!("no content stored under {hash}"),
        )),
    }
}
