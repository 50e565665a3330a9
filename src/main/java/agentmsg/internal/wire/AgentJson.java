package agentmsg.internal.wire;

import agentmsg.Agent;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;

/** The {@code --json} line form of an agent. Thread-safe. */
public final class AgentJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private AgentJson() {}

  public static String toLine(Agent agent) {
    StringWriter out = new StringWriter(160);
    try (JsonGenerator json = FACTORY.createGenerator((Writer) out)) {
      json.writeStartObject();
      json.writeStringField("name", agent.name());
      json.writeStringField("type", agent.type().id());
      json.writeStringField("registeredAt", Timestamps.format(agent.registeredAt()));
      json.writeStringField("lastSeenAt", Timestamps.format(agent.lastSeenAt()));
      json.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("cannot write JSON to a string", e);
    }
    return out.toString();
  }
}
