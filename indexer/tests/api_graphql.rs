//! GraphQL and the OpenAPI document over a real economy on anvil in real SQLite and PostgreSQL:
//! nested connections page like REST, both backends agree, the depth and complexity limits
//! refuse queries before running them, GraphiQL is served to browsers, and `/openapi.json`
//! parses and lists exactly the routes the router serves.
#![allow(clippy::unwrap_used)]

mod api_fixture;
mod common;

use std::collections::BTreeSet;

use alloy::transports::http::reqwest;
use api_fixture::{fixture, get, graphql, ok, walk};
use openledger_indexer::sync::Metrics;
use serde_json::{Value, json};

fn node_ids(conn: &Value, field: &str) -> Vec<i64> {
    conn["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"][field].as_i64().unwrap())
        .collect()
}

fn no_errors(v: &Value) -> &Value {
    assert!(v.get("errors").is_none(), "{v}");
    &v["data"]
}

fn error_code(v: &Value) -> String {
    v["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

const NESTED: &str = r#"{
  datanet(id: 1) {
    id curated contributionCount bond
    contributions(first: 2, status: ACCEPTED) {
      edges { cursor node { id status contributor datanet { id } } }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
    versions { edges { node { version uri } } }
    curators { edges { node { curator } } }
  }
  model(id: 2) {
    id ownerBps inferenceCount
    parents { parent relationName royaltyBps parentModel { id uri } }
    ancestors { child parent depth }
    agents { edges { node { id wallet } } }
    trainingSets { datanetId version }
    revenue { net ownerShare dataShare agentShare }
    inferences { edges { node { id net } } }
  }
  agent(id: 1) {
    model { id }
    actionCount
    actions(first: 2, order: DESC) { edges { node { idx } } pageInfo { hasNextPage } }
    feedback { edges { node { value revoked } } }
    feedbackSummary { given average }
  }
  inferences(filter: { agent: 0 }) { edges { node { id agent { id } model { id } } } }
  currentRoot { epoch status signers }
  roots(status: ACCEPTED) { edges { node { epoch } } }
}"#;

#[tokio::test]
async fn graphql_serves_nested_connections_like_rest_on_both_backends() {
    let f = fixture(true).await;
    let owner = format!("{:#x}", f.eco.agent_owner);
    let account_query = format!(
        r#"{{ account(address: "{owner}") {{ earned claimed claimable reportLoaded
              proof {{ cumulative root epoch proof }}
              claims {{ edges {{ node {{ amount }} }} }} }}
           bob: account(address: "{:#x}") {{ proof {{ root }} }} }}"#,
        f.eco.bob
    );
    let mut answers = Vec::new();
    for s in f.both() {
        let b = s.base.as_str();
        let v = graphql(b, NESTED).await;
        let d = no_errors(&v);
        let dn = &d["datanet"];
        assert_eq!(dn["curated"], true);
        assert_eq!(dn["contributionCount"], 4);
        assert_eq!(node_ids(&dn["contributions"], "id"), vec![1, 2]);
        assert_eq!(dn["contributions"]["pageInfo"]["hasNextPage"], false);
        assert_eq!(dn["contributions"]["edges"][0]["node"]["datanet"]["id"], 1);
        assert_eq!(dn["versions"]["edges"][0]["node"]["version"], 1);
        let m = &d["model"];
        assert_eq!(m["ownerBps"], 3000);
        assert_eq!(m["parents"][0]["parent"], 1);
        assert_eq!(m["parents"][0]["relationName"], "fine_tune");
        assert_eq!(m["parents"][0]["parentModel"]["uri"], "ipfs://base");
        assert_eq!(m["ancestors"][0]["depth"], 1);
        assert_eq!(node_ids(&m["agents"], "id"), vec![1]);
        assert_eq!(m["trainingSets"][0]["datanetId"], 2);
        assert_eq!(
            m["revenue"]["net"],
            m["inferences"]["edges"][0]["node"]["net"]
        );
        let a = &d["agent"];
        assert_eq!(a["model"]["id"], 2);
        assert_eq!(node_ids(&a["actions"], "idx"), vec![2, 1]);
        assert_eq!(a["actions"]["pageInfo"]["hasNextPage"], true);
        assert_eq!(a["feedbackSummary"]["average"], "5");
        let inf = &d["inferences"]["edges"];
        assert_eq!(inf.as_array().unwrap().len(), 1);
        assert_eq!(inf[0]["node"]["agent"], Value::Null);
        assert_eq!(inf[0]["node"]["model"]["id"], 1);
        assert_eq!(d["currentRoot"]["signers"].as_array().unwrap().len(), 2);

        // Paging a connection with `after` walks the same rows as REST.
        let mut after = Value::Null;
        let mut seen = Vec::new();
        loop {
            let q = format!(
                "{{ contributions(first: 2, after: {after}) {{ edges {{ node {{ id }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
            );
            let v = graphql(b, &q).await;
            let c = &no_errors(&v)["contributions"];
            seen.extend(node_ids(c, "id"));
            if c["pageInfo"]["hasNextPage"] == false {
                break;
            }
            after = c["pageInfo"]["endCursor"].clone();
        }
        let rest: Vec<i64> = walk(b, "/v1/contributions", 3)
            .await
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect();
        assert_eq!(seen, rest);

        // Accounts with their proof; null where there is no balance.
        let v = graphql(b, &account_query).await;
        let acct = &no_errors(&v)["account"];
        assert_eq!(acct["earned"], f.eco.owner_earned.to_string());
        assert_eq!(acct["claimable"], f.eco.owner_earned.to_string());
        assert_eq!(acct["proof"]["root"], f.eco.report.root.to_string());
        let rest_proof = ok(b, &format!("/v1/accounts/{owner}/proof")).await;
        assert_eq!(acct["proof"]["proof"], rest_proof["proof"]);
        assert_eq!(no_errors(&v)["bob"]["proof"], Value::Null);

        answers.push((graphql(b, NESTED).await, v));
    }
    assert_eq!(answers[0], answers[1], "both backends answer the same");
}

