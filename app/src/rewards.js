// Rewards: an account (contributions, earnings per epoch and why, claiming) and the epochs.
import { all, get, maybe } from './api.js';
import { read, send, UserError } from './chain.js';
import { Contributions } from './datanets.js';
import { ago, html, Loaded, Status, TxButton, tokens, useLoad, short, plural } from './ui.js';

/** Accepted epochs' reports, oldest first (fetched from the content store by hash). */
async function reports() {
  const roots = await all('/v1/roots?status=accepted&order=asc', 500);
  return Promise.all(
    roots.map(async (root) => {
      const res = await fetch(`/v1/content/${root.report_hash}`);
      return { root, report: res.ok ? await res.json() : null };
    }),
  );
}

/** What `account` earned in each epoch, and the spans of each output that paid it data share. */
function earnings(account, epochs) {
  const a = account.toLowerCase();
  return epochs.map(({ root, report }) => {
    if (!report) return { epoch: root.epoch, missing: true };
    const entry = report.accounts.find((x) => x.account.toLowerCase() === a);
    const why = [];
    for (const inf of [...report.inferences, ...(report.resolved ?? [])]) {
      for (const al of inf.allocations ?? []) {
        if (al.account.toLowerCase() !== a) continue;
        const mine = new Set(al.role.kind === 'data' ? al.role.clusters : []);
        const spans = (inf.spans ?? []).filter((s) => s.clusters.some((c) => mine.has(c)));
        why.push({ inference: inf.inference_id, model: inf.model_id, role: al.role, amount: al.amount, spans });
      }
    }
    return { epoch: root.epoch, earned: entry?.earned ?? '0', cumulative: entry?.cumulative ?? '0', why };
  });
}

const ROLE = {
  data: 'your data',
  owner: 'model owner',
  royalty: 'royalty from a fine-tune',
  agent: 'agent owner',
  agentless_share: 'agent share (no agent)',
  split_dust: 'rounding',
  unattributed: 'unattributed data share',
};

export function Account({ address, me }) {
  const who = (address || me || '').toLowerCase();
  const state = useLoad(async () => {
    if (!who) return null;
    const [summary, contributions, epochs, proof, claimedOnChain, currentRoot] = await Promise.all([
      maybe(`/v1/accounts/${who}`),
      all(`/v1/contributions?contributor=${who}&order=desc`, 500),
      reports(),
      maybe(`/v1/accounts/${who}/proof`),
      read('RewardEscrow', 'claimed', [who]),
      read('RewardEscrow', 'currentRoot'),
    ]);
    return { summary, contributions, earned: earnings(who, epochs), proof, claimedOnChain, currentRoot };
  }, [who]);
  if (!who) return html`<h1>My account</h1><p>Connect your wallet to see your contributions and earnings.</p>`;
  return html`<h1>${who === me ? 'My account' : 'Account'} <code class="addr">${who}</code></h1>
    <${Loaded} state=${state}>${(s) => html`
      <${Claim} who=${who} me=${me} s=${s} onDone=${state.reload} />
      <h2>Earnings per epoch</h2>
      ${s.earned.length === 0 ? html`<p>No epoch has been accepted yet.</p>` : s.earned.map((e) => html`<${Epoch} e=${e} />`)}
      <h2>Contributions</h2>
      <${Contributions} rows=${s.contributions} />`}<//>`;
}

