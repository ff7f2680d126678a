// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {console} from "forge-std/console.sol";

import {RewardEscrow} from "../../src/RewardEscrow.sol";
import {DevToken} from "../../src/dev/DevToken.sol";
import {EscrowBase} from "./EscrowBase.sol";
import {MerkleHelper} from "./MerkleHelper.sol";

/// @dev Drives the escrow like the real system: payments, oracle roots built from real trees over a few
/// accounts and signed by 2 of 3 keys (sometimes dishonest: leaves adding up to more than the declared total),
/// acceptance, guardian vetoes, claims, pauses and fee withdrawals.
contract EscrowHandler is CommonBase, StdCheats, StdUtils {
    uint256 internal constant N = 4;
    uint32 internal constant WINDOW = 1 days;

    RewardEscrow public escrow;
    DevToken public token;
    address public payer;
    address public owner;
    address public guardian;
    uint256[] internal keys;

    address[N] public accounts;
    uint256[N] internal pendingAlloc;
    uint256[N] public currentAlloc;
    uint64 internal pendingGhostEpoch;

    // ghosts
    uint256[N] public maxAcceptedAlloc; // highest leaf any accepted root ever gave each account
    uint256[N] public lastClaimed;
    uint256 public lastTotalClaimed;
    uint256 public lastRootTotal;
    bool public monotonicityBroken;
    uint256 public ghostPaidIn;
    uint256 public ghostFeesWithdrawn;
    uint256 public calls;
    uint256 public nClaims;
    uint256 public nCapped; // claims stopped by ExceedsRootTotal (dishonest trees)
    uint256 public nProposed;
    uint256 public nAccepted;
    uint256 public nVetoed;

    constructor(
        RewardEscrow escrow_,
        DevToken token_,
        address payer_,
        address owner_,
        address guardian_,
        uint256[] memory keys_
    ) {
        escrow = escrow_;
        token = token_;
        payer = payer_;
        owner = owner_;
        guardian = guardian_;
        keys = keys_;
        for (uint256 i; i < N; ++i) {
            accounts[i] = makeAddr(string.concat("acct", vm.toString(i)));
        }
    }

    modifier tick() {
        ++calls;
        _;
        _sync();
    }

    /// @dev Mirrors acceptance (by acceptRoot or by proposeRoot accepting first) and checks monotonicity.
    function _sync() internal {
        if (escrow.currentEpoch() == pendingGhostEpoch && pendingGhostEpoch != 0) {
            for (uint256 i; i < N; ++i) {
                currentAlloc[i] = pendingAlloc[i];
                if (pendingAlloc[i] > maxAcceptedAlloc[i]) maxAcceptedAlloc[i] = pendingAlloc[i];
            }
        }
        for (uint256 i; i < N; ++i) {
            uint256 c = escrow.claimed(accounts[i]);
            if (c < lastClaimed[i]) monotonicityBroken = true;
            lastClaimed[i] = c;
        }
        if (escrow.totalClaimed() < lastTotalClaimed) monotonicityBroken = true;
        lastTotalClaimed = escrow.totalClaimed();
        if (escrow.currentTotalCumulative() < lastRootTotal) monotonicityBroken = true;
        lastRootTotal = escrow.currentTotalCumulative();
    }

    function pay(uint256 amount, bool withAgent) external tick {
        if (escrow.paused()) return;
        amount = bound(amount, 1, 1e24);
        vm.prank(payer);
        escrow.payInference(1, withAgent ? 7 : 0, amount, keccak256(abi.encode(amount)), "u");
        ghostPaidIn += amount;
    }

    function propose(uint256 seed, bool dishonest, uint8 signerPair) external tick {
        if (
            escrow.pendingStatus() == RewardEscrow.PendingStatus.Pending
                && block.timestamp < escrow.pendingValidAt()
        ) {
            return;
        }
        // if a root is still pending (its window passed), proposeRoot accepts it first
        bool acceptsFirst = escrow.pendingStatus() == RewardEscrow.PendingStatus.Pending;
        (uint256[N] memory alloc, uint256 total) = _allocations(seed, dishonest, acceptsFirst);

        bytes32[] memory leaves = new bytes32[](N);
        for (uint256 i; i < N; ++i) {
            leaves[i] = MerkleHelper.leaf(accounts[i], address(token), alloc[i]);
        }
        vm.roll(block.number + 1 + seed % 50);
        uint64 from = escrow.currentEpoch() == 0 ? 1 : escrow.currentToBlock() + 1;
        if (acceptsFirst) from = escrow.pendingToBlock() + 1;
        RewardEscrow.RootUpdate memory u = RewardEscrow.RootUpdate(
            escrow.pendingEpoch() + 1,
            MerkleHelper.root(leaves),
            total,
            keccak256(abi.encode(seed)),
            from,
            uint64(block.number - 1)
        );
        bytes[] memory sigs = _sign2(u, signerPair);

        uint64 previousPending = pendingGhostEpoch;
        escrow.proposeRoot(u, sigs);
        ++nProposed;
        // proposeRoot may have accepted the previous pending root: mirror it before switching the ghost
        if (escrow.currentEpoch() == previousPending && previousPending != 0) _sync();
        pendingGhostEpoch = u.epoch;
        for (uint256 i; i < N; ++i) {
            pendingAlloc[i] = alloc[i];
        }
    }

    /// @dev The allocations of the root about to become current plus a share of what is not allocated yet.
    /// Dishonest: one leaf is inflated so the leaves add up to more than the declared total.
    function _allocations(uint256 seed, bool dishonest, bool acceptsFirst)
        internal
        view
        returns (uint256[N] memory alloc, uint256 total)
    {
        uint256[N] memory prev = acceptsFirst ? pendingAlloc : currentAlloc;
        uint256 base;
        for (uint256 i; i < N; ++i) {
            base += prev[i];
        }
        uint256 distributable = escrow.totalDistributable();
        uint256 room = distributable > base ? distributable - base : 0;
        total = base;
        for (uint256 i; i < N; ++i) {
            uint256 add = room == 0 ? 0 : uint256(keccak256(abi.encode(seed, i))) % (room / N + 1);
            alloc[i] = prev[i] + add;
            total += add;
        }
        if (dishonest) alloc[seed % N] += 1 + seed % 1e24;
        if (total > distributable) total = distributable;
        uint256 floor = acceptsFirst ? escrow.pendingTotalCumulative() : escrow.currentTotalCumulative();
        if (total < floor) total = floor;
    }

    function _sign2(RewardEscrow.RootUpdate memory u, uint8 signerPair)
        internal
        view
        returns (bytes[] memory sigs)
    {
        (uint256 i0, uint256 i1) = signerPair % 3 == 0 ? (0, 1) : signerPair % 3 == 1 ? (0, 2) : (1, 2);
        sigs = new bytes[](2);
        bytes32 digest = escrow.hashRootUpdate(u);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[i0], digest);
        sigs[0] = abi.encodePacked(r, s, v);
        (v, r, s) = vm.sign(keys[i1], digest);
        sigs[1] = abi.encodePacked(r, s, v);
    }

    function accept(uint256 wait) external tick {
        if (escrow.pendingStatus() != RewardEscrow.PendingStatus.Pending) return;
        vm.warp(block.timestamp + bound(wait, 0, 2 * WINDOW));
        if (block.timestamp < escrow.pendingValidAt()) return;
        escrow.acceptRoot();
        ++nAccepted;
    }

    function veto() external tick {
        if (escrow.pendingStatus() != RewardEscrow.PendingStatus.Pending) return;
        if (block.timestamp >= escrow.pendingValidAt()) return;
        uint64 epoch = escrow.pendingEpoch();
        vm.prank(guardian);
        escrow.vetoRoot(epoch);
        ++nVetoed;
    }

    function claim(uint256 idx, address submitter) external tick {
        if (escrow.currentEpoch() == 0) return;
        idx = idx % N;
        bytes32[] memory leaves = new bytes32[](N);
        for (uint256 i; i < N; ++i) {
            leaves[i] = MerkleHelper.leaf(accounts[i], address(token), currentAlloc[i]);
        }
        vm.prank(submitter);
        try escrow.claim(accounts[idx], address(token), currentAlloc[idx], MerkleHelper.proof(leaves, idx)) {
            ++nClaims;
        } catch (bytes memory err) {
            bytes4 sel = bytes4(err);
            if (sel == RewardEscrow.ExceedsRootTotal.selector) ++nCapped;
            // the only acceptable failures: nothing left, or a dishonest tree hitting the root total
            require(
                sel == RewardEscrow.NothingToClaim.selector || sel == RewardEscrow.ExceedsRootTotal.selector,
                "unexpected claim failure"
            );
        }
    }

    function togglePause() external tick {
        vm.startPrank(owner);
        if (escrow.paused()) escrow.unpause();
        else escrow.pause();
        vm.stopPrank();
    }

    function withdrawFees() external tick {
        uint256 fees = escrow.protocolFeesAccrued();
        if (fees == 0) return;
        escrow.withdrawProtocolFees();
        ghostFeesWithdrawn += fees;
    }
}