#[tokio::test]
async fn graphql_refuses_deep_and_costly_queries_and_reports_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::sqlite_store(&dir, "gql.sqlite").await;
    let s = api_fixture::serve(store, Metrics::default()).await;
    let b = s.base.as_str();

    // Depth: parents → parentModel → parents ... nested past the limit.
    let mut deep = String::from("id");
    for _ in 0..10 {
        deep = format!("parents {{ parentModel {{ {deep} }} }}");
    }
    let v = graphql(b, &format!("{{ model(id: 1) {{ {deep} }} }}")).await;
    assert_eq!(v["data"], Value::Null, "refused, not executed: {v}");
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nested too deep"),
        "{v}"
    );
    // Complexity: 100 × 100 × 100 rows.
    let costly =
        "{ datanets(first: 100) { edges { node { contributions(first: 100) { edges { node {
        datanet { contributions(first: 100) { edges { node { id } } } } } } } } } } }";
    let v = graphql(b, costly).await;
    assert_eq!(v["data"], Value::Null, "{v}");
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("too complex"),
        "{v}"
    );
    // A shallow, cheap query passes on an empty index.
    let v = graphql(
        b,
        "{ datanets { edges { node { id } } pageInfo { hasNextPage } } }",
    )
    .await;
    assert_eq!(no_errors(&v)["datanets"]["edges"], json!([]));

    // Bad input: errors with the same codes as REST.
    for (q, code) in [
        (
            "{ contributions(first: 0) { edges { cursor } } }",
            "invalid_limit",
        ),
        (
            "{ contributions(first: 101) { edges { cursor } } }",
            "invalid_limit",
        ),
        (
            r#"{ contributions(after: "nope") { edges { cursor } } }"#,
            "invalid_cursor",
        ),
        (
            r#"{ contributions(filter: { contributor: "0x12" }) { edges { cursor } } }"#,
            "invalid_address",
        ),
        (
            r#"{ account(address: "bob") { earned } }"#,
            "invalid_address",
        ),
        ("{ model(id: -1) { id } }", "invalid_id"),
    ] {
        let v = graphql(b, q).await;
        assert_eq!(error_code(&v), code, "{q}: {v}");
    }
    let v = graphql(
        b,
        "{ contributions(filter: { status: BOGUS }) { edges { cursor } } }",
    )
    .await;
    assert!(v["errors"].is_array(), "unknown enum value: {v}");
    let v = graphql(b, "{ model(id: 99) { id } }").await;
    assert_eq!(no_errors(&v)["model"], Value::Null);

    // GraphiQL's introspection query fits the limits.
    let v = graphql(b, INTROSPECTION).await;
    let types = no_errors(&v)["__schema"]["types"].as_array().unwrap().len();
    assert!(types > 20, "{types}");

    // GraphiQL for browsers, execution for GET with a query.
    let html = reqwest::Client::new()
        .get(format!("{b}/graphql"))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(html.status().as_u16(), 200);
    assert!(
        html.text()
            .await
            .unwrap()
            .to_lowercase()
            .contains("graphiql")
    );
    let (status, v) = get(
        b,
        "/graphql?query=%7B%20datanets%20%7B%20edges%20%7B%20cursor%20%7D%20%7D%20%7D",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(no_errors(&v)["datanets"]["edges"], json!([]));
}

