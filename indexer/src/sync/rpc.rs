//! Talking to an RPC node that fails the way real providers fail: ranges too wide, too many
//! results, rate limits, timeouts, cut-off answers. Every call retries until it succeeds or the
//! failure is clearly permanent; `eth_getLogs` ranges shrink when the node says they are too wide
//! and grow again after successes.

use std::time::{Duration, Instant};

use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, B256},
    providers::{DynProvider, Provider, RootProvider},
    rpc::{
        client::RpcClient,
        types::{Filter, Log},
    },
    transports::{RpcError, TransportError, TransportErrorKind, http::Http},
};

use super::metrics::Metrics;

/// What an RPC failure means for the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Too many requests: wait, then retry the same call.
    RateLimited,
    /// The `eth_getLogs` range is too wide or yields too many results. `suggested` is the range
    /// the node proposed, if its message named one; `max_blocks` a block-count limit it named.
    RangeTooLarge {
        /// A range `[from, to]` named in the message.
        suggested: Option<(u64, u64)>,
        /// A maximum block count named in the message.
        max_blocks: Option<u64>,
    },
    /// Anything that may succeed when retried: timeouts, resets, cut-off or malformed answers,
    /// server errors.
    Transient,
    /// Retrying cannot help (the method does not exist, the request is invalid).
    Permanent,
}

/// Classifies an error answer from its HTTP status, JSON-RPC code and message.
///
/// Providers disagree on codes (Infura uses -32005 both for rate limits and for too many
/// results), so the message decides first.
pub fn classify(http_status: Option<u16>, code: Option<i64>, message: &str) -> Fault {
    let m = message.to_ascii_lowercase();
    let range_words = [
        "more than",
        "too many results",
        "response size",
        "block range",
        "range is too",
        "range too",
        "blocks range",
        "exceed maximum block range",
        "too many blocks",
        "max results",
        "query timeout",
        "limited to",
        "exceeds limit",
        "blocks distance",
        "retry with the range",
    ];
    if range_words.iter().any(|w| m.contains(w)) {
        return Fault::RangeTooLarge {
            suggested: suggested_range(&m),
            max_blocks: max_blocks(&m),
        };
    }
    let rate_words = [
        "rate limit",
        "too many requests",
        "request limit",
        "compute units",
        "capacity",
        "throughput",
        "exceeded the quota",
    ];
    if http_status == Some(429) || rate_words.iter().any(|w| m.contains(w)) {
        return Fault::RateLimited;
    }
    match code {
        Some(-32601) | Some(-32602) | Some(-32600) => Fault::Permanent,
        _ => Fault::Transient,
    }
}

