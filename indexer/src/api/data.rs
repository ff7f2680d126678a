//! Reads that are more than a page of a view: lineage, revenue, feedback averages, account
//! totals. Shared by REST and GraphQL so both answer the same numbers.
//!
//! Amounts are decimal text in the database (exact at 256 bits, which neither SQLite's integers
//! nor a portable SQL `SUM` are), so sums and differences happen here, in `U256`/`I256`.

use std::{collections::HashMap, str::FromStr};

use alloy::primitives::{I256, U256};

use super::{
    db::{Filter, PageReq, Param, fetch_all, fetch_optional, list},
    error::ApiError,
    types::{
        Account, AccountRow, AncestorEdge, FeedbackSummary, Lineage, ModelParent, Revenue, Root,
    },
};
use crate::Store;

/// Parses a path or query address: `0x` and 40 hex digits, any case; answers it lowercase, as
/// the tables store it.
pub fn parse_address(what: &str, s: &str) -> Result<String, ApiError> {
    let hex = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .filter(|h| h.len() == 40 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    match hex {
        Some(h) => Ok(format!("0x{}", h.to_ascii_lowercase())),
        None => Err(ApiError::bad_request(
            "invalid_address",
            format!("{what} {s:?} is not a 0x-prefixed 20-byte hex address"),
        )),
    }
}

/// Parses a path id: a non-negative integer.
pub fn parse_id(what: &str, s: &str) -> Result<i64, ApiError> {
    s.parse::<i64>().ok().filter(|v| *v >= 0).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_id",
            format!("{what} {s:?} is not a non-negative integer"),
        )
    })
}

/// A filter id given as a number must be non-negative.
pub fn check_id(what: &str, v: i64) -> Result<i64, ApiError> {
    if v < 0 {
        return Err(ApiError::bad_request(
            "invalid_id",
            format!("{what} must be non-negative, not {v}"),
        ));
    }
    Ok(v)
}

/// A decimal amount from the database; anything else is a corrupt row, our fault.
pub fn amount(s: &str) -> Result<U256, ApiError> {
    U256::from_str_radix(s, 10).map_err(|e| ApiError::internal("corrupt amount in storage", e))
}

/// The edges from `model` up to its roots, nearest first, each (child, parent) pair once at its
/// smallest depth. The registry bounds ancestors to 64 (counted with multiplicity), so the
/// recursion is bounded too; the depth guard only protects against a corrupt table.
pub async fn ancestors(store: &Store, model: i64) -> Result<Vec<AncestorEdge>, ApiError> {
    let sql = "WITH RECURSIVE ancestry (child, parent, relation, royalty_bps, depth) AS (
            SELECT child, parent, relation, royalty_bps, CAST(1 AS BIGINT)
            FROM model_parents WHERE child = $1
            UNION ALL
            SELECT p.child, p.parent, p.relation, p.royalty_bps, a.depth + 1
            FROM model_parents p JOIN ancestry a ON p.child = a.parent
            WHERE a.depth < 64
        )
        SELECT child, parent, relation, royalty_bps, depth FROM ancestry
        ORDER BY depth, child, parent";
    let rows: Vec<AncestorEdge> = fetch_all(store, sql.to_owned(), &[Param::Int(model)]).await?;
    let mut seen = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for edge in rows {
        if seen.insert((edge.child, edge.parent), ()).is_none() {
            out.push(edge);
        }
    }
    Ok(out)
}

/// Ancestors and the first page of direct children of `model`.
pub async fn lineage(store: &Store, model: i64) -> Result<Lineage, ApiError> {
    let ancestors = ancestors(store, model).await?;
    let page = PageReq {
        limit: 100,
        ..PageReq::default()
    };
    let children = list::<ModelParent>(store, &[Filter::int("parent", model)], &page).await?;
    Ok(Lineage {
        model_id: model,
        ancestors,
        children_next_cursor: children.next_cursor(),
        children: children.items,
    })
}

