# Shared by scripts/*: repository root, pinned tool paths, and messages. Source, don't run.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLBIN="$ROOT/.toolchain/bin"
export PATH="$TOOLBIN:$PATH"

# Versions pinned here and in package.json; setup refuses to continue when they disagree.
FOUNDRY_VERSION="1.7.1"
SOLC_VERSION="0.8.30"
MIN_NODE_MAJOR=20
MIN_RUST="1.95"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
