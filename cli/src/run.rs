//! Executes one command: builds the client, calls the SDK, renders the result.

use std::path::Path;

use alloy::{
    primitives::{Address, B256, U256, utils::format_ether},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionReceipt,
    signers::local::PrivateKeySigner,
};
use eyre::{WrapErr, eyre};
use openledger_sdk::{
    ApiClient, ApiError, Deployment, Error, OpenLedger, SignedRootUpdate,
    bindings::RewardEscrow,
    client::{DatanetPolicy, ModelSpec, Relation, contribution_commitment, event},
    content_hash, devnet,
    report::ReportBalances,
};
use serde_json::{Value, json};

use crate::{
    args::{
        AgentCmd, Cli, Command, DatanetCmd, EscrowCmd, KeyArgs, ModelCmd, ProposeRootArgs, TokenCmd,
    },
    parse,
};

/// What a command prints: a JSON object for scripts, text for people.
#[derive(Debug)]
pub struct Out {
    pub json: Value,
    pub text: String,
}

fn out(json: Value, text: impl Into<String>) -> Out {
    Out {
        json,
        text: text.into(),
    }
}

/// No key was given for a command that sends a transaction.
#[derive(Debug, thiserror::Error)]
#[error(
    "this command sends a transaction and needs a key: pass --private-key (or set \
     OPENLEDGER_PRIVATE_KEY or PRIVATE_KEY), or --keystore <file> with --password or --password-file"
)]
pub struct NoKey;

/// A keystore that does not decrypt.
#[derive(Debug, thiserror::Error)]
#[error("cannot decrypt keystore {path}: {reason} (wrong password?)")]
pub struct KeystoreError {
    path: String,
    reason: String,
}

fn signer(key: &KeyArgs) -> eyre::Result<Option<PrivateKeySigner>> {
    let hex = key
        .private_key
        .clone()
        .or_else(|| std::env::var("PRIVATE_KEY").ok())
        .filter(|k| !k.trim().is_empty());
    if let Some(hex) = hex {
        return Ok(Some(parse_key(&hex, "--private-key")?));
    }
    let Some(path) = &key.keystore else {
        return Ok(None);
    };
    let password = match (&key.password, &key.password_file) {
        (Some(p), _) => p.clone(),
        (None, Some(file)) => std::fs::read_to_string(file)
            .wrap_err_with(|| format!("cannot read --password-file {}", file.display()))?
            .trim_end_matches(['\n', '\r'])
            .to_owned(),
        (None, None) => {
            return Err(eyre!(
                "--keystore {} needs --password or --password-file",
                path.display()
            ));
        }
    };
    tracing::debug!(keystore = %path.display(), "decrypting keystore");
    let signer = PrivateKeySigner::decrypt_keystore(path, password).map_err(|e| KeystoreError {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    Ok(Some(signer))
}

fn parse_key(hex: &str, flag: &str) -> eyre::Result<PrivateKeySigner> {
    hex.trim()
        .parse()
        .map_err(|_| eyre!("invalid {flag}: expected 32 bytes of hex"))
}

struct Ctx<'a> {
    cli: &'a Cli,
}

impl Ctx<'_> {
    fn url(&self) -> eyre::Result<alloy::transports::http::reqwest::Url> {
        self.cli
            .rpc_url
            .parse()
            .wrap_err_with(|| format!("invalid --rpc-url {}", self.cli.rpc_url))
    }

    async fn chain_id(&self, provider: &DynProvider) -> eyre::Result<u64> {
        provider
            .get_chain_id()
            .await
            .wrap_err_with(|| format!("no answer from {}", self.cli.rpc_url))
    }

    async fn deployment(&self, provider: &DynProvider) -> eyre::Result<Deployment> {
        let chain_id = self.chain_id(provider).await?;
        let dir: &Path = &self.cli.deployments;
        Ok(Deployment::load(dir, chain_id)?)
    }

    /// A client that can read; it knows the sender when a key was given.
    async fn reader(&self) -> eyre::Result<OpenLedger<DynProvider>> {
        let provider = ProviderBuilder::new().connect_http(self.url()?).erased();
        let deployment = self.deployment(&provider).await?;
        let sender = signer(&self.cli.key)?.map(|s| s.address());
        Ok(OpenLedger::new(provider, deployment, sender))
    }

    /// A client that sends from the given key.
    async fn writer(&self) -> eyre::Result<(OpenLedger<DynProvider>, PrivateKeySigner)> {
        let key = signer(&self.cli.key)?.ok_or(NoKey)?;
        let provider = devnet::wallet_provider(&self.cli.rpc_url, key.clone())?;
        let deployment = self.deployment(&provider).await?;
        tracing::debug!(sender = %key.address(), chain = deployment.chain_id, "writer ready");
        Ok((
            OpenLedger::new(provider, deployment, Some(key.address())),
            key,
        ))
    }

    /// The sender, or the given account.
    fn account_or_sender(
        &self,
        client: &OpenLedger<DynProvider>,
        account: Option<&str>,
    ) -> eyre::Result<Address> {
        match account {
            Some(a) => parse::address(a),
            None => client.sender().map_err(|_| {
                eyre!("give an account, or a key (--private-key / --keystore) to use its address")
            }),
        }
    }
}

fn tx(receipt: &TransactionReceipt) -> String {
    receipt.transaction_hash.to_string()
}

fn id(u: U256) -> u64 {
    u.saturating_to()
}

fn tokens(amount: U256) -> String {
    let ether = format_ether(amount);
    let ether = if ether.contains('.') {
        ether.trim_end_matches('0').trim_end_matches('.')
    } else {
        &ether
    };
    format!("{amount} wei ({ether} tokens)")
}

