package agentmsg.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Where things are: the checkout, the launcher, a scratch folder, and the JDKs to run on. */
final class Setup implements AutoCloseable {
  /** A JDK to run the CLI on; {@code home} null means the {@code java} on the PATH. */
  record Jdk(String key, Path home, String version) {
    String java() {
      return home == null ? "java" : home.resolve("bin/java").toString();
    }

    String label() {
      return version + (home == null ? " (default java)" : " (JAVA_HOME=" + home + ")");
    }
  }

  private final Path root;
  private final Path scratch;
  private final Path helloClasses;
  private final long clockTicks;
  private int homes;

  Setup(Path root, Path helloClasses) throws IOException, InterruptedException {
    this.root = root;
    this.helloClasses = helloClasses;
    this.scratch = Files.createTempDirectory("agent-msg-bench-");
    String ticks = capture(List.of("getconf", "CLK_TCK")).strip();
    this.clockTicks = ticks.matches("[0-9]+") ? Long.parseLong(ticks) : 100;
  }

  Path root() {
    return root;
  }

  Path launcher() {
    return root.resolve("bin/agent-msg");
  }

  Path helloClasses() {
    return helloClasses;
  }

  long clockTicksPerSecond() {
    return clockTicks;
  }

  /** A fresh, empty data home. */
  Path newHome(String name) throws IOException {
    return Files.createDirectories(scratch.resolve("home-" + (++homes) + "-" + name));
  }

  Path stderrFile(String name) {
    return scratch.resolve(name + ".stderr");
  }

  /** A file of that name in the scratch folder (not created). */
  Path scratchFile(String name) {
    return scratch.resolve(name);
  }

  /**
   * The environment of a child: this one without any agent-msg or JAVA_HOME setting, plus the data
   * home and the JDK under test.
   */
  Map<String, String> env(Jdk jdk, Path home) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.remove("JAVA_HOME");
    env.remove("JAVA_TOOL_OPTIONS");
    env.remove("JDK_JAVA_OPTIONS");
    env.keySet().removeIf(name -> name.startsWith("AGENT_MSG_"));
    if (jdk.home() != null) {
      env.put("JAVA_HOME", jdk.home().toString());
    }
    if (home != null) {
      env.put("AGENT_MSG_HOME", home.toString());
    }
    return env;
  }

  Jdk jdk(String key, Path home) throws IOException, InterruptedException {
    String java = home == null ? "java" : home.resolve("bin/java").toString();
    String version = capture(List.of(java, "-version"));
    // The second line names the runtime and its full version, e.g. "OpenJDK Runtime ... (build
    // 25.0.1+8-LTS)".
    String[] lines = version.strip().split("\n");
    String runtime = lines.length > 1 ? lines[1].strip() : lines[0].strip();
    return new Jdk(key, home, runtime);
  }

  /** Runs a short command and returns its standard output and error, or "" if it failed. */
  static String capture(List<String> command) throws InterruptedException {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] output = process.getInputStream().readAllBytes();
      process.waitFor(30, TimeUnit.SECONDS);
      return new String(output, StandardCharsets.UTF_8);
    } catch (IOException notInstalled) {
      return "";
    }
  }

  @Override
  public void close() throws IOException {
    // A server that was just stopped may still be finishing a mirror file: try again once.
    try {
      delete();
    } catch (IOException busy) {
      try {
        Thread.sleep(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      delete();
    }
  }

  private void delete() throws IOException {
    try (Stream<Path> paths = Files.walk(scratch)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
