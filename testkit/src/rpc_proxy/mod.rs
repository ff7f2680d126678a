//! A JSON-RPC over HTTP proxy that injects the faults real endpoints produce, for reliability
//! tests of anything that reads the chain (the indexer first).
//!
//! The client talks to [`RpcProxy::url`]; the proxy forwards to a real node (anvil in tests)
//! and, according to a [`FaultPlan`], answers some calls with JSON-RPC errors, rate-limits some
//! requests (HTTP 429 or an in-band `-32005`), hangs some until the client times out, truncates
//! some answers, resets some connections, and enforces `eth_getLogs` block-range and log-count
//! limits worded like hosted providers (see [`ProviderStyle`]). Faults are drawn from a seeded
//! generator, so a failing test replays with the same seed; [`RpcProxy::stats`] says what was
//! injected, so a test can check that its client really met each fault.
//!
//! ```no_run
//! # async fn demo(anvil_url: openledger_testkit::rpc_proxy::Url) -> Result<(), Box<dyn std::error::Error>> {
//! use openledger_testkit::rpc_proxy::{Fault, FaultKind, FaultPlan, LogLimits, RpcProxy};
//! let plan = FaultPlan::seeded(42)
//!     .with(Fault::new(FaultKind::RpcRateLimit, 0.1))
//!     .with(Fault::new(FaultKind::Truncated, 0.05).only(["eth_getLogs"]))
//!     .with_log_limits(LogLimits::block_range(2_000).and_max_logs(10_000));
//! let proxy = RpcProxy::start(anvil_url, plan).await?;
//! // point the indexer at proxy.url(), run it, then:
//! assert!(proxy.stats().faults.rpc_rate_limit > 0);
//! # Ok(()) }
//! ```

mod plan;
mod provider;

use std::{
    collections::BTreeMap,
    convert::Infallible,
    net::SocketAddr,
    pin::Pin,
    sync::{
        Arc, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicU8, Ordering},
    },
    task::{Context, Poll},
};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{
    Request, Response, StatusCode,
    body::Incoming,
    header::{CONTENT_TYPE, HeaderValue},
    server::conn::http1,
    service::service_fn,
};
use hyper_util::rt::TokioIo;
pub use plan::{Fault, FaultKind, FaultPlan, LogLimits, ProviderStyle};
pub use reqwest::Url;
use serde_json::{Value, json};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::{Notify, watch},
    task::{JoinHandle, JoinSet},
};

use self::{
    plan::{Dice, pick},
    provider::ProviderError,
};

/// Errors starting the proxy.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// The listening socket could not be opened.
    #[error("cannot listen on 127.0.0.1: {0}")]
    Bind(#[source] std::io::Error),
    /// The HTTP client to the upstream could not be built.
    #[error("cannot build the upstream HTTP client: {0}")]
    Client(#[source] reqwest::Error),
}

/// What the proxy has seen and done since it started (or since [`RpcProxy::reset_stats`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyStats {
    /// HTTP requests received.
    pub http_requests: u64,
    /// JSON-RPC calls received (each element of a batch counts).
    pub calls: u64,
    /// Calls received, by method.
    pub calls_by_method: BTreeMap<String, u64>,
    /// Calls passed on to the upstream (a truncated answer's calls were forwarded).
    pub forwarded_calls: u64,
    /// HTTP requests sent to the upstream, the proxy's own `eth_blockNumber` look-ups (to
    /// resolve `latest` in log queries) included.
    pub upstream_requests: u64,
    /// Requests the upstream failed to answer (the client got a 502).
    pub upstream_failures: u64,
    /// Faults injected, by kind.
    pub faults: FaultCounts,
}

/// Injected faults, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultCounts {
    /// Calls answered `-32000`.
    pub internal_error: u64,
    /// Calls answered `-32005` with HTTP 200.
    pub rpc_rate_limit: u64,
    /// Requests answered HTTP 429.
    pub http_rate_limit: u64,
    /// Requests held and then dropped.
    pub timeout: u64,
    /// Answers cut in the middle.
    pub truncated: u64,
    /// Connections reset.
    pub connection_reset: u64,
    /// `eth_getLogs` calls refused for their block range.
    pub block_range_exceeded: u64,
    /// `eth_getLogs` answers replaced by a too-many-results error.
    pub too_many_logs: u64,
}

