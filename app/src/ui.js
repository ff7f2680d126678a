// Small shared pieces: the html tag, a data-loading hook, the transaction button and its status
// line, and formatting. Kept here so each page reads as its flow.
import { h } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import htm from 'htm';
import { formatUnits } from 'viem';
import { untilIndexed } from './api.js';
import { friendly, lastConfirmedBlock } from './chain.js';

export const html = htm.bind(h);

/** Runs `load` when `deps` change; `reload()` runs it again (after a transaction, say). */
export function useLoad(load, deps) {
  const [state, setState] = useState({});
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(deps);
  useEffect(() => {
    let live = true;
    // Data of other arguments (another account, say) must not render while the new loads; a
    // reload of the same arguments keeps the page (and its forms) in place.
    setState((s) => (s.key === key ? s : { key }));
    load().then(
      (data) => live && setState({ key, data }),
      (e) => live && setState({ key, error: friendly(e) }),
    );
    return () => {
      live = false;
    };
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  // The render before the effect ran for new arguments must not show the old arguments' data.
  return state.key === key ? { ...state, reload } : { reload };
}

/** What a load is doing: a spinner line, its error, or its content. */
export function Loaded({ state, children }) {
  if (state.error) return html`<${ErrorLine} error=${state.error} />`;
  if (state.data === undefined) return html`<p class="muted" role="status">Loading…</p>`;
  return children(state.data);
}

export function ErrorLine({ error }) {
  const [busy, setBusy] = useState(false);
  const action = error.action;
  return html`<div class="error" role="alert" data-code=${error.code ?? ''}>
    <span>${error.message}</span>
    ${action &&
    html`<button
      disabled=${busy}
      onClick=${async () => {
        setBusy(true);
        try {
          await action.run();
          location.reload();
        } catch (e) {
          alert(friendly(e).message);
        } finally {
          setBusy(false);
        }
      }}
    >${action.label}</button>`}
  </div>`;
}

/**
 * A button that runs one or more transactions. `run(step)` reports progress through
 * `step({ label, hash })`; success is only shown once `run` resolved (after its receipts).
 */
export function TxButton({ label, run, onDone, disabled, id }) {
  const [state, setState] = useState({ phase: 'idle' });
  const click = async () => {
    setState({ phase: 'wallet', label: 'Waiting for your wallet…' });
    try {
      const result = await run((s) => setState({ phase: s.hash ? 'pending' : 'wallet', ...s }));
      const label = typeof result === 'string' ? result : 'Done: confirmed on chain.';
      if (onDone) {
        // Reloading before the indexer has the block would show the page as it was before.
        setState({ phase: 'pending', label: 'Confirmed; waiting for the indexer' });
        const caughtUp = await untilIndexed(lastConfirmedBlock());
        setState({ phase: 'done', label: caughtUp ? label : `${label} The indexer is behind the chain: refresh in a moment to see it.` });
        onDone(result);
      } else {
        setState({ phase: 'done', label });
      }
    } catch (e) {
      setState({ phase: 'error', error: friendly(e) });
    }
  };
  const busy = state.phase === 'wallet' || state.phase === 'pending';
  return html`<span class="tx">
    <button id=${id} disabled=${busy || disabled} onClick=${click}>${label}</button>
    ${state.phase === 'wallet' && html`<span class="muted" role="status">${state.label}</span>`}
    ${state.phase === 'pending' &&
    html`<span class="pending" role="status">${state.label ?? 'Pending'}${state.hash ? html`: <code>${short(state.hash)}</code>` : '…'}</span>`}
    ${state.phase === 'done' && html`<span class="ok" role="status">${state.label}</span>`}
    ${state.phase === 'error' && html`<${ErrorLine} error=${state.error} />`}
  </span>`;
}

export const short = (hex) => (hex ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : '');

/** A token amount (18 decimals, decimal string or bigint) for people: at most 4 decimals. */
export function tokens(amount) {
  const s = formatUnits(BigInt(amount ?? 0), 18);
  const [i, f = ''] = s.split('.');
  const frac = f.slice(0, 4).replace(/0+$/, '');
  return frac ? `${i}.${frac}` : i;
}

/** `n` and the noun, plural unless one: plural(1, 'payment') is "1 payment". */
export const plural = (n, one, many = `${one}s`) => `${n} ${Number(n) === 1 ? one : many}`;

export const pct = (bps) => `${(Number(bps) / 100).toFixed(2).replace(/\.?0+$/, '')}%`;

export function Addr({ a }) {
  return html`<a href=${`#/account/${a}`} title=${a}><code>${short(a)}</code></a>`;
}

export function Status({ s }) {
  return html`<span class=${`badge ${s}`}>${s}</span>`;
}

export function ago(unix) {
  if (!unix) return '';
  return new Date(unix * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}
