// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ModelRegistry} from "../../src/ModelRegistry.sol";
import {IModelRegistry} from "../../src/interfaces/IModelRegistry.sol";
import {ModelRegistryBase} from "./ModelRegistry.t.sol";

contract ModelRegistryFuzzTest is ModelRegistryBase {
    function testFuzz_register_splitMustSumTo10000(uint16 o, uint16 d, uint16 a) public {
        bool valid = uint256(o) + d + a == 10_000;
        if (!valid) {
            vm.expectRevert(abi.encodeWithSelector(ModelRegistry.InvalidSplit.selector, o, d, a));
        }
        vm.prank(alice);
        uint256 id = reg.register("u", _noSets(), _noParents(), _split(o, d, a));
        if (valid) {
            (bool active, IModelRegistry.FeeSplit memory s) = reg.inferenceTerms(id);
            assertTrue(active);
            assertEq(s.ownerBps, o);
            assertEq(s.dataBps, d);
            assertEq(s.agentBps, a);
        } else {
            assertEq(reg.modelCount(), 0);
        }
    }

    function testFuzz_setFeeSplit_validSplitsOnly(uint16 o, uint16 d) public {
        uint256 id = _root(alice);
        o = uint16(bound(o, 0, 10_000));
        d = uint16(bound(d, 0, 10_000 - o));
        uint16 a = uint16(10_000 - o - d);
        vm.prank(alice);
        reg.setFeeSplit(id, _split(o, d, a));
        IModelRegistry.FeeSplit memory s = reg.feeSplitOf(id);
        assertEq(uint256(s.ownerBps) + s.dataBps + s.agentBps, 10_000);
        assertEq(s.ownerBps, o);
        assertEq(s.agentBps, a);

        // Off by one in either direction is refused, and the split stays.
        vm.startPrank(alice);
        if (a > 0) {
            vm.expectRevert(abi.encodeWithSelector(ModelRegistry.InvalidSplit.selector, o, d, a - 1));
            reg.setFeeSplit(id, _split(o, d, a - 1));
        }
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.InvalidSplit.selector, o, d, a + 1));
        reg.setFeeSplit(id, _split(o, d, a + 1));
        vm.stopPrank();
        assertEq(reg.feeSplitOf(id).agentBps, a);
    }

    function testFuzz_register_royaltyStack(uint16[8] memory royalties, uint8 n) public {
        n = uint8(bound(n, 1, 8));
        ModelRegistry.Parent[] memory ps = new ModelRegistry.Parent[](n);
        uint256 total;
        for (uint256 i; i < n; ++i) {
            // Mostly small values so that both outcomes happen often.
            uint16 r = uint16(bound(royalties[i], 0, 3000));
            total += r;
            ps[i] = ModelRegistry.Parent({
                modelId: _root(alice), relation: ModelRegistry.Relation.Merge, royaltyBps: r
            });
        }
        uint256 before = reg.modelCount();
        if (total > 10_000) {
            vm.expectRevert(abi.encodeWithSelector(ModelRegistry.RoyaltyTooHigh.selector, total));
        }
        vm.prank(bob);
        reg.register("u", _noSets(), ps, _defaultSplit());
        if (total <= 10_000) {
            assertEq(reg.royaltyBpsTotal(before + 1), total);
            assertEq(reg.parentsOf(before + 1).length, n);
        } else {
            assertEq(reg.modelCount(), before);
        }
    }

    /// @dev Builds a random DAG and checks the ancestor count against an independent recomputation and the
    /// bound, and that every refusal is exactly a bound violation.
    function testFuzz_register_ancestorBound(uint256 seed) public {
        uint256[] memory count = new uint256[](41);
        for (uint256 k = 1; k <= 40; ++k) {
            seed = uint256(keccak256(abi.encode(seed)));
            uint256 existing = reg.modelCount();
            uint256 n = existing == 0 ? 0 : seed % 4; // up to 3 parents
            ModelRegistry.Parent[] memory ps = new ModelRegistry.Parent[](n);
            uint256 expected;
            for (uint256 i; i < n; ++i) {
                // Distinct parents: walk down from a random start.
                uint256 pid = existing - ((uint256(keccak256(abi.encode(seed, i))) % existing + i) % existing);
                ps[i] = ModelRegistry.Parent({
                    modelId: pid, relation: ModelRegistry.Relation.FineTune, royaltyBps: 0
                });
            }
            // Deduplicate (a duplicate would be a different revert).
            for (uint256 i; i < n; ++i) {
                for (uint256 j; j < i; ++j) {
                    if (ps[j].modelId == ps[i].modelId) ps[i].modelId = 0;
                }
            }
            uint256 m;
            for (uint256 i; i < n; ++i) {
                if (ps[i].modelId != 0) ps[m++] = ps[i];
            }
            assembly {
                mstore(ps, m)
            }
            for (uint256 i; i < m; ++i) {
                expected += count[ps[i].modelId] + 1;
            }
            if (expected > 64) {
                vm.expectRevert(abi.encodeWithSelector(ModelRegistry.TooManyAncestors.selector, expected));
                reg.register("u", _noSets(), ps, _defaultSplit());
                // Register a root instead, so ids keep moving.
                expected = 0;
                ps = _noParents();
            }
            uint256 id = reg.register("u", _noSets(), ps, _defaultSplit());
            count[id] = expected;
            assertEq(reg.ancestorCount(id), expected);
            assertLe(reg.ancestorCount(id), reg.MAX_ANCESTORS());
        }
    }

    function testFuzz_register_parentMustBeOlder(uint256 parentId, uint8 existing) public {
        existing = uint8(bound(existing, 0, 5));
        for (uint256 i; i < existing; ++i) {
            _root(alice);
        }
        bool valid = parentId >= 1 && parentId <= existing;
        if (!valid) {
            vm.expectRevert(abi.encodeWithSelector(ModelRegistry.UnknownParent.selector, parentId));
        }
        uint256 id = reg.register("u", _noSets(), _oneParent(parentId, 0), _defaultSplit());
        if (valid) {
            assertLt(reg.parentsOf(id)[0].modelId, id);
        }
    }
}
