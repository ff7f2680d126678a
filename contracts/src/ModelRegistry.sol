// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// @title ModelRegistry
/// @notice AI models as ERC-721 tokens ("OpenLedger Model", "OLMODEL", ids from 1), with an immutable
/// lineage (parents, relation, royalty to each parent), the datanets (and versions) each model was trained
/// on, and a fee split the owner may change going forward.
/// @dev Permissionless, no admin. One idea: who owns which model, what it descends from, what it was trained
/// on, and how its inference fees are split. Payments and attribution happen elsewhere (RewardEscrow, oracle).
///
/// Lineage is acyclic by construction: a parent must already exist when its child is registered, so every
/// parent id is strictly smaller than its child's id, and lineage never changes afterwards.
///
/// Bounds (in the spirit of Story Protocol's IP graph, which caps parents per IP and total ancestors):
/// - at most `MAX_PARENTS` parents, no duplicate, none deprecated;
/// - `ancestorCount(child) = sum over parents p of (ancestorCount(p) + 1) <= MAX_ANCESTORS`. This counts
///   ancestors WITH multiplicity: it is the number of lineage paths from the model to any ancestor, an upper
///   bound on the number of distinct ancestors (equal in a tree, larger in a diamond). It is exactly the
///   number of edges a recursive royalty walk visits, so it bounds the oracle's work per inference, and it is
///   O(parents) to compute on-chain. Depth is bounded by it too (depth <= ancestorCount <= 64);
/// - at most `MAX_DATANETS` training sets, each with a nonzero datanet id (below 2^192, to pack storage) and
///   a nonzero version, no datanet twice.
///
/// Datanets are NOT checked against the DatanetRegistry here (no cross-contract call, no coupling to its
/// ABI): ids and versions are recorded as claimed, and the indexer/oracle validates them off-chain. A model
/// naming a datanet or version that does not exist gets no training corpus from it.
///
/// Royalty stack (rule the oracle implements; integer arithmetic, floor division):
/// for one inference on model M with net fee F (after the protocol fee) and split (o, d, a):
///   ownerShare(M) = F * o / 10_000, dataShare = F * d / 10_000, agentShare = F * a / 10_000 (rounding dust
///   is allocated by the oracle's documented rule). Then, for an amount X received as "owner revenue" by a
///   model N (X = ownerShare(M) for N = M, or X = a royalty paid to N by one of its children):
///     for each parent p of N: royalty(N -> p) = X * royaltyBps(N, p) / 10_000, received by p as owner revenue
///     (and recursively split by p the same way); the owner of N keeps X - sum of those royalties.
/// Since sum(royaltyBps) over N's parents <= 10_000, no level pays out more than 100% of what it receives.
/// Royalties are computed with each model's lineage (immutable) and the split in force at the payment.
/// The split in force is the one of `ModelRegistered` from the registration block, then the one of the latest
/// `FeeSplitUpdated` at or before the payment (by block, then log index).
/// Trade-off, by design: royalties are a share of the owner's share, so an owner who lowers `ownerBps` lowers
/// what its ancestors receive too; every split change is public and timestamped by block.
///
/// Deprecated parents are refused: the owner retired the model, so nothing new is built on it; existing
/// children keep their lineage and keep paying its royalties.
contract ModelRegistry is ERC721, IModelRegistry {
    /* CONSTANTS */

    /// @notice Basis points denominator (100%).
    uint256 public constant BPS = 10_000;
    /// @notice Maximum number of direct parents of a model.
    uint256 public constant MAX_PARENTS = 8;
    /// @notice Maximum ancestor count (with multiplicity, see the contract NatSpec).
    uint256 public constant MAX_ANCESTORS = 64;
    /// @notice Maximum number of training sets (datanet, version) per model.
    uint256 public constant MAX_DATANETS = 32;
    /// @notice Maximum length of a metadata URI, in bytes.
    uint256 public constant MAX_URI_BYTES = 2048;

    /* TYPES */

    /// @notice How a model derives from a parent.
    enum Relation {
        FineTune,
        Adapter,
        Merge,
        Quantized
    }

    /// @notice A datanet and the version of it a model was trained on.
    struct TrainingSet {
        uint256 datanetId;
        uint64 version;
    }

    /// @notice A direct parent of a model.
    /// @param modelId The parent model (must exist and not be deprecated at registration).
    /// @param relation How the child derives from it.
    /// @param royaltyBps Share of the child's owner revenue owed to this parent (see the royalty stack rule).
    struct Parent {
        uint256 modelId;
        Relation relation;
        uint16 royaltyBps;
    }

    /// @notice Everything about a model, for views.
    struct ModelView {
        address owner;
        string uri;
        FeeSplit split;
        bool deprecated;
        uint64 createdAt;
        uint16 ancestorCount;
        uint16 royaltyBpsTotal;
        Parent[] parents;
        TrainingSet[] datanets;
    }

    /// @dev One storage slot: split (48 bits) + registered + deprecated + createdAt + ancestorCount +
    /// royaltyBpsTotal. `inferenceTerms` reads this slot only.
    struct ModelState {
        FeeSplit split;
        bool registered;
        bool deprecated;
        uint64 createdAt;
        uint16 ancestorCount;
        uint16 royaltyBpsTotal;
    }

    /// @dev A parent in one storage slot. Model ids are a counter, far below 2^64.
    struct StoredParent {
        uint64 modelId;
        Relation relation;
        uint16 royaltyBps;
    }

    /// @dev A training set in one storage slot (datanet ids above 2^192 - 1 are refused).
    struct StoredTrainingSet {
        uint192 datanetId;
        uint64 version;
    }

    /* STORAGE */

    /// @notice Number of models registered; model ids are 1..modelCount.
    uint256 public modelCount;

    mapping(uint256 modelId => ModelState) internal _state;
    mapping(uint256 modelId => string) internal _uri;
    // Written through storage references (`stored.push`), which Slither does not follow.
    // slither-disable-next-line uninitialized-state
    mapping(uint256 modelId => StoredParent[]) internal _parents;
    // slither-disable-next-line uninitialized-state
    mapping(uint256 modelId => StoredTrainingSet[]) internal _datanets;

    /* EVENTS */

    /// @notice A model was registered (followed by one `ParentLinked` per parent and one `TrainedOn` per
    /// training set, in the order given).
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
    /// @notice `child` derives from `parent` (`relation` is the uint8 of `Relation`).
    event ParentLinked(uint256 indexed child, uint256 indexed parent, Relation relation, uint16 royaltyBps);
    /// @notice `modelId` was trained on `version` of `datanetId` (recorded as claimed, see contract NatSpec).
    event TrainedOn(uint256 indexed modelId, uint256 indexed datanetId, uint64 version);
    /// @notice The metadata URI of `modelId` changed.
    event ModelMetadataUpdated(uint256 indexed modelId, string uri, address indexed by);
    /// @notice The split of `modelId` changed; it applies to payments from block `effectiveFromBlock`.
    event FeeSplitUpdated(
        uint256 indexed modelId, uint16 ownerBps, uint16 dataBps, uint16 agentBps, uint256 effectiveFromBlock
    );
    /// @notice `modelId` was deprecated (irreversible): it takes no new inferences and cannot become a parent.
    event ModelDeprecated(uint256 indexed modelId, address indexed by);

    /* ERRORS */

    /// @notice The split does not add up to exactly 10_000 bps.
    error InvalidSplit(uint16 ownerBps, uint16 dataBps, uint16 agentBps);
    /// @notice More than `MAX_PARENTS` parents.
    error TooManyParents(uint256 count);
    /// @notice More than `MAX_DATANETS` training sets.
    error TooManyDatanets(uint256 count);
    /// @notice The ancestor count (with multiplicity) would exceed `MAX_ANCESTORS`.
    error TooManyAncestors(uint256 count);
    /// @notice A parent id does not name a registered model.
    error UnknownParent(uint256 parentId);
    /// @notice A parent is listed twice.
    error DuplicateParent(uint256 parentId);
    /// @notice A parent is deprecated.
    error DeprecatedParent(uint256 parentId);
    /// @notice The royalties to the parents add up to more than 10_000 bps.
    error RoyaltyTooHigh(uint256 totalBps);
    /// @notice A training set has datanet id 0 or version 0.
    error InvalidTrainingSet(uint256 datanetId, uint64 version);
    /// @notice A datanet is listed twice.
    error DuplicateDatanet(uint256 datanetId);
    /// @notice The URI is longer than `MAX_URI_BYTES`.
    error URITooLong(uint256 length);
    /// @notice `caller` is neither the owner of `modelId` nor approved for it.
    error Unauthorized(uint256 modelId, address caller);
    /// @notice The model is deprecated.
    error ModelIsDeprecated(uint256 modelId);

    /* CONSTRUCTOR */

    /// @notice Deploys the registry. No arguments, no admin: datanets are recorded as claimed (see above).
    constructor() ERC721("OpenLedger Model", "OLMODEL") {}

    /* EXTERNAL: REGISTRATION */

    /// @notice Registers a model and mints its token to the caller.
    /// @dev Uses `_mint` (no receiver callback): the token goes to `msg.sender`, who chose to call, and no
    /// external call happens during registration.
    /// @param uri Metadata URI (at most `MAX_URI_BYTES`).
    /// @param datanets Training sets: datanet ids in [1, 2^192), nonzero versions, no duplicate datanet, at
    /// most 32.
    /// @param parents Direct parents: existing, not deprecated, distinct, at most 8, royalties summing to
    /// at most 10_000 bps, ancestor count (with multiplicity) at most 64.
    /// @param split The fee split; its three parts must add up to exactly 10_000 bps.
    /// @return modelId The new model's id.
    function register(
        string calldata uri,
        TrainingSet[] calldata datanets,
        Parent[] calldata parents,
        FeeSplit calldata split
    ) external returns (uint256 modelId) {
        _checkURI(uri);
        _checkSplit(split);
        if (parents.length > MAX_PARENTS) revert TooManyParents(parents.length);
        if (datanets.length > MAX_DATANETS) revert TooManyDatanets(datanets.length);

        modelId = ++modelCount;
        (uint256 ancestors, uint256 royaltyTotal) = _linkParents(modelId, parents);
        _recordTrainingSets(modelId, datanets);

        _state[modelId] = ModelState({
            split: split,
            registered: true,
            deprecated: false,
            createdAt: uint64(block.number),
            // forge-lint: disable-next-line(unsafe-typecast)
            ancestorCount: uint16(ancestors), // <= MAX_ANCESTORS (64), checked in _linkParents
            // forge-lint: disable-next-line(unsafe-typecast)
            royaltyBpsTotal: uint16(royaltyTotal) // <= BPS (10_000), checked in _linkParents
        });
        _uri[modelId] = uri;

        _mint(msg.sender, modelId);
        _emitRegistered(modelId, uri, split, ancestors, parents, datanets);
    }

    /* EXTERNAL: OWNER ACTIONS */

    /// @notice Replaces the metadata URI of `modelId` (allowed on deprecated models too).
    /// @dev Caller must be the owner or approved (token approval or operator).
    function setMetadataURI(uint256 modelId, string calldata uri) external {
        _checkOwnerOrApproved(modelId);
        _checkURI(uri);
        _uri[modelId] = uri;
        emit ModelMetadataUpdated(modelId, uri, msg.sender);
    }

    /// @notice Changes the fee split of `modelId`; it applies from this block on (past payments keep the split
    /// they were made with). Lineage and royalties are immutable.
    /// @dev Caller must be the owner or approved. Refused on deprecated models.
    function setFeeSplit(uint256 modelId, FeeSplit calldata split) external {
        _checkOwnerOrApproved(modelId);
        _checkSplit(split);
        ModelState storage s = _state[modelId];
        if (s.deprecated) revert ModelIsDeprecated(modelId);
        s.split = split;
        emit FeeSplitUpdated(modelId, split.ownerBps, split.dataBps, split.agentBps, block.number);
    }

    /// @notice Deprecates `modelId`, irreversibly: `inferenceTerms` reports it inactive and it cannot be a
    /// parent of new models. Existing children, their lineage and royalties are unaffected.
    /// @dev Caller must be the owner or approved.
    function deprecate(uint256 modelId) external {
        _checkOwnerOrApproved(modelId);
        ModelState storage s = _state[modelId];
        if (s.deprecated) revert ModelIsDeprecated(modelId);
        s.deprecated = true;
        emit ModelDeprecated(modelId, msg.sender);
    }

    /* VIEWS */

    /// @inheritdoc IModelRegistry
    /// @dev Never reverts: an unknown model gives (false, 0/0/0).
    function inferenceTerms(uint256 modelId) external view returns (bool active, FeeSplit memory split) {
        ModelState storage s = _state[modelId];
        if (!s.registered) return (false, split);
        return (!s.deprecated, s.split);
    }

    /// @notice Whether `modelId` names a registered model (models are never burned).
    function exists(uint256 modelId) public view returns (bool) {
        return _state[modelId].registered;
    }

    /// @notice Everything about `modelId`. Reverts with `ERC721NonexistentToken` for an unknown id.
    function getModel(uint256 modelId) external view returns (ModelView memory m) {
        m.owner = _requireOwned(modelId);
        ModelState memory s = _state[modelId];
        m.uri = _uri[modelId];
        m.split = s.split;
        m.deprecated = s.deprecated;
        m.createdAt = s.createdAt;
        m.ancestorCount = s.ancestorCount;
        m.royaltyBpsTotal = s.royaltyBpsTotal;
        m.parents = _loadParents(modelId);
        m.datanets = _loadTrainingSets(modelId);
    }

    /// @notice The direct parents of `modelId` (empty for an unknown id).
    function parentsOf(uint256 modelId) external view returns (Parent[] memory) {
        return _loadParents(modelId);
    }

    /// @notice The training sets of `modelId` (empty for an unknown id).
    function trainingSetOf(uint256 modelId) external view returns (TrainingSet[] memory) {
        return _loadTrainingSets(modelId);
    }

    /// @notice The ancestor count of `modelId`, with multiplicity (0 for a root or unknown id).
    function ancestorCount(uint256 modelId) external view returns (uint256) {
        return _state[modelId].ancestorCount;
    }

    /// @notice The sum of the royalties `modelId` owes its parents, in bps of its owner revenue.
    function royaltyBpsTotal(uint256 modelId) external view returns (uint256) {
        return _state[modelId].royaltyBpsTotal;
    }

    /// @notice Whether `modelId` is deprecated.
    function isDeprecated(uint256 modelId) external view returns (bool) {
        return _state[modelId].deprecated;
    }

    /// @notice The current fee split of `modelId` (0/0/0 for an unknown id).
    function feeSplitOf(uint256 modelId) external view returns (FeeSplit memory) {
        return _state[modelId].split;
    }

    /// @notice The metadata URI of `modelId`.
    function tokenURI(uint256 modelId) public view override returns (string memory) {
        _requireOwned(modelId);
        return _uri[modelId];
    }

    /* INTERNAL */

    /// @dev Checks and stores the parents; returns the ancestor count and the royalty total.
    function _linkParents(uint256 modelId, Parent[] calldata parents)
        internal
        returns (uint256 ancestors, uint256 royaltyTotal)
    {
        uint256 parentCount = parents.length;
        StoredParent[] storage stored = _parents[modelId];
        for (uint256 i; i < parentCount; ++i) {
            Parent calldata p = parents[i];
            uint256 pid = p.modelId;
            // pid < modelId: the parent was registered before the child, hence acyclicity.
            if (pid == 0 || pid >= modelId) revert UnknownParent(pid);
            for (uint256 j; j < i; ++j) {
                if (parents[j].modelId == pid) revert DuplicateParent(pid);
            }
            ModelState storage ps = _state[pid];
            if (ps.deprecated) revert DeprecatedParent(pid);
            ancestors += uint256(ps.ancestorCount) + 1;
            royaltyTotal += p.royaltyBps;
            // forge-lint: disable-next-line(unsafe-typecast)
            stored.push(StoredParent({modelId: uint64(pid), relation: p.relation, royaltyBps: p.royaltyBps}));
        }
        if (ancestors > MAX_ANCESTORS) revert TooManyAncestors(ancestors);
        if (royaltyTotal > BPS) revert RoyaltyTooHigh(royaltyTotal);
    }

    /// @dev Checks and stores the training sets.
    function _recordTrainingSets(uint256 modelId, TrainingSet[] calldata datanets) internal {
        uint256 count = datanets.length;
        StoredTrainingSet[] storage stored = _datanets[modelId];
        for (uint256 i; i < count; ++i) {
            TrainingSet calldata t = datanets[i];
            if (t.datanetId == 0 || t.datanetId > type(uint192).max || t.version == 0) {
                revert InvalidTrainingSet(t.datanetId, t.version);
            }
            for (uint256 j; j < i; ++j) {
                if (datanets[j].datanetId == t.datanetId) revert DuplicateDatanet(t.datanetId);
            }
            // forge-lint: disable-next-line(unsafe-typecast)
            stored.push(StoredTrainingSet({datanetId: uint192(t.datanetId), version: t.version}));
        }
    }

    function _loadParents(uint256 modelId) internal view returns (Parent[] memory ps) {
        StoredParent[] storage stored = _parents[modelId];
        uint256 n = stored.length;
        ps = new Parent[](n);
        for (uint256 i; i < n; ++i) {
            StoredParent memory p = stored[i];
            ps[i] = Parent({modelId: p.modelId, relation: p.relation, royaltyBps: p.royaltyBps});
        }
    }

    function _loadTrainingSets(uint256 modelId) internal view returns (TrainingSet[] memory ts) {
        StoredTrainingSet[] storage stored = _datanets[modelId];
        uint256 n = stored.length;
        ts = new TrainingSet[](n);
        for (uint256 i; i < n; ++i) {
            StoredTrainingSet memory t = stored[i];
            ts[i] = TrainingSet({datanetId: t.datanetId, version: t.version});
        }
    }

    function _emitRegistered(
        uint256 modelId,
        string calldata uri,
        FeeSplit calldata split,
        uint256 ancestors,
        Parent[] calldata parents,
        TrainingSet[] calldata datanets
    ) internal {
        emit ModelRegistered(
            modelId,
            msg.sender,
            uri,
            split.ownerBps,
            split.dataBps,
            split.agentBps,
            // forge-lint: disable-next-line(unsafe-typecast)
            uint16(ancestors), // <= MAX_ANCESTORS, checked
            uint16(parents.length), // <= MAX_PARENTS, checked
            uint16(datanets.length)
        );
        for (uint256 i; i < parents.length; ++i) {
            emit ParentLinked(modelId, parents[i].modelId, parents[i].relation, parents[i].royaltyBps);
        }
        for (uint256 i; i < datanets.length; ++i) {
            emit TrainedOn(modelId, datanets[i].datanetId, datanets[i].version);
        }
    }

    function _checkOwnerOrApproved(uint256 modelId) internal view {
        address owner = _requireOwned(modelId);
        if (!_isAuthorized(owner, msg.sender, modelId)) revert Unauthorized(modelId, msg.sender);
    }

    function _checkSplit(FeeSplit calldata split) internal pure {
        if (uint256(split.ownerBps) + split.dataBps + split.agentBps != BPS) {
            revert InvalidSplit(split.ownerBps, split.dataBps, split.agentBps);
        }
    }

    function _checkURI(string calldata uri) internal pure {
        if (bytes(uri).length > MAX_URI_BYTES) revert URITooLong(bytes(uri).length);
    }
}