/// `[0x10, 0x2f]` or `[16, 47]` after the word "range" (Infura, Alchemy), or `100-199` after
/// "the range" (reth).
fn suggested_range(m: &str) -> Option<(u64, u64)> {
    let at = m.find("range")?;
    let rest = &m[at..];
    let (a, b) = if let Some(open) = rest.find('[') {
        let close = rest[open..].find(']')? + open;
        let mut parts = rest[open + 1..close]
            .split(',')
            .map(|p| parse_number(p.trim()));
        (parts.next()??, parts.next()??)
    } else {
        let at = m.find("the range ")? + "the range ".len();
        let token: String = m[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let (a, b) = token.split_once('-')?;
        (parse_number(a)?, parse_number(b)?)
    };
    (a <= b).then_some((a, b))
}

/// A block-count limit in messages such as "maximum is set to 2048", "limited to a 10,000
/// range", "up to a 2K block range", "exceeds limit of 10000", "blocks distance: 10000" or
/// "max block range 5000".
fn max_blocks(m: &str) -> Option<u64> {
    const KEYS: [&str; 8] = [
        "maximum is set to",
        "limited to",
        "up to a",
        "exceeds limit of",
        "distance:",
        "max block range",
        "maximum block range",
        "block range limit",
    ];
    KEYS.iter().find_map(|key| {
        let tail = &m[m.find(key)? + key.len()..];
        let start = tail
            .find(|c: char| c.is_ascii_digit())
            .filter(|&i| i <= 12)?;
        let token: String = tail[start..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ',')
            .filter(|c| *c != ',')
            .collect();
        let n: u64 = token.parse().ok()?;
        let kilo = tail[start..]
            .trim_start_matches(|c: char| c.is_ascii_digit() || c == ',')
            .starts_with('k');
        n.checked_mul(if kilo { 1000 } else { 1 })
            .filter(|n| *n > 0)
    })
}

fn parse_number(s: &str) -> Option<u64> {
    match s.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

/// Classifies an alloy transport error.
pub fn classify_error(err: &TransportError) -> Fault {
    match err {
        RpcError::ErrorResp(payload) => classify(None, Some(payload.code), &payload.message),
        RpcError::Transport(TransportErrorKind::HttpError(e)) => {
            classify(Some(e.status), None, &e.body)
        }
        RpcError::Transport(TransportErrorKind::HttpErrorWithRetryAfter { error, .. }) => {
            classify(Some(error.status), None, &error.body)
        }
        RpcError::UnsupportedFeature(_) => Fault::Permanent,
        // Timeouts, resets, cut-off bodies, answers that do not parse.
        _ => Fault::Transient,
    }
}

/// Errors that end a sync step.
#[derive(Debug, thiserror::Error)]
pub enum RpcFailure {
    /// Retrying cannot help.
    #[error("RPC call {method} failed permanently: {source}")]
    Permanent {
        /// The JSON-RPC method.
        method: &'static str,
        /// The last error.
        source: TransportError,
    },
    /// Too many failures in a row.
    #[error("RPC call {method} failed {attempts} times in a row, last: {source}")]
    GaveUp {
        /// The JSON-RPC method.
        method: &'static str,
        /// How many attempts.
        attempts: u32,
        /// The last error.
        source: TransportError,
    },
}

/// Retry and range-size settings.
#[derive(Debug, Clone)]
pub struct RpcConfig {
    /// Timeout of one HTTP request.
    pub request_timeout: Duration,
    /// Consecutive failures of one call before giving up (the caller then retries the whole step
    /// later, or exits for a one-shot backfill).
    pub max_attempts: u32,
    /// First backoff; doubles per failure up to `max_backoff`.
    pub min_backoff: Duration,
    /// Largest backoff.
    pub max_backoff: Duration,
    /// First `eth_getLogs` range, in blocks.
    pub initial_range: u64,
    /// Largest `eth_getLogs` range.
    pub max_range: u64,
}

impl Default for RpcConfig {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(30),
            max_attempts: 12,
            min_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(10),
            initial_range: 2_000,
            max_range: 100_000,
        }
    }
}

/// A read-only JSON-RPC client with retries and adaptive log ranges.
#[derive(Debug, Clone)]
pub struct Rpc {
    provider: DynProvider,
    config: RpcConfig,
    metrics: Metrics,
}

/// A header's identity, for the reorg checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderRef {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
    /// Parent hash.
    pub parent_hash: B256,
    /// Timestamp.
    pub timestamp: u64,
}

impl Rpc {
    /// A client for the HTTP endpoint `url`.
    pub fn http(url: &str, config: RpcConfig, metrics: Metrics) -> Result<Self, String> {
        let url: reqwest::Url = url.parse().map_err(|e| format!("RPC URL {url:?}: {e}"))?;
        let client = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        let rpc = RpcClient::new(Http::with_client(client, url), false);
        let provider = RootProvider::<alloy::network::Ethereum>::new(rpc).erased();
        Ok(Self {
            provider,
            config,
            metrics,
        })
    }

    /// Retry settings in use.
    pub fn config(&self) -> &RpcConfig {
        &self.config
    }

