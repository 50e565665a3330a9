package agentmsg;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.examples.QuickStart;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's API snippet comes from examples/: this runs it, so the docs keep working. */
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
}