/// The routes the router serves (besides /graphql and /openapi.json themselves).
const ROUTES: &[(&str, &str)] = &[
    ("get", "/health"),
    ("get", "/ready"),
    ("get", "/metrics"),
    ("post", "/v1/content"),
    ("get", "/v1/content/{hash}"),
    ("get", "/v1/datanets"),
    ("get", "/v1/datanets/{id}"),
    ("get", "/v1/datanets/{id}/contributions"),
    ("get", "/v1/datanets/{id}/curators"),
    ("get", "/v1/datanets/{id}/versions"),
    ("get", "/v1/contributions"),
    ("get", "/v1/contributions/{id}"),
    ("get", "/v1/models"),
    ("get", "/v1/models/{id}"),
    ("get", "/v1/models/{id}/lineage"),
    ("get", "/v1/models/{id}/parents"),
    ("get", "/v1/models/{id}/children"),
    ("get", "/v1/models/{id}/training-sets"),
    ("get", "/v1/models/{id}/agents"),
    ("get", "/v1/models/{id}/revenue"),
    ("get", "/v1/agents"),
    ("get", "/v1/agents/{id}"),
    ("get", "/v1/agents/{id}/actions"),
    ("get", "/v1/agents/{id}/feedback"),
    ("get", "/v1/agents/{id}/feedback/summary"),
    ("get", "/v1/inferences"),
    ("get", "/v1/inferences/{id}"),
    ("get", "/v1/roots"),
    ("get", "/v1/roots/current"),
    ("get", "/v1/claims"),
    ("get", "/v1/accounts/{address}"),
    ("get", "/v1/accounts/{address}/proof"),
];

#[tokio::test]
async fn openapi_document_parses_and_lists_every_route() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::sqlite_store(&dir, "openapi.sqlite").await;
    let s = api_fixture::serve(store, Metrics::default()).await;
    let raw = ok(&s.base, "/openapi.json").await;
    assert!(raw["openapi"].as_str().unwrap().starts_with("3."));
    // It is a valid OpenAPI document by utoipa's own model of one.
    let doc: utoipa::openapi::OpenApi = serde_json::from_value(raw.clone()).unwrap();
    assert!(!doc.info.title.is_empty());

    let documented: BTreeSet<(String, String)> = raw["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| ["get", "post", "put", "delete", "patch"].contains(&k.as_str()))
                .map(|m| (m.clone(), path.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    let expected: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(documented, expected);

    for (method, path) in ROUTES {
        let op = &raw["paths"][path][method];
        assert!(
            op["responses"]["200"].is_object() || op["responses"]["201"].is_object(),
            "{path}"
        );
        // Every documented GET route is really served (a missing route answers `no_route`).
        if *method == "get" {
            let url = path
                .replace("{id}", "1")
                .replace("{address}", "0x00000000000000000000000000000000000000aa")
                .replace(
                    "{hash}",
                    "0x0000000000000000000000000000000000000000000000000000000000000001",
                );
            let (status, body) = get(&s.base, &url).await;
            assert_ne!(
                body["error"]["code"], "no_route",
                "{path} is documented but not served"
            );
            // (/ready is 503 on purpose: nothing is indexed here.)
            assert!(status < 500 || *path == "/ready", "{path}: {status} {body}");
        }
    }
    // Every `$ref` names a schema the document defines.
    let mut refs = Vec::new();
    collect_refs(&raw, &mut refs);
    assert!(refs.len() > 30);
    for r in refs {
        let name = r.strip_prefix("#/components/schemas/").unwrap();
        assert!(
            raw["components"]["schemas"][name].is_object(),
            "dangling {r}"
        );
    }
    // Schemas of the entities are in the components, with decimal strings for amounts.
    let schemas = &raw["components"]["schemas"];
    for name in [
        "Datanet",
        "Contribution",
        "Model",
        "Agent",
        "Inference",
        "Root",
        "Proof",
        "ErrorBody",
    ] {
        assert!(schemas[name].is_object(), "{name} schema missing");
    }
    assert_eq!(schemas["Inference"]["properties"]["net"]["type"], "string");
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

/// The introspection query GraphiQL sends on load (its TypeRef fragment is the deepest part).
const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
}
"#;
