package agentmsg.internal.store;

import agentmsg.StoreUnavailableException;
import agentmsg.internal.host.CallListener;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.ProcessBuilder.Redirect;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The store host: a background process that keeps a data home's database open, so that short-lived
 * processes connect to it over loopback instead of each opening the file, which is most of a CLI
 * call's time.
 *
 * <p>A CLI call that finds nobody serving the file opens it itself, as always, and starts a host
 * ({@link #start}); the host waits for that call to finish, takes the file over and serves it until
 * no process has been connected for its idle time, its data home or its jar goes away or changes,
 * or a process that prefers to own the file (the server) asks for it ({@link #requestHandOver}). A
 * killed host loses nothing: every commit was written before it was acknowledged, and the next
 * process opens the file as before. One host per data home ({@code .host.lock}).
 */
public final class StoreHost {
  /** How long a host serves with no process connected, unless told otherwise. */
  public static final Duration DEFAULT_IDLE = Duration.ofMinutes(10);

  /** How long a process that asked the host to hand the file over waits for it. */
  static final Duration HAND_OVER_WAIT = Duration.ofSeconds(10);

  /** How long a starting host waits for the process that started it to close the file. */
  private static final Duration TAKE_OVER_WAIT = Duration.ofSeconds(30);

  private static final String LOCK_FILE = ".host.lock";
  private static final String HAND_OVER_FILE = ".host.hand-over";
  private static final String STOP_FILE = ".host.stop";

  /**
   * How long a host that serves CLI calls waits to own the file when it starts (the call that
   * started it is about to let go of it) before it serves them through the owner instead.
   */
  private static final Duration SERVE_AS_CLIENT_AFTER = Duration.ofSeconds(3);

  /** How long a host that handed the file over waits before it tries to take it back. */
  private static final Duration RETAKE_AFTER = Duration.ofSeconds(15);

  private static final String LOG_FILE = "host.log";
  private static final long MAX_LOG_BYTES = 1 << 20;

  /**
   * How often the host looks for a hand-over request, its database file and its jar: stats only.
   */
  private static final long TICK_MILLIS = 200;

  /** How often it counts the processes connected to it (a query) and takes a compaction step. */
  private static final long CHECK_EVERY_MILLIS = 2_000;

  private StoreHost() {}

  /**
   * The program a started host runs: {@code <class> <home>}. Named, not imported: it lives with the
   * CLI, whose commands the host runs for CLI calls ({@link CallListener.Handler}).
   */
  public static final String PROCESS_CLASS = "agentmsg.cli.HostProcess";

  /** Whether a host serves (or is starting to serve) {@code home}. */
  public static boolean isRunning(Path home) {
    Path lockFile = home.resolve(LOCK_FILE);
    if (!Files.exists(lockFile)) {
      return false;
    }
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        return true;
      }
      lock.release();
      return false;
    } catch (OverlappingFileLockException hostInThisProcess) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Asks the host of {@code home}, if any, to close the file: for a process that prefers to own it
   * (the server). A host serving CLI calls goes on serving them, through that owner.
   */
  public static void requestHandOver(Path home) {
    try {
      Files.writeString(home.resolve(HAND_OVER_FILE), Instant.now() + "\n");
    } catch (IOException e) {
      // No host can be asked then; the caller shares the file with it.
    }
  }

  /** Asks the host of {@code home}, if any, to close the file and exit. */
  public static void requestStop(Path home) {
    try {
      Files.writeString(home.resolve(STOP_FILE), Instant.now() + "\n");
    } catch (IOException e) {
      // No host can be asked then.
    }
  }

  /**
   * Starts a host for {@code home} in a new process of this JVM's class path, unless one runs. Best
   * effort: without a host, calls open the file themselves as before.
   */
  /**
   * Starts a host for {@code home} when it has a database and none runs: for calls that do not open
   * the store themselves but are served by a host where one runs ({@code send -w}, {@code ping}).
   */
  public static void startWhereStored(Path home) {
    if (Files.exists(home.resolve(Store.FILE_NAME + ".mv.db"))) {
      start(home);
    }
  }

  static void start(Path home) {
    if (isRunning(home)) {
      return;
    }
    List<String> command = new ArrayList<>();
    // Its own session: closing the terminal of the call that started it does not end it.
    for (String setsid : List.of("/usr/bin/setsid", "/bin/setsid")) {
      if (Files.isExecutable(Path.of(setsid))) {
        command.add(setsid);
        break;
      }
    }
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-Xss512k",
            "-Xmx256m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-XX:-UsePerfData",
            "-Dfile.encoding=UTF-8",
            "-Xlog:disable",
            "-Xlog:all=warning:stderr",
            "-cp",
            System.getProperty("java.class.path"),
            PROCESS_CLASS,
            home.toString()));
    Path log = home.resolve(LOG_FILE);
    try {
      if (Files.size(log) > MAX_LOG_BYTES) {
        // Two lines per host; keep the log from growing for ever.
        Files.move(log, home.resolve(LOG_FILE + ".old"), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException noLogYet) {
      // Nothing to rotate.
    }
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.redirectInput(Redirect.from(new File(isWindows() ? "NUL" : "/dev/null")));
    builder.redirectOutput(Redirect.appendTo(log.toFile()));
    builder.redirectErrorStream(true);
    try {
      builder.start();
    } catch (IOException | RuntimeException cannotStart) {
      // The calls go on opening the file themselves.
    }
  }

  /**
   * Serves {@code home} until idle for {@code idle}, asked to hand over, or its data home or jar
   * changes.
   *
   * @return the process exit code: 0 when it served or another host already does, 1 when it could
   *     not open the file
   */
  public static int serve(Path home, Duration idle, PrintStream log) {
    return serve(home, idle, log, null);
  }

  /**
   * Serves {@code home} as {@link #serve(Path, Duration, PrintStream)} does, and with {@code calls}
   * (when not null) also runs CLI calls handed over on the data home's socket ({@link
   * CallListener}).
   */
  public static int serve(Path home, Duration idle, PrintStream log, CallListener.Handler calls) {
    Path lockFile = home.resolve(LOCK_FILE);
    try (FileChannel channel =
        FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        return 0; // another host serves this home
      }
      Files.deleteIfExists(home.resolve(HAND_OVER_FILE));
      Files.deleteIfExists(home.resolve(STOP_FILE));
      String reason = hold(home, idle, log, calls);
      log.println(Instant.now() + " host of " + home + " stopped: " + reason);
      return 0;
    } catch (StoreUnavailableException e) {
      log.println(
          Instant.now() + " host of " + home + " could not open the store: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      log.println(Instant.now() + " host of " + home + " cannot use " + lockFile + ": " + e);
      return 1;
    }
  }

  /** Owns the file until one of the reasons to stop; returns that reason. */
  private static String hold(
      Path home, Duration idle, PrintStream log, CallListener.Handler calls) {
    Path handOver = home.resolve(HAND_OVER_FILE);
    Path stop = home.resolve(STOP_FILE);
    Path database = home.resolve(Store.FILE_NAME + ".mv.db");
    Path jar = codeSource();
    FileTime jarTime = modified(jar);
    if (!Files.exists(database)) {
      return "no database to serve"; // a host keeps a store open; it never makes one
    }
    Store store =
        Store.open(home, calls == null ? TAKE_OVER_WAIT : SERVE_AS_CLIENT_AFTER, Store.Mode.OWNER);
    CallListener listener = null;
    long handedOverAt = 0;
    try {
      try {
        store.run(handle -> {}); // takes the file over and brings the schema up to date
      } catch (StoreUnavailableException owned) {
        if (calls == null) {
          throw owned;
        }
        // Another process keeps the file (a server, a poll): serve the calls through it.
        store.close();
        store = null;
        handedOverAt = System.nanoTime();
        log.println(
            Instant.now() + " host: another process owns the store; serving CLI calls through it");
      }
      // Only now: a call taken before would find the file still changing hands.
      listener = calls == null ? null : listen(home, calls, log);
      log.println(
          Instant.now()
              + " host "
              + ProcessHandle.current().pid()
              + " serves "
              + home
              + (listener == null ? "" : " and its CLI calls"));
      long lastBusy = System.nanoTime();
      long lastCheck = lastBusy;
      long compactedAt = store == null ? 0 : store.version();
      while (true) {
        if (!pause()) {
          return "interrupted";
        }
        long now = System.nanoTime();
        if (Files.exists(stop)) {
          deleteQuietly(stop);
          deleteQuietly(handOver);
          return "asked to stop";
        }
        if (Files.exists(handOver)) {
          deleteQuietly(handOver);
          if (listener == null) {
            return "asked to hand the store over";
          }
          if (store != null) {
            // The server writes the most, so it owns the file; the calls go on here, as its
            // clients, until it is gone and this host can take the file back.
            store.close();
            store = null;
            handedOverAt = now;
            log.println(
                Instant.now() + " host handed the store over; serving CLI calls through its owner");
          }
        }
        if (!Files.exists(database)) {
          return "the database file is gone";
        }
        if (jar != null && !jarTime.equals(modified(jar))) {
          return "the program changed";
        }
        if (now - lastCheck < CHECK_EVERY_MILLIS * 1_000_000L) {
          continue;
        }
        lastCheck = now;
        if (store == null && now - handedOverAt > RETAKE_AFTER.toNanos()) {
          store = retake(home);
          if (store != null) {
            log.println(Instant.now() + " host took the store back");
            compactedAt = store.version();
          }
        }
        if ((store != null && store.clientSessions() > 0)
            || (listener != null && listener.busyWithin(CHECK_EVERY_MILLIS * 1_000_000L))) {
          lastBusy = now;
        } else if (now - lastBusy > idle.toNanos()) {
          return "idle for " + idle.toSeconds() + " s";
        }
        if (store != null) {
          long version = store.version();
          if (version != compactedAt) {
            // Other processes wrote through this one: its own writes never ran a compaction step.
            store.compactStep();
            compactedAt = store.version();
          }
        }
      }
    } finally {
      if (listener != null) {
        listener.close();
      }
      if (store != null) {
        store.close();
      }
    }
  }

  /** Owns the file again if nobody does (the server stopped); null while someone does. */
  private static Store retake(Path home) {
    Store store = Store.open(home, Duration.ZERO, Store.Mode.OWNER);
    try {
      store.run(handle -> {});
      return store;
    } catch (StoreUnavailableException stillOwned) {
      store.close();
      return null;
    }
  }

  /** The CLI calls' socket, or null when it cannot be made (calls then run in their own JVM). */
  private static CallListener listen(Path home, CallListener.Handler calls, PrintStream log) {
    try {
      return CallListener.open(home, calls, log);
    } catch (IOException | RuntimeException e) {
      log.println(Instant.now() + " host of " + home + " serves no CLI calls: " + e);
      return null;
    }
  }

  /** The jar (or class folder) this code runs from, or null if unknown. */
  private static Path codeSource() {
    try {
      return Path.of(StoreHost.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | RuntimeException unknown) {
      return null;
    }
  }

  private static FileTime modified(Path file) {
    try {
      return file == null ? null : Files.getLastModifiedTime(file);
    } catch (IOException gone) {
      return FileTime.fromMillis(0);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // Handed over either way.
    }
  }

  /** Waits one tick; false when interrupted. */
  private static boolean pause() {
    try {
      Thread.sleep(TICK_MILLIS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static boolean isWindows() {
    return System.getProperty("os.name", "").startsWith("Windows");
  }
}
