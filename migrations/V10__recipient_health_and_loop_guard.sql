-- What a send tells its sender about each recipient (will anything wake it?), and the loop guard of
-- threads that agents keep answering each other in without a human. Times are epoch milliseconds.

-- The server's receiving connection of the agent: since when it has one, NULL when none. Written by
-- the server on connect and disconnect, cleared for every agent when a server starts; trusted only
-- while the server's beat below is fresh, so a server killed with -9 is not taken to be connected.
ALTER TABLE agent ADD COLUMN receiving_at BIGINT;
-- An armed `watch` of the agent: the end of its lifetime. Written when it arms, set to the time it
-- ended when it ends; a watcher killed with -9 is taken to be armed until its lifetime ends.
ALTER TABLE agent ADD COLUMN watch_until BIGINT;

-- One row: when the server (the one process that holds receiving connections) last said it lives.
CREATE TABLE server_beat (
  id      TINYINT PRIMARY KEY,
  beat_at BIGINT  NOT NULL
);

-- The loop guard, one row per thread with more than one message: how many agent-to-agent sends in
-- a row the thread has had since the last one from a human (`run`), the thread's own limit if it
-- was given one (`run_limit`, else the process's default), and since when it is held (`held_at`,
-- NULL while it is not). Written in the transaction that stores the send, under the row's lock, so
-- concurrent senders and the server's group commit count every send once. A thread without a row
-- is counted from its messages (the index on (thread_id, seq)) when its next send comes.
CREATE TABLE thread_guard (
  thread_id VARCHAR(64) PRIMARY KEY,
  run       INT         NOT NULL,
  run_limit INT,
  held_at   BIGINT
);
