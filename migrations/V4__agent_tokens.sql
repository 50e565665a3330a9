-- Per-agent tokens for the WebSocket server. Only a SHA-256 hash of each token is stored (hex);
-- the token itself lives in the data home's tokens/<agent>.token, readable by its owner only.
-- A token is valid while revoked_at is NULL; `token rotate` revokes and issues in one transaction.
-- No foreign key to agent: a local client may get its token before the server registers its agent.

CREATE TABLE agent_token (
  agent      VARCHAR(64) NOT NULL,
  token_hash VARCHAR(64) NOT NULL,
  created_at BIGINT      NOT NULL,
  revoked_at BIGINT,
  CONSTRAINT agent_token_hash_unique UNIQUE (token_hash)
);

-- "the valid tokens of X": register, show and rotate.
CREATE INDEX agent_token_agent ON agent_token (agent, revoked_at);
