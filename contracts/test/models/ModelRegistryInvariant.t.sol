// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ModelRegistry} from "../../src/ModelRegistry.sol";
import {IModelRegistry} from "../../src/interfaces/IModelRegistry.sol";
import {Test} from "forge-std/Test.sol";

/// @dev Drives the registry with random registrations (random existing parents, random royalties, sometimes
/// invalid on purpose), deprecations, split changes and transfers. It predicts every outcome independently and
/// counts mispredictions.
contract LineageHandler is Test {
    ModelRegistry public reg;
    address[3] internal actors = [address(0xA11CE), address(0xB0B), address(0xCA401)];

    // Ghosts.
    uint256 public mispredictions;
    uint256 public registered;
    uint256 public refused;
    mapping(uint256 modelId => uint256) public ghostAncestors;
    mapping(uint256 modelId => uint256) public ghostRoyalty;
    mapping(uint256 modelId => uint256) public ghostParentCount;
    /// @dev modelCount at the moment a model was deprecated (0 if never).
    mapping(uint256 modelId => uint256) public deprecatedAtCount;

    constructor(ModelRegistry reg_) {
        reg = reg_;
    }

    function register(uint256 seed, uint8 nParents, uint16 royaltyScale) external {
        uint256 existing = reg.modelCount();
        // Mostly 0..min(existing, 8) distinct parents; 1 in 16: 9 parents (over MAX_PARENTS).
        uint256 n = existing == 0 ? 0 : _bound(nParents, 0, existing < 8 ? existing : 8);
        if (existing != 0 && seed % 16 == 1) n = 9;
        ModelRegistry.Parent[] memory ps = new ModelRegistry.Parent[](n);
        uint256 maxRoyalty = _bound(royaltyScale, 0, 2500);
        uint256 start = existing == 0 ? 0 : seed % existing;
        for (uint256 i; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            ps[i] = ModelRegistry.Parent({
                modelId: existing - ((start + i) % existing), // distinct while i < existing
                // forge-lint: disable-next-line(unsafe-typecast)
                relation: ModelRegistry.Relation(uint8(r % 4)),
                royaltyBps: uint16(maxRoyalty == 0 ? 0 : (r >> 8) % (maxRoyalty + 1))
            });
        }
        // Sometimes break it on purpose: a duplicate, an unknown id, or id 0.
        if (n > 1 && seed % 16 == 2) ps[n - 1].modelId = ps[0].modelId;
        if (n > 0 && seed % 16 == 3) ps[n - 1].modelId = existing + 1;
        if (n > 0 && seed % 16 == 4) ps[0].modelId = 0;

        // Independent prediction of the outcome.
        bool ok = n <= 8;
        uint256 ancestors;
        uint256 royalty;
        for (uint256 i; ok && i < n; ++i) {
            uint256 pid = ps[i].modelId;
            if (pid == 0 || pid > existing) ok = false;
            for (uint256 j; j < i; ++j) {
                if (ps[j].modelId == pid) ok = false;
            }
            if (ok && reg.isDeprecated(pid)) ok = false;
            ancestors += ghostAncestors[pid] + 1;
            royalty += ps[i].royaltyBps;
        }
        if (ancestors > 64 || royalty > 10_000) ok = false;

        address who = actors[seed % 3];
        vm.prank(who);
        try reg.register(
            "u", new ModelRegistry.TrainingSet[](0), ps, IModelRegistry.FeeSplit(5000, 4000, 1000)
        ) returns (
            uint256 id
        ) {
            if (!ok) mispredictions++;
            registered++;
            ghostAncestors[id] = ancestors;
            ghostRoyalty[id] = royalty;
            ghostParentCount[id] = n;
        } catch {
            if (ok) mispredictions++;
            refused++;
        }
    }

    function deprecate(uint256 idSeed) external {
        uint256 count = reg.modelCount();
        if (count == 0) return;
        if (idSeed % 4 != 0) return; // rare, or every model ends up deprecated
        uint256 id = 1 + ((idSeed / 4) % count);
        if (reg.isDeprecated(id)) return;
        vm.prank(reg.ownerOf(id));
        reg.deprecate(id);
        deprecatedAtCount[id] = count;
    }

    function setFeeSplit(uint256 idSeed, uint16 o, uint16 d) external {
        uint256 count = reg.modelCount();
        if (count == 0) return;
        uint256 id = 1 + (idSeed % count);
        if (reg.isDeprecated(id)) return;
        o = uint16(_bound(o, 0, 10_000));
        d = uint16(_bound(d, 0, 10_000 - o));
        vm.prank(reg.ownerOf(id));
        reg.setFeeSplit(id, IModelRegistry.FeeSplit(o, d, 10_000 - o - d));
    }

    function transfer(uint256 idSeed, uint256 toSeed) external {
        uint256 count = reg.modelCount();
        if (count == 0) return;
        uint256 id = 1 + (idSeed % count);
        address from = reg.ownerOf(id);
        vm.prank(from);
        reg.transferFrom(from, actors[toSeed % 3], id);
    }
}

