-- History between two agents (`history --with`): "what X received from Y" and "what X sent to Y",
-- each in order, so that a conversation is an index range walked newest first instead of a scan of
-- everything X received or sent. A time window needs no new index: the store turns it into a range
-- of seq through message_created (created_at), and every history index ends in seq.
CREATE INDEX message_with_from ON message (recipient, sender, seq);
CREATE INDEX message_with_to ON message (sender, recipient, seq);
