//! The `openledger-indexer run` process: serves while it follows a live chain, and stops cleanly
//! on SIGTERM.
#![allow(clippy::unwrap_used)]

mod common;

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use common::{Net, economy};

async fn get(url: &str) -> Option<(u16, String)> {
    let resp = reqwest::get(url).await.ok()?;
    let status = resp.status().as_u16();
    Some((status, resp.text().await.ok()?))
}

#[tokio::test(flavor = "multi_thread")]
async fn run_follows_a_live_chain_serves_and_stops_on_sigterm() {
    let net = Net::start().await;
    let eco = economy(&net).await;
    let dir = tempfile::tempdir().unwrap();
    let deployment = net.deployment.save(dir.path()).unwrap();
    let db = dir.path().join("run.sqlite");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_openledger-indexer"))
        .args([
            "run",
            "--rpc-url",
            &net.url,
            "--finality-depth",
            "4",
            "--poll-interval",
            "0.05",
        ])
        .arg("--database-url")
        .arg(format!("sqlite:{}", db.display()))
        .arg("--deployment")
        .arg(&deployment)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while get(&format!("{base}/health")).await.is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "API never came up"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // A contribution made while it runs shows up in the database.
    net.as_account(2)
        .contribute(eco.open, b"made while running", "ipfs://live")
        .await
        .unwrap();
    let url = format!("sqlite:{}", db.display());
    let store = openledger_indexer::Store::connect(&url).await.unwrap();
    let openledger_indexer::Store::Sqlite(pool) = &store else {
        unreachable!()
    };
    loop {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM contributions WHERE uri = 'ipfs://live'")
                .fetch_one(pool)
                .await
                .unwrap();
        if n == 1 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the live contribution never arrived"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let stopping = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(
            stopping.elapsed() < Duration::from_secs(10),
            "did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
