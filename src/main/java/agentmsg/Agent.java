package agentmsg;

import java.time.Instant;
import java.util.Objects;

/**
 * A registered agent.
 *
 * @param name the agent's unique name
 * @param type the kind of program behind it
 * @param registeredAt when it first registered
 * @param lastSeenAt when it last sent or read a message, or registered again
 */
public record Agent(String name, AgentType type, Instant registeredAt, Instant lastSeenAt) {
  public Agent {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(registeredAt, "registeredAt");
    Objects.requireNonNull(lastSeenAt, "lastSeenAt");
  }
}
