//! One-line error messages, with a hint for the common mistakes.

use openledger_sdk::{DeploymentError, Error};

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
            _ => None,
        },
        _ => None,
    }
}
