//! The query layer both REST and GraphQL read through: keyset pages over the views, opaque
//! cursors, and SQL that runs unchanged on SQLite and PostgreSQL.
//!
//! A page is `SELECT * FROM <view> WHERE <equality filters> AND <key> > <cursor key>
//! ORDER BY <key> LIMIT n + 1`: the extra row says whether there is a next page without a
//! `COUNT`, and the key (an id, or `(block_number, log_index)` for events, or an address) is
//! unique per row so no row is skipped or repeated between pages, even while the indexer appends.
//! Every identifier in the SQL text is a `&'static str` chosen by this crate; caller values only
//! ever travel as bind parameters.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::Deserialize;
use sqlx::{AssertSqlSafe, FromRow, postgres::PgRow, sqlite::SqliteRow};
use utoipa::ToSchema;

use super::error::ApiError;
use crate::Store;

/// Page size when the caller names none.
pub const DEFAULT_LIMIT: u32 = 50;
/// Largest page size: bounds the work one request can ask for.
pub const MAX_LIMIT: u32 = 500;

/// A bind parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    /// An integer (ids, block numbers).
    Int(i64),
    /// Text (addresses, statuses, hashes).
    Text(String),
}

/// A row type both backends can decode.
pub trait Row: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{}

/// Binds `$params` to `$q` in order.
macro_rules! bind_all {
    ($q:expr, $params:expr) => {{
        let mut q = $q;
        for p in $params {
            q = match p {
                Param::Int(v) => q.bind(*v),
                Param::Text(s) => q.bind(s.clone()),
            };
        }
        q
    }};
}

/// Every row `sql` returns. `sql` uses `$1`.. placeholders, which both drivers accept.
pub async fn fetch_all<T: Row>(
    store: &Store,
    sql: String,
    params: &[Param],
) -> Result<Vec<T>, ApiError> {
    Ok(match store {
        Store::Sqlite(pool) => {
            bind_all!(sqlx::query_as::<_, T>(AssertSqlSafe(sql)), params)
                .fetch_all(pool)
                .await?
        }
        Store::Postgres(pool) => {
            bind_all!(sqlx::query_as::<_, T>(AssertSqlSafe(sql)), params)
                .fetch_all(pool)
                .await?
        }
    })
}

/// The first row `sql` returns, if any.
pub async fn fetch_optional<T: Row>(
    store: &Store,
    sql: String,
    params: &[Param],
) -> Result<Option<T>, ApiError> {
    Ok(match store {
        Store::Sqlite(pool) => {
            bind_all!(sqlx::query_as::<_, T>(AssertSqlSafe(sql)), params)
                .fetch_optional(pool)
                .await?
        }
        Store::Postgres(pool) => {
            bind_all!(sqlx::query_as::<_, T>(AssertSqlSafe(sql)), params)
                .fetch_optional(pool)
                .await?
        }
    })
}

/// Which column(s) order a list and make its cursor.
#[derive(Debug, Clone, Copy)]
pub enum KeyKind {
    /// A unique integer id column.
    Id(&'static str),
    /// A chain position: block number and log index columns.
    Pos(&'static str, &'static str),
    /// A unique text column (within the filtered list).
    Text(&'static str),
}

/// The key of one row, what a cursor points after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// An id.
    Id(i64),
    /// (block number, log index).
    Pos(i64, i64),
    /// Text.
    Text(String),
}

/// The direction of a list, by its key.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema, async_graphql::Enum,
)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    /// Oldest (smallest key) first.
    #[default]
    Asc,
    /// Newest (largest key) first.
    Desc,
}

impl Order {
    fn tag(self) -> char {
        match self {
            Self::Asc => 'a',
            Self::Desc => 'd',
        }
    }
}

/// A view or table the API lists, with its key.
pub trait Listed: Row + 'static {
    /// The view (or table) name.
    const FROM: &'static str;
    /// Its key.
    const KEY: KeyKind;
    /// This row's key.
    fn key(&self) -> Key;
}