impl FaultCounts {
    /// Every injected fault.
    pub fn total(&self) -> u64 {
        self.internal_error
            + self.rpc_rate_limit
            + self.http_rate_limit
            + self.timeout
            + self.truncated
            + self.connection_reset
            + self.block_range_exceeded
            + self.too_many_logs
    }
}

/// A running proxy on `127.0.0.1`; stops (and drops its connections) when dropped.
#[derive(Debug)]
pub struct RpcProxy {
    url: Url,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
    // Dropping the sender tells every connection task to stop.
    _shutdown: watch::Sender<()>,
}

impl RpcProxy {
    /// Starts a proxy to `upstream` on a free port of 127.0.0.1, on the current tokio runtime.
    pub async fn start(upstream: Url, plan: FaultPlan) -> Result<Self, ProxyError> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(ProxyError::Bind)?;
        let addr = listener.local_addr().map_err(ProxyError::Bind)?;
        let client = reqwest::Client::builder()
            // An HTTP_PROXY in the environment must not reroute traffic to the local node.
            .no_proxy()
            .build()
            .map_err(ProxyError::Client)?;
        let shared = Arc::new(Shared {
            upstream,
            client,
            control: Mutex::new(Control::new(plan)),
            stats: Mutex::new(ProxyStats::default()),
        });
        let (shutdown, stop) = watch::channel(());
        let accept = tokio::spawn(accept_loop(listener, shared.clone(), stop));
        let url = Url::parse(&format!("http://{addr}/")).map_err(|e| {
            ProxyError::Bind(std::io::Error::new(std::io::ErrorKind::InvalidData, e))
        })?;
        Ok(Self {
            url,
            shared,
            accept,
            _shutdown: shutdown,
        })
    }

    /// Where clients connect.
    pub fn url(&self) -> Url {
        self.url.clone()
    }

    /// The socket address the proxy listens on.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.url.socket_addrs(|| None).ok()?.into_iter().next()
    }

    /// Replaces the plan (and reseeds the generator) for the requests that arrive from now on.
    pub fn set_plan(&self, plan: FaultPlan) {
        *lock(&self.shared.control) = Control::new(plan);
    }

    /// The current plan.
    pub fn plan(&self) -> FaultPlan {
        lock(&self.shared.control).plan.clone()
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> ProxyStats {
        lock(&self.shared.stats).clone()
    }

    /// Zeroes the counters.
    pub fn reset_stats(&self) {
        *lock(&self.shared.stats) = ProxyStats::default();
    }
}

impl Drop for RpcProxy {
    fn drop(&mut self) {
        // Aborting the accept task drops its JoinSet, which aborts every connection task.
        self.accept.abort();
    }
}

/// State shared by every connection.
#[derive(Debug)]
struct Shared {
    upstream: Url,
    client: reqwest::Client,
    control: Mutex<Control>,
    stats: Mutex<ProxyStats>,
}

/// The plan and everything drawn from it.
#[derive(Debug)]
struct Control {
    plan: FaultPlan,
    dice: Dice,
    /// Cursor over the log-limit wordings.
    provider_turn: usize,
    /// Alternates the rate-limit wordings and 429 bodies.
    rate_limit_turn: u64,
}

impl Control {
    fn new(plan: FaultPlan) -> Self {
        Self {
            dice: Dice::new(plan.seed),
            plan,
            provider_turn: 0,
            rate_limit_turn: 0,
        }
    }

    fn next_provider(&mut self) -> ProviderStyle {
        let styles = match &self.plan.log_limits {
            Some(limits) if !limits.providers.is_empty() => limits.providers.clone(),
            _ => ProviderStyle::ALL.to_vec(),
        };
        let style = styles[self.provider_turn % styles.len()];
        self.provider_turn += 1;
        style
    }

    fn next_rate_limit_turn(&mut self) -> u64 {
        self.rate_limit_turn += 1;
        self.rate_limit_turn - 1
    }
}

