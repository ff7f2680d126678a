#!/usr/bin/env node
// The reference the Rust Merkle tree (sdk/src/merkle) is tested against: the real
// @openzeppelin/merkle-tree from the repo's node_modules, nothing re-implemented here.
//
// Test mode (default): reads JSON on stdin
//   { "values": [[account, token, amount], ...], "multiproofs": [[valueIndex, ...], ...],
//     "load": <a dump to load with StandardMerkleTree.load, or null> }
// and prints
//   { "root", "proofs": [proof of value i], "proofsByValue": [getProof(values[i])],
//     "multiproofs": [getMultiProof(subset)], "multiproofsVerify": [bool], "dump",
//     "loadedRoot": root of the loaded dump or null }.
//
// Bench mode: `node scripts/lib/merkle-reference.js --bench N [PROOFS]` builds a tree of N
// random claims and times the build and PROOFS proofs (default min(N, 2000)), printing JSON.
'use strict';

const path = require('path');
const crypto = require('crypto');

const { StandardMerkleTree } = require(
  path.join(__dirname, '..', '..', 'node_modules', '@openzeppelin', 'merkle-tree'),
);

const ENCODING = ['address', 'address', 'uint256'];

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', c => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

async function testMode() {
  const input = JSON.parse(await readStdin());
  const tree = StandardMerkleTree.of(input.values, ENCODING);
  const proofs = input.values.map((_, i) => tree.getProof(i));
  const proofsByValue = input.values.map(v => tree.getProof(v));
  const multiproofs = (input.multiproofs || []).map(subset => tree.getMultiProof(subset));
  const multiproofsVerify = multiproofs.map(mp =>
    StandardMerkleTree.verifyMultiProof(tree.root, ENCODING, mp),
  );
  let loadedRoot = null;
  if (input.load) {
    loadedRoot = StandardMerkleTree.load(input.load).root;
  }
  process.stdout.write(
    JSON.stringify({
      root: tree.root,
      proofs,
      proofsByValue,
      multiproofs,
      multiproofsVerify,
      dump: tree.dump(),
      loadedRoot,
    }),
  );
}

function randomClaim() {
  const hex = n => '0x' + crypto.randomBytes(n).toString('hex');
  return [hex(20), hex(20), BigInt(hex(16)).toString()];
}

function benchMode(n, proofs) {
  const values = Array.from({ length: n }, randomClaim);
  const t0 = process.hrtime.bigint();
  const tree = StandardMerkleTree.of(values, ENCODING);
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < proofs; i++) {
    tree.getProof(Math.floor((i * n) / proofs));
  }
  const t2 = process.hrtime.bigint();
  const buildS = Number(t1 - t0) / 1e9;
  const proofsS = Number(t2 - t1) / 1e9;
  process.stdout.write(
    JSON.stringify({
      leaves: n,
      build_s: buildS,
      proofs,
      proofs_s: proofsS,
      per_proof_ms: (proofsS * 1000) / proofs,
      root: tree.root,
    }) + '\n',
  );
}

if (process.argv[2] === '--bench') {
  const n = Number(process.argv[3] || 20000);
  const proofs = Number(process.argv[4] || Math.min(n, 2000));
  benchMode(n, proofs);
} else {
  testMode().catch(e => {
    console.error(e && e.stack ? e.stack : e);
    process.exit(1);
  });
}
