package agentmsg;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.examples.QuickStart;
import agentmsg.examples.RemoteQuickStart;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's API snippet is examples/ code: this runs it and checks the README shows it as it is,
 * so the docs keep working.
 */
class ExamplesTest {
  @TempDir Path home;

  @Test
  void quickStartExchangesAQuestionAndAReply() throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      QuickStart.main(new String[] {home.toString()});
    } finally {
      System.setOut(original);
    }
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains(
            "opencode got from claude: Can you run the tests?",
            "claude got from opencode: All 212 tests pass.");
  }

  @Test
  void remoteQuickStartExchangesAMessageThroughAnEmbeddedServer() throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      RemoteQuickStart.main(new String[] {home.toString()});
    } finally {
      System.setOut(original);
    }
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("opencode got from claude: Can you run the tests?");
  }

  @Test
  void theReadmesSnippetIsTheExamplesCodeAsItCompiles() throws Exception {
    String example = Files.readString(Path.of("examples/agentmsg/examples/QuickStart.java"));
    String region =
        example.substring(
            example.indexOf("// README: begin\n") + "// README: begin\n".length(),
            example.indexOf("    // README: end"));
    StringBuilder dedented = new StringBuilder();
    for (String line : region.split("\n", -1)) {
      dedented.append(line.startsWith("    ") ? line.substring(4) : line).append('\n');
    }
    String readme = Files.readString(Path.of("README.md"));
    int section = readme.indexOf("## Programmatic usage");
    int start = readme.indexOf("```java\n", section) + "```java\n".length();
    String snippet = readme.substring(start, readme.indexOf("```", start));
    assertThat(snippet + "\n").isEqualTo(dedented.toString());
  }
}
