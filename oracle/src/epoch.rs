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

/// Like [`next_epoch_range`], but `to_block` is the last final block of the form
/// `start_block - 1 + k·epoch_blocks`.
///
/// Why boundaries: committee nodes poll the head at slightly different moments; if each took
/// `head - finality_depth` as it saw it, they would rarely compute the same range. With aligned
/// boundaries they all pick the same `to_block` except during the few seconds a new boundary
/// becomes final, and converge on the next poll. `epoch_blocks = 1` is [`next_epoch_range`].
pub fn aligned_epoch_range(
    previous_to: Option<u64>,
    start_block: u64,
    head: u64,
    finality_depth: u64,
    epoch_blocks: u64,
) -> Option<BlockRange> {
    let from_block = match previous_to {
        Some(to) => to.checked_add(1)?,
        None => start_block,
    };
    let last_final = head.checked_sub(finality_depth)?;
    let span = last_final.checked_add(1)?.checked_sub(start_block)?;
    let step = epoch_blocks.max(1);
    let to_block = start_block
        .checked_add(span / step * step)?
        .checked_sub(1)?;
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
    fn aligned_ranges_end_on_boundaries() {
        // Boundaries at 4, 9, 14, ... (start 0, 5 blocks); head 17 at depth 2: 15 is final, so 14.
        let r = aligned_epoch_range(None, 0, 17, 2, 5).unwrap();
        assert_eq!((r.from_block, r.to_block), (0, 14));
        // Every head from 17 to 20 gives the same range (19 becomes final at head 21).
        for head in 17..21 {
            assert_eq!(aligned_epoch_range(None, 0, head, 2, 5), Some(r));
        }
        assert_eq!(aligned_epoch_range(Some(14), 0, 20, 2, 5), None);
        let next = aligned_epoch_range(Some(14), 0, 21, 2, 5).unwrap();
        assert_eq!((next.from_block, next.to_block), (15, 19));
        for head in [0, 5, 17, 100] {
            assert_eq!(
                aligned_epoch_range(Some(3), 1, head, 2, 1),
                next_epoch_range(Some(3), 1, head, 2)
            );
        }
    }

    #[test]
    fn nothing_final_yet() {
        assert_eq!(next_epoch_range(Some(17), 0, 20, 3), None);
        assert_eq!(next_epoch_range(None, 0, 2, 3), None);
        assert_eq!(next_epoch_range(Some(u64::MAX), 0, u64::MAX, 0), None);
    }
}
