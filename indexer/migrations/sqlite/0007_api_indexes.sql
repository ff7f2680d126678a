-- Indexes for the API's keyset pages: each filter column followed by the id the pages are
-- ordered by, so "the next 50 contributions of datanet 3 after id 1200" is one index range scan
-- instead of a sort of every row of the datanet. The generated event indexes (0004) end in
-- (block_number, log_index), which serves the event lists but not the id-ordered entity lists.
CREATE INDEX api_contribution_submitted_datanet_idx ON datanet_contribution_submitted (datanet_id, contribution_id);
CREATE INDEX api_contribution_submitted_contributor_idx ON datanet_contribution_submitted (contributor, contribution_id);
CREATE INDEX api_inference_paid_model_idx ON escrow_inference_paid (model_id, inference_id);
CREATE INDEX api_inference_paid_agent_idx ON escrow_inference_paid (agent_id, inference_id);
CREATE INDEX api_inference_paid_payer_idx ON escrow_inference_paid (payer, inference_id);
