// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {Deploy} from "../../script/Deploy.s.sol";
import {DevToken} from "../../src/dev/DevToken.sol";

/// @dev Runs the deploy script in-process. The environment is process-wide and forge runs test functions in
/// parallel, so every test that reads the environment lives in ONE function (`test_run_environment`), which sets
/// every variable the script reads before each scenario (an empty value counts as unset for the script). The
/// other tests call the script's environment-free functions.
contract DeployTest is Test {
    Deploy internal script;
    string internal out;

    address internal constant ANVIL_7 = 0x14dC79964da2C08b23698B3D3cc7Ca32193d9955;
    address internal constant ANVIL_8 = 0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f;
    address internal constant ANVIL_9 = 0xa0Ee7A142d267C1f36714E4a8F75612F20a79720;

    function setUp() public {
        script = new Deploy();
        // Unique per worktree and run: other checkouts on the same machine may run this test concurrently.
        out = string.concat(
            "/tmp/openledger-deploy-test-",
            vm.toString(keccak256(abi.encode(vm.projectRoot(), vm.unixTime(), address(this)))),
            ".json"
        );
    }

    function _setEnv(
        string memory token,
        string memory owner,
        string memory guardian,
        string memory treasury,
        string memory feeBps,
        string memory window,
        string memory signers,
        string memory threshold
    ) internal {
        vm.setEnv("PAYMENT_TOKEN", token);
        vm.setEnv("OWNER", owner);
        vm.setEnv("GUARDIAN", guardian);
        vm.setEnv("TREASURY", treasury);
        vm.setEnv("PROTOCOL_FEE_BPS", feeBps);
        vm.setEnv("DISPUTE_WINDOW", window);
        vm.setEnv("ORACLE_SIGNERS", signers);
        vm.setEnv("ORACLE_THRESHOLD", threshold);
        vm.setEnv("DEPLOYMENTS_OUT", out);
    }

    /// @dev Checks the wiring of `d` and the JSON file against it.
    function _check(
        Deploy.Deployment memory d,
        address owner,
        address guardian,
        address treasury,
        uint256 feeBps,
        uint256 window,
        address[] memory signers,
        uint256 threshold
    ) internal view {
        // Wiring.
        assertEq(d.chainId, block.chainid, "chainId");
        assertEq(address(d.datanetRegistry.BOND_TOKEN()), d.paymentToken, "datanet token");
        assertEq(address(d.agentRegistry.MODEL_REGISTRY()), address(d.modelRegistry), "agent models");
        assertEq(address(d.rewardEscrow.TOKEN()), d.paymentToken, "escrow token");
        assertEq(address(d.rewardEscrow.MODEL_REGISTRY()), address(d.modelRegistry), "escrow models");
        assertEq(address(d.rewardEscrow.AGENT_REGISTRY()), address(d.agentRegistry), "escrow agents");
        assertEq(d.rewardEscrow.owner(), owner, "owner");
        assertEq(d.rewardEscrow.guardian(), guardian, "guardian");
        assertEq(d.rewardEscrow.treasury(), treasury, "treasury");
        assertEq(d.rewardEscrow.protocolFeeBps(), feeBps, "fee");
        assertEq(d.rewardEscrow.disputeWindow(), window, "window");
        assertEq(d.rewardEscrow.signers(), signers, "signers");
        assertEq(d.rewardEscrow.threshold(), threshold, "threshold");
        for (uint256 i; i < signers.length; ++i) {
            assertTrue(d.rewardEscrow.isSigner(signers[i]), "isSigner");
        }

        // JSON, read back from the file.
        string memory json = vm.readFile(out);
        _assertKeys(
            json, "$", _list7("chainId", "contracts", "devToken", "oracle", "params", "startBlock", "")
        );
        _assertKeys(
            json,
            ".contracts",
            _list7(
                "agentRegistry", "datanetRegistry", "modelRegistry", "paymentToken", "rewardEscrow", "", ""
            )
        );
        _assertKeys(json, ".oracle", _list7("signers", "threshold", "", "", "", "", ""));
        _assertKeys(
            json,
            ".params",
            _list7("disputeWindow", "governanceDelay", "guardian", "owner", "protocolFeeBps", "treasury", "")
        );
        assertEq(vm.parseJsonUint(json, ".chainId"), block.chainid, "json chainId");
        assertEq(vm.parseJsonUint(json, ".startBlock"), d.startBlock, "json startBlock");
        assertEq(vm.parseJsonBool(json, ".devToken"), d.devToken, "json devToken");
        assertEq(vm.parseJsonAddress(json, ".contracts.paymentToken"), d.paymentToken, "json token");
        assertEq(
            vm.parseJsonAddress(json, ".contracts.datanetRegistry"),
            address(d.datanetRegistry),
            "json datanets"
        );
        assertEq(
            vm.parseJsonAddress(json, ".contracts.modelRegistry"), address(d.modelRegistry), "json models"
        );
        assertEq(
            vm.parseJsonAddress(json, ".contracts.agentRegistry"), address(d.agentRegistry), "json agents"
        );
        assertEq(vm.parseJsonAddress(json, ".contracts.rewardEscrow"), address(d.rewardEscrow), "json escrow");
        assertEq(vm.parseJsonAddressArray(json, ".oracle.signers"), signers, "json signers");
        assertEq(vm.parseJsonUint(json, ".oracle.threshold"), threshold, "json threshold");
        assertEq(vm.parseJsonUint(json, ".params.protocolFeeBps"), feeBps, "json fee");
        assertEq(vm.parseJsonUint(json, ".params.disputeWindow"), window, "json window");
        assertEq(vm.parseJsonUint(json, ".params.governanceDelay"), 2 days, "json delay");
        assertEq(vm.parseJsonAddress(json, ".params.owner"), owner, "json owner");
        assertEq(vm.parseJsonAddress(json, ".params.guardian"), guardian, "json guardian");
        assertEq(vm.parseJsonAddress(json, ".params.treasury"), treasury, "json treasury");

        // Representation: checksummed address strings, bare JSON numbers.
        assertTrue(_contains(json, string.concat('"', vm.toString(address(d.rewardEscrow)), '"')), "checksum");
        assertTrue(_contains(json, string.concat('"chainId": ', vm.toString(block.chainid))), "number");
        assertTrue(_contains(json, string.concat('"threshold": ', vm.toString(threshold))), "number");
        assertTrue(_contains(json, string.concat('"devToken": ', d.devToken ? "true" : "false")), "bool");
    }

    function _contains(string memory s, string memory sub) internal pure returns (bool) {
        return vm.indexOf(s, sub) != type(uint256).max;
    }

    function _assertKeys(string memory json, string memory path, string[7] memory expected) internal pure {
        string[] memory keys = vm.parseJsonKeys(json, path);
        uint256 n;
        for (uint256 i; i < 7; ++i) {
            if (bytes(expected[i]).length == 0) break;
            ++n;
        }
        assertEq(keys.length, n, string.concat("number of keys of ", path));
        for (uint256 i; i < n; ++i) {
            bool found;
            for (uint256 j; j < keys.length; ++j) {
                if (keccak256(bytes(keys[j])) == keccak256(bytes(expected[i]))) found = true;
            }
            assertTrue(found, string.concat("missing key ", expected[i], " in ", path));
        }
    }

    function _list7(
        string memory a,
        string memory b,
        string memory c,
        string memory d,
        string memory e,
        string memory f,
        string memory g
    ) internal pure returns (string[7] memory l) {
        l = [a, b, c, d, e, f, g];
    }

    function _two(address a, address b) internal pure returns (address[] memory l) {
        l = new address[](2);
        (l[0], l[1]) = (a, b);
    }

    function _three(address a, address b, address c) internal pure returns (address[] memory l) {
        l = new address[](3);
        (l[0], l[1], l[2]) = (a, b, c);
    }

    /// @dev Every scenario that reads the environment, in sequence (see the contract comment).
    function test_run_environment() public {
        address owner = makeAddr("owner");
        address guardian = makeAddr("guardian");
        address treasury = makeAddr("treasury");
        string memory o = vm.toString(owner);
        string memory g = vm.toString(guardian);
        string memory t = vm.toString(treasury);

        // 1. Local chain, defaults: a DevToken, the deployer in every role, anvil accounts 7-9, 2 of 3, 5%, 60 s.
        _setEnv("", "", "", "", "", "", "", "");
        vm.roll(42);
        Deploy.Deployment memory d = script.run();
        assertTrue(d.devToken, "devToken");
        assertEq(d.startBlock, 42, "startBlock");
        DevToken(d.paymentToken).mint(address(this), 1); // the public-mint dev token
        _check(
            d, DEFAULT_SENDER, DEFAULT_SENDER, DEFAULT_SENDER, 500, 60, _three(ANVIL_7, ANVIL_8, ANVIL_9), 2
        );

        // 2. Local chain, everything given; signers unsorted, with spaces; 3 of 3.
        address[] memory sorted = script.sortSigners(_three(ANVIL_9, ANVIL_7, ANVIL_8));
        _setEnv(
            "",
            o,
            g,
            t,
            "250",
            "3600",
            string.concat(vm.toString(ANVIL_9), ", ", vm.toString(ANVIL_7), " ,", vm.toString(ANVIL_8)),
            "3"
        );
        d = script.run();
        assertTrue(d.devToken, "devToken");
        _check(d, owner, guardian, treasury, 250, 3600, sorted, 3);

        // 3. Another chain: the payment token is required...
        vm.chainId(8453);
        _setEnv("", o, g, t, "", "", vm.toString(ANVIL_7), "1");
        vm.expectRevert(bytes("Deploy: PAYMENT_TOKEN must be set on chain 8453"));
        script.run();

        // ... and must have code...
        _setEnv(vm.toString(makeAddr("eoa")), o, g, t, "", "", vm.toString(ANVIL_7), "1");
        vm.expectRevert(bytes("Deploy: PAYMENT_TOKEN has no code on this chain"));
        script.run();

        // ... so are the roles and the oracle signers (the local defaults would be unsafe there).
        DevToken existing = new DevToken();
        string memory tok = vm.toString(address(existing));
        _setEnv(tok, "", g, t, "", "", vm.toString(ANVIL_7), "1");
        vm.expectRevert(bytes("Deploy: OWNER must be set on chain 8453"));
        script.run();
        _setEnv(tok, o, "", t, "", "", vm.toString(ANVIL_7), "1");
        vm.expectRevert(bytes("Deploy: GUARDIAN must be set on chain 8453"));
        script.run();
        _setEnv(tok, o, g, "", "", "", vm.toString(ANVIL_7), "1");
        vm.expectRevert(bytes("Deploy: TREASURY must be set on chain 8453"));
        script.run();
        _setEnv(tok, o, g, t, "", "", "", "1");
        vm.expectRevert(bytes("Deploy: ORACLE_SIGNERS must be set on chain 8453"));
        script.run();

        // 4. Bad values are refused before anything is deployed.
        _setEnv(tok, o, g, t, "", "", vm.toString(ANVIL_7), "2");
        vm.expectRevert(bytes("Deploy: ORACLE_THRESHOLD must be between 1 and the number of signers"));
        script.run();
        _setEnv(tok, o, g, t, "", "", vm.toString(ANVIL_7), "0");
        vm.expectRevert(bytes("Deploy: ORACLE_THRESHOLD must be between 1 and the number of signers"));
        script.run();
        _setEnv(tok, o, g, t, "65536", "", vm.toString(ANVIL_7), "1");
        vm.expectRevert(bytes("Deploy: PROTOCOL_FEE_BPS out of range"));
        script.run();
        _setEnv(tok, o, g, t, "", "4294967296", vm.toString(ANVIL_7), "1");
        vm.expectRevert(bytes("Deploy: DISPUTE_WINDOW out of range"));
        script.run();
        _setEnv(tok, o, g, t, "", "", string.concat(vm.toString(ANVIL_7), ",", vm.toString(ANVIL_7)), "1");
        vm.expectRevert(bytes("Deploy: ORACLE_SIGNERS contains a duplicate"));
        script.run();

        // 5. Another chain, everything given: the given token, a one-day dispute window by default.
        _setEnv(tok, o, g, t, "", "", string.concat(vm.toString(ANVIL_8), ",", vm.toString(ANVIL_7)), "1");
        d = script.run();
        assertFalse(d.devToken, "no devToken");
        assertEq(d.paymentToken, address(existing), "given token");
        _check(d, owner, guardian, treasury, 500, 1 days, _two(ANVIL_7, ANVIL_8), 1);

        vm.removeFile(out);
    }

    function test_sortSigners() public view {
        address a = address(0x1);
        address b = address(0xBEEF);
        address c = address(0xFFFF0000);
        address[] memory s = script.sortSigners(_three(c, a, b));
        assertEq(s, _three(a, b, c));
        s = script.sortSigners(_three(b, c, a));
        assertEq(s, _three(a, b, c));
        s = script.sortSigners(_three(a, b, c));
        assertEq(s, _three(a, b, c));
        assertEq(script.sortSigners(new address[](0)).length, 0);
    }

    function test_sortSigners_refusesDuplicatesAndZero() public {
        vm.expectRevert(bytes("Deploy: ORACLE_SIGNERS contains a duplicate"));
        script.sortSigners(_three(address(2), address(1), address(2)));
        vm.expectRevert(bytes("Deploy: ORACLE_SIGNERS contains the zero address"));
        script.sortSigners(_three(address(2), address(0), address(3)));
    }

    function testFuzz_sortSigners(address[8] memory input) public view {
        address[] memory list = new address[](8);
        for (uint256 i; i < 8; ++i) {
            // Make them distinct and nonzero while keeping the fuzzer's order.
            list[i] = address(uint160(uint256(keccak256(abi.encode(input[i], i)))));
        }
        address[] memory s = script.sortSigners(list);
        assertEq(s.length, 8);
        for (uint256 i = 1; i < 8; ++i) {
            assertLt(uint160(s[i - 1]), uint160(s[i]));
        }
        for (uint256 i; i < 8; ++i) {
            bool found;
            for (uint256 j; j < 8; ++j) {
                if (s[j] == list[i]) found = true;
            }
            assertTrue(found);
        }
    }

    function test_defaultSigners_areAnvilAccounts789Sorted() public view {
        address[] memory s = script.defaultSigners();
        assertEq(s, _three(vm.addr(_anvilKey(7)), vm.addr(_anvilKey(8)), vm.addr(_anvilKey(9))));
        assertEq(script.sortSigners(s), s);
    }

    function test_deploy_devTokenRefusedOffLocalChains() public {
        vm.chainId(1);
        Deploy.Config memory cfg;
        vm.expectRevert(bytes("Deploy: a DevToken may only be deployed on a local chain"));
        script.deploy(cfg, 0);
    }

    function test_isLocal() public view {
        assertTrue(script.isLocal(31_337));
        assertTrue(script.isLocal(1337));
        assertFalse(script.isLocal(1));
        assertFalse(script.isLocal(8453));
    }

    /// @dev The committed example (a fresh anvil, defaults, anvil account 0 deploying) has the current format.
    function test_committedLocalDeployment() public view {
        // Relative to the project root: an absolute path would make the gas snapshot depend on
        // where the repository is checked out.
        string memory json = vm.readFile("deployments/31337.json");
        assertEq(vm.parseJsonUint(json, ".chainId"), 31_337);
        assertTrue(vm.parseJsonBool(json, ".devToken"));
        address deployer = vm.addr(_anvilKey(0));
        assertEq(vm.parseJsonAddress(json, ".contracts.paymentToken"), vm.computeCreateAddress(deployer, 0));
        assertEq(
            vm.parseJsonAddress(json, ".contracts.datanetRegistry"), vm.computeCreateAddress(deployer, 1)
        );
        assertEq(vm.parseJsonAddress(json, ".contracts.modelRegistry"), vm.computeCreateAddress(deployer, 2));
        assertEq(vm.parseJsonAddress(json, ".contracts.agentRegistry"), vm.computeCreateAddress(deployer, 3));
        assertEq(vm.parseJsonAddress(json, ".contracts.rewardEscrow"), vm.computeCreateAddress(deployer, 4));
        assertEq(vm.parseJsonAddressArray(json, ".oracle.signers"), _three(ANVIL_7, ANVIL_8, ANVIL_9));
        assertEq(vm.parseJsonUint(json, ".oracle.threshold"), 2);
        assertEq(vm.parseJsonUint(json, ".params.protocolFeeBps"), 500);
        assertEq(vm.parseJsonUint(json, ".params.disputeWindow"), 60);
        assertEq(vm.parseJsonUint(json, ".params.governanceDelay"), 2 days);
        assertEq(vm.parseJsonAddress(json, ".params.owner"), deployer);
        assertEq(vm.parseJsonAddress(json, ".params.guardian"), deployer);
        assertEq(vm.parseJsonAddress(json, ".params.treasury"), deployer);
    }

    /// @dev Anvil's dev key `i` (mnemonic "test test test test test test test test test test test junk").
    function _anvilKey(uint32 i) internal pure returns (uint256) {
        return vm.deriveKey("test test test test test test test test test test test junk", i);
    }
}
