// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {RewardEscrow} from "../../src/RewardEscrow.sol";
import {IAgentRegistry} from "../../src/interfaces/IAgentRegistry.sol";
import {IModelRegistry} from "../../src/interfaces/IModelRegistry.sol";
import {EscrowBase} from "./EscrowBase.sol";
import {FeeOnTransferToken, MockERC20, ReentrantToken} from "./EscrowMocks.sol";
import {MerkleHelper} from "./MerkleHelper.sol";

contract RewardEscrowTest is EscrowBase {
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal relayer = makeAddr("relayer");

    event InferencePaid(
        uint256 indexed inferenceId,
        uint256 indexed modelId,
        uint256 indexed agentId,
        address payer,
        uint256 amount,
        uint256 protocolFee,
        uint256 net,
        bytes32 outputHash,
        string outputUri,
        uint16 ownerBps,
        uint16 dataBps,
        uint16 agentBps
    );
    event RootProposed(
        uint64 indexed epoch,
        bytes32 indexed root,
        uint256 totalCumulative,
        bytes32 reportHash,
        uint64 fromBlock,
        uint64 toBlock,
        uint64 validAt,
        address[] signers
    );
    event RootAccepted(uint64 indexed epoch, bytes32 indexed root, uint256 totalCumulative, uint64 toBlock);
    event RootVetoed(uint64 indexed epoch, bytes32 indexed root, address indexed guardian);
    event Claimed(address indexed account, address token, uint256 amount, uint256 cumulativeClaimed);
    event ProtocolFeesWithdrawn(address indexed treasury, uint256 amount);
    event Swept(address indexed token, address indexed to, uint256 amount);
    event SignerSetUpdated(uint32 indexed generation, address[] signers, uint8 threshold);
    event SignerUpdateProposed(address[] signers, uint8 threshold, uint64 executableAt);
    event SignerUpdateCancelled();
    event ParamsUpdated(uint16 protocolFeeBps, uint32 disputeWindow);
    event ParamsUpdateProposed(uint16 protocolFeeBps, uint32 disputeWindow, uint64 executableAt);
    event ParamsUpdateCancelled();
    event TreasuryUpdated(address indexed previousTreasury, address indexed newTreasury);
    event GuardianUpdated(address indexed previousGuardian, address indexed newGuardian);

    /* helpers */

    /// @dev Two-leaf tree (alice, bob) and alice's / bob's proofs.
    function _tree(uint256 a, uint256 b)
        internal
        view
        returns (bytes32 root, bytes32[] memory pa, bytes32[] memory pb)
    {
        bytes32 la = MerkleHelper.leaf(alice, address(token), a);
        bytes32 lb = MerkleHelper.leaf(bob, address(token), b);
        bytes32[] memory leaves = new bytes32[](2);
        leaves[0] = la;
        leaves[1] = lb;
        root = MerkleHelper.root(leaves);
        pa = MerkleHelper.proof(leaves, 0);
        pb = MerkleHelper.proof(leaves, 1);
    }

    /// @dev Pays `paid`, then proposes and accepts epoch `epoch` with alice `a`, bob `b`; returns the proofs.
    function _fundAndRoot(uint64 epoch, uint256 paid, uint256 a, uint256 b)
        internal
        returns (bytes32[] memory pa, bytes32[] memory pb)
    {
        if (paid > 0) _pay(paid);
        bytes32 root;
        (root, pa, pb) = _tree(a, b);
        vm.roll(block.number + 5);
        uint64 from = escrow.currentEpoch() == 0 ? 1 : escrow.currentToBlock() + 1;
        _proposeAndAccept(_update(epoch, root, escrow.totalDistributable(), from, uint64(block.number - 1)));
    }

    function _next(uint64 epoch, bytes32 root, uint256 total)
        internal
        view
        returns (RewardEscrow.RootUpdate memory)
    {
        uint64 from = escrow.currentEpoch() == 0 ? 1 : escrow.currentToBlock() + 1;
        return _update(epoch, root, total, from, uint64(block.number - 1));
    }

    /* constructor */

    function test_constructor_setsState() public view {
        assertEq(address(escrow.TOKEN()), address(token));
        assertEq(address(escrow.MODEL_REGISTRY()), address(models));
        assertEq(address(escrow.AGENT_REGISTRY()), address(agents));
        assertEq(escrow.owner(), owner);
        assertEq(escrow.guardian(), guardian);
        assertEq(escrow.treasury(), treasury);
        assertEq(escrow.protocolFeeBps(), FEE_BPS);
        assertEq(escrow.disputeWindow(), WINDOW);
        assertEq(escrow.threshold(), 2);
        assertEq(escrow.signerGeneration(), 1);
        assertEq(escrow.signers(), signerAddrs);
        for (uint256 i; i < 3; ++i) {
            assertTrue(escrow.isSigner(signerAddrs[i]));
        }
        assertFalse(escrow.isSigner(alice));
        assertFalse(escrow.isSigner(address(0)));
        assertEq(escrow.inferenceCount(), 0);
        assertEq(escrow.currentRoot(), bytes32(0));
        assertEq(uint8(escrow.pendingStatus()), uint8(RewardEscrow.PendingStatus.None));
        (, string memory name, string memory version, uint256 chainId, address verifying,,) =
            escrow.eip712Domain();
        assertEq(name, "OpenLedger RewardEscrow");
        assertEq(version, "1");
        assertEq(chainId, block.chainid);
        assertEq(verifying, address(escrow));
    }

    function test_constructor_emitsConfigEvents() public {
        vm.expectEmit(true, true, true, true);
        emit GuardianUpdated(address(0), guardian);
        vm.expectEmit(true, true, true, true);
        emit TreasuryUpdated(address(0), treasury);
        vm.expectEmit(true, true, true, true);
        emit ParamsUpdated(FEE_BPS, WINDOW);
        vm.expectEmit(true, true, true, true);
        emit SignerSetUpdated(1, signerAddrs, 2);
        _deploy(address(token), signerAddrs, 2);
    }

    function _deployWith(
        address token_,
        address models_,
        address agents_,
        address owner_,
        address guardian_,
        address treasury_,
        uint16 fee,
        uint32 window,
        address[] memory s,
        uint8 t
    ) internal returns (RewardEscrow) {
        return new RewardEscrow(
            IERC20(token_),
            IModelRegistry(models_),
            IAgentRegistry(agents_),
            owner_,
            guardian_,
            treasury_,
            fee,
            window,
            s,
            t
        );
    }

    function test_constructor_revertsOnZeroAddresses() public {
        address t = address(token);
        address m = address(models);
        address a = address(agents);
        vm.expectRevert(RewardEscrow.ZeroAddress.selector);
        _deployWith(address(0), m, a, owner, guardian, treasury, 0, 0, signerAddrs, 1);
        vm.expectRevert(RewardEscrow.ZeroAddress.selector);
        _deployWith(t, address(0), a, owner, guardian, treasury, 0, 0, signerAddrs, 1);
        vm.expectRevert(RewardEscrow.ZeroAddress.selector);
        _deployWith(t, m, address(0), owner, guardian, treasury, 0, 0, signerAddrs, 1);
        vm.expectRevert(RewardEscrow.ZeroAddress.selector);
        _deployWith(t, m, a, owner, address(0), treasury, 0, 0, signerAddrs, 1);
        vm.expectRevert(RewardEscrow.ZeroAddress.selector);
        _deployWith(t, m, a, owner, guardian, address(0), 0, 0, signerAddrs, 1);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
        _deployWith(t, m, a, address(0), guardian, treasury, 0, 0, signerAddrs, 1);
    }

    function test_constructor_revertsOnBadParams() public {
        address t = address(token);
        address m = address(models);
        address a = address(agents);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.FeeTooHigh.selector, 2001));
        _deployWith(t, m, a, owner, guardian, treasury, 2001, 0, signerAddrs, 1);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.DisputeWindowTooLong.selector, 30 days + 1));
        _deployWith(t, m, a, owner, guardian, treasury, 0, 30 days + 1, signerAddrs, 1);
        // bounds themselves are fine
        _deployWith(t, m, a, owner, guardian, treasury, 2000, 30 days, signerAddrs, 3);
    }

    function test_constructor_revertsOnBadSignerSet() public {
        address[] memory none = new address[](0);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.InvalidSignerCount.selector, 0));
        _deploy(address(token), none, 1);

        (address[] memory many,) = _sortedSigners(17, "many");
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.InvalidSignerCount.selector, 17));
        _deploy(address(token), many, 1);

        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.InvalidThreshold.selector, 0, 3));
        _deploy(address(token), signerAddrs, 0);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.InvalidThreshold.selector, 4, 3));
        _deploy(address(token), signerAddrs, 4);

        address[] memory unsorted = new address[](2);
        unsorted[0] = signerAddrs[1];
        unsorted[1] = signerAddrs[0];
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.SignersNotSorted.selector, 1));
        _deploy(address(token), unsorted, 1);

        address[] memory dup = new address[](2);
        dup[0] = signerAddrs[0];
        dup[1] = signerAddrs[0];
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.SignersNotSorted.selector, 1));
        _deploy(address(token), dup, 1);

        address[] memory zero = new address[](1);
        vm.expectRevert(RewardEscrow.ZeroAddress.selector);
        _deploy(address(token), zero, 1);
    }

    /* payInference */

    function test_payInference_accountsAndEmits() public {
        uint256 amount = 1000e18;
        uint256 fee = amount * FEE_BPS / 10_000;
        vm.expectEmit(true, true, true, true, address(escrow));
        emit InferencePaid(
            1,
            MODEL,
            AGENT,
            payer,
            amount,
            fee,
            amount - fee,
            keccak256("out"),
            "ipfs://out",
            6000,
            3000,
            1000
        );
        assertEq(_pay(amount), 1);
        assertEq(_pay(amount), 2);
        assertEq(escrow.inferenceCount(), 2);
        assertEq(escrow.totalDistributable(), 2 * (amount - fee));
        assertEq(escrow.protocolFeesAccrued(), 2 * fee);
        assertEq(token.balanceOf(address(escrow)), 2 * amount);
        assertEq(escrow.liabilities(), 2 * amount);
    }

    function test_payInference_withoutAgent() public {
        vm.prank(payer);
        uint256 id = escrow.payInference(MODEL, 0, 100, keccak256("o"), "");
        assertEq(id, 1);
        assertEq(escrow.protocolFeesAccrued(), 5);
        assertEq(escrow.totalDistributable(), 95);
    }

    function test_payInference_feeRoundsDown() public {
        _pay(19); // 19 * 500 / 10000 = 0.95 -> 0
        assertEq(escrow.protocolFeesAccrued(), 0);
        assertEq(escrow.totalDistributable(), 19);
        _pay(20);
        assertEq(escrow.protocolFeesAccrued(), 1);
    }

    function test_payInference_splitSnapshotAtPaymentTime() public {
        _pay(100);
        models.setTerms(MODEL, true, 5000, 5000, 0);
        vm.expectEmit(true, true, true, true, address(escrow));
        emit InferencePaid(2, MODEL, AGENT, payer, 100, 5, 95, keccak256("out"), "ipfs://out", 5000, 5000, 0);
        _pay(100);
    }

    function test_payInference_revertsOnZeroAmount() public {
        vm.prank(payer);
        vm.expectRevert(RewardEscrow.ZeroAmount.selector);
        escrow.payInference(MODEL, AGENT, 0, keccak256("o"), "u");
    }

    function test_payInference_revertsOnZeroOutputHash() public {
        vm.prank(payer);
        vm.expectRevert(RewardEscrow.ZeroOutputHash.selector);
        escrow.payInference(MODEL, AGENT, 1, bytes32(0), "u");
    }

    function test_payInference_revertsOnUnknownOrDeprecatedModel() public {
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.ModelNotActive.selector, 99));
        escrow.payInference(99, 0, 1, keccak256("o"), "u");
        models.setTerms(MODEL, false, 6000, 3000, 1000);
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.ModelNotActive.selector, MODEL));
        escrow.payInference(MODEL, 0, 1, keccak256("o"), "u");
    }

    function test_payInference_revertsOnInvalidSplit() public {
        models.setTerms(2, true, 6000, 3000, 999);
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.InvalidSplit.selector, 2));
        escrow.payInference(2, 0, 1, keccak256("o"), "u");
    }

    function test_payInference_revertsOnAgentOfAnotherModel() public {
        models.setTerms(2, true, 10_000, 0, 0);
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.AgentModelMismatch.selector, AGENT, 2, MODEL));
        escrow.payInference(2, AGENT, 1, keccak256("o"), "u");
        // unknown agent: modelOf == 0
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.AgentModelMismatch.selector, 55, MODEL, 0));
        escrow.payInference(MODEL, 55, 1, keccak256("o"), "u");
    }

    function test_payInference_revertsWhenPaused() public {
        vm.prank(owner);
        escrow.pause();
        vm.prank(payer);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        escrow.payInference(MODEL, AGENT, 1, keccak256("o"), "u");
        vm.prank(owner);
        escrow.unpause();
        _pay(1);
    }

    function test_payInference_revertsWithoutAllowance() public {
        token.mint(alice, 100);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(escrow), 0, 100)
        );
        escrow.payInference(MODEL, AGENT, 100, keccak256("o"), "u");
    }

    function test_payInference_feeOnTransferUsesReceived() public {
        FeeOnTransferToken fot = new FeeOnTransferToken(100); // 1%
        RewardEscrow e = _deploy(address(fot), signerAddrs, 2);
        fot.mint(payer, 10_000);
        vm.startPrank(payer);
        fot.approve(address(e), type(uint256).max);
        vm.expectEmit(true, true, true, true, address(e));
        emit InferencePaid(1, MODEL, AGENT, payer, 9900, 495, 9405, keccak256("o"), "u", 6000, 3000, 1000);
        e.payInference(MODEL, AGENT, 10_000, keccak256("o"), "u");
        vm.stopPrank();
        assertEq(fot.balanceOf(address(e)), 9900);
        assertEq(e.totalDistributable() + e.protocolFeesAccrued(), 9900);
    }

    function test_payInference_revertsWhenNothingReceived() public {
        FeeOnTransferToken fot = new FeeOnTransferToken(10_000); // burns everything
        RewardEscrow e = _deploy(address(fot), signerAddrs, 2);
        fot.mint(payer, 10);
        vm.startPrank(payer);
        fot.approve(address(e), type(uint256).max);
        vm.expectRevert(RewardEscrow.NothingReceived.selector);
        e.payInference(MODEL, AGENT, 10, keccak256("o"), "u");
        vm.stopPrank();
    }

    function test_payInference_reentrancyBlocked() public {
        ReentrantToken rt = new ReentrantToken();
        RewardEscrow e = _deploy(address(rt), signerAddrs, 2);
        rt.mint(payer, 1000);
        vm.prank(payer);
        rt.approve(address(e), type(uint256).max);
        rt.arm(address(e), abi.encodeCall(RewardEscrow.payInference, (MODEL, 0, 1, keccak256("x"), "")));
        vm.prank(payer);
        e.payInference(MODEL, 0, 100, keccak256("o"), "u");
        assertFalse(rt.reentered());
        assertEq(
            rt.revertData(),
            abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector)
        );
        assertEq(e.inferenceCount(), 1);
        assertEq(e.totalDistributable() + e.protocolFeesAccrued(), 100);
    }

    /* payInferenceWithPermit */

    function _permitSig(uint256 key, address spender, uint256 value, uint256 deadline)
        internal
        view
        returns (uint8 v, bytes32 r, bytes32 s)
    {
        address holder = vm.addr(key);
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
                ),
                holder,
                spender,
                value,
                token.nonces(holder),
                deadline
            )
        );
        return vm.sign(key, keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash)));
    }

    function test_payInferenceWithPermit_pays() public {
        (address holder, uint256 key) = makeAddrAndKey("holder");
        token.mint(holder, 500);
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(key, address(escrow), 500, block.timestamp + 1);
        vm.prank(holder);
        uint256 id = escrow.payInferenceWithPermit(
            MODEL, AGENT, 500, keccak256("o"), "u", block.timestamp + 1, v, r, s
        );
        assertEq(id, 1);
        assertEq(token.balanceOf(address(escrow)), 500);
        assertEq(token.nonces(holder), 1);
    }

    function test_payInferenceWithPermit_frontRunPermitStillPays() public {
        (address holder, uint256 key) = makeAddrAndKey("holder");
        token.mint(holder, 500);
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(key, address(escrow), 500, block.timestamp + 1);
        // an observer submits the permit first
        token.permit(holder, address(escrow), 500, block.timestamp + 1, v, r, s);
        vm.prank(holder);
        escrow.payInferenceWithPermit(MODEL, AGENT, 500, keccak256("o"), "u", block.timestamp + 1, v, r, s);
        assertEq(token.balanceOf(address(escrow)), 500);
    }

    function test_payInferenceWithPermit_revertsOnBadPermitWithoutAllowance() public {
        (address holder,) = makeAddrAndKey("holder");
        token.mint(holder, 500);
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(signerKeys[0], address(escrow), 500, block.timestamp + 1);
        vm.prank(holder);
        vm.expectRevert(RewardEscrow.PermitFailed.selector);
        escrow.payInferenceWithPermit(MODEL, AGENT, 500, keccak256("o"), "u", block.timestamp + 1, v, r, s);
    }

    function test_payInferenceWithPermit_revertsWhenPaused() public {
        vm.prank(owner);
        escrow.pause();
        vm.prank(payer);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        escrow.payInferenceWithPermit(MODEL, AGENT, 1, keccak256("o"), "u", 0, 0, 0, 0);
    }

    /* protocol fees */

    function test_withdrawProtocolFees_sendsToTreasury() public {
        _pay(1000);
        vm.expectEmit(true, true, true, true, address(escrow));
        emit ProtocolFeesWithdrawn(treasury, 50);
        vm.prank(relayer); // anyone
        assertEq(escrow.withdrawProtocolFees(), 50);
        assertEq(token.balanceOf(treasury), 50);
        assertEq(escrow.protocolFeesAccrued(), 0);
        assertEq(token.balanceOf(address(escrow)), escrow.liabilities());
    }

    function test_withdrawProtocolFees_revertsWhenNothing() public {
        vm.expectRevert(RewardEscrow.NothingToWithdraw.selector);
        escrow.withdrawProtocolFees();
    }

    function test_withdrawProtocolFees_worksWhenPausedAndGoesToNewTreasury() public {
        _pay(1000);
        vm.startPrank(owner);
        escrow.pause();
        escrow.setTreasury(alice);
        vm.stopPrank();
        escrow.withdrawProtocolFees();
        assertEq(token.balanceOf(alice), 50);
    }

    /* pause */

    function test_pause_onlyOwner() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        escrow.pause();
        vm.prank(owner);
        escrow.pause();
        assertTrue(escrow.paused());
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        escrow.unpause();
        vm.prank(owner);
        escrow.unpause();
        assertFalse(escrow.paused());
    }

    function test_pause_claimsAndRootsKeepWorking() public {
        (bytes32[] memory pa,) = _fundAndRoot(1, 1000, 300, 0);
        vm.prank(owner);
        escrow.pause();
        escrow.claim(alice, address(token), 300, pa);
        assertEq(token.balanceOf(alice), 300);
        (bytes32 root,,) = _tree(400, 100);
        vm.roll(block.number + 3);
        _proposeAndAccept(_next(2, root, 950));
        assertEq(escrow.currentEpoch(), 2);
    }

    /* proposeRoot / acceptRoot / vetoRoot */

    function test_proposeRoot_storesPendingAndEmits() public {
        _pay(1000);
        vm.roll(1010);
        RewardEscrow.RootUpdate memory u = _update(1, keccak256("r"), 950, 500, 1009);
        bytes[] memory sigs = _sigs(escrow, u, 2);
        address[] memory signedBy = new address[](2);
        signedBy[0] = signerAddrs[0];
        signedBy[1] = signerAddrs[1];
        vm.expectEmit(true, true, true, true, address(escrow));
        emit RootProposed(
            1, keccak256("r"), 950, u.reportHash, 500, 1009, uint64(block.timestamp) + WINDOW, signedBy
        );
        vm.prank(relayer); // anyone may submit
        escrow.proposeRoot(u, sigs);
        assertEq(escrow.pendingRoot(), keccak256("r"));
        assertEq(escrow.pendingEpoch(), 1);
        assertEq(escrow.pendingTotalCumulative(), 950);
        assertEq(escrow.pendingToBlock(), 1009);
        assertEq(escrow.pendingValidAt(), block.timestamp + WINDOW);
        assertEq(uint8(escrow.pendingStatus()), uint8(RewardEscrow.PendingStatus.Pending));
        assertEq(escrow.currentRoot(), bytes32(0)); // not current yet
    }

    function test_proposeRoot_allThreeSignersAccepted() public {
        _pay(1000);
        RewardEscrow.RootUpdate memory u = _update(1, keccak256("r"), 950, 1, uint64(block.number - 1));
        escrow.proposeRoot(u, _sigs(escrow, u, 3));
        assertEq(escrow.pendingEpoch(), 1);
    }

    function test_acceptRoot_afterWindow() public {
        _pay(1000);
        RewardEscrow.RootUpdate memory u = _update(1, keccak256("r"), 950, 1, uint64(block.number - 1));
        escrow.proposeRoot(u, _sigs(escrow, u, 2));
        uint64 validAt = escrow.pendingValidAt();
        vm.warp(validAt - 1);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.DisputeWindowOpen.selector, validAt));
        escrow.acceptRoot();
        vm.warp(validAt);
        vm.expectEmit(true, true, true, true, address(escrow));
        emit RootAccepted(1, keccak256("r"), 950, u.toBlock);
        vm.prank(relayer);
        escrow.acceptRoot();
        assertEq(escrow.currentRoot(), keccak256("r"));
        assertEq(escrow.currentEpoch(), 1);
        assertEq(escrow.currentTotalCumulative(), 950);
        assertEq(escrow.currentToBlock(), u.toBlock);
        assertEq(uint8(escrow.pendingStatus()), uint8(RewardEscrow.PendingStatus.Accepted));
        vm.expectRevert(RewardEscrow.NoPendingRoot.selector);
        escrow.acceptRoot();
    }

    function test_acceptRoot_revertsWithoutPending() public {
        vm.expectRevert(RewardEscrow.NoPendingRoot.selector);
        escrow.acceptRoot();
    }

    function test_proposeRoot_revertsWhilePending() public {
        _pay(1000);
        RewardEscrow.RootUpdate memory u = _update(1, keccak256("r"), 950, 1, uint64(block.number - 1));
        escrow.proposeRoot(u, _sigs(escrow, u, 2));
        RewardEscrow.RootUpdate memory u2 = _update(2, keccak256("r2"), 950, 1, uint64(block.number - 1));
        bytes[] memory s2 = _sigs(escrow, u2, 2);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.RootPending.selector, 1, escrow.pendingValidAt()));
        escrow.proposeRoot(u2, s2);
    }

    function test_proposeRoot_acceptsExpiredPendingFirst() public {
        _pay(1000);
        vm.roll(100_000);
        RewardEscrow.RootUpdate memory u = _update(1, keccak256("r"), 900, 1, 50_000);
        escrow.proposeRoot(u, _sigs(escrow, u, 2));
        vm.warp(block.timestamp + WINDOW);
        RewardEscrow.RootUpdate memory u2 = _update(2, keccak256("r2"), 950, 50_001, 60_000);
        bytes[] memory s2 = _sigs(escrow, u2, 2);
        vm.expectEmit(true, true, true, true, address(escrow));
        emit RootAccepted(1, keccak256("r"), 900, 50_000);
        escrow.proposeRoot(u2, s2);
        assertEq(escrow.currentRoot(), keccak256("r"));
        assertEq(escrow.pendingRoot(), keccak256("r2"));
        assertEq(uint8(escrow.pendingStatus()), uint8(RewardEscrow.PendingStatus.Pending));
    }

    function test_proposeRoot_revertsOnNonIncreasingEpoch() public {
        (bytes32[] memory pa,) = _fundAndRoot(5, 1000, 1, 1);
        pa; // epoch 5 is current
        vm.roll(block.number + 3);
        RewardEscrow.RootUpdate memory u = _next(5, keccak256("r"), 950);
        bytes[] memory s = _sigs(escrow, u, 2);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.EpochNotIncreasing.selector, 5, 5));
        escrow.proposeRoot(u, s);
        u = _next(4, keccak256("r"), 950);
        s = _sigs(escrow, u, 2);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.EpochNotIncreasing.selector, 4, 5));
        escrow.proposeRoot(u, s);
        u = _next(0, keccak256("r"), 950);
        s = _sigs(escrow, u, 2);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.EpochNotIncreasing.selector, 0, 5));
        escrow.proposeRoot(u, s);
    }

    function test_proposeRoot_revertsOnEmptyRoot() public {
        RewardEscrow.RootUpdate memory u = _update(1, bytes32(0), 0, 1, uint64(block.number - 1));
        bytes[] memory s = _sigs(escrow, u, 2);
        vm.expectRevert(RewardEscrow.EmptyRoot.selector);
        escrow.proposeRoot(u, s);
    }

    function test_proposeRoot_revertsAboveDistributable() public {
        _pay(1000); // 950 distributable
        RewardEscrow.RootUpdate memory u = _update(1, keccak256("r"), 951, 1, uint64(block.number - 1));
        bytes[] memory s = _sigs(escrow, u, 2);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.ExceedsDistributable.selector, 951, 950));
        escrow.proposeRoot(u, s);
    }

    function test_proposeRoot_revertsWhenCumulativeDecreases() public {
        _fundAndRoot(1, 1000, 500, 450); // totalCumulative 950
        vm.roll(block.number + 3);
        RewardEscrow.RootUpdate memory u = _next(2, keccak256("r"), 949);
        bytes[] memory s = _sigs(escrow, u, 2);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.CumulativeDecreased.selector, 949, 950));
        escrow.proposeRoot(u, s);
    }

    function test_proposeRoot_revertsOnNonContiguousBlocks() public {
        _fundAndRoot(1, 1000, 500, 450);
        uint64 expected = escrow.currentToBlock() + 1;
        vm.roll(block.number + 10);
        RewardEscrow.RootUpdate memory u =
            _update(2, keccak256("r"), 950, expected + 1, uint64(block.number - 1));
        bytes[] memory s = _sigs(escrow, u, 2);
        vm.expectRevert(
            abi.encodeWithSelector(RewardEscrow.NonContiguousBlocks.selector, expected + 1, expected)
        );
        escrow.proposeRoot(u, s);
        u = _update(2, keccak256("r"), 950, expected - 1, uint64(block.number - 1));
        s = _sigs(escrow, u, 2);
        vm.expectRevert(
            abi.encodeWithSelector(RewardEscrow.NonContiguousBlocks.selector, expected - 1, expected)
        );
        escrow.proposeRoot(u, s);
    }

    function test_proposeRoot_revertsOnBadBlockRange() public {
        // toBlock < fromBlock
        RewardEscrow.RootUpdate memory u = _update(1, keccak256("r"), 0, 10, 9);
        bytes[] memory s = _sigs(escrow, u, 2);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.InvalidBlockRange.selector, 10, 9));
        escrow.proposeRoot(u, s);
        // toBlock not yet final: == block.number
        u = _update(1, keccak256("r"), 0, 10, uint64(block.number));
        s = _sigs(escrow, u, 2);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.InvalidBlockRange.selector, 10, block.number));
        escrow.proposeRoot(u, s);
        // single-block epoch is fine
        u = _update(1, keccak256("r"), 0, uint64(block.number - 1), uint64(block.number - 1));
        escrow.proposeRoot(u, _sigs(escrow, u, 2));
    }

    function test_vetoRoot_byGuardian() public {
        _pay(1000);
        RewardEscrow.RootUpdate memory u = _update(1, keccak256("bad"), 950, 1, uint64(block.number - 1));
        bytes[] memory s = _sigs(escrow, u, 2);
        escrow.proposeRoot(u, s);
        vm.expectEmit(true, true, true, true, address(escrow));
        emit RootVetoed(1, keccak256("bad"), guardian);
        vm.prank(guardian);
        escrow.vetoRoot(1);
        assertEq(uint8(escrow.pendingStatus()), uint8(RewardEscrow.PendingStatus.Vetoed));
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(RewardEscrow.NoPendingRoot.selector);
        escrow.acceptRoot();
        // the vetoed signed update can not be replayed
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.EpochNotIncreasing.selector, 1, 1));
        escrow.proposeRoot(u, s);
        // a corrected root for the same block range under a new epoch is fine
        RewardEscrow.RootUpdate memory u2 = _update(2, keccak256("good"), 950, 1, uint64(block.number - 1));
        escrow.proposeRoot(u2, _sigs(escrow, u2, 2));
        assertEq(escrow.currentRoot(), bytes32(0));
    }

    function test_vetoRoot_reverts() public {
        vm.prank(guardian);
        vm.expectRevert(RewardEscrow.NoPendingRoot.selector);
        escrow.vetoRoot(1);

        _pay(1000);
        RewardEscrow.RootUpdate memory u = _update(1, keccak256("r"), 950, 1, uint64(block.number - 1));
        escrow.proposeRoot(u, _sigs(escrow, u, 2));

        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.NotGuardian.selector, owner));
        escrow.vetoRoot(1);

        vm.prank(guardian);
        vm.expectRevert(RewardEscrow.NoPendingRoot.selector);
        escrow.vetoRoot(2);

        uint64 validAt = escrow.pendingValidAt();
        vm.warp(validAt);
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.DisputeWindowClosed.selector, validAt));
        escrow.vetoRoot(1);

        escrow.acceptRoot();
        vm.prank(guardian);
        vm.expectRevert(RewardEscrow.NoPendingRoot.selector);
        escrow.vetoRoot(1);
    }

    /* claims */

    function test_claim_paysAccountAndEmits() public {
        (bytes32[] memory pa,) = _fundAndRoot(1, 1000, 600, 350);
        vm.expectEmit(true, true, true, true, address(escrow));
        emit Claimed(alice, address(token), 600, 600);
        vm.prank(relayer); // anyone submits; funds go to alice
        assertEq(escrow.claim(alice, address(token), 600, pa), 600);
        assertEq(token.balanceOf(alice), 600);
        assertEq(token.balanceOf(relayer), 0);
        assertEq(escrow.claimed(alice), 600);
        assertEq(escrow.totalClaimed(), 600);
        assertEq(token.balanceOf(address(escrow)), escrow.liabilities());
    }

    function test_claim_cumulativeAcrossRoots() public {
        (bytes32[] memory pa,) = _fundAndRoot(1, 1000, 600, 350);
        escrow.claim(alice, address(token), 600, pa);
        (pa,) = _fundAndRoot(2, 1000, 1000, 900);
        vm.expectEmit(true, true, true, true, address(escrow));
        emit Claimed(alice, address(token), 400, 1000);
        assertEq(escrow.claim(alice, address(token), 1000, pa), 400);
        assertEq(token.balanceOf(alice), 1000);
        assertEq(escrow.claimed(alice), 1000);
    }

    function test_claim_revertsWhenNothingToClaim() public {
        (bytes32[] memory pa,) = _fundAndRoot(1, 1000, 600, 350);
        escrow.claim(alice, address(token), 600, pa);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.NothingToClaim.selector, alice));
        escrow.claim(alice, address(token), 600, pa);
        // a later root that (wrongly) lowers alice's leaf pays nothing instead of underflowing
        (pa,) = _fundAndRoot(2, 0, 500, 450);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.NothingToClaim.selector, alice));
        escrow.claim(alice, address(token), 500, pa);
        // zero leaf
        bytes32[] memory pb;
        (, pb) = _fundAndRoot(3, 0, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.NothingToClaim.selector, bob));
        escrow.claim(bob, address(token), 0, pb);
    }

    function test_claim_revertsOnWrongToken() public {
        (bytes32[] memory pa,) = _fundAndRoot(1, 1000, 600, 350);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.InvalidToken.selector, alice));
        escrow.claim(alice, alice, 600, pa);
    }

    function test_claim_revertsWithoutRoot() public {
        bytes32[] memory p = new bytes32[](0);
        vm.expectRevert(RewardEscrow.NoRoot.selector);
        escrow.claim(alice, address(token), 0, p);
    }

    function test_claim_revertsOnInvalidProof() public {
        (bytes32[] memory pa, bytes32[] memory pb) = _fundAndRoot(1, 1000, 600, 350);
        vm.expectRevert(RewardEscrow.InvalidProof.selector);
        escrow.claim(alice, address(token), 601, pa); // wrong amount
        vm.expectRevert(RewardEscrow.InvalidProof.selector);
        escrow.claim(bob, address(token), 600, pa); // wrong account
        vm.expectRevert(RewardEscrow.InvalidProof.selector);
        escrow.claim(alice, address(token), 600, pb); // wrong proof
        vm.expectRevert(RewardEscrow.InvalidProof.selector);
        escrow.claim(alice, address(token), 600, new bytes32[](0)); // no proof
    }

    function test_claim_usesCurrentRootNotPending() public {
        (bytes32[] memory pa,) = _fundAndRoot(1, 1000, 600, 350);
        (bytes32 root2, bytes32[] memory pa2,) = _tree(900, 50);
        vm.roll(block.number + 3);
        RewardEscrow.RootUpdate memory u = _next(2, root2, 950);
        escrow.proposeRoot(u, _sigs(escrow, u, 2));
        vm.expectRevert(RewardEscrow.InvalidProof.selector);
        escrow.claim(alice, address(token), 900, pa2);
        escrow.claim(alice, address(token), 600, pa);
        vm.warp(block.timestamp + WINDOW);
        escrow.acceptRoot();
        assertEq(escrow.claim(alice, address(token), 900, pa2), 300);
    }

    function test_claim_cannotExceedRootTotal() public {
        // leaves add up to 1200 while the root declares 950: the overflow is not payable
        _pay(2000); // 1900 distributable, 100 fees
        (bytes32 root, bytes32[] memory pa, bytes32[] memory pb) = _tree(700, 500);
        vm.roll(block.number + 3);
        _proposeAndAccept(_update(1, root, 950, 1, uint64(block.number - 1)));
        escrow.claim(alice, address(token), 700, pa);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.ExceedsRootTotal.selector, 1200, 950));
        escrow.claim(bob, address(token), 500, pb);
    }

    function test_claimMany_paysAndSkipsClaimed() public {
        (bytes32[] memory pa, bytes32[] memory pb) = _fundAndRoot(1, 1000, 600, 350);
        escrow.claim(alice, address(token), 600, pa); // front-run one of them
        RewardEscrow.Claim[] memory c = new RewardEscrow.Claim[](2);
        c[0] = RewardEscrow.Claim(alice, address(token), 600, pa);
        c[1] = RewardEscrow.Claim(bob, address(token), 350, pb);
        vm.expectEmit(true, true, true, true, address(escrow));
        emit Claimed(bob, address(token), 350, 350);
        assertEq(escrow.claimMany(c), 350);
        assertEq(token.balanceOf(bob), 350);
        assertEq(token.balanceOf(alice), 600);
        assertEq(escrow.claimMany(new RewardEscrow.Claim[](0)), 0);
    }

    function test_claimMany_revertsOnInvalidClaim() public {
        (bytes32[] memory pa, bytes32[] memory pb) = _fundAndRoot(1, 1000, 600, 350);
        RewardEscrow.Claim[] memory c = new RewardEscrow.Claim[](2);
        c[0] = RewardEscrow.Claim(alice, address(token), 600, pa);
        c[1] = RewardEscrow.Claim(bob, address(token), 351, pb);
        vm.expectRevert(RewardEscrow.InvalidProof.selector);
        escrow.claimMany(c);
        c[1] = RewardEscrow.Claim(bob, alice, 350, pb);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.InvalidToken.selector, alice));
        escrow.claimMany(c);
    }

    function test_claimMany_revertsOnTooLargeBatch() public {
        RewardEscrow.Claim[] memory c = new RewardEscrow.Claim[](65);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.BatchTooLarge.selector, 65));
        escrow.claimMany(c);
    }

    /* governance: signers */

    function _newSet() internal returns (address[] memory addrs, uint256[] memory keys) {
        return _sortedSigners(4, "new");
    }

    function test_signerUpdate_proposeExecute() public {
        (address[] memory next,) = _newSet();
        uint64 at = uint64(block.timestamp + 2 days);
        vm.expectEmit(true, true, true, true, address(escrow));
        emit SignerUpdateProposed(next, 3, at);
        vm.prank(owner);
        escrow.proposeSignerUpdate(next, 3);
        (address[] memory ps, uint8 pt, uint64 pat) = escrow.pendingSignerUpdate();
        assertEq(ps, next);
        assertEq(pt, 3);
        assertEq(pat, at);

        vm.warp(at - 1);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.UpdateNotReady.selector, at));
        escrow.executeSignerUpdate();

        vm.warp(at);
        vm.expectEmit(true, true, true, true, address(escrow));
        emit SignerSetUpdated(2, next, 3);
        vm.prank(relayer); // anyone executes
        escrow.executeSignerUpdate();
        assertEq(escrow.signers(), next);
        assertEq(escrow.threshold(), 3);
        assertEq(escrow.signerGeneration(), 2);
        for (uint256 i; i < 3; ++i) {
            assertFalse(escrow.isSigner(signerAddrs[i]));
        }
        for (uint256 i; i < 4; ++i) {
            assertTrue(escrow.isSigner(next[i]));
        }
        (,, pat) = escrow.pendingSignerUpdate();
        assertEq(pat, 0);
        vm.expectRevert(RewardEscrow.NoPendingUpdate.selector);
        escrow.executeSignerUpdate();
    }

    function test_signerUpdate_keepsOverlappingSigner() public {
        address[] memory next = new address[](2);
        next[0] = signerAddrs[0];
        next[1] = signerAddrs[2];
        vm.prank(owner);
        escrow.proposeSignerUpdate(next, 1);
        vm.warp(block.timestamp + 2 days);
        escrow.executeSignerUpdate();
        assertTrue(escrow.isSigner(signerAddrs[0]));
        assertFalse(escrow.isSigner(signerAddrs[1]));
        assertTrue(escrow.isSigner(signerAddrs[2]));
        assertEq(escrow.signers().length, 2);
    }

    function test_signerUpdate_reproposeRestartsDelay() public {
        (address[] memory next,) = _newSet();
        vm.prank(owner);
        escrow.proposeSignerUpdate(next, 3);
        vm.warp(block.timestamp + 1 days);
        vm.prank(owner);
        escrow.proposeSignerUpdate(signerAddrs, 1);
        vm.warp(block.timestamp + 1 days);
        vm.expectRevert(
            abi.encodeWithSelector(RewardEscrow.UpdateNotReady.selector, block.timestamp + 1 days)
        );
        escrow.executeSignerUpdate();
        vm.warp(block.timestamp + 1 days);
        escrow.executeSignerUpdate();
        assertEq(escrow.threshold(), 1);
        assertEq(escrow.signers(), signerAddrs);
    }

    function test_signerUpdate_cancel() public {
        vm.prank(owner);
        vm.expectRevert(RewardEscrow.NoPendingUpdate.selector);
        escrow.cancelSignerUpdate();
        (address[] memory next,) = _newSet();
        vm.prank(owner);
        escrow.proposeSignerUpdate(next, 3);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        escrow.cancelSignerUpdate();
        vm.expectEmit(true, true, true, true, address(escrow));
        emit SignerUpdateCancelled();
        vm.prank(owner);
        escrow.cancelSignerUpdate();
        vm.warp(block.timestamp + 2 days);
        vm.expectRevert(RewardEscrow.NoPendingUpdate.selector);
        escrow.executeSignerUpdate();
        assertEq(escrow.signers(), signerAddrs);
    }

    function test_signerUpdate_proposeReverts() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        escrow.proposeSignerUpdate(signerAddrs, 1);

        vm.startPrank(owner);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.InvalidSignerCount.selector, 0));
        escrow.proposeSignerUpdate(new address[](0), 1);
        (address[] memory many,) = _sortedSigners(17, "many");
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.InvalidSignerCount.selector, 17));
        escrow.proposeSignerUpdate(many, 1);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.InvalidThreshold.selector, 0, 3));
        escrow.proposeSignerUpdate(signerAddrs, 0);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.InvalidThreshold.selector, 4, 3));
        escrow.proposeSignerUpdate(signerAddrs, 4);
        address[] memory bad = new address[](2);
        bad[0] = signerAddrs[2];
        bad[1] = signerAddrs[1];
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.SignersNotSorted.selector, 1));
        escrow.proposeSignerUpdate(bad, 1);
        bad[0] = address(0);
        vm.expectRevert(RewardEscrow.ZeroAddress.selector);
        escrow.proposeSignerUpdate(bad, 1);
        // 16 signers is the bound and is fine
        (address[] memory sixteen,) = _sortedSigners(16, "sixteen");
        escrow.proposeSignerUpdate(sixteen, 16);
        vm.stopPrank();
    }

    function test_signerUpdate_pendingRootSurvivesSetChange() public {
        _pay(1000);
        // governance change first, so that it can execute while the root is pending
        (address[] memory next,) = _newSet();
        vm.prank(owner);
        escrow.proposeSignerUpdate(next, 3);
        vm.warp(block.timestamp + 2 days - 1 hours);
        RewardEscrow.RootUpdate memory u = _update(1, keccak256("r"), 950, 1, uint64(block.number - 1));
        escrow.proposeRoot(u, _sigs(escrow, u, 2)); // signed by the old set
        vm.warp(block.timestamp + 1 hours);
        escrow.executeSignerUpdate();
        vm.warp(block.timestamp + WINDOW);
        escrow.acceptRoot();
        assertEq(escrow.currentRoot(), keccak256("r"));
    }

    /* governance: params */

    function test_paramsUpdate_proposeExecute() public {
        uint64 at = uint64(block.timestamp + 2 days);
        vm.expectEmit(true, true, true, true, address(escrow));
        emit ParamsUpdateProposed(1000, 3 days, at);
        vm.prank(owner);
        escrow.proposeParamsUpdate(1000, 3 days);
        (uint16 f, uint32 w, uint64 pat) = escrow.pendingParamsUpdate();
        assertEq(f, 1000);
        assertEq(w, 3 days);
        assertEq(pat, at);
        _pay(1000); // still the old fee
        assertEq(escrow.protocolFeesAccrued(), 50);

        vm.warp(at - 1);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.UpdateNotReady.selector, at));
        escrow.executeParamsUpdate();
        vm.warp(at);
        vm.expectEmit(true, true, true, true, address(escrow));
        emit ParamsUpdated(1000, 3 days);
        vm.prank(relayer);
        escrow.executeParamsUpdate();
        assertEq(escrow.protocolFeeBps(), 1000);
        assertEq(escrow.disputeWindow(), 3 days);
        _pay(1000);
        assertEq(escrow.protocolFeesAccrued(), 150);
        RewardEscrow.RootUpdate memory u = _update(1, keccak256("r"), 100, 1, uint64(block.number - 1));
        escrow.proposeRoot(u, _sigs(escrow, u, 2));
        assertEq(escrow.pendingValidAt(), block.timestamp + 3 days);
        vm.expectRevert(RewardEscrow.NoPendingUpdate.selector);
        escrow.executeParamsUpdate();
    }

    function test_paramsUpdate_revertsAndCancel() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        escrow.proposeParamsUpdate(0, 0);
        vm.startPrank(owner);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.FeeTooHigh.selector, 2001));
        escrow.proposeParamsUpdate(2001, 0);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.DisputeWindowTooLong.selector, 30 days + 1));
        escrow.proposeParamsUpdate(0, 30 days + 1);
        vm.expectRevert(RewardEscrow.NoPendingUpdate.selector);
        escrow.cancelParamsUpdate();
        escrow.proposeParamsUpdate(0, 0);
        vm.stopPrank();
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        escrow.cancelParamsUpdate();
        vm.expectEmit(true, true, true, true, address(escrow));
        emit ParamsUpdateCancelled();
        vm.prank(owner);
        escrow.cancelParamsUpdate();
        vm.warp(block.timestamp + 2 days);
        vm.expectRevert(RewardEscrow.NoPendingUpdate.selector);
        escrow.executeParamsUpdate();
        assertEq(escrow.protocolFeeBps(), FEE_BPS);
    }

    /* roles */

    function test_setTreasury() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        escrow.setTreasury(alice);
        vm.prank(owner);
        vm.expectRevert(RewardEscrow.ZeroAddress.selector);
        escrow.setTreasury(address(0));
        vm.expectEmit(true, true, true, true, address(escrow));
        emit TreasuryUpdated(treasury, alice);
        vm.prank(owner);
        escrow.setTreasury(alice);
        assertEq(escrow.treasury(), alice);
    }

    function test_setGuardian() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        escrow.setGuardian(alice);
        vm.prank(owner);
        vm.expectRevert(RewardEscrow.ZeroAddress.selector);
        escrow.setGuardian(address(0));
        vm.expectEmit(true, true, true, true, address(escrow));
        emit GuardianUpdated(guardian, alice);
        vm.prank(owner);
        escrow.setGuardian(alice);
        assertEq(escrow.guardian(), alice);
        // the old guardian lost its power
        _pay(1000);
        RewardEscrow.RootUpdate memory u = _update(1, keccak256("r"), 950, 1, uint64(block.number - 1));
        escrow.proposeRoot(u, _sigs(escrow, u, 2));
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(RewardEscrow.NotGuardian.selector, guardian));
        escrow.vetoRoot(1);
        vm.prank(alice);
        escrow.vetoRoot(1);
    }

    function test_ownership_twoStepAndNoRenounce() public {
        vm.prank(owner);
        vm.expectRevert(RewardEscrow.RenounceDisabled.selector);
        escrow.renounceOwnership();
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        escrow.renounceOwnership();
        vm.prank(owner);
        escrow.transferOwnership(alice);
        assertEq(escrow.owner(), owner);
        assertEq(escrow.pendingOwner(), alice);
        vm.prank(alice);
        escrow.acceptOwnership();
        assertEq(escrow.owner(), alice);
    }

    /* sweep */

    function test_sweep_otherTokenAndSurplusOnly() public {
        MockERC20 other = new MockERC20();
        other.mint(address(escrow), 77);
        vm.expectEmit(true, true, true, true, address(escrow));
        emit Swept(address(other), alice, 77);
        vm.prank(owner);
        assertEq(escrow.sweep(other, alice), 77);
        assertEq(other.balanceOf(alice), 77);

        (bytes32[] memory pa,) = _fundAndRoot(1, 1000, 600, 350);
        vm.prank(owner);
        vm.expectRevert(RewardEscrow.NothingToWithdraw.selector);
        escrow.sweep(IERC20(address(token)), alice);

        token.mint(address(escrow), 10); // a direct transfer
        vm.prank(owner);
        assertEq(escrow.sweep(IERC20(address(token)), bob), 10);
        assertEq(token.balanceOf(address(escrow)), escrow.liabilities());
        escrow.claim(alice, address(token), 600, pa);
        escrow.withdrawProtocolFees();
    }

    function test_sweep_reverts() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        escrow.sweep(IERC20(address(token)), alice);
        vm.prank(owner);
        vm.expectRevert(RewardEscrow.ZeroAddress.selector);
        escrow.sweep(IERC20(address(token)), address(0));
        MockERC20 empty = new MockERC20();
        vm.prank(owner);
        vm.expectRevert(RewardEscrow.NothingToWithdraw.selector);
        escrow.sweep(IERC20(address(empty)), alice);
    }

    /* views */

    function test_hashRootUpdate_matchesEip712() public view {
        RewardEscrow.RootUpdate memory u = _update(3, keccak256("r"), 42, 10, 20);
        bytes32 typeHash = keccak256(
            "RootUpdate(uint64 epoch,bytes32 root,uint256 totalCumulative,bytes32 reportHash,uint64 fromBlock,uint64 toBlock)"
        );
        assertEq(escrow.ROOT_UPDATE_TYPEHASH(), typeHash);
        bytes32 domain = keccak256(
            abi.encode(
                keccak256(
                    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                ),
                keccak256("OpenLedger RewardEscrow"),
                keccak256("1"),
                block.chainid,
                address(escrow)
            )
        );
        assertEq(escrow.domainSeparator(), domain);
        bytes32 structHash = keccak256(
            abi.encode(typeHash, u.epoch, u.root, u.totalCumulative, u.reportHash, u.fromBlock, u.toBlock)
        );
        assertEq(escrow.hashRootUpdate(u), keccak256(abi.encodePacked("\x19\x01", domain, structHash)));
    }
}
