// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AgentRegistry} from "../AgentRegistry.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";

/// @title LoadGen
/// @notice LOCAL CHAINS ONLY. One participant of a synthetic OpenLedger economy, for the indexer benchmark:
/// its operator batches many calls to the real contracts into one transaction, so that a chain of
/// hundreds of thousands of events is built in minutes (see the `openledger-loadgen` crate).
/// @dev Every call is made from this contract, so each instance is a distinct contributor, datanet owner,
/// model and agent owner, agent wallet and paying client; deploy several for several participants.
/// Only the operator (the deployer) drives it, and it holds nothing of value: it spends dev tokens it
/// mints through the calls it is given.
///
/// Agent wallets must authorise their binding with a signature. An instance is its own agents' wallet
/// through ERC-1271: `bindAsWallet` records the one EIP-712 digest the operator computed for that binding,
/// then asks the registry for it, and `isValidSignature` accepts that digest only. The registry recomputes
/// the digest itself (agent, wallet, owner, nonce, deadline), so a wrong one is simply refused, and the
/// wallet nonce it includes is consumed by the binding: an approved digest can never be used again.
contract LoadGen is IERC1271 {
    /// @notice One call of a batch.
    struct Call {
        address target;
        bytes data;
    }

    /// @notice The account allowed to drive this instance (its deployer).
    address public immutable OPERATOR;

    /// @dev The AgentWalletSet digest this contract currently approves (zero for none).
    bytes32 private _approvedDigest;

    /// @notice `caller` is neither the operator nor this contract.
    error NotOperator(address caller);
    /// @notice Call number `index` of a batch reverted with `reason`.
    error CallFailed(uint256 index, bytes reason);

    modifier onlyOperator() {
        // Calls from this contract come from a batch the operator sent.
        if (msg.sender != OPERATOR && msg.sender != address(this)) revert NotOperator(msg.sender);
        _;
    }

    constructor() {
        OPERATOR = msg.sender;
    }

    /// @notice Makes `calls` in order, from this contract. Reverts as a whole, naming the failing call.
    /// @dev No value is ever sent. The targets are whatever the operator names: the instance is its tool.
    function run(Call[] calldata calls) external onlyOperator {
        for (uint256 i; i < calls.length; ++i) {
            // slither-disable-next-line calls-loop,low-level-calls -- a batch executor, by design
            (bool ok, bytes memory reason) = calls[i].target.call(calls[i].data);
            if (!ok) revert CallFailed(i, reason);
        }
    }

    /// @notice Makes this contract the wallet of `agentId` (which it must own or be approved for).
    /// @param digest The registry's `agentWalletDigest(agentId, this, owner, walletNonce(this), deadline)`.
    function bindAsWallet(AgentRegistry agents, uint256 agentId, uint256 deadline, bytes32 digest)
        external
        onlyOperator
    {
        _approvedDigest = digest;
        agents.setAgentWallet(agentId, address(this), deadline, "");
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata) external view returns (bytes4) {
        if (hash != bytes32(0) && hash == _approvedDigest) return IERC1271.isValidSignature.selector;
        return 0xffffffff;
    }
}
