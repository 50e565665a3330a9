package agentmsg.internal.store;

import java.util.Optional;

/**
 * The hashes of the agents' server tokens, as the store keeps them (never the tokens). Each
 * operation is one unit of work, retried as a whole while the store is busy.
 *
 * <p>Thread-safe.
 */
public interface TokenStore {
  /** Whether {@code agent} is registered. */
  boolean isRegistered(String agent);

  /** Whether {@code agent} has a valid (not revoked) token. */
  boolean hasValidToken(String agent);

  /** The owner of the valid token with SHA-256 {@code tokenHash} (hex), if any. */
  Optional<Owner> validToken(String tokenHash);

  /**
   * Stores {@code tokenHash} as a valid token of {@code agent}, unless it was ever issued: then
   * nothing changes. Returns the other agent that the hash was issued to, if it was.
   */
  Optional<String> adoptToken(String agent, String tokenHash, long nowMillis);

  /**
   * Revokes every token of {@code agent} and stores {@code tokenHash} as its valid one, in one
   * transaction; returns false, changing nothing, when the agent is neither registered nor holds a
   * valid token.
   */
  boolean replaceTokens(String agent, String tokenHash, long nowMillis);

  /** A valid token's owner and its stored hash (hex). */
  record Owner(String agent, String tokenHash) {}
}