    async fn retry<T, F, Fut>(&self, method: &'static str, mut call: F) -> Result<T, RpcFailure>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, TransportError>>,
    {
        let mut attempt = 0u32;
        loop {
            let started = Instant::now();
            let result = call().await;
            self.metrics.rpc_time(started.elapsed());
            let err = match result {
                Ok(v) => return Ok(v),
                Err(err) => err,
            };
            attempt += 1;
            let fault = classify_error(&err);
            self.metrics.rpc_error(&fault);
            if fault == Fault::Permanent {
                return Err(RpcFailure::Permanent {
                    method,
                    source: err,
                });
            }
            if attempt >= self.config.max_attempts {
                return Err(RpcFailure::GaveUp {
                    method,
                    attempts: attempt,
                    source: err,
                });
            }
            let wait = self.backoff(attempt, &fault);
            tracing::warn!(method, attempt, ?fault, %err, ?wait, "RPC call failed, retrying");
            tokio::time::sleep(wait).await;
        }
    }

    fn backoff(&self, attempt: u32, fault: &Fault) -> Duration {
        let base = self.config.min_backoff.saturating_mul(1 << attempt.min(16));
        // Rate limits deserve a longer pause than a one-off reset.
        let base = if *fault == Fault::RateLimited {
            base.saturating_mul(2)
        } else {
            base
        };
        base.min(self.config.max_backoff)
    }

    /// The chain id.
    pub async fn chain_id(&self) -> Result<u64, RpcFailure> {
        self.retry("eth_chainId", || self.provider.get_chain_id())
            .await
    }

    /// The latest block number.
    pub async fn head(&self) -> Result<u64, RpcFailure> {
        self.retry("eth_blockNumber", || self.provider.get_block_number())
            .await
    }

    /// The canonical header at `number`, or `None` if the chain is shorter.
    pub async fn header(&self, number: u64) -> Result<Option<HeaderRef>, RpcFailure> {
        let block = self
            .retry("eth_getBlockByNumber", || {
                self.provider
                    .get_block_by_number(BlockNumberOrTag::Number(number))
                    .into_future()
            })
            .await?;
        Ok(block.map(|b| HeaderRef {
            number: b.header.number,
            hash: b.header.hash,
            parent_hash: b.header.parent_hash,
            timestamp: b.header.timestamp,
        }))
    }

    /// The logs of `addresses` in `[from, to]` in one call (the caller sized the range).
    pub async fn logs_exact(
        &self,
        addresses: &[Address],
        from: u64,
        to: u64,
    ) -> Result<Vec<Log>, LogsError> {
        let filter = Filter::new()
            .address(addresses.to_vec())
            .from_block(from)
            .to_block(to);
        let mut attempt = 0u32;
        loop {
            let started = Instant::now();
            let result = self.provider.get_logs(&filter).await;
            self.metrics.rpc_time(started.elapsed());
            let err = match result {
                Ok(logs) => return Ok(logs),
                Err(err) => err,
            };
            attempt += 1;
            let fault = classify_error(&err);
            self.metrics.rpc_error(&fault);
            match fault {
                Fault::RangeTooLarge { .. } => return Err(LogsError::TooLarge(fault)),
                // A timeout on a wide range is often the range's fault: let the caller shrink it.
                Fault::Transient if to > from && attempt >= 2 => {
                    return Err(LogsError::TooLarge(Fault::RangeTooLarge {
                        suggested: None,
                        max_blocks: None,
                    }));
                }
                Fault::Permanent => {
                    return Err(LogsError::Failed(RpcFailure::Permanent {
                        method: "eth_getLogs",
                        source: err,
                    }));
                }
                _ => {}
            }
            if attempt >= self.config.max_attempts {
                return Err(LogsError::Failed(RpcFailure::GaveUp {
                    method: "eth_getLogs",
                    attempts: attempt,
                    source: err,
                }));
            }
            let wait = self.backoff(attempt, &fault);
            tracing::warn!(from, to, attempt, ?fault, %err, ?wait, "eth_getLogs failed, retrying");
            tokio::time::sleep(wait).await;
        }
    }
}

/// Why `eth_getLogs` over a range did not answer.
#[derive(Debug, thiserror::Error)]
pub enum LogsError {
    /// The range must shrink.
    #[error("range too large: {0:?}")]
    TooLarge(Fault),
    /// The call failed for good.
    #[error(transparent)]
    Failed(#[from] RpcFailure),
}

/// The adaptive `eth_getLogs` range: grows on success, shrinks to what the node says it accepts.
#[derive(Debug, Clone)]
pub struct RangeSizer {
    size: u64,
    max: u64,
}

impl RangeSizer {
    /// Starts at `initial` blocks, never above `max`.
    pub fn new(initial: u64, max: u64) -> Self {
        let max = max.max(1);
        Self {
            size: initial.clamp(1, max),
            max,
        }
    }

