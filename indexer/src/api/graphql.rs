//! GraphQL at `/graphql` over the same data as REST: Relay-style connections (`edges { cursor
//! node }`, `pageInfo`), filters, an `order` on every list, and nested fields (datanet →
//! contributions, model → parents / children / agents, agent → actions / feedback, ...).
//!
//! Nesting is what makes GraphQL useful and what makes it dangerous: `models(first: 100) {
//! agents(first: 100) { actions(first: 100) } }` is a million rows. Every query is therefore
//! checked before it runs against a depth limit ([`MAX_DEPTH`]) and a complexity limit
//! ([`MAX_COMPLEXITY`]) in which a connection costs `first × (cost of one node)`; a query over
//! either limit is refused with an error and nothing is read.
//!
//! `GET /graphql` from a browser (`Accept: text/html`, no `query`) serves GraphiQL; other GETs
//! and POSTs execute.

use async_graphql::{
    ComplexObject, Context, EmptyMutation, EmptySubscription, InputObject, Object, OutputType,
    Result, Schema,
    connection::{Connection, Edge},
    http::GraphiQLSource,
};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::{
    Extension, Router,
    http::{HeaderMap, Uri, header},
    response::{Html, IntoResponse, Response},
    routing::get,
};

use super::{
    ApiState,
    data::{self, check_id, parse_address},
    db::{self, Filter, Listed, Order, PageReq},
    error::ApiError,
    rest::{ContributionStatus, RootStatus},
    types::{
        Account, Agent, AgentAction, AncestorEdge, Claim, Contribution, Curator, Datanet,
        DatanetVersion, Feedback, FeedbackSummary, Inference, Model, ModelParent, Proof, Revenue,
        Root, TrainingSet,
    },
};

/// The schema type.
pub type ApiSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

/// Deepest selection nesting accepted. GraphiQL's introspection query needs 13.
pub const MAX_DEPTH: usize = 15;
/// Largest query cost accepted: a field costs 1, a connection `first` times its node.
pub const MAX_COMPLEXITY: usize = 10_000;
/// Default page size of a connection.
pub const DEFAULT_FIRST: i32 = 20;
/// Largest page size of a connection.
pub const MAX_FIRST: i32 = 100;

/// The schema over `state`, with the limits.
pub fn schema(state: ApiState) -> ApiSchema {
    Schema::build(QueryRoot, EmptyMutation, EmptySubscription)
        .data(state)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .finish()
}

/// The cost of a connection: `first` (as the resolver will clamp it) times a node's cost.
pub fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let first = first.unwrap_or(DEFAULT_FIRST).clamp(1, MAX_FIRST);
    usize::try_from(first)
        .unwrap_or(1)
        .saturating_mul(child_complexity)
        .saturating_add(1)
}

/// `/graphql`: GraphiQL for a browser's GET, execution otherwise.
pub fn routes(schema: ApiSchema) -> Router<ApiState> {
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .layer(Extension(schema))
}

async fn graphql_post(
    Extension(schema): Extension<ApiSchema>,
    req: GraphQLRequest,
) -> GraphQLResponse {
    schema.execute(req.into_inner()).await.into()
}

async fn graphql_get(
    Extension(schema): Extension<ApiSchema>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let query = uri.query().unwrap_or_default();
    let browser = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if browser && !query.split('&').any(|kv| kv.starts_with("query=")) {
        return Html(GraphiQLSource::build().endpoint("/graphql").finish()).into_response();
    }
    match async_graphql::http::parse_query_string(query) {
        Ok(req) => GraphQLResponse::from(schema.execute(req).await).into_response(),
        Err(e) => ApiError::bad_request("invalid_query", e.to_string()).into_response(),
    }
}

fn state<'a>(ctx: &Context<'a>) -> Result<&'a ApiState> {
    ctx.data::<ApiState>()
}

/// One connection page of `T` matching `filters`.
async fn connection<T: Listed + OutputType>(
    ctx: &Context<'_>,
    filters: Vec<Filter>,
    first: Option<i32>,
    after: Option<String>,
    order: Option<Order>,
) -> Result<Connection<String, T>> {
    let first = first.unwrap_or(DEFAULT_FIRST);
    if !(1..=MAX_FIRST).contains(&first) {
        return Err(ApiError::bad_request(
            "invalid_limit",
            format!("first must be between 1 and {MAX_FIRST}, not {first}"),
        )
        .into());
    }
    let limit = u32::try_from(first).unwrap_or(1);
    let req = PageReq::new(Some(limit), after.as_deref(), order, T::KEY)?;
    let page = db::list::<T>(&state(ctx)?.store, &filters, &req).await?;
    let cursors: Vec<String> = page.items.iter().map(|i| page.cursor_of(i)).collect();
    let mut conn = Connection::new(req.after.is_some(), page.has_more);
    conn.edges.extend(
        cursors
            .into_iter()
            .zip(page.items)
            .map(|(c, node)| Edge::new(c, node)),
    );
    Ok(conn)
}

