//! The content store end to end: the SDK's client against the API over real SQLite and Postgres.
#![allow(clippy::unwrap_used)]

use alloy::transports::http::reqwest;
use openledger_indexer::{
    Store,
    api::{self, ApiState},
    sync::Metrics,
};
use openledger_sdk::{
    content_client::{ContentClient, ContentStoreError},
    content_hash,
};
use openledger_testkit::pg::TempDb;

/// Serves the API for `store` on a free loopback port; returns its base URL.
async fn serve(store: Store, max: usize) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let state = ApiState::new(store, Metrics::default()).with_max_content_bytes(max);
        axum::serve(listener, api::router(state)).await
    });
    format!("http://{addr}")
}

async fn exercise(store: Store) {
    let base = serve(store.clone(), 1024).await;
    let client = ContentClient::new(&base);
    let http = reqwest::Client::new();

    let record = b"The first accepted record of a datanet.".to_vec();
    let hash = client.put(&record).await.unwrap();
    assert_eq!(hash, content_hash(&record));
    assert_eq!(client.get(hash).await.unwrap(), record);
    // Storing again is idempotent (200 instead of 201), same hash.
    let again = http
        .post(format!("{base}/v1/content"))
        .body(record.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(client.put(&record).await.unwrap(), hash);

    // Missing content, malformed hash, empty body: clear 4xx answers with JSON errors.
    let missing = content_hash(b"never stored");
    assert!(
        matches!(client.get(missing).await, Err(ContentStoreError::NotFound(h)) if h == missing)
    );
    let bad = http
        .get(format!("{base}/v1/content/0x1234"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let body: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_hash");
    let empty = http
        .post(format!("{base}/v1/content"))
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 400);

    // Bytes that do not hash to what the uploader says are refused and not stored.
    let resp = http
        .post(format!("{base}/v1/content"))
        .header("x-content-hash", missing.to_string())
        .body(b"something else".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(
        resp.json::<serde_json::Value>().await.unwrap()["error"]["code"],
        "hash_mismatch"
    );
    assert!(
        store
            .get_content(&content_hash(b"something else").to_string())
            .await
            .unwrap()
            .is_none()
    );

    // Over the size limit: 413, nothing stored.
    let big = vec![b'x'; 1025];
    match client.put(&big).await {
        Err(ContentStoreError::Status { status: 413, .. }) => {}
        other => panic!("expected 413, got {other:?}"),
    }
    assert!(
        store
            .get_content(&content_hash(&big).to_string())
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn content_store_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("index.sqlite").display());
    exercise(Store::connect(&url).await.unwrap()).await;
}

#[tokio::test]
async fn content_store_on_postgres() {
    let db = TempDb::create()
        .await
        .expect("PostgreSQL is required for this test");
    exercise(Store::connect(db.url()).await.unwrap()).await;
}

#[tokio::test]
async fn client_refuses_bytes_corrupted_in_storage() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("index.sqlite").display());
    let store = Store::connect(&url).await.unwrap();
    let base = serve(store.clone(), 1024).await;
    let client = ContentClient::new(&base);
    let hash = client.put(b"original bytes").await.unwrap();

    // Damage the stored row behind the API's back, as a disk or an operator might.
    let Store::Sqlite(pool) = &store else {
        unreachable!()
    };
    sqlx::query("UPDATE contents SET bytes = ? WHERE hash = ?")
        .bind(b"tampered bytes".as_slice())
        .bind(hash.to_string())
        .execute(pool)
        .await
        .unwrap();
    match client.get(hash).await {
        Err(ContentStoreError::Mismatch(e)) => {
            assert_eq!(e.expected, hash);
            assert_eq!(e.actual, content_hash(b"tampered bytes"));
        }
        other => panic!("expected a mismatch, got {other:?}"),
    }
}
