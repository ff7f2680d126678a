-- The current state of every entity, derived from the append-only event tables (0004_events.sql).
-- Nothing here stores data: a reorg rollback of the event tables is a rollback of these views.
-- Keep this file identical to postgres/0006_views.sql (a test checks it).

-- Status precedence: a rejection or withdrawal is final; an open datanet accepts at submission.
CREATE VIEW contributions AS
SELECT
    s.contribution_id AS id,
    s.datanet_id,
    s.contributor,
    s.content_hash,
    s.uri,
    s.size,
    s.bond,
    CASE
        WHEN r.contribution_id IS NOT NULL THEN 'rejected'
        WHEN w.contribution_id IS NOT NULL THEN 'withdrawn'
        WHEN a.contribution_id IS NOT NULL OR s.status = 2 THEN 'accepted'
        ELSE 'pending'
    END AS status,
    s.review_deadline,
    COALESCE(a.curator, r.curator) AS curator,
    r.reason AS reject_reason,
    s.block_number AS submitted_block,
    s.log_index AS submitted_log_index,
    s.tx_hash AS submitted_tx,
    s.block_timestamp AS submitted_at,
    COALESCE(r.block_number, w.block_number, a.block_number,
             CASE WHEN s.status = 2 THEN s.block_number END) AS decided_block,
    COALESCE(r.log_index, w.log_index, a.log_index,
             CASE WHEN s.status = 2 THEN s.log_index END) AS decided_log_index,
    cm.block_number AS committed_block,
    cm.log_index AS committed_log_index,
    cm.tx_hash AS committed_tx
FROM datanet_contribution_submitted s
LEFT JOIN datanet_contribution_committed cm ON cm.contribution_id = s.contribution_id
LEFT JOIN datanet_contribution_accepted a ON a.contribution_id = s.contribution_id
LEFT JOIN datanet_contribution_rejected r ON r.contribution_id = s.contribution_id
LEFT JOIN datanet_contribution_withdrawn w ON w.contribution_id = s.contribution_id;

CREATE VIEW datanets AS
SELECT
    d.datanet_id AS id,
    COALESCE((SELECT o.new_owner FROM datanet_ownership_transferred o
              WHERE o.datanet_id = d.datanet_id
              ORDER BY o.block_number DESC, o.log_index DESC LIMIT 1), d.owner) AS owner,
    COALESCE((SELECT t.treasury FROM datanet_treasury_updated t
              WHERE t.datanet_id = d.datanet_id
              ORDER BY t.block_number DESC, t.log_index DESC LIMIT 1), d.treasury) AS treasury,
    COALESCE((SELECT m.uri FROM datanet_metadata_updated m
              WHERE m.datanet_id = d.datanet_id
              ORDER BY m.block_number DESC, m.log_index DESC LIMIT 1), d.uri) AS uri,
    COALESCE((SELECT p.bond FROM datanet_policy_updated p
              WHERE p.datanet_id = d.datanet_id
              ORDER BY p.block_number DESC, p.log_index DESC LIMIT 1), d.bond) AS bond,
    COALESCE((SELECT p.curated FROM datanet_policy_updated p
              WHERE p.datanet_id = d.datanet_id
              ORDER BY p.block_number DESC, p.log_index DESC LIMIT 1), d.curated) AS curated,
    COALESCE((SELECT p.review_period FROM datanet_policy_updated p
              WHERE p.datanet_id = d.datanet_id
              ORDER BY p.block_number DESC, p.log_index DESC LIMIT 1), d.review_period) AS review_period,
    (SELECT COUNT(*) FROM datanet_contribution_submitted s
     WHERE s.datanet_id = d.datanet_id) AS contributions,
    (SELECT COUNT(*) FROM contributions c
     WHERE c.datanet_id = d.datanet_id AND c.status = 'accepted') AS accepted,
    (SELECT MAX(v.version) FROM datanet_version_published v
     WHERE v.datanet_id = d.datanet_id) AS latest_version,
    d.block_number AS created_block,
    d.tx_hash AS created_tx,
    d.block_timestamp AS created_at
FROM datanet_created d;

-- Curators enabled now: the latest CuratorSet of each (datanet, curator) says enabled.
CREATE VIEW datanet_curators AS
SELECT c.datanet_id, c.curator, c.block_number
FROM datanet_curator_set c
WHERE c.enabled
  AND NOT EXISTS (SELECT 1 FROM datanet_curator_set l
                  WHERE l.datanet_id = c.datanet_id AND l.curator = c.curator
                    AND (l.block_number > c.block_number
                         OR (l.block_number = c.block_number AND l.log_index > c.log_index)));

