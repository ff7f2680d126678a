//! The web app at `/app` (sources in `app/`, bundled by `build.rs` and embedded here). It reads
//! through this API and writes through the visitor's own wallet; `/app/config.json` tells it the
//! chain and the contracts, with ABIs from the SDK's bindings, which are generated from the same
//! compiled contracts as everything else, so the page cannot drift from them.

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::header,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use openledger_sdk::{
    Deployment,
    bindings::{AgentRegistry, DatanetRegistry, DevToken, ModelRegistry, RewardEscrow},
};
use serde_json::json;

use super::{ApiError, ApiState};

const INDEX: &str = include_str!(concat!(env!("OUT_DIR"), "/app/index.html"));
const SCRIPT: &str = include_str!(concat!(env!("OUT_DIR"), "/app/app.js"));
const STYLE: &str = include_str!(concat!(env!("OUT_DIR"), "/app/app.css"));

/// What the app needs to know of the chain: serialized once from the deployment (the ABIs make
/// it tens of kilobytes), served as is.
#[derive(Debug, Clone)]
pub struct AppConfig(Bytes);

impl AppConfig {
    /// The app's configuration for `deployment`, with `rpc_url` as the RPC endpoint a wallet
    /// should use for the chain (the one offered by "add network").
    pub fn new(deployment: &Deployment, rpc_url: &str, chain_name: &str) -> Self {
        let c = &deployment.contracts;
        // The payment token is any ERC-20; DevToken's ABI carries the ERC-20 calls and errors.
        let config = json!({
            "chainId": deployment.chain_id,
            "chainName": chain_name,
            "rpcUrl": rpc_url,
            "contracts": {
                "DatanetRegistry": c.datanet_registry,
                "ModelRegistry": c.model_registry,
                "AgentRegistry": c.agent_registry,
                "RewardEscrow": c.reward_escrow,
                "PaymentToken": c.payment_token,
            },
            "abis": {
                "DatanetRegistry": DatanetRegistry::abi::contract(),
                "ModelRegistry": ModelRegistry::abi::contract(),
                "AgentRegistry": AgentRegistry::abi::contract(),
                "RewardEscrow": RewardEscrow::abi::contract(),
                "PaymentToken": DevToken::abi::contract(),
            },
        });
        Self(Bytes::from(config.to_string()))
    }
}

pub(super) fn routes() -> Router<ApiState> {
    Router::new()
        .route("/", get(|| async { Redirect::temporary("/app/") }))
        .route("/app", get(|| async { Redirect::permanent("/app/") }))
        .route("/app/", get(page))
        .route(
            "/app/app.js",
            get(|| asset("text/javascript; charset=utf-8", SCRIPT)),
        )
        .route(
            "/app/app.css",
            get(|| asset("text/css; charset=utf-8", STYLE)),
        )
        .route("/app/config.json", get(config))
}

async fn page() -> Response {
    // Routes live in the fragment (#/datanets), so one document serves every page.
    asset("text/html; charset=utf-8", INDEX).await
}

async fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

async fn config(State(s): State<ApiState>) -> Result<Response, ApiError> {
    s.app
        .as_ref()
        .map(|c| ([(header::CONTENT_TYPE, "application/json")], c.0.clone()).into_response())
        .ok_or_else(|| {
            ApiError::not_found(
                "app_not_configured",
                "this API was started without a deployment for the web app",
            )
        })
}
