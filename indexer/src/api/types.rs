//! The API's row types. One struct per entity serves everything: sqlx decodes it from the view
//! (by column name, so a view gaining a column breaks nothing), serde writes it as REST JSON
//! (snake_case), utoipa documents it, and async-graphql exposes it (camelCase).
//!
//! Conventions, from the event tables: addresses and hashes are lowercase `0x` hex, token amounts
//! are decimal strings (exact at 256 bits, which JSON numbers are not), ids and block numbers are
//! integers. An id a user supplied that does not fit 64 bits is stored as NULL, hence the
//! `Option`s on references to other entities.

use serde::Serialize;
use utoipa::ToSchema;

use super::db::{Key, KeyKind, Listed};

/// A datanet: a curated, bonded on-chain dataset.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema, async_graphql::SimpleObject)]
#[graphql(complex)]
pub struct Datanet {
    /// Datanet id.
    pub id: i64,
    /// Current owner.
    pub owner: String,
    /// Where its bonds and fees go.
    pub treasury: String,
    /// Metadata URI.
    pub uri: String,
    /// Bond per contribution (token units, decimal).
    pub bond: String,
    /// Whether contributions wait for a curator.
    pub curated: bool,
    /// Seconds a curator has to decide.
    pub review_period: Option<i64>,
    /// Contributions submitted.
    #[graphql(name = "contributionCount")]
    pub contributions: i64,
    /// Contributions accepted.
    pub accepted: i64,
    /// Latest published version, if any.
    pub latest_version: Option<i64>,
    /// Block of creation.
    pub created_block: i64,
    /// Transaction of creation.
    pub created_tx: String,
    /// Unix time of creation.
    pub created_at: Option<i64>,
}

impl Listed for Datanet {
    const FROM: &'static str = "datanets";
    const KEY: KeyKind = KeyKind::Id("id");
    fn key(&self) -> Key {
        Key::Id(self.id)
    }
}

/// A contribution to a datanet, named by the keccak256 of its bytes.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema, async_graphql::SimpleObject)]
#[graphql(complex)]
pub struct Contribution {
    /// Contribution id.
    pub id: i64,
    /// Its datanet.
    pub datanet_id: i64,
    /// Who submitted it.
    pub contributor: String,
    /// keccak256 of the record's bytes.
    pub content_hash: String,
    /// Where the record lives.
    pub uri: String,
    /// Size in bytes, as declared.
    pub size: Option<i64>,
    /// Bond paid (decimal).
    pub bond: String,
    /// pending, accepted, rejected or withdrawn.
    pub status: String,
    /// Unix time after which it can no longer be reviewed.
    pub review_deadline: Option<i64>,
    /// The curator who accepted or rejected it.
    pub curator: Option<String>,
    /// The rejection reason hash.
    pub reject_reason: Option<String>,
    /// Block of submission.
    pub submitted_block: i64,
    /// Log index of submission.
    pub submitted_log_index: i64,
    /// Transaction of submission.
    pub submitted_tx: String,
    /// Unix time of submission.
    pub submitted_at: Option<i64>,
    /// Block of the decision (acceptance, rejection, withdrawal).
    pub decided_block: Option<i64>,
    /// Log index of the decision.
    pub decided_log_index: Option<i64>,
    /// Block of the commit, for a commit-reveal contribution (its position in the order that
    /// owns text); `submitted_*` is then its reveal.
    pub committed_block: Option<i64>,
    /// Log index of the commit.
    pub committed_log_index: Option<i64>,
    /// Transaction of the commit.
    pub committed_tx: Option<String>,
}

impl Listed for Contribution {
    const FROM: &'static str = "contributions";
    const KEY: KeyKind = KeyKind::Id("id");
    fn key(&self) -> Key {
        Key::Id(self.id)
    }
}

