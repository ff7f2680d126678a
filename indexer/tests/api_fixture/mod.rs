//! Shared by the API tests: the economy of `common` indexed into real SQLite and PostgreSQL,
//! each served by the API on a loopback port, and a small HTTP client.
#![allow(dead_code, clippy::unwrap_used)]

use alloy::{primitives::keccak256, transports::http::reqwest};
use openledger_indexer::{
    Store,
    api::{self, ApiState},
    sync::Metrics,
};
use openledger_testkit::pg::TempDb;
use serde_json::Value;

use crate::common::{Economy, Net, economy, indexer, sqlite_store};

/// An API server over one store.
pub struct Served {
    pub base: String,
    pub store: Store,
    pub metrics: Metrics,
}

/// Serves the API for `store` on a free loopback port.
pub async fn serve(store: Store, metrics: Metrics) -> Served {
    serve_state(ApiState::new(store, metrics)).await
}

/// Serves `state` (an API with the web app configured, say) on a free port.
pub async fn serve_state(state: ApiState) -> Served {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (store, metrics) = (state.store.clone(), state.metrics.clone());
    let router = api::router(state);
    tokio::spawn(async move { axum::serve(listener, router).await });
    Served {
        base: format!("http://{addr}"),
        store,
        metrics,
    }
}

/// The economy on anvil, indexed into both backends, served twice.
pub struct Fixture {
    pub net: Net,
    pub eco: Economy,
    pub sqlite: Served,
    pub pg: Served,
    _dir: tempfile::TempDir,
    _db: TempDb,
}

impl Fixture {
    /// Both servers, SQLite first.
    pub fn both(&self) -> [&Served; 2] {
        [&self.sqlite, &self.pg]
    }
}

/// Builds the economy and indexes it into SQLite and PostgreSQL; with `report`, the root's
/// report is in each content store first, so the indexer's report loader stores its balances.
pub async fn fixture(report: bool) -> Fixture {
    let net = Net::start().await;
    let eco = economy(&net).await;
    let dir = tempfile::tempdir().unwrap();
    let db = TempDb::create()
        .await
        .expect("PostgreSQL is required for this test");
    let mut served = Vec::new();
    for store in [
        sqlite_store(&dir, "api.sqlite").await,
        Store::connect(db.url()).await.unwrap(),
    ] {
        if report {
            let hash = keccak256(&eco.report_json).to_string();
            store.put_content(&hash, &eco.report_json).await.unwrap();
        }
        let ix = indexer(&net, &store, 4).await;
        ix.catch_up().await.unwrap();
        served.push(serve(store, ix.metrics()).await);
    }
    let pg = served.pop().unwrap();
    let sqlite = served.pop().unwrap();
    Fixture {
        net,
        eco,
        sqlite,
        pg,
        _dir: dir,
        _db: db,
    }
}

/// Runs one statement with text/integer binds on either backend.
pub async fn exec(store: &Store, sql: &'static str, binds: &[Bind<'_>]) {
    macro_rules! run {
        ($pool:expr) => {{
            let mut q = sqlx::query(sql);
            for b in binds {
                q = match b {
                    Bind::Text(s) => q.bind(s.to_string()),
                    Bind::Int(i) => q.bind(*i),
                };
            }
            q.execute($pool).await.unwrap();
        }};
    }
    match store {
        Store::Sqlite(p) => run!(p),
        Store::Postgres(p) => run!(p),
    }
}

/// A bind value for [`exec`].
pub enum Bind<'a> {
    Text(&'a str),
    Int(i64),
}

/// Writes a report's header and balances into `epoch_reports`/`report_balances` directly, for
/// roots that are not on a chain (synthetic large trees).
pub async fn load_report_json(store: &Store, json: &[u8]) {
    let report = openledger_sdk::report::ReportBalances::from_json(json).unwrap();
    let hash = keccak256(json).to_string();
    exec(
        store,
        "INSERT INTO epoch_reports (report_hash, status, epoch, root, token, total_cumulative, accounts) \
         VALUES ($1, 'loaded', $2, $3, $4, $5, $6) ON CONFLICT (report_hash) DO NOTHING",
        &[
            Bind::Text(&hash),
            Bind::Int(i64::try_from(report.epoch).unwrap()),
            Bind::Text(&report.root.to_string()),
            Bind::Text(&format!("{:#x}", report.token)),
            Bind::Text(&report.total_cumulative.to_string()),
            Bind::Int(i64::try_from(report.balances.len()).unwrap()),
        ],
    )
    .await;
    for b in &report.balances {
        exec(
            store,
            "INSERT INTO report_balances (report_hash, account, cumulative) VALUES ($1, $2, $3) \
             ON CONFLICT (report_hash, account) DO NOTHING",
            &[
                Bind::Text(&hash),
                Bind::Text(&format!("{:#x}", b.account)),
                Bind::Text(&b.cumulative.to_string()),
            ],
        )
        .await;
    }
}

/// GET `path`: status and JSON body (Null when the body is not JSON).
pub async fn get(base: &str, path: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let body = resp.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

/// GET `path`, which must answer 200; its JSON.
pub async fn ok(base: &str, path: &str) -> Value {
    let (status, body) = get(base, path).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

/// GET `path`, which must answer `status` with error code `code`.
pub async fn err(base: &str, path: &str, status: u16, code: &str) {
    let (s, body) = get(base, path).await;
    assert_eq!(s, status, "GET {path}: {body}");
    assert_eq!(body["error"]["code"], code, "GET {path}: {body}");
    assert!(body["error"]["message"].is_string(), "GET {path}: {body}");
}

/// POST a GraphQL query; the JSON response.
pub async fn graphql(base: &str, query: &str) -> Value {
    let resp = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .json(&serde_json::json!({ "query": query }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    resp.json().await.unwrap()
}

/// Every item of a REST list, following `next_cursor` with pages of `limit`.
pub async fn walk(base: &str, path: &str, limit: u32) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit={limit}&cursor={c}"),
            None => format!("{path}{sep}limit={limit}"),
        };
        let page = ok(base, &url).await;
        let got = page["items"].as_array().unwrap();
        assert!(got.len() <= limit as usize);
        items.extend(got.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return items,
        }
    }
    panic!("{path}: more than 1000 pages");
}
