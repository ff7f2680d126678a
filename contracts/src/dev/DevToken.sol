// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title DevToken
/// @notice "OpenLedger Dev Token" (OLD), an 18-decimal ERC-20 with EIP-2612 permit for LOCAL CHAINS ONLY.
/// @dev WARNING: `mint` is public and unrestricted: anyone can mint any amount. This token exists so that
/// local demos and tests (anvil, forge) have a payment token. It has no value and must never be deployed on a
/// public network or used as the payment token of a production RewardEscrow.
contract DevToken is ERC20, ERC20Permit {
    constructor() ERC20("OpenLedger Dev Token", "OLD") ERC20Permit("OpenLedger Dev Token") {}

    /// @notice Mints `amount` tokens to `to`. Unrestricted: local chains only.
    /// @param to The recipient of the new tokens.
    /// @param amount The amount to mint, in wei (18 decimals).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
