// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {DatanetRegistry} from "../../src/DatanetRegistry.sol";
import {DatanetBase} from "./DatanetBase.sol";

/// @notice Commit-reveal contributions: the commit's reserved id is the record's position, and
/// seeing a contribution gives no way to get ahead of it.
contract DatanetCommitRevealTest is DatanetBase {
    bytes32 internal constant SALT = keccak256("alice's salt");

    function _commit(address who, uint256 n, bytes32 salt) internal returns (uint256) {
        vm.prank(who);
        return reg.commitContribution(reg.contributionCommitment(_hash(n), who, salt));
    }

    function _reveal(address who, uint256 cid, uint256 datanetId, uint256 n, bytes32 salt) internal {
        vm.prank(who);
        reg.revealContribution(cid, datanetId, _hash(n), "ipfs://record", 42, salt);
    }

    function test_commitment_isTheDocumentedHash() public view {
        assertEq(
            reg.contributionCommitment(_hash(1), alice, SALT), keccak256(abi.encode(_hash(1), alice, SALT))
        );
    }

    function test_commit_reservesTheNextIdAndEmits() public {
        bytes32 commitment = reg.contributionCommitment(_hash(1), alice, SALT);
        vm.expectEmit(address(reg));
        emit DatanetRegistry.ContributionCommitted(1, alice, commitment, uint40(block.timestamp + 1 days));
        vm.prank(alice);
        uint256 cid = reg.commitContribution(commitment);
        assertEq(cid, 1);
        assertEq(reg.contributionCount(), 1);
        DatanetRegistry.Commit memory c = reg.getCommit(cid);
        assertEq(c.commitment, commitment);
        assertEq(c.blockNumber, block.number);
        assertEq(c.committedAt, block.timestamp);
        // Reserved, not yet a contribution.
        _assertStatus(cid, DatanetRegistry.Status.None);
    }

    function test_commit_revertsOnZero() public {
        vm.expectRevert(DatanetRegistry.ZeroCommitment.selector);
        reg.commitContribution(bytes32(0));
    }

    function test_reveal_curatedRecordsUnderTheReservedIdAndPullsTheBond() public {
        uint256 id = _curated();
        uint256 cid = _commit(alice, 1, SALT);
        // Someone else submits in between: a later id.
        assertEq(_submit(bob, id, 2), cid + 1);
        vm.roll(block.number + 1);
        uint256 before = token.balanceOf(alice);
        vm.expectEmit(address(reg));
        emit DatanetRegistry.ContributionSubmitted(
            cid,
            id,
            alice,
            _hash(1),
            "ipfs://record",
            42,
            BOND,
            DatanetRegistry.Status.Pending,
            uint64(block.timestamp + PERIOD)
        );
        _reveal(alice, cid, id, 1, SALT);
        assertEq(before - token.balanceOf(alice), BOND);
        _assertStatus(cid, DatanetRegistry.Status.Pending);
        assertEq(reg.getContribution(cid).contributor, alice);
        assertEq(reg.contributionOf(id, _hash(1)), cid);
        assertEq(reg.getCommit(cid).blockNumber, 0, "commit consumed");
    }

    function test_reveal_openIsAcceptedAtOnce() public {
        uint256 id = _open();
        uint256 cid = _commit(alice, 1, SALT);
        vm.roll(block.number + 1);
        _reveal(alice, cid, id, 1, SALT);
        assertTrue(reg.isAccepted(cid));
    }

    function test_reveal_inTheCommitBlockReverts() public {
        uint256 id = _open();
        uint256 cid = _commit(alice, 1, SALT);
        vm.expectRevert(
            abi.encodeWithSelector(DatanetRegistry.RevealTooEarly.selector, cid, block.number + 1)
        );
        _reveal(alice, cid, id, 1, SALT);
    }

    function test_reveal_afterTheWindowReverts() public {
        uint256 id = _open();
        uint256 cid = _commit(alice, 1, SALT);
        uint40 deadline = uint40(block.timestamp + 1 days);
        vm.roll(block.number + 1);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.RevealWindowOver.selector, cid, deadline));
        _reveal(alice, cid, id, 1, SALT);
    }

    function test_reveal_twiceReverts() public {
        uint256 id = _open();
        uint256 cid = _commit(alice, 1, SALT);
        vm.roll(block.number + 1);
        _reveal(alice, cid, id, 1, SALT);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.CommitNotFound.selector, cid));
        _reveal(alice, cid, id, 1, SALT);
    }

    function test_reveal_ofAnUnreservedIdReverts() public {
        uint256 id = _open();
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.CommitNotFound.selector, 7));
        _reveal(alice, 7, id, 1, SALT);
    }

    function test_reveal_ofACopiedCommitmentReverts() public {
        // Bob copies Alice's commitment from the mempool; he can never reveal it.
        uint256 id = _open();
        bytes32 commitment = reg.contributionCommitment(_hash(1), alice, SALT);
        vm.prank(bob);
        uint256 cid = reg.commitContribution(commitment);
        vm.roll(block.number + 1);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.CommitmentMismatch.selector, cid));
        _reveal(bob, cid, id, 1, SALT);
    }

    function test_reveal_revertsForMissingDatanetAndZeroHash() public {
        vm.prank(alice);
        uint256 cid = reg.commitContribution(reg.contributionCommitment(bytes32(0), alice, SALT));
        vm.roll(block.number + 1);
        vm.prank(alice);
        vm.expectRevert(DatanetRegistry.ZeroContentHash.selector);
        reg.revealContribution(cid, 1, bytes32(0), "ipfs://record", 42, SALT);
        uint256 cid2 = _commit(alice, 1, SALT);
        vm.roll(block.number + 1);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.DatanetNotFound.selector, 9));
        _reveal(alice, cid2, 9, 1, SALT);
    }

    function test_reveal_afterAnEarlierHolderReverts() public {
        uint256 id = _open();
        uint256 first = _submit(bob, id, 1);
        uint256 cid = _commit(alice, 1, SALT);
        vm.roll(block.number + 1);
        vm.expectRevert(
            abi.encodeWithSelector(DatanetRegistry.ContentAlreadySubmitted.selector, id, _hash(1), first)
        );
        _reveal(alice, cid, id, 1, SALT);
    }

    /// The attack commit-reveal closes: Bob watches the mempool, sees Alice's reveal and submits
    /// the same content one-step ahead of it in the same block. Alice still owns the record (the
    /// lower id and the hash); Bob's copy has the later id, and withdrawing it frees nothing.
    function test_frontRunningTheRevealLosesToTheCommit() public {
        uint256 id = _curated();
        uint256 cid = _commit(alice, 1, SALT);
        vm.roll(block.number + 1);
        uint256 copy = _submit(bob, id, 1); // ordered ahead of Alice's reveal
        assertGt(copy, cid);
        _reveal(alice, cid, id, 1, SALT);
        assertEq(reg.contributionOf(id, _hash(1)), cid);

        vm.warp(block.timestamp + PERIOD + 1);
        vm.prank(bob);
        reg.withdrawContribution(copy);
        assertEq(reg.contributionOf(id, _hash(1)), cid, "a superseded copy frees nothing");
        // And the hash stays taken for anyone else.
        vm.expectRevert(
            abi.encodeWithSelector(DatanetRegistry.ContentAlreadySubmitted.selector, id, _hash(1), cid)
        );
        _submit(stranger, id, 1);
    }

    function test_anUnrevealedCommitIsAGapThatVersionsCannotName() public {
        uint256 id = _open();
        uint256 gap = _commit(alice, 1, SALT);
        _submit(bob, id, 2);
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.ContributionNotInDatanet.selector, gap, id));
        reg.publishVersion(id, keccak256("v"), "ipfs://v", 1, uint64(gap));
    }

    /// Any one of hash, contributor and salt changed: the reveal fails.
    function testFuzz_commitmentBindsHashContributorAndSalt(
        uint256 n,
        bytes32 salt,
        bytes32 otherSalt,
        uint8 which
    ) public {
        vm.assume(salt != otherSalt);
        n = bound(n, 1, 1e9);
        uint256 id = _open();
        uint256 cid = _commit(alice, n, salt);
        vm.roll(block.number + 1);
        which %= 3;
        if (which == 0) {
            vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.CommitmentMismatch.selector, cid));
            _reveal(alice, cid, id, n + 1, salt);
        } else if (which == 1) {
            vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.CommitmentMismatch.selector, cid));
            _reveal(bob, cid, id, n, salt);
        } else {
            vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.CommitmentMismatch.selector, cid));
            _reveal(alice, cid, id, n, otherSalt);
        }
        _reveal(alice, cid, id, n, salt);
        assertEq(reg.contributionOf(id, _hash(n)), cid);
    }

    /// Any block after the commit and any time within the window reveals.
    function testFuzz_revealWorksAnywhereInTheWindow(uint256 blocks, uint256 secs) public {
        blocks = bound(blocks, 1, 1e6);
        secs = bound(secs, 0, 1 days);
        uint256 id = _open();
        uint256 cid = _commit(alice, 1, SALT);
        vm.roll(block.number + blocks);
        vm.warp(block.timestamp + secs);
        _reveal(alice, cid, id, 1, SALT);
        assertTrue(reg.isAccepted(cid));
    }
}
