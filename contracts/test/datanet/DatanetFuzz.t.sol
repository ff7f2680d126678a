// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {DatanetRegistry} from "../../src/DatanetRegistry.sol";
import {DatanetBase} from "./DatanetBase.sol";

/// @notice Fuzz tests: bond amounts, token misbehaviour, batch contents, timing around the deadline.
contract DatanetFuzzTest is DatanetBase {
    function testFuzz_bond_pulledAndRefundedExactly(uint128 bond, bool curated) public {
        uint256 id = _create(bond, curated, PERIOD);
        address who = makeAddr("fuzzer");
        token.mint(who, bond);
        vm.prank(who);
        token.approve(address(reg), bond);

        uint256 cid = _submit(who, id, 1);
        assertEq(reg.getContribution(cid).bond, bond);
        assertEq(token.balanceOf(address(reg)), bond);
        assertEq(token.balanceOf(who), 0);

        if (curated) {
            vm.prank(curator);
            reg.acceptContribution(cid);
        } else {
            vm.warp(block.timestamp + PERIOD + 1);
            vm.prank(who);
            reg.releaseBond(cid);
        }
        assertEq(token.balanceOf(who), bond);
        assertEq(token.balanceOf(address(reg)), 0);
    }

    function testFuzz_bond_slashedExactly(uint128 bond, bool curated) public {
        uint256 id = _create(bond, curated, PERIOD);
        address who = makeAddr("fuzzer");
        token.mint(who, bond);
        vm.prank(who);
        token.approve(address(reg), bond);
        uint256 cid = _submit(who, id, 1);
        vm.prank(owner);
        reg.rejectContribution(cid, REASON);
        assertEq(token.balanceOf(treasury), bond);
        assertEq(token.balanceOf(address(reg)), 0);
    }

    /// @dev A token that delivers less than asked never lets a bond be recorded above what arrived.
    function testFuzz_bond_shortDeliveryRefused(uint128 bond, uint16 feeBps) public {
        bond = uint128(bound(bond, 1, type(uint96).max));
        feeBps = uint16(bound(feeBps, 1, 10_000));
        uint256 id = _create(bond, true, PERIOD);
        token.mint(alice, bond);
        token.setFeeBps(feeBps);
        uint256 fee = uint256(bond) * feeBps / 10_000;
        if (fee == 0) {
            uint256 cid = _submit(alice, id, 1);
            assertEq(reg.getContribution(cid).bond, bond);
        } else {
            vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.BondShortfall.selector, bond, bond - fee));
            _submit(alice, id, 1);
            assertEq(reg.contributionCount(), 0);
            assertEq(reg.contributionOf(id, _hash(1)), 0);
        }
    }

    /// @dev A token that delivers more records (and later pays out) what actually arrived.
    function testFuzz_bond_overDeliveryRecorded(uint96 bond, uint96 extra) public {
        vm.assume(bond != 0);
        uint256 id = _create(bond, true, PERIOD);
        token.mint(alice, bond);
        token.setBonus(extra);
        uint256 cid = _submit(alice, id, 1);
        assertEq(reg.getContribution(cid).bond, uint256(bond) + extra);
        assertEq(token.balanceOf(address(reg)), uint256(bond) + extra);
        token.setBonus(0);
        vm.prank(owner);
        reg.rejectContribution(cid, REASON);
        assertEq(token.balanceOf(address(reg)), 0);
        assertEq(token.balanceOf(treasury), uint256(bond) + extra);
    }

    /// @dev Reject works up to and including the deadline; withdraw strictly after, never both.
    function testFuzz_timing_curated(uint64 period, uint64 elapsed, bool tryReject) public {
        period = uint64(bound(period, 0, 365 days));
        elapsed = uint64(bound(elapsed, 0, 2 * uint256(period) + 10));
        uint256 id = _create(BOND, true, period);
        uint256 cid = _submit(alice, id, 1);
        uint64 deadline = uint64(block.timestamp) + period;
        vm.warp(block.timestamp + elapsed);
        // forge-lint: disable-next-line(block-timestamp)
        bool open = block.timestamp <= deadline;

        if (tryReject) {
            if (!open) {
                vm.expectRevert(
                    abi.encodeWithSelector(DatanetRegistry.ReviewPeriodOver.selector, cid, deadline)
                );
            }
            vm.prank(curator);
            reg.rejectContribution(cid, REASON);
            assertEq(token.balanceOf(treasury), open ? BOND : 0);
        } else {
            if (open) {
                vm.expectRevert(
                    abi.encodeWithSelector(DatanetRegistry.ReviewPeriodNotOver.selector, cid, deadline)
                );
            }
            vm.prank(alice);
            reg.withdrawContribution(cid);
            _assertStatus(cid, open ? DatanetRegistry.Status.Pending : DatanetRegistry.Status.Withdrawn);
        }
        // Acceptance is possible whenever it is still pending, whatever the time.
        if (_status(cid) == DatanetRegistry.Status.Pending) {
            vm.prank(curator);
            reg.acceptContribution(cid);
        }
        assertEq(token.balanceOf(address(reg)), 0);
    }

    function testFuzz_timing_open(uint64 period, uint64 elapsed, bool tryReject) public {
        period = uint64(bound(period, 0, 365 days));
        elapsed = uint64(bound(elapsed, 0, 2 * uint256(period) + 10));
        uint256 id = _create(BOND, false, period);
        uint256 cid = _submit(alice, id, 1);
        uint64 deadline = uint64(block.timestamp) + period;
        vm.warp(block.timestamp + elapsed);
        // forge-lint: disable-next-line(block-timestamp)
        bool open = block.timestamp <= deadline;

        if (tryReject) {
            if (!open) {
                vm.expectRevert(
                    abi.encodeWithSelector(DatanetRegistry.ReviewPeriodOver.selector, cid, deadline)
                );
            }
            vm.prank(curator);
            reg.rejectContribution(cid, REASON);
            assertEq(reg.isAccepted(cid), !open);
        } else {
            if (open) {
                vm.expectRevert(
                    abi.encodeWithSelector(DatanetRegistry.ReviewPeriodNotOver.selector, cid, deadline)
                );
            }
            vm.prank(alice);
            reg.releaseBond(cid);
            assertTrue(reg.isAccepted(cid));
            assertEq(reg.getContribution(cid).bondSettled, !open);
        }
    }

    /// @dev A batch of any subset of pending contributions settles exactly those, paying each bond once.
    function testFuzz_batch_acceptAndRejectSubsets(
        uint8 n,
        uint256 acceptMask,
        uint256 rejectMask,
        uint64 bond
    ) public {
        n = uint8(bound(n, 1, 40));
        rejectMask &= ~acceptMask;
        uint256 id = _create(bond, true, PERIOD);
        uint256[] memory all = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            all[i] = _submit(i % 2 == 0 ? alice : bob, id, i);
        }
        uint256[] memory acc = _subset(all, acceptMask);
        uint256[] memory rej = _subset(all, rejectMask);
        uint256 aliceBefore = token.balanceOf(alice);
        uint256 bobBefore = token.balanceOf(bob);

        vm.startPrank(curator);
        if (acc.length == 0) vm.expectRevert(DatanetRegistry.EmptyBatch.selector);
        reg.acceptContributions(id, acc);
        if (rej.length == 0) vm.expectRevert(DatanetRegistry.EmptyBatch.selector);
        reg.rejectContributions(id, rej, REASON);
        vm.stopPrank();

        uint256 aliceRefunds;
        uint256 bobRefunds;
        uint256 pending;
        for (uint256 i; i < n; ++i) {
            DatanetRegistry.Contribution memory c = reg.getContribution(all[i]);
            if ((acceptMask >> i) & 1 == 1) {
                assertEq(uint8(c.status), uint8(DatanetRegistry.Status.Accepted));
                if (i % 2 == 0) aliceRefunds += bond;
                else bobRefunds += bond;
            } else if ((rejectMask >> i) & 1 == 1) {
                assertEq(uint8(c.status), uint8(DatanetRegistry.Status.Rejected));
            } else {
                assertEq(uint8(c.status), uint8(DatanetRegistry.Status.Pending));
                ++pending;
            }
        }
        assertEq(token.balanceOf(alice), aliceBefore + aliceRefunds);
        assertEq(token.balanceOf(bob), bobBefore + bobRefunds);
        assertEq(token.balanceOf(treasury), rej.length * bond);
        assertEq(token.balanceOf(address(reg)), pending * bond);
    }

    /// @dev A batch holding any id twice, or an id of another datanet, reverts as a whole.
    function testFuzz_batch_badItemRevertsWholeBatch(uint8 n, uint8 badAt, bool foreign) public {
        n = uint8(bound(n, 2, 30));
        badAt = uint8(bound(badAt, 1, n - 1));
        uint256 id = _curated();
        vm.prank(bob);
        uint256 other = reg.createDatanet("", _policy(BOND, true, PERIOD), address(0));
        uint256[] memory ids = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            ids[i] = _submit(alice, id, i);
        }
        uint256 outsider = _submit(alice, other, 0);
        uint256 bad = ids[badAt];
        ids[badAt] = foreign ? outsider : ids[0];

        if (foreign) {
            vm.expectRevert(
                abi.encodeWithSelector(DatanetRegistry.ContributionNotInDatanet.selector, outsider, id)
            );
        } else {
            vm.expectRevert(
                abi.encodeWithSelector(
                    DatanetRegistry.InvalidStatus.selector, ids[0], DatanetRegistry.Status.Rejected
                )
            );
        }
        vm.prank(curator);
        reg.rejectContributions(id, ids, REASON);
        _assertStatus(ids[0], DatanetRegistry.Status.Pending);
        _assertStatus(bad, DatanetRegistry.Status.Pending);
        assertEq(token.balanceOf(treasury), 0);
    }

    function _subset(uint256[] memory all, uint256 mask) internal pure returns (uint256[] memory out) {
        uint256 k;
        for (uint256 i; i < all.length; ++i) {
            if ((mask >> i) & 1 == 1) ++k;
        }
        out = new uint256[](k);
        k = 0;
        for (uint256 i; i < all.length; ++i) {
            if ((mask >> i) & 1 == 1) out[k++] = all[i];
        }
    }
}