#[derive(sqlx::FromRow)]
struct RevenueRow {
    amount: String,
    protocol_fee: String,
    net: String,
    owner_bps: i64,
    data_bps: i64,
    agent_bps: i64,
}

fn share(net: U256, bps: i64) -> U256 {
    // bps come from uint16 columns; a negative one would be a corrupt row and counts as zero.
    net * U256::from(u64::try_from(bps).unwrap_or(0)) / U256::from(10_000u64)
}

/// The sums over `model`'s paid inferences.
pub async fn revenue(store: &Store, model: i64) -> Result<Revenue, ApiError> {
    let rows: Vec<RevenueRow> = fetch_all(
        store,
        "SELECT amount, protocol_fee, net, owner_bps, data_bps, agent_bps \
         FROM escrow_inference_paid WHERE model_id = $1"
            .to_owned(),
        &[Param::Int(model)],
    )
    .await?;
    let mut sums = [U256::ZERO; 6];
    for r in &rows {
        let net = amount(&r.net)?;
        let parts = [
            amount(&r.amount)?,
            amount(&r.protocol_fee)?,
            net,
            share(net, r.owner_bps),
            share(net, r.data_bps),
            share(net, r.agent_bps),
        ];
        for (s, p) in sums.iter_mut().zip(parts) {
            // Saturating: the token's total supply bounds every real sum far below 2^256.
            *s = s.saturating_add(p);
        }
    }
    let [gross, fees, net, owner, data, agent] = sums.map(|s| s.to_string());
    Ok(Revenue {
        model_id: model,
        inferences: i64::try_from(rows.len()).unwrap_or(i64::MAX),
        gross,
        protocol_fees: fees,
        net,
        owner_share: owner,
        data_share: data,
        agent_share: agent,
    })
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    agent_id: i64,
    given: i64,
    revoked: i64,
    clients: i64,
}

#[derive(sqlx::FromRow)]
struct ValueRow {
    value: String,
    value_decimals: i64,
}

/// Decimals of the average: the registry caps `valueDecimals` at 18.
const AVERAGE_DECIMALS: u32 = 18;

/// The mean of `value / 10^decimals` over `values`, truncated to [`AVERAGE_DECIMALS`] places;
/// None for no values or on overflow (which the 128-bit values cannot reach in practice).
pub fn average(values: &[(I256, u32)]) -> Option<String> {
    if values.is_empty() {
        return None;
    }
    let ten = I256::try_from(10).ok()?;
    let mut sum = I256::ZERO;
    for &(v, d) in values {
        let scaled = if d <= AVERAGE_DECIMALS {
            v.checked_mul(ten.checked_pow(U256::from(AVERAGE_DECIMALS - d))?)?
        } else {
            v.checked_div(ten.checked_pow(U256::from(d - AVERAGE_DECIMALS))?)?
        };
        sum = sum.checked_add(scaled)?;
    }
    let mean = sum.checked_div(I256::try_from(values.len()).ok()?)?;
    let unit = U256::from(10u64).pow(U256::from(AVERAGE_DECIMALS));
    let abs = mean.unsigned_abs();
    let (int, frac) = (abs / unit, abs % unit);
    let sign = if mean.is_negative() { "-" } else { "" };
    if frac.is_zero() {
        return Some(format!("{sign}{int}"));
    }
    let frac = format!("{frac:0>width$}", width = AVERAGE_DECIMALS as usize);
    Some(format!("{sign}{int}.{}", frac.trim_end_matches('0')))
}

