// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {console} from "forge-std/console.sol";

import {RewardEscrow} from "../../src/RewardEscrow.sol";
import {EscrowBase} from "./EscrowBase.sol";
import {MerkleHelper} from "./MerkleHelper.sol";

/// @dev Measures the gas a call spends inside the callee's frame ("execution gas": what a transaction to `target`
/// with `data` spends beyond its 21,000 intrinsic gas and calldata cost), the same way with and without forge's
/// isolation mode (`--isolate`, implied by `--gas-report`): the measured call is an inner call of this contract, so
/// it is never turned into a transaction of its own, and its cost is a `gas()` delta minus the cost of the same
/// call to an account without code (the call overhead: a warm CALL and a few stack operations).
contract GasMeter {
    /// @dev An address with no code: calling it runs nothing.
    address internal constant PROBE = address(0x9a5e11b0);

    /// @notice Calls `target` with `data` (bubbling up a revert) and returns the gas used by the callee's frame.
    /// @dev `target` is warmed first, as a transaction's `to` is; its storage stays as cold as the caller left it.
    function measure(address target, bytes calldata data) external returns (uint256) {
        bytes memory d = data;
        uint256 overhead = _callGas(PROBE, d);
        return _callGas(target, d) - overhead;
    }

    function _callGas(address target, bytes memory d) private returns (uint256 g) {
        assembly ("memory-safe") {
            // Warm the account (not its storage), as a transaction's `to` is. A call, not `extcodehash`: the
            // optimizer removes an unused `extcodehash`. Empty calldata: the escrow's dispatcher reverts at once.
            pop(staticcall(gas(), target, 0, 0, 0, 0))
            let g0 := gas()
            let ok := call(gas(), target, 0, add(d, 32), mload(d), 0, 0)
            g := sub(g0, gas())
            if iszero(ok) {
                returndatacopy(0, 0, returndatasize())
                revert(0, returndatasize())
            }
        }
    }
}

