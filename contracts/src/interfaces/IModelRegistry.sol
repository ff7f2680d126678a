// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IModelRegistry
/// @notice The part of the model registry that other contracts depend on.
interface IModelRegistry {
    /// @notice The fee split of a model, in basis points of the fee left after the protocol fee.
    /// @dev ownerBps + dataBps + agentBps == 10_000. Royalties to ancestors come out of ownerBps.
    struct FeeSplit {
        uint16 ownerBps;
        uint16 dataBps;
        uint16 agentBps;
    }

    /// @notice What a payment for an inference on `modelId` needs to know, in one call.
    /// @return active True when the model exists and is not deprecated.
    /// @return split The split in force at this block.
    function inferenceTerms(uint256 modelId) external view returns (bool active, FeeSplit memory split);
}