/// A curator currently enabled on a datanet.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema, async_graphql::SimpleObject)]
pub struct Curator {
    /// The datanet.
    pub datanet_id: i64,
    /// The curator's address.
    pub curator: String,
    /// Block where it was (last) enabled.
    pub block_number: i64,
}

impl Listed for Curator {
    const FROM: &'static str = "datanet_curators";
    const KEY: KeyKind = KeyKind::Text("curator");
    fn key(&self) -> Key {
        Key::Text(self.curator.clone())
    }
}

/// A published version of a datanet: a commitment to its accepted contributions so far.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema, async_graphql::SimpleObject)]
pub struct DatanetVersion {
    /// The datanet.
    pub datanet_id: Option<i64>,
    /// Version number.
    pub version: Option<i64>,
    /// Who published it.
    pub publisher: String,
    /// Commitment to the version's contents.
    pub commitment: String,
    /// Where the version's manifest lives.
    pub uri: String,
    /// Accepted contributions it covers.
    pub accepted_count: Option<i64>,
    /// The last contribution id it covers.
    pub last_contribution_id: Option<i64>,
    /// Block.
    pub block_number: i64,
    /// Log index.
    pub log_index: i64,
    /// Transaction.
    pub tx_hash: String,
    /// Unix time.
    pub block_timestamp: Option<i64>,
}

impl Listed for DatanetVersion {
    const FROM: &'static str = "datanet_version_published";
    const KEY: KeyKind = KeyKind::Pos("block_number", "log_index");
    fn key(&self) -> Key {
        Key::Pos(self.block_number, self.log_index)
    }
}

/// A registered model.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema, async_graphql::SimpleObject)]
#[graphql(complex)]
pub struct Model {
    /// Model id.
    pub id: i64,
    /// Current owner.
    pub owner: String,
    /// Metadata URI.
    pub uri: String,
    /// Share of each inference's net amount for the owner (and its ancestors' royalties), bps.
    pub owner_bps: i64,
    /// Share for the contributors of its training data, bps.
    pub data_bps: i64,
    /// Share for the agent, bps.
    pub agent_bps: i64,
    /// Deprecated models take no new inferences.
    pub deprecated: bool,
    /// Direct parents.
    pub parent_count: i64,
    /// Ancestors, counted with multiplicity.
    pub ancestor_count: i64,
    /// Training sets.
    pub datanet_count: i64,
    /// Paid inferences.
    #[graphql(name = "inferenceCount")]
    pub inferences: i64,
    /// Block of registration.
    pub registered_block: i64,
    /// Transaction of registration.
    pub registered_tx: String,
    /// Unix time of registration.
    pub registered_at: Option<i64>,
}

impl Listed for Model {
    const FROM: &'static str = "models";
    const KEY: KeyKind = KeyKind::Id("id");
    fn key(&self) -> Key {
        Key::Id(self.id)
    }
}

/// A lineage edge: `child` derives from `parent`.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema, async_graphql::SimpleObject)]
#[graphql(complex)]
pub struct ModelParent {
    /// The derived model.
    pub child: Option<i64>,
    /// The model it derives from.
    pub parent: Option<i64>,
    /// 0 fine-tune, 1 adapter, 2 merge, 3 quantized.
    pub relation: i64,
    /// Royalty to the parent, bps of the child's owner revenue.
    pub royalty_bps: i64,
    /// Block.
    pub block_number: i64,
    /// Log index.
    pub log_index: i64,
}

impl ModelParent {
    /// The relation's name.
    pub fn relation_label(&self) -> &'static str {
        match self.relation {
            0 => "fine_tune",
            1 => "adapter",
            2 => "merge",
            3 => "quantized",
            _ => "unknown",
        }
    }
}

impl Listed for ModelParent {
    const FROM: &'static str = "model_parents";
    const KEY: KeyKind = KeyKind::Pos("block_number", "log_index");
    fn key(&self) -> Key {
        Key::Pos(self.block_number, self.log_index)
    }
}

