// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ModelRegistry} from "../../src/ModelRegistry.sol";
import {IModelRegistry} from "../../src/interfaces/IModelRegistry.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {Test} from "forge-std/Test.sol";

/// @dev Shared helpers for the model registry tests.
abstract contract ModelRegistryBase is Test {
    ModelRegistry internal reg;
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");

    // Copies of the events, for vm.expectEmit.
    event ModelRegistered(
        uint256 indexed modelId,
        address indexed owner,
        string uri,
        uint16 ownerBps,
        uint16 dataBps,
        uint16 agentBps,
        uint16 ancestorCount,
        uint16 parentCount,
        uint16 datanetCount
    );
    event ParentLinked(
        uint256 indexed child, uint256 indexed parent, ModelRegistry.Relation relation, uint16 royaltyBps
    );
    event TrainedOn(uint256 indexed modelId, uint256 indexed datanetId, uint64 version);
    event ModelMetadataUpdated(uint256 indexed modelId, string uri, address indexed by);
    event FeeSplitUpdated(
        uint256 indexed modelId, uint16 ownerBps, uint16 dataBps, uint16 agentBps, uint256 effectiveFromBlock
    );
    event ModelDeprecated(uint256 indexed modelId, address indexed by);
    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);

    function setUp() public virtual {
        reg = new ModelRegistry();
    }

    function _split(uint16 o, uint16 d, uint16 a) internal pure returns (IModelRegistry.FeeSplit memory) {
        return IModelRegistry.FeeSplit({ownerBps: o, dataBps: d, agentBps: a});
    }

    function _defaultSplit() internal pure returns (IModelRegistry.FeeSplit memory) {
        return _split(5000, 4000, 1000);
    }

    function _noSets() internal pure returns (ModelRegistry.TrainingSet[] memory) {
        return new ModelRegistry.TrainingSet[](0);
    }

    function _noParents() internal pure returns (ModelRegistry.Parent[] memory) {
        return new ModelRegistry.Parent[](0);
    }

    function _oneParent(uint256 id, uint16 royalty) internal pure returns (ModelRegistry.Parent[] memory ps) {
        ps = new ModelRegistry.Parent[](1);
        ps[0] = ModelRegistry.Parent({
            modelId: id, relation: ModelRegistry.Relation.FineTune, royaltyBps: royalty
        });
    }

    function _root(address who) internal returns (uint256) {
        vm.prank(who);
        return reg.register("ipfs://root", _noSets(), _noParents(), _defaultSplit());
    }

    function _child(address who, uint256 parent, uint16 royalty) internal returns (uint256) {
        vm.prank(who);
        return reg.register("ipfs://child", _noSets(), _oneParent(parent, royalty), _defaultSplit());
    }
}

