package agentmsg;

import java.util.Locale;

/** The kind of program behind an agent, as given to {@code register -t}. */
public enum AgentType {
  CLAUDE_CODE("claude-code"),
  OPEN_CODE("open-code"),
  CODEX("codex"),
  OPENCLAW("openclaw"),
  /** A person taking part, e.g. through the console. */
  HUMAN("human"),
  OTHER("other");

  private final String id;

  AgentType(String id) {
    this.id = id;
  }

  /** The name used on the command line, in JSON and in the database, e.g. {@code claude-code}. */
  public String id() {
    return id;
  }

  /**
   * Parses a type name as the command line takes it.
   *
   * @throws IllegalArgumentException naming the accepted types
   */
  public static AgentType parse(String text) {
    String wanted = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    for (AgentType type : values()) {
      if (type.id.equals(wanted)) {
        return type;
      }
    }
    throw new IllegalArgumentException(
        "unknown agent type '" + text + "' (use one of: " + allIds() + ")");
  }

  /** The accepted type names, comma-separated, for help and error text. */
  public static String allIds() {
    StringBuilder ids = new StringBuilder();
    for (AgentType type : values()) {
      if (ids.length() > 0) {
        ids.append(", ");
      }
      ids.append(type.id);
    }
    return ids.toString();
  }
}
