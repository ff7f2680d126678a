//! The event tables, derived from the contracts' ABIs.
//!
//! Every event of every OpenLedger contract gets one append-only table, named
//! `<contract>_<event>` in snake case (`datanet_contribution_submitted`, `model_parent_linked`,
//! `escrow_inference_paid`, ...), with one column per event parameter plus where it happened
//! (`block_number`, `log_index`, `tx_hash`, `block_timestamp`). Nothing is ever updated in place:
//! the current state of an entity (a contribution's status, a model's split, an agent's wallet)
//! is a SQL view over these tables (`migrations/*/0004_views.sql`). That makes a reorg rollback
//! one `DELETE ... WHERE block_number > fork` per table, and a crash-safe resume trivially exact.
//!
//! The DDL is generated from the ABIs the SDK compiles, and committed as a migration;
//! `tests/schema_drift.rs` fails when the contracts change and the migration was not regenerated
//! (`UPDATE_SCHEMA=1 cargo test -p openledger-indexer --test schema_drift` rewrites it).
//!
//! Column types, chosen so that both SQLite and PostgreSQL hold every value exactly:
//! - `address`, `bytes`, `bytesN`: lowercase `0x` hex text;
//! - `string`: text; `bool`: boolean;
//! - integers of at most 32 bits: integer;
//! - identifiers and counters (ids, indices, epochs, block numbers, versions, sizes; see
//!   [`INTEGER_PARAMS`]): integer, and NULL when the value does not fit a signed 64-bit integer
//!   (the contracts assign them sequentially, so only a value a user claimed, such as a datanet
//!   id in `TrainedOn`, can be that large, and it names nothing that exists);
//! - every other integer (amounts, bonds, feedback values): decimal text, exact at 256 bits;
//! - arrays: a JSON array of the elements' text forms.

use std::collections::BTreeMap;

use alloy::{
    dyn_abi::{DynSolEvent, DynSolValue, Specifier},
    json_abi::{Event, JsonAbi},
    primitives::B256,
};
use openledger_sdk::bindings::{
    agent_registry::AgentRegistry, datanet_registry::DatanetRegistry,
    model_registry::ModelRegistry, reward_escrow::RewardEscrow,
};

/// Parameters (in snake case) stored as integers although their Solidity type is wider than 32
/// bits: identifiers, indices and block numbers that the contracts assign or bound.
pub const INTEGER_PARAMS: &[&str] = &[
    "contribution_id",
    "datanet_id",
    "model_id",
    "agent_id",
    "inference_id",
    "token_id",
    "child",
    "parent",
    "previous_model_id",
    "new_model_id",
    "idx",
    "epoch",
    "from_block",
    "to_block",
    "valid_at",
    "review_deadline",
    "review_period",
    "effective_from_block",
    "executable_at",
    "generation",
    "accepted_count",
    "last_contribution_id",
    "version",
    "size",
    "nonce",
];

/// Parameter names that are SQL keywords, and what their columns are called instead.
const RENAMED_PARAMS: &[(&str, &str)] = &[
    ("index", "idx"),
    ("from", "from_address"),
    ("to", "to_address"),
    ("by", "by_address"),
];

/// The contracts the indexer follows: table prefix and ABI.
pub fn contracts() -> Vec<(Contract, JsonAbi)> {
    vec![
        (Contract::Datanet, DatanetRegistry::abi::contract()),
        (Contract::Model, ModelRegistry::abi::contract()),
        (Contract::Agent, AgentRegistry::abi::contract()),
        (Contract::Escrow, RewardEscrow::abi::contract()),
    ]
}

/// One of the contracts the indexer follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Contract {
    /// DatanetRegistry.
    Datanet,
    /// ModelRegistry.
    Model,
    /// AgentRegistry.
    Agent,
    /// RewardEscrow.
    Escrow,
}

impl Contract {
    /// The table-name prefix of its events.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Datanet => "datanet",
            Self::Model => "model",
            Self::Agent => "agent",
            Self::Escrow => "escrow",
        }
    }
}

/// The SQL type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlType {
    /// 64-bit signed integer.
    Integer,
    /// Text.
    Text,
    /// Boolean.
    Bool,
}

/// How a decoded parameter becomes a column value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Integer of at most 32 bits.
    SmallInt,
    /// Identifier or counter: integer, NULL when it does not fit `i64`.
    IdInt,
    /// Any other integer: decimal text.
    Decimal,
    /// Address, bytes, string: text.
    Text,
    /// Boolean.
    Bool,
    /// Array or tuple: JSON text.
    Json,
}

