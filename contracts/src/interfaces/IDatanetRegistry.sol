// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IDatanetRegistry
/// @notice The part of the datanet registry that other contracts depend on.
interface IDatanetRegistry {
    /// @notice The owner of a datanet; the zero address when the datanet does not exist (ids start at 1).
    function datanetOwner(uint256 datanetId) external view returns (address);

    /// @notice The number of the latest published version of a datanet; 0 when none (versions start at 1).
    function latestVersion(uint256 datanetId) external view returns (uint64);

    /// @notice The commitment of a published version; zero when the version does not exist.
    function versionCommitment(uint256 datanetId, uint64 version) external view returns (bytes32);

    /// @notice True when the contribution's status is Accepted.
    /// @dev In an open datanet an accepted contribution can still be rejected until its review deadline.
    function isAccepted(uint256 contributionId) external view returns (bool);
}