/// Feedback counts and the average value of `agent`, None for an unknown agent.
pub async fn feedback_summary(
    store: &Store,
    agent: i64,
) -> Result<Option<FeedbackSummary>, ApiError> {
    let Some(row): Option<SummaryRow> = fetch_optional(
        store,
        "SELECT agent_id, given, revoked, clients FROM agent_feedback_summary WHERE agent_id = $1"
            .to_owned(),
        &[Param::Int(agent)],
    )
    .await?
    else {
        return Ok(None);
    };
    let values: Vec<ValueRow> = fetch_all(
        store,
        "SELECT value, value_decimals FROM agent_feedback WHERE agent_id = $1 AND NOT revoked"
            .to_owned(),
        &[Param::Int(agent)],
    )
    .await?;
    let values = values
        .iter()
        .map(|v| {
            let value = I256::from_str(&v.value)
                .map_err(|e| ApiError::internal("corrupt feedback value in storage", e))?;
            let decimals = u32::try_from(v.value_decimals)
                .map_err(|e| ApiError::internal("corrupt feedback decimals in storage", e))?;
            Ok((value, decimals))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Some(FeedbackSummary {
        agent_id: row.agent_id,
        given: row.given,
        revoked: row.revoked,
        clients: row.clients,
        average: average(&values),
    }))
}

#[derive(sqlx::FromRow)]
struct ReportStatus {
    status: Option<String>,
}

/// Whether the current root's report is loaded (so balances in it are known).
pub async fn current_report_loaded(store: &Store) -> Result<bool, ApiError> {
    let row: Option<ReportStatus> = fetch_optional(
        store,
        "SELECT e.status FROM current_root r \
         LEFT JOIN epoch_reports e ON e.report_hash = r.report_hash"
            .to_owned(),
        &[],
    )
    .await?;
    Ok(row.and_then(|r| r.status).as_deref() == Some("loaded"))
}

/// The totals of `account` (lowercase), None when it never contributed, claimed or earned.
pub async fn account(store: &Store, account: &str) -> Result<Option<Account>, ApiError> {
    let Some(row): Option<AccountRow> = fetch_optional(
        store,
        "SELECT account, submitted, accepted, rejected, pending, withdrawn, earned, claimed \
         FROM account_totals WHERE account = $1"
            .to_owned(),
        &[Param::Text(account.to_owned())],
    )
    .await?
    else {
        return Ok(None);
    };
    let claimable = amount(&row.earned)?.saturating_sub(amount(&row.claimed)?);
    Ok(Some(Account {
        account: row.account,
        submitted: row.submitted,
        accepted: row.accepted,
        rejected: row.rejected,
        pending: row.pending,
        withdrawn: row.withdrawn,
        earned: row.earned,
        claimed: row.claimed,
        claimable: claimable.to_string(),
        report_loaded: current_report_loaded(store).await?,
    }))
}

/// The root claims are checked against now.
pub async fn current_root(store: &Store) -> Result<Option<Root>, ApiError> {
    fetch_optional(store, "SELECT * FROM current_root".to_owned(), &[]).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str, d: u32) -> (I256, u32) {
        (I256::from_str(s).unwrap(), d)
    }

    #[test]
    fn averages_are_exact_decimals() {
        assert_eq!(average(&[]), None);
        assert_eq!(average(&[v("5", 0)]).as_deref(), Some("5"));
        assert_eq!(average(&[v("5", 0), v("40", 1)]).as_deref(), Some("4.5"));
        assert_eq!(
            average(&[v("1", 0), v("0", 0), v("0", 0)]).as_deref(),
            Some("0.333333333333333333")
        );
        assert_eq!(average(&[v("-15", 1)]).as_deref(), Some("-1.5"));
        let max = i128::MAX.to_string();
        assert!(average(&[v(&max, 0), v(&max, 0)]).is_some());
    }

    #[test]
    fn addresses_and_ids_are_checked() {
        let a = "0xAbCdEf0123456789abcdef0123456789ABCDEF01";
        assert_eq!(parse_address("account", a).unwrap(), a.to_ascii_lowercase());
        for bad in [
            "",
            "0x12",
            "abcdef0123456789abcdef0123456789abcdef01",
            "0xzz",
        ] {
            assert_eq!(
                parse_address("account", bad).unwrap_err().code,
                "invalid_address"
            );
        }
        assert_eq!(parse_id("id", "7").unwrap(), 7);
        for bad in ["-1", "x", "", "99999999999999999999"] {
            assert_eq!(parse_id("id", bad).unwrap_err().code, "invalid_id");
        }
    }
}
