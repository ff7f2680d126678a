//! The fault-injecting proxy against a real anvil: transparent without faults, each fault at its
//! configured rate, and each looking on the wire (and to alloy's HTTP client) like the real thing.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use alloy::{
    network::TransactionBuilder,
    node_bindings::AnvilInstance,
    primitives::{B256, Bytes},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::{
        client::RpcClient,
        types::{Filter, Log, TransactionReceipt, TransactionRequest},
    },
    signers::local::PrivateKeySigner,
    transports::{
        RpcError, TransportError, TransportErrorKind,
        http::Http,
        layers::{RateLimitRetryPolicy, RetryPolicy},
    },
};
use openledger_testkit::{
    rpc_proxy::{Fault, FaultKind, FaultPlan, LogLimits, ProviderStyle, RpcProxy, Url},
    spawn_anvil,
};
use serde_json::{Value, json};

fn anvil_url(anvil: &AnvilInstance) -> Url {
    anvil.endpoint_url()
}

/// A read-only alloy provider over plain HTTP (no retries: the test sees every fault).
fn reader(url: Url) -> DynProvider {
    ProviderBuilder::new().connect_http(url).erased()
}

/// An alloy provider whose HTTP client gives up after `timeout`.
fn reader_with_timeout(url: Url, timeout: Duration) -> DynProvider {
    let client = reqwest::Client::builder().timeout(timeout).build().unwrap();
    let rpc = RpcClient::new(Http::with_client(client, url), true);
    ProviderBuilder::new().connect_client(rpc).erased()
}

fn writer(anvil: &AnvilInstance, url: Url) -> DynProvider {
    let key = PrivateKeySigner::from(anvil.keys()[0].clone());
    ProviderBuilder::new()
        .wallet(key)
        .connect_http(url)
        .erased()
}

/// POSTs `body` and returns the status and the body's bytes.
async fn post(url: &Url, body: &str) -> Result<(u16, Vec<u8>), reqwest::Error> {
    let response = reqwest::Client::new()
        .post(url.clone())
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.bytes().await?.to_vec()))
}

