// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {DevToken} from "../../src/dev/DevToken.sol";

contract DevTokenTest is Test {
    DevToken internal token;

    function setUp() public {
        token = new DevToken();
    }

    function test_metadata() public view {
        assertEq(token.name(), "OpenLedger Dev Token");
        assertEq(token.symbol(), "OLD");
        assertEq(token.decimals(), 18);
        assertEq(token.totalSupply(), 0);
    }

    function test_mint_anyoneCanMint() public {
        address alice = makeAddr("alice");
        vm.prank(alice);
        token.mint(alice, 5e18);
        assertEq(token.balanceOf(alice), 5e18);
        assertEq(token.totalSupply(), 5e18);
    }

    function test_permit() public {
        (address holder, uint256 key) = makeAddrAndKey("holder");
        address spender = makeAddr("spender");
        uint256 deadline = block.timestamp + 1;
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
                ),
                holder,
                spender,
                7,
                0,
                deadline
            )
        );
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(key, keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash)));
        token.permit(holder, spender, 7, deadline, v, r, s);
        assertEq(token.allowance(holder, spender), 7);
        assertEq(token.nonces(holder), 1);
    }
}