impl Encoding {
    /// The column type this encoding produces.
    pub fn sql_type(self) -> SqlType {
        match self {
            Self::SmallInt | Self::IdInt => SqlType::Integer,
            Self::Bool => SqlType::Bool,
            Self::Decimal | Self::Text | Self::Json => SqlType::Text,
        }
    }
}

/// A column of an event table, for one event parameter.
#[derive(Debug, Clone)]
pub struct Column {
    /// Column name (snake case of the parameter name).
    pub name: String,
    /// How values are encoded.
    pub encoding: Encoding,
    /// Whether the parameter is indexed (a topic); such columns get an index.
    pub indexed: bool,
}

/// The table of one event.
#[derive(Debug, Clone)]
pub struct EventTable {
    /// Table name.
    pub name: String,
    /// The contract emitting it.
    pub contract: Contract,
    /// The event's ABI.
    pub event: Event,
    /// The resolved decoder.
    pub decoder: DynSolEvent,
    /// One column per parameter, in ABI order.
    pub columns: Vec<Column>,
}

/// Columns every event table starts with.
pub const COMMON_COLUMNS: &[&str] = &["block_number", "log_index", "tx_hash", "block_timestamp"];

/// Errors building the schema (only a contract ABI the indexer cannot represent).
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// An event whose types do not resolve.
    #[error("event {event}: {source}")]
    Resolve {
        /// Event signature.
        event: String,
        /// Why.
        source: alloy::dyn_abi::Error,
    },
    /// Two events map to the same table name.
    #[error("two events map to table {0}")]
    DuplicateTable(String),
}

/// Every event table of every followed contract, by topic0 per contract.
#[derive(Debug, Clone)]
pub struct Schema {
    tables: Vec<EventTable>,
    by_selector: BTreeMap<(Contract, B256), usize>,
}

impl Schema {
    /// Builds the schema from the SDK's ABIs.
    pub fn new() -> Result<Self, SchemaError> {
        let mut tables = Vec::new();
        for (contract, abi) in contracts() {
            for event in abi.events().filter(|e| !e.anonymous) {
                tables.push(EventTable::new(contract, event.clone())?);
            }
        }
        // Stable order (by table name) so generated DDL does not depend on ABI iteration order;
        // the selector index is derived from the sorted list.
        tables.sort_by(|a, b| a.name.cmp(&b.name));
        if let Some(w) = tables.windows(2).find(|w| w[0].name == w[1].name) {
            return Err(SchemaError::DuplicateTable(w[0].name.clone()));
        }
        let by_selector = tables
            .iter()
            .enumerate()
            .map(|(i, t)| ((t.contract, t.event.selector()), i))
            .collect();
        Ok(Self {
            tables,
            by_selector,
        })
    }

    /// All tables, sorted by name.
    pub fn tables(&self) -> &[EventTable] {
        &self.tables
    }

    /// The table of the event with `selector` emitted by `contract`, with its position.
    pub fn table_for(&self, contract: Contract, selector: B256) -> Option<(usize, &EventTable)> {
        let i = *self.by_selector.get(&(contract, selector))?;
        Some((i, &self.tables[i]))
    }

    /// A table by name.
    pub fn table(&self, name: &str) -> Option<&EventTable> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The DDL creating every event table and its indexes.
    pub fn ddl(&self, backend: Backend) -> String {
        let mut out = String::from(
            "-- GENERATED from the contracts' ABIs by indexer/src/schema.rs; do not edit.\n\
             -- Regenerate: UPDATE_SCHEMA=1 cargo test -p openledger-indexer --test schema_drift\n",
        );
        for t in &self.tables {
            out.push_str(&format!(
                "\n-- {}.{}\n",
                t.contract.prefix(),
                t.event.signature()
            ));
            out.push_str(&format!("CREATE TABLE {} (\n", t.name));
            let int = match backend {
                Backend::Sqlite => "INTEGER",
                Backend::Postgres => "BIGINT",
            };
            out.push_str(&format!("    block_number    {int} NOT NULL,\n"));
            out.push_str(&format!("    log_index       {int} NOT NULL,\n"));
            out.push_str("    tx_hash         TEXT NOT NULL,\n");
            out.push_str(&format!("    block_timestamp {int},\n"));
            for c in &t.columns {
                let ty = match (c.encoding.sql_type(), backend) {
                    (SqlType::Integer, _) => int,
                    (SqlType::Text, _) => "TEXT",
                    (SqlType::Bool, _) => "BOOLEAN",
                };
                let null = if c.encoding == Encoding::IdInt {
                    ""
                } else {
                    " NOT NULL"
                };
                out.push_str(&format!("    {} {ty}{null},\n", c.name));
            }
            out.push_str("    PRIMARY KEY (block_number, log_index)\n);\n");
            for c in t.columns.iter().filter(|c| c.indexed) {
                out.push_str(&format!(
                    "CREATE INDEX {t}_{c}_idx ON {t} ({c}, block_number, log_index);\n",
                    t = t.name,
                    c = c.name
                ));
            }
        }
        out
    }
}