contract ModelRegistryTest is ModelRegistryBase {
    /* METADATA OF THE COLLECTION */

    function test_nameSymbolAndConstants() public view {
        assertEq(reg.name(), "OpenLedger Model");
        assertEq(reg.symbol(), "OLMODEL");
        assertEq(reg.MAX_PARENTS(), 8);
        assertEq(reg.MAX_ANCESTORS(), 64);
        assertEq(reg.MAX_DATANETS(), 32);
        assertEq(reg.modelCount(), 0);
    }

    /* REGISTER */

    function test_register_rootModel() public {
        ModelRegistry.TrainingSet[] memory sets = new ModelRegistry.TrainingSet[](2);
        sets[0] = ModelRegistry.TrainingSet({datanetId: 7, version: 3});
        sets[1] = ModelRegistry.TrainingSet({datanetId: 9, version: 1});

        vm.roll(1234);
        vm.expectEmit(true, true, true, true, address(reg));
        emit Transfer(address(0), alice, 1);
        vm.expectEmit(true, true, true, true, address(reg));
        emit ModelRegistered(1, alice, "ipfs://m1", 6000, 3000, 1000, 0, 0, 2);
        vm.expectEmit(true, true, true, true, address(reg));
        emit TrainedOn(1, 7, 3);
        vm.expectEmit(true, true, true, true, address(reg));
        emit TrainedOn(1, 9, 1);
        vm.prank(alice);
        uint256 id = reg.register("ipfs://m1", sets, _noParents(), _split(6000, 3000, 1000));

        assertEq(id, 1, "ids start at 1");
        assertEq(reg.modelCount(), 1);
        assertEq(reg.ownerOf(1), alice);
        assertEq(reg.balanceOf(alice), 1);
        assertEq(reg.tokenURI(1), "ipfs://m1");
        assertTrue(reg.exists(1));
        assertFalse(reg.exists(0));
        assertFalse(reg.exists(2));

        ModelRegistry.ModelView memory m = reg.getModel(1);
        assertEq(m.owner, alice);
        assertEq(m.uri, "ipfs://m1");
        assertEq(m.split.ownerBps, 6000);
        assertEq(m.split.dataBps, 3000);
        assertEq(m.split.agentBps, 1000);
        assertFalse(m.deprecated);
        assertEq(m.createdAt, 1234);
        assertEq(m.ancestorCount, 0);
        assertEq(m.royaltyBpsTotal, 0);
        assertEq(m.parents.length, 0);
        assertEq(m.datanets.length, 2);
        assertEq(m.datanets[0].datanetId, 7);
        assertEq(m.datanets[0].version, 3);
        assertEq(m.datanets[1].datanetId, 9);
        assertEq(m.datanets[1].version, 1);

        ModelRegistry.TrainingSet[] memory got = reg.trainingSetOf(1);
        assertEq(got.length, 2);
        assertEq(got[1].datanetId, 9);

        (bool active, IModelRegistry.FeeSplit memory s) = reg.inferenceTerms(1);
        assertTrue(active);
        assertEq(s.ownerBps, 6000);
        assertEq(s.dataBps, 3000);
        assertEq(s.agentBps, 1000);
    }

    function test_register_withParents() public {
        uint256 a = _root(alice);
        uint256 b = _root(bob);
        uint256 c = _child(carol, a, 500); // c: ancestors 1

        ModelRegistry.Parent[] memory ps = new ModelRegistry.Parent[](3);
        ps[0] = ModelRegistry.Parent({modelId: c, relation: ModelRegistry.Relation.Merge, royaltyBps: 1000});
        ps[1] = ModelRegistry.Parent({modelId: b, relation: ModelRegistry.Relation.Adapter, royaltyBps: 2000});
        ps[2] = ModelRegistry.Parent({modelId: a, relation: ModelRegistry.Relation.Quantized, royaltyBps: 0});

        vm.expectEmit(true, true, true, true, address(reg));
        emit ModelRegistered(4, bob, "ipfs://merge", 5000, 4000, 1000, 4, 3, 0);
        vm.expectEmit(true, true, true, true, address(reg));
        emit ParentLinked(4, c, ModelRegistry.Relation.Merge, 1000);
        vm.expectEmit(true, true, true, true, address(reg));
        emit ParentLinked(4, b, ModelRegistry.Relation.Adapter, 2000);
        vm.expectEmit(true, true, true, true, address(reg));
        emit ParentLinked(4, a, ModelRegistry.Relation.Quantized, 0);
        vm.prank(bob);
        uint256 d = reg.register("ipfs://merge", _noSets(), ps, _defaultSplit());

        assertEq(d, 4);
        // (c: 1 + 1) + (b: 0 + 1) + (a: 0 + 1) = 4, a counted twice (diamond): with multiplicity.
        assertEq(reg.ancestorCount(d), 4);
        assertEq(reg.ancestorCount(c), 1);
        assertEq(reg.royaltyBpsTotal(d), 3000);
        ModelRegistry.Parent[] memory got = reg.parentsOf(d);
        assertEq(got.length, 3);
        assertEq(got[0].modelId, c);
        assertEq(uint8(got[0].relation), uint8(ModelRegistry.Relation.Merge));
        assertEq(got[0].royaltyBps, 1000);
        assertEq(got[1].modelId, b);
        assertEq(uint8(got[1].relation), uint8(ModelRegistry.Relation.Adapter));
        assertEq(got[2].modelId, a);
        assertEq(uint8(got[2].relation), uint8(ModelRegistry.Relation.Quantized));
        assertEq(reg.getModel(d).parents.length, 3);
    }

    function test_register_fullRoyaltyAllowed() public {
        uint256 a = _root(alice);
        uint256 c = _child(bob, a, 10_000);
        assertEq(reg.royaltyBpsTotal(c), 10_000);
    }

    function test_register_maxDatanetsAndParentsAllowed() public {
        ModelRegistry.Parent[] memory ps = new ModelRegistry.Parent[](8);
        for (uint256 i; i < 8; ++i) {
            ps[i] = ModelRegistry.Parent({
                modelId: _root(alice), relation: ModelRegistry.Relation.Merge, royaltyBps: 1250
            });
        }
        ModelRegistry.TrainingSet[] memory sets = new ModelRegistry.TrainingSet[](32);
        for (uint256 i; i < 32; ++i) {
            sets[i] = ModelRegistry.TrainingSet({datanetId: i + 1, version: 1});
        }
        vm.prank(bob);
        uint256 id = reg.register("u", sets, ps, _defaultSplit());
        assertEq(reg.parentsOf(id).length, 8);
        assertEq(reg.trainingSetOf(id).length, 32);
        assertEq(reg.ancestorCount(id), 8);
        assertEq(reg.royaltyBpsTotal(id), 10_000);
    }

    function test_register_revertsInvalidSplit() public {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.InvalidSplit.selector, 5000, 4000, 999));
        reg.register("u", _noSets(), _noParents(), _split(5000, 4000, 999));
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.InvalidSplit.selector, 5000, 4000, 1001));
        reg.register("u", _noSets(), _noParents(), _split(5000, 4000, 1001));
        // No overflow trick: three max uint16 do not wrap to 10_000.
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.InvalidSplit.selector, 65_535, 65_535, 65_535));
        reg.register("u", _noSets(), _noParents(), _split(65_535, 65_535, 65_535));
    }

    function test_register_revertsTooManyParents() public {
        ModelRegistry.Parent[] memory ps = new ModelRegistry.Parent[](9);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.TooManyParents.selector, 9));
        reg.register("u", _noSets(), ps, _defaultSplit());
    }

    function test_register_revertsTooManyDatanets() public {
        ModelRegistry.TrainingSet[] memory sets = new ModelRegistry.TrainingSet[](33);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.TooManyDatanets.selector, 33));
        reg.register("u", sets, _noParents(), _defaultSplit());
    }

    function test_register_revertsUnknownParent() public {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.UnknownParent.selector, 0));
        reg.register("u", _noSets(), _oneParent(0, 0), _defaultSplit());
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.UnknownParent.selector, 1));
        reg.register("u", _noSets(), _oneParent(1, 0), _defaultSplit());
        _root(alice);
        // Its own future id (2) is not a parent: no self loop.
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.UnknownParent.selector, 2));
        reg.register("u", _noSets(), _oneParent(2, 0), _defaultSplit());
    }

    function test_register_revertsDuplicateParent() public {
        uint256 a = _root(alice);
        uint256 b = _root(alice);
        ModelRegistry.Parent[] memory ps = new ModelRegistry.Parent[](3);
        ps[0] = ModelRegistry.Parent({modelId: a, relation: ModelRegistry.Relation.Merge, royaltyBps: 1});
        ps[1] = ModelRegistry.Parent({modelId: b, relation: ModelRegistry.Relation.Merge, royaltyBps: 1});
        ps[2] = ModelRegistry.Parent({modelId: a, relation: ModelRegistry.Relation.Adapter, royaltyBps: 1});
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.DuplicateParent.selector, a));
        reg.register("u", _noSets(), ps, _defaultSplit());
    }

    function test_register_revertsDeprecatedParent() public {
        uint256 a = _root(alice);
        vm.prank(alice);
        reg.deprecate(a);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.DeprecatedParent.selector, a));
        reg.register("u", _noSets(), _oneParent(a, 0), _defaultSplit());
    }

    function test_register_revertsRoyaltyTooHigh() public {
        uint256 a = _root(alice);
        uint256 b = _root(alice);
        ModelRegistry.Parent[] memory ps = new ModelRegistry.Parent[](2);
        ps[0] = ModelRegistry.Parent({modelId: a, relation: ModelRegistry.Relation.Merge, royaltyBps: 6000});
        ps[1] = ModelRegistry.Parent({modelId: b, relation: ModelRegistry.Relation.Merge, royaltyBps: 4001});
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.RoyaltyTooHigh.selector, 10_001));
        reg.register("u", _noSets(), ps, _defaultSplit());
        // A single parent above 100% too.
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.RoyaltyTooHigh.selector, 10_001));
        reg.register("u", _noSets(), _oneParent(a, 10_001), _defaultSplit());
    }

    function test_register_revertsTooManyAncestors_chain() public {
        // A chain: model k has k-1 ancestors. Model 65 has 64: allowed. Model 66 would have 65.
        uint256 last = _root(alice);
        for (uint256 i = 2; i <= 65; ++i) {
            last = _child(alice, last, 0);
        }
        assertEq(reg.ancestorCount(last), 64);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.TooManyAncestors.selector, 65));
        reg.register("u", _noSets(), _oneParent(last, 0), _defaultSplit());
    }

    function test_register_revertsTooManyAncestors_sum() public {
        // Two parents of 32 ancestors each: (32 + 1) * 2 = 66 > 64.
        uint256 a = _root(alice);
        for (uint256 i; i < 32; ++i) {
            a = _child(alice, a, 0);
        }
        uint256 b = _root(bob);
        for (uint256 i; i < 32; ++i) {
            b = _child(bob, b, 0);
        }
        assertEq(reg.ancestorCount(a), 32);
        assertEq(reg.ancestorCount(b), 32);
        ModelRegistry.Parent[] memory ps = new ModelRegistry.Parent[](2);
        ps[0] = ModelRegistry.Parent({modelId: a, relation: ModelRegistry.Relation.Merge, royaltyBps: 0});
        ps[1] = ModelRegistry.Parent({modelId: b, relation: ModelRegistry.Relation.Merge, royaltyBps: 0});
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.TooManyAncestors.selector, 66));
        reg.register("u", _noSets(), ps, _defaultSplit());
    }

    function test_register_revertsInvalidTrainingSet() public {
        ModelRegistry.TrainingSet[] memory sets = new ModelRegistry.TrainingSet[](1);
        sets[0] = ModelRegistry.TrainingSet({datanetId: 0, version: 1});
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.InvalidTrainingSet.selector, 0, 1));
        reg.register("u", sets, _noParents(), _defaultSplit());
        sets[0] = ModelRegistry.TrainingSet({datanetId: 4, version: 0});
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.InvalidTrainingSet.selector, 4, 0));
        reg.register("u", sets, _noParents(), _defaultSplit());
        uint256 tooBig = uint256(type(uint192).max) + 1;
        sets[0] = ModelRegistry.TrainingSet({datanetId: tooBig, version: 1});
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.InvalidTrainingSet.selector, tooBig, 1));
        reg.register("u", sets, _noParents(), _defaultSplit());
        // The largest allowed id round-trips.
        sets[0] = ModelRegistry.TrainingSet({datanetId: type(uint192).max, version: type(uint64).max});
        uint256 id = reg.register("u", sets, _noParents(), _defaultSplit());
        assertEq(reg.trainingSetOf(id)[0].datanetId, type(uint192).max);
        assertEq(reg.trainingSetOf(id)[0].version, type(uint64).max);
    }

    function test_register_revertsDuplicateDatanet() public {
        ModelRegistry.TrainingSet[] memory sets = new ModelRegistry.TrainingSet[](3);
        sets[0] = ModelRegistry.TrainingSet({datanetId: 4, version: 1});
        sets[1] = ModelRegistry.TrainingSet({datanetId: 5, version: 1});
        sets[2] = ModelRegistry.TrainingSet({datanetId: 4, version: 2});
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.DuplicateDatanet.selector, 4));
        reg.register("u", sets, _noParents(), _defaultSplit());
    }

    function test_register_revertsURITooLong() public {
        string memory longUri = string(new bytes(2049));
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.URITooLong.selector, 2049));
        reg.register(longUri, _noSets(), _noParents(), _defaultSplit());
        // Exactly the maximum is fine.
        reg.register(string(new bytes(2048)), _noSets(), _noParents(), _defaultSplit());
    }

    /// @dev Same ABI layout as ModelRegistry.Parent, but the relation is a raw uint8.
    struct RawParent {
        uint256 modelId;
        uint8 relation;
        uint16 royaltyBps;
    }

    function test_register_revertsRelationOutOfRange() public {
        _root(alice);
        RawParent[] memory ps = new RawParent[](1);
        ps[0] = RawParent({modelId: 1, relation: 3, royaltyBps: 0});
        // Relation 3 (Quantized) is fine...
        (bool ok,) = address(reg)
            .call(
                abi.encodeWithSelector(ModelRegistry.register.selector, "u", _noSets(), ps, _defaultSplit())
            );
        assertTrue(ok, "relation 3 refused");
        assertEq(reg.modelCount(), 2);
        // ...relation 4 does not exist and is refused by the ABI decoder.
        ps[0].relation = 4;
        (ok,) = address(reg)
            .call(
                abi.encodeWithSelector(ModelRegistry.register.selector, "u", _noSets(), ps, _defaultSplit())
            );
        assertFalse(ok, "relation 4 accepted");
        assertEq(reg.modelCount(), 2);
    }

    /* SET METADATA URI */

    function test_setMetadataURI_byOwnerApprovedAndOperator() public {
        uint256 a = _root(alice);
        vm.expectEmit(true, true, true, true, address(reg));
        emit ModelMetadataUpdated(a, "ipfs://v2", alice);
        vm.prank(alice);
        reg.setMetadataURI(a, "ipfs://v2");
        assertEq(reg.tokenURI(a), "ipfs://v2");
        assertEq(reg.getModel(a).uri, "ipfs://v2");

        vm.prank(alice);
        reg.approve(bob, a);
        vm.prank(bob);
        reg.setMetadataURI(a, "ipfs://v3");
        assertEq(reg.tokenURI(a), "ipfs://v3");

        vm.prank(alice);
        reg.setApprovalForAll(carol, true);
        vm.prank(carol);
        reg.setMetadataURI(a, "ipfs://v4");
        assertEq(reg.tokenURI(a), "ipfs://v4");
    }

    function test_setMetadataURI_allowedWhenDeprecated() public {
        uint256 a = _root(alice);
        vm.startPrank(alice);
        reg.deprecate(a);
        reg.setMetadataURI(a, "ipfs://retired");
        vm.stopPrank();
        assertEq(reg.tokenURI(a), "ipfs://retired");
    }

    function test_setMetadataURI_revertsUnauthorized() public {
        uint256 a = _root(alice);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.Unauthorized.selector, a, bob));
        vm.prank(bob);
        reg.setMetadataURI(a, "x");
    }

    function test_setMetadataURI_revertsNonexistent() public {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 1));
        reg.setMetadataURI(1, "x");
    }

    function test_setMetadataURI_revertsTooLong() public {
        uint256 a = _root(alice);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.URITooLong.selector, 2049));
        vm.prank(alice);
        reg.setMetadataURI(a, string(new bytes(2049)));
    }

    /* SET FEE SPLIT */

    function test_setFeeSplit() public {
        uint256 a = _root(alice);
        vm.roll(777);
        vm.expectEmit(true, true, true, true, address(reg));
        emit FeeSplitUpdated(a, 1000, 8000, 1000, 777);
        vm.prank(alice);
        reg.setFeeSplit(a, _split(1000, 8000, 1000));
        (bool active, IModelRegistry.FeeSplit memory s) = reg.inferenceTerms(a);
        assertTrue(active);
        assertEq(s.ownerBps, 1000);
        assertEq(s.dataBps, 8000);
        assertEq(s.agentBps, 1000);
        IModelRegistry.FeeSplit memory f = reg.feeSplitOf(a);
        assertEq(f.dataBps, 8000);
    }

    function test_setFeeSplit_byApproved() public {
        uint256 a = _root(alice);
        vm.prank(alice);
        reg.approve(bob, a);
        vm.prank(bob);
        reg.setFeeSplit(a, _split(0, 10_000, 0));
        assertEq(reg.feeSplitOf(a).dataBps, 10_000);
    }

    function test_setFeeSplit_revertsInvalid() public {
        uint256 a = _root(alice);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.InvalidSplit.selector, 1000, 8000, 0));
        vm.prank(alice);
        reg.setFeeSplit(a, _split(1000, 8000, 0));
    }

    function test_setFeeSplit_revertsUnauthorized() public {
        uint256 a = _root(alice);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.Unauthorized.selector, a, bob));
        vm.prank(bob);
        reg.setFeeSplit(a, _defaultSplit());
    }

    function test_setFeeSplit_revertsNonexistent() public {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 5));
        reg.setFeeSplit(5, _defaultSplit());
    }

    function test_setFeeSplit_revertsDeprecated() public {
        uint256 a = _root(alice);
        vm.startPrank(alice);
        reg.deprecate(a);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelIsDeprecated.selector, a));
        reg.setFeeSplit(a, _defaultSplit());
        vm.stopPrank();
    }

    /* DEPRECATE */

    function test_deprecate() public {
        uint256 a = _root(alice);
        uint256 c = _child(bob, a, 100);
        vm.expectEmit(true, true, true, true, address(reg));
        emit ModelDeprecated(a, alice);
        vm.prank(alice);
        reg.deprecate(a);
        assertTrue(reg.isDeprecated(a));
        assertTrue(reg.getModel(a).deprecated);
        (bool active, IModelRegistry.FeeSplit memory s) = reg.inferenceTerms(a);
        assertFalse(active);
        assertEq(s.ownerBps, 5000, "split still reported");
        // Children are unaffected.
        (active,) = reg.inferenceTerms(c);
        assertTrue(active);
        assertEq(reg.parentsOf(c)[0].modelId, a);
    }

    function test_deprecate_revertsTwice() public {
        uint256 a = _root(alice);
        vm.startPrank(alice);
        reg.deprecate(a);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelIsDeprecated.selector, a));
        reg.deprecate(a);
        vm.stopPrank();
    }

    function test_deprecate_revertsUnauthorized() public {
        uint256 a = _root(alice);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.Unauthorized.selector, a, bob));
        vm.prank(bob);
        reg.deprecate(a);
    }

    function test_deprecate_revertsNonexistent() public {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 3));
        reg.deprecate(3);
    }

    /* TRANSFER */

    function test_transfer_movesControl() public {
        uint256 a = _root(alice);
        vm.prank(alice);
        reg.transferFrom(alice, bob, a);
        assertEq(reg.ownerOf(a), bob);
        assertEq(reg.getModel(a).owner, bob);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.Unauthorized.selector, a, alice));
        vm.prank(alice);
        reg.setMetadataURI(a, "x");
        vm.prank(bob);
        reg.setMetadataURI(a, "x");
        assertEq(reg.tokenURI(a), "x");
    }

    /* VIEWS ON UNKNOWN IDS */

    function test_views_unknownModel() public {
        (bool active, IModelRegistry.FeeSplit memory s) = reg.inferenceTerms(0);
        assertFalse(active);
        assertEq(uint256(s.ownerBps) + s.dataBps + s.agentBps, 0);
        (active,) = reg.inferenceTerms(1);
        assertFalse(active);
        assertEq(reg.parentsOf(1).length, 0);
        assertEq(reg.trainingSetOf(1).length, 0);
        assertEq(reg.ancestorCount(1), 0);
        assertFalse(reg.isDeprecated(1));
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 1));
        reg.getModel(1);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 1));
        reg.tokenURI(1);
    }

    function test_supportsInterface() public view {
        assertTrue(reg.supportsInterface(0x80ac58cd)); // ERC-721
        assertTrue(reg.supportsInterface(0x5b5e139f)); // ERC-721 metadata
        assertFalse(reg.supportsInterface(0xdeadbeef));
    }

    /* GAS */

    function test_gas_register() public {
        uint256 a = _root(alice);
        uint256 b = _root(alice);
        ModelRegistry.Parent[] memory ps = new ModelRegistry.Parent[](2);
        ps[0] = ModelRegistry.Parent({modelId: a, relation: ModelRegistry.Relation.Merge, royaltyBps: 1000});
        ps[1] = ModelRegistry.Parent({modelId: b, relation: ModelRegistry.Relation.Merge, royaltyBps: 1000});
        ModelRegistry.TrainingSet[] memory sets = new ModelRegistry.TrainingSet[](2);
        sets[0] = ModelRegistry.TrainingSet({datanetId: 1, version: 1});
        sets[1] = ModelRegistry.TrainingSet({datanetId: 2, version: 5});
        vm.prank(bob);
        vm.cool(address(reg));
        uint256 g = gasleft();
        reg.register(
            "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", sets, ps, _defaultSplit()
        );
        emit log_named_uint("register: 2 parents, 2 datanets", g - gasleft());
        vm.cool(address(reg));
        g = gasleft();
        reg.inferenceTerms(3);
        emit log_named_uint("inferenceTerms", g - gasleft());
        vm.cool(address(reg));
        vm.prank(bob);
        g = gasleft();
        reg.register(
            "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
            _noSets(),
            _noParents(),
            _defaultSplit()
        );
        emit log_named_uint("register: root, no datanets", g - gasleft());
        vm.cool(address(reg));
        vm.prank(bob);
        g = gasleft();
        reg.setFeeSplit(4, _split(4000, 5000, 1000));
        emit log_named_uint("setFeeSplit", g - gasleft());
    }
}
