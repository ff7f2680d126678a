// The indexer's REST API (same origin as the app). Errors arrive as {"error": {code, message}}.
import { UserError } from './chain.js';

export async function get(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  if (!res.ok) throw await apiError(res);
  return res.json();
}

/** Every item of a keyset-paginated list (bounded: at most `max` items). */
export async function all(path, max = 2000) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await get(`${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}

/** Null instead of an error for a 404 (an account that never earned, a root not yet posted). */
export async function maybe(path) {
  try {
    return await get(path);
  } catch (e) {
    if (e.status === 404) return null;
    throw e;
  }
}

/** Uploads bytes to the content store; the server checks them against the hash we computed. */
export async function putContent(bytes, hash) {
  const res = await fetch('/v1/content', {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'x-content-hash': hash },
    body: bytes,
  });
  if (!res.ok) throw await apiError(res);
  const body = await res.json();
  if (body.hash.toLowerCase() !== hash.toLowerCase()) {
    throw new UserError(`The content store hashed the upload to ${body.hash}, not ${hash}.`);
  }
  return body;
}

export async function getContentText(hash) {
  const res = await fetch(`/v1/content/${hash}`);
  if (res.status === 404) return null;
  if (!res.ok) throw await apiError(res);
  return new TextDecoder().decode(await res.arrayBuffer());
}

async function apiError(res) {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = await res.json();
    if (body?.error?.message) message = body.error.message;
  } catch {
    // not JSON: keep the status line
  }
  const err = new UserError(`The indexer answered: ${message}`, { code: 'api' });
  err.status = res.status;
  return err;
}

/** How far the indexer is behind the chain head, from /ready. */
export async function lag() {
  const res = await fetch('/ready');
  const body = await res.json();
  return { ready: body.ready, head: body.head_block, indexed: body.indexed_block };
}

/**
 * Resolves true once the indexer has indexed `block` (so a page reloaded now shows what the
 * transaction did), false if it has not within `ms`.
 */
export async function untilIndexed(block, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const { indexed } = await lag();
      if (indexed != null && BigInt(indexed) >= BigInt(block)) return true;
    } catch {
      // the API is briefly unreachable: keep trying until the deadline
    }
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 300));
  }
}
