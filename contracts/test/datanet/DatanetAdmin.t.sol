// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {DatanetRegistry} from "../../src/DatanetRegistry.sol";
import {DatanetBase} from "./DatanetBase.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @notice Constructor, datanet management, ownership, versions and views.
contract DatanetAdminTest is DatanetBase {
    /* CONSTRUCTOR */

    function test_constructor_setsTokenAndCounters() public view {
        assertEq(address(reg.BOND_TOKEN()), address(token));
        assertEq(reg.datanetCount(), 0);
        assertEq(reg.contributionCount(), 0);
        assertEq(reg.MAX_BATCH(), 200);
        assertEq(reg.MAX_REVIEW_PERIOD(), 365 days);
    }

    function test_constructor_revertsOnZeroToken() public {
        vm.expectRevert(DatanetRegistry.ZeroAddress.selector);
        new DatanetRegistry(IERC20(address(0)));
    }

    /* CREATE */

    function test_createDatanet_storesAndEmits() public {
        vm.expectEmit(address(reg));
        emit DatanetRegistry.DatanetCreated(1, owner, treasury, "ipfs://a", BOND, true, PERIOD);
        vm.prank(owner);
        uint256 id = reg.createDatanet("ipfs://a", _policy(BOND, true, PERIOD), treasury);
        assertEq(id, 1);

        DatanetRegistry.Datanet memory d = reg.getDatanet(id);
        assertEq(d.owner, owner);
        assertEq(d.pendingOwner, address(0));
        assertEq(d.treasury, treasury);
        assertEq(d.uri, "ipfs://a");
        assertEq(d.policy.bond, BOND);
        assertTrue(d.policy.curated);
        assertEq(d.policy.reviewPeriod, PERIOD);
        assertEq(d.latestVersion, 0);
        assertEq(reg.datanetOwner(id), owner);
        assertEq(reg.datanetCount(), 1);

        vm.prank(alice);
        assertEq(reg.createDatanet("ipfs://b", _policy(0, false, 0), alice), 2);
        assertEq(reg.datanetOwner(2), alice);
    }

    function test_createDatanet_zeroTreasuryMeansOwner() public {
        vm.expectEmit(address(reg));
        emit DatanetRegistry.DatanetCreated(1, alice, alice, "", 0, false, 0);
        vm.prank(alice);
        uint256 id = reg.createDatanet("", _policy(0, false, 0), address(0));
        assertEq(reg.getDatanet(id).treasury, alice);
    }

    function test_createDatanet_acceptsMaxReviewPeriod() public {
        vm.prank(owner);
        uint256 id = reg.createDatanet("", _policy(1, true, 365 days), treasury);
        assertEq(reg.getDatanet(id).policy.reviewPeriod, 365 days);
    }

    function test_createDatanet_revertsOnReviewPeriodTooLong() public {
        vm.expectRevert(
            abi.encodeWithSelector(DatanetRegistry.ReviewPeriodTooLong.selector, 365 days + 1, 365 days)
        );
        vm.prank(owner);
        reg.createDatanet("", _policy(1, true, 365 days + 1), treasury);
    }

    function test_createDatanet_revertsOnRegistryTreasury() public {
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.InvalidTreasury.selector, address(reg)));
        vm.prank(owner);
        reg.createDatanet("", _policy(1, true, 1), address(reg));
    }

    /* METADATA */

    function test_setMetadataURI_updatesAndEmits() public {
        uint256 id = _curated();
        vm.expectEmit(address(reg));
        emit DatanetRegistry.DatanetMetadataUpdated(id, "ipfs://new");
        vm.prank(owner);
        reg.setMetadataURI(id, "ipfs://new");
        assertEq(reg.getDatanet(id).uri, "ipfs://new");
    }

    function test_setMetadataURI_revertsForNonOwner() public {
        uint256 id = _curated();
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotDatanetOwner.selector, id, curator));
        vm.prank(curator);
        reg.setMetadataURI(id, "x");
    }

    function test_setMetadataURI_revertsForMissingDatanet() public {
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.DatanetNotFound.selector, 7));
        vm.prank(owner);
        reg.setMetadataURI(7, "x");
    }

    /* POLICY */

    function test_setPolicy_updatesAndEmits() public {
        uint256 id = _curated();
        vm.expectEmit(address(reg));
        emit DatanetRegistry.DatanetPolicyUpdated(id, 5, false, 10);
        vm.prank(owner);
        reg.setPolicy(id, _policy(5, false, 10));
        DatanetRegistry.Policy memory p = reg.getDatanet(id).policy;
        assertEq(p.bond, 5);
        assertFalse(p.curated);
        assertEq(p.reviewPeriod, 10);
    }

    function test_setPolicy_appliesToFutureContributionsOnly() public {
        uint256 id = _curated();
        uint256 first = _submit(alice, id, 1);
        vm.prank(owner);
        reg.setPolicy(id, _policy(7, false, 1 days));
        uint256 second = _submit(alice, id, 2);

        DatanetRegistry.Contribution memory c1 = reg.getContribution(first);
        DatanetRegistry.Contribution memory c2 = reg.getContribution(second);
        assertEq(c1.bond, BOND);
        assertEq(c1.reviewDeadline, block.timestamp + PERIOD);
        assertEq(uint8(c1.status), uint8(DatanetRegistry.Status.Pending));
        assertEq(c2.bond, 7);
        assertEq(c2.reviewDeadline, block.timestamp + 1 days);
        assertEq(uint8(c2.status), uint8(DatanetRegistry.Status.Accepted));
        assertEq(token.balanceOf(address(reg)), BOND + 7);

        // The first keeps its snapshot: still refundable in full on acceptance.
        uint256 before = token.balanceOf(alice);
        vm.prank(curator);
        reg.acceptContribution(first);
        assertEq(token.balanceOf(alice), before + BOND);
    }

    function test_setPolicy_revertsForNonOwner() public {
        uint256 id = _curated();
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotDatanetOwner.selector, id, stranger));
        vm.prank(stranger);
        reg.setPolicy(id, _policy(1, true, 1));
    }

    function test_setPolicy_revertsForMissingDatanet() public {
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.DatanetNotFound.selector, 1));
        vm.prank(owner);
        reg.setPolicy(1, _policy(1, true, 1));
    }

    function test_setPolicy_revertsOnReviewPeriodTooLong() public {
        uint256 id = _curated();
        vm.expectRevert(
            abi.encodeWithSelector(DatanetRegistry.ReviewPeriodTooLong.selector, type(uint64).max, 365 days)
        );
        vm.prank(owner);
        reg.setPolicy(id, _policy(1, true, type(uint64).max));
    }

    /* TREASURY */

    function test_setTreasury_updatesAndEmits() public {
        uint256 id = _curated();
        vm.expectEmit(address(reg));
        emit DatanetRegistry.DatanetTreasuryUpdated(id, bob);
        vm.prank(owner);
        reg.setTreasury(id, bob);
        assertEq(reg.getDatanet(id).treasury, bob);
    }

    function test_setTreasury_zeroMeansOwner() public {
        uint256 id = _curated();
        vm.expectEmit(address(reg));
        emit DatanetRegistry.DatanetTreasuryUpdated(id, owner);
        vm.prank(owner);
        reg.setTreasury(id, address(0));
        assertEq(reg.getDatanet(id).treasury, owner);
    }

    function test_setTreasury_revertsOnRegistry() public {
        uint256 id = _curated();
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.InvalidTreasury.selector, address(reg)));
        vm.prank(owner);
        reg.setTreasury(id, address(reg));
    }

    function test_setTreasury_revertsForNonOwner() public {
        uint256 id = _curated();
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotDatanetOwner.selector, id, treasury));
        vm.prank(treasury);
        reg.setTreasury(id, treasury);
    }

    function test_setTreasury_revertsForMissingDatanet() public {
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.DatanetNotFound.selector, 3));
        vm.prank(owner);
        reg.setTreasury(3, bob);
    }

    /* CURATORS */

    function test_setCurator_addsAndRemoves() public {
        uint256 id = _curated();
        assertFalse(reg.isCurator(id, bob));
        assertFalse(reg.canReview(id, bob));

        vm.expectEmit(address(reg));
        emit DatanetRegistry.CuratorSet(id, bob, true);
        vm.prank(owner);
        reg.setCurator(id, bob, true);
        assertTrue(reg.isCurator(id, bob));
        assertTrue(reg.canReview(id, bob));

        vm.expectEmit(address(reg));
        emit DatanetRegistry.CuratorSet(id, bob, false);
        vm.prank(owner);
        reg.setCurator(id, bob, false);
        assertFalse(reg.isCurator(id, bob));
        assertFalse(reg.canReview(id, bob));

        // A removed curator can no longer review.
        uint256 c = _submit(alice, id, 1);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotCurator.selector, id, bob));
        vm.prank(bob);
        reg.acceptContribution(c);
    }

    function test_setCurator_curatorIsPerDatanet() public {
        uint256 a = _curated();
        vm.prank(alice);
        uint256 b = reg.createDatanet("", _policy(0, true, 1), address(0));
        assertTrue(reg.isCurator(a, curator));
        assertFalse(reg.isCurator(b, curator));
        assertFalse(reg.canReview(b, curator));
    }

    function test_setCurator_revertsOnZeroAddress() public {
        uint256 id = _curated();
        vm.expectRevert(DatanetRegistry.ZeroAddress.selector);
        vm.prank(owner);
        reg.setCurator(id, address(0), true);
    }

    function test_setCurator_revertsForNonOwner() public {
        uint256 id = _curated();
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotDatanetOwner.selector, id, curator));
        vm.prank(curator);
        reg.setCurator(id, bob, true);
    }

    function test_setCurator_revertsForMissingDatanet() public {
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.DatanetNotFound.selector, 9));
        vm.prank(owner);
        reg.setCurator(9, bob, true);
    }

    /* OWNERSHIP */

    function test_transferOwnership_twoStep() public {
        uint256 id = _curated();
        vm.expectEmit(address(reg));
        emit DatanetRegistry.DatanetOwnershipTransferStarted(id, owner, bob);
        vm.prank(owner);
        reg.transferDatanetOwnership(id, bob);
        assertEq(reg.getDatanet(id).pendingOwner, bob);
        assertEq(reg.datanetOwner(id), owner);

        vm.expectEmit(address(reg));
        emit DatanetRegistry.DatanetOwnershipTransferred(id, owner, bob);
        vm.prank(bob);
        reg.acceptDatanetOwnership(id);
        DatanetRegistry.Datanet memory d = reg.getDatanet(id);
        assertEq(d.owner, bob);
        assertEq(d.pendingOwner, address(0));
        assertEq(d.treasury, treasury); // kept
        assertTrue(reg.isCurator(id, curator)); // kept
        assertTrue(reg.canReview(id, bob));
        assertFalse(reg.canReview(id, owner));

        // The old owner lost its rights; the new one has them.
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotDatanetOwner.selector, id, owner));
        vm.prank(owner);
        reg.setMetadataURI(id, "x");
        vm.prank(bob);
        reg.setMetadataURI(id, "x");
    }

    function test_transferOwnership_cancelWithZero() public {
        uint256 id = _curated();
        vm.prank(owner);
        reg.transferDatanetOwnership(id, bob);
        vm.expectEmit(address(reg));
        emit DatanetRegistry.DatanetOwnershipTransferStarted(id, owner, address(0));
        vm.prank(owner);
        reg.transferDatanetOwnership(id, address(0));
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotPendingOwner.selector, id, bob));
        vm.prank(bob);
        reg.acceptDatanetOwnership(id);
    }

    function test_transferOwnership_revertsForNonOwner() public {
        uint256 id = _curated();
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotDatanetOwner.selector, id, bob));
        vm.prank(bob);
        reg.transferDatanetOwnership(id, bob);
    }

    function test_transferOwnership_revertsForMissingDatanet() public {
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.DatanetNotFound.selector, 1));
        vm.prank(owner);
        reg.transferDatanetOwnership(1, bob);
    }

    function test_acceptOwnership_revertsForOthers() public {
        uint256 id = _curated();
        vm.prank(owner);
        reg.transferDatanetOwnership(id, bob);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotPendingOwner.selector, id, stranger));
        vm.prank(stranger);
        reg.acceptDatanetOwnership(id);
    }

    function test_acceptOwnership_revertsWhenNothingPending() public {
        uint256 id = _curated();
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotPendingOwner.selector, id, owner));
        vm.prank(owner);
        reg.acceptDatanetOwnership(id);
    }

    function test_acceptOwnership_revertsForMissingDatanet() public {
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.DatanetNotFound.selector, 4));
        vm.prank(bob);
        reg.acceptDatanetOwnership(4);
    }

    function test_acceptOwnership_zeroAddressCannotAcceptMissingDatanet() public {
        // pendingOwner of a missing datanet is zero; the existence check comes first.
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.DatanetNotFound.selector, 4));
        vm.prank(address(0));
        reg.acceptDatanetOwnership(4);
    }

    /* VERSIONS */

    function test_publishVersion_incrementsStoresAndEmits() public {
        uint256 id = _curated();
        uint256 c1 = _submit(alice, id, 1);
        uint256 c2 = _submit(bob, id, 2);
        vm.startPrank(curator);
        reg.acceptContribution(c1);
        reg.acceptContribution(c2);
        vm.stopPrank();

        vm.expectEmit(address(reg));
        emit DatanetRegistry.VersionPublished(
            id, 1, curator, bytes32(uint256(0xaa)), "ipfs://v1", 1, SafeCast.toUint64(c1)
        );
        vm.prank(curator);
        assertEq(reg.publishVersion(id, bytes32(uint256(0xaa)), "ipfs://v1", 1, SafeCast.toUint64(c1)), 1);

        vm.warp(block.timestamp + 10);
        vm.expectEmit(address(reg));
        emit DatanetRegistry.VersionPublished(
            id, 2, owner, bytes32(uint256(0xbb)), "ipfs://v2", 2, SafeCast.toUint64(c2)
        );
        vm.prank(owner);
        assertEq(reg.publishVersion(id, bytes32(uint256(0xbb)), "ipfs://v2", 2, SafeCast.toUint64(c2)), 2);

        assertEq(reg.latestVersion(id), 2);
        assertEq(reg.getDatanet(id).latestVersion, 2);
        assertEq(reg.versionCommitment(id, 1), bytes32(uint256(0xaa)));
        DatanetRegistry.Version memory v = reg.getVersion(id, 2);
        assertEq(v.commitment, bytes32(uint256(0xbb)));
        assertEq(v.acceptedCount, 2);
        assertEq(v.lastContributionId, c2);
        assertEq(v.publishedAt, block.timestamp);
        assertEq(reg.versionCommitment(id, 3), bytes32(0));
    }

    function test_publishVersion_emptyVersionAllowed() public {
        uint256 id = _curated();
        vm.prank(owner);
        assertEq(reg.publishVersion(id, bytes32(uint256(1)), "", 0, 0), 1);
    }

    function test_publishVersion_versionsArePerDatanet() public {
        uint256 a = _curated();
        uint256 b = _open();
        vm.startPrank(owner);
        reg.publishVersion(a, bytes32(uint256(1)), "", 0, 0);
        reg.publishVersion(a, bytes32(uint256(2)), "", 0, 0);
        assertEq(reg.publishVersion(b, bytes32(uint256(3)), "", 0, 0), 1);
        vm.stopPrank();
        assertEq(reg.latestVersion(a), 2);
        assertEq(reg.latestVersion(b), 1);
    }

    function test_publishVersion_revertsForMissingDatanet() public {
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.DatanetNotFound.selector, 1));
        vm.prank(owner);
        reg.publishVersion(1, bytes32(uint256(1)), "", 0, 0);
    }

    function test_publishVersion_revertsForNonCurator() public {
        uint256 id = _curated();
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotCurator.selector, id, stranger));
        vm.prank(stranger);
        reg.publishVersion(id, bytes32(uint256(1)), "", 0, 0);
    }

    function test_publishVersion_revertsOnZeroCommitment() public {
        uint256 id = _curated();
        vm.expectRevert(DatanetRegistry.ZeroCommitment.selector);
        vm.prank(owner);
        reg.publishVersion(id, bytes32(0), "", 0, 0);
    }

    function test_publishVersion_revertsOnCountWithoutLastId() public {
        uint256 id = _curated();
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.InvalidVersionRange.selector, 1, 0));
        vm.prank(owner);
        reg.publishVersion(id, bytes32(uint256(1)), "", 1, 0);
    }

    function test_publishVersion_revertsOnLastIdWithoutCount() public {
        uint256 id = _curated();
        _submit(alice, id, 1);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.InvalidVersionRange.selector, 0, 1));
        vm.prank(owner);
        reg.publishVersion(id, bytes32(uint256(1)), "", 0, 1);
    }

    function test_publishVersion_revertsOnCountAboveLastId() public {
        uint256 id = _curated();
        _submit(alice, id, 1);
        _submit(alice, id, 2);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.InvalidVersionRange.selector, 3, 2));
        vm.prank(owner);
        reg.publishVersion(id, bytes32(uint256(1)), "", 3, 2);
    }

    function test_publishVersion_revertsOnLastIdOfOtherDatanet() public {
        uint256 a = _curated();
        uint256 b = _curated();
        uint256 c = _submit(alice, b, 1);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.ContributionNotInDatanet.selector, c, a));
        vm.prank(owner);
        reg.publishVersion(a, bytes32(uint256(1)), "", 1, SafeCast.toUint64(c));
    }

    function test_publishVersion_revertsOnMissingLastId() public {
        uint256 id = _curated();
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.ContributionNotInDatanet.selector, 5, id));
        vm.prank(owner);
        reg.publishVersion(id, bytes32(uint256(1)), "", 1, 5);
    }

    /* VIEWS ON MISSING THINGS */

    function test_views_missingThingsAreZero() public view {
        assertEq(reg.datanetOwner(1), address(0));
        assertEq(reg.getDatanet(1).owner, address(0));
        assertEq(uint8(reg.getContribution(1).status), uint8(DatanetRegistry.Status.None));
        assertFalse(reg.isAccepted(1));
        assertFalse(reg.isCurator(1, owner));
        assertFalse(reg.canReview(1, address(0)));
        assertEq(reg.contributionOf(1, bytes32(uint256(1))), 0);
        assertEq(reg.latestVersion(1), 0);
        assertEq(reg.getVersion(1, 1).commitment, bytes32(0));
    }
}
