-- The word index is written after the fact: a send lists its message here, in its own
-- transaction, and an indexer (the server's writer when idle, and every search before it queries)
-- indexes the listed messages in batches and removes them from the list in the same transaction.
-- V3 made this table for its one-off backfill and dropped it when done; rows it still holds (an
-- upgrade straight from V2) mean the same thing and are indexed the same way.
CREATE TABLE IF NOT EXISTS pending_word_index (seq BIGINT PRIMARY KEY);
