// Datanets: the list, one datanet (policy, curators, versions, contributions), contributing to
// it, and the curator queue.
import { useState } from 'preact/hooks';
import { decodeEventLog, keccak256, toHex } from 'viem';
import { all, get, getContentText, putContent } from './api.js';
import { config, connect, read, send, UserError } from './chain.js';
import { Addr, ago, html, Loaded, Status, TxButton, tokens, useLoad, plural } from './ui.js';

export function Datanets() {
  const state = useLoad(() => all('/v1/datanets'), []);
  return html`<h1>Datanets</h1>
    <p class="lead">Community datasets. Contribute a record; if a curator accepts it, every paid
      output that draws on your text pays you.</p>
    <${Loaded} state=${state}>${(rows) =>
      rows.length === 0
        ? html`<p>No datanet yet.</p>`
        : html`<div class="scroll"><table>
            <thead><tr><th>#</th><th>About</th><th>Review</th><th>Bond</th><th>Accepted</th></tr></thead>
            <tbody>${rows.map(
              (d) => html`<tr>
                <td><a href=${`#/datanets/${d.id}`}>${d.id}</a></td>
                <td class="wrap"><a href=${`#/datanets/${d.id}`}>${d.uri || `Datanet ${d.id}`}</a></td>
                <td>${d.curated ? 'curated' : 'open'}</td>
                <td>${tokens(d.bond)}</td>
                <td>${d.accepted} / ${d.contributions}</td>
              </tr>`,
            )}</tbody></table></div>`}<//>`;
}

export function Datanet({ id }) {
  const state = useLoad(
    async () => {
      const [d, curators, versions, contributions] = await Promise.all([
        get(`/v1/datanets/${id}`),
        all(`/v1/datanets/${id}/curators`),
        all(`/v1/datanets/${id}/versions`),
        all(`/v1/datanets/${id}/contributions?order=desc`, 200),
      ]);
      return { d, curators, versions, contributions };
    },
    [id],
  );
  return html`<${Loaded} state=${state}>${({ d, curators, versions, contributions }) => html`
    <h1>Datanet ${d.id}</h1>
    <p class="wrap">${d.uri}</p>
    <dl class="facts">
      <dt>Owner</dt><dd><${Addr} a=${d.owner} /></dd>
      <dt>Review</dt><dd>${d.curated ? `curated, ${Math.round((d.review_period ?? 0) / 3600)} h to review` : 'open: accepted on submission'}</dd>
      <dt>Bond</dt><dd>${plural(tokens(d.bond), 'token')}, returned when accepted, slashed when rejected</dd>
      <dt>Curators</dt><dd>${curators.length ? curators.map((c) => html`<${Addr} a=${c.curator} /> `) : 'the owner only'}</dd>
      <dt>Versions</dt><dd>${versions.length ? versions.map((v) => `v${v.version} (${plural(v.accepted_count, 'record')})`).join(', ') : 'none published'}</dd>
    </dl>
    <${Unrevealed} datanet=${d} onDone=${state.reload} />
    <${Contribute} datanet=${d} onDone=${state.reload} />
    <h2>Contributions</h2>
    <${Contributions} rows=${contributions} />`}<//>`;
}

export function Contributions({ rows }) {
  if (!rows.length) return html`<p>None yet.</p>`;
  return html`<div class="scroll"><table>
    <thead><tr><th>#</th><th>Contributor</th><th>Status</th><th>Submitted</th><th>Content</th></tr></thead>
    <tbody>${rows.map(
      (c) => html`<tr data-contribution=${c.id}>
        <td>${c.id}</td><td><${Addr} a=${c.contributor} /></td>
        <td><${Status} s=${c.status} />${c.reject_reason ? html` <small>${c.reject_reason}</small>` : ''}</td>
        <td>block ${c.submitted_block}${c.committed_block != null ? html` <small>(committed ${c.committed_block})</small>` : ''}</td>
        <td><a href=${`/v1/content/${c.content_hash}`} target="_blank" rel="noopener"><code>${c.content_hash.slice(0, 10)}…</code></a></td>
      </tr>`,
    )}</tbody></table></div>`;
}

// Salts of commits not yet revealed, so a closed tab does not lose a contribution.
const SALTS = 'openledger.pendingReveals';
const pendingReveals = () => JSON.parse(localStorage.getItem(SALTS) || '{}');
function keepReveal(key, value) {
  const all = pendingReveals();
  if (value) all[key] = value;
  else delete all[key];
  localStorage.setItem(SALTS, JSON.stringify(all));
}

/**
 * Commitments of this datanet that this browser made but never revealed (the tab closed, the
 * wallet declined step 2): each can still be revealed within the contract's reveal window.
 */
function Unrevealed({ datanet, onDone }) {
  // Read once: a revealed entry stays listed (its button disabled) so its confirmation stays.
  const [mine] = useState(() => Object.entries(pendingReveals()).filter(([, r]) => r.datanet === datanet.id && r.id));
  const [done, setDone] = useState(new Set());
  if (!mine.length) return null;
  return html`<section class="card" aria-labelledby="unrevealed-h">
    <h2 id="unrevealed-h">Unfinished contributions</h2>
    <p class="muted">Committed from this browser but not revealed yet. Reveal each within a day of its commitment, or
      its place in line lapses.</p>
    ${mine.map(([commitment, r]) => {
      const reveal = async (step) => {
        step({ label: `Confirm the reveal of contribution ${r.id} in your wallet…` });
        await send('DatanetRegistry', 'revealContribution', [BigInt(r.id), BigInt(r.datanet), r.hash, r.uri, BigInt(r.size), r.salt], {
          blockTag: 'pending',
          onPending: (h) => step({ label: 'Reveal pending', hash: h }),
        });
        keepReveal(commitment, null);
        return `Contribution ${r.id} is on chain.`;
      };
      return html`<div class="row" data-unrevealed=${r.id}>
        <span>Contribution ${r.id}: <code>${r.hash.slice(0, 10)}…</code></span>
        <${TxButton} id=${`reveal-${r.id}`} label=${`Reveal contribution ${r.id}`} run=${reveal}
          disabled=${done.has(r.id)} onDone=${() => { setDone(new Set([...done, r.id])); onDone?.(); }} />
      </div>`;
    })}
  </section>`;
}

/** Paste text or pick a file → upload and check the hash → approve the bond → commit → reveal. */
function Contribute({ datanet, onDone }) {
  const [text, setText] = useState('');
  const [file, setFile] = useState(null);
  const [oneStep, setOneStep] = useState(false);
  const [result, setResult] = useState(null);

  const run = async (step) => {
    const bytes = file ? new Uint8Array(await file.arrayBuffer()) : new TextEncoder().encode(text.trim());
    if (!bytes.length) throw new UserError('Paste some text or choose a file first.');
    const account = await connect();
    const hash = keccak256(bytes);
    step({ label: 'Uploading the content…' });
    await putContent(bytes, hash);
    const uri = `${location.origin}/v1/content/${hash}`;
    const size = BigInt(bytes.length);
    const registry = config().contracts.DatanetRegistry;
    const bond = BigInt(datanet.bond);
    if (bond > 0n) {
      const allowance = await read('PaymentToken', 'allowance', [account, registry]);
      if (allowance < bond) {
        step({ label: `Approve the ${tokens(bond)}-token bond in your wallet…` });
        await send('PaymentToken', 'approve', [registry, bond], {
          onPending: (h) => step({ label: 'Approval pending', hash: h }),
        });
      }
    }
    let id;
    if (oneStep) {
      step({ label: 'Confirm the contribution in your wallet…' });
      const receipt = await send('DatanetRegistry', 'submitContribution', [BigInt(datanet.id), hash, uri, size], {
        onPending: (h) => step({ label: 'Contribution pending', hash: h }),
      });
      id = eventArg(receipt, 'ContributionSubmitted', 'contributionId');
    } else {
      const salt = toHex(crypto.getRandomValues(new Uint8Array(32)));
      const commitment = await read('DatanetRegistry', 'contributionCommitment', [hash, account, salt]);
      const saved = { datanet: datanet.id, hash, uri, size: size.toString(), salt };
      keepReveal(commitment, saved);
      step({ label: 'Confirm the commitment (step 1 of 2) in your wallet…' });
      const committed = await send('DatanetRegistry', 'commitContribution', [commitment], {
        onPending: (h) => step({ label: 'Commitment pending', hash: h }),
      });
      id = eventArg(committed, 'ContributionCommitted', 'contributionId');
      keepReveal(commitment, { ...saved, id: id.toString() });
      step({ label: 'Confirm the reveal (step 2 of 2) in your wallet…' });
      await send('DatanetRegistry', 'revealContribution', [id, BigInt(datanet.id), hash, uri, size, salt], {
        blockTag: 'pending',
        onPending: (h) => step({ label: 'Reveal pending', hash: h }),
      });
      keepReveal(commitment, null);
    }
    setResult({ id: id.toString(), hash });
    return `Contribution ${id} is on chain.`;
  };

  return html`<section class="card" aria-labelledby="contribute-h">
    <h2 id="contribute-h">Contribute</h2>
    <label for="contribute-text">Text of your record</label>
    <textarea id="contribute-text" rows="6" value=${text} onInput=${(e) => setText(e.target.value)}
      disabled=${!!file}></textarea>
    <label for="contribute-file">…or a file</label>
    <input id="contribute-file" type="file" onChange=${(e) => setFile(e.target.files[0] ?? null)} />
    <label class="inline"><input type="checkbox" checked=${oneStep} onChange=${(e) => setOneStep(e.target.checked)} />
      One transaction instead of two (faster, but someone watching pending transactions could copy your text ahead of you)</label>
    <div><${TxButton} id="contribute-send" label="Contribute" run=${run} onDone=${onDone} /></div>
    ${result && html`<${Follow} id=${result.id} />`}
  </section>`;
}

/** The status of a contribution as the indexer sees it, polled until it is decided. */
function Follow({ id }) {
  const state = useLoad(async () => {
    for (let i = 0; i < 30; i++) {
      try {
        return await get(`/v1/contributions/${id}`);
      } catch (e) {
        if (e.status !== 404) throw e;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    throw new UserError('The indexer has not seen this contribution yet: it may be behind the chain.');
  }, [id]);
  return html`<p id="contribution-status" role="status"><${Loaded} state=${state}>${(c) =>
    html`Contribution ${c.id}: <${Status} s=${c.status} /> ${c.status === 'pending'
      ? `waiting for a curator until ${ago(c.review_deadline)}`
      : ''} <button class="link" onClick=${state.reload}>refresh</button>`}<//></p>`;
}

function eventArg(receipt, eventName, arg) {
  const abi = config().abis.DatanetRegistry;
  for (const log of receipt.logs) {
    try {
      const ev = decodeEventLog({ abi, data: log.data, topics: log.topics });
      if (ev.eventName === eventName) return ev.args[arg];
    } catch {
      // a log of another contract or event
    }
  }
  throw new UserError(`The receipt has no ${eventName} event.`);
}

/** Pending contributions of every datanet the wallet may review, with their text. */
export function Curate({ account }) {
  const state = useLoad(async () => {
    if (!account) return null;
    const curated = (await all('/v1/datanets')).filter((d) => d.curated);
    const reviews = await Promise.all(curated.map((d) => read('DatanetRegistry', 'canReview', [BigInt(d.id), account])));
    const mine = await Promise.all(
      curated
        .filter((_, i) => reviews[i])
        .map(async (d) => {
          const pending = await all(`/v1/datanets/${d.id}/contributions?status=pending`, 200);
          const withText = await Promise.all(
            pending.map(async (c) => ({ ...c, text: await getContentText(c.content_hash) })),
          );
          return { d, pending: withText };
        }),
    );
    return mine;
  }, [account]);
  return html`<h1>Curator queue</h1>
    ${!account
      ? html`<p>Connect your wallet to see the datanets you curate.</p>`
      : html`<${Loaded} state=${state}>${(mine) =>
          mine.length === 0
            ? html`<p>This account curates no curated datanet.</p>`
            : mine.map((m) => html`<${Queue} key=${m.d.id} d=${m.d} pending=${m.pending} onDone=${state.reload} />`)}<//>`}`;
}

function Queue({ d, pending, onDone }) {
  // The buttons stay when the queue empties (disabled) so the last decision's confirmation stays
  // on screen.
  const [picked, setPicked] = useState(new Set());
  const [reason, setReason] = useState('');
  const toggle = (id) => {
    const next = new Set(picked);
    next.has(id) ? next.delete(id) : next.add(id);
    setPicked(next);
  };
  const decide = (accept) => async (step) => {
    const ids = [...picked];
    if (!ids.length) throw new UserError('Tick at least one contribution.');
    const why = reason.trim() ? keccak256(new TextEncoder().encode(reason.trim())) : `0x${'00'.repeat(32)}`;
    for (const [n, id] of ids.entries()) {
      step({ label: `${accept ? 'Accept' : 'Reject'} ${id} (${n + 1} of ${ids.length}): confirm in your wallet…` });
      await send('DatanetRegistry', accept ? 'acceptContribution' : 'rejectContribution',
        accept ? [BigInt(id)] : [BigInt(id), why],
        { onPending: (h) => step({ label: `${accept ? 'Accepting' : 'Rejecting'} ${id}`, hash: h }) });
    }
    setPicked(new Set());
    return `${plural(ids.length, 'contribution')} ${accept ? 'accepted' : 'rejected'}.`;
  };
  return html`<section class="card">
    <h2>Datanet ${d.id}: ${pending.length} pending</h2>
    ${pending.map(
      (c) => html`<article class="pending-item">
        <label class="inline"><input type="checkbox" data-pick=${c.id} checked=${picked.has(c.id)} onChange=${() => toggle(c.id)} />
          #${c.id} from <${Addr} a=${c.contributor} />, bond ${tokens(c.bond)}, review by ${ago(c.review_deadline)}</label>
        <blockquote>${c.text ?? html`<em>content not in the store (${c.content_hash})</em>`}</blockquote>
      </article>`,
    )}
    ${pending.length === 0 && html`<p>Nothing waiting for review.</p>`}
    <div class="row">
      <label for=${`reason-${d.id}`}>Reason for a rejection</label>
      <input id=${`reason-${d.id}`} value=${reason} onInput=${(e) => setReason(e.target.value)} placeholder="spam, duplicate, off-topic…" />
      <${TxButton} id=${`accept-${d.id}`} label="Accept selected" disabled=${pending.length === 0} run=${decide(true)} onDone=${onDone} />
      <${TxButton} id=${`reject-${d.id}`} label="Reject selected" disabled=${pending.length === 0} run=${decide(false)} onDone=${onDone} />
    </div>
  </section>`;
}
