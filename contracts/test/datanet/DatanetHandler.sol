// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {DatanetRegistry} from "../../src/DatanetRegistry.sol";
import {DatanetTestToken} from "./DatanetTestToken.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Drives the registry with random actions by several actors and checks, after every successful
/// action, that statuses moved along legal edges, that each bond was settled at most once, and that the
/// registry's balance moved by exactly the bonds that came in and went out.
/// @dev Violations are recorded in ghost variables (a failing assert inside a handler would only count as a
/// revert) and checked by the invariant_ functions.
contract DatanetHandler is Test {
    DatanetRegistry public immutable reg;
    DatanetTestToken public immutable token;
    bool public immutable misbehavingToken;

    address[] internal actors;
    uint256[] public datanets;

    // Snapshot of every contribution after the last action.
    mapping(uint256 => DatanetRegistry.Status) internal lastStatus;
    mapping(uint256 => bool) internal lastSettled;
    mapping(uint256 => uint256) public settleCount;
    uint256 public knownContributions;

    // Ghosts.
    uint256 public ghostBondsIn;
    uint256 public ghostBondsOut;
    uint256 public illegalEdges;
    uint256 public unsettles;
    uint256 public doubleSettles;
    uint256 public flowMismatches;
    uint256 public statusSettledMismatches;
    mapping(bytes32 => uint256) public calls;

    constructor(DatanetRegistry reg_, DatanetTestToken token_, bool misbehavingToken_) {
        reg = reg_;
        token = token_;
        misbehavingToken = misbehavingToken_;
        for (uint256 i; i < 5; ++i) {
            address a = makeAddr(string.concat("actor", vm.toString(i)));
            actors.push(a);
            vm.prank(a);
            token.approve(address(reg), type(uint256).max);
        }
    }

    /* ACTIONS */

    function createDatanet(uint256 ownerSeed, uint128 bond, bool curated, uint64 period, bool ownTreasury)
        external
    {
        if (datanets.length >= 6) return;
        address o = _actor(ownerSeed);
        address treasury = ownTreasury ? address(0) : makeAddr("invariant-treasury");
        bond = uint128(bound(bond, 0, 1000e18));
        period = uint64(bound(period, 0, 3 days));
        uint256 before = token.balanceOf(address(reg));
        vm.startPrank(o);
        uint256 id = reg.createDatanet("ipfs://d", _policy(bond, curated, period), treasury);
        reg.setCurator(id, _actor(ownerSeed % actors.length + 1), true);
        vm.stopPrank();
        datanets.push(id);
        _sync(before, "createDatanet");
    }

    function setPolicy(uint256 datanetSeed, uint128 bond, bool curated, uint64 period) external {
        if (datanets.length == 0) return;
        uint256 id = _datanet(datanetSeed);
        bond = uint128(bound(bond, 0, 1000e18));
        period = uint64(bound(period, 0, 3 days));
        uint256 before = token.balanceOf(address(reg));
        vm.prank(reg.datanetOwner(id));
        reg.setPolicy(id, _policy(bond, curated, period));
        _sync(before, "setPolicy");
    }

    function submit(uint256 actorSeed, uint256 datanetSeed, uint256 hashSeed, uint64 size) external {
        if (datanets.length == 0) return;
        address who = _actor(actorSeed);
        uint256 id = _datanet(datanetSeed);
        // A small hash space so that duplicates, rejections and resubmissions after withdrawal happen.
        bytes32 h = keccak256(abi.encode(hashSeed % 12));
        token.mint(who, reg.getDatanet(id).policy.bond);
        uint256 before = token.balanceOf(address(reg));
        vm.prank(who);
        reg.submitContribution(id, h, "ipfs://c", size);
        _sync(before, "submit");
    }

    struct PendingCommit {
        uint256 id;
        address who;
        bytes32 contentHash;
        bytes32 salt;
    }

    PendingCommit[] internal commits;

    function commit(uint256 actorSeed, uint256 hashSeed, bytes32 salt) external {
        address who = _actor(actorSeed);
        bytes32 h = keccak256(abi.encode(hashSeed % 12));
        uint256 before = token.balanceOf(address(reg));
        vm.prank(who);
        uint256 id = reg.commitContribution(reg.contributionCommitment(h, who, salt));
        commits.push(PendingCommit({id: id, who: who, contentHash: h, salt: salt}));
        _sync(before, "commit");
    }

    /// @dev Reveals a pending commit a block or more later (it may have expired after warps, or
    /// find its hash taken by a lower id: then it reverts and nothing changes).
    function reveal(uint256 commitSeed, uint256 datanetSeed, uint8 blocks) external {
        if (datanets.length == 0 || commits.length == 0) return;
        uint256 k = commitSeed % commits.length;
        PendingCommit memory c = commits[k];
        commits[k] = commits[commits.length - 1];
        commits.pop();
        uint256 id = _datanet(datanetSeed);
        vm.roll(block.number + 1 + blocks % 4);
        token.mint(c.who, reg.getDatanet(id).policy.bond);
        uint256 before = token.balanceOf(address(reg));
        vm.prank(c.who);
        reg.revealContribution(c.id, id, c.contentHash, "ipfs://c", 1, c.salt);
        if (reg.contributionOf(id, c.contentHash) != c.id) ++orderViolations;
        _sync(before, "reveal");
    }

    /// @dev Successful reveals that did not end up holding their hash.
    uint256 public orderViolations;

    function accept(uint256 contributionSeed, bool byOwner) external {
        (bool ok, uint256 cid) = _contribution(contributionSeed);
        if (!ok) return;
        uint256 before = token.balanceOf(address(reg));
        vm.prank(_reviewer(reg.getContribution(cid).datanetId, byOwner));
        reg.acceptContribution(cid);
        _sync(before, "accept");
    }

    function acceptBatch(uint256 datanetSeed, uint256 mask, bool byOwner) external {
        if (datanets.length == 0) return;
        uint256 id = _datanet(datanetSeed);
        uint256[] memory ids = _pick(id, mask, DatanetRegistry.Status.Pending);
        uint256 before = token.balanceOf(address(reg));
        vm.prank(_reviewer(id, byOwner));
        reg.acceptContributions(id, ids);
        _sync(before, "acceptBatch");
    }

    function reject(uint256 contributionSeed, bool byOwner, bytes32 reason) external {
        (bool ok, uint256 cid) = _contribution(contributionSeed);
        if (!ok) return;
        uint256 before = token.balanceOf(address(reg));
        vm.prank(_reviewer(reg.getContribution(cid).datanetId, byOwner));
        reg.rejectContribution(cid, reason);
        _sync(before, "reject");
    }

    function rejectBatch(uint256 datanetSeed, uint256 mask, bool byOwner) external {
        if (datanets.length == 0) return;
        uint256 id = _datanet(datanetSeed);
        uint256[] memory pend = _pick(id, mask, DatanetRegistry.Status.Pending);
        uint256[] memory acc = _pick(id, mask >> 128, DatanetRegistry.Status.Accepted);
        uint256[] memory ids = new uint256[](pend.length + acc.length);
        for (uint256 i; i < pend.length; ++i) {
            ids[i] = pend[i];
        }
        for (uint256 i; i < acc.length; ++i) {
            ids[pend.length + i] = acc[i];
        }
        uint256 before = token.balanceOf(address(reg));
        vm.prank(_reviewer(id, byOwner));
        reg.rejectContributions(id, ids, "batch");
        _sync(before, "rejectBatch");
    }

    function withdraw(uint256 contributionSeed, uint256 actorSeed, bool asContributor) external {
        (bool ok, uint256 cid) = _contribution(contributionSeed);
        if (!ok) return;
        uint256 before = token.balanceOf(address(reg));
        vm.prank(asContributor ? reg.getContribution(cid).contributor : _actor(actorSeed));
        reg.withdrawContribution(cid);
        _sync(before, "withdraw");
    }

    function release(uint256 contributionSeed, uint256 actorSeed, bool asContributor) external {
        (bool ok, uint256 cid) = _contribution(contributionSeed);
        if (!ok) return;
        uint256 before = token.balanceOf(address(reg));
        vm.prank(asContributor ? reg.getContribution(cid).contributor : _actor(actorSeed));
        reg.releaseBond(cid);
        _sync(before, "release");
    }

    function releaseMany(uint256 actorSeed, uint256 mask) external {
        address who = _actor(actorSeed);
        uint256 n = reg.contributionCount();
        uint256[] memory buf = new uint256[](n);
        uint256 k;
        for (uint256 i = 1; i <= n && i <= 256; ++i) {
            if ((mask >> (i - 1)) & 1 == 1 && reg.getContribution(i).contributor == who) buf[k++] = i;
        }
        uint256[] memory ids = new uint256[](k);
        for (uint256 i; i < k; ++i) {
            ids[i] = buf[i];
        }
        uint256 before = token.balanceOf(address(reg));
        vm.prank(who);
        reg.releaseBonds(ids);
        _sync(before, "releaseMany");
    }

    function warp(uint32 secs) external {
        vm.warp(block.timestamp + bound(secs, 0, 2 days));
        ++calls["warp"];
    }

    /// @dev Only in the misbehaving-token variant: switch a transfer fee (short delivery) or a bonus
    /// (over-delivery) on or off.
    function setTokenBehaviour(uint16 feeBps, uint64 bonus, uint8 mode) external {
        if (!misbehavingToken) return;
        mode %= 3;
        token.setFeeBps(mode == 1 ? uint16(bound(feeBps, 1, 5000)) : 0);
        token.setBonus(mode == 2 ? bonus : 0);
        ++calls["setTokenBehaviour"];
    }

    /* CHECKS */

    /// @dev Compares every contribution with its last snapshot and the registry's balance movement.
    function _sync(uint256 balanceBefore, bytes32 action) internal {
        ++calls[action];
        uint256 n = reg.contributionCount();
        uint256 bondsIn;
        uint256 bondsOut;
        for (uint256 i = 1; i <= n; ++i) {
            DatanetRegistry.Contribution memory c = reg.getContribution(i);
            DatanetRegistry.Status prev = lastStatus[i];
            bool prevSettled = lastSettled[i];
            if (c.status != prev && !_legal(prev, c.status, prevSettled)) ++illegalEdges;
            if (prev == DatanetRegistry.Status.None) bondsIn += c.bond;
            if (prevSettled && !c.bondSettled) ++unsettles;
            if (c.bondSettled && !prevSettled) {
                if (++settleCount[i] > 1) ++doubleSettles;
                bondsOut += c.bond;
            }
            if (!_consistent(c)) ++statusSettledMismatches;
            lastStatus[i] = c.status;
            lastSettled[i] = c.bondSettled;
        }
        knownContributions = n;
        ghostBondsIn += bondsIn;
        ghostBondsOut += bondsOut;
        if (token.balanceOf(address(reg)) + bondsOut != balanceBefore + bondsIn) ++flowMismatches;
    }

    function _legal(DatanetRegistry.Status from, DatanetRegistry.Status to, bool fromSettled)
        internal
        pure
        returns (bool)
    {
        if (from == DatanetRegistry.Status.None) {
            return to == DatanetRegistry.Status.Pending || to == DatanetRegistry.Status.Accepted;
        }
        if (from == DatanetRegistry.Status.Pending) {
            return to == DatanetRegistry.Status.Accepted || to == DatanetRegistry.Status.Rejected
                || to == DatanetRegistry.Status.Withdrawn;
        }
        if (from == DatanetRegistry.Status.Accepted) {
            return to == DatanetRegistry.Status.Rejected && !fromSettled;
        }
        return false; // Rejected and Withdrawn are final
    }

    function _consistent(DatanetRegistry.Contribution memory c) internal pure returns (bool) {
        if (c.status == DatanetRegistry.Status.Pending) return !c.bondSettled;
        if (c.status == DatanetRegistry.Status.Rejected || c.status == DatanetRegistry.Status.Withdrawn) {
            return c.bondSettled;
        }
        return true;
    }

    /* HELPERS */

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function datanetCount() external view returns (uint256) {
        return datanets.length;
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % actors.length];
    }

    function _datanet(uint256 seed) internal view returns (uint256) {
        return datanets[seed % datanets.length];
    }

    function _contribution(uint256 seed) internal view returns (bool, uint256) {
        uint256 n = reg.contributionCount();
        if (n == 0) return (false, 0);
        return (true, seed % n + 1);
    }

    function _reviewer(uint256 datanetId, bool byOwner) internal view returns (address) {
        address o = reg.datanetOwner(datanetId);
        if (byOwner) return o;
        for (uint256 i; i < actors.length; ++i) {
            if (actors[i] != o && reg.isCurator(datanetId, actors[i])) return actors[i];
        }
        return o;
    }

    /// @dev Contributions of `datanetId` in `status` whose bit is set in `mask` (ids up to 128).
    function _pick(uint256 datanetId, uint256 mask, DatanetRegistry.Status status)
        internal
        view
        returns (uint256[] memory ids)
    {
        uint256 n = reg.contributionCount();
        uint256[] memory buf = new uint256[](n);
        uint256 k;
        for (uint256 i = 1; i <= n && i <= 128; ++i) {
            DatanetRegistry.Contribution memory c = reg.getContribution(i);
            if ((mask >> (i - 1)) & 1 == 1 && c.datanetId == datanetId && c.status == status) buf[k++] = i;
        }
        ids = new uint256[](k);
        for (uint256 i; i < k; ++i) {
            ids[i] = buf[i];
        }
    }

    function _policy(uint128 bond, bool curated, uint64 period)
        internal
        pure
        returns (DatanetRegistry.Policy memory)
    {
        return DatanetRegistry.Policy({bond: bond, curated: curated, reviewPeriod: period});
    }
}
