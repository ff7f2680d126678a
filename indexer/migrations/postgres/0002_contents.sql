-- The content store: bytes by keccak256 hash (records, inference outputs, epoch reports).
CREATE TABLE contents (
    hash       TEXT        PRIMARY KEY NOT NULL,  -- 0x-prefixed lowercase hex
    size       BIGINT      NOT NULL,
    bytes      BYTEA       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
