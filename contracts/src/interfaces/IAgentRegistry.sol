// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IAgentRegistry
/// @notice The part of the agent registry that other contracts depend on.
interface IAgentRegistry {
    /// @notice The model an agent runs on; 0 when the agent does not exist (model ids start at 1).
    function modelOf(uint256 agentId) external view returns (uint256);
}
