//! Read-only memory maps of immutable files.
//!
//! The oracle's index shards are written once, beside their final name, and renamed into place;
//! they are named by their content hash and never modified afterwards. Mapping them lets a query
//! touch only the pages it reads and lets the kernel share and evict them, so a corpus larger than
//! RAM can still be queried.
//!
//! Mapping a file is `unsafe` in Rust because another process could change the file under the
//! map. That is the one contract callers take on here: map only files that nothing writes to
//! (a shard's directory belongs to one oracle node, and shards are replaced by rename, which
//! leaves an existing map on the old inode). Everything else about the map is safe.

use std::{fs::File, io, path::Path};

/// A file mapped read-only for as long as this value lives.
#[derive(Debug)]
pub struct ReadOnlyMap {
    map: Option<memmap2::Mmap>,
}

impl ReadOnlyMap {
    /// Maps the file at `path` (an empty file maps to an empty slice: zero-length maps are not
    /// allowed by the OS).
    pub fn open(path: &Path) -> io::Result<Self> {
        let file = File::open(path)?;
        if file.metadata()?.len() == 0 {
            return Ok(Self { map: None });
        }
        // SAFETY: the file is opened read-only and, by this crate's contract (see the crate
        // documentation), is immutable once written: nothing truncates or writes it while mapped.
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::Mmap::map(&file)? };
        Ok(Self { map: Some(map) })
    }

    /// The file's bytes. The map starts on a page boundary, so the slice is aligned for any
    /// primitive type.
    pub fn bytes(&self) -> &[u8] {
        self.map.as_deref().unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_what_was_written_and_empty_files() {
        let dir = std::env::temp_dir().join(format!("olmmap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a");
        std::fs::write(&path, b"shard bytes").unwrap();
        let map = ReadOnlyMap::open(&path).unwrap();
        assert_eq!(map.bytes(), b"shard bytes");
        assert_eq!(map.bytes().as_ptr() as usize % 4096, 0, "page aligned");
        let empty = dir.join("b");
        std::fs::write(&empty, b"").unwrap();
        assert_eq!(ReadOnlyMap::open(&empty).unwrap().bytes(), b"");
        assert!(ReadOnlyMap::open(&dir.join("missing")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
