-- The content store: bytes by keccak256 hash (records, inference outputs, epoch reports).
CREATE TABLE contents (
    hash       TEXT    PRIMARY KEY NOT NULL,  -- 0x-prefixed lowercase hex
    size       INTEGER NOT NULL,
    bytes      BLOB    NOT NULL,
    created_at INTEGER NOT NULL DEFAULT (unixepoch())
);
