package agentmsg.internal.store;

import agentmsg.internal.store.TokenStore.Owner;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Queries on the {@code agent_token} table: hashes of the agents' server tokens, never the tokens.
 * Stateless.
 */
final class TokenRows {
  private TokenRows() {}

  /** The agent whose valid (not revoked) token has {@code tokenHash}, if any. */
  static Optional<Owner> findValid(Handle handle, String tokenHash) {
    return handle
        .createQuery(
            "SELECT agent, token_hash FROM agent_token"
                + " WHERE token_hash = :hash AND revoked_at IS NULL")
        .bind("hash", tokenHash)
        .map((rows, context) -> new Owner(rows.getString("agent"), rows.getString("token_hash")))
        .findOne();
  }

  /** Whether {@code agent} has a valid token. */
  static boolean hasValid(Handle handle, String agent) {
    return handle
            .createQuery(
                "SELECT COUNT(*) FROM agent_token WHERE agent = :agent AND revoked_at IS NULL")
            .bind("agent", agent)
            .mapTo(Integer.class)
            .one()
        > 0;
  }

  /** The owner of {@code tokenHash}, valid or revoked, if it was ever issued. */
  static Optional<String> ownerOf(Handle handle, String tokenHash) {
    return handle
        .createQuery("SELECT agent FROM agent_token WHERE token_hash = :hash")
        .bind("hash", tokenHash)
        .mapTo(String.class)
        .findOne();
  }

  /**
   * Stores a valid token hash for {@code agent} unless that hash is stored already: processes that
   * adopt the same token file at the same moment all succeed.
   */
  static void insertIfAbsent(Handle handle, String agent, String tokenHash, long nowMillis) {
    try {
      insert(handle, agent, tokenHash, nowMillis);
    } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException e) {
      if (!(e.getCause() instanceof java.sql.SQLException sql) || sql.getErrorCode() != 23505) {
        throw e;
      }
    }
  }

  /** Stores a new valid token hash for {@code agent}. */
  static void insert(Handle handle, String agent, String tokenHash, long nowMillis) {
    handle
        .createUpdate(
            "INSERT INTO agent_token (agent, token_hash, created_at) VALUES (:agent, :hash, :now)")
        .bind("agent", agent)
        .bind("hash", tokenHash)
        .bind("now", nowMillis)
        .execute();
  }

  /**
   * Revokes every valid token of {@code agent}.
   *
   * @return how many were revoked
   */
  static int revokeAll(Handle handle, String agent, long nowMillis) {
    return handle
        .createUpdate(
            "UPDATE agent_token SET revoked_at = :now WHERE agent = :agent AND revoked_at IS NULL")
        .bind("agent", agent)
        .bind("now", nowMillis)
        .execute();
  }
}
