package agentmsg.internal.mailbox;

import agentmsg.AgentNames;
import agentmsg.Message;
import agentmsg.internal.Ids;
import agentmsg.internal.store.MailStore;
import agentmsg.internal.store.NewMessage;
import agentmsg.json.MessageJson;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Takes in message files that another program dropped into an inbox folder (the original tool's
 * format included): a well-formed one is stored once and replaced by its canonical mirror file; a
 * malformed one is moved to {@code rejected/<agent>/} beside a {@code .reason} file. Files named
 * after a stored message id are the mirror's own and are left alone; files named after the id of a
 * message that prune deleted are its mirror's leftovers and are deleted. Thread-safe.
 *
 * <p>A look at a whole folder ({@link #importAll}) costs what is new in it, not its size, on the
 * local file systems that {@link ChangeTimes} trusts. Each look records a mark in the store ({@link
 * MailStore#saveScanMark}) once what it imported is synced: the folder's stamp, when the look left
 * nothing to look at again, and a watermark, before which every file's change time was looked at.
 * The next look returns at once while the folder's stamp is unchanged (no entry came or went), and
 * otherwise lists the folder but checks against the store only the names changed since the
 * watermark. A dropped file cannot hide from that: however it arrives ({@code mv}, {@code cp -p}, a
 * link), it changes the folder's stamp, and its change time is when it arrived, which only goes
 * forward. Clock margins cover timestamps coarser than the clock, and an hourly full look a clock
 * set back.
 */
public final class InboxImporter {
  /** A file younger than this that does not parse may still be being written: look again later. */
  static final long SETTLE_MILLIS = 2_000;

  /**
   * How far before the moment it arrived a file's change time may be: a file system that keeps
   * whole seconds, a clock tick, and room for the clock being set back a little (NTP).
   */
  private static final long CLOCK_MARGIN_MILLIS = 2_000;

  /**
   * How often a look checks every name whatever the marks say: the safety net for a clock set back
   * by more than {@link #CLOCK_MARGIN_MILLIS}, under which new files get old change times.
   */
  static final long FULL_LOOK_EVERY_MILLIS = 3_600_000;

  /** The longest subject the store keeps. */
  private static final int MAX_SUBJECT = 1_000;

  /** Room in a dropped file for what is not the body: the subject, ids, names, time, keys. */
  private static final int ENVELOPE_BYTES = 64 * 1024;

  private final MailStore store;
  private final MailboxLayout layout;
  private final MirrorWriter mirror;
  private final int maxMessageBytes;
  private final Consumer<String> warnings;
  private final long clockMarginMillis;
  private final Consumer<Path> beforeStore;

  public InboxImporter(
      MailStore store,
      MailboxLayout layout,
      MirrorWriter mirror,
      int maxMessageBytes,
      Consumer<String> warnings) {
    this(store, layout, mirror, maxMessageBytes, warnings, CLOCK_MARGIN_MILLIS, file -> {});
  }

  /** With another clock margin: tests use a short one rather than wait seconds for the clock. */
  InboxImporter(
      MailStore store,
      MailboxLayout layout,
      MirrorWriter mirror,
      int maxMessageBytes,
      Consumer<String> warnings,
      long clockMarginMillis) {
    this(store, layout, mirror, maxMessageBytes, warnings, clockMarginMillis, file -> {});
  }

  /**
   * With a hook called for each dropped file once it is read and found well-formed, before its
   * message is stored: tests hold two readers there to make them race for the same file.
   */
  InboxImporter(
      MailStore store,
      MailboxLayout layout,
      MirrorWriter mirror,
      int maxMessageBytes,
      Consumer<String> warnings,
      long clockMarginMillis,
      Consumer<Path> beforeStore) {
    this.store = store;
    this.layout = layout;
    this.mirror = mirror;
    this.maxMessageBytes = maxMessageBytes;
    this.warnings = warnings;
    this.clockMarginMillis = clockMarginMillis;
    this.beforeStore = beforeStore;
  }

  /**
   * Looks at what is new in {@code agent}'s inbox (every file, where the file system does not keep
   * usable change times); returns how many messages it imported.
   */
  public int importAll(String agent) {
    long startedAt = System.currentTimeMillis();
    Path folder = layout.inbox(agent);
    ChangeTimes.Stamp stamp;
    try {
      stamp = ChangeTimes.stamp(folder);
    } catch (NoSuchFileException noFolderYet) {
      return 0;
    } catch (IOException e) {
      warnings.accept("cannot read " + folder + ": " + e);
      return 0;
    }
    MailStore.ScanMark mark =
        stamp == null
            ? null
            : store
                .scanMark(agent)
                // Another folder under this name (moved into place, its files keep their change
                // times), or a mark made by a clock ahead of ours (ours was set back): a full look.
                .filter(found -> found.folderId().equals(stamp.folderId()))
                .filter(found -> found.scannedAt() - startedAt <= clockMarginMillis)
                .orElse(null);
    boolean fullLook = mark == null || startedAt - mark.fullAt() >= FULL_LOOK_EVERY_MILLIS;
    if (!fullLook && stamp.value().equals(mark.folderStamp())) {
      return 0;
    }
    List<String> names = list(folder);
    if (names == null) {
      return 0;
    }
    boolean marked = stamp != null && ChangeTimes.kept(folder, stamp);
    if (!marked) {
      return look(agent, names).imported();
    }
    Looked looked =
        look(agent, fullLook ? names : changedSince(folder, names, mark.checkedBefore()));
    long checkedBefore = startedAt - clockMarginMillis;
    for (Path left : looked.left()) {
      checkedBefore = Math.min(checkedBefore, changedMillisOrEarliest(left));
    }
    // The stamp vouches for the whole folder only if nothing was left for later and no change can
    // have come after it within the same timestamp.
    boolean settled = looked.left().isEmpty() && stamp.settledAt(startedAt);
    MailStore.ScanMark next =
        new MailStore.ScanMark(
            stamp.folderId(),
            settled ? stamp.value() : null,
            checkedBefore,
            fullLook ? startedAt : mark.fullAt(),
            startedAt);
    store.saveScanMark(agent, next);
    return looked.imported();
  }

  /** Looks at the named files of {@code agent}'s inbox; returns how many messages it imported. */
  public int importNames(String agent, Collection<String> fileNames) {
    return look(agent, fileNames).imported();
  }

  /**
   * What a look at some files came to.
   *
   * @param imported how many messages it imported
   * @param left the files left to look at again (maybe still being written, or unreadable)
   */
  private record Looked(int imported, List<Path> left) {}

  private Looked look(String agent, Collection<String> fileNames) {
    Map<String, String> idByName = new LinkedHashMap<>();
    for (String name : fileNames) {
      if (name.endsWith(".json") && !name.startsWith(".")) {
        idByName.put(name, name.substring(0, name.length() - ".json".length()));
      }
    }
    if (idByName.isEmpty()) {
      return new Looked(0, List.of());
    }
    MailStore.Known known = store.known(idByName.values());
    int imported = 0;
    List<Path> toDelete = new ArrayList<>();
    List<Path> left = new ArrayList<>();
    for (Map.Entry<String, String> entry : idByName.entrySet()) {
      Path file = layout.inbox(agent).resolve(entry.getKey());
      if (known.pruned().contains(entry.getValue())) {
        // The mirror file of a message pruned since it was written: the prune meant to delete it.
        deleteQuietly(file);
      } else if (!known.stored().contains(entry.getValue())) {
        switch (importFile(agent, file, entry.getValue())) {
          case IMPORTED -> imported++;
          case IMPORTED_UNDER_ANOTHER_NAME -> {
            imported++;
            toDelete.add(file);
          }
          case LEFT -> left.add(file);
          case SETTLED -> {}
        }
      }
    }
    if (imported > 0) {
      // On disk before a foreign file goes, and before a mark says it was looked at.
      store.sync();
      for (Path file : toDelete) {
        deleteQuietly(file);
      }
    }
    return new Looked(imported, left);
  }

  /** The files among {@code names} whose change time is at or after {@code checkedBefore}. */
  private static List<String> changedSince(Path folder, List<String> names, long checkedBefore) {
    List<String> changed = new ArrayList<>();
    for (String name : names) {
      try {
        if (ChangeTimes.changedMillis(folder.resolve(name)) >= checkedBefore) {
          changed.add(name);
        }
      } catch (NoSuchFileException gone) {
        // Imported or taken away by someone else since the listing.
      } catch (IOException e) {
        changed.add(name); // the look reports what is wrong with it
      }
    }
    return changed;
  }

  private static long changedMillisOrEarliest(Path file) {
    try {
      return ChangeTimes.changedMillis(file);
    } catch (NoSuchFileException gone) {
      return Long.MAX_VALUE;
    } catch (IOException e) {
      return Long.MIN_VALUE; // unknown: the next look checks every name
    }
  }

  /**
   * The message file names in {@code folder}, or null (after a warning) if it cannot be listed.
   * {@link File#list} rather than a {@code DirectoryStream}, which makes a {@code Path} per entry
   * and matches a pattern against it: that was most of the cost of listing a large folder in a
   * short-lived process (about 40 of 50 ms for 10,000 files).
   */
  private List<String> list(Path folder) {
    String[] entries = folder.toFile().list();
    if (entries == null) {
      return listWithReasons(folder); // File.list does not say why it failed
    }
    List<String> names = new ArrayList<>(entries.length);
    for (String name : entries) {
      if (name.endsWith(".json")) {
        names.add(name);
      }
    }
    return names;
  }

  private List<String> listWithReasons(Path folder) {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.json")) {
      for (Path file : files) {
        names.add(file.getFileName().toString());
      }
    } catch (NoSuchFileException noFolderYet) {
      return null;
    } catch (IOException e) {
      warnings.accept("cannot list " + folder + ": " + e);
      return null;
    }
    return names;
  }

  /** What became of one file. */
  private enum Outcome {
    /** Stored; the file, named after its id, is now its mirror file. */
    IMPORTED,
    /** Stored under an id other than its name: the file goes once the store is synced. */
    IMPORTED_UNDER_ANOTHER_NAME,
    /** Rejected and moved aside, or gone: nothing more to do. */
    SETTLED,
    /** Left where it is, to look at again: maybe still being written, or unreadable for now. */
    LEFT
  }

  /**
   * The most bytes a dropped file may have: a message at the limit whose every byte JSON writes as
   * a six-byte escape (a backslash, u and four hex digits), and room for the other fields. A larger
   * file is rejected unread.
   */
  long maxFileBytes() {
    return 6L * maxMessageBytes + ENVELOPE_BYTES;
  }

  /** Imports one file that is not named after a stored message. */
  private Outcome importFile(String agent, Path file, String nameId) {
    byte[] content;
    long modified;
    try {
      // The entry itself, not what it may point to: a link is refused before anything is opened.
      BasicFileAttributes entry =
          Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      modified = entry.lastModifiedTime().toMillis();
      String refused = refusal(entry);
      if (refused != null) {
        return reject(agent, file, refused) ? Outcome.SETTLED : Outcome.LEFT;
      }
      content = readAtMost(file, maxFileBytes());
      if (content == null) {
        return reject(agent, file, tooLarge()) ? Outcome.SETTLED : Outcome.LEFT;
      }
    } catch (NoSuchFileException gone) {
      return Outcome.SETTLED;
    } catch (IOException e) {
      warnings.accept("cannot read " + file + ": " + e);
      return Outcome.LEFT;
    }
    MessageJson.Incoming incoming;
    try {
      incoming = MessageJson.parseFile(content);
      checkIncoming(incoming);
    } catch (RuntimeException | StackOverflowError malformed) {
      // Whatever the parser makes of a file, it is the file's fault: it never ends the reader.
      if (System.currentTimeMillis() - modified < SETTLE_MILLIS) {
        return Outcome.LEFT; // maybe still being written; its next write event brings it back
      }
      String reason =
          malformed instanceof IllegalArgumentException
              ? malformed.getMessage()
              : malformed instanceof StackOverflowError
                  ? "not valid JSON: nested too deeply"
                  : "not a message file: " + malformed;
      return reject(agent, file, reason) ? Outcome.SETTLED : Outcome.LEFT;
    }
    beforeStore.accept(file);
    String id =
        isUsableId(incoming.id())
            ? incoming.id()
            : isUsableId(nameId) ? nameId : droppedId(agent, file, content);
    Instant sentAt =
        incoming.timestamp() != null ? incoming.timestamp() : Instant.ofEpochMilli(modified);
    Optional<Message> imported =
        store.importMessage(
            new NewMessage(
                id,
                incoming.from(),
                agent,
                incoming.body(),
                sentAt.toEpochMilli(),
                null,
                isUsableId(incoming.thread()) ? incoming.thread() : null,
                isUsableId(incoming.replyTo()) ? incoming.replyTo() : null,
                incoming.subject(),
                incoming.priority(),
                incoming.ackRequired()));
    if (imported.isEmpty()) {
      return reject(
              agent,
              file,
              "message "
                  + id
                  + " was deleted by prune; a copy of it is not imported again"
                  + " (give it another id to send it again)")
          ? Outcome.SETTLED
          : Outcome.LEFT;
    }
    Message stored = imported.get();
    mirror.write(stored);
    return layout.inboxFile(agent, stored.id()).equals(file)
        ? Outcome.IMPORTED
        : Outcome.IMPORTED_UNDER_ANOTHER_NAME;
  }

  /** Why a dropped entry is refused without being opened, or null if it is a plain file. */
  private String refusal(BasicFileAttributes entry) {
    if (entry.isSymbolicLink()) {
      return "a symbolic link: links are not followed, so that nothing outside the data home is"
          + " read (copy the file in instead)";
    }
    if (!entry.isRegularFile()) {
      return "not a regular file";
    }
    if (entry.size() > maxFileBytes()) {
      return tooLarge();
    }
    return null;
  }

  private String tooLarge() {
    return "over "
        + maxFileBytes()
        + " bytes, more than a message of the limit of "
        + maxMessageBytes
        + " bytes can take; not read";
  }

  /**
   * The bytes of {@code file}, or null if it has more than {@code limit} (it grew since its size
   * was checked). Opened without following a link that replaced it since.
   */
  private static byte[] readAtMost(Path file, long limit) throws IOException {
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] content = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
      return content.length > limit ? null : content;
    }
  }

  private void checkIncoming(MessageJson.Incoming incoming) {
    if (!AgentNames.isValid(incoming.from())) {
      throw new IllegalArgumentException("field 'from' is not a valid agent name");
    }
    if (incoming.subject() != null && incoming.subject().length() > MAX_SUBJECT) {
      throw new IllegalArgumentException("field 'subject' is over " + MAX_SUBJECT + " characters");
    }
    if (incoming.body().isEmpty()) {
      throw new IllegalArgumentException("field 'message' is empty");
    }
    int size = incoming.body().getBytes(StandardCharsets.UTF_8).length;
    if (size > maxMessageBytes) {
      throw new IllegalArgumentException(
          "message is " + size + " bytes, over the limit of " + maxMessageBytes);
    }
  }

  /**
   * The id of a dropped file that names no usable one: a digest of the agent, the file's name and
   * its bytes, so that every reader, and every look after a crash before the file was deleted,
   * gives it the same id and the store keeps one message. The same bytes under another name are
   * another drop; {@code dropped-} keeps these ids apart from the ones this tool makes.
   */
  private static String droppedId(String agent, Path file, byte[] content) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
    digest.update(agent.getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
    digest.update(file.getFileName().toString().getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
    digest.update(content);
    return "dropped-" + Ids.fromDigest(digest.digest());
  }

  private static boolean isUsableId(String id) {
    return id != null && AgentNames.isValid(id);
  }

  /** Moves a malformed file aside; returns whether it is out of the inbox (moved, or gone). */
  private boolean reject(String agent, Path file, String reason) {
    Path folder = layout.rejected(agent);
    try {
      Files.createDirectories(folder);
      Path target = folder.resolve(file.getFileName());
      for (int n = 1; Files.exists(target, LinkOption.NOFOLLOW_LINKS); n++) {
        target = folder.resolve(file.getFileName() + "." + n);
      }
      Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
      Files.writeString(
          folder.resolve(target.getFileName() + ".reason"),
          reason + System.lineSeparator(),
          StandardCharsets.UTF_8);
      warnings.accept(
          "rejected "
              + file
              + ": "
              + reason
              + " (moved to "
              + target
              + "; fix it and move it back to import it)");
      return true;
    } catch (NoSuchFileException gone) {
      return !Files.exists(file, LinkOption.NOFOLLOW_LINKS); // someone else took it away first
    } catch (IOException e) {
      warnings.accept("cannot move malformed file " + file + " aside: " + e);
      return !Files.exists(file, LinkOption.NOFOLLOW_LINKS);
    }
  }

  private void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      warnings.accept("imported " + file + " but cannot delete it: " + e);
    }
  }
}
