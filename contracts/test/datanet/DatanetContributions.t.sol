// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {DatanetRegistry} from "../../src/DatanetRegistry.sol";
import {DatanetBase} from "./DatanetBase.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @notice Submissions, reviews, withdrawals and bond releases.
contract DatanetContributionsTest is DatanetBase {
    /* SUBMIT */

    function test_submit_curatedIsPendingAndPullsBond() public {
        uint256 id = _curated();
        uint256 aliceBefore = token.balanceOf(alice);
        uint64 deadline = uint64(block.timestamp + PERIOD);

        vm.expectEmit(address(reg));
        emit DatanetRegistry.ContributionSubmitted(
            1, id, alice, _hash(1), "ipfs://record", 42, BOND, DatanetRegistry.Status.Pending, deadline
        );
        uint256 cid = _submit(alice, id, 1);
        assertEq(cid, 1);

        DatanetRegistry.Contribution memory c = reg.getContribution(cid);
        assertEq(c.contributor, alice);
        assertEq(c.datanetId, id);
        assertEq(uint8(c.status), uint8(DatanetRegistry.Status.Pending));
        assertEq(c.bond, BOND);
        assertFalse(c.bondSettled);
        assertEq(c.submittedAt, block.timestamp);
        assertEq(c.reviewDeadline, deadline);
        assertEq(c.size, 42);
        assertEq(c.contentHash, _hash(1));
        assertEq(reg.contributionOf(id, _hash(1)), cid);
        assertFalse(reg.isAccepted(cid));
        assertEq(reg.contributionCount(), 1);
        assertEq(token.balanceOf(alice), aliceBefore - BOND);
        assertEq(token.balanceOf(address(reg)), BOND);
    }

    function test_submit_openIsAcceptedAtOnce() public {
        uint256 id = _open();
        vm.expectEmit(address(reg));
        emit DatanetRegistry.ContributionSubmitted(
            1,
            id,
            bob,
            _hash(1),
            "ipfs://record",
            42,
            BOND,
            DatanetRegistry.Status.Accepted,
            uint64(block.timestamp + PERIOD)
        );
        uint256 cid = _submit(bob, id, 1);
        assertTrue(reg.isAccepted(cid));
        assertFalse(reg.getContribution(cid).bondSettled);
        assertEq(token.balanceOf(address(reg)), BOND);
    }

    function test_submit_zeroBondNeedsNoToken() public {
        uint256 id = _create(0, true, PERIOD);
        address poor = makeAddr("poor"); // no balance, no allowance
        uint256 cid = _submit(poor, id, 1);
        assertEq(reg.getContribution(cid).bond, 0);
        assertEq(token.balanceOf(address(reg)), 0);
    }

    function test_submit_idsAreGlobalAndHashesPerDatanet() public {
        uint256 a = _curated();
        uint256 b = _open();
        assertEq(_submit(alice, a, 1), 1);
        assertEq(_submit(alice, b, 1), 2); // same hash, other datanet: fine
        assertEq(_submit(bob, a, 2), 3);
        assertEq(reg.contributionOf(a, _hash(1)), 1);
        assertEq(reg.contributionOf(b, _hash(1)), 2);
    }

    function test_submit_revertsOnZeroHash() public {
        uint256 id = _curated();
        vm.expectRevert(DatanetRegistry.ZeroContentHash.selector);
        vm.prank(alice);
        reg.submitContribution(id, bytes32(0), "", 1);
    }

    function test_submit_revertsForMissingDatanet() public {
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.DatanetNotFound.selector, 1));
        vm.prank(alice);
        reg.submitContribution(1, _hash(1), "", 1);
    }

    function test_submit_revertsOnDuplicatePending() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        vm.expectRevert(
            abi.encodeWithSelector(DatanetRegistry.ContentAlreadySubmitted.selector, id, _hash(1), cid)
        );
        _submit(bob, id, 1);
    }

    function test_submit_revertsOnDuplicateAccepted() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        vm.prank(curator);
        reg.acceptContribution(cid);
        vm.expectRevert(
            abi.encodeWithSelector(DatanetRegistry.ContentAlreadySubmitted.selector, id, _hash(1), cid)
        );
        _submit(alice, id, 1);
    }

    function test_submit_revertsOnDuplicateRejected() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        vm.prank(curator);
        reg.rejectContribution(cid, REASON);
        // Rejected hashes stay taken, for everyone.
        vm.expectRevert(
            abi.encodeWithSelector(DatanetRegistry.ContentAlreadySubmitted.selector, id, _hash(1), cid)
        );
        _submit(bob, id, 1);
    }

    function test_submit_allowedAgainAfterWithdraw() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        vm.warp(block.timestamp + PERIOD + 1);
        vm.prank(alice);
        reg.withdrawContribution(cid);
        assertEq(reg.contributionOf(id, _hash(1)), 0);
        uint256 again = _submit(bob, id, 1);
        assertEq(again, cid + 1);
        assertEq(reg.contributionOf(id, _hash(1)), again);
    }

    function test_submit_revertsOnShortDelivery() public {
        uint256 id = _curated();
        token.setFeeBps(100); // 1 % burned in transit
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.BondShortfall.selector, BOND, BOND * 99 / 100));
        _submit(alice, id, 1);
    }

    function test_submit_recordsOverDelivery() public {
        uint256 id = _curated();
        token.setBonus(5);
        uint256 cid = _submit(alice, id, 1);
        assertEq(reg.getContribution(cid).bond, BOND + 5);
        assertEq(token.balanceOf(address(reg)), BOND + 5);
        token.setBonus(0);
        uint256 before = token.balanceOf(alice);
        vm.prank(curator);
        reg.acceptContribution(cid);
        assertEq(token.balanceOf(alice), before + BOND + 5);
        assertEq(token.balanceOf(address(reg)), 0);
    }

    function test_submit_overDeliveryEmitsReceivedBond() public {
        uint256 id = _curated();
        token.setBonus(5);
        vm.expectEmit(address(reg));
        emit DatanetRegistry.ContributionSubmitted(
            1,
            id,
            alice,
            _hash(1),
            "ipfs://record",
            42,
            BOND + 5,
            DatanetRegistry.Status.Pending,
            uint64(block.timestamp + PERIOD)
        );
        _submit(alice, id, 1);
    }

    function test_submit_revertsWithoutAllowance() public {
        uint256 id = _curated();
        vm.prank(alice);
        token.approve(address(reg), BOND - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector, address(reg), BOND - 1, BOND
            )
        );
        _submit(alice, id, 1);
    }

    function test_submit_revertsOnReentry() public {
        uint256 id = _curated();
        token.setHook(address(reg), abi.encodeCall(DatanetRegistry.submitContribution, (id, _hash(2), "", 1)));
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        _submit(alice, id, 1);
    }

    /* ACCEPT */

    function test_accept_refundsAndEmits() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        uint256 before = token.balanceOf(alice);
        vm.expectEmit(address(reg));
        emit DatanetRegistry.ContributionAccepted(cid, id, curator, BOND);
        vm.prank(curator);
        reg.acceptContribution(cid);
        DatanetRegistry.Contribution memory c = reg.getContribution(cid);
        assertEq(uint8(c.status), uint8(DatanetRegistry.Status.Accepted));
        assertTrue(c.bondSettled);
        assertTrue(reg.isAccepted(cid));
        assertEq(token.balanceOf(alice), before + BOND);
        assertEq(token.balanceOf(address(reg)), 0);
        assertEq(reg.contributionOf(id, _hash(1)), cid);
    }

    function test_accept_byOwner() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        vm.prank(owner);
        reg.acceptContribution(cid);
        assertTrue(reg.isAccepted(cid));
    }

    function test_accept_stillPossibleAfterDeadline() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        vm.warp(block.timestamp + PERIOD + 100 days);
        vm.prank(curator);
        reg.acceptContribution(cid);
        assertTrue(reg.isAccepted(cid));
    }

    function test_accept_zeroBond() public {
        uint256 id = _create(0, true, PERIOD);
        uint256 cid = _submit(alice, id, 1);
        vm.expectEmit(address(reg));
        emit DatanetRegistry.ContributionAccepted(cid, id, curator, 0);
        vm.prank(curator);
        reg.acceptContribution(cid);
        assertTrue(reg.getContribution(cid).bondSettled);
    }

    function test_accept_revertsForMissing() public {
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.ContributionNotFound.selector, 1));
        vm.prank(curator);
        reg.acceptContribution(1);
    }

    function test_accept_revertsForNonCurator() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotCurator.selector, id, alice));
        vm.prank(alice);
        reg.acceptContribution(cid);
    }

    function test_accept_revertsWhenAlreadyAccepted() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        vm.prank(curator);
        reg.acceptContribution(cid);
        vm.expectRevert(
            abi.encodeWithSelector(
                DatanetRegistry.InvalidStatus.selector, cid, DatanetRegistry.Status.Accepted
            )
        );
        vm.prank(curator);
        reg.acceptContribution(cid);
    }

    function test_accept_revertsForOpenContribution() public {
        uint256 id = _open();
        uint256 cid = _submit(alice, id, 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                DatanetRegistry.InvalidStatus.selector, cid, DatanetRegistry.Status.Accepted
            )
        );
        vm.prank(curator);
        reg.acceptContribution(cid);
    }

    function test_accept_revertsWhenRejected() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        vm.prank(curator);
        reg.rejectContribution(cid, REASON);
        vm.expectRevert(
            abi.encodeWithSelector(
                DatanetRegistry.InvalidStatus.selector, cid, DatanetRegistry.Status.Rejected
            )
        );
        vm.prank(curator);
        reg.acceptContribution(cid);
    }

    function test_accept_revertsWhenWithdrawn() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        vm.warp(block.timestamp + PERIOD + 1);
        vm.prank(alice);
        reg.withdrawContribution(cid);
        vm.expectRevert(
            abi.encodeWithSelector(
                DatanetRegistry.InvalidStatus.selector, cid, DatanetRegistry.Status.Withdrawn
            )
        );
        vm.prank(curator);
        reg.acceptContribution(cid);
    }

    function test_accept_revertsOnReentryFromRefund() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        uint256 other = _submit(bob, id, 2);
        // The token calls back into the registry during the refund transfer.
        token.setHook(address(reg), abi.encodeCall(DatanetRegistry.acceptContribution, (other)));
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        vm.prank(curator);
        reg.acceptContribution(cid);
    }

    /* ACCEPT BATCH */

    function test_acceptBatch_refundsEach() public {
        uint256 id = _curated();
        uint256 a = _submit(alice, id, 1);
        uint256 b = _submit(bob, id, 2);
        uint256 aliceBefore = token.balanceOf(alice);
        uint256 bobBefore = token.balanceOf(bob);
        vm.expectEmit(address(reg));
        emit DatanetRegistry.ContributionAccepted(a, id, curator, BOND);
        vm.expectEmit(address(reg));
        emit DatanetRegistry.ContributionAccepted(b, id, curator, BOND);
        vm.prank(curator);
        reg.acceptContributions(id, _ids(a, b));
        assertTrue(reg.isAccepted(a));
        assertTrue(reg.isAccepted(b));
        assertEq(token.balanceOf(alice), aliceBefore + BOND);
        assertEq(token.balanceOf(bob), bobBefore + BOND);
        assertEq(token.balanceOf(address(reg)), 0);
    }

    function test_acceptBatch_maxBatch() public {
        uint256 id = _create(1, true, PERIOD);
        uint256[] memory ids = new uint256[](200);
        for (uint256 i; i < 200; ++i) {
            ids[i] = _submit(alice, id, i);
        }
        vm.prank(curator);
        reg.acceptContributions(id, ids);
        assertTrue(reg.isAccepted(ids[199]));
        assertEq(token.balanceOf(address(reg)), 0);
    }

    function test_acceptBatch_revertsWhenEmpty() public {
        uint256 id = _curated();
        vm.expectRevert(DatanetRegistry.EmptyBatch.selector);
        vm.prank(curator);
        reg.acceptContributions(id, new uint256[](0));
    }

    function test_acceptBatch_revertsWhenTooLarge() public {
        uint256 id = _curated();
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.BatchTooLarge.selector, 201, 200));
        vm.prank(curator);
        reg.acceptContributions(id, new uint256[](201));
    }

    function test_acceptBatch_revertsForMissingDatanet() public {
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.DatanetNotFound.selector, 1));
        vm.prank(curator);
        reg.acceptContributions(1, _ids(1));
    }

    function test_acceptBatch_revertsForNonCurator() public {
        uint256 id = _curated();
        uint256 a = _submit(alice, id, 1);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotCurator.selector, id, bob));
        vm.prank(bob);
        reg.acceptContributions(id, _ids(a));
    }

    function test_acceptBatch_revertsForContributionOfOtherDatanet() public {
        uint256 mine = _curated();
        vm.prank(bob);
        uint256 theirs = reg.createDatanet("", _policy(BOND, true, PERIOD), address(0));
        uint256 a = _submit(alice, mine, 1);
        uint256 b = _submit(alice, theirs, 1);
        // The curator of `mine` cannot touch `theirs` through a batch on `mine`.
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.ContributionNotInDatanet.selector, b, mine));
        vm.prank(curator);
        reg.acceptContributions(mine, _ids(a, b));
        _assertStatus(a, DatanetRegistry.Status.Pending); // whole batch reverted
    }

    function test_acceptBatch_revertsForMissingContribution() public {
        uint256 id = _curated();
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.ContributionNotInDatanet.selector, 9, id));
        vm.prank(curator);
        reg.acceptContributions(id, _ids(9));
    }

    function test_acceptBatch_revertsOnDuplicate() public {
        uint256 id = _curated();
        uint256 a = _submit(alice, id, 1);
        vm.expectRevert(
            abi.encodeWithSelector(DatanetRegistry.InvalidStatus.selector, a, DatanetRegistry.Status.Accepted)
        );
        vm.prank(curator);
        reg.acceptContributions(id, _ids(a, a));
        _assertStatus(a, DatanetRegistry.Status.Pending);
        assertEq(token.balanceOf(address(reg)), BOND);
    }

    /* REJECT */

    function test_reject_slashesToTreasury() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        vm.expectEmit(address(reg));
        emit DatanetRegistry.ContributionRejected(cid, id, curator, BOND, treasury, REASON);
        vm.prank(curator);
        reg.rejectContribution(cid, REASON);
        DatanetRegistry.Contribution memory c = reg.getContribution(cid);
        assertEq(uint8(c.status), uint8(DatanetRegistry.Status.Rejected));
        assertTrue(c.bondSettled);
        assertFalse(reg.isAccepted(cid));
        assertEq(token.balanceOf(treasury), BOND);
        assertEq(token.balanceOf(address(reg)), 0);
        assertEq(reg.contributionOf(id, _hash(1)), cid);
    }

    function test_reject_followsTreasuryChanges() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        vm.prank(owner);
        reg.setTreasury(id, bob);
        uint256 before = token.balanceOf(bob);
        vm.prank(owner);
        reg.rejectContribution(cid, REASON);
        assertEq(token.balanceOf(bob), before + BOND);
    }

    function test_reject_openBeforeDeadline() public {
        uint256 id = _open();
        uint256 cid = _submit(alice, id, 1);
        vm.warp(block.timestamp + PERIOD); // the deadline itself is still inside the window
        vm.prank(curator);
        reg.rejectContribution(cid, REASON);
        _assertStatus(cid, DatanetRegistry.Status.Rejected);
        assertFalse(reg.isAccepted(cid));
        assertEq(token.balanceOf(treasury), BOND);
    }

    function test_reject_zeroBondOpen() public {
        uint256 id = _create(0, false, PERIOD);
        uint256 cid = _submit(alice, id, 1);
        vm.prank(curator);
        reg.rejectContribution(cid, REASON);
        _assertStatus(cid, DatanetRegistry.Status.Rejected);
    }

    function test_reject_revertsAfterDeadlineOpen() public {
        uint256 id = _open();
        uint256 cid = _submit(alice, id, 1);
        uint64 deadline = uint64(block.timestamp + PERIOD);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.ReviewPeriodOver.selector, cid, deadline));
        vm.prank(curator);
        reg.rejectContribution(cid, REASON);
    }

    function test_reject_revertsAfterDeadlineCurated() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        uint64 deadline = uint64(block.timestamp + PERIOD);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.ReviewPeriodOver.selector, cid, deadline));
        vm.prank(curator);
        reg.rejectContribution(cid, REASON);
    }

    function test_reject_revertsForMissing() public {
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.ContributionNotFound.selector, 3));
        vm.prank(curator);
        reg.rejectContribution(3, REASON);
    }

    function test_reject_revertsForNonCurator() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotCurator.selector, id, treasury));
        vm.prank(treasury);
        reg.rejectContribution(cid, REASON);
    }

    function test_reject_revertsWhenAlreadyRejected() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        vm.prank(curator);
        reg.rejectContribution(cid, REASON);
        vm.expectRevert(
            abi.encodeWithSelector(
                DatanetRegistry.InvalidStatus.selector, cid, DatanetRegistry.Status.Rejected
            )
        );
        vm.prank(curator);
        reg.rejectContribution(cid, REASON);
    }

    function test_reject_revertsWhenWithdrawn() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        vm.warp(block.timestamp + PERIOD + 1);
        vm.prank(alice);
        reg.withdrawContribution(cid);
        vm.expectRevert(
            abi.encodeWithSelector(
                DatanetRegistry.InvalidStatus.selector, cid, DatanetRegistry.Status.Withdrawn
            )
        );
        vm.prank(curator);
        reg.rejectContribution(cid, REASON);
    }

    function test_reject_revertsWhenCuratedAccepted() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        vm.startPrank(curator);
        reg.acceptContribution(cid);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.BondAlreadySettled.selector, cid));
        reg.rejectContribution(cid, REASON);
        vm.stopPrank();
    }

    function test_reject_revertsWhenBondReleased() public {
        uint256 id = _create(BOND, false, 0);
        uint256 cid = _submit(alice, id, 1);
        vm.warp(block.timestamp + 1);
        vm.prank(alice);
        reg.releaseBond(cid);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.BondAlreadySettled.selector, cid));
        vm.prank(curator);
        reg.rejectContribution(cid, REASON);
    }

    /* REJECT BATCH */

    function test_rejectBatch_slashesSumInOneTransfer() public {
        uint256 id = _curated();
        uint256 a = _submit(alice, id, 1);
        uint256 b = _submit(bob, id, 2);
        vm.expectEmit(address(reg));
        emit DatanetRegistry.ContributionRejected(a, id, owner, BOND, treasury, REASON);
        vm.expectEmit(address(reg));
        emit DatanetRegistry.ContributionRejected(b, id, owner, BOND, treasury, REASON);
        vm.expectCall(address(token), abi.encodeCall(token.transfer, (treasury, 2 * uint256(BOND))), 1);
        vm.prank(owner);
        reg.rejectContributions(id, _ids(a, b), REASON);
        _assertStatus(a, DatanetRegistry.Status.Rejected);
        _assertStatus(b, DatanetRegistry.Status.Rejected);
        assertEq(token.balanceOf(treasury), 2 * uint256(BOND));
        assertEq(token.balanceOf(address(reg)), 0);
    }

    function test_rejectBatch_zeroBondsMakeNoTransfer() public {
        uint256 id = _create(0, true, PERIOD);
        uint256 a = _submit(alice, id, 1);
        vm.expectCall(address(token), abi.encodeWithSelector(token.transfer.selector), 0);
        vm.prank(curator);
        reg.rejectContributions(id, _ids(a), REASON);
        _assertStatus(a, DatanetRegistry.Status.Rejected);
    }

    function test_rejectBatch_revertsWhenEmpty() public {
        uint256 id = _curated();
        vm.expectRevert(DatanetRegistry.EmptyBatch.selector);
        vm.prank(curator);
        reg.rejectContributions(id, new uint256[](0), REASON);
    }

    function test_rejectBatch_revertsWhenTooLarge() public {
        uint256 id = _curated();
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.BatchTooLarge.selector, 256, 200));
        vm.prank(curator);
        reg.rejectContributions(id, new uint256[](256), REASON);
    }

    function test_rejectBatch_revertsForMissingDatanet() public {
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.DatanetNotFound.selector, 2));
        vm.prank(curator);
        reg.rejectContributions(2, _ids(1), REASON);
    }

    function test_rejectBatch_revertsForNonCurator() public {
        uint256 id = _curated();
        uint256 a = _submit(alice, id, 1);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotCurator.selector, id, alice));
        vm.prank(alice);
        reg.rejectContributions(id, _ids(a), REASON);
    }

    function test_rejectBatch_revertsForContributionOfOtherDatanet() public {
        uint256 mine = _curated();
        vm.prank(bob);
        uint256 theirs = reg.createDatanet("", _policy(BOND, true, PERIOD), address(0));
        uint256 b = _submit(alice, theirs, 1);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.ContributionNotInDatanet.selector, b, mine));
        vm.prank(curator);
        reg.rejectContributions(mine, _ids(b), REASON);
    }

    function test_rejectBatch_revertsOnDuplicate() public {
        uint256 id = _curated();
        uint256 a = _submit(alice, id, 1);
        vm.expectRevert(
            abi.encodeWithSelector(DatanetRegistry.InvalidStatus.selector, a, DatanetRegistry.Status.Rejected)
        );
        vm.prank(curator);
        reg.rejectContributions(id, _ids(a, a), REASON);
        assertEq(token.balanceOf(treasury), 0);
    }

    function test_rejectBatch_revertsWhenOneIsPastDeadline() public {
        uint256 id = _curated();
        uint256 a = _submit(alice, id, 1);
        uint64 deadlineA = uint64(block.timestamp + PERIOD);
        vm.warp(block.timestamp + 2 days);
        uint256 b = _submit(bob, id, 2);
        vm.warp(deadlineA + 1);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.ReviewPeriodOver.selector, a, deadlineA));
        vm.prank(curator);
        reg.rejectContributions(id, _ids(b, a), REASON);
        _assertStatus(b, DatanetRegistry.Status.Pending);
    }

    /* WITHDRAW */

    function test_withdraw_afterDeadline() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        uint256 before = token.balanceOf(alice);
        vm.warp(block.timestamp + PERIOD + 1);
        vm.expectEmit(address(reg));
        emit DatanetRegistry.ContributionWithdrawn(cid, id, alice, BOND);
        vm.prank(alice);
        reg.withdrawContribution(cid);
        DatanetRegistry.Contribution memory c = reg.getContribution(cid);
        assertEq(uint8(c.status), uint8(DatanetRegistry.Status.Withdrawn));
        assertTrue(c.bondSettled);
        assertEq(token.balanceOf(alice), before + BOND);
        assertEq(token.balanceOf(address(reg)), 0);
        assertEq(reg.contributionOf(id, _hash(1)), 0);
    }

    function test_withdraw_revertsAtDeadline() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        uint64 deadline = uint64(block.timestamp + PERIOD);
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.ReviewPeriodNotOver.selector, cid, deadline));
        vm.prank(alice);
        reg.withdrawContribution(cid);
    }

    function test_withdraw_revertsForMissing() public {
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.ContributionNotFound.selector, 1));
        vm.prank(alice);
        reg.withdrawContribution(1);
    }

    function test_withdraw_revertsForOthers() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        vm.warp(block.timestamp + PERIOD + 1);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotContributor.selector, cid, owner));
        vm.prank(owner);
        reg.withdrawContribution(cid);
    }

    function test_withdraw_revertsWhenAccepted() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        vm.prank(curator);
        reg.acceptContribution(cid);
        vm.warp(block.timestamp + PERIOD + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                DatanetRegistry.InvalidStatus.selector, cid, DatanetRegistry.Status.Accepted
            )
        );
        vm.prank(alice);
        reg.withdrawContribution(cid);
    }

    function test_withdraw_revertsForOpenContribution() public {
        uint256 id = _open();
        uint256 cid = _submit(alice, id, 1);
        vm.warp(block.timestamp + PERIOD + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                DatanetRegistry.InvalidStatus.selector, cid, DatanetRegistry.Status.Accepted
            )
        );
        vm.prank(alice);
        reg.withdrawContribution(cid);
    }

    function test_withdraw_revertsWhenRejected() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        vm.prank(curator);
        reg.rejectContribution(cid, REASON);
        vm.warp(block.timestamp + PERIOD + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                DatanetRegistry.InvalidStatus.selector, cid, DatanetRegistry.Status.Rejected
            )
        );
        vm.prank(alice);
        reg.withdrawContribution(cid);
    }

    function test_withdraw_revertsTwice() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        vm.warp(block.timestamp + PERIOD + 1);
        vm.startPrank(alice);
        reg.withdrawContribution(cid);
        vm.expectRevert(
            abi.encodeWithSelector(
                DatanetRegistry.InvalidStatus.selector, cid, DatanetRegistry.Status.Withdrawn
            )
        );
        reg.withdrawContribution(cid);
        vm.stopPrank();
    }

    /* RELEASE */

    function test_releaseBond_afterDeadline() public {
        uint256 id = _open();
        uint256 cid = _submit(alice, id, 1);
        uint256 before = token.balanceOf(alice);
        vm.warp(block.timestamp + PERIOD + 1);
        vm.expectEmit(address(reg));
        emit DatanetRegistry.BondReleased(cid, id, alice, BOND);
        vm.prank(alice);
        reg.releaseBond(cid);
        DatanetRegistry.Contribution memory c = reg.getContribution(cid);
        assertEq(uint8(c.status), uint8(DatanetRegistry.Status.Accepted));
        assertTrue(c.bondSettled);
        assertTrue(reg.isAccepted(cid));
        assertEq(token.balanceOf(alice), before + BOND);
        assertEq(token.balanceOf(address(reg)), 0);
    }

    function test_releaseBond_revertsAtDeadline() public {
        uint256 id = _open();
        uint256 cid = _submit(alice, id, 1);
        uint64 deadline = uint64(block.timestamp + PERIOD);
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.ReviewPeriodNotOver.selector, cid, deadline));
        vm.prank(alice);
        reg.releaseBond(cid);
    }

    function test_releaseBond_revertsForMissing() public {
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.ContributionNotFound.selector, 2));
        vm.prank(alice);
        reg.releaseBond(2);
    }

    function test_releaseBond_revertsForOthers() public {
        uint256 id = _open();
        uint256 cid = _submit(alice, id, 1);
        vm.warp(block.timestamp + PERIOD + 1);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotContributor.selector, cid, bob));
        vm.prank(bob);
        reg.releaseBond(cid);
    }

    function test_releaseBond_revertsWhenPending() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        vm.warp(block.timestamp + PERIOD + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                DatanetRegistry.InvalidStatus.selector, cid, DatanetRegistry.Status.Pending
            )
        );
        vm.prank(alice);
        reg.releaseBond(cid);
    }

    function test_releaseBond_revertsWhenRejected() public {
        uint256 id = _open();
        uint256 cid = _submit(alice, id, 1);
        vm.prank(curator);
        reg.rejectContribution(cid, REASON);
        vm.warp(block.timestamp + PERIOD + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                DatanetRegistry.InvalidStatus.selector, cid, DatanetRegistry.Status.Rejected
            )
        );
        vm.prank(alice);
        reg.releaseBond(cid);
    }

    function test_releaseBond_revertsWhenCuratedAccepted() public {
        uint256 id = _curated();
        uint256 cid = _submit(alice, id, 1);
        vm.prank(curator);
        reg.acceptContribution(cid);
        vm.warp(block.timestamp + PERIOD + 1);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.BondAlreadySettled.selector, cid));
        vm.prank(alice);
        reg.releaseBond(cid);
    }

    function test_releaseBond_revertsTwice() public {
        uint256 id = _open();
        uint256 cid = _submit(alice, id, 1);
        vm.warp(block.timestamp + PERIOD + 1);
        vm.startPrank(alice);
        reg.releaseBond(cid);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.BondAlreadySettled.selector, cid));
        reg.releaseBond(cid);
        vm.stopPrank();
    }

    /* RELEASE BATCH */

    function test_releaseBonds_sumInOneTransfer() public {
        uint256 a = _open();
        uint256 b = _create(7, false, 1 days);
        uint256 x = _submit(alice, a, 1);
        uint256 y = _submit(alice, b, 1);
        uint256 before = token.balanceOf(alice);
        vm.warp(block.timestamp + PERIOD + 1);
        vm.expectEmit(address(reg));
        emit DatanetRegistry.BondReleased(x, a, alice, BOND);
        vm.expectEmit(address(reg));
        emit DatanetRegistry.BondReleased(y, b, alice, 7);
        vm.expectCall(address(token), abi.encodeCall(token.transfer, (alice, uint256(BOND) + 7)), 1);
        vm.prank(alice);
        reg.releaseBonds(_ids(x, y));
        assertEq(token.balanceOf(alice), before + BOND + 7);
        assertEq(token.balanceOf(address(reg)), 0);
    }

    function test_releaseBonds_revertsWhenEmpty() public {
        vm.expectRevert(DatanetRegistry.EmptyBatch.selector);
        vm.prank(alice);
        reg.releaseBonds(new uint256[](0));
    }

    function test_releaseBonds_revertsWhenTooLarge() public {
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.BatchTooLarge.selector, 201, 200));
        vm.prank(alice);
        reg.releaseBonds(new uint256[](201));
    }

    function test_releaseBonds_revertsOnDuplicate() public {
        uint256 id = _open();
        uint256 x = _submit(alice, id, 1);
        vm.warp(block.timestamp + PERIOD + 1);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.BondAlreadySettled.selector, x));
        vm.prank(alice);
        reg.releaseBonds(_ids(x, x));
        assertFalse(reg.getContribution(x).bondSettled);
    }

    function test_releaseBonds_revertsOnSomeoneElsesBond() public {
        uint256 id = _open();
        uint256 x = _submit(alice, id, 1);
        uint256 y = _submit(bob, id, 2);
        vm.warp(block.timestamp + PERIOD + 1);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotContributor.selector, y, alice));
        vm.prank(alice);
        reg.releaseBonds(_ids(x, y));
    }
}
