//! How hosted providers and node clients word their `eth_getLogs` limit errors.
//!
//! The wordings below were collected from public bug reports and provider documentation
//! (Alchemy, Infura, QuickNode, Ankr, reth, geth-based nodes such as BSC). Where a provider has
//! only one documented limit, its other limit uses the classic geth/Infura wording
//! "query returned more than N results", which many geth-based endpoints share. An indexer that
//! splits ranges on these messages, and uses the suggested range when there is one, copes with
//! all of them.

use super::plan::ProviderStyle;

/// A JSON-RPC error a provider answers, and the HTTP status it comes with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProviderError {
    pub code: i64,
    pub message: String,
    /// 200 except for QuickNode's range error, which comes with 413 when not in a batch.
    pub http_status: u16,
}

impl ProviderError {
    fn ok(code: i64, message: String) -> Self {
        Self {
            code,
            message,
            http_status: 200,
        }
    }
}

/// The error for a query over `from..=to` when at most `max` blocks are allowed.
pub(crate) fn range_exceeded(style: ProviderStyle, from: u64, to: u64, max: u64) -> ProviderError {
    let max = max.max(1);
    let suggested_to = from.saturating_add(max - 1).min(to);
    match style {
        ProviderStyle::Alchemy => ProviderError::ok(
            -32600,
            format!(
                "You can make eth_getLogs requests with up to a {} block range. Based on your \
                 parameters, this block range should work: [{:#x}, {:#x}]",
                kilo(max),
                from,
                suggested_to
            ),
        ),
        ProviderStyle::Infura => ProviderError::ok(
            -32602,
            format!("range {} exceeds limit of {max}", to - from),
        ),
        ProviderStyle::QuickNode => ProviderError {
            code: -32614,
            message: format!("eth_getLogs is limited to a {} range", thousands(max)),
            http_status: 413,
        },
        ProviderStyle::Ankr => {
            ProviderError::ok(-32000, format!("maximum [from, to] blocks distance: {max}"))
        }
        ProviderStyle::Reth => {
            ProviderError::ok(-32602, format!("query exceeds max block range {max}"))
        }
        ProviderStyle::Geth => {
            ProviderError::ok(-32000, format!("exceed maximum block range: {max}"))
        }
    }
}

/// The error for a query over `from..=to` whose answer holds more than `max_logs` logs;
/// `works_to` is the last block of a range from `from` that stays within the limit, and
/// `max_range` the block range limit if one is configured (Alchemy quotes both).
pub(crate) fn too_many_logs(
    style: ProviderStyle,
    from: u64,
    works_to: u64,
    max_logs: usize,
    max_range: Option<u64>,
) -> ProviderError {
    match style {
        ProviderStyle::Alchemy => ProviderError::ok(
            -32602,
            format!(
                "Log response size exceeded. You can make eth_getLogs requests with up to a {} \
                 block range and no limit on the response size, or you can request any block \
                 range with a cap of {} logs in the response. Based on your parameters and the \
                 response size limit, this block range should work: [{:#x}, {:#x}]",
                kilo(max_range.unwrap_or(2_000)),
                kilo(max_logs as u64),
                from,
                works_to
            ),
        ),
        // Infura writes the suggested bounds with upper-case hex digits.
        ProviderStyle::Infura => ProviderError::ok(
            -32005,
            format!(
                "query returned more than {max_logs} results. Try with this block range \
                 [0x{from:X}, 0x{works_to:X}]."
            ),
        ),
        ProviderStyle::Reth => ProviderError::ok(
            -32602,
            format!("query exceeds max results {max_logs}, retry with the range {from}-{works_to}"),
        ),
        ProviderStyle::QuickNode | ProviderStyle::Ankr | ProviderStyle::Geth => ProviderError::ok(
            -32005,
            format!("query returned more than {max_logs} results"),
        ),
    }
}

/// Alchemy's "2K" / "10K" style for round thousands, the plain number otherwise.
fn kilo(n: u64) -> String {
    if n >= 1_000 && n.is_multiple_of(1_000) {
        format!("{}K", n / 1_000)
    } else {
        n.to_string()
    }
}

/// "10,000".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wordings() {
        let e = range_exceeded(ProviderStyle::Alchemy, 0x100, 0x2000, 2_000);
        assert_eq!(e.code, -32600);
        assert!(
            e.message.ends_with(
                "up to a 2K block range. Based on your parameters, this block range should work: \
                 [0x100, 0x8cf]"
            ),
            "{}",
            e.message
        );
        let e = range_exceeded(ProviderStyle::QuickNode, 0, 20_000, 10_000);
        assert_eq!(
            (e.code, e.http_status, e.message.as_str()),
            (-32614, 413, "eth_getLogs is limited to a 10,000 range")
        );
        let e = too_many_logs(ProviderStyle::Infura, 0xab, 0x1ff, 10_000, None);
        assert_eq!(
            e.message,
            "query returned more than 10000 results. Try with this block range [0xAB, 0x1FF]."
        );
        let e = too_many_logs(ProviderStyle::Reth, 100, 199, 20_000, None);
        assert_eq!(
            e.message,
            "query exceeds max results 20000, retry with the range 100-199"
        );
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!((kilo(500), kilo(10_000)), ("500".into(), "10K".into()));
    }
}
