//! REST under `/v1`: every entity, its filters and keyset pages, documented with utoipa.
//!
//! Lists answer `{"items": [...], "next_cursor": "..." | null}`; pass `next_cursor` back as
//! `cursor` for the next page. Query strings are parsed strictly (an unknown parameter, a
//! malformed number, an unknown status is a 400), so a typo never silently returns everything.

use axum::{
    Json,
    extract::{FromRequestParts, Path, Query, State},
    http::request::Parts,
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    ApiState,
    data::{self, check_id, parse_address, parse_id},
    db::{self, Filter, Listed, Order, PageReq, Param},
    error::{ApiError, ErrorBody},
    types::{
        Account, Agent, AgentAction, Claim, Contribution, Curator, Datanet, DatanetVersion,
        Feedback, FeedbackSummary, Inference, Lineage, Model, ModelParent, Proof, Revenue, Root,
        TrainingSet,
    },
};
use crate::Store;

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct List<T: ToSchema> {
    /// The rows, in the list's order.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// A query string parsed with JSON errors (axum's own `Query` answers plain text).
#[derive(Debug)]
pub struct Q<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Q<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|q| Q(q.0))
            .map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))
    }
}

/// A path segment, with JSON errors (axum's own `Path` answers plain text, e.g. for a segment
/// that is not valid percent-encoded UTF-8).
#[derive(Debug)]
pub struct P(pub String);

impl<S: Send + Sync> FromRequestParts<S> for P {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|p| P(p.0))
            .map_err(|e| ApiError::bad_request("invalid_path", e.body_text()))
    }
}

/// Declares a list's query parameters: its filters plus `limit`, `cursor` and `order`.
/// (serde cannot flatten a shared page struct into one that denies unknown fields.)
macro_rules! list_query {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Default, Deserialize, IntoParams)]
        #[into_params(parameter_in = Query)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$fm])* pub $field: Option<$ty>,)*
            /// Page size, 1 to 500 (default 50).
            #[param(minimum = 1, maximum = 500)]
            pub limit: Option<u32>,
            /// The `next_cursor` of the previous page.
            pub cursor: Option<String>,
            /// `asc` (default) or `desc`, by the list's key (id, or chain position).
            pub order: Option<Order>,
        }

        impl $name {
            fn page<T: Listed>(&self) -> Result<PageReq, ApiError> {
                PageReq::new(self.limit, self.cursor.as_deref(), self.order, T::KEY)
            }
        }
    };
}

list_query!(
    /// Paging only.
    PageQuery {}
);
list_query!(
    /// Datanet filters.
    DatanetsQuery {
        /// Current owner.
        owner: String,
    }
);
list_query!(
    /// Contribution filters.
    ContributionsQuery {
        /// Datanet id.
        datanet: i64,
        /// Contributor address.
        contributor: String,
        /// pending, accepted, rejected or withdrawn.
        status: ContributionStatus,
    }
);
list_query!(
    /// Contribution filters within a datanet.
    DatanetContributionsQuery {
        /// Contributor address.
        contributor: String,
        /// pending, accepted, rejected or withdrawn.
        status: ContributionStatus,
    }
);
list_query!(
    /// Model filters.
    ModelsQuery {
        /// Current owner.
        owner: String,
    }
);
list_query!(
    /// Agent filters.
    AgentsQuery {
        /// Current owner.
        owner: String,
        /// The model it runs on.
        model: i64,
    }
);
list_query!(
    /// Feedback filters.
    FeedbackQuery {
        /// The client who gave it.
        client: String,
    }
);
list_query!(
    /// Inference filters.
    InferencesQuery {
        /// Model id.
        model: i64,
        /// Agent id (0 for inferences paid without an agent).
        agent: i64,
        /// Payer address.
        payer: String,
    }
);
list_query!(
    /// Root filters.
    RootsQuery {
        /// pending, accepted or vetoed.
        status: RootStatus,
    }
);
list_query!(
    /// Claim filters.
    ClaimsQuery {
        /// The account paid.
        account: String,
    }
);

