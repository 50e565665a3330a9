package agentmsg.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL server process for the tests, made from scratch: {@code initdb} into a fresh
 * temporary folder, then {@code postgres} on a free port of 127.0.0.1 only, its unix socket in that
 * folder, one password user (SCRAM), fsync on. The binaries are the newest {@code
 * /usr/lib/postgresql/<version>/bin} (Debian's {@code postgresql} package, which {@code .ci/run}
 * installs), else the PATH's. PostgreSQL refuses to run as root, so as root it runs as the {@code
 * postgres} system user the package makes, and the folder is that user's.
 *
 * <p>Without the binaries a test that asks for a server is skipped (a JUnit assumption naming what
 * to install), except under CI ({@code CI=true}), where that is a failure.
 *
 * <p>{@link #shared} is the test JVM's one server, started on first use and stopped by a shutdown
 * hook; a test that kills or stops its server starts one of its own with {@link #start}.
 * Thread-safe.
 */
public final class PostgresServer implements AutoCloseable {
  private static final String USER = "agentmsg";
  private static final String READY = "database system is ready to accept connections";
  private static final long START_SECONDS = 60;

  private static PostgresServer shared;
  private static RuntimeException sharedFailure;

  private final Path bin;
  private final Path folder;
  private final Path data;
  private final Path log;
  private final boolean asPostgresUser;
  private final String password;
  private final AtomicInteger databases = new AtomicInteger();
  private int port;
  private Process process;

  private PostgresServer(Path bin) throws IOException {
    this.bin = bin;
    this.asPostgresUser = "root".equals(System.getProperty("user.name"));
    this.folder = Files.createTempDirectory("agent-msg-pg-");
    this.data = folder.resolve("data");
    this.log = folder.resolve("postgres.log");
    byte[] secret = new byte[16];
    new SecureRandom().nextBytes(secret);
    this.password = HexFormat.of().formatHex(secret);
  }

  /** The test JVM's server, started on first use; later calls return it (or its start failure). */
  public static synchronized PostgresServer shared() {
    if (sharedFailure != null) {
      throw sharedFailure;
    }
    if (shared == null) {
      try {
        shared = start();
      } catch (RuntimeException e) {
        sharedFailure = e;
        throw e;
      }
      Runtime.getRuntime()
          .addShutdownHook(new Thread(shared::stop, "agent-msg-test-postgres-stop"));
    }
    return shared;
  }

  /** A new server of the caller's own, which it stops (or closes). */
  public static PostgresServer start() {
    Path bin = binaries();
    try {
      PostgresServer server = new PostgresServer(bin);
      try {
        server.initdb();
        server.launchOnFreePort();
      } catch (IOException | RuntimeException e) {
        server.stop();
        throw e;
      }
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a PostgreSQL server from " + bin, e);
    }
  }

  /**
   * A new, empty database: its JDBC URL, user and password included, {@code
   * jdbc:postgresql://127.0.0.1:<port>/<database>?user=...&password=...}.
   */
  public String newDatabase() {
    String name = "agentmsg_" + databases.incrementAndGet();
    try (Connection admin = DriverManager.getConnection(url("postgres"));
        Statement create = admin.createStatement()) {
      create.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the database " + name + ": " + e, e);
    }
    return url(name);
  }

  /** The server's version, e.g. {@code 15.18}. */
  public String version() {
    try (Connection admin = DriverManager.getConnection(url("postgres"));
        Statement query = admin.createStatement();
        java.sql.ResultSet rows = query.executeQuery("SHOW server_version")) {
      return rows.next() ? rows.getString(1).split(" ", 2)[0] : "?";
    } catch (SQLException e) {
      return "?";
    }
  }

  /** The user every database's URL names, the databases' owner. */
  public String user() {
    return USER;
  }

  /** The password of {@link #user}. */
  public String password() {
    return password;
  }

  /** The port on 127.0.0.1; {@link #restart} keeps it. */
  public synchronized int port() {
    return port;
  }

  /**
   * Kills the server and all its processes the way {@code kill -9} does, and waits until they are
   * gone: a crash, after which {@link #restart} runs PostgreSQL's crash recovery.
   */
  public synchronized void kill9() {
    if (process == null) {
      return;
    }
    List<ProcessHandle> all = new ArrayList<>();
    all.add(process.toHandle());
    process.toHandle().descendants().forEach(all::add);
    all.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle each : all) {
      try {
        each.onExit().get(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while killing PostgreSQL", e);
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException(
            "PostgreSQL process " + each.pid() + " outlived kill -9", e);
      }
    }
    process = null;
  }

  /** Stops the server if it runs (a fast shutdown), then starts it again on its data and port. */
  public synchronized void restart() {
    shutdown();
    try {
      launch();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restart PostgreSQL on port " + port, e);
    }
  }

  /** Stops the server (a fast shutdown: clients are disconnected) and deletes its files. */
  public synchronized void stop() {
    shutdown();
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete PostgreSQL's folder " + folder, e);
    }
  }

  @Override
  public void close() {
    stop();
  }

  @Override
  public String toString() {
    return "PostgreSQL on 127.0.0.1:" + port() + " in " + folder;
  }

  private String url(String database) {
    return "jdbc:postgresql://127.0.0.1:"
        + port()
        + "/"
        + database
        + "?user="
        + USER
        + "&password="
        + password;
  }

  /** The folder of initdb and postgres, or the test's end (skip, or under CI a failure). */
  private static Path binaries() {
    Optional<Path> found = findBinaries();
    if (found.isPresent()) {
      return found.get();
    }
    String missing =
        "no PostgreSQL server binaries (initdb, postgres) in /usr/lib/postgresql/*/bin or on the"
            + " PATH: install Debian's postgresql package (apt-get install postgresql)";
    if ("true".equals(System.getenv("CI"))) {
      throw new IllegalStateException(missing + "; .ci/run installs it");
    }
    Assumptions.abort(missing);
    throw new AssertionError("unreachable: Assumptions.abort throws");
  }

  private static Optional<Path> findBinaries() {
    Path installed = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(installed)) {
      try (Stream<Path> versions = Files.list(installed)) {
        Optional<Path> newest =
            versions
                .filter(version -> version.getFileName().toString().matches("\\d+"))
                .filter(version -> hasServer(version.resolve("bin")))
                .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())))
                .map(version -> version.resolve("bin"));
        if (newest.isPresent()) {
          return newest;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + installed, e);
      }
    }
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .filter(folder -> !folder.isEmpty())
        .map(Path::of)
        .filter(PostgresServer::hasServer)
        .findFirst();
  }

  private static boolean hasServer(Path folder) {
    return Files.isExecutable(folder.resolve("initdb"))
        && Files.isExecutable(folder.resolve("postgres"));
  }

  private void initdb() throws IOException {
    Path passwordFile = folder.resolve("password");
    Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
    if (asPostgresUser) {
      giveToPostgresUser(folder);
      giveToPostgresUser(passwordFile);
    }
    // --no-sync: the new cluster's files need not reach the disk before the server starts (no
    // test survives a power cut); the server itself runs with fsync on.
    run(
        "initdb",
        "-D",
        data.toString(),
        "-U",
        USER,
        "--pwfile=" + passwordFile,
        "--auth=scram-sha-256",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync");
    Files.delete(passwordFile);
  }

  private synchronized void launchOnFreePort() throws IOException {
    // Another process may take the free port before PostgreSQL binds it: then another port.
    for (int attempt = 1; ; attempt++) {
      try (ServerSocket probe = new ServerSocket(0)) {
        port = probe.getLocalPort();
      }
      try {
        launch();
        return;
      } catch (IOException e) {
        if (attempt == 3 || !Files.readString(log).contains("could not bind")) {
          throw e;
        }
      }
    }
  }

  private synchronized void launch() throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(
            command(
                "postgres",
                "-D",
                data.toString(),
                "-p",
                Integer.toString(port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "unix_socket_directories=" + folder,
                "-c",
                "fsync=on",
                "-c",
                "lc_messages=C",
                "-c",
                "max_connections=200",
                "-c",
                "shared_buffers=32MB"));
    builder.environment().put("LC_ALL", "C");
    builder.redirectErrorStream(true);
    Process started = builder.start();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Writer logFile = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
    Thread pump =
        new Thread(
            () -> {
              try (logFile;
                  BufferedReader lines =
                      new BufferedReader(
                          new InputStreamReader(
                              started.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                  logFile.write(line);
                  logFile.write('\n');
                  logFile.flush();
                  if (line.contains(READY)) {
                    ready.complete(null);
                  }
                }
              } catch (IOException e) {
                ready.completeExceptionally(e);
              }
              ready.completeExceptionally(new IOException("PostgreSQL exited"));
            },
            "agent-msg-test-postgres-log");
    pump.setDaemon(true);
    pump.start();
    try {
      ready.get(START_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      started.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while PostgreSQL started", e);
    } catch (ExecutionException | TimeoutException e) {
      started.destroyForcibly();
      throw new IOException(
          "PostgreSQL did not get ready within " + START_SECONDS + " s; its log:\n" + logText(), e);
    }
    process = started;
  }

  /** A fast shutdown, waited for; the data stays. */
  private synchronized void shutdown() {
    if (process == null) {
      return;
    }
    if (process.isAlive()) {
      try {
        run("pg_ctl", "stop", "-D", data.toString(), "-m", "fast", "-w", "-t", "30");
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("PostgreSQL did not stop within 30 s: " + this);
        }
      } catch (IOException e) {
        kill9();
        throw new UncheckedIOException("cannot stop PostgreSQL, killed it: " + this, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while PostgreSQL stopped", e);
      }
    }
    process = null;
  }

  /** Runs one of PostgreSQL's programs to its end; its output is the failure's message. */
  private void run(String program, String... args) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command(program, args)).redirectErrorStream(true);
    builder.environment().put("LC_ALL", "C");
    Process child = builder.start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!child.waitFor(120, TimeUnit.SECONDS) || child.exitValue() != 0) {
        child.destroyForcibly();
        throw new IOException(String.join(" ", builder.command()) + " failed:\n" + output);
      }
    } catch (InterruptedException e) {
      child.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while " + program + " ran", e);
    }
  }

  /** {@code program} of {@link #bin} with {@code args}, as the postgres user when we are root. */
  private List<String> command(String program, String... args) {
    List<String> command = new ArrayList<>();
    if (asPostgresUser) {
      // setpriv execs the program (so our Process is the postmaster); runuser stays its parent.
      if (Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
        command.addAll(
            List.of("/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"));
      } else {
        command.addAll(List.of("runuser", "-u", "postgres"));
      }
      command.add("--");
    }
    command.add(bin.resolve(program).toString());
    command.addAll(List.of(args));
    return command;
  }

  private static void giveToPostgresUser(Path path) throws IOException {
    UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
    PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
    try {
      view.setOwner(users.lookupPrincipalByName("postgres"));
      view.setGroup(users.lookupPrincipalByGroupName("postgres"));
    } catch (java.nio.file.attribute.UserPrincipalNotFoundException e) {
      throw new IOException(
          "running as root, PostgreSQL needs an unprivileged user, but there is no postgres user"
              + " (Debian's postgresql package makes one)",
          e);
    }
  }

  private String logText() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no log)";
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }
}
