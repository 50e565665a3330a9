package agentmsg.internal.mailbox;

import agentmsg.Agent;
import agentmsg.AgentNames;
import agentmsg.AgentType;
import agentmsg.Message;
import agentmsg.internal.store.Salvage;
import agentmsg.internal.store.Store;
import agentmsg.json.MessageJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Rebuilds the store of a data home whose database file is damaged or went back in time: sets the
 * file aside, saves what H2 can still read of it, and adds every message the mirror files hold
 * ({@code inbox/} and {@code outbox/}) with every agent they name. The mirror files carry no
 * delivery state; the receipt files ({@code receipts/<sender>/<reader>.json}, the last time a
 * reader read, acked or surfaced a sender's messages) give it back to the messages sent before.
 */
public final class StoreRebuild {
  /** No mirror file is larger than this (the largest message plus its envelope, with margin). */
  private static final long MAX_MIRROR_FILE_BYTES = 16L << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  private StoreRebuild() {}

  /**
   * What a rebuild did.
   *
   * @param setAside where the damaged file went (null when there was none)
   * @param salvagedHow how its rows were read, or why none were
   * @param salvaged messages read from the damaged file
   * @param mirrored messages found in the mirror files
   * @param agents agents in the rebuilt store
   * @param messages messages in the rebuilt store
   * @param fromReceipts mirror-only messages whose state receipts gave back
   * @param notes what could not be read, for a person
   */
  public record Result(
      Path setAside,
      String salvagedHow,
      int salvaged,
      int mirrored,
      int agents,
      int messages,
      int fromReceipts,
      List<String> notes) {}

  /** Rebuilds the store of {@code home}; no process may have it open but a store host. */
  public static Result run(Path home, Duration timeout, Consumer<String> warnings)
      throws IOException {
    MailboxLayout layout = new MailboxLayout(home);
    List<String> notes = new ArrayList<>();
    Path aside = Salvage.setAside(layout.home());
    Salvage.Saved saved =
        aside == null
            ? new Salvage.Saved(
                "no database file", List.of(), List.of(), Map.of(), Map.of(), List.of())
            : Salvage.read(
                layout.home(),
                aside,
                layout.home().resolve(".salvage-" + ProcessHandle.current().pid()),
                notes::add);
    Map<String, Message> byId = new LinkedHashMap<>();
    for (Message message : saved.messages()) {
      byId.put(message.id(), message);
    }
    Map<String, Agent> agents = new TreeMap<>();
    for (Agent agent : saved.agents()) {
      agents.put(agent.name(), agent);
    }
    Map<String, Message> mirrored = readMirror(layout, notes);
    int fromReceipts = 0;
    List<Receipt> receipts = readReceipts(layout, notes);
    for (Message message : mirrored.values()) {
      Message known = byId.get(message.id());
      Message withState = applyReceipts(known == null ? message : known, receipts);
      if (known == null && !withState.equals(message)) {
        fromReceipts++;
      }
      byId.put(message.id(), withState);
    }
    for (Message message : byId.values()) {
      addAgent(agents, message.from(), message.timestamp());
      addAgent(agents, message.to(), message.timestamp());
    }
    for (String folder : List.of("inbox", "outbox")) {
      for (Path agentFolder : list(layout.home().resolve(folder))) {
        String name = agentFolder.getFileName().toString();
        if (AgentNames.isValid(name) && Files.isDirectory(agentFolder, LinkOption.NOFOLLOW_LINKS)) {
          addAgent(agents, name, modified(agentFolder));
        }
      }
    }
    List<Message> ordered = new ArrayList<>(byId.values());
    // Send order, as far as it is known: the old sequence where the file gave it, else the time.
    ordered.sort(
        Comparator.comparing(Message::timestamp)
            .thenComparingLong(message -> message.seq() == 0 ? Long.MAX_VALUE : message.seq())
            .thenComparing(Message::id));
    try (Store store = Store.open(layout.home(), timeout, Store.Mode.SHARED, warnings)) {
      Salvage.restore(
          store, agents.values(), ordered, saved.clientIds(), saved.groups(), saved.tokens());
    }
    return new Result(
        aside,
        saved.how(),
        saved.messages().size(),
        mirrored.size(),
        agents.size(),
        ordered.size(),
        fromReceipts,
        notes);
  }

  private static void addAgent(Map<String, Agent> agents, String name, Instant seen) {
    Agent known = agents.get(name);
    if (known == null) {
      agents.put(name, new Agent(name, AgentType.OTHER, seen, seen));
    } else if (seen.isBefore(known.registeredAt())) {
      agents.put(name, new Agent(name, known.type(), seen, known.lastSeenAt()));
    }
  }

  /** Every message in the inbox and outbox folders, by id; unreadable files are noted. */
  static Map<String, Message> readMirror(MailboxLayout layout, List<String> notes)
      throws IOException {
    Map<String, Message> messages = new LinkedHashMap<>();
    int unreadable = 0;
    for (String kind : List.of("inbox", "outbox")) {
      for (Path folder : list(layout.home().resolve(kind))) {
        String owner = folder.getFileName().toString();
        if (!AgentNames.isValid(owner) || !Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        for (Path file : list(folder)) {
          String name = file.getFileName().toString();
          if (!name.endsWith(".json") || name.startsWith(".")) {
            continue;
          }
          Message message = readMessage(file, kind.equals("inbox") ? owner : null, owner);
          if (message == null) {
            unreadable++;
          } else {
            messages.putIfAbsent(message.id(), message);
          }
        }
      }
    }
    if (unreadable > 0) {
      notes.add(
          unreadable
              + " file(s) in inbox/ or outbox/ are not messages (links, too large or malformed);"
              + " left where they are");
    }
    return messages;
  }

  /** One mirror file as a stored message with no delivery state, or null if it is not one. */
  private static Message readMessage(Path file, String inboxOwner, String folderOwner) {
    try {
      BasicFileAttributes attributes =
          Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!attributes.isRegularFile() || attributes.size() > MAX_MIRROR_FILE_BYTES) {
        return null;
      }
      MessageJson.Incoming incoming = MessageJson.parseFile(Files.readAllBytes(file));
      String nameId = file.getFileName().toString().replaceFirst("\\.json$", "");
      String id = AgentNames.isValid(incoming.id()) ? incoming.id() : nameId;
      String to = inboxOwner != null ? inboxOwner : incoming.to();
      String from = incoming.from();
      if (!AgentNames.isValid(id)
          || to == null
          || !AgentNames.isValid(to)
          || !AgentNames.isValid(from)
          || (inboxOwner == null && !from.equals(folderOwner))) {
        return null;
      }
      Instant sentAt =
          incoming.timestamp() != null
              ? incoming.timestamp()
              : attributes.lastModifiedTime().toInstant();
      return new Message(
          id,
          0,
          from,
          to,
          incoming.body(),
          sentAt,
          null,
          null,
          null,
          AgentNames.isValid(incoming.thread()) ? incoming.thread() : null,
          AgentNames.isValid(incoming.replyTo()) ? incoming.replyTo() : null,
          incoming.subject(),
          incoming.priority(),
          incoming.ackRequired(),
          null);
    } catch (IOException | RuntimeException notAMessage) {
      return null;
    }
  }

  /** A receipt file: {@code reader} last {@code state} {@code sender}'s messages {@code at}. */
  record Receipt(String sender, String reader, String state, Instant at) {}

  private static List<Receipt> readReceipts(MailboxLayout layout, List<String> notes)
      throws IOException {
    List<Receipt> receipts = new ArrayList<>();
    for (Path senderFolder : list(layout.home().resolve("receipts"))) {
      String sender = senderFolder.getFileName().toString();
      if (!AgentNames.isValid(sender)) {
        continue;
      }
      for (Path file : list(senderFolder)) {
        try {
          if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > 4096) {
            continue;
          }
          JsonNode root = JSON.readTree(Files.readAllBytes(file));
          String reader = root.path("reader").asText(null);
          String state = root.path("state").asText(null);
          if (AgentNames.isValid(reader) && state != null && root.path("at").canConvertToLong()) {
            receipts.add(
                new Receipt(sender, reader, state, Instant.ofEpochMilli(root.path("at").asLong())));
          }
        } catch (IOException | RuntimeException unreadable) {
          notes.add("receipt file " + file + " is unreadable; left where it is");
        }
      }
    }
    return receipts;
  }

  /**
   * The message with the state its receipt says it reached: a reader that read (or acked) a
   * sender's messages at a time had read every one sent to it before. A state already known stays.
   */
  static Message applyReceipts(Message message, List<Receipt> receipts) {
    Message result = message;
    for (Receipt receipt : receipts) {
      if (!receipt.sender().equals(message.from())
          || !receipt.reader().equals(message.to())
          || receipt.at().isBefore(message.timestamp())) {
        continue;
      }
      Instant at = receipt.at();
      boolean read = receipt.state().equals("read") || receipt.state().equals("acked");
      boolean acked = receipt.state().equals("acked") && result.ackRequired();
      boolean surfaced = receipt.state().equals("surfaced");
      if ((read && result.readAt() == null)
          || (acked && result.ackedAt() == null)
          || (surfaced && result.surfacedAt() == null)) {
        result =
            new Message(
                result.id(),
                result.seq(),
                result.from(),
                result.to(),
                result.body(),
                result.timestamp(),
                result.deliveredAt() != null ? result.deliveredAt() : at,
                read && result.readAt() == null ? at : result.readAt(),
                acked && result.ackedAt() == null ? at : result.ackedAt(),
                result.thread(),
                result.replyTo(),
                result.subject(),
                result.priority(),
                result.ackRequired(),
                surfaced && result.surfacedAt() == null ? at : result.surfacedAt());
      }
    }
    return result;
  }

  private static Instant modified(Path path) {
    try {
      return Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS).toInstant();
    } catch (IOException e) {
      return Instant.now();
    }
  }

  private static List<Path> list(Path folder) throws IOException {
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder)) {
      for (Path entry : stream) {
        entries.add(entry);
      }
    } catch (NoSuchFileException none) {
      return entries;
    }
    entries.sort(null);
    return entries;
  }
}
