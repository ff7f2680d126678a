// Drives the web app in Debian's chromium (puppeteer-core) as a wallet user would. Run by
// oracle/tests/web_app.rs, which owns the chain, the indexer and the oracle committee and checks
// every on-chain result; this script does one phase per run and prints one JSON line.
//
// The injected EIP-1193 provider forwards every request to anvil, which signs
// eth_sendTransaction with the dev key of ACCOUNT: the page's code path is a wallet user's.
import puppeteer from 'puppeteer-core';
import { toFunctionSelector } from 'viem';

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};
const APP = env('APP_URL');
const RPC = env('RPC_URL');
const SHOTS = env('SCREENSHOTS');
const PHASE = env('PHASE');

function wallet(account, rpc, chainHex, decline) {
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
      // The person declines the first call of the `decline` selector in this tab (reloads
      // included), as in a wallet's dialog.
      if (method === 'eth_sendTransaction' && decline && params[0].data?.startsWith(decline) && !sessionStorage.getItem('declined')) {
        sessionStorage.setItem('declined', '1');
        throw Object.assign(new Error('User rejected the request.'), { code: 4001 });
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

let lastPage;
async function open(browser, account, { chain, width = 1100, decline = null } = {}) {
  const page = await browser.newPage();
  await page.setViewport({ width, height: 900 });
  const realChain = await rpc('eth_chainId');
  await page.evaluateOnNewDocument((c) => (window.__realChain = c), realChain);
  await page.evaluateOnNewDocument(wallet, account, RPC, chain ?? realChain, decline);
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  lastPage = page;
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

/** A function's selector, from the ABIs the app is served with. */
async function selector(contract, name) {
  const cfg = await (await fetch(`${APP}config.json`)).json();
  return toFunctionSelector(cfg.abis[contract].find((x) => x.type === 'function' && x.name === name));
}

async function go(page, hash) {
  await page.goto(`${APP}${hash}`, { waitUntil: 'networkidle0' });
}

/** The page has its heading and no loading line left. */
async function settled(page) {
  await page.waitForSelector('main h1');
  await page.waitForFunction(() => ![...document.querySelectorAll('[role=status]')].some((e) => e.textContent.startsWith('Loading')), { timeout: 30000 });
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
/**
 * Controls without an accessible name, and focusable controls that Tab never reaches (walking
 * the tab order from the top until it wraps).
 */
async function keyboardAudit(page) {
  const unlabelled = await page.$$eval('main input, main textarea, main select, main button, header button, header input, header select', (els) =>
    els
      .filter((e) => {
        if (e.type === 'hidden') return false;
        const label = e.labels?.length ? [...e.labels].map((l) => l.textContent).join('') : '';
        return !(label.trim() || e.getAttribute('aria-label') || (e.tagName === 'BUTTON' && e.textContent.trim()));
      })
      .map((e) => e.outerHTML.slice(0, 80)),
  );
  const want = await page.$$eval('a[href], button, input, textarea, select, summary, [tabindex]:not([tabindex="-1"])', (els) => {
    els.forEach((e, i) => e.setAttribute('data-audit', String(i)));
    return els.filter((e) => !e.disabled && e.offsetParent !== null).map((e) => e.getAttribute('data-audit'));
  });
  const reached = new Set();
  // Start the walk at the top of the page: after a hash navigation the document (and the focus
  // starting point) is the previous page's.
  await page.evaluate(() => {
    const top = document.createElement('span');
    top.tabIndex = -1;
    document.body.prepend(top);
    top.focus();
  });
  for (let i = 0; i < want.length + 5; i++) {
    await page.keyboard.press('Tab');
    // Focusable things outside the list (a scrollable table, say) are tagged as they come.
    const at = await page.evaluate((n) => {
      const e = document.activeElement;
      if (!e || e === document.body) return 'body';
      if (!e.hasAttribute('data-audit')) e.setAttribute('data-audit', `extra-${n}`);
      return e.getAttribute('data-audit');
    }, i);
    if (at === 'body' || reached.has(at)) break;
    reached.add(at);
  }
  const unreached = want.filter((i) => !reached.has(i));
  const names = await page.$$eval('[data-audit]', (els, miss) => els.filter((e) => miss.includes(e.getAttribute('data-audit'))).map((e) => e.outerHTML.slice(0, 80)), unreached);
  return { controls: want.length, unlabelled, unreached: names };
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
  async resume(browser) {
    // The wallet declines step 2, the reveal: the commitment is on chain, the salt is in this
    // browser; on the next visit the page offers to finish it.
    const page = await open(browser, env('ACCOUNT'), { decline: await selector('DatanetRegistry', 'revealContribution') });
    await go(page, `#/datanets/${env('DATANET')}`);
    await page.waitForSelector('#contribute-text');
    await page.type('#contribute-text', env('TEXT'));
    await page.click('#contribute-send');
    await page.waitForSelector('.tx [data-code="rejected"]', { timeout: 60000 });
    const declined = await textOf(page, '.tx [data-code="rejected"]');
    await page.reload({ waitUntil: 'networkidle0' });
    await page.waitForSelector('[data-unrevealed]', { timeout: 30000 });
    const id = Number(await page.$eval('[data-unrevealed]', (e) => e.dataset.unrevealed));
    await page.click(`#reveal-${id}`);
    await waitText(page, '.ok', `Contribution ${id} is on chain`, 60000);
    await shot(page, 'resume');
    const left = await page.evaluate(() => localStorage.getItem('openledger.pendingReveals'));
    return { id, declined, left };
  },
  async after(browser) {
    // A client of the agent gives feedback through the page; then the pages with data in them.
    const page = await open(browser, env('ACCOUNT'));
    await go(page, `#/agents/${env('AGENT')}`);
    await page.waitForSelector('#fb-score');
    await page.$eval('#fb-score', (e) => (e.value = ''));
    await page.type('#fb-score', '80');
    await page.type('#fb-comment', 'Cited the handbook correctly.');
    await page.click('#fb-send');
    await waitText(page, '.ok', 'feedback is on chain', 60000);
    await waitText(page, 'main li', 'Cited the handbook', 30000);
    await shot(page, 'agent');
    for (const [hash, name] of [[`#/models/${env('MODEL')}`, 'model'], ['#/epochs', 'epochs']]) {
      await go(page, hash);
      await page.waitForSelector('main h1');
      await shot(page, name);
    }
    return { epochs: await textOf(page, 'main') };
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
      await settled(phone);
      overflow[hash] = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    }
    await go(phone, '#/datanets');
    await shot(phone, 'phone-datanets');
    await phone.close();
    // Every control has a label and Tab reaches every one of them, on each page.
    await page.bringToFront();
    const access = {};
    for (const hash of ['#/datanets', `#/datanets/${env('DATANET')}`, '#/account', `#/agents/${env('AGENT')}`, `#/models/${env('MODEL')}`, '#/epochs']) {
      await go(page, hash);
      await settled(page);
      access[hash] = await keyboardAudit(page);
    }
    return { wrongNetwork, revert, noWallet, overflow, access };
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
} catch (e) {
  // What the person would have seen when the step failed.
  if (lastPage) {
    await lastPage.screenshot({ path: `${SHOTS}/failed-${PHASE}.png`, fullPage: true }).catch(() => {});
    const seen = await lastPage.$eval('main', (m) => m.innerText).catch(() => '(no main)');
    console.error(`phase ${PHASE} failed on ${lastPage.url()}; the page showed:\n${seen}`);
  }
  throw e;
} finally {
  await browser.close();
}