/// Every row of a small bounded list (parents, training sets): one page of up to 100.
async fn all<T: Listed>(ctx: &Context<'_>, filters: Vec<Filter>) -> Result<Vec<T>> {
    let req = PageReq {
        limit: 100,
        ..PageReq::default()
    };
    Ok(db::list::<T>(&state(ctx)?.store, &filters, &req)
        .await?
        .items)
}

async fn by_id<T: Listed>(ctx: &Context<'_>, what: &str, id: i64) -> Result<Option<T>> {
    let id = check_id(what, id)?;
    Ok(db::by_id::<T>(&state(ctx)?.store, id).await?)
}

fn opt_address(filters: &mut Vec<Filter>, column: &'static str, value: Option<&str>) -> Result<()> {
    if let Some(v) = value {
        filters.push(Filter::text(column, parse_address(column, v)?));
    }
    Ok(())
}

fn opt_id(filters: &mut Vec<Filter>, column: &'static str, value: Option<i64>) -> Result<()> {
    if let Some(v) = value {
        filters.push(Filter::int(column, check_id(column, v)?));
    }
    Ok(())
}

/// Filters of `contributions`.
#[derive(Debug, Default, InputObject)]
pub struct ContributionFilter {
    /// Datanet id.
    pub datanet: Option<i64>,
    /// Contributor address.
    pub contributor: Option<String>,
    /// Status.
    pub status: Option<ContributionStatus>,
}

impl ContributionFilter {
    fn filters(&self) -> Result<Vec<Filter>> {
        let mut f = Vec::new();
        opt_id(&mut f, "datanet_id", self.datanet)?;
        opt_address(&mut f, "contributor", self.contributor.as_deref())?;
        if let Some(s) = self.status {
            f.push(Filter::text("status", s.as_str()));
        }
        Ok(f)
    }
}

/// Filters of `agents`.
#[derive(Debug, Default, InputObject)]
pub struct AgentFilter {
    /// Current owner.
    pub owner: Option<String>,
    /// The model it runs on.
    pub model: Option<i64>,
}

/// Filters of `inferences`.
#[derive(Debug, Default, InputObject)]
pub struct InferenceFilter {
    /// Model id.
    pub model: Option<i64>,
    /// Agent id (0: paid without an agent).
    pub agent: Option<i64>,
    /// Payer address.
    pub payer: Option<String>,
}

/// The query root.
#[derive(Debug, Default)]
pub struct QueryRoot;

#[Object(name = "Query")]
impl QueryRoot {
    /// A datanet by id.
    async fn datanet(&self, ctx: &Context<'_>, id: i64) -> Result<Option<Datanet>> {
        by_id(ctx, "id", id).await
    }

