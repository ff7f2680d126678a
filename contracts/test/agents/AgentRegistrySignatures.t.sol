// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AgentRegistry} from "../../src/AgentRegistry.sol";
import {AgentRegistryBase, MockSmartWallet} from "./AgentRegistryBase.t.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

contract AgentRegistrySignaturesTest is AgentRegistryBase {
    uint256 internal agentId;

    function setUp() public override {
        super.setUp();
        agentId = _agent(alice);
    }

    function test_setAgentWallet_eoa() public {
        uint256 deadline = block.timestamp + 30 minutes;
        bytes32 digest = _digest(agents, agentId, wallet, alice, 0, deadline, block.chainid);
        // The contract's helper and domain agree with an independent computation.
        assertEq(agents.agentWalletDigest(agentId, wallet, alice, 0, deadline), digest);
        assertEq(agents.AGENT_WALLET_SET_TYPEHASH(), TYPEHASH);
        bytes memory sig = _sign(walletKey, digest);

        vm.expectEmit(true, true, true, true, address(agents));
        emit AgentWalletSet(agentId, wallet, alice, 0);
        vm.prank(alice);
        agents.setAgentWallet(agentId, wallet, deadline, sig);

        assertEq(agents.agentWalletOf(agentId), wallet);
        assertEq(agents.getAgent(agentId).wallet, wallet);
        assertEq(agents.walletNonce(wallet), 1);
        vm.prank(wallet);
        agents.recordAction(agentId, keccak256("x"), "", 0);
    }

    function test_setAgentWallet_byApprovedSignsOverTokenOwner() public {
        vm.prank(alice);
        agents.approve(bob, agentId);
        uint256 deadline = block.timestamp + 1;
        // The signed `owner` is the token owner (alice), not the approved caller.
        bytes memory sig = _walletSig(walletKey, agentId, alice, deadline);
        vm.prank(bob);
        agents.setAgentWallet(agentId, wallet, deadline, sig);
        assertEq(agents.agentWalletOf(agentId), wallet);
    }

    function test_setAgentWallet_deadlineBoundariesAccepted() public {
        // deadline == now and deadline == now + MAX_DEADLINE_DELAY are both valid.
        bytes memory sig = _walletSig(walletKey, agentId, alice, block.timestamp);
        vm.prank(alice);
        agents.setAgentWallet(agentId, wallet, block.timestamp, sig);
        uint256 far = block.timestamp + 1 hours;
        sig = _walletSig(walletKey, agentId, alice, far);
        vm.prank(alice);
        agents.setAgentWallet(agentId, wallet, far, sig);
        assertEq(agents.walletNonce(wallet), 2);
    }

    function test_setAgentWallet_revertsUnauthorizedCaller() public {
        uint256 deadline = block.timestamp + 60;
        bytes memory sig = _walletSig(walletKey, agentId, alice, deadline);
        // Even the wallet itself cannot attach itself to someone else's agent.
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.Unauthorized.selector, agentId, wallet));
        vm.prank(wallet);
        agents.setAgentWallet(agentId, wallet, deadline, sig);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 9));
        agents.setAgentWallet(9, wallet, deadline, sig);
    }

    function test_setAgentWallet_revertsZeroWallet() public {
        vm.expectRevert(AgentRegistry.ZeroWallet.selector);
        vm.prank(alice);
        agents.setAgentWallet(agentId, address(0), block.timestamp + 60, new bytes(65));
    }

    function test_setAgentWallet_revertsWrongSigner() public {
        uint256 deadline = block.timestamp + 60;
        // Signed by another key, for `wallet`.
        bytes memory sig = _sign(0xBAD, _digest(agents, agentId, wallet, alice, 0, deadline, block.chainid));
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidWalletSignature.selector, wallet));
        vm.prank(alice);
        agents.setAgentWallet(agentId, wallet, deadline, sig);
    }

    function test_setAgentWallet_revertsWrongFields() public {
        uint256 deadline = block.timestamp + 60;
        vm.startPrank(alice);
        // Signed for another agent id.
        bytes memory sig =
            _sign(walletKey, _digest(agents, agentId + 1, wallet, alice, 0, deadline, block.chainid));
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidWalletSignature.selector, wallet));
        agents.setAgentWallet(agentId, wallet, deadline, sig);
        // Signed for another owner.
        sig = _sign(walletKey, _digest(agents, agentId, wallet, bob, 0, deadline, block.chainid));
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidWalletSignature.selector, wallet));
        agents.setAgentWallet(agentId, wallet, deadline, sig);
        // Signed for another deadline.
        sig = _sign(walletKey, _digest(agents, agentId, wallet, alice, 0, deadline + 1, block.chainid));
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidWalletSignature.selector, wallet));
        agents.setAgentWallet(agentId, wallet, deadline, sig);
        // Signed for a future nonce.
        sig = _sign(walletKey, _digest(agents, agentId, wallet, alice, 1, deadline, block.chainid));
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidWalletSignature.selector, wallet));
        agents.setAgentWallet(agentId, wallet, deadline, sig);
        // Garbage and short signatures.
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidWalletSignature.selector, wallet));
        agents.setAgentWallet(agentId, wallet, deadline, new bytes(65));
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidWalletSignature.selector, wallet));
        agents.setAgentWallet(agentId, wallet, deadline, hex"1234");
        vm.stopPrank();
        assertEq(agents.agentWalletOf(agentId), address(0));
    }

    function test_setAgentWallet_revertsExpiredDeadline() public {
        uint256 deadline = block.timestamp + 60;
        bytes memory sig = _walletSig(walletKey, agentId, alice, deadline);
        vm.warp(deadline + 1);
        vm.expectRevert(
            abi.encodeWithSelector(AgentRegistry.DeadlineExpired.selector, deadline, deadline + 1)
        );
        vm.prank(alice);
        agents.setAgentWallet(agentId, wallet, deadline, sig);
    }

    function test_setAgentWallet_revertsDeadlineTooFar() public {
        uint256 deadline = block.timestamp + 1 hours + 1;
        bytes memory sig = _walletSig(walletKey, agentId, alice, deadline);
        vm.expectRevert(
            abi.encodeWithSelector(AgentRegistry.DeadlineTooFar.selector, deadline, block.timestamp + 1 hours)
        );
        vm.prank(alice);
        agents.setAgentWallet(agentId, wallet, deadline, sig);
        // Valid once time has caught up.
        vm.warp(block.timestamp + 1);
        vm.prank(alice);
        agents.setAgentWallet(agentId, wallet, deadline, sig);
        assertEq(agents.agentWalletOf(agentId), wallet);
    }

    function test_setAgentWallet_revertsReplay() public {
        uint256 deadline = block.timestamp + 60;
        bytes memory sig = _walletSig(walletKey, agentId, alice, deadline);
        vm.startPrank(alice);
        agents.setAgentWallet(agentId, wallet, deadline, sig);
        agents.unsetAgentWallet(agentId);
        // The same signature again: the nonce moved on.
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidWalletSignature.selector, wallet));
        agents.setAgentWallet(agentId, wallet, deadline, sig);
        vm.stopPrank();
        assertEq(agents.agentWalletOf(agentId), address(0));
    }

    function test_setAgentWallet_revertsReplayOnAnotherAgentOfSameOwner() public {
        uint256 other = _agent(alice);
        uint256 deadline = block.timestamp + 60;
        bytes memory sig = _walletSig(walletKey, agentId, alice, deadline);
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidWalletSignature.selector, wallet));
        agents.setAgentWallet(other, wallet, deadline, sig);
        vm.stopPrank();
    }

    function test_setAgentWallet_revertsOtherChainId() public {
        uint256 deadline = block.timestamp + 60;
        bytes memory sig = _walletSig(walletKey, agentId, alice, deadline); // signed for chain 31337
        vm.chainId(8453);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidWalletSignature.selector, wallet));
        vm.prank(alice);
        agents.setAgentWallet(agentId, wallet, deadline, sig);

        // A signature for the new chain id works there: the domain follows the chain.
        bytes memory sig2 = _sign(walletKey, _digest(agents, agentId, wallet, alice, 0, deadline, 8453));
        assertEq(
            agents.agentWalletDigest(agentId, wallet, alice, 0, deadline),
            _digest(agents, agentId, wallet, alice, 0, deadline, 8453)
        );
        vm.prank(alice);
        agents.setAgentWallet(agentId, wallet, deadline, sig2);
        assertEq(agents.agentWalletOf(agentId), wallet);
    }

    function test_setAgentWallet_revertsOtherContractDomain() public {
        AgentRegistry twin = new AgentRegistry(models);
        vm.prank(alice);
        uint256 twinId = twin.register("u", model1, _noMeta());
        assertEq(twinId, agentId);
        uint256 deadline = block.timestamp + 60;
        // Signed for the twin's domain, used on this one.
        bytes memory sig = _sign(walletKey, _digest(twin, agentId, wallet, alice, 0, deadline, block.chainid));
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidWalletSignature.selector, wallet));
        vm.prank(alice);
        agents.setAgentWallet(agentId, wallet, deadline, sig);
        // It is valid on the twin.
        vm.prank(alice);
        twin.setAgentWallet(twinId, wallet, deadline, sig);
        assertEq(twin.agentWalletOf(twinId), wallet);
    }

    function test_setAgentWallet_revertsMalleableSignature() public {
        uint256 deadline = block.timestamp + 60;
        bytes32 digest = _digest(agents, agentId, wallet, alice, 0, deadline, block.chainid);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(walletKey, digest);
        // The twin signature (r, n - s, v ^ 1) recovers the same address with ecrecover...
        bytes32 highS = bytes32(SECP256K1_N - uint256(s));
        uint8 flippedV = v == 27 ? 28 : 27;
        assertEq(ecrecover(digest, flippedV, r, highS), wallet, "twin does not recover");
        // ...but is refused.
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidWalletSignature.selector, wallet));
        vm.prank(alice);
        agents.setAgentWallet(agentId, wallet, deadline, abi.encodePacked(r, highS, flippedV));
        // The canonical one is accepted.
        vm.prank(alice);
        agents.setAgentWallet(agentId, wallet, deadline, abi.encodePacked(r, s, v));
        assertEq(agents.agentWalletOf(agentId), wallet);
    }

    function test_setAgentWallet_refusesCompactSignature() public {
        // ERC-2098 64-byte signatures are not accepted (OZ 5 ECDSA only takes 65 bytes).
        uint256 deadline = block.timestamp + 60;
        bytes32 digest = _digest(agents, agentId, wallet, alice, 0, deadline, block.chainid);
        (bytes32 r, bytes32 vs) = vm.signCompact(walletKey, digest);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidWalletSignature.selector, wallet));
        vm.prank(alice);
        agents.setAgentWallet(agentId, wallet, deadline, abi.encodePacked(r, vs));
    }

    function test_setAgentWallet_erc1271() public {
        uint256 ownerKey = 0x5AFE;
        MockSmartWallet smart = new MockSmartWallet(vm.addr(ownerKey));
        uint256 deadline = block.timestamp + 60;
        bytes memory sig =
            _sign(ownerKey, _digest(agents, agentId, address(smart), alice, 0, deadline, block.chainid));

        // The smart wallet refusing means no.
        smart.setAccept(false);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidWalletSignature.selector, address(smart)));
        vm.prank(alice);
        agents.setAgentWallet(agentId, address(smart), deadline, sig);

        smart.setAccept(true);
        vm.expectEmit(true, true, true, true, address(agents));
        emit AgentWalletSet(agentId, address(smart), alice, 0);
        vm.prank(alice);
        agents.setAgentWallet(agentId, address(smart), deadline, sig);
        assertEq(agents.agentWalletOf(agentId), address(smart));
        assertEq(agents.walletNonce(address(smart)), 1);

        // A key that is not the smart wallet's owner is refused.
        vm.prank(alice);
        agents.unsetAgentWallet(agentId);
        bytes memory bad =
            _sign(0xBAD, _digest(agents, agentId, address(smart), alice, 1, deadline, block.chainid));
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidWalletSignature.selector, address(smart)));
        vm.prank(alice);
        agents.setAgentWallet(agentId, address(smart), deadline, bad);

        // The smart wallet can then act for the agent.
        sig = _sign(ownerKey, _digest(agents, agentId, address(smart), alice, 1, deadline, block.chainid));
        vm.prank(alice);
        agents.setAgentWallet(agentId, address(smart), deadline, sig);
        vm.prank(address(smart));
        agents.recordAction(agentId, keccak256("ok"), "", 0);
    }

    function test_setAgentWallet_eoaSignatureForContractAddressRefused() public {
        // A contract address is checked with ERC-1271 only: an ECDSA signature "from" it cannot exist, and a
        // contract without isValidSignature is refused.
        address noCode1271 = address(models); // a contract that does not implement ERC-1271
        uint256 deadline = block.timestamp + 60;
        bytes memory sig = _walletSig(walletKey, agentId, alice, deadline);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidWalletSignature.selector, noCode1271));
        vm.prank(alice);
        agents.setAgentWallet(agentId, noCode1271, deadline, sig);
    }

    /* TRANSFER CLEARS THE WALLET */

    function test_transfer_clearsWallet() public {
        _setWallet(agentId, alice);
        vm.expectEmit(true, true, true, true, address(agents));
        emit Transfer(alice, bob, agentId);
        vm.expectEmit(true, true, true, true, address(agents));
        emit AgentWalletUnset(agentId, wallet);
        vm.prank(alice);
        agents.transferFrom(alice, bob, agentId);

        assertEq(agents.agentWalletOf(agentId), address(0));
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.NotAgentWallet.selector, agentId, wallet));
        vm.prank(wallet);
        agents.recordAction(agentId, bytes32(0), "", 0);
        // The wallet may give feedback now that it is no longer the agent's.
        vm.prank(wallet);
        agents.giveFeedback(agentId, 1, 0, "", "", "", bytes32(0));
    }

    function test_transfer_voidsOutstandingSignature() public {
        uint256 deadline = block.timestamp + 60;
        bytes memory sig = _walletSig(walletKey, agentId, alice, deadline); // authorizes under alice
        vm.prank(alice);
        agents.transferFrom(alice, bob, agentId);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidWalletSignature.selector, wallet));
        vm.prank(bob);
        agents.setAgentWallet(agentId, wallet, deadline, sig);
    }

    function test_transfer_withoutWalletEmitsNoUnset() public {
        vm.recordLogs();
        vm.prank(alice);
        agents.safeTransferFrom(alice, bob, agentId);
        assertEq(vm.getRecordedLogs().length, 1, "only Transfer");
        assertEq(agents.ownerOf(agentId), bob);
    }

    /* FUZZ */

    function testFuzz_setAgentWallet_deadlineWindow(uint256 deadline, uint32 elapsed) public {
        uint256 nowTs = block.timestamp + elapsed;
        vm.warp(nowTs);
        deadline = bound(deadline, 0, nowTs + 3 hours);
        bytes memory sig = _walletSig(walletKey, agentId, alice, deadline);
        bool ok = deadline >= nowTs && deadline <= nowTs + 1 hours;
        if (deadline < nowTs) {
            vm.expectRevert(abi.encodeWithSelector(AgentRegistry.DeadlineExpired.selector, deadline, nowTs));
        } else if (!ok) {
            vm.expectRevert(
                abi.encodeWithSelector(AgentRegistry.DeadlineTooFar.selector, deadline, nowTs + 1 hours)
            );
        }
        vm.prank(alice);
        agents.setAgentWallet(agentId, wallet, deadline, sig);
        assertEq(agents.agentWalletOf(agentId), ok ? wallet : address(0));
        assertEq(agents.walletNonce(wallet), ok ? 1 : 0);
    }

    function testFuzz_setAgentWallet_anyKey(uint256 key, uint8 nonceBumps) public {
        key = bound(key, 1, SECP256K1_N - 1);
        address w = vm.addr(key);
        vm.assume(w != alice);
        nonceBumps = uint8(bound(nonceBumps, 0, 3));
        uint256 deadline = block.timestamp + 60;
        for (uint256 i; i < nonceBumps; ++i) {
            bytes memory s = _walletSig(key, agentId, alice, deadline);
            vm.prank(alice);
            agents.setAgentWallet(agentId, w, deadline, s);
        }
        assertEq(agents.walletNonce(w), nonceBumps);
        bytes memory sig = _walletSig(key, agentId, alice, deadline);
        vm.prank(alice);
        agents.setAgentWallet(agentId, w, deadline, sig);
        assertEq(agents.agentWalletOf(agentId), w);
        // Replaying the last signature fails.
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidWalletSignature.selector, w));
        vm.prank(alice);
        agents.setAgentWallet(agentId, w, deadline, sig);
    }

    function testFuzz_giveFeedback_values(int128 value, uint8 decimals, address client) public {
        vm.assume(client != alice && client != address(0));
        if (decimals > 18) {
            vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidValueDecimals.selector, decimals));
        } else {
            vm.expectEmit(true, true, true, true, address(agents));
            emit FeedbackGiven(agentId, client, 0, value, decimals, "t", "", "", bytes32(0));
        }
        vm.prank(client);
        agents.giveFeedback(agentId, value, decimals, "t", "", "", bytes32(0));
        assertEq(agents.feedbackCount(agentId), decimals > 18 ? 0 : 1);
    }
}
