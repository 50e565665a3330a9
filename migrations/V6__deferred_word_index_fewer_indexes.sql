-- The word index is written after the fact: a send lists its message in unindexed_message, in its
-- own transaction, and an indexer (the server's writer when idle, and every search before it
-- queries) indexes the listed messages in batches and removes them from the list in the same
-- transaction. A new table rather than V3's pending_word_index: a process still running the
-- previous release drops that one after its one-off backfill.
CREATE TABLE unindexed_message (seq BIGINT PRIMARY KEY);

-- What V3's backfill had not indexed yet (an upgrade straight from V2) is indexed the same way.
CREATE TABLE IF NOT EXISTS pending_word_index (seq BIGINT PRIMARY KEY);
INSERT INTO unindexed_message (seq) SELECT seq FROM pending_word_index;
DROP TABLE pending_word_index;

-- The server's "not yet delivered nor read for agent X, in order" query walks message_unread
-- (recipient, read_at, seq) instead and checks delivered_at on each row: a client's ack marks a
-- message read too, so the unread messages of X are the undelivered ones plus the few pushed to a
-- client of the original protocol (delivered, not read). One index less to write on every send and
-- on every ack.
DROP INDEX IF EXISTS message_undelivered;
