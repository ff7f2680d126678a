//! The demo's scenario, smaller, as a test: the real binaries (anvil, indexer + API, three oracle
//! nodes) and the demo's own checks (claims equal the report, the indexer agrees with the chain,
//! `verify` accepts every epoch, the gamer earns nothing from copies, conservation to the wei).
#![allow(clippy::unwrap_used)]

use std::{net::TcpListener, process::Command};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Three consecutive free ports for the oracle nodes.
fn free_run() -> u16 {
    for _ in 0..200 {
        let base = free_port();
        if base < 65_000 && (1..3).all(|i| TcpListener::bind(("127.0.0.1", base + i)).is_ok()) {
            return base;
        }
    }
    panic!("no three consecutive free ports");
}

#[test]
fn the_demo_scenario_passes_its_checks() {
    let exe = std::path::PathBuf::from(env!("CARGO_BIN_EXE_openledger-demo"));
    let bin_dir = exe.parent().unwrap();
    for sibling in ["openledger-indexer", "openledger-oracle"] {
        assert!(
            bin_dir.join(sibling).is_file(),
            "{sibling} is not built next to the demo: run the workspace's tests (cargo test --workspace)"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(&exe)
        .args(["--exit", "--inferences", "24", "--dispute-window", "3"])
        .arg("--data-dir")
        .arg(dir.path().join("demo"))
        .args(["--rpc-port", &free_port().to_string()])
        .args(["--api-port", &free_port().to_string()])
        .args(["--oracle-port", &free_run().to_string()])
        .env("OPENLEDGER_BIN_DIR", bin_dir)
        .env("ANVIL_BIN", openledger_testkit::anvil_bin().unwrap())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "demo failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("all checks passed"), "{stdout}");
    assert!(
        stdout.contains("The gamer resubmitted 6 records"),
        "{stdout}"
    );
    // The checks that failed the run otherwise: both printed, so both ran.
    for check in [
        "the mosaic copier's spliced sentences earned nothing",
        "the base model's owner, quoted in every base output, earned no data share",
    ] {
        assert!(stdout.contains(check), "{stdout}");
    }
    println!("{stdout}");
}