CREATE VIEW models AS
SELECT
    m.model_id AS id,
    COALESCE((SELECT t.to_address FROM model_transfer t
              WHERE t.token_id = m.model_id
              ORDER BY t.block_number DESC, t.log_index DESC LIMIT 1), m.owner) AS owner,
    COALESCE((SELECT u.uri FROM model_metadata_updated u
              WHERE u.model_id = m.model_id
              ORDER BY u.block_number DESC, u.log_index DESC LIMIT 1), m.uri) AS uri,
    COALESCE((SELECT f.owner_bps FROM model_fee_split_updated f
              WHERE f.model_id = m.model_id
              ORDER BY f.block_number DESC, f.log_index DESC LIMIT 1), m.owner_bps) AS owner_bps,
    COALESCE((SELECT f.data_bps FROM model_fee_split_updated f
              WHERE f.model_id = m.model_id
              ORDER BY f.block_number DESC, f.log_index DESC LIMIT 1), m.data_bps) AS data_bps,
    COALESCE((SELECT f.agent_bps FROM model_fee_split_updated f
              WHERE f.model_id = m.model_id
              ORDER BY f.block_number DESC, f.log_index DESC LIMIT 1), m.agent_bps) AS agent_bps,
    EXISTS (SELECT 1 FROM model_deprecated x WHERE x.model_id = m.model_id) AS deprecated,
    m.parent_count,
    m.ancestor_count,
    m.datanet_count,
    (SELECT COUNT(*) FROM escrow_inference_paid i WHERE i.model_id = m.model_id) AS inferences,
    m.block_number AS registered_block,
    m.tx_hash AS registered_tx,
    m.block_timestamp AS registered_at
FROM model_registered m;

CREATE VIEW model_parents AS
SELECT child, parent, relation, royalty_bps, block_number, log_index
FROM model_parent_linked;

CREATE VIEW model_training_sets AS
SELECT model_id, datanet_id, version, block_number, log_index
FROM model_trained_on;

CREATE VIEW agents AS
SELECT
    a.agent_id AS id,
    COALESCE((SELECT t.to_address FROM agent_transfer t
              WHERE t.token_id = a.agent_id
              ORDER BY t.block_number DESC, t.log_index DESC LIMIT 1), a.owner) AS owner,
    COALESCE((SELECT c.new_model_id FROM agent_model_changed c
              WHERE c.agent_id = a.agent_id
              ORDER BY c.block_number DESC, c.log_index DESC LIMIT 1), a.model_id) AS model_id,
    COALESCE((SELECT u.uri FROM agent_uri_updated u
              WHERE u.agent_id = a.agent_id
              ORDER BY u.block_number DESC, u.log_index DESC LIMIT 1), a.uri) AS uri,
    -- The wallet is the last one set, unless an unset came after it.
    (SELECT s.wallet FROM agent_wallet_set s
     WHERE s.agent_id = a.agent_id
       AND NOT EXISTS (SELECT 1 FROM agent_wallet_unset x
                       WHERE x.agent_id = s.agent_id
                         AND (x.block_number > s.block_number
                              OR (x.block_number = s.block_number AND x.log_index > s.log_index)))
     ORDER BY s.block_number DESC, s.log_index DESC LIMIT 1) AS wallet,
    (SELECT COUNT(*) FROM agent_action_recorded r WHERE r.agent_id = a.agent_id) AS actions,
    (SELECT COUNT(*) FROM agent_feedback_given g WHERE g.agent_id = a.agent_id) AS feedback,
    (SELECT COUNT(*) FROM escrow_inference_paid i WHERE i.agent_id = a.agent_id) AS inferences,
    a.block_number AS registered_block,
    a.tx_hash AS registered_tx,
    a.block_timestamp AS registered_at
FROM agent_registered a;

CREATE VIEW agent_actions AS
SELECT agent_id, idx, action_hash, uri, outcome, wallet, head,
       block_number, log_index, tx_hash, block_timestamp
FROM agent_action_recorded;

