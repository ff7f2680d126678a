// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Script} from "forge-std/Script.sol";
import {VmSafe} from "forge-std/Vm.sol";
import {console} from "forge-std/console.sol";

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {AgentRegistry} from "../src/AgentRegistry.sol";
import {DatanetRegistry} from "../src/DatanetRegistry.sol";
import {ModelRegistry} from "../src/ModelRegistry.sol";
import {RewardEscrow} from "../src/RewardEscrow.sol";
import {DevToken} from "../src/dev/DevToken.sol";
import {IAgentRegistry} from "../src/interfaces/IAgentRegistry.sol";
import {IModelRegistry} from "../src/interfaces/IModelRegistry.sol";

/// @title Deploy
/// @notice Deploys the whole OpenLedger contract set and writes `deployments/<chainId>.json`.
/// @dev Usage (the deployer key comes from forge's usual flags, `--private-key` or `--account`):
///
///     forge script contracts/script/Deploy.s.sol --rpc-url $RPC --broadcast --private-key $KEY
///
/// Environment (an unset or empty variable takes its default):
///
/// | variable          | local chains (31337, 1337)      | other chains                      |
/// | ----------------- | ------------------------------- | --------------------------------- |
/// | PAYMENT_TOKEN     | a fresh DevToken (public mint!) | required (an ERC-20 with code)    |
/// | OWNER             | the deployer                    | required                          |
/// | GUARDIAN          | the deployer                    | required                          |
/// | TREASURY          | the deployer                    | required                          |
/// | PROTOCOL_FEE_BPS  | 500                             | 500                               |
/// | DISPUTE_WINDOW    | 60 (seconds)                    | 86400 (1 day)                     |
/// | ORACLE_SIGNERS    | anvil dev accounts 7, 8, 9      | required (comma-separated)        |
/// | ORACLE_THRESHOLD  | 2                               | 2                                 |
/// | DEPLOYMENTS_OUT   | deployments/<chainId>.json      | deployments/<chainId>.json        |
///
/// On other chains the defaults that would be unsafe there (anvil's public keys as oracle signers, the
/// deployer's hot key as governance) are refused rather than silently used. Signers are sorted here (the escrow
/// requires strictly increasing addresses); a duplicate is refused.
///
/// `startBlock` in the JSON is `block.number` when the script starts: every contract is created after it, so an
/// indexer starting there sees every event.
contract Deploy is Script {
    /// @notice Everything the deployment needs, after defaults.
    struct Config {
        address paymentToken; // 0: deploy a DevToken (local chains only)
        address owner;
        address guardian;
        address treasury;
        uint16 protocolFeeBps;
        uint32 disputeWindow;
        address[] signers; // sorted ascending
        uint8 threshold;
        string out; // path of the deployment JSON
    }

    /// @notice What was deployed.
    struct Deployment {
        uint256 chainId;
        uint256 startBlock;
        address paymentToken;
        bool devToken;
        DatanetRegistry datanetRegistry;
        ModelRegistry modelRegistry;
        AgentRegistry agentRegistry;
        RewardEscrow rewardEscrow;
    }

    uint16 internal constant DEFAULT_PROTOCOL_FEE_BPS = 500;
    uint32 internal constant DEFAULT_DISPUTE_WINDOW_LOCAL = 60;
    uint32 internal constant DEFAULT_DISPUTE_WINDOW = 1 days;
    uint8 internal constant DEFAULT_THRESHOLD = 2;

    /// @notice Deploys with the configuration read from the environment, broadcasting as forge's sender.
    function run() external returns (Deployment memory d) {
        uint256 startBlock = block.number;
        // Learn who broadcasts (forge's --private-key/--account/--sender) without sending anything, then read and
        // check the whole configuration before the first transaction.
        vm.startBroadcast();
        (, address deployer,) = vm.readCallers();
        vm.stopBroadcast();
        Config memory cfg = loadConfig(deployer);
        vm.startBroadcast();
        d = deploy(cfg, startBlock);
        vm.stopBroadcast();
        write(cfg, d);
    }

    /// @notice Whether `chainId` is a local development chain (anvil, hardhat, ganache).
    function isLocal(uint256 chainId) public pure returns (bool) {
        return chainId == 31_337 || chainId == 1337;
    }

    /// @notice The configuration from the environment, with `deployer` as the local default for the roles.
    function loadConfig(address deployer) public view returns (Config memory cfg) {
        bool local = isLocal(block.chainid);
        string memory chain = vm.toString(block.chainid);

        cfg.paymentToken = _envAddress("PAYMENT_TOKEN", address(0));
        if (cfg.paymentToken == address(0)) {
            require(local, string.concat("Deploy: PAYMENT_TOKEN must be set on chain ", chain));
        } else {
            require(cfg.paymentToken.code.length > 0, "Deploy: PAYMENT_TOKEN has no code on this chain");
        }

        cfg.owner = _envAddress("OWNER", local ? deployer : address(0));
        cfg.guardian = _envAddress("GUARDIAN", local ? deployer : address(0));
        cfg.treasury = _envAddress("TREASURY", local ? deployer : address(0));
        require(cfg.owner != address(0), string.concat("Deploy: OWNER must be set on chain ", chain));
        require(cfg.guardian != address(0), string.concat("Deploy: GUARDIAN must be set on chain ", chain));
        require(cfg.treasury != address(0), string.concat("Deploy: TREASURY must be set on chain ", chain));

        uint256 fee = _envUint("PROTOCOL_FEE_BPS", DEFAULT_PROTOCOL_FEE_BPS);
        require(fee <= type(uint16).max, "Deploy: PROTOCOL_FEE_BPS out of range");
        // forge-lint: disable-next-line(unsafe-typecast) -- checked above
        cfg.protocolFeeBps = uint16(fee);

        uint256 window =
            _envUint("DISPUTE_WINDOW", local ? DEFAULT_DISPUTE_WINDOW_LOCAL : DEFAULT_DISPUTE_WINDOW);
        require(window <= type(uint32).max, "Deploy: DISPUTE_WINDOW out of range");
        // forge-lint: disable-next-line(unsafe-typecast) -- checked above
        cfg.disputeWindow = uint32(window);

        address[] memory signers = _envAddresses("ORACLE_SIGNERS");
        if (signers.length == 0) {
            require(local, string.concat("Deploy: ORACLE_SIGNERS must be set on chain ", chain));
            signers = defaultSigners();
        }
        cfg.signers = sortSigners(signers);

        uint256 threshold = _envUint("ORACLE_THRESHOLD", DEFAULT_THRESHOLD);
        require(
            threshold >= 1 && threshold <= cfg.signers.length,
            "Deploy: ORACLE_THRESHOLD must be between 1 and the number of signers"
        );
        // forge-lint: disable-next-line(unsafe-typecast) -- checked above: <= signers.length <= MAX_SIGNERS
        cfg.threshold = uint8(threshold);

        cfg.out = vm.envOr("DEPLOYMENTS_OUT", string(""));
        if (bytes(cfg.out).length == 0) {
            // Relative (forge resolves it against the project root), so gas does not depend on
            // the checkout's path.
            cfg.out = string.concat("deployments/", chain, ".json");
        }
    }

    /// @notice Deploys every contract with `cfg`. Call between `vm.startBroadcast` and `vm.stopBroadcast`.
    function deploy(Config memory cfg, uint256 startBlock) public returns (Deployment memory d) {
        d.chainId = block.chainid;
        d.startBlock = startBlock;
        if (cfg.paymentToken == address(0)) {
            require(isLocal(block.chainid), "Deploy: a DevToken may only be deployed on a local chain");
            d.paymentToken = address(new DevToken());
            d.devToken = true;
        } else {
            d.paymentToken = cfg.paymentToken;
        }
        d.datanetRegistry = new DatanetRegistry(IERC20(d.paymentToken));
        d.modelRegistry = new ModelRegistry();
        d.agentRegistry = new AgentRegistry(IModelRegistry(address(d.modelRegistry)));
        d.rewardEscrow = new RewardEscrow(
            IERC20(d.paymentToken),
            IModelRegistry(address(d.modelRegistry)),
            IAgentRegistry(address(d.agentRegistry)),
            cfg.owner,
            cfg.guardian,
            cfg.treasury,
            cfg.protocolFeeBps,
            cfg.disputeWindow,
            cfg.signers,
            cfg.threshold
        );
    }

    /// @notice Writes the deployment JSON to `cfg.out` (creating `deployments/` if needed) and returns it.
    function write(Config memory cfg, Deployment memory d) public returns (string memory json) {
        json = toJson(d);
        string memory dir = "deployments";
        if (!vm.exists(dir)) vm.createDir(dir, true);
        vm.writeJson(json, cfg.out);
        console.log("Deployment written to", cfg.out);
    }

    /// @notice The deployment JSON (key names are parsed by the Rust SDK: keep them). Every value is read back
    /// from the deployed contracts, so the file cannot disagree with the chain.
    function toJson(Deployment memory d) public returns (string memory) {
        string memory c = "contracts";
        vm.serializeJson(c, "{}");
        vm.serializeAddress(c, "paymentToken", d.paymentToken);
        vm.serializeAddress(c, "datanetRegistry", address(d.datanetRegistry));
        vm.serializeAddress(c, "modelRegistry", address(d.modelRegistry));
        vm.serializeAddress(c, "agentRegistry", address(d.agentRegistry));
        string memory contractsJson = vm.serializeAddress(c, "rewardEscrow", address(d.rewardEscrow));

        string memory o = "oracle";
        vm.serializeJson(o, "{}");
        vm.serializeAddress(o, "signers", d.rewardEscrow.signers());
        string memory oracleJson = vm.serializeUint(o, "threshold", d.rewardEscrow.threshold());

        string memory p = "params";
        vm.serializeJson(p, "{}");
        vm.serializeUint(p, "protocolFeeBps", d.rewardEscrow.protocolFeeBps());
        vm.serializeUint(p, "disputeWindow", d.rewardEscrow.disputeWindow());
        vm.serializeUint(p, "governanceDelay", d.rewardEscrow.GOVERNANCE_DELAY());
        vm.serializeAddress(p, "owner", d.rewardEscrow.owner());
        vm.serializeAddress(p, "guardian", d.rewardEscrow.guardian());
        string memory paramsJson = vm.serializeAddress(p, "treasury", d.rewardEscrow.treasury());

        string memory r = "deployment";
        vm.serializeJson(r, "{}");
        vm.serializeUint(r, "chainId", d.chainId);
        vm.serializeUint(r, "startBlock", d.startBlock);
        vm.serializeString(r, "contracts", contractsJson);
        vm.serializeString(r, "oracle", oracleJson);
        vm.serializeString(r, "params", paramsJson);
        return vm.serializeBool(r, "devToken", d.devToken);
    }

    /// @notice Anvil's dev accounts 7, 8 and 9 (mnemonic "test test ... junk"), ascending. LOCAL ONLY.
    function defaultSigners() public pure returns (address[] memory s) {
        s = new address[](3);
        s[0] = 0x14dC79964da2C08b23698B3D3cc7Ca32193d9955;
        s[1] = 0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f;
        s[2] = 0xa0Ee7A142d267C1f36714E4a8F75612F20a79720;
    }

    /// @notice `signers` sorted ascending (a copy); reverts on a duplicate or the zero address.
    function sortSigners(address[] memory signers) public pure returns (address[] memory s) {
        uint256 n = signers.length;
        s = new address[](n);
        for (uint256 i; i < n; ++i) {
            address a = signers[i];
            require(a != address(0), "Deploy: ORACLE_SIGNERS contains the zero address");
            uint256 j = i;
            while (j > 0 && s[j - 1] > a) {
                s[j] = s[j - 1];
                --j;
            }
            require(j == 0 || s[j - 1] != a, "Deploy: ORACLE_SIGNERS contains a duplicate");
            s[j] = a;
        }
    }

    /* ENVIRONMENT (an empty value counts as unset, so a test can "unset" a variable with vm.setEnv) */

    function _envAddress(string memory name, address defaultValue) internal view returns (address) {
        string memory v = vm.trim(vm.envOr(name, string("")));
        return bytes(v).length == 0 ? defaultValue : vm.parseAddress(v);
    }

    function _envUint(string memory name, uint256 defaultValue) internal view returns (uint256) {
        string memory v = vm.trim(vm.envOr(name, string("")));
        return bytes(v).length == 0 ? defaultValue : vm.parseUint(v);
    }

    /// @dev Comma-separated addresses, spaces around them allowed; empty when unset.
    function _envAddresses(string memory name) internal view returns (address[] memory list) {
        string memory v = vm.trim(vm.envOr(name, string("")));
        if (bytes(v).length == 0) return list;
        string[] memory parts = vm.split(v, ",");
        list = new address[](parts.length);
        for (uint256 i; i < parts.length; ++i) {
            list[i] = vm.parseAddress(vm.trim(parts[i]));
        }
    }
}
