package agentmsg.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL server process for the tests: Debian's {@code postgresql} package (which {@code
 * .ci/run} installs), started from scratch in a temporary folder on a free loopback port, with a
 * password user, and stopped when the test JVM exits. PostgreSQL refuses to run as root: as root,
 * it runs as the {@code postgres} system user the package makes. Without the binaries the tests
 * that need it are skipped, except under CI ({@code CI=true}), where that is a failure.
 */
public final class PostgresServer {
  /** The user the tests connect as. */
  public static final String USER = "agentmsg";

  private static PostgresServer shared;

  private final Path folder;
  private final Path bin;
  private final int port;
  private final String password;
  private final boolean asPostgres;
  private final AtomicInteger databases = new AtomicInteger();
  private Process process;

  private PostgresServer(Path bin) throws IOException {
    this.bin = bin;
    this.folder = Files.createTempDirectory("agent-msg-pg");
    this.port = freePort();
    this.password = "pw-" + Long.toHexString(System.nanoTime());
    this.asPostgres = "root".equals(System.getProperty("user.name"));
  }

  /** The server of this test JVM, started on first use. */
  public static synchronized PostgresServer shared() {
    if (shared == null) {
      Optional<Path> bin = findBin();
      if (bin.isEmpty()) {
        String missing =
            "PostgreSQL's server binaries (initdb, postgres) are not installed: apt-get install"
                + " postgresql";
        if ("true".equals(System.getenv("CI"))) {
          throw new IllegalStateException(missing);
        }
        Assumptions.abort(missing);
      }
      try {
        PostgresServer server = new PostgresServer(bin.get());
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "postgres-stop"));
        shared = server;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start PostgreSQL", e);
      }
    }
    return shared;
  }

  /**
   * A server of its own, for a harness outside JUnit (the benchmarks); {@link #stop} it.
   *
   * @throws IllegalStateException when PostgreSQL's binaries are not installed
   */
  public static PostgresServer startNew() throws IOException {
    Path bin =
        findBin()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "PostgreSQL's server binaries are not installed: apt-get install"
                            + " postgresql"));
    PostgresServer server = new PostgresServer(bin);
    server.start();
    return server;
  }

  /** The server's version, e.g. {@code 15.18}. */
  public String version() {
    try (Connection admin = admin();
        Statement query = admin.createStatement();
        java.sql.ResultSet rows = query.executeQuery("SHOW server_version")) {
      return rows.next() ? rows.getString(1).split(" ")[0] : "?";
    } catch (SQLException e) {
      return "?";
    }
  }

  /** The newest installed {@code /usr/lib/postgresql/<version>/bin}, else one on the PATH. */
  static Optional<Path> findBin() {
    Path root = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        Optional<Path> newest =
            versions
                .map(version -> version.resolve("bin"))
                .filter(dir -> Files.isExecutable(dir.resolve("initdb")))
                .max(
                    Comparator.comparingInt(
                        dir -> {
                          try {
                            return Integer.parseInt(dir.getParent().getFileName().toString());
                          } catch (NumberFormatException e) {
                            return 0;
                          }
                        }));
        if (newest.isPresent()) {
          return newest;
        }
      } catch (IOException e) {
        // Fall back to the PATH.
      }
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "initdb"))) {
        return Optional.of(Path.of(dir));
      }
    }
    return Optional.empty();
  }

  private void start() throws IOException {
    Path data = folder.resolve("data");
    Path passwordFile = folder.resolve("pw");
    Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
    if (asPostgres) {
      run(List.of("chown", "-R", "postgres:postgres", folder.toString()));
    }
    // --no-sync: the cluster's first files need not reach the disk; the server itself keeps fsync.
    run(
        as(
            bin.resolve("initdb").toString(),
            "-D",
            data.toString(),
            "-U",
            USER,
            "--pwfile=" + passwordFile,
            "--auth-host=scram-sha-256",
            "--auth-local=scram-sha-256",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C"));
    ProcessBuilder builder =
        new ProcessBuilder(
            as(
                bin.resolve("postgres").toString(),
                "-D",
                data.toString(),
                "-p",
                Integer.toString(port),
                "-k",
                folder.toString(),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=on",
                "-c",
                "max_connections=200",
                "-c",
                "shared_buffers=32MB"));
    builder.redirectErrorStream(true);
    builder.redirectOutput(folder.resolve("server.log").toFile());
    process = builder.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("PostgreSQL exited at start: " + log());
      }
      try (Connection ignored = admin()) {
        return;
      } catch (SQLException e) {
        last = e;
      }
      sleep(100);
    }
    throw new IOException("PostgreSQL did not accept connections within 60 s: " + last + log());
  }

  private List<String> as(String... command) {
    List<String> full = new ArrayList<>();
    if (asPostgres) {
      full.addAll(
          List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"));
    }
    full.addAll(List.of(command));
    return full;
  }

  private static void run(List<String> command) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Process child = builder.start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!child.waitFor(120, TimeUnit.SECONDS) || child.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private String log() {
    try {
      return "\n" + Files.readString(folder.resolve("server.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private Connection admin() throws SQLException {
    return DriverManager.getConnection(url("postgres"));
  }

  /** The JDBC URL of {@code database}, with the user and password in it. */
  public String url(String database) {
    return "jdbc:postgresql://127.0.0.1:"
        + port
        + "/"
        + database
        + "?user="
        + USER
        + "&password="
        + password;
  }

  /** The JDBC URL of {@code database} without the password (give it with {@link #password}). */
  public String urlWithoutPassword(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + USER;
  }

  /** The password of {@link #USER}. */
  public String password() {
    return password;
  }

  /** A new, empty database; its JDBC URL (with the password). */
  public String newDatabase() {
    return url(newDatabaseName());
  }

  /** A new, empty database; its name. */
  public String newDatabaseName() {
    String name = "t" + ProcessHandle.current().pid() + "_" + databases.incrementAndGet();
    try (Connection admin = admin();
        Statement create = admin.createStatement()) {
      create.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name + ": " + e, e);
    }
    return name;
  }

  /** Stops the server (a fast shutdown) and deletes its files. */
  public synchronized void stop() {
    if (process != null && process.isAlive()) {
      // SIGINT: PostgreSQL's fast shutdown (SIGTERM waits for every client to leave).
      try {
        new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (IOException e) {
        process.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
    try (Stream<Path> files = Files.walk(folder)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // A temporary folder; the OS cleans it up.
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
