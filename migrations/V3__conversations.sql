-- Conversations: threads and replies, importance, acknowledgements, the hook's "surfaced" receipt,
-- groups of agents, and the word index behind full-text search.

-- Every message belongs to a thread: its own id when it starts one (set for the existing ones
-- below; new rows get it on insert).
ALTER TABLE message ADD COLUMN thread_id VARCHAR(64);
ALTER TABLE message ADD COLUMN reply_to VARCHAR(64);
ALTER TABLE message ADD COLUMN subject VARCHAR(1000);
-- 0 low, 1 normal, 2 high, 3 urgent: a number, so that "high or more" is a range.
ALTER TABLE message ADD COLUMN priority SMALLINT DEFAULT 1 NOT NULL;
ALTER TABLE message ADD COLUMN ack_required BOOLEAN DEFAULT FALSE NOT NULL;
-- When the `hook` command put the message into the recipient's model context.
ALTER TABLE message ADD COLUMN surfaced_at BIGINT;

UPDATE message SET thread_id = id WHERE thread_id IS NULL;

-- "the thread X, in order".
CREATE INDEX message_thread ON message (thread_id, seq);
-- "what X still has to ack" / "what others owe X".
CREATE INDEX message_ack_owed ON message (recipient, ack_required, acked_at, seq);
CREATE INDEX message_ack_owing ON message (sender, ack_required, acked_at, seq);
-- Housekeeping by age.
CREATE INDEX message_created ON message (created_at);

-- Named groups of agents: `send @<group>` fans out to the members.
CREATE TABLE agent_group (
  name       VARCHAR(64) PRIMARY KEY,
  created_at BIGINT      NOT NULL
);
CREATE TABLE group_member (
  group_name VARCHAR(64) NOT NULL REFERENCES agent_group (name) ON DELETE CASCADE,
  member     VARCHAR(64) NOT NULL,
  PRIMARY KEY (group_name, member)
);

-- The inverted word index of bodies and subjects: one row per distinct word of a message, written
-- in the same transaction as the message. A search looks words up by (word, seq) and intersects.
CREATE TABLE message_word (
  word VARCHAR(64) NOT NULL,
  seq  BIGINT      NOT NULL REFERENCES message (seq) ON DELETE CASCADE,
  PRIMARY KEY (word, seq)
);
CREATE INDEX message_word_seq ON message_word (seq);

-- Messages stored before this migration still need their words: the store indexes the rows listed
-- here right after migrating (in Java: the tokenizer is not SQL), then drops the table.
CREATE TABLE pending_word_index (seq BIGINT PRIMARY KEY);
INSERT INTO pending_word_index (seq) SELECT seq FROM message;