contract ModelRegistryInvariantTest is Test {
    ModelRegistry internal reg;
    LineageHandler internal handler;

    function setUp() public {
        reg = new ModelRegistry();
        handler = new LineageHandler(reg);
        targetContract(address(handler));
    }

    /// @dev The search must actually build lineages, not only hit refusals.
    function afterInvariant() public view {
        assertGt(handler.registered(), 0, "nothing registered");
    }

    function invariant_predictionsHold() public view {
        assertEq(handler.mispredictions(), 0);
        assertEq(reg.modelCount(), handler.registered());
    }

    /// @dev Every parent is strictly older than its child (hence the lineage is acyclic), was not deprecated
    /// when the child was registered, and every bound holds.
    function invariant_lineageAcyclicAndBounded() public view {
        uint256 count = reg.modelCount();
        for (uint256 id = 1; id <= count; ++id) {
            ModelRegistry.Parent[] memory ps = reg.parentsOf(id);
            assertLe(ps.length, reg.MAX_PARENTS());
            assertEq(ps.length, handler.ghostParentCount(id));
            uint256 ancestors;
            uint256 royalty;
            for (uint256 i; i < ps.length; ++i) {
                assertLt(ps[i].modelId, id, "parent not older");
                assertGe(ps[i].modelId, 1);
                uint256 depAt = handler.deprecatedAtCount(ps[i].modelId);
                assertTrue(depAt == 0 || depAt >= id, "deprecated parent linked");
                for (uint256 j; j < i; ++j) {
                    assertTrue(ps[j].modelId != ps[i].modelId, "duplicate parent");
                }
                ancestors += reg.ancestorCount(ps[i].modelId) + 1;
                royalty += ps[i].royaltyBps;
            }
            assertEq(reg.ancestorCount(id), ancestors);
            assertEq(reg.ancestorCount(id), handler.ghostAncestors(id));
            assertLe(ancestors, reg.MAX_ANCESTORS());
            assertEq(reg.royaltyBpsTotal(id), royalty);
            assertEq(royalty, handler.ghostRoyalty(id));
            assertLe(royalty, 10_000);
        }
    }

    function invariant_splitsValidAndDeprecationReported() public view {
        uint256 count = reg.modelCount();
        for (uint256 id = 1; id <= count; ++id) {
            (bool active, IModelRegistry.FeeSplit memory s) = reg.inferenceTerms(id);
            assertEq(uint256(s.ownerBps) + s.dataBps + s.agentBps, 10_000);
            assertEq(active, handler.deprecatedAtCount(id) == 0);
        }
        (bool unknownActive,) = reg.inferenceTerms(count + 1);
        assertFalse(unknownActive);
    }
}
