// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {RewardEscrow} from "../../src/RewardEscrow.sol";
import {EscrowBase} from "./EscrowBase.sol";
import {FeeOnTransferToken} from "./EscrowMocks.sol";
import {MerkleHelper} from "./MerkleHelper.sol";

contract RewardEscrowFuzzTest is EscrowBase {
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    function _setFee(uint16 feeBps) internal {
        vm.prank(owner);
        escrow.proposeParamsUpdate(feeBps, WINDOW);
        vm.warp(block.timestamp + 2 days);
        escrow.executeParamsUpdate();
    }

    function testFuzz_payInference_feeSplit(uint256 amount, uint16 feeBps, uint256 amount2) public {
        feeBps = uint16(bound(feeBps, 0, 2000));
        amount = bound(amount, 1, 5e29);
        amount2 = bound(amount2, 1, 5e29);
        _setFee(feeBps);
        _pay(amount);
        _pay(amount2);
        uint256 fee1 = amount * feeBps / 10_000;
        uint256 fee2 = amount2 * feeBps / 10_000;
        assertEq(escrow.protocolFeesAccrued(), fee1 + fee2);
        assertEq(escrow.totalDistributable(), amount - fee1 + amount2 - fee2);
        assertLe(fee1 * 10_000, amount * feeBps); // rounded down
        assertGt((fee1 + 1) * 10_000, amount * feeBps);
        assertEq(token.balanceOf(address(escrow)), escrow.liabilities());
        assertEq(escrow.inferenceCount(), 2);
    }

    function testFuzz_payInference_feeOnTransfer(uint256 amount, uint256 tokenFeeBps, uint16 feeBps) public {
        amount = bound(amount, 1, 1e30);
        tokenFeeBps = bound(tokenFeeBps, 0, 9999);
        feeBps = uint16(bound(feeBps, 0, 2000));
        FeeOnTransferToken fot = new FeeOnTransferToken(tokenFeeBps);
        RewardEscrow e = _deploy(address(fot), signerAddrs, 2);
        vm.prank(owner);
        e.proposeParamsUpdate(feeBps, WINDOW);
        vm.warp(block.timestamp + 2 days);
        e.executeParamsUpdate();
        fot.mint(payer, amount);
        vm.startPrank(payer);
        fot.approve(address(e), amount);
        uint256 expectedReceived = amount - amount * tokenFeeBps / 10_000;
        if (expectedReceived == 0) {
            vm.expectRevert(RewardEscrow.NothingReceived.selector);
            e.payInference(MODEL, AGENT, amount, keccak256("o"), "u");
            vm.stopPrank();
            return;
        }
        e.payInference(MODEL, AGENT, amount, keccak256("o"), "u");
        vm.stopPrank();
        uint256 fee = expectedReceived * feeBps / 10_000;
        assertEq(e.protocolFeesAccrued(), fee);
        assertEq(e.totalDistributable(), expectedReceived - fee);
        assertEq(fot.balanceOf(address(e)), e.liabilities());
    }

    function testFuzz_proposeRoot_totalBounded(uint256 paid, uint256 total) public {
        paid = bound(paid, 1, 1e30);
        _pay(paid);
        uint256 distributable = escrow.totalDistributable();
        total = bound(total, 0, distributable * 2 + 1);
        RewardEscrow.RootUpdate memory u = _update(1, keccak256("r"), total, 1, uint64(block.number - 1));
        bytes[] memory s = _sigs(escrow, u, 2);
        if (total > distributable) {
            vm.expectRevert(
                abi.encodeWithSelector(RewardEscrow.ExceedsDistributable.selector, total, distributable)
            );
        }
        escrow.proposeRoot(u, s);
    }

    /// @dev Totals are uint128: a payment that would overflow them reverts instead of wrapping.
    function testFuzz_payInference_overflowReverts(uint256 extra) public {
        extra = bound(extra, 1, 1e30);
        uint256 big = uint256(type(uint128).max);
        token.mint(payer, big); // payer now holds 1e30 + big
        _setFee(0);
        _pay(big - 1e30);
        vm.prank(payer);
        vm.expectRevert(
            abi.encodeWithSelector(
                SafeCast.SafeCastOverflowedUintDowncast.selector, 128, big - 1e30 + extra + 1e30
            )
        );
        escrow.payInference(MODEL, AGENT, extra + 1e30, keccak256("o"), "u");
    }

    /// @dev Two roots with random cumulative amounts: each account is paid exactly its latest leaf, never more.
    function testFuzz_claim_cumulative(uint128 a1, uint128 b1, uint128 da, uint128 db, bool claimBetween)
        public
    {
        uint256 paid = 1e30;
        _pay(paid);
        uint256 pot = escrow.totalDistributable();
        uint256 A1 = bound(a1, 0, pot / 4);
        uint256 B1 = bound(b1, 0, pot / 4);
        uint256 A2 = A1 + bound(da, 0, pot / 4);
        uint256 B2 = B1 + bound(db, 0, pot / 4);

        bytes32[] memory leaves = new bytes32[](2);
        leaves[0] = MerkleHelper.leaf(alice, address(token), A1);
        leaves[1] = MerkleHelper.leaf(bob, address(token), B1);
        vm.roll(block.number + 5);
        _proposeAndAccept(_update(1, MerkleHelper.root(leaves), A1 + B1, 1, uint64(block.number - 1)));
        if (claimBetween) {
            if (A1 > 0) escrow.claim(alice, address(token), A1, MerkleHelper.proof(leaves, 0));
            if (B1 > 0) escrow.claim(bob, address(token), B1, MerkleHelper.proof(leaves, 1));
            assertEq(token.balanceOf(alice), A1);
            assertEq(token.balanceOf(bob), B1);
        }
        leaves[0] = MerkleHelper.leaf(alice, address(token), A2);
        leaves[1] = MerkleHelper.leaf(bob, address(token), B2);
        vm.roll(block.number + 5);
        _proposeAndAccept(
            _update(
                2, MerkleHelper.root(leaves), A2 + B2, escrow.currentToBlock() + 1, uint64(block.number - 1)
            )
        );
        if (A2 > token.balanceOf(alice)) {
            escrow.claim(alice, address(token), A2, MerkleHelper.proof(leaves, 0));
        }
        if (B2 > token.balanceOf(bob)) escrow.claim(bob, address(token), B2, MerkleHelper.proof(leaves, 1));
        assertEq(token.balanceOf(alice), A2);
        assertEq(token.balanceOf(bob), B2);
        assertEq(escrow.totalClaimed(), A2 + B2);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.NothingToClaim.selector, alice));
        escrow.claim(alice, address(token), A2, MerkleHelper.proof(leaves, 0));
        assertEq(token.balanceOf(address(escrow)), escrow.liabilities());
    }

    /// @dev Any subset of a 5-signer set, in address order, is accepted iff it has at least 3 members.
    function testFuzz_signatures_subsets(uint8 mask) public {
        mask = uint8(bound(mask, 0, 31));
        (address[] memory addrs, uint256[] memory keys) = _sortedSigners(5, "five");
        RewardEscrow e = _deploy(address(token), addrs, 3);
        RewardEscrow.RootUpdate memory u = _update(1, keccak256("r"), 0, 1, uint64(block.number - 1));
        uint256 count;
        for (uint256 i; i < 5; ++i) {
            if (mask & (1 << i) != 0) ++count;
        }
        bytes[] memory s = new bytes[](count);
        uint256 j;
        for (uint256 i; i < 5; ++i) {
            if (mask & (1 << i) != 0) s[j++] = _sign(e, u, keys[i]);
        }
        if (count < 3) {
            vm.expectRevert(abi.encodeWithSelector(RewardEscrow.NotEnoughSignatures.selector, count, 3));
        }
        e.proposeRoot(u, s);
    }
}