/// A datanet version a model was trained on.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema, async_graphql::SimpleObject)]
pub struct TrainingSet {
    /// The model.
    pub model_id: Option<i64>,
    /// The datanet (NULL if the id claimed does not fit 64 bits).
    pub datanet_id: Option<i64>,
    /// The version.
    pub version: Option<i64>,
    /// Block.
    pub block_number: i64,
    /// Log index.
    pub log_index: i64,
}

impl Listed for TrainingSet {
    const FROM: &'static str = "model_training_sets";
    const KEY: KeyKind = KeyKind::Pos("block_number", "log_index");
    fn key(&self) -> Key {
        Key::Pos(self.block_number, self.log_index)
    }
}

/// A registered agent.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema, async_graphql::SimpleObject)]
#[graphql(complex)]
pub struct Agent {
    /// Agent id.
    pub id: i64,
    /// Current owner.
    pub owner: String,
    /// The model it runs on now.
    pub model_id: Option<i64>,
    /// Metadata URI.
    pub uri: String,
    /// Its operating wallet, if one is set.
    pub wallet: Option<String>,
    /// Actions recorded.
    #[graphql(name = "actionCount")]
    pub actions: i64,
    /// Feedback given to it.
    #[graphql(name = "feedbackCount")]
    pub feedback: i64,
    /// Paid inferences through it.
    #[graphql(name = "inferenceCount")]
    pub inferences: i64,
    /// Block of registration.
    pub registered_block: i64,
    /// Transaction of registration.
    pub registered_tx: String,
    /// Unix time of registration.
    pub registered_at: Option<i64>,
}

impl Listed for Agent {
    const FROM: &'static str = "agents";
    const KEY: KeyKind = KeyKind::Id("id");
    fn key(&self) -> Key {
        Key::Id(self.id)
    }
}

/// An action an agent recorded (a hash chain: `head` commits to every action so far).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema, async_graphql::SimpleObject)]
pub struct AgentAction {
    /// The agent.
    pub agent_id: Option<i64>,
    /// Index of the action.
    pub idx: Option<i64>,
    /// Hash of the action.
    pub action_hash: String,
    /// Where the action's record lives.
    pub uri: String,
    /// Application-defined outcome code.
    pub outcome: i64,
    /// The wallet that recorded it.
    pub wallet: String,
    /// The hash chain's head after it.
    pub head: String,
    /// Block.
    pub block_number: i64,
    /// Log index.
    pub log_index: i64,
    /// Transaction.
    pub tx_hash: String,
    /// Unix time.
    pub block_timestamp: Option<i64>,
}

impl Listed for AgentAction {
    const FROM: &'static str = "agent_actions";
    const KEY: KeyKind = KeyKind::Pos("block_number", "log_index");
    fn key(&self) -> Key {
        Key::Pos(self.block_number, self.log_index)
    }
}

/// Feedback a client gave an agent.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema, async_graphql::SimpleObject)]
pub struct Feedback {
    /// The agent.
    pub agent_id: Option<i64>,
    /// The client who gave it.
    pub client: String,
    /// Index among the client's feedback to this agent.
    pub idx: Option<i64>,
    /// Signed value as a decimal integer; the rating is `value / 10^value_decimals`.
    pub value: String,
    /// Decimals of `value`.
    pub value_decimals: i64,
    /// First tag.
    pub tag1: String,
    /// Second tag.
    pub tag2: String,
    /// Where the feedback's details live.
    pub uri: String,
    /// Hash of the details.
    pub feedback_hash: String,
    /// Whether the client revoked it.
    pub revoked: bool,
    /// Block.
    pub block_number: i64,
    /// Log index.
    pub log_index: i64,
    /// Transaction.
    pub tx_hash: String,
    /// Unix time.
    pub block_timestamp: Option<i64>,
}

impl Listed for Feedback {
    const FROM: &'static str = "agent_feedback";
    const KEY: KeyKind = KeyKind::Pos("block_number", "log_index");
    fn key(&self) -> Key {
        Key::Pos(self.block_number, self.log_index)
    }
}

