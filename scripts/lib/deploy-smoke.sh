#!/usr/bin/env bash
# Deploy smoke test against a real chain: starts its own anvil on a free port, runs
# contracts/script/Deploy.s.sol with the local defaults (anvil account 0 deploying) into a temporary
# DEPLOYMENTS_OUT, then checks the JSON (keys, values, checksummed addresses) and the chain (code at
# every address, the escrow's wiring, signers and parameters). Cleans up on exit; non-zero on any problem.
#
#   scripts/lib/deploy-smoke.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"

tool() { # the pinned binary: .toolchain/bin (after scripts/setup) or straight from node_modules
  if [ -x "$TOOLBIN/$1" ]; then echo "$TOOLBIN/$1"; else echo "$ROOT/node_modules/@foundry-rs/$1-linux-amd64/bin/$1"; fi
}
FORGE="$(tool forge)"
ANVIL="$(tool anvil)"
CAST="$(tool cast)"
for t in "$FORGE" "$ANVIL" "$CAST"; do [ -x "$t" ] || die "missing $t: run scripts/setup"; done
command -v node >/dev/null || die "node is needed to read the deployment JSON"

# Anvil's well-known dev key 0 (mnemonic "test test test test test test test test test test test junk").
DEPLOYER_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
DEPLOYER=0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266

