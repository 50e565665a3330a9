package agentmsg.internal.store;

import agentmsg.Agent;
import agentmsg.AgentNames;
import agentmsg.AgentType;
import agentmsg.UnknownAgentException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/** Queries on the {@code agent} table. Stateless. */
final class AgentRows {
  private static final String COLUMNS = "name, type, registered_at, last_seen_at";

  private static final RowMapper<Agent> MAPPER =
      (rows, context) ->
          new Agent(
              rows.getString("name"),
              AgentType.parse(rows.getString("type")),
              Instant.ofEpochMilli(rows.getLong("registered_at")),
              Instant.ofEpochMilli(rows.getLong("last_seen_at")));

  private AgentRows() {}

  /**
   * Registers {@code name}, or updates its type if it exists (keeping its registration time and its
   * messages). Run it in a transaction; safe to repeat.
   */
  static Agent upsert(Handle handle, String name, AgentType type, long nowMillis) {
    int updated =
        handle
            .createUpdate("UPDATE agent SET type = :type, last_seen_at = :now WHERE name = :name")
            .bind("type", type.id())
            .bind("now", nowMillis)
            .bind("name", name)
            .execute();
    if (updated == 0) {
      // Keeps concurrent first registrations of one name from failing on the key.
      handle
          .createUpdate(
              Dialect.of(handle)
                  .insertIfAbsent(
                      "agent",
                      "name, type, registered_at, last_seen_at",
                      "name",
                      ":name, :type, :now, :now"))
          .bind("type", type.id())
          .bind("now", nowMillis)
          .bind("name", name)
          .execute();
    }
    return find(handle, name).orElseThrow();
  }

  static Optional<Agent> find(Handle handle, String name) {
    return handle
        .createQuery("SELECT " + COLUMNS + " FROM agent WHERE name = :name")
        .bind("name", name)
        .map(MAPPER)
        .findOne();
  }

  static boolean exists(Handle handle, String name) {
    return handle
            .createQuery("SELECT COUNT(*) FROM agent WHERE name = :name")
            .bind("name", name)
            .mapTo(Integer.class)
            .one()
        > 0;
  }

  /**
   * Checks that {@code name} is a registered agent.
   *
   * @throws UnknownAgentException if {@code name} is not registered
   */
  static void requireRegistered(Handle handle, String name) {
    if (!exists(handle, name)) {
      throw new UnknownAgentException(name);
    }
  }

  /**
   * Checks that every agent of {@code names} is registered.
   *
   * @throws agentmsg.InvalidAgentNameException if a name breaks the rule
   * @throws UnknownAgentException if an agent of {@code names} is not registered
   */
  static void requireRegistered(Handle handle, Collection<String> names) {
    for (String name : names) {
      requireRegistered(handle, AgentNames.requireValid(name));
    }
  }

  static List<Agent> all(Handle handle) {
    return handle.createQuery("SELECT " + COLUMNS + " FROM agent ORDER BY name").map(MAPPER).list();
  }

  /** Records activity of {@code name} (sending or reading). */
  static void touch(Handle handle, String name, long nowMillis) {
    handle
        .createUpdate(
            "UPDATE agent SET last_seen_at = :now WHERE name = :name AND last_seen_at < :now")
        .bind("now", nowMillis)
        .bind("name", name)
        .execute();
  }
}
