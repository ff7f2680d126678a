//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "openledger",
    version,
    about = "OpenLedger from the command line"
)]
pub struct Cli {
    /// JSON output for scripts (one object on stdout) instead of text for people.
    #[arg(long, global = true)]
    pub json: bool,
    /// JSON-RPC endpoint.
    #[arg(
        long,
        global = true,
        env = "ETH_RPC_URL",
        default_value = "http://127.0.0.1:8545"
    )]
    pub rpc_url: String,
    /// Directory holding `<chainId>.json` deployment files.
    #[arg(long, global = true, default_value = "deployments")]
    pub deployments: PathBuf,
    #[command(flatten)]
    pub key: KeyArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Where the signing key comes from (like Foundry).
#[derive(Debug, Args)]
pub struct KeyArgs {
    /// Hex private key of the sender (env OPENLEDGER_PRIVATE_KEY, or PRIVATE_KEY).
    #[arg(
        long,
        global = true,
        env = "OPENLEDGER_PRIVATE_KEY",
        hide_env_values = true
    )]
    pub private_key: Option<String>,
    /// Encrypted JSON keystore of the sender.
    #[arg(long, global = true, conflicts_with = "private_key")]
    pub keystore: Option<PathBuf>,
    /// Keystore password (env OPENLEDGER_KEYSTORE_PASSWORD).
    #[arg(
        long,
        global = true,
        env = "OPENLEDGER_KEYSTORE_PASSWORD",
        hide_env_values = true
    )]
    pub password: Option<String>,
    /// File holding the keystore password (trailing newline ignored).
    #[arg(long, global = true, conflicts_with = "password")]
    pub password_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Chain id and head block of the RPC endpoint.
    ChainInfo,
    /// keccak256 content hash of a file, as a datanet contribution names it.
    Hash {
        /// File to hash.
        path: PathBuf,
    },
    /// Datanets: create, contribute, review, publish, read.
    #[command(subcommand)]
    Datanet(DatanetCmd),
    /// Models: register with lineage and fee split, update, deprecate, read.
    #[command(subcommand)]
    Model(ModelCmd),
    /// Agents: register, bind a wallet, record actions, give feedback, read.
    #[command(subcommand)]
    Agent(AgentCmd),
    /// The reward escrow: pay inferences, claim rewards.
    #[command(subcommand)]
    Escrow(EscrowCmd),
    /// The payment token: approve, balance, mint (dev token only).
    #[command(subcommand)]
    Token(TokenCmd),
}

