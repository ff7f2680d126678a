// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AgentRegistry} from "../../src/AgentRegistry.sol";
import {AgentRegistryBase} from "./AgentRegistryBase.t.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

contract AgentRegistryTest is AgentRegistryBase {
    /* COLLECTION */

    function test_nameSymbolAndWiring() public view {
        assertEq(agents.name(), "OpenLedger Agent");
        assertEq(agents.symbol(), "OLAGENT");
        assertEq(address(agents.MODEL_REGISTRY()), address(models));
        assertEq(agents.MAX_DEADLINE_DELAY(), 1 hours);
        assertEq(agents.agentCount(), 0);
        assertTrue(agents.supportsInterface(0x80ac58cd)); // ERC-721
    }

    /* REGISTER */

    function test_register() public {
        AgentRegistry.MetadataEntry[] memory meta = new AgentRegistry.MetadataEntry[](2);
        meta[0] = AgentRegistry.MetadataEntry({key: "name", value: bytes("Scout")});
        meta[1] = AgentRegistry.MetadataEntry({key: "endpoint", value: bytes("https://scout.example/a2a")});

        vm.expectEmit(true, true, true, true, address(agents));
        emit Transfer(address(0), alice, 1);
        vm.expectEmit(true, true, true, true, address(agents));
        emit AgentRegistered(1, alice, model1, "ipfs://scout");
        vm.expectEmit(true, true, true, true, address(agents));
        emit MetadataSet(1, "name", bytes("Scout"));
        vm.expectEmit(true, true, true, true, address(agents));
        emit MetadataSet(1, "endpoint", bytes("https://scout.example/a2a"));
        vm.prank(alice);
        uint256 id = agents.register("ipfs://scout", model1, meta);

        assertEq(id, 1, "ids start at 1");
        assertEq(agents.agentCount(), 1);
        assertEq(agents.ownerOf(1), alice);
        assertEq(agents.tokenURI(1), "ipfs://scout");
        assertEq(agents.modelOf(1), model1);
        assertEq(agents.getMetadata(1, "name"), bytes("Scout"));
        assertEq(agents.getMetadata(1, "endpoint"), bytes("https://scout.example/a2a"));
        assertEq(agents.getMetadata(1, "missing"), bytes(""));

        AgentRegistry.AgentView memory v = agents.getAgent(1);
        assertEq(v.owner, alice);
        assertEq(v.uri, "ipfs://scout");
        assertEq(v.modelId, model1);
        assertEq(v.wallet, address(0));
        assertEq(v.actionCount, 0);
        assertEq(v.feedbackCount, 0);
        assertEq(v.actionHead, bytes32(0));
    }

    function test_register_revertsModelNotActive() public {
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.ModelNotActive.selector, 0));
        agents.register("u", 0, _noMeta());
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.ModelNotActive.selector, 99));
        agents.register("u", 99, _noMeta());
        vm.prank(carol);
        models.deprecate(model1);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.ModelNotActive.selector, model1));
        agents.register("u", model1, _noMeta());
    }

    function test_register_revertsTooManyMetadataEntries() public {
        AgentRegistry.MetadataEntry[] memory meta = new AgentRegistry.MetadataEntry[](17);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.TooManyMetadataEntries.selector, 17));
        agents.register("u", model1, meta);
    }

    function test_register_revertsInvalidMetadataKey() public {
        AgentRegistry.MetadataEntry[] memory meta = new AgentRegistry.MetadataEntry[](1);
        meta[0] = AgentRegistry.MetadataEntry({key: "", value: bytes("x")});
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidMetadataKey.selector, ""));
        agents.register("u", model1, meta);
        meta[0] = AgentRegistry.MetadataEntry({key: "agentWallet", value: abi.encode(alice)});
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidMetadataKey.selector, "agentWallet"));
        agents.register("u", model1, meta);
        assertEq(agents.agentCount(), 0);
    }

    function test_register_revertsURITooLong() public {
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.URITooLong.selector, 2049));
        agents.register(string(new bytes(2049)), model1, _noMeta());
    }

    /* SET AGENT URI */

    function test_setAgentURI() public {
        uint256 id = _agent(alice);
        vm.expectEmit(true, true, true, true, address(agents));
        emit AgentURIUpdated(id, "ipfs://v2", alice);
        vm.prank(alice);
        agents.setAgentURI(id, "ipfs://v2");
        assertEq(agents.tokenURI(id), "ipfs://v2");

        vm.prank(alice);
        agents.setApprovalForAll(bob, true);
        vm.prank(bob);
        agents.setAgentURI(id, "ipfs://v3");
        assertEq(agents.getAgent(id).uri, "ipfs://v3");
    }

    function test_setAgentURI_reverts() public {
        uint256 id = _agent(alice);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.Unauthorized.selector, id, bob));
        vm.prank(bob);
        agents.setAgentURI(id, "x");
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 9));
        agents.setAgentURI(9, "x");
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.URITooLong.selector, 2049));
        vm.prank(alice);
        agents.setAgentURI(id, string(new bytes(2049)));
    }

    /* SET METADATA */

    function test_setMetadata() public {
        uint256 id = _agent(alice);
        vm.expectEmit(true, true, true, true, address(agents));
        emit MetadataSet(id, "skills", bytes("search,summarize"));
        vm.prank(alice);
        agents.setMetadata(id, "skills", bytes("search,summarize"));
        assertEq(agents.getMetadata(id, "skills"), bytes("search,summarize"));

        // Approved address can set; an empty value clears.
        vm.prank(alice);
        agents.approve(bob, id);
        vm.prank(bob);
        agents.setMetadata(id, "skills", "");
        assertEq(agents.getMetadata(id, "skills").length, 0);

        // Maximum sizes are accepted.
        string memory key64 = string(new bytes(64));
        vm.prank(alice);
        agents.setMetadata(id, key64, new bytes(4096));
        assertEq(agents.getMetadata(id, key64).length, 4096);
    }

    function test_setMetadata_reverts() public {
        uint256 id = _agent(alice);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.Unauthorized.selector, id, bob));
        vm.prank(bob);
        agents.setMetadata(id, "k", "v");

        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidMetadataKey.selector, "agentWallet"));
        agents.setMetadata(id, "agentWallet", abi.encode(bob));
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidMetadataKey.selector, ""));
        agents.setMetadata(id, "", "v");
        string memory key65 = string(new bytes(65));
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidMetadataKey.selector, key65));
        agents.setMetadata(id, key65, "v");
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.MetadataValueTooLong.selector, 4097));
        agents.setMetadata(id, "k", new bytes(4097));
        vm.stopPrank();

        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 9));
        agents.setMetadata(9, "k", "v");
    }

    /* SET MODEL */

    function test_setModel() public {
        uint256 id = _agent(alice);
        vm.expectEmit(true, true, true, true, address(agents));
        emit AgentModelChanged(id, model1, model2);
        vm.prank(alice);
        agents.setModel(id, model2);
        assertEq(agents.modelOf(id), model2);
    }

    function test_setModel_reverts() public {
        uint256 id = _agent(alice);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.Unauthorized.selector, id, bob));
        vm.prank(bob);
        agents.setModel(id, model2);

        vm.prank(carol);
        models.deprecate(model2);
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.ModelNotActive.selector, model2));
        agents.setModel(id, model2);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.ModelNotActive.selector, 42));
        agents.setModel(id, 42);
        vm.stopPrank();

        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 9));
        agents.setModel(9, model1);
    }

    function test_modelOf_unknownAgentIsZero() public view {
        assertEq(agents.modelOf(0), 0);
        assertEq(agents.modelOf(1), 0);
    }

    function test_modelOf_keepsModelAfterDeprecation() public {
        // Deprecating a model does not rewrite agents: the escrow sees the model, whose terms are inactive.
        uint256 id = _agent(alice);
        vm.prank(carol);
        models.deprecate(model1);
        assertEq(agents.modelOf(id), model1);
        (bool active,) = models.inferenceTerms(agents.modelOf(id));
        assertFalse(active);
    }

    /* UNSET WALLET */

    function test_unsetAgentWallet() public {
        uint256 id = _agent(alice);
        _setWallet(id, alice);
        assertEq(agents.agentWalletOf(id), wallet);
        vm.expectEmit(true, true, true, true, address(agents));
        emit AgentWalletUnset(id, wallet);
        vm.prank(alice);
        agents.unsetAgentWallet(id);
        assertEq(agents.agentWalletOf(id), address(0));
        // The old wallet can no longer act.
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.NotAgentWallet.selector, id, wallet));
        vm.prank(wallet);
        agents.recordAction(id, bytes32(0), "", 0);
    }

    function test_unsetAgentWallet_reverts() public {
        uint256 id = _agent(alice);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.NoAgentWallet.selector, id));
        vm.prank(alice);
        agents.unsetAgentWallet(id);
        _setWallet(id, alice);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.Unauthorized.selector, id, wallet));
        vm.prank(wallet);
        agents.unsetAgentWallet(id);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 9));
        agents.unsetAgentWallet(9);
    }

    /* ACTIONS */

    bytes32 internal constant A0 = keccak256("a0");
    bytes32 internal constant A1 = keccak256("a1");

    function test_recordAction_hashChain() public {
        uint256 id = _agent(alice);
        _setWallet(id, alice);

        bytes32 h0 =
            keccak256(abi.encode(bytes32(0), id, uint256(0), A0, keccak256("ipfs://a0"), uint16(1), wallet));
        vm.expectEmit(true, true, true, true, address(agents));
        emit ActionRecorded(id, 0, A0, "ipfs://a0", 1, wallet, h0);
        vm.prank(wallet);
        assertEq(agents.recordAction(id, A0, "ipfs://a0", 1), 0);

        bytes32 h1 = keccak256(abi.encode(h0, id, uint256(1), A1, keccak256(""), uint16(500), wallet));
        vm.expectEmit(true, true, true, true, address(agents));
        emit ActionRecorded(id, 1, A1, "", 500, wallet, h1);
        vm.prank(wallet);
        assertEq(agents.recordAction(id, A1, "", 500), 1);

        (uint256 count, bytes32 head) = agents.actionHistory(id);
        assertEq(count, 2);
        assertEq(head, h1);
        assertEq(agents.getAgent(id).actionCount, 2);
        assertEq(agents.getAgent(id).actionHead, h1);
    }

    function test_recordAction_perAgentIndexes() public {
        uint256 a = _agent(alice);
        uint256 b = _agent(bob);
        _setWallet(a, alice);
        _setWallet(b, bob); // the same wallet may serve two agents
        vm.startPrank(wallet);
        assertEq(agents.recordAction(a, bytes32(uint256(1)), "", 0), 0);
        assertEq(agents.recordAction(a, bytes32(uint256(2)), "", 0), 1);
        assertEq(agents.recordAction(b, bytes32(uint256(3)), "", 0), 0);
        vm.stopPrank();
        (uint256 ca,) = agents.actionHistory(a);
        (uint256 cb,) = agents.actionHistory(b);
        assertEq(ca, 2);
        assertEq(cb, 1);
    }

    function test_recordAction_reverts() public {
        uint256 id = _agent(alice);
        // No wallet yet: nobody can record, not even the owner.
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.NotAgentWallet.selector, id, alice));
        vm.prank(alice);
        agents.recordAction(id, bytes32(0), "", 0);
        // address(0) as caller cannot match an unset wallet.
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.NotAgentWallet.selector, id, address(0)));
        vm.prank(address(0));
        agents.recordAction(id, bytes32(0), "", 0);

        _setWallet(id, alice);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.NotAgentWallet.selector, id, alice));
        vm.prank(alice);
        agents.recordAction(id, bytes32(0), "", 0);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.URITooLong.selector, 2049));
        vm.prank(wallet);
        agents.recordAction(id, bytes32(0), string(new bytes(2049)), 0);
        // Unknown agent.
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.NotAgentWallet.selector, 9, wallet));
        vm.prank(wallet);
        agents.recordAction(9, bytes32(0), "", 0);
    }

    /* FEEDBACK */

    function test_giveFeedback() public {
        uint256 id = _agent(alice);
        vm.expectEmit(true, true, true, true, address(agents));
        emit FeedbackGiven(id, bob, 0, -250, 2, "quality", "latency", "ipfs://fb", bytes32(uint256(7)));
        vm.prank(bob);
        assertEq(agents.giveFeedback(id, -250, 2, "quality", "latency", "ipfs://fb", bytes32(uint256(7))), 0);
        vm.prank(carol);
        assertEq(agents.giveFeedback(id, 99, 0, "", "", "", bytes32(0)), 1);
        assertEq(agents.feedbackCount(id), 2);
        (address client, bool revoked) = agents.getFeedback(id, 0);
        assertEq(client, bob);
        assertFalse(revoked);
        (client,) = agents.getFeedback(id, 1);
        assertEq(client, carol);
        (client,) = agents.getFeedback(id, 2);
        assertEq(client, address(0));
        // Extremes.
        vm.prank(bob);
        agents.giveFeedback(id, type(int128).min, 18, "", "", "", bytes32(0));
        assertEq(agents.getAgent(id).feedbackCount, 3);
    }

    function test_giveFeedback_revertsSelfFeedback() public {
        uint256 id = _agent(alice);
        _setWallet(id, alice);
        address approved = makeAddr("approved");
        address operator = makeAddr("operator");
        vm.startPrank(alice);
        agents.approve(approved, id);
        agents.setApprovalForAll(operator, true);
        vm.stopPrank();

        address[4] memory selves = [alice, approved, operator, wallet];
        for (uint256 i; i < 4; ++i) {
            vm.expectRevert(abi.encodeWithSelector(AgentRegistry.SelfFeedback.selector, id, selves[i]));
            vm.prank(selves[i]);
            agents.giveFeedback(id, 1, 0, "", "", "", bytes32(0));
        }
        assertEq(agents.feedbackCount(id), 0);
    }

    function test_giveFeedback_formerOwnerMayRate() public {
        uint256 id = _agent(alice);
        vm.prank(alice);
        agents.transferFrom(alice, bob, id);
        vm.prank(alice);
        agents.giveFeedback(id, 1, 0, "", "", "", bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.SelfFeedback.selector, id, bob));
        vm.prank(bob);
        agents.giveFeedback(id, 1, 0, "", "", "", bytes32(0));
    }

    function test_giveFeedback_reverts() public {
        uint256 id = _agent(alice);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.InvalidValueDecimals.selector, 19));
        vm.prank(bob);
        agents.giveFeedback(id, 1, 19, "", "", "", bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.URITooLong.selector, 2049));
        vm.prank(bob);
        agents.giveFeedback(id, 1, 0, "", "", string(new bytes(2049)), bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 9));
        vm.prank(bob);
        agents.giveFeedback(9, 1, 0, "", "", "", bytes32(0));
    }

    function test_revokeFeedback() public {
        uint256 id = _agent(alice);
        vm.prank(bob);
        agents.giveFeedback(id, 1, 0, "", "", "", bytes32(0));
        vm.expectEmit(true, true, true, true, address(agents));
        emit FeedbackRevoked(id, bob, 0);
        vm.prank(bob);
        agents.revokeFeedback(id, 0);
        (address client, bool revoked) = agents.getFeedback(id, 0);
        assertEq(client, bob);
        assertTrue(revoked);
        assertEq(agents.feedbackCount(id), 1, "count includes revoked");
    }

    function test_revokeFeedback_reverts() public {
        uint256 id = _agent(alice);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.UnknownFeedback.selector, id, 0));
        vm.prank(bob);
        agents.revokeFeedback(id, 0);

        vm.prank(bob);
        agents.giveFeedback(id, 1, 0, "", "", "", bytes32(0));
        // Not the author: not even the agent's owner.
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.NotFeedbackClient.selector, id, 0, alice));
        vm.prank(alice);
        agents.revokeFeedback(id, 0);

        vm.prank(bob);
        agents.revokeFeedback(id, 0);
        vm.expectRevert(abi.encodeWithSelector(AgentRegistry.FeedbackAlreadyRevoked.selector, id, 0));
        vm.prank(bob);
        agents.revokeFeedback(id, 0);
    }

    /* VIEWS */

    function test_views_unknownAgent() public {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 1));
        agents.getAgent(1);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 1));
        agents.tokenURI(1);
        assertEq(agents.agentWalletOf(1), address(0));
        assertEq(agents.feedbackCount(1), 0);
    }

    /* GAS */

    /// @dev Execution gas of each call with the registries' storage cold, as in a fresh transaction
    /// (excluding the 21k base cost and calldata).
    function test_gas_agentFlows() public {
        vm.prank(alice);
        vm.cool(address(agents));
        vm.cool(address(models));
        uint256 g = gasleft();
        uint256 id = agents.register(
            "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", model1, _noMeta()
        );
        emit log_named_uint("register (no metadata)", g - gasleft());

        uint256 deadline = block.timestamp + 10 minutes;
        bytes memory sig = _walletSig(walletKey, id, alice, deadline);
        vm.prank(alice);
        vm.cool(address(agents));
        vm.cool(address(models));
        g = gasleft();
        agents.setAgentWallet(id, wallet, deadline, sig);
        emit log_named_uint("setAgentWallet (EOA)", g - gasleft());

        vm.prank(wallet);
        vm.cool(address(agents));
        vm.cool(address(models));
        g = gasleft();
        agents.recordAction(id, keccak256("a"), "ipfs://bafkreia", 1);
        emit log_named_uint("recordAction (first)", g - gasleft());
        vm.prank(wallet);
        vm.cool(address(agents));
        vm.cool(address(models));
        g = gasleft();
        agents.recordAction(id, keccak256("b"), "ipfs://bafkreib", 1);
        emit log_named_uint("recordAction (next)", g - gasleft());

        vm.prank(bob);
        vm.cool(address(agents));
        vm.cool(address(models));
        g = gasleft();
        agents.giveFeedback(id, 95, 0, "quality", "", "ipfs://fb", keccak256("fb"));
        emit log_named_uint("giveFeedback (first)", g - gasleft());
        vm.prank(carol);
        vm.cool(address(agents));
        vm.cool(address(models));
        g = gasleft();
        agents.giveFeedback(id, 80, 0, "quality", "", "ipfs://fb2", keccak256("fb2"));
        emit log_named_uint("giveFeedback (next)", g - gasleft());
        vm.cool(address(agents));
        vm.cool(address(models));
        g = gasleft();
        agents.modelOf(id);
        emit log_named_uint("modelOf", g - gasleft());
    }
}
