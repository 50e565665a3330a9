-- The WebSocket server: idempotent sends and the "undelivered for X, in order" push query.

-- A send's client-chosen idempotency key: a resend with the same key from the same sender gets the
-- message stored the first time. NULL for messages sent without one (the CLI's file mode); H2
-- treats NULLs as distinct, so those never collide.
ALTER TABLE message ADD COLUMN client_id VARCHAR(64);
CREATE UNIQUE INDEX message_client_id ON message (sender, client_id);

-- "not yet delivered nor read for agent X, in order": what the server pushes on connect.
CREATE INDEX message_undelivered ON message (recipient, delivered_at, read_at, seq);
