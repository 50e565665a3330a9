package agentmsg.server;

/**
 * Who a connection proved to be at the upgrade. Immutable.
 *
 * @param agent the only agent the connection may act as, or null when any agent is allowed (a team
 *     secret, or no authentication)
 * @param method how it was proved: {@code token}, {@code team-secret} or {@code none}
 * @param tokenHash the SHA-256 of the agent token, to notice its revocation; null otherwise
 */
// ArrayRecordComponent: an Identity is never compared or hashed; tokenHash is compared by content.
@SuppressWarnings("ArrayRecordComponent")
record Identity(String agent, String method, byte[] tokenHash) {
  static final Identity UNAUTHENTICATED = new Identity(null, "none", null);

  @Override
  public String toString() {
    return agent == null ? method : method + " of " + agent;
  }
}