/// A paid inference and the split it was paid under.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema, async_graphql::SimpleObject)]
#[graphql(complex)]
pub struct Inference {
    /// Inference id.
    pub id: i64,
    /// The model.
    pub model_id: Option<i64>,
    /// The agent (0 when paid directly).
    pub agent_id: Option<i64>,
    /// Who paid.
    pub payer: String,
    /// Amount received (decimal).
    pub amount: String,
    /// Protocol fee (decimal).
    pub protocol_fee: String,
    /// Amount minus fee, split between owner, data and agent (decimal).
    pub net: String,
    /// keccak256 of the output.
    pub output_hash: String,
    /// Where the output lives.
    pub output_uri: String,
    /// Owner share at payment, bps.
    pub owner_bps: i64,
    /// Data share at payment, bps.
    pub data_bps: i64,
    /// Agent share at payment, bps.
    pub agent_bps: i64,
    /// Block.
    pub block_number: i64,
    /// Log index.
    pub log_index: i64,
    /// Transaction.
    pub tx_hash: String,
    /// Unix time.
    pub block_timestamp: Option<i64>,
}

impl Listed for Inference {
    const FROM: &'static str = "inferences";
    const KEY: KeyKind = KeyKind::Id("id");
    fn key(&self) -> Key {
        Key::Id(self.id)
    }
}

/// The signers of a root, stored as a JSON array of addresses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Signers(pub Vec<String>);

impl TryFrom<String> for Signers {
    type Error = serde_json::Error;
    fn try_from(json: String) -> Result<Self, Self::Error> {
        serde_json::from_str(&json).map(Self)
    }
}

/// An epoch root proposed to the escrow, and what became of it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema, async_graphql::SimpleObject)]
#[graphql(complex)]
pub struct Root {
    /// Epoch.
    pub epoch: Option<i64>,
    /// Merkle root of cumulative balances.
    pub root: String,
    /// Sum of the balances (decimal).
    pub total_cumulative: String,
    /// keccak256 of the epoch report in the content store.
    pub report_hash: String,
    /// First block of the epoch.
    pub from_block: Option<i64>,
    /// Last block of the epoch.
    pub to_block: Option<i64>,
    /// Unix time from which it can be accepted.
    pub valid_at: Option<i64>,
    /// Oracles that signed it.
    #[sqlx(try_from = "String")]
    #[schema(value_type = Vec<String>)]
    #[graphql(skip)]
    pub signers: Signers,
    /// pending, accepted or vetoed.
    pub status: String,
    /// Block of acceptance.
    pub accepted_block: Option<i64>,
    /// Block of the proposal.
    pub proposed_block: i64,
    /// Log index of the proposal.
    pub proposed_log_index: i64,
    /// Transaction of the proposal.
    pub proposed_tx: String,
    /// Unix time of the proposal.
    pub proposed_at: Option<i64>,
}

impl Listed for Root {
    const FROM: &'static str = "roots";
    const KEY: KeyKind = KeyKind::Pos("proposed_block", "proposed_log_index");
    fn key(&self) -> Key {
        Key::Pos(self.proposed_block, self.proposed_log_index)
    }
}

/// A claim paid by the escrow.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema, async_graphql::SimpleObject)]
pub struct Claim {
    /// The account paid.
    pub account: String,
    /// The token.
    pub token: String,
    /// Paid by this claim (decimal).
    pub amount: String,
    /// Claimed in total after it (decimal).
    pub cumulative_claimed: String,
    /// Block.
    pub block_number: i64,
    /// Log index.
    pub log_index: i64,
    /// Transaction.
    pub tx_hash: String,
    /// Unix time.
    pub block_timestamp: Option<i64>,
}

impl Listed for Claim {
    const FROM: &'static str = "claims";
    const KEY: KeyKind = KeyKind::Pos("block_number", "log_index");
    fn key(&self) -> Key {
        Key::Pos(self.block_number, self.log_index)
    }
}