fn status_name(code: u8) -> &'static str {
    match code {
        0 => "none",
        1 => "pending",
        2 => "accepted",
        3 => "rejected",
        4 => "withdrawn",
        _ => "unknown",
    }
}

/// Resolves `escrow` / `datanets` aliases or an address.
fn spender(d: &Deployment, s: &str) -> eyre::Result<Address> {
    match s {
        "escrow" | "reward-escrow" => Ok(d.contracts.reward_escrow),
        "datanets" | "datanet-registry" => Ok(d.contracts.datanet_registry),
        other => parse::address(other),
    }
}

async fn latest_timestamp(provider: &DynProvider) -> eyre::Result<u64> {
    let block = provider
        .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
        .await?
        .ok_or_else(|| eyre!("the node has no latest block"))?;
    Ok(block.header.timestamp)
}

pub async fn run(cli: &Cli) -> eyre::Result<Out> {
    let ctx = Ctx { cli };
    match &cli.command {
        Command::ChainInfo => {
            let provider = ProviderBuilder::new().connect_http(ctx.url()?).erased();
            let chain_id = ctx.chain_id(&provider).await?;
            let head = provider.get_block_number().await?;
            Ok(out(
                json!({ "chainId": chain_id, "head": head }),
                format!("chain id {chain_id}, head block {head}"),
            ))
        }
        Command::Hash { path } => {
            let bytes =
                std::fs::read(path).wrap_err_with(|| format!("cannot read {}", path.display()))?;
            let hash = content_hash(&bytes);
            Ok(out(
                json!({ "contentHash": hash, "size": bytes.len() }),
                format!("{hash}  {} ({} bytes)", path.display(), bytes.len()),
            ))
        }
        Command::Datanet(cmd) => datanet(&ctx, cmd).await,
        Command::Model(cmd) => model(&ctx, cmd).await,
        Command::Agent(cmd) => agent(&ctx, cmd).await,
        Command::Escrow(cmd) => escrow(&ctx, cmd).await,
        Command::Token(cmd) => token(&ctx, cmd).await,
    }
}

