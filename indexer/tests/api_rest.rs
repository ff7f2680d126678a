//! The REST API over a real economy on anvil, indexed into real SQLite and PostgreSQL: every
//! entity and filter answers what the chain did, pages walk every row exactly once, both
//! backends answer byte-identical JSON, and caller mistakes are 4xx JSON errors.
#![allow(clippy::unwrap_used)]

mod api_fixture;
mod common;

use alloy::primitives::U256;
use api_fixture::{err, fixture, get, ok, walk};
use serde_json::Value;

fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|i| i["id"].as_i64().unwrap()).collect()
}

fn amount(v: &Value) -> U256 {
    U256::from_str_radix(v.as_str().unwrap(), 10).unwrap()
}

/// Every path whose answer must be the same on both backends.
fn paths(f: &api_fixture::Fixture) -> Vec<String> {
    let e = &f.eco;
    let (alice, bob, owner) = (
        format!("{:#x}", e.alice),
        format!("{:#x}", e.bob),
        format!("{:#x}", e.agent_owner),
    );
    let payer = format!("{:#x}", f.net.address(3));
    let mut p: Vec<String> = [
        "/v1/datanets",
        "/v1/datanets?order=desc",
        "/v1/datanets/1",
        "/v1/datanets/1/contributions",
        "/v1/datanets/1/contributions?status=accepted",
        "/v1/datanets/1/curators",
        "/v1/datanets/1/versions",
        "/v1/contributions",
        "/v1/contributions?status=pending",
        "/v1/contributions?datanet=2",
        "/v1/contributions/3",
        "/v1/models",
        "/v1/models/1",
        "/v1/models/2",
        "/v1/models/2/lineage",
        "/v1/models/1/lineage",
        "/v1/models/2/parents",
        "/v1/models/1/children",
        "/v1/models/1/training-sets",
        "/v1/models/2/agents",
        "/v1/models/2/revenue",
        "/v1/models/1/revenue",
        "/v1/agents",
        "/v1/agents/1",
        "/v1/agents/1/actions",
        "/v1/agents/1/feedback",
        "/v1/agents/1/feedback/summary",
        "/v1/inferences",
        "/v1/inferences/1",
        "/v1/inferences?agent=0",
        "/v1/roots",
        "/v1/roots?status=accepted",
        "/v1/roots/current",
        "/v1/claims",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    for a in [&alice, &bob, &owner] {
        p.push(format!("/v1/accounts/{a}"));
        p.push(format!("/v1/contributions?contributor={a}"));
        p.push(format!("/v1/claims?account={a}"));
    }
    p.push(format!("/v1/accounts/{owner}/proof"));
    p.push(format!("/v1/inferences?payer={payer}"));
    p
}

#[tokio::test]
async fn rest_serves_the_economy_identically_on_sqlite_and_postgres() {
    let f = fixture(true).await;
    let e = &f.eco;
    let alice = format!("{:#x}", e.alice);
    let bob = format!("{:#x}", e.bob);
    let owner = format!("{:#x}", e.agent_owner);
    let (curated, open) = (e.curated.to::<i64>(), e.open.to::<i64>());
    let (base_model, child, agent) = (e.base.to::<i64>(), e.child.to::<i64>(), e.agent.to::<i64>());

    for s in f.both() {
        let b = s.base.as_str();
        // Datanets.
        let list = ok(b, "/v1/datanets").await;
        assert_eq!(ids(list["items"].as_array().unwrap()), vec![curated, open]);
        assert_eq!(list["next_cursor"], Value::Null);
        let d = ok(b, &format!("/v1/datanets/{curated}")).await;
        assert_eq!(d["curated"], true);
        assert_eq!(
            d["bond"], "1000000000000000000",
            "amounts are decimal strings"
        );
        assert_eq!(d["contributions"], 4);
        assert_eq!(d["accepted"], 2);
        assert_eq!(d["latest_version"], 1);
        assert_eq!(d["owner"], format!("{:#x}", f.net.address(1)));
        let cs = ok(
            b,
            &format!("/v1/datanets/{curated}/contributions?status=accepted"),
        )
        .await;
        assert_eq!(cs["items"].as_array().unwrap().len(), 2);
        assert!(
            cs["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["contributor"] == alice)
        );
        let versions = ok(b, &format!("/v1/datanets/{curated}/versions")).await;
        assert_eq!(versions["items"][0]["version"], 1);
        assert_eq!(versions["items"][0]["uri"], "ipfs://v1");
        let curators = ok(b, &format!("/v1/datanets/{curated}/curators")).await;
        assert!(curators["items"].is_array());

        // Contributions and their filters.
        let all = ok(b, "/v1/contributions").await;
        assert_eq!(all["items"].as_array().unwrap().len(), 5);
        let count = |v: Value| v["items"].as_array().unwrap().len();
        assert_eq!(count(ok(b, "/v1/contributions?status=accepted").await), 3);
        assert_eq!(count(ok(b, "/v1/contributions?status=rejected").await), 1);
        assert_eq!(
            count(ok(b, &format!("/v1/contributions?datanet={curated}")).await),
            4
        );
        assert_eq!(
            count(ok(b, &format!("/v1/contributions?contributor={alice}")).await),
            2
        );
        let upper = alice.to_uppercase().replace("0X", "0x");
        assert_eq!(
            count(ok(b, &format!("/v1/contributions?contributor={upper}")).await),
            2,
            "addresses in any case"
        );
        let pending = ok(
            b,
            &format!("/v1/contributions?contributor={bob}&status=pending"),
        )
        .await;
        assert_eq!(pending["items"][0]["uri"], "ipfs://b2");
        let rejected = ok(b, "/v1/contributions?status=rejected").await;
        assert_eq!(rejected["items"][0]["uri"], "ipfs://b1");
        assert!(rejected["items"][0]["reject_reason"].is_string());

        // Models: lineage up (recursive) and down, training sets, agents, revenue.
        let m = ok(b, &format!("/v1/models/{child}")).await;
        assert_eq!(
            m["owner_bps"], 3000,
            "the split update replaced the registered split"
        );
        assert_eq!(m["owner"], owner);
        let lineage = ok(b, &format!("/v1/models/{child}/lineage")).await;
        assert_eq!(lineage["ancestors"].as_array().unwrap().len(), 1);
        assert_eq!(lineage["ancestors"][0]["parent"], base_model);
        assert_eq!(lineage["ancestors"][0]["depth"], 1);
        assert_eq!(lineage["children"], serde_json::json!([]));
        let base_lineage = ok(b, &format!("/v1/models/{base_model}/lineage")).await;
        assert_eq!(base_lineage["ancestors"], serde_json::json!([]));
        assert_eq!(base_lineage["children"][0]["child"], child);
        let ts = ok(b, &format!("/v1/models/{base_model}/training-sets")).await;
        assert_eq!(ts["items"][0]["datanet_id"], curated);
        let agents = ok(b, &format!("/v1/models/{child}/agents")).await;
        assert_eq!(ids(agents["items"].as_array().unwrap()), vec![agent]);

        let inf = ok(b, &format!("/v1/inferences?model={child}")).await;
        let inf = &inf["items"][0];
        let net = amount(&inf["net"]);
        assert_eq!(amount(&inf["amount"]), U256::from(100) * common::e18());
        let rev = ok(b, &format!("/v1/models/{child}/revenue")).await;
        assert_eq!(rev["inferences"], 1);
        assert_eq!(amount(&rev["net"]), net);
        assert_eq!(amount(&rev["gross"]), amount(&inf["amount"]));
        assert_eq!(
            amount(&rev["owner_share"]),
            net * U256::from(3000) / U256::from(10_000)
        );
        assert_eq!(
            amount(&rev["owner_share"]) + amount(&rev["data_share"]) + amount(&rev["agent_share"]),
            net
        );

        // Agents: actions (paged), feedback, summary.
        let a = ok(b, &format!("/v1/agents/{agent}")).await;
        assert_eq!(a["wallet"], format!("{:#x}", e.agent_wallet));
        assert_eq!(a["model_id"], child);
        let actions = walk(b, &format!("/v1/agents/{agent}/actions"), 2).await;
        assert_eq!(actions.len(), 3);
        let idx: Vec<i64> = actions.iter().map(|x| x["idx"].as_i64().unwrap()).collect();
        assert_eq!(idx, vec![0, 1, 2]);
        let fb = ok(b, &format!("/v1/agents/{agent}/feedback")).await;
        assert_eq!(fb["items"][0]["value"], "5");
        assert_eq!(fb["items"][0]["revoked"], false);
        let sum = ok(b, &format!("/v1/agents/{agent}/feedback/summary")).await;
        assert_eq!(sum["given"], 1);
        assert_eq!(sum["average"], "5");

        // Inferences and their filters.
        assert_eq!(count(ok(b, "/v1/inferences").await), 2);
        assert_eq!(
            count(ok(b, &format!("/v1/inferences?agent={agent}")).await),
            1
        );
        assert_eq!(count(ok(b, "/v1/inferences?agent=0").await), 1);
        let payer = format!("{:#x}", f.net.address(3));
        assert_eq!(
            count(ok(b, &format!("/v1/inferences?payer={payer}")).await),
            2
        );
        assert_eq!(
            count(ok(b, &format!("/v1/inferences?payer={alice}")).await),
            0
        );

        // Roots, claims, accounts.
        let current = ok(b, "/v1/roots/current").await;
        assert_eq!(current["epoch"], 1);
        assert_eq!(current["status"], "accepted");
        assert_eq!(current["root"], e.report.root.to_string());
        assert_eq!(current["signers"].as_array().unwrap().len(), 2);
        let claims = ok(b, &format!("/v1/claims?account={alice}")).await;
        assert_eq!(amount(&claims["items"][0]["amount"]), e.alice_earned);
        let acct = ok(b, &format!("/v1/accounts/{alice}")).await;
        assert_eq!(acct["submitted"], 2);
        assert_eq!(acct["accepted"], 2);
        assert_eq!(amount(&acct["earned"]), e.alice_earned);
        assert_eq!(amount(&acct["claimed"]), e.alice_earned);
        assert_eq!(acct["claimable"], "0");
        assert_eq!(acct["report_loaded"], true);
        let acct = ok(b, &format!("/v1/accounts/{owner}")).await;
        assert_eq!(amount(&acct["earned"]), e.owner_earned);
        assert_eq!(amount(&acct["claimable"]), e.owner_earned);
        let acct = ok(b, &format!("/v1/accounts/{bob}")).await;
        assert_eq!(
            (
                &acct["submitted"],
                &acct["rejected"],
                &acct["pending"],
                &acct["accepted"]
            ),
            (
                &Value::from(3),
                &Value::from(1),
                &Value::from(1),
                &Value::from(1)
            )
        );
        assert_eq!(acct["claimable"], "0");
    }

    // Both backends answer the same JSON, byte for byte.
    for p in paths(&f) {
        let (a, b) = (get(&f.sqlite.base, &p).await, get(&f.pg.base, &p).await);
        assert_eq!(a.0, 200, "{p}: {}", a.1);
        assert_eq!(a, b, "{p} differs between SQLite and PostgreSQL");
    }
}

#[tokio::test]
async fn pages_walk_every_row_once_in_either_order_and_mistakes_are_4xx() {
    let f = fixture(false).await;
    for s in f.both() {
        let b = s.base.as_str();
        // Every page size walks the same rows; desc is the reverse of asc.
        let full = ok(b, "/v1/contributions?limit=500").await;
        let full = ids(full["items"].as_array().unwrap());
        assert_eq!(full, vec![1, 2, 3, 4, 5]);
        for limit in [1, 2, 3, 5] {
            assert_eq!(ids(&walk(b, "/v1/contributions", limit).await), full);
            let mut rev = ids(&walk(b, "/v1/contributions?order=desc", limit).await);
            rev.reverse();
            assert_eq!(rev, full);
        }
        let curated = f.eco.curated;
        let filtered = walk(
            b,
            &format!("/v1/contributions?datanet={curated}&status=accepted"),
            1,
        )
        .await;
        assert_eq!(ids(&filtered), vec![1, 2]);
        // Event lists page by chain position.
        let positions: Vec<(i64, i64)> = walk(b, "/v1/agents/1/actions?order=desc", 1)
            .await
            .iter()
            .map(|a| {
                (
                    a["block_number"].as_i64().unwrap(),
                    a["log_index"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(positions.len(), 3);
        assert!(positions.windows(2).all(|w| w[0] > w[1]));
        // A full page with nothing after it still says so with a null cursor on the next.
        let page = ok(b, "/v1/contributions?limit=4").await;
        let next = page["next_cursor"].as_str().unwrap();
        let last = ok(b, &format!("/v1/contributions?limit=4&cursor={next}")).await;
        assert_eq!(ids(last["items"].as_array().unwrap()), vec![5]);
        assert_eq!(last["next_cursor"], Value::Null);

        // Caller mistakes: 400 with a code, never a 500.
        err(b, "/v1/contributions?limit=0", 400, "invalid_limit").await;
        err(b, "/v1/contributions?limit=501", 400, "invalid_limit").await;
        err(b, "/v1/contributions?limit=-1", 400, "invalid_query").await;
        err(b, "/v1/contributions?limit=ten", 400, "invalid_query").await;
        err(b, "/v1/contributions?cursor=garbage", 400, "invalid_cursor").await;
        err(
            b,
            &format!("/v1/contributions?order=desc&cursor={next}"),
            400,
            "invalid_cursor",
        )
        .await;
        err(
            b,
            &format!("/v1/agents/1/actions?cursor={next}"),
            400,
            "invalid_cursor",
        )
        .await;
        err(b, "/v1/contributions?status=approved", 400, "invalid_query").await;
        err(b, "/v1/contributions?datanet=abc", 400, "invalid_query").await;
        err(b, "/v1/contributions?datanet=-3", 400, "invalid_id").await;
        err(b, "/v1/contributions?colour=blue", 400, "invalid_query").await;
        err(
            b,
            "/v1/contributions?contributor=0x1234",
            400,
            "invalid_address",
        )
        .await;
        err(b, "/v1/roots?status=final", 400, "invalid_query").await;
        err(b, "/v1/datanets?order=sideways", 400, "invalid_query").await;
        err(b, "/v1/accounts/alice", 400, "invalid_address").await;
        err(
            b,
            "/v1/accounts/0xzz00000000000000000000000000000000000000/proof",
            400,
            "invalid_address",
        )
        .await;
        err(b, "/v1/datanets/one", 400, "invalid_id").await;
        err(b, "/v1/models/-1/lineage", 400, "invalid_id").await;
        err(b, "/v1/datanets/99999999999999999999999", 400, "invalid_id").await;
        // Unknown entities: 404.
        for p in [
            "/v1/datanets/99",
            "/v1/datanets/99/contributions",
            "/v1/datanets/99/curators",
            "/v1/datanets/99/versions",
            "/v1/contributions/99",
            "/v1/models/99",
            "/v1/models/99/lineage",
            "/v1/models/99/revenue",
            "/v1/models/99/children",
            "/v1/agents/99",
            "/v1/agents/99/actions",
            "/v1/agents/99/feedback/summary",
            "/v1/inferences/99",
            "/v1/accounts/0x00000000000000000000000000000000000000aa",
        ] {
            err(b, p, 404, "not_found").await;
        }
        err(b, "/v1/nothing-here", 404, "no_route").await;
        err(b, "/v1/datanets/%FF", 400, "invalid_path").await;
        let resp = alloy::transports::http::reqwest::Client::new()
            .delete(format!("{b}/v1/datanets"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 405);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["code"], "method_not_allowed");
        // The report is not loaded in this fixture: earned is unknown, and no proof yet.
        let owner = format!("{:#x}", f.eco.agent_owner);
        err(
            b,
            &format!("/v1/accounts/{owner}/proof"),
            404,
            "report_not_loaded",
        )
        .await;
        let alice = ok(b, &format!("/v1/accounts/{:#x}", f.eco.alice)).await;
        assert_eq!(alice["report_loaded"], false);
        assert_eq!(alice["claimable"], "0", "never negative");
    }
}

#[tokio::test]
async fn ready_follows_the_indexer_and_metrics_are_prometheus_text() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::sqlite_store(&dir, "ready.sqlite").await;
    let metrics = openledger_indexer::sync::Metrics::default();
    let s = api_fixture::serve(store, metrics).await;
    let (status, body) = get(&s.base, "/ready").await;
    assert_eq!(status, 503, "not caught up yet: {body}");
    assert_eq!(body["ready"], false);
    err(&s.base, "/v1/roots/current", 404, "no_current_root").await;
    err(
        &s.base,
        "/v1/accounts/0x00000000000000000000000000000000000000aa/proof",
        404,
        "no_current_root",
    )
    .await;
    assert_eq!(ok(&s.base, "/health").await["status"], "ok");

    // A real indexer catching up flips it.
    let net = common::Net::start().await;
    let store = common::sqlite_store(&dir, "live.sqlite").await;
    let ix = common::indexer(&net, &store, 4).await;
    let s = api_fixture::serve(store, ix.metrics()).await;
    assert_eq!(get(&s.base, "/ready").await.0, 503);
    ix.catch_up().await.unwrap();
    let (status, body) = get(&s.base, "/ready").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["indexed_block"], net.head().await);
    let resp = alloy::transports::http::reqwest::get(format!("{}/metrics", s.base))
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = resp.text().await.unwrap();
    assert!(text.contains("# TYPE openledger_indexer_head_block gauge"));
    assert!(text.contains("openledger_indexer_ready 1"));
}

#[tokio::test]
async fn the_web_app_is_served_with_the_deployment_it_talks_to() {
    let dir = tempfile::tempdir().unwrap();
    let no_redirects = alloy::transports::http::reqwest::Client::builder()
        .redirect(alloy::transports::http::reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let fetch = |base: String, path: &'static str| {
        let c = no_redirects.clone();
        async move {
            let r = c.get(format!("{base}{path}")).send().await.unwrap();
            let status = r.status().as_u16();
            let headers = r.headers().clone();
            (status, headers, r.text().await.unwrap())
        }
    };

    // Without a deployment: the page and its assets, but no configuration to act on.
    let store = common::sqlite_store(&dir, "bare.sqlite").await;
    let s = api_fixture::serve(store, openledger_indexer::sync::Metrics::default()).await;
    let (status, headers, _) = fetch(s.base.clone(), "/").await;
    assert_eq!(
        (status, &headers["location"]),
        (307, &"/app/".parse().unwrap())
    );
    let (status, headers, _) = fetch(s.base.clone(), "/app").await;
    assert_eq!(
        (status, &headers["location"]),
        (308, &"/app/".parse().unwrap())
    );
    let (status, headers, page) = fetch(s.base.clone(), "/app/").await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        page.contains("app.js") && page.contains("app.css"),
        "{page}"
    );
    for (path, kind) in [
        ("/app/app.js", "text/javascript"),
        ("/app/app.css", "text/css"),
    ] {
        let (status, headers, body) = fetch(s.base.clone(), path).await;
        assert_eq!(status, 200, "{path}");
        assert!(headers["content-type"].to_str().unwrap().starts_with(kind));
        assert!(!body.is_empty(), "{path}");
    }
    err(&s.base, "/app/config.json", 404, "app_not_configured").await;

    // With one: the chain, the addresses and the ABIs of the calls the page makes.
    let net = common::Net::start().await;
    let store = common::sqlite_store(&dir, "app.sqlite").await;
    let state = openledger_indexer::api::ApiState::new(store, Default::default()).with_app(
        openledger_indexer::api::AppConfig::new(&net.deployment, &net.url, "anvil"),
    );
    let s = api_fixture::serve_state(state).await;
    let cfg = ok(&s.base, "/app/config.json").await;
    assert_eq!(cfg["chainId"], net.deployment.chain_id);
    assert_eq!(
        (cfg["chainName"].as_str(), cfg["rpcUrl"].as_str()),
        (Some("anvil"), Some(net.url.as_str()))
    );
    let c = &net.deployment.contracts;
    for (name, address) in [
        ("DatanetRegistry", c.datanet_registry),
        ("ModelRegistry", c.model_registry),
        ("AgentRegistry", c.agent_registry),
        ("RewardEscrow", c.reward_escrow),
        ("PaymentToken", c.payment_token),
    ] {
        assert_eq!(
            cfg["contracts"][name]
                .as_str()
                .unwrap()
                .parse::<alloy::primitives::Address>()
                .unwrap(),
            address,
            "{name}"
        );
    }
    let has = |contract: &str, kind: &str, name: &str| {
        cfg["abis"][contract]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["type"] == kind && x["name"] == name)
    };
    for (contract, kind, name) in [
        ("DatanetRegistry", "function", "commitContribution"),
        ("DatanetRegistry", "function", "revealContribution"),
        ("DatanetRegistry", "function", "acceptContribution"),
        ("DatanetRegistry", "error", "ContentAlreadySubmitted"),
        ("RewardEscrow", "function", "claim"),
        ("AgentRegistry", "function", "giveFeedback"),
        ("PaymentToken", "function", "approve"),
    ] {
        assert!(has(contract, kind, name), "{contract} {kind} {name}");
    }
}
