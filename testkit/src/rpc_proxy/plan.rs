//! What the proxy does to the traffic it forwards: which faults, how often, to which methods,
//! and which provider log limits it imitates.

use std::time::Duration;

/// The proxy's behaviour. [`FaultPlan::none`] forwards everything untouched.
///
/// Faults are drawn from a deterministic generator seeded with [`FaultPlan::seed`], so a test
/// that sends the same requests in the same order sees the same faults on every run.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultPlan {
    /// Seed of the fault generator; changing the plan with `set_plan` reseeds it.
    pub seed: u64,
    /// Faults, each with its probability and the methods it applies to. For one draw, the
    /// applicable faults share the unit interval in this order, so each fires at exactly its own
    /// rate as long as their probabilities add up to at most 1.
    pub faults: Vec<Fault>,
    /// `eth_getLogs` limits imitating hosted providers; `None` for an unlimited node.
    pub log_limits: Option<LogLimits>,
}

impl Default for FaultPlan {
    fn default() -> Self {
        Self::none()
    }
}

impl FaultPlan {
    /// A transparent proxy: no fault, no limit.
    pub fn none() -> Self {
        Self::seeded(0)
    }

    /// No fault yet, with the generator seeded by `seed`; add faults with [`Self::with`].
    pub fn seeded(seed: u64) -> Self {
        Self {
            seed,
            faults: Vec::new(),
            log_limits: None,
        }
    }

    /// Adds a fault.
    pub fn with(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// Sets the `eth_getLogs` limits.
    pub fn with_log_limits(mut self, limits: LogLimits) -> Self {
        self.log_limits = Some(limits);
        self
    }
}

/// One kind of fault with its probability.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// What happens.
    pub kind: FaultKind,
    /// Probability in [0, 1] for each draw (per HTTP request for transport faults, per call for
    /// call faults; see [`FaultKind`]).
    pub probability: f64,
    /// Methods it applies to; `None` for every method. A transport fault applies to an HTTP
    /// request when any call of it matches.
    pub methods: Option<Vec<String>>,
}

impl Fault {
    /// `kind` with `probability`, for every method.
    pub fn new(kind: FaultKind, probability: f64) -> Self {
        Self {
            kind,
            probability,
            methods: None,
        }
    }

    /// Restricts the fault to `methods` (e.g. `["eth_getLogs"]`).
    pub fn only<I, S>(mut self, methods: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.methods = Some(methods.into_iter().map(Into::into).collect());
        self
    }

    pub(crate) fn applies_to(&self, method: &str) -> bool {
        self.methods
            .as_ref()
            .is_none_or(|methods| methods.iter().any(|m| m == method))
    }
}

/// The faults real RPC endpoints produce.
///
/// *Call faults* ([`InternalError`](Self::InternalError), [`RpcRateLimit`](Self::RpcRateLimit))
/// are drawn for each JSON-RPC call, so one element of a batch can fail while its neighbours
/// succeed. *Transport faults* (the others) are drawn once per HTTP request and hit the whole
/// request, batch or not; they are drawn first, and call faults only for requests they spared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// The call answers a JSON-RPC error `-32000 internal error` (HTTP 200); not forwarded.
    InternalError,
    /// The call answers JSON-RPC error `-32005` (HTTP 200), worded in turn "rate limit exceeded"
    /// and "Too Many Requests"; not forwarded.
    RpcRateLimit,
    /// The request answers HTTP 429; the body alternates between a JSON-RPC `-32005` error
    /// (Infura's shape, which alloy turns into an error response) and a plain-text
    /// "Too Many Requests" (a gateway's, which alloy reports as an HTTP error). Not forwarded.
    HttpRateLimit,
    /// The request is held for `hold` (make it longer than the client's timeout), then the
    /// connection is closed without an answer. Not forwarded.
    Timeout {
        /// How long the request hangs before the connection is dropped.
        hold: Duration,
    },
    /// The request is forwarded (so a transaction in it does take effect), then answered HTTP 200
    /// with the body cut in the middle of the JSON (`Content-Length` matches the cut body).
    Truncated,
    /// The connection is reset (TCP RST) as soon as the request has been read. Not forwarded.
    ConnectionReset,
}

impl FaultKind {
    pub(crate) fn is_transport(self) -> bool {
        !matches!(self, Self::InternalError | Self::RpcRateLimit)
    }
}

/// `eth_getLogs` limits as hosted providers enforce them.
///
/// A range of more than `max_block_range` blocks is refused before reaching the node; an answer
/// with more than `max_logs` logs is replaced by an error. The error is worded like the next
/// provider of `providers` (cycling), most of them naming a range that would work.
///
/// A query over a single block is never refused for its log count: a provider cannot split a
/// block, and a test must be able to make progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLimits {
    /// Largest span, in blocks (`toBlock - fromBlock + 1`), of one query.
    pub max_block_range: Option<u64>,
    /// Largest number of logs in one answer.
    pub max_logs: Option<usize>,
    /// Wordings to use, in turn. Empty means [`ProviderStyle::ALL`].
    pub providers: Vec<ProviderStyle>,
}