# /tmp, not $TMPDIR: foundry.toml grants the script write access to /tmp only.
work="$(mktemp -d /tmp/openledger-deploy-smoke.XXXXXX)"
anvil_pid=""
cleanup() {
  if [ -n "$anvil_pid" ]; then kill "$anvil_pid" 2>/dev/null || true; wait "$anvil_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

say "deploy smoke: starting anvil"
"$ANVIL" --port 0 >"$work/anvil.log" 2>&1 &
anvil_pid=$!
# Port 0: the OS picks a free port, which anvil prints.
port=""
for _ in $(seq 1 100); do
  port="$(sed -nE 's/^Listening on 127\.0\.0\.1:([0-9]+).*/\1/p' "$work/anvil.log" | head -1)"
  [ -n "$port" ] && break
  kill -0 "$anvil_pid" 2>/dev/null || { cat "$work/anvil.log" >&2; die "anvil exited"; }
  sleep 0.1
done
[ -n "$port" ] || die "anvil did not start listening"
rpc="http://127.0.0.1:$port"
for _ in $(seq 1 50); do "$CAST" chain-id --rpc-url "$rpc" >/dev/null 2>&1 && break; sleep 0.1; done
[ "$("$CAST" chain-id --rpc-url "$rpc")" = 31337 ] || die "unexpected chain id"

say "deploy smoke: forge script on $rpc"
out="$work/31337.json"
# Only the defaults: clear any deployment variable inherited from the caller's shell.
env -u PAYMENT_TOKEN -u OWNER -u GUARDIAN -u TREASURY -u PROTOCOL_FEE_BPS -u DISPUTE_WINDOW \
  -u ORACLE_SIGNERS -u ORACLE_THRESHOLD DEPLOYMENTS_OUT="$out" \
  "$FORGE" script contracts/script/Deploy.s.sol --rpc-url "$rpc" --broadcast --private-key "$DEPLOYER_KEY" \
  >"$work/forge.log" 2>&1 || { cat "$work/forge.log" >&2; die "forge script failed"; }
[ -s "$out" ] || die "no deployment JSON at $out"

say "deploy smoke: checking $out"
# Key set, types, checksummed addresses; prints "name address" lines for the chain checks.
node - "$out" >"$work/addresses" <<'EOF'
const fs = require("fs");
const d = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const fail = (m) => { console.error("deployment JSON: " + m); process.exit(1); };
const keys = (o, want, where) => {
  const got = Object.keys(o).sort().join(",");
  if (got !== [...want].sort().join(",")) fail(`${where} keys ${got}, want ${want}`);
};
const isAddr = (a) => typeof a === "string" && /^0x[0-9a-fA-F]{40}$/.test(a) && a !== a.toLowerCase();
const isNum = (n) => Number.isSafeInteger(n) && n >= 0;
keys(d, ["chainId", "startBlock", "contracts", "oracle", "params", "devToken"], "top-level");
keys(d.contracts, ["paymentToken", "datanetRegistry", "modelRegistry", "agentRegistry", "rewardEscrow"], "contracts");
keys(d.oracle, ["signers", "threshold"], "oracle");
keys(d.params, ["protocolFeeBps", "disputeWindow", "governanceDelay", "owner", "guardian", "treasury"], "params");
if (d.chainId !== 31337) fail("chainId " + d.chainId);
if (!isNum(d.startBlock)) fail("startBlock not a number");
if (d.devToken !== true) fail("devToken should be true on anvil");
for (const [k, v] of Object.entries(d.contracts)) if (!isAddr(v)) fail(`contracts.${k} not a checksummed address: ${v}`);
const want = ["0x14dC79964da2C08b23698B3D3cc7Ca32193d9955", "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f",
  "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720"];
if (JSON.stringify(d.oracle.signers) !== JSON.stringify(want)) fail("signers " + d.oracle.signers);
if (d.oracle.threshold !== 2) fail("threshold " + d.oracle.threshold);
const p = d.params;
if (p.protocolFeeBps !== 500 || p.disputeWindow !== 60 || p.governanceDelay !== 172800) fail("params " + JSON.stringify(p));
for (const k of ["owner", "guardian", "treasury"]) if (!isAddr(p[k])) fail(`params.${k} not a checksummed address`);
for (const [k, v] of Object.entries(d.contracts)) console.log(k, v);
console.log("owner", p.owner);
console.log("startBlock", d.startBlock);
EOF

addr() { awk -v k="$1" '$1 == k {print $2}' "$work/addresses"; }
lower() { tr '[:upper:]' '[:lower:]' <<<"$1"; }
same() { [ "$(lower "$1")" = "$(lower "$2")" ] || die "$3: got $1, want $2"; }
call() { "$CAST" call "$1" "$2" --rpc-url "$rpc"; }

for name in paymentToken datanetRegistry modelRegistry agentRegistry rewardEscrow; do
  code="$("$CAST" code "$(addr "$name")" --rpc-url "$rpc")"
  [ "${#code}" -gt 2 ] || die "no code at $name $(addr "$name")"
done
same "$(addr owner)" "$DEPLOYER" "owner (deployer by default)"
escrow="$(addr rewardEscrow)"
same "$(call "$escrow" 'TOKEN()(address)')" "$(addr paymentToken)" "escrow TOKEN"
same "$(call "$escrow" 'MODEL_REGISTRY()(address)')" "$(addr modelRegistry)" "escrow MODEL_REGISTRY"
same "$(call "$escrow" 'AGENT_REGISTRY()(address)')" "$(addr agentRegistry)" "escrow AGENT_REGISTRY"
same "$(call "$escrow" 'owner()(address)')" "$DEPLOYER" "escrow owner"
same "$(call "$(addr agentRegistry)" 'MODEL_REGISTRY()(address)')" "$(addr modelRegistry)" "agents MODEL_REGISTRY"
same "$(call "$(addr datanetRegistry)" 'BOND_TOKEN()(address)')" "$(addr paymentToken)" "datanets BOND_TOKEN"
[ "$(call "$escrow" 'threshold()(uint8)')" = 2 ] || die "escrow threshold"
[ "$(call "$escrow" 'protocolFeeBps()(uint16)')" = 500 ] || die "escrow protocolFeeBps"
[ "$(call "$escrow" 'disputeWindow()(uint32)')" = 60 ] || die "escrow disputeWindow"
signers="$(call "$escrow" 'signers()(address[])')"
same "$signers" "[0x14dC79964da2C08b23698B3D3cc7Ca32193d9955, 0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f, 0xa0Ee7A142d267C1f36714E4a8F75612F20a79720]" "escrow signers"
# startBlock is safe for indexing: no contract existed at it.
start="$(addr startBlock)"
code_at_start="$("$CAST" code "$escrow" --rpc-url "$rpc" --block "$start")"
[ "$code_at_start" = "0x" ] || die "the escrow already had code at startBlock $start"

say "deploy smoke: ok (5 contracts on anvil:$port, JSON checked)"
