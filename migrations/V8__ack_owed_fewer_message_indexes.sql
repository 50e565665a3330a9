-- Fewer indexes on message: every index is written on every send, twice over in H2 (the row's
-- entry, then its commit), and the server's throughput and round trip are mostly that work.

-- "What X still has to ack" / "what others owe X" was two indexes over every message, for the few
-- that ask for an ack. Now a message that asks for one is listed here, in the transaction that
-- stores it, until it is acked; pruning the message takes its row with it.
CREATE TABLE ack_owed (
  seq       BIGINT      PRIMARY KEY REFERENCES message (seq) ON DELETE CASCADE,
  sender    VARCHAR(64) NOT NULL,
  recipient VARCHAR(64) NOT NULL
);
CREATE INDEX ack_owed_by_recipient ON ack_owed (recipient, seq);
CREATE INDEX ack_owed_by_sender ON ack_owed (sender, seq);
INSERT INTO ack_owed (seq, sender, recipient)
  SELECT seq, sender, recipient FROM message WHERE ack_required AND acked_at IS NULL;
DROP INDEX IF EXISTS message_ack_owed;
DROP INDEX IF EXISTS message_ack_owing;

-- "Sent by X to Y" is the same range of message_with_from (recipient, sender, seq) with the roles
-- named the other way round: its mirror image was a second copy of every conversation.
DROP INDEX IF EXISTS message_with_to;
