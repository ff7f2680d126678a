// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {DatanetRegistry} from "../../src/DatanetRegistry.sol";
import {DatanetHandler} from "./DatanetHandler.sol";
import {DatanetTestToken} from "./DatanetTestToken.sol";
import {StdInvariant} from "forge-std/StdInvariant.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Invariants of the registry under random creates, policy changes, submissions, reviews (single
/// and batched), withdrawals, releases and time travel by several actors.
abstract contract DatanetInvariantBase is StdInvariant, Test {
    DatanetRegistry internal reg;
    DatanetTestToken internal token;
    DatanetHandler internal handler;

    function _misbehavingToken() internal pure virtual returns (bool);

    function setUp() public {
        vm.warp(1_700_000_000);
        token = new DatanetTestToken();
        reg = new DatanetRegistry(token);
        handler = new DatanetHandler(reg, token, _misbehavingToken());

        bytes4[] memory selectors = new bytes4[](15);
        selectors[0] = DatanetHandler.createDatanet.selector;
        selectors[1] = DatanetHandler.setPolicy.selector;
        selectors[2] = DatanetHandler.submit.selector;
        selectors[3] = DatanetHandler.submit.selector; // submissions twice as likely
        selectors[4] = DatanetHandler.accept.selector;
        selectors[5] = DatanetHandler.acceptBatch.selector;
        selectors[6] = DatanetHandler.reject.selector;
        selectors[7] = DatanetHandler.rejectBatch.selector;
        selectors[8] = DatanetHandler.withdraw.selector;
        selectors[9] = DatanetHandler.release.selector;
        selectors[10] = DatanetHandler.releaseMany.selector;
        selectors[11] = DatanetHandler.warp.selector;
        selectors[12] = DatanetHandler.setTokenBehaviour.selector;
        selectors[13] = DatanetHandler.commit.selector;
        selectors[14] = DatanetHandler.reveal.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @dev The registry holds exactly the bonds it has not settled, and that is what came in minus what went out.
    function invariant_balanceEqualsUnsettledBonds() public view {
        uint256 unsettled;
        uint256 n = reg.contributionCount();
        for (uint256 i = 1; i <= n; ++i) {
            DatanetRegistry.Contribution memory c = reg.getContribution(i);
            if (!c.bondSettled) unsettled += c.bond;
        }
        assertEq(token.balanceOf(address(reg)), unsettled, "balance != unsettled bonds");
        assertEq(handler.ghostBondsIn() - handler.ghostBondsOut(), unsettled, "ghost flows");
        assertEq(handler.flowMismatches(), 0, "an action moved a different amount than the bonds it settled");
    }

    /// @dev A bond is settled at most once and never becomes unsettled.
    function invariant_bondSettledAtMostOnce() public view {
        assertEq(handler.doubleSettles(), 0, "double settlement");
        assertEq(handler.unsettles(), 0, "settled flag cleared");
        uint256 n = reg.contributionCount();
        for (uint256 i = 1; i <= n; ++i) {
            uint256 count = handler.settleCount(i);
            assertLe(count, 1);
            assertEq(count == 1, reg.getContribution(i).bondSettled, "settle count vs flag");
        }
    }

    /// @dev The hash index of a datanet points at the lowest id holding that hash that is not withdrawn:
    /// a live or rejected contribution holds its hash unless an earlier commit's reveal took it (a copy
    /// submitted after that commit), and never a withdrawn one. Reserved ids not revealed are gaps.
    function invariant_hashHeldByItsEarliestContribution() public view {
        uint256 n = reg.contributionCount();
        for (uint256 i = 1; i <= n; ++i) {
            DatanetRegistry.Contribution memory c = reg.getContribution(i);
            if (c.status == DatanetRegistry.Status.None) continue;
            uint256 holder = reg.contributionOf(c.datanetId, c.contentHash);
            if (c.status == DatanetRegistry.Status.Withdrawn) {
                assertTrue(holder != i, "withdrawn still holds hash");
                continue;
            }
            assertTrue(holder != 0 && holder <= i, "a later id holds an earlier record's hash");
            DatanetRegistry.Contribution memory h = reg.getContribution(holder);
            assertEq(h.contentHash, c.contentHash, "holder has another hash");
            assertEq(h.datanetId, c.datanetId, "holder in another datanet");
            assertTrue(h.status != DatanetRegistry.Status.Withdrawn, "withdrawn holder");
        }
        assertEq(handler.orderViolations(), 0, "a reveal did not take its hash");
    }

    /// @dev Statuses only move along legal edges, and the settled flag agrees with the status.
    function invariant_legalTransitions() public view {
        assertEq(handler.illegalEdges(), 0, "illegal status transition");
        assertEq(handler.statusSettledMismatches(), 0, "status and settled flag disagree");
    }
}

contract DatanetInvariantTest is DatanetInvariantBase {
    function _misbehavingToken() internal pure override returns (bool) {
        return false;
    }
}

/// @notice Same invariants with a token that sometimes takes a fee on transfer (short delivery) or credits
/// extra (over-delivery).
contract DatanetMisbehavingTokenInvariantTest is DatanetInvariantBase {
    function _misbehavingToken() internal pure override returns (bool) {
        return true;
    }
}