/// A mutex whose holder panicked still guards consistent counters: keep going.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, stop: watch::Receiver<()>) {
    let mut connections = JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        // Reap finished connections so the set does not grow without bound.
        while connections.try_join_next().is_some() {}
        let (shared, mut stop) = (shared.clone(), stop.clone());
        connections.spawn(async move {
            let ctl = Arc::new(ConnCtl::default());
            let io = TokioIo::new(KillableIo {
                stream,
                ctl: ctl.clone(),
            });
            let service = {
                let ctl = ctl.clone();
                service_fn(move |req| handle(shared.clone(), ctl.clone(), req))
            };
            let conn = http1::Builder::new().serve_connection(io, service);
            tokio::select! {
                _ = conn => {}
                // A fault asked for the connection to go: dropping `conn` drops the socket.
                _ = ctl.notify.notified() => {}
                _ = stop.changed() => {}
            }
        });
    }
}

/// How a connection should end when a fault kills it.
#[derive(Debug, Default)]
struct ConnCtl {
    /// 0: not killed, [`CLOSE`], or [`RESET`].
    mode: AtomicU8,
    notify: Notify,
}

const CLOSE: u8 = 1;
const RESET: u8 = 2;

impl ConnCtl {
    fn kill(&self, mode: u8) {
        self.mode.store(mode, Ordering::SeqCst);
        self.notify.notify_one();
    }
}

/// The TCP stream hyper serves, which resets instead of closing when its connection was killed
/// with [`RESET`] (`SO_LINGER` 0 makes `close` send an RST).
#[derive(Debug)]
struct KillableIo {
    stream: TcpStream,
    ctl: Arc<ConnCtl>,
}

impl Drop for KillableIo {
    fn drop(&mut self) {
        if self.ctl.mode.load(Ordering::SeqCst) == RESET {
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for KillableIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// One JSON-RPC call of a request.
#[derive(Debug, Clone)]
struct Call {
    /// The call as received (forwarded verbatim).
    raw: Value,
    /// `None` for a notification.
    id: Option<Value>,
    method: String,
}

impl Call {
    fn parse(raw: Value) -> Self {
        let id = raw.get("id").cloned();
        let method = raw
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or("<no method>")
            .to_owned();
        Self { raw, id, method }
    }

    fn error(&self, code: i64, message: &str) -> Value {
        json!({
            "jsonrpc": "2.0",
            "id": self.id.clone().unwrap_or(Value::Null),
            "error": { "code": code, "message": message },
        })
    }
}

/// The shape of an HTTP request body.
#[derive(Debug)]
enum Body {
    Single(Call),
    Batch(Vec<Call>),
    /// Not JSON-RPC: forwarded untouched, so the node answers as it would.
    Opaque,
}

impl Body {
    fn parse(bytes: &[u8]) -> Self {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(o)) => Self::Single(Call::parse(Value::Object(o))),
            Ok(Value::Array(items)) if !items.is_empty() => {
                Self::Batch(items.into_iter().map(Call::parse).collect())
            }
            _ => Self::Opaque,
        }
    }

    fn calls(&self) -> &[Call] {
        match self {
            Self::Single(call) => std::slice::from_ref(call),
            Self::Batch(calls) => calls,
            Self::Opaque => &[],
        }
    }
}

/// An answer ready to send.
#[derive(Debug)]
struct Answer {
    status: u16,
    body: Bytes,
    json: bool,
}

impl Answer {
    fn json(status: u16, value: &Value) -> Self {
        Self {
            status,
            body: Bytes::from(value.to_string()),
            json: true,
        }
    }

    fn text(status: u16, text: &'static str) -> Self {
        Self {
            status,
            body: Bytes::from_static(text.as_bytes()),
            json: false,
        }
    }

    fn into_response(self) -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(self.body));
        *response.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let content_type = if self.json {
            "application/json"
        } else {
            "text/plain; charset=utf-8"
        };
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        response
    }
}

