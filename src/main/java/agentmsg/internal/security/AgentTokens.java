package agentmsg.internal.security;

import agentmsg.AgentMsgException;
import agentmsg.AgentNames;
import agentmsg.UnknownAgentException;
import agentmsg.internal.store.Store;
import agentmsg.internal.store.TokenStore;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The agents' server tokens in one data home: the token in {@code tokens/<agent>.token}, its
 * SHA-256 in the store. The store never holds a token, the file never leaves the home unless asked
 * ({@code token show}). Thread-safe as its store is.
 */
public final class AgentTokens {
  private final Store store;
  private final Consumer<String> warnings;

  public AgentTokens(Store store, Consumer<String> warnings) {
    this.store = store;
    this.warnings = warnings;
  }

  /** The token file of {@code agent}. */
  public Path file(String agent) {
    return TokenFiles.file(store.home(), agent);
  }

  /**
   * Makes sure {@code agent} has a valid token: keeps the one it has; adopts the token in its file
   * if the store has none (e.g. one set with {@code token set}); otherwise issues a new one,
   * writing the file before storing its hash, so that a crash in between leaves a file the next
   * call adopts.
   *
   * @return whether a token was issued or adopted
   */
  public boolean ensure(String agent) {
    AgentNames.requireValid(agent);
    if (store.hasValidToken(agent)) {
      return false;
    }
    Path file = file(agent);
    String token = TokenFiles.read(file, warnings).orElse(null);
    if (token == null) {
      token = Tokens.generate();
      TokenFiles.write(file, token, warnings);
    }
    String hash = Tokens.hashHex(token);
    Optional<String> owner = store.adoptToken(agent, hash, System.currentTimeMillis());
    if (owner.isPresent()) {
      throw new AgentMsgException(
          "token-conflict",
          "the token in "
              + file
              + " belongs to agent '"
              + owner.get()
              + "'; issue a new one with: agent-msg token rotate "
              + agent);
    }
    return true;
  }

  /**
   * Revokes every token of {@code agent} and issues a new one. A live connection made with an old
   * token is closed by the server within a minute.
   *
   * @throws UnknownAgentException if the agent is neither registered nor holds a token
   */
  public void rotate(String agent) {
    AgentNames.requireValid(agent);
    String token = Tokens.generate();
    String hash = Tokens.hashHex(token);
    if (!store.replaceTokens(agent, hash, System.currentTimeMillis())) {
      throw new UnknownAgentException(agent);
    }
    TokenFiles.write(file(agent), token, warnings);
  }

  /**
   * The token of {@code agent} from its file, issuing one first if the agent is registered and has
   * none yet (an agent registered before tokens existed).
   *
   * @throws UnknownAgentException if the agent is not registered and has no token file
   * @throws AgentMsgException with code {@code token-missing} if the store has a valid token but
   *     its file is gone
   */
  public String show(String agent) {
    AgentNames.requireValid(agent);
    Path file = file(agent);
    Optional<String> token = TokenFiles.read(file, warnings);
    if (token.isPresent()) {
      return token.get();
    }
    if (store.hasValidToken(agent)) {
      throw new AgentMsgException(
          "token-missing",
          "the token file "
              + file
              + " is gone and only a hash of the token is stored; issue a new one with:"
              + " agent-msg token rotate "
              + agent);
    }
    if (!store.isRegistered(agent)) {
      throw new UnknownAgentException(agent);
    }
    ensure(agent);
    return TokenFiles.read(file, warnings).orElseThrow();
  }

  /** The agent whose valid token this is, if any; the lookup is by the token's SHA-256. */
  public Optional<String> agentFor(String token) {
    if (!Tokens.isWellFormed(token)) {
      return Optional.empty();
    }
    byte[] hash = Tokens.hash(token);
    String hex = Tokens.hashHex(token);
    return store
        .validToken(hex)
        // The index lookup already matched; comparing the hashes again in constant time keeps the
        // decision itself independent of the data, whatever the database does.
        .filter(owner -> Tokens.sameHash(hash, owner.tokenHash()))
        .map(TokenStore.Owner::agent);
  }

  /** Whether the token with this SHA-256 is still valid. */
  public boolean isValid(byte[] hash) {
    return isValidHex(java.util.HexFormat.of().formatHex(hash));
  }

  /** Whether the token with this SHA-256, in hexadecimal, is still valid. */
  public boolean isValidHex(String hashHex) {
    return store.validToken(hashHex).isPresent();
  }

  /** Whether {@code agent} has a valid token in the store (whichever it is). */
  public boolean hasValid(String agent) {
    return store.hasValidToken(agent);
  }
}