async fn datanet(ctx: &Ctx<'_>, cmd: &DatanetCmd) -> eyre::Result<Out> {
    match cmd {
        DatanetCmd::Create {
            uri,
            bond,
            curated,
            review_period,
            treasury,
        } => {
            let (c, _) = ctx.writer().await?;
            let bond: u128 = parse::amount(bond)?
                .try_into()
                .map_err(|_| eyre!("bond too large"))?;
            let treasury = treasury.as_deref().map(parse::address).transpose()?;
            let policy = DatanetPolicy {
                bond,
                curated: *curated,
                review_period: *review_period,
            };
            let sent = c.create_datanet_with_receipt(uri, policy, treasury).await?;
            let datanet = sent.value;
            Ok(out(
                json!({ "datanetId": id(datanet), "tx": tx(&sent.receipt) }),
                format!("created datanet {datanet} (tx {})", tx(&sent.receipt)),
            ))
        }
        DatanetCmd::Curator {
            datanet,
            curator,
            remove,
        } => {
            let (c, _) = ctx.writer().await?;
            let curator = parse::address(curator)?;
            let r = c
                .set_curator(U256::from(*datanet), curator, !remove)
                .await?;
            let verb = if *remove { "removed" } else { "added" };
            Ok(out(
                json!({ "datanetId": datanet, "curator": curator, "enabled": !remove, "tx": tx(&r) }),
                format!(
                    "{verb} curator {curator} on datanet {datanet} (tx {})",
                    tx(&r)
                ),
            ))
        }
        DatanetCmd::Contribute {
            datanet,
            file,
            hash,
            size,
            uri,
            approve,
            commit_reveal,
            salt,
        } => {
            let (c, _) = ctx.writer().await?;
            let (hash, size) = match (file, hash, size) {
                (Some(file), _, _) => {
                    let bytes = std::fs::read(file)
                        .wrap_err_with(|| format!("cannot read {}", file.display()))?;
                    (content_hash(&bytes), bytes.len() as u64)
                }
                (None, Some(h), Some(s)) => (parse::b256(h)?, *s),
                _ => return Err(eyre!("give --file, or --hash with --size")),
            };
            let datanet_id = U256::from(*datanet);
            let bond = U256::from(c.datanet(datanet_id).await?.policy.bond);
            let mut approved = None;
            if *approve && !bond.is_zero() {
                let registry = c.deployment().contracts.datanet_registry;
                if c.allowance(registry).await? < bond {
                    let r = c.approve(registry, bond).await?;
                    tracing::info!(tx = %r.transaction_hash, "approved the bond");
                    approved = Some(tx(&r));
                }
            }
            if *commit_reveal {
                let registry = c.deployment().contracts.datanet_registry;
                let allowance = c.allowance(registry).await?;
                if allowance < bond {
                    // Checked before the commit, which would otherwise wait a day for its reveal.
                    return Err(Error::InsufficientAllowance {
                        spender: registry,
                        needed: bond,
                        allowance,
                    }
                    .into());
                }
                let salt = match salt {
                    Some(s) => parse::b256(s)?,
                    None => B256::from(rand::random::<[u8; 32]>()),
                };
                let commitment = contribution_commitment(hash, c.sender()?, salt);
                let committed = c.commit_contribution_with_receipt(commitment).await?;
                let contribution = committed.value;
                tracing::info!(tx = %committed.receipt.transaction_hash, %contribution, "committed");
                let revealed = c
                    .reveal_contribution(contribution, datanet_id, hash, uri, size, salt)
                    .await?;
                return Ok(out(
                    json!({
                        "contributionId": id(contribution),
                        "datanetId": datanet,
                        "contentHash": hash,
                        "size": size,
                        "bond": bond.to_string(),
                        "approveTx": approved,
                        "commitment": commitment,
                        "salt": salt,
                        "commitTx": tx(&committed.receipt),
                        "commitBlock": committed.receipt.block_number,
                        "tx": tx(&revealed),
                        "revealBlock": revealed.block_number,
                    }),
                    format!(
                        "contribution {contribution} to datanet {datanet}: {hash} ({size} bytes), \
                         bond {}, committed (tx {}) then revealed (tx {})",
                        tokens(bond),
                        tx(&committed.receipt),
                        tx(&revealed)
                    ),
                ));
            }
            let sent = c
                .contribute_hash_with_receipt(datanet_id, hash, uri, size)
                .await?;
            let contribution = sent.value;
            Ok(out(
                json!({
                    "contributionId": id(contribution),
                    "datanetId": datanet,
                    "contentHash": hash,
                    "size": size,
                    "bond": bond.to_string(),
                    "approveTx": approved,
                    "tx": tx(&sent.receipt),
                }),
                format!(
                    "contribution {contribution} to datanet {datanet}: {hash} ({size} bytes), bond {} \
                     (tx {})",
                    tokens(bond),
                    tx(&sent.receipt)
                ),
            ))
        }
        DatanetCmd::Accept { datanet, ids } => {
            let (c, _) = ctx.writer().await?;
            let list: Vec<U256> = ids.iter().map(|&i| U256::from(i)).collect();
            let r = c.accept_contributions(U256::from(*datanet), &list).await?;
            Ok(out(
                json!({ "datanetId": datanet, "accepted": ids, "tx": tx(&r) }),
                format!("accepted {ids:?} on datanet {datanet} (tx {})", tx(&r)),
            ))
        }
        DatanetCmd::Reject {
            datanet,
            ids,
            reason,
        } => {
            let (c, _) = ctx.writer().await?;
            let list: Vec<U256> = ids.iter().map(|&i| U256::from(i)).collect();
            let reason = reason
                .as_deref()
                .map(parse::b256_or_hash)
                .unwrap_or(B256::ZERO);
            let r = c
                .reject_contributions(U256::from(*datanet), &list, reason)
                .await?;
            Ok(out(
                json!({ "datanetId": datanet, "rejected": ids, "reason": reason, "tx": tx(&r) }),
                format!("rejected {ids:?} on datanet {datanet} (tx {})", tx(&r)),
            ))
        }
        DatanetCmd::Withdraw { contribution } => {
            let (c, _) = ctx.writer().await?;
            let r = c.withdraw_contribution(U256::from(*contribution)).await?;
            Ok(out(
                json!({ "contributionId": contribution, "tx": tx(&r) }),
                format!("withdrew contribution {contribution} (tx {})", tx(&r)),
            ))
        }
        DatanetCmd::ReleaseBond { contribution } => {
            let (c, _) = ctx.writer().await?;
            let r = c.release_bond(U256::from(*contribution)).await?;
            Ok(out(
                json!({ "contributionId": contribution, "tx": tx(&r) }),
                format!(
                    "released the bond of contribution {contribution} (tx {})",
                    tx(&r)
                ),
            ))
        }
        DatanetCmd::Publish {
            datanet,
            commitment,
            uri,
            accepted_count,
            last_contribution,
        } => {
            let (c, _) = ctx.writer().await?;
            let sent = c
                .publish_version_with_receipt(
                    U256::from(*datanet),
                    parse::b256(commitment)?,
                    uri,
                    *accepted_count,
                    *last_contribution,
                )
                .await?;
            let version = sent.value;
            Ok(out(
                json!({ "datanetId": datanet, "version": version, "tx": tx(&sent.receipt) }),
                format!(
                    "published version {version} of datanet {datanet} (tx {})",
                    tx(&sent.receipt)
                ),
            ))
        }
        DatanetCmd::Show { datanet } => {
            let c = ctx.reader().await?;
            let d = c.datanet(U256::from(*datanet)).await?;
            if d.owner == Address::ZERO {
                return Err(eyre!("datanet {datanet} does not exist"));
            }
            Ok(out(
                json!({
                    "datanetId": datanet,
                    "owner": d.owner,
                    "uri": d.uri,
                    "latestVersion": d.latestVersion,
                    "treasury": d.treasury,
                    "pendingOwner": d.pendingOwner,
                    "bond": d.policy.bond.to_string(),
                    "curated": d.policy.curated,
                    "reviewPeriod": d.policy.reviewPeriod,
                }),
                format!(
                    "datanet {datanet}\n  owner          {}\n  uri            {}\n  latest version {}\n  \
                     treasury       {}\n  bond           {}\n  curated        {}\n  review period  {} s",
                    d.owner,
                    d.uri,
                    d.latestVersion,
                    d.treasury,
                    tokens(U256::from(d.policy.bond)),
                    d.policy.curated,
                    d.policy.reviewPeriod
                ),
            ))
        }
        DatanetCmd::Contributions { datanet } => {
            let c = ctx.reader().await?;
            let list = c.contributions_of(U256::from(*datanet)).await?;
            let mut text = format!("{} contribution(s) in datanet {datanet}", list.len());
            let mut items = Vec::new();
            for (cid, k) in &list {
                let status = status_name(k.status);
                text.push_str(&format!(
                    "\n  {cid:>5}  {status:<9} {}  {} bytes  by {}",
                    k.contentHash, k.size, k.contributor
                ));
                items.push(json!({
                    "id": id(*cid),
                    "contributor": k.contributor,
                    "status": status,
                    "bond": k.bond.to_string(),
                    "bondSettled": k.bondSettled,
                    "contentHash": k.contentHash,
                    "size": k.size,
                    "submittedAt": k.submittedAt.to::<u64>(),
                    "reviewDeadline": k.reviewDeadline.to::<u64>(),
                }));
            }
            Ok(out(
                json!({ "datanetId": datanet, "contributions": items }),
                text,
            ))
        }
    }
}

