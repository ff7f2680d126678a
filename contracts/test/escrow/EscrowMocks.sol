// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

import {IAgentRegistry} from "../../src/interfaces/IAgentRegistry.sol";
import {IModelRegistry} from "../../src/interfaces/IModelRegistry.sol";

/// @dev Model registry stand-in: terms set directly by tests.
contract MockModelRegistry is IModelRegistry {
    mapping(uint256 => bool) public activeOf;
    mapping(uint256 => FeeSplit) internal _split;

    function setTerms(uint256 modelId, bool active, uint16 ownerBps, uint16 dataBps, uint16 agentBps)
        external
    {
        activeOf[modelId] = active;
        _split[modelId] = FeeSplit(ownerBps, dataBps, agentBps);
    }

    function inferenceTerms(uint256 modelId) external view returns (bool active, FeeSplit memory split) {
        return (activeOf[modelId], _split[modelId]);
    }
}

/// @dev Agent registry stand-in: agent -> model set directly by tests.
contract MockAgentRegistry is IAgentRegistry {
    mapping(uint256 => uint256) public modelOf;

    function setModel(uint256 agentId, uint256 modelId) external {
        modelOf[agentId] = modelId;
    }
}

/// @dev Plain mintable ERC-20 without permit.
contract MockERC20 is ERC20 {
    constructor() ERC20("Mock", "MOCK") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @dev Burns `feeBps` of every transfer (the recipient gets the rest).
contract FeeOnTransferToken is ERC20 {
    uint256 public feeBps;

    constructor(uint256 feeBps_) ERC20("Fee", "FEE") {
        feeBps = feeBps_;
    }

    function setFeeBps(uint256 feeBps_) external {
        feeBps = feeBps_;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) {
            uint256 fee = value * feeBps / 10_000;
            super._update(from, address(0), fee);
            super._update(from, to, value - fee);
        } else {
            super._update(from, to, value);
        }
    }
}

/// @dev Calls back into a target during transferFrom (to test reentrancy protection).
contract ReentrantToken is ERC20 {
    address public target;
    bytes public callData;
    bool public reentered;
    bytes public revertData;

    constructor() ERC20("Re", "RE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(address target_, bytes calldata data) external {
        target = target_;
        callData = data;
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (target != address(0)) {
            address t = target;
            target = address(0);
            (bool ok, bytes memory ret) = t.call(callData);
            reentered = ok;
            revertData = ret;
        }
        return super.transferFrom(from, to, value);
    }
}