CREATE VIEW agent_feedback AS
SELECT g.agent_id, g.client, g.idx, g.value, g.value_decimals, g.tag1, g.tag2, g.uri,
       g.feedback_hash,
       EXISTS (SELECT 1 FROM agent_feedback_revoked r
               WHERE r.agent_id = g.agent_id AND r.client = g.client AND r.idx = g.idx) AS revoked,
       g.block_number, g.log_index, g.tx_hash, g.block_timestamp
FROM agent_feedback_given g;

CREATE VIEW inferences AS
SELECT inference_id AS id, model_id, agent_id, payer, amount, protocol_fee, net, output_hash,
       output_uri, owner_bps, data_bps, agent_bps, block_number, log_index, tx_hash,
       block_timestamp
FROM escrow_inference_paid;

-- A proposal is accepted or vetoed by a later event naming its epoch and root.
CREATE VIEW roots AS
SELECT
    p.epoch, p.root, p.total_cumulative, p.report_hash, p.from_block, p.to_block, p.valid_at,
    p.signers,
    CASE
        WHEN EXISTS (SELECT 1 FROM escrow_root_accepted a
                     WHERE a.epoch = p.epoch AND a.root = p.root
                       AND a.block_number >= p.block_number) THEN 'accepted'
        WHEN EXISTS (SELECT 1 FROM escrow_root_vetoed v
                     WHERE v.epoch = p.epoch AND v.root = p.root
                       AND v.block_number >= p.block_number) THEN 'vetoed'
        ELSE 'pending'
    END AS status,
    (SELECT a.block_number FROM escrow_root_accepted a
     WHERE a.epoch = p.epoch AND a.root = p.root AND a.block_number >= p.block_number
     ORDER BY a.block_number LIMIT 1) AS accepted_block,
    p.block_number AS proposed_block,
    p.log_index AS proposed_log_index,
    p.tx_hash AS proposed_tx,
    p.block_timestamp AS proposed_at
FROM escrow_root_proposed p;

-- The root claims are checked against now: the last accepted one.
CREATE VIEW current_root AS
SELECT r.*
FROM roots r
WHERE r.status = 'accepted'
ORDER BY r.accepted_block DESC, r.epoch DESC
LIMIT 1;

CREATE VIEW claims AS
SELECT account, token, amount, cumulative_claimed, block_number, log_index, tx_hash,
       block_timestamp
FROM escrow_claimed;

-- Per account: contributions by status, the balance in the current root (earned), and the
-- cumulative amount claimed. Claimable = earned - claimed, computed by the API in 256-bit
-- arithmetic (amounts are decimal text).
CREATE VIEW account_totals AS
WITH accounts AS (
    SELECT contributor AS account FROM datanet_contribution_submitted
    UNION SELECT account FROM escrow_claimed
    UNION SELECT b.account FROM report_balances b
          JOIN current_root r ON r.report_hash = b.report_hash
)
SELECT
    x.account,
    (SELECT COUNT(*) FROM contributions c WHERE c.contributor = x.account) AS submitted,
    (SELECT COUNT(*) FROM contributions c
     WHERE c.contributor = x.account AND c.status = 'accepted') AS accepted,
    (SELECT COUNT(*) FROM contributions c
     WHERE c.contributor = x.account AND c.status = 'rejected') AS rejected,
    (SELECT COUNT(*) FROM contributions c
     WHERE c.contributor = x.account AND c.status = 'pending') AS pending,
    (SELECT COUNT(*) FROM contributions c
     WHERE c.contributor = x.account AND c.status = 'withdrawn') AS withdrawn,
    COALESCE((SELECT b.cumulative FROM report_balances b
              JOIN current_root r ON r.report_hash = b.report_hash
              WHERE b.account = x.account), '0') AS earned,
    COALESCE((SELECT c.cumulative_claimed FROM escrow_claimed c
              WHERE c.account = x.account
              ORDER BY c.block_number DESC, c.log_index DESC LIMIT 1), '0') AS claimed
FROM accounts x;

-- Per agent: feedback counts (values are decimal text with decimals; averages are the API's).
CREATE VIEW agent_feedback_summary AS
SELECT
    a.id AS agent_id,
    (SELECT COUNT(*) FROM agent_feedback f WHERE f.agent_id = a.id) AS given,
    (SELECT COUNT(*) FROM agent_feedback f WHERE f.agent_id = a.id AND f.revoked) AS revoked,
    (SELECT COUNT(DISTINCT f.client) FROM agent_feedback f WHERE f.agent_id = a.id) AS clients
FROM agents a;