async fn handle(
    shared: Arc<Shared>,
    conn: Arc<ConnCtl>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let bytes = match req.into_body().collect().await {
        Ok(body) => body.to_bytes(),
        Err(_) => return Ok(Answer::text(400, "unreadable request body").into_response()),
    };
    let body = Body::parse(&bytes);
    {
        let mut stats = lock(&shared.stats);
        stats.http_requests += 1;
        for call in body.calls() {
            stats.calls += 1;
            *stats
                .calls_by_method
                .entry(call.method.clone())
                .or_default() += 1;
        }
    }

    let (transport, rate_limit_turn) = {
        let mut control = lock(&shared.control);
        let Control { plan, dice, .. } = &mut *control;
        let methods: Vec<&str> = body.calls().iter().map(|c| c.method.as_str()).collect();
        let kind = pick(
            dice,
            plan.faults.iter().filter(|f| f.kind.is_transport()),
            |f| match &body {
                // A request we cannot read as JSON-RPC is still traffic a flaky network hits.
                Body::Opaque => f.methods.is_none(),
                _ => methods.iter().any(|m| f.applies_to(m)),
            },
        );
        let turn = match kind {
            Some(FaultKind::HttpRateLimit) => control.next_rate_limit_turn(),
            _ => 0,
        };
        (kind, turn)
    };
    match transport {
        Some(FaultKind::ConnectionReset) => {
            lock(&shared.stats).faults.connection_reset += 1;
            conn.kill(RESET);
            return std::future::pending().await;
        }
        Some(FaultKind::Timeout { hold }) => {
            lock(&shared.stats).faults.timeout += 1;
            tokio::time::sleep(hold).await;
            conn.kill(CLOSE);
            return std::future::pending().await;
        }
        Some(FaultKind::HttpRateLimit) => {
            lock(&shared.stats).faults.http_rate_limit += 1;
            return Ok(too_many_requests(&body, rate_limit_turn).into_response());
        }
        _ => {}
    }

    let answer = match body {
        Body::Opaque => forward_raw(&shared, bytes, 0).await,
        Body::Single(call) => single(&shared, call, bytes).await,
        Body::Batch(calls) => batch(&shared, calls, bytes).await,
    };
    if transport == Some(FaultKind::Truncated) {
        lock(&shared.stats).faults.truncated += 1;
        let cut = answer.body.len() / 2;
        return Ok(Answer {
            status: 200,
            body: answer.body.slice(..cut),
            json: true,
        }
        .into_response());
    }
    Ok(answer.into_response())
}

/// A 429: Infura's JSON-RPC body on even turns, a gateway's plain text on odd ones.
fn too_many_requests(body: &Body, turn: u64) -> Answer {
    if !turn.is_multiple_of(2) {
        return Answer::text(429, "Too Many Requests");
    }
    let id = match body {
        Body::Single(call) => call.id.clone().unwrap_or(Value::Null),
        _ => Value::Null,
    };
    Answer::json(
        429,
        &json!({
            "jsonrpc": "2.0",
            "id": id,
            "error": { "code": -32005, "message": "exceeded project rate limit" },
        }),
    )
}

/// What to answer a call instead of forwarding it, if anything.
enum Verdict {
    Forward,
    Answer(Value, ProviderError),
}