impl LogLimits {
    /// At most `blocks` blocks per query, errors worded like every provider in turn.
    pub fn block_range(blocks: u64) -> Self {
        Self {
            max_block_range: Some(blocks),
            max_logs: None,
            providers: Vec::new(),
        }
    }

    /// At most `logs` logs per answer, errors worded like every provider in turn.
    pub fn max_logs(logs: usize) -> Self {
        Self {
            max_block_range: None,
            max_logs: Some(logs),
            providers: Vec::new(),
        }
    }

    /// Adds a block range limit.
    pub fn and_block_range(mut self, blocks: u64) -> Self {
        self.max_block_range = Some(blocks);
        self
    }

    /// Adds a log count limit.
    pub fn and_max_logs(mut self, logs: usize) -> Self {
        self.max_logs = Some(logs);
        self
    }

    /// Words the errors like `providers`, in turn (one provider: always that one).
    pub fn worded_as<I: IntoIterator<Item = ProviderStyle>>(mut self, providers: I) -> Self {
        self.providers = providers.into_iter().collect();
        self
    }
}

/// Whose error wording the log limits use. See [`super::provider`] for each message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderStyle {
    /// Alchemy: `-32600` "You can make eth_getLogs requests with up to a 2K block range. Based on
    /// your parameters, this block range should work: [0x…, 0x…]"; `-32602` "Log response size
    /// exceeded. …this block range should work: [0x…, 0x…]".
    Alchemy,
    /// Infura: `-32005` "query returned more than 10000 results. Try with this block range
    /// [0x…, 0x…]."; `-32602` "range N exceeds limit of 10000".
    Infura,
    /// QuickNode: HTTP 413 (for a single request) with `-32614` "eth_getLogs is limited to a
    /// 10,000 range".
    QuickNode,
    /// Ankr: `-32000` "maximum [from, to] blocks distance: 10000".
    Ankr,
    /// reth: `-32602` "query exceeds max block range 5000"; "query exceeds max results 20000,
    /// retry with the range 100-199" (decimal).
    Reth,
    /// geth-based nodes (BSC and others): `-32000` "exceed maximum block range: 5000";
    /// `-32005` "query returned more than 10000 results" (no range suggested).
    Geth,
}

impl ProviderStyle {
    /// Every wording, in the order an empty [`LogLimits::providers`] cycles through.
    pub const ALL: [Self; 6] = [
        Self::Alchemy,
        Self::Infura,
        Self::QuickNode,
        Self::Ankr,
        Self::Reth,
        Self::Geth,
    ];
}

/// SplitMix64: tiny, fast, and enough for fault dice (not for anything secret).
#[derive(Debug, Clone)]
pub(crate) struct Dice(u64);

impl Dice {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        // 53 random bits: every value is exactly representable.
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Picks at most one fault among `faults` that `applies` says are eligible, with one draw.
pub(crate) fn pick<'a>(
    dice: &mut Dice,
    faults: impl Iterator<Item = &'a Fault>,
    applies: impl Fn(&Fault) -> bool,
) -> Option<FaultKind> {
    let eligible: Vec<&Fault> = faults.filter(|f| applies(f)).collect();
    if eligible.is_empty() {
        // No draw: adding a method-restricted fault must not shift the dice of other methods.
        return None;
    }
    let u = dice.unit();
    let mut acc = 0.0;
    for fault in eligible {
        acc += fault.probability.clamp(0.0, 1.0);
        if u < acc {
            return Some(fault.kind);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn dice_are_deterministic_and_uniform_enough() {
        let (mut a, mut b) = (Dice::new(7), Dice::new(7));
        let xs: Vec<f64> = (0..10_000).map(|_| a.unit()).collect();
        let ys: Vec<f64> = (0..10_000).map(|_| b.unit()).collect();
        assert_eq!(xs, ys);
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
        let below = xs.iter().filter(|x| **x < 0.25).count();
        assert!((2_300..2_700).contains(&below), "{below}");
    }

    #[test]
    fn faults_share_the_interval_in_order() {
        let faults = [
            Fault::new(FaultKind::InternalError, 0.2),
            Fault::new(FaultKind::RpcRateLimit, 0.3),
        ];
        let mut dice = Dice::new(1);
        let (mut internal, mut limited) = (0, 0);
        for _ in 0..20_000 {
            match pick(&mut dice, faults.iter(), |_| true) {
                Some(FaultKind::InternalError) => internal += 1,
                Some(FaultKind::RpcRateLimit) => limited += 1,
                _ => {}
            }
        }
        assert!((3_700..4_300).contains(&internal), "{internal}");
        assert!((5_600..6_400).contains(&limited), "{limited}");
    }

    #[test]
    fn method_restriction() {
        let fault = Fault::new(FaultKind::InternalError, 1.0).only(["eth_getLogs"]);
        assert!(fault.applies_to("eth_getLogs"));
        assert!(!fault.applies_to("eth_blockNumber"));
        assert!(Fault::new(FaultKind::Truncated, 1.0).applies_to("anything"));
    }
}
