package agentmsg.server.console;

import agentmsg.Message;
import agentmsg.internal.store.ConsoleStore;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** What the console's page reads: messages and agents as JSON objects. Thread-safe. */
final class ConsoleJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ConsoleJson() {}

  static Map<String, Object> message(Message message) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", message.id());
    out.put("seq", message.seq());
    out.put("from", message.from());
    out.put("to", message.to());
    out.put("body", message.body());
    out.put("thread", message.thread());
    out.put("replyTo", message.replyTo());
    out.put("subject", message.subject());
    out.put("priority", message.priority().id());
    out.put("ackRequired", message.ackRequired());
    out.put("stored", time(message.timestamp()));
    out.put("delivered", time(message.deliveredAt()));
    out.put("surfaced", time(message.surfacedAt()));
    out.put("read", time(message.readAt()));
    out.put("acked", time(message.ackedAt()));
    return out;
  }

  static List<Map<String, Object>> messages(List<Message> messages) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Message message : messages) {
      out.add(message(message));
    }
    return out;
  }

  static List<Map<String, Object>> agents(
      List<ConsoleStore.AgentSummary> agents, Predicate<String> online) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (ConsoleStore.AgentSummary summary : agents) {
      Map<String, Object> agent = new LinkedHashMap<>();
      agent.put("name", summary.agent().name());
      agent.put("type", summary.agent().type().id());
      agent.put("connected", online.test(summary.agent().name()));
      agent.put("lastSeen", time(summary.agent().lastSeenAt()));
      agent.put("unread", summary.unread());
      agent.put("acksOwed", summary.acksOwed());
      out.add(agent);
    }
    return out;
  }

  private static String time(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e, e);
    }
  }

  static JsonNode read(String text) {
    try {
      JsonNode node = MAPPER.readTree(text);
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("the request body must be a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the request body is not JSON: " + e.getOriginalMessage());
    }
  }
}