#[derive(Debug, Subcommand)]
pub enum DatanetCmd {
    /// Create a datanet owned by the sender.
    Create {
        /// Metadata URI.
        #[arg(long)]
        uri: String,
        /// Bond each contribution posts (wei, or e.g. `1.5ether`).
        #[arg(long, default_value = "0")]
        bond: String,
        /// Curated: contributions wait for a curator (default: open, accepted at once).
        #[arg(long)]
        curated: bool,
        /// Seconds a contribution stays reviewable.
        #[arg(long, default_value_t = 86_400)]
        review_period: u64,
        /// Where slashed bonds go (default: the owner).
        #[arg(long)]
        treasury: Option<String>,
    },
    /// Add (or with --remove, remove) a curator.
    Curator {
        datanet: u64,
        curator: String,
        #[arg(long)]
        remove: bool,
    },
    /// Submit a contribution (posts the datanet's bond).
    Contribute {
        datanet: u64,
        /// The record: its keccak256 hash and size are computed from the bytes.
        #[arg(long, conflicts_with_all = ["hash", "size"], required_unless_present = "hash")]
        file: Option<PathBuf>,
        /// Content hash (0x + 64 hex), with --size.
        #[arg(long, requires = "size")]
        hash: Option<String>,
        /// Record size in bytes, with --hash.
        #[arg(long, requires = "hash")]
        size: Option<u64>,
        /// Where the record is stored.
        #[arg(long, default_value = "")]
        uri: String,
        /// Approve the registry for the bond first if the allowance is short.
        #[arg(long)]
        approve: bool,
        /// Commit to the record first and reveal it in a later block (two transactions), so that
        /// nobody who sees it in the mempool can get ahead of it; the one-step submission can be
        /// front-run by a copy.
        #[arg(long)]
        commit_reveal: bool,
        /// Salt of the commitment (32-byte hex; default: 32 random bytes from the OS). Keep it
        /// secret until the reveal: anyone who knows it can test guesses of the content.
        #[arg(long, requires = "commit_reveal")]
        salt: Option<String>,
    },
    /// Accept contributions (curator or owner); refunds their bonds.
    Accept {
        datanet: u64,
        /// Contribution ids (space or comma separated).
        #[arg(required = true, num_args = 1.., value_delimiter = ',')]
        ids: Vec<u64>,
    },
    /// Reject contributions (curator or owner); slashes their bonds.
    Reject {
        datanet: u64,
        #[arg(required = true, num_args = 1.., value_delimiter = ',')]
        ids: Vec<u64>,
        /// Reason: a 32-byte hex hash, or text (hashed with keccak256).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Withdraw an unreviewed contribution past its review deadline, with its bond.
    Withdraw { contribution: u64 },
    /// Take back the bond of an open-policy contribution after its review period.
    ReleaseBond { contribution: u64 },
    /// Publish a version of a datanet.
    Publish {
        datanet: u64,
        /// Commitment to the version's contents (32-byte hex).
        #[arg(long)]
        commitment: String,
        #[arg(long, default_value = "")]
        uri: String,
        /// Accepted contributions in the version.
        #[arg(long)]
        accepted_count: u64,
        /// Highest contribution id the version covers.
        #[arg(long)]
        last_contribution: u64,
    },
    /// Show a datanet.
    Show { datanet: u64 },
    /// List a datanet's contributions.
    Contributions { datanet: u64 },
}

#[derive(Debug, Subcommand)]
pub enum ModelCmd {
    /// Register a model owned by the sender.
    Register {
        #[arg(long)]
        uri: String,
        /// Fee split in basis points: owner,data,agent (sums to 10000).
        #[arg(long, default_value = "5000,4000,1000")]
        split: String,
        /// Training set `DATANET:VERSION` (repeatable).
        #[arg(long = "datanet")]
        datanets: Vec<String>,
        /// Parent `MODEL:RELATION:ROYALTY_BPS`, relation one of fine-tune, adapter, merge,
        /// quantized (repeatable).
        #[arg(long = "parent")]
        parents: Vec<String>,
    },
    /// Change a model's metadata URI.
    SetUri { model: u64, uri: String },
    /// Change a model's fee split (owner,data,agent basis points).
    SetSplit { model: u64, split: String },
    /// Deprecate a model (irreversible).
    Deprecate { model: u64 },
    /// Show a model.
    Show { model: u64 },
    /// A model and all its ancestors.
    Lineage { model: u64 },
}

#[derive(Debug, Subcommand)]
pub enum AgentCmd {
    /// Register an agent running on a model, owned by the sender.
    Register {
        #[arg(long)]
        uri: String,
        #[arg(long)]
        model: u64,
        /// Metadata `KEY=VALUE` (repeatable; VALUE as UTF-8 bytes, or 0x-hex).
        #[arg(long = "meta")]
        metadata: Vec<String>,
    },
    /// Bind a wallet to an agent: the wallet signs (--wallet-key), the owner sends.
    SetWallet {
        agent: u64,
        /// Hex private key of the wallet to bind (env OPENLEDGER_WALLET_KEY).
        #[arg(long, env = "OPENLEDGER_WALLET_KEY", hide_env_values = true)]
        wallet_key: String,
        /// Seconds the wallet's signature stays valid (at most 3600).
        #[arg(long, default_value_t = 600)]
        valid_for: u64,
    },
    /// Record an action (sent by the agent's wallet).
    RecordAction {
        agent: u64,
        /// Action hash (32-byte hex), or text hashed with keccak256.
        #[arg(long)]
        hash: String,
        #[arg(long, default_value = "")]
        uri: String,
        #[arg(long, default_value_t = 0)]
        outcome: u16,
    },
    /// Give feedback on an agent (not its owner or wallet).
    Feedback {
        agent: u64,
        #[arg(long, allow_negative_numbers = true)]
        value: i128,
        #[arg(long, default_value_t = 0)]
        decimals: u8,
        /// Tag (32-byte hex, or text right-padded to 32 bytes).
        #[arg(long)]
        tag1: Option<String>,
        #[arg(long)]
        tag2: Option<String>,
        #[arg(long, default_value = "")]
        uri: String,
        /// Hash of the feedback document (32-byte hex).
        #[arg(long)]
        feedback_hash: Option<String>,
    },
    /// Revoke feedback you gave (only its client can, once); it stays on chain, marked revoked.
    RevokeFeedback {
        agent: u64,
        /// The feedback's index (as `agent feedback` printed it).
        index: u64,
    },
    /// Show an agent.
    Show { agent: u64 },
    /// List an agent's recorded actions.
    Actions { agent: u64 },
}

#[derive(Debug, Subcommand)]
pub enum EscrowCmd {
    /// Pay for an inference.
    Pay {
        #[arg(long)]
        model: u64,
        /// Agent the inference ran through (0 for none).
        #[arg(long, default_value_t = 0)]
        agent: u64,
        /// Fee (wei, or e.g. `100ether`).
        #[arg(long)]
        amount: String,
        /// Content hash of the output (32-byte hex).
        #[arg(long, conflicts_with = "output_file")]
        output_hash: Option<String>,
        /// The output itself: its hash is computed.
        #[arg(long, required_unless_present = "output_hash")]
        output_file: Option<PathBuf>,
        #[arg(long, default_value = "")]
        output_uri: String,
        /// Sign an EIP-2612 permit instead of needing a prior approval.
        #[arg(long)]
        permit: bool,
    },
    /// Claim rewards for an account (anyone may send; tokens go to the account), with the proof
    /// from the indexer's API (--api), or one you give (--proof / --proof-file).
    Claim {
        /// Account claimed for (default: the sender).
        #[arg(long)]
        account: Option<String>,
        /// The indexer's API, which serves the proof (used unless --proof/--proof-file is given).
        #[arg(long, env = "OPENLEDGER_API_URL")]
        api: Option<String>,
        /// The leaf's cumulative amount (or from --proof-file).
        #[arg(long)]
        amount: Option<String>,
        /// Merkle proof: comma-separated 32-byte hex.
        #[arg(long, conflicts_with = "proof_file")]
        proof: Option<String>,
        /// JSON file: an array of hex, or an object with `proof` (and `amount`/`cumulative`), such
        /// as the API's `/v1/accounts/{address}/proof` answer.
        #[arg(long)]
        proof_file: Option<PathBuf>,
    },
    /// What an account can still claim: from its leaf in the API's current root (--api), or
    /// from a cumulative amount you give (--amount).
    Claimable {
        account: String,
        /// The indexer's API (used unless --amount is given).
        #[arg(long, env = "OPENLEDGER_API_URL")]
        api: Option<String>,
        /// The leaf's cumulative amount.
        #[arg(long)]
        amount: Option<String>,
    },
    /// What an account has claimed so far.
    Claimed { account: String },
    /// Propose an epoch root: from a signed file (--file), or signed here with oracle keys
    /// (--oracle-key, for local devnets) over a report (--report) or the fields given as flags.
    ProposeRoot(ProposeRootArgs),
    /// Make the pending root current once its dispute window has passed (anyone may send).
    AcceptRoot,
    /// Veto the pending root of an epoch during its dispute window (the guardian only).
    VetoRoot { epoch: u64 },
}

#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// Approve a spender: an address, or `escrow` / `datanets`.
    Approve { spender: String, amount: String },
    /// Payment-token balance (default: the sender).
    Balance { account: Option<String> },
    /// Mint dev tokens (local chains only).
    Mint { to: String, amount: String },
}

