//! One-line error messages, with a hint for the common mistakes.

use openledger_sdk::{ApiError, DeploymentError, Error};

use crate::args::{AgentCmd, Command, DatanetCmd, EscrowCmd, ModelCmd};

/// `error: <what went wrong>[; hint: <what to do>]`, on one line.
pub fn render(command: &Command, err: &eyre::Report) -> String {
    let message = err
        .chain()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ")
        .replace('\n', " ");
    match hint(command, err) {
        Some(h) => format!("error: {message}; hint: {h}"),
        None => format!("error: {message}"),
    }
}

fn hint(command: &Command, err: &eyre::Report) -> Option<String> {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<Error>() {
            return sdk_hint(command, e);
        }
        if let Some(e) = cause.downcast_ref::<DeploymentError>() {
            return deployment_hint(e);
        }
        if let Some(e) = cause.downcast_ref::<ApiError>() {
            return api_hint(e);
        }
    }
    None
}

fn deployment_hint(e: &DeploymentError) -> Option<String> {
    match e {
        DeploymentError::Missing { path, .. } => Some(format!(
            "looked for {}; deploy the contracts first (scripts/deploy) or point --deployments at \
             the directory that holds <chainId>.json",
            path.display()
        )),
        DeploymentError::WrongChain { .. } => Some(
            "wrong chain: the deployment file does not match the node; check --rpc-url and \
             --deployments"
                .into(),
        ),
        _ => None,
    }
}

fn api_hint(e: &ApiError) -> Option<String> {
    Some(match e {
        ApiError::Unreachable { .. } => "is the indexer running? check --api (or \
             OPENLEDGER_API_URL), e.g. http://127.0.0.1:8080"
            .into(),
        ApiError::NoCurrentRoot { .. } => "no epoch root is current yet, or the indexer has not \
             seen it: once a proposed root's dispute window is over, `openledger escrow \
             accept-root`, then retry when the indexer has caught up"
            .into(),
        ApiError::ReportNotLoaded { .. } => "the oracle has not uploaded the current root's epoch \
             report to the content store (POST /v1/content), or the indexer refused it; until it \
             does, claim with --amount and --proof-file"
            .into(),
        ApiError::NoBalance { .. } => {
            "nothing to claim: the account earned nothing up to the current root".into()
        }
        ApiError::UnknownAccount { .. } => {
            "the account never contributed, earned or claimed on this deployment".into()
        }
        ApiError::Status { .. } | ApiError::Protocol { .. } => {
            "is --api the OpenLedger indexer's API for this deployment?".into()
        }
    })
}

