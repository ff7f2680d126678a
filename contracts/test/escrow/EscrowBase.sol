// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {RewardEscrow} from "../../src/RewardEscrow.sol";
import {DevToken} from "../../src/dev/DevToken.sol";
import {IAgentRegistry} from "../../src/interfaces/IAgentRegistry.sol";
import {IModelRegistry} from "../../src/interfaces/IModelRegistry.sol";
import {MockAgentRegistry, MockModelRegistry} from "./EscrowMocks.sol";
import {MerkleHelper} from "./MerkleHelper.sol";

/// @dev Shared fixture: a DevToken escrow with a 2-of-3 signer set, 5% protocol fee, 1 day dispute window.
abstract contract EscrowBase is Test {
    uint16 internal constant FEE_BPS = 500;
    uint32 internal constant WINDOW = 1 days;
    uint256 internal constant MODEL = 1;
    uint256 internal constant AGENT = 7;

    DevToken internal token;
    MockModelRegistry internal models;
    MockAgentRegistry internal agents;
    RewardEscrow internal escrow;

    address internal owner = makeAddr("owner");
    address internal guardian = makeAddr("guardian");
    address internal treasury = makeAddr("treasury");
    address internal payer = makeAddr("payer");

    /// @dev Signer keys and addresses, sorted by address.
    uint256[] internal signerKeys;
    address[] internal signerAddrs;

    function setUp() public virtual {
        vm.roll(1000);
        vm.warp(1_700_000_000);
        token = new DevToken();
        models = new MockModelRegistry();
        agents = new MockAgentRegistry();
        models.setTerms(MODEL, true, 6000, 3000, 1000);
        agents.setModel(AGENT, MODEL);

        (signerAddrs, signerKeys) = _sortedSigners(3, "signer");
        escrow = _deploy(address(token), signerAddrs, 2);

        token.mint(payer, 1e30);
        vm.prank(payer);
        token.approve(address(escrow), type(uint256).max);
    }

    function _deploy(address token_, address[] memory signers_, uint8 threshold_)
        internal
        returns (RewardEscrow)
    {
        return new RewardEscrow(
            IERC20(token_),
            IModelRegistry(address(models)),
            IAgentRegistry(address(agents)),
            owner,
            guardian,
            treasury,
            FEE_BPS,
            WINDOW,
            signers_,
            threshold_
        );
    }

    function _sortedSigners(uint256 n, string memory label)
        internal
        returns (address[] memory addrs, uint256[] memory keys)
    {
        addrs = new address[](n);
        keys = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            (addrs[i], keys[i]) = makeAddrAndKey(string.concat(label, vm.toString(i)));
        }
        // insertion sort by address
        for (uint256 i = 1; i < n; ++i) {
            for (uint256 j = i; j > 0 && addrs[j] < addrs[j - 1]; --j) {
                (addrs[j], addrs[j - 1]) = (addrs[j - 1], addrs[j]);
                (keys[j], keys[j - 1]) = (keys[j - 1], keys[j]);
            }
        }
    }

    function _pay(uint256 amount) internal returns (uint256 id) {
        vm.prank(payer);
        id = escrow.payInference(MODEL, AGENT, amount, keccak256("out"), "ipfs://out");
    }

    function _update(uint64 epoch, bytes32 root, uint256 total, uint64 fromBlock, uint64 toBlock)
        internal
        pure
        returns (RewardEscrow.RootUpdate memory)
    {
        return RewardEscrow.RootUpdate(
            epoch, root, total, keccak256(abi.encode("report", epoch)), fromBlock, toBlock
        );
    }

    function _sign(RewardEscrow e, RewardEscrow.RootUpdate memory u, uint256 key)
        internal
        view
        returns (bytes memory)
    {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, e.hashRootUpdate(u));
        return abi.encodePacked(r, s, v);
    }

    /// @dev Signatures of the first `m` (address-sorted) signers.
    function _sigs(RewardEscrow e, RewardEscrow.RootUpdate memory u, uint256 m)
        internal
        view
        returns (bytes[] memory s)
    {
        s = new bytes[](m);
        for (uint256 i; i < m; ++i) {
            s[i] = _sign(e, u, signerKeys[i]);
        }
    }

    function _proposeAndAccept(RewardEscrow.RootUpdate memory u) internal {
        escrow.proposeRoot(u, _sigs(escrow, u, 2));
        vm.warp(block.timestamp + WINDOW);
        escrow.acceptRoot();
    }

    /// @dev Root over (account[i], token, amounts[i]) leaves.
    function _leaves(address[] memory accounts, uint256[] memory amounts)
        internal
        view
        returns (bytes32[] memory l)
    {
        l = new bytes32[](accounts.length);
        for (uint256 i; i < accounts.length; ++i) {
            l[i] = MerkleHelper.leaf(accounts[i], address(token), amounts[i]);
        }
    }
}