/// Call faults and block-range limits for `calls`, decided in one go (one draw per call, in
/// order, so the faults a seed produces do not depend on upstream timing).
async fn judge(shared: &Shared, calls: &[Call]) -> Vec<Verdict> {
    let (drawn, limits) = {
        let mut control = lock(&shared.control);
        let Control { plan, dice, .. } = &mut *control;
        let drawn: Vec<Option<FaultKind>> = calls
            .iter()
            .map(|call| {
                pick(
                    dice,
                    plan.faults.iter().filter(|f| !f.kind.is_transport()),
                    |f| f.applies_to(&call.method),
                )
            })
            .collect();
        (drawn, plan.log_limits.clone())
    };
    let mut verdicts = Vec::with_capacity(calls.len());
    let mut head: Option<u64> = None;
    for (call, fault) in calls.iter().zip(drawn) {
        let verdict = match fault {
            Some(FaultKind::InternalError) => {
                lock(&shared.stats).faults.internal_error += 1;
                rpc_error(call, -32000, "internal error")
            }
            Some(FaultKind::RpcRateLimit) => {
                lock(&shared.stats).faults.rpc_rate_limit += 1;
                let turn = lock(&shared.control).next_rate_limit_turn();
                let message = if turn.is_multiple_of(2) {
                    "rate limit exceeded"
                } else {
                    "Too Many Requests"
                };
                rpc_error(call, -32005, message)
            }
            _ => match (&limits, call.method.as_str()) {
                (
                    Some(LogLimits {
                        max_block_range: Some(max),
                        ..
                    }),
                    "eth_getLogs",
                ) => match log_range(shared, call, &mut head).await {
                    Some((from, to)) if to >= from && to - from + 1 > *max => {
                        lock(&shared.stats).faults.block_range_exceeded += 1;
                        let style = lock(&shared.control).next_provider();
                        let err = provider::range_exceeded(style, from, to, *max);
                        Verdict::Answer(call.error(err.code, &err.message), err)
                    }
                    _ => Verdict::Forward,
                },
                _ => Verdict::Forward,
            },
        };
        verdicts.push(verdict);
    }
    verdicts
}

fn rpc_error(call: &Call, code: i64, message: &str) -> Verdict {
    Verdict::Answer(
        call.error(code, message),
        ProviderError {
            code,
            message: message.to_owned(),
            http_status: 200,
        },
    )
}

/// The block range of an `eth_getLogs` call, tags resolved against the upstream's head;
/// `None` for a `blockHash` query or one we cannot read (forwarded as is).
async fn log_range(shared: &Shared, call: &Call, head: &mut Option<u64>) -> Option<(u64, u64)> {
    let filter = call.raw.get("params")?.get(0)?;
    if filter.get("blockHash").is_some_and(|h| !h.is_null()) {
        return None;
    }
    let mut bound = async |key: &str| -> Option<u64> {
        match filter.get(key) {
            None | Some(Value::Null) => tag(shared, "latest", head).await,
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => match s.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16).ok(),
                None => tag(shared, s, head).await,
            },
            Some(_) => None,
        }
    };
    let from = bound("fromBlock").await?;
    let to = bound("toBlock").await?;
    Some((from, to))
}

async fn tag(shared: &Shared, tag: &str, head: &mut Option<u64>) -> Option<u64> {
    match tag {
        "earliest" => Some(0),
        "latest" | "pending" | "safe" | "finalized" => {
            if head.is_none() {
                *head = upstream_head(shared).await;
            }
            *head
        }
        _ => None,
    }
}

