package agentmsg.internal.store;

import agentmsg.AgentMsgException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/** Named groups of agents ({@code agent_group}, {@code group_member}). Stateless. */
final class GroupRows {
  private GroupRows() {}

  static boolean exists(Handle handle, String name) {
    return handle
            .createQuery("SELECT COUNT(*) FROM agent_group WHERE name = :name")
            .bind("name", name)
            .mapTo(Integer.class)
            .one()
        > 0;
  }

  /**
   * Creates group {@code name}. Run it in a transaction.
   *
   * @throws AgentMsgException {@code group-exists} if it exists
   */
  static void create(Handle handle, String name, long nowMillis) {
    if (exists(handle, name)) {
      throw new AgentMsgException(
          "group-exists",
          "a group named '" + name + "' exists (add members with: agent-msg group add)");
    }
    handle
        .createUpdate("INSERT INTO agent_group (name, created_at) VALUES (:name, :now)")
        .bind("name", name)
        .bind("now", nowMillis)
        .execute();
  }

  /** Deletes group {@code name} and its member list; returns whether it existed. */
  static boolean delete(Handle handle, String name) {
    return handle
            .createUpdate("DELETE FROM agent_group WHERE name = :name")
            .bind("name", name)
            .execute()
        > 0;
  }

  /** Adds members (already members are skipped); returns how many were added. */
  static int add(Handle handle, String name, Collection<String> members) {
    int added = 0;
    for (String member : members) {
      added +=
          handle
              .createUpdate(
                  Dialect.of(handle)
                      .insertIfAbsent(
                          "group_member",
                          "group_name, member",
                          "group_name, member",
                          ":name, :member"))
              .bind("name", name)
              .bind("member", member)
              .execute();
    }
    return added;
  }

  /** Removes members; returns how many were members. */
  static int remove(Handle handle, String name, Collection<String> members) {
    if (members.isEmpty()) {
      return 0;
    }
    return handle
        .createUpdate("DELETE FROM group_member WHERE group_name = :name AND member IN (<members>)")
        .bind("name", name)
        .bindList("members", List.copyOf(members))
        .execute();
  }

  /** The members of group {@code name}, by name; empty if it has none or does not exist. */
  static List<String> members(Handle handle, String name) {
    return handle
        .createQuery("SELECT member FROM group_member WHERE group_name = :name ORDER BY member")
        .bind("name", name)
        .mapTo(String.class)
        .list();
  }

  /** Every group with its members, by group name. */
  static Map<String, List<String>> all(Handle handle) {
    Map<String, List<String>> groups = new LinkedHashMap<>();
    for (String name :
        handle
            .createQuery("SELECT name FROM agent_group ORDER BY name")
            .mapTo(String.class)
            .list()) {
      groups.put(name, members(handle, name));
    }
    return groups;
  }
}