fn sdk_hint(command: &Command, e: &Error) -> Option<String> {
    match e {
        Error::InsufficientAllowance {
            spender, needed, ..
        } => Some(match command {
            Command::Datanet(DatanetCmd::Contribute { .. }) => format!(
                "re-run with --approve, or run `openledger token approve datanets {needed}`"
            ),
            Command::Escrow(EscrowCmd::Pay { .. }) => format!(
                "run `openledger token approve {spender} {needed}` (or `token approve escrow \
                 {needed}`) or use --permit"
            ),
            _ => format!("run `openledger token approve {spender} {needed}`"),
        }),
        Error::WrongChain { .. } => {
            Some("wrong chain: check --rpc-url and --deployments".into())
        }
        Error::ProofMismatch { .. } => {
            Some("proof does not match the current root: fetch a fresh proof".into())
        }
        Error::StaleProof { .. } => Some(
            "the indexer has not caught up with the latest root yet: retry in a few seconds".into(),
        ),
        Error::NoCurrentRoot => Some(
            "nothing can be claimed before an epoch root is accepted: propose one, then `openledger \
             escrow accept-root` after its dispute window"
                .into(),
        ),
        Error::Api(a) => api_hint(a),
        Error::Deployment(d) => deployment_hint(d),
        Error::Revert { revert } => match revert.name.as_str() {
            "ModelNotActive" => {
                let n = revert.field("modelId").unwrap_or("?");
                Some(format!("model {n} does not exist or is deprecated"))
            }
            "ERC721NonexistentToken" => {
                let n = revert.field("tokenId").unwrap_or("?");
                Some(match command {
                    Command::Agent(
                        AgentCmd::Show { .. }
                        | AgentCmd::SetWallet { .. }
                        | AgentCmd::RecordAction { .. }
                        | AgentCmd::Feedback { .. }
                        | AgentCmd::Actions { .. },
                    ) => format!("agent {n} does not exist"),
                    Command::Model(ModelCmd::Register { .. }) => {
                        format!("parent model {n} does not exist")
                    }
                    _ => format!("model {n} does not exist or is deprecated"),
                })
            }
            "ModelIsDeprecated" | "DeprecatedParent" | "UnknownParent" => {
                let n = revert
                    .fields
                    .first()
                    .map(|(_, v)| v.as_str())
                    .unwrap_or("?");
                Some(format!("model {n} does not exist or is deprecated"))
            }
            "BondShortfall" => Some(
                "bond too small: the registry received less than the datanet's bond (fee-on-transfer \
                 token or short allowance)"
                    .into(),
            ),
            "ContentAlreadySubmitted" => Some(format!(
                "this content is already contribution {}",
                revert.field("contributionId").unwrap_or("?")
            )),
            "NothingToClaim" => Some("everything in this leaf has been claimed already".into()),
            "DatanetNotFound" => Some("no datanet with that id".into()),
            "NotCurator" | "NotDatanetOwner" => {
                Some("send from the datanet's owner or one of its curators".into())
            }
            "NotAgentWallet" | "NoAgentWallet" => Some(
                "record actions with the agent wallet's key; bind one with `openledger agent \
                 set-wallet`"
                    .into(),
            ),
            "SelfFeedback" => Some("an agent's owner and wallet cannot give it feedback".into()),
            "InvalidSplit" => Some("the split must sum to 10000 basis points".into()),
            "NotGuardian" => Some("only the escrow's guardian can veto a root".into()),
            "DisputeWindowOpen" => Some(format!(
                "the dispute window is open until {} (unix time): accept the root after it",
                revert.field("validAt").unwrap_or("?")
            )),
            "DisputeWindowClosed" => Some(format!(
                "too late to veto: the dispute window closed at {} (unix time); the root can be \
                 accepted",
                revert.field("validAt").unwrap_or("?")
            )),
            "NoPendingRoot" => Some(match command {
                Command::Escrow(EscrowCmd::VetoRoot { .. }) => {
                    "no root of that epoch is pending (already accepted, vetoed, or another epoch)"
                        .into()
                }
                _ => "no root is pending: propose one first (`openledger escrow propose-root`)"
                    .into(),
            }),
            "RootPending" => Some(format!(
                "the root of epoch {} is pending until {} (unix time): propose after that, or have \
                 the guardian veto it",
                revert.field("epoch").unwrap_or("?"),
                revert.field("validAt").unwrap_or("?")
            )),
            "NotEnoughSignatures" => Some(format!(
                "the escrow needs {} oracle signatures: add --oracle-key, or collect more in the \
                 --file",
                revert.field("threshold").unwrap_or("?")
            )),
            "NotASigner" => Some(format!(
                "{} is not in the escrow's oracle signer set",
                revert.field("signer").unwrap_or("?")
            )),
            "EpochNotIncreasing" => Some(format!(
                "the epoch must be greater than {}",
                revert.field("lastEpoch").unwrap_or("?")
            )),
            "NonContiguousBlocks" => Some(format!(
                "fromBlock must be {}, right after the current root's toBlock",
                revert.field("expectedFromBlock").unwrap_or("?")
            )),
            "InvalidBlockRange" => Some(
                "the block range must have fromBlock <= toBlock < the current block".into(),
            ),
            "ExceedsDistributable" => Some(
                "the total is more than the escrow holds for contributors: check the report".into(),
            ),
            "NotFeedbackClient" => {
                Some("only the client who gave the feedback can revoke it".into())
            }
            "FeedbackAlreadyRevoked" => Some("that feedback is already revoked".into()),
            "UnknownFeedback" => Some("no feedback with that index on that agent".into()),
            _ => None,
        },
        _ => None,
    }
}