fn relation_name(r: Relation) -> &'static str {
    match r {
        Relation::FineTune => "fine-tune",
        Relation::Adapter => "adapter",
        Relation::Merge => "merge",
        Relation::Quantized => "quantized",
    }
}

async fn model(ctx: &Ctx<'_>, cmd: &ModelCmd) -> eyre::Result<Out> {
    match cmd {
        ModelCmd::Register {
            uri,
            split,
            datanets,
            parents,
        } => {
            let (c, _) = ctx.writer().await?;
            let datanets = datanets
                .iter()
                .map(|s| {
                    let (d, v) = s
                        .split_once(':')
                        .ok_or_else(|| eyre!("--datanet {s:?}: expected DATANET:VERSION"))?;
                    Ok((
                        U256::from(
                            d.parse::<u64>()
                                .wrap_err_with(|| format!("--datanet {s:?}"))?,
                        ),
                        v.parse::<u64>()
                            .wrap_err_with(|| format!("--datanet {s:?}"))?,
                    ))
                })
                .collect::<eyre::Result<Vec<_>>>()?;
            let parents = parents
                .iter()
                .map(|s| {
                    let bad = || eyre!("--parent {s:?}: expected MODEL:RELATION:ROYALTY_BPS");
                    let mut it = s.split(':');
                    let (Some(m), Some(r), Some(bps), None) =
                        (it.next(), it.next(), it.next(), it.next())
                    else {
                        return Err(bad());
                    };
                    Ok((
                        U256::from(m.parse::<u64>().map_err(|_| bad())?),
                        r.parse::<Relation>()?,
                        bps.parse::<u16>().map_err(|_| bad())?,
                    ))
                })
                .collect::<eyre::Result<Vec<_>>>()?;
            let spec = ModelSpec {
                uri: uri.clone(),
                datanets,
                parents,
                split: parse::split(split)?,
            };
            let sent = c.register_model_with_receipt(&spec).await?;
            let m = sent.value;
            Ok(out(
                json!({ "modelId": id(m), "tx": tx(&sent.receipt) }),
                format!("registered model {m} (tx {})", tx(&sent.receipt)),
            ))
        }
        ModelCmd::SetUri { model, uri } => {
            let (c, _) = ctx.writer().await?;
            let r = c.set_model_uri(U256::from(*model), uri).await?;
            Ok(out(
                json!({ "modelId": model, "uri": uri, "tx": tx(&r) }),
                format!("model {model} uri set to {uri} (tx {})", tx(&r)),
            ))
        }
        ModelCmd::SetSplit { model, split } => {
            let (c, _) = ctx.writer().await?;
            let s = parse::split(split)?;
            let r = c.set_fee_split(U256::from(*model), s).await?;
            Ok(out(
                json!({ "modelId": model, "split": { "ownerBps": s.0, "dataBps": s.1, "agentBps": s.2 }, "tx": tx(&r) }),
                format!(
                    "model {model} split set to owner {} / data {} / agent {} bps (tx {})",
                    s.0,
                    s.1,
                    s.2,
                    tx(&r)
                ),
            ))
        }
        ModelCmd::Deprecate { model } => {
            let (c, _) = ctx.writer().await?;
            let r = c.deprecate_model(U256::from(*model)).await?;
            Ok(out(
                json!({ "modelId": model, "deprecated": true, "tx": tx(&r) }),
                format!("model {model} deprecated (tx {})", tx(&r)),
            ))
        }
        ModelCmd::Show { model } => {
            let c = ctx.reader().await?;
            let m = c.model(U256::from(*model)).await?;
            let parents: Vec<Value> = m
                .parents
                .iter()
                .map(|p| {
                    json!({
                        "modelId": id(p.modelId),
                        "relation": Relation::from_code(p.relation).map(relation_name),
                        "royaltyBps": p.royaltyBps,
                    })
                })
                .collect();
            let datanets: Vec<Value> = m
                .datanets
                .iter()
                .map(|t| json!({ "datanetId": id(t.datanetId), "version": t.version }))
                .collect();
            Ok(out(
                json!({
                    "modelId": model,
                    "owner": m.owner,
                    "uri": m.uri,
                    "split": { "ownerBps": m.split.ownerBps, "dataBps": m.split.dataBps, "agentBps": m.split.agentBps },
                    "deprecated": m.deprecated,
                    "createdAt": m.createdAt,
                    "ancestorCount": m.ancestorCount,
                    "royaltyBpsTotal": m.royaltyBpsTotal,
                    "parents": parents,
                    "datanets": datanets,
                }),
                format!(
                    "model {model}{}\n  owner      {}\n  uri        {}\n  split      owner {} / data {} / agent {} bps\n  \
                     parents    {}\n  datanets   {}\n  ancestors  {} (royalties {} bps)",
                    if m.deprecated { " (deprecated)" } else { "" },
                    m.owner,
                    m.uri,
                    m.split.ownerBps,
                    m.split.dataBps,
                    m.split.agentBps,
                    m.parents
                        .iter()
                        .map(|p| format!(
                            "{} ({}, {} bps)",
                            p.modelId,
                            Relation::from_code(p.relation).map_or("?", relation_name),
                            p.royaltyBps
                        ))
                        .collect::<Vec<_>>()
                        .join(", "),
                    m.datanets
                        .iter()
                        .map(|t| format!("{} v{}", t.datanetId, t.version))
                        .collect::<Vec<_>>()
                        .join(", "),
                    m.ancestorCount,
                    m.royaltyBpsTotal
                ),
            ))
        }
        ModelCmd::Lineage { model } => {
            let c = ctx.reader().await?;
            let nodes = c.lineage(U256::from(*model)).await?;
            let mut text = format!("lineage of model {model}");
            let mut items = Vec::new();
            for n in &nodes {
                let parents = n
                    .parents
                    .iter()
                    .map(|(p, r, bps)| format!("{p} ({}, {bps} bps)", relation_name(*r)))
                    .collect::<Vec<_>>()
                    .join(", ");
                text.push_str(&format!(
                    "\n  {}model {}{}  owner {}{}",
                    "  ".repeat(n.depth as usize),
                    n.model_id,
                    if n.deprecated { " (deprecated)" } else { "" },
                    n.owner,
                    if parents.is_empty() {
                        String::new()
                    } else {
                        format!("  parents {parents}")
                    }
                ));
                items.push(json!({
                    "modelId": id(n.model_id),
                    "owner": n.owner,
                    "deprecated": n.deprecated,
                    "depth": n.depth,
                    "parents": n.parents.iter().map(|(p, r, bps)| json!({
                        "modelId": id(*p), "relation": relation_name(*r), "royaltyBps": bps
                    })).collect::<Vec<_>>(),
                }));
            }
            Ok(out(json!({ "modelId": model, "lineage": items }), text))
        }
    }
}

