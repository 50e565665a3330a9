package agentmsg.internal.wire;

import agentmsg.Agent;
import agentmsg.Message;
import agentmsg.json.AgentJson;
import agentmsg.json.HealthJson;
import agentmsg.json.MessageJson;
import agentmsg.json.Timestamps;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Reads and writes WebSocket frames: JSON text objects with a {@code type}. Reading is strict about
 * what it needs and lenient about the rest (unknown fields are ignored), and every problem becomes
 * a {@link FrameException} with a stable code, never another exception. Thread-safe.
 */
public final class FrameCodec {
  /** The protocol version this code speaks; sent in {@code welcome} and {@code registered}. */
  public static final int PROTOCOL_VERSION = 1;

  /** The one configured mapper of the wire protocol. */
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private FrameCodec() {}

  /** The JSON text of a server frame: {@code type} first, null fields left out. */
  public static String write(ServerFrame frame) {
    StringWriter out =
        new StringWriter(
            frame instanceof ServerFrame.Push push ? 160 + push.message().length() : 128);
    try (JsonGenerator json = MAPPER.getFactory().createGenerator(out)) {
      json.writeStartObject();
      if (frame instanceof ServerFrame.Stored stored) {
        json.writeStringField("type", "stored");
        json.writeStringField("id", stored.id());
        optional(json, "clientId", stored.clientId());
        if (!stored.fannedOut()) {
          json.writeNumberField("seq", stored.seq());
        }
        optional(json, "to", stored.to());
        optional(json, "timestamp", stored.timestamp());
        optional(json, "thread", stored.thread());
        if (stored.fannedOut()) {
          json.writeArrayFieldStart("copies");
          for (ServerFrame.Copy copy : stored.copies()) {
            json.writeStartObject();
            json.writeStringField("to", copy.to());
            json.writeStringField("id", copy.id());
            json.writeNumberField("seq", copy.seq());
            json.writeEndObject();
          }
          json.writeEndArray();
        }
        if (stored.health() != null) {
          json.writeArrayFieldStart("health");
          for (agentmsg.RecipientHealth health : stored.health()) {
            HealthJson.write(json, health);
          }
          json.writeEndArray();
        }
        if (stored.threadHeld() != null) {
          json.writeBooleanField("threadHeld", stored.threadHeld());
        }
      } else if (frame instanceof ServerFrame.Push push) {
        json.writeStringField("type", "message");
        json.writeStringField("id", push.id());
        json.writeNumberField("seq", push.seq());
        json.writeStringField("from", push.from());
        optional(json, "to", push.to());
        json.writeStringField("message", push.message());
        optional(json, "timestamp", push.timestamp());
        optional(json, "thread", push.thread());
        optional(json, "replyTo", push.replyTo());
        optional(json, "subject", push.subject());
        optional(json, "priority", push.priority());
        if (push.ackRequired()) {
          json.writeBooleanField("ackRequired", true);
        }
      } else if (frame instanceof ServerFrame.Delivered delivered) {
        json.writeStringField("type", "delivered");
        json.writeStringField("id", delivered.id());
        optional(json, "clientId", delivered.clientId());
        optional(json, "to", delivered.to());
        if (delivered.seq() != null) {
          json.writeNumberField("seq", delivered.seq());
        }
        optional(json, "deliveredAt", delivered.deliveredAt());
      } else if (frame instanceof ServerFrame.Welcome welcome) {
        json.writeStringField("type", "welcome");
        json.writeNumberField("version", welcome.version());
        optional(json, "agent", welcome.agent());
        optional(json, "role", welcome.role());
        optional(json, "server", welcome.server());
      } else if (frame instanceof ServerFrame.Registered registered) {
        json.writeStringField("type", "registered");
        optional(json, "agent", registered.agent());
        json.writeNumberField("version", registered.version());
        optional(json, "role", registered.role());
      } else if (frame instanceof ServerFrame.Pong pong) {
        json.writeStringField("type", "pong");
        optional(json, "agent", pong.agent());
        if (pong.online() != null) {
          json.writeBooleanField("online", pong.online());
        }
        json.writeNumberField("timestamp", pong.timestamp());
      } else if (frame instanceof ServerFrame.Error error) {
        json.writeStringField("type", "error");
        json.writeStringField("code", error.code());
        optional(json, "message", error.message());
        optional(json, "ref", error.ref());
        optional(json, "error", error.error());
        optional(json, "id", error.id());
      } else if (frame instanceof ServerFrame.Agents agents) {
        json.writeStringField("type", "agents");
        optional(json, "ref", agents.ref());
        json.writeNumberField("count", agents.agents().size());
        truncated(json, agents.truncated());
        json.writeArrayFieldStart("agents");
        for (Agent agent : agents.agents()) {
          json.writeRawValue(AgentJson.toLine(agent));
        }
        json.writeEndArray();
      } else if (frame instanceof ServerFrame.History history) {
        json.writeStringField("type", "history");
        optional(json, "ref", history.ref());
        messages(json, history.messages(), history.truncated());
      } else if (frame instanceof ServerFrame.Status status) {
        json.writeStringField("type", "status");
        optional(json, "ref", status.ref());
        json.writeStringField("id", status.id());
        messages(json, status.messages(), status.truncated());
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("cannot write JSON to a string", e);
    }
    return out.toString();
  }

  private static void messages(JsonGenerator json, List<Message> messages, boolean truncated)
      throws IOException {
    json.writeNumberField("count", messages.size());
    truncated(json, truncated);
    json.writeArrayFieldStart("messages");
    for (Message message : messages) {
      json.writeRawValue(MessageJson.toLine(message));
    }
    json.writeEndArray();
  }

  private static void truncated(JsonGenerator json, boolean truncated) throws IOException {
    if (truncated) {
      json.writeBooleanField("truncated", true);
    }
  }

  /** The JSON text of a client frame, in our protocol (never the original's). */
  public static String write(ClientFrame frame) {
    StringWriter out = new StringWriter(128);
    try (JsonGenerator json = MAPPER.getFactory().createGenerator(out)) {
      json.writeStartObject();
      if (frame instanceof ClientFrame.Hello hello) {
        json.writeStringField("type", "hello");
        json.writeNumberField("version", PROTOCOL_VERSION);
        json.writeStringField("agent", hello.agent());
        json.writeStringField("role", hello.role().id());
        if (hello.takeover()) {
          json.writeBooleanField("takeover", true);
        }
        optional(json, "instance", hello.instance());
      } else if (frame instanceof ClientFrame.Send send) {
        json.writeStringField("type", "send");
        optional(json, "clientId", send.clientId());
        optional(json, "from", send.from());
        json.writeStringField("to", send.to());
        json.writeStringField("message", send.message());
        optional(json, "thread", send.thread());
        optional(json, "replyTo", send.replyTo());
        optional(json, "priority", send.priority());
        optional(json, "subject", send.subject());
        if (send.ackRequired()) {
          json.writeBooleanField("ackRequired", true);
        }
      } else if (frame instanceof ClientFrame.Ack ack) {
        json.writeStringField("type", "ack");
        optional(json, "id", ack.id());
        if (ack.upTo() != null) {
          json.writeNumberField("upTo", ack.upTo());
        }
      } else if (frame instanceof ClientFrame.Ping ping) {
        json.writeStringField("type", "ping");
        optional(json, "agent", ping.agent());
      } else if (frame instanceof ClientFrame.ListAgents list) {
        json.writeStringField("type", "list");
        optional(json, "ref", list.ref());
      } else if (frame instanceof ClientFrame.History history) {
        json.writeStringField("type", "history");
        optional(json, "ref", history.ref());
        optional(json, "with", history.with());
        optional(json, "thread", history.thread());
        optional(json, "since", history.since());
        optional(json, "until", history.until());
        optional(json, "search", history.search());
        if (history.limit() != null) {
          json.writeNumberField("limit", history.limit());
        }
      } else if (frame instanceof ClientFrame.Status status) {
        json.writeStringField("type", "status");
        optional(json, "ref", status.ref());
        json.writeStringField("id", status.id());
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("cannot write JSON to a string", e);
    }
    return out.toString();
  }

  /**
   * The JSON text of a client frame in the original tool's protocol, for a server of the original
   * tool: {@code register}, {@code message} (with {@code id}, {@code from} and {@code timestamp},
   * as the original client sends it) and {@code ping}; null for a frame it has no counterpart of.
   *
   * @param agent the agent the connection registered as (the sender of a message)
   * @param id the id a message is sent with
   */
  public static String writeOriginal(ClientFrame frame, String agent, String id) {
    StringWriter out = new StringWriter(128);
    try (JsonGenerator json = MAPPER.getFactory().createGenerator(out)) {
      json.writeStartObject();
      if (frame instanceof ClientFrame.Hello hello) {
        json.writeStringField("type", "register");
        json.writeStringField("agent", hello.agent());
      } else if (frame instanceof ClientFrame.Send send) {
        json.writeStringField("type", "message");
        json.writeStringField("id", id);
        json.writeStringField("from", send.from() != null ? send.from() : agent);
        json.writeStringField("to", send.to());
        json.writeStringField("message", send.message());
        json.writeStringField("timestamp", Timestamps.format(java.time.Instant.now()));
      } else if (frame instanceof ClientFrame.Ping) {
        json.writeStringField("type", "ping");
      } else {
        return null;
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("cannot write JSON to a string", e);
    }
    return out.toString();
  }

  /**
   * Reads a frame sent by a client, in our protocol or the original's.
   *
   * @throws FrameException saying what is wrong with it
   */
  public static ClientFrame parseClient(String text) {
    JsonNode root = readObject(text);
    String type = string(root, "type", true, null);
    String ref = string(root, "ref", false, null);
    if (ref == null) {
      ref = string(root, "clientId", false, null);
    }
    if (ref == null) {
      ref = string(root, "id", false, null);
    }
    return switch (type) {
      case "hello" -> {
        String role = string(root, "role", false, ref);
        yield new ClientFrame.Hello(
            string(root, "agent", true, ref),
            role == null ? ClientFrame.Role.RECEIVE : ClientFrame.Role.parse(role),
            root.path("takeover").asBoolean(false),
            string(root, "instance", false, ref),
            false);
      }
      case "register" ->
          new ClientFrame.Hello(
              string(root, "agent", true, ref), ClientFrame.Role.RECEIVE, false, null, true);
      case "send" ->
          new ClientFrame.Send(
              string(root, "clientId", false, ref),
              string(root, "from", false, ref),
              string(root, "to", true, ref),
              string(root, "message", true, ref),
              string(root, "thread", false, ref),
              string(root, "replyTo", false, ref),
              false,
              string(root, "priority", false, ref),
              string(root, "subject", false, ref),
              root.path("ackRequired").asBoolean(false));
      case "message" ->
          new ClientFrame.Send(
              string(root, "id", false, ref),
              string(root, "from", false, ref),
              string(root, "to", true, ref),
              string(root, "message", true, ref),
              null,
              null,
              true);
      case "ack" -> {
        String id = string(root, "id", false, ref);
        JsonNode upTo = root.get("upTo");
        if (upTo != null && !upTo.isNull() && !upTo.canConvertToLong()) {
          throw new FrameException("invalid-field", "field 'upTo' must be a whole number", ref);
        }
        Long upToSeq = upTo == null || upTo.isNull() ? null : upTo.asLong();
        if (id == null && upToSeq == null) {
          throw new FrameException("missing-field", "an ack needs field 'id' or 'upTo'", ref);
        }
        yield new ClientFrame.Ack(id, upToSeq);
      }
      case "ping" -> new ClientFrame.Ping(string(root, "agent", false, ref));
      case "list" -> new ClientFrame.ListAgents(string(root, "ref", false, ref));
      case "history" -> {
        JsonNode limit = root.get("limit");
        if (limit != null && !limit.isNull() && !limit.canConvertToInt()) {
          throw new FrameException("invalid-field", "field 'limit' must be a whole number", ref);
        }
        yield new ClientFrame.History(
            string(root, "ref", false, ref),
            string(root, "with", false, ref),
            string(root, "thread", false, ref),
            string(root, "since", false, ref),
            string(root, "until", false, ref),
            string(root, "search", false, ref),
            limit == null || limit.isNull() ? null : limit.asInt());
      }
      case "status" ->
          new ClientFrame.Status(string(root, "ref", false, ref), string(root, "id", true, ref));
      default ->
          throw new FrameException(
              "unknown-type",
              "unknown frame type '"
                  + type
                  + "' (expected hello, register, send, message, ack, ping, list, history or"
                  + " status)",
              ref);
    };
  }

  /**
   * Reads a frame sent by the server.
   *
   * @return the frame, or null for a type this client does not know (a newer server's)
   * @throws FrameException if it is not a well-formed frame
   */
  public static ServerFrame parseServer(String text) {
    JsonNode root = readObject(text);
    String type = string(root, "type", true, null);
    return switch (type) {
      case "welcome" ->
          new ServerFrame.Welcome(
              root.path("version").asInt(0),
              string(root, "agent", false, null),
              string(root, "role", false, null),
              string(root, "server", false, null));
      case "registered" ->
          new ServerFrame.Registered(
              string(root, "agent", false, null),
              root.path("version").asInt(0),
              string(root, "role", false, null));
      case "stored" ->
          new ServerFrame.Stored(
              string(root, "id", true, null),
              string(root, "clientId", false, null),
              root.path("seq").asLong(0),
              string(root, "to", false, null),
              string(root, "timestamp", false, null),
              string(root, "thread", false, null),
              root.has("copies") ? copies(root) : null,
              root.has("health") ? HealthJson.parse(root.get("health")) : null,
              root.path("threadHeld").asBoolean(false) ? Boolean.TRUE : null);
      case "message" ->
          new ServerFrame.Push(
              string(root, "id", true, null),
              root.path("seq").asLong(0),
              string(root, "from", true, null),
              string(root, "to", false, null),
              string(root, "message", true, null),
              string(root, "timestamp", false, null),
              string(root, "thread", false, null),
              string(root, "replyTo", false, null),
              string(root, "subject", false, null),
              string(root, "priority", false, null),
              root.path("ackRequired").asBoolean(false));
      case "delivered" ->
          new ServerFrame.Delivered(
              string(root, "id", true, null),
              string(root, "clientId", false, null),
              string(root, "to", false, null),
              root.hasNonNull("seq") ? root.get("seq").asLong() : null,
              string(root, "deliveredAt", false, null));
      case "pong" ->
          new ServerFrame.Pong(
              string(root, "agent", false, null),
              root.hasNonNull("online") ? root.get("online").asBoolean() : null,
              root.path("timestamp").asLong(0));
      case "error" -> {
        String message = string(root, "message", false, null);
        yield new ServerFrame.Error(
            string(root, "code", false, null) == null ? "error" : string(root, "code", false, null),
            message != null ? message : string(root, "error", false, null),
            // The original server names the message it answers in 'id'.
            string(root, "ref", false, null) != null
                ? string(root, "ref", false, null)
                : string(root, "id", false, null),
            null,
            null);
      }
      case "agents" -> {
        List<Agent> agents = new ArrayList<>();
        for (JsonNode agent : array(root, "agents")) {
          agents.add(parsed(() -> AgentJson.parseLine(agent)));
        }
        yield new ServerFrame.Agents(
            string(root, "ref", false, null), agents, root.path("truncated").asBoolean(false));
      }
      case "history" ->
          new ServerFrame.History(
              string(root, "ref", false, null),
              messageList(root),
              root.path("truncated").asBoolean(false));
      case "status" ->
          new ServerFrame.Status(
              string(root, "ref", false, null),
              string(root, "id", true, null),
              messageList(root),
              root.path("truncated").asBoolean(false));
      default -> null;
    };
  }

  private static List<ServerFrame.Copy> copies(JsonNode root) {
    List<ServerFrame.Copy> copies = new ArrayList<>();
    for (JsonNode copy : array(root, "copies")) {
      copies.add(
          new ServerFrame.Copy(
              string(copy, "to", true, null),
              string(copy, "id", true, null),
              copy.path("seq").asLong(0)));
    }
    return copies;
  }

  private static List<Message> messageList(JsonNode root) {
    List<Message> messages = new ArrayList<>();
    for (JsonNode message : array(root, "messages")) {
      messages.add(parsed(() -> MessageJson.parseLine(message)));
    }
    return messages;
  }

  private static JsonNode array(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || !node.isArray()) {
      throw new FrameException("missing-field", "missing array field '" + field + "'");
    }
    return node;
  }

  /** Turns the {@code IllegalArgumentException} of an element reader into a frame error. */
  private static <T> T parsed(Supplier<T> reader) {
    try {
      return reader.get();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new FrameException("invalid-field", "a malformed element: " + e.getMessage());
    }
  }

  private static JsonNode readObject(String text) {
    JsonNode root;
    try {
      root = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new FrameException("bad-frame", "not valid JSON: " + firstLine(e.getOriginalMessage()));
    }
    if (root == null || !root.isObject()) {
      throw new FrameException("bad-frame", "a frame must be a JSON object with a 'type'");
    }
    return root;
  }

  private static String string(JsonNode root, String field, boolean required, String ref) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      if (required) {
        throw new FrameException("missing-field", "missing field '" + field + "'", ref);
      }
      return null;
    }
    if (!node.isValueNode()) {
      throw new FrameException("invalid-field", "field '" + field + "' must be a string", ref);
    }
    return node.asText();
  }

  private static void optional(JsonGenerator json, String field, String value) throws IOException {
    if (value != null) {
      json.writeStringField(field, value);
    }
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
