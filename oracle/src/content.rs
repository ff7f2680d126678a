//! Contents (records, outputs, reports) by hash, from the content store, checked.
//!
//! Two sources: the content store's HTTP API (the normal case: each oracle node indexes the chain
//! itself but shares the public content store) or the `contents` table of an indexer database
//! the oracle reads directly. Either way the bytes are re-hashed here: a store that serves wrong
//! bytes under a name yields [`Fetched::Mismatch`], never wrong input.
//!
//! Absence and mismatch are facts about the inputs (the inference is then unresolved and carried,
//! invariant 5); a transport failure is not, and is an error, so a node whose store is briefly
//! unreachable computes nothing rather than a report that carries everything.
//!
//! Contents are immutable by hash, so an optional directory caches what was fetched (files
//! named by hash, re-checked when read). Only what is read again epoch after epoch is kept there
//! (records, reports): outputs are read once, when their inference is settled, so they are
//! fetched with [`Contents::fetch_all_transient`], which reads the cache but does not fill it,
//! and the cache grows with the corpus, not with every inference ever paid.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use alloy::primitives::B256;
use openledger_indexer::Store;
use openledger_sdk::{
    content_client::{ContentClient, ContentStoreError},
    content_hash,
};
use tokio::task::JoinSet;

/// What a fetch found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// The bytes, checked against their hash.
    Bytes(Vec<u8>),
    /// Nothing stored under the hash.
    Missing,
    /// Bytes stored under the hash do not hash to it.
    Mismatch,
}

impl Fetched {
    /// The bytes, if they were found and checked.
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Self::Bytes(b) => Some(b),
            _ => None,
        }
    }
}

