// Models (lineage as a picture, fee split, royalties, revenue) and agents (actions, feedback,
// giving feedback).
import { useState } from 'preact/hooks';
import { keccak256, toHex } from 'viem';
import { all, get } from './api.js';
import { send, UserError } from './chain.js';
import { Addr, ago, html, Loaded, pct, TxButton, tokens, useLoad, plural } from './ui.js';

const RELATION = ['is fine-tuned from', 'is an adapter of', 'is merged from', 'is a quantization of'];

export function Models() {
  const state = useLoad(() => all('/v1/models'), []);
  return html`<h1>Models</h1>
    <${Loaded} state=${state}>${(rows) => html`<div class="scroll"><table>
      <thead><tr><th>#</th><th>About</th><th>Owner</th><th>Owner / data / agent</th><th>Parents</th><th>Inferences</th></tr></thead>
      <tbody>${rows.map(
        (m) => html`<tr>
          <td><a href=${`#/models/${m.id}`}>${m.id}</a></td>
          <td class="wrap"><a href=${`#/models/${m.id}`}>${m.uri || `Model ${m.id}`}</a>${m.deprecated ? ' (deprecated)' : ''}</td>
          <td><${Addr} a=${m.owner} /></td>
          <td>${pct(m.owner_bps)} / ${pct(m.data_bps)} / ${pct(m.agent_bps)}</td>
          <td>${m.parent_count}</td><td>${m.inferences}</td>
        </tr>`,
      )}</tbody></table></div>`}<//>`;
}

export function Model({ id }) {
  const state = useLoad(async () => {
    const [m, lineage, revenue, sets, agents] = await Promise.all([
      get(`/v1/models/${id}`),
      get(`/v1/models/${id}/lineage`),
      get(`/v1/models/${id}/revenue`),
      all(`/v1/models/${id}/training-sets`),
      all(`/v1/models/${id}/agents`),
    ]);
    return { m, lineage, revenue, sets, agents };
  }, [id]);
  return html`<${Loaded} state=${state}>${({ m, lineage, revenue, sets, agents }) => html`
    <h1>Model ${m.id}</h1>
    <p class="wrap">${m.uri}</p>
    <dl class="facts">
      <dt>Owner</dt><dd><${Addr} a=${m.owner} /></dd>
      <dt>Fee split</dt><dd>owner ${pct(m.owner_bps)}, data contributors ${pct(m.data_bps)}, agent ${pct(m.agent_bps)} (after the protocol fee)</dd>
      <dt>Trained on</dt><dd>${sets.length ? sets.map((s) => html`<a href=${`#/datanets/${s.datanet_id}`}>datanet ${s.datanet_id}</a> v${s.version} `) : 'no datanet'}</dd>
      <dt>Revenue</dt><dd>${plural(revenue.inferences, 'paid inference')}, ${tokens(revenue.gross)} gross, ${tokens(revenue.owner_share)} to owners, ${tokens(revenue.data_share)} to data</dd>
      <dt>Agents</dt><dd>${agents.length ? agents.map((a) => html`<a href=${`#/agents/${a.id}`}>agent ${a.id}</a> `) : 'none'}</dd>
    </dl>
    <h2>Lineage</h2>
    <${LineageGraph} id=${m.id} lineage=${lineage} />
    ${lineage.ancestors.length > 0 && html`<ul>${lineage.ancestors.map(
      (e) => html`<li>model ${e.child} ${RELATION[e.relation] ?? 'derives from'} <a href=${`#/models/${e.parent}`}>model ${e.parent}</a>, paying it ${pct(e.royalty_bps)} royalty</li>`,
    )}</ul>`}`}<//>`;
}

/** Ancestors above, the model in the middle, children below; edges labelled with royalties. */
function LineageGraph({ id, lineage }) {
  const levels = new Map([[id, 0]]);
  for (const e of lineage.ancestors) levels.set(e.parent, -e.depth);
  for (const c of lineage.children) levels.set(c.child, 1);
  const byLevel = new Map();
  for (const [node, level] of levels) byLevel.set(level, [...(byLevel.get(level) ?? []), node]);
  const sorted = [...byLevel.keys()].sort((a, b) => a - b);
  const W = 320;
  const rowH = 80;
  const pos = new Map();
  sorted.forEach((level, row) => {
    const nodes = byLevel.get(level);
    nodes.forEach((n, i) => pos.set(n, { x: ((i + 1) * W) / (nodes.length + 1), y: 30 + row * rowH }));
  });
  const edges = [
    ...lineage.ancestors.map((e) => ({ from: e.child, to: e.parent, bps: e.royalty_bps })),
    ...lineage.children.map((c) => ({ from: c.child, to: id, bps: c.royalty_bps })),
  ];
  const height = 30 + (sorted.length - 1) * rowH + 30;
  return html`<svg class="lineage" viewBox=${`0 0 ${W} ${height}`} role="img"
      aria-label=${`Lineage of model ${id}: ${plural(lineage.ancestors.length, 'ancestor link')}, ${plural(lineage.children.length, 'child', 'children')}`}>
    ${edges.map(({ from, to, bps }) => {
      const a = pos.get(from);
      const b = pos.get(to);
      if (!a || !b) return null;
      return html`<g><line x1=${a.x} y1=${a.y} x2=${b.x} y2=${b.y} class="edge" />
        <text x=${(a.x + b.x) / 2 + 6} y=${(a.y + b.y) / 2} class="edge-label">${pct(bps)}</text></g>`;
    })}
    ${[...pos].map(([n, p]) => html`<a href=${`#/models/${n}`}><g class=${n === id ? 'node self' : 'node'}>
      <circle cx=${p.x} cy=${p.y} r="20" /><text x=${p.x} y=${p.y + 5} text-anchor="middle">${n}</text></g></a>`)}
  </svg>`;
}

export function Agents() {
  const state = useLoad(() => all('/v1/agents'), []);
  return html`<h1>Agents</h1>
    <${Loaded} state=${state}>${(rows) => html`<div class="scroll"><table>
      <thead><tr><th>#</th><th>About</th><th>Owner</th><th>Model</th><th>Actions</th><th>Feedback</th></tr></thead>
      <tbody>${rows.map(
        (a) => html`<tr>
          <td><a href=${`#/agents/${a.id}`}>${a.id}</a></td>
          <td class="wrap"><a href=${`#/agents/${a.id}`}>${a.uri || `Agent ${a.id}`}</a></td>
          <td><${Addr} a=${a.owner} /></td>
          <td>${a.model_id != null ? html`<a href=${`#/models/${a.model_id}`}>${a.model_id}</a>` : ''}</td>
          <td>${a.actions}</td><td>${a.feedback}</td>
        </tr>`,
      )}</tbody></table></div>`}<//>`;
}

export function Agent({ id }) {
  const state = useLoad(async () => {
    const [a, actions, feedback, summary] = await Promise.all([
      get(`/v1/agents/${id}`),
      all(`/v1/agents/${id}/actions?order=desc`, 100),
      all(`/v1/agents/${id}/feedback?order=desc`, 100),
      get(`/v1/agents/${id}/feedback/summary`),
    ]);
    return { a, actions, feedback, summary };
  }, [id]);
  return html`<${Loaded} state=${state}>${({ a, actions, feedback, summary }) => html`
    <h1>Agent ${a.id}</h1>
    <p class="wrap">${a.uri}</p>
    <dl class="facts">
      <dt>Owner</dt><dd><${Addr} a=${a.owner} /></dd>
      <dt>Wallet</dt><dd>${a.wallet ? html`<${Addr} a=${a.wallet} />` : 'none'}</dd>
      <dt>Runs on</dt><dd>${a.model_id != null ? html`<a href=${`#/models/${a.model_id}`}>model ${a.model_id}</a>` : '—'}</dd>
      <dt>Paid calls</dt><dd>${a.inferences}</dd>
      <dt>Feedback</dt><dd>${summary.given} given by ${plural(summary.clients, 'client')}${summary.average != null ? `, average ${summary.average}` : ''}</dd>
    </dl>
    <${GiveFeedback} id=${a.id} onDone=${state.reload} />
    <h2>Actions</h2>
    ${actions.length === 0 ? html`<p>None recorded.</p>` : html`<ol class="actions">${actions.map(
      (x) => html`<li>#${x.idx}: <span class="wrap">${x.uri}</span> <small>outcome ${x.outcome}, ${ago(x.block_timestamp)}, chain head <code>${x.head.slice(0, 10)}…</code></small></li>`,
    )}</ol>`}
    <h2>Feedback</h2>
    ${feedback.length === 0 ? html`<p>None yet.</p>` : html`<ul>${feedback.map(
      (f) => html`<li class=${f.revoked ? 'revoked' : ''}>${f.value / 10 ** f.value_decimals} from <${Addr} a=${f.client} /> <span class="wrap">${feedbackText(f.uri)}</span>${f.revoked ? ' (revoked)' : ''}</li>`,
    )}</ul>`}`}<//>`;
}

/** A comment given through this page is a data: URI; anything else is shown as the link it is. */
function feedbackText(uri) {
  const prefix = 'data:text/plain,';
  if (!uri.startsWith(prefix)) return uri;
  try {
    return `“${decodeURIComponent(uri.slice(prefix.length))}”`;
  } catch {
    return uri;
  }
}

function GiveFeedback({ id, onDone }) {
  const [score, setScore] = useState('5');
  const [comment, setComment] = useState('');
  const run = async (step) => {
    const value = Number(score);
    if (!Number.isInteger(value) || value < -100 || value > 100) throw new UserError('A score is a whole number from -100 to 100.');
    const text = comment.trim();
    const hash = text ? keccak256(new TextEncoder().encode(text)) : `0x${'00'.repeat(32)}`;
    const uri = text ? `data:text/plain,${encodeURIComponent(text)}` : '';
    step({ label: 'Confirm your feedback in your wallet…' });
    await send('AgentRegistry', 'giveFeedback', [BigInt(id), BigInt(value), 0, toHex('app', { size: 32 }), `0x${'00'.repeat(32)}`, uri, hash], {
      onPending: (h) => step({ label: 'Feedback pending', hash: h }),
    });
    return 'Thank you: your feedback is on chain.';
  };
  return html`<section class="card" aria-labelledby="fb-h">
    <h2 id="fb-h">Give feedback</h2>
    <div class="row">
      <label for="fb-score">Score (-100 to 100)</label>
      <input id="fb-score" type="number" min="-100" max="100" value=${score} onInput=${(e) => setScore(e.target.value)} />
      <label for="fb-comment">Comment</label>
      <input id="fb-comment" value=${comment} onInput=${(e) => setComment(e.target.value)} />
      <${TxButton} id="fb-send" label="Send feedback" run=${run} onDone=${onDone} />
    </div>
  </section>`;
}
