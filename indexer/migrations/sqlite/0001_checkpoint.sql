-- Where indexing stopped, per chain. Written in the same transaction as the rows it covers, so a
-- crash can never leave data without its checkpoint or a checkpoint without its data.
CREATE TABLE checkpoints (
    chain_id   INTEGER PRIMARY KEY NOT NULL,
    block      INTEGER NOT NULL,
    block_hash TEXT    NOT NULL
);
