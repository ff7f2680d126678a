// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AgentRegistry} from "../../src/AgentRegistry.sol";
import {ModelRegistry} from "../../src/ModelRegistry.sol";
import {IModelRegistry} from "../../src/interfaces/IModelRegistry.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {Test} from "forge-std/Test.sol";

/// @dev An ERC-1271 wallet that accepts exactly the digests its owner key signed.
contract MockSmartWallet is IERC1271 {
    address public immutable signerKeyAddress;
    bool public accept = true;

    constructor(address signer) {
        signerKeyAddress = signer;
    }

    function setAccept(bool a) external {
        accept = a;
    }

    function isValidSignature(bytes32 hash, bytes memory signature) external view returns (bytes4) {
        if (!accept || signature.length != 65) return 0xffffffff;
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly {
            r := mload(add(signature, 32))
            s := mload(add(signature, 64))
            v := byte(0, mload(add(signature, 96)))
        }
        return ecrecover(hash, v, r, s) == signerKeyAddress
            ? IERC1271.isValidSignature.selector
            : bytes4(0xffffffff);
    }
}

/// @dev Shared set-up and helpers for the agent registry tests.
abstract contract AgentRegistryBase is Test {
    ModelRegistry internal models;
    AgentRegistry internal agents;

    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");
    uint256 internal walletKey = 0xA11CE5;
    address internal wallet = vm.addr(walletKey);

    uint256 internal model1;
    uint256 internal model2;

    bytes32 internal constant TYPEHASH = keccak256(
        "AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 nonce,uint256 deadline)"
    );
    uint256 internal constant SECP256K1_N =
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    // Copies of the events, for vm.expectEmit.
    event AgentRegistered(
        uint256 indexed agentId, address indexed owner, uint256 indexed modelId, string uri
    );
    event AgentURIUpdated(uint256 indexed agentId, string uri, address indexed by);
    event MetadataSet(uint256 indexed agentId, string key, bytes value);
    event AgentModelChanged(
        uint256 indexed agentId, uint256 indexed previousModelId, uint256 indexed newModelId
    );
    event AgentWalletSet(
        uint256 indexed agentId, address indexed wallet, address indexed owner, uint256 nonce
    );
    event AgentWalletUnset(uint256 indexed agentId, address indexed previousWallet);
    event ActionRecorded(
        uint256 indexed agentId,
        uint256 index,
        bytes32 actionHash,
        string uri,
        uint16 outcome,
        address indexed wallet,
        bytes32 head
    );
    event FeedbackGiven(
        uint256 indexed agentId,
        address indexed client,
        uint256 index,
        int128 value,
        uint8 valueDecimals,
        bytes32 indexed tag1,
        bytes32 tag2,
        string uri,
        bytes32 feedbackHash
    );
    event FeedbackRevoked(uint256 indexed agentId, address indexed client, uint256 index);
    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        models = new ModelRegistry();
        agents = new AgentRegistry(models);
        IModelRegistry.FeeSplit memory split = IModelRegistry.FeeSplit(5000, 4000, 1000);
        vm.startPrank(carol);
        model1 = models.register(
            "ipfs://model1", new ModelRegistry.TrainingSet[](0), new ModelRegistry.Parent[](0), split
        );
        model2 = models.register(
            "ipfs://model2", new ModelRegistry.TrainingSet[](0), new ModelRegistry.Parent[](0), split
        );
        vm.stopPrank();
    }

    function _noMeta() internal pure returns (AgentRegistry.MetadataEntry[] memory) {
        return new AgentRegistry.MetadataEntry[](0);
    }

    function _agent(address owner) internal returns (uint256) {
        vm.prank(owner);
        return agents.register("ipfs://agent", model1, _noMeta());
    }

    /// @dev The digest computed independently of the contract's helper.
    function _digest(
        AgentRegistry reg,
        uint256 agentId,
        address newWallet,
        address owner,
        uint256 nonce,
        uint256 deadline,
        uint256 chainId
    ) internal pure returns (bytes32) {
        bytes32 domain = keccak256(
            abi.encode(
                keccak256(
                    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                ),
                keccak256("OpenLedger AgentRegistry"),
                keccak256("1"),
                chainId,
                address(reg)
            )
        );
        bytes32 structHash = keccak256(abi.encode(TYPEHASH, agentId, newWallet, owner, nonce, deadline));
        return keccak256(abi.encodePacked("\x19\x01", domain, structHash));
    }

    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @dev The signature `key` gives for making `vm.addr(key)` the wallet of `agentId` owned by `owner`.
    function _walletSig(uint256 key, uint256 agentId, address owner, uint256 deadline)
        internal
        view
        returns (bytes memory)
    {
        address w = vm.addr(key);
        return _sign(key, _digest(agents, agentId, w, owner, agents.walletNonce(w), deadline, block.chainid));
    }

    function _setWallet(uint256 agentId, address owner) internal {
        uint256 deadline = block.timestamp + 10 minutes;
        bytes memory sig = _walletSig(walletKey, agentId, owner, deadline);
        vm.prank(owner);
        agents.setAgentWallet(agentId, wallet, deadline, sig);
    }
}
