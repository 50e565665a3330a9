package agentmsg;

import java.util.regex.Pattern;

/**
 * The rule for agent names: 1-64 characters of {@code [A-Za-z0-9._-]}, not starting with a dot.
 * Names become folder names under the data home, so the rule also keeps every path inside it.
 */
public final class AgentNames {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}");

  private AgentNames() {}

  /** Whether {@code name} follows the rule. */
  public static boolean isValid(String name) {
    return name != null && VALID.matcher(name).matches();
  }

  /**
   * Returns {@code name} if it follows the rule.
   *
   * @throws InvalidAgentNameException if it does not
   */
  public static String requireValid(String name) {
    if (!isValid(name)) {
      throw new InvalidAgentNameException(name == null ? "" : name);
    }
    return name;
  }
}