/// @dev Gas targets with a depth-17 proof (as in a 100,000-leaf tree): first claim <= 90k, repeat claim <= 58k,
/// proposeRoot with 2 of 3 signatures <= 120k, asserted on EXECUTION gas (gas used inside the escrow's frame,
/// measured by `GasMeter`, identical with and without `--isolate`), with the escrow and token storage cooled
/// first so every access is priced cold as in a fresh transaction. Each test also logs the WHOLE-TRANSACTION
/// figure: execution + 21,000 + calldata (16 per nonzero byte, 4 per zero byte), or the EIP-7623 floor
/// (21,000 + 10 per token, token = zero byte + 4 per nonzero byte) when that is higher. Gas refunds are not
/// subtracted (none of the measured calls clears a storage slot). Everything but the measured call runs with gas
/// metering paused, so `forge snapshot` records (almost) only the measured call.
///
/// Tree: alice's and bob's leaves are siblings at the bottom, with 16 pseudo-random hashes above them: each proof
/// has 17 nodes. Root 1 (bob 1000) is accepted and claimed by bob in setUp; root 2 (alice 1000, bob 2500) is
/// accepted: alice's claim is a first claim, bob's a repeat claim.
contract RewardEscrowGasTest is EscrowBase {
    uint256 internal constant DEPTH = 17;
    uint256 internal constant AMOUNT_A = 1000e18;
    uint256 internal constant AMOUNT_B1 = 1000e18;
    uint256 internal constant AMOUNT_B2 = 2500e18;

    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol"); // already holds the token before her first claim

    GasMeter internal meter;
    /// @dev Prepared in setUp (its own transaction), so that the test bodies touch no account before measuring:
    /// forge 1.7.1's `vm.cool` cools storage slots but leaves an account touched earlier in the same test warm.
    bytes internal proposeCalldata;
    bytes internal payCalldata;

    function setUp() public override {
        super.setUp();
        meter = new GasMeter();
        _pay(1_000_000e18);
        token.mint(carol, 1);
        bytes32[] memory upper = _upper();

        vm.roll(block.number + 10);
        bytes32 leafB1 = MerkleHelper.leaf(bob, address(token), AMOUNT_B1);
        bytes32 root1 = MerkleHelper.rootFromProof(leafB1, _withSibling(keccak256("x"), upper));
        _proposeAndAccept(_update(1, root1, 100_000e18, 1, uint64(block.number - 1)));
        escrow.claim(bob, address(token), AMOUNT_B1, _withSibling(keccak256("x"), upper));

        vm.roll(block.number + 10);
        _proposeAndAccept(
            _update(2, _root2(), 100_000e18, escrow.currentToBlock() + 1, uint64(block.number - 1))
        );
        vm.roll(block.number + 10);

        RewardEscrow.RootUpdate memory u3 =
            _update(3, keccak256("root3"), 200_000e18, escrow.currentToBlock() + 1, uint64(block.number - 1));
        proposeCalldata = abi.encodeCall(escrow.proposeRoot, (u3, _sigs(escrow, u3, 2)));

        // The meter pays inferences: it holds tokens and has approved the escrow.
        token.mint(address(meter), 10e18);
        vm.prank(address(meter));
        token.approve(address(escrow), type(uint256).max);
        payCalldata = abi.encodeCall(
            escrow.payInference,
            (
                MODEL,
                AGENT,
                10e18,
                keccak256("o2"),
                "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"
            )
        );
    }

    function _upper() internal pure returns (bytes32[] memory p) {
        p = new bytes32[](DEPTH - 1);
        for (uint256 i; i < DEPTH - 1; ++i) {
            p[i] = keccak256(abi.encode("sibling", i));
        }
    }

    function _withSibling(bytes32 sibling, bytes32[] memory upper)
        internal
        pure
        returns (bytes32[] memory p)
    {
        p = new bytes32[](upper.length + 1);
        p[0] = sibling;
        for (uint256 i; i < upper.length; ++i) {
            p[i + 1] = upper[i];
        }
    }

    function _leafA() internal view returns (bytes32) {
        return MerkleHelper.leaf(alice, address(token), AMOUNT_A);
    }

    function _leafB2() internal view returns (bytes32) {
        return MerkleHelper.leaf(bob, address(token), AMOUNT_B2);
    }

    function _root2() internal view returns (bytes32) {
        return MerkleHelper.rootFromProof(_leafA(), _withSibling(_leafB2(), _upper()));
    }

    /// @dev Calldata cost of `data` before EIP-7623 (16 per nonzero byte, 4 per zero byte), and its token count.
    function _calldataCost(bytes memory data) internal pure returns (uint256 cost, uint256 tokens) {
        for (uint256 i; i < data.length; ++i) {
            if (data[i] == 0) {
                cost += 4;
                tokens += 1;
            } else {
                cost += 16;
                tokens += 4;
            }
        }
    }

    /// @dev Whole-transaction gas for a call with execution gas `execution` and calldata `data` (EIP-7623 floor).
    function _txGas(uint256 execution, bytes memory data) internal pure returns (uint256) {
        (uint256 cost, uint256 tokens) = _calldataCost(data);
        uint256 standard = 21_000 + cost + execution;
        uint256 floor = 21_000 + 10 * tokens;
        return standard > floor ? standard : floor;
    }

    /// @dev Execution gas of `data` sent to `target` from the meter, metered; logs both bases.
    function _measure(string memory label, address target, bytes memory data)
        internal
        returns (uint256 used)
    {
        vm.resumeGasMetering();
        used = meter.measure(target, data);
        vm.pauseGasMetering();
        console.log(label);
        console.log("  execution gas:", used);
        console.log("  whole transaction (21,000 + calldata, EIP-7623 floor):", _txGas(used, data));
    }

    function _cool() internal {
        vm.cool(address(escrow));
        vm.cool(address(token));
    }

    function test_gas_claimFirst() public {
        vm.pauseGasMetering();
        bytes32[] memory proof = _withSibling(_leafB2(), _upper());
        assertEq(proof.length, DEPTH);
        _cool();
        uint256 used = _measure(
            "claim, first for the account (recipient had no tokens), depth 17",
            address(escrow),
            abi.encodeCall(escrow.claim, (alice, address(token), AMOUNT_A, proof))
        );
        assertEq(token.balanceOf(alice), AMOUNT_A);
        assertLe(used, 90_000);
    }

    function test_gas_claimRepeat() public {
        vm.pauseGasMetering();
        bytes32[] memory proof = _withSibling(_leafA(), _upper());
        _cool();
        uint256 used = _measure(
            "claim, repeat, depth 17",
            address(escrow),
            abi.encodeCall(escrow.claim, (bob, address(token), AMOUNT_B2, proof))
        );
        assertEq(token.balanceOf(bob), AMOUNT_B2);
        assertLe(used, 58_000);
    }

    function test_gas_proposeRoot2of3() public {
        vm.pauseGasMetering();
        uint256 used = _measure(
            "proposeRoot, 2 of 3 signatures (previous root accepted)", address(escrow), proposeCalldata
        );
        assertEq(escrow.pendingRoot(), keccak256("root3"));
        assertLe(used, 120_000);
    }

    /// @dev Not a target, for information: a first claim whose recipient already holds the token.
    function test_gas_claimFirstRecipientHoldsToken() public {
        vm.pauseGasMetering();
        bytes32[] memory upper = _upper();
        bytes32 leafC = MerkleHelper.leaf(carol, address(token), AMOUNT_A);
        bytes32 root = MerkleHelper.rootFromProof(leafC, _withSibling(bytes32(uint256(1)), upper));
        _proposeAndAccept(_update(3, root, 100_000e18, escrow.currentToBlock() + 1, uint64(block.number - 1)));
        bytes32[] memory proof = _withSibling(bytes32(uint256(1)), upper);
        _cool();
        uint256 used = _measure(
            "claim, first for the account (recipient already holds the token), depth 17",
            address(escrow),
            abi.encodeCall(escrow.claim, (carol, address(token), AMOUNT_A, proof))
        );
        assertEq(token.balanceOf(carol), AMOUNT_A + 1);
        assertLe(used, 90_000);
    }

    /// @dev Not a target, for information: the very first proposal writes fresh storage slots.
    function test_gas_proposeRootFirstEver() public {
        vm.pauseGasMetering();
        RewardEscrow fresh = _deploy(address(token), signerAddrs, 2);
        vm.prank(payer);
        token.approve(address(fresh), type(uint256).max);
        vm.prank(payer);
        fresh.payInference(MODEL, AGENT, 1e18, keccak256("o"), "u");
        RewardEscrow.RootUpdate memory u = _update(1, keccak256("r"), 1e17, 1, uint64(block.number - 1));
        bytes[] memory sigs = _sigs(fresh, u, 2);
        vm.cool(address(fresh));
        uint256 used = _measure(
            "proposeRoot, 2 of 3 signatures (first ever, fresh slots)",
            address(fresh),
            abi.encodeCall(fresh.proposeRoot, (u, sigs))
        );
        assertEq(fresh.pendingRoot(), keccak256("r"));
        assertLe(used, 120_000);
    }

    /// @dev Not a target, for information.
    function test_gas_payInference() public {
        vm.pauseGasMetering();
        _measure("payInference (agent, allowance, 66-byte uri)", address(escrow), payCalldata);
        assertEq(escrow.inferenceCount(), 2);
    }
}
