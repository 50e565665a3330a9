package agentmsg.internal.store;

import agentmsg.Agent;
import agentmsg.AgentMsgException;
import agentmsg.AgentNames;
import agentmsg.internal.Ids;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * The rules of a fan-out send ({@code @all} or {@code @<group>}), one for file mode and the server:
 * who gets a copy, the ids of the copies and their shared thread, and the client ids that make a
 * resent fan-out through the server store nothing twice. Stateless.
 */
public final class FanOut {
  private static final int MAX_ID = 64;

  /** The length of {@link Ids#fromDigest}. */
  private static final int DIGEST_CHARS = 26;

  /** What a copy's client id keeps of a long client id before the digest. */
  private static final int KEPT_OF_LONG_CLIENT_ID = MAX_ID - 1 - DIGEST_CHARS;

  private FanOut() {}

  /**
   * Who gets a copy of a fan-out from {@code from}: every registered agent, or the members of the
   * group, but {@code from}.
   *
   * @param to {@code @all} or {@code @<group>}
   * @throws AgentMsgException {@code unknown-group} if there is no such group, {@code
   *     no-recipients} if no one but the sender is left
   */
  static List<String> recipients(Handle handle, String to, String from) {
    String group = to.substring(1);
    List<String> candidates;
    if (group.equals(AgentNames.ALL)) {
      candidates = new ArrayList<>();
      for (Agent agent : AgentRows.all(handle)) {
        candidates.add(agent.name());
      }
    } else {
      requireGroup(handle, group);
      candidates = GroupRows.members(handle, group);
    }
    List<String> recipients = new ArrayList<>(candidates);
    recipients.remove(from);
    if (recipients.isEmpty()) {
      throw new AgentMsgException(
          "no-recipients", to + " has no one to send to but '" + from + "' (see: agent-msg list)");
    }
    return recipients;
  }

  /**
   * Checks that there is a group {@code name}.
   *
   * @throws AgentMsgException {@code unknown-group} if there is no group {@code name}
   */
  static void requireGroup(Handle handle, String name) {
    if (!GroupRows.exists(handle, name)) {
      throw new AgentMsgException(
          "unknown-group", "no group named '" + name + "' (see: agent-msg group list)");
    }
  }

  /** The thread of a fan-out's copies: the one it joins, or its shared id. */
  public static String thread(String base, String joined) {
    return joined != null ? joined : base;
  }

  /**
   * The id of a fan-out's copy to {@code recipient}: {@code <base>.<recipient>}, stable so that a
   * resent fan-out stores nothing twice. Where that would pass 64 characters, the recipient is
   * replaced by a SHA-256 digest of its name: two long names cannot be made to share a copy id
   * (with a 32-bit string hash, an agent named to collide with another's could fail every fan-out
   * that reaches both).
   */
  public static String copyId(String base, String recipient) {
    String id = base + "." + recipient;
    if (id.length() <= MAX_ID) {
      return id;
    }
    String digest = Ids.fromDigest(sha256(recipient));
    return base.substring(0, Math.min(base.length(), MAX_ID - 1 - digest.length())) + "." + digest;
  }

  /**
   * The shared id of the fan-out that {@code copyId}, the copy to {@code recipient}, belongs to:
   * the inverse of {@link #copyId} for a shared id short enough to be kept whole (the server's
   * are).
   */
  public static String base(String copyId, String recipient) {
    String suffix = "." + recipient;
    int end = copyId.endsWith(suffix) ? copyId.length() - suffix.length() : copyId.lastIndexOf('.');
    return copyId.substring(0, end);
  }

  /**
   * The client id a copy of a fan-out sent with {@code clientId} is stored with, under the unique
   * key (sender, client id): {@code <clientId>@<recipient>}. No client can send an id with an
   * {@code @}, so it never meets another send's. Where that would pass the column's 64 characters,
   * the start of the client id and a digest of the whole: a look-up by {@link #clientIdPrefixes}
   * still finds it.
   */
  public static String copyClientId(String clientId, String recipient) {
    String key = clientId + "@" + recipient;
    if (key.length() <= MAX_ID) {
      return key;
    }
    return clientId.substring(0, Math.min(clientId.length(), KEPT_OF_LONG_CLIENT_ID))
        + "@"
        + Ids.fromDigest(sha256(key));
  }

  /**
   * The prefixes (each ending in {@code @}) that every {@link #copyClientId} of {@code clientId}
   * starts with one of: one, or two for a long client id.
   */
  static List<String> clientIdPrefixes(String clientId) {
    List<String> prefixes = new ArrayList<>(2);
    prefixes.add(clientId + "@");
    if (clientId.length() > KEPT_OF_LONG_CLIENT_ID) {
      prefixes.add(clientId.substring(0, KEPT_OF_LONG_CLIENT_ID) + "@");
    }
    return prefixes;
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
