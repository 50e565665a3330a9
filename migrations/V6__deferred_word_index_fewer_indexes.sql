-- The word index is written after the fact: a send lists its message here, in its own
-- transaction, and an indexer (the server's writer when idle, and every search before it queries)
-- indexes the listed messages in batches and removes them from the list in the same transaction.
-- V3 made this table for its one-off backfill and dropped it when done; rows it still holds (an
-- upgrade straight from V2) mean the same thing and are indexed the same way.
CREATE TABLE IF NOT EXISTS pending_word_index (seq BIGINT PRIMARY KEY);

-- The server's "not yet delivered nor read for agent X, in order" query walks message_unread
-- (recipient, read_at, seq) instead and checks delivered_at on each row: a client's ack marks a
-- message read too, so the unread messages of X are the undelivered ones plus the few pushed to a
-- client of the original protocol (delivered, not read). One index less to write on every send and
-- on every ack.
DROP INDEX IF EXISTS message_undelivered;