/// An equality filter on a column this crate names.
#[derive(Debug, Clone)]
pub struct Filter {
    /// The column (a literal of this crate, never caller input).
    pub column: &'static str,
    /// The value it must equal.
    pub value: Param,
}

impl Filter {
    /// `column = value`.
    pub fn int(column: &'static str, value: i64) -> Self {
        Self {
            column,
            value: Param::Int(value),
        }
    }

    /// `column = 'value'`.
    pub fn text(column: &'static str, value: impl Into<String>) -> Self {
        Self {
            column,
            value: Param::Text(value.into()),
        }
    }
}

/// Which page to read.
#[derive(Debug, Clone, Default)]
pub struct PageReq {
    /// Rows after this key (exclusive), in `order`.
    pub after: Option<Key>,
    /// The direction.
    pub order: Order,
    /// At most this many rows.
    pub limit: u32,
}

impl PageReq {
    /// Checks `limit` and decodes `cursor` for a list keyed by `kind` in `order`.
    pub fn new(
        limit: Option<u32>,
        cursor: Option<&str>,
        order: Option<Order>,
        kind: KeyKind,
    ) -> Result<Self, ApiError> {
        let order = order.unwrap_or_default();
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(ApiError::bad_request(
                "invalid_limit",
                format!("limit must be between 1 and {MAX_LIMIT}, not {limit}"),
            ));
        }
        let after = match cursor {
            Some(c) if !c.is_empty() => Some(decode_cursor(c, kind, order)?),
            _ => None,
        };
        Ok(Self {
            after,
            order,
            limit,
        })
    }
}

/// One page of rows.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The rows, in order.
    pub items: Vec<T>,
    /// Whether more rows follow the last one.
    pub has_more: bool,
    /// The order the page was read in (cursors carry it).
    pub order: Order,
}

impl<T: Listed> Page<T> {
    /// The cursor after `item`.
    pub fn cursor_of(&self, item: &T) -> String {
        encode_cursor(&item.key(), self.order)
    }

    /// The cursor of the next page, if there is one.
    pub fn next_cursor(&self) -> Option<String> {
        if self.has_more {
            self.items.last().map(|i| self.cursor_of(i))
        } else {
            None
        }
    }
}

/// The opaque text of a cursor: base64url of `order:kind:value`. Opaque to callers so the format
/// can change; carrying the order lets a cursor used with the other order be refused.
pub fn encode_cursor(key: &Key, order: Order) -> String {
    let raw = match key {
        Key::Id(id) => format!("{}:i:{id}", order.tag()),
        Key::Pos(b, l) => format!("{}:p:{b}.{l}", order.tag()),
        Key::Text(t) => format!("{}:t:{t}", order.tag()),
    };
    URL_SAFE_NO_PAD.encode(raw)
}

