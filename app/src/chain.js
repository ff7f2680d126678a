// The chain side of the app: the person's own wallet (an injected EIP-1193 provider) signs and
// sends every transaction; reads and receipts go to the chain's public RPC so they keep working
// while the wallet is on another network. Nothing here holds a key.
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  custom,
  defineChain,
  http,
  UserRejectedRequestError,
} from 'viem';

/** An error whose message is meant for the person, not the console. */
export class UserError extends Error {
  constructor(message, { code, action } = {}) {
    super(message);
    this.code = code;
    // An optional { label, run } the page offers as a button (switch network, approve, ...).
    this.action = action;
  }
}

let cfg;
let chain;
let reader;

/** Takes the app's configuration (`/app/config.json`): chain, contracts and their ABIs. */
export function configure(config) {
  cfg = config;
  chain = defineChain({
    id: config.chainId,
    name: config.chainName,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [config.rpcUrl] } },
  });
  reader = createPublicClient({ chain, transport: http(config.rpcUrl) });
}

export const config = () => cfg;
export const publicClient = () => reader;

function provider() {
  const eth = window.ethereum;
  if (!eth) {
    throw new UserError(
      'No wallet found. Install a browser wallet (MetaMask, Rabby, Frame...) and reload this page.',
      { code: 'no_wallet' },
    );
  }
  return eth;
}

/** The wallet's selected account, asking for access when it has none. */
export async function connect() {
  const eth = provider();
  let accounts = await eth.request({ method: 'eth_accounts' });
  if (!accounts.length) {
    try {
      accounts = await eth.request({ method: 'eth_requestAccounts' });
    } catch (e) {
      throw friendly(e);
    }
  }
  if (!accounts.length) throw new UserError('The wallet shared no account.', { code: 'no_account' });
  return accounts[0].toLowerCase();
}

/** The account already shared with the page, without prompting (null when none). */
export async function connectedAccount() {
  const eth = window.ethereum;
  if (!eth) return null;
  const accounts = await eth.request({ method: 'eth_accounts' });
  return accounts.length ? accounts[0].toLowerCase() : null;
}

/** Asks the wallet to switch to this app's chain, adding it when the wallet does not know it. */
export async function switchNetwork() {
  const eth = provider();
  const chainId = `0x${cfg.chainId.toString(16)}`;
  try {
    await eth.request({ method: 'wallet_switchEthereumChain', params: [{ chainId }] });
  } catch (e) {
    // 4902: the wallet does not know the chain (EIP-3326).
    if (e?.code !== 4902) throw friendly(e);
    await eth.request({
      method: 'wallet_addEthereumChain',
      params: [{
        chainId,
        chainName: cfg.chainName,
        nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
        rpcUrls: [cfg.rpcUrl],
      }],
    });
  }
}

async function requireNetwork() {
  const id = Number(await provider().request({ method: 'eth_chainId' }));
  if (id !== cfg.chainId) {
    throw new UserError(
      `Your wallet is on chain ${id}; this app runs on ${cfg.chainName} (chain ${cfg.chainId}).`,
      { code: 'wrong_network', action: { label: `Switch to ${cfg.chainName}`, run: switchNetwork } },
    );
  }
}

/** Every custom error of every contract, so a revert deep in a call is named whoever threw it. */
const decodingAbis = new Map();
function withAllErrors(contract) {
  if (decodingAbis.has(contract)) return decodingAbis.get(contract);
  const abi = cfg.abis[contract];
  const seen = new Set(abi.filter((x) => x.type === 'error').map((x) => x.name));
  const extra = [];
  for (const other of Object.values(cfg.abis)) {
    for (const item of other) {
      if (item.type === 'error' && !seen.has(item.name)) {
        seen.add(item.name);
        extra.push(item);
      }
    }
  }
  decodingAbis.set(contract, [...abi, ...extra]);
  return decodingAbis.get(contract);
}

const HINTS = {
  ERC20InsufficientAllowance: 'the contract may not move enough of your tokens yet: approve first',
  ERC20InsufficientBalance: 'your token balance is too small',
  ContentAlreadySubmitted: 'this exact content is already in the datanet',
  BondShortfall: 'the registry received less than the datanet\'s bond: approve the bond first',
  SelfFeedback: 'an agent\'s owner cannot rate its own agent',
  ExceedsRootTotal: 'the claims would exceed the root\'s total',
  NotCurator: 'only the datanet owner or a curator may review',
  InvalidProof: 'the proof does not match the current root (the API may be behind the chain)',
  NothingToClaim: 'everything in the current root is already claimed',
  NoRoot: 'no root has been accepted yet',
  RevealTooEarly: 'a reveal must come at least one block after its commit',
};

/** Turns anything a wallet or viem throws into a sentence a person can act on. */
export function friendly(e) {
  if (e instanceof UserError) return e;
  if (e?.code === 4001 || (e instanceof BaseError && e.walk((x) => x instanceof UserRejectedRequestError))) {
    return new UserError('You declined the request in your wallet.', { code: 'rejected' });
  }
  if (e instanceof BaseError) {
    const revert = e.walk((x) => x instanceof ContractFunctionRevertedError);
    if (revert) {
      const name = revert.data?.errorName ?? revert.reason ?? 'an unknown error';
      const args = revert.data?.args ? `(${revert.data.args.map(String).join(', ')})` : '';
      const hint = HINTS[name] ? `: ${HINTS[name]}` : '';
      return new UserError(`The transaction would revert with ${name}${args}${hint}.`, {
        code: 'revert',
      });
    }
    return new UserError(e.shortMessage || e.message, { code: 'chain' });
  }
  return new UserError(e?.message ?? String(e), { code: 'unknown' });
}

/**
 * Simulates a contract call as the wallet's account (a revert is named before anything is
 * signed), has the wallet send it, and waits for the receipt. `onPending(hash)` is called once the
 * wallet returned a hash; the promise resolves only on a successful receipt.
 */
export async function send(contract, functionName, args, { onPending, blockTag } = {}) {
  const account = await connect();
  await requireNetwork();
  const abi = withAllErrors(contract);
  const address = cfg.contracts[contract];
  const wallet = createWalletClient({ account, chain, transport: custom(provider()) });
  let request;
  try {
    ({ request } = await reader.simulateContract({
      account,
      address,
      abi,
      functionName,
      args,
      // A reveal is valid from the block after its commit: judge it against the block it lands in.
      ...(blockTag ? { blockTag } : {}),
    }));
  } catch (e) {
    throw friendly(e);
  }
  let hash;
  try {
    hash = await wallet.writeContract(request);
  } catch (e) {
    throw friendly(e);
  }
  onPending?.(hash);
  const receipt = await reader.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') {
    throw new UserError(`The transaction ${hash} was mined but reverted.`, { code: 'reverted' });
  }
  if (receipt.blockNumber > confirmed) confirmed = receipt.blockNumber;
  return receipt;
}

let confirmed = 0n;
/** The highest block in which one of this page's transactions was confirmed (0 if none). */
export const lastConfirmedBlock = () => confirmed;

/** A view call on one of the project's contracts. */
export function read(contract, functionName, args = []) {
  return reader.readContract({
    address: cfg.contracts[contract],
    abi: cfg.abis[contract],
    functionName,
    args,
  });
}
