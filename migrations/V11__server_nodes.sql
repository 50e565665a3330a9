-- Several servers may share one database (PostgreSQL, `server --db`): each running server has a
-- row of its own here, and an agent's receiving connection names the server that holds it, so
-- that presence, health and "one receiving connection per agent" hold across servers. Times are
-- epoch milliseconds. Replaces V10's one-row server_beat, which stays for a previous release.

CREATE TABLE server_node (
  id         VARCHAR(64) PRIMARY KEY,
  started_at BIGINT      NOT NULL,
  beat_at    BIGINT      NOT NULL
);

-- The server (server_node.id) holding the agent's receiving connection since receiving_at, and
-- the client instance of that connection (the same client reconnecting may replace it at once).
ALTER TABLE agent ADD COLUMN receiving_server VARCHAR(64);
ALTER TABLE agent ADD COLUMN receiving_instance VARCHAR(64);
