-- Hashes of the recent, not yet final blocks the indexer has seen, to notice a reorg (a stored
-- hash that the chain no longer has) and find the fork point. Older rows are pruned.
CREATE TABLE blocks (
    number      BIGINT PRIMARY KEY NOT NULL,
    hash        TEXT NOT NULL,
    parent_hash TEXT NOT NULL
);
