// The app shell: wallet status, navigation, and a hash router over the pages.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { lag } from './api.js';
import { config, configure, connect, connectedAccount, friendly, switchNetwork } from './chain.js';
import { Curate, Datanet, Datanets } from './datanets.js';
import { Agent, Agents, Model, Models } from './models.js';
import { Account, Epochs } from './rewards.js';
import { ErrorLine, html, short } from './ui.js';

const ROUTES = [
  [/^#\/datanets\/(\d+)$/, (m) => html`<${Datanet} id=${m[1]} />`],
  [/^#\/models\/(\d+)$/, (m) => html`<${Model} id=${Number(m[1])} />`],
  [/^#\/agents\/(\d+)$/, (m) => html`<${Agent} id=${m[1]} />`],
  [/^#\/account\/(0x[0-9a-fA-F]{40})$/, (m, me) => html`<${Account} address=${m[1]} me=${me} />`],
  [/^#\/account$/, (_, me) => html`<${Account} me=${me} />`],
  [/^#\/curate$/, (_, me) => html`<${Curate} account=${me} />`],
  [/^#\/models$/, () => html`<${Models} />`],
  [/^#\/agents$/, () => html`<${Agents} />`],
  [/^#\/epochs$/, () => html`<${Epochs} />`],
  [/^(#\/?(datanets)?)?$/, () => html`<${Datanets} />`],
];

const NAV = [
  ['#/datanets', 'Datanets'],
  ['#/account', 'My account'],
  ['#/curate', 'Curate'],
  ['#/models', 'Models'],
  ['#/agents', 'Agents'],
  ['#/epochs', 'Epochs'],
];

function useHash() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

/** The wallet's account and chain, following the wallet's own events. */
function useWallet() {
  const [w, setW] = useState({ account: null, chainId: null });
  useEffect(() => {
    const eth = window.ethereum;
    if (!eth) return;
    const refresh = async () => {
      const account = await connectedAccount();
      const chainId = Number(await eth.request({ method: 'eth_chainId' }));
      setW({ account, chainId });
    };
    refresh();
    eth.on?.('accountsChanged', refresh);
    eth.on?.('chainChanged', refresh);
    return () => {
      eth.removeListener?.('accountsChanged', refresh);
      eth.removeListener?.('chainChanged', refresh);
    };
  }, []);
  return [w, setW];
}

function WalletBar({ w, setW }) {
  const [error, setError] = useState(null);
  if (!window.ethereum) {
    return html`<div class="banner" role="alert" data-code="no_wallet">No wallet found: you can browse, but to contribute, curate or claim
      install a browser wallet (MetaMask, Rabby, Frame…) and reload.</div>`;
  }
  const wrong = w.chainId != null && w.chainId !== config().chainId;
  return html`<div class="walletbar">
    ${w.account
      ? html`<a href="#/account" id="wallet-account" title=${w.account}>${short(w.account)}</a>`
      : html`<button id="connect" onClick=${async () => {
          try {
            setW({ ...w, account: await connect() });
          } catch (e) {
            setError(friendly(e));
          }
        }}>Connect wallet</button>`}
    ${wrong && html`<div class="banner" role="alert" data-code="wrong_network">
      Your wallet is on chain ${w.chainId}, not ${config().chainName} (${config().chainId}).
      <button id="switch-network" onClick=${() => switchNetwork().catch((e) => setError(friendly(e)))}>Switch network</button></div>`}
    ${error && html`<${ErrorLine} error=${error} />`}
  </div>`;
}

/** Says so when the indexer is behind the chain, since every page reads through it. */
function LagBanner() {
  const [l, setL] = useState(null);
  useEffect(() => {
    const tick = () => lag().then(setL, () => setL(null));
    tick();
    const t = setInterval(tick, 5000);
    return () => clearInterval(t);
  }, []);
  if (!l || l.ready) return null;
  const where = `block ${l.indexed ?? 0} of ${l.head ?? '?'}`;
  return html`<div class="banner" role="status">The indexer is catching up with the chain (${where}): recent transactions may not show yet.</div>`;
}

function App() {
  const hash = useHash();
  const [w, setW] = useWallet();
  let page = html`<p>No such page. <a href="#/datanets">Datanets</a></p>`;
  for (const [re, view] of ROUTES) {
    const m = hash.match(re);
    if (m) {
      page = view(m, w.account);
      break;
    }
  }
  const active = (href) => hash === href || hash.startsWith(`${href}/`);
  return html`<header>
      <a class="brand" href="#/datanets">OpenLedger</a>
      <nav aria-label="Main">${NAV.map(
        ([href, label]) => html`<a href=${href} aria-current=${active(href) ? 'page' : undefined}>${label}</a>`,
      )}</nav>
      <${WalletBar} w=${w} setW=${setW} />
    </header>
    <${LagBanner} />
    <main key=${hash}>${page}</main>
    <footer>${config().chainName} · chain ${config().chainId} · <a href="/openapi.json">API</a> · <a href="/graphql">GraphQL</a></footer>`;
}

async function start() {
  const root = document.getElementById('app');
  try {
    const res = await fetch('/app/config.json');
    if (!res.ok) throw new Error(`/app/config.json answered ${res.status}`);
    configure(await res.json());
  } catch (e) {
    root.textContent = `The app cannot start: ${e.message}`;
    return;
  }
  root.textContent = ''; // the static "Loading" placeholder is not preact's to diff
  render(html`<${App} />`, root);
}

start();