/// Per-account totals as the view holds them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    pub account: String,
    pub submitted: i64,
    pub accepted: i64,
    pub rejected: i64,
    pub pending: i64,
    pub withdrawn: i64,
    pub earned: String,
    pub claimed: String,
}

/// An account: its contributions by status and its rewards.
#[derive(Debug, Clone, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(complex)]
pub struct Account {
    /// The address.
    pub account: String,
    /// Contributions submitted.
    pub submitted: i64,
    /// Accepted.
    pub accepted: i64,
    /// Rejected.
    pub rejected: i64,
    /// Pending.
    pub pending: i64,
    /// Withdrawn.
    pub withdrawn: i64,
    /// Cumulative balance in the current root (decimal; 0 when its report is not loaded).
    pub earned: String,
    /// Claimed so far (decimal).
    pub claimed: String,
    /// earned - claimed (decimal, never negative).
    pub claimable: String,
    /// Whether the current root's report is loaded, i.e. whether `earned` is known.
    pub report_loaded: bool,
}

/// Feedback statistics of an agent.
#[derive(Debug, Clone, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct FeedbackSummary {
    /// The agent.
    pub agent_id: i64,
    /// Feedback given.
    pub given: i64,
    /// Of which revoked.
    pub revoked: i64,
    /// Distinct clients.
    pub clients: i64,
    /// Mean of the non-revoked values (each `value / 10^value_decimals`), as a decimal string
    /// truncated to 18 decimals; null without feedback.
    pub average: Option<String>,
}

/// What a model's paid inferences brought in, summed exactly in 256 bits.
#[derive(Debug, Clone, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct Revenue {
    /// The model.
    pub model_id: i64,
    /// Paid inferences.
    pub inferences: i64,
    /// Sum of amounts paid (decimal).
    pub gross: String,
    /// Sum of protocol fees (decimal).
    pub protocol_fees: String,
    /// Sum of net amounts (decimal).
    pub net: String,
    /// Owner's pool: sum over inferences of `net * owner_bps / 10000`, rounded down each time
    /// (before royalties to ancestors, which come out of it).
    pub owner_share: String,
    /// Contributors' pool, likewise with `data_bps`.
    pub data_share: String,
    /// Agents' pool, likewise with `agent_bps`.
    pub agent_share: String,
}

/// An edge of a model's ancestry, with its distance from the model.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema, async_graphql::SimpleObject)]
pub struct AncestorEdge {
    /// The derived model.
    pub child: Option<i64>,
    /// The model it derives from.
    pub parent: Option<i64>,
    /// 0 fine-tune, 1 adapter, 2 merge, 3 quantized.
    pub relation: i64,
    /// Royalty to the parent, bps.
    pub royalty_bps: i64,
    /// 1 for a direct parent, 2 for a grandparent, ...
    pub depth: i64,
}

/// A model's lineage: every ancestor edge up to the roots, and its direct children.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Lineage {
    /// The model.
    pub model_id: i64,
    /// Ancestor edges, nearest first (bounded: the registry allows at most 64 ancestors).
    pub ancestors: Vec<AncestorEdge>,
    /// Direct children (first page; `/v1/models/{id}/children` pages through all).
    pub children: Vec<ModelParent>,
    /// Cursor of the next page of children, if more exist.
    pub children_next_cursor: Option<String>,
}

/// An account's claim in the current root, ready for `RewardEscrow.claim`.
#[derive(Debug, Clone, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct Proof {
    /// The account.
    pub account: String,
    /// The token of the claim.
    pub token: String,
    /// Cumulative amount the leaf commits to (decimal).
    pub cumulative: String,
    /// The root's epoch.
    pub epoch: i64,
    /// The current root.
    pub root: String,
    /// The report behind it.
    pub report_hash: String,
    /// Sibling hashes from the leaf up.
    pub proof: Vec<String>,
}
