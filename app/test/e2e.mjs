// Drives the web app in Debian's chromium (puppeteer-core) as a wallet user would. Run by
// oracle/tests/web_app.rs, which owns the chain, the indexer and the oracle committee and checks
// every on-chain result; this script does one phase per run and prints one JSON line.
//
// The injected EIP-1193 provider forwards every request to anvil, which signs
// eth_sendTransaction with the dev key of ACCOUNT: the page's code path is a wallet user's.
import puppeteer from 'puppeteer-core';

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};
const APP = env('APP_URL');
const RPC = env('RPC_URL');
const SHOTS = env('SCREENSHOTS');
const PHASE = env('PHASE');

function wallet(account, rpc, chainHex) {
  const listeners = {};
  let chain = chainHex;
  const emit = (ev, v) => (listeners[ev] ?? []).forEach((f) => f(v));
  window.ethereum = {
    isTestWallet: true,
    on: (ev, f) => (listeners[ev] = [...(listeners[ev] ?? []), f]),
    removeListener: (ev, f) => (listeners[ev] = (listeners[ev] ?? []).filter((g) => g !== f)),
    async request({ method, params }) {
      if (method === 'eth_accounts' || method === 'eth_requestAccounts') return [account];
      if (method === 'eth_chainId') return chain;
      if (method === 'wallet_switchEthereumChain') {
        chain = params[0].chainId;
        emit('chainChanged', chain);
        return null;
      }
      if (method === 'eth_sendTransaction' && chain !== window.__realChain) {
        throw Object.assign(new Error('wrong chain'), { code: 4901 });
      }
      const res = await fetch(rpc, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: params ?? [] }),
      });
      const body = await res.json();
      if (body.error) throw Object.assign(new Error(body.error.message), body.error);
      return body.result;
    },
  };
}

async function open(browser, account, { chain, width = 1100 } = {}) {
  const page = await browser.newPage();
  await page.setViewport({ width, height: 900 });
  const realChain = await rpc('eth_chainId');
  await page.evaluateOnNewDocument((c) => (window.__realChain = c), realChain);
  await page.evaluateOnNewDocument(wallet, account, RPC, chain ?? realChain);
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  return page;
}

async function rpc(method, params = []) {
  const res = await fetch(RPC, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return (await res.json()).result;
}

async function go(page, hash) {
  await page.goto(`${APP}${hash}`, { waitUntil: 'networkidle0' });
}

const textOf = (page, sel) => page.$eval(sel, (e) => e.textContent);
async function waitText(page, sel, text, timeout = 30000) {
  await page.waitForFunction(
    (s, t) => [...document.querySelectorAll(s)].some((e) => e.textContent.includes(t)),
    { timeout },
    sel,
    text,
  );
}
const shot = (page, name) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

const phases = {
  async contribute(browser) {
    const page = await open(browser, env('ACCOUNT'));
    await go(page, '#/datanets');
    await page.waitForSelector('table');
    await shot(page, 'datanets');
    await go(page, `#/datanets/${env('DATANET')}`);
    await page.waitForSelector('#contribute-text');
    await page.type('#contribute-text', env('TEXT'));
    await page.click('#contribute-send');
    await waitText(page, '.ok', 'is on chain', 60000);
    await waitText(page, '#contribution-status', 'pending');
    await shot(page, 'contribute');
    const status = await textOf(page, '#contribution-status');
    return { id: Number(status.match(/Contribution (\d+)/)[1]) };
  },
  async curate(browser) {
    const page = await open(browser, env('ACCOUNT'));
    await go(page, '#/curate');
    const pick = `[data-pick="${env('CONTRIBUTION')}"]`;
    await page.waitForSelector(pick);
    const shown = await page.$eval('blockquote', (e) => e.textContent);
    await shot(page, 'curate');
    await page.click(pick);
    await page.click(`#accept-${env('DATANET')}`);
    await waitText(page, '.ok', 'accepted', 60000);
    return { shownText: shown };
  },
  async claim(browser) {
    const page = await open(browser, env('ACCOUNT'));
    await go(page, '#/account');
    await page.waitForSelector('#claim', { timeout: 30000 });
    await page.click('details.epoch summary');
    await shot(page, 'account');
    const why = await page.$$eval('q.span', (qs) => qs.map((q) => q.textContent));
    await page.click('#claim');
    await waitText(page, '.ok', 'Claimed', 60000);
    return { message: await textOf(page, '.ok'), why };
  },
  async errors(browser) {
    // A wallet on another chain: the page says so and offers to switch.
    const page = await open(browser, env('ACCOUNT'), { chain: '0x1' });
    await go(page, `#/datanets/${env('DATANET')}`);
    await page.waitForSelector('[data-code="wrong_network"]');
    const wrongNetwork = await textOf(page, '[data-code="wrong_network"]');
    await page.click('#switch-network');
    await page.waitForFunction(() => !document.querySelector('[data-code="wrong_network"]'));
    // The same text again: the simulation reverts and the page names the custom error.
    await page.waitForSelector('#contribute-text');
    await page.type('#contribute-text', env('TEXT'));
    await page.click('label.inline input[type=checkbox]');
    await page.click('#contribute-send');
    await page.waitForSelector('.tx .error', { timeout: 30000 });
    const revert = await textOf(page, '.tx .error');
    // No wallet at all.
    const bare = await browser.newPage();
    await bare.goto(`${APP}#/datanets`, { waitUntil: 'networkidle0' });
    await bare.waitForSelector('[data-code="no_wallet"]');
    const noWallet = await textOf(bare, '[data-code="no_wallet"]');
    await bare.close();
    // Phone width: no page scrolls sideways.
    const phone = await open(browser, env('ACCOUNT'), { width: 375 });
    const overflow = {};
    for (const hash of ['#/datanets', `#/datanets/${env('DATANET')}`, '#/account', '#/curate', '#/models', `#/models/${env('MODEL')}`, '#/agents', `#/agents/${env('AGENT')}`, '#/epochs']) {
      await go(phone, hash);
      await phone.waitForFunction(() => !document.querySelector('[role=status]')?.textContent.startsWith('Loading'), { timeout: 30000 });
      overflow[hash] = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    }
    await go(phone, '#/datanets');
    await shot(phone, 'phone-datanets');
    await phone.close();
    // A background tab does not paint: screenshots of it never return.
    await page.bringToFront();
    for (const [hash, name] of [[`#/models/${env('MODEL')}`, 'model'], [`#/agents/${env('AGENT')}`, 'agent'], ['#/epochs', 'epochs']]) {
      await go(page, hash);
      await page.waitForSelector('main h1');
      await shot(page, name);
    }
    return { wrongNetwork, revert, noWallet, overflow };
  },
};

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
try {
  const result = await phases[PHASE](browser);
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
}
