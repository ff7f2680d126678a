//! The built binary against a real anvil.
#![allow(clippy::unwrap_used)]

use std::process::Command;

fn openledger() -> Command {
    Command::new(env!("CARGO_BIN_EXE_openledger"))
}

#[test]
fn chain_info_reads_a_live_node() {
    let anvil = openledger_testkit::spawn_anvil().expect("anvil");
    let out = openledger()
        .args([
            "chain-info",
            "--json",
            "--rpc-url",
            anvil.endpoint().as_str(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["chainId"], 31337);
    assert_eq!(v["head"], 0);
}

#[test]
fn unreachable_rpc_is_a_clear_error() {
    let out = openledger()
        .args(["chain-info", "--rpc-url", "http://127.0.0.1:9"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no answer from"));
}

#[test]
fn hash_matches_the_sdk() {
    let dir = std::env::temp_dir().join(format!("ol-cli-hash-{}", std::process::id()));
    std::fs::write(&dir, b"a record").unwrap();
    let out = openledger()
        .args(["hash", "--json"])
        .arg(&dir)
        .output()
        .unwrap();
    std::fs::remove_file(&dir).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["contentHash"],
        openledger_sdk::content_hash(b"a record").to_string()
    );
    assert_eq!(v["size"], 8);
}