async fn upstream_head(shared: &Shared) -> Option<u64> {
    let request = json!({"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []});
    let answer = forward_raw(shared, Bytes::from(request.to_string()), 0).await;
    let value: Value = serde_json::from_slice(&answer.body).ok()?;
    u64::from_str_radix(value.get("result")?.as_str()?.strip_prefix("0x")?, 16).ok()
}

/// Sends `body` upstream as is and returns its answer (a 502 when the upstream is unreachable);
/// `calls` is how many client calls it carries, for the stats.
async fn forward_raw(shared: &Shared, body: Bytes, calls: u64) -> Answer {
    {
        let mut stats = lock(&shared.stats);
        stats.upstream_requests += 1;
        stats.forwarded_calls += calls;
    }
    let sent = shared
        .client
        .post(shared.upstream.clone())
        .header(CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await;
    let answer = match sent {
        Ok(response) => {
            let status = response.status().as_u16();
            response.bytes().await.map(|body| Answer {
                status,
                body,
                json: true,
            })
        }
        Err(e) => Err(e),
    };
    answer.unwrap_or_else(|_| {
        lock(&shared.stats).upstream_failures += 1;
        Answer::text(502, "upstream unreachable")
    })
}

async fn single(shared: &Shared, call: Call, bytes: Bytes) -> Answer {
    let verdict = judge(shared, std::slice::from_ref(&call)).await.pop();
    if let Some(Verdict::Answer(value, err)) = verdict {
        return Answer::json(err.http_status, &value);
    }
    // Forward the exact bytes: without a fault the proxy must be invisible.
    let answer = forward_raw(shared, bytes, 1).await;
    if call.method != "eth_getLogs" || answer.status != 200 {
        return answer;
    }
    match serde_json::from_slice::<Value>(&answer.body) {
        Ok(value) => match limit_logs(shared, &call, &value) {
            Some((error, err)) => Answer::json(err.http_status, &error),
            None => answer,
        },
        Err(_) => answer,
    }
}

async fn batch(shared: &Shared, calls: Vec<Call>, bytes: Bytes) -> Answer {
    let verdicts = judge(shared, &calls).await;
    let mut answers: Vec<Option<Value>> = verdicts
        .into_iter()
        .map(|v| match v {
            Verdict::Answer(value, _) => Some(value),
            Verdict::Forward => None,
        })
        .collect();
    let forward: Vec<usize> = (0..calls.len()).filter(|&i| answers[i].is_none()).collect();
    let mut changed = forward.len() != calls.len();
    if !forward.is_empty() {
        let body = if forward.len() == calls.len() {
            bytes
        } else {
            let subset: Vec<&Value> = forward.iter().map(|&i| &calls[i].raw).collect();
            Bytes::from(Value::from(subset.into_iter().cloned().collect::<Vec<_>>()).to_string())
        };
        let upstream = forward_raw(shared, body, forward.len() as u64).await;
        let Ok(Value::Array(mut responses)) = serde_json::from_slice::<Value>(&upstream.body)
        else {
            // The upstream refused the batch as a whole: let the client see that.
            return upstream;
        };
        for &i in &forward {
            let Some(id) = &calls[i].id else { continue };
            let Some(pos) = responses.iter().position(|r| r.get("id") == Some(id)) else {
                continue;
            };
            let response = responses.swap_remove(pos);
            answers[i] = Some(match limit_logs(shared, &calls[i], &response) {
                Some((error, _)) => {
                    changed = true;
                    error
                }
                None => response,
            });
        }
        if !changed {
            // Nothing injected: hand over the node's bytes untouched.
            return upstream;
        }
    }
    Answer::json(200, &Value::Array(answers.into_iter().flatten().collect()))
}

/// The too-many-results error replacing `response` to an `eth_getLogs` `call`, when the plan
/// limits the log count and the answer exceeds it.
fn limit_logs(shared: &Shared, call: &Call, response: &Value) -> Option<(Value, ProviderError)> {
    if call.method != "eth_getLogs" {
        return None;
    }
    let limits = lock(&shared.control).plan.log_limits.clone()?;
    let max_logs = limits.max_logs?;
    let logs = response.get("result")?.as_array()?;
    if logs.len() <= max_logs {
        return None;
    }
    let block = |log: &Value| {
        log.get("blockNumber")
            .and_then(Value::as_str)
            .and_then(|s| s.strip_prefix("0x"))
            .and_then(|h| u64::from_str_radix(h, 16).ok())
    };
    let first = block(logs.first()?)?;
    let last = block(logs.last()?)?;
    if first == last {
        // One block cannot be split: let it through (see `LogLimits`).
        return None;
    }
    // The query's own lower bound when it names one, else the first log's block.
    let from = call
        .raw
        .get("params")
        .and_then(|p| p.get(0))
        .and_then(|f| f.get("fromBlock"))
        .and_then(Value::as_str)
        .and_then(|s| s.strip_prefix("0x"))
        .and_then(|h| u64::from_str_radix(h, 16).ok())
        .unwrap_or(first);
    // Logs come in block order: the block of the first log past the limit, minus one, keeps
    // the answer within the limit (or `from` alone, if that block is the first).
    let overflow = block(&logs[max_logs])?;
    let works_to = overflow.saturating_sub(1).max(from);
    lock(&shared.stats).faults.too_many_logs += 1;
    let style = lock(&shared.control).next_provider();
    let err = provider::too_many_logs(style, from, works_to, max_logs, limits.max_block_range);
    Some((call.error(err.code, &err.message), err))
}
