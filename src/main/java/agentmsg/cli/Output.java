package agentmsg.cli;

import agentmsg.Agent;
import agentmsg.Message;
import agentmsg.json.AgentJson;
import agentmsg.json.MessageJson;
import agentmsg.json.Timestamps;
import java.io.PrintStream;
import java.util.List;

/**
 * How messages and agents are printed: short stable text for people and agents, or one JSON object
 * per line with {@code --json}. Messages are always framed as coming from another agent.
 */
final class Output {
  private Output() {}

  /** Prints one message and flushes, so a reader at the other end of a pipe sees it at once. */
  static void message(PrintStream out, Message message, boolean json, boolean showStatus) {
    if (json) {
      out.println(MessageJson.toLine(message));
    } else {
      out.print("[" + Timestamps.format(message.timestamp()) + "] from " + message.from());
      out.print(" (id " + message.id());
      out.print(conversation(message));
      if (showStatus) {
        out.print(", " + message.status().id());
      }
      out.println("):");
      if (message.subject() != null) {
        out.println("Subject: " + message.subject());
      }
      out.println(message.body());
      out.println();
    }
    out.flush();
  }

  /**
   * The conversation notes of a message's header, only where they differ from a plain message:
   * {@code , in reply to X, thread T, priority high, ack required}.
   */
  static String conversation(Message message) {
    StringBuilder notes = new StringBuilder();
    if (message.replyTo() != null) {
      notes.append(", in reply to ").append(message.replyTo());
    }
    if (!message.thread().equals(message.id())) {
      notes.append(", thread ").append(message.thread());
    }
    if (message.priority() != agentmsg.Priority.NORMAL) {
      notes.append(", priority ").append(message.priority().id());
    }
    if (message.ackRequired() && message.ackedAt() == null) {
      notes.append(", ack required");
    }
    return notes.toString();
  }

  static void messages(PrintStream out, List<Message> messages, boolean json, boolean showStatus) {
    for (Message message : messages) {
      message(out, message, json, showStatus);
    }
  }

  /**
   * Prints messages as {@link #messages} does, and what the loop guard says of their threads: with
   * {@code json}, {@code "threadHeld":true} on each message of a held thread; else one line per
   * held thread after the messages.
   */
  static void heldMessages(
      PrintStream out,
      List<Message> messages,
      agentmsg.AgentMessenger messenger,
      boolean json,
      boolean showStatus) {
    java.util.Set<String> threads = new java.util.LinkedHashSet<>();
    for (Message message : messages) {
      threads.add(message.thread());
    }
    java.util.Set<String> held = messenger.heldThreads(threads);
    if (json) {
      for (Message message : messages) {
        out.println(agentmsg.json.HealthJson.line(message, null, held.contains(message.thread())));
      }
      out.flush();
      return;
    }
    messages(out, messages, false, showStatus);
    for (String thread : held) {
      String notice = agentmsg.Sent.heldNotice(thread, 0);
      out.println(Character.toUpperCase(notice.charAt(0)) + notice.substring(1));
    }
    out.flush();
  }

  static void agent(PrintStream out, Agent agent) {
    out.println(AgentJson.toLine(agent));
  }

  static void agentTable(PrintStream out, List<Agent> agents) {
    int nameWidth = "NAME".length();
    int typeWidth = "TYPE".length();
    for (Agent agent : agents) {
      nameWidth = Math.max(nameWidth, agent.name().length());
      typeWidth = Math.max(typeWidth, agent.type().id().length());
    }
    String format = "%-" + nameWidth + "s  %-" + typeWidth + "s  %-24s  %s%n";
    out.printf(format, "NAME", "TYPE", "REGISTERED", "LAST SEEN");
    for (Agent agent : agents) {
      out.printf(
          format,
          agent.name(),
          agent.type().id(),
          Timestamps.format(agent.registeredAt()),
          Timestamps.format(agent.lastSeenAt()));
    }
  }

  /** {@code text} as a JSON string. */
  static String quote(String text) {
    StringBuilder quoted = new StringBuilder("\"");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        case '\n' -> quoted.append("\\n");
        case '\r' -> quoted.append("\\r");
        case '\t' -> quoted.append("\\t");
        default -> {
          if (c < 0x20) {
            quoted.append(String.format("\\u%04x", (int) c));
          } else {
            quoted.append(c);
          }
        }
      }
    }
    return quoted.append('"').toString();
  }

  static String plural(int count, String noun) {
    return count + " " + noun + (count == 1 ? "" : "s");
  }
}