fn call(id: u64, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

/// Sends a transaction and polls its receipt without alloy's block-watching heartbeat.
async fn send_and_wait(provider: &DynProvider, tx: TransactionRequest) -> TransactionReceipt {
    let hash = *provider.send_transaction(tx).await.unwrap().tx_hash();
    receipt(provider, hash).await
}

async fn receipt(provider: &DynProvider, hash: B256) -> TransactionReceipt {
    for _ in 0..2_000 {
        if let Some(receipt) = provider.get_transaction_receipt(hash).await.unwrap() {
            return receipt;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("no receipt for {hash}");
}

/// Init code that emits `n` anonymous logs (LOG0 of nothing) and deploys an empty contract.
fn log_emitter(n: usize) -> Bytes {
    let mut code = Vec::new();
    for _ in 0..n {
        code.extend_from_slice(&[0x60, 0x00, 0x60, 0x00, 0xa0]);
    }
    code.push(0x00);
    Bytes::from(code)
}

/// Mines one block per entry of `logs_per_block` (from block 1), each with that many logs.
async fn mine_logs(anvil: &AnvilInstance, logs_per_block: &[usize]) {
    let provider = writer(anvil, anvil_url(anvil));
    for &n in logs_per_block {
        let tx = TransactionRequest::default().with_deploy_code(log_emitter(n));
        assert!(send_and_wait(&provider, tx).await.status());
    }
}

fn error_resp(err: &TransportError) -> (i64, String) {
    match err {
        RpcError::ErrorResp(payload) => (payload.code, payload.message.to_string()),
        other => panic!("expected a JSON-RPC error answer, got {other:?}"),
    }
}

/// Does any error in `err`'s source chain satisfy `f`?
fn chain_has(
    err: &(dyn std::error::Error + 'static),
    f: impl Fn(&(dyn std::error::Error + 'static)) -> bool,
) -> bool {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if f(e) {
            return true;
        }
        cur = e.source();
    }
    false
}

/// The range a limit error suggests: `[0x.., 0x..]` (Alchemy, Infura) or `A-B` (reth).
fn suggested_range(message: &str) -> Option<(u64, u64)> {
    let hex = |s: &str| {
        let s = s.trim();
        let digits = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))?;
        u64::from_str_radix(digits, 16).ok()
    };
    if let (Some(open), Some(close)) = (message.rfind('['), message.rfind(']')) {
        let (a, b) = message[open + 1..close].split_once(',')?;
        return Some((hex(a)?, hex(b)?));
    }
    let tail = message.split("retry with the range ").nth(1)?;
    let (a, b) = tail.split_once('-')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

#[tokio::test]
async fn without_faults_the_proxy_is_invisible() {
    let anvil = spawn_anvil().unwrap();
    let proxy = RpcProxy::start(anvil_url(&anvil), FaultPlan::none())
        .await
        .unwrap();
    let direct = anvil_url(&anvil);
    let account = format!("{:#x}", anvil.addresses()[0]);
    let bodies = [
        call(1, "eth_chainId", json!([])).to_string(),
        call(2, "eth_getBalance", json!([account, "latest"])).to_string(),
        call(3, "eth_getBlockByNumber", json!(["0x0", true])).to_string(),
        call(4, "no_such_method", json!([])).to_string(),
        json!([
            call(5, "eth_blockNumber", json!([])),
            call(6, "eth_getBlockByNumber", json!(["latest", false])),
            call(
                7,
                "eth_getLogs",
                json!([{"fromBlock": "0x0", "toBlock": "latest"}])
            ),
        ])
        .to_string(),
        "{not json".to_owned(),
    ];
    for body in &bodies {
        let (a, b) = (
            post(&direct, body).await.unwrap(),
            post(&proxy.url(), body).await.unwrap(),
        );
        assert_eq!(a, b, "request {body}");
    }

    // A transaction through the proxy, then reads of it.
    let provider = writer(&anvil, proxy.url());
    let tx = TransactionRequest::default()
        .with_to(anvil.addresses()[1])
        .with_value(alloy::primitives::U256::from(7));
    let receipt = send_and_wait(&provider, tx).await;
    assert!(receipt.status());
    assert_eq!(provider.get_block_number().await.unwrap(), 1);

    let stats = proxy.stats();
    assert_eq!(stats.faults.total(), 0);
    assert_eq!(stats.forwarded_calls, stats.calls);
    assert_eq!(stats.upstream_requests, stats.http_requests);
    assert_eq!(stats.calls_by_method["eth_getBlockByNumber"], 2);
}

#[tokio::test]
async fn call_faults_happen_at_their_rate_and_read_as_rpc_errors() {
    let anvil = spawn_anvil().unwrap();
    let plan = FaultPlan::seeded(7)
        .with(Fault::new(FaultKind::InternalError, 0.2))
        .with(Fault::new(FaultKind::RpcRateLimit, 0.2));
    let proxy = RpcProxy::start(anvil_url(&anvil), plan).await.unwrap();
    let provider = reader(proxy.url());
    let (mut ok, mut internal, mut limited) = (0u64, 0u64, 0u64);
    let mut wordings = std::collections::BTreeSet::new();
    for _ in 0..300 {
        match provider.get_block_number().await {
            Ok(n) => {
                assert_eq!(n, 0);
                ok += 1;
            }
            Err(err) => {
                let (code, message) = error_resp(&err);
                match code {
                    -32000 => {
                        assert_eq!(message, "internal error");
                        internal += 1;
                    }
                    -32005 => {
                        // alloy's own retry layer recognises it as a rate limit.
                        assert!(RateLimitRetryPolicy::default().should_retry(&err));
                        wordings.insert(message);
                        limited += 1;
                    }
                    other => panic!("unexpected code {other}"),
                }
            }
        }
    }
    let stats = proxy.stats();
    assert_eq!(
        (stats.faults.internal_error, stats.faults.rpc_rate_limit),
        (internal, limited)
    );
    assert_eq!(stats.forwarded_calls, ok);
    // 300 draws at 20%: 60 expected, sd 6.9.
    for n in [internal, limited] {
        assert!(
            (38..=82).contains(&n),
            "{internal} internal, {limited} limited"
        );
    }
    assert_eq!(
        wordings.into_iter().collect::<Vec<_>>(),
        ["Too Many Requests", "rate limit exceeded"]
    );

    // The same seed replays the same faults.
    proxy.set_plan(proxy.plan());
    proxy.reset_stats();
    for _ in 0..300 {
        let _ = provider.get_block_number().await;
    }
    let again = proxy.stats().faults;
    assert_eq!(
        (again.internal_error, again.rpc_rate_limit),
        (internal, limited)
    );
}

#[tokio::test]
async fn http_rate_limits_are_429s_in_both_shapes() {
    let anvil = spawn_anvil().unwrap();
    let plan = FaultPlan::seeded(1).with(Fault::new(FaultKind::HttpRateLimit, 1.0));
    let proxy = RpcProxy::start(anvil_url(&anvil), plan).await.unwrap();
    let body = call(9, "eth_blockNumber", json!([])).to_string();

    let (status, json_body) = post(&proxy.url(), &body).await.unwrap();
    assert_eq!(status, 429);
    let value: Value = serde_json::from_slice(&json_body).unwrap();
    assert_eq!(
        (value["id"].as_u64(), value["error"]["code"].as_i64()),
        (Some(9), Some(-32005))
    );
    let (status, text) = post(&proxy.url(), &body).await.unwrap();
    assert_eq!(
        (status, text.as_slice()),
        (429, b"Too Many Requests".as_slice())
    );

    // alloy reads the JSON body as the error answer it is, and the plain one as an HTTP 429;
    // its retry policy retries both.
    let provider = reader(proxy.url());
    let err = provider.get_block_number().await.unwrap_err();
    assert_eq!(error_resp(&err).0, -32005);
    assert!(RateLimitRetryPolicy::default().should_retry(&err));
    let err = provider.get_block_number().await.unwrap_err();
    match &err {
        RpcError::Transport(TransportErrorKind::HttpError(e)) => assert_eq!(e.status, 429),
        other => panic!("expected an HTTP 429, got {other:?}"),
    }
    assert!(RateLimitRetryPolicy::default().should_retry(&err));

    // At a 25% rate, over 200 requests.
    proxy.set_plan(FaultPlan::seeded(2).with(Fault::new(FaultKind::HttpRateLimit, 0.25)));
    proxy.reset_stats();
    let mut limited = 0;
    for _ in 0..200 {
        let (status, _) = post(&proxy.url(), &body).await.unwrap();
        if status == 429 {
            limited += 1;
        } else {
            assert_eq!(status, 200);
        }
    }
    let stats = proxy.stats();
    assert_eq!(stats.faults.http_rate_limit, limited);
    assert_eq!(stats.forwarded_calls, 200 - limited);
    assert!((30..=70).contains(&limited), "{limited}");
}

#[tokio::test]
async fn truncated_answers_are_cut_in_the_middle_after_forwarding() {
    let anvil = spawn_anvil().unwrap();
    let plan = FaultPlan::seeded(3).with(Fault::new(FaultKind::Truncated, 1.0));
    let proxy = RpcProxy::start(anvil_url(&anvil), plan).await.unwrap();
    let body = call(1, "eth_getBlockByNumber", json!(["0x0", false])).to_string();
    let (_, full) = post(&anvil_url(&anvil), &body).await.unwrap();
    let (status, cut) = post(&proxy.url(), &body).await.unwrap();
    assert_eq!(status, 200);
    assert!(!cut.is_empty() && cut.len() < full.len());
    assert!(full.starts_with(&cut));
    assert!(serde_json::from_slice::<Value>(&cut).is_err());

    // alloy fails to deserialize, and says what it got.
    let err = reader(proxy.url()).get_chain_id().await.unwrap_err();
    match &err {
        RpcError::DeserError { text, .. } => assert!(text.starts_with("{\"jsonrpc\"")),
        other => panic!("expected a deserialization error, got {other:?}"),
    }

    // The request was forwarded: a transaction sent through it is mined although the sender
    // never heard back.
    let sender = writer(&anvil, proxy.url());
    let tx = TransactionRequest::default()
        .with_to(anvil.addresses()[1])
        .with_nonce(0)
        .with_chain_id(anvil.chain_id())
        .with_gas_limit(21_000)
        .with_max_fee_per_gas(10_000_000_000)
        .with_max_priority_fee_per_gas(1_000_000_000);
    assert!(sender.send_transaction(tx).await.is_err());
    let direct = reader(anvil_url(&anvil));
    let mut mined = false;
    for _ in 0..200 {
        if direct.get_block_number().await.unwrap() == 1 {
            mined = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(mined, "the transaction reached the node");
    assert_eq!(
        proxy.stats().faults.truncated,
        proxy.stats().http_requests,
        "every request was truncated"
    );

    // At a 10% rate over a batch-heavy load.
    proxy.set_plan(FaultPlan::seeded(4).with(Fault::new(FaultKind::Truncated, 0.1)));
    proxy.reset_stats();
    let batch = json!([
        call(1, "eth_chainId", json!([])),
        call(2, "eth_blockNumber", json!([]))
    ]);
    let mut cut = 0;
    for _ in 0..300 {
        let (_, body) = post(&proxy.url(), &batch.to_string()).await.unwrap();
        if serde_json::from_slice::<Value>(&body).is_err() {
            cut += 1;
        }
    }
    assert_eq!(proxy.stats().faults.truncated, cut);
    assert!((13..=47).contains(&cut), "{cut}");
}

#[tokio::test]
async fn timeouts_hold_the_request_past_the_client_then_drop_it() {
    let anvil = spawn_anvil().unwrap();
    let hold = Duration::from_millis(1_500);
    let plan = FaultPlan::seeded(5)
        .with(Fault::new(FaultKind::Timeout { hold }, 1.0).only(["eth_blockNumber"]));
    let proxy = RpcProxy::start(anvil_url(&anvil), plan).await.unwrap();

    // A client with a 400 ms timeout gives up; other methods are untouched.
    let impatient = reader_with_timeout(proxy.url(), Duration::from_millis(400));
    let started = Instant::now();
    let err = impatient.get_block_number().await.unwrap_err();
    assert!(started.elapsed() < hold);
    assert!(
        chain_has(&err, |e| e
            .downcast_ref::<reqwest::Error>()
            .is_some_and(reqwest::Error::is_timeout)),
        "{err:?}"
    );
    assert_eq!(impatient.get_chain_id().await.unwrap(), anvil.chain_id());

    // A patient client sees the connection close without an answer once the hold is over.
    let started = Instant::now();
    let (status_or_err, elapsed) = (
        post(
            &proxy.url(),
            &call(1, "eth_blockNumber", json!([])).to_string(),
        )
        .await,
        started.elapsed(),
    );
    let err = status_or_err.unwrap_err();
    assert!(elapsed >= hold, "{elapsed:?}");
    assert!(err.is_request() && !err.is_timeout(), "{err:?}");
    let stats = proxy.stats();
    assert_eq!(stats.faults.timeout, 2);
    assert_eq!(stats.forwarded_calls, 1, "only eth_chainId went upstream");

    // At a 20% rate: every timeout the client sees is one the proxy counted.
    // Generous margins: a loaded machine must not make a normal answer look like a timeout.
    let hold = Duration::from_millis(500);
    proxy.set_plan(FaultPlan::seeded(55).with(Fault::new(FaultKind::Timeout { hold }, 0.2)));
    proxy.reset_stats();
    let impatient = reader_with_timeout(proxy.url(), Duration::from_millis(250));
    let mut timed_out = 0;
    for _ in 0..60 {
        if impatient.get_block_number().await.is_err() {
            timed_out += 1;
        }
    }
    assert_eq!(proxy.stats().faults.timeout, timed_out);
    assert!((3..=22).contains(&timed_out), "{timed_out}");
}

#[tokio::test]
async fn connection_resets_are_tcp_resets() {
    let anvil = spawn_anvil().unwrap();
    let plan = FaultPlan::seeded(6).with(Fault::new(FaultKind::ConnectionReset, 0.3));
    let proxy = RpcProxy::start(anvil_url(&anvil), plan).await.unwrap();
    let body = call(1, "eth_blockNumber", json!([])).to_string();
    let mut resets = 0;
    for _ in 0..100 {
        match post(&proxy.url(), &body).await {
            Ok((status, _)) => assert_eq!(status, 200),
            Err(err) => {
                assert!(
                    chain_has(&err, |e| {
                        e.downcast_ref::<std::io::Error>()
                            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionReset)
                    }),
                    "{err:?}"
                );
                resets += 1;
            }
        }
    }
    assert_eq!(proxy.stats().faults.connection_reset, resets);
    assert!((15..=45).contains(&resets), "{resets}");

    // Through alloy: a transport error, not an answer.
    proxy.set_plan(FaultPlan::seeded(6).with(Fault::new(FaultKind::ConnectionReset, 1.0)));
    let err = reader(proxy.url()).get_block_number().await.unwrap_err();
    assert!(matches!(err, RpcError::Transport(_)), "{err:?}");
}

#[tokio::test]
async fn batches_fail_per_call_and_keep_their_ids() {
    let anvil = spawn_anvil().unwrap();
    let plan = FaultPlan::seeded(8).with(Fault::new(FaultKind::InternalError, 0.5));
    let proxy = RpcProxy::start(anvil_url(&anvil), plan).await.unwrap();
    let calls: Vec<Value> = (1..=20)
        .map(|id| {
            let method = if id % 2 == 0 {
                "eth_chainId"
            } else {
                "eth_blockNumber"
            };
            call(id, method, json!([]))
        })
        .collect();
    let (status, body) = post(&proxy.url(), &Value::from(calls.clone()).to_string())
        .await
        .unwrap();
    assert_eq!(status, 200);
    let answers: Vec<Value> = serde_json::from_slice(&body).unwrap();
    assert_eq!(answers.len(), 20);
    let mut failed = 0;
    for (call, answer) in calls.iter().zip(&answers) {
        assert_eq!(call["id"], answer["id"], "answers keep the request order");
        if answer.get("error").is_some() {
            assert_eq!(answer["error"]["code"], -32000);
            failed += 1;
        } else {
            let expected = if call["method"] == "eth_chainId" {
                "0x7a69"
            } else {
                "0x0"
            };
            assert_eq!(answer["result"], expected);
        }
    }
    let stats = proxy.stats();
    assert_eq!(stats.faults.internal_error, failed);
    assert_eq!(stats.forwarded_calls, 20 - failed);
    assert!((3..=17).contains(&failed), "{failed}");

    // A transport fault restricted to eth_getLogs hits a batch containing one, and only it.
    proxy.set_plan(
        FaultPlan::seeded(9).with(Fault::new(FaultKind::HttpRateLimit, 1.0).only(["eth_getLogs"])),
    );
    let plain = json!([
        call(1, "eth_chainId", json!([])),
        call(2, "eth_blockNumber", json!([]))
    ]);
    assert_eq!(post(&proxy.url(), &plain.to_string()).await.unwrap().0, 200);
    let with_logs = json!([
        call(1, "eth_chainId", json!([])),
        call(
            2,
            "eth_getLogs",
            json!([{"fromBlock": "0x0", "toBlock": "0x0"}])
        ),
    ]);
    assert_eq!(
        post(&proxy.url(), &with_logs.to_string()).await.unwrap().0,
        429
    );
}

#[tokio::test]
async fn faults_can_target_methods() {
    let anvil = spawn_anvil().unwrap();
    let plan =
        FaultPlan::seeded(10).with(Fault::new(FaultKind::InternalError, 1.0).only(["eth_getLogs"]));
    let proxy = RpcProxy::start(anvil_url(&anvil), plan).await.unwrap();
    let provider = reader(proxy.url());
    for _ in 0..20 {
        provider.get_block_number().await.unwrap();
    }
    for _ in 0..5 {
        let err = provider
            .get_logs(&Filter::new().from_block(0))
            .await
            .unwrap_err();
        assert_eq!(error_resp(&err).0, -32000);
    }
    let stats = proxy.stats();
    assert_eq!(stats.faults.internal_error, 5);
    assert_eq!(stats.calls_by_method["eth_blockNumber"], 20);
}

#[tokio::test]
async fn block_range_limits_are_worded_like_providers() {
    let anvil = spawn_anvil().unwrap();
    mine_logs(&anvil, &[1; 30]).await;
    let plan = FaultPlan::seeded(11).with_log_limits(LogLimits::block_range(10));
    let proxy = RpcProxy::start(anvil_url(&anvil), plan).await.unwrap();
    let provider = reader(proxy.url());
    let wide = Filter::new().from_block(1).to_block(30);

    let expected: [(ProviderStyle, i64, &str); 6] = [
        (
            ProviderStyle::Alchemy,
            -32600,
            "You can make eth_getLogs requests with up to a 10 block range. Based on your \
             parameters, this block range should work: [0x1, 0xa]",
        ),
        (
            ProviderStyle::Infura,
            -32602,
            "range 29 exceeds limit of 10",
        ),
        (
            ProviderStyle::QuickNode,
            -32614,
            "eth_getLogs is limited to a 10 range",
        ),
        (
            ProviderStyle::Ankr,
            -32000,
            "maximum [from, to] blocks distance: 10",
        ),
        (
            ProviderStyle::Reth,
            -32602,
            "query exceeds max block range 10",
        ),
        (
            ProviderStyle::Geth,
            -32000,
            "exceed maximum block range: 10",
        ),
    ];
    for (style, code, message) in expected {
        let err = provider.get_logs(&wide).await.unwrap_err();
        assert_eq!(error_resp(&err), (code, message.to_owned()), "{style:?}");
    }
    // Ten blocks pass, "latest" is resolved against the head.
    assert_eq!(
        provider
            .get_logs(&Filter::new().from_block(1).to_block(10))
            .await
            .unwrap()
            .len(),
        10
    );
    assert!(
        provider
            .get_logs(&Filter::new().from_block(1))
            .await
            .is_err()
    );
    assert_eq!(
        provider
            .get_logs(&Filter::new().from_block(21))
            .await
            .unwrap()
            .len(),
        10
    );
    assert_eq!(proxy.stats().faults.block_range_exceeded, 7);

    // QuickNode's comes with HTTP 413 when alone, in the batch's 200 otherwise.
    proxy.set_plan(
        FaultPlan::none()
            .with_log_limits(LogLimits::block_range(10).worded_as([ProviderStyle::QuickNode])),
    );
    let logs = call(
        1,
        "eth_getLogs",
        json!([{"fromBlock": "0x1", "toBlock": "0x1e"}]),
    );
    let (status, _) = post(&proxy.url(), &logs.to_string()).await.unwrap();
    assert_eq!(status, 413);
    let batch = json!([
        logs,
        call(
            2,
            "eth_getLogs",
            json!([{"fromBlock": "0x1", "toBlock": "0x2"}])
        )
    ]);
    let (status, body) = post(&proxy.url(), &batch.to_string()).await.unwrap();
    assert_eq!(status, 200);
    let answers: Vec<Value> = serde_json::from_slice(&body).unwrap();
    assert_eq!(answers[0]["error"]["code"], -32614);
    assert_eq!(answers[1]["result"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn log_count_limits_suggest_ranges_a_client_can_follow() {
    let anvil = spawn_anvil().unwrap();
    // 40 blocks with 1 to 4 logs each, and one block of 12 (more than the limit on its own).
    let mut per_block: Vec<usize> = (0..40).map(|i| 1 + i % 4).collect();
    per_block[25] = 12;
    mine_logs(&anvil, &per_block).await;
    let all: Vec<Log> = reader(anvil_url(&anvil))
        .get_logs(&Filter::new().from_block(1).to_block(40))
        .await
        .unwrap();
    assert_eq!(all.len(), per_block.iter().sum::<usize>());

    for style in [
        ProviderStyle::Alchemy,
        ProviderStyle::Infura,
        ProviderStyle::Reth,
    ] {
        let plan = FaultPlan::none().with_log_limits(
            LogLimits::max_logs(7)
                .and_block_range(1_000)
                .worded_as([style]),
        );
        let proxy = RpcProxy::start(anvil_url(&anvil), plan).await.unwrap();
        let provider = reader(proxy.url());
        // What an adaptive client does: ask for everything left, follow the suggestion on error.
        let (mut from, mut got) = (1u64, Vec::new());
        while from <= 40 {
            match provider
                .get_logs(&Filter::new().from_block(from).to_block(40))
                .await
            {
                Ok(logs) => {
                    got.extend(logs);
                    from = 41;
                }
                Err(err) => {
                    let (_, message) = error_resp(&err);
                    let (a, b) = suggested_range(&message)
                        .unwrap_or_else(|| panic!("{style:?}: no range in {message}"));
                    assert_eq!(a, from, "{message}");
                    let logs = provider
                        .get_logs(&Filter::new().from_block(a).to_block(b))
                        .await
                        .unwrap();
                    assert!(!logs.is_empty());
                    assert!(logs.len() <= 7 || a == b, "{message}: {}", logs.len());
                    got.extend(logs);
                    from = b + 1;
                }
            }
        }
        assert_eq!(got, all, "{style:?}");
        assert!(proxy.stats().faults.too_many_logs >= 5, "{style:?}");
    }

    // Wordings without a suggestion.
    let plan =
        FaultPlan::none().with_log_limits(LogLimits::max_logs(7).worded_as([ProviderStyle::Geth]));
    let proxy = RpcProxy::start(anvil_url(&anvil), plan).await.unwrap();
    let err = reader(proxy.url())
        .get_logs(&Filter::new().from_block(1).to_block(40))
        .await
        .unwrap_err();
    assert_eq!(
        error_resp(&err),
        (-32005, "query returned more than 7 results".to_owned())
    );
}
