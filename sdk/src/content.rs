//! Content addressing: a record or an inference output is named by keccak256 of its exact bytes.

use alloy::primitives::{B256, keccak256};

/// Bytes did not hash to the expected content hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("content hash mismatch: expected {expected}, got {actual}")]
pub struct ContentError {
    /// The hash the caller asked for.
    pub expected: B256,
    /// The hash of the bytes actually received.
    pub actual: B256,
}

/// keccak256 of the exact bytes: no normalisation, so the hash a contributor posts on-chain is
/// reproducible by anyone holding the bytes.
pub fn content_hash(bytes: &[u8]) -> B256 {
    keccak256(bytes)
}

/// Checks that `bytes` are the content named by `expected`.
pub fn verify_content(expected: B256, bytes: &[u8]) -> Result<(), ContentError> {
    let actual = content_hash(bytes);
    if actual == expected {
        Ok(())
    } else {
        Err(ContentError { expected, actual })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::b256;

    #[test]
    fn hash_of_empty_bytes_is_keccak_of_nothing() {
        assert_eq!(
            content_hash(b""),
            b256!("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        );
    }

    #[test]
    fn mismatch_names_both_hashes() {
        let expected = content_hash(b"record one");
        let err = verify_content(expected, b"record two").unwrap_err();
        assert_eq!(err.expected, expected);
        assert_eq!(err.actual, content_hash(b"record two"));
        assert!(verify_content(expected, b"record one").is_ok());
    }
}
