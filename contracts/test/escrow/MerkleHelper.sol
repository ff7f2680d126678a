// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

/// @dev Merkle trees with sorted-pair hashing (the node hashing of OZ MerkleProof / StandardMerkleTree).
/// An odd node at the end of a level is carried up unchanged. Proofs verify with OZ MerkleProof.
library MerkleHelper {
    function leaf(address account, address token, uint256 cumulativeAmount) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(account, token, cumulativeAmount))));
    }

    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        require(leaves.length > 0, "empty");
        bytes32[] memory level = leaves;
        while (level.length > 1) {
            level = _up(level);
        }
        return level[0];
    }

    function proof(bytes32[] memory leaves, uint256 index) internal pure returns (bytes32[] memory p) {
        bytes32[] memory tmp = new bytes32[](64);
        uint256 depth;
        bytes32[] memory level = leaves;
        while (level.length > 1) {
            uint256 sibling = index ^ 1;
            if (sibling < level.length) tmp[depth++] = level[sibling];
            level = _up(level);
            index >>= 1;
        }
        p = new bytes32[](depth);
        for (uint256 i; i < depth; ++i) {
            p[i] = tmp[i];
        }
    }

    /// @dev Root of a leaf with the given sibling path (as OZ processProof).
    function rootFromProof(bytes32 leaf_, bytes32[] memory p) internal pure returns (bytes32 h) {
        h = leaf_;
        for (uint256 i; i < p.length; ++i) {
            h = Hashes.commutativeKeccak256(h, p[i]);
        }
    }

    function _up(bytes32[] memory level) private pure returns (bytes32[] memory next) {
        uint256 n = level.length;
        next = new bytes32[]((n + 1) / 2);
        for (uint256 i; i < n / 2; ++i) {
            next[i] = Hashes.commutativeKeccak256(level[2 * i], level[2 * i + 1]);
        }
        if (n % 2 == 1) next[n / 2] = level[n - 1];
    }
}
