// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IAgentRegistry} from "./interfaces/IAgentRegistry.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";

/// @title RewardEscrow
/// @notice Takes inference fees in one ERC-20, keeps a protocol fee for the treasury, accepts epoch Merkle roots
/// of cumulative balances signed by M of N oracle signers, holds each root pending for a dispute window during
/// which a guardian can veto it, and pays cumulative claims against the current (accepted) root.
/// @dev Solvency: `TOKEN.balanceOf(this) >= (totalDistributable - totalClaimed) + protocolFeesAccrued` for any
/// token that does not take balance away from holders on its own (no negative rebasing). A root's
/// `totalCumulative` can never exceed `totalDistributable`, never decreases, and the claims paid against the
/// current root can never add up to more than its `totalCumulative`: a compromised oracle can misallocate within
/// the pot, it can never mint and never reach the protocol fees.
///
/// Root lifecycle: `proposeRoot` (anyone, with M valid signatures) -> pending for `disputeWindow` seconds, during
/// which the guardian may `vetoRoot` -> `acceptRoot` (anyone) once the window has passed. Only one root can be
/// pending at a time: a new proposal reverts with `RootPending` while the window of the pending one is open;
/// once it has passed, `proposeRoot` accepts the pending root first. Epochs strictly increase over every
/// proposal, including vetoed ones, so a vetoed signed update can never be replayed.
///
/// Signer set changes go through `GOVERNANCE_DELAY`. A root that is already pending when the signer set
/// changes stays pending: it was validly signed when proposed, and the guardian can still veto it.
contract RewardEscrow is Ownable2Step, Pausable, ReentrancyGuardTransient, EIP712 {
    using SafeERC20 for IERC20;

    /* TYPES */

    /// @notice An epoch root update, signed by the oracle signers with EIP-712.
    struct RootUpdate {
        uint64 epoch;
        bytes32 root;
        uint256 totalCumulative;
        bytes32 reportHash;
        uint64 fromBlock;
        uint64 toBlock;
    }

    /// @notice One claim of a batch.
    struct Claim {
        address account;
        address token;
        uint256 cumulativeAmount;
        bytes32[] proof;
    }

    /// @notice State of the last proposed root.
    enum PendingStatus {
        None,
        Pending,
        Vetoed,
        Accepted
    }

    /// @dev A signer set change waiting for the governance delay.
    struct SignerUpdate {
        uint64 executableAt;
        uint8 threshold;
        address[] signers;
    }

    /// @dev A parameter change waiting for the governance delay.
    struct ParamsUpdate {
        uint64 executableAt;
        uint16 protocolFeeBps;
        uint32 disputeWindow;
    }

    /* CONSTANTS */

    /// @notice Basis points in one whole.
    uint256 public constant BPS = 10_000;
    /// @notice Upper bound of the protocol fee (20%).
    uint16 public constant MAX_PROTOCOL_FEE_BPS = 2000;
    /// @notice Upper bound of the oracle signer set size.
    uint256 public constant MAX_SIGNERS = 16;
    /// @notice Upper bound of the dispute window.
    uint32 public constant MAX_DISPUTE_WINDOW = 30 days;
    /// @notice Delay between proposing and executing a governance change.
    uint256 public constant GOVERNANCE_DELAY = 2 days;
    /// @notice Upper bound of a `claimMany` batch.
    uint256 public constant MAX_CLAIM_BATCH = 64;
    /// @notice EIP-712 type hash of `RootUpdate`.
    bytes32 public constant ROOT_UPDATE_TYPEHASH = keccak256(
        "RootUpdate(uint64 epoch,bytes32 root,uint256 totalCumulative,bytes32 reportHash,uint64 fromBlock,uint64 toBlock)"
    );

    /* IMMUTABLES */

    /// @notice The payment and reward token.
    IERC20 public immutable TOKEN;
    /// @notice The model registry (inference terms).
    IModelRegistry public immutable MODEL_REGISTRY;
    /// @notice The agent registry (agent -> model binding).
    IAgentRegistry public immutable AGENT_REGISTRY;

    /* STORAGE (ordered for packing; the claim path touches the first two slots and `claimed`) */

    /// @notice Merkle root claims are verified against (the last accepted root); 0 before the first one.
    bytes32 public currentRoot;
    /// @notice `totalCumulative` of the current root.
    uint128 public currentTotalCumulative;
    /// @notice Sum of every amount ever claimed.
    uint128 public totalClaimed;
    /// @notice Cumulative amount already paid to each account.
    mapping(address account => uint256) public claimed;

    /// @notice Epoch of the current root; 0 before the first one.
    uint64 public currentEpoch;
    /// @notice Last block covered by the current root.
    uint64 public currentToBlock;
    /// @notice Time from which the last proposed root can be accepted.
    uint64 public pendingValidAt;
    /// @notice State of the last proposed root.
    PendingStatus public pendingStatus;

    /// @notice Merkle root of the last proposed root (kept after acceptance or veto).
    bytes32 public pendingRoot;
    /// @notice `totalCumulative` of the last proposed root.
    uint128 public pendingTotalCumulative;
    /// @notice Epoch of the last proposed root: every new proposal must have a greater epoch.
    uint64 public pendingEpoch;
    /// @notice Last block covered by the last proposed root.
    uint64 public pendingToBlock;

    /// @notice Sum of every net fee (after the protocol fee) ever taken in for distribution.
    uint128 public totalDistributable;
    /// @notice Protocol fees not yet withdrawn to the treasury.
    uint128 public protocolFeesAccrued;

    /// @notice Number of inferences paid; inference ids run from 1 to `inferenceCount`.
    uint64 public inferenceCount;
    /// @notice Protocol fee in basis points of each payment.
    uint16 public protocolFeeBps;
    /// @notice Seconds a proposed root stays pending before it can be accepted.
    uint32 public disputeWindow;
    /// @notice Number of signatures a root update needs (M).
    uint8 public threshold;
    /// @notice Incremented on every signer set change; an address is a signer iff its generation equals it.
    uint32 public signerGeneration;

    /// @notice Receives the protocol fees.
    address public treasury;
    /// @notice May veto a pending root during its dispute window.
    address public guardian;

    address[] private _signers;
    mapping(address signer => uint32) private _signerGenerationOf;

    SignerUpdate private _pendingSignerUpdate;
    ParamsUpdate private _pendingParamsUpdate;

    /* EVENTS */

    /// @notice An inference was paid. The split is the model's split at payment time.
    event InferencePaid(
        uint256 indexed inferenceId,
        uint256 indexed modelId,
        uint256 indexed agentId,
        address payer,
        uint256 amount,
        uint256 protocolFee,
        uint256 net,
        bytes32 outputHash,
        string outputUri,
        uint16 ownerBps,
        uint16 dataBps,
        uint16 agentBps
    );
    /// @notice A root update was proposed with valid signatures of `signers`.
    event RootProposed(
        uint64 indexed epoch,
        bytes32 indexed root,
        uint256 totalCumulative,
        bytes32 reportHash,
        uint64 fromBlock,
        uint64 toBlock,
        uint64 validAt,
        address[] signers
    );
    /// @notice The pending root of `epoch` became the current root.
    event RootAccepted(uint64 indexed epoch, bytes32 indexed root, uint256 totalCumulative, uint64 toBlock);
    /// @notice The guardian vetoed the pending root of `epoch`.
    event RootVetoed(uint64 indexed epoch, bytes32 indexed root, address indexed guardian);
    /// @notice `amount` was paid to `account`, whose cumulative claimed amount is now `cumulativeClaimed`.
    event Claimed(address indexed account, address token, uint256 amount, uint256 cumulativeClaimed);
    /// @notice Protocol fees were sent to the treasury.
    event ProtocolFeesWithdrawn(address indexed treasury, uint256 amount);
    /// @notice Tokens that are not owed to anyone were sent to `to`.
    event Swept(address indexed token, address indexed to, uint256 amount);
    /// @notice The oracle signer set changed.
    event SignerSetUpdated(uint32 indexed generation, address[] signers, uint8 threshold);
    /// @notice A signer set change was proposed; executable from `executableAt`.
    event SignerUpdateProposed(address[] signers, uint8 threshold, uint64 executableAt);
    /// @notice The pending signer set change was cancelled.
    event SignerUpdateCancelled();
    /// @notice Protocol fee and dispute window changed.
    event ParamsUpdated(uint16 protocolFeeBps, uint32 disputeWindow);
    /// @notice A parameter change was proposed; executable from `executableAt`.
    event ParamsUpdateProposed(uint16 protocolFeeBps, uint32 disputeWindow, uint64 executableAt);
    /// @notice The pending parameter change was cancelled.
    event ParamsUpdateCancelled();
    /// @notice The treasury changed.
    event TreasuryUpdated(address indexed previousTreasury, address indexed newTreasury);
    /// @notice The guardian changed.
    event GuardianUpdated(address indexed previousGuardian, address indexed newGuardian);

    /* ERRORS */

    error ZeroAddress();
    error ZeroAmount();
    error ZeroOutputHash();
    error NothingReceived();
    error ModelNotActive(uint256 modelId);
    error InvalidSplit(uint256 modelId);
    error AgentModelMismatch(uint256 agentId, uint256 modelId, uint256 agentModelId);
    error PermitFailed();
    error FeeTooHigh(uint256 feeBps);
    error DisputeWindowTooLong(uint256 disputeWindow);
    error InvalidSignerCount(uint256 count);
    error InvalidThreshold(uint256 threshold, uint256 signerCount);
    error SignersNotSorted(uint256 index);
    error RootPending(uint64 epoch, uint64 validAt);
    error EpochNotIncreasing(uint64 epoch, uint64 lastEpoch);
    error EmptyRoot();
    error ExceedsDistributable(uint256 totalCumulative, uint256 totalDistributable);
    error CumulativeDecreased(uint256 totalCumulative, uint256 currentTotalCumulative);
    error NonContiguousBlocks(uint64 fromBlock, uint64 expectedFromBlock);
    error InvalidBlockRange(uint64 fromBlock, uint64 toBlock);
    error NotEnoughSignatures(uint256 count, uint256 threshold);
    error TooManySignatures(uint256 count);
    error SignaturesNotSorted(uint256 index);
    error NotASigner(address signer);
    error NoPendingRoot();
    error DisputeWindowOpen(uint64 validAt);
    error DisputeWindowClosed(uint64 validAt);
    error NotGuardian(address caller);
    error InvalidToken(address token);
    error NoRoot();
    error InvalidProof();
    error NothingToClaim(address account);
    error ExceedsRootTotal(uint256 totalClaimed, uint256 rootTotalCumulative);
    error BatchTooLarge(uint256 length);
    error NothingToWithdraw();
    error NoPendingUpdate();
    error UpdateNotReady(uint64 executableAt);
    error RenounceDisabled();

    /* CONSTRUCTOR */

    /// @param token The payment and reward ERC-20.
    /// @param modelRegistry The model registry.
    /// @param agentRegistry The agent registry.
    /// @param initialOwner Governance (Ownable2Step); also the pauser.
    /// @param initialGuardian May veto pending roots.
    /// @param initialTreasury Receives protocol fees.
    /// @param initialProtocolFeeBps Protocol fee, at most `MAX_PROTOCOL_FEE_BPS`.
    /// @param initialDisputeWindow Seconds a root stays pending, at most `MAX_DISPUTE_WINDOW`.
    /// @param initialSigners Oracle signers, strictly increasing, nonzero, 1 to `MAX_SIGNERS` of them.
    /// @param initialThreshold Signatures needed per root update, 1 to `initialSigners.length`.
    constructor(
        IERC20 token,
        IModelRegistry modelRegistry,
        IAgentRegistry agentRegistry,
        address initialOwner,
        address initialGuardian,
        address initialTreasury,
        uint16 initialProtocolFeeBps,
        uint32 initialDisputeWindow,
        address[] memory initialSigners,
        uint8 initialThreshold
    ) Ownable(initialOwner) EIP712("OpenLedger RewardEscrow", "1") {
        if (
            address(token) == address(0) || address(modelRegistry) == address(0)
                || address(agentRegistry) == address(0) || initialGuardian == address(0)
                || initialTreasury == address(0)
        ) revert ZeroAddress();
        TOKEN = token;
        MODEL_REGISTRY = modelRegistry;
        AGENT_REGISTRY = agentRegistry;
        _validateParams(initialProtocolFeeBps, initialDisputeWindow);
        _validateSignerSet(initialSigners, initialThreshold);
        guardian = initialGuardian;
        emit GuardianUpdated(address(0), initialGuardian);
        treasury = initialTreasury;
        emit TreasuryUpdated(address(0), initialTreasury);
        _setParams(initialProtocolFeeBps, initialDisputeWindow);
        _setSigners(initialSigners, initialThreshold);
    }

    /* FEE INTAKE */

    /// @notice Pays for inference `outputHash` on `modelId` (optionally through `agentId`), pulling `amount`
    /// tokens from the caller, who must have approved this contract.
    /// @dev Accounts by balance change: with a fee-on-transfer token the received amount is used.
    /// @param modelId The model that produced the output; must be active.
    /// @param agentId The agent that made the call, 0 for none; must run on `modelId`.
    /// @param amount The amount to pull from the caller.
    /// @param outputHash keccak256 of the output bytes; nonzero.
    /// @param outputUri Where the output bytes can be fetched.
    /// @return inferenceId The id of this inference (sequential from 1).
    function payInference(
        uint256 modelId,
        uint256 agentId,
        uint256 amount,
        bytes32 outputHash,
        string calldata outputUri
    ) external nonReentrant whenNotPaused returns (uint256 inferenceId) {
        return _payInference(modelId, agentId, amount, outputHash, outputUri);
    }

    /// @notice `payInference` with an EIP-2612 permit for `amount`. If the permit fails (for instance because
    /// it was front-run and already used) but the allowance suffices, the payment goes through.
    /// @param modelId The model that produced the output; must be active.
    /// @param agentId The agent that made the call, 0 for none; must run on `modelId`.
    /// @param amount The amount to pull from the caller (and the permit value).
    /// @param outputHash keccak256 of the output bytes; nonzero.
    /// @param outputUri Where the output bytes can be fetched.
    /// @param deadline Permit deadline.
    /// @param v Permit signature v.
    /// @param r Permit signature r.
    /// @param s Permit signature s.
    /// @return inferenceId The id of this inference (sequential from 1).
    function payInferenceWithPermit(
        uint256 modelId,
        uint256 agentId,
        uint256 amount,
        bytes32 outputHash,
        string calldata outputUri,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant whenNotPaused returns (uint256 inferenceId) {
        _permit(amount, deadline, v, r, s);
        return _payInference(modelId, agentId, amount, outputHash, outputUri);
    }

    /// @notice Sends every accrued protocol fee to the treasury. Callable by anyone.
    /// @return amount The amount sent.
    function withdrawProtocolFees() external nonReentrant returns (uint256 amount) {
        amount = protocolFeesAccrued;
        if (amount == 0) revert NothingToWithdraw();
        protocolFeesAccrued = 0;
        address to = treasury;
        emit ProtocolFeesWithdrawn(to, amount);
        TOKEN.safeTransfer(to, amount);
    }

    /* ROOTS */

    /// @notice Proposes an epoch root signed by at least `threshold` current oracle signers. Callable by anyone.
    /// @dev Signatures must recover to strictly increasing addresses, all in the current signer set. If the
    /// previous root is still pending but its dispute window has passed, it is accepted first.
    /// @param u The root update.
    /// @param signatures 65-byte ECDSA signatures over the EIP-712 digest of `u`, sorted by signer address.
    function proposeRoot(RootUpdate calldata u, bytes[] calldata signatures) external {
        if (pendingStatus == PendingStatus.Pending) {
            // forge-lint: disable-next-line(block-timestamp) -- day-scale windows; drift is harmless
            if (block.timestamp < pendingValidAt) revert RootPending(pendingEpoch, pendingValidAt);
            _acceptPending();
        }
        if (u.epoch <= pendingEpoch) revert EpochNotIncreasing(u.epoch, pendingEpoch);
        if (u.root == bytes32(0)) revert EmptyRoot();
        uint256 distributable = totalDistributable;
        if (u.totalCumulative > distributable) revert ExceedsDistributable(u.totalCumulative, distributable);
        uint256 currentTotal = currentTotalCumulative;
        if (u.totalCumulative < currentTotal) revert CumulativeDecreased(u.totalCumulative, currentTotal);
        if (currentEpoch != 0 && u.fromBlock != currentToBlock + 1) {
            revert NonContiguousBlocks(u.fromBlock, currentToBlock + 1);
        }
        if (u.toBlock < u.fromBlock || u.toBlock >= block.number) {
            revert InvalidBlockRange(u.fromBlock, u.toBlock);
        }

        address[] memory signedBy = _recoverSigners(_hashRootUpdate(u), signatures);

        // forge-lint: disable-next-line(unsafe-typecast) -- timestamps fit in 64 bits for billions of years
        uint64 validAt = uint64(block.timestamp) + disputeWindow;
        pendingRoot = u.root;
        // forge-lint: disable-next-line(unsafe-typecast) -- checked above: <= totalDistributable, a uint128
        pendingTotalCumulative = uint128(u.totalCumulative);
        pendingEpoch = u.epoch;
        pendingToBlock = u.toBlock;
        pendingValidAt = validAt;
        pendingStatus = PendingStatus.Pending;
        emit RootProposed(
            u.epoch, u.root, u.totalCumulative, u.reportHash, u.fromBlock, u.toBlock, validAt, signedBy
        );
    }

    /// @notice Makes the pending root current once its dispute window has passed. Callable by anyone.
    function acceptRoot() external {
        if (pendingStatus != PendingStatus.Pending) revert NoPendingRoot();
        // forge-lint: disable-next-line(block-timestamp) -- day-scale windows; drift is harmless
        if (block.timestamp < pendingValidAt) revert DisputeWindowOpen(pendingValidAt);
        _acceptPending();
    }

    /// @notice Vetoes the pending root of `epoch` during its dispute window. Guardian only.
    /// @dev The vetoed epoch can not be proposed again: the next proposal needs a greater epoch.
    /// @param epoch The epoch of the pending root (guards against vetoing a different root than intended).
    function vetoRoot(uint64 epoch) external {
        if (msg.sender != guardian) revert NotGuardian(msg.sender);
        if (pendingStatus != PendingStatus.Pending || pendingEpoch != epoch) revert NoPendingRoot();
        // forge-lint: disable-next-line(block-timestamp) -- day-scale windows; drift is harmless
        if (block.timestamp >= pendingValidAt) revert DisputeWindowClosed(pendingValidAt);
        pendingStatus = PendingStatus.Vetoed;
        emit RootVetoed(epoch, pendingRoot, msg.sender);
    }

    /* CLAIMS */

    /// @notice Pays `account` what the current root owes it beyond what it has already claimed. Callable by
    /// anyone; the funds only go to `account`.
    /// @param account The account of the leaf.
    /// @param token The token of the leaf; must be `TOKEN`.
    /// @param cumulativeAmount Everything `account` has earned, as in the leaf.
    /// @param proof Merkle proof of the leaf against the current root.
    /// @return amount The amount paid.
    function claim(address account, address token, uint256 cumulativeAmount, bytes32[] calldata proof)
        external
        nonReentrant
        returns (uint256 amount)
    {
        amount = _claim(account, token, cumulativeAmount, proof);
        if (amount == 0) revert NothingToClaim(account);
    }

    /// @notice Processes up to `MAX_CLAIM_BATCH` claims. Claims with nothing left to pay are skipped (so a
    /// front-run claim does not revert the batch); an invalid claim reverts the whole batch.
    /// @param claims The claims.
    /// @return total The sum paid.
    function claimMany(Claim[] calldata claims) external nonReentrant returns (uint256 total) {
        uint256 n = claims.length;
        if (n > MAX_CLAIM_BATCH) revert BatchTooLarge(n);
        for (uint256 i; i < n; ++i) {
            Claim calldata c = claims[i];
            total += _claim(c.account, c.token, c.cumulativeAmount, c.proof);
        }
    }

    /* GOVERNANCE */

    /// @notice Proposes a new oracle signer set, executable after `GOVERNANCE_DELAY`. Replaces (and restarts)
    /// any pending signer set change. Owner only.
    /// @param signerSet The new signers, strictly increasing, nonzero, 1 to `MAX_SIGNERS` of them.
    /// @param newThreshold Signatures needed per root update, 1 to `signerSet.length`.
    function proposeSignerUpdate(address[] calldata signerSet, uint8 newThreshold) external onlyOwner {
        _validateSignerSet(signerSet, newThreshold);
        // forge-lint: disable-next-line(unsafe-typecast) -- timestamps fit in 64 bits for billions of years
        uint64 executableAt = uint64(block.timestamp + GOVERNANCE_DELAY);
        SignerUpdate storage p = _pendingSignerUpdate;
        p.executableAt = executableAt;
        p.threshold = newThreshold;
        p.signers = signerSet;
        emit SignerUpdateProposed(signerSet, newThreshold, executableAt);
    }

    /// @notice Applies the pending signer set change once its delay has passed. Callable by anyone.
    function executeSignerUpdate() external {
        SignerUpdate storage p = _pendingSignerUpdate;
        uint64 executableAt = p.executableAt;
        if (executableAt == 0) revert NoPendingUpdate();
        // forge-lint: disable-next-line(block-timestamp) -- day-scale windows; drift is harmless
        if (block.timestamp < executableAt) revert UpdateNotReady(executableAt);
        address[] memory signerSet = p.signers;
        uint8 newThreshold = p.threshold;
        delete _pendingSignerUpdate;
        _setSigners(signerSet, newThreshold);
    }

    /// @notice Cancels the pending signer set change. Owner only.
    function cancelSignerUpdate() external onlyOwner {
        if (_pendingSignerUpdate.executableAt == 0) revert NoPendingUpdate();
        delete _pendingSignerUpdate;
        emit SignerUpdateCancelled();
    }

    /// @notice Proposes a new protocol fee and dispute window, executable after `GOVERNANCE_DELAY`. Replaces
    /// (and restarts) any pending parameter change. Owner only.
    /// @param newProtocolFeeBps At most `MAX_PROTOCOL_FEE_BPS`; applies to inferences paid after execution.
    /// @param newDisputeWindow At most `MAX_DISPUTE_WINDOW`; applies to roots proposed after execution.
    function proposeParamsUpdate(uint16 newProtocolFeeBps, uint32 newDisputeWindow) external onlyOwner {
        _validateParams(newProtocolFeeBps, newDisputeWindow);
        // forge-lint: disable-next-line(unsafe-typecast) -- timestamps fit in 64 bits for billions of years
        uint64 executableAt = uint64(block.timestamp + GOVERNANCE_DELAY);
        _pendingParamsUpdate = ParamsUpdate(executableAt, newProtocolFeeBps, newDisputeWindow);
        emit ParamsUpdateProposed(newProtocolFeeBps, newDisputeWindow, executableAt);
    }

    /// @notice Applies the pending parameter change once its delay has passed. Callable by anyone.
    function executeParamsUpdate() external {
        ParamsUpdate memory p = _pendingParamsUpdate;
        if (p.executableAt == 0) revert NoPendingUpdate();
        // forge-lint: disable-next-line(block-timestamp) -- day-scale windows; drift is harmless
        if (block.timestamp < p.executableAt) revert UpdateNotReady(p.executableAt);
        delete _pendingParamsUpdate;
        _setParams(p.protocolFeeBps, p.disputeWindow);
    }

    /// @notice Cancels the pending parameter change. Owner only.
    function cancelParamsUpdate() external onlyOwner {
        if (_pendingParamsUpdate.executableAt == 0) revert NoPendingUpdate();
        delete _pendingParamsUpdate;
        emit ParamsUpdateCancelled();
    }

    /// @notice Sets the treasury; already accrued fees go to the new one. Owner only.
    /// @param newTreasury The new treasury, nonzero.
    function setTreasury(address newTreasury) external onlyOwner {
        if (newTreasury == address(0)) revert ZeroAddress();
        emit TreasuryUpdated(treasury, newTreasury);
        treasury = newTreasury;
    }

    /// @notice Sets the guardian. Owner only.
    /// @param newGuardian The new guardian, nonzero.
    function setGuardian(address newGuardian) external onlyOwner {
        if (newGuardian == address(0)) revert ZeroAddress();
        emit GuardianUpdated(guardian, newGuardian);
        guardian = newGuardian;
    }

    /// @notice Stops fee intake (`payInference*`). Claims, roots and withdrawals keep working. Owner only.
    function pause() external onlyOwner {
        _pause();
    }

    /// @notice Resumes fee intake. Owner only.
    function unpause() external onlyOwner {
        _unpause();
    }

    /// @notice Sends tokens nobody is owed to `to`: any balance of another token, or the payment token's balance
    /// above `(totalDistributable - totalClaimed) + protocolFeesAccrued` (direct transfers). Owner only.
    /// @param token The token to sweep.
    /// @param to The recipient, nonzero.
    /// @return amount The amount sent.
    function sweep(IERC20 token, address to) external onlyOwner nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert ZeroAddress();
        amount = token.balanceOf(address(this));
        if (token == TOKEN) {
            uint256 owed = liabilities();
            amount = amount > owed ? amount - owed : 0;
        }
        if (amount == 0) revert NothingToWithdraw();
        emit Swept(address(token), to, amount);
        token.safeTransfer(to, amount);
    }

    /// @notice Disabled: the escrow always needs an owner to rotate oracle signers.
    function renounceOwnership() public view override onlyOwner {
        revert RenounceDisabled();
    }

    /* VIEWS */

    /// @notice What the escrow owes: unclaimed distributable funds plus unwithdrawn protocol fees.
    function liabilities() public view returns (uint256) {
        return uint256(totalDistributable) - totalClaimed + protocolFeesAccrued;
    }

    /// @notice The current oracle signers, strictly increasing.
    function signers() external view returns (address[] memory) {
        return _signers;
    }

    /// @notice Whether `account` is in the current oracle signer set.
    function isSigner(address account) public view returns (bool) {
        return _signerGenerationOf[account] == signerGeneration;
    }

    /// @notice The pending signer set change (`executableAt` 0 when none).
    function pendingSignerUpdate()
        external
        view
        returns (address[] memory signers_, uint8 threshold_, uint64 executableAt)
    {
        SignerUpdate storage p = _pendingSignerUpdate;
        return (p.signers, p.threshold, p.executableAt);
    }

    /// @notice The pending parameter change (`executableAt` 0 when none).
    function pendingParamsUpdate()
        external
        view
        returns (uint16 protocolFeeBps_, uint32 disputeWindow_, uint64 executableAt)
    {
        ParamsUpdate memory p = _pendingParamsUpdate;
        return (p.protocolFeeBps, p.disputeWindow, p.executableAt);
    }

    /// @notice The EIP-712 digest the oracle signers sign for `u`.
    function hashRootUpdate(RootUpdate calldata u) external view returns (bytes32) {
        return _hashRootUpdate(u);
    }

    /// @notice The EIP-712 domain separator (name "OpenLedger RewardEscrow", version "1").
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /* INTERNAL */

    function _permit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) private {
        try IERC20Permit(address(TOKEN)).permit(msg.sender, address(this), amount, deadline, v, r, s) {}
        catch {
            if (TOKEN.allowance(msg.sender, address(this)) < amount) revert PermitFailed();
        }
    }

    function _payInference(
        uint256 modelId,
        uint256 agentId,
        uint256 amount,
        bytes32 outputHash,
        string calldata outputUri
    ) private returns (uint256 inferenceId) {
        if (amount == 0) revert ZeroAmount();
        if (outputHash == bytes32(0)) revert ZeroOutputHash();
        (bool active, IModelRegistry.FeeSplit memory split) = MODEL_REGISTRY.inferenceTerms(modelId);
        if (!active) revert ModelNotActive(modelId);
        if (uint256(split.ownerBps) + split.dataBps + split.agentBps != BPS) revert InvalidSplit(modelId);
        if (agentId != 0) {
            uint256 agentModelId = AGENT_REGISTRY.modelOf(agentId);
            if (agentModelId != modelId) revert AgentModelMismatch(agentId, modelId, agentModelId);
        }

        uint256 received = _pull(amount);
        uint256 fee = received * protocolFeeBps / BPS;
        totalDistributable = SafeCast.toUint128(uint256(totalDistributable) + (received - fee));
        protocolFeesAccrued = SafeCast.toUint128(uint256(protocolFeesAccrued) + fee);
        inferenceId = ++inferenceCount;
        _emitInferencePaid(inferenceId, modelId, agentId, received, fee, outputHash, outputUri, split);
    }

    /// @dev Separate frame for the 12-field event (stack depth without via-IR).
    function _emitInferencePaid(
        uint256 inferenceId,
        uint256 modelId,
        uint256 agentId,
        uint256 received,
        uint256 fee,
        bytes32 outputHash,
        string calldata outputUri,
        IModelRegistry.FeeSplit memory split
    ) private {
        emit InferencePaid(
            inferenceId,
            modelId,
            agentId,
            msg.sender,
            received,
            fee,
            received - fee,
            outputHash,
            outputUri,
            split.ownerBps,
            split.dataBps,
            split.agentBps
        );
    }

    /// @dev Pulls `amount` from the caller and returns what this contract actually received.
    function _pull(uint256 amount) private returns (uint256 received) {
        uint256 balanceBefore = TOKEN.balanceOf(address(this));
        TOKEN.safeTransferFrom(msg.sender, address(this), amount);
        received = TOKEN.balanceOf(address(this)) - balanceBefore;
        if (received == 0) revert NothingReceived();
    }

    function _claim(address account, address token, uint256 cumulativeAmount, bytes32[] calldata proof)
        private
        returns (uint256 amount)
    {
        if (token != address(TOKEN)) revert InvalidToken(token);
        bytes32 root = currentRoot;
        if (root == bytes32(0)) revert NoRoot();
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(account, token, cumulativeAmount))));
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert InvalidProof();

        uint256 alreadyClaimed = claimed[account];
        if (cumulativeAmount <= alreadyClaimed) return 0;
        amount = cumulativeAmount - alreadyClaimed;
        claimed[account] = cumulativeAmount;
        uint256 newTotalClaimed = totalClaimed + amount;
        uint256 rootTotal = currentTotalCumulative;
        if (newTotalClaimed > rootTotal) revert ExceedsRootTotal(newTotalClaimed, rootTotal);
        // forge-lint: disable-next-line(unsafe-typecast) -- checked above: <= rootTotal, a uint128
        totalClaimed = uint128(newTotalClaimed);

        emit Claimed(account, token, amount, cumulativeAmount);
        TOKEN.safeTransfer(account, amount);
    }

    function _acceptPending() private {
        bytes32 root = pendingRoot;
        uint128 total = pendingTotalCumulative;
        uint64 epoch = pendingEpoch;
        uint64 toBlock = pendingToBlock;
        currentRoot = root;
        currentTotalCumulative = total;
        currentEpoch = epoch;
        currentToBlock = toBlock;
        pendingStatus = PendingStatus.Accepted;
        emit RootAccepted(epoch, root, total, toBlock);
    }

    function _hashRootUpdate(RootUpdate calldata u) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    ROOT_UPDATE_TYPEHASH,
                    u.epoch,
                    u.root,
                    u.totalCumulative,
                    u.reportHash,
                    u.fromBlock,
                    u.toBlock
                )
            )
        );
    }

    /// @dev Recovers every signer, requiring strictly increasing addresses that are all in the current set and
    /// at least `threshold` of them. Malleable (high-s) and malformed signatures revert in ECDSA.
    function _recoverSigners(bytes32 digest, bytes[] calldata signatures)
        private
        view
        returns (address[] memory recovered)
    {
        uint256 n = signatures.length;
        if (n > MAX_SIGNERS) revert TooManySignatures(n);
        uint256 m = threshold;
        if (n < m) revert NotEnoughSignatures(n, m);
        uint32 generation = signerGeneration;
        recovered = new address[](n);
        // slither-disable-next-line uninitialized-local -- zero on purpose: the first address must be above it
        address previous;
        for (uint256 i; i < n; ++i) {
            address signer = ECDSA.recoverCalldata(digest, signatures[i]);
            if (signer <= previous) revert SignaturesNotSorted(i);
            if (_signerGenerationOf[signer] != generation) revert NotASigner(signer);
            recovered[i] = signer;
            previous = signer;
        }
    }

    function _validateParams(uint16 feeBps, uint32 window) private pure {
        if (feeBps > MAX_PROTOCOL_FEE_BPS) revert FeeTooHigh(feeBps);
        if (window > MAX_DISPUTE_WINDOW) revert DisputeWindowTooLong(window);
    }

    function _setParams(uint16 feeBps, uint32 window) private {
        protocolFeeBps = feeBps;
        disputeWindow = window;
        emit ParamsUpdated(feeBps, window);
    }

    function _validateSignerSet(address[] memory signerSet, uint8 newThreshold) private pure {
        uint256 n = signerSet.length;
        if (n == 0 || n > MAX_SIGNERS) revert InvalidSignerCount(n);
        if (newThreshold == 0 || newThreshold > n) revert InvalidThreshold(newThreshold, n);
        // slither-disable-next-line uninitialized-local -- zero on purpose: the first address must be above it
        address previous;
        for (uint256 i; i < n; ++i) {
            address signer = signerSet[i];
            if (signer == address(0)) revert ZeroAddress();
            if (signer <= previous) revert SignersNotSorted(i);
            previous = signer;
        }
    }

    function _setSigners(address[] memory signerSet, uint8 newThreshold) private {
        uint32 generation = signerGeneration + 1;
        signerGeneration = generation;
        threshold = newThreshold;
        _signers = signerSet;
        for (uint256 i; i < signerSet.length; ++i) {
            _signerGenerationOf[signerSet[i]] = generation;
        }
        emit SignerSetUpdated(generation, signerSet, newThreshold);
    }
}