async fn agent(ctx: &Ctx<'_>, cmd: &AgentCmd) -> eyre::Result<Out> {
    match cmd {
        AgentCmd::Register {
            uri,
            model,
            metadata,
        } => {
            let (c, _) = ctx.writer().await?;
            let metadata = metadata
                .iter()
                .map(|kv| {
                    let (k, v) = kv
                        .split_once('=')
                        .ok_or_else(|| eyre!("--meta {kv:?}: expected KEY=VALUE"))?;
                    let value = match v.strip_prefix("0x") {
                        Some(h) => alloy::hex::decode(h)
                            .wrap_err_with(|| format!("--meta {kv:?}: bad hex"))?,
                        None => v.as_bytes().to_vec(),
                    };
                    Ok((k.to_owned(), value))
                })
                .collect::<eyre::Result<Vec<_>>>()?;
            let sent = c
                .register_agent_with_receipt(uri, U256::from(*model), &metadata)
                .await?;
            let a = sent.value;
            Ok(out(
                json!({ "agentId": id(a), "modelId": model, "tx": tx(&sent.receipt) }),
                format!(
                    "registered agent {a} on model {model} (tx {})",
                    tx(&sent.receipt)
                ),
            ))
        }
        AgentCmd::SetWallet {
            agent,
            wallet_key,
            valid_for,
        } => {
            let (c, owner) = ctx.writer().await?;
            let wallet = parse_key(wallet_key, "--wallet-key")?;
            let deadline = latest_timestamp(c.provider()).await? + valid_for;
            let agent_id = U256::from(*agent);
            let sig = c
                .sign_agent_wallet(&wallet, agent_id, owner.address(), deadline)
                .await?;
            let r = c
                .set_agent_wallet(agent_id, wallet.address(), deadline, sig)
                .await?;
            Ok(out(
                json!({ "agentId": agent, "wallet": wallet.address(), "tx": tx(&r) }),
                format!(
                    "agent {agent} wallet set to {} (tx {})",
                    wallet.address(),
                    tx(&r)
                ),
            ))
        }
        AgentCmd::RecordAction {
            agent,
            hash,
            uri,
            outcome,
        } => {
            let (c, _) = ctx.writer().await?;
            let h = parse::b256_or_hash(hash);
            let sent = c
                .record_action_with_receipt(U256::from(*agent), h, uri, *outcome)
                .await?;
            let index = sent.value;
            Ok(out(
                json!({ "agentId": agent, "index": id(index), "actionHash": h, "tx": tx(&sent.receipt) }),
                format!(
                    "recorded action {index} of agent {agent}: {h} (tx {})",
                    tx(&sent.receipt)
                ),
            ))
        }
        AgentCmd::Feedback {
            agent,
            value,
            decimals,
            tag1,
            tag2,
            uri,
            feedback_hash,
        } => {
            let (c, _) = ctx.writer().await?;
            let t1 = tag1
                .as_deref()
                .map(parse::tag)
                .transpose()?
                .unwrap_or_default();
            let t2 = tag2
                .as_deref()
                .map(parse::tag)
                .transpose()?
                .unwrap_or_default();
            let fh = feedback_hash
                .as_deref()
                .map(parse::b256)
                .transpose()?
                .unwrap_or_default();
            let sent = c
                .give_feedback_with_receipt(U256::from(*agent), *value, *decimals, t1, t2, uri, fh)
                .await?;
            let index = sent.value;
            Ok(out(
                json!({ "agentId": agent, "index": id(index), "tx": tx(&sent.receipt) }),
                format!(
                    "feedback {index} given to agent {agent} (tx {})",
                    tx(&sent.receipt)
                ),
            ))
        }
        AgentCmd::RevokeFeedback { agent, index } => {
            let (c, _) = ctx.writer().await?;
            let r = c
                .revoke_feedback(U256::from(*agent), U256::from(*index))
                .await?;
            Ok(out(
                json!({ "agentId": agent, "index": index, "revoked": true, "tx": tx(&r) }),
                format!("feedback {index} on agent {agent} revoked (tx {})", tx(&r)),
            ))
        }
        AgentCmd::Show { agent } => {
            let c = ctx.reader().await?;
            let a = c.agent(U256::from(*agent)).await?;
            Ok(out(
                json!({
                    "agentId": agent,
                    "owner": a.owner,
                    "uri": a.uri,
                    "modelId": id(a.modelId),
                    "wallet": a.wallet,
                    "actionCount": a.actionCount,
                    "feedbackCount": a.feedbackCount,
                    "actionHead": a.actionHead,
                }),
                format!(
                    "agent {agent}\n  owner     {}\n  uri       {}\n  model     {}\n  wallet    {}\n  \
                     actions   {}\n  feedback  {}",
                    a.owner, a.uri, a.modelId, a.wallet, a.actionCount, a.feedbackCount
                ),
            ))
        }
        AgentCmd::Actions { agent } => {
            let c = ctx.reader().await?;
            let list = c.agent_actions(U256::from(*agent)).await?;
            let mut text = format!("{} action(s) of agent {agent}", list.len());
            let mut items = Vec::new();
            for a in &list {
                text.push_str(&format!(
                    "\n  {:>4}  {}  outcome {}  {}",
                    a.index, a.actionHash, a.outcome, a.uri
                ));
                items.push(json!({
                    "index": id(a.index),
                    "actionHash": a.actionHash,
                    "uri": a.uri,
                    "outcome": a.outcome,
                    "wallet": a.wallet,
                    "head": a.head,
                }));
            }
            Ok(out(json!({ "agentId": agent, "actions": items }), text))
        }
    }
}

