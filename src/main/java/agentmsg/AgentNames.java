package agentmsg;

import java.util.regex.Pattern;

/**
 * The rule for agent names: 1-64 characters of {@code [A-Za-z0-9._-]}, not starting with a dot.
 * Names become folder names under the data home, so the rule also keeps every path inside it. An
 * address is an agent's name, or {@code @all} or {@code @<group>} for a fan-out.
 */
public final class AgentNames {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}");

  /** The reserved fan-out name: {@code @all} is every registered agent but the sender. */
  public static final String ALL = "all";

  private AgentNames() {}

  /** Whether the address {@code to} fans out: {@code @all} or {@code @<group>}. */
  public static boolean fansOut(String to) {
    return to != null && to.startsWith("@");
  }

  /** The name an address names: the group's (or {@code all}) for a fan-out, else the agent's. */
  public static String nameIn(String to) {
    return fansOut(to) ? to.substring(1) : to;
  }

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