/// A contribution's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema, async_graphql::Enum)]
#[serde(rename_all = "lowercase")]
pub enum ContributionStatus {
    /// Waiting for a curator.
    Pending,
    /// Accepted (or submitted to an open datanet).
    Accepted,
    /// Rejected by a curator.
    Rejected,
    /// Withdrawn by its contributor.
    Withdrawn,
}

impl ContributionStatus {
    /// The view's text for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }
}

/// A root's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema, async_graphql::Enum)]
#[serde(rename_all = "lowercase")]
pub enum RootStatus {
    /// In its dispute window.
    Pending,
    /// Claims are checked against it (or were, before a later root).
    Accepted,
    /// Vetoed by the guardian.
    Vetoed,
}

impl RootStatus {
    /// The view's text for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Vetoed => "vetoed",
        }
    }
}

/// `column = address` for an optional address filter.
fn address_filter(
    filters: &mut Vec<Filter>,
    column: &'static str,
    what: &str,
    value: Option<&str>,
) -> Result<(), ApiError> {
    if let Some(v) = value {
        filters.push(Filter::text(column, parse_address(what, v)?));
    }
    Ok(())
}

/// `column = id` for an optional id filter.
fn id_filter(
    filters: &mut Vec<Filter>,
    column: &'static str,
    what: &str,
    value: Option<i64>,
) -> Result<(), ApiError> {
    if let Some(v) = value {
        filters.push(Filter::int(column, check_id(what, v)?));
    }
    Ok(())
}

async fn page<T: Listed + ToSchema>(
    store: &Store,
    filters: &[Filter],
    page: PageReq,
) -> Result<Json<List<T>>, ApiError> {
    let p = db::list::<T>(store, filters, &page).await?;
    Ok(Json(List {
        next_cursor: p.next_cursor(),
        items: p.items,
    }))
}

/// 404 unless `table` has a row whose `column` is `id`: the parent of a sub-list must exist.
pub(crate) async fn require(
    store: &Store,
    table: &'static str,
    column: &'static str,
    id: i64,
    what: &str,
) -> Result<(), ApiError> {
    #[derive(sqlx::FromRow)]
    struct One {
        #[allow(dead_code)]
        one: i64,
    }
    let found: Option<One> = db::fetch_optional(
        store,
        format!("SELECT CAST(1 AS BIGINT) AS one FROM {table} WHERE {column} = $1 LIMIT 1"),
        &[Param::Int(id)],
    )
    .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(ApiError::not_found(
            "not_found",
            format!("no {what} with id {id}"),
        )),
    }
}

async fn one<T: Listed>(store: &Store, id: &str, what: &str) -> Result<Json<T>, ApiError> {
    let id = parse_id(what, id)?;
    db::by_id::<T>(store, id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("not_found", format!("no {what} with id {id}")))
}

/// The `/v1` routes and their OpenAPI description.
pub fn routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(list_datanets))
        .routes(routes!(get_datanet))
        .routes(routes!(datanet_contributions))
        .routes(routes!(datanet_curators))
        .routes(routes!(datanet_versions))
        .routes(routes!(list_contributions))
        .routes(routes!(get_contribution))
        .routes(routes!(list_models))
        .routes(routes!(get_model))
        .routes(routes!(model_lineage))
        .routes(routes!(model_parents))
        .routes(routes!(model_children))
        .routes(routes!(model_training_sets))
        .routes(routes!(model_agents))
        .routes(routes!(model_revenue))
        .routes(routes!(list_agents))
        .routes(routes!(get_agent))
        .routes(routes!(agent_actions))
        .routes(routes!(agent_feedback))
        .routes(routes!(agent_feedback_summary))
        .routes(routes!(list_inferences))
        .routes(routes!(get_inference))
        .routes(routes!(list_roots))
        .routes(routes!(current_root))
        .routes(routes!(list_claims))
        .routes(routes!(get_account))
        .routes(routes!(get_account_proof))
}

// ---- datanets ----

/// Datanets, by id.
#[utoipa::path(get, path = "/v1/datanets", tag = "datanets", params(DatanetsQuery),
    responses((status = 200, body = List<Datanet>), (status = 400, body = ErrorBody)))]