/// Proof (and maybe amount) from `--proof` or `--proof-file`.
fn claim_inputs(
    amount: Option<&str>,
    proof: Option<&str>,
    proof_file: Option<&Path>,
) -> eyre::Result<(U256, Vec<B256>)> {
    let (file_amount, proof) = match (proof, proof_file) {
        (Some(p), _) => (None, parse::proof_list(p)?),
        (None, Some(file)) => {
            let text = std::fs::read_to_string(file)
                .wrap_err_with(|| format!("cannot read --proof-file {}", file.display()))?;
            let v: Value = serde_json::from_str(&text)
                .wrap_err_with(|| format!("--proof-file {} is not JSON", file.display()))?;
            let (list, amt) = match &v {
                Value::Array(_) => (&v, None),
                Value::Object(o) => (
                    o.get("proof").ok_or_else(|| {
                        eyre!("--proof-file {}: no `proof` field", file.display())
                    })?,
                    o.get("amount").or_else(|| o.get("cumulative")),
                ),
                _ => {
                    return Err(eyre!(
                        "--proof-file {}: expected an array or object",
                        file.display()
                    ));
                }
            };
            let proof = list
                .as_array()
                .ok_or_else(|| eyre!("--proof-file {}: `proof` is not an array", file.display()))?
                .iter()
                .map(|h| {
                    h.as_str()
                        .ok_or_else(|| eyre!("proof entries must be hex strings"))
                        .and_then(parse::b256)
                })
                .collect::<eyre::Result<Vec<_>>>()?;
            let amt = match amt {
                Some(Value::String(s)) => Some(parse::amount(s)?),
                Some(Value::Number(n)) => Some(parse::amount(&n.to_string())?),
                Some(_) => return Err(eyre!("--proof-file: `amount` must be a string or number")),
                None => None,
            };
            (amt, proof)
        }
        (None, None) => return Err(eyre!("give --proof (comma-separated hex) or --proof-file")),
    };
    let amount = match (amount, file_amount) {
        (Some(a), _) => parse::amount(a)?,
        (None, Some(a)) => a,
        (None, None) => return Err(eyre!("give --amount (the leaf's cumulative amount)")),
    };
    Ok((amount, proof))
}