    /// The current range size in blocks.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// After a success: grow by half again (quickly back to large ranges on sparse chains).
    pub fn grow(&mut self) {
        self.size = (self.size.saturating_add(self.size / 2 + 1)).min(self.max);
    }

    /// After a too-large answer for a range starting at `from` of `tried` blocks.
    pub fn shrink(&mut self, from: u64, tried: u64, fault: &Fault) {
        let next = match fault {
            Fault::RangeTooLarge {
                suggested: Some((a, b)),
                ..
            } if *a == from && *b >= *a => b - a + 1,
            Fault::RangeTooLarge {
                max_blocks: Some(n),
                ..
            } => *n,
            _ => tried / 2,
        };
        // Never stall: at least one block, and strictly smaller than what failed.
        self.size = next.min(tried.saturating_sub(1)).max(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_provider_messages() {
        let infura =
            "query returned more than 10000 results. Try with this block range [0x1B4, 0x2C9].";
        assert_eq!(
            classify(None, Some(-32005), infura),
            Fault::RangeTooLarge {
                suggested: Some((0x1b4, 0x2c9)),
                max_blocks: None
            }
        );
        let alchemy = "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size, or you can request any block range with a cap of 10K logs in the response. Based on your parameters, this block range should work: [0x0, 0x2b1]";
        assert_eq!(
            classify(None, Some(-32602), alchemy),
            Fault::RangeTooLarge {
                suggested: Some((0, 0x2b1)),
                max_blocks: Some(2000)
            }
        );
        let ankr = "requested too many blocks from 0 to 100000, maximum is set to 2048";
        assert!(matches!(
            classify(None, Some(-32000), ankr),
            Fault::RangeTooLarge {
                max_blocks: Some(2048),
                ..
            }
        ));
        let quicknode = "eth_getLogs is limited to a 10,000 range";
        assert!(matches!(
            classify(None, Some(-32614), quicknode),
            Fault::RangeTooLarge {
                max_blocks: Some(10_000),
                ..
            }
        ));
        type Case = (&'static str, Option<(u64, u64)>, Option<u64>);
        let cases: [Case; 5] = [
            ("range 20000 exceeds limit of 10000", None, Some(10_000)),
            (
                "maximum [from, to] blocks distance: 10000",
                None,
                Some(10_000),
            ),
            ("query exceeds max block range 5000", None, Some(5_000)),
            ("exceed maximum block range: 5000", None, Some(5_000)),
            (
                "query exceeds max results 20000, retry with the range 100-199",
                Some((100, 199)),
                None,
            ),
        ];
        for (message, suggested, max_blocks) in cases {
            assert_eq!(
                classify(None, Some(-32602), message),
                Fault::RangeTooLarge {
                    suggested,
                    max_blocks
                },
                "{message}"
            );
        }
        assert_eq!(classify(Some(429), None, ""), Fault::RateLimited);
        assert_eq!(
            classify(
                None,
                Some(-32005),
                "daily request count exceeded, request rate limited"
            ),
            Fault::RateLimited
        );
        assert_eq!(
            classify(None, Some(-32000), "internal error"),
            Fault::Transient
        );
        assert_eq!(
            classify(None, Some(-32601), "method not found"),
            Fault::Permanent
        );
    }

    #[test]
    fn range_sizer_follows_suggestions_and_never_stalls() {
        let mut r = RangeSizer::new(2_000, 100_000);
        r.grow();
        assert_eq!(r.size(), 3_001);
        r.shrink(
            100,
            3_001,
            &Fault::RangeTooLarge {
                suggested: Some((100, 149)),
                max_blocks: None,
            },
        );
        assert_eq!(r.size(), 50);
        r.shrink(
            100,
            50,
            &Fault::RangeTooLarge {
                suggested: None,
                max_blocks: Some(2048),
            },
        );
        assert_eq!(r.size(), 49, "a limit above what failed still shrinks");
        r.shrink(5, 49, &Fault::Transient);
        assert_eq!(r.size(), 24);
        let mut one = RangeSizer::new(1, 10);
        one.shrink(0, 1, &Fault::Transient);
        assert_eq!(one.size(), 1);
        for _ in 0..100 {
            one.grow();
        }
        assert_eq!(one.size(), 10);
    }
}
