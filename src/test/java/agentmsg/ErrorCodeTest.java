package agentmsg;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
   * connection's refusal; printed as {@code error[code]}; as the code after the HTTP status of an
   * answer of the console's ({@code error(response, callback, 403, "forbidden-origin", ...)}) or of
   * an address's refusal ({@code new Refusal(429, "rate-limited", ...)}); or assigned to a variable
   * {@code code} that an answer then carries ({@code code = "invalid-request"}).
   */
  private static final Pattern REPORTED =
      Pattern.compile(
          "(?:Exception|super|sendError|refuse|cutOff|ServerFrame\\.Error)\\(\\s*\"([a-z][a-z0-9-]*)\""
              + "|error\\[([a-z][a-z0-9-]*)\\]"
              + "|(?:\\berror|Refusal)\\((?:\\s*[\\w.()]+\\s*,)*?\\s*[1-5]\\d\\d\\s*,\\s*\"([a-z][a-z0-9-]*)\""
              + "|\\bcode\\s*=\\s*\"([a-z][a-z0-9-]*)\"");

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
        for (String code : reported(Files.readString(file, StandardCharsets.UTF_8))) {
          if (ErrorCode.of(code).isEmpty()) {
            uncatalogued.put(code, file.toString());
          }
        }
      }
    }
    assertThat(uncatalogued).as("codes reported but missing from ErrorCode").isEmpty();
  }

  /** The codes that {@code source} reports, in the ways {@link #REPORTED} knows. */
  static Set<String> reported(String source) {
    Set<String> codes = new TreeSet<>();
    Matcher found = REPORTED.matcher(source);
    while (found.find()) {
      for (int group = 1; group <= found.groupCount(); group++) {
        if (found.group(group) != null && !found.group(group).equals("code")) {
          codes.add(found.group(group));
        }
      }
    }
    return codes;
  }

  @Test
  void theConsolesHttpAnswersAndRefusalsAreFound() {
    String source =
        """
        return error(
            response, callback, 403, "forbidden-origin", "requests from other origins are refused");
        return error(response, callback, refusal.status(), refusal.code(), refusal.message());
        return new Refusal(
            429,
            "rate-limited",
            "over " + limit + " requests/s from this address: slow down");
        } else if (failure instanceof IllegalArgumentException) {
          code = "invalid-request";
        log.error("not a code");
        throw new AgentMsgException("unknown-message", "no message with id " + id);
        """;
    assertThat(reported(source))
        .containsExactly("forbidden-origin", "invalid-request", "rate-limited", "unknown-message");
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
