package agentmsg;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The error-code catalogue against the code that reports errors and the README that lists them. */
class ErrorCodeTest {
  private static final String START = "<!-- error-codes: generated from agentmsg.ErrorCode -->";
  private static final String END = "<!-- error-codes: end -->";

  /**
   * How the sources name a code: as the first argument of an exception, an error frame or a
   * connection's refusal, or printed as {@code error[code]}.
   */
  private static final Pattern REPORTED =
      Pattern.compile(
          "(?:Exception|super|sendError|refuse|cutOff|ServerFrame\\.Error)\\(\\s*\"([a-z][a-z0-9-]*)\""
              + "|error\\[([a-z][a-z0-9-]*)\\]");

  @Test
  void everyCodeTheSourcesReportIsInTheCatalogue() throws IOException {
    Map<String, String> uncatalogued = new TreeMap<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main"))) {
      for (Path file :
          files
              .filter(f -> f.toString().endsWith(".java") || f.toString().endsWith(".c"))
              .toList()) {
        if (file.endsWith("ErrorCode.java")) {
          continue;
        }
        Matcher found = REPORTED.matcher(Files.readString(file, StandardCharsets.UTF_8));
        while (found.find()) {
          String code = found.group(1) != null ? found.group(1) : found.group(2);
          if (!code.equals("code") && ErrorCode.of(code).isEmpty()) {
            uncatalogued.put(code, file.toString());
          }
        }
      }
    }
    assertThat(uncatalogued).as("codes reported but missing from ErrorCode").isEmpty();
  }

  @Test
  void idsAreUniqueStableAndLowerCaseHyphenated() {
    assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::id))
        .doesNotHaveDuplicates()
        .allMatch(id -> id.matches("[a-z]+(-[a-z]+)*"));
    for (ErrorCode code : ErrorCode.values()) {
      assertThat(code.name())
          .isEqualTo(code.id().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
      assertThat(ErrorCode.of(code.id())).contains(code);
    }
    assertThat(ErrorCode.exitStatusOf("usage")).isEqualTo(2);
    assertThat(ErrorCode.exitStatusOf("timeout")).isEqualTo(3);
    assertThat(ErrorCode.exitStatusOf("a-newer-servers-code")).isEqualTo(1);
    assertThat(ErrorCode.UNKNOWN_AGENT.line("no agent named 'x'"))
        .isEqualTo("error[unknown-agent]: no agent named 'x'");
  }

  @Test
  void theReadmeListsExactlyTheCatalogue() {
    String readme = read(Path.of("README.md"));
    int start = readme.indexOf(START);
    int end = readme.indexOf(END);
    assertThat(start).as("README marker %s", START).isNotNegative();
    assertThat(end).as("README marker %s", END).isGreaterThan(start);
    String listed = readme.substring(start + START.length(), end).strip();
    assertThat(listed).as("README's code table (regenerate it from ErrorCode)").isEqualTo(table());
  }

  /** The README's table, one row per code in catalogue order. */
  static String table() {
    return "| Code | Exit | Meaning |\n|------|------|---------|\n"
        + Arrays.stream(ErrorCode.values())
            .map(c -> "| `" + c.id() + "` | " + c.exitStatus() + " | " + c.meaning() + " |")
            .collect(Collectors.joining("\n"));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