/// Where `escrow propose-root` takes the update and its signatures from.
#[derive(Debug, Args)]
pub struct ProposeRootArgs {
    /// JSON with the RootUpdate fields (epoch, root, totalCumulative, reportHash, fromBlock,
    /// toBlock) and `signatures` (hex, any order).
    #[arg(long, conflicts_with_all = ["report", "epoch"])]
    pub file: Option<PathBuf>,
    /// An epoch report: epoch, root, total and blocks from its header, reportHash from its bytes.
    #[arg(long, conflicts_with = "epoch")]
    pub report: Option<PathBuf>,
    /// The epoch (with --root, --total, --report-hash, --from-block, --to-block).
    #[arg(long, requires_all = ["root", "total", "report_hash", "from_block", "to_block"])]
    pub epoch: Option<u64>,
    /// Merkle root of the balances (32-byte hex).
    #[arg(long, requires = "epoch")]
    pub root: Option<String>,
    /// Sum of the balances (wei, or e.g. `100ether`).
    #[arg(long, requires = "epoch")]
    pub total: Option<String>,
    /// keccak256 of the report (32-byte hex).
    #[arg(long, requires = "epoch")]
    pub report_hash: Option<String>,
    /// First block of the epoch (the current root's toBlock + 1, after the first epoch).
    #[arg(long, requires = "epoch")]
    pub from_block: Option<u64>,
    /// Last block of the epoch (below the block the proposal lands in).
    #[arg(long, requires = "epoch")]
    pub to_block: Option<u64>,
    /// Oracle private key to sign with (repeatable, or comma separated). Local devnets only:
    /// real oracles sign on their own machines and pass a --file.
    #[arg(
        long = "oracle-key",
        value_delimiter = ',',
        hide_env_values = true,
        env = "OPENLEDGER_ORACLE_KEYS"
    )]
    pub oracle_keys: Vec<String>,
    /// Write the signed update to this file instead of sending it (to collect signatures).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    /// clap's own consistency checks (conflicts, requires, env) over every subcommand.
    #[test]
    fn arguments_are_consistent() {
        Cli::command().debug_assert();
    }
}
