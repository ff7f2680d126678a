// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAgentRegistry} from "./interfaces/IAgentRegistry.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

/// @title AgentRegistry
/// @notice AI agents as ERC-721 identities ("OpenLedger Agent", "OLAGENT", ids from 1), in the spirit of
/// ERC-8004's identity registry: an agent URI, key/value metadata, an agent wallet that can only be set
/// with that wallet's EIP-712 (or ERC-1271) signature, the model the agent runs on, an append-only action
/// history and client feedback.
/// @dev Permissionless, no admin.
///
/// Agent wallet: `setAgentWallet` needs the new wallet's signature over
/// `AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 nonce,uint256 deadline)` in the
/// domain ("OpenLedger AgentRegistry", "1", chainid, this contract). `owner` is the agent's owner at the
/// time of the call (a transfer voids outstanding signatures), `nonce` is the wallet's current nonce in
/// `walletNonce` (consumed on use), and the deadline is at most `MAX_DEADLINE_DELAY` ahead. ECDSA
/// signatures with a high `s` are refused (OpenZeppelin ECDSA). The wallet is cleared on every transfer.
///
/// Action history: only the agent wallet appends; each action gets the next index (from 0) and extends a
/// hash chain, `actionHead = keccak256(abi.encode(previousHead, agentId, index, actionHash,
/// keccak256(bytes(uri)), outcome, wallet))` (previousHead = 0 for index 0), so one slot commits to the
/// whole history and anyone can check an indexer's copy of it against the chain.
///
/// Feedback: anyone except the agent's owner, its approved addresses/operators and its wallet; each
/// feedback gets the next per-agent index (from 0); only its author can revoke it.
contract AgentRegistry is ERC721, EIP712, IAgentRegistry {
    /* CONSTANTS */

    /// @notice EIP-712 type hash of the agent wallet authorization.
    bytes32 public constant AGENT_WALLET_SET_TYPEHASH = keccak256(
        "AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 nonce,uint256 deadline)"
    );
    /// @notice Maximum time between a wallet signature's use and its deadline.
    uint256 public constant MAX_DEADLINE_DELAY = 1 hours;
    /// @notice Maximum length of a URI (agent URI, action URI, feedback URI), in bytes.
    uint256 public constant MAX_URI_BYTES = 2048;
    /// @notice Maximum number of metadata entries given at registration.
    uint256 public constant MAX_METADATA_ENTRIES = 16;
    /// @notice Maximum length of a metadata key, in bytes.
    uint256 public constant MAX_KEY_BYTES = 64;
    /// @notice Maximum length of a metadata value, in bytes.
    uint256 public constant MAX_VALUE_BYTES = 4096;
    /// @notice Maximum number of decimals of a feedback value (as in ERC-8004).
    uint8 public constant MAX_VALUE_DECIMALS = 18;
    /// @notice Metadata key reserved for the agent wallet (as in ERC-8004): not settable by `setMetadata`.
    string public constant AGENT_WALLET_KEY = "agentWallet";
    bytes32 private constant _AGENT_WALLET_KEY_HASH = keccak256("agentWallet");

    /* TYPES */

    /// @notice A metadata entry.
    struct MetadataEntry {
        string key;
        bytes value;
    }

    /// @notice Everything about an agent (except metadata), for views.
    struct AgentView {
        address owner;
        string uri;
        uint256 modelId;
        address wallet;
        uint64 actionCount;
        uint64 feedbackCount;
        bytes32 actionHead;
    }

    /// @notice A feedback's author and state.
    struct FeedbackRecord {
        address client;
        bool revoked;
    }

    /// @dev Slot 0: modelId. Slot 1: wallet + actionCount. Slot 2: feedbackCount. Slot 3: actionHead.
    struct AgentState {
        uint256 modelId;
        address wallet;
        uint64 actionCount;
        uint64 feedbackCount;
        bytes32 actionHead;
    }

    /* IMMUTABLES */

    /// @notice The model registry checked at registration and `setModel`.
    IModelRegistry public immutable MODEL_REGISTRY;

    /* STORAGE */

    /// @notice Number of agents registered; agent ids are 1..agentCount.
    uint256 public agentCount;
    /// @notice The next nonce a wallet must sign (see `setAgentWallet`).
    mapping(address wallet => uint256) public walletNonce;

    mapping(uint256 agentId => AgentState) internal _agents;
    mapping(uint256 agentId => string) internal _uri;
    mapping(uint256 agentId => mapping(string key => bytes)) internal _metadata;
    mapping(uint256 agentId => mapping(uint256 index => FeedbackRecord)) internal _feedback;

    /* EVENTS */

    /// @notice An agent was registered (followed by one `MetadataSet` per entry given).
    event AgentRegistered(
        uint256 indexed agentId, address indexed owner, uint256 indexed modelId, string uri
    );
    /// @notice The URI of `agentId` changed.
    event AgentURIUpdated(uint256 indexed agentId, string uri, address indexed by);
    /// @notice Metadata `key` of `agentId` was set to `value` (an empty value clears it).
    event MetadataSet(uint256 indexed agentId, string key, bytes value);
    /// @notice `agentId` now runs on `newModelId`.
    event AgentModelChanged(
        uint256 indexed agentId, uint256 indexed previousModelId, uint256 indexed newModelId
    );
    /// @notice `wallet` became the wallet of `agentId`, authorized by its signature with `nonce`.
    event AgentWalletSet(
        uint256 indexed agentId, address indexed wallet, address indexed owner, uint256 nonce
    );
    /// @notice `agentId` has no wallet any more (unset by its owner, or cleared by a transfer).
    event AgentWalletUnset(uint256 indexed agentId, address indexed previousWallet);
    /// @notice The wallet of `agentId` appended action number `index`; `head` is the new hash-chain head.
    event ActionRecorded(
        uint256 indexed agentId,
        uint256 index,
        bytes32 actionHash,
        string uri,
        uint16 outcome,
        address indexed wallet,
        bytes32 head
    );
    /// @notice `client` gave feedback number `index` to `agentId`.
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
    /// @notice `client` revoked its feedback number `index` to `agentId`.
    event FeedbackRevoked(uint256 indexed agentId, address indexed client, uint256 index);

    /* ERRORS */

    /// @notice `caller` is neither the owner of `agentId` nor approved for it.
    error Unauthorized(uint256 agentId, address caller);
    /// @notice The model does not exist or is deprecated.
    error ModelNotActive(uint256 modelId);
    /// @notice More than `MAX_METADATA_ENTRIES` metadata entries.
    error TooManyMetadataEntries(uint256 count);
    /// @notice The metadata key is empty, too long, or reserved.
    error InvalidMetadataKey(string key);
    /// @notice The metadata value is longer than `MAX_VALUE_BYTES`.
    error MetadataValueTooLong(uint256 length);
    /// @notice A URI is longer than `MAX_URI_BYTES`.
    error URITooLong(uint256 length);
    /// @notice The new wallet is the zero address.
    error ZeroWallet();
    /// @notice The signature's deadline has passed.
    error DeadlineExpired(uint256 deadline, uint256 nowTimestamp);
    /// @notice The signature's deadline is more than `MAX_DEADLINE_DELAY` ahead.
    error DeadlineTooFar(uint256 deadline, uint256 maxDeadline);
    /// @notice The signature is not a valid authorization from `wallet`.
    error InvalidWalletSignature(address wallet);
    /// @notice `agentId` has no wallet.
    error NoAgentWallet(uint256 agentId);
    /// @notice `caller` is not the wallet of `agentId`.
    error NotAgentWallet(uint256 agentId, address caller);
    /// @notice The agent's owner, approved addresses and wallet cannot give it feedback.
    error SelfFeedback(uint256 agentId, address client);
    /// @notice More than `MAX_VALUE_DECIMALS` decimals.
    error InvalidValueDecimals(uint8 valueDecimals);
    /// @notice No feedback number `index` for `agentId`.
    error UnknownFeedback(uint256 agentId, uint256 index);
    /// @notice `caller` is not the author of the feedback.
    error NotFeedbackClient(uint256 agentId, uint256 index, address caller);
    /// @notice The feedback is already revoked.
    error FeedbackAlreadyRevoked(uint256 agentId, uint256 index);

    /* CONSTRUCTOR */

    /// @param modelRegistry The model registry (its `inferenceTerms` tells whether a model is active).
    constructor(IModelRegistry modelRegistry)
        ERC721("OpenLedger Agent", "OLAGENT")
        EIP712("OpenLedger AgentRegistry", "1")
    {
        MODEL_REGISTRY = modelRegistry;
    }

    /* EXTERNAL: IDENTITY */

    /// @notice Registers an agent running on `modelId` and mints its token to the caller.
    /// @dev `modelId` must exist and not be deprecated. Uses `_mint` (no receiver callback).
    /// @param uri Agent URI (registration file), at most `MAX_URI_BYTES`.
    /// @param modelId The model the agent runs on.
    /// @param metadata Initial metadata entries (at most `MAX_METADATA_ENTRIES`; key "agentWallet" reserved).
    /// @return agentId The new agent's id.
    function register(string calldata uri, uint256 modelId, MetadataEntry[] calldata metadata)
        external
        returns (uint256 agentId)
    {
        _checkURI(uri);
        _checkModelActive(modelId);
        uint256 n = metadata.length;
        if (n > MAX_METADATA_ENTRIES) revert TooManyMetadataEntries(n);

        agentId = ++agentCount;
        _agents[agentId].modelId = modelId;
        _uri[agentId] = uri;
        _mint(msg.sender, agentId);
        emit AgentRegistered(agentId, msg.sender, modelId, uri);

        for (uint256 i; i < n; ++i) {
            _setMetadata(agentId, metadata[i].key, metadata[i].value);
        }
    }

    /// @notice Replaces the URI of `agentId`. Caller must be the owner or approved.
    function setAgentURI(uint256 agentId, string calldata uri) external {
        _checkOwnerOrApproved(agentId);
        _checkURI(uri);
        _uri[agentId] = uri;
        emit AgentURIUpdated(agentId, uri, msg.sender);
    }

    /// @notice Sets metadata `key` of `agentId` to `value` (an empty value clears it). Caller must be the
    /// owner or approved. The key "agentWallet" is reserved.
    function setMetadata(uint256 agentId, string calldata key, bytes calldata value) external {
        _checkOwnerOrApproved(agentId);
        _setMetadata(agentId, key, value);
    }

    /// @notice Moves `agentId` to `modelId`, which must exist and not be deprecated. Caller must be the owner
    /// or approved.
    function setModel(uint256 agentId, uint256 modelId) external {
        _checkOwnerOrApproved(agentId);
        _checkModelActive(modelId);
        AgentState storage a = _agents[agentId];
        uint256 previous = a.modelId;
        a.modelId = modelId;
        emit AgentModelChanged(agentId, previous, modelId);
    }

    /* EXTERNAL: WALLET */

    /// @notice Sets the wallet of `agentId` to `newWallet`, with `newWallet`'s authorization. Caller must be
    /// the owner or approved.
    /// @param deadline Last timestamp at which the signature is valid; at most `MAX_DEADLINE_DELAY` ahead.
    /// @param signature `newWallet`'s EIP-712 signature (65-byte ECDSA, low s) or ERC-1271 signature over
    /// `AgentWalletSet(agentId, newWallet, ownerOf(agentId), walletNonce[newWallet], deadline)`.
    function setAgentWallet(uint256 agentId, address newWallet, uint256 deadline, bytes calldata signature)
        external
    {
        address owner = _checkOwnerOrApproved(agentId);
        if (newWallet == address(0)) revert ZeroWallet();
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > deadline) revert DeadlineExpired(deadline, block.timestamp);
        uint256 maxDeadline = block.timestamp + MAX_DEADLINE_DELAY;
        if (deadline > maxDeadline) revert DeadlineTooFar(deadline, maxDeadline);

        uint256 nonce = walletNonce[newWallet];
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(AGENT_WALLET_SET_TYPEHASH, agentId, newWallet, owner, nonce, deadline))
        );
        // For a contract wallet this is an ERC-1271 staticcall; state is written only after it.
        if (!SignatureChecker.isValidSignatureNowCalldata(newWallet, digest, signature)) {
            revert InvalidWalletSignature(newWallet);
        }

        walletNonce[newWallet] = nonce + 1;
        _agents[agentId].wallet = newWallet;
        emit AgentWalletSet(agentId, newWallet, owner, nonce);
    }

    /// @notice Removes the wallet of `agentId`. Caller must be the owner or approved.
    function unsetAgentWallet(uint256 agentId) external {
        _checkOwnerOrApproved(agentId);
        AgentState storage a = _agents[agentId];
        address previous = a.wallet;
        if (previous == address(0)) revert NoAgentWallet(agentId);
        a.wallet = address(0);
        emit AgentWalletUnset(agentId, previous);
    }

    /* EXTERNAL: ACTIONS */

    /// @notice Appends an action to the history of `agentId`. Only the agent's wallet can call.
    /// @param actionHash Hash of the action's content (e.g. keccak256 of the request/response record).
    /// @param uri Where the action's record can be fetched (at most `MAX_URI_BYTES`).
    /// @param outcome Application-defined outcome code.
    /// @return index The action's index (from 0).
    function recordAction(uint256 agentId, bytes32 actionHash, string calldata uri, uint16 outcome)
        external
        returns (uint256 index)
    {
        AgentState storage a = _agents[agentId];
        address wallet = a.wallet;
        if (wallet == address(0) || msg.sender != wallet) revert NotAgentWallet(agentId, msg.sender);
        _checkURI(uri);
        index = a.actionCount;
        // forge-lint: disable-next-line(unsafe-typecast)
        a.actionCount = uint64(index + 1); // 2^64 actions cannot be paid for
        bytes32 head = keccak256(
            abi.encode(a.actionHead, agentId, index, actionHash, keccak256(bytes(uri)), outcome, wallet)
        );
        a.actionHead = head;
        emit ActionRecorded(agentId, index, actionHash, uri, outcome, wallet, head);
    }

    /* EXTERNAL: FEEDBACK */

    /// @notice Gives feedback to `agentId`. Refused from the agent's owner, its approved addresses and
    /// operators, and its wallet.
    /// @param value Signed score, with `valueDecimals` decimals (at most 18).
    /// @param tag1 Application tag (indexed in the event).
    /// @param tag2 Application tag.
    /// @param uri Off-chain feedback file (at most `MAX_URI_BYTES`).
    /// @param feedbackHash Hash of the feedback file.
    /// @return index The feedback's index for this agent (from 0).
    function giveFeedback(
        uint256 agentId,
        int128 value,
        uint8 valueDecimals,
        bytes32 tag1,
        bytes32 tag2,
        string calldata uri,
        bytes32 feedbackHash
    ) external returns (uint256 index) {
        address owner = _requireOwned(agentId);
        AgentState storage a = _agents[agentId];
        if (_isAuthorized(owner, msg.sender, agentId) || msg.sender == a.wallet) {
            revert SelfFeedback(agentId, msg.sender);
        }
        if (valueDecimals > MAX_VALUE_DECIMALS) revert InvalidValueDecimals(valueDecimals);
        _checkURI(uri);
        index = a.feedbackCount;
        // forge-lint: disable-next-line(unsafe-typecast)
        a.feedbackCount = uint64(index + 1); // 2^64 feedbacks cannot be paid for
        _feedback[agentId][index] = FeedbackRecord({client: msg.sender, revoked: false});
        emit FeedbackGiven(agentId, msg.sender, index, value, valueDecimals, tag1, tag2, uri, feedbackHash);
    }

    /// @notice Revokes feedback number `index` of `agentId`. Only its author can call, once.
    function revokeFeedback(uint256 agentId, uint256 index) external {
        FeedbackRecord storage f = _feedback[agentId][index];
        address client = f.client;
        if (client == address(0)) revert UnknownFeedback(agentId, index);
        if (client != msg.sender) revert NotFeedbackClient(agentId, index, msg.sender);
        if (f.revoked) revert FeedbackAlreadyRevoked(agentId, index);
        f.revoked = true;
        emit FeedbackRevoked(agentId, msg.sender, index);
    }

    /* VIEWS */

    /// @inheritdoc IAgentRegistry
    function modelOf(uint256 agentId) external view returns (uint256) {
        return _agents[agentId].modelId;
    }

    /// @notice Everything about `agentId` except metadata. Reverts with `ERC721NonexistentToken` if unknown.
    function getAgent(uint256 agentId) external view returns (AgentView memory v) {
        v.owner = _requireOwned(agentId);
        AgentState storage a = _agents[agentId];
        v.uri = _uri[agentId];
        v.modelId = a.modelId;
        v.wallet = a.wallet;
        v.actionCount = a.actionCount;
        v.feedbackCount = a.feedbackCount;
        v.actionHead = a.actionHead;
    }

    /// @notice The wallet of `agentId` (zero if none).
    function agentWalletOf(uint256 agentId) external view returns (address) {
        return _agents[agentId].wallet;
    }

    /// @notice Metadata `key` of `agentId` (empty if unset).
    function getMetadata(uint256 agentId, string calldata key) external view returns (bytes memory) {
        return _metadata[agentId][key];
    }

    /// @notice The number of actions recorded for `agentId` and the head of its hash chain.
    function actionHistory(uint256 agentId) external view returns (uint256 count, bytes32 head) {
        AgentState storage a = _agents[agentId];
        return (a.actionCount, a.actionHead);
    }

    /// @notice The number of feedbacks given to `agentId` (revoked ones included).
    function feedbackCount(uint256 agentId) external view returns (uint256) {
        return _agents[agentId].feedbackCount;
    }

    /// @notice The author of feedback `index` of `agentId` and whether it is revoked (zero author if none).
    function getFeedback(uint256 agentId, uint256 index)
        external
        view
        returns (address client, bool revoked)
    {
        FeedbackRecord storage f = _feedback[agentId][index];
        return (f.client, f.revoked);
    }

    /// @notice The EIP-712 domain separator of this contract on this chain.
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice The EIP-712 digest `wallet` must sign to become the wallet of `agentId` under `owner`,
    /// with `nonce` and `deadline` (a helper for SDKs and wallets).
    function agentWalletDigest(
        uint256 agentId,
        address wallet,
        address owner,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(AGENT_WALLET_SET_TYPEHASH, agentId, wallet, owner, nonce, deadline))
        );
    }

    /// @notice The URI of `agentId`.
    function tokenURI(uint256 agentId) public view override returns (string memory) {
        _requireOwned(agentId);
        return _uri[agentId];
    }

    /* INTERNAL */

    /// @dev Clears the agent wallet on every transfer (not on mint): a new owner must re-authorize a wallet.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address from) {
        from = super._update(to, tokenId, auth);
        if (from != address(0)) {
            AgentState storage a = _agents[tokenId];
            address previous = a.wallet;
            if (previous != address(0)) {
                a.wallet = address(0);
                emit AgentWalletUnset(tokenId, previous);
            }
        }
    }

    function _setMetadata(uint256 agentId, string calldata key, bytes calldata value) internal {
        uint256 keyLength = bytes(key).length;
        if (keyLength == 0 || keyLength > MAX_KEY_BYTES || keccak256(bytes(key)) == _AGENT_WALLET_KEY_HASH) {
            revert InvalidMetadataKey(key);
        }
        if (value.length > MAX_VALUE_BYTES) revert MetadataValueTooLong(value.length);
        _metadata[agentId][key] = value;
        emit MetadataSet(agentId, key, value);
    }

    function _checkOwnerOrApproved(uint256 agentId) internal view returns (address owner) {
        owner = _requireOwned(agentId);
        if (!_isAuthorized(owner, msg.sender, agentId)) revert Unauthorized(agentId, msg.sender);
    }

    function _checkModelActive(uint256 modelId) internal view {
        // Only the active flag matters here; the fee split is the escrow's business.
        // slither-disable-next-line unused-return
        (bool active,) = MODEL_REGISTRY.inferenceTerms(modelId);
        if (!active) revert ModelNotActive(modelId);
    }

    function _checkURI(string calldata uri) internal pure {
        if (bytes(uri).length > MAX_URI_BYTES) revert URITooLong(bytes(uri).length);
    }
}
