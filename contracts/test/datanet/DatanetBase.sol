// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {DatanetRegistry} from "../../src/DatanetRegistry.sol";
import {DatanetTestToken} from "./DatanetTestToken.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Shared set-up for the datanet registry tests.
abstract contract DatanetBase is Test {
    DatanetRegistry internal reg;
    DatanetTestToken internal token;

    address internal owner = makeAddr("owner");
    address internal curator = makeAddr("curator");
    address internal treasury = makeAddr("treasury");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal stranger = makeAddr("stranger");

    uint128 internal constant BOND = 100e18;
    uint64 internal constant PERIOD = 3 days;
    bytes32 internal constant REASON = "spam";

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        token = new DatanetTestToken();
        reg = new DatanetRegistry(token);
        address[3] memory users = [alice, bob, stranger];
        for (uint256 i; i < users.length; ++i) {
            token.mint(users[i], 1_000_000e18);
            vm.prank(users[i]);
            token.approve(address(reg), type(uint256).max);
        }
    }

    function _policy(uint128 bond, bool curated, uint64 period)
        internal
        pure
        returns (DatanetRegistry.Policy memory)
    {
        return DatanetRegistry.Policy({bond: bond, curated: curated, reviewPeriod: period});
    }

    /// @dev A datanet owned by `owner` with `curator` as curator and `treasury` as treasury.
    function _create(uint128 bond, bool curated, uint64 period) internal returns (uint256 id) {
        vm.startPrank(owner);
        id = reg.createDatanet("ipfs://datanet", _policy(bond, curated, period), treasury);
        reg.setCurator(id, curator, true);
        vm.stopPrank();
    }

    function _curated() internal returns (uint256) {
        return _create(BOND, true, PERIOD);
    }

    function _open() internal returns (uint256) {
        return _create(BOND, false, PERIOD);
    }

    function _hash(uint256 n) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked("record", n));
    }

    function _submit(address who, uint256 datanetId, uint256 n) internal returns (uint256) {
        vm.prank(who);
        return reg.submitContribution(datanetId, _hash(n), "ipfs://record", 42);
    }

    function _ids(uint256 a) internal pure returns (uint256[] memory ids) {
        ids = new uint256[](1);
        ids[0] = a;
    }

    function _ids(uint256 a, uint256 b) internal pure returns (uint256[] memory ids) {
        ids = new uint256[](2);
        ids[0] = a;
        ids[1] = b;
    }

    function _status(uint256 id) internal view returns (DatanetRegistry.Status) {
        return reg.getContribution(id).status;
    }

    function _assertStatus(uint256 id, DatanetRegistry.Status expected) internal view {
        assertEq(uint8(_status(id)), uint8(expected), "status");
    }
}