/// The two storage backends, for DDL differences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl EventTable {
    fn new(contract: Contract, event: Event) -> Result<Self, SchemaError> {
        let decoder = event.resolve().map_err(|source| SchemaError::Resolve {
            event: event.signature(),
            source,
        })?;
        let snake = snake_case(&event.name);
        let name = if snake.starts_with(&format!("{}_", contract.prefix())) {
            snake
        } else {
            format!("{}_{snake}", contract.prefix())
        };
        let columns = event
            .inputs
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut col = if p.name.is_empty() {
                    format!("arg{i}")
                } else {
                    snake_case(&p.name)
                };
                if let Some((_, to)) = RENAMED_PARAMS.iter().find(|(from, _)| *from == col) {
                    col = (*to).to_owned();
                }
                let encoding = encoding_of(&p.ty, &col, p.indexed);
                Column {
                    name: col,
                    encoding,
                    indexed: p.indexed,
                }
            })
            .collect();
        Ok(Self {
            name,
            contract,
            event,
            decoder,
            columns,
        })
    }

    /// Decodes a log's topics and data into one value per column, in column order.
    pub fn decode(&self, topics: &[B256], data: &[u8]) -> Result<Vec<Value>, DecodeError> {
        let decoded = self
            .decoder
            .decode_log_parts(topics.iter().copied(), data)
            .map_err(|e| DecodeError(format!("{}: {e}", self.name)))?;
        let mut indexed = decoded.indexed.into_iter();
        let mut body = decoded.body.into_iter();
        self.event
            .inputs
            .iter()
            .zip(&self.columns)
            .map(|(p, c)| {
                let v = if p.indexed {
                    indexed.next()
                } else {
                    body.next()
                };
                let v =
                    v.ok_or_else(|| DecodeError(format!("{}: missing {}", self.name, c.name)))?;
                encode_value(&v, c.encoding).ok_or_else(|| {
                    DecodeError(format!("{}.{}: unexpected value", self.name, c.name))
                })
            })
            .collect()
    }
}

/// A log that does not decode against its event's ABI (a different contract at the address, or a
/// node returning corrupt data).
#[derive(Debug, thiserror::Error)]
#[error("undecodable log: {0}")]
pub struct DecodeError(pub String);

/// A column value ready to bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Integer (or NULL).
    Int(Option<i64>),
    /// Text.
    Text(String),
    /// Boolean.
    Bool(bool),
}

fn encoding_of(ty: &str, column: &str, indexed: bool) -> Encoding {
    let dynamic = ty == "string" || ty == "bytes" || ty.ends_with(']') || ty.starts_with('(');
    if indexed && dynamic {
        // Indexed dynamic values are stored by the EVM as their keccak256 only.
        return Encoding::Text;
    }
    if ty.ends_with(']') || ty.starts_with('(') {
        return Encoding::Json;
    }
    if ty == "bool" {
        return Encoding::Bool;
    }
    let bits = ty
        .strip_prefix("uint")
        .or_else(|| ty.strip_prefix("int"))
        .map(|b| b.parse::<u32>().unwrap_or(256));
    match bits {
        Some(b) if b <= 32 => Encoding::SmallInt,
        Some(_) if INTEGER_PARAMS.contains(&column) => Encoding::IdInt,
        Some(_) => Encoding::Decimal,
        None => Encoding::Text,
    }
}

