// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AgentRegistry} from "../../src/AgentRegistry.sol";
import {ModelRegistry} from "../../src/ModelRegistry.sol";
import {IModelRegistry} from "../../src/interfaces/IModelRegistry.sol";
import {Test} from "forge-std/Test.sol";

/// @dev Drives agents through registrations, signed wallet changes, transfers, actions and feedback, keeping
/// an independent model of what the registry must hold.
contract AgentHandler is Test {
    AgentRegistry public agents;
    ModelRegistry public models;
    address[3] internal owners = [address(0xA11CE), address(0xB0B), address(0xCA401)];
    uint256[3] internal walletKeys = [uint256(0xAAA1), 0xAAA2, 0xAAA3];
    address[2] internal clients = [address(0xC1), address(0xC2)];

    mapping(uint256 agentId => address) public ghostWallet;
    mapping(uint256 agentId => uint256) public ghostActions;
    mapping(uint256 agentId => bytes32) public ghostHead;
    mapping(uint256 agentId => uint256) public ghostFeedback;
    mapping(uint256 agentId => uint256) public ghostModel;
    mapping(address wallet => uint256) public ghostNonce;
    uint256 public walletSets;
    uint256 public actions;
    uint256 public indexMismatches;

    constructor(AgentRegistry agents_, ModelRegistry models_) {
        agents = agents_;
        models = models_;
    }

    function register(uint256 seed) external {
        uint256 modelId = 1 + (seed % models.modelCount());
        (bool active,) = models.inferenceTerms(modelId);
        if (!active) return;
        vm.prank(owners[seed % 3]);
        uint256 id = agents.register("u", modelId, new AgentRegistry.MetadataEntry[](0));
        ghostModel[id] = modelId;
    }

    function setWallet(uint256 agentSeed, uint256 keySeed) external {
        uint256 count = agents.agentCount();
        if (count == 0) return;
        uint256 id = 1 + (agentSeed % count);
        uint256 key = walletKeys[keySeed % 3];
        address w = vm.addr(key);
        address owner = agents.ownerOf(id);
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 digest = agents.agentWalletDigest(id, w, owner, agents.walletNonce(w), deadline);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        vm.prank(owner);
        agents.setAgentWallet(id, w, deadline, abi.encodePacked(r, s, v));
        ghostWallet[id] = w;
        ghostNonce[w]++;
        walletSets++;
    }

    function transfer(uint256 agentSeed, uint256 toSeed) external {
        uint256 count = agents.agentCount();
        if (count == 0) return;
        uint256 id = 1 + (agentSeed % count);
        address from = agents.ownerOf(id);
        vm.prank(from);
        agents.transferFrom(from, owners[toSeed % 3], id);
        ghostWallet[id] = address(0);
    }

    function recordAction(uint256 agentSeed, bytes32 actionHash, uint16 outcome) external {
        uint256 count = agents.agentCount();
        if (count == 0) return;
        uint256 id = 1 + (agentSeed % count);
        address w = ghostWallet[id];
        if (w == address(0)) return;
        vm.prank(w);
        uint256 index = agents.recordAction(id, actionHash, "ipfs://a", outcome);
        if (index != ghostActions[id]) indexMismatches++;
        ghostHead[id] =
            keccak256(abi.encode(ghostHead[id], id, index, actionHash, keccak256("ipfs://a"), outcome, w));
        ghostActions[id]++;
        actions++;
    }

    function giveFeedback(uint256 agentSeed, uint256 clientSeed, int128 value) external {
        uint256 count = agents.agentCount();
        if (count == 0) return;
        uint256 id = 1 + (agentSeed % count);
        vm.prank(clients[clientSeed % 2]);
        agents.giveFeedback(id, value, 0, "", "", "", bytes32(0));
        ghostFeedback[id]++;
    }

    function revokeFeedback(uint256 agentSeed, uint256 index) external {
        uint256 count = agents.agentCount();
        if (count == 0) return;
        uint256 id = 1 + (agentSeed % count);
        uint256 n = ghostFeedback[id];
        if (n == 0) return;
        index = index % n;
        (address client, bool revoked) = agents.getFeedback(id, index);
        if (revoked) return;
        vm.prank(client);
        agents.revokeFeedback(id, index);
    }
}

contract AgentRegistryInvariantTest is Test {
    ModelRegistry internal models;
    AgentRegistry internal agents;
    AgentHandler internal handler;

    function setUp() public {
        models = new ModelRegistry();
        agents = new AgentRegistry(models);
        for (uint256 i; i < 3; ++i) {
            models.register(
                "m",
                new ModelRegistry.TrainingSet[](0),
                new ModelRegistry.Parent[](0),
                IModelRegistry.FeeSplit(5000, 4000, 1000)
            );
        }
        handler = new AgentHandler(agents, models);
        targetContract(address(handler));
    }

    /// @dev The wallet is exactly the last one set with a valid signature since the last transfer; actions and
    /// feedback are append-only with sequential indexes and the hash chain matches an independent computation.
    function invariant_agentStateMatchesModel() public view {
        uint256 count = agents.agentCount();
        for (uint256 id = 1; id <= count; ++id) {
            assertEq(agents.agentWalletOf(id), handler.ghostWallet(id), "wallet");
            (uint256 n, bytes32 head) = agents.actionHistory(id);
            assertEq(n, handler.ghostActions(id), "action count");
            assertEq(head, handler.ghostHead(id), "action head");
            assertEq(agents.feedbackCount(id), handler.ghostFeedback(id), "feedback count");
            assertEq(agents.modelOf(id), handler.ghostModel(id), "model");
            assertTrue(agents.modelOf(id) != 0, "existing agent without model");
        }
        assertEq(agents.modelOf(count + 1), 0);
        assertEq(handler.indexMismatches(), 0, "action index");
    }

    function invariant_noncesCountAuthorizations() public view {
        for (uint256 k = 0xAAA1; k <= 0xAAA3; ++k) {
            address w = vm.addr(k);
            assertEq(agents.walletNonce(w), handler.ghostNonce(w));
        }
    }

    function afterInvariant() public view {
        assertGt(agents.agentCount(), 0, "no agent registered");
    }
}