    /// Datanets.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn datanets(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        order: Option<Order>,
        owner: Option<String>,
    ) -> Result<Connection<String, Datanet>> {
        let mut f = Vec::new();
        opt_address(&mut f, "owner", owner.as_deref())?;
        connection(ctx, f, first, after, order).await
    }

    /// A contribution by id.
    async fn contribution(&self, ctx: &Context<'_>, id: i64) -> Result<Option<Contribution>> {
        by_id(ctx, "id", id).await
    }

    /// Contributions.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn contributions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        order: Option<Order>,
        filter: Option<ContributionFilter>,
    ) -> Result<Connection<String, Contribution>> {
        let f = filter.unwrap_or_default().filters()?;
        connection(ctx, f, first, after, order).await
    }

    /// A model by id.
    async fn model(&self, ctx: &Context<'_>, id: i64) -> Result<Option<Model>> {
        by_id(ctx, "id", id).await
    }

    /// Models.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn models(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        order: Option<Order>,
        owner: Option<String>,
    ) -> Result<Connection<String, Model>> {
        let mut f = Vec::new();
        opt_address(&mut f, "owner", owner.as_deref())?;
        connection(ctx, f, first, after, order).await
    }

    /// An agent by id.
    async fn agent(&self, ctx: &Context<'_>, id: i64) -> Result<Option<Agent>> {
        by_id(ctx, "id", id).await
    }

    /// Agents.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn agents(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        order: Option<Order>,
        filter: Option<AgentFilter>,
    ) -> Result<Connection<String, Agent>> {
        let filter = filter.unwrap_or_default();
        let mut f = Vec::new();
        opt_address(&mut f, "owner", filter.owner.as_deref())?;
        opt_id(&mut f, "model_id", filter.model)?;
        connection(ctx, f, first, after, order).await
    }

    /// A paid inference by id.
    async fn inference(&self, ctx: &Context<'_>, id: i64) -> Result<Option<Inference>> {
        by_id(ctx, "id", id).await
    }

    /// Paid inferences.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn inferences(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        order: Option<Order>,
        filter: Option<InferenceFilter>,
    ) -> Result<Connection<String, Inference>> {
        let filter = filter.unwrap_or_default();
        let mut f = Vec::new();
        opt_id(&mut f, "model_id", filter.model)?;
        opt_id(&mut f, "agent_id", filter.agent)?;
        opt_address(&mut f, "payer", filter.payer.as_deref())?;
        connection(ctx, f, first, after, order).await
    }

    /// Epoch roots proposed to the escrow.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn roots(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        order: Option<Order>,
        status: Option<RootStatus>,
    ) -> Result<Connection<String, Root>> {
        let f = status
            .map(|s| vec![Filter::text("status", s.as_str())])
            .unwrap_or_default();
        connection(ctx, f, first, after, order).await
    }

    /// The root claims are checked against now.
    async fn current_root(&self, ctx: &Context<'_>) -> Result<Option<Root>> {
        Ok(data::current_root(&state(ctx)?.store).await?)
    }

    /// Claims paid by the escrow.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn claims(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        order: Option<Order>,
        account: Option<String>,
    ) -> Result<Connection<String, Claim>> {
        let mut f = Vec::new();
        opt_address(&mut f, "account", account.as_deref())?;
        connection(ctx, f, first, after, order).await
    }

    /// An account's totals; null when it never contributed, earned or claimed.
    async fn account(&self, ctx: &Context<'_>, address: String) -> Result<Option<Account>> {
        let address = parse_address("address", &address)?;
        Ok(data::account(&state(ctx)?.store, &address).await?)
    }
}

#[ComplexObject]
impl Datanet {
    /// Its contributions.
    #[graphql(
        name = "contributions",
        complexity = "page_cost(first, child_complexity)"
    )]
    async fn contributions_page(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        order: Option<Order>,
        status: Option<ContributionStatus>,
        contributor: Option<String>,
    ) -> Result<Connection<String, Contribution>> {
        let filter = ContributionFilter {
            datanet: Some(self.id),
            contributor,
            status,
        };
        connection(ctx, filter.filters()?, first, after, order).await
    }

    /// Its enabled curators.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn curators(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        order: Option<Order>,
    ) -> Result<Connection<String, Curator>> {
        let f = vec![Filter::int("datanet_id", self.id)];
        connection(ctx, f, first, after, order).await
    }

    /// Its published versions.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn versions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        order: Option<Order>,
    ) -> Result<Connection<String, DatanetVersion>> {
        let f = vec![Filter::int("datanet_id", self.id)];
        connection(ctx, f, first, after, order).await
    }
}

#[ComplexObject]
impl Contribution {
    /// Its datanet.
    async fn datanet(&self, ctx: &Context<'_>) -> Result<Option<Datanet>> {
        by_id(ctx, "datanet", self.datanet_id).await
    }
}

#[ComplexObject]
impl Model {
    /// Its direct parents (at most 8).
    async fn parents(&self, ctx: &Context<'_>) -> Result<Vec<ModelParent>> {
        all(ctx, vec![Filter::int("child", self.id)]).await
    }

    /// Every ancestor edge up to the roots, nearest first (at most 64).
    async fn ancestors(&self, ctx: &Context<'_>) -> Result<Vec<AncestorEdge>> {
        Ok(data::ancestors(&state(ctx)?.store, self.id).await?)
    }

