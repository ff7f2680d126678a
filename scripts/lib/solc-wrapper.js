#!/usr/bin/env node
// A native-`solc` look-alike over solcjs (the official emscripten build from npm).
//
// Why: forge and foundry-compilers want a `solc` executable, and no native build can be
// downloaded on this project's machines. They only ever ask two things of it:
//   solc --version
//   solc --standard-json [--base-path P] [--include-path P]... [--allow-paths A,B]  (JSON on stdin)
// Anything else is refused loudly rather than half-supported.
'use strict';

const fs = require('fs');
const path = require('path');
const solc = require('solc');

// solcjs reports "0.8.30+commit.73712a01.Emscripten.clang"; forge parses the native form.
const VERSION = solc.version().replace('Emscripten.clang', 'Linux.g++');

function fail(msg) {
  process.stderr.write(`solc-wrapper: ${msg}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
if (args.includes('--version') || args.includes('-v')) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${VERSION}\n`);
  process.exit(0);
}
if (!args.includes('--standard-json')) {
  fail(`only --version and --standard-json are supported, got: ${args.join(' ')}`);
}

// Import roots in the order solc itself tries them: base path first, then include paths.
const roots = [];
const allowed = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const next = () => {
    if (i + 1 >= args.length) fail(`${a} needs a value`);
    return args[++i];
  };
  if (a === '--base-path') roots.unshift(path.resolve(next()));
  else if (a === '--include-path') roots.push(path.resolve(next()));
  else if (a === '--allow-paths') allowed.push(...next().split(',').filter(Boolean).map((p) => path.resolve(p)));
  else if (a === '--standard-json') continue;
  else if (a.startsWith('-')) fail(`unsupported flag ${a}`);
}
if (roots.length === 0) roots.push(process.cwd());

function findImport(importPath) {
  const candidates = path.isAbsolute(importPath)
    ? [importPath]
    : roots.map((r) => path.join(r, importPath));
  for (const c of candidates) {
    try {
      return { contents: fs.readFileSync(c, 'utf8') };
    } catch (_) {
      // try the next root
    }
  }
  return { error: `File not found: ${importPath} (searched ${roots.join(', ')})` };
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  // Sources given by URL rather than content are resolved here so solcjs sees plain content.
  let parsed;
  try {
    parsed = JSON.parse(input);
  } catch (e) {
    fail(`stdin is not JSON: ${e.message}`);
  }
  for (const [name, src] of Object.entries(parsed.sources || {})) {
    if (src.content === undefined && Array.isArray(src.urls)) {
      const found = src.urls.map(findImport).find((r) => r.contents !== undefined);
      if (found) src.content = found.contents;
      else fail(`cannot read source ${name}`);
      delete src.urls;
    }
  }
  const out = solc.compile(JSON.stringify(parsed), { import: findImport });
  process.stdout.write(out);
});