async fn escrow(ctx: &Ctx<'_>, cmd: &EscrowCmd) -> eyre::Result<Out> {
    match cmd {
        EscrowCmd::Pay {
            model,
            agent,
            amount,
            output_hash,
            output_file,
            output_uri,
            permit,
        } => {
            let (c, key) = ctx.writer().await?;
            let amount = parse::amount(amount)?;
            let output = match (output_hash, output_file) {
                (Some(h), _) => parse::b256(h)?,
                (None, Some(f)) => content_hash(
                    &std::fs::read(f).wrap_err_with(|| format!("cannot read {}", f.display()))?,
                ),
                (None, None) => return Err(eyre!("give --output-hash or --output-file")),
            };
            let (m, a) = (U256::from(*model), U256::from(*agent));
            let sent = if *permit {
                let deadline = latest_timestamp(c.provider()).await? + 3600;
                let sig = c.sign_permit(&key, amount, deadline).await?;
                c.pay_inference_with_permit_and_receipt(m, a, amount, output, output_uri, sig)
                    .await?
            } else {
                c.pay_inference_with_receipt(m, a, amount, output, output_uri)
                    .await?
            };
            let inference = sent.value;
            Ok(out(
                json!({
                    "inferenceId": id(inference),
                    "modelId": model,
                    "agentId": agent,
                    "amount": amount.to_string(),
                    "outputHash": output,
                    "permit": permit,
                    "tx": tx(&sent.receipt),
                }),
                format!(
                    "paid inference {inference} on model {model}: {} (tx {})",
                    tokens(amount),
                    tx(&sent.receipt)
                ),
            ))
        }
        EscrowCmd::Claim {
            account,
            api,
            amount,
            proof,
            proof_file,
        } => {
            let (c, _) = ctx.writer().await?;
            let account = ctx.account_or_sender(&c, account.as_deref())?;
            // A proof given by hand wins over the API (which may come from the environment).
            if proof.is_none() && proof_file.is_none() {
                if amount.is_some() {
                    return Err(eyre!(
                        "--amount needs --proof or --proof-file; or drop it and use --api to \
                         fetch both from the indexer"
                    ));
                }
                let api = api_client(api.as_deref())?;
                let claim = c.claim_with_api(&api, account).await?;
                let p = &claim.proof;
                return Ok(out(
                    json!({
                        "account": account,
                        "cumulative": p.cumulative.to_string(),
                        "paid": claim.paid.to_string(),
                        "epoch": p.epoch,
                        "root": p.root,
                        "tx": tx(&claim.receipt),
                    }),
                    format!(
                        "claimed {} for {account} (epoch {} root, cumulative {}; tx {})",
                        tokens(claim.paid),
                        p.epoch,
                        tokens(p.cumulative),
                        tx(&claim.receipt)
                    ),
                ));
            }
            let (cumulative, proof) =
                claim_inputs(amount.as_deref(), proof.as_deref(), proof_file.as_deref())?;
            let sent = c.claim_with_receipt(account, cumulative, &proof).await?;
            let paid = sent.value;
            Ok(out(
                json!({
                    "account": account,
                    "cumulative": cumulative.to_string(),
                    "paid": paid.to_string(),
                    "tx": tx(&sent.receipt),
                }),
                format!(
                    "claimed {} for {account} (tx {})",
                    tokens(paid),
                    tx(&sent.receipt)
                ),
            ))
        }
        EscrowCmd::Claimable {
            account,
            api,
            amount,
        } => {
            let c = ctx.reader().await?;
            let account = parse::address(account)?;
            if let Some(amount) = amount {
                let cumulative = parse::amount(amount)?;
                let claimable = c.claimable(account, cumulative).await?;
                return Ok(out(
                    json!({ "account": account, "cumulative": cumulative.to_string(), "claimable": claimable.to_string() }),
                    format!("{account} can claim {}", tokens(claimable)),
                ));
            }
            let api = api_client(api.as_deref())?;
            match c.claimable_with_api(&api, account).await {
                Ok(r) => {
                    let p = &r.proof;
                    let mut text = format!(
                        "{account} can claim {} (cumulative {} in the root of epoch {}, claimed {})",
                        tokens(r.claimable),
                        tokens(p.cumulative),
                        p.epoch,
                        tokens(r.claimed)
                    );
                    if !r.root_is_current {
                        text.push_str(
                            "; the API's root is not the escrow's current root yet (the indexer \
                             is behind): claiming now would fail",
                        );
                    }
                    Ok(out(
                        json!({
                            "account": account,
                            "cumulative": p.cumulative.to_string(),
                            "claimed": r.claimed.to_string(),
                            "claimable": r.claimable.to_string(),
                            "epoch": p.epoch,
                            "root": p.root,
                            "rootIsCurrent": r.root_is_current,
                        }),
                        text,
                    ))
                }
                // Not in the tree: the account earned nothing up to the current root.
                Err(Error::Api(ApiError::NoBalance { .. })) => {
                    let claimed = c.claimed(account).await?;
                    Ok(out(
                        json!({
                            "account": account,
                            "cumulative": "0",
                            "claimed": claimed.to_string(),
                            "claimable": "0",
                            "inCurrentRoot": false,
                        }),
                        format!(
                            "{account} can claim nothing: it has no balance in the current root"
                        ),
                    ))
                }
                Err(e) => Err(e.into()),
            }
        }
        EscrowCmd::Claimed { account } => {
            let c = ctx.reader().await?;
            let account = parse::address(account)?;
            let claimed = c.claimed(account).await?;
            Ok(out(
                json!({ "account": account, "claimed": claimed.to_string() }),
                format!("{account} has claimed {}", tokens(claimed)),
            ))
        }
        EscrowCmd::ProposeRoot(args) => propose_root(ctx, args).await,
        EscrowCmd::AcceptRoot => {
            let (c, _) = ctx.writer().await?;
            let r = c.accept_root().await?;
            let ev = event::<RewardEscrow::RootAccepted>(&r)?;
            Ok(out(
                json!({
                    "epoch": ev.epoch,
                    "root": ev.root,
                    "totalCumulative": ev.totalCumulative.to_string(),
                    "toBlock": ev.toBlock,
                    "tx": tx(&r),
                }),
                format!(
                    "accepted the root of epoch {}: {} ({} in total; tx {})",
                    ev.epoch,
                    ev.root,
                    tokens(ev.totalCumulative),
                    tx(&r)
                ),
            ))
        }
        EscrowCmd::VetoRoot { epoch } => {
            let (c, _) = ctx.writer().await?;
            let r = c.veto_root(*epoch).await?;
            let ev = event::<RewardEscrow::RootVetoed>(&r)?;
            Ok(out(
                json!({ "epoch": ev.epoch, "root": ev.root, "guardian": ev.guardian, "tx": tx(&r) }),
                format!(
                    "vetoed the pending root of epoch {}: {} (tx {})",
                    ev.epoch,
                    ev.root,
                    tx(&r)
                ),
            ))
        }
    }
}