async fn list_datanets(
    State(s): State<ApiState>,
    Q(q): Q<DatanetsQuery>,
) -> Result<Json<List<Datanet>>, ApiError> {
    let mut f = Vec::new();
    address_filter(&mut f, "owner", "owner", q.owner.as_deref())?;
    page(&s.store, &f, q.page::<Datanet>()?).await
}

/// One datanet.
#[utoipa::path(get, path = "/v1/datanets/{id}", tag = "datanets",
    params(("id" = i64, Path, description = "Datanet id")),
    responses((status = 200, body = Datanet), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn get_datanet(State(s): State<ApiState>, P(id): P) -> Result<Json<Datanet>, ApiError> {
    one(&s.store, &id, "datanet").await
}

/// A datanet's contributions, by id.
#[utoipa::path(get, path = "/v1/datanets/{id}/contributions", tag = "datanets",
    params(("id" = i64, Path, description = "Datanet id"), DatanetContributionsQuery),
    responses((status = 200, body = List<Contribution>), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn datanet_contributions(
    State(s): State<ApiState>,
    P(id): P,
    Q(q): Q<DatanetContributionsQuery>,
) -> Result<Json<List<Contribution>>, ApiError> {
    let id = parse_id("datanet", &id)?;
    let mut f = vec![Filter::int("datanet_id", id)];
    address_filter(
        &mut f,
        "contributor",
        "contributor",
        q.contributor.as_deref(),
    )?;
    if let Some(st) = q.status {
        f.push(Filter::text("status", st.as_str()));
    }
    let p = q.page::<Contribution>()?;
    require(&s.store, "datanet_created", "datanet_id", id, "datanet").await?;
    page(&s.store, &f, p).await
}

/// A datanet's enabled curators, by address.
#[utoipa::path(get, path = "/v1/datanets/{id}/curators", tag = "datanets",
    params(("id" = i64, Path, description = "Datanet id"), PageQuery),
    responses((status = 200, body = List<Curator>), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn datanet_curators(
    State(s): State<ApiState>,
    P(id): P,
    Q(q): Q<PageQuery>,
) -> Result<Json<List<Curator>>, ApiError> {
    let id = parse_id("datanet", &id)?;
    let p = q.page::<Curator>()?;
    require(&s.store, "datanet_created", "datanet_id", id, "datanet").await?;
    page(&s.store, &[Filter::int("datanet_id", id)], p).await
}

/// A datanet's published versions, in chain order.
#[utoipa::path(get, path = "/v1/datanets/{id}/versions", tag = "datanets",
    params(("id" = i64, Path, description = "Datanet id"), PageQuery),
    responses((status = 200, body = List<DatanetVersion>), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn datanet_versions(
    State(s): State<ApiState>,
    P(id): P,
    Q(q): Q<PageQuery>,
) -> Result<Json<List<DatanetVersion>>, ApiError> {
    let id = parse_id("datanet", &id)?;
    let p = q.page::<DatanetVersion>()?;
    require(&s.store, "datanet_created", "datanet_id", id, "datanet").await?;
    page(&s.store, &[Filter::int("datanet_id", id)], p).await
}

// ---- contributions ----

/// Contributions, by id.
#[utoipa::path(get, path = "/v1/contributions", tag = "contributions",
    params(ContributionsQuery),
    responses((status = 200, body = List<Contribution>), (status = 400, body = ErrorBody)))]
async fn list_contributions(
    State(s): State<ApiState>,
    Q(q): Q<ContributionsQuery>,
) -> Result<Json<List<Contribution>>, ApiError> {
    let mut f = Vec::new();
    id_filter(&mut f, "datanet_id", "datanet", q.datanet)?;
    address_filter(
        &mut f,
        "contributor",
        "contributor",
        q.contributor.as_deref(),
    )?;
    if let Some(st) = q.status {
        f.push(Filter::text("status", st.as_str()));
    }
    page(&s.store, &f, q.page::<Contribution>()?).await
}

/// One contribution.
#[utoipa::path(get, path = "/v1/contributions/{id}", tag = "contributions",
    params(("id" = i64, Path, description = "Contribution id")),
    responses((status = 200, body = Contribution), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn get_contribution(
    State(s): State<ApiState>,
    P(id): P,
) -> Result<Json<Contribution>, ApiError> {
    one(&s.store, &id, "contribution").await
}

// ---- models ----

/// Models, by id.
#[utoipa::path(get, path = "/v1/models", tag = "models", params(ModelsQuery),
    responses((status = 200, body = List<Model>), (status = 400, body = ErrorBody)))]
async fn list_models(
    State(s): State<ApiState>,
    Q(q): Q<ModelsQuery>,
) -> Result<Json<List<Model>>, ApiError> {
    let mut f = Vec::new();
    address_filter(&mut f, "owner", "owner", q.owner.as_deref())?;
    page(&s.store, &f, q.page::<Model>()?).await
}

/// One model.
#[utoipa::path(get, path = "/v1/models/{id}", tag = "models",
    params(("id" = i64, Path, description = "Model id")),
    responses((status = 200, body = Model), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn get_model(State(s): State<ApiState>, P(id): P) -> Result<Json<Model>, ApiError> {
    one(&s.store, &id, "model").await
}

async fn model_id(s: &ApiState, id: &str) -> Result<i64, ApiError> {
    let id = parse_id("model", id)?;
    require(&s.store, "model_registered", "model_id", id, "model").await?;
    Ok(id)
}

/// A model's lineage: every ancestor edge (recursively, nearest first) and its direct children.
#[utoipa::path(get, path = "/v1/models/{id}/lineage", tag = "models",
    params(("id" = i64, Path, description = "Model id")),
    responses((status = 200, body = Lineage), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn model_lineage(State(s): State<ApiState>, P(id): P) -> Result<Json<Lineage>, ApiError> {
    let id = model_id(&s, &id).await?;
    Ok(Json(data::lineage(&s.store, id).await?))
}

/// A model's direct parents.
#[utoipa::path(get, path = "/v1/models/{id}/parents", tag = "models",
    params(("id" = i64, Path, description = "Model id"), PageQuery),
    responses((status = 200, body = List<ModelParent>), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn model_parents(
    State(s): State<ApiState>,
    P(id): P,
    Q(q): Q<PageQuery>,
) -> Result<Json<List<ModelParent>>, ApiError> {
    let p = q.page::<ModelParent>()?;
    let id = model_id(&s, &id).await?;
    page(&s.store, &[Filter::int("child", id)], p).await
}

/// A model's direct children (models derived from it).
#[utoipa::path(get, path = "/v1/models/{id}/children", tag = "models",
    params(("id" = i64, Path, description = "Model id"), PageQuery),
    responses((status = 200, body = List<ModelParent>), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn model_children(
    State(s): State<ApiState>,
    P(id): P,
    Q(q): Q<PageQuery>,
) -> Result<Json<List<ModelParent>>, ApiError> {
    let p = q.page::<ModelParent>()?;
    let id = model_id(&s, &id).await?;
    page(&s.store, &[Filter::int("parent", id)], p).await
}

/// The datanet versions a model was trained on.
#[utoipa::path(get, path = "/v1/models/{id}/training-sets", tag = "models",
    params(("id" = i64, Path, description = "Model id"), PageQuery),
    responses((status = 200, body = List<TrainingSet>), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn model_training_sets(
    State(s): State<ApiState>,
    P(id): P,
    Q(q): Q<PageQuery>,
) -> Result<Json<List<TrainingSet>>, ApiError> {
    let p = q.page::<TrainingSet>()?;
    let id = model_id(&s, &id).await?;
    page(&s.store, &[Filter::int("model_id", id)], p).await
}

/// The agents running on a model now.
#[utoipa::path(get, path = "/v1/models/{id}/agents", tag = "models",
    params(("id" = i64, Path, description = "Model id"), PageQuery),
    responses((status = 200, body = List<Agent>), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn model_agents(
    State(s): State<ApiState>,
    P(id): P,
    Q(q): Q<PageQuery>,
) -> Result<Json<List<Agent>>, ApiError> {
    let p = q.page::<Agent>()?;
    let id = model_id(&s, &id).await?;
    page(&s.store, &[Filter::int("model_id", id)], p).await
}

/// A model's revenue: sums over its paid inferences, exact in 256 bits.
#[utoipa::path(get, path = "/v1/models/{id}/revenue", tag = "models",
    params(("id" = i64, Path, description = "Model id")),
    responses((status = 200, body = Revenue), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn model_revenue(State(s): State<ApiState>, P(id): P) -> Result<Json<Revenue>, ApiError> {
    let id = model_id(&s, &id).await?;
    Ok(Json(data::revenue(&s.store, id).await?))
}

// ---- agents ----

/// Agents, by id.
#[utoipa::path(get, path = "/v1/agents", tag = "agents", params(AgentsQuery),
    responses((status = 200, body = List<Agent>), (status = 400, body = ErrorBody)))]
async fn list_agents(
    State(s): State<ApiState>,
    Q(q): Q<AgentsQuery>,
) -> Result<Json<List<Agent>>, ApiError> {
    let mut f = Vec::new();
    address_filter(&mut f, "owner", "owner", q.owner.as_deref())?;
    id_filter(&mut f, "model_id", "model", q.model)?;
    page(&s.store, &f, q.page::<Agent>()?).await
}

/// One agent.
#[utoipa::path(get, path = "/v1/agents/{id}", tag = "agents",
    params(("id" = i64, Path, description = "Agent id")),
    responses((status = 200, body = Agent), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn get_agent(State(s): State<ApiState>, P(id): P) -> Result<Json<Agent>, ApiError> {
    one(&s.store, &id, "agent").await
}

async fn agent_id(s: &ApiState, id: &str) -> Result<i64, ApiError> {
    let id = parse_id("agent", id)?;
    require(&s.store, "agent_registered", "agent_id", id, "agent").await?;
    Ok(id)
}

/// An agent's recorded actions, in chain order.
#[utoipa::path(get, path = "/v1/agents/{id}/actions", tag = "agents",
    params(("id" = i64, Path, description = "Agent id"), PageQuery),
    responses((status = 200, body = List<AgentAction>), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn agent_actions(
    State(s): State<ApiState>,
    P(id): P,
    Q(q): Q<PageQuery>,
) -> Result<Json<List<AgentAction>>, ApiError> {
    let p = q.page::<AgentAction>()?;
    let id = agent_id(&s, &id).await?;
    page(&s.store, &[Filter::int("agent_id", id)], p).await
}

/// Feedback given to an agent, in chain order (revoked entries included, flagged).
#[utoipa::path(get, path = "/v1/agents/{id}/feedback", tag = "agents",
    params(("id" = i64, Path, description = "Agent id"), FeedbackQuery),
    responses((status = 200, body = List<Feedback>), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn agent_feedback(
    State(s): State<ApiState>,
    P(id): P,
    Q(q): Q<FeedbackQuery>,
) -> Result<Json<List<Feedback>>, ApiError> {
    let p = q.page::<Feedback>()?;
    let id = parse_id("agent", &id)?;
    let mut f = vec![Filter::int("agent_id", id)];
    address_filter(&mut f, "client", "client", q.client.as_deref())?;
    require(&s.store, "agent_registered", "agent_id", id, "agent").await?;
    page(&s.store, &f, p).await
}

/// An agent's feedback counts and average value.
#[utoipa::path(get, path = "/v1/agents/{id}/feedback/summary", tag = "agents",
    params(("id" = i64, Path, description = "Agent id")),
    responses((status = 200, body = FeedbackSummary), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn agent_feedback_summary(
    State(s): State<ApiState>,
    P(id): P,
) -> Result<Json<FeedbackSummary>, ApiError> {
    let id = parse_id("agent", &id)?;
    data::feedback_summary(&s.store, id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("not_found", format!("no agent with id {id}")))
}

// ---- inferences, roots, claims ----

/// Paid inferences, by id.
#[utoipa::path(get, path = "/v1/inferences", tag = "inferences", params(InferencesQuery),
    responses((status = 200, body = List<Inference>), (status = 400, body = ErrorBody)))]
async fn list_inferences(
    State(s): State<ApiState>,
    Q(q): Q<InferencesQuery>,
) -> Result<Json<List<Inference>>, ApiError> {
    let mut f = Vec::new();
    id_filter(&mut f, "model_id", "model", q.model)?;
    id_filter(&mut f, "agent_id", "agent", q.agent)?;
    address_filter(&mut f, "payer", "payer", q.payer.as_deref())?;
    page(&s.store, &f, q.page::<Inference>()?).await
}

/// One paid inference.
#[utoipa::path(get, path = "/v1/inferences/{id}", tag = "inferences",
    params(("id" = i64, Path, description = "Inference id")),
    responses((status = 200, body = Inference), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn get_inference(State(s): State<ApiState>, P(id): P) -> Result<Json<Inference>, ApiError> {
    one(&s.store, &id, "inference").await
}

/// Epoch roots proposed to the escrow, in chain order.
#[utoipa::path(get, path = "/v1/roots", tag = "rewards", params(RootsQuery),
    responses((status = 200, body = List<Root>), (status = 400, body = ErrorBody)))]
async fn list_roots(
    State(s): State<ApiState>,
    Q(q): Q<RootsQuery>,
) -> Result<Json<List<Root>>, ApiError> {
    let mut f = Vec::new();
    if let Some(st) = q.status {
        f.push(Filter::text("status", st.as_str()));
    }
    page(&s.store, &f, q.page::<Root>()?).await
}

/// The root claims are checked against now.
#[utoipa::path(get, path = "/v1/roots/current", tag = "rewards",
    responses((status = 200, body = Root), (status = 404, body = ErrorBody)))]
async fn current_root(State(s): State<ApiState>) -> Result<Json<Root>, ApiError> {
    data::current_root(&s.store)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("no_current_root", "no epoch root is accepted yet"))
}

/// Claims paid by the escrow, in chain order.
#[utoipa::path(get, path = "/v1/claims", tag = "rewards", params(ClaimsQuery),
    responses((status = 200, body = List<Claim>), (status = 400, body = ErrorBody)))]
async fn list_claims(
    State(s): State<ApiState>,
    Q(q): Q<ClaimsQuery>,
) -> Result<Json<List<Claim>>, ApiError> {
    let mut f = Vec::new();
    address_filter(&mut f, "account", "account", q.account.as_deref())?;
    page(&s.store, &f, q.page::<Claim>()?).await
}

// ---- accounts ----

/// An account's contributions by status, earned (current root), claimed and claimable.
#[utoipa::path(get, path = "/v1/accounts/{address}", tag = "rewards",
    params(("address" = String, Path, description = "0x address, any case")),
    responses((status = 200, body = Account), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn get_account(State(s): State<ApiState>, P(address): P) -> Result<Json<Account>, ApiError> {
    let address = parse_address("account", &address)?;
    data::account(&s.store, &address)
        .await?
        .map(Json)
        .ok_or_else(|| {
            ApiError::not_found(
                "not_found",
                format!("{address} never contributed, earned or claimed"),
            )
        })
}

/// The account's cumulative amount and Merkle proof in the current root: the arguments of
/// `RewardEscrow.claim(account, token, cumulative, proof)`.
#[utoipa::path(get, path = "/v1/accounts/{address}/proof", tag = "rewards",
    params(("address" = String, Path, description = "0x address, any case")),
    responses((status = 200, body = Proof), (status = 400, body = ErrorBody),
        (status = 404, description = "no_current_root, report_not_loaded or no_balance",
            body = ErrorBody)))]
async fn get_account_proof(
    State(s): State<ApiState>,
    P(address): P,
) -> Result<Json<Proof>, ApiError> {
    let address = parse_address("account", &address)?;
    Ok(Json(s.proofs.proof(&s.store, &address).await?))
}
