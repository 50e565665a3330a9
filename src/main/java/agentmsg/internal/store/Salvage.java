package agentmsg.internal.store;

import agentmsg.Agent;
import agentmsg.AgentMsgException;
import agentmsg.AgentType;
import agentmsg.Message;
import java.io.IOException;
import java.io.Reader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * Saving what can be saved from a damaged or rewound database file: {@link #setAside} renames the
 * file (never deletes it), {@link #read} reads every row it can from a copy of it (opened as it is,
 * else through H2's recovery tool, {@link org.h2.tools.Recover}), and {@link #restore} writes rows
 * into the fresh store, keeping any a row already there. Stateless.
 */
public final class Salvage {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private static final long HOST_STOP_WAIT_MILLIS = 10_000;

  private Salvage() {}

  /**
   * What was read from a damaged file.
   *
   * @param how how it was read ({@code opened}, {@code h2-recover}) or why nothing was
   * @param agents the agents it held
   * @param messages its messages with their delivery state
   * @param clientIds the client ids (senders' idempotency keys) by message id
   * @param groups the groups and their members
   * @param tokens the agent tokens' rows
   */
  public record Saved(
      String how,
      List<Agent> agents,
      List<Message> messages,
      Map<String, String> clientIds,
      Map<String, List<String>> groups,
      List<TokenRow> tokens) {
    static Saved nothing(String why) {
      return new Saved(why, List.of(), List.of(), Map.of(), Map.of(), List.of());
    }
  }

  /** One row of {@code agent_token}. */
  public record TokenRow(String agent, String hash, long createdAt, Long revokedAt) {}

  /**
   * Renames the database file of {@code home} to {@code agent-msg.mv.db.damaged-<UTC time>}, once
   * no process owns it: a store host is asked to stop; any other owner (a server) makes this fail.
   *
   * @return the file's new path, or null when there was no file
   */
  public static Path setAside(Path home) throws IOException {
    Path database = home.resolve(Store.FILE_NAME + ".mv.db");
    if (!Files.exists(database)) {
      return null;
    }
    if (StoreHost.isRunning(home)) {
      StoreHost.requestStop(home);
      long deadline = System.nanoTime() + HOST_STOP_WAIT_MILLIS * 1_000_000;
      while (StoreHost.isRunning(home) && System.nanoTime() - deadline < 0) {
        pause();
      }
    }
    try (FileChannel channel =
            FileChannel.open(
                home.resolve(".owner.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock()) {
      if (lock == null) {
        throw new AgentMsgException(
            "store-busy",
            "another process (an agent-msg server, poll or wait) has "
                + database
                + " open; stop it and run agent-msg doctor --repair again");
      }
      Path aside = database.resolveSibling(database.getFileName() + ".damaged-" + stamp());
      for (int n = 1; Files.exists(aside); n++) {
        aside = database.resolveSibling(database.getFileName() + ".damaged-" + stamp() + "-" + n);
      }
      Files.move(database, aside, StandardCopyOption.ATOMIC_MOVE);
      // The mark describes the old file: the fresh store starts its own.
      Path mark = home.resolve(HighWater.FILE_NAME);
      if (Files.exists(mark)) {
        Files.move(mark, aside.resolveSibling(aside.getFileName() + ".high-water"));
      }
      // H2's trace file belongs to the old file; its lock file is H2's own and is reused.
      Path trace = home.resolve(Store.FILE_NAME + ".trace.db");
      if (Files.exists(trace)) {
        Files.move(trace, aside.resolveSibling(aside.getFileName() + ".trace.db"));
      }
      return aside;
    }
  }

  private static String stamp() {
    return STAMP.format(Instant.now());
  }

  /**
   * Reads every row it can from {@code damaged}, working on a copy in {@code scratch} (which it
   * deletes after) so that the damaged file stays as it was. Never throws for a damaged file: what
   * could not be read is described in {@code notes}.
   */
  public static Saved read(Path home, Path damaged, Path scratch, Consumer<String> notes) {
    String password = DbPassword.load(home);
    try {
      Files.createDirectories(scratch);
      Path copy = scratch.resolve("copy.mv.db");
      Files.copy(damaged, copy, StandardCopyOption.REPLACE_EXISTING);
      try (Connection connection = connect(scratch.resolve("copy"), password)) {
        return readRows(connection, "opened", notes);
      } catch (SQLException | RuntimeException unreadable) {
        notes.accept("the damaged file does not open (" + firstLine(unreadable) + ")");
      }
      Files.copy(damaged, copy, StandardCopyOption.REPLACE_EXISTING);
      // The tool prints what it cannot read to its output: keep the first line for the report.
      java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
      try {
        org.h2.tools.Recover recover = new org.h2.tools.Recover();
        recover.setOut(new java.io.PrintStream(said, true, StandardCharsets.UTF_8));
        recover.runTool("-dir", scratch.toString(), "-db", "copy");
      } catch (SQLException | RuntimeException failed) {
        return Saved.nothing("H2's recovery tool failed: " + firstLine(failed));
      }
      Path script = scratch.resolve("copy.h2.sql");
      String complaint = said.toString(StandardCharsets.UTF_8).trim();
      if (!Files.exists(script) || !Files.readString(script).contains("INSERT INTO")) {
        return Saved.nothing(
            "H2's recovery tool saved no rows"
                + (complaint.isEmpty() ? "" : " (" + firstLine(complaint) + ")"));
      }
      try (Connection connection = connect(scratch.resolve("recovered"), password)) {
        int failed = runLeniently(connection, script);
        if (failed > 0) {
          notes.accept(failed + " statement(s) of H2's recovery script failed");
        }
        return readRows(connection, "h2-recover", notes);
      } catch (SQLException | RuntimeException failed) {
        return Saved.nothing("H2's recovery script does not run (" + firstLine(failed) + ")");
      }
    } catch (IOException e) {
      return Saved.nothing("cannot copy " + damaged + " to " + scratch + ": " + e);
    } finally {
      deleteTree(scratch);
    }
  }

  private static Connection connect(Path database, String password) throws SQLException {
    Properties credentials = new Properties();
    credentials.setProperty("user", "sa");
    credentials.setProperty("password", password);
    return new org.h2.Driver()
        .connect("jdbc:h2:file:" + database + ";MAX_COMPACT_TIME=0", credentials);
  }

  /** Runs each statement of a recovery script on its own; returns how many failed. */
  private static int runLeniently(Connection connection, Path script) throws IOException {
    int failed = 0;
    try (Reader reader = Files.newBufferedReader(script, StandardCharsets.UTF_8);
        Statement statement = connection.createStatement()) {
      org.h2.util.ScriptReader statements = new org.h2.util.ScriptReader(reader);
      for (String sql = statements.readStatement(); sql != null; sql = statements.readStatement()) {
        try {
          statement.execute(sql);
        } catch (SQLException damagedPart) {
          failed++;
        }
      }
    } catch (SQLException cannotStart) {
      return failed + 1;
    }
    return failed;
  }

  private static Saved readRows(Connection connection, String how, Consumer<String> notes)
      throws SQLException {
    List<Agent> agents = new ArrayList<>();
    List<Message> messages = new ArrayList<>();
    Map<String, String> clientIds = new LinkedHashMap<>();
    Map<String, List<String>> groups = new LinkedHashMap<>();
    List<TokenRow> tokens = new ArrayList<>();
    rows(
        connection,
        "SELECT name, type, registered_at, last_seen_at FROM agent",
        "agents",
        notes,
        row ->
            agents.add(
                new Agent(
                    row.getString(1),
                    agentType(row.getString(2)),
                    Instant.ofEpochMilli(row.getLong(3)),
                    Instant.ofEpochMilli(row.getLong(4)))));
    rows(
        connection,
        "SELECT " + MessageRows.COLUMNS + ", client_id FROM message ORDER BY seq",
        "messages",
        notes,
        row -> {
          Message message = MessageRows.MAPPER.map(row, null);
          messages.add(message);
          if (row.getString("client_id") != null) {
            clientIds.put(message.id(), row.getString("client_id"));
          }
        });
    rows(
        connection,
        "SELECT g.name, m.member FROM agent_group g LEFT JOIN group_member m"
            + " ON m.group_name = g.name ORDER BY g.name, m.member",
        "groups",
        notes,
        row -> {
          List<String> members =
              groups.computeIfAbsent(row.getString(1), name -> new ArrayList<>());
          if (row.getString(2) != null) {
            members.add(row.getString(2));
          }
        });
    rows(
        connection,
        "SELECT agent, token_hash, created_at, revoked_at FROM agent_token",
        "tokens",
        notes,
        row ->
            tokens.add(
                new TokenRow(
                    row.getString(1),
                    row.getString(2),
                    row.getLong(3),
                    row.getObject(4) == null ? null : row.getLong(4))));
    return new Saved(how, agents, messages, clientIds, groups, tokens);
  }

  private static AgentType agentType(String id) {
    try {
      return AgentType.parse(id);
    } catch (RuntimeException unknown) {
      return AgentType.OTHER;
    }
  }

  /** Reads rows until the end or the first damaged one; a damaged table is noted, not fatal. */
  private static void rows(
      Connection connection, String sql, String what, Consumer<String> notes, RowReader reader) {
    int read = 0;
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        try {
          reader.read(rows);
          read++;
        } catch (RuntimeException badRow) {
          // One unreadable row (a damaged value) does not stop the rest.
        }
      }
    } catch (SQLException | RuntimeException damaged) {
      notes.accept(
          "read " + read + " " + what + " from the damaged file, then: " + firstLine(damaged));
    }
  }

  @FunctionalInterface
  private interface RowReader {
    void read(ResultSet row) throws SQLException;
  }

  /**
   * What {@link #restore} wrote.
   *
   * @param agents agents added
   * @param messages messages added
   */
  public record Restored(int agents, int messages) {}

  /**
   * Writes {@code agents}, {@code messages} (in this order, which becomes their sequence order,
   * with their delivery state), client ids, groups and tokens into {@code store}, leaving alone
   * every row it already has. Idempotent: a repair that is run again adds nothing.
   */
  public static Restored restore(
      Store store,
      Collection<Agent> agents,
      List<Message> messages,
      Map<String, String> clientIds,
      Map<String, List<String>> groups,
      Collection<TokenRow> tokens) {
    int[] added = new int[2];
    store.run(
        handle ->
            handle.useTransaction(
                tx -> {
                  for (Agent agent : agents) {
                    added[0] +=
                        tx.createUpdate(
                                "INSERT INTO agent (name, type, registered_at, last_seen_at)"
                                    + " SELECT :name, :type, :registered, :seen WHERE NOT EXISTS"
                                    + " (SELECT 1 FROM agent WHERE name = :name)")
                            .bind("name", agent.name())
                            .bind("type", agent.type().id())
                            .bind("registered", agent.registeredAt().toEpochMilli())
                            .bind("seen", agent.lastSeenAt().toEpochMilli())
                            .execute();
                  }
                  for (Message message : messages) {
                    if (MessageRows.find(tx, message.id()).isPresent()) {
                      continue;
                    }
                    NewMessage row =
                        new NewMessage(
                            message.id(),
                            message.from(),
                            message.to(),
                            message.body(),
                            message.timestamp().toEpochMilli(),
                            clientIds.get(message.id()),
                            message.thread(),
                            message.replyTo(),
                            message.subject(),
                            message.priority(),
                            message.ackRequired());
                    Message stored;
                    try {
                      stored = DeliveryRows.insertAll(tx, List.of(row)).get(0).message();
                    } catch (SQLException e) {
                      throw new IllegalStateException(
                          "cannot restore message " + message.id() + ": " + e.getMessage(), e);
                    }
                    added[1]++;
                    tx.createUpdate(
                            "UPDATE message SET delivered_at = :delivered, read_at = :read,"
                                + " acked_at = :acked, surfaced_at = :surfaced WHERE seq = :seq")
                        .bind("delivered", millis(message.deliveredAt()))
                        .bind("read", millis(message.readAt()))
                        .bind("acked", millis(message.ackedAt()))
                        .bind("surfaced", millis(message.surfacedAt()))
                        .bind("seq", stored.seq())
                        .execute();
                    if (message.ackedAt() != null) {
                      tx.execute("DELETE FROM ack_owed WHERE seq = ?", stored.seq());
                    }
                  }
                  long now = System.currentTimeMillis();
                  for (Map.Entry<String, List<String>> group : groups.entrySet()) {
                    if (!GroupRows.exists(tx, group.getKey())) {
                      GroupRows.create(tx, group.getKey(), now);
                    }
                    GroupRows.add(tx, group.getKey(), group.getValue());
                  }
                  for (TokenRow token : tokens) {
                    tx.createUpdate(
                            "INSERT INTO agent_token (agent, token_hash, created_at, revoked_at)"
                                + " SELECT :agent, :hash, :created, :revoked WHERE NOT EXISTS"
                                + " (SELECT 1 FROM agent_token WHERE token_hash = :hash)")
                        .bind("agent", token.agent())
                        .bind("hash", token.hash())
                        .bind("created", token.createdAt())
                        .bind("revoked", token.revokedAt())
                        .execute();
                  }
                }));
    store.resetHighWater();
    return new Restored(added[0], added[1]);
  }

  private static Long millis(Instant instant) {
    return instant == null ? null : instant.toEpochMilli();
  }

  private static String firstLine(Throwable failure) {
    return firstLine(String.valueOf(failure.getMessage()));
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentMsgException("interrupted", "interrupted while the store host stopped");
    }
  }

  private static void deleteTree(Path folder) {
    try (var files = Files.walk(folder)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(Salvage::deleteQuietly);
    } catch (NoSuchFileException gone) {
      // nothing to delete
    } catch (IOException e) {
      // a scratch copy left behind in tmp/ is removed by doctor --repair later
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // see deleteTree
    }
  }
}