/// The API client for `--api` (or `OPENLEDGER_API_URL`).
fn api_client(api: Option<&str>) -> eyre::Result<ApiClient> {
    let url = api.filter(|u| !u.trim().is_empty()).ok_or_else(|| {
        eyre!(
            "give --api URL (or set OPENLEDGER_API_URL) to fetch the proof from the indexer, or \
             --amount with --proof / --proof-file"
        )
    })?;
    let parsed: alloy::transports::http::reqwest::Url = url
        .parse()
        .wrap_err_with(|| format!("invalid --api {url}: expected e.g. http://127.0.0.1:8080"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(eyre!("invalid --api {url}: expected an http(s) URL"));
    }
    Ok(ApiClient::new(url))
}

fn read_file(path: &Path, flag: &str) -> eyre::Result<Vec<u8>> {
    std::fs::read(path).wrap_err_with(|| format!("cannot read {flag} {}", path.display()))
}

/// A flag that `--epoch` needs (clap checks it too; this keeps the error in one place if not).
fn need<T: Clone>(v: &Option<T>, flag: &str) -> eyre::Result<T> {
    v.clone()
        .ok_or_else(|| eyre!("--epoch needs {flag} as well"))
}

/// `escrow propose-root`: the update from a file, a report or flags; signatures from the file
/// and from `--oracle-key`s; then sent, or written to `--out` for the next signer.
async fn propose_root(ctx: &Ctx<'_>, args: &ProposeRootArgs) -> eyre::Result<Out> {
    let ProposeRootArgs {
        file,
        report,
        epoch,
        root,
        total,
        report_hash,
        from_block,
        to_block,
        oracle_keys,
        out: out_file,
    } = args;
    let mut signed = match (file, report, epoch) {
        (Some(path), _, _) => serde_json::from_slice::<SignedRootUpdate>(&read_file(
            path, "--file",
        )?)
        .wrap_err_with(|| {
            format!(
                "--file {}: expected epoch, root, totalCumulative (decimal string), \
                     reportHash, fromBlock, toBlock and signatures",
                path.display()
            )
        })?,
        (None, Some(path), _) => {
            let bytes = read_file(path, "--report")?;
            let r = ReportBalances::from_json(&bytes)
                .wrap_err_with(|| format!("--report {}", path.display()))?;
            // The root must be the report's own, or the oracles would sign balances nobody can prove.
            r.verified_tree()
                .wrap_err_with(|| format!("--report {} does not back its root", path.display()))?;
            SignedRootUpdate {
                epoch: r.epoch,
                root: r.root,
                total_cumulative: r.total_cumulative,
                report_hash: alloy::primitives::keccak256(&bytes),
                from_block: r.from_block,
                to_block: r.to_block,
                signatures: Vec::new(),
            }
        }
        (None, None, Some(epoch)) => SignedRootUpdate {
            epoch: *epoch,
            root: parse::b256(&need(root, "--root")?)?,
            total_cumulative: parse::amount(&need(total, "--total")?)?,
            report_hash: parse::b256(&need(report_hash, "--report-hash")?)?,
            from_block: need(from_block, "--from-block")?,
            to_block: need(to_block, "--to-block")?,
            signatures: Vec::new(),
        },
        (None, None, None) => {
            return Err(eyre!(
                "give --file (a signed update), --report (an epoch report), or --epoch with \
                 --root, --total, --report-hash, --from-block and --to-block"
            ));
        }
    };
    // Only the domain is needed to sign: a reader is enough when writing --out.
    let c = if out_file.is_some() {
        ctx.reader().await?
    } else {
        ctx.writer().await?.0
    };
    let domain = c.root_update_domain();
    for k in oracle_keys {
        let key = parse_key(k, "--oracle-key")?;
        signed
            .sign(&key, &domain)
            .await
            .wrap_err("signing the root update")?;
    }
    let signers = signed
        .signers(&domain)
        .wrap_err("the signatures do not recover")?;
    let sorted = signed
        .sorted_signatures(&domain)
        .wrap_err("the signatures cannot be used")?;
    let update = signed.update();
    if let Some(path) = out_file {
        std::fs::write(path, serde_json::to_vec_pretty(&signed)?)
            .wrap_err_with(|| format!("cannot write --out {}", path.display()))?;
        return Ok(out(
            json!({ "file": path, "epoch": update.epoch, "root": update.root, "signers": signers }),
            format!(
                "wrote the update of epoch {} signed by {} signer(s) to {}",
                update.epoch,
                signers.len(),
                path.display()
            ),
        ));
    }
    if sorted.is_empty() {
        return Err(eyre!(
            "the update has no signatures: give --oracle-key, or a --file with signatures"
        ));
    }
    let r = c.propose_root(&update, sorted).await?;
    let ev = event::<RewardEscrow::RootProposed>(&r)?;
    Ok(out(
        json!({
            "epoch": ev.epoch,
            "root": ev.root,
            "totalCumulative": ev.totalCumulative.to_string(),
            "reportHash": ev.reportHash,
            "fromBlock": ev.fromBlock,
            "toBlock": ev.toBlock,
            "validAt": ev.validAt,
            "signers": ev.signers,
            "tx": tx(&r),
        }),
        format!(
            "proposed the root of epoch {}: {} ({} in total), signed by {}; acceptable from {} \
             (unix time) (tx {})",
            ev.epoch,
            ev.root,
            tokens(ev.totalCumulative),
            ev.signers
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            ev.validAt,
            tx(&r)
        ),
    ))
}

async fn token(ctx: &Ctx<'_>, cmd: &TokenCmd) -> eyre::Result<Out> {
    match cmd {
        TokenCmd::Approve { spender: s, amount } => {
            let (c, _) = ctx.writer().await?;
            let who = spender(c.deployment(), s)?;
            let amount = parse::amount(amount)?;
            let r = c.approve(who, amount).await?;
            Ok(out(
                json!({ "spender": who, "amount": amount.to_string(), "tx": tx(&r) }),
                format!("approved {who} for {} (tx {})", tokens(amount), tx(&r)),
            ))
        }
        TokenCmd::Balance { account } => {
            let c = ctx.reader().await?;
            let account = ctx.account_or_sender(&c, account.as_deref())?;
            let balance = c.token_balance(account).await?;
            Ok(out(
                json!({ "account": account, "token": c.deployment().contracts.payment_token, "balance": balance.to_string() }),
                format!("{account}: {}", tokens(balance)),
            ))
        }
        TokenCmd::Mint { to, amount } => {
            let (c, _) = ctx.writer().await?;
            let to = parse::address(to)?;
            let amount = parse::amount(amount)?;
            let r = c.mint_dev_tokens(to, amount).await?;
            Ok(out(
                json!({ "to": to, "amount": amount.to_string(), "tx": tx(&r) }),
                format!("minted {} to {to} (tx {})", tokens(amount), tx(&r)),
            ))
        }
    }
}
