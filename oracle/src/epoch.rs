//! Epoch block ranges.
//!
//! Epochs cover contiguous, final block ranges: each starts right after the previous epoch's
//! `to_block`, and ends at `head - finality_depth`, so no reorg can change what an epoch saw.

use serde::{Deserialize, Serialize};

/// An inclusive block range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockRange {
    /// First block, inclusive.
    pub from_block: u64,
    /// Last block, inclusive.
    pub to_block: u64,
}

/// The range the next epoch covers, or `None` when no new block is final yet.
///
/// `previous_to` is the last epoch's `to_block` (`None` before the first epoch, which then starts
/// at `start_block`, the contracts' deployment block).
pub fn next_epoch_range(
    previous_to: Option<u64>,
    start_block: u64,
    head: u64,
    finality_depth: u64,
) -> Option<BlockRange> {
    let from_block = match previous_to {
        Some(to) => to.checked_add(1)?,
        None => start_block,
    };
    let to_block = head.checked_sub(finality_depth)?;
    (to_block >= from_block).then_some(BlockRange {
        from_block,
        to_block,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_epoch_starts_at_deployment() {
        assert_eq!(
            next_epoch_range(None, 5, 20, 3),
            Some(BlockRange {
                from_block: 5,
                to_block: 17
            })
        );
    }

    #[test]
    fn epochs_are_contiguous() {
        let first = next_epoch_range(None, 0, 10, 2).unwrap();
        let second = next_epoch_range(Some(first.to_block), 0, 15, 2).unwrap();
        assert_eq!(second.from_block, first.to_block + 1);
    }

    #[test]
    fn nothing_final_yet() {
        assert_eq!(next_epoch_range(Some(17), 0, 20, 3), None);
        assert_eq!(next_epoch_range(None, 0, 2, 3), None);
        assert_eq!(next_epoch_range(Some(u64::MAX), 0, u64::MAX, 0), None);
    }
}
