package agentmsg.bench.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary data homes for the benchmarks' states, deleted in their tear-down. */
final class TempHome {
  private TempHome() {}

  static Path create(String prefix) {
    try {
      return Files.createTempDirectory("agent-msg-jmh-" + prefix + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary home: " + e, e);
    }
  }

  static void delete(Path home) {
    if (home == null || !Files.exists(home)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(home)) {
      // Deepest first, so each folder is empty when its turn comes.
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the temporary home " + home + ": " + e, e);
    }
  }

  /** A message body of about {@code length} characters of plain text. */
  static String body(int length) {
    String words = "please run the tests on the store branch and tell me what fails; ";
    StringBuilder body = new StringBuilder(length);
    while (body.length() < length) {
      body.append(words);
    }
    return body.substring(0, length);
  }
}
