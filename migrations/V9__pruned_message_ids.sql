-- The ids of messages that prune deleted, for a while (Housekeeping): a mirror file of a pruned
-- message can outlive its row (a reader looking between the prune and the deletion of its files, a
-- prune that crashed in between, a mirror file written late by the server or doctor --repair), and
-- an inbox file whose id is not stored is otherwise taken for a dropped one and imported again.
-- Written in the transaction that deletes the message, so a reader that misses the row finds this.
-- Sender and recipient name the mirror files that a later prune deletes once more before it
-- forgets the id. Times are epoch milliseconds.

CREATE TABLE pruned_message (
  id        VARCHAR(64) PRIMARY KEY,
  sender    VARCHAR(64) NOT NULL,
  recipient VARCHAR(64) NOT NULL,
  pruned_at BIGINT      NOT NULL
);

CREATE INDEX pruned_message_at ON pruned_message (pruned_at);
