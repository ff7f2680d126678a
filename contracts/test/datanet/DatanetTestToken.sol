// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test ERC-20 for the datanet tests, with switchable misbehaviour:
/// - `feeBps`: a fee burned from every transfer between two accounts (the receiver gets less than sent);
/// - `bonus`: extra tokens minted to the receiver of every transfer (the receiver gets more than sent);
/// - `hook`: a one-shot call made from inside the next transfer (to try reentrancy).
contract DatanetTestToken is ERC20 {
    uint16 public feeBps;
    uint256 public bonus;
    address public hookTarget;
    bytes public hookData;

    constructor() ERC20("Datanet Test Token", "DTT") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setFeeBps(uint16 bps) external {
        require(bps <= 10_000, "fee");
        feeBps = bps;
    }

    function setBonus(uint256 amount) external {
        bonus = amount;
    }

    function setHook(address target, bytes calldata data) external {
        hookTarget = target;
        hookData = data;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) return super._update(from, to, value);
        uint256 fee = value * feeBps / 10_000;
        if (fee != 0) super._update(from, address(0), fee);
        super._update(from, to, value - fee);
        if (bonus != 0) super._update(address(0), to, bonus);
        address target = hookTarget;
        if (target != address(0)) {
            delete hookTarget;
            (bool ok, bytes memory ret) = target.call(hookData);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(ret, 0x20), mload(ret))
                }
            }
        }
    }
}
