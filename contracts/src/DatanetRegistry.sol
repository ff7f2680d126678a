// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDatanetRegistry} from "./interfaces/IDatanetRegistry.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title DatanetRegistry
/// @notice Datanets (community data sets), their curators and policy, bonded contributions and
/// published versions.
/// @dev Rules, in one place:
/// - Datanet ids and contribution ids both start at 1; contribution ids are global across datanets.
/// - A contribution snapshots the bond and the review deadline of its datanet's policy at submission;
///   later policy changes apply to later contributions only.
/// - Curated datanet: a contribution waits `Pending`. A curator (or the owner) accepts it (bond
///   refunded) or rejects it (bond slashed to the treasury). Unreviewed after its deadline, the
///   contributor may withdraw it (bond refunded, status `Withdrawn`). Acceptance stays possible
///   while it is `Pending`, even late.
/// - Open datanet: a contribution is `Accepted` at submission; its bond stays at risk until the review
///   deadline (a curator may still reject it as spam), after which the contributor reclaims it with
///   `releaseBond` (status stays `Accepted`).
/// - Rejection (slashing) is possible only up to and including the review deadline. Strictly after
///   the deadline, only the contributor acts (withdraw or release). So a contributor's bond is at risk
///   for a known window, and a curator cannot front-run a withdrawal to slash it.
/// - Content hashes: a content hash taken by a live (Pending or Accepted) or Rejected contribution
///   cannot be submitted again to the same datanet, by anyone. Rejected hashes stay taken as spam
///   protection (a slashed submission cannot be retried for free by another address). A withdrawn
///   contribution frees its hash: it was never judged, so an honest contributor may submit it again.
/// - Bonds are pulled with SafeERC20 and accounted by balance change: the registry records what it
///   received and refuses the submission if that is less than the bond asked. Tokens that take a fee
///   on transfer therefore only work with a zero bond.
/// - The registry's token balance equals the sum of the unsettled bonds it holds (plus anything sent
///   to it directly, which no one can take out). Each bond is settled exactly once.
/// - A zero treasury means the owner at the time it is set. The treasury can never be this contract.
/// - Order. Contribution ids are the submission order that owns text (the attribution oracle
///   credits text to the record that held it first, lowest id). `submitContribution` takes its id
///   when it is mined, so it is front-runnable: whoever sees it in the mempool can submit the same
///   or a derived record first. `commitContribution` reserves the next id for a salted commitment
///   `keccak256(abi.encode(contentHash, contributor, salt))` that says nothing of the content;
///   `revealContribution` fills that id at least one block later and within `REVEAL_WINDOW`. A
///   watcher who sees the reveal can only take a later id. An id reserved and never revealed is a
///   gap (status `None`).
/// - A reveal finds its hash taken in the datanet: by a lower id, it reverts as a submission would;
///   by a higher id (a copy submitted after the commit, e.g. ahead of the reveal), the reveal takes
///   the hash and the copy stays as it is (an exact copy of an earlier record earns nothing).
contract DatanetRegistry is IDatanetRegistry, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /* TYPES */

    /// @notice Life cycle of a contribution. `None` marks a contribution that does not exist.
    /// @dev Legal edges: None→Pending, None→Accepted (open), Pending→Accepted, Pending→Rejected,
    /// Pending→Withdrawn, Accepted→Rejected (open, before the deadline, bond unsettled).
    enum Status {
        None,
        Pending,
        Accepted,
        Rejected,
        Withdrawn
    }

    /// @notice What a datanet asks of new contributions.
    /// @param bond Bond pulled from the contributor at submission, in `BOND_TOKEN` units.
    /// @param curated True: contributions wait for review; false: accepted at once, rejectable until the deadline.
    /// @param reviewPeriod Seconds after submission during which the bond is at risk (at most `MAX_REVIEW_PERIOD`).
    struct Policy {
        uint128 bond;
        bool curated;
        uint64 reviewPeriod;
    }

    /// @notice A datanet. `owner == address(0)` means it does not exist.
    struct Datanet {
        address owner;
        uint64 latestVersion;
        address pendingOwner;
        address treasury;
        Policy policy;
        string uri;
    }

    /// @notice A contribution, packed into three storage slots.
    /// @dev Timestamps are uint40 (enough until year 36812); `reviewDeadline = submittedAt + reviewPeriod`.
    struct Contribution {
        address contributor;
        Status status;
        bool bondSettled;
        uint40 submittedAt;
        uint40 reviewDeadline;
        uint128 bond;
        uint64 datanetId;
        uint64 size;
        bytes32 contentHash;
    }

    /// @notice A reserved contribution id awaiting its reveal. `blockNumber == 0` means none.
    struct Commit {
        bytes32 commitment;
        uint64 blockNumber;
        uint40 committedAt;
    }

    /// @notice A published version of a datanet.
    struct Version {
        bytes32 commitment;
        uint64 acceptedCount;
        uint64 lastContributionId;
        uint64 publishedAt;
    }

    /* CONSTANTS AND IMMUTABLES */

    /// @notice Largest number of contributions handled by one batch call.
    uint256 public constant MAX_BATCH = 200;

    /// @notice How long after its commit a contribution can be revealed.
    uint64 public constant REVEAL_WINDOW = 1 days;

    /// @notice Longest review period a policy may set (bonds are never locked for longer).
    uint64 public constant MAX_REVIEW_PERIOD = 365 days;

    /// @notice The ERC-20 token every bond is paid in.
    IERC20 public immutable BOND_TOKEN;

    /* STORAGE */

    /// @notice Number of datanets created; datanet ids are 1..datanetCount.
    uint256 public datanetCount;

    /// @notice Number of contributions submitted; contribution ids are 1..contributionCount.
    uint256 public contributionCount;

    mapping(uint256 datanetId => Datanet) internal _datanets;
    mapping(uint256 contributionId => Contribution) internal _contributions;
    mapping(uint256 datanetId => mapping(address account => bool)) internal _curators;
    mapping(uint256 datanetId => mapping(bytes32 contentHash => uint256 contributionId)) internal
        _contributionOf;
    mapping(uint256 datanetId => mapping(uint64 version => Version)) internal _versions;
    mapping(uint256 contributionId => Commit) internal _commits;

    /* EVENTS */

    /// @notice A datanet was created.
    event DatanetCreated(
        uint256 indexed datanetId,
        address indexed owner,
        address treasury,
        string uri,
        uint128 bond,
        bool curated,
        uint64 reviewPeriod
    );
    /// @notice The metadata URI of a datanet changed.
    event DatanetMetadataUpdated(uint256 indexed datanetId, string uri);
    /// @notice The policy of a datanet changed (applies to contributions submitted from now on).
    event DatanetPolicyUpdated(uint256 indexed datanetId, uint128 bond, bool curated, uint64 reviewPeriod);
    /// @notice The treasury receiving a datanet's slashed bonds changed.
    event DatanetTreasuryUpdated(uint256 indexed datanetId, address indexed treasury);
    /// @notice A curator was added (`enabled`) or removed.
    event CuratorSet(uint256 indexed datanetId, address indexed curator, bool enabled);
    /// @notice The owner proposed a new owner (`newOwner == address(0)` cancels a proposal).
    event DatanetOwnershipTransferStarted(
        uint256 indexed datanetId, address indexed previousOwner, address indexed newOwner
    );
    /// @notice The proposed owner accepted ownership.
    event DatanetOwnershipTransferred(
        uint256 indexed datanetId, address indexed previousOwner, address indexed newOwner
    );
    /// @notice A contribution was submitted. `status` is Pending (curated) or Accepted (open); `bond` is
    /// the amount actually received and held.
    event ContributionSubmitted(
        uint256 indexed contributionId,
        uint256 indexed datanetId,
        address indexed contributor,
        bytes32 contentHash,
        string uri,
        uint64 size,
        uint128 bond,
        Status status,
        uint64 reviewDeadline
    );
    /// @notice `committer` reserved `contributionId` for a contribution it will reveal by `revealDeadline`.
    event ContributionCommitted(
        uint256 indexed contributionId, address indexed committer, bytes32 commitment, uint40 revealDeadline
    );
    /// @notice A pending contribution was accepted by `curator`; `bondRefunded` went back to the contributor.
    event ContributionAccepted(
        uint256 indexed contributionId,
        uint256 indexed datanetId,
        address indexed curator,
        uint128 bondRefunded
    );
    /// @notice A contribution was rejected by `curator`; `bondSlashed` went to `treasury`.
    event ContributionRejected(
        uint256 indexed contributionId,
        uint256 indexed datanetId,
        address indexed curator,
        uint128 bondSlashed,
        address treasury,
        bytes32 reason
    );
    /// @notice An unreviewed contribution was withdrawn after its deadline; its content hash is free again.
    event ContributionWithdrawn(
        uint256 indexed contributionId,
        uint256 indexed datanetId,
        address indexed contributor,
        uint128 bondRefunded
    );
    /// @notice The bond of an accepted open-datanet contribution went back to its contributor.
    event BondReleased(
        uint256 indexed contributionId, uint256 indexed datanetId, address indexed contributor, uint128 amount
    );
    /// @notice A version of a datanet was published.
    event VersionPublished(
        uint256 indexed datanetId,
        uint64 indexed version,
        address indexed publisher,
        bytes32 commitment,
        string uri,
        uint64 acceptedCount,
        uint64 lastContributionId
    );

    /* ERRORS */

    error ZeroAddress();
    error InvalidTreasury(address treasury);
    error ReviewPeriodTooLong(uint64 reviewPeriod, uint64 maxReviewPeriod);
    error DatanetNotFound(uint256 datanetId);
    error NotDatanetOwner(uint256 datanetId, address account);
    error NotPendingOwner(uint256 datanetId, address account);
    error NotCurator(uint256 datanetId, address account);
    error ZeroContentHash();
    error ContentAlreadySubmitted(uint256 datanetId, bytes32 contentHash, uint256 contributionId);
    error BondShortfall(uint256 required, uint256 received);
    error ContributionNotFound(uint256 contributionId);
    error ContributionNotInDatanet(uint256 contributionId, uint256 datanetId);
    error InvalidStatus(uint256 contributionId, Status status);
    error BondAlreadySettled(uint256 contributionId);
    error ReviewPeriodOver(uint256 contributionId, uint64 reviewDeadline);
    error ReviewPeriodNotOver(uint256 contributionId, uint64 reviewDeadline);
    error NotContributor(uint256 contributionId, address account);
    error EmptyBatch();
    error BatchTooLarge(uint256 length, uint256 max);
    error ZeroCommitment();
    error InvalidVersionRange(uint64 acceptedCount, uint64 lastContributionId);
    error CommitNotFound(uint256 contributionId);
    error CommitmentMismatch(uint256 contributionId);
    error RevealTooEarly(uint256 contributionId, uint256 revealableFromBlock);
    error RevealWindowOver(uint256 contributionId, uint40 deadline);

    /* CONSTRUCTOR */

    /// @param bondToken The ERC-20 token bonds are paid in (the same token as the RewardEscrow's).
    constructor(IERC20 bondToken) {
        if (address(bondToken) == address(0)) revert ZeroAddress();
        BOND_TOKEN = bondToken;
    }

    /* DATANET MANAGEMENT */

    /// @notice Creates a datanet owned by the caller.
    /// @param uri Metadata URI (description, schema, licence...).
    /// @param policy Bond, curated flag and review period for contributions.
    /// @param treasury Receiver of slashed bonds; the zero address means the caller.
    /// @return datanetId The new datanet's id (ids start at 1).
    function createDatanet(string calldata uri, Policy calldata policy, address treasury)
        external
        returns (uint256 datanetId)
    {
        _checkPolicy(policy);
        treasury = _resolveTreasury(treasury);
        datanetId = ++datanetCount;
        Datanet storage d = _datanets[datanetId];
        d.owner = msg.sender;
        d.treasury = treasury;
        d.policy = policy;
        d.uri = uri;
        emit DatanetCreated(
            datanetId, msg.sender, treasury, uri, policy.bond, policy.curated, policy.reviewPeriod
        );
    }

    /// @notice Sets the metadata URI of a datanet. Owner only.
    function setMetadataURI(uint256 datanetId, string calldata uri) external {
        _ownedDatanet(datanetId).uri = uri;
        emit DatanetMetadataUpdated(datanetId, uri);
    }

    /// @notice Sets the policy of a datanet, for contributions submitted from now on. Owner only.
    /// @dev Existing contributions keep the bond, status rule and review deadline they were submitted with.
    function setPolicy(uint256 datanetId, Policy calldata policy) external {
        Datanet storage d = _ownedDatanet(datanetId);
        _checkPolicy(policy);
        d.policy = policy;
        emit DatanetPolicyUpdated(datanetId, policy.bond, policy.curated, policy.reviewPeriod);
    }

    /// @notice Sets the receiver of a datanet's slashed bonds; the zero address means the caller (owner). Owner only.
    function setTreasury(uint256 datanetId, address treasury) external {
        Datanet storage d = _ownedDatanet(datanetId);
        treasury = _resolveTreasury(treasury);
        d.treasury = treasury;
        emit DatanetTreasuryUpdated(datanetId, treasury);
    }

    /// @notice Adds (`enabled`) or removes a curator of a datanet. Owner only.
    /// @dev The owner can always review; this role is for other accounts.
    function setCurator(uint256 datanetId, address curator, bool enabled) external {
        _ownedDatanet(datanetId);
        if (curator == address(0)) revert ZeroAddress();
        _curators[datanetId][curator] = enabled;
        emit CuratorSet(datanetId, curator, enabled);
    }

    /// @notice Proposes a new owner, who must accept; `address(0)` cancels the proposal. Owner only.
    function transferDatanetOwnership(uint256 datanetId, address newOwner) external {
        _ownedDatanet(datanetId).pendingOwner = newOwner;
        emit DatanetOwnershipTransferStarted(datanetId, msg.sender, newOwner);
    }

    /// @notice Accepts the ownership of a datanet. Proposed owner only.
    /// @dev The treasury and the curators are kept; the new owner may change them.
    function acceptDatanetOwnership(uint256 datanetId) external {
        Datanet storage d = _existingDatanet(datanetId);
        if (msg.sender != d.pendingOwner) revert NotPendingOwner(datanetId, msg.sender);
        address previousOwner = d.owner;
        d.owner = msg.sender;
        delete d.pendingOwner;
        emit DatanetOwnershipTransferred(datanetId, previousOwner, msg.sender);
    }

    /* CONTRIBUTIONS */

    /// @notice Submits a contribution to a datanet, pulling the datanet's bond from the caller.
    /// @dev One step, and front-runnable: the id is taken when the transaction is mined, so a mempool
    /// watcher can submit the same or a derived record first. Use `commitContribution` then
    /// `revealContribution` to own a record against such a watcher.
    /// @param datanetId The datanet.
    /// @param contentHash keccak256 of the contribution's exact bytes; nonzero and new to this datanet.
    /// @param uri Where the bytes can be fetched.
    /// @param size Size of the bytes.
    /// @return contributionId The new contribution's id (global, from 1).
    function submitContribution(uint256 datanetId, bytes32 contentHash, string calldata uri, uint64 size)
        external
        nonReentrant
        returns (uint256 contributionId)
    {
        if (contentHash == bytes32(0)) revert ZeroContentHash();
        Policy memory policy = _existingDatanet(datanetId).policy;
        uint256 taken = _contributionOf[datanetId][contentHash];
        if (taken != 0) revert ContentAlreadySubmitted(datanetId, contentHash, taken);
        contributionId = ++contributionCount;
        _record(contributionId, datanetId, policy, contentHash, uri, size);
    }

    /// @notice Reserves the next contribution id for a contribution revealed later, so that seeing
    /// the contribution gives no way to get ahead of it.
    /// @param commitment `contributionCommitment(contentHash, msg.sender, salt)` with a secret random salt.
    /// @return contributionId The reserved id: the record's position once revealed.
    function commitContribution(bytes32 commitment) external returns (uint256 contributionId) {
        if (commitment == bytes32(0)) revert ZeroCommitment();
        contributionId = ++contributionCount;
        uint40 deadline = uint40(block.timestamp + REVEAL_WINDOW);
        _commits[contributionId] = Commit({
            commitment: commitment,
            // forge-lint: disable-next-line(unsafe-typecast) block numbers stay far below 2^64.
            blockNumber: uint64(block.number),
            committedAt: uint40(block.timestamp)
        });
        emit ContributionCommitted(contributionId, msg.sender, commitment, deadline);
    }

    /// @notice Reveals a committed contribution at least one block after its commit and within
    /// `REVEAL_WINDOW`, recording it under the reserved id exactly as `submitContribution` would
    /// (policy, bond and status as of now; the bond is pulled from the caller).
    /// @param contributionId The id `commitContribution` returned.
    /// @param datanetId The datanet.
    /// @param contentHash keccak256 of the contribution's exact bytes.
    /// @param uri Where the bytes can be fetched.
    /// @param size Size of the bytes.
    /// @param salt The salt of the commitment.
    function revealContribution(
        uint256 contributionId,
        uint256 datanetId,
        bytes32 contentHash,
        string calldata uri,
        uint64 size,
        bytes32 salt
    ) external nonReentrant {
        Commit memory commit = _commits[contributionId];
        if (commit.blockNumber == 0) revert CommitNotFound(contributionId);
        if (contributionCommitment(contentHash, msg.sender, salt) != commit.commitment) {
            revert CommitmentMismatch(contributionId);
        }
        if (block.number <= commit.blockNumber) {
            revert RevealTooEarly(contributionId, commit.blockNumber + 1);
        }
        uint40 deadline = uint40(commit.committedAt + REVEAL_WINDOW);
        // forge-lint: disable-next-line(block-timestamp) the window is a day long; seconds of drift do not matter.
        if (block.timestamp > deadline) revert RevealWindowOver(contributionId, deadline);
        if (contentHash == bytes32(0)) revert ZeroContentHash();
        Policy memory policy = _existingDatanet(datanetId).policy;
        uint256 taken = _contributionOf[datanetId][contentHash];
        // A higher id took the hash after this commit: the earlier commit owns it.
        if (taken != 0 && taken < contributionId) {
            revert ContentAlreadySubmitted(datanetId, contentHash, taken);
        }
        delete _commits[contributionId];
        _record(contributionId, datanetId, policy, contentHash, uri, size);
    }

    /// @notice Accepts a pending contribution and refunds its bond to the contributor. Curator or owner.
    function acceptContribution(uint256 contributionId) external nonReentrant {
        Contribution storage c = _existingContribution(contributionId);
        uint256 datanetId = c.datanetId;
        _checkReviewer(datanetId);
        _accept(c, contributionId, datanetId);
    }

    /// @notice Accepts pending contributions of one datanet, refunding their bonds. Curator or owner.
    /// @dev Reverts as a whole if any contribution is not a pending contribution of `datanetId`.
    function acceptContributions(uint256 datanetId, uint256[] calldata contributionIds)
        external
        nonReentrant
    {
        _checkBatch(contributionIds.length);
        _existingDatanet(datanetId);
        _checkReviewer(datanetId);
        for (uint256 i; i < contributionIds.length; ++i) {
            uint256 id = contributionIds[i];
            _accept(_contributionIn(id, datanetId), id, datanetId);
        }
    }

    /// @notice Rejects a contribution and slashes its bond to the datanet's treasury. Curator or owner.
    /// @dev Possible while the contribution is Pending (curated) or Accepted with its bond at risk (open),
    /// up to and including its review deadline. The content hash stays taken.
    /// @param reason Free reason code for the indexer (e.g. a short string or a hash of an explanation).
    function rejectContribution(uint256 contributionId, bytes32 reason) external nonReentrant {
        Contribution storage c = _existingContribution(contributionId);
        uint256 datanetId = c.datanetId;
        _checkReviewer(datanetId);
        address treasury = _datanets[datanetId].treasury;
        uint128 slashed = _reject(c, contributionId, datanetId, treasury, reason);
        if (slashed != 0) BOND_TOKEN.safeTransfer(treasury, slashed);
    }

    /// @notice Rejects contributions of one datanet, slashing their bonds to its treasury in one transfer.
    /// Curator or owner.
    /// @dev Reverts as a whole if any contribution cannot be rejected (see `rejectContribution`).
    function rejectContributions(uint256 datanetId, uint256[] calldata contributionIds, bytes32 reason)
        external
        nonReentrant
    {
        _checkBatch(contributionIds.length);
        address treasury = _existingDatanet(datanetId).treasury;
        _checkReviewer(datanetId);
        // slither-disable-next-line uninitialized-local -- an accumulator, zero on purpose
        uint256 slashed;
        for (uint256 i; i < contributionIds.length; ++i) {
            uint256 id = contributionIds[i];
            slashed += _reject(_contributionIn(id, datanetId), id, datanetId, treasury, reason);
        }
        if (slashed != 0) BOND_TOKEN.safeTransfer(treasury, slashed);
    }

    /// @notice Withdraws a pending contribution left unreviewed past its deadline and refunds its bond.
    /// Contributor only. The content hash becomes free again in the datanet.
    function withdrawContribution(uint256 contributionId) external nonReentrant {
        Contribution storage c = _existingContribution(contributionId);
        if (msg.sender != c.contributor) revert NotContributor(contributionId, msg.sender);
        if (c.status != Status.Pending) revert InvalidStatus(contributionId, c.status);
        uint40 deadline = c.reviewDeadline;
        // forge-lint: disable-next-line(block-timestamp) deadlines are days long; seconds of drift do not matter.
        if (block.timestamp <= deadline) revert ReviewPeriodNotOver(contributionId, deadline);

        uint256 datanetId = c.datanetId;
        uint128 bond = c.bond;
        c.status = Status.Withdrawn;
        c.bondSettled = true;
        // A copy superseded by an earlier commit's reveal must not free the earlier record's hash.
        if (_contributionOf[datanetId][c.contentHash] == contributionId) {
            delete _contributionOf[datanetId][c.contentHash];
        }
        emit ContributionWithdrawn(contributionId, datanetId, msg.sender, bond);

        if (bond != 0) BOND_TOKEN.safeTransfer(msg.sender, bond);
    }

    /// @notice Returns the bond of an accepted contribution of an open datanet once its deadline has
    /// passed. Contributor only. The status stays Accepted.
    function releaseBond(uint256 contributionId) external nonReentrant {
        uint128 amount = _release(contributionId);
        if (amount != 0) BOND_TOKEN.safeTransfer(msg.sender, amount);
    }

    /// @notice `releaseBond` for several contributions of the caller, paid in one transfer.
    /// @dev Reverts as a whole if any bond cannot be released.
    function releaseBonds(uint256[] calldata contributionIds) external nonReentrant {
        _checkBatch(contributionIds.length);
        // slither-disable-next-line uninitialized-local -- an accumulator, zero on purpose
        uint256 amount;
        for (uint256 i; i < contributionIds.length; ++i) {
            amount += _release(contributionIds[i]);
        }
        if (amount != 0) BOND_TOKEN.safeTransfer(msg.sender, amount);
    }

    /* VERSIONS */

    /// @notice Publishes the next version of a datanet (versions count from 1). Curator or owner.
    /// @param commitment Commitment to the version's contents (e.g. Merkle root of the accepted contribution ids).
    /// @param uri Where the version's manifest can be fetched.
    /// @param acceptedCount Number of accepted contributions in the version.
    /// @param lastContributionId Highest contribution id in the version; must be one of this datanet's
    /// contributions, and 0 exactly when `acceptedCount` is 0.
    /// @return version The new version number.
    function publishVersion(
        uint256 datanetId,
        bytes32 commitment,
        string calldata uri,
        uint64 acceptedCount,
        uint64 lastContributionId
    ) external returns (uint64 version) {
        Datanet storage d = _existingDatanet(datanetId);
        _checkReviewer(datanetId);
        if (commitment == bytes32(0)) revert ZeroCommitment();
        if ((acceptedCount == 0) != (lastContributionId == 0) || acceptedCount > lastContributionId) {
            revert InvalidVersionRange(acceptedCount, lastContributionId);
        }
        if (lastContributionId != 0 && _contributions[lastContributionId].datanetId != datanetId) {
            revert ContributionNotInDatanet(lastContributionId, datanetId);
        }
        version = ++d.latestVersion;
        _versions[datanetId][version] = Version({
            commitment: commitment,
            acceptedCount: acceptedCount,
            lastContributionId: lastContributionId,
            publishedAt: uint64(block.timestamp)
        });
        emit VersionPublished(
            datanetId, version, msg.sender, commitment, uri, acceptedCount, lastContributionId
        );
    }

    /* VIEWS */

    /// @notice A datanet (all fields zero when it does not exist).
    function getDatanet(uint256 datanetId) external view returns (Datanet memory) {
        return _datanets[datanetId];
    }

    /// @inheritdoc IDatanetRegistry
    function datanetOwner(uint256 datanetId) external view returns (address) {
        return _datanets[datanetId].owner;
    }

    /// @notice A contribution (all fields zero, status None, when it does not exist).
    function getContribution(uint256 contributionId) external view returns (Contribution memory) {
        return _contributions[contributionId];
    }

    /// @notice True when `account` was made a curator of the datanet (the owner reviews without this role).
    function isCurator(uint256 datanetId, address account) external view returns (bool) {
        return _curators[datanetId][account];
    }

    /// @notice True when `account` may accept, reject and publish in the datanet: its owner or a curator.
    function canReview(uint256 datanetId, address account) public view returns (bool) {
        return
            (account == _datanets[datanetId].owner && account != address(0)) || _curators[datanetId][account];
    }

    /// @notice The contribution holding `contentHash` in the datanet (0 if none or withdrawn).
    function contributionOf(uint256 datanetId, bytes32 contentHash) external view returns (uint256) {
        return _contributionOf[datanetId][contentHash];
    }

    /// @inheritdoc IDatanetRegistry
    function latestVersion(uint256 datanetId) external view returns (uint64) {
        return _datanets[datanetId].latestVersion;
    }

    /// @notice A published version (all fields zero when it does not exist).
    function getVersion(uint256 datanetId, uint64 version) external view returns (Version memory) {
        return _versions[datanetId][version];
    }

    /// @inheritdoc IDatanetRegistry
    function versionCommitment(uint256 datanetId, uint64 version) external view returns (bytes32) {
        return _versions[datanetId][version].commitment;
    }

    /// @inheritdoc IDatanetRegistry
    function isAccepted(uint256 contributionId) external view returns (bool) {
        // An enum compared with one of its values: exact by nature, nothing an attacker can nudge.
        // slither-disable-next-line incorrect-equality
        return _contributions[contributionId].status == Status.Accepted;
    }

    /// @notice The commitment `commitContribution` expects: binds the content, its contributor and a salt.
    function contributionCommitment(bytes32 contentHash, address contributor, bytes32 salt)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(contentHash, contributor, salt));
    }

    /// @notice The pending commit of a reserved id (all fields zero when none).
    function getCommit(uint256 contributionId) external view returns (Commit memory) {
        return _commits[contributionId];
    }

    /* INTERNAL */

    /// @dev Effects, bond and event of a new contribution under `contributionId`, by `msg.sender`.
    function _record(
        uint256 contributionId,
        uint256 datanetId,
        Policy memory policy,
        bytes32 contentHash,
        string calldata uri,
        uint64 size
    ) private {
        // Effects: record with the policy's bond; corrected below if the token delivers more.
        _contributionOf[datanetId][contentHash] = contributionId;
        uint40 deadline = uint40(block.timestamp + policy.reviewPeriod);
        Status status = policy.curated ? Status.Pending : Status.Accepted;
        _contributions[contributionId] = Contribution({
            contributor: msg.sender,
            status: status,
            bondSettled: false,
            submittedAt: uint40(block.timestamp),
            reviewDeadline: deadline,
            bond: policy.bond,
            // forge-lint: disable-next-line(unsafe-typecast) ids grow by one per transaction: never near 2^64.
            datanetId: uint64(datanetId),
            size: size,
            contentHash: contentHash
        });

        // Interaction: pull the bond and account for what actually arrived.
        uint128 bond = policy.bond;
        if (bond != 0) {
            uint128 received = _pullBond(bond);
            if (received != bond) _contributions[contributionId].bond = bond = received;
        }

        emit ContributionSubmitted(
            contributionId, datanetId, msg.sender, contentHash, uri, size, bond, status, deadline
        );
    }

    function _existingDatanet(uint256 datanetId) private view returns (Datanet storage d) {
        d = _datanets[datanetId];
        if (d.owner == address(0)) revert DatanetNotFound(datanetId);
    }

    function _ownedDatanet(uint256 datanetId) private view returns (Datanet storage d) {
        d = _existingDatanet(datanetId);
        if (msg.sender != d.owner) revert NotDatanetOwner(datanetId, msg.sender);
    }

    /// @dev The datanet must exist (callers check first).
    function _checkReviewer(uint256 datanetId) private view {
        if (msg.sender != _datanets[datanetId].owner && !_curators[datanetId][msg.sender]) {
            revert NotCurator(datanetId, msg.sender);
        }
    }

    function _existingContribution(uint256 contributionId) private view returns (Contribution storage c) {
        c = _contributions[contributionId];
        if (c.status == Status.None) revert ContributionNotFound(contributionId);
    }

    function _contributionIn(uint256 contributionId, uint256 datanetId)
        private
        view
        returns (Contribution storage c)
    {
        c = _contributions[contributionId];
        if (c.datanetId != datanetId) revert ContributionNotInDatanet(contributionId, datanetId);
    }

    function _checkPolicy(Policy calldata policy) private pure {
        if (policy.reviewPeriod > MAX_REVIEW_PERIOD) {
            revert ReviewPeriodTooLong(policy.reviewPeriod, MAX_REVIEW_PERIOD);
        }
    }

    function _resolveTreasury(address treasury) private view returns (address) {
        if (treasury == address(0)) return msg.sender;
        if (treasury == address(this)) revert InvalidTreasury(treasury);
        return treasury;
    }

    function _checkBatch(uint256 length) private pure {
        if (length == 0) revert EmptyBatch();
        if (length > MAX_BATCH) revert BatchTooLarge(length, MAX_BATCH);
    }

    /// @dev Pulls `bond` from the caller; returns the amount received, which must be at least `bond`.
    function _pullBond(uint128 bond) private returns (uint128) {
        uint256 before = BOND_TOKEN.balanceOf(address(this));
        BOND_TOKEN.safeTransferFrom(msg.sender, address(this), bond);
        uint256 received = BOND_TOKEN.balanceOf(address(this)) - before;
        if (received < bond) revert BondShortfall(bond, received);
        return SafeCast.toUint128(received);
    }

    /// @dev Effects, event and refund for one acceptance.
    function _accept(Contribution storage c, uint256 contributionId, uint256 datanetId) private {
        if (c.status != Status.Pending) revert InvalidStatus(contributionId, c.status);
        c.status = Status.Accepted;
        c.bondSettled = true;
        uint128 bond = c.bond;
        emit ContributionAccepted(contributionId, datanetId, msg.sender, bond);
        if (bond != 0) BOND_TOKEN.safeTransfer(c.contributor, bond);
    }

    /// @dev Effects and event for one rejection; returns the amount to slash (transferred by the caller).
    function _reject(
        Contribution storage c,
        uint256 contributionId,
        uint256 datanetId,
        address treasury,
        bytes32 reason
    ) private returns (uint128 bond) {
        Status status = c.status;
        if (status != Status.Pending && status != Status.Accepted) {
            revert InvalidStatus(contributionId, status);
        }
        if (c.bondSettled) revert BondAlreadySettled(contributionId);
        uint40 deadline = c.reviewDeadline;
        // forge-lint: disable-next-line(block-timestamp) deadlines are days long; seconds of drift do not matter.
        if (block.timestamp > deadline) revert ReviewPeriodOver(contributionId, deadline);
        c.status = Status.Rejected;
        c.bondSettled = true;
        bond = c.bond;
        emit ContributionRejected(contributionId, datanetId, msg.sender, bond, treasury, reason);
    }

    /// @dev Checks and effects for one bond release by the caller; returns the amount to pay.
    function _release(uint256 contributionId) private returns (uint128 bond) {
        Contribution storage c = _existingContribution(contributionId);
        if (msg.sender != c.contributor) revert NotContributor(contributionId, msg.sender);
        if (c.status != Status.Accepted) revert InvalidStatus(contributionId, c.status);
        if (c.bondSettled) revert BondAlreadySettled(contributionId);
        uint40 deadline = c.reviewDeadline;
        // forge-lint: disable-next-line(block-timestamp) deadlines are days long; seconds of drift do not matter.
        if (block.timestamp <= deadline) revert ReviewPeriodNotOver(contributionId, deadline);
        c.bondSettled = true;
        bond = c.bond;
        emit BondReleased(contributionId, c.datanetId, msg.sender, bond);
    }
}