    /// Models derived directly from it.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn children(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        order: Option<Order>,
    ) -> Result<Connection<String, ModelParent>> {
        let f = vec![Filter::int("parent", self.id)];
        connection(ctx, f, first, after, order).await
    }

    /// The datanet versions it was trained on (at most 32).
    async fn training_sets(&self, ctx: &Context<'_>) -> Result<Vec<TrainingSet>> {
        all(ctx, vec![Filter::int("model_id", self.id)]).await
    }

    /// Agents running on it now.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn agents(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        order: Option<Order>,
    ) -> Result<Connection<String, Agent>> {
        let f = vec![Filter::int("model_id", self.id)];
        connection(ctx, f, first, after, order).await
    }

    /// Its paid inferences.
    #[graphql(name = "inferences", complexity = "page_cost(first, child_complexity)")]
    async fn inferences_page(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        order: Option<Order>,
    ) -> Result<Connection<String, Inference>> {
        let f = vec![Filter::int("model_id", self.id)];
        connection(ctx, f, first, after, order).await
    }

    /// Sums over its paid inferences.
    async fn revenue(&self, ctx: &Context<'_>) -> Result<Revenue> {
        Ok(data::revenue(&state(ctx)?.store, self.id).await?)
    }
}

#[ComplexObject]
impl ModelParent {
    /// fine_tune, adapter, merge or quantized.
    async fn relation_name(&self) -> &'static str {
        self.relation_label()
    }

    /// The parent model.
    async fn parent_model(&self, ctx: &Context<'_>) -> Result<Option<Model>> {
        match self.parent {
            Some(id) => by_id(ctx, "parent", id).await,
            None => Ok(None),
        }
    }

    /// The child model.
    async fn child_model(&self, ctx: &Context<'_>) -> Result<Option<Model>> {
        match self.child {
            Some(id) => by_id(ctx, "child", id).await,
            None => Ok(None),
        }
    }
}

#[ComplexObject]
impl Agent {
    /// The model it runs on.
    async fn model(&self, ctx: &Context<'_>) -> Result<Option<Model>> {
        match self.model_id {
            Some(id) => by_id(ctx, "model", id).await,
            None => Ok(None),
        }
    }

    /// Its recorded actions.
    #[graphql(name = "actions", complexity = "page_cost(first, child_complexity)")]
    async fn actions_page(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        order: Option<Order>,
    ) -> Result<Connection<String, AgentAction>> {
        let f = vec![Filter::int("agent_id", self.id)];
        connection(ctx, f, first, after, order).await
    }

    /// Feedback given to it (revoked entries flagged).
    #[graphql(name = "feedback", complexity = "page_cost(first, child_complexity)")]
    async fn feedback_page(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        order: Option<Order>,
    ) -> Result<Connection<String, Feedback>> {
        let f = vec![Filter::int("agent_id", self.id)];
        connection(ctx, f, first, after, order).await
    }

    /// Feedback counts and average value.
    async fn feedback_summary(&self, ctx: &Context<'_>) -> Result<Option<FeedbackSummary>> {
        Ok(data::feedback_summary(&state(ctx)?.store, self.id).await?)
    }

    /// Inferences paid through it.
    #[graphql(name = "inferences", complexity = "page_cost(first, child_complexity)")]
    async fn inferences_page(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        order: Option<Order>,
    ) -> Result<Connection<String, Inference>> {
        let f = vec![Filter::int("agent_id", self.id)];
        connection(ctx, f, first, after, order).await
    }
}

#[ComplexObject]
impl Inference {
    /// The model.
    async fn model(&self, ctx: &Context<'_>) -> Result<Option<Model>> {
        match self.model_id {
            Some(id) => by_id(ctx, "model", id).await,
            None => Ok(None),
        }
    }

    /// The agent, if it was paid through one.
    async fn agent(&self, ctx: &Context<'_>) -> Result<Option<Agent>> {
        match self.agent_id {
            Some(id) if id != 0 => by_id(ctx, "agent", id).await,
            _ => Ok(None),
        }
    }
}

#[ComplexObject]
impl Root {
    /// The oracles that signed it.
    async fn signers(&self) -> &Vec<String> {
        &self.signers.0
    }
}

#[ComplexObject]
impl Account {
    /// Claims paid to it.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn claims(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        order: Option<Order>,
    ) -> Result<Connection<String, Claim>> {
        let f = vec![Filter::text("account", self.account.clone())];
        connection(ctx, f, first, after, order).await
    }

    /// Its proof in the current root; null when it has no balance there or the report is not
    /// loaded.
    async fn proof(&self, ctx: &Context<'_>) -> Result<Option<Proof>> {
        let s = state(ctx)?;
        match s.proofs.proof(&s.store, &self.account).await {
            Ok(p) => Ok(Some(p)),
            Err(e) if e.status == axum::http::StatusCode::NOT_FOUND => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}
