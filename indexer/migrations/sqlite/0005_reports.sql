-- Epoch reports the indexer has read from the content store: the balances behind each proposed
-- root, checked against it (sdk/src/report.rs), so a wallet gets its proof in one request.
-- Reports are content-addressed and immutable, so these rows never need a reorg rollback: they
-- are reached through escrow_root_proposed.report_hash, which is rolled back.
CREATE TABLE epoch_reports (
    report_hash      TEXT PRIMARY KEY NOT NULL,
    status           TEXT NOT NULL,          -- 'loaded' or 'invalid'
    error            TEXT,                   -- why an invalid report was refused
    epoch            INTEGER,
    root             TEXT,
    token            TEXT,
    total_cumulative TEXT,
    accounts         INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE report_balances (
    report_hash TEXT NOT NULL,
    account     TEXT NOT NULL,
    cumulative  TEXT NOT NULL,
    PRIMARY KEY (report_hash, account)
);
CREATE INDEX report_balances_account_idx ON report_balances (account);