fn decode_cursor(cursor: &str, kind: KeyKind, order: Order) -> Result<Key, ApiError> {
    let bad = || ApiError::bad_request("invalid_cursor", "cursor is not one this list issued");
    let raw = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let raw = String::from_utf8(raw).map_err(|_| bad())?;
    let mut parts = raw.splitn(3, ':');
    let (Some(o), Some(k), Some(v)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    if o.chars().ne(std::iter::once(order.tag())) {
        return Err(ApiError::bad_request(
            "invalid_cursor",
            "cursor was issued for the other order",
        ));
    }
    let int = |s: &str| s.parse::<i64>().map_err(|_| bad());
    match (kind, k) {
        (KeyKind::Id(_), "i") => Ok(Key::Id(int(v)?)),
        (KeyKind::Pos(..), "p") => {
            let (b, l) = v.split_once('.').ok_or_else(bad)?;
            Ok(Key::Pos(int(b)?, int(l)?))
        }
        (KeyKind::Text(_), "t") => Ok(Key::Text(v.to_owned())),
        _ => Err(bad()),
    }
}

/// One page of `T` matching every filter.
pub async fn list<T: Listed>(
    store: &Store,
    filters: &[Filter],
    page: &PageReq,
) -> Result<Page<T>, ApiError> {
    let mut sql = format!("SELECT * FROM {} WHERE 1 = 1", T::FROM);
    let mut params = Vec::with_capacity(filters.len() + 2);
    for f in filters {
        params.push(f.value.clone());
        sql.push_str(&format!(" AND {} = ${}", f.column, params.len()));
    }
    let (cmp, dir) = match page.order {
        Order::Asc => (">", "ASC"),
        Order::Desc => ("<", "DESC"),
    };
    if let Some(after) = &page.after {
        let n = params.len() + 1;
        match (T::KEY, after) {
            (KeyKind::Id(c), Key::Id(v)) => {
                sql.push_str(&format!(" AND {c} {cmp} ${n}"));
                params.push(Param::Int(*v));
            }
            (KeyKind::Pos(b, l), Key::Pos(x, y)) => {
                sql.push_str(&format!(" AND ({b}, {l}) {cmp} (${n}, ${})", n + 1));
                params.push(Param::Int(*x));
                params.push(Param::Int(*y));
            }
            (KeyKind::Text(c), Key::Text(v)) => {
                sql.push_str(&format!(" AND {c} {cmp} ${n}"));
                params.push(Param::Text(v.clone()));
            }
            _ => {
                return Err(ApiError::bad_request(
                    "invalid_cursor",
                    "cursor is not one this list issued",
                ));
            }
        }
    }
    match T::KEY {
        KeyKind::Id(c) | KeyKind::Text(c) => sql.push_str(&format!(" ORDER BY {c} {dir}")),
        KeyKind::Pos(b, l) => sql.push_str(&format!(" ORDER BY {b} {dir}, {l} {dir}")),
    }
    sql.push_str(&format!(" LIMIT {}", u64::from(page.limit) + 1));
    let mut items: Vec<T> = fetch_all(store, sql, &params).await?;
    let has_more = items.len() > page.limit as usize;
    items.truncate(page.limit as usize);
    Ok(Page {
        items,
        has_more,
        order: page.order,
    })
}

/// The row of `T` whose id column equals `id`.
pub async fn by_id<T: Listed>(store: &Store, id: i64) -> Result<Option<T>, ApiError> {
    let KeyKind::Id(col) = T::KEY else {
        return Err(ApiError::internal("lookup by id", T::FROM));
    };
    fetch_optional(
        store,
        format!("SELECT * FROM {} WHERE {col} = $1", T::FROM),
        &[Param::Int(id)],
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_other_lists_and_orders() {
        let kinds = [
            (KeyKind::Id("id"), Key::Id(42)),
            (KeyKind::Pos("b", "l"), Key::Pos(7, 3)),
            (KeyKind::Text("a"), Key::Text("0xab:cd".into())),
        ];
        for (kind, key) in &kinds {
            let c = encode_cursor(key, Order::Desc);
            let page = PageReq::new(Some(10), Some(&c), Some(Order::Desc), *kind).unwrap();
            assert_eq!(page.after.as_ref(), Some(key));
            assert!(PageReq::new(None, Some(&c), Some(Order::Asc), *kind).is_err());
        }
        let id_cursor = encode_cursor(&Key::Id(1), Order::Asc);
        let err = PageReq::new(None, Some(&id_cursor), None, KeyKind::Pos("b", "l")).unwrap_err();
        assert_eq!(err.code, "invalid_cursor");
        for junk in ["%%%", "bm9wZQ", "YTppOng"] {
            let err = PageReq::new(None, Some(junk), None, KeyKind::Id("id")).unwrap_err();
            assert_eq!(err.code, "invalid_cursor", "{junk}");
        }
        assert_eq!(
            PageReq::new(Some(0), None, None, KeyKind::Id("id"))
                .unwrap_err()
                .code,
            "invalid_limit"
        );
        assert!(PageReq::new(Some(MAX_LIMIT + 1), None, None, KeyKind::Id("id")).is_err());
        assert_eq!(
            PageReq::new(None, None, None, KeyKind::Id("id"))
                .unwrap()
                .limit,
            DEFAULT_LIMIT
        );
    }
}
