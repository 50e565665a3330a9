package agentmsg.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The store hosts of the harness's data homes: makes sure each serves CLI calls on its socket
 * before anything is timed (and again after the jar was rebuilt), and stops them all at the end.
 * Whether a host serves is asked the way a client asks: the native client without a fallback (it
 * exits 1 with {@code error[no-host]} when nothing ran), or the Java client where there is no
 * native one (exit 120).
 */
final class StoreHosts {
  private final Setup setup;
  private final Setup.Jdk jdk;
  private final Map<String, Path> homes = new LinkedHashMap<>();
  private final Path stderr;

  StoreHosts(Setup setup, Setup.Jdk jdk, String name) {
    this.setup = setup;
    this.jdk = jdk;
    this.stderr = setup.stderrFile("hosts-" + name);
  }

  /** A home whose host should serve while the harness times calls in it. */
  void add(String name, Path home) {
    homes.put(name, home);
  }

  /** Every home: started, asked, until its host serves; fails after 120 s. */
  void ensureServing() throws IOException, InterruptedException {
    for (Map.Entry<String, Path> home : homes.entrySet()) {
      ensureServing(home.getKey(), home.getValue());
    }
  }

  private void ensureServing(String name, Path home) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    long nextStart = System.nanoTime();
    while (!serves(home)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the store host of "
                + name
                + " ("
                + home
                + ") serves no calls after 120 s; the probe said: "
                + Files.readString(stderr).strip()
                + "; host.log ends: "
                + logTail(home)
                + staleJar());
      }
      if (System.nanoTime() >= nextStart) {
        // A call in its own JVM that finds nobody serving the file opens it and starts a host
        // (README). Again every 5 s: a host that was still serving (about to leave for a new
        // jar, say) keeps the call from starting one.
        Map<String, String> env = new HashMap<>(setup.env(jdk, home));
        env.put("AGENT_MSG_CLIENT", "off");
        CallTimer.Sample start =
            CallTimer.run(List.of(setup.launcher().toString(), "list"), env, null, stderr);
        if (start.exitCode() != 0) {
          throw new IllegalStateException(
              "list in " + home + " exited " + start.exitCode() + ": " + Files.readString(stderr));
        }
        nextStart = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      } else {
        Thread.sleep(50);
      }
    }
  }

  /**
   * Why every host may be refusing: a source file newer than the jar (a host sends every call back
   * to the launcher then, and the launcher builds; a build that leaves the jar as it was, as for a
   * change to the C client alone, leaves it so).
   */
  private String staleJar() throws IOException {
    Path jar = setup.root().resolve("target/agent-msg.jar");
    if (!Files.exists(jar)) {
      return "";
    }
    FileTime built = Files.getLastModifiedTime(jar);
    for (String tree : List.of("src/main", "migrations", "pom.xml")) {
      Path start = setup.root().resolve(tree);
      if (!Files.exists(start)) {
        continue;
      }
      try (Stream<Path> paths = Files.walk(start)) {
        Optional<Path> newer =
            paths
                .filter(Files::isRegularFile)
                .filter(path -> lastModified(path).compareTo(built) > 0)
                .findFirst();
        if (newer.isPresent()) {
          return "; "
              + setup.root().relativize(newer.get())
              + " is newer than target/agent-msg.jar (hosts refuse calls until the jar is newer)";
        }
      }
    }
    return "";
  }

  private static FileTime lastModified(Path path) {
    try {
      return Files.getLastModifiedTime(path);
    } catch (IOException gone) {
      return FileTime.fromMillis(0);
    }
  }

  private static String logTail(Path home) {
    try {
      List<String> lines = Files.readAllLines(home.resolve("host.log"));
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException none) {
      return "(no host.log)";
    }
  }

  /** The homes whose host does not serve calls now, by name. */
  List<String> notServing() throws IOException, InterruptedException {
    List<String> names = new ArrayList<>();
    for (Map.Entry<String, Path> home : homes.entrySet()) {
      if (!serves(home.getValue())) {
        names.add(home.getKey());
      }
    }
    return names;
  }

  /** Whether the host of {@code home} ran a {@code list} handed to it. */
  boolean serves(Path home) throws IOException, InterruptedException {
    Path root = setup.root();
    Path jar = root.resolve("target/agent-msg.jar");
    Path nativeClient = root.resolve("target/agent-msg-client");
    List<String> probe =
        Files.isExecutable(nativeClient)
            ? List.of(nativeClient.toString(), "--code", jar.toString(), "--", "list")
            : List.of(
                jdk.java(), "-cp", jar.toString(), "agentmsg.internal.host.HostClient", "list");
    // Not served: the native client exits 1 (error[no-host]), the Java client 120.
    return CallTimer.run(probe, setup.env(jdk, home), null, stderr).exitCode() == 0;
  }

  /** Stops every home's host ({@code host --stop} in its own JVM); no host is fine. */
  void stopAll(Iterable<Path> allHomes) throws IOException, InterruptedException {
    for (Path home : allHomes) {
      Map<String, String> env = new HashMap<>(setup.env(jdk, home));
      env.put("AGENT_MSG_CLIENT", "off");
      CallTimer.Sample stop =
          CallTimer.run(List.of(setup.launcher().toString(), "host", "--stop"), env, null, stderr);
      if (stop.exitCode() != 0) {
        throw new IllegalStateException(
            "host --stop in "
                + home
                + " exited "
                + stop.exitCode()
                + ": "
                + Files.readString(stderr));
      }
    }
  }

  /** How many hosts started in {@code home}, from its host.log ("host <pid> serves <home>"). */
  static int starts(Path home) {
    Path log = home.resolve("host.log");
    try {
      return Files.exists(log)
          ? (int) Files.readAllLines(log).stream().filter(l -> l.contains(" serves ")).count()
          : 0;
    } catch (IOException unreadable) {
      return -1;
    }
  }
}
