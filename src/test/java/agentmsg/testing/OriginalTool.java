package agentmsg.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The original Node tool, for the tests that run it beside ours: a copy installed outside the
 * repository (its code is never part of this project) with its node_modules, and node itself.
 */
public final class OriginalTool {
  /** Where the tests look for the original's installed copy. */
  public static final Path ORIGINAL = Path.of("/tmp/orig/app");

  private OriginalTool() {}

  /** Skips the test unless the original's copy and node are at hand. */
  public static void assumeAvailable() {
    assumeTrue(
        Files.isRegularFile(ORIGINAL.resolve("bin/agent-msg")), "no original at " + ORIGINAL);
    assumeTrue(nodeRuns(), "no node on the PATH");
  }

  /** Copies the tree {@code from} to {@code to}, folders and files. */
  public static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target);
        }
      }
    }
  }

  private static boolean nodeRuns() {
    try {
      Process node = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      node.getInputStream().readAllBytes();
      return node.waitFor(30, TimeUnit.SECONDS) && node.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
