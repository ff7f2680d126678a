//! Parsing of amounts, hashes, addresses and lists given on the command line.

use alloy::primitives::{Address, B256, U256, keccak256, utils::parse_units};
use eyre::{WrapErr, eyre};

/// `123` (wei), `12.5ether`, `3gwei`, `7wei`.
pub fn amount(s: &str) -> eyre::Result<U256> {
    let s = s.trim().replace('_', "");
    for unit in ["ether", "gwei", "wei"] {
        if let Some(num) = s.strip_suffix(unit) {
            let num = num.trim();
            return Ok(parse_units(num, unit)
                .wrap_err_with(|| format!("invalid amount {s:?}"))?
                .get_absolute());
        }
    }
    U256::from_str_radix(&s, 10)
        .map_err(|e| eyre!("invalid amount {s:?} ({e}): use wei, or a suffix like 12.5ether"))
}

/// A 32-byte hex value.
pub fn b256(s: &str) -> eyre::Result<B256> {
    s.trim()
        .parse()
        .map_err(|_| eyre!("invalid 32-byte hex {s:?}: expected 0x followed by 64 hex digits"))
}

/// A 32-byte hex value, or text hashed with keccak256.
pub fn b256_or_hash(s: &str) -> B256 {
    b256(s).unwrap_or_else(|_| keccak256(s.as_bytes()))
}

/// A 32-byte hex value, or short text right-padded to 32 bytes (a tag).
pub fn tag(s: &str) -> eyre::Result<B256> {
    if let Ok(v) = b256(s) {
        return Ok(v);
    }
    let bytes = s.as_bytes();
    if bytes.len() > 32 {
        return Err(eyre!("tag {s:?} is longer than 32 bytes"));
    }
    let mut out = [0u8; 32];
    out[..bytes.len()].copy_from_slice(bytes);
    Ok(B256::from(out))
}

/// An address.
pub fn address(s: &str) -> eyre::Result<Address> {
    s.trim()
        .parse()
        .map_err(|_| eyre!("invalid address {s:?}: expected 0x followed by 40 hex digits"))
}

/// `owner,data,agent` basis points.
pub fn split(s: &str) -> eyre::Result<(u16, u16, u16)> {
    let parts = s
        .split(',')
        .map(|p| p.trim().parse::<u16>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| eyre!("invalid split {s:?}: {e}"))?;
    match parts[..] {
        [o, d, a] => Ok((o, d, a)),
        _ => Err(eyre!(
            "invalid split {s:?}: expected OWNER,DATA,AGENT basis points, e.g. 5000,4000,1000"
        )),
    }
}

/// Comma-separated 32-byte hex values (empty string: empty list).
pub fn proof_list(s: &str) -> eyre::Result<Vec<B256>> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(b256)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        let e18 = U256::from(10u64).pow(U256::from(18));
        assert_eq!(amount("42").ok(), Some(U256::from(42)));
        assert_eq!(amount("1ether").ok(), Some(e18));
        assert_eq!(
            amount("12.5ether").ok(),
            Some(e18 * U256::from(25) / U256::from(2))
        );
        assert_eq!(amount("3gwei").ok(), Some(U256::from(3_000_000_000u64)));
        assert!(amount("ten").is_err());
        assert!(amount("1.5").is_err());
    }

    #[test]
    fn splits_tags_and_proofs() {
        assert_eq!(split("5000,4000,1000").ok(), Some((5000, 4000, 1000)));
        assert!(split("5000,5000").is_err());
        assert_eq!(tag("quality").ok().map(|t| t[0]), Some(b'q'));
        assert_eq!(proof_list("").ok().map(|p| p.len()), Some(0));
        assert!(proof_list("0x12").is_err());
    }
}
