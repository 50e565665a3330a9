package agentmsg.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The native CLI client, compiled once per test JVM from {@code src/main/c} with {@code cc}. */
public final class NativeClient {
  private static Path built;

  private NativeClient() {}

  /**
   * The client binary, built on first use. Without a C compiler the test is skipped, except in CI
   * ({@code CI=true}), where it fails.
   */
  public static synchronized Path path() {
    if (built != null) {
      return built;
    }
    boolean compiler =
        java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
            .anyMatch(folder -> !folder.isEmpty() && Files.isExecutable(Path.of(folder, "cc")));
    if (!compiler && !"true".equals(System.getenv("CI"))) {
      // A machine without a C compiler runs the Java client instead; CI installs one.
      org.junit.jupiter.api.Assumptions.abort("no C compiler (cc) to build the native client");
    }
    Path root = Path.of("").toAbsolutePath();
    Path source = root.resolve("src/main/c/agent-msg-client.c");
    Path binary = root.resolve("target/test-native/agent-msg-client");
    try {
      Files.createDirectories(binary.getParent());
      Process cc =
          new ProcessBuilder(
                  List.of(
                      "cc",
                      "-O2",
                      "-Wall",
                      "-Wextra",
                      "-Werror",
                      "-std=c99",
                      "-D_POSIX_C_SOURCE=200809L",
                      "-o",
                      binary.toString(),
                      source.toString()))
              .redirectErrorStream(true)
              .start();
      String output = new String(cc.getInputStream().readAllBytes());
      if (!cc.waitFor(120, TimeUnit.SECONDS) || cc.exitValue() != 0) {
        throw new AssertionError("cc could not build the native client:\n" + output);
      }
    } catch (IOException e) {
      throw new AssertionError("no C compiler (cc) to build the native client", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    built = binary;
    return built;
  }
}