contract RewardEscrowInvariantTest is EscrowBase {
    EscrowHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new EscrowHandler(escrow, token, payer, owner, guardian, signerKeys);
        targetContract(address(handler));
    }

    /// @dev The escrow always holds what is still claimable plus the unwithdrawn fees (exactly, with a plain
    /// token and no direct transfers).
    function invariant_solvency() public view {
        uint256 owed =
            uint256(escrow.totalDistributable()) - escrow.totalClaimed() + escrow.protocolFeesAccrued();
        assertGe(token.balanceOf(address(escrow)), owed);
        assertEq(token.balanceOf(address(escrow)), owed);
        assertEq(escrow.liabilities(), owed);
    }

    /// @dev Money in equals money held plus money out.
    function invariant_conservation() public view {
        assertEq(
            handler.ghostPaidIn(),
            token.balanceOf(address(escrow)) + escrow.totalClaimed() + handler.ghostFeesWithdrawn()
        );
    }

    /// @dev No account is paid past the highest cumulative amount an accepted root gave it, and accounts only
    /// receive tokens through claims.
    function invariant_noOverpayment() public view {
        uint256 sum;
        for (uint256 i; i < 4; ++i) {
            address a = handler.accounts(i);
            assertLe(escrow.claimed(a), handler.maxAcceptedAlloc(i));
            assertEq(token.balanceOf(a), escrow.claimed(a));
            sum += escrow.claimed(a);
        }
        assertEq(sum, escrow.totalClaimed());
    }

    /// @dev Claimed amounts, total claimed and the current root total never decrease.
    function invariant_monotonic() public view {
        assertFalse(handler.monotonicityBroken());
    }

    /// @dev A root can never allocate more than was taken in, and claims never exceed the current root total.
    function invariant_rootWithinPot() public view {
        assertLe(escrow.currentTotalCumulative(), escrow.totalDistributable());
        assertLe(escrow.pendingTotalCumulative(), escrow.totalDistributable());
        assertLe(escrow.totalClaimed(), escrow.currentTotalCumulative());
    }

    /// @dev Not a property: logs what the handler exercised (run with -vv).
    function invariant_callSummary() public view {
        console.log("calls", handler.calls(), "proposed", handler.nProposed());
        console.log("accepted (explicitly)", handler.nAccepted(), "vetoed", handler.nVetoed());
        console.log("claims paid", handler.nClaims(), "capped by root total", handler.nCapped());
    }
}
