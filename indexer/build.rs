//! Bundles the web app (`app/`, preact + viem, by esbuild) into `OUT_DIR/app`, which
//! `src/api/app.rs` embeds: the binary serves exactly the app of its own source tree, offline.

use std::{env, path::PathBuf, process::Command};

fn main() {
    if let Err(err) = run() {
        panic!("bundling the web app failed: {err}");
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?);
    let app = manifest
        .parent()
        .ok_or("indexer/ has no parent")?
        .join("app");
    let out = PathBuf::from(env::var("OUT_DIR")?).join("app");
    for watched in ["src", "build.mjs", "package-lock.json"] {
        println!("cargo:rerun-if-changed={}", app.join(watched).display());
    }
    if !app.join("node_modules/esbuild").is_dir() {
        return Err(format!(
            "{} lacks its npm packages: run scripts/setup first",
            app.display()
        )
        .into());
    }
    let status = Command::new("node")
        .arg(app.join("build.mjs"))
        .arg(&out)
        .status()
        .map_err(|e| format!("running node: {e} (Node.js 20+ is needed, see README)"))?;
    if !status.success() {
        return Err(format!("node build.mjs exited with {status}").into());
    }
    Ok(())
}