fn encode_value(v: &DynSolValue, encoding: Encoding) -> Option<Value> {
    Some(match encoding {
        Encoding::SmallInt => Value::Int(Some(match v {
            DynSolValue::Uint(u, _) => i64::try_from(*u).ok()?,
            DynSolValue::Int(i, _) => i64::try_from(*i).ok()?,
            _ => return None,
        })),
        Encoding::IdInt => Value::Int(match v {
            DynSolValue::Uint(u, _) => i64::try_from(*u).ok(),
            DynSolValue::Int(i, _) => i64::try_from(*i).ok(),
            _ => return None,
        }),
        Encoding::Bool => Value::Bool(v.as_bool()?),
        Encoding::Decimal | Encoding::Text => Value::Text(text_of(v)?),
        Encoding::Json => {
            let items = match v {
                DynSolValue::Array(items)
                | DynSolValue::FixedArray(items)
                | DynSolValue::Tuple(items) => items,
                _ => return None,
            };
            let texts = items.iter().map(text_of).collect::<Option<Vec<_>>>()?;
            Value::Text(serde_json::to_string(&texts).ok()?)
        }
    })
}

/// The text form of a scalar value: lowercase hex for addresses and bytes, decimal for integers.
fn text_of(v: &DynSolValue) -> Option<String> {
    Some(match v {
        DynSolValue::Address(a) => format!("{a:#x}"),
        DynSolValue::FixedBytes(w, size) => {
            format!("0x{}", alloy::primitives::hex::encode(&w[..*size]))
        }
        DynSolValue::Bytes(b) => format!("0x{}", alloy::primitives::hex::encode(b)),
        DynSolValue::String(s) => s.clone(),
        DynSolValue::Uint(u, _) => u.to_string(),
        DynSolValue::Int(i, _) => i.to_string(),
        DynSolValue::Bool(b) => b.to_string(),
        _ => return None,
    })
}

/// `ContributionSubmitted` → `contribution_submitted`, `reportHash` → `report_hash`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let chars: Vec<char> = name.chars().collect();
    for (i, &ch) in chars.iter().enumerate() {
        if ch.is_ascii_uppercase() {
            let prev_lower =
                i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|c| c.is_ascii_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_ascii_uppercase();
            if i > 0 && (prev_lower || (prev_upper && next_lower)) {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out.trim_start_matches('_').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_handles_acronyms_and_digits() {
        assert_eq!(
            snake_case("ContributionSubmitted"),
            "contribution_submitted"
        );
        assert_eq!(snake_case("AgentURIUpdated"), "agent_uri_updated");
        assert_eq!(snake_case("reportHash"), "report_hash");
        assert_eq!(snake_case("tag1"), "tag1");
        assert_eq!(snake_case("_owner"), "owner");
    }

    #[test]
    fn every_event_has_a_table_with_expected_names() {
        let schema = Schema::new().unwrap();
        for name in [
            "datanet_created",
            "datanet_contribution_submitted",
            "datanet_contribution_accepted",
            "model_registered",
            "model_parent_linked",
            "model_transfer",
            "agent_registered",
            "agent_action_recorded",
            "agent_feedback_given",
            "escrow_inference_paid",
            "escrow_root_proposed",
            "escrow_claimed",
        ] {
            assert!(schema.table(name).is_some(), "missing table {name}");
        }
        let action = schema.table("agent_action_recorded").unwrap();
        let cols: Vec<_> = action.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            cols,
            [
                "agent_id",
                "idx",
                "action_hash",
                "uri",
                "outcome",
                "wallet",
                "head"
            ]
        );
        let paid = schema.table("escrow_inference_paid").unwrap();
        let amount = paid.columns.iter().find(|c| c.name == "amount").unwrap();
        assert_eq!(amount.encoding, Encoding::Decimal);
        let transfer = schema.table("model_transfer").unwrap();
        assert!(transfer.columns.iter().any(|c| c.name == "from_address"));
    }

    #[test]
    fn large_claimed_ids_become_null_not_wrong() {
        let v = DynSolValue::Uint(alloy::primitives::U256::from(1u128 << 100), 256);
        assert_eq!(encode_value(&v, Encoding::IdInt), Some(Value::Int(None)));
        let v = DynSolValue::Uint(alloy::primitives::U256::from(7u8), 256);
        assert_eq!(encode_value(&v, Encoding::IdInt), Some(Value::Int(Some(7))));
        let v = DynSolValue::Uint(alloy::primitives::U256::MAX, 256);
        assert_eq!(
            encode_value(&v, Encoding::Decimal),
            Some(Value::Text(alloy::primitives::U256::MAX.to_string()))
        );
    }
}
