// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

import {RewardEscrow} from "../../src/RewardEscrow.sol";
import {EscrowBase} from "./EscrowBase.sol";

/// @dev Every way a root update signature can be wrong is refused.
contract RewardEscrowSignaturesTest is EscrowBase {
    uint256 internal constant SECP256K1_N =
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    RewardEscrow.RootUpdate internal u;

    function setUp() public override {
        super.setUp();
        _pay(1000);
        vm.roll(2000);
        u = _update(1, keccak256("root"), 950, 1, 1999);
    }

    function _recovered(bytes32 digest, bytes memory sig) internal pure returns (address) {
        return ECDSA.recover(digest, sig);
    }

    function test_sig_validTwoOfThree() public {
        bytes[] memory s = new bytes[](2);
        s[0] = _sign(escrow, u, signerKeys[0]);
        s[1] = _sign(escrow, u, signerKeys[2]); // any two, in address order
        escrow.proposeRoot(u, s);
        assertEq(escrow.pendingEpoch(), 1);
    }

    function test_sig_replayOnAnotherChainRefused() public {
        bytes[] memory s = _sigs(escrow, u, 2);
        vm.chainId(block.chainid + 1);
        bytes32 digest = escrow.hashRootUpdate(u); // the domain follows the chain id
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.NotASigner.selector, _recovered(digest, s[0])));
        escrow.proposeRoot(u, s);
    }

    function test_sig_replayOnAnotherEscrowRefused() public {
        RewardEscrow other = _deploy(address(token), signerAddrs, 2);
        vm.prank(payer);
        token.approve(address(other), type(uint256).max);
        vm.prank(payer);
        other.payInference(MODEL, AGENT, 1000, keccak256("o"), "u");
        bytes[] memory s = _sigs(escrow, u, 2); // signed for `escrow`
        bytes32 digest = other.hashRootUpdate(u);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.NotASigner.selector, _recovered(digest, s[0])));
        other.proposeRoot(u, s);
        other.proposeRoot(u, _sigs(other, u, 2)); // its own signatures work
    }

    function test_sig_oldEpochRefused() public {
        bytes[] memory s = _sigs(escrow, u, 2);
        escrow.proposeRoot(u, s);
        vm.warp(block.timestamp + WINDOW);
        escrow.acceptRoot();
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.EpochNotIncreasing.selector, 1, 1));
        escrow.proposeRoot(u, s);
    }

    function test_sig_duplicatedSignerRefused() public {
        bytes[] memory s = new bytes[](2);
        s[0] = _sign(escrow, u, signerKeys[0]);
        s[1] = s[0];
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.SignaturesNotSorted.selector, 1));
        escrow.proposeRoot(u, s);
    }

    function test_sig_unsortedSignersRefused() public {
        bytes[] memory s = new bytes[](2);
        s[0] = _sign(escrow, u, signerKeys[1]);
        s[1] = _sign(escrow, u, signerKeys[0]);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.SignaturesNotSorted.selector, 1));
        escrow.proposeRoot(u, s);
    }

    function test_sig_removedSignerRefusedAfterGovernance() public {
        // remove signerAddrs[0]: new set = {1, 2}, threshold 2
        address[] memory next = new address[](2);
        next[0] = signerAddrs[1];
        next[1] = signerAddrs[2];
        vm.prank(owner);
        escrow.proposeSignerUpdate(next, 2);
        // still valid during the delay
        RewardEscrow.RootUpdate memory u0 = _update(1, keccak256("r0"), 950, 1, 1999);
        assertTrue(escrow.isSigner(signerAddrs[0]));
        vm.warp(block.timestamp + 2 days);
        escrow.executeSignerUpdate();
        assertFalse(escrow.isSigner(signerAddrs[0]));

        bytes[] memory s = _sigs(escrow, u0, 2); // signerAddrs[0] and [1]
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.NotASigner.selector, signerAddrs[0]));
        escrow.proposeRoot(u0, s);

        s[0] = _sign(escrow, u0, signerKeys[1]);
        s[1] = _sign(escrow, u0, signerKeys[2]);
        escrow.proposeRoot(u0, s);
    }

    function test_sig_malleableHighSRefused() public {
        (uint8 v, bytes32 r, bytes32 s_) = vm.sign(signerKeys[0], escrow.hashRootUpdate(u));
        bytes32 highS = bytes32(SECP256K1_N - uint256(s_));
        uint8 flippedV = v == 27 ? 28 : 27;
        bytes[] memory s = new bytes[](2);
        s[0] = abi.encodePacked(r, highS, flippedV);
        s[1] = _sign(escrow, u, signerKeys[1]);
        // the flipped signature is mathematically valid for the same signer...
        assertEq(ecrecover(escrow.hashRootUpdate(u), flippedV, r, highS), signerAddrs[0]);
        // ...and still refused
        vm.expectRevert(abi.encodeWithSelector(ECDSA.ECDSAInvalidSignatureS.selector, highS));
        escrow.proposeRoot(u, s);
    }

    function test_sig_tooFewRefused() public {
        bytes[] memory one = _sigs(escrow, u, 1);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.NotEnoughSignatures.selector, 1, 2));
        escrow.proposeRoot(u, one);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.NotEnoughSignatures.selector, 0, 2));
        escrow.proposeRoot(u, new bytes[](0));
    }

    function test_sig_tooManyRefused() public {
        bytes[] memory s = new bytes[](17);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.TooManySignatures.selector, 17));
        escrow.proposeRoot(u, s);
    }

    function test_sig_nonSignerRefused() public {
        (address mallory, uint256 malloryKey) = makeAddrAndKey("mallory");
        bytes[] memory s = new bytes[](2);
        // mallory in a correctly sorted position
        if (mallory < signerAddrs[0]) {
            s[0] = _sign(escrow, u, malloryKey);
            s[1] = _sign(escrow, u, signerKeys[0]);
        } else {
            s[0] = _sign(escrow, u, signerKeys[0]);
            s[1] = _sign(escrow, u, malloryKey);
        }
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.NotASigner.selector, mallory));
        escrow.proposeRoot(u, s);
    }

    function test_sig_extraNonSignerAmongEnoughValidRefused() public {
        // 2 valid signatures plus one from outside the set: every signature must be from the set
        (address mallory, uint256 malloryKey) = makeAddrAndKey("mallory2");
        address[] memory a = new address[](3);
        uint256[] memory k = new uint256[](3);
        (a[0], k[0]) = (signerAddrs[0], signerKeys[0]);
        (a[1], k[1]) = (signerAddrs[1], signerKeys[1]);
        (a[2], k[2]) = (mallory, malloryKey);
        for (uint256 i = 1; i < 3; ++i) {
            for (uint256 j = i; j > 0 && a[j] < a[j - 1]; --j) {
                (a[j], a[j - 1]) = (a[j - 1], a[j]);
                (k[j], k[j - 1]) = (k[j - 1], k[j]);
            }
        }
        bytes[] memory s = new bytes[](3);
        for (uint256 i; i < 3; ++i) {
            s[i] = _sign(escrow, u, k[i]);
        }
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.NotASigner.selector, mallory));
        escrow.proposeRoot(u, s);
    }

    function test_sig_tamperedFieldRefused() public {
        bytes[] memory s = _sigs(escrow, u, 2);
        RewardEscrow.RootUpdate memory t = u;
        t.totalCumulative = 900;
        bytes32 digest = escrow.hashRootUpdate(t);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.NotASigner.selector, _recovered(digest, s[0])));
        escrow.proposeRoot(t, s);
        t = u;
        t.reportHash = keccak256("another report");
        digest = escrow.hashRootUpdate(t);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.NotASigner.selector, _recovered(digest, s[0])));
        escrow.proposeRoot(t, s);
    }

    function test_sig_malformedRefused() public {
        bytes[] memory s = _sigs(escrow, u, 2);
        (bytes32 r, bytes32 vs) = vm.signCompact(signerKeys[0], escrow.hashRootUpdate(u));
        s[0] = abi.encodePacked(r, vs); // 64-byte ERC-2098 form is not accepted
        vm.expectRevert(abi.encodeWithSelector(ECDSA.ECDSAInvalidSignatureLength.selector, 64));
        escrow.proposeRoot(u, s);
        s[0] = abi.encodePacked(bytes32(0), bytes32(uint256(1)), uint8(27)); // r = 0: no signer
        vm.expectRevert(ECDSA.ECDSAInvalidSignature.selector);
        escrow.proposeRoot(u, s);
    }

    function test_sig_thresholdThreeOfThree() public {
        address[] memory same = signerAddrs;
        vm.prank(owner);
        escrow.proposeSignerUpdate(same, 3);
        vm.warp(block.timestamp + 2 days);
        escrow.executeSignerUpdate();
        bytes[] memory two = _sigs(escrow, u, 2);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.NotEnoughSignatures.selector, 2, 3));
        escrow.proposeRoot(u, two);
        escrow.proposeRoot(u, _sigs(escrow, u, 3));
    }
}