function Claim({ who, me, s, onDone }) {
  // The button stays after the claim (disabled) so its confirmation stays on screen.
  const cumulative = BigInt(s.proof?.cumulative ?? 0);
  const claimable = cumulative > s.claimedOnChain ? cumulative - s.claimedOnChain : 0n;
  const run = async (step) => {
    // Fetched again and checked against the chain's root: a proof for an older root would revert.
    const proof = await get(`/v1/accounts/${who}/proof`);
    const root = await read('RewardEscrow', 'currentRoot');
    if (proof.root.toLowerCase() !== root.toLowerCase()) {
      throw new UserError(`The indexer's proof is for root ${short(proof.root)} but the chain's current root is ${short(root)}: the indexer is behind, try again in a moment.`);
    }
    const before = await read('PaymentToken', 'balanceOf', [who]);
    step({ label: 'Confirm the claim in your wallet…' });
    await send('RewardEscrow', 'claim', [who, proof.token, BigInt(proof.cumulative), proof.proof], {
      onPending: (h) => step({ label: 'Claim pending', hash: h }),
    });
    const after = await read('PaymentToken', 'balanceOf', [who]);
    return `Claimed: your balance rose by ${plural(tokens(after - before), 'token')}.`;
  };
  return html`<section class="card" aria-labelledby="claim-h">
    <h2 id="claim-h">Rewards</h2>
    <dl class="facts">
      <dt>Earned (current root)</dt><dd id="earned">${tokens(cumulative)}</dd>
      <dt>Claimed</dt><dd id="claimed">${tokens(s.claimedOnChain)}</dd>
      <dt>Claimable now</dt><dd id="claimable">${tokens(claimable)}</dd>
      ${s.summary && html`<dt>Contributions</dt><dd>${s.summary.accepted} accepted, ${s.summary.pending} pending, ${s.summary.rejected} rejected</dd>`}
    </dl>
    ${s.proof == null && html`<p class="muted">No balance in the current root${s.currentRoot === `0x${'00'.repeat(32)}` ? ' (no root accepted yet)' : ''}.</p>`}
    ${s.proof != null && who === me && html`<${TxButton} id="claim" label=${claimable > 0n ? `Claim ${plural(tokens(claimable), 'token')}` : 'Nothing to claim'}
      disabled=${claimable === 0n} run=${run} onDone=${onDone} />`}
  </section>`;
}

function Epoch({ e }) {
  if (e.missing) return html`<p>Epoch ${e.epoch}: report not in the content store.</p>`;
  return html`<details class="epoch" data-epoch=${e.epoch}>
    <summary>Epoch ${e.epoch}: earned <strong>${tokens(e.earned)}</strong> (cumulative ${tokens(e.cumulative)}), ${plural(e.why.length, 'payment')}</summary>
    <p class="muted">Why did I earn this: each paid output and, for your data, the spans of it that matched text you contributed first.</p>
    <ul class="why">${e.why.map(
      (w) => html`<li>
        Inference ${w.inference} on model ${w.model}: ${tokens(w.amount)} as ${ROLE[w.role.kind] ?? w.role.kind}
        ${w.spans.length > 0 && html`<ul>${w.spans.map((sp) => html`<li><q class="span">${sp.text}</q> <small>(${plural(sp.end - sp.start, 'word')})</small></li>`)}</ul>`}
      </li>`,
    )}</ul>
  </details>`;
}

export function Epochs() {
  const state = useLoad(async () => ({ roots: await all('/v1/roots?order=desc', 500) }), []);
  const now = Math.floor(Date.now() / 1000);
  return html`<h1>Epochs</h1>
    <p class="lead">Each epoch the oracle committee posts a Merkle root of everyone's cumulative earnings. A root
      becomes claimable after its dispute window, unless the guardian vetoes it.</p>
    <${Loaded} state=${state}>${({ roots }) =>
      roots.length === 0
        ? html`<p>No root posted yet.</p>`
        : html`<div class="scroll"><table>
          <thead><tr><th>Epoch</th><th>Status</th><th>Blocks</th><th>Total</th><th>Signers</th><th>Report</th></tr></thead>
          <tbody>${roots.map(
            (r) => html`<tr data-epoch=${r.epoch}>
              <td>${r.epoch}</td>
              <td><${Status} s=${r.status} />${r.status === 'pending' && r.valid_at
                ? html` <small>${r.valid_at > now ? `${Math.ceil((r.valid_at - now) / 60)} min left in the dispute window` : 'dispute window over: can be accepted'}</small>`
                : ''}</td>
              <td>${r.from_block}–${r.to_block}</td>
              <td>${tokens(r.total_cumulative)}</td>
              <td>${r.signers.length}</td>
              <td><a href=${`/v1/content/${r.report_hash}`} target="_blank" rel="noopener">report</a> <small>${ago(r.proposed_at)}</small></td>
            </tr>`,
          )}</tbody></table></div>`}<//>`;
}