/// A content store that could not be asked.
#[derive(Debug, thiserror::Error)]
pub enum ContentSourceError {
    /// HTTP transport or server error.
    #[error("content store: {0}")]
    Http(#[from] ContentStoreError),
    /// Database error.
    #[error("content table: {0}")]
    Store(#[from] openledger_indexer::StoreError),
    /// Cache directory error.
    #[error("content cache: {0}")]
    Io(#[from] std::io::Error),
    /// A fetch task failed.
    #[error("content fetch task: {0}")]
    Task(String),
}

#[derive(Debug, Clone)]
enum Source {
    Http(ContentClient),
    Store(Store),
}

/// Where contents come from, with an optional on-disk cache.
#[derive(Debug, Clone)]
pub struct Contents {
    source: Source,
    cache: Option<Arc<PathBuf>>,
}

impl Contents {
    /// The content store's HTTP API at `base_url`.
    pub fn http(base_url: &str) -> Self {
        Self {
            source: Source::Http(ContentClient::new(base_url)),
            cache: None,
        }
    }

    /// The `contents` table of an indexer database.
    pub fn store(store: Store) -> Self {
        Self {
            source: Source::Store(store),
            cache: None,
        }
    }

    /// Caches fetched contents under `dir` (created if missing).
    pub fn with_cache(mut self, dir: &Path) -> Result<Self, ContentSourceError> {
        std::fs::create_dir_all(dir)?;
        self.cache = Some(Arc::new(dir.to_path_buf()));
        Ok(self)
    }

    /// Fetches and checks the bytes named `hash`, keeping them in the cache.
    pub async fn fetch(&self, hash: B256) -> Result<Fetched, ContentSourceError> {
        self.fetch_keeping(hash, true).await
    }

    async fn fetch_keeping(&self, hash: B256, keep: bool) -> Result<Fetched, ContentSourceError> {
        let cached = self.cache.as_ref().map(|d| d.join(format!("{hash:x}")));
        if let Some(path) = &cached
            && let Ok(bytes) = tokio::fs::read(path).await
            && content_hash(&bytes) == hash
        {
            return Ok(Fetched::Bytes(bytes));
        }
        let fetched = match &self.source {
            Source::Http(client) => match client.get(hash).await {
                Ok(bytes) => Fetched::Bytes(bytes),
                Err(ContentStoreError::NotFound(_)) => Fetched::Missing,
                Err(ContentStoreError::Mismatch(_)) => Fetched::Mismatch,
                Err(e) => return Err(e.into()),
            },
            Source::Store(store) => match store.get_content(&format!("{hash:#x}")).await? {
                None => Fetched::Missing,
                Some(bytes) if content_hash(&bytes) == hash => Fetched::Bytes(bytes),
                Some(_) => Fetched::Mismatch,
            },
        };
        if let (Some(path), Fetched::Bytes(bytes), true) = (&cached, &fetched, keep) {
            // Written beside and renamed, so a reader never sees half a file.
            let tmp = crate::files::temp_beside(path);
            tokio::fs::write(&tmp, bytes).await?;
            tokio::fs::rename(&tmp, path).await?;
        }
        Ok(fetched)
    }

    /// Fetches many, at most `parallel` at a time, keeping them in the cache; results in the
    /// order of `hashes`.
    pub async fn fetch_all(
        &self,
        hashes: &[B256],
        parallel: usize,
    ) -> Result<Vec<Fetched>, ContentSourceError> {
        self.fetch_all_keeping(hashes, parallel, true).await
    }

    /// [`Self::fetch_all`] for contents needed once (outputs): a cached copy is used, but what is
    /// fetched is not added to the cache.
    pub async fn fetch_all_transient(
        &self,
        hashes: &[B256],
        parallel: usize,
    ) -> Result<Vec<Fetched>, ContentSourceError> {
        self.fetch_all_keeping(hashes, parallel, false).await
    }

    async fn fetch_all_keeping(
        &self,
        hashes: &[B256],
        parallel: usize,
        keep: bool,
    ) -> Result<Vec<Fetched>, ContentSourceError> {
        let mut out: Vec<Option<Fetched>> = vec![None; hashes.len()];
        let mut tasks = JoinSet::new();
        let mut next = 0;
        loop {
            while tasks.len() < parallel.max(1) && next < hashes.len() {
                let (this, hash, i) = (self.clone(), hashes[next], next);
                tasks.spawn(async move { (i, this.fetch_keeping(hash, keep).await) });
                next += 1;
            }
            let Some(done) = tasks.join_next().await else {
                break;
            };
            let (i, fetched) = done.map_err(|e| ContentSourceError::Task(e.to_string()))?;
            out[i] = Some(fetched?);
        }
        Ok(out
            .into_iter()
            .map(|f| f.unwrap_or(Fetched::Missing))
            .collect())
    }

    /// Stores `bytes` (reports); returns their hash.
    pub async fn put(&self, bytes: &[u8]) -> Result<B256, ContentSourceError> {
        let hash = content_hash(bytes);
        match &self.source {
            Source::Http(client) => {
                client.put(bytes).await?;
            }
            Source::Store(store) => {
                store.put_content(&format!("{hash:#x}"), bytes).await?;
            }
        }
        Ok(hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_kept_contents_fill_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("contents.sqlite").display());
        let store = Store::connect(&url).await.unwrap();
        let (record, output) = (b"a record".to_vec(), b"an output".to_vec());
        for bytes in [&record, &output] {
            store
                .put_content(&format!("{:#x}", content_hash(bytes)), bytes)
                .await
                .unwrap();
        }
        let cache = dir.path().join("cache");
        let contents = Contents::store(store).with_cache(&cache).unwrap();
        let (r, o) = (content_hash(&record), content_hash(&output));
        let absent = content_hash(b"never stored");

        let kept = contents.fetch_all(&[r, absent], 4).await.unwrap();
        assert_eq!(kept, vec![Fetched::Bytes(record.clone()), Fetched::Missing]);
        let once = contents.fetch_all_transient(&[o], 4).await.unwrap();
        assert_eq!(once, vec![Fetched::Bytes(output.clone())]);
        let cached: Vec<String> = std::fs::read_dir(&cache)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(cached, vec![format!("{r:x}")]);

        // A cached copy serves transient fetches too; a damaged one is fetched again.
        std::fs::write(cache.join(format!("{o:x}")), &output).unwrap();
        assert_eq!(
            contents.fetch_all_transient(&[o], 1).await.unwrap(),
            vec![Fetched::Bytes(output)]
        );
        std::fs::write(cache.join(format!("{r:x}")), b"damaged").unwrap();
        assert_eq!(
            contents.fetch(r).await.unwrap(),
            Fetched::Bytes(record.clone())
        );
        assert_eq!(std::fs::read(cache.join(format!("{r:x}"))).unwrap(), record);
    }

    /// The demo's `verify` once failed with `content cache: No such file or directory`: two tasks
    /// fetching the same hash shared one temporary file, and the second rename found it moved.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_fetches_of_one_hash_all_succeed() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("contents.sqlite").display());
        let store = Store::connect(&url).await.unwrap();
        let record = vec![7u8; 256 * 1024];
        let hash = content_hash(&record);
        store
            .put_content(&format!("{hash:#x}"), &record)
            .await
            .unwrap();
        for round in 0..20 {
            let cache = dir.path().join(format!("cache-{round}"));
            let contents = Contents::store(store.clone()).with_cache(&cache).unwrap();
            let fetched = contents.fetch_all(&[hash; 32], 32).await.unwrap();
            assert!(fetched.iter().all(|f| f.bytes() == Some(&record[..])));
            let left: Vec<_> = std::fs::read_dir(&cache).unwrap().collect();
            assert_eq!(left.len(), 1, "only the cached file remains, no temporary");
        }
    }
}
