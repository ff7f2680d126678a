-- GENERATED from the contracts' ABIs by indexer/src/schema.rs; do not edit.
-- Regenerate: UPDATE_SCHEMA=1 cargo test -p openledger-indexer --test schema_drift

-- agent.ActionRecorded(uint256,uint256,bytes32,string,uint16,address,bytes32)
CREATE TABLE agent_action_recorded (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    agent_id BIGINT,
    idx BIGINT,
    action_hash TEXT NOT NULL,
    uri TEXT NOT NULL,
    outcome BIGINT NOT NULL,
    wallet TEXT NOT NULL,
    head TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX agent_action_recorded_agent_id_idx ON agent_action_recorded (agent_id, block_number, log_index);
CREATE INDEX agent_action_recorded_wallet_idx ON agent_action_recorded (wallet, block_number, log_index);

-- agent.Approval(address,address,uint256)
CREATE TABLE agent_approval (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    owner TEXT NOT NULL,
    approved TEXT NOT NULL,
    token_id BIGINT,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX agent_approval_owner_idx ON agent_approval (owner, block_number, log_index);
CREATE INDEX agent_approval_approved_idx ON agent_approval (approved, block_number, log_index);
CREATE INDEX agent_approval_token_id_idx ON agent_approval (token_id, block_number, log_index);

-- agent.ApprovalForAll(address,address,bool)
CREATE TABLE agent_approval_for_all (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    owner TEXT NOT NULL,
    operator TEXT NOT NULL,
    approved BOOLEAN NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX agent_approval_for_all_owner_idx ON agent_approval_for_all (owner, block_number, log_index);
CREATE INDEX agent_approval_for_all_operator_idx ON agent_approval_for_all (operator, block_number, log_index);

-- agent.EIP712DomainChanged()
CREATE TABLE agent_eip712_domain_changed (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    PRIMARY KEY (block_number, log_index)
);

-- agent.FeedbackGiven(uint256,address,uint256,int128,uint8,bytes32,bytes32,string,bytes32)
CREATE TABLE agent_feedback_given (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    agent_id BIGINT,
    client TEXT NOT NULL,
    idx BIGINT,
    value TEXT NOT NULL,
    value_decimals BIGINT NOT NULL,
    tag1 TEXT NOT NULL,
    tag2 TEXT NOT NULL,
    uri TEXT NOT NULL,
    feedback_hash TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX agent_feedback_given_agent_id_idx ON agent_feedback_given (agent_id, block_number, log_index);
CREATE INDEX agent_feedback_given_client_idx ON agent_feedback_given (client, block_number, log_index);
CREATE INDEX agent_feedback_given_tag1_idx ON agent_feedback_given (tag1, block_number, log_index);

-- agent.FeedbackRevoked(uint256,address,uint256)
CREATE TABLE agent_feedback_revoked (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    agent_id BIGINT,
    client TEXT NOT NULL,
    idx BIGINT,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX agent_feedback_revoked_agent_id_idx ON agent_feedback_revoked (agent_id, block_number, log_index);
CREATE INDEX agent_feedback_revoked_client_idx ON agent_feedback_revoked (client, block_number, log_index);

-- agent.MetadataSet(uint256,string,bytes)
CREATE TABLE agent_metadata_set (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    agent_id BIGINT,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX agent_metadata_set_agent_id_idx ON agent_metadata_set (agent_id, block_number, log_index);

-- agent.AgentModelChanged(uint256,uint256,uint256)
CREATE TABLE agent_model_changed (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    agent_id BIGINT,
    previous_model_id BIGINT,
    new_model_id BIGINT,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX agent_model_changed_agent_id_idx ON agent_model_changed (agent_id, block_number, log_index);
CREATE INDEX agent_model_changed_previous_model_id_idx ON agent_model_changed (previous_model_id, block_number, log_index);
CREATE INDEX agent_model_changed_new_model_id_idx ON agent_model_changed (new_model_id, block_number, log_index);

-- agent.AgentRegistered(uint256,address,uint256,string)
CREATE TABLE agent_registered (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    agent_id BIGINT,
    owner TEXT NOT NULL,
    model_id BIGINT,
    uri TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX agent_registered_agent_id_idx ON agent_registered (agent_id, block_number, log_index);
CREATE INDEX agent_registered_owner_idx ON agent_registered (owner, block_number, log_index);
CREATE INDEX agent_registered_model_id_idx ON agent_registered (model_id, block_number, log_index);

-- agent.Transfer(address,address,uint256)
CREATE TABLE agent_transfer (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    from_address TEXT NOT NULL,
    to_address TEXT NOT NULL,
    token_id BIGINT,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX agent_transfer_from_address_idx ON agent_transfer (from_address, block_number, log_index);
CREATE INDEX agent_transfer_to_address_idx ON agent_transfer (to_address, block_number, log_index);
CREATE INDEX agent_transfer_token_id_idx ON agent_transfer (token_id, block_number, log_index);

-- agent.AgentURIUpdated(uint256,string,address)
CREATE TABLE agent_uri_updated (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    agent_id BIGINT,
    uri TEXT NOT NULL,
    by_address TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX agent_uri_updated_agent_id_idx ON agent_uri_updated (agent_id, block_number, log_index);
CREATE INDEX agent_uri_updated_by_address_idx ON agent_uri_updated (by_address, block_number, log_index);

-- agent.AgentWalletSet(uint256,address,address,uint256)
CREATE TABLE agent_wallet_set (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    agent_id BIGINT,
    wallet TEXT NOT NULL,
    owner TEXT NOT NULL,
    nonce BIGINT,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX agent_wallet_set_agent_id_idx ON agent_wallet_set (agent_id, block_number, log_index);
CREATE INDEX agent_wallet_set_wallet_idx ON agent_wallet_set (wallet, block_number, log_index);
CREATE INDEX agent_wallet_set_owner_idx ON agent_wallet_set (owner, block_number, log_index);

-- agent.AgentWalletUnset(uint256,address)
CREATE TABLE agent_wallet_unset (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    agent_id BIGINT,
    previous_wallet TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX agent_wallet_unset_agent_id_idx ON agent_wallet_unset (agent_id, block_number, log_index);
CREATE INDEX agent_wallet_unset_previous_wallet_idx ON agent_wallet_unset (previous_wallet, block_number, log_index);

-- datanet.BondReleased(uint256,uint256,address,uint128)
CREATE TABLE datanet_bond_released (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    contribution_id BIGINT,
    datanet_id BIGINT,
    contributor TEXT NOT NULL,
    amount TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX datanet_bond_released_contribution_id_idx ON datanet_bond_released (contribution_id, block_number, log_index);
CREATE INDEX datanet_bond_released_datanet_id_idx ON datanet_bond_released (datanet_id, block_number, log_index);
CREATE INDEX datanet_bond_released_contributor_idx ON datanet_bond_released (contributor, block_number, log_index);

-- datanet.ContributionAccepted(uint256,uint256,address,uint128)
CREATE TABLE datanet_contribution_accepted (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    contribution_id BIGINT,
    datanet_id BIGINT,
    curator TEXT NOT NULL,
    bond_refunded TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX datanet_contribution_accepted_contribution_id_idx ON datanet_contribution_accepted (contribution_id, block_number, log_index);
CREATE INDEX datanet_contribution_accepted_datanet_id_idx ON datanet_contribution_accepted (datanet_id, block_number, log_index);
CREATE INDEX datanet_contribution_accepted_curator_idx ON datanet_contribution_accepted (curator, block_number, log_index);

-- datanet.ContributionCommitted(uint256,address,bytes32,uint40)
CREATE TABLE datanet_contribution_committed (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    contribution_id BIGINT,
    committer TEXT NOT NULL,
    commitment TEXT NOT NULL,
    reveal_deadline TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX datanet_contribution_committed_contribution_id_idx ON datanet_contribution_committed (contribution_id, block_number, log_index);
CREATE INDEX datanet_contribution_committed_committer_idx ON datanet_contribution_committed (committer, block_number, log_index);

-- datanet.ContributionRejected(uint256,uint256,address,uint128,address,bytes32)
CREATE TABLE datanet_contribution_rejected (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    contribution_id BIGINT,
    datanet_id BIGINT,
    curator TEXT NOT NULL,
    bond_slashed TEXT NOT NULL,
    treasury TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX datanet_contribution_rejected_contribution_id_idx ON datanet_contribution_rejected (contribution_id, block_number, log_index);
CREATE INDEX datanet_contribution_rejected_datanet_id_idx ON datanet_contribution_rejected (datanet_id, block_number, log_index);
CREATE INDEX datanet_contribution_rejected_curator_idx ON datanet_contribution_rejected (curator, block_number, log_index);

-- datanet.ContributionSubmitted(uint256,uint256,address,bytes32,string,uint64,uint128,uint8,uint64)
CREATE TABLE datanet_contribution_submitted (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    contribution_id BIGINT,
    datanet_id BIGINT,
    contributor TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    uri TEXT NOT NULL,
    size BIGINT,
    bond TEXT NOT NULL,
    status BIGINT NOT NULL,
    review_deadline BIGINT,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX datanet_contribution_submitted_contribution_id_idx ON datanet_contribution_submitted (contribution_id, block_number, log_index);
CREATE INDEX datanet_contribution_submitted_datanet_id_idx ON datanet_contribution_submitted (datanet_id, block_number, log_index);
CREATE INDEX datanet_contribution_submitted_contributor_idx ON datanet_contribution_submitted (contributor, block_number, log_index);

-- datanet.ContributionWithdrawn(uint256,uint256,address,uint128)
CREATE TABLE datanet_contribution_withdrawn (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    contribution_id BIGINT,
    datanet_id BIGINT,
    contributor TEXT NOT NULL,
    bond_refunded TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX datanet_contribution_withdrawn_contribution_id_idx ON datanet_contribution_withdrawn (contribution_id, block_number, log_index);
CREATE INDEX datanet_contribution_withdrawn_datanet_id_idx ON datanet_contribution_withdrawn (datanet_id, block_number, log_index);
CREATE INDEX datanet_contribution_withdrawn_contributor_idx ON datanet_contribution_withdrawn (contributor, block_number, log_index);

-- datanet.DatanetCreated(uint256,address,address,string,uint128,bool,uint64)
CREATE TABLE datanet_created (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    datanet_id BIGINT,
    owner TEXT NOT NULL,
    treasury TEXT NOT NULL,
    uri TEXT NOT NULL,
    bond TEXT NOT NULL,
    curated BOOLEAN NOT NULL,
    review_period BIGINT,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX datanet_created_datanet_id_idx ON datanet_created (datanet_id, block_number, log_index);
CREATE INDEX datanet_created_owner_idx ON datanet_created (owner, block_number, log_index);

-- datanet.CuratorSet(uint256,address,bool)
CREATE TABLE datanet_curator_set (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    datanet_id BIGINT,
    curator TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX datanet_curator_set_datanet_id_idx ON datanet_curator_set (datanet_id, block_number, log_index);
CREATE INDEX datanet_curator_set_curator_idx ON datanet_curator_set (curator, block_number, log_index);

-- datanet.DatanetMetadataUpdated(uint256,string)
CREATE TABLE datanet_metadata_updated (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    datanet_id BIGINT,
    uri TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX datanet_metadata_updated_datanet_id_idx ON datanet_metadata_updated (datanet_id, block_number, log_index);

-- datanet.DatanetOwnershipTransferStarted(uint256,address,address)
CREATE TABLE datanet_ownership_transfer_started (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    datanet_id BIGINT,
    previous_owner TEXT NOT NULL,
    new_owner TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX datanet_ownership_transfer_started_datanet_id_idx ON datanet_ownership_transfer_started (datanet_id, block_number, log_index);
CREATE INDEX datanet_ownership_transfer_started_previous_owner_idx ON datanet_ownership_transfer_started (previous_owner, block_number, log_index);
CREATE INDEX datanet_ownership_transfer_started_new_owner_idx ON datanet_ownership_transfer_started (new_owner, block_number, log_index);

-- datanet.DatanetOwnershipTransferred(uint256,address,address)
CREATE TABLE datanet_ownership_transferred (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    datanet_id BIGINT,
    previous_owner TEXT NOT NULL,
    new_owner TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX datanet_ownership_transferred_datanet_id_idx ON datanet_ownership_transferred (datanet_id, block_number, log_index);
CREATE INDEX datanet_ownership_transferred_previous_owner_idx ON datanet_ownership_transferred (previous_owner, block_number, log_index);
CREATE INDEX datanet_ownership_transferred_new_owner_idx ON datanet_ownership_transferred (new_owner, block_number, log_index);

-- datanet.DatanetPolicyUpdated(uint256,uint128,bool,uint64)
CREATE TABLE datanet_policy_updated (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    datanet_id BIGINT,
    bond TEXT NOT NULL,
    curated BOOLEAN NOT NULL,
    review_period BIGINT,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX datanet_policy_updated_datanet_id_idx ON datanet_policy_updated (datanet_id, block_number, log_index);

-- datanet.DatanetTreasuryUpdated(uint256,address)
CREATE TABLE datanet_treasury_updated (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    datanet_id BIGINT,
    treasury TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX datanet_treasury_updated_datanet_id_idx ON datanet_treasury_updated (datanet_id, block_number, log_index);
CREATE INDEX datanet_treasury_updated_treasury_idx ON datanet_treasury_updated (treasury, block_number, log_index);

-- datanet.VersionPublished(uint256,uint64,address,bytes32,string,uint64,uint64)
CREATE TABLE datanet_version_published (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    datanet_id BIGINT,
    version BIGINT,
    publisher TEXT NOT NULL,
    commitment TEXT NOT NULL,
    uri TEXT NOT NULL,
    accepted_count BIGINT,
    last_contribution_id BIGINT,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX datanet_version_published_datanet_id_idx ON datanet_version_published (datanet_id, block_number, log_index);
CREATE INDEX datanet_version_published_version_idx ON datanet_version_published (version, block_number, log_index);
CREATE INDEX datanet_version_published_publisher_idx ON datanet_version_published (publisher, block_number, log_index);

-- escrow.Claimed(address,address,uint256,uint256)
CREATE TABLE escrow_claimed (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    account TEXT NOT NULL,
    token TEXT NOT NULL,
    amount TEXT NOT NULL,
    cumulative_claimed TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX escrow_claimed_account_idx ON escrow_claimed (account, block_number, log_index);

-- escrow.EIP712DomainChanged()
CREATE TABLE escrow_eip712_domain_changed (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    PRIMARY KEY (block_number, log_index)
);

-- escrow.GuardianUpdated(address,address)
CREATE TABLE escrow_guardian_updated (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    previous_guardian TEXT NOT NULL,
    new_guardian TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX escrow_guardian_updated_previous_guardian_idx ON escrow_guardian_updated (previous_guardian, block_number, log_index);
CREATE INDEX escrow_guardian_updated_new_guardian_idx ON escrow_guardian_updated (new_guardian, block_number, log_index);

-- escrow.InferencePaid(uint256,uint256,uint256,address,uint256,uint256,uint256,bytes32,string,uint16,uint16,uint16)
CREATE TABLE escrow_inference_paid (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    inference_id BIGINT,
    model_id BIGINT,
    agent_id BIGINT,
    payer TEXT NOT NULL,
    amount TEXT NOT NULL,
    protocol_fee TEXT NOT NULL,
    net TEXT NOT NULL,
    output_hash TEXT NOT NULL,
    output_uri TEXT NOT NULL,
    owner_bps BIGINT NOT NULL,
    data_bps BIGINT NOT NULL,
    agent_bps BIGINT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX escrow_inference_paid_inference_id_idx ON escrow_inference_paid (inference_id, block_number, log_index);
CREATE INDEX escrow_inference_paid_model_id_idx ON escrow_inference_paid (model_id, block_number, log_index);
CREATE INDEX escrow_inference_paid_agent_id_idx ON escrow_inference_paid (agent_id, block_number, log_index);

-- escrow.OwnershipTransferStarted(address,address)
CREATE TABLE escrow_ownership_transfer_started (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    previous_owner TEXT NOT NULL,
    new_owner TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX escrow_ownership_transfer_started_previous_owner_idx ON escrow_ownership_transfer_started (previous_owner, block_number, log_index);
CREATE INDEX escrow_ownership_transfer_started_new_owner_idx ON escrow_ownership_transfer_started (new_owner, block_number, log_index);

-- escrow.OwnershipTransferred(address,address)
CREATE TABLE escrow_ownership_transferred (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    previous_owner TEXT NOT NULL,
    new_owner TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX escrow_ownership_transferred_previous_owner_idx ON escrow_ownership_transferred (previous_owner, block_number, log_index);
CREATE INDEX escrow_ownership_transferred_new_owner_idx ON escrow_ownership_transferred (new_owner, block_number, log_index);

-- escrow.ParamsUpdateCancelled()
CREATE TABLE escrow_params_update_cancelled (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    PRIMARY KEY (block_number, log_index)
);

-- escrow.ParamsUpdateProposed(uint16,uint32,uint64)
CREATE TABLE escrow_params_update_proposed (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    protocol_fee_bps BIGINT NOT NULL,
    dispute_window BIGINT NOT NULL,
    executable_at BIGINT,
    PRIMARY KEY (block_number, log_index)
);

-- escrow.ParamsUpdated(uint16,uint32)
CREATE TABLE escrow_params_updated (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    protocol_fee_bps BIGINT NOT NULL,
    dispute_window BIGINT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);

-- escrow.Paused(address)
CREATE TABLE escrow_paused (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    account TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);

-- escrow.ProtocolFeesWithdrawn(address,uint256)
CREATE TABLE escrow_protocol_fees_withdrawn (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    treasury TEXT NOT NULL,
    amount TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX escrow_protocol_fees_withdrawn_treasury_idx ON escrow_protocol_fees_withdrawn (treasury, block_number, log_index);

-- escrow.RootAccepted(uint64,bytes32,uint256,uint64)
CREATE TABLE escrow_root_accepted (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    epoch BIGINT,
    root TEXT NOT NULL,
    total_cumulative TEXT NOT NULL,
    to_block BIGINT,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX escrow_root_accepted_epoch_idx ON escrow_root_accepted (epoch, block_number, log_index);
CREATE INDEX escrow_root_accepted_root_idx ON escrow_root_accepted (root, block_number, log_index);

-- escrow.RootProposed(uint64,bytes32,uint256,bytes32,uint64,uint64,uint64,address[])
CREATE TABLE escrow_root_proposed (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    epoch BIGINT,
    root TEXT NOT NULL,
    total_cumulative TEXT NOT NULL,
    report_hash TEXT NOT NULL,
    from_block BIGINT,
    to_block BIGINT,
    valid_at BIGINT,
    signers TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX escrow_root_proposed_epoch_idx ON escrow_root_proposed (epoch, block_number, log_index);
CREATE INDEX escrow_root_proposed_root_idx ON escrow_root_proposed (root, block_number, log_index);

-- escrow.RootVetoed(uint64,bytes32,address)
CREATE TABLE escrow_root_vetoed (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    epoch BIGINT,
    root TEXT NOT NULL,
    guardian TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX escrow_root_vetoed_epoch_idx ON escrow_root_vetoed (epoch, block_number, log_index);
CREATE INDEX escrow_root_vetoed_root_idx ON escrow_root_vetoed (root, block_number, log_index);
CREATE INDEX escrow_root_vetoed_guardian_idx ON escrow_root_vetoed (guardian, block_number, log_index);

-- escrow.SignerSetUpdated(uint32,address[],uint8)
CREATE TABLE escrow_signer_set_updated (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    generation BIGINT NOT NULL,
    signers TEXT NOT NULL,
    threshold BIGINT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX escrow_signer_set_updated_generation_idx ON escrow_signer_set_updated (generation, block_number, log_index);

-- escrow.SignerUpdateCancelled()
CREATE TABLE escrow_signer_update_cancelled (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    PRIMARY KEY (block_number, log_index)
);

-- escrow.SignerUpdateProposed(address[],uint8,uint64)
CREATE TABLE escrow_signer_update_proposed (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    signers TEXT NOT NULL,
    threshold BIGINT NOT NULL,
    executable_at BIGINT,
    PRIMARY KEY (block_number, log_index)
);

-- escrow.Swept(address,address,uint256)
CREATE TABLE escrow_swept (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    token TEXT NOT NULL,
    to_address TEXT NOT NULL,
    amount TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX escrow_swept_token_idx ON escrow_swept (token, block_number, log_index);
CREATE INDEX escrow_swept_to_address_idx ON escrow_swept (to_address, block_number, log_index);

-- escrow.TreasuryUpdated(address,address)
CREATE TABLE escrow_treasury_updated (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    previous_treasury TEXT NOT NULL,
    new_treasury TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX escrow_treasury_updated_previous_treasury_idx ON escrow_treasury_updated (previous_treasury, block_number, log_index);
CREATE INDEX escrow_treasury_updated_new_treasury_idx ON escrow_treasury_updated (new_treasury, block_number, log_index);

-- escrow.Unpaused(address)
CREATE TABLE escrow_unpaused (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    account TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);

-- model.Approval(address,address,uint256)
CREATE TABLE model_approval (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    owner TEXT NOT NULL,
    approved TEXT NOT NULL,
    token_id BIGINT,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX model_approval_owner_idx ON model_approval (owner, block_number, log_index);
CREATE INDEX model_approval_approved_idx ON model_approval (approved, block_number, log_index);
CREATE INDEX model_approval_token_id_idx ON model_approval (token_id, block_number, log_index);

-- model.ApprovalForAll(address,address,bool)
CREATE TABLE model_approval_for_all (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    owner TEXT NOT NULL,
    operator TEXT NOT NULL,
    approved BOOLEAN NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX model_approval_for_all_owner_idx ON model_approval_for_all (owner, block_number, log_index);
CREATE INDEX model_approval_for_all_operator_idx ON model_approval_for_all (operator, block_number, log_index);

-- model.ModelDeprecated(uint256,address)
CREATE TABLE model_deprecated (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    model_id BIGINT,
    by_address TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX model_deprecated_model_id_idx ON model_deprecated (model_id, block_number, log_index);
CREATE INDEX model_deprecated_by_address_idx ON model_deprecated (by_address, block_number, log_index);

-- model.FeeSplitUpdated(uint256,uint16,uint16,uint16,uint256)
CREATE TABLE model_fee_split_updated (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    model_id BIGINT,
    owner_bps BIGINT NOT NULL,
    data_bps BIGINT NOT NULL,
    agent_bps BIGINT NOT NULL,
    effective_from_block BIGINT,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX model_fee_split_updated_model_id_idx ON model_fee_split_updated (model_id, block_number, log_index);

-- model.ModelMetadataUpdated(uint256,string,address)
CREATE TABLE model_metadata_updated (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    model_id BIGINT,
    uri TEXT NOT NULL,
    by_address TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX model_metadata_updated_model_id_idx ON model_metadata_updated (model_id, block_number, log_index);
CREATE INDEX model_metadata_updated_by_address_idx ON model_metadata_updated (by_address, block_number, log_index);

-- model.ParentLinked(uint256,uint256,uint8,uint16)
CREATE TABLE model_parent_linked (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    child BIGINT,
    parent BIGINT,
    relation BIGINT NOT NULL,
    royalty_bps BIGINT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX model_parent_linked_child_idx ON model_parent_linked (child, block_number, log_index);
CREATE INDEX model_parent_linked_parent_idx ON model_parent_linked (parent, block_number, log_index);

-- model.ModelRegistered(uint256,address,string,uint16,uint16,uint16,uint16,uint16,uint16)
CREATE TABLE model_registered (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    model_id BIGINT,
    owner TEXT NOT NULL,
    uri TEXT NOT NULL,
    owner_bps BIGINT NOT NULL,
    data_bps BIGINT NOT NULL,
    agent_bps BIGINT NOT NULL,
    ancestor_count BIGINT NOT NULL,
    parent_count BIGINT NOT NULL,
    datanet_count BIGINT NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX model_registered_model_id_idx ON model_registered (model_id, block_number, log_index);
CREATE INDEX model_registered_owner_idx ON model_registered (owner, block_number, log_index);

-- model.TrainedOn(uint256,uint256,uint64)
CREATE TABLE model_trained_on (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    model_id BIGINT,
    datanet_id BIGINT,
    version BIGINT,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX model_trained_on_model_id_idx ON model_trained_on (model_id, block_number, log_index);
CREATE INDEX model_trained_on_datanet_id_idx ON model_trained_on (datanet_id, block_number, log_index);

-- model.Transfer(address,address,uint256)
CREATE TABLE model_transfer (
    block_number    BIGINT NOT NULL,
    log_index       BIGINT NOT NULL,
    tx_hash         TEXT NOT NULL,
    block_timestamp BIGINT,
    from_address TEXT NOT NULL,
    to_address TEXT NOT NULL,
    token_id BIGINT,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX model_transfer_from_address_idx ON model_transfer (from_address, block_number, log_index);
CREATE INDEX model_transfer_to_address_idx ON model_transfer (to_address, block_number, log_index);
CREATE INDEX model_transfer_token_id_idx ON model_transfer (token_id, block_number, log_index);
